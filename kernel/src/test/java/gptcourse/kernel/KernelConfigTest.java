package gptcourse.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class KernelConfigTest {
    @Test
    void readsTheIJavaVariables() {
        KernelConfig c = KernelConfig.fromMap(Map.of(
                "IJAVA_CLASSPATH", "/a/*.jar" + File.pathSeparator + "/b/classes",
                "IJAVA_STARTUP_SCRIPTS_PATH", "/s/one.jsh",
                "IJAVA_STARTUP_SCRIPT", "int x = 1;",
                "IJAVA_COMPILER_OPTS", "  -Xlint:all   -parameters ",
                "IJAVA_TIMEOUT", "30 SECONDS"));
        assertEquals(List.of("/a/*.jar", "/b/classes"), c.classpath());
        assertEquals(List.of("/s/one.jsh"), c.startupScriptsPaths());
        assertEquals("int x = 1;", c.startupScript());
        assertEquals(List.of("-Xlint:all", "-parameters"), c.compilerOptions());
        assertEquals(30_000, c.timeoutMillis());
    }

    @Test
    void defaultsMeanNothingExtraAndNoTimeout() {
        KernelConfig c = KernelConfig.fromMap(Map.of());
        assertTrue(c.classpath().isEmpty());
        assertTrue(c.compilerOptions().isEmpty());
        assertEquals("", c.startupScript());
        assertEquals(-1, c.timeoutMillis());
    }

    @Test
    void timeoutInMillisecondsOrDisabled() {
        assertEquals(1500, KernelConfig.parseTimeout("1500"));
        assertEquals(-1, KernelConfig.parseTimeout("-1"));
        assertEquals(-1, KernelConfig.parseTimeout("0"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KernelConfig.parseTimeout("soon"));
        assertTrue(e.getMessage().contains("IJAVA_TIMEOUT is 'soon'"), e.getMessage());
    }

    @Test
    void anUnreadableTimeoutIsAProblemNotACrash() {
        KernelConfig c = KernelConfig.fromMap(Map.of("IJAVA_TIMEOUT", "10 FORTNIGHTS"));
        assertEquals(-1, c.timeoutMillis());
        assertEquals(1, c.problems().size());
        assertTrue(c.problems().get(0).contains("Running without a timeout"), c.problems().get(0));
    }

    @Test
    void theIJavaOnlyModeIsOffUnlessAskedFor() {
        assertFalse(KernelConfig.fromMap(Map.of()).ijavaOnly());
        assertFalse(KernelConfig.fromMap(Map.of(KernelConfig.IJAVA_ONLY, "0")).ijavaOnly());
        assertFalse(KernelConfig.fromMap(Map.of(KernelConfig.IJAVA_ONLY, "")).ijavaOnly());
        assertTrue(KernelConfig.fromMap(Map.of(KernelConfig.IJAVA_ONLY, "1")).ijavaOnly());
        assertTrue(KernelConfig.fromMap(Map.of(KernelConfig.IJAVA_ONLY, " TRUE ")).ijavaOnly());
        assertTrue(KernelConfig.fromMap(Map.of(KernelConfig.IJAVA_ONLY, "1")).problems().isEmpty());
    }

    @Test
    void anUnreadableIJavaOnlySettingIsAProblemAndKeepsTheCourseKernel() {
        for (String value : List.of("yes", "2", "on; rm -rf /", "1 1", "\uff11")) {
            KernelConfig c = KernelConfig.fromMap(Map.of(KernelConfig.IJAVA_ONLY, value));
            assertFalse(c.ijavaOnly(), value);
            assertEquals(1, c.problems().size(), value);
            assertTrue(c.problems().get(0).startsWith("GPTCOURSE_IJAVA_ONLY is '"), c.problems().get(0));
        }
    }
}
