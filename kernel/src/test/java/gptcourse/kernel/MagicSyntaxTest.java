package gptcourse.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;

import org.junit.jupiter.api.Test;

/** How magics are recognised in a cell, as IJava writes them. */
class MagicSyntaxTest {
    @Test
    void aLineMagicIsALineStartingWithPercent() {
        assertEquals(List.of("maven", "a:b:1"), MagicSyntax.lineMagic("%maven a:b:1"));
        assertEquals(List.of("jars", "x.jar"), MagicSyntax.lineMagic("   %jars x.jar"));
        assertNull(MagicSyntax.lineMagic("int x = 5 % 2;"));
        assertNull(MagicSyntax.lineMagic("% jars"));
    }

    @Test
    void aCellMagicTakesTheRestOfTheCell() {
        MagicSyntax.CellMagic m = MagicSyntax.cellMagic("%%loadFromPOM compile\n<dependency/>\n<x/>");
        assertEquals("loadFromPOM", m.name());
        assertEquals(List.of("compile"), m.args());
        assertEquals("<dependency/>\n<x/>", m.body());
        assertEquals("", MagicSyntax.cellMagic("%%loadFromPOM").body());
        assertNull(MagicSyntax.cellMagic("int a = 1;\n%%loadFromPOM"));
    }

    @Test
    void aMagicAfterAnAssignmentBecomesACall() {
        assertEquals("List<String> jars = gptcourse.kernel.Magics.lineMagic(\"jars\", java.util.List.of(\"*.jar\"));",
                MagicSyntax.magicsInExpressions("List<String> jars = %jars *.jar;"));
        assertEquals("x = gptcourse.kernel.Magics.lineMagic(\"classpath\", java.util.List.of(\"a b\", \"c\\\"d\"))",
                MagicSyntax.magicsInExpressions("x = %classpath \"a b\" c\"d"));
    }

    @Test
    void operatorsAndStringsAreNotMagics() {
        for (String line : List.of("x %= 3;", "boolean b = a == %x;", "String s = \"= %jars\";", "y = a % b;",
                "n += %jars;", "if (a != %b) {}")) {
            assertEquals(line, MagicSyntax.magicsInExpressions(line), line);
        }
    }

    @Test
    void argumentsMayBeQuoted() {
        assertEquals(List.of("jars", "my dir/a.jar", "b.jar"), MagicSyntax.split("jars \"my dir/a.jar\" b.jar"));
        assertEquals(List.of("say", "a \"quoted\" word"), MagicSyntax.split("say \"a \\\"quoted\\\" word\""));
    }

    @Test
    void hostileArgumentsStayInsideTheirStringLiteral() {
        String line = MagicSyntax.magicsInExpressions("Object o = %jars \"); System.exit(1); (\" \\u0022");
        assertEquals("Object o = gptcourse.kernel.Magics.lineMagic(\"jars\", java.util.List.of("
                + "\"); System.exit(1); (\", \"\\\\u0022\"))", line);
        assertEquals("\"\\u00e9\\012\"", MagicSyntax.javaString("é\n"));
    }
}
