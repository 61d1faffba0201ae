#!/usr/bin/env bash
# End-to-end test of the Java kernel with a real Jupyter (exits non-zero on any failure):
#   1. builds the kernel module (unless --skip-build) and installs its kernelspec into a temporary prefix;
#   2. runs Jupyter's kernel conformance suite (jupyter_kernel_test) plus protocol checks
#      (interrupt, restart, bad signatures, bind address, crashes): kernel/src/test/python/test_conformance.py;
#   3. printed output, tracebacks and IJava's API through jupyter_client, nbclient and a classic Notebook
#      server: kernel/src/test/python/test_output.py, test_tracebacks.py, test_clients.py, test_ijava_api.py,
#      test_process.py
#      (100,000 lines complete and in order, a thread's output in its cell, a traceback per case, each
#      IJava magic against a Maven repository folder the test makes: no network);
#   4. executes kernel/src/test/notebooks/kernel-features.ipynb with `nbconvert --execute` and checks
#      its outputs: kernel/src/test/python/check_feature_notebook.py.
# Options: --skip-build   --bench N (also start the kernel N times: all must succeed, each under 3 s)
# Needs Debian's jupyter-nbconvert python3-nbclient jupyter-client python3-jupyter-kernel-test
# (they run on /usr/bin/python3; set PYTHON to use another interpreter that has them).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
py="${PYTHON:-/usr/bin/python3}"
build=1
bench=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --skip-build) build=0; shift ;;
    --bench) bench="$2"; shift 2 ;;
    *) echo "test-kernel.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
done

if ! "$py" -c "import jupyter_kernel_test, nbclient, nbconvert, PIL" 2>/dev/null; then
  echo "test-kernel.sh: $py lacks Jupyter's test tools. On Debian:" >&2
  echo "  sudo apt-get install jupyter-nbconvert python3-nbclient jupyter-client python3-jupyter-kernel-test python3-pil" >&2
  exit 1
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/gptcourse-kernel-test.XXXXXX")"
trap 'rm -rf "$work"' EXIT
export JUPYTER_PATH="$work/prefix/share/jupyter"
export JUPYTER_RUNTIME_DIR="$work/runtime"
export JUPYTER_CONFIG_DIR="$work/config"
export GPTCOURSE_KERNEL_NAME="java-gptcourse-test"

if [[ $build -eq 1 ]]; then
  echo "== build"
  (cd "$root" && mvn -B -q -DskipTests package -pl kernel -am)
  rm -f "$root/kernel/target/kernel.jsa"  # remade for the new jars by install-kernel.sh
fi
"$here/install-kernel.sh" --prefix "$work/prefix" --name "$GPTCOURSE_KERNEL_NAME" --skip-build

echo "== conformance suite and protocol checks"
if ! (cd "$root/kernel/src/test/python" && "$py" -m unittest -v test_conformance 2>&1); then
  echo "conformance: FAILED" >&2; exit 1
fi

echo "== output, tracebacks and IJava's API (jupyter_client, nbclient, classic Notebook server)"
if ! (cd "$root/kernel/src/test/python" && "$py" -m unittest -v test_output test_tracebacks test_clients test_ijava_api test_process 2>&1); then
  echo "output, tracebacks, IJava API: FAILED" >&2; exit 1
fi

echo "== feature notebook (nbconvert --execute)"
nb="$work/nb"
mkdir -p "$nb/fixtures/src/greet" "$nb/fixtures/classes" "$nb/fixtures/envcp" "$nb/fixtures/hello"
cat > "$nb/fixtures/src/greet/Hello.java" <<'JAVA'
package greet;
public class Hello { public String greet(String who) { return "hello, " + who; } }
JAVA
cat > "$nb/fixtures/src/greet/Other.java" <<'JAVA'
package greet;
public class Other { public String name() { return "other"; } }
JAVA
mkdir -p "$nb/fixtures/src/envcp"
cat > "$nb/fixtures/src/envcp/FromEnv.java" <<'JAVA'
package envcp;
public class FromEnv { public String value() { return "from IJAVA_CLASSPATH"; } }
JAVA
javac -d "$nb/fixtures/hello" "$nb/fixtures/src/greet/Hello.java"
(cd "$nb/fixtures/hello" && jar cf ../hello.jar greet)
javac -d "$nb/fixtures/classes" "$nb/fixtures/src/greet/Other.java"
javac -d "$nb/fixtures/envcp" "$nb/fixtures/src/envcp/FromEnv.java"
printf 'int helper(int x) {\n    return x + 22;\n}\n' > "$nb/fixtures/helper.jsh"
printf 'String fromStartupFile() {\n    return "from startup file";\n}\n' > "$nb/fixtures/startup.jsh"
cp "$root/kernel/src/test/notebooks/kernel-features.ipynb" "$nb/"
# GPTCOURSE_MAVEN_CENTRAL on a closed port: %maven must work from the local cache and fail clearly for the rest.
if ! (cd "$nb" && GPTCOURSE_MAVEN_CENTRAL=http://127.0.0.1:9/maven2/ IJAVA_TIMEOUT=20000 IJAVA_STARTUP_SCRIPT='int startupValue = 41;' \
  IJAVA_STARTUP_SCRIPTS_PATH="$nb/fixtures/startup.jsh" IJAVA_CLASSPATH="$nb/fixtures/envcp" \
  "$py" -m nbconvert --to notebook --execute --ExecutePreprocessor.kernel_name="$GPTCOURSE_KERNEL_NAME" \
  --ExecutePreprocessor.timeout=180 --output executed.ipynb kernel-features.ipynb 2>&1); then
  echo "feature notebook: execution FAILED" >&2; exit 1
fi
"$py" "$root/kernel/src/test/python/check_feature_notebook.py" "$nb/executed.ipynb" -v

echo "== live training outputs (chart and progress bar redrawn in place)"
if ! (cd "$root/kernel/src/test/python" && "$py" check_live_training.py 2>&1); then
  echo "live training outputs: FAILED" >&2; exit 1
fi

if [[ "$bench" -gt 0 ]]; then
  echo "== kernel start benchmark ($bench starts)"
  "$py" "$root/kernel/src/test/python/bench_start.py" --runs "$bench" --max-seconds 3 --kernel "$GPTCOURSE_KERNEL_NAME"
fi
echo "test-kernel.sh: all kernel tests passed"
