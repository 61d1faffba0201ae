#!/usr/bin/env bash
# Autograder: runs students' notebooks in a fresh kernel, then the hidden checks of each graded cell,
# and writes grades.csv and grades.html (docs/grading.md).
#
#   environment/grade.sh submissions/ [--out grades] [--cell-timeout 300] [--timeout 1800] [--jobs N] [--force]
#   environment/grade.sh alice.ipynb bob.ipynb --out grades
#   more: --instructor DIR  --kernel NAME  --memory MB  --no-sandbox  --full (docs/grading.md)
#
# A folder holds one notebook per student, or one subfolder per student. The kernel must be
# installed (environment/install-kernel.sh); Jupyter's client runs on /usr/bin/python3.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
py="${PYTHON:-/usr/bin/python3}"
if ! "$py" -c "import nbformat, jupyter_client" 2>/dev/null; then
  echo "grade.sh: $py lacks Jupyter's client. On Debian: sudo apt-get install python3-nbformat jupyter-client" >&2
  exit 1
fi
exec "$py" "$(dirname "$here")/tools/grading/autograde.py" "$@"
