"""Tests the autograder on crafted submissions of notebook 03: honest, careless, malformed and
hostile ones, graded in batches as an instructor would, asserting the grade and the message the
instructor sees for each.

    JUPYTER_PATH=... /usr/bin/python3 tools/grading/test_autograde.py [--kernel NAME]

Every submission is built from the instructor's notebook (its my-trainer cell changed, or a cell
added after it), so the tests follow the notebook's prose. They work whether or not the notebook
still has a graded train() exercise (check-train). The attacks on the sandbox need root, bwrap and
namespaces; where the machine lacks them those tests are skipped, saying why.
"""
import argparse
import copy
import csv
import html
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import autograde  # noqa: E402
import nbformat  # noqa: E402
import nbgrader_cells as cells  # noqa: E402
import sandbox  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(HERE))
NOTEBOOK = "03-training-loop"
KERNEL = "java-gptcourse"
SECRET = "hf_secret_token_that_must_not_leak"
INSTRUCTOR = cells.read(os.path.join(ROOT, "notebooks", NOTEBOOK + ".ipynb"))
STUDENT_COPY = cells.read(os.path.join(ROOT, "notebooks", "student", NOTEBOOK + ".ipynb"))
POINTS = {cells.grade_id(c): float(cells.nbgrader(c).get("points", 0)) for c in INSTRUCTOR.cells if cells.is_test(c)}
SANDBOX, MISSING = sandbox.probe()
G = {}            # student -> row of grades.csv, for the main batch
RECORDS = {}      # student -> its grading record (executed/<slug>/<notebook>.graded.json)


# ---------------------------------------------------------------------------------- submissions

def solution():
    """The instructor's notebook as a student would hand it in: the solutions written, no outputs."""
    nb = cells.with_instructor_cells(STUDENT_COPY, INSTRUCTOR, solutions=True)
    for c in nb.cells:
        if c.cell_type == "code":
            c.outputs = []
    return nb


def trainer_cell(nb):
    return next(c for c in nb.cells if cells.grade_id(c) == "my-trainer")


def changed(*edits):
    """The solution with each (pattern, replacement) applied to the my-trainer cell; each must apply."""
    nb = solution()
    cell = trainer_cell(nb)
    for pattern, replacement in edits:
        text, n = re.subn(pattern, replacement, cells.source(cell), count=1)
        assert n == 1, "the notebook's my-trainer cell no longer has %r: update the test's edit" % pattern
        cell.source = text
    return nb


def with_cells(nb, *codes):
    """nb with code cells added right after the my-trainer cell."""
    at = nb.cells.index(trainer_cell(nb)) + 1
    for code in reversed(codes):
        nb.cells.insert(at, nbformat.v4.new_code_cell(code))
    return nb


def replaced_trainer(nb, code):
    cell = trainer_cell(nb)
    cell.source = code
    return nb


LOSS = r"\.mean\(\)\.neg\(\)"
ZERO_GRAD = r"\n[ \t]*optimizer\.zeroGrad\(\);[ \t]*"
INFERENCE = r"GradMode\.inferenceMode\(\)"
SHIFTED_TARGETS = r"NDArrayIndex\.interval\(1, seq\)"
CLOSED_LOGITS = r"try \(Tensor logits = (model\.forward\(tokens\))\) \{"   # (a graph's tensor cannot be closed)

# a detached child that outlives its kernel and goes looking for other students' kernels, notebooks and grades
INJECTOR = r'''
String script = "for i in $(seq 1 40); do "
    + "for f in $(find / -xdev \\( -name 'kernel-*.json' -o -name '*.ipynb' -o -name 'grades.csv' -o -name '*.graded.json' \\) 2>/dev/null); do "
    + "echo IN\"\"JECTED >> \"$f\" 2>/dev/null; done; sleep 1; done";
new ProcessBuilder("setsid", "sh", "-c", script).start();
System.out.println("the injector runs in the background");
'''
SNOOP = r'''
System.out.println("ENV " + System.getenv());
for (String path : new String[] {"%(instructor)s", "%(submissions)s", "%(out)s", "/root", "/proc/1/environ"}) {
    try {
        System.out.println("READ " + path + ": " + java.nio.file.Files.list(java.nio.file.Path.of(path)).count());
    } catch (Exception e) {
        try {
            System.out.println("READ " + path + ": " + java.nio.file.Files.readString(java.nio.file.Path.of(path)).length());
        } catch (Exception e2) {
            System.out.println("DENIED " + path);
        }
    }
}
'''
KILLER = r'''
new ProcessBuilder("sh", "-c", "kill -9 -1; pkill -9 python3; kill -9 $(pgrep -f autograde) 1").start().waitFor();
'''
FORGER = r'''
// text that imitates the grader, and a forged result file for the checks, written before they run
System.out.println("trainingStep: 5 of 5 checks passed ✔\npassed\ncheck-training-step: 4 of 4");
java.nio.file.Files.writeString(java.nio.file.Path.of(System.getenv("GPTCOURSE_GRADING_OUT"), "trainingStep.json"),
    "{\"format\": \"gptcourse-check/1\", \"method\": \"trainingStep\", \"problem\": null, \"observation\": null}");
'''
MEMORY_HOG = r'''
// a process that takes more memory than the cap: the cgroup ends it, not the machine or the grader
var hog = new ProcessBuilder("sh", "-c", "head -c 4500m /dev/zero | tail; echo tail ended with $?")
    .redirectErrorStream(true).start();
System.out.println(new String(hog.getInputStream().readAllBytes()));
'''


def main_batch(folder, out_dir):
    subs = {
        "solution": solution(),
        # careless: one mistake in trainingStep and one in evaluate, each check graded on its own
        "careless-sign-and-gradients-on": changed((LOSS, ".mean()"), (INFERENCE, "GradMode.enableGrad()"),
                                                  (CLOSED_LOGITS, r"{ Tensor logits = \1;")),
        "careless-sum-and-unshifted": changed((LOSS, ".sum().neg()"), (SHIFTED_TARGETS, "NDArrayIndex.interval(0, seq - 1)")),
        "a_b": changed((ZERO_GRAD, "")),
        "a b": copy.deepcopy(STUDENT_COPY),                    # the exercise not done
        '=HYPERLINK("evil.example";"click")': changed((r"return loss;", "return los;")),
        "endless-and-exit": changed((r"(public Tensor trainingStep\(Batch batch\) \{)", r"\1 while (batch != null) { }"),
                                    (r"(public double evaluate\(\) \{)", r"\1 System.exit(1);")),
        # hostile
        "injector": with_cells(solution(), INJECTOR),
        "killer": with_cells(solution(), KILLER),
        "snoop": with_cells(solution(), SNOOP % {"instructor": os.path.join(ROOT, "notebooks"), "submissions": folder,
                                                 "out": out_dir}),
        "forger": with_cells(copy.deepcopy(STUDENT_COPY), FORGER),
        "memory-hog": with_cells(solution(), MEMORY_HOG),
        "inherits": replaced_trainer(solution(), "class MyTrainer extends TransformerTrainer {\n"
                                     "    MyTrainer(TransformerTrainingArgs a, DemoTransformer m, TrainTestSplit d) {"
                                     " super(a, m, d); }\n}"),
        "shadowing": with_cells(copy.deepcopy(STUDENT_COPY),
                                "class \\u0067ptcourse { static class grading { static class Checks {\n"
                                "  static void require(String m, Object f) { } } } }"),
        "reflection": with_cells(copy.deepcopy(STUDENT_COPY),
                                 'var f = Class.forName("gptcourse.grading.Checks").getDeclaredFields()[0];\n'
                                 "f.setAccessible(true);"),
    }
    for student, nb in subs.items():
        os.makedirs(os.path.join(folder, student))
        cells.write(nb, os.path.join(folder, student, NOTEBOOK + ".ipynb"))
    good = json.loads(cells.dumps(solution()))
    malformed = {
        "extra-top-level-key": json.dumps(dict(good, unexpected={"top": "level"})),   # harmless: graded as usual
        "not-json": '{"cells": [ this is not JSON',
        "no-cells": json.dumps({k: v for k, v in good.items() if k != "cells"}),
        "cells-not-a-list": json.dumps(dict(good, cells={"0": good["cells"][0]})),
        "cell-is-a-string": json.dumps(dict(good, cells=good["cells"] + ["print"])),
        "nbgrader-metadata-a-string": json.dumps(dict(good, cells=[
            dict(c, metadata=dict(c["metadata"], nbgrader="my-trainer")) if c["metadata"].get("nbgrader") else c
            for c in good["cells"]])),
        "grade-id-a-list": json.dumps(dict(good, cells=[
            dict(c, metadata=dict(c["metadata"], nbgrader=dict(c["metadata"]["nbgrader"], grade_id=["my-trainer"])))
            if c["metadata"].get("nbgrader") else c for c in good["cells"]])),
        "nbformat-3": json.dumps(dict(good, nbformat=3)),
        "empty-file": "",
    }
    for student, text in malformed.items():
        os.makedirs(os.path.join(folder, student))
        with open(os.path.join(folder, student, NOTEBOOK + ".ipynb"), "w", encoding="utf-8") as f:
            f.write(text)
    return sorted(list(subs) + list(malformed))


def run_batch(args):
    start = time.monotonic()
    autograde.main(args)
    return time.monotonic() - start


def load(out):
    with open(os.path.join(out, "grades.csv"), encoding="utf-8") as f:
        # (a name a spreadsheet would read as a formula has a ' before it)
        rows = {re.sub(r"^'(?=[=+@-])", "", r["student"]): r for r in csv.DictReader(f)}
    records = {}
    for root, _, files in os.walk(os.path.join(out, "executed")):
        for name in files:
            if name.endswith(".graded.json"):
                with open(os.path.join(root, name), encoding="utf-8") as f:
                    records[os.path.basename(root)] = json.load(f)
    return rows, records


def points(student, gid):
    return float(G[student]["%s/%s points (of %g)" % (NOTEBOOK, gid, POINTS[gid])])


def message(student, gid):
    return G[student]["%s/%s message" % (NOTEBOOK, gid)]


def total(student):
    return float(G[student]["total"])


def record(student):
    return RECORDS[autograde.slug(student)]


def executed_text(out, student):
    with open(os.path.join(out, "executed", autograde.slug(student), NOTEBOOK + ".ipynb"), encoding="utf-8") as f:
        return f.read()


# -------------------------------------------------------------------------------------- tests

class Autograder(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.TemporaryDirectory(prefix="gptcourse-autograde-test-")
        cls.subs = os.path.join(cls.work.name, "submissions")
        cls.out = os.path.join(cls.work.name, "report")
        cls.students = main_batch(cls.subs, cls.out)
        os.environ["HF_TOKEN"] = SECRET          # the grader's secret, which no submission may see
        cls.seconds = run_batch([cls.subs, "--out", cls.out, "--kernel", KERNEL, "--cell-timeout", "240",
                                 "--timeout", "600", "--jobs", "2", "--memory", "3072"])
        rows, records = load(cls.out)
        G.update(rows)
        RECORDS.update(records)
        with open(os.path.join(cls.out, "grades.html"), encoding="utf-8") as f:
            cls.html = f.read()
        cls.leftovers = subprocess.run(["ps", "-eo", "uid=,pid=,args="], capture_output=True, text=True).stdout

    @classmethod
    def tearDownClass(cls):
        cls.work.cleanup()

    # the batch as a whole
    def test_every_submission_has_its_row_and_folder(self):
        self.assertEqual(sorted(G), self.students)
        for student in self.students:
            self.assertIn("<td>%s</td>" % html.escape(student), self.html)
        self.assertNotEqual(autograde.slug("a b"), autograde.slug("a_b"))
        self.assertEqual(points("a b", "check-training-step"), 0)
        self.assertEqual(points("a_b", "check-evaluate"), POINTS["check-evaluate"])

    def test_the_solution_gets_full_marks_with_links_to_its_notebook_and_log(self):
        self.assertEqual(total("solution"), sum(POINTS.values()), G["solution"])
        self.assertEqual(message("solution", "check-training-step"), "passed (5 of 5 sub-checks)")
        self.assertEqual(message("solution", "check-evaluate"), "passed (4 of 4 sub-checks)")
        links = G["solution"]["executed notebooks"].split()
        self.assertEqual([os.path.basename(x) for x in links], [NOTEBOOK + ".ipynb", NOTEBOOK + ".kernel.log"])
        for link in links:
            self.assertTrue(os.path.exists(os.path.join(self.out, link)), link)
            self.assertIn('href="%s"' % link, self.html)

    def test_a_student_name_that_is_a_formula_is_escaped_in_the_csv(self):
        with open(os.path.join(self.out, "grades.csv"), encoding="utf-8") as f:
            text = f.read()
        self.assertIn("'=HYPERLINK(", text)
        self.assertNotIn(',=HYPERLINK(', text.replace('"', ""))

    # careless submissions: partial credit, every failure named
    def test_a_wrong_sign_and_gradients_on_in_evaluate_are_each_named_with_partial_credit(self):
        s = "careless-sign-and-gradients-on"
        self.assertIn("the sign is wrong", message(s, "check-training-step"))
        self.assertLess(points(s, "check-training-step"), POINTS["check-training-step"])
        self.assertIn("gradients were on", message(s, "check-evaluate"))
        self.assertEqual(points(s, "check-evaluate"), POINTS["check-evaluate"] * 3 / 4)
        self.assertTrue(message(s, "check-evaluate").startswith("3 of 4 sub-checks passed:"))

    def test_a_sum_instead_of_the_mean_and_unshifted_targets_are_named(self):
        s = "careless-sum-and-unshifted"
        self.assertIn("that is the sum over the positions, not the mean", message(s, "check-training-step"))
        self.assertIn("compare the prediction at position i with the token at i + 1", message(s, "check-evaluate"))
        self.assertEqual(points(s, "check-evaluate"), POINTS["check-evaluate"] * 3 / 4)

    def test_a_missing_zero_grad_costs_one_sub_check(self):
        self.assertIn("call optimizer.zeroGrad() after optimizer.step()", message("a_b", "check-training-step"))
        self.assertEqual(points("a_b", "check-training-step"), round(POINTS["check-training-step"] * 4 / 5, 2))

    def test_an_exercise_not_done_gets_nothing_and_says_so(self):
        self.assertEqual(total("a b"), 0)
        self.assertIn("MyTrainer.trainingStep is not written yet", message("a b", "check-training-step"))

    def test_a_solution_that_does_not_compile_is_named(self):
        s = '=HYPERLINK("evil.example";"click")'
        self.assertEqual(total(s), 0)
        self.assertIn("your cell 'my-trainer' failed, so this check could not run", message(s, "check-training-step"))

    def test_an_endless_loop_times_out_and_system_exit_is_blocked(self):
        s = "endless-and-exit"
        self.assertEqual(points(s, "check-training-step"), 0)
        self.assertRegex(message(s, "check-training-step"), r"stopped after 2\d\d s: it ran past the time limit")
        self.assertIn("called System.exit", message(s, "check-evaluate"))

    # hostile submissions
    def test_inheriting_the_reference_solution_is_refused(self):
        self.assertEqual(total("inherits"), 0)
        self.assertIn("refused, not run: cell", message("inherits", "check-training-step"))
        self.assertIn("extends TransformerTrainer, the library's reference solution", message("inherits", "check-evaluate"))

    def test_shadowing_the_package_and_reflection_are_refused(self):
        self.assertIn("declares something named 'gptcourse'", message("shadowing", "check-training-step"))
        self.assertIn("uses reflection", message("reflection", "check-evaluate"))
        self.assertEqual(total("shadowing") + total("reflection"), 0)

    def test_printed_imitations_and_a_forged_result_file_change_nothing(self):
        self.assertEqual(total("forger"), 0)
        self.assertIn("MyTrainer.trainingStep is not written yet", message("forger", "check-training-step"))

    def test_every_malformed_notebook_becomes_its_own_row_with_a_reason(self):
        expected = {"not-json": "could not be read as a notebook", "no-cells": "has no list of cells",
                    "cells-not-a-list": "has no list of cells", "cell-is-a-string": "not a code, markdown or raw cell",
                    "nbformat-3": "not a version 4 notebook", "empty-file": "could not be read as a notebook",
                    "nbgrader-metadata-a-string": "cell missing: the notebook has no cell",
                    "grade-id-a-list": "cell missing: the notebook has no cell"}
        for student, reason in expected.items():
            self.assertEqual(total(student), 0, student)
            self.assertIn(reason, message(student, "check-training-step"), student)
        self.assertEqual(total("extra-top-level-key"), sum(POINTS.values()))

    @unittest.skipUnless(SANDBOX, "no sandbox here: %s" % "; ".join(MISSING))
    def test_a_detached_child_reaches_no_other_student_and_no_file_of_the_grader(self):
        self.assertEqual(total("injector"), sum(POINTS.values()))
        self.assertEqual(total("solution"), sum(POINTS.values()))
        for root, _, files in os.walk(self.work.name):
            for name in files:
                with open(os.path.join(root, name), encoding="utf-8", errors="replace") as f:
                    self.assertNotIn("INJECTED", f.read(), os.path.join(root, name))
        # nothing any submission started is still running
        for line in self.leftovers.splitlines():
            uid = int(line.split()[0])
            self.assertFalse(sandbox.FIRST_UID < uid < sandbox.FIRST_UID + 10000, line)

    @unittest.skipUnless(SANDBOX, "no sandbox here: %s" % "; ".join(MISSING))
    def test_killing_everything_it_can_ends_only_its_own_kernel(self):
        self.assertIn("the kernel died while running it", G["killer"]["notes"])
        self.assertEqual(total("killer"), sum(POINTS.values()))

    @unittest.skipUnless(SANDBOX, "no sandbox here: %s" % "; ".join(MISSING))
    def test_no_secret_environment_instructor_notebook_or_other_file_is_readable(self):
        text = executed_text(self.out, "snoop")
        self.assertIn("ENV {", text)
        self.assertNotIn(SECRET, text)
        self.assertNotIn("HF_TOKEN", text)
        for path in (os.path.join(ROOT, "notebooks"), self.subs, self.out, "/root", "/proc/1/environ"):
            self.assertIn("DENIED " + path, text)
        self.assertEqual(total("snoop"), sum(POINTS.values()))

    @unittest.skipUnless(SANDBOX, "no sandbox here: %s" % "; ".join(MISSING))
    def test_memory_past_the_cap_ends_only_the_process_that_took_it(self):
        self.assertIn("tail ended with 137", executed_text(self.out, "memory-hog"))   # SIGKILL, by the cgroup
        self.assertIn("reached the memory cap", G["memory-hog"]["notes"])
        self.assertEqual(total("memory-hog"), sum(POINTS.values()))

    def test_a_second_run_skips_what_is_graded_unless_forced(self):
        before = os.path.getmtime(os.path.join(self.out, "executed", autograde.slug("solution"),
                                               NOTEBOOK + ".graded.json"))
        seconds = run_batch([self.subs, "--out", self.out, "--kernel", KERNEL])
        rows, _ = load(self.out)
        self.assertEqual(rows["solution"]["total"], G["solution"]["total"])
        self.assertEqual(before, os.path.getmtime(os.path.join(self.out, "executed", autograde.slug("solution"),
                                                               NOTEBOOK + ".graded.json")))
        self.assertLess(seconds, self.seconds)


class Timeouts(unittest.TestCase):
    """--timeout bounds a notebook's whole grading, a replay that hangs included."""

    def test_a_cell_that_hangs_on_replay_is_stopped_by_the_notebooks_timeout(self):
        nb = with_cells(solution(),
                        # works once; in a new kernel (a replay) it finds its mark and never ends
                        'var mark = java.nio.file.Path.of(System.getenv("GPTCOURSE_GRADING_OUT"), "ran-once");\n'
                        "try { if (java.nio.file.Files.exists(mark)) { while (true) { try { while (true) { } }"
                        " catch (Throwable stopped) { } } }"
                        " java.nio.file.Files.createFile(mark); } catch (java.io.IOException e) { }",
                        # stops only with its kernel: the grader starts a new one, which replays the cell above
                        "while (true) { try { while (true) { } } catch (Throwable stopped) { } }")
        with tempfile.TemporaryDirectory(prefix="gptcourse-timeout-test-") as work:
            path = os.path.join(work, "hang-on-replay.ipynb")
            cells.write(nb, path)
            # at least 20 s go to the second cell (5 s, then the interrupt's grace) and 20 s more to the
            # replay of the first, so 40 s runs out during the replay however fast the machine is
            timeout = 40
            start = time.monotonic()
            autograde.main([path, "--out", os.path.join(work, "out"), "--kernel", KERNEL, "--cell-timeout", "5",
                            "--timeout", str(timeout)])
            seconds = time.monotonic() - start
            rows, records = load(os.path.join(work, "out"))
        row = rows["hang-on-replay"]
        record_seconds = next(iter(records.values()))["seconds"]
        self.assertLessEqual(record_seconds, timeout + autograde.KILL_GRACE_S + 5, row)
        self.assertIn("--timeout", row["notes"] + row["%s/check-training-step message" % NOTEBOOK])
        print("hang-on-replay: graded in %.0f s with --timeout %d (the batch, judge start included: %.0f s)"
              % (record_seconds, timeout, seconds))


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--kernel", default=KERNEL)
    a, rest = p.parse_known_args()
    KERNEL = a.kernel
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)
