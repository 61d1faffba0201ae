"""Checks the outputs of kernel-features.ipynb after `jupyter nbconvert --to notebook --execute`.

    /usr/bin/python3 check_feature_notebook.py executed.ipynb
"""
import base64
import io
import json
import re
import sys
import unittest

from PIL import Image

PATH = sys.argv.pop(1) if len(sys.argv) > 1 else "kernel-features.nbconvert.ipynb"
with open(PATH) as f:
    NB = json.load(f)
CELLS = {c["metadata"]["name"]: c for c in NB["cells"] if c["cell_type"] == "code"}
ANSI = re.compile(r"\x1b\[[;\d]*m")


def outputs(name, kind=None):
    outs = CELLS[name]["outputs"]
    return [o for o in outs if kind is None or o["output_type"] == kind]


def result(name, mime="text/plain"):
    res = outputs(name, "execute_result")
    assert len(res) == 1, "%s: expected one execute_result, got %r" % (name, CELLS[name]["outputs"])
    data = res[0]["data"][mime]
    return "".join(data) if isinstance(data, list) else data


def text(data):
    return "".join(data) if isinstance(data, list) else data


def error(name):
    errs = outputs(name, "error")
    assert len(errs) == 1, "%s: expected one error, got %r" % (name, CELLS[name]["outputs"])
    return errs[0]["ename"], [ANSI.sub("", line) for line in errs[0]["traceback"]]


def png_size(b64):
    return Image.open(io.BytesIO(base64.b64decode(b64))).size


class FeatureNotebook(unittest.TestCase):
    def test_every_cell_ran(self):
        for name, cell in CELLS.items():
            self.assertIsNotNone(cell.get("execution_count"), name)

    def test_results_and_streams(self):
        self.assertEqual(result("result"), "2")
        self.assertEqual(result("multi_snippet"), "42")
        streams = {o["name"]: text(o["text"]) for o in outputs("streams", "stream")}
        self.assertEqual(streams, {"stdout": "to stdout\n", "stderr": "to stderr\n"})

    def test_xchart_png_has_the_chart_size(self):
        self.assertEqual(png_size(result("xchart_png", "image/png")), (400, 300))

    def test_xchart_svg_on_request(self):
        data = outputs("xchart_svg", "display_data")[0]["data"]
        self.assertIn("<svg", text(data["image/svg+xml"]))

    def test_tables(self):
        html = result("table_small", "text/html")
        self.assertEqual(html.count("<tr>"), 1 + 3)  # header + rows
        for token in ("the", "cat", "sat"):
            self.assertIn("<td>%s</td>" % token, html)
        self.assertIn("the", result("table_small"))  # text/plain fallback
        big = result("table_big", "text/html")
        self.assertEqual(big.count("<tr><th>") - 1, 20)  # header, then the first 10 and last 10 rows
        self.assertIn("30 more rows", big)
        self.assertIn("<th>49</th>", big)
        self.assertIn("50 rows × 2 columns", big)

    def test_buffered_image(self):
        self.assertEqual(png_size(result("image", "image/png")), (32, 16))

    def test_indarray(self):
        small = result("indarray")
        self.assertIn("[2, 3]", small)
        self.assertIn("6.0000", small)
        big = result("indarray_big")
        self.assertIn("[100, 100]", big)
        self.assertIn("mean 1.000", big)
        self.assertLess(len(big), 5000)

    def test_display_and_update_in_place(self):
        shown = outputs("display_update", "display_data")
        self.assertEqual(len(shown), 1)
        self.assertEqual(text(shown[0]["data"]["text/plain"]), "second version")
        self.assertEqual(text(outputs("display_mimes", "display_data")[0]["data"]["text/html"]), "<b>bold</b>")
        self.assertEqual(result("render", "text/html"), "<i>rendered</i>")

    def test_progress_bar_updates_in_place(self):
        shown = outputs("progress", "display_data")
        self.assertEqual(len(shown), 1)
        plain = text(shown[0]["data"]["text/plain"])
        self.assertIn("100%", plain)
        self.assertIn("5/5", plain)
        self.assertIn("<progress", text(shown[0]["data"]["text/html"]))

    def test_magics(self):
        self.assertEqual(result("jars"), "hello, jars")
        self.assertEqual(result("classpath"), "other")
        self.assertEqual(result("load"), "42")
        self.assertEqual(result("maven"), "Assertions")
        self.assertEqual(result("after_pom"), "ParameterizedTest")
        ename, tb = error("maven_missing")
        self.assertEqual(ename, "MagicError")
        self.assertEqual(len(tb), 1)
        self.assertIn("%%maven failed (Cell In[%d], line 1)" % CELLS["maven_missing"]["execution_count"], tb[0])
        self.assertIn("nothing-here", tb[0])
        self.assertIn("couldn't reach Maven Central", tb[0])  # the test runs it "offline"

    def test_ijava_environment(self):
        self.assertEqual(result("startup_env"), "42")
        self.assertEqual(result("startup_file"), "from startup file")
        self.assertEqual(result("ijava_classpath"), "from IJAVA_CLASSPATH")

    def test_errors_are_short_and_name_the_line(self):
        ename, tb = error("compile_error")
        self.assertEqual(ename, "CompilationError")
        self.assertIn("incompatible types", tb[0])
        self.assertIn("In[%d], line 2" % CELLS["compile_error"]["execution_count"], tb[0])
        self.assertLessEqual(len(tb), 4)
        ename, tb = error("runtime_error")
        self.assertEqual(ename, "EvaluationError")
        self.assertIn("ArrayIndexOutOfBoundsException", tb[0])
        self.assertIn("In[%d], line 2" % CELLS["runtime_error"]["execution_count"], "\n".join(tb))
        self.assertIn("int y = arr[5];", "\n".join(tb))
        self.assertLessEqual(len(tb), 4)

    def test_crashes_are_reported_and_the_kernel_survives(self):
        self.assertIn("System.exit(1) is blocked", error("system_exit")[1][0])
        self.assertIn("StackOverflowError", error("stack_overflow")[1][0])
        self.assertIn("OutOfMemoryError", error("out_of_memory")[1][0])
        ename, tb = error("timeout")
        self.assertEqual(ename, "Interrupted")
        self.assertIn("IJAVA_TIMEOUT", tb[0])
        self.assertEqual(result("still_alive"), "still alive: 42")


if __name__ == "__main__":
    unittest.main(verbosity=2)
