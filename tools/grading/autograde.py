"""Grades students' copies of the course notebooks.

    /usr/bin/python3 tools/grading/autograde.py SUBMISSION... [--out DIR] [--instructor DIR]
        [--cell-timeout S] [--timeout S] [--jobs N] [--memory MB] [--force] [--kernel NAME] [--full]

A SUBMISSION is a notebook, or a folder holding one notebook per student (the student is the file
name) or one subfolder per student (the student is the folder name). Each notebook is graded by a
worker process of its own (worker.py) in a sandbox (sandbox.py): its code cells run in a fresh
kernel, then the instructor's test cells; each graded check records what the student's code did as
data (channel.py), which the judge (judge.py, a JVM no student code runs in) compares with the
reference solution. Points are split equally over a check's sub-checks. --timeout bounds each
notebook's whole grading (kernel starts, cells, replays, checks): the worker is killed at
--timeout + 10 s whatever it is doing. A notebook already graded in --out is not graded again
unless --force. docs/grading.md has the details and the threat model.

The report goes to --out (default grades/): grades.csv, grades.html and, under executed/<student>/,
each notebook as it ran, its kernel's log and its grading record.
"""
import argparse
import concurrent.futures
import glob
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field

import jupyter_client.kernelspec

import nbgrader_cells as cells
import report
import sandbox
from judge import Judge, JudgeError
from worker import REQUIRE

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HERE = os.path.dirname(os.path.abspath(__file__))
KILL_GRACE_S = 10
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass
class Exercise:
    notebook: str
    grade_id: str
    points: float
    methods: list        # the checks its hidden test requires (Checks.require("...")), judged outside


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
    links: list = field(default_factory=list)         # executed notebooks and kernel logs, relative to --out

    def total(self):
        return sum(r.points for r in self.results.values())


def instructor_notebooks(folder):
    """{name: (path, notebook)} of the instructor copies that have graded cells."""
    out = {}
    for path in sorted(glob.glob(os.path.join(folder, "*.ipynb"))):
        name = os.path.splitext(os.path.basename(path))[0]
        nb = cells.read(path)
        cells.check_format(nb, name)
        if any(cells.is_test(c) for c in nb.cells):
            out[name] = (path, nb)
    return out


def exercises(name, nb):
    return [Exercise(name, cells.grade_id(c), float(cells.nbgrader(c).get("points", 0)),
                     list(dict.fromkeys(REQUIRE.findall(cells.source(c))))) for c in nb.cells if cells.is_test(c)]


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
            if os.path.isfile(notebook):
                found.append((os.path.splitext(os.path.basename(notebook))[0], notebook))
        for folder in sorted(d for d in glob.glob(os.path.join(path, "*")) if os.path.isdir(d)):
            for notebook in sorted(glob.glob(os.path.join(folder, "**", "*.ipynb"), recursive=True)):
                if ".ipynb_checkpoints" not in notebook and os.path.isfile(notebook):
                    found.append((os.path.basename(folder), notebook))
    return found


def slug(student):
    """The student's folder name: readable, and never the same for two names ('a b', 'a_b')."""
    readable = re.sub(r"[^A-Za-z0-9._-]", "_", student)[:40].lstrip(".") or "_"
    return "%s-%s" % (readable, hashlib.sha256(student.encode("utf-8", "surrogateescape")).hexdigest()[:8])


def clean(text, limit=400):
    """A message from the student's side: one bounded line of printable text."""
    text = CONTROL.sub(" ", str(text))
    return text if len(text) <= limit else text[:limit - 1] + "…"


class Batch:
    def __init__(self, a, instructors, judge, isolation_missing):
        self.a = a
        self.out = os.path.abspath(a.out)
        self.instructors = instructors
        self.judge = judge
        self.sandboxed = not isolation_missing
        self.counter = 0
        self.lock = threading.Lock()

    def _uid(self):
        with self.lock:
            self.counter += 1
            return sandbox.FIRST_UID + self.counter

    def grade(self, student, path):
        """The grading record of one notebook: graded now, or read back from an earlier run."""
        folder = os.path.join(self.out, "executed", slug(student))
        os.makedirs(folder, exist_ok=True)
        stem = re.sub(r"[^A-Za-z0-9._-]", "_", os.path.splitext(os.path.basename(path))[0])[:60] or "_"
        record_path = os.path.join(folder, stem + ".graded.json")
        if not self.a.force and os.path.exists(record_path):
            try:
                with open(record_path, encoding="utf-8") as f:
                    record = json.load(f)
                record["skipped"] = True
                return record
            except (OSError, ValueError):
                pass
        started = time.monotonic()
        raw = self._run_worker(folder, stem, path)
        record = self._score(raw)
        record["seconds"] = round(time.monotonic() - started, 1)
        record["links"] = [os.path.relpath(os.path.join(folder, stem + suffix), self.out)
                           for suffix in (".ipynb", ".kernel.log") if os.path.exists(os.path.join(folder, stem + suffix))]
        tmp = record_path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(record, f)
        os.replace(tmp, record_path)
        return record

    def _run_worker(self, folder, stem, path):
        uid = self._uid()
        name = "gptcourse-grade-%d-%d" % (os.getpid(), uid)
        groups = sandbox.Cgroups(name, self.a.memory) if self.sandboxed else None
        private = tempfile.mkdtemp(prefix="gptcourse-job-")
        job = {
            "submission": os.path.abspath(path), "instructors": {n: p for n, (p, _) in self.instructors.items()},
            "executed": os.path.join(folder, stem + ".ipynb"), "kernel_log": os.path.join(folder, stem + ".kernel.log"),
            "result": os.path.join(private, "result.json"), "kernel": self.a.kernel, "cell_timeout": self.a.cell_timeout,
            "timeout": self.a.timeout, "full": self.a.full, "sandbox": self.sandboxed, "uid": uid,
            "memory_mb": self.a.memory, "cgroups": groups.dirs if groups else [],
        }
        with open(os.path.join(private, "job.json"), "w", encoding="utf-8") as f:
            json.dump(job, f)
        cmd = [sys.executable, os.path.join(HERE, "worker.py"), os.path.join(private, "job.json")]
        if self.sandboxed:
            cmd = ["unshare", "--net", "--"] + cmd
        killed = False
        try:
            with open(os.path.join(folder, stem + ".worker.log"), "ab") as log:
                proc = subprocess.Popen(cmd, stdout=log, stderr=log, start_new_session=True, cwd=private)
                try:
                    proc.wait(timeout=self.a.timeout + KILL_GRACE_S)
                except subprocess.TimeoutExpired:
                    killed = True
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
            oom = groups.oom_killed() if groups else False
            try:
                with open(job["result"], encoding="utf-8") as f:
                    raw = json.load(f)
            except (OSError, ValueError):
                raw = {"notebook": None, "tests": [], "notes": [], "error": (
                    "stopped after --timeout %g s (+%d s): the grading of this notebook did not end in time"
                    % (self.a.timeout, KILL_GRACE_S) if killed else
                    "the grader's worker for this notebook ended without a result (exit code %s); see %s.worker.log"
                    % (proc.returncode, stem))}
            if oom:
                raw.setdefault("notes", []).append(
                    "the submission reached the memory cap (--memory %d MB): the kernel or a process it started was"
                    " killed" % self.a.memory)
            return raw
        finally:
            if groups:
                groups.kill_and_remove()
            shutil.rmtree(private, ignore_errors=True)

    def _score(self, raw):
        name = raw.get("notebook")
        record = {"notebook": name, "results": {}, "notes": [clean(n) for n in raw.get("notes", [])]}
        if name not in self.instructors:
            if raw.get("error"):
                record["notes"].append(clean(raw["error"]))
            return record
        todo = exercises(name, self.instructors[name][1])
        if raw.get("error") or raw.get("refused"):
            message = clean(raw["error"]) if raw.get("error") else \
                "refused, not run: " + clean("; ".join(raw["refused"]), 1000)
            for ex in todo:
                record["results"][ex.grade_id] = {"points": 0, "message": message}
            record["notes"].append(message)
            return record
        entries = {e.get("grade_id"): e for e in raw.get("tests", [])}
        for ex in todo:
            points, message = self._score_test(ex, entries.get(ex.grade_id))
            record["results"][ex.grade_id] = {"points": points, "message": message}
        return record

    def _score_test(self, ex, entry):
        if entry is None:
            return 0, "not run: the notebook's --timeout of %g s was over before this check" % self.a.timeout
        problem = clean(entry["problem"]) if entry.get("problem") else None
        if not ex.methods:   # a plain hidden test: it passes if the cell runs without an error
            return (ex.points, "passed") if entry.get("status") == "ok" else (0, problem or "failed")
        results = []
        for method in ex.methods:
            parts = self.judge.parts[method]
            rec = entry["methods"].get(method)
            if rec is None:
                results += [(False, problem or "the check did not report a result: the hidden test did not reach it"
                             " (is a name in the notebook shadowing the course's classes?)")] * parts
            elif "rejected" in rec:
                results += [(False, "the check's result was rejected (%s): something in the notebook tampered with"
                             " it" % clean(rec["rejected"]))] * parts
            else:
                try:
                    results += [(ok, clean(text)) for ok, text in
                                self.judge.judge(method, rec["problem"], rec["observation"])]
                except JudgeError as e:
                    results += [(False, clean(str(e)))] * parts
        passed = sum(1 for ok, _ in results if ok)
        points = round(ex.points * passed / len(results), 2)
        if passed == len(results):
            return points, "passed (%d of %d sub-checks)" % (passed, len(results))
        failed = list(dict.fromkeys(text for ok, text in results if not ok))
        return points, "%d of %d sub-checks passed:\n" % (passed, len(results)) + "\n".join("✘ " + t for t in failed)


def main(argv=None):
    p = argparse.ArgumentParser(description="Grades students' notebooks (see the module's docstring).")
    p.add_argument("submissions", nargs="+", help="notebooks, or folders of them (see --help above)")
    p.add_argument("--out", default="grades", help="report folder (default: grades)")
    p.add_argument("--instructor", default=os.path.join(ROOT, "notebooks"), help="instructor notebooks (default: notebooks/)")
    p.add_argument("--kernel", default="java-gptcourse", help="kernelspec to run them with (default: java-gptcourse)")
    p.add_argument("--cell-timeout", type=float, default=300, help="seconds a cell may run (default: 300)")
    p.add_argument("--timeout", type=float, default=1800,
                   help="seconds a notebook's whole grading may take, replays and checks included (default: 1800)")
    p.add_argument("--jobs", type=int, default=1, help="notebooks graded at once (default: 1)")
    p.add_argument("--memory", type=int, default=4096, help="memory cap of each kernel in MB, native memory included"
                   " (default: 4096)")
    p.add_argument("--force", action="store_true", help="grade again the notebooks already graded in --out")
    p.add_argument("--no-sandbox", action="store_true", help="run kernels without the sandbox (the report says so)")
    p.add_argument("--full", action="store_true", help="run with the notebooks' own settings, not GPTCOURSE_CI=1")
    a = p.parse_args(argv)
    for name, value in (("--cell-timeout", a.cell_timeout), ("--timeout", a.timeout)):
        if not value > 0:
            p.error("%s must be a number of seconds above 0, got %s" % (name, value))
    if a.jobs < 1 or a.memory < 512:
        p.error("--jobs must be at least 1 and --memory at least 512 (MB)")
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
    all_exercises = [ex for name, (_, nb) in instructors.items() for ex in exercises(name, nb)]
    isolation_missing = ["--no-sandbox was given"] if a.no_sandbox else sandbox.probe()[1]
    if isolation_missing:
        print("WARNING: grading WITHOUT the sandbox: %s" % "; ".join(isolation_missing), file=sys.stderr, flush=True)
    todo = submissions(a.submissions)
    os.makedirs(a.out, exist_ok=True)
    started = time.monotonic()
    judge = Judge(os.path.join(os.path.abspath(a.out), "judge.log"))
    try:
        batch = Batch(a, instructors, judge, isolation_missing)
        grades = {}
        with concurrent.futures.ThreadPoolExecutor(max_workers=a.jobs) as pool:
            futures = [(student, path, pool.submit(batch.grade, student, path)) for student, path in todo]
            for student, path, future in futures:
                grade = grades.setdefault(student, StudentGrade(student))
                try:
                    record = future.result()
                except Exception as e:   # the grader's own failure: this student's row says so, the batch goes on
                    record = {"notebook": None, "results": {}, "notes": [
                        "the grader failed on %s: %s" % (os.path.basename(path), clean(e))], "links": []}
                add(grade, record, instructors)
                print("graded %s: %s%s" % (student, path, " (already graded: skipped; --force grades again)"
                                           if record.get("skipped") else " in %.1f s" % record.get("seconds", 0)),
                      flush=True)
                for gid, r in record["results"].items():
                    print("  %s/%s: %s  %s" % (record["notebook"], gid, report.points_text(r["points"]),
                                               r["message"].replace("\n", " ")), flush=True)
    finally:
        judge.close()
    graded = len(todo)
    report.write(list(grades.values()), all_exercises, a.out, isolation_missing)
    print("graded %d notebooks in %.0f s (%.1f s each, --jobs %d)" % (
        graded, time.monotonic() - started, (time.monotonic() - started) / max(1, graded), a.jobs))
    print("report: %s and %s" % (os.path.join(a.out, "grades.csv"), os.path.join(a.out, "grades.html")))
    return 0


def add(grade, record, instructors):
    name = record.get("notebook")
    grade.notes += record.get("notes", [])
    grade.links += record.get("links", [])
    if name in instructors:
        by_id = {ex.grade_id: ex for ex in exercises(name, instructors[name][1])}
        for gid, r in record["results"].items():
            if gid in by_id:
                grade.results[(name, gid)] = Result(by_id[gid], float(r["points"]), r["message"])


if __name__ == "__main__":
    sys.exit(main())
