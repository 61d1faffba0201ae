#!/usr/bin/env bash
# Tests the course's IJava setup (environment/ijava-setup.sh); exits non-zero on any failure:
#   0. tools/grading/test_check_ijava_outputs.py: the output checker on crafted notebooks;
#   1. ijava-setup.sh prints IJAVA_CLASSPATH (the library and its jars, every entry readable; not the
#      course kernel, not the Jupyter base library that IJava brings) and IJAVA_STARTUP_SCRIPTS_PATH;
#   2. the JDK's own jshell, with only that classpath (plus the base library, standing in for IJava's
#      jar), loads the startup script and renders a chart and a table with gptcourse.notebook.Outputs;
#   3. the course notebooks, executed by nbconvert with GPTCOURSE_CI=1 on the course kernel in its
#      IJava-only mode (GPTCOURSE_IJAVA_ONLY=1: none of its renderers, IJava's start-up, the two
#      settings above), every cell runs and every chart and table arrives as image/png or text/html
#      (tools/grading/check_ijava_outputs.py: one line per output that arrived as text/plain only),
#      and tools/grading/check_notebooks.py passes on those outputs too.
# IJava itself is on no registry reachable here: the IJava-only mode stands in for it.
# Options: --skip-build (use the kernel and library already built, as test-all.sh does)
#          --notebooks DIR (the notebooks to run; default notebooks/)
#          --skip-notebooks (only 0-2: minutes less)
# Needs Debian's jupyter-nbconvert python3-nbclient jupyter-client python3-pil on /usr/bin/python3
# (set PYTHON to use another interpreter that has them) and a JDK's jshell.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
py="${PYTHON:-/usr/bin/python3}"
build=1
notebooks="$root/notebooks"
run_notebooks=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --skip-build) build=0; shift ;;
    --notebooks) [[ $# -ge 2 ]] || { echo "test-ijava.sh: --notebooks needs a folder" >&2; exit 2; }
                 notebooks="$(cd "$2" && pwd)"; shift 2 ;;
    --skip-notebooks) run_notebooks=0; shift ;;
    *) echo "test-ijava.sh: unknown option '$1' (accepted: --skip-build, --notebooks DIR, --skip-notebooks)" >&2; exit 2 ;;
  esac
done
if ! "$py" -c "import nbclient, nbconvert, nbformat, jupyter_client, PIL" 2>/dev/null; then
  echo "test-ijava.sh: $py lacks Jupyter's tools. On Debian:" >&2
  echo "  sudo apt-get install jupyter-nbconvert python3-nbclient jupyter-client python3-pil" >&2
  exit 1
fi
# The JDK's jshell: $JAVA_HOME's, else on PATH, else beside the `java` on PATH.
jshell="${JAVA_HOME:+$JAVA_HOME/bin/}jshell"
if ! command -v "$jshell" >/dev/null && command -v java >/dev/null; then
  jshell="$(dirname "$(readlink -f "$(command -v java)")")/jshell"
fi
if ! command -v "$jshell" >/dev/null; then
  echo "test-ijava.sh: no jshell (a JDK 17 is needed: sudo apt-get install openjdk-17-jdk-headless)" >&2
  exit 1
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/gptcourse-ijava-test.XXXXXX")"
trap 'rm -rf "$work"' EXIT
quiet() { grep -v '^WARNING: .*[Ss]ecurity[Mm]anager\|^WARNING: Please consider\|^WARNING: A terminally' || true; }

if [[ $build -eq 1 ]]; then
  echo "== build"
  (cd "$root" && mvn -B -q -DskipTests package -pl kernel -am)
  rm -f "$root/kernel/target/kernel.jsa"
fi

echo "== the output checker on crafted notebooks"
if ! "$py" "$root/tools/grading/test_check_ijava_outputs.py" >"$work/checker.log" 2>&1; then
  cat "$work/checker.log" >&2; echo "the output checker's tests FAILED" >&2; exit 1
fi
tail -1 "$work/checker.log"

echo "== ijava-setup.sh: the two settings"
"$here/ijava-setup.sh" --skip-build >"$work/settings" 2>"$work/setup.log" || { cat "$work/setup.log" >&2; echo "ijava-setup.sh FAILED" >&2; exit 1; }
if [[ "$(grep -c '^export IJAVA_CLASSPATH=\|^export IJAVA_STARTUP_SCRIPTS_PATH=' "$work/settings")" != 2 \
      || "$(wc -l <"$work/settings")" != 2 ]]; then
  cat "$work/settings" >&2; echo "ijava-setup.sh printed something else than the two settings" >&2; exit 1
fi
IJAVA_CLASSPATH="" IJAVA_STARTUP_SCRIPTS_PATH=""
# shellcheck disable=SC1090
source "$work/settings"
bad=0
IFS=: read -r -a entries <<<"$IJAVA_CLASSPATH"
for entry in "${entries[@]}"; do
  case "$entry" in
    */gptcourse-kernel*|*/kernel-lib/*) echo "IJAVA_CLASSPATH names the course kernel: $entry" >&2; bad=1 ;;
    */jupyter-jvm-basekernel-*) echo "IJAVA_CLASSPATH names the base library IJava brings itself: $entry" >&2; bad=1 ;;
  esac
  [[ -f "$entry" && -r "$entry" ]] || { echo "IJAVA_CLASSPATH entry is not a readable file: $entry" >&2; bad=1; }
done
[[ -r "$IJAVA_STARTUP_SCRIPTS_PATH" ]] || { echo "IJAVA_STARTUP_SCRIPTS_PATH is not readable: $IJAVA_STARTUP_SCRIPTS_PATH" >&2; bad=1; }
[[ "${entries[0]}" == */lib/target/gptcourse-lib-*.jar ]] || { echo "IJAVA_CLASSPATH does not start with the library jar" >&2; bad=1; }
[[ $bad -eq 0 ]] || exit 1
echo "IJAVA_CLASSPATH: ${#entries[@]} jars; IJAVA_STARTUP_SCRIPTS_PATH: ${IJAVA_STARTUP_SCRIPTS_PATH#"$root"/}"

echo "== jshell with IJAVA_CLASSPATH only: the startup script and the library's charts and tables"
basekernel=""
for jar in "$root"/kernel/target/kernel-lib/jupyter-jvm-basekernel-*.jar; do [[ -f "$jar" ]] && basekernel="$jar"; done
[[ -n "$basekernel" ]] || { echo "test-ijava.sh: kernel/target/kernel-lib lacks jupyter-jvm-basekernel; build first" >&2; exit 1; }
cat >"$work/probe.jsh" <<'JSH'
var renderer = new io.github.spencerpark.jupyter.kernel.display.Renderer();
XYChart probeChart = new XYChart(300, 200);
probeChart.addSeries("loss", new double[] {1, 2, 3}, new double[] {3, 2, 1.5});
Table probeTable = Table.create("probe", StringColumn.create("part", "embed", "unembed"), IntColumn.create("n", 1, 2));
var chartShown = renderer.render(gptcourse.notebook.Outputs.chart(probeChart));
var tableShown = renderer.render(gptcourse.notebook.Outputs.table(probeTable, 10));
System.out.println("PROBE chart image/png: " + chartShown.hasDataForType(io.github.spencerpark.jupyter.kernel.display.mime.MIMEType.IMAGE_PNG));
System.out.println("PROBE table text/html: " + tableShown.hasDataForType(io.github.spencerpark.jupyter.kernel.display.mime.MIMEType.TEXT_HTML));
boolean kernelVisible;
try { Class.forName("gptcourse.kernel.Display"); kernelVisible = true; } catch (ClassNotFoundException e) { kernelVisible = false; }
System.out.println("PROBE course kernel visible: " + kernelVisible);
/exit
JSH
# The startup script's snippets must all compile: jshell reports a failing one as "Error:" (a
# failing probe line as "|  Error:").
if ! timeout 300 "$jshell" -q --class-path "$IJAVA_CLASSPATH:$basekernel" -R-Djava.awt.headless=true \
    --startup DEFAULT --startup "$IJAVA_STARTUP_SCRIPTS_PATH" "$work/probe.jsh" >"$work/jshell.log" 2>&1 </dev/null; then
  cat "$work/jshell.log" >&2; echo "jshell FAILED" >&2; exit 1
fi
want=$'PROBE chart image/png: true\nPROBE table text/html: true\nPROBE course kernel visible: false'
if grep -q 'Error:\|Exception' "$work/jshell.log" || [[ "$(grep '^PROBE' "$work/jshell.log")" != "$want" ]]; then
  cat "$work/jshell.log" >&2; echo "jshell with the IJava settings FAILED (above)" >&2; exit 1
fi
grep '^PROBE' "$work/jshell.log" | sed 's/^PROBE /  /'

if [[ $run_notebooks -eq 0 ]]; then
  echo "test-ijava.sh: the IJava setup passed (notebooks not run: --skip-notebooks)"
  exit 0
fi

echo "== notebooks in the kernel's IJava-only mode, executed with GPTCOURSE_CI=1"
export JUPYTER_PATH="$work/prefix/share/jupyter" JUPYTER_RUNTIME_DIR="$work/runtime" JUPYTER_CONFIG_DIR="$work/config"
export GPTCOURSE_CI=1 HF_HUB_OFFLINE=1 GPTCOURSE_CACHE="$work/cache" GPTCOURSE_RUNS_DIR="$work/runs"
export GPTCOURSE_IJAVA_ONLY=1 IJAVA_CLASSPATH IJAVA_STARTUP_SCRIPTS_PATH
kernel="java-gptcourse-ijava-test"
"$here/install-kernel.sh" --prefix "$work/prefix" --name "$kernel" --skip-build >/dev/null
mkdir -p "$work/executed"
shopt -s nullglob
ran=0
for nb in "$notebooks"/*.ipynb; do
  name="$(basename "$nb")"
  start=$SECONDS
  # allow_errors: a cell that fails on IJava is reported by the checker with the others, not alone.
  if ! (cd "$work/executed" && "$py" -m nbconvert --to notebook --execute --ExecutePreprocessor.kernel_name="$kernel" \
      --ExecutePreprocessor.timeout=600 --ExecutePreprocessor.allow_errors=True \
      --output-dir "$work/executed" --output "$name" "$nb" >"$work/nbconvert.log" 2>&1); then
    quiet <"$work/nbconvert.log" | tail -30
    echo "$name: execution FAILED" >&2
    exit 1
  fi
  ran=$((ran + 1))
  echo "$name: ran in $((SECONDS - start)) s"
done
[[ $ran -gt 0 ]] || { echo "test-ijava.sh: no notebooks in $notebooks" >&2; exit 1; }
"$py" "$root/tools/grading/check_ijava_outputs.py" "$work/executed"
echo "== the notebooks' output checks (tools/grading/check_notebooks.py) on the IJava-only outputs"
"$py" "$root/tools/grading/check_notebooks.py" "$work/executed" 2>&1
echo "test-ijava.sh: the IJava setup and the notebooks' outputs in IJava-only mode passed"
