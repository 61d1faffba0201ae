#!/usr/bin/env bash
# Runs every test of the project (the README's test command):
#   1. the Maven build with all JUnit tests: library (autograd finite differences, PyTorch golden
#      parity, AdamW, learning, memory release, data pipeline against a fake hub) and kernel;
#   2. the Jupyter side: the kernel conformance suite, protocol checks and the feature notebook
#      (environment/test-kernel.sh);
#   3. the launch command's options and a real launch of the course's JupyterLab build
#      (environment/test-start-course.sh);
#   4. the student copies, solutions filled in, run in headless Chromium through JupyterLab 3.6 and
#      the classic Notebook, with JupyterLab's features checked (environment/test-browser.sh);
#   5. the course notebooks, their student copies and the autograder (environment/test-notebooks.sh);
#   6. the IJava setup: environment/ijava-setup.sh's settings, jshell on them, and the notebooks on the
#      kernel's IJava-only mode (environment/test-ijava.sh).
# Prints one "N passed, N failed" line at the end; exits non-zero if anything failed.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
cd "$root"

failed=0
passed=0
echo "== Maven build and unit tests"
if mvn -B -ntp install; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: Maven tests" >&2; fi

summary="$(find . -path '*/target/surefire-reports/*.txt' -newer pom.xml -print0 2>/dev/null | xargs -0 cat 2>/dev/null \
  | awk -F'[:,]' '/Tests run:/ {r+=$2; f+=$4; e+=$6; s+=$8} END {printf "%d %d %d", r, f+e, s}')"
read -r junit_run junit_failed junit_skipped <<<"${summary:-0 0 0}"

echo "== Jupyter kernel: conformance suite and feature notebook"
if "$here/test-kernel.sh" --skip-build; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: kernel tests" >&2; fi

echo "== The launch command: options and a launch of the JupyterLab build"
if "$here/test-start-course.sh"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: launch command tests" >&2; fi

# JupyterLab runs every student copy (solutions filled in) and its feature notebook; the classic
# Notebook, the launch command's last fallback, runs notebook 01 (test-browser.sh --frontend classic
# runs all five there too).
echo "== Browser: the student copies run in JupyterLab, the classic Notebook's fallback (headless Chromium)"
if "$here/test-browser.sh" --skip-build --frontend lab; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: browser test (JupyterLab)" >&2; fi
if "$here/test-browser.sh" --skip-build --frontend classic --notebook "$root/notebooks/student/01-model-and-args.ipynb"; then
  passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: browser test (classic Notebook)" >&2; fi
echo "== Course notebooks: executed with GPTCOURSE_CI=1, student copies, the autograder's parts and crafted submissions"
if "$here/test-notebooks.sh" --skip-build; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: notebook tests" >&2; fi

echo "== IJava setup: the settings ijava-setup.sh prints, jshell on them, the notebooks in the IJava-only mode"
if "$here/test-ijava.sh" --skip-build; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: IJava tests" >&2; fi

echo
echo "JUnit: $junit_run tests, $junit_failed failed, $junit_skipped skipped; suites: $passed passed, $failed failed"
echo "$((junit_run - junit_failed + passed)) passed, $((junit_failed + failed)) failed"
[[ $failed -eq 0 ]]
