package gptcourse.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ND4J's OpenMP threads sleep rather than spin while they wait (Backend#passiveOpenMpWaits), whether or
 * not the launcher set OMP_WAIT_POLICY; a value the user set is kept. Read from libgomp itself, which
 * prints its settings when OMP_DISPLAY_ENV=VERBOSE, in a fresh JVM (libgomp reads them once, as it
 * loads). Its OMP_WAIT_POLICY line says PASSIVE even when nothing is set (then threads spin 300,000
 * times before they sleep), so the spin count is what tells the three apart: 0 when passive.
 * The same fresh JVM shows JavaCPP's per-allocation resident-size check off (Backend#noResidentSizeCheck)
 * unless the user set a limit.
 */
class OpenMpWaitPolicyTest {

    /** The fresh JVM: the course's first step (Backend), then ND4J's natives. */
    public static final class Probe {
        public static void main(String[] args) {
            Backend.selectNatives();
            System.out.println("sum " + Nd4j.ones(1000).sumNumber());
            System.out.println("maxPhysicalBytes " + org.bytedeco.javacpp.Pointer.maxPhysicalBytes());
        }
    }

    private static String libgompSays(String waitPolicy) throws IOException, InterruptedException {
        return probeSays(waitPolicy, "-Dgptcourse.probe=1");
    }

    private static String probeSays(String waitPolicy, String jvmOption) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                jvmOption, Probe.class.getName()).redirectErrorStream(true);
        pb.environment().remove(Backend.OMP_WAIT_POLICY);
        if (waitPolicy != null) {
            pb.environment().put(Backend.OMP_WAIT_POLICY, waitPolicy);
        }
        pb.environment().put("OMP_DISPLAY_ENV", "VERBOSE");
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "the probe JVM did not finish");
        String text = new String(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), text);
        assertTrue(text.contains("sum 1000"), text);
        return text;
    }

    @Test
    void waitingThreadsSleepWithoutAnyLauncherSetting() throws Exception {
        String text = libgompSays(null);
        assertTrue(text.contains("GOMP_SPINCOUNT = '0'"), text);
    }

    @Test
    void aPolicyTheUserSetIsKept() throws Exception {
        String text = libgompSays("ACTIVE");
        assertTrue(text.contains("OMP_WAIT_POLICY = 'ACTIVE'"), text);
        assertTrue(!text.contains("GOMP_SPINCOUNT = '0'"), text);
    }

    @Test
    void javaCppChecksNoResidentSizeUnlessTheUserSetALimit() throws Exception {
        assertTrue(libgompSays(null).contains("maxPhysicalBytes 0"));
        String limited = probeSays(null, "-Dorg.bytedeco.javacpp.maxPhysicalBytes=8g");
        assertTrue(limited.contains("maxPhysicalBytes " + (8L << 30)), limited);
    }
}
