"""Writes student copies with the exercises solved, as a student who solved them would have them:
each solution cell of the student copy (nbgrader "solution": true) gets the source of the instructor
copy's cell with the same nbgrader grade_id; every other cell stays the student's, and no cell keeps
an output. Used by the browser tests, which then run the result in a real browser.

    /usr/bin/python3 fill_solutions.py STUDENT_DIR INSTRUCTOR_DIR OUT_DIR [NAME.ipynb ...]

Without names, every *.ipynb in STUDENT_DIR. Relies only on nbgrader metadata (tools/grading's cell
format), never on a notebook's prose. Exits 1 with one line naming the problem when a solution cell
has no grade_id or the instructor copy has no solution cell with that id.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "grading"))
import nbgrader_cells as cells  # noqa: E402  (the course's exercise format)


def solved(student, instructor, name):
    """A copy of student with its solution cells taken from instructor, by grade_id, and no outputs."""
    answers = {}
    for cell in instructor.cells:
        if cells.is_solution(cell) and cells.grade_id(cell):
            answers[cells.grade_id(cell)] = cells.source(cell)
    filled = 0
    for index, cell in enumerate(student.cells):
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        if not cells.is_solution(cell):
            continue
        gid = cells.grade_id(cell)
        if not gid:
            raise cells.FormatError("%s, cell %d: a solution cell without a grade_id" % (name, index))
        if gid not in answers:
            raise cells.FormatError("%s: the instructor copy has no solution cell '%s'" % (name, gid))
        cell.source = answers[gid]
        filled += 1
    return student, filled


def main(argv):
    if len(argv) < 3:
        sys.exit("usage: fill_solutions.py STUDENT_DIR INSTRUCTOR_DIR OUT_DIR [NAME.ipynb ...]")
    student_dir, instructor_dir, out_dir = argv[:3]
    names = argv[3:] or sorted(n for n in os.listdir(student_dir) if n.endswith(".ipynb"))
    if not names:
        sys.exit("fill_solutions.py: no notebooks in %s" % student_dir)
    os.makedirs(out_dir, exist_ok=True)
    try:
        for name in names:
            if os.path.basename(name) != name or not name.endswith(".ipynb"):
                raise cells.FormatError("'%s' is not a notebook file name" % name)
            student = cells.read(os.path.join(student_dir, name))
            instructor = cells.read(os.path.join(instructor_dir, name))
            nb, filled = solved(student, instructor, name)
            cells.write(nb, os.path.join(out_dir, name))
            print("%s: %d solution cell(s) filled in" % (name, filled))
    except cells.FormatError as e:
        sys.exit("fill_solutions.py: %s" % e)


if __name__ == "__main__":
    main(sys.argv[1:])
