package gptcourse.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Tracebacks: JShell's names replaced, frames mapped to cells, library frames folded, recursion counted. */
class ErrorFormatterTest {
    @Test
    void wrapperNamesAreReplaced() {
        assertEquals("Cannot invoke \"String.length()\" because \"nul\" is null",
                ErrorFormatter.scrub("Cannot invoke \"String.length()\" because \"REPL.$JShell$33.nul\" is null"));
        assertEquals("class Foo cannot be cast to class Bar",
                ErrorFormatter.scrub("class REPL.$JShell$12$Foo cannot be cast to class REPL.$JShell$13B$Bar"));
    }

    @Test
    void framesAreMappedToCellsOutermostFirst() {
        SnippetSources sources = new SnippetSources();
        sources.record("3", "In[2]", 1, "int f(int x) {\n    return 1 / x;\n}");
        sources.record("5", "In[4]", 3, "f(0);");
        StackTraceElement[] stack = {
            new StackTraceElement("", "f", "#3", 2),
            new StackTraceElement("java.util.ArrayList", "forEach", "ArrayList.java", 1511),
            new StackTraceElement("java.util.ArrayList", "other", "ArrayList.java", 10),
            new StackTraceElement("", "", "#5", 1),
        };
        List<String> lines = new ErrorFormatter(sources).frames(stack);
        assertEquals(List.of(
                "  Cell In[4], line 3", "      f(0);",
                "  ... 2 library frames, innermost: java.util.ArrayList.forEach (ArrayList.java:1511)",
                "  Cell In[2], line 2, in f(...)", "      return 1 / x;"), lines);
    }

    @Test
    void recursionIsCountedNotRepeated() {
        SnippetSources sources = new SnippetSources();
        sources.record("1", "In[1]", 1, "int down(int n) { return down(n + 1); }");
        StackTraceElement[] stack = new StackTraceElement[1000];
        java.util.Arrays.fill(stack, new StackTraceElement("", "down", "#1", 1));
        List<String> lines = new ErrorFormatter(sources).frames(stack);
        assertEquals(3, lines.size(), lines.toString());
        assertTrue(lines.get(2).contains("repeated 999 more times"), lines.get(2));
    }

    @Test
    void unknownSnippetsStillShowTheirLine() {
        StackTraceElement[] stack = {new StackTraceElement("", "g", "#s7", 4)};
        assertEquals(List.of("  snippet s7, line 4, in g(...)"), new ErrorFormatter(new SnippetSources()).frames(stack));
    }
}
