"""Checks course notebooks executed in the kernel's IJava-only mode (GPTCOURSE_IJAVA_ONLY=1).

    /usr/bin/python3 tools/grading/check_ijava_outputs.py EXECUTED_DIR

In that mode the kernel has none of its own renderers and none of its own classes imported, as on a
plain IJava install (environment/test-ijava.sh runs it). A chart or a table that only the course
kernel's renderers could show then arrives as text/plain only: a chart as its class name
(org.knowm.xchart.XYChart@6de2ba55), a Tablesaw table as its printed text. This prints one line per
such output (notebook, cell, what arrived), per cell that failed or did not run, per cell that
names gptcourse.kernel (IJava cannot load it), and per startup script that failed; exit status 1
if there is any. Charts and tables given as gptcourse.notebook.Outputs.chart/table render
themselves on both kernels and pass.
"""
import glob
import json
import os
import re
import sys

RICH = ("image/png", "image/svg+xml", "text/html")
ANSI = re.compile(r"\x1b\[[;\d]*m")
# Object.toString() of an object no renderer knows: a class name, '@', a hash code.
DEFAULT_TO_STRING = re.compile(r"^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)+@[0-9a-f]{1,8}$")
# Tablesaw's Table.toString()/print(): a header row of "name  |" cells, then a rule of dashes.
TABLE_RULE = re.compile(r"^-{3,}$")
TABLE_HEADER = re.compile(r"\S.*\|\s*$")
# The kernel's note when a startup script fails (printed before the first cell's output).
STARTUP_FAILED = re.compile(r"^The (.+\.jsh|IJava-only start-up.*|built-in startup script|IJAVA_STARTUP_SCRIPT) failed: .*$",
                            re.MULTILINE)


def text(value):
    return "".join(value) if isinstance(value, list) else (value or "")


def is_table_text(plain):
    lines = [line.rstrip() for line in plain.splitlines()]
    return any(TABLE_RULE.match(lines[i].strip()) and TABLE_HEADER.search(lines[i - 1])
               for i in range(1, len(lines)))


def plain_only_kind(plain):
    """What a text/plain-only output is, if it is a chart or table that lost its rendering, else None."""
    stripped = plain.strip()
    if DEFAULT_TO_STRING.match(stripped):
        return "an object with no renderer on IJava"
    if is_table_text(plain):
        return "a table printed as text"
    return None


def short(plain, limit=80):
    first = plain.strip().splitlines()[0].rstrip() if plain.strip() else ""
    return first if len(first) <= limit else first[:limit - 1] + "…"


def check_notebook(path):
    """@return (problems as one line each, count of rich outputs)"""
    name = os.path.basename(path)
    with open(path, encoding="utf-8") as f:
        nb = json.load(f)
    problems = []
    rich = 0
    for index, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        count = cell.get("execution_count")
        where = "%s cell %d (In [%s])" % (name, index, count if count is not None else " ")
        source = text(cell.get("source"))
        if "gptcourse.kernel" in source:
            problems.append("%s: uses gptcourse.kernel, which IJava cannot load" % where)
        if count is None:
            problems.append("%s: did not run" % where)
        for out in cell.get("outputs", []):
            kind = out.get("output_type")
            if kind == "error":
                problems.append("%s: %s: %s" % (where, out.get("ename", "error"), short(ANSI.sub("", out.get("evalue", "")))))
            elif kind == "stream":
                for failed in STARTUP_FAILED.finditer(text(out.get("text"))):
                    problems.append("%s: %s" % (where, short(failed.group(0), 160)))
            elif kind in ("display_data", "execute_result"):
                data = out.get("data", {})
                if any(mime in data for mime in RICH):
                    rich += 1
                    continue
                plain = text(data.get("text/plain"))
                what = plain_only_kind(plain)
                if what:
                    shown = "display(...)" if kind == "display_data" else "the cell's value"
                    problems.append("%s: %s arrived as text/plain only (%s): %s" % (where, shown, what, short(plain)))
    return problems, rich


def main(argv):
    if len(argv) != 2 or not os.path.isdir(argv[1]):
        print("usage: check_ijava_outputs.py EXECUTED_DIR (a folder of executed .ipynb files)", file=sys.stderr)
        return 2
    paths = sorted(glob.glob(os.path.join(argv[1], "*.ipynb")))
    if not paths:
        print("check_ijava_outputs.py: no notebooks in %s" % argv[1], file=sys.stderr)
        return 2
    problems = []
    rich = 0
    for path in paths:
        try:
            found, n = check_notebook(path)
        except (OSError, ValueError) as e:
            found, n = ["%s: unreadable notebook: %s" % (os.path.basename(path), e)], 0
        problems += found
        rich += n
    for line in problems:
        print(line)
    if problems:
        print("IJava-only mode: %d problem(s) in %d notebook(s); charts and tables must reach IJava as image/png "
              "or text/html (show them with Outputs.chart(...)/Outputs.table(...))" % (len(problems), len(paths)))
        return 1
    print("IJava-only mode: %d notebook(s), %d chart/table outputs as image/png or text/html, none as text/plain only"
          % (len(paths), rich))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
