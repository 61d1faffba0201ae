"""Refuses submissions whose code reaches into the grading machinery, before anything runs.

The checks record what the student's trainer does and the grader judges it outside the sandbox;
code that shadows the `gptcourse` package name, uses reflection or low-level access, or uses the
library's reference trainer as its own, could still tamper with what is recorded. Such code is not
run: the submission gets 0 for the notebook's exercises and a message naming the cell and what was
found, for the instructor to look at. Lines that the instructor's own copy contains are not counted.
"""
import re

import nbgrader_cells as cells

RULES = [
    (re.compile(r"\b(class|interface|enum|record)\s+gptcourse\b|\bgptcourse\s*=[^=]|\b[\w<>\[\]]+\s+gptcourse\s*[=;]"),
     "declares something named 'gptcourse', which would shadow the course's package in the hidden tests"),
    (re.compile(r"\bextends\s+(gptcourse\s*\.\s*train\s*\.\s*)?TransformerTrainer\b"),
     "extends TransformerTrainer, the library's reference solution, instead of writing the methods"),
    (re.compile(r"\bnew\s+(gptcourse\s*\.\s*train\s*\.\s*)?TransformerTrainer\s*\(|\bTransformerTrainer\s*::\s*new\b"),
     "makes a TransformerTrainer, the library's reference solution"),
    (re.compile(r"\bgptcourse\s*\.\s*grading\b|\b(CheckReport|GradingChannel|GradingServer|TinySetup)\b"
                r"|\bChecks\s*\.\s*require\b"),
     "reaches into the grading classes (gptcourse.grading, Checks.require)"),
    (re.compile(r"\bsetAccessible\b|\bjava\s*\.\s*lang\s*\.\s*reflect\b|\bgetDeclared(Field|Method|Constructor)s?\b"
                r"|\bMethodHandles?\b|\bsun\s*\.\s*misc\b|\bjdk\s*\.\s*internal\b|\bUnsafe\b|\bClass\s*\.\s*forName\b"
                r"|\bgetClassLoader\b|\bdefineClass\b|\bjava\s*\.\s*lang\s*\.\s*instrument\b|\bVarHandle\b"),
     "uses reflection or low-level access (setAccessible, Unsafe, MethodHandles, class loaders)"),
]
COMMENT = re.compile(r"//[^\n]*|/\*.*?\*/", re.S)
UNICODE_ESCAPE = re.compile(r"\\u+([0-9a-fA-F]{4})")


def _code_lines(text):
    # javac reads \\uXXXX escapes before anything else, so `class \\u0067ptcourse` is `class gptcourse`
    text = UNICODE_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    return [re.sub(r"\s+", " ", line.strip()) for line in COMMENT.sub("", text).splitlines() if line.strip()]


def findings(student, instructor):
    """["cell N ('id'): what"] for each student code cell that breaks a rule."""
    tests = {cells.grade_id(c) for c in instructor.cells if cells.is_test(c)}
    known = {line for c in instructor.cells if c.cell_type == "code" for line in _code_lines(cells.source(c))}
    found = []
    for index, cell in enumerate(student.cells):
        if cell.cell_type != "code" or cells.grade_id(cell) in tests:
            continue
        # the lines the instructor's copy does not have, joined, so that a name split over lines is still seen
        text = " ".join(line for line in _code_lines(cells.source(cell)) if line not in known)
        for rule, what in RULES:
            m = rule.search(text)
            if m is not None:
                label = "cell %d" % (index + 1) + (" ('%s')" % cells.grade_id(cell) if cells.grade_id(cell) else "")
                found.append("%s %s: %s" % (label, what, text[max(0, m.start() - 20):m.end() + 20].strip()))
    return found
