package gptcourse.kernel;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;

import com.sun.source.tree.ClassTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.VariableTree;
import com.sun.source.util.DocTrees;
import com.sun.source.util.JavacTask;
import com.sun.source.util.TreePathScanner;

/**
 * Javadoc of the course library for Shift-Tab. JShell only reads the JDK's {@code src.zip}; the
 * library's sources jar ships on the kernel's classpath ({@code kernel-lib/gptcourse-lib-sources.jar}),
 * so the {@code .java} file of a class is a resource. It is parsed (not compiled) and the comment
 * of the member JShell names in its signature is returned.
 */
final class SourceDocs {
    private final Map<String, List<CompilationUnitTree>> parsed = new ConcurrentHashMap<>();
    private final Map<String, DocTrees> trees = new ConcurrentHashMap<>();

    /**
     * @param signature a signature as JShell writes it
     * @return the member's Javadoc text, or null if its source isn't shipped
     */
    String find(String signature) {
        String sig = signature.strip();
        int open = sig.indexOf('(');
        String params = open >= 0 && sig.endsWith(")") ? sig.substring(open + 1, sig.length() - 1) : null;
        String head = open >= 0 ? sig.substring(0, open).strip() : sig;
        String qualified = head.substring(head.lastIndexOf(' ') + 1);
        if (!qualified.matches("[\\w$]+(\\.[\\w$]+)*")) return null;
        String[] parts = qualified.split("\\.");
        // the last name is a class (or its constructor), else a member of the class before it
        for (int classEnd = parts.length; classEnd >= Math.max(1, parts.length - 1); classEnd--) {
            String member = classEnd < parts.length ? parts[parts.length - 1] : null;
            for (int top = classEnd; top >= 1; top--) {
                String path = String.join("/", java.util.Arrays.copyOfRange(parts, 0, top)) + ".java";
                List<CompilationUnitTree> units = parse(path);
                if (units == null) continue;
                String[] classes = java.util.Arrays.copyOfRange(parts, top - 1, classEnd);
                String doc = search(path, units, classes, member, params);
                if (doc != null) return doc;
                break;
            }
        }
        return null;
    }

    private List<CompilationUnitTree> parse(String path) {
        if (parsed.containsKey(path)) return parsed.get(path).isEmpty() ? null : parsed.get(path);
        String text;
        try (InputStream in = ClassLoader.getSystemResourceAsStream(path)) {
            text = in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            text = null;
        }
        List<CompilationUnitTree> units = List.of();
        if (text != null) {
            JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
            String source = text;
            JavaFileObject file = new SimpleJavaFileObject(URI.create("string:///" + path), JavaFileObject.Kind.SOURCE) {
                @Override
                public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                    return source;
                }
            };
            JavacTask task = (JavacTask) compiler.getTask(null, null, d -> { }, List.of("-proc:none"), null, List.of(file));
            try {
                List<CompilationUnitTree> list = new java.util.ArrayList<>();
                task.parse().forEach(list::add);
                units = list;
                trees.put(path, DocTrees.instance(task));
            } catch (IOException | RuntimeException e) {
                units = List.of();
            }
        }
        parsed.put(path, units);
        return units.isEmpty() ? null : units;
    }

    private String search(String path, List<CompilationUnitTree> units, String[] classes, String member, String params) {
        DocTrees docTrees = trees.get(path);
        String[] found = new String[1];
        int wantedParams = params == null ? -1 : params.isBlank() ? 0 : params.split(",(?![^<]*>)").length;
        for (CompilationUnitTree unit : units) {
            new TreePathScanner<Void, Integer>() {
                @Override
                public Void visitClass(ClassTree node, Integer depth) {
                    if (found[0] != null || depth >= classes.length
                            || !node.getSimpleName().contentEquals(classes[depth])) {
                        return null;
                    }
                    if (depth == classes.length - 1 && member == null && params == null) {
                        found[0] = docTrees.getDocComment(getCurrentPath());
                        return null;
                    }
                    return depth == classes.length - 1 ? super.visitClass(node, depth + 1) : scanMembers(node, depth);
                }

                private Void scanMembers(ClassTree node, Integer depth) {
                    for (var t : node.getMembers()) {
                        if (t instanceof ClassTree) scan(new com.sun.source.util.TreePath(getCurrentPath(), t), depth + 1);
                    }
                    return null;
                }

                @Override
                public Void visitMethod(MethodTree node, Integer depth) {
                    String name = member == null ? "<init>" : member;
                    if (found[0] == null && node.getName().contentEquals(name)
                            && (wantedParams < 0 || node.getParameters().size() == wantedParams)) {
                        found[0] = docTrees.getDocComment(getCurrentPath());
                    }
                    return null;
                }

                @Override
                public Void visitVariable(VariableTree node, Integer depth) {
                    if (found[0] == null && member != null && params == null && node.getName().contentEquals(member)) {
                        found[0] = docTrees.getDocComment(getCurrentPath());
                    }
                    return null;
                }
            }.scan(new com.sun.source.util.TreePath(unit), 0);
        }
        return found[0] == null || found[0].isBlank() ? null : found[0].strip();
    }
}
