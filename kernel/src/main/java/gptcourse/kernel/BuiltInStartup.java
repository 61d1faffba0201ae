package gptcourse.kernel;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

import io.github.spencerpark.jupyter.kernel.display.Renderer;

/**
 * What the kernel sets up before the {@code IJAVA_STARTUP_SCRIPTS_PATH} scripts run, in its two modes.
 *
 * <ul>
 *   <li>The course kernel: its own functions ({@link Display}'s {@code display}/{@code render}/
 *       {@code updateDisplay}/{@code clearOutput}, {@link Magics}' {@code lineMagic}/{@code cellMagic}/
 *       {@code eval}, {@link ProgressBar}), then the course's startup
 *       script ({@code startup.jsh}, which IJava users load too: {@code environment/ijava-startup.jsh}),
 *       and the renderers of {@link CourseRenderers}.</li>
 *   <li>IJava-only ({@code GPTCOURSE_IJAVA_ONLY=1}): what a plain IJava install has, so that the course
 *       notebooks can be tested as they run there: IJava's default imports and its display functions
 *       ({@code ijava-init.jsh}, the same names and signatures as IJava's), only the base library's
 *       renderers (images, URLs, text), and none of the course kernel's classes imported. The course
 *       script then comes from {@code IJAVA_STARTUP_SCRIPTS_PATH}, as on IJava.</li>
 * </ul>
 */
final class BuiltInStartup {
    /** The course kernel's own names, imported before the course's startup script. */
    static final String KERNEL_IMPORTS = "import static gptcourse.kernel.Display.*;\n"
            + "import static gptcourse.kernel.Magics.*;\n"
            + "import gptcourse.kernel.ProgressBar;\n";

    private BuiltInStartup() {
    }

    /**
     * @param config       the kernel's settings
     * @param courseScript the course's startup script (read only for the course kernel)
     * @return the code to run first in a new JShell
     */
    static String script(KernelConfig config, Supplier<String> courseScript) {
        return config.ijavaOnly() ? ijavaInit() : KERNEL_IMPORTS + courseScript.get();
    }

    /** @return a name for the built-in script in a "startup script failed" note */
    static String name(KernelConfig config) {
        return config.ijavaOnly() ? "IJava-only start-up (" + KernelConfig.IJAVA_ONLY + ")" : "built-in startup script";
    }

    /** Registers the course's renderers, unless the kernel stands in for a plain IJava install. */
    static void registerRenderers(KernelConfig config, Renderer renderer) {
        if (!config.ijavaOnly()) CourseRenderers.registerAll(renderer);
    }

    /** @return IJava's start-up as this kernel provides it */
    static String ijavaInit() {
        try (InputStream in = BuiltInStartup.class.getResourceAsStream("ijava-init.jsh")) {
            if (in == null) throw new IllegalStateException("ijava-init.jsh is missing from the kernel jar");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read ijava-init.jsh from the kernel jar", e);
        }
    }
}
