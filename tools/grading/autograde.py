"""Grades students' copies of the course notebooks.

    /usr/bin/python3 tools/grading/autograde.py SUBMISSION... [--out DIR] [--instructor DIR]
        [--cell-timeout S] [--timeout S] [--kernel NAME] [--full]

A SUBMISSION is a notebook, or a folder holding one notebook per student (the student is the file
name) or one subfolder per student (the student is the folder name, the notebooks inside keep their
names). Each notebook is matched to its instructor copy in --instructor (by file name, else by its
graded cells), then:

  1. its own code cells run in a fresh kernel, one at a time, each stopped after --cell-timeout
     seconds, and no cell starts after --timeout seconds (the long training runs, cells marked
     skip_when_grading, are left out; GPTCOURSE_CI=1 keeps any other run short unless --full);
  2. then, in the same kernel, each graded test cell of the instructor copy runs, hidden tests
     included, each with --cell-timeout: the student's copy of a test cell is never run, so editing
     it changes nothing. A cell that finishes gets its points; one that fails, runs too long or is
     missing gets 0 and a message. A cell stopped by its time limit is interrupted; if the kernel
     does not recover, a fresh one replays the cells that had worked, and grading goes on.

The report goes to --out (default grades/): grades.csv and grades.html (a row per student: points
and message per exercise, total, notes such as timeouts or System.exit calls) and, under executed/,
each notebook as it ran with its kernel's log.
"""
import argparse
import csv
import glob
import html
import os
import re
import sys
import tempfile
import time
from dataclasses import dataclass, field

import jupyter_client.kernelspec

import nbgrader_cells as cells
from kernel_session import KernelSession

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ANSI = re.compile(r"\x1b\[[;\d]*m")


@dataclass
class Exercise:
    notebook: str
    grade_id: str
    points: float
    source: str
    tests: list


@dataclass
class Result:
    exercise: Exercise
    points: float
    message: str


@dataclass
class StudentGrade:
    student: str
    results: dict = field(default_factory=dict)       # (notebook, grade_id) -> Result
    notes: list = field(default_factory=list)

    def total(self):
        return sum(r.points for r in self.results.values())


def instructor_notebooks(folder):
    """{name: notebook} of the instructor copies that have graded cells."""
    out = {}
    for path in sorted(glob.glob(os.path.join(folder, "*.ipynb"))):
        name = os.path.splitext(os.path.basename(path))[0]
        nb = cells.read(path)
        cells.check_format(nb, name)
        if any(cells.is_test(c) for c in nb.cells):
            out[name] = nb
    return out


def exercises(name, nb):
    return [Exercise(name, cells.grade_id(c), float(cells.nbgrader(c).get("points", 0)), cells.source(c),
                     cells.tested_cells(c)) for c in nb.cells if cells.is_test(c)]


def submissions(paths):
    """[(student, notebook path)] for notebooks, folders of notebooks, or folders of student folders."""
    found = []
    for path in paths:
        if os.path.isfile(path):
            found.append((os.path.splitext(os.path.basename(path))[0], path))
            continue
        if not os.path.isdir(path):
            raise SystemExit("autograde: no notebook or folder at %s" % path)
        for notebook in sorted(glob.glob(os.path.join(path, "*.ipynb"))):
            found.append((os.path.splitext(os.path.basename(notebook))[0], notebook))
        for folder in sorted(d for d in glob.glob(os.path.join(path, "*")) if os.path.isdir(d)):
            for notebook in sorted(glob.glob(os.path.join(folder, "**", "*.ipynb"), recursive=True)):
                if ".ipynb_checkpoints" not in notebook:
                    found.append((os.path.basename(folder), notebook))
    return found


def match(path, nb, instructors):
    """The instructor notebook a submission is a copy of, or None."""
    stem = os.path.splitext(os.path.basename(path))[0]
    if stem in instructors:
        return stem
    if nb is not None:
        named = nb.metadata.get("gptcourse", {}).get("notebook")
        if named in instructors:
            return named
        ids = {cells.grade_id(c) for c in nb.cells if cells.grade_id(c)}
        best = max(instructors, key=lambda n: len(ids & {cells.grade_id(c) for c in instructors[n].cells}),
                   default=None)
        if best is not None and ids & {cells.grade_id(c) for c in instructors[best].cells}:
            return best
    return stem if len(instructors) == 1 and nb is None else None


def explain(run):
    """One line about a failed cell."""
    replayed = "; a new kernel replayed the cells that had worked" if run.restarted else ""
    if run.status == "timeout":
        return "stopped after %.0f s: it ran past the time limit (an endless loop?)%s" % (
            run.seconds, " and did not stop when interrupted" + replayed if run.restarted else "")
    if run.status == "died":
        return "the kernel died while running it (did the code end the JVM, with System.exit or halt?)" + replayed
    text = ANSI.sub("", run.evalue or "").strip()
    text = re.sub(r"^(gptcourse\.grading\.)?CheckFailed: ", "", text)
    if run.ename == "CompilationError":
        symbol = next((ANSI.sub("", line).strip() for o in run.outputs if o.get("output_type") == "error"
                       for line in o.get("traceback", []) if "symbol:" in line), "")
        return "does not compile: " + text + (" (" + " ".join(symbol.split()) + ")" if symbol else "")
    return text or run.ename or "failed"


def unusable(run):
    """JShell's note when a cell's class compiled but refers to something undefined, or None."""
    notes = [re.sub(r"^Note: ", "", line.strip()) for o in run.outputs if o.get("output_type") == "stream" and o.get("name") == "stderr"
             for line in o.get("text", "").splitlines() if "can't be used until" in line]
    return notes[0] if notes else None


class Grader:
    def __init__(self, instructors, kernel, cell_timeout, timeout, full, out):
        self.instructors = instructors
        self.kernel = kernel
        self.cell_timeout = cell_timeout
        self.timeout = timeout
        self.full = full
        self.out = os.path.abspath(out)

    def grade(self, student, path, grade):
        try:
            nb = cells.read(path)
        except cells.FormatError as e:
            nb, error = None, str(e).replace(path, os.path.basename(path))
        else:
            error = None
        name = match(path, nb, self.instructors)
        if name is None:
            grade.notes.append("%s: not one of the graded notebooks (%s)" % (os.path.basename(path),
                                                                             ", ".join(self.instructors)))
            return
        todo = exercises(name, self.instructors[name])
        if error is not None:
            for ex in todo:
                grade.results[(name, ex.grade_id)] = Result(ex, 0, error)
            grade.notes.append(error)
            return
        with tempfile.TemporaryDirectory(prefix="gptcourse-grade-") as work:
            env = dict(os.environ, GPTCOURSE_RUNS_DIR=os.path.join(work, "runs"), HF_HUB_OFFLINE="1")
            if not self.full:
                env["GPTCOURSE_CI"] = "1"
            try:
                session = KernelSession(self.kernel, work, env, os.path.join(self._folder(student), name + ".kernel.log"))
            except Exception as e:  # a kernel that does not start fails every exercise of the notebook
                message = "the kernel '%s' did not start: %s" % (self.kernel, str(e).splitlines()[0] if str(e) else e)
                for ex in todo:
                    grade.results[(name, ex.grade_id)] = Result(ex, 0, message)
                grade.notes.append(message)
                return
            with session:
                self._run(name, nb, todo, session, grade)
        self._save(student, name, nb)

    def _run(self, name, nb, todo, session, grade):
        tests = {ex.grade_id for ex in todo}
        theirs = {cells.grade_id(c): c for c in nb.cells if cells.grade_id(c)}
        failed_solutions = {}
        exits = False
        deadline = time.monotonic() + self.timeout
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code" or cells.grade_id(cell) in tests:
                continue
            if cells.skipped_when_grading(cell):
                cell.outputs = []
                continue
            left = deadline - time.monotonic()
            if left <= 0:
                grade.notes.append("%s: the notebook's %d s ran out before cell %d; the cells after it did not run"
                                   % (name, self.timeout, index + 1))
                break
            run = session.run(cells.source(cell), min(self.cell_timeout, left))
            cell.outputs = run.outputs
            problem = explain(run) if run.status != "ok" else unusable(run)
            if problem:
                label = "cell %d" % (index + 1) + (" ('%s')" % cells.grade_id(cell) if cells.grade_id(cell) else "")
                grade.notes.append("%s: %s: %s" % (name, label, problem))
                exits = exits or "System.exit" in run.evalue
                if cells.grade_id(cell):
                    failed_solutions[cells.grade_id(cell)] = problem
        for ex in todo:
            cell = theirs.get(ex.grade_id)
            missing = [s for s in ex.tests if s not in theirs]
            if cell is None or missing:
                what = ex.grade_id if cell is None else missing[0]
                grade.results[(name, ex.grade_id)] = Result(
                    ex, 0, "cell missing: the notebook has no cell '%s' (was it deleted, or its metadata changed?)" % what)
                continue
            cell.source = ex.source
            run = session.run(ex.source, self.cell_timeout)
            cell.outputs = run.outputs
            if run.status == "ok":
                grade.results[(name, ex.grade_id)] = Result(ex, ex.points, "passed")
                continue
            message = explain(run)
            broken = [s for s in ex.tests if s in failed_solutions]
            if broken and run.status == "error" and run.ename == "CompilationError":
                message = "your cell '%s' failed, so this check could not run: %s" % (
                    broken[0], failed_solutions[broken[0]])
            exits = exits or "System.exit" in message
            grade.results[(name, ex.grade_id)] = Result(ex, 0, message)
        if exits:
            grade.notes.append("%s: the code called System.exit; the kernel blocked it and grading went on" % name)

    def _folder(self, student):
        folder = os.path.join(self.out, "executed", safe(student))
        os.makedirs(folder, exist_ok=True)
        return folder

    def _save(self, student, name, nb):
        cells.write(nb, os.path.join(self._folder(student), name + ".ipynb"))


def safe(name):
    return re.sub(r"[^A-Za-z0-9._-]", "_", name) or "_"


def write_report(grades, all_exercises, out):
    os.makedirs(out, exist_ok=True)
    maximum = sum(ex.points for ex in all_exercises)
    with open(os.path.join(out, "grades.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        header = ["student"]
        for ex in all_exercises:
            header += ["%s/%s points (of %g)" % (ex.notebook, ex.grade_id, ex.points), "%s/%s message" % (ex.notebook, ex.grade_id)]
        w.writerow(header + ["total", "max", "notes"])
        for g in grades:
            row = [g.student]
            for ex in all_exercises:
                r = g.results.get((ex.notebook, ex.grade_id))
                row += ["%g" % r.points, r.message] if r else ["0", "notebook not submitted"]
            w.writerow(row + ["%g" % g.total(), "%g" % maximum, " | ".join(g.notes)])
    rows = []
    for g in grades:
        tds = ["<td>%s</td>" % html.escape(g.student)]
        for ex in all_exercises:
            r = g.results.get((ex.notebook, ex.grade_id))
            points, message = (r.points, r.message) if r else (0, "notebook not submitted")
            tds.append('<td class="%s"><b>%g</b> / %g<br><small>%s</small></td>' % (
                "ok" if points == ex.points else "bad", points, ex.points, html.escape(message)))
        tds.append("<td><b>%g</b> / %g</td>" % (g.total(), maximum))
        tds.append("<td><small>%s</small></td>" % "<br>".join(html.escape(n) for n in g.notes))
        rows.append("<tr>%s</tr>" % "".join(tds))
    heads = "".join("<th>%s<br><small>%s</small></th>" % (html.escape(ex.grade_id), html.escape(ex.notebook))
                    for ex in all_exercises)
    page = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Grades</title><style>
body {font-family: sans-serif} table {border-collapse: collapse} td, th {border: 1px solid #ccc; padding: 4px 8px;
vertical-align: top; text-align: left; max-width: 28em} td.ok {background: #e6f4e6} td.bad {background: #fbe9e7}
</style></head><body><h1>Grades</h1><p>%d submissions, %s. Each exercise: points, then the check's message.</p>
<table><thead><tr><th>student</th>%s<th>total</th><th>notes</th></tr></thead><tbody>%s</tbody></table>
</body></html>
""" % (len(grades), time.strftime("%Y-%m-%d %H:%M"), heads, "\n".join(rows))
    with open(os.path.join(out, "grades.html"), "w", encoding="utf-8") as f:
        f.write(page)


def main(argv=None):
    p = argparse.ArgumentParser(description="Grades students' notebooks (see the module's docstring).")
    p.add_argument("submissions", nargs="+", help="notebooks, or folders of them (see --help above)")
    p.add_argument("--out", default="grades", help="report folder (default: grades)")
    p.add_argument("--instructor", default=os.path.join(ROOT, "notebooks"), help="instructor notebooks (default: notebooks/)")
    p.add_argument("--kernel", default="java-gptcourse", help="kernelspec to run them with (default: java-gptcourse)")
    p.add_argument("--cell-timeout", type=float, default=300, help="seconds a cell may run (default: 300)")
    p.add_argument("--timeout", type=float, default=1800, help="seconds a notebook may run in all (default: 1800)")
    p.add_argument("--full", action="store_true", help="run with the notebooks' own settings, not GPTCOURSE_CI=1")
    a = p.parse_args(argv)
    for name, value in (("--cell-timeout", a.cell_timeout), ("--timeout", a.timeout)):
        if not value > 0:
            p.error("%s must be a number of seconds above 0, got %s" % (name, value))
    specs = jupyter_client.kernelspec.KernelSpecManager().find_kernel_specs()
    if a.kernel not in specs:
        p.error("no Jupyter kernel named '%s' (installed: %s): install it with environment/install-kernel.sh, or pass"
                " --kernel NAME" % (a.kernel, ", ".join(sorted(specs)) or "none"))
    try:
        instructors = instructor_notebooks(a.instructor)
    except cells.FormatError as e:
        p.error(str(e))
    if not instructors:
        p.error("no graded notebooks (with nbgrader test cells) in %s" % a.instructor)
    all_exercises = [ex for name, nb in instructors.items() for ex in exercises(name, nb)]
    grader = Grader(instructors, a.kernel, a.cell_timeout, a.timeout, a.full, a.out)
    grades = {}
    for student, path in submissions(a.submissions):
        print("grading %s: %s" % (student, path), flush=True)
        grade = grades.setdefault(student, StudentGrade(student))
        before = set(grade.results)
        grader.grade(student, path, grade)
        for (nb, gid), r in grade.results.items():
            if (nb, gid) not in before:
                print("  %s/%s: %g of %g  %s" % (nb, gid, r.points, r.exercise.points, r.message), flush=True)
    write_report(list(grades.values()), all_exercises, a.out)
    print("report: %s and %s" % (os.path.join(a.out, "grades.csv"), os.path.join(a.out, "grades.html")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
