package gptcourse.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.github.spencerpark.jupyter.kernel.util.GlobFinder;

/**
 * IJava's magics: {@code %jars}, {@code %classpath}, {@code %maven}, {@code %load} and
 * {@code %%loadFromPOM}. They run in the kernel, between the cell's Java snippets, so code after
 * {@code %maven ...} in the same cell already sees the new classes.
 */
final class KernelMagics {
    private final JavaKernel kernel;
    private final MavenResolver maven;

    KernelMagics(JavaKernel kernel, MavenResolver maven) {
        this.kernel = kernel;
        this.maven = maven;
    }

    /**
     * @param name magic name without {@code %}
     * @param args its arguments
     * @return a value to show, or {@link JavaKernel#NO_VALUE}
     * @throws Exception with a message for the student
     */
    Object line(String name, List<String> args) throws Exception {
        switch (name) {
            case "jars" -> addGlobs(args, true);
            case "classpath" -> addGlobs(args, false);
            case "maven" -> {
                requireArgs(name, args, "group:artifact:version");
                for (Path jar : maven.resolve(args)) kernel.addToClasspath(jar);
            }
            case "load" -> {
                requireArgs(name, args, "a .jsh or .java file");
                Object last = JavaKernel.NO_VALUE;
                for (String file : args) last = kernel.runFile(existing(file));
                return last;
            }
            default -> throw new IllegalArgumentException("unknown magic. Available: %jars, %classpath, %maven, %load "
                    + "and the cell magic %%loadFromPOM.");
        }
        return JavaKernel.NO_VALUE;
    }

    /**
     * @param name magic name without {@code %%}
     * @param args its arguments
     * @param body the rest of the cell
     * @return a value to show, or {@link JavaKernel#NO_VALUE}
     * @throws Exception with a message for the student
     */
    Object cell(String name, List<String> args, String body) throws Exception {
        if (!name.equals("loadFromPOM")) {
            throw JavaKernel.CellError.of("MagicError", "Unknown cell magic %%" + name,
                    List.of(JavaKernel.CellError.red("Unknown cell magic %%" + name + ". Available: %%loadFromPOM.")));
        }
        try {
            for (Path jar : maven.resolvePom(body)) kernel.addToClasspath(jar);
        } catch (Exception e) {
            String msg = "%%loadFromPOM failed: " + e.getMessage();
            throw JavaKernel.CellError.of("MagicError", msg, List.of(JavaKernel.CellError.red(msg)));
        }
        return JavaKernel.NO_VALUE;
    }

    private void addGlobs(List<String> globs, boolean filesOnly) throws Exception {
        for (String glob : globs) {
            int found = 0;
            GlobFinder finder = new GlobFinder(glob);
            Iterable<Path> matches;
            try {
                matches = filesOnly ? finder.computeMatchingFiles() : finder.computeMatchingPaths();
            } catch (java.nio.file.NoSuchFileException e) {
                matches = List.of();
            }
            for (Path p : matches) {
                kernel.addToClasspath(p);
                found++;
            }
            if (found == 0) {
                throw new IOException("nothing matches '" + glob + "' (relative paths start at "
                        + Path.of("").toAbsolutePath() + ")");
            }
        }
    }

    private static Path existing(String file) throws IOException {
        Path p = Path.of(file);
        if (!Files.isRegularFile(p)) {
            throw new IOException("no file '" + file + "' (relative paths start at " + Path.of("").toAbsolutePath() + ")");
        }
        return p;
    }

    private static void requireArgs(String name, List<String> args, String what) {
        if (args.isEmpty()) throw new IllegalArgumentException("%" + name + " needs " + what);
    }
}
