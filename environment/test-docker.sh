#!/usr/bin/env bash
# Builds and runs the course's Docker image (docker/Dockerfile) with Podman, the way a student runs
# it with Docker, and tests it in a browser. For machines without a Docker engine: Debian's podman,
# buildah and runc (apt-installed if missing), as root.
#
#   sudo environment/test-docker.sh [--fresh-base] [--keep] [--no-cache] [--edit-source] [--quick-run]
#                                   [--dir DIR] [--build-timeout S] [--timeout S]
#
#   --no-cache     build every layer again (a cold build; the base image is still the imported one)
#   --edit-source  change one line of the library's source in the build context first: the build then
#                  shows what a rebuild after a source edit costs (the layers before the sources cached)
#   --quick-run    run notebook 03 with its own QUICK_RUN settings instead of GPTCOURSE_CI=1 (the
#                  memory figure after the quick training run)
#
# 1. The base image: no registry is reachable here, so a Debian 12 root filesystem made by
#    debootstrap (the same cached tarball as test-fresh-debian.sh: DIR/bookworm-base.tar, default
#    DIR /var/tmp/gptcourse-fresh-debian) is imported as debian:bookworm-slim, the Dockerfile's FROM.
# 2. `podman build --format docker --isolation chroot` (Docker's image format, which keeps SHELL) of the repository's HEAD (a clean export, so the build sees
#    what a clone sees); the build and its time go to the log.
# 3. `podman run` with the port published on the host's 127.0.0.1 only, resource limits no higher
#    than this machine's (read with ulimit), GPTCOURSE_CI=1 (the notebooks' smallest run setting);
#    waits for the tokened URL in the container's log.
# 4. Checks: the server answers the token (and refuses a request without it), runs as uid 1000,
#    listens on 127.0.0.1 of the host and nowhere else; headless Chromium runs notebook 03 (the
#    student copy with the solutions filled in) in the container's JupyterLab, with the live chart
#    and progress bar redrawn in place (environment/browser-test/run-lab.js); the container's
#    memory after that run.
# 5. Stops and removes the container and the image it built (--keep leaves the image).
# Prints one PASS/FAIL line; logs in DIR/docker-logs-*. Not part of test-all.sh: a cold build
# downloads the JDK, Maven's and npm's packages (see the README for its times).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
py=/usr/bin/python3
dir=/var/tmp/gptcourse-fresh-debian
fresh_base=0
keep=0
no_cache=0
edit_source=0
quick_run=0
build_timeout=5400
timeout=1800
while [[ $# -gt 0 ]]; do
  case "$1" in
    --fresh-base) fresh_base=1; shift ;;
    --keep) keep=1; shift ;;
    --no-cache) no_cache=1; shift ;;
    --edit-source) edit_source=1; shift ;;
    --quick-run) quick_run=1; shift ;;
    --dir) dir="${2:?--dir needs a folder}"; shift 2 ;;
    --build-timeout) build_timeout="${2:?--build-timeout needs seconds}"; shift 2 ;;
    --timeout) timeout="${2:?--timeout needs seconds}"; shift 2 ;;
    -h|--help) sed -n '2,31p' "$0"; exit 0 ;;
    *) echo "test-docker.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
done
for t in "$build_timeout" "$timeout"; do
  [[ "$t" =~ ^[1-9][0-9]*$ ]] || { echo "test-docker.sh: a timeout must be a whole number of seconds, got '$t'" >&2; exit 2; }
done
[[ $(id -u) -eq 0 ]] || { echo "test-docker.sh: needs root for podman and debootstrap (run it with sudo)" >&2; exit 2; }

mkdir -p "$dir"
dir="$(cd "$dir" && pwd -P)"
base="$dir/bookworm-base.tar"
logs="$dir/docker-logs-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$logs"
started=$SECONDS
tag="localhost/gptcourse-test:$$"
name="gptcourse-test-$$"
work="$(mktemp -d "${TMPDIR:-/tmp}/gptcourse-docker-test.XXXXXX")"
chrome_pid=""

fail() { echo "test-docker: FAIL $* (logs: $logs; $(( (SECONDS - started) / 60 )) min)"; exit 1; }
step() { echo "== $(date +%H:%M:%S) $*"; }
cleanup() {
  [[ -z "$chrome_pid" ]] || kill -KILL -- "-$chrome_pid" 2>/dev/null || true
  podman rm -f -t 5 "$name" >/dev/null 2>&1 || true
  [[ $keep -eq 1 ]] || podman rmi -f "$tag" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

need=()
for c in podman buildah runc debootstrap; do command -v "$c" >/dev/null || need+=("$c"); done
if [[ ${#need[@]} -gt 0 ]]; then
  step "installing ${need[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" >"$logs/apt.log" 2>&1 </dev/null \
    || { tail -20 "$logs/apt.log"; fail "installing ${need[*]}"; }
fi
"$here/install-packages.sh" --browser >"$logs/browser-packages.log" 2>&1 || { tail -20 "$logs/browser-packages.log"; fail "installing Chromium and Node.js"; }
(cd "$here/browser-test" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || fail "npm ci in environment/browser-test"

# ---- 1. the base image
if [[ $fresh_base -eq 1 || ! -s "$base" ]]; then
  mirror="$(sed -n 's/^URIs: *\(\S*\/debian\)$/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)"
  step "debootstrap bookworm from ${mirror:=http://deb.debian.org/debian} (log: $logs/debootstrap.log)"
  rm -rf --one-file-system "$dir/rootfs.new"
  debootstrap --arch=amd64 bookworm "$dir/rootfs.new" "$mirror" >"$logs/debootstrap.log" 2>&1 \
    || { tail -20 "$logs/debootstrap.log"; fail "debootstrap"; }
  tar -C "$dir/rootfs.new" -cf "$base.tmp" . && mv "$base.tmp" "$base"
  rm -rf --one-file-system "$dir/rootfs.new"
fi
if ! podman image exists debian:bookworm-slim; then
  step "importing $base as debian:bookworm-slim"
  podman import "$base" debian:bookworm-slim >"$logs/import.log" 2>&1 || { cat "$logs/import.log"; fail "podman import"; }
fi

# ---- 2. the build, from a clean export of HEAD (what a clone holds)
mkdir -p "$work/context"
git -C "$root" archive --format=tar HEAD | tar -x -C "$work/context"
# This machine's own extra certificate authorities (a TLS-intercepting proxy's, say), so that npm and
# Maven inside the build trust what they trust here (docker/extra-ca/, see the Dockerfile).
cp /usr/local/share/ca-certificates/*.crt "$work/context/docker/extra-ca/" 2>/dev/null || true
if [[ $edit_source -eq 1 ]]; then
  edited="$work/context/lib/src/main/java/gptcourse/model/Config.java"
  echo "// a source edit by test-docker.sh --edit-source, $(date -u +%FT%TZ)" >>"$edited"
  step "edited ${edited#"$work/context/"}: a rebuild after a source edit"
fi
build_flags=()
[[ $no_cache -eq 1 ]] && build_flags+=(--no-cache)
run_env=(-e HF_HUB_OFFLINE=1)
[[ $quick_run -eq 1 ]] || run_env+=(-e GPTCOURSE_CI=1)
step "podman build (log: $logs/build.log)"
b0=$SECONDS
timeout "$build_timeout" podman build "${build_flags[@]}" --format docker --isolation chroot --network host -f docker/Dockerfile -t "$tag" "$work/context" \
  >"$logs/build.log" 2>&1 || { tail -30 "$logs/build.log"; fail "podman build (or it ran past ${build_timeout} s)"; }
build_s=$((SECONDS - b0))
size_mb="$(podman image inspect "$tag" --format '{{.Size}}' | awk '{ printf "%d", $1 / 1e6 }')"
step "built in ${build_s} s, image ${size_mb} MB"

# ---- 3. run it, published on 127.0.0.1 only, limits no higher than this machine allows
port="$("$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
nofile="$(ulimit -Hn)"; nproc="$(ulimit -Hu)"
[[ "$nofile" == unlimited ]] && nofile=1048576
[[ "$nproc" == unlimited ]] && nproc=65536
(( nofile > 20000 )) && nofile=20000
(( nproc > 4096 )) && nproc=4096
r0=$SECONDS
podman run -d --runtime runc --name "$name" --ulimit "nofile=$nofile:$nofile" --ulimit "nproc=$nproc:$nproc" \
  "${run_env[@]}" -p "127.0.0.1:$port:8888" "$tag" >"$logs/run.log" 2>&1 || { cat "$logs/run.log"; fail "podman run"; }
token=""
for _ in $(seq "$timeout"); do
  token="$(podman logs "$name" 2>&1 | sed -n 's/.*http:\/\/127\.0\.0\.1:8888\/lab?token=\([0-9a-f]*\).*/\1/p' | head -1)"
  [[ -n "$token" ]] && break
  [[ "$(podman inspect -f '{{.State.Running}}' "$name" 2>/dev/null)" == true ]] || break
  sleep 1
done
podman logs "$name" >"$logs/container.log" 2>&1 || true
[[ -n "$token" ]] || { tail -30 "$logs/container.log"; fail "no tokened URL in the container's log"; }
url_s=$((SECONDS - r0))
step "the server printed its URL after ${url_s} s; port $port on the host"

# ---- 4. checks
api="http://127.0.0.1:$port/api"
"$py" - "$api" "$token" <<'EOF' || fail "the server's answers (see above)"
import json, sys, urllib.error, urllib.request
api, token = sys.argv[1:]
status = json.load(urllib.request.urlopen(f"{api}/status?token={token}", timeout=30))
try:
    urllib.request.urlopen(f"{api}/contents", timeout=30)
    sys.exit("the server answered /api/contents without its token")
except urllib.error.HTTPError as e:
    if e.code not in (401, 403):
        sys.exit(f"without the token the server said {e.code}, expected 403")
specs = json.load(urllib.request.urlopen(f"{api}/kernelspecs?token={token}", timeout=30))["kernelspecs"]
if "java-gptcourse" not in specs:
    sys.exit(f"the course kernel is not offered; kernelspecs: {sorted(specs)}")
names = [c["name"] for c in json.load(urllib.request.urlopen(f"{api}/contents?token={token}", timeout=30))["content"]]
if "03-training-loop.ipynb" not in names:
    sys.exit(f"the server does not open the student copies; it shows {names}")
EOF
uid="$(podman exec "$name" awk '/^Uid:/ { print $2 }' /proc/1/status)"
[[ "$uid" == 1000 ]] || fail "the server runs as uid '$uid', expected 1000 (jovyan)"
listen="$(ss -Hltn "sport = :$port" | awk '{ print $4 }' | sort -u | tr '\n' ' ')"
[[ "$listen" == "127.0.0.1:$port " ]] || fail "port $port listens on '${listen}', expected 127.0.0.1 only"
for addr in $(hostname -I 2>/dev/null); do
  if "$py" -c 'import socket, sys; socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3)' "$addr" "$port" 2>/dev/null; then
    fail "the server answers on $addr:$port, not only on 127.0.0.1"
  fi
done

# Notebook 03 as a student hands it in: the student copy with the solutions filled in, copied into
# the container's student folder (owned by jovyan) under a name of its own.
"$py" "$here/browser-test/fill_solutions.py" "$root/notebooks/student" "$root/notebooks" "$work/nb" >"$logs/fill.log" 2>&1 \
  || { cat "$logs/fill.log"; fail "filling in the solutions"; }
podman cp "$work/nb/03-training-loop.ipynb" "$name:/home/jovyan/course/notebooks/student/03-solved.ipynb"
podman exec -u root "$name" chown 1000:1000 /home/jovyan/course/notebooks/student/03-solved.ipynb
setsid /usr/bin/chromium --headless=new --no-sandbox --disable-gpu --user-data-dir="$work/chrome" \
  --remote-debugging-port=0 --window-size=1280,900 about:blank >"$logs/chromium.log" 2>&1 </dev/null &
chrome_pid=$!
disown "$chrome_pid"   # stopped in cleanup; no job-control notice when it is killed
cdp_port=""
for _ in $(seq 100); do
  [[ -s "$work/chrome/DevToolsActivePort" ]] && cdp_port="$(head -1 "$work/chrome/DevToolsActivePort")" && [[ -n "$cdp_port" ]] && break
  sleep 0.2
done
[[ -n "$cdp_port" ]] || { tail -20 "$logs/chromium.log"; fail "Chromium did not open its DevTools port"; }
mkdir -p "$root/target/browser-test/docker"
step "running 03-solved.ipynb in the container's JupyterLab (headless Chromium)"
if ! node "$here/browser-test/run-lab.js" --cdp "http://127.0.0.1:$cdp_port" --base "http://127.0.0.1:$port" \
    --token "$token" --shots "$root/target/browser-test/docker" --timeout "$timeout" "03-solved.ipynb" \
    >"$logs/browser.log" 2>&1; then
  tail -5 "$logs/browser.log"; fail "the notebook in the container's JupyterLab"
fi
"$py" - "$logs/browser.log" <<'EOF' || fail "the live outputs (see above)"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
nb = [r for r in rows if r.get("name") == "03-solved.ipynb"]
if not nb or not nb[0].get("ok"):
    sys.exit(f"notebook 03 did not pass: {nb}")
last = rows[-1]
if not last.get("ok"):
    sys.exit(f"the browser run reported: {last.get('text')}")
print(last.get("text", ""))
EOF
mem="$(podman stats --no-stream --format '{{.MemUsage}}' "$name" 2>/dev/null || echo unknown)"
podman logs "$name" >"$logs/container.log" 2>&1 || true
echo "test-docker: PASS (image ${size_mb} MB, built in ${build_s} s, URL after ${url_s} s, memory after notebook 03 ($([[ $quick_run -eq 1 ]] && echo "QUICK_RUN" || echo "GPTCOURSE_CI=1")): ${mem}; logs: $logs; $(( (SECONDS - started) / 60 )) min)"
