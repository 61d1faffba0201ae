#!/usr/bin/env bash
# Tests the launch command, environment/start-course.sh (part of test-all.sh):
#   1. its options, with --dry-run (nothing installed or started): the student copies by default,
#      --instructor for notebooks/, a missing or mistyped folder refused, careless options refused,
#      the warning when run as root (and none for an ordinary user, when this runs as root and can
#      switch to one), the classic Notebook as the last fallback with the reason said;
#   2. a real launch of the course's JupyterLab build (--frontend built --skip-build) on a random
#      port in a temporary Jupyter home: it prints a URL with a token, /lab answers with JupyterLab
#      3.6's page, the API refuses requests without the token and offers the course kernel. The time
#      from the command to the first answer is printed ("launch time").
# Options: --skip-launch (only part 1). Needs the kernel built (test-all.sh builds it first).
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
py=/usr/bin/python3
launch=1
case "${1:-}" in
  --skip-launch) launch=0 ;;
  "") ;;
  *) echo "test-start-course.sh: unknown option '$1' (accepted: --skip-launch)" >&2; exit 2 ;;
esac
cmd="$here/start-course.sh"
passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok   $1"; }
bad() { failed=$((failed + 1)); echo "FAIL $1"; }

# expect NAME WANT_RC PATTERN_IN_OUTPUT [NOT_PATTERN] -- ARGS...
expect() {
  local name="$1" want="$2" pattern="$3" not="$4"
  shift 5
  local out rc
  out="$("$@" 2>&1)"
  rc=$?
  if [[ $rc -ne $want ]]; then bad "$name: exit $rc, wanted $want: $out"; return; fi
  if ! grep -qE -- "$pattern" <<<"$out"; then bad "$name: no /$pattern/ in: $out"; return; fi
  if [[ -n "$not" ]] && grep -qE -- "$not" <<<"$out"; then bad "$name: /$not/ in: $out"; return; fi
  ok "$name"
}

echo "== start-course.sh options (--dry-run)"
expect "--help names --instructor and the student copies" 0 'notebooks/student/.*' '' -- "$cmd" --help
expect "--help says --instructor opens notebooks/" 0 '--instructor +open the instructor copies in notebooks/' '' -- "$cmd" --help
expect "default: the student copies" 0 "would open $root/notebooks/student with" '' -- "$cmd" --dry-run
expect "--instructor: the instructor copies" 0 "would open $root/notebooks with" '' -- "$cmd" --instructor --dry-run
expect "a folder given" 0 "would open $root/environment/browser-test with" '' -- "$cmd" "$root/environment/browser-test" --dry-run
expect "a mistyped folder is refused" 2 "the folder 'notebooks/studnet' does not exist" 'would open' -- "$cmd" notebooks/studnet --dry-run
expect "a file is not a folder" 2 "is not a folder" 'would open' -- "$cmd" "$root/README.md" --dry-run
expect "a folder and --instructor" 2 "not both" 'would open' -- "$cmd" "$root/notebooks" --instructor --dry-run
expect "two folders" 2 "one folder only" 'would open' -- "$cmd" "$root/notebooks" "$root/notebooks/student" --dry-run
expect "an unknown option" 2 "unknown option '--instuctor'" 'would open' -- "$cmd" --instuctor --dry-run
expect "--port with letters" 2 "--port needs a number" 'would open' -- "$cmd" --port 88a8 --dry-run
expect "--port out of range" 2 "--port needs a number" 'would open' -- "$cmd" --port 70000 --dry-run
expect "--port without a value" 2 "--port needs a number" 'would open' -- "$cmd" --port
expect "--frontend unknown" 2 "--frontend must be" 'would open' -- "$cmd" --frontend lab4 --dry-run
expect "--frontend classic" 0 "with the classic Notebook" '' -- "$cmd" --frontend classic --dry-run
if "$py" -c 'import jupyter_server, jupyterlab_server' 2>/dev/null; then
  expect "--frontend built" 0 "with the course's JupyterLab 3.6 build" '' -- "$cmd" --frontend built --dry-run
fi
# A Python without Debian's server packages (no site-packages): the build cannot be served, and the
# classic Notebook is chosen with the reason said. (Where a JupyterLab is installed, auto takes it.)
fake="$(mktemp -d "${TMPDIR:-/tmp}/gptcourse-start-test.XXXXXX")"
trap 'rm -rf "$fake"' EXIT
printf '#!/bin/sh\nexec /usr/bin/python3 -S "$@"\n' >"$fake/python3"
chmod +x "$fake/python3"
if ! jupyter lab --version >/dev/null 2>&1 && ! /usr/bin/jupyter lab --version >/dev/null 2>&1; then
  expect "no server packages: classic, saying why" 0 "cannot serve the course's JupyterLab build: .*lacks jupyter_server" '' \
    -- env GPTCOURSE_PYTHON="$fake/python3" "$cmd" --dry-run
fi
expect "--frontend built without the server packages" 1 "--frontend built: .*lacks jupyter_server" 'would open' \
  -- env GPTCOURSE_PYTHON="$fake/python3" "$cmd" --frontend built --dry-run
if [[ $(id -u) -eq 0 ]]; then
  expect "as root: a warning and --allow-root" 0 'WARNING: running as root.*' '' -- "$cmd" --dry-run
  expect "as root: the dry run says --allow-root" 0 'with --allow-root' '' -- "$cmd" --dry-run
  if command -v setpriv >/dev/null && setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$cmd" 2>/dev/null; then
    expect "an ordinary user: no warning, no --allow-root" 0 "would open" 'WARNING|allow-root' \
      -- setpriv --reuid=65534 --regid=65534 --clear-groups env HOME="$fake" "$cmd" --dry-run
  else
    echo "skip an ordinary user's run (cannot switch to uid 65534 with access to $root)"
  fi
else
  expect "an ordinary user: no warning, no --allow-root" 0 "would open" 'WARNING|allow-root' -- "$cmd" --dry-run
fi

if [[ $launch -eq 1 ]]; then
  echo "== start-course.sh --frontend built: a real launch"
  if ! "$py" -c 'import jupyter_server, jupyterlab_server' 2>/dev/null; then
    bad "launch: $py lacks jupyter_server/jupyterlab_server (apt-get install jupyter-server python3-jupyterlab-server)"
  else
    # The build first (cached after the first time), so that the launch time below is a launch's.
    "$here/jupyterlab/build.sh" --quiet >/dev/null || bad "launch: environment/jupyterlab/build.sh failed"
    home="$fake/home"
    mkdir -p "$home"
    port="$("$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    started=$SECONDS
    JUPYTER_DATA_DIR="$home/data" JUPYTER_CONFIG_DIR="$home/config" JUPYTER_RUNTIME_DIR="$home/runtime" \
      setsid "$cmd" --frontend built --skip-build --no-browser --port "$port" >"$fake/launch.log" 2>&1 </dev/null &
    pid=$!
    url=""
    for _ in $(seq 600); do
      url="$(grep -oE "http://127\.0\.0\.1:$port/lab\?token=[0-9a-f]+" "$fake/launch.log" | head -1)"
      [[ -n "$url" ]] && break
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.5
    done
    if [[ -z "$url" ]]; then
      bad "launch: no http://127.0.0.1:$port/lab?token=... URL printed: $(tail -15 "$fake/launch.log")"
    else
      token="${url##*token=}"
      page="$(curl -sf --max-time 60 "$url")"
      seconds=$((SECONDS - started))
      if grep -q '"appVersion": "3.6' <<<"$page" && grep -q 'bundle.js' <<<"$page"; then ok "launch: /lab serves JupyterLab 3.6's page"; else bad "launch: /lab did not serve JupyterLab 3.6's page"; fi
      code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 "http://127.0.0.1:$port/api/kernelspecs")"
      if [[ "$code" == 403 || "$code" == 401 ]]; then ok "launch: the API refuses a request without the token ($code)"; else bad "launch: the API answered $code without the token"; fi
      if curl -sf --max-time 30 -H "Authorization: token $token" "http://127.0.0.1:$port/api/kernelspecs" | grep -q '"java-gptcourse"'; then
        ok "launch: the course kernel is offered"
      else
        bad "launch: the course kernel is not offered"
      fi
      if ss -ltn 2>/dev/null | grep -q "127.0.0.1:$port "; then ok "launch: listening on 127.0.0.1"; else bad "launch: not listening on 127.0.0.1:$port"; fi
      echo "launch time (command to first answer, kernel and front end already built): ${seconds} s"
    fi
    kill -TERM -- "-$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 -- "-$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
fi

echo "test-start-course: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
