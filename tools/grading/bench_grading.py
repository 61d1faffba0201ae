"""Grades a class of N submissions of notebook 03 with one command and reports seconds per
submission (docs/grading.md, "Figures").

    /usr/bin/python3 tools/grading/bench_grading.py [--students 30] [--jobs 2] [--kernel NAME] [--keep DIR]

The class: the solution, and the careless mistakes of the autograder's tests, in turn. Each is graded
in its sandbox (where the machine allows one), the checks' training included, as grade.sh does.
"""
import argparse
import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import autograde  # noqa: E402
import nbgrader_cells as cells  # noqa: E402
import test_autograde as t  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--students", type=int, default=30)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--kernel", default="java-gptcourse")
    p.add_argument("--keep", help="grade into this folder and keep it (default: a temporary one)")
    a = p.parse_args()
    kinds = [t.solution, lambda: t.changed((t.LOSS, ".mean()")), lambda: t.changed((t.ZERO_GRAD, "")),
             lambda: t.changed((t.INFERENCE, "GradMode.enableGrad()"), (t.CLOSED_LOGITS, r"{ Tensor logits = \1;")),
             lambda: t.changed((t.SHIFTED_TARGETS, "NDArrayIndex.interval(0, seq - 1)"))]
    with tempfile.TemporaryDirectory(prefix="gptcourse-grading-bench-") as work:
        folder = a.keep or work
        subs = os.path.join(folder, "submissions")
        for i in range(a.students):
            os.makedirs(os.path.join(subs, "student-%02d" % i))
            cells.write(kinds[i % len(kinds)](), os.path.join(subs, "student-%02d" % i, t.NOTEBOOK + ".ipynb"))
        start = time.monotonic()
        autograde.main([subs, "--out", os.path.join(folder, "grades"), "--kernel", a.kernel, "--jobs", str(a.jobs),
                        "--force"])
        seconds = time.monotonic() - start
        # a figure for a batch that graded the reference solution wrongly would mean nothing
        rows, _ = t.load(os.path.join(folder, "grades"))
        wrong = [s for i, s in enumerate(sorted(rows)) if i % len(kinds) == 0 and rows[s]["total"] != rows[s]["max"]]
    print("bench: %d submissions graded in %.0f s with --jobs %d: %.1f s per submission (judge start included)"
          % (a.students, seconds, a.jobs, seconds / a.students))
    if wrong:
        sys.exit("bench: the solution did not get full marks for %s: see the grades above" % ", ".join(wrong))


if __name__ == "__main__":
    main()
