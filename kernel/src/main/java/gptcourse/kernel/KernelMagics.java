package gptcourse.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.github.spencerpark.jupyter.kernel.util.GlobFinder;

/**
 * IJava's magics. Line magics: {@code %jars}, {@code %classpath}, {@code %maven} (also
 * {@code %addMavenDependency}, {@code %addMavenDependencies}), {@code %mavenRepo} (also
 * {@code %addMavenRepo}), {@code %loadFromPOM pom.xml [scopes]} and {@code %load}; the cell magic
 * {@code %%loadFromPOM [scopes]}. They run in the kernel, between the cell's Java snippets, so code
 * after {@code %maven ...} in the same cell already sees the new classes.
 */
final class KernelMagics {
    static final String AVAILABLE = "%jars, %classpath, %maven (%addMavenDependency, %addMavenDependencies), "
            + "%mavenRepo (%addMavenRepo), %loadFromPOM, %load and the cell magic %%loadFromPOM";

    private final CodeEvaluator evaluator;
    private final MavenResolver maven;

    KernelMagics(CodeEvaluator evaluator, MavenResolver maven) {
        this.evaluator = evaluator;
        this.maven = maven;
    }

    /**
     * A line magic written in a cell: its failure is reported with the cell and line.
     *
     * @param where the cell ({@code In[5]}) or file
     * @param line  the 1-based line of the magic
     */
    Object lineInCell(String name, List<String> args, String where, int line) throws Exception {
        try {
            return line(name, args);
        } catch (CellError e) {
            throw e;
        } catch (Exception e) {
            String place = where.startsWith("In[") ? "Cell " + where : where;
            throw CellError.magic("%" + name + " failed (" + place + ", line " + line + "): " + e.getMessage());
        }
    }

    /**
     * @param name magic name without {@code %}
     * @param args its arguments
     * @return a value ({@code %jars}, {@code %classpath}: the paths added), or {@link CodeEvaluator#NO_VALUE}
     * @throws Exception with a message for the student
     */
    Object line(String name, List<String> args) throws Exception {
        switch (name) {
            case "jars":
                return addGlobs(args, true);
            case "classpath":
                return addGlobs(args, false);
            case "maven":
            case "addMavenDependency":
            case "addMavenDependencies":
                requireArgs(name, args, "group:artifact:version");
                addAll(maven.resolve(args));
                return CodeEvaluator.NO_VALUE;
            case "mavenRepo":
            case "addMavenRepo":
                if (args.size() != 2) {
                    throw new IllegalArgumentException("%" + name + " needs a repository id and its URL, e.g. "
                            + "%" + name + " my-repo https://example.org/maven2/ (got " + args.size() + " arguments)");
                }
                maven.addRepository(args.get(0), args.get(1));
                return CodeEvaluator.NO_VALUE;
            case "loadFromPOM":
                requireArgs(name, args, "the path of a pom.xml (and optionally scopes)");
                addAll(maven.resolvePom(Files.readString(existing(args.get(0))), args.subList(1, args.size())));
                return CodeEvaluator.NO_VALUE;
            case "load":
                requireArgs(name, args, "a .jsh or .java file");
                Object last = CodeEvaluator.NO_VALUE;
                for (String file : args) last = evaluator.runFile(existing(file));
                return last;
            default:
                throw new IllegalArgumentException("unknown magic. Available: " + AVAILABLE + ".");
        }
    }

    /**
     * @param name magic name without {@code %%}
     * @param args its arguments
     * @param body the rest of the cell
     * @return {@link CodeEvaluator#NO_VALUE}
     * @throws CellError with a message for the student
     */
    Object cell(String name, List<String> args, String body) throws CellError {
        if (!name.equals("loadFromPOM")) {
            throw CellError.magic("Unknown cell magic %%" + name + ". Available: %%loadFromPOM.");
        }
        try {
            addAll(maven.resolvePom(body, args));
        } catch (CellError e) {
            throw e;
        } catch (Exception e) {
            throw CellError.magic("%%loadFromPOM failed: " + e.getMessage());
        }
        return CodeEvaluator.NO_VALUE;
    }

    private void addAll(List<Path> jars) throws CellError {
        for (Path jar : jars) evaluator.addToClasspath(jar);
    }

    private List<String> addGlobs(List<String> globs, boolean filesOnly) throws Exception {
        requireArgs(filesOnly ? "jars" : "classpath", globs, filesOnly ? "a jar path or glob" : "a folder, jar or glob");
        List<String> added = new ArrayList<>();
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
                evaluator.addToClasspath(p);
                added.add(p.toAbsolutePath().normalize().toString());
                found++;
            }
            if (found == 0) {
                throw new IOException("nothing matches '" + glob + "' (relative paths start at "
                        + Path.of("").toAbsolutePath() + ")");
            }
        }
        return added;
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
