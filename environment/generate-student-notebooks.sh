#!/usr/bin/env bash
# Writes the student copies of the course notebooks into notebooks/student/: solutions replaced by
# the exercise stub, hidden tests removed, outputs cleared (docs/grading.md).
#
#   environment/generate-student-notebooks.sh            # after editing notebooks/*.ipynb
#   environment/generate-student-notebooks.sh --check    # exit 1 if notebooks/student/ is out of date
#   options: --source DIR (instructor notebooks, default notebooks/)  --out DIR (default SOURCE/student)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec "${PYTHON:-/usr/bin/python3}" "$(dirname "$here")/tools/grading/generate_student.py" "$@"
