#!/usr/bin/env bash
# Runs the course in a real browser, as a student would: headless Chromium (Debian's
# /usr/bin/chromium, driven with playwright-core from npm) opens the student copies with the
# exercises solved (each solution cell taken from the instructor copy by its nbgrader grade_id,
# browser-test/fill_solutions.py) and runs them, first in JupyterLab, then in the classic Notebook
# (the launch command's last fallback):
#
#   JupyterLab 3.6 (the course's build, environment/jupyterlab/, served by Debian's jupyter-server):
#     browser-test/lab-features.ipynb cell by cell with the toolbar (a live chart and a progress bar
#     redrawn in place, a table, an image, a hint, a compile error and a runtime error shown
#     readably, a running cell stopped with the toolbar's interrupt button and the next cell run),
#     then each notebook with Run > Run All Cells (browser-test/run-lab.js);
#   classic Notebook 6: each notebook with Cell > Run All (browser-test/run-notebook.js).
#
# Each checks that every cell ran with no error or stack trace shown, hints (<details>) open and
# close on clicks, and images and tables rendered. Servers listen on 127.0.0.1 (random port,
# generated token) in a temporary copy; the notebooks run with GPTCOURSE_CI=1 (the smallest run
# setting), the stand-in stories and runs kept in the temporary folder. Screenshots go to
# target/browser-test/{lab,classic}/. Prints one PASS/FAIL line per front end.
#
#   environment/test-browser.sh [--frontend lab|classic|both] [--notebook PATH]... [--skip-build]
#                               [--timeout SECONDS] [--lab-cache DIR]
#
# --notebook runs the given notebooks as they are instead of the solved student copies (repeatable).
# --timeout bounds each notebook (default 1200 s: generous, for a loaded machine). --lab-cache is
# build.sh's --cache. Installs Chromium, Node.js and npm with apt if missing (install-packages.sh
# --browser). Stops every process it started, whatever happens.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
py="${PYTHON:-/usr/bin/python3}"
frontends=(lab classic)
notebooks=()
build=1
timeout=1200
lab_cache=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --frontend)
      case "${2:-}" in
        lab) frontends=(lab) ;; classic) frontends=(classic) ;; both) frontends=(lab classic) ;;
        *) echo "test-browser.sh: --frontend must be lab, classic or both, got '${2:-}'" >&2; exit 2 ;;
      esac
      shift 2 ;;
    --notebook) notebooks+=("${2:?--notebook needs a path}"); shift 2 ;;
    --skip-build) build=0; shift ;;
    --timeout) timeout="${2:?--timeout needs seconds}"; shift 2 ;;
    --lab-cache) lab_cache=(--cache "${2:?--lab-cache needs a folder}"); shift 2 ;;
    -h|--help) sed -n '2,28p' "$0"; exit 0 ;;
    *) echo "test-browser.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
done
[[ "$timeout" =~ ^[1-9][0-9]*$ ]] || { echo "test-browser.sh: --timeout must be a whole number of seconds, got '$timeout'" >&2; exit 2; }
for nb in "${notebooks[@]}"; do
  [[ -f "$nb" && "$nb" == *.ipynb ]] || { echo "test-browser.sh: notebook '$nb' does not exist (or is not a .ipynb file)" >&2; exit 2; }
done
started=$SECONDS

fail() { echo "test-browser: FAIL: $*"; exit 1; }

"$here/install-packages.sh" --browser
chromium_bin="${CHROMIUM:-/usr/bin/chromium}"
[[ -x "$chromium_bin" ]] || fail "no Chromium at $chromium_bin (set CHROMIUM to its path)"
for fe in "${frontends[@]}"; do
  if [[ $fe == classic ]]; then
    v="$("$py" -c 'import notebook; print(notebook.__version__)' 2>/dev/null || true)"
    [[ "$v" == 6.* ]] || fail "the classic test needs Notebook 6 on $py (found '${v:-none}'; Debian: apt-get install jupyter-notebook)"
  else
    "$py" -c 'import jupyter_server, jupyterlab_server' 2>/dev/null \
      || fail "the JupyterLab test needs jupyter-server and jupyterlab-server on $py (Debian: apt-get install jupyter-server python3-jupyterlab-server)"
  fi
done

(cd "$here/browser-test" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || fail "npm ci in environment/browser-test failed"
lab_build=""
if [[ " ${frontends[*]} " == *" lab "* ]]; then
  lab_build="$("$here/jupyterlab/build.sh" "${lab_cache[@]}" | tail -1)" || fail "building JupyterLab's front end failed (see above)"
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/gptcourse-browser-test.XXXXXX")"
server_pid=""
chrome_pid=""
node_pid=""
stop() { # stops a process group started with setsid: TERM, up to 10 s, then KILL
  local pid="$1"
  [[ -n "$pid" ]] || return 0
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 50); do
    kill -0 -- "-$pid" 2>/dev/null || kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.2
  done
  kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
}
cleanup() {
  local pid
  [[ -z "$node_pid" ]] || kill -TERM "$node_pid" 2>/dev/null || true
  stop "$chrome_pid"
  stop "$server_pid"
  # Kernels get a session of their own from Jupyter; the server shuts them down on exit, and any
  # left (server killed hard) are found by this run's unique connection-file folder in their arguments.
  for pid in $(pgrep -f -- "$work/runtime/" 2>/dev/null || true); do
    kill -KILL "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export JUPYTER_PATH="$work/prefix/share/jupyter"
export JUPYTER_DATA_DIR="$work/data"
export JUPYTER_CONFIG_DIR="$work/config"
export JUPYTER_RUNTIME_DIR="$work/runtime"
# GPTCOURSE_CI=1: the course notebooks' smallest run setting (their QUICK_RUN cell reads it), so the
# test checks the UI, not the CPU; the stand-in stories (no download) and runs in the temporary folder.
export GPTCOURSE_CI="${GPTCOURSE_CI:-1}" HF_HUB_OFFLINE=1 GPTCOURSE_CACHE="$work/cache" GPTCOURSE_RUNS_DIR="$work/runs"
install_args=(--prefix "$work/prefix" --name java-gptcourse)
[[ $build -eq 1 ]] || install_args+=(--skip-build)
"$here/install-kernel.sh" "${install_args[@]}" >"$work/install.log" 2>&1 \
  || { tail -20 "$work/install.log"; fail "installing the kernel failed"; }

# The notebooks, in a folder of their own so that the run never changes the repository's.
mkdir -p "$work/nb"
names=()
if [[ ${#notebooks[@]} -gt 0 ]]; then
  for nb in "${notebooks[@]}"; do
    cp "$nb" "$work/nb/"
    names+=("$(basename "$nb")")
  done
else
  "$py" "$here/browser-test/test_fill_solutions.py" >"$work/fill-test.log" 2>&1 \
    || { tail -30 "$work/fill-test.log"; fail "fill_solutions.py's own tests failed"; }
  "$py" "$here/browser-test/fill_solutions.py" "$root/notebooks/student" "$root/notebooks" "$work/nb" >"$work/fill.log" 2>&1 \
    || { cat "$work/fill.log"; fail "filling in the solutions failed"; }
  for nb in "$work/nb"/*.ipynb; do names+=("$(basename "$nb")"); done
fi
# What the notebooks load beside themselves (`%load setup.jsh`), from the folder they came from.
if [[ ${#notebooks[@]} -gt 0 ]]; then
  for nb in "${notebooks[@]}"; do cp "$(dirname "$nb")"/*.jsh "$work/nb/" 2>/dev/null || true; done
else
  cp "$root/notebooks/student"/*.jsh "$work/nb/"
fi
for name in "${names[@]}"; do
  kernel_name="$("$py" -c 'import json, sys; print(json.load(open(sys.argv[1]))["metadata"]["kernelspec"]["name"])' "$work/nb/$name" 2>/dev/null || true)"
  [[ "$kernel_name" == "java-gptcourse" ]] || fail "$name's kernelspec is '${kernel_name:-missing}', the course kernel is 'java-gptcourse'"
done
cp "$here/browser-test/lab-features.ipynb" "$work/nb/"

setsid "$chromium_bin" --headless --no-sandbox --disable-gpu --disable-background-networking \
  --disable-component-update --disable-sync --no-first-run --no-default-browser-check \
  --disable-dev-shm-usage --user-data-dir="$work/chrome" --remote-debugging-address=127.0.0.1 \
  --remote-debugging-port=0 --window-size=1280,900 about:blank >"$work/chromium.log" 2>&1 </dev/null &
chrome_pid=$!
# Chromium writes the port it chose for DevTools into the profile folder.
cdp_port=""
for _ in $(seq 100); do
  [[ -s "$work/chrome/DevToolsActivePort" ]] && cdp_port="$(head -1 "$work/chrome/DevToolsActivePort")" && [[ -n "$cdp_port" ]] && break
  kill -0 "$chrome_pid" 2>/dev/null || { tail -20 "$work/chromium.log"; fail "Chromium exited at start"; }
  sleep 0.2
done
[[ -n "$cdp_port" ]] || { tail -20 "$work/chromium.log"; fail "Chromium did not open its DevTools port within 20 s"; }

allow_root=()
[[ $(id -u) -ne 0 ]] || allow_root=(--allow-root)
status=0
for fe in "${frontends[@]}"; do
  fe_started=$SECONDS
  port="$("$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  token="$("$py" -c 'import secrets; print(secrets.token_hex(24))')"
  log="$work/$fe-server.log"
  if [[ $fe == lab ]]; then
    setsid "$py" "$here/jupyterlab/serve.py" --build "$lab_build" --no-browser --ip=127.0.0.1 --port="$port" \
      --port-retries=0 --ServerApp.token="$token" --ServerApp.root_dir="$work/nb" "${allow_root[@]}" >"$log" 2>&1 </dev/null &
  else
    setsid "$py" -m notebook --no-browser --ip=127.0.0.1 --port="$port" --port-retries=0 \
      --NotebookApp.token="$token" --notebook-dir="$work/nb" "${allow_root[@]}" >"$log" 2>&1 </dev/null &
  fi
  server_pid=$!
  up=0
  for _ in $(seq 240); do
    if "$py" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' \
        "http://127.0.0.1:$port/api/status?token=$token" 2>/dev/null; then up=1; break; fi
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.5
  done
  [[ $up -eq 1 ]] || { tail -20 "$log"; fail "the $fe server did not answer on port $port within 120 s"; }

  shots="$root/target/browser-test/$fe"
  rm -rf "$shots"
  mkdir -p "$shots"
  args=(--cdp "http://127.0.0.1:$cdp_port" --base "http://127.0.0.1:$port" --token "$token" --shots "$shots" --timeout "$timeout")
  # The course's notebooks together show images, tables and live outputs; notebooks of the user's choice need not.
  [[ ${#notebooks[@]} -eq 0 ]] || args+=(--expect-outputs no)
  if [[ $fe == lab ]]; then
    runner="$here/browser-test/run-lab.js"
    args+=(lab-features.ipynb:features "${names[@]}")
  else
    runner="$here/browser-test/run-notebook.js"
    args+=("${names[@]}")
  fi
  # In the background and waited for, so that an interrupt reaches the trap at once.
  node "$runner" "${args[@]}" >"$work/$fe-result.txt" 2>&1 &
  node_pid=$!
  set +e
  wait "$node_pid"
  rc=$?
  set -e
  node_pid=""
  result="$(cat "$work/$fe-result.txt")"
  echo "$result"
  text="$(printf '%s' "$result" | tail -1 | "$py" -c 'import json, sys; print(json.loads(sys.stdin.read())["text"])' 2>/dev/null \
    || echo "$(basename "$runner") printed no result")"
  stop "$server_pid"
  server_pid=""
  if [[ $rc -ne 0 ]]; then
    echo "--- $fe server log (last 30 lines)"; tail -30 "$log"
    echo "test-browser: FAIL $fe: $text"
    status=1
  else
    echo "test-browser: PASS $fe: $text; screenshots in ${shots#"$root"/}/ ($((SECONDS - fe_started)) s)"
  fi
done
echo "test-browser: $((SECONDS - started)) s in all"
exit $status
