package gptcourse.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The kernel's text helpers: magic lines, indents, startup imports. */
class KernelTextTest {
    @Test
    void magicLinesAreBlankedAtTheSameOffsets() {
        String cell = "%maven a:b:1\nint x = 1;";
        String masked = MagicSyntax.mask(cell);
        assertEquals(cell.length(), masked.length());
        assertEquals("            \nint x = 1;", masked);
    }

    @Test
    void magicArgumentsMayBeQuoted() {
        assertEquals(List.of("jars", "my dir/a.jar", "b.jar"), MagicSyntax.split("jars \"my dir/a.jar\" b.jar"));
    }

    @Test
    void indentIsFourSpacesPerOpenBracket() {
        assertEquals("    ", CodeInspector.indentFor("for (int i = 0; i < 3; i++) {"));
        assertEquals("        ", CodeInspector.indentFor("if (a) {\n    if (b) {"));
        assertEquals("    ", CodeInspector.indentFor("String s = \"{{\" + ("));
    }

    @Test
    void startupScriptSkipsCoursePackagesThatDoNotExistYet() {
        String script = StartupScript.course();
        assertFalse(BuiltInStartupTest.code(script).contains("gptcourse.kernel"), "IJava users load this script too");
        assertTrue(script.contains("import org.nd4j.linalg.factory.Nd4j;"));
        for (String pkg : List.of("gptcourse.model", "gptcourse.grading")) {
            assertEquals(StartupScript.packageExists(pkg), script.contains("import " + pkg + ".*;"), pkg);
        }
        assertFalse(StartupScript.packageExists("gptcourse.no_such_package"));
        assertTrue(StartupScript.packageExists("gptcourse.kernel"));
    }
}
