"""Writes the student copies of the course notebooks, or checks that they are up to date.

    /usr/bin/python3 tools/grading/generate_student.py [--source notebooks] [--out notebooks/student] [--check]

Every notebook in --source becomes a copy in --out with the solutions replaced by the exercise
stub, the hidden tests removed and the outputs cleared (nbgrader_cells.student_copy). The files the
notebooks load (SHARED: notebooks/setup.jsh, run by `%load setup.jsh`) are copied unchanged, so a
copy runs from --out as its instructor copy runs from --source. Relative links to other files are
rewritten to work from --out. --check writes nothing and exits 1, naming the files, if any copy in
--out differs from what it would write.
"""

import argparse
import glob
import os
import re
import sys

import nbgrader_cells as cells

LINK = re.compile(r"\]\(([^)\s#]+)(#[^)\s]*)?\)")
# files next to the notebooks that they load by a relative path: copied into the student folder
SHARED = ("*.jsh",)


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


def shared_files(source_dir):
    return sorted(p for pattern in SHARED for p in glob.glob(os.path.join(source_dir, pattern)))


def expected(source_dir, out_dir):
    """{file name: text} of every file the student folder should hold: the notebooks' copies first."""
    paths = sorted(glob.glob(os.path.join(source_dir, "*.ipynb")))
    shared = shared_files(source_dir)
    names = {os.path.basename(p) for p in paths + shared}
    out = {}
    for path in paths:
        name = os.path.basename(path)
        copy = cells.student_copy(cells.read(path), name)
        out[name] = cells.dumps(relink(copy, source_dir, out_dir, names))
    if not out:
        return out
    for path in shared:
        with open(path, encoding="utf-8") as f:
            out[os.path.basename(path)] = f.read()
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
        present = [p for pattern in ("*.ipynb",) + SHARED for p in glob.glob(os.path.join(out_dir, pattern))]
        extra = sorted(set(os.path.basename(p) for p in present) - set(copies))
        stale += [name + " (no instructor copy)" for name in extra]
        if stale:
            print("student copies out of date in %s: %s. Run environment/generate-student-notebooks.sh"
                  % (out_dir, ", ".join(stale)), file=sys.stderr)
            return 1
        print("student copies up to date: %d files in %s" % (len(copies), out_dir))
        return 0
    os.makedirs(out_dir, exist_ok=True)
    for name, text in copies.items():
        with open(os.path.join(out_dir, name), "w", encoding="utf-8") as f:
            f.write(text)
        print("wrote %s" % os.path.join(out_dir, name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
