"""The grader's report: grades.csv and grades.html, one row per student (docs/grading.md)."""
import csv
import html
import os
import time

# A spreadsheet runs a cell that starts with one of these as a formula (=HYPERLINK(...), +cmd|...)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def csv_cell(value):
    """value for a CSV cell, with a leading ' where a spreadsheet would read it as a formula."""
    text = str(value)
    if text.startswith(FORMULA_START):
        try:
            float(text)              # a negative number stays a number
            return text
        except ValueError:
            return "'" + text
    return text


def points_text(p):
    return ("%.2f" % p).rstrip("0").rstrip(".")


def write(grades, all_exercises, out, isolation_missing):
    """grades: [StudentGrade]; all_exercises: [Exercise]; isolation_missing: [text] (empty if sandboxed)."""
    os.makedirs(out, exist_ok=True)
    maximum = sum(ex.points for ex in all_exercises)
    warning = ("WARNING: submissions ran WITHOUT the sandbox (%s): a submission could read or change what other"
               " submissions and the grader do." % "; ".join(isolation_missing)) if isolation_missing else ""
    tmp = os.path.join(out, "grades.csv.tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        header = ["student"]
        for ex in all_exercises:
            header += ["%s/%s points (of %g)" % (ex.notebook, ex.grade_id, ex.points),
                       "%s/%s message" % (ex.notebook, ex.grade_id)]
        w.writerow(header + ["total", "max", "notes", "executed notebooks"])
        for g in grades:
            row = [g.student]
            for ex in all_exercises:
                r = g.results.get((ex.notebook, ex.grade_id))
                row += [points_text(r.points), r.message] if r else ["0", "notebook not submitted"]
            notes = g.notes + ([warning] if warning else [])
            w.writerow([csv_cell(c) for c in row + [points_text(g.total()), points_text(maximum), " | ".join(notes),
                                                    " ".join(g.links)]])
    os.replace(tmp, os.path.join(out, "grades.csv"))
    rows = []
    for g in grades:
        tds = ["<td>%s</td>" % html.escape(g.student)]
        for ex in all_exercises:
            r = g.results.get((ex.notebook, ex.grade_id))
            points, message = (r.points, r.message) if r else (0, "notebook not submitted")
            lines = "<br>".join(html.escape(line) for line in message.split("\n"))
            tds.append('<td class="%s"><b>%s</b> / %g<br><small>%s</small></td>' % (
                "ok" if points == ex.points else "part" if points > 0 else "bad", points_text(points), ex.points, lines))
        tds.append("<td><b>%s</b> / %s</td>" % (points_text(g.total()), points_text(maximum)))
        links = " ".join('<a href="%s">%s</a>' % (html.escape(link, quote=True), html.escape(os.path.basename(link)))
                         for link in g.links)
        tds.append("<td><small>%s</small><br><small>%s</small></td>" % (
            "<br>".join(html.escape(n) for n in g.notes), links))
        rows.append("<tr>%s</tr>" % "".join(tds))
    heads = "".join("<th>%s<br><small>%s</small></th>" % (html.escape(ex.grade_id), html.escape(ex.notebook))
                    for ex in all_exercises)
    banner = '<p class="warn">%s</p>' % html.escape(warning) if warning else ""
    page = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Grades</title><style>
body {font-family: sans-serif} table {border-collapse: collapse} td, th {border: 1px solid #ccc; padding: 4px 8px;
vertical-align: top; text-align: left; max-width: 32em} td.ok {background: #e6f4e6} td.part {background: #fff4d6}
td.bad {background: #fbe9e7} p.warn {background: #b71c1c; color: white; padding: 8px; font-weight: bold}
</style></head><body><h1>Grades</h1>%s<p>%d submissions, %s. Each exercise: points (split equally over its
sub-checks), then each failed sub-check. Last column: notes, the executed notebook and the kernel's log.</p>
<table><thead><tr><th>student</th>%s<th>total</th><th>notes and files</th></tr></thead><tbody>%s</tbody></table>
</body></html>
""" % (banner, len(grades), time.strftime("%Y-%m-%d %H:%M"), heads, "\n".join(rows))
    tmp = os.path.join(out, "grades.html.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(page)
    os.replace(tmp, os.path.join(out, "grades.html"))
