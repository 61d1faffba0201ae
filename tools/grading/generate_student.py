"""Writes the student copies of the course notebooks, or checks that they are up to date.

    /usr/bin/python3 tools/grading/generate_student.py [--source notebooks] [--out notebooks/student] [--check]

Every notebook in --source becomes a copy in --out with the solutions replaced by the exercise
stub, the hidden tests removed and the outputs cleared (nbgrader_cells.student_copy); relative links
to files other than the notebooks themselves are rewritten to work from --out. --check writes
nothing and exits 1, naming the notebooks, if any copy in --out differs from what it would write.
"""

import argparse
import glob
import os
import re
import sys

import nbgrader_cells as cells

LINK = re.compile(r"\]\(([^)\s#]+)(#[^)\s]*)?\)")


def relink(nb, source_dir, out_dir, names):
    """Points relative links in markdown cells (other than to the notebooks) at the same files from out_dir."""
    def fix(m):
        target = m.group(1)
        if "://" in target or target.startswith(("/", "mailto:")) or target in names:
            return m.group(0)
        moved = os.path.relpath(os.path.join(source_dir, target), out_dir).replace(os.sep, "/")
        return "](" + moved + (m.group(2) or "") + ")"
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = LINK.sub(fix, cells.source(cell))
    return nb


def expected(source_dir, out_dir):
    paths = sorted(glob.glob(os.path.join(source_dir, "*.ipynb")))
    names = {os.path.basename(p) for p in paths}
    out = {}
    for path in paths:
        name = os.path.basename(path)
        copy = cells.student_copy(cells.read(path), name)
        out[name] = cells.dumps(relink(copy, source_dir, out_dir, names))
    return out


def main(argv=None):
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--source", default=os.path.join(root, "notebooks"), help="instructor notebooks (default: notebooks/)")
    p.add_argument("--out", default=None, help="where the student copies go (default: SOURCE/student)")
    p.add_argument("--check", action="store_true", help="only check that the copies in --out are up to date")
    a = p.parse_args(argv)
    out_dir = a.out or os.path.join(a.source, "student")
    try:
        copies = expected(a.source, out_dir)
    except cells.FormatError as e:
        print("generate_student: %s" % e, file=sys.stderr)
        return 2
    if not copies:
        print("generate_student: no notebooks in %s" % a.source, file=sys.stderr)
        return 2
    if a.check:
        stale = []
        for name, text in copies.items():
            path = os.path.join(out_dir, name)
            current = None
            if os.path.exists(path):
                with open(path, encoding="utf-8") as f:
                    current = f.read()
            if current != text:
                stale.append(name + (" (missing)" if current is None else ""))
        extra = sorted(set(os.path.basename(p) for p in glob.glob(os.path.join(out_dir, "*.ipynb"))) - set(copies))
        stale += [name + " (no instructor copy)" for name in extra]
        if stale:
            print("student copies out of date in %s: %s. Run environment/generate-student-notebooks.sh"
                  % (out_dir, ", ".join(stale)), file=sys.stderr)
            return 1
        print("student copies up to date: %d notebooks in %s" % (len(copies), out_dir))
        return 0
    os.makedirs(out_dir, exist_ok=True)
    for name, text in copies.items():
        with open(os.path.join(out_dir, name), "w", encoding="utf-8") as f:
            f.write(text)
        print("wrote %s" % os.path.join(out_dir, name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
