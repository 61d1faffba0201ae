"""Specification of check_ijava_outputs.py on crafted executed notebooks (no kernel needed).

    /usr/bin/python3 tools/grading/test_check_ijava_outputs.py
"""
import contextlib
import io
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_ijava_outputs as checker  # noqa: E402

TABLE_TEXT = ("parameters by part of the model\n   part    |  parameters  |\n---------------------------\n"
              "    embed  |        1000  |\n blocks.0  |       20000  |")


def cell(source, outputs, count=1):
    return {"cell_type": "code", "execution_count": count, "metadata": {}, "source": source, "outputs": outputs}


def shown(data, kind="display_data"):
    out = {"output_type": kind, "data": data, "metadata": {}}
    if kind == "execute_result":
        out["execution_count"] = 1
    return out


def notebook(*cells):
    return {"cells": list(cells), "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


class CheckIJavaOutputs(unittest.TestCase):
    def run_on(self, notebooks, raw=None):
        """@return (exit status, printed lines) of the checker on a folder of these notebooks"""
        with tempfile.TemporaryDirectory() as folder:
            for name, nb in notebooks.items():
                with open(os.path.join(folder, name), "w", encoding="utf-8") as f:
                    json.dump(nb, f)
            for name, text in (raw or {}).items():
                with open(os.path.join(folder, name), "w", encoding="utf-8") as f:
                    f.write(text)
            out = io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
                status = checker.main(["check_ijava_outputs.py", folder])
        return status, out.getvalue().splitlines()

    def test_charts_and_tables_that_render_themselves_pass(self):
        status, lines = self.run_on({"04.ipynb": notebook(
            cell("display(Outputs.chart(chart));", [shown({"image/png": "iVBOR", "text/plain": 'chart "loss"'})]),
            cell("Outputs.table(t, 20)", [shown({"text/html": "<table></table>", "text/plain": TABLE_TEXT}, "execute_result")]),
            cell("List.of(1, 2)", [shown({"text/plain": "[1, 2]"}, "execute_result")]),
            cell("Nd4j.ones(2, 2)", [shown({"text/plain": "[[1.0000, 1.0000],\n [1.0000, 1.0000]]"}, "execute_result")]),
            cell("System.out.println(\"a | b\\n---\");", [{"output_type": "stream", "name": "stdout", "text": "a | b\n---\n"}]),
        )})
        self.assertEqual(status, 0, lines)
        self.assertIn("2 chart/table outputs as image/png or text/html", lines[-1])

    def test_a_chart_shown_as_its_class_name_is_one_line(self):
        status, lines = self.run_on({"04-loss-curve.ipynb": notebook(
            cell("x", [], count=1),
            cell("display(chart);\nchart.getSeriesMap().keySet()",
                 [shown({"text/plain": "org.knowm.xchart.XYChart@6de2ba55"}),
                  shown({"text/plain": "[train, uniform]"}, "execute_result")], count=8))})
        self.assertEqual(status, 1)
        self.assertEqual(lines[0], "04-loss-curve.ipynb cell 1 (In [8]): display(...) arrived as text/plain only "
                                   "(an object with no renderer on IJava): org.knowm.xchart.XYChart@6de2ba55")
        self.assertEqual(len(lines), 2, lines)  # that line and the summary

    def test_a_table_left_as_a_cells_value_is_one_line(self):
        status, lines = self.run_on({"01-model-and-args.ipynb": notebook(
            cell("parts", [shown({"text/plain": TABLE_TEXT}, "execute_result")], count=5))})
        self.assertEqual(status, 1)
        self.assertEqual(lines[0], "01-model-and-args.ipynb cell 0 (In [5]): the cell's value arrived as text/plain "
                                   "only (a table printed as text): parameters by part of the model")

    def test_errors_unrun_cells_kernel_imports_and_startup_failures_are_reported(self):
        status, lines = self.run_on({"02.ipynb": notebook(
            cell("ProgressBar.show(\"x\", 3);", [{"output_type": "error", "ename": "CompilationError",
                                                  "evalue": "\x1b[31mcannot find symbol ProgressBar\x1b[0m", "traceback": []}]),
            cell("import gptcourse.kernel.Display;", [], count=2),
            cell("never();", [], count=None),
            cell("1", [{"output_type": "stream", "name": "stderr",
                        "text": "The /x/ijava-startup.jsh failed: cannot find symbol Display\n"}], count=4))})
        self.assertEqual(status, 1)
        self.assertIn("02.ipynb cell 0 (In [1]): CompilationError: cannot find symbol ProgressBar", lines)
        self.assertIn("02.ipynb cell 1 (In [2]): uses gptcourse.kernel, which IJava cannot load", lines)
        self.assertIn("02.ipynb cell 2 (In [ ]): did not run", lines)
        self.assertIn("02.ipynb cell 3 (In [4]): The /x/ijava-startup.jsh failed: cannot find symbol Display", lines)

    def test_careless_inputs_give_one_line_not_a_traceback(self):
        status, lines = self.run_on({}, raw={"broken.ipynb": "{not json"})
        self.assertEqual(status, 1)
        self.assertTrue(lines[0].startswith("broken.ipynb: unreadable notebook: "), lines)
        odd = notebook({"cell_type": "code", "source": ["a", "b"]},               # no outputs, no count
                       {"cell_type": "markdown", "source": "display(chart)"},
                       cell("x", [{"output_type": "display_data"}, {"output_type": "stream"},
                                  shown({"text/plain": ["org.knowm.xchart.", "PieChart@1f"]})]))
        status, lines = self.run_on({"odd.ipynb": odd})
        self.assertEqual(status, 1)
        self.assertEqual(len(lines), 3, lines)
        self.assertIn("did not run", lines[0])
        self.assertIn("PieChart@1f", lines[1])
        with tempfile.TemporaryDirectory() as empty, contextlib.redirect_stderr(io.StringIO()):
            self.assertEqual(checker.main(["x"]), 2)
            self.assertEqual(checker.main(["x", empty]), 2)
            self.assertEqual(checker.main(["x", os.path.join(empty, "missing")]), 2)

    def test_a_long_first_line_is_cut(self):
        status, lines = self.run_on({"n.ipynb": notebook(
            cell("t", [shown({"text/plain": "x" * 500 + "  |\n-----\n 1 |"}, "execute_result")]))})
        self.assertEqual(status, 1)
        self.assertLess(len(lines[0]), 200)
        self.assertTrue(lines[0].endswith("…"), lines[0])


if __name__ == "__main__":
    unittest.main(verbosity=1)
