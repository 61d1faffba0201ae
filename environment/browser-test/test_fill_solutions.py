"""fill_solutions.py, with careless and hostile input: run by test-browser.sh before it fills the
student copies. /usr/bin/python3 environment/browser-test/test_fill_solutions.py"""
import os
import subprocess
import sys
import tempfile
import unittest

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fill_solutions.py")


def solution(source, gid):
    return new_code_cell(source, metadata={"nbgrader": {"solution": True, "grade": False, "grade_id": gid, "locked": False, "points": 0}})


class FillSolutions(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="fill-solutions-test-")
        for sub in ("student", "instructor", "out"):
            os.makedirs(os.path.join(self.dir, sub))

    def write(self, sub, name, cells):
        nbformat.write(new_notebook(cells=cells), os.path.join(self.dir, sub, name))

    def run_fill(self, *names):
        d = self.dir
        return subprocess.run([sys.executable, SCRIPT, d + "/student", d + "/instructor", d + "/out", *names],
                              capture_output=True, text=True)

    def test_solution_taken_by_grade_id_not_by_position(self):
        self.write("instructor", "a.ipynb", [solution("int b = 2; // ### BEGIN SOLUTION", "b"),
                                             new_markdown_cell("prose the runner ignores"),
                                             solution("int a = 1; // ### BEGIN SOLUTION", "a")])
        stub = 'throw new UnsupportedOperationException("exercise");'
        student_cell = solution(stub, "a")
        student_cell.outputs = [new_output("stream", name="stdout", text="old")]
        student_cell.execution_count = 3
        self.write("student", "a.ipynb", [new_markdown_cell("changed prose"), student_cell, new_code_cell("a + 1")])
        result = self.run_fill()
        self.assertEqual(0, result.returncode, result.stderr)
        out = nbformat.read(os.path.join(self.dir, "out", "a.ipynb"), as_version=4)
        self.assertEqual("int a = 1; // ### BEGIN SOLUTION", out.cells[1].source)
        self.assertEqual("a + 1", out.cells[2].source)
        self.assertEqual([], out.cells[1].outputs)
        self.assertIsNone(out.cells[1].execution_count)

    def test_missing_instructor_solution_is_named(self):
        self.write("instructor", "a.ipynb", [solution("x", "other")])
        self.write("student", "a.ipynb", [solution("stub", "mine")])
        result = self.run_fill()
        self.assertEqual(1, result.returncode)
        self.assertIn("no solution cell 'mine'", result.stderr)

    def test_solution_cell_without_grade_id_is_refused(self):
        self.write("instructor", "a.ipynb", [solution("x", "a")])
        cell = solution("stub", "a")
        del cell.metadata["nbgrader"]["grade_id"]
        self.write("student", "a.ipynb", [cell])
        result = self.run_fill()
        self.assertEqual(1, result.returncode)
        self.assertIn("without a grade_id", result.stderr)

    def test_names_that_leave_the_folder_are_refused(self):
        for name in ("../a.ipynb", "/etc/passwd", "a.txt"):
            result = self.run_fill(name)
            self.assertEqual(1, result.returncode, name)
            self.assertIn("not a notebook file name", result.stderr)

    def test_missing_and_broken_notebooks_are_one_line(self):
        with open(os.path.join(self.dir, "student", "b.ipynb"), "w") as f:
            f.write("{not json")
        self.write("instructor", "b.ipynb", [])
        for name in ("b.ipynb", "nope.ipynb"):
            result = self.run_fill(name)
            self.assertEqual(1, result.returncode, name)
            self.assertEqual(1, len(result.stderr.strip().splitlines()), result.stderr)

    def test_an_empty_folder_is_an_error(self):
        result = self.run_fill()
        self.assertEqual(1, result.returncode)
        self.assertIn("no notebooks", result.stderr)


if __name__ == "__main__":
    unittest.main()
