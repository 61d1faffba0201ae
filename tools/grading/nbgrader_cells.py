"""The course's exercise format, shared by the student-copy generator and the autograder.

Cells are marked as nbgrader marks them (cell metadata "nbgrader"):

  solution cell  {"solution": true,  "grade": false, "grade_id": "...", "locked": false, "points": 0}
                 its code between "// ### BEGIN SOLUTION" and "// ### END SOLUTION" lines is the
                 instructor's answer; a student copy has STUB there instead.
  test cell      {"solution": false, "grade": true,  "grade_id": "...", "locked": true,  "points": N}
                 a graded check; lines between "// ### BEGIN HIDDEN TESTS" and "// ### END HIDDEN
                 TESTS" are removed from student copies. Its metadata "gptcourse": {"tests": [ids]}
                 names the solution cells it checks.

docs/grading.md describes the format for instructors.
"""
import copy
import json
import os

import nbformat

BEGIN_SOLUTION = "BEGIN SOLUTION"
END_SOLUTION = "END SOLUTION"
BEGIN_HIDDEN = "BEGIN HIDDEN TESTS"
END_HIDDEN = "END HIDDEN TESTS"
STUB = ["// YOUR CODE HERE", 'throw new UnsupportedOperationException("exercise");']
# cells the autograder does not run: long training runs that no check needs
SKIP_WHEN_GRADING = "skip_when_grading"


class FormatError(ValueError):
    """A notebook whose exercise markers or nbgrader metadata are inconsistent."""


def source(cell):
    s = cell.get("source", "")
    if isinstance(s, list):
        return "".join(x for x in s if isinstance(x, str))
    return s if isinstance(s, str) else ""


def _metadata(cell):
    m = cell.get("metadata") if isinstance(cell, dict) else None
    return m if isinstance(m, dict) else {}


def nbgrader(cell):
    """The cell's nbgrader metadata; {} when missing or not an object (a hand-edited submission)."""
    m = _metadata(cell).get("nbgrader")
    return m if isinstance(m, dict) else {}


def grade_id(cell):
    """The cell's grade_id, or None unless it is a non-empty string."""
    g = nbgrader(cell).get("grade_id")
    return g if isinstance(g, str) and g else None


def is_solution(cell):
    return bool(nbgrader(cell).get("solution"))


def is_test(cell):
    meta = nbgrader(cell)
    return bool(meta.get("grade")) and not meta.get("solution")


def _gptcourse(cell):
    g = _metadata(cell).get("gptcourse")
    return g if isinstance(g, dict) else {}


def tested_cells(cell):
    """The grade_ids of the solution cells a test cell checks."""
    tests = _gptcourse(cell).get("tests", [])
    return [t for t in tests if isinstance(t, str)] if isinstance(tests, list) else []


def skipped_when_grading(cell):
    return _gptcourse(cell).get(SKIP_WHEN_GRADING) is True


def _replace_regions(text, begin, end, replacement, where):
    """Replaces each begin..end marker region (marker lines included) by replacement(indent)."""
    out = []
    inside = False
    for number, line in enumerate(text.split("\n"), 1):
        if begin in line:
            if inside:
                raise FormatError("%s, line %d: '%s' inside an open region" % (where, number, begin))
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            out.extend(indent + r for r in replacement)
        elif end in line:
            if not inside:
                raise FormatError("%s, line %d: '%s' without a '%s' before it" % (where, number, end, begin))
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise FormatError("%s: '%s' is never closed by '%s'" % (where, begin, end))
    return "\n".join(out)


def without_solutions(text, where="cell"):
    return _replace_regions(text, BEGIN_SOLUTION, END_SOLUTION, STUB, where)


def without_hidden_tests(text, where="cell"):
    stripped = _replace_regions(text, BEGIN_HIDDEN, END_HIDDEN, [], where)
    return stripped.rstrip("\n")


def read(path):
    """A notebook (nbformat 4), or FormatError with a one-line reason."""
    try:
        with open(path, encoding="utf-8") as f:
            return nbformat.read(f, as_version=4)
    except (OSError, ValueError, KeyError, TypeError, json.JSONDecodeError) as e:
        raise FormatError("%s could not be read as a notebook: %s" % (path, str(e).splitlines()[0] if str(e) else e))


def read_submission(path, max_bytes=50 * 1024 * 1024):
    """A student's notebook, whatever shape it came in, as nbformat 4 with only what grading reads:
    code, markdown and raw cells with their source and metadata. FormatError (one line) for what
    cannot be graded: not JSON, not a notebook, no list of cells, a cell without a known type."""
    name = os.path.basename(path)
    try:
        if os.path.getsize(path) > max_bytes:
            raise FormatError("%s is larger than %d MB" % (name, max_bytes // 2 ** 20))
        with open(path, "rb") as f:
            data = json.loads(f.read().decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as e:
        raise FormatError("%s could not be read as a notebook: %s" % (name, (str(e).splitlines() or [type(e).__name__])[0]))
    if not isinstance(data, dict):
        raise FormatError("%s is not a notebook: its JSON is not an object" % name)
    if data.get("nbformat") != 4:
        raise FormatError("%s is not a version 4 notebook (nbformat is %r)" % (name, data.get("nbformat")))
    raw = data.get("cells")
    if not isinstance(raw, list):
        raise FormatError("%s has no list of cells" % name)
    nb = nbformat.v4.new_notebook()
    meta = data.get("metadata")
    if isinstance(meta, dict) and isinstance(meta.get("gptcourse"), dict) and \
            isinstance(meta["gptcourse"].get("notebook"), str):
        nb.metadata["gptcourse"] = {"notebook": meta["gptcourse"]["notebook"]}
    for index, cell in enumerate(raw):
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw"):
            raise FormatError("%s, cell %d: not a code, markdown or raw cell" % (name, index + 1))
        text = cell.get("source", "")
        if not (isinstance(text, str) or isinstance(text, list) and all(isinstance(x, str) for x in text)):
            raise FormatError("%s, cell %d: its source is not text" % (name, index + 1))
        make = {"code": nbformat.v4.new_code_cell, "markdown": nbformat.v4.new_markdown_cell,
                "raw": nbformat.v4.new_raw_cell}[cell["cell_type"]]
        new = make(source(cell))
        metadata = {}
        for key in ("nbgrader", "gptcourse"):
            value = _metadata(cell).get(key)
            if isinstance(value, dict):
                metadata[key] = json.loads(json.dumps(value))
        new.metadata.update(metadata)
        nb.cells.append(new)
    return nb


def write(nb, path):
    nbformat.validate(nb)
    with open(path, "w", encoding="utf-8") as f:
        nbformat.write(nb, f)
        f.write("\n")


def dumps(nb):
    return nbformat.writes(nb) + "\n"


def check_format(nb, name):
    """Raises FormatError unless grade ids are unique and every test names existing solution cells."""
    ids = {}
    for index, cell in enumerate(nb.cells):
        gid = grade_id(cell)
        if not nbgrader(cell):
            continue
        if not gid:
            raise FormatError("%s, cell %d: nbgrader metadata without a grade_id" % (name, index))
        if gid in ids:
            raise FormatError("%s: grade_id '%s' is used by cells %d and %d" % (name, gid, ids[gid], index))
        ids[gid] = index
        where = "%s, cell '%s'" % (name, gid)
        if is_solution(cell) and BEGIN_SOLUTION not in source(cell):
            raise FormatError("%s: a solution cell without a '// ### %s' line" % (where, BEGIN_SOLUTION))
        without_solutions(source(cell), where)
        without_hidden_tests(source(cell), where)
    for cell in nb.cells:
        for needed in tested_cells(cell):
            if needed not in ids or not is_solution(nb.cells[ids[needed]]):
                raise FormatError("%s, test cell '%s': it names '%s', which is not a solution cell"
                                  % (name, grade_id(cell), needed))


def student_copy(instructor, name="notebook"):
    """The student's version: solutions replaced by STUB, hidden tests removed, no outputs."""
    check_format(instructor, name)
    nb = copy.deepcopy(instructor)
    for cell in nb.cells:
        where = "%s, cell '%s'" % (name, grade_id(cell) or cell.get("id"))
        text = source(cell)
        if cell.cell_type == "code":
            if is_solution(cell):
                text = without_solutions(text, where)
            text = without_hidden_tests(text, where)
            cell.outputs = []
            cell.execution_count = None
        cell.source = text
        cell.metadata.pop("execution", None)
    return nb


def with_instructor_cells(student, instructor, solutions=True):
    """student with its test cells (and, if solutions, its solution cells) replaced by the instructor's."""
    by_id = {grade_id(c): c for c in instructor.cells if grade_id(c)}
    nb = copy.deepcopy(student)
    for cell in nb.cells:
        theirs = by_id.get(grade_id(cell))
        if theirs is not None and (is_test(theirs) or (solutions and is_solution(theirs))):
            cell.source = source(theirs)
    return nb
