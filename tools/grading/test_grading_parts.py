"""Unit tests of the grader's parts that need no kernel: the strict channel parser, the refusal
scan, the submission reader's handling of malformed notebooks, the report's CSV escaping and the
students' folder names.

    /usr/bin/python3 tools/grading/test_grading_parts.py
"""
import copy
import json
import os
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import autograde  # noqa: E402
import channel  # noqa: E402
import nbgrader_cells as cells  # noqa: E402
import report  # noqa: E402
import scan  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(HERE))
NOTEBOOK = os.path.join(ROOT, "notebooks", "03-training-loop.ipynb")
FACTS = {"className": "REPL.$JShell$12$MyTrainer", "trainingStepDeclaredBy": "REPL.$JShell$12$MyTrainer",
         "evaluateDeclaredBy": "REPL.$JShell$12$MyTrainer", "trainDeclaredBy": "REPL.$JShell$12$MyTrainer",
         "extendsReference": False}
STEP = {"facts": FACTS, "problem": None, "secondCall": True, "loss1": 10.8, "loss2": 10.7, "heldOutBefore": 10.83,
        "heldOutAfter1": 10.81, "heldOutAfter2": 10.79, "leftoverGradients": False, "stepAfter1": 1, "stepAfter2": 2,
        "loggedTrainLoss": True, "loggedSteps": [1, 2], "loggedValues": [10.8, 10.7]}


def record(observation=STEP, **changes):
    r = {"format": channel.FORMAT, "method": "trainingStep", "problem": None, "observation": observation}
    r.update(changes)
    return json.dumps(r).encode()


class StrictChannel(unittest.TestCase):
    def test_what_checks_require_writes_is_read(self):
        self.assertEqual(channel.parse(record(), "trainingStep")["observation"]["loss1"], 10.8)
        self.assertEqual(channel.parse(record(None, problem="the constructor threw"), "trainingStep"),
                         {"problem": "the constructor threw", "observation": None})

    def test_anything_else_is_rejected(self):
        bad = [
            b"trainingStep: 5 of 5 checks passed",                              # printed text
            record().replace(b"10.8,", b"NaN,", 1),                             # NaN
            record().replace(b"10.8,", b"1e999,", 1),                           # infinity
            record().replace(b'"loss1"', b'"loss1": 1, "loss1"', 1),            # a repeated key
            record(dict(STEP, extra=1)),                                        # an extra field
            record({k: v for k, v in STEP.items() if k != "loss2"}),            # a missing field
            record(dict(STEP, stepAfter1=True)),                                # a boolean for a number
            record(dict(STEP, stepAfter1=1.5)),                                 # not a whole number
            record(dict(STEP, loss1="10.8")),                                   # a text for a number
            record(dict(STEP, loggedSteps=list(range(1000)))),                  # too long a list
            record(dict(STEP, facts=dict(FACTS, extendsReference="no"))),       # a nested field of the wrong type
            record(method="evaluate"),                                          # the file of another check
            record(format="gptcourse-check/0"),                                 # another format
            record(None),                                                       # neither problem nor observation
            record(problem="x" * 5000),                                         # too long a text
            b"\xff\xfe",                                                        # not UTF-8
            b"[" * 100000,                                                      # nesting to exhaust the parser
        ]
        for data in bad:
            with self.assertRaises(channel.Rejected, msg=data[:80]):
                channel.parse(data, "trainingStep")

    def test_links_pipes_and_large_files_are_not_read(self):
        with tempfile.TemporaryDirectory() as d:
            secret = os.path.join(d, "secret")
            with open(secret, "wb") as f:
                f.write(record())
            os.symlink(secret, os.path.join(d, "trainingStep.json"))
            with self.assertRaises(channel.Rejected):
                channel.read(d, "trainingStep")
            os.mkfifo(os.path.join(d, "evaluate.json"))
            with self.assertRaises(channel.Rejected):
                channel.read(d, "evaluate")
            with open(os.path.join(d, "train.json"), "wb") as f:
                f.write(b" " * (channel.MAX_BYTES + 1))
            with self.assertRaises(channel.Rejected):
                channel.read(d, "train")
            self.assertIsNone(channel.read(os.path.join(d, "nothing-here"), "trainingStep"))


class RefusalScan(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.instructor = cells.read(NOTEBOOK)

    def with_cell(self, code):
        nb = copy.deepcopy(self.instructor)
        nb.cells.append(cells.nbformat.v4.new_code_cell(code))
        return scan.findings(nb, self.instructor)

    def test_the_instructors_own_notebook_passes(self):
        self.assertEqual(scan.findings(self.instructor, self.instructor), [])

    def test_shadowing_inheritance_reflection_and_reaching_into_the_checks_are_found(self):
        for code, what in [
            ("class gptcourse { }", "named 'gptcourse'"),
            ("class \\u0067ptcourse { }", "named 'gptcourse'"),
            ("var gptcourse = 1;", "named 'gptcourse'"),
            ("class MyTrainer extends\n  /* hidden */ gptcourse.train.TransformerTrainer { }", "extends TransformerTrainer"),
            ("TrainerFactory f = TransformerTrainer::new;", "makes a TransformerTrainer"),
            ('var f = Class.forName("x").getDeclaredField("y"); f.setAccessible(true);', "reflection"),
            ("var l = java.lang.invoke.MethodHandles.lookup();", "reflection"),
            ('gptcourse.grading.Checks.require("evaluate", OtherTrainer::new);', "grading classes"),
            ("var c = gptcourse.grading.GradingChannel.class;", "grading classes"),
        ]:
            found = self.with_cell(code)
            self.assertTrue(found and what in found[0], "%r: %s" % (code, found))

    def test_comments_and_ordinary_code_are_not_found(self):
        self.assertEqual(self.with_cell("// extends TransformerTrainer, setAccessible\nint x = 1;\n"
                                        'System.out.println(System.getenv("HOME"));'), [])


class MalformedNotebooks(unittest.TestCase):
    def read(self, data):
        with tempfile.NamedTemporaryFile("w", suffix=".ipynb", delete=False) as f:
            f.write(data if isinstance(data, str) else json.dumps(data))
        try:
            return cells.read_submission(f.name)
        finally:
            os.unlink(f.name)

    def test_each_shape_gets_one_line(self):
        with open(NOTEBOOK, encoding="utf-8") as f:
            good = json.load(f)
        for data, reason in [
            ("", "could not be read as a notebook"),
            ("[1, 2]", "its JSON is not an object"),
            (dict(good, nbformat=3), "not a version 4 notebook"),
            ({k: v for k, v in good.items() if k != "cells"}, "has no list of cells"),
            (dict(good, cells={"a": 1}), "has no list of cells"),
            (dict(good, cells=["print(1)"]), "cell 1: not a code, markdown or raw cell"),
            (dict(good, cells=[{"cell_type": "code", "source": 7}]), "cell 1: its source is not text"),
        ]:
            with self.assertRaises(cells.FormatError) as e:
                self.read(data)
            self.assertIn(reason, str(e.exception))
            self.assertEqual(len(str(e.exception).splitlines()), 1)

    def test_odd_metadata_is_ignored_not_fatal(self):
        with open(NOTEBOOK, encoding="utf-8") as f:
            good = json.load(f)
        odd = copy.deepcopy(good)
        odd["extra"] = {"anything": 1}
        for cell in odd["cells"]:
            if cell["metadata"].get("nbgrader", {}).get("grade_id") == "my-trainer":
                cell["metadata"]["nbgrader"] = "solution"
            elif cell["metadata"].get("nbgrader"):
                cell["metadata"]["nbgrader"]["grade_id"] = ["a", "list"]
        nb = self.read(odd)
        self.assertEqual([cells.grade_id(c) for c in nb.cells if cells.grade_id(c)], [])
        self.assertEqual(len(nb.cells), len(good["cells"]))


class ReportAndFolders(unittest.TestCase):
    def test_formulas_are_escaped_and_numbers_kept(self):
        self.assertEqual(report.csv_cell('=HYPERLINK("http://x","y")'), '\'=HYPERLINK("http://x","y")')
        for s in ("+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1"):
            self.assertTrue(report.csv_cell(s).startswith("'"), s)
        self.assertEqual(report.csv_cell("-2.5"), "-2.5")
        self.assertEqual(report.csv_cell("alice"), "alice")

    def test_student_folders_never_collide(self):
        names = ["a b", "a_b", "a/b", "a\\b", "..", ".", "", "Ä b", "x" * 300]
        slugs = [autograde.slug(n) for n in names]
        self.assertEqual(len(set(slugs)), len(names))
        for s in slugs:
            self.assertRegex(s, r"^[A-Za-z0-9_-][A-Za-z0-9._-]*$")
            self.assertLessEqual(len(s), 60)


if __name__ == "__main__":
    unittest.main(verbosity=2)
