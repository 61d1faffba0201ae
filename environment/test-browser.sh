#!/usr/bin/env bash
# Runs a course notebook in a real browser, as a student would: starts the classic Notebook on
# 127.0.0.1 (random port, generated token, a temporary copy of the notebook), opens it in headless
# Chromium (Debian's /usr/bin/chromium, driven by environment/browser-test/run-notebook.js with
# playwright-core from npm), clicks Cell > Run All, waits for the kernel to go idle with every cell
# numbered, and checks that a chart image and a table rendered with no error output. Saves a
# screenshot under target/browser-test/ and prints one PASS/FAIL line.
#
#   environment/test-browser.sh [--notebook PATH] [--skip-build] [--timeout SECONDS]
#
# PATH defaults to notebooks/04-loss-curve.ipynb (falling back, with a message, to
# environment/browser-test/smoke.ipynb while the course notebooks are not there). --timeout bounds
# Run All (default 180 s). Installs Chromium, Node.js and npm with apt if missing
# (install-packages.sh --browser); needs Debian's classic Notebook 6 (jupyter-notebook) on
# /usr/bin/python3 (or $PYTHON). Stops every process it started, whatever happens.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
py="${PYTHON:-/usr/bin/python3}"
default_nb="$root/notebooks/04-loss-curve.ipynb"
smoke_nb="$here/browser-test/smoke.ipynb"
notebook=""
build=1
timeout=180
while [[ $# -gt 0 ]]; do
  case "$1" in
    --notebook) notebook="${2:?--notebook needs a path}"; shift 2 ;;
    --skip-build) build=0; shift ;;
    --timeout) timeout="${2:?--timeout needs seconds}"; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "test-browser.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
done
[[ "$timeout" =~ ^[1-9][0-9]*$ ]] || { echo "test-browser.sh: --timeout must be a whole number of seconds, got '$timeout'" >&2; exit 2; }
if [[ -z "$notebook" ]]; then
  if [[ -f "$default_nb" ]]; then
    notebook="$default_nb"
  else
    echo "test-browser.sh: ${default_nb#"$root"/} is not there yet; running the smoke notebook ${smoke_nb#"$root"/} instead"
    notebook="$smoke_nb"
  fi
fi
[[ -f "$notebook" ]] || { echo "test-browser.sh: notebook '$notebook' does not exist" >&2; exit 2; }
notebook="$(cd "$(dirname "$notebook")" && pwd)/$(basename "$notebook")"
nb_name="$(basename "$notebook")"
started=$SECONDS

fail() { echo "test-browser: FAIL $nb_name: $*"; exit 1; }

"$here/install-packages.sh" --browser
chromium_bin="${CHROMIUM:-/usr/bin/chromium}"
[[ -x "$chromium_bin" ]] || fail "no Chromium at $chromium_bin (set CHROMIUM to its path)"
nb_version="$("$py" -c 'import notebook; print(notebook.__version__)' 2>/dev/null || true)"
[[ "$nb_version" == 6.* ]] || fail "needs the classic Notebook 6 on $py (found '${nb_version:-none}'; Debian: apt-get install jupyter-notebook)"

# The kernelspec the notebook asks for must be the one install-kernel.sh installs.
kernel_name="$("$py" -c 'import json, sys; print(json.load(open(sys.argv[1]))["metadata"]["kernelspec"]["name"])' "$notebook" 2>/dev/null || true)"
[[ "$kernel_name" == "java-gptcourse" ]] || fail "the notebook's kernelspec is '${kernel_name:-missing}', the course kernel is 'java-gptcourse'"

(cd "$here/browser-test" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || fail "npm ci in environment/browser-test failed"

work="$(mktemp -d "${TMPDIR:-/tmp}/gptcourse-browser-test.XXXXXX")"
nb_pid=""
chrome_pid=""
cleanup() {
  local pid
  # Each server and the browser runs in a session of its own: signal the whole group.
  for pid in "$chrome_pid" "$nb_pid"; do
    [[ -n "$pid" ]] && { kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true; }
  done
  for _ in $(seq 50); do
    alive=0
    for pid in "$chrome_pid" "$nb_pid"; do
      [[ -n "$pid" ]] && { kill -0 -- "-$pid" 2>/dev/null || kill -0 "$pid" 2>/dev/null; } && alive=1
    done
    [[ $alive -eq 1 ]] || break
    sleep 0.2
  done
  for pid in "$chrome_pid" "$nb_pid"; do
    [[ -n "$pid" ]] && { kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true; }
  done
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
install_args=(--prefix "$work/prefix" --name "$kernel_name")
[[ $build -eq 1 ]] || install_args+=(--skip-build)
"$here/install-kernel.sh" "${install_args[@]}" >"$work/install.log" 2>&1 \
  || { tail -20 "$work/install.log"; fail "installing the kernel failed"; }

# A copy of the notebook's folder, so the run never changes the repository's notebook and relative
# paths to files beside it still work.
mkdir -p "$work/nb"
tar -C "$(dirname "$notebook")" --exclude=node_modules --exclude=.ipynb_checkpoints -cf - . \
  | tar -C "$work/nb" -xf -

port="$("$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
token="$("$py" -c 'import secrets; print(secrets.token_hex(24))')"
allow_root=()
[[ $(id -u) -ne 0 ]] || allow_root=(--allow-root)
# GPTCOURSE_CI=1: the course notebooks' smallest run setting (their QUICK_RUN cell reads it), so the
# test checks the UI, not the CPU. Set GPTCOURSE_CI=0 to run the notebook as a student would.
GPTCOURSE_CI="${GPTCOURSE_CI:-1}" setsid "$py" -m notebook --no-browser --ip=127.0.0.1 --port="$port" --port-retries=0 \
  --NotebookApp.token="$token" --notebook-dir="$work/nb" "${allow_root[@]}" >"$work/notebook.log" 2>&1 </dev/null &
nb_pid=$!

setsid "$chromium_bin" --headless --no-sandbox --disable-gpu --disable-background-networking \
  --disable-component-update --disable-sync --no-first-run --no-default-browser-check \
  --disable-dev-shm-usage --user-data-dir="$work/chrome" --remote-debugging-address=127.0.0.1 \
  --remote-debugging-port=0 --window-size=1280,900 about:blank >"$work/chromium.log" 2>&1 </dev/null &
chrome_pid=$!

for _ in $(seq 120); do
  "$py" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' \
    "http://127.0.0.1:$port/api/status?token=$token" 2>/dev/null && break
  kill -0 "$nb_pid" 2>/dev/null || { tail -20 "$work/notebook.log"; fail "the Notebook server exited at start"; }
  sleep 0.5
done
"$py" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' \
  "http://127.0.0.1:$port/api/status?token=$token" 2>/dev/null || { tail -20 "$work/notebook.log"; fail "the Notebook server did not answer on port $port within 60 s"; }

# Chromium writes the port it chose for DevTools into the profile folder.
cdp_port=""
for _ in $(seq 100); do
  [[ -s "$work/chrome/DevToolsActivePort" ]] && cdp_port="$(head -1 "$work/chrome/DevToolsActivePort")" && [[ -n "$cdp_port" ]] && break
  kill -0 "$chrome_pid" 2>/dev/null || { tail -20 "$work/chromium.log"; fail "Chromium exited at start"; }
  sleep 0.2
done
[[ -n "$cdp_port" ]] || { tail -20 "$work/chromium.log"; fail "Chromium did not open its DevTools port within 20 s"; }

shots="$root/target/browser-test"
mkdir -p "$shots"
shot="$shots/${nb_name%.ipynb}.png"
rm -f "$shot"
set +e
result="$(node "$here/browser-test/run-notebook.js" --cdp "http://127.0.0.1:$cdp_port" \
  --url "http://127.0.0.1:$port/notebooks/$("$py" -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$nb_name")?token=$token" --screenshot "$shot" --timeout "$timeout")"
status=$?
set -e
echo "$result"
text="$(printf '%s' "$result" | "$py" -c 'import json, sys; print(json.loads(sys.stdin.read().strip().splitlines()[-1])["text"])' 2>/dev/null \
  || echo "run-notebook.js printed no result")"
if [[ $status -ne 0 ]]; then
  echo "--- Notebook server log (last 30 lines)"; tail -30 "$work/notebook.log"
  fail "$text"
fi
echo "test-browser: PASS $nb_name: $text; screenshot ${shot#"$root"/} ($((SECONDS - started)) s)"
