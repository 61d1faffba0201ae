#!/usr/bin/env bash
# Tests the course notebooks (part of test-all.sh; exits non-zero on any failure):
#   1. the student copies in notebooks/student are what the generator makes of notebooks/*.ipynb
#      (tools/grading/test_student_copies.py);
#   2. every notebook runs top to bottom with GPTCOURSE_CI=1 (a few training steps, the stand-in
#      stories) through `jupyter nbconvert --execute`, and tools/grading/check_notebooks.py checks the
#      outputs: the loss falls, the entropy lines are there, the charts decode, the tables have rows;
#   3. the autograder's parts that need no kernel (tools/grading/test_grading_parts.py), then the
#      autograder grades crafted submissions of notebook 03: honest, careless, malformed and hostile
#      ones, in its sandbox where the machine allows one (tools/grading/test_autograde.py).
# Options: --skip-build (use the kernel and library already built, as test-all.sh does);
#          --skip-crafted-submissions (leave out the crafted submissions of step 3, about 7 minutes
#          on 2 cores, for a quicker run while editing notebooks; test-all.sh runs them)
# Needs Debian's jupyter-nbconvert python3-nbclient jupyter-client python3-pil on /usr/bin/python3
# (set PYTHON to use another interpreter that has them).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
py="${PYTHON:-/usr/bin/python3}"
build=1
crafted=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --skip-build) build=0; shift ;;
    --skip-crafted-submissions) crafted=0; shift ;;
    *) echo "test-notebooks.sh: unknown option '$1' (accepted: --skip-build, --skip-crafted-submissions)" >&2; exit 2 ;;
  esac
done
if ! "$py" -c "import nbclient, nbconvert, nbformat, jupyter_client, PIL" 2>/dev/null; then
  echo "test-notebooks.sh: $py lacks Jupyter's tools. On Debian:" >&2
  echo "  sudo apt-get install jupyter-nbconvert python3-nbclient jupyter-client python3-pil" >&2
  exit 1
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/gptcourse-notebook-test.XXXXXX")"
trap 'rm -rf "$work"' EXIT
export JUPYTER_PATH="$work/prefix/share/jupyter"
export JUPYTER_RUNTIME_DIR="$work/runtime"
export JUPYTER_CONFIG_DIR="$work/config"
# The CI setting, the stand-in stories (no download, an empty cache) and runs kept out of the checkout.
export GPTCOURSE_CI=1 HF_HUB_OFFLINE=1 GPTCOURSE_CACHE="$work/cache" GPTCOURSE_RUNS_DIR="$work/runs"
kernel="java-gptcourse-nbtest"
quiet() { grep -v '^WARNING: .*[Ss]ecurity[Mm]anager\|^WARNING: Please consider\|^WARNING: A terminally' || true; }

if [[ $build -eq 1 ]]; then
  echo "== build"
  (cd "$root" && mvn -B -q -DskipTests package -pl kernel -am)
  rm -f "$root/kernel/target/kernel.jsa"
fi
"$here/install-kernel.sh" --prefix "$work/prefix" --name "$kernel" --skip-build

echo "== student copies"
"$py" "$root/tools/grading/test_student_copies.py" 2>&1

echo "== notebooks, executed with GPTCOURSE_CI=1"
mkdir -p "$work/executed"
for nb in "$root"/notebooks/*.ipynb; do
  name="$(basename "$nb")"
  start=$SECONDS
  if ! (cd "$work/executed" && "$py" -m nbconvert --to notebook --execute --ExecutePreprocessor.kernel_name="$kernel" \
      --ExecutePreprocessor.timeout=600 --output-dir "$work/executed" --output "$name" "$nb" >"$work/nbconvert.log" 2>&1); then
    quiet <"$work/nbconvert.log" | tail -30
    echo "$name: execution FAILED" >&2
    exit 1
  fi
  echo "$name: ran in $((SECONDS - start)) s"
done
"$py" "$root/tools/grading/check_notebooks.py" "$work/executed" 2>&1

echo "== autograder's parts"
if ! "$py" "$root/tools/grading/test_grading_parts.py" >"$work/parts.log" 2>&1; then
  cat "$work/parts.log"
  echo "autograder part tests FAILED" >&2
  exit 1
fi
tail -3 "$work/parts.log"

if [[ $crafted -eq 0 ]]; then
  echo "test-notebooks.sh: all notebook tests passed (crafted submissions to the autograder not run: --skip-crafted-submissions)"
  exit 0
fi
echo "== autograder on crafted submissions"
start=$SECONDS
if ! "$py" "$root/tools/grading/test_autograde.py" --kernel "$kernel" >"$work/autograde.log" 2>&1; then
  quiet <"$work/autograde.log"
  echo "autograder tests FAILED" >&2
  exit 1
fi
quiet <"$work/autograde.log" | grep -v '^  \|^graded \|^report: '   # the test results, not the grader's progress
echo "autograder tests: $((SECONDS - start)) s"
echo "test-notebooks.sh: all notebook tests passed"
