package gptcourse.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;

import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import io.github.spencerpark.jupyter.kernel.display.Renderer;
import io.github.spencerpark.jupyter.kernel.display.common.Image;
import io.github.spencerpark.jupyter.kernel.display.common.Text;
import io.github.spencerpark.jupyter.kernel.display.common.Url;
import io.github.spencerpark.jupyter.kernel.display.mime.MIMEType;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.XYChart;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.Table;

class BuiltInStartupTest {
    private static final KernelConfig COURSE = KernelConfig.fromMap(Map.of());
    private static final KernelConfig IJAVA_ONLY = KernelConfig.fromMap(Map.of(KernelConfig.IJAVA_ONLY, "1"));

    @Test
    void theCourseKernelImportsItsOwnFunctionsThenTheCourseScript() {
        String script = BuiltInStartup.script(COURSE, () -> "import org.nd4j.linalg.factory.Nd4j;\n");
        assertTrue(script.startsWith(BuiltInStartup.KERNEL_IMPORTS), script);
        assertTrue(script.contains("import org.nd4j.linalg.factory.Nd4j;"), script);
    }

    @Test
    void ijavaOnlyHasIJavasImportsAndDisplayFunctionsAndNothingOfTheCourse() {
        String script = code(BuiltInStartup.script(IJAVA_ONLY, () -> {
            throw new AssertionError("the course's script is not read in IJava-only mode");
        }));
        for (String signature : new String[] {"String display(Object o)", "String display(Object o, String... as)",
                "void updateDisplay(String id, Object o)", "void updateDisplay(String id, Object o, String... as)",
                "DisplayData render(Object o)", "DisplayData render(Object o, String... as)",
                "import java.util.*;", "import java.util.regex.*;"}) {
            assertTrue(script.contains(signature), signature);
        }
        for (String absent : new String[] {"import gptcourse", "import static gptcourse", "ProgressBar", "clearOutput",
                "import org.nd4j", "import tech.tablesaw", "import org.knowm"}) {
            assertFalse(script.contains(absent), absent);
        }
        assertTrue(BuiltInStartup.name(IJAVA_ONLY).contains(KernelConfig.IJAVA_ONLY));
    }

    @Test
    void ijavaOnlyLeavesChartsAndTablesToTheBaseLibraryAsIJavaDoes() {
        XYChart chart = new XYChart(200, 100);
        chart.addSeries("loss", new double[] {1, 2}, new double[] {3, 2});
        Table table = Table.create("t", IntColumn.create("i", 1, 2));

        Renderer course = baseKernelRenderer();
        BuiltInStartup.registerRenderers(COURSE, course);
        assertTrue(course.render(chart).hasDataForType(MIMEType.IMAGE_PNG));
        assertTrue(course.render(table).hasDataForType(MIMEType.TEXT_HTML));

        Renderer ijava = baseKernelRenderer();
        BuiltInStartup.registerRenderers(IJAVA_ONLY, ijava);
        for (Object value : new Object[] {chart, table}) {
            DisplayData shown = ijava.render(value);
            String what = value.getClass().getName();
            assertTrue(shown.hasDataForType(MIMEType.TEXT_PLAIN), what);
            for (MIMEType rich : new MIMEType[] {MIMEType.IMAGE_PNG, MIMEType.IMAGE_SVG, MIMEType.TEXT_HTML}) {
                assertFalse(shown.hasDataForType(rich), what + " as " + rich);
            }
        }
    }

    /** @return the script without its comment lines */
    static String code(String script) {
        return script.lines().filter(line -> !line.strip().startsWith("//")).collect(Collectors.joining("\n"));
    }

    /** The renderers every kernel on jupyter-jvm-basekernel has (BaseKernel registers them; so does IJava's). */
    private static Renderer baseKernelRenderer() {
        Renderer r = new Renderer();
        Image.registerAll(r);
        Url.registerAll(r);
        Text.registerAll(r);
        return r;
    }

    @Test
    void theIJavaStartupScriptInEnvironmentIsTheCourseScript() throws Exception {
        // Tests run in kernel/: environment/ijava-startup.jsh is what environment/ijava-setup.sh prints.
        Path forIJava = Path.of("..", "environment", "ijava-startup.jsh");
        Path course = Path.of("src", "main", "resources", "gptcourse", "kernel", "startup.jsh");
        assertEquals(Files.readString(course), Files.readString(forIJava));
        assertFalse(code(Files.readString(forIJava)).contains("gptcourse.kernel"), "IJava cannot load the course kernel's classes");
    }
}
