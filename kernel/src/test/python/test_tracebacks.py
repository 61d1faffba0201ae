"""Tracebacks a student can use: each frame of the notebook's code as its cell (In[n]) and line
there, with the line's source, the call chain from the cell down, JShell's wrapper names replaced,
library frames folded into one line each. Run by environment/test-kernel.sh."""
import unittest

from kernel_client import OneKernelTest, error_lines


class Tracebacks(OneKernelTest):
    def run_error(self, code):
        reply, msgs = self.k.execute(code)
        self.assertEqual(reply["status"], "error", msgs)
        return reply["execution_count"], error_lines(msgs)

    def define(self, code):
        reply, msgs = self.k.execute(code)
        self.assertEqual(reply["status"], "ok", msgs)
        return reply["execution_count"]

    def assertInOrder(self, lines, *parts):
        at = 0
        for part in parts:
            found = [i for i in range(at, len(lines)) if part in lines[i]]
            self.assertTrue(found, "%r not found after line %d of\n%s" % (part, at, "\n".join(lines)))
            at = found[0] + 1

    def test_method_in_an_earlier_cell(self):
        n1 = self.define("int safeLog(int x) {\n    int[] table = new int[2];\n    return table[x];\n}")
        n2, tb = self.run_error("int r = 1;\nr = safeLog(5);")
        self.assertIn("ArrayIndexOutOfBoundsException: Index 5 out of bounds for length 2", tb[0])
        self.assertInOrder(tb, "Cell In[%d], line 2" % n2, "r = safeLog(5);",
                           "Cell In[%d], line 3, in safeLog" % n1, "return table[x];")

    def test_method_called_from_the_same_cell(self):
        n, tb = self.run_error("int half(int x) {\n    if (x == 0) throw new IllegalArgumentException(\"zero\");\n"
                               "    return x / 2;\n}\nhalf(0);")
        self.assertInOrder(tb, "Cell In[%d], line 5" % n, "half(0);", "Cell In[%d], line 2, in half" % n,
                           'throw new IllegalArgumentException("zero");')
        self.assertNotIn("earlier cell", "\n".join(tb))

    def test_line_3_of_a_cell(self):
        n, tb = self.run_error("int a = 1;\nint b = 2;\nint c = a / (b - 2);")
        self.assertIn("ArithmeticException: / by zero", tb[0])
        self.assertInOrder(tb, "Cell In[%d], line 3" % n, "int c = a / (b - 2);")

    def test_blank_lines_and_comments_before_the_line(self):
        n, tb = self.run_error("\n\n// a comment\nint d = 0;\n\nint e = 1 / d;")
        self.assertInOrder(tb, "Cell In[%d], line 6" % n, "int e = 1 / d;")

    def test_null_pointer_names_the_students_variable(self):
        n, tb = self.run_error("String nul = null;\nnul.length()")
        self.assertIn('because "nul" is null', tb[0])
        self.assertNotIn("$JShell", "\n".join(tb))
        self.assertNotIn("REPL.", "\n".join(tb))
        self.assertInOrder(tb, "Cell In[%d], line 2" % n, "nul.length()")

    def test_null_pointer_in_a_method_names_its_local_variable(self):
        self.define("int nameLength(String first) {\n    String name = first;\n    return name.length();\n}")
        n, tb = self.run_error("nameLength(null)")
        self.assertIn('because "name" is null', tb[0])

    def test_exception_thrown_through_library_code(self):
        n1 = self.define("void check(int i) {\n    if (i > 1) throw new IllegalStateException(\"bad item \" + i);\n}")
        n2, tb = self.run_error("List<Integer> items = List.of(1, 2, 3);\nitems.forEach(i -> check(i));")
        self.assertIn("IllegalStateException: bad item 2", tb[0])
        self.assertInOrder(tb, "Cell In[%d], line 2" % n2, "library frame", "Cell In[%d], line 2, in a lambda" % n2,
                           "Cell In[%d], line 2, in check" % n1, 'throw new IllegalStateException("bad item " + i);')
        folded = [line for line in tb if "library frame" in line]
        self.assertTrue(any("forEach" in line for line in folded), tb)

    def test_exception_thrown_inside_library_code(self):
        n, tb = self.run_error('String digits = "12x";\nint value = Integer.parseInt(digits);')
        self.assertIn('NumberFormatException: For input string: "12x"', tb[0])
        self.assertInOrder(tb, "Cell In[%d], line 2" % n, "int value = Integer.parseInt(digits);",
                           "library frames, innermost: java.lang.NumberFormatException.forInputString")

    def test_user_class_names_are_the_students(self):
        n1 = self.define("class Counter {\n    int left = 0;\n    void take() {\n        if (left == 0) throw new "
                         "IllegalStateException(\"empty \" + this.getClass().getName());\n        left--;\n    }\n}")
        n2, tb = self.run_error("new Counter().take();")
        self.assertIn("empty Counter", tb[0])
        self.assertInOrder(tb, "Cell In[%d], line 1" % n2, "Cell In[%d], line 4, in Counter.take" % n1)

    def test_causes_are_shown(self):
        n, tb = self.run_error('throw new RuntimeException("outer", new IllegalStateException("inner"));')
        self.assertIn("RuntimeException: outer", tb[0])
        self.assertTrue(any("Caused by IllegalStateException: inner" in line for line in tb), tb)

    def test_deep_recursion_is_summarised(self):
        n, tb = self.run_error("int down(int n) { return down(n + 1); }\ndown(0);")
        self.assertIn("StackOverflowError", tb[0])
        self.assertLess(len(tb), 40, "\n".join(tb))
        self.assertTrue(any("repeated" in line for line in tb), tb)

    def test_compile_error_names_cell_and_line(self):
        n, tb = self.run_error("int x = 1;\n\nString s = x;")
        self.assertIn("incompatible types", tb[0])
        self.assertIn("Cell In[%d], line 3" % n, tb[0])
        self.assertEqual(tb[1].strip(), "String s = x;")

    def test_error_in_a_loaded_file_names_the_file(self):
        # %load runs a file as a cell: its lines are the file's
        import tempfile, os
        with tempfile.NamedTemporaryFile("w", suffix=".jsh", delete=False) as f:
            f.write("int loaded = 0;\nint boom = 3 / loaded;\n")
        try:
            n, tb = self.run_error("%load " + f.name)
            self.assertInOrder(tb, os.path.basename(f.name) + ", line 2", "int boom = 3 / loaded;")
        finally:
            os.unlink(f.name)


if __name__ == "__main__":
    unittest.main(verbosity=2)
