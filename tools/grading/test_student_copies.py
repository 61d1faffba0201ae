"""The student copies in notebooks/student are what the generator makes of the instructor copies.

    /usr/bin/python3 tools/grading/test_student_copies.py
"""
import glob
import os
import re
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import generate_student  # noqa: E402
import nbgrader_cells as cells  # noqa: E402

NOTEBOOKS = os.path.join(os.path.dirname(os.path.dirname(HERE)), "notebooks")
STUDENT = os.path.join(NOTEBOOKS, "student")
NAMES = sorted(os.path.basename(p) for p in glob.glob(os.path.join(NOTEBOOKS, "*.ipynb")))
STUB = 'throw new UnsupportedOperationException("exercise");'
LINK = re.compile(r"\]\(([^)\s#]+)(#[^)\s]*)?\)")
DETAILS = re.compile(r"<details\b[^>]*>(.*?)</details>", re.S)


def method_body(java, signature):
    """The text between the braces of the method declared by signature (strings and // comments skipped)."""
    start = java.index(signature)
    i = java.index("{", start + len(signature))
    depth, body_start = 0, i + 1
    while i < len(java):
        ch = java[i]
        if java.startswith("//", i):
            i = java.index("\n", i)
            continue
        if ch == '"':
            i += 1
            while java[i] != '"':
                i += 2 if java[i] == "\\" else 1
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return java[body_start:i]
        i += 1
    raise AssertionError("the method %r is not closed" % signature)


def trainer_cell(folder):
    nb = cells.read(os.path.join(folder, "03-training-loop.ipynb"))
    return cells.source(next(c for c in nb.cells if cells.grade_id(c) == "my-trainer"))


def markdown(folder, name):
    return [cells.source(c) for c in cells.read(os.path.join(folder, name)).cells if c.cell_type == "markdown"]


class StudentCopies(unittest.TestCase):
    def test_the_copies_are_up_to_date(self):
        self.assertEqual(generate_student.main(["--check"]), 0)

    def test_every_notebook_has_a_copy_without_outputs_or_solutions(self):
        self.assertEqual(len(NAMES), 5)
        for name in NAMES:
            student = cells.read(os.path.join(STUDENT, name))
            for cell in student.cells:
                text = cells.source(cell)
                for marker in (cells.BEGIN_SOLUTION, cells.END_SOLUTION, cells.BEGIN_HIDDEN, cells.END_HIDDEN):
                    self.assertNotIn(marker, text, name)
                if cell.cell_type == "code":
                    self.assertEqual(cell.outputs, [], name)
                    self.assertIsNone(cell.execution_count, name)

    def test_putting_the_solutions_back_gives_the_instructor_cells(self):
        for name in NAMES:
            instructor = cells.read(os.path.join(NOTEBOOKS, name))
            student = cells.read(os.path.join(STUDENT, name))
            restored = cells.with_instructor_cells(student, instructor, solutions=True)
            self.assertEqual([c.cell_type for c in restored.cells], [c.cell_type for c in instructor.cells], name)
            for mine, theirs in zip(restored.cells, instructor.cells):
                if mine.cell_type == "code":
                    self.assertEqual(cells.source(mine), cells.source(theirs), name)

    def test_exercises_throw_until_written(self):
        student = cells.read(os.path.join(STUDENT, "03-training-loop.ipynb"))
        self.assertEqual(trainer_cell(STUDENT).count(STUB), 2)
        tests = [c for c in student.cells if cells.is_test(c)]
        self.assertEqual([cells.grade_id(c) for c in tests], ["check-training-step", "check-evaluate"])
        self.assertEqual([cells.nbgrader(c)["points"] for c in tests], [5, 5])
        for cell in tests:
            self.assertNotIn("require", cells.source(cell))

    def test_the_exercises_are_the_tutorials_training_step_and_evaluate(self):
        student = trainer_cell(STUDENT)
        for signature in ("public Tensor trainingStep(Batch batch)", "public double evaluate()"):
            self.assertIn(STUB, method_body(student, signature), signature)

    def test_train_is_given_not_an_exercise(self):
        for folder in (NOTEBOOKS, STUDENT):
            body = method_body(trainer_cell(folder), "public void train()")
            for marker in (cells.BEGIN_SOLUTION, cells.END_SOLUTION, STUB):
                self.assertNotIn(marker, body, folder)
            for call in ("startRun();", "trainingStep(batch)", "evaluate()", "tracker.finish();"):
                self.assertIn(call, body, folder)
        self.assertEqual(method_body(trainer_cell(STUDENT), "public void train()"),
                         method_body(trainer_cell(NOTEBOOKS), "public void train()"))

    def test_evaluates_scaffold_holds_the_inference_mode_scope(self):
        body = method_body(trainer_cell(STUDENT), "public double evaluate()")
        scope = re.search(r"try \(var \w+ = GradMode\.inferenceMode\(\)\) \{", body)
        self.assertIsNotNone(scope, body)
        inside = method_body(body, scope.group(0)[:-2])
        self.assertIn(STUB, inside, "the student's code goes inside the inference-mode scope")
        # and between the tutorial's model.eval() and model.train(), which are given
        self.assertLess(inside.index("model.eval();"), inside.index(STUB))
        self.assertRegex(inside[inside.index(STUB):], r"\} finally \{\s*model\.train\(\);")

    def test_hints_are_collapsible_in_notebook_6_and_jupyterlab(self):
        found = 0
        for name in NAMES:
            for text in markdown(STUDENT, name):
                self.assertEqual(text.count("<details"), text.count("</details>"), name)
                for block in DETAILS.finditer(text):
                    found += 1
                    whole = block.group(0)
                    # Notebook 6's CSS gives <summary> display: block, which hides the disclosure triangle
                    self.assertRegex(whole, r'^<details class="hint"><summary style="display: list-item">[^<]+</summary>\n\n',
                                     name)
                    # markdown inside HTML is only rendered after a blank line, and before one
                    self.assertTrue(whole.endswith("\n\n</details>"), whole[-80:])
        self.assertGreaterEqual(found, 5)

    def test_no_hint_gives_a_line_of_the_solution_verbatim(self):
        for name in NAMES:
            instructor = cells.read(os.path.join(NOTEBOOKS, name))
            hints = "\n".join(block.group(1) for text in markdown(NOTEBOOKS, name) for block in DETAILS.finditer(text))
            for cell in instructor.cells:
                if not cells.is_solution(cell):
                    continue
                inside = False
                for line in cells.source(cell).split("\n"):
                    if cells.BEGIN_SOLUTION in line or cells.END_SOLUTION in line:
                        inside = cells.BEGIN_SOLUTION in line
                        continue
                    code = line.strip()
                    if inside and len(code) > 25 and not code.startswith("//"):
                        self.assertNotIn(code, hints, name)

    def test_relative_links_resolve_in_both_copies(self):
        for folder in (NOTEBOOKS, STUDENT):
            for name in NAMES:
                for text in markdown(folder, name):
                    for target, _ in LINK.findall(text):
                        if "://" in target or target.startswith("mailto:"):
                            continue
                        self.assertTrue(os.path.exists(os.path.join(folder, target)),
                                        "%s/%s links to %s" % (os.path.basename(folder), name, target))

    def test_notebooks_03_to_05_share_one_readable_setup(self):
        for folder in (NOTEBOOKS, STUDENT):
            self.assertTrue(os.path.isfile(os.path.join(folder, "setup.jsh")), folder)
        for name in NAMES:
            code = [cells.source(c) for c in cells.read(os.path.join(STUDENT, name)).cells if c.cell_type == "code"]
            loads = [c for c in code if c.strip() == "%load setup.jsh"]
            self.assertEqual(len(loads), 1 if name[:2] in ("03", "04", "05") else 0, name)
            if name[:2] in ("03", "04", "05"):
                self.assertFalse(any("tokenizeAndConcatenate" in c for c in code), name + " repeats the setup")

    def test_cells_name_their_options_instead_of_passing_bare_booleans(self):
        # a boolean among several arguments is unnamed; a one-argument setter (withDebug(false)) names it
        bare = re.compile(r"[(,]\s*(true|false)\s*,|,\s*(true|false)\s*\)")
        for name in NAMES:
            for cell in cells.read(os.path.join(NOTEBOOKS, name)).cells:
                if cell.cell_type == "code":
                    self.assertIsNone(bare.search(cells.source(cell)), "%s: %s" % (name, cells.source(cell)[:80]))
        with open(os.path.join(NOTEBOOKS, "setup.jsh"), encoding="utf-8") as f:
            self.assertIsNone(bare.search(f.read()), "setup.jsh")

    def test_markers_out_of_order_are_refused_with_the_cell_named(self):
        with self.assertRaisesRegex(cells.FormatError, "nb, cell 'x', line 2: 'END SOLUTION' without"):
            cells.without_solutions("int a;\n// ### END SOLUTION\n", "nb, cell 'x'")
        with self.assertRaisesRegex(cells.FormatError, "is never closed"):
            cells.without_solutions("// ### BEGIN SOLUTION\nint a;\n", "nb")
        self.assertEqual(cells.without_solutions("    // ### BEGIN SOLUTION\n    int a;\n    // ### END SOLUTION\n}"),
                         '    // YOUR CODE HERE\n    throw new UnsupportedOperationException("exercise");\n}')


if __name__ == "__main__":
    unittest.main(verbosity=2)
