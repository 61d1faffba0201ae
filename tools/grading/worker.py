"""Grades one submission: runs its notebook in a sandboxed kernel, then the instructor's test cells,
and collects what each graded check recorded. Judging happens in the grader (autograde.py).

    /usr/bin/python3 worker.py JOB.json       (started by autograde.py, one process per submission)

The job names the submission, its instructor copy, the limits and the sandbox. The result is one
JSON file (job["result"]); the executed notebook and the kernel's log go next to it.
"""
import json
import os
import re
import shutil
import sys
import tempfile
import time
import traceback

import nbgrader_cells as cells
import channel
import sandbox
import scan
from kernel_session import KernelSession, OutOfTime

ANSI = re.compile(r"\x1b\[[;\d]*m")
REQUIRE = re.compile(r'Checks\s*\.\s*require\s*\(\s*"(\w+)"')


def explain(run):
    """One line about a failed cell."""
    replayed = "; a new kernel replayed the cells that had worked" if run.restarted else ""
    if run.status == "timeout":
        return "stopped after %.0f s: it ran past the time limit (an endless loop?)%s" % (
            run.seconds, " and did not stop when interrupted" + replayed if run.restarted else "")
    if run.status == "died":
        return "the kernel died while running it (System.exit, a crash, or the memory cap)" + replayed
    text = ANSI.sub("", run.evalue or "").strip()
    text = re.sub(r"^(gptcourse\.grading\.)?CheckFailed: ", "", text)
    if run.ename == "CompilationError":
        symbol = next((ANSI.sub("", line).strip() for o in run.outputs if o.get("output_type") == "error"
                       for line in o.get("traceback", []) if "symbol:" in line), "")
        return "does not compile: " + text + (" (" + " ".join(symbol.split()) + ")" if symbol else "")
    return text or run.ename or "failed"


def unusable(run):
    """JShell's note when a cell's class compiled but refers to something undefined, or None."""
    notes = [re.sub(r"^Note: ", "", line.strip()) for o in run.outputs if o.get("output_type") == "stream"
             and o.get("name") == "stderr" for line in o.get("text", "").splitlines() if "can't be used until" in line]
    return notes[0] if notes else None


def match(path, nb, instructors):
    """The name of the instructor notebook a submission is a copy of, or None."""
    stem = os.path.splitext(os.path.basename(path))[0]
    if stem in instructors:
        return stem
    named = nb.metadata.get("gptcourse", {}).get("notebook")
    if named in instructors:
        return named
    ids = {cells.grade_id(c) for c in nb.cells if cells.grade_id(c)}
    best = max(instructors, key=lambda n: len(ids & instructors[n][1]), default=None)
    return best if best is not None and ids & instructors[best][1] else None


def missing_cell(test, theirs):
    """The report's line when the submission lacks the test cell or a solution cell it checks, else None."""
    missing = [s for s in [cells.grade_id(test)] + cells.tested_cells(test) if s not in theirs]
    return ("cell missing: the notebook has no cell '%s' (was it deleted, or its metadata changed?)" % missing[0]
            if missing else None)


def clear(folder):
    """Empties the channel folder without following anything the sandbox put there."""
    for entry in os.scandir(folder):
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)
        else:
            try:
                os.unlink(entry.path)
            except OSError:
                pass


class Worker:
    def __init__(self, job):
        self.job = job
        self.result = {"notebook": None, "tests": [], "notes": [], "error": None}
        self.deadline = time.monotonic() + job["timeout"]

    def note(self, text):
        self.result["notes"].append(text)

    def run(self):
        job = self.job
        instructors = {}
        for name, path in job["instructors"].items():
            nb = cells.read(path)
            instructors[name] = (nb, {cells.grade_id(c) for c in nb.cells if cells.grade_id(c)})
        try:
            nb = cells.read_submission(job["submission"])
        except cells.FormatError as e:
            self.result["error"] = str(e)
            stem = os.path.splitext(os.path.basename(job["submission"]))[0]
            self.result["notebook"] = stem if stem in instructors else (next(iter(instructors)) if len(instructors) == 1 else None)
            return self.result
        name = match(job["submission"], nb, instructors)
        if name is None:
            self.note("%s: not one of the graded notebooks (%s)" % (os.path.basename(job["submission"]),
                                                                  ", ".join(instructors)))
            return self.result
        self.result["notebook"] = name
        instructor = instructors[name][0]
        refused = scan.findings(nb, instructor)
        if refused:
            self.result["refused"] = refused
            self._save(nb)
            return self.result
        theirs = {cells.grade_id(c) for c in nb.cells if cells.grade_id(c)}
        tests = [c for c in instructor.cells if cells.is_test(c)]
        if tests and all(missing_cell(t, theirs) for t in tests):   # nothing to grade: no kernel needed
            for t in tests:
                self.result["tests"].append({"grade_id": cells.grade_id(t), "methods": {}, "status": None,
                                             "problem": missing_cell(t, theirs)})
            self.note("%s: none of the graded cells is in the notebook (their metadata is gone or changed), so it"
                      " was not run" % name)
            self._save(nb)
            return self.result
        work = tempfile.mkdtemp(prefix="gptcourse-grade-")
        try:
            self._grade(nb, instructor, work)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        self._save(nb)
        return self.result

    def _grade(self, nb, instructor, work):
        job = self.job
        chan = os.path.join(work, "channel")
        os.makedirs(chan)
        uid = job["uid"] if job["sandbox"] else None
        os.chmod(work, 0o711)
        if uid is not None:
            os.chown(chan, uid, uid)
            os.chmod(chan, 0o700)
        env = dict(os.environ)
        if not job["full"]:
            env["GPTCOURSE_CI"] = "1"
        if job["sandbox"]:
            caches = sandbox.private_caches(work, uid)

            def wrap(cmd, connection_file):
                os.chown(connection_file, uid, uid)
                return sandbox.kernel_command(cmd, connection_file, uid, chan, env, job["memory_mb"], caches)
            kernel_env = {"PATH": env.get("PATH", "/usr/bin:/bin")}
        else:
            wrap = None
            kernel_env = sandbox.sandbox_env(env, job["memory_mb"])
            kernel_env.update({"PATH": env.get("PATH", "/usr/bin:/bin"), "HOME": work, "TMPDIR": work,
                               "GPTCOURSE_RUNS_DIR": os.path.join(work, "runs"),
                               "GPTCOURSE_CACHE": os.path.join(work, "cache"), "GPTCOURSE_GRADING_OUT": chan})
            kernel_env["GPTCOURSE_KERNEL_JAVA_OPTS"] = kernel_env["GPTCOURSE_KERNEL_JAVA_OPTS"].replace(
                "-Duser.home=" + sandbox.HOME, "-Duser.home=" + work)
            for cache in (".javacpp", ".djl.ai"):   # the grader's unpacked natives, as in the sandbox
                mine = os.path.join(os.path.expanduser("~"), cache)
                if os.path.isdir(mine):
                    os.symlink(mine, os.path.join(work, cache))
        tests = [c for c in instructor.cells if cells.is_test(c)]
        try:
            session = KernelSession(job["kernel"], work, kernel_env, job["kernel_log"], self.deadline,
                                    start_timeout=max(30, job["timeout"]), wrap=wrap)
        except OutOfTime as e:
            self.note("%s: %s (--timeout %g s)" % (self.result["notebook"], e, job["timeout"]))
            return
        except Exception as e:
            self.result["error"] = "the kernel '%s' did not start: %s" % (job["kernel"], (str(e).splitlines() or [e])[0])
            return
        try:
            with session:
                self._cells(nb, tests, session)
                self._tests(nb, tests, session, chan, uid)
        except OutOfTime as e:
            self.note("%s: %s; the --timeout of %g s is over, so the checks not yet run were not run"
                      % (self.result["notebook"], e, job["timeout"]))

    def _cells(self, nb, tests, session):
        test_ids = {cells.grade_id(c) for c in tests}
        self.failed_solutions = {}
        self.exits = False
        name = self.result["notebook"]
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code" or cells.grade_id(cell) in test_ids:
                continue
            if cells.skipped_when_grading(cell):
                cell.outputs = []
                continue
            run = session.run(cells.source(cell), self.job["cell_timeout"])
            cell.outputs = run.outputs
            problem = explain(run) if run.status != "ok" else unusable(run)
            if problem:
                label = "cell %d" % (index + 1) + (" ('%s')" % cells.grade_id(cell) if cells.grade_id(cell) else "")
                self.note("%s: %s: %s" % (name, label, problem))
                self.exits = self.exits or "System.exit" in (run.evalue or "")
                if cells.grade_id(cell):
                    self.failed_solutions[cells.grade_id(cell)] = problem

    def _tests(self, nb, tests, session, chan, uid):
        theirs = {cells.grade_id(c): c for c in nb.cells if cells.grade_id(c)}
        for test in tests:
            gid = cells.grade_id(test)
            entry = {"grade_id": gid, "methods": {}, "problem": None, "status": None}
            self.result["tests"].append(entry)
            needed = cells.tested_cells(test)
            entry["problem"] = missing_cell(test, theirs)
            if entry["problem"]:
                continue
            code = cells.source(test)
            cell = theirs[gid]
            cell.source = code
            clear(chan)
            try:
                run = session.run(code, self.job["cell_timeout"])
            except OutOfTime:
                entry["problem"] = "not run: the notebook's --timeout of %g s was over" % self.job["timeout"]
                raise
            finally:
                pass
            cell.outputs = run.outputs
            entry["status"] = run.status
            if run.status != "ok":
                message = explain(run)
                broken = [s for s in needed if s in self.failed_solutions]
                if broken and run.status == "error" and run.ename == "CompilationError":
                    message = "your cell '%s' failed, so this check could not run: %s" % (
                        broken[0], self.failed_solutions[broken[0]])
                entry["problem"] = message
                self.exits = self.exits or "System.exit" in message
            for method in dict.fromkeys(REQUIRE.findall(code)):
                try:
                    entry["methods"][method] = channel.read(chan, method, owner=uid)
                except channel.Rejected as e:
                    entry["methods"][method] = {"rejected": str(e)}
        if self.exits:
            self.note("%s: the code called System.exit; the kernel blocked it and grading went on"
                      % self.result["notebook"])

    def _save(self, nb):
        path = self.job["executed"]
        try:
            cells.write(nb, path)
        except Exception:   # outputs nbformat does not accept: keep the notebook without validating it
            import nbformat
            with open(path, "w", encoding="utf-8") as f:
                nbformat.write(nb, f, version=4)


def write_json(data, path):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(data, f)
    os.replace(tmp, path)


def main(job_path):
    with open(job_path, encoding="utf-8") as f:
        job = json.load(f)
    if job["sandbox"]:
        sandbox.loopback_up()
        for d in job["cgroups"]:
            with open(os.path.join(d, "cgroup.procs"), "w") as f:
                f.write(str(os.getpid()))
    worker = Worker(job)
    try:
        result = worker.run()
    except Exception as e:
        result = worker.result
        result["error"] = "the grader failed on this notebook: %s: %s" % (type(e).__name__, (str(e).splitlines() or [""])[0])
        traceback.print_exc()
    write_json(result, job["result"])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
