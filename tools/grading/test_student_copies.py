"""The student copies in notebooks/student are what the generator makes of the instructor copies.

    /usr/bin/python3 tools/grading/test_student_copies.py
"""
import glob
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import generate_student  # noqa: E402
import nbgrader_cells as cells  # noqa: E402

NOTEBOOKS = os.path.join(os.path.dirname(os.path.dirname(HERE)), "notebooks")
STUDENT = os.path.join(NOTEBOOKS, "student")
NAMES = sorted(os.path.basename(p) for p in glob.glob(os.path.join(NOTEBOOKS, "*.ipynb")))


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
        trainer = next(c for c in student.cells if cells.grade_id(c) == "my-trainer")
        self.assertEqual(cells.source(trainer).count('throw new UnsupportedOperationException("exercise");'), 3)
        tests = [c for c in student.cells if cells.is_test(c)]
        self.assertEqual([cells.grade_id(c) for c in tests], ["check-training-step", "check-evaluate", "check-train"])
        for cell in tests:
            self.assertNotIn("require", cells.source(cell))

    def test_markers_out_of_order_are_refused_with_the_cell_named(self):
        with self.assertRaisesRegex(cells.FormatError, "nb, cell 'x', line 2: 'END SOLUTION' without"):
            cells.without_solutions("int a;\n// ### END SOLUTION\n", "nb, cell 'x'")
        with self.assertRaisesRegex(cells.FormatError, "is never closed"):
            cells.without_solutions("// ### BEGIN SOLUTION\nint a;\n", "nb")
        self.assertEqual(cells.without_solutions("    // ### BEGIN SOLUTION\n    int a;\n    // ### END SOLUTION\n}"),
                         '    // YOUR CODE HERE\n    throw new UnsupportedOperationException("exercise");\n}')


if __name__ == "__main__":
    unittest.main(verbosity=2)
