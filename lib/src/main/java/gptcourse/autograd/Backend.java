package gptcourse.autograd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which ND4J native build runs the tensors. ND4J ships a portable CPU build (any x86-64) and a oneDNN
 * build for CPUs with AVX-512 that trains the course model about 2x faster here; the default Maven
 * build ships both ({@code mvn -Pportable} leaves the second out). JavaCPP picks between them from a system property that must be set before
 * ND4J loads; {@link #selectNatives()} sets it when that build is on the classpath and the CPU can run
 * it, and otherwise pins the portable build. {@code GPTCOURSE_NATIVES=portable} forces the portable one.
 */
public final class Backend {
    static final String EXTENSION_PROPERTY = "org.bytedeco.javacpp.platform.extension";
    static final String AVX512_EXTENSION = "-onednn-avx512";
    private static final String AVX512_LIBRARY =
            "org/nd4j/linalg/cpu/nativecpu/bindings/linux-x86_64-onednn-avx512/libnd4jcpu.so";
    private static final Logger LOG = LoggerFactory.getLogger(Backend.class);
    private static boolean selected;

    private Backend() {
    }

    /** Chooses the native build; call before anything touches ND4J (the course's classes do it themselves). */
    public static synchronized void selectNatives() {
        if (selected) {
            return;
        }
        selected = true;
        fixMallocThreshold();
        passiveOpenMpWaits();
        noResidentSizeCheck();
        if (System.getProperty(EXTENSION_PROPERTY) != null) {
            return;
        }
        String wanted = System.getenv().getOrDefault("GPTCOURSE_NATIVES", "auto").toLowerCase(Locale.ROOT);
        if (!wanted.equals("auto") && !wanted.equals("portable") && !wanted.equals("avx512")) {
            LOG.warn("GPTCOURSE_NATIVES='{}' is not one of auto, portable, avx512; using auto", wanted);
            wanted = "auto";
        }
        boolean onClasspath = Backend.class.getClassLoader().getResource(AVX512_LIBRARY) != null;
        boolean cpuHasIt = cpuHasAvx512();
        // JavaCPP would load the AVX-512 build whenever its jar is present, even on a CPU without
        // AVX-512 (which would crash); an empty extension pins the portable build.
        boolean useAvx512 = onClasspath && cpuHasIt && !wanted.equals("portable");
        System.setProperty(EXTENSION_PROPERTY, useAvx512 ? AVX512_EXTENSION : "");
        if (!useAvx512 && wanted.equals("avx512")) {
            LOG.warn("GPTCOURSE_NATIVES=avx512, but {}; using the portable build",
                    !onClasspath ? "the oneDNN/AVX-512 natives are not on the classpath (built with -Pportable)"
                            : "this CPU lacks AVX-512");
        }
    }

    static final String MAX_PHYSICAL_BYTES_PROPERTY = "org.bytedeco.javacpp.maxPhysicalBytes";

    /**
     * JavaCPP (under ND4J) reads the process's resident size from {@code /proc} on every native
     * allocation, to refuse one once it passes a multiple of {@code -Xmx}: thousands of reads a
     * training step (about 5% of notebook 03's quick run in a profile), and a wrong refusal in a small
     * container whose default {@code -Xmx} is a quarter of its memory. Off unless the user set it
     * (as {@code environment/launch-kernel.sh} already did for the kernel); must run before JavaCPP loads.
     */
    private static void noResidentSizeCheck() {
        if (System.getProperty(MAX_PHYSICAL_BYTES_PROPERTY) == null) {
            System.setProperty(MAX_PHYSICAL_BYTES_PROPERTY, "0");
        }
    }

    /** glibc's {@code mallopt} and {@code setenv}, reached through JNA. */
    private interface LibC extends com.sun.jna.Library {
        int mallopt(int param, int value);

        int setenv(String name, String value, int overwrite);
    }

    /** The C library on Linux, or null (another OS, or glibc not loadable), with the reason logged. */
    private static LibC libc(String purpose) {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            return null;
        }
        try {
            return com.sun.jna.Native.load("c", LibC.class);
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            LOG.debug("could not {} (not glibc?): {}", purpose, e.toString());
            return null;
        }
    }

    static final String OMP_WAIT_POLICY = "OMP_WAIT_POLICY";

    /**
     * ND4J's OpenMP runtime (libgomp) lets a thread that waits for the others spin on its core. When
     * anything else wants the cores (the browser, Jupyter's server, a second kernel, a build) the spinning
     * threads hold the cores the others need: on a 2-core machine with one other busy process a training
     * step took 8.5 s instead of 2.0 s (batch 32) and 3.2 s instead of 0.3 s (batch 4). {@code PASSIVE}
     * makes waiting threads sleep. libgomp reads the variable once, when it loads with ND4J's natives, so
     * it is set in this process's C environment before that; a value set by the user wins.
     */
    static void passiveOpenMpWaits() {
        if (System.getenv(OMP_WAIT_POLICY) != null) {
            return;
        }
        LibC libc = libc("set OMP_WAIT_POLICY");
        if (libc != null && libc.setenv(OMP_WAIT_POLICY, "PASSIVE", 0) != 0) {
            LOG.debug("setenv(OMP_WAIT_POLICY) failed");
        }
    }

    private static final int M_MMAP_THRESHOLD = -3;

    /**
     * ND4J allocates its arrays with malloc. glibc raises its mmap threshold to the size of each large
     * block that is freed, after which blocks of up to 32 MB come from the heap arena instead, and the
     * arena's fragmentation made a training run's memory creep up (~0.7 MB a step here, without end).
     * A fixed 1 MB threshold keeps large arrays in their own mappings, returned to the OS when freed.
     * The same as starting the JVM with {@code GLIBC_TUNABLES=glibc.malloc.mmap_threshold=1048576}.
     */
    static void fixMallocThreshold() {
        LibC libc = libc("set malloc's mmap threshold");
        if (libc != null && libc.mallopt(M_MMAP_THRESHOLD, 1 << 20) != 1) {
            LOG.debug("mallopt(M_MMAP_THRESHOLD) was refused");
        }
    }

    static boolean cpuHasAvx512() {
        try {
            String info = Files.readString(Path.of("/proc/cpuinfo"));
            return info.contains(" avx512f") && info.contains(" avx512bw") && info.contains(" avx512vl")
                    && info.contains(" avx512dq");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** One line for a notebook or a log: backend, native build, threads. */
    public static String describe() {
        selectNatives();
        String name = Nd4j.getBackend().getClass().getSimpleName();
        boolean cuda = name.toLowerCase(Locale.ROOT).contains("cuda") || name.toLowerCase(Locale.ROOT).contains("jcublas");
        if (cuda) {
            return "CUDA GPU (ND4J " + name + ")";
        }
        String build = AVX512_EXTENSION.equals(System.getProperty(EXTENSION_PROPERTY)) ? "oneDNN/AVX-512 natives" : "portable natives";
        return "CPU (ND4J " + name + ", " + build + ", " + Runtime.getRuntime().availableProcessors() + " cores)";
    }
}
