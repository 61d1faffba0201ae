"""Tests the autograder on crafted submissions of notebook 03, graded in one batch run.

    JUPYTER_PATH=... /usr/bin/python3 tools/grading/test_autograde.py [--kernel NAME]

Submissions (one student each): the student copy with the solutions put back (full marks); the loss
not negated; zeroGrad missing; the untouched student copy with one graded cell deleted; an endless
loop in trainingStep plus a cell whose loop survives the interrupt; System.exit in trainingStep plus a
cell that crashes the JVM; a solution that does not compile; a file that is not a notebook.
"""
import argparse
import csv
import os
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import autograde  # noqa: E402
import nbformat  # noqa: E402
import nbgrader_cells as cells  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(HERE))
NOTEBOOK = "03-training-loop"
KERNEL = "java-gptcourse"
CELL_TIMEOUT = 20
POINTS = {"check-training-step": 5, "check-evaluate": 5}
CRASH_CELL = []   # the number (from 1) of the cell that crashes the JVM in the system-exit submission
GRADES = {}
NOTES = {}


def variant(change):
    """The student copy with the solutions put back, and then change(solution source) applied."""
    instructor = cells.read(os.path.join(ROOT, "notebooks", NOTEBOOK + ".ipynb"))
    student = cells.read(os.path.join(ROOT, "notebooks", "student", NOTEBOOK + ".ipynb"))
    nb = cells.with_instructor_cells(student, instructor, solutions=True)
    for cell in nb.cells:
        if cells.grade_id(cell) == "my-trainer":
            before = cells.source(cell)
            cell.source = change(before)
            assert cell.source != before or change("x") == "x", "the change did not apply"
    return nb


def replace(old, new):
    return lambda text: text.replace(old, new, 1) if old in text else ""


def crafted(folder):
    subs = {
        "solution": variant(lambda s: s),
        "loss-not-negated": variant(replace("LogProbs.getLogProbs(logits, tokens).mean().neg();",
                                            "LogProbs.getLogProbs(logits, tokens).mean();")),
        "zero-grad-missing": variant(replace("        optimizer.zeroGrad();\n", "")),
        "endless-loop": variant(replace('        INDArray tokens = batch.get("tokens");',
                                        '        while (true) { }\n    }\n    Tensor unused(Batch batch) {\n'
                                        '        INDArray tokens = batch.get("tokens");')),
        "system-exit": variant(replace('        INDArray tokens = batch.get("tokens");',
                                       '        System.exit(1);\n        INDArray tokens = batch.get("tokens");')),
        "does-not-compile": variant(replace("return loss;", "return los;")),
    }
    # and a cell that swallows the interrupt, so that only a new kernel (replaying the cells before) stops it
    loop = subs["endless-loop"]
    at = next(i for i, c in enumerate(loop.cells) if cells.grade_id(c) == "my-trainer") + 1
    loop.cells.insert(at, nbformat.v4.new_code_cell(
        "while (true) { try { while (true) { } } catch (Throwable stopped) { } }"))
    # and a cell that crashes the JVM, as System.exit would on a JDK without the kernel's exit guard
    crash = subs["system-exit"]
    at = next(i for i, c in enumerate(crash.cells) if cells.grade_id(c) == "my-trainer") + 1
    CRASH_CELL.append(at + 1)
    crash.cells.insert(at, nbformat.v4.new_code_cell(
        'var field = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");\n'
        'field.setAccessible(true);\n'
        '((sun.misc.Unsafe) field.get(null)).putAddress(0, 0);'))
    empty = cells.read(os.path.join(ROOT, "notebooks", "student", NOTEBOOK + ".ipynb"))
    empty.cells = [c for c in empty.cells if cells.grade_id(c) != "check-evaluate"]
    subs["empty-with-a-cell-deleted"] = empty
    for student, nb in subs.items():
        os.makedirs(os.path.join(folder, student))
        cells.write(nb, os.path.join(folder, student, NOTEBOOK + ".ipynb"))
    os.makedirs(os.path.join(folder, "not-a-notebook"))
    with open(os.path.join(folder, "not-a-notebook", NOTEBOOK + ".ipynb"), "w") as f:
        f.write('{"cells": [ this is not JSON')


def grade_all():
    with tempfile.TemporaryDirectory(prefix="gptcourse-autograde-test-") as work:
        subs = os.path.join(work, "submissions")
        crafted(subs)
        out = os.path.join(work, "report")
        autograde.main([subs, "--out", out, "--kernel", KERNEL, "--cell-timeout", str(CELL_TIMEOUT)])
        with open(os.path.join(out, "grades.csv"), encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        with open(os.path.join(out, "grades.html"), encoding="utf-8") as f:
            html = f.read()
        executed = sorted(os.listdir(os.path.join(out, "executed")))
        with open(os.path.join(out, "executed", "system-exit", NOTEBOOK + ".kernel.log"), encoding="utf-8",
                  errors="replace") as f:
            crash_log = f.read()
    for row in rows:
        GRADES[row["student"]] = row
    return rows, html, executed, crash_log


def points(student, gid):
    return float(GRADES[student]["%s/%s points (of %g)" % (NOTEBOOK, gid, POINTS[gid])])


def message(student, gid):
    return GRADES[student]["%s/%s message" % (NOTEBOOK, gid)]


class Autograder(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.rows, cls.html, cls.executed, cls.crash_log = grade_all()

    def test_one_row_per_student_in_csv_and_html(self):
        self.assertEqual(sorted(GRADES), ["does-not-compile", "empty-with-a-cell-deleted", "endless-loop",
                                          "loss-not-negated", "not-a-notebook", "solution", "system-exit",
                                          "zero-grad-missing"])
        for student in GRADES:
            self.assertIn("<td>%s</td>" % student, self.html)
        self.assertIn("solution", self.executed)

    def test_the_solution_gets_full_marks(self):
        self.assertEqual(GRADES["solution"]["total"], "10")
        self.assertEqual(GRADES["solution"]["max"], "10")
        self.assertEqual(GRADES["solution"]["notes"], "")

    def test_a_loss_with_the_wrong_sign_loses_the_training_step(self):
        self.assertEqual(points("loss-not-negated", "check-training-step"), 0)
        self.assertIn("the sign is wrong", message("loss-not-negated", "check-training-step"))
        self.assertEqual(points("loss-not-negated", "check-evaluate"), 5)

    def test_missing_zero_grad_loses_the_training_step(self):
        self.assertEqual(points("zero-grad-missing", "check-training-step"), 0)
        self.assertIn("call optimizer.zeroGrad() after optimizer.step()", message("zero-grad-missing", "check-training-step"))
        self.assertEqual(points("zero-grad-missing", "check-evaluate"), 5)

    def test_an_empty_exercise_gets_nothing_and_a_deleted_cell_is_reported(self):
        self.assertEqual(GRADES["empty-with-a-cell-deleted"]["total"], "0")
        self.assertIn("MyTrainer.trainingStep is not written yet", message("empty-with-a-cell-deleted", "check-training-step"))
        self.assertTrue(message("empty-with-a-cell-deleted", "check-evaluate").startswith(
            "cell missing: the notebook has no cell 'check-evaluate'"))

    def test_an_endless_loop_times_out_and_the_other_exercises_are_still_graded(self):
        self.assertEqual(points("endless-loop", "check-training-step"), 0)
        self.assertIn("stopped after", message("endless-loop", "check-training-step"))
        self.assertIn("time limit", message("endless-loop", "check-training-step"))
        # the unstoppable cell cost a new kernel, which replayed MyTrainer's cell for the checks after it
        self.assertIn("did not stop when interrupted; a new kernel replayed the cells that had worked",
                      GRADES["endless-loop"]["notes"])
        self.assertEqual(points("endless-loop", "check-evaluate"), 5)

    def test_system_exit_is_reported(self):
        self.assertEqual(points("system-exit", "check-training-step"), 0)
        self.assertIn("called System.exit", message("system-exit", "check-training-step"))
        self.assertIn("the code called System.exit; the kernel blocked it", GRADES["system-exit"]["notes"])
        self.assertEqual(points("system-exit", "check-evaluate"), 5)

    def test_the_kernels_own_output_goes_to_its_log(self):
        self.assertIn("A fatal error has been detected by the Java Runtime Environment", self.crash_log)

    def test_a_kernel_that_dies_is_replaced_and_grading_goes_on(self):
        self.assertIn("cell %d: the kernel died while running it (did the code end the JVM, with System.exit or"
                      " halt?); a new kernel replayed the cells that had worked" % CRASH_CELL[0],
                      GRADES["system-exit"]["notes"])
        self.assertEqual(points("system-exit", "check-evaluate"), 5)

    def test_a_solution_that_does_not_compile_is_named(self):
        self.assertEqual(GRADES["does-not-compile"]["total"], "0")
        self.assertIn("your cell 'my-trainer' failed, so this check could not run: class MyTrainer was defined,"
                      " but can't be used until variable los is declared", message("does-not-compile", "check-training-step"))

    def test_a_file_that_is_not_a_notebook_gets_zero_with_the_reason(self):
        self.assertEqual(GRADES["not-a-notebook"]["total"], "0")
        self.assertIn("could not be read as a notebook", message("not-a-notebook", "check-evaluate"))


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--kernel", default=KERNEL)
    a, rest = p.parse_known_args()
    KERNEL = a.kernel
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)
