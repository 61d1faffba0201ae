#!/usr/bin/env bash
# Proves the README's two commands on a fresh Debian 12 (bookworm), the closest this project gets to
# building its Docker image without a Docker engine. It debootstraps a root filesystem (kept as a
# tarball so that reruns start from the same untouched system in seconds; --fresh makes a new one),
# copies the repository's HEAD into /root/course (git archive: what a clone gets), and inside it
# with chroot runs:
#   1. launch: environment/start-course.sh --no-browser --port P, in the background; waits for the
#      URL it prints, checks that the URL answers and that the server offers the java-gptcourse
#      kernel, then stops it;
#   2. test:   .ci/run (the README's test command on a bare machine: apt-installs what the tests
#      need, then runs environment/test-all.sh), which must end with "N passed, 0 failed";
#   3. image:  the Maven steps of docker/Dockerfile as user jovyan (uid 1000): install-kernel.sh
#      --deps-only on the pom files into an empty Maven repository, then install-kernel.sh --prefix
#      offline (-o) on the whole checkout, which fails if the dependency layer missed anything;
#      then the smoke notebook is executed on that kernel as jovyan.
# Prints one PASS/FAIL line. Needs root (debootstrap, mount, chroot), network access to the Debian
# mirror, Maven Central and the npm registry, and 20-40 minutes; it is not part of test-all.sh.
#
#   sudo environment/test-fresh-debian.sh [--dir DIR] [--fresh] [--keep] [--mirror URL]
#                                         [--launch-timeout S] [--test-timeout S]
#
# DIR (default /var/tmp/gptcourse-fresh-debian) holds the base tarball, the root filesystem while it
# runs (removed afterwards unless --keep) and the logs of each step (logs-<time>/).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
dir="/var/tmp/gptcourse-fresh-debian"
fresh=0
keep=0
mirror=""
launch_timeout=1800
test_timeout=3600
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dir) dir="${2:?--dir needs a folder}"; shift 2 ;;
    --fresh) fresh=1; shift ;;
    --keep) keep=1; shift ;;
    --mirror) mirror="${2:?--mirror needs a URL}"; shift 2 ;;
    --launch-timeout) launch_timeout="${2:?--launch-timeout needs seconds}"; shift 2 ;;
    --test-timeout) test_timeout="${2:?--test-timeout needs seconds}"; shift 2 ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    *) echo "test-fresh-debian.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
done
for t in "$launch_timeout" "$test_timeout"; do
  [[ "$t" =~ ^[1-9][0-9]*$ ]] || { echo "test-fresh-debian.sh: a timeout must be a whole number of seconds, got '$t'" >&2; exit 2; }
done
[[ $(id -u) -eq 0 ]] || { echo "test-fresh-debian.sh: needs root for debootstrap, mount and chroot (run it with sudo)" >&2; exit 2; }

mkdir -p "$dir"
dir="$(cd "$dir" && pwd -P)"
rootfs="$dir/rootfs"
base="$dir/bookworm-base.tar"
logs="$dir/logs-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$logs"
started=$SECONDS
exec 9>"$dir/.lock"
flock -n 9 || { echo "test-fresh-debian.sh: another run is using $dir" >&2; exit 2; }

fail() { echo "test-fresh-debian: FAIL $* (logs: $logs; $(( (SECONDS - started) / 60 )) min)"; exit 1; }
step() { echo "== $(date +%H:%M:%S) $*"; }

# Host tools: debootstrap from Debian's packages; curl to ask the launched server.
host_need=()
command -v debootstrap >/dev/null || host_need+=(debootstrap)
command -v curl >/dev/null || host_need+=(curl)
if [[ ${#host_need[@]} -gt 0 ]]; then
  step "installing ${host_need[*]} on this machine"
  DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${host_need[@]}" >/dev/null </dev/null
fi

# The mirror the host itself uses, so the chroot reaches Debian the way this machine does.
host_sources=/etc/apt/sources.list.d/debian.sources
if [[ -z "$mirror" ]]; then
  mirror="$(sed -n 's/^URIs: *\(\S*\/debian\)$/\1/p' "$host_sources" 2>/dev/null | head -1)"
  mirror="${mirror:-http://deb.debian.org/debian}"
fi

mounted_under() { awk -v r="$1" '$2 == r || index($2, r "/") == 1 { print $2 }' /proc/mounts | sort -r; }

# Processes whose root is the chroot were all started by this script (its steps and their children,
# kernels and browsers included).
kill_chroot_processes() {
  local p pids=()
  for p in /proc/[0-9]*; do
    [[ "$(readlink "$p/root" 2>/dev/null)" == "$rootfs" ]] && pids+=("${p#/proc/}")
  done
  [[ ${#pids[@]} -eq 0 ]] || kill -KILL "${pids[@]}" 2>/dev/null || true
}

unmount_all() {
  local m
  for m in $(mounted_under "$rootfs"); do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
  done
}

remove_rootfs() {
  if [[ -n "$(mounted_under "$rootfs")" ]]; then
    echo "test-fresh-debian.sh: still mounted under $rootfs, not removing it: $(mounted_under "$rootfs" | tr '\n' ' ')" >&2
    return 1
  fi
  # --one-file-system: never follows into a mount point, should one appear after the check.
  rm -rf --one-file-system "$rootfs"
}

launch_pid=""
cleanup() {
  [[ -n "$launch_pid" ]] && kill -TERM -- "-$launch_pid" 2>/dev/null || true
  kill_chroot_processes
  sleep 1
  unmount_all
  if [[ $keep -eq 0 && -d "$rootfs" ]]; then remove_rootfs || true; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- a fresh root filesystem
if [[ $fresh -eq 1 || ! -s "$base" ]]; then
  step "debootstrap bookworm from $mirror (log: $logs/debootstrap.log)"
  rm -rf --one-file-system "$dir/rootfs.new"
  debootstrap --arch="$(dpkg --print-architecture)" bookworm "$dir/rootfs.new" "$mirror" >"$logs/debootstrap.log" 2>&1 \
    || { tail -20 "$logs/debootstrap.log"; fail "debootstrap"; }
  tar -C "$dir/rootfs.new" -cf "$base.tmp" . && mv "$base.tmp" "$base"
  rm -rf --one-file-system "$dir/rootfs.new"
fi
if [[ -d "$rootfs" ]]; then
  unmount_all
  remove_rootfs || fail "could not clear the previous $rootfs"
fi
step "unpacking the untouched bookworm system from $base"
mkdir -p "$rootfs"
tar -C "$rootfs" -xf "$base"

# apt: the host's bookworm sources (same mirror and updates), else the main, updates and security suites.
rm -f "$rootfs/etc/apt/sources.list"
if grep -q '^Suites:.*bookworm' "$host_sources" 2>/dev/null; then
  cp "$host_sources" "$rootfs/etc/apt/sources.list.d/debian.sources"
else
  cat >"$rootfs/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${mirror%/debian}/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
fi
rm -f "$rootfs/etc/resolv.conf"
cp -L /etc/resolv.conf "$rootfs/etc/resolv.conf"
# Where this machine reaches the network through a TLS-intercepting proxy, it trusts that proxy's CA
# through /usr/local/share/ca-certificates; the chroot needs the same to reach Maven Central and npm.
# ca-certificates picks these up when it is installed (with the JDK), and Java's store with it.
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
  mkdir -p "$rootfs/usr/local/share/ca-certificates"
  cp /usr/local/share/ca-certificates/*.crt "$rootfs/usr/local/share/ca-certificates/"
fi
# A chroot has no init: packages must not try to start services in it.
printf '#!/bin/sh\nexit 101\n' >"$rootfs/usr/sbin/policy-rc.d"
chmod +x "$rootfs/usr/sbin/policy-rc.d"

mount -t proc proc "$rootfs/proc"
mount -t sysfs sys "$rootfs/sys"
mount --bind /dev "$rootfs/dev"
mount --bind /dev/pts "$rootfs/dev/pts"
mount -t tmpfs -o mode=1777 shm "$rootfs/dev/shm"  # Chromium's shared memory

head_commit="$(git -C "$root" rev-parse --short HEAD)"
if [[ -n "$(git -C "$root" status --porcelain --untracked-files=no)" ]]; then
  echo "note: uncommitted changes are not tested; the chroot gets HEAD ($head_commit)"
fi
# One archive for every step, so that a commit made while this runs changes nothing here.
git -C "$root" archive --format=tar -o "$logs/course.tar" HEAD
mkdir -p "$rootfs/root/course"
tar -x -C "$rootfs/root/course" -f "$logs/course.tar"

# A clean login environment: nothing of this machine's (JAVA_HOME, a pyenv python3, ...) leaks in.
in_chroot() {
  local user="$1"; shift
  local home=/root spec=()
  # Numeric ids: chroot would look names up in this machine's /etc/passwd, not the chroot's.
  if [[ "$user" != root ]]; then home="/home/$user"; spec=(--userspec="$(stat -c %u "$rootfs/home/$user"):100"); fi
  chroot "${spec[@]}" "$rootfs" /usr/bin/env -i HOME="$home" USER="$user" LOGNAME="$user" SHELL=/bin/bash \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 TERM=dumb "$@"
}

# ---- 1. launch
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null \
  || shuf -i 20000-60000 -n 1)"
step "launch: environment/start-course.sh --no-browser --port $port (log: $logs/launch.log)"
launch_start=$SECONDS
setsid chroot "$rootfs" /usr/bin/env -i HOME=/root USER=root LOGNAME=root SHELL=/bin/bash \
  PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 TERM=dumb \
  /bin/bash -c "cd /root/course && exec environment/start-course.sh --no-browser --port $port" \
  >"$logs/launch.log" 2>&1 </dev/null &
launch_pid=$!
url=""
while [[ $((SECONDS - launch_start)) -lt $launch_timeout ]]; do
  url="$(grep -oE "http://(localhost|127\.0\.0\.1):$port/[^ ]*token=[0-9a-f]+" "$logs/launch.log" | head -1 || true)"
  [[ -n "$url" ]] && break
  kill -0 "$launch_pid" 2>/dev/null || { tail -30 "$logs/launch.log"; fail "launch: start-course.sh exited before printing its URL"; }
  sleep 2
done
[[ -n "$url" ]] || { tail -30 "$logs/launch.log"; fail "launch: no URL printed within $launch_timeout s"; }
launch_secs=$((SECONDS - launch_start))
token="${url##*token=}"
code="$(curl -sS -L -o "$logs/launch-page.html" -w '%{http_code}' --max-time 30 "$url" || true)"
[[ "$code" == 200 ]] && grep -qi jupyter "$logs/launch-page.html" \
  || fail "launch: $url answered HTTP ${code:-nothing} (page saved as launch-page.html)"
specs="$(curl -sS --max-time 30 "http://127.0.0.1:$port/api/kernelspecs?token=$token" || true)"
grep -q '"java-gptcourse"' <<<"$specs" || fail "launch: the server does not offer the java-gptcourse kernel: ${specs:0:300}"
echo "launch: $url answered (HTTP 200) and offers java-gptcourse, $launch_secs s after the command started"
kill -TERM -- "-$launch_pid" 2>/dev/null || true
for _ in $(seq 30); do kill -0 "$launch_pid" 2>/dev/null || break; sleep 1; done
kill -0 "$launch_pid" 2>/dev/null && fail "launch: the server did not stop within 30 s of SIGTERM"
launch_pid=""
kill_chroot_processes  # kernels the server left behind, if any

# ---- 2. test
step "test: .ci/run (log: $logs/test.log)"
test_start=$SECONDS
set +e
in_chroot root CI=true timeout --kill-after=30 "$test_timeout" /bin/bash -c 'cd /root/course && exec .ci/run' \
  >"$logs/test.log" 2>&1 </dev/null
test_status=$?
set -e
test_secs=$((SECONDS - test_start))
kill_chroot_processes
cp "$rootfs"/root/course/target/browser-test/*.png "$logs/" 2>/dev/null || true  # the browser test's screenshot
counts="$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$logs/test.log" | tail -1 || true)"
grep -E '^(test-browser:|JUnit:)' "$logs/test.log" || true
echo "test: exit $test_status after $test_secs s; ${counts:-no 'N passed, N failed' line}"
if [[ $test_status -ne 0 || -z "$counts" || ! "$counts" =~ \ 0\ failed ]]; then
  tail -40 "$logs/test.log"
  fail "test: .ci/run exited $test_status (${counts:-no summary line})"
fi

# ---- 3. the image's Maven steps, as docker/Dockerfile takes them, as uid 1000
step "image: install-kernel.sh --deps-only, then an offline build, as jovyan (log: $logs/image.log)"
image_start=$SECONDS
in_chroot root useradd -m -u 1000 -g users -s /bin/bash jovyan
# The dependency layer sees only the pom files and install-kernel.sh (the Dockerfile's COPY lines).
deps="$rootfs/tmp/image-deps"
mkdir -p "$deps/lib" "$deps/kernel" "$deps/environment"
cp "$rootfs/root/course/pom.xml" "$deps/"
cp "$rootfs/root/course/lib/pom.xml" "$deps/lib/"
cp "$rootfs/root/course/kernel/pom.xml" "$deps/kernel/"
cp "$rootfs/root/course/environment/install-kernel.sh" "$deps/environment/"
chown -R 1000:100 "$deps"
mkdir -p "$rootfs/home/jovyan/course"
tar -x -C "$rootfs/home/jovyan/course" -f "$logs/course.tar"
chown -R 1000:100 "$rootfs/home/jovyan/course"
set +e
{
  in_chroot jovyan /tmp/image-deps/environment/install-kernel.sh --deps-only \
  && in_chroot jovyan GPTCOURSE_MAVEN_ARGS=-o /home/jovyan/course/environment/install-kernel.sh --prefix /home/jovyan/prefix \
  && in_chroot jovyan JUPYTER_PATH=/home/jovyan/prefix/share/jupyter /bin/bash -c \
       'cd /tmp && jupyter nbconvert --to notebook --execute --ExecutePreprocessor.kernel_name=java-gptcourse \
          --ExecutePreprocessor.timeout=120 --output-dir /tmp --output smoke-run /home/jovyan/course/environment/browser-test/smoke.ipynb' \
  && in_chroot jovyan python3 -c '
import json, sys
nb = json.load(open("/tmp/smoke-run.ipynb"))
outs = [o for c in nb["cells"] if c["cell_type"] == "code" for o in c["outputs"]]
errors = [o for o in outs if o["output_type"] == "error"]
pngs = [o for o in outs if "image/png" in o.get("data", {})]
tables = [o for o in outs if "<table" in "".join(o.get("data", {}).get("text/html", ""))]
print(f"smoke notebook as uid 1000: {len(pngs)} PNG chart(s), {len(tables)} table(s), {len(errors)} error(s)")
sys.exit(0 if pngs and tables and not errors else 1)'
} >"$logs/image.log" 2>&1 </dev/null
image_status=$?
set -e
image_secs=$((SECONDS - image_start))
kill_chroot_processes
grep '^smoke notebook' "$logs/image.log" || true
if [[ $image_status -ne 0 ]]; then
  tail -30 "$logs/image.log"
  fail "image: the Dockerfile's Maven steps failed as jovyan (exit $image_status)"
fi

echo "test-fresh-debian: PASS on Debian bookworm, commit $head_commit: launch answered at $url in $launch_secs s;" \
  "tests: $counts ($test_secs s); image steps as uid 1000: offline build after --deps-only and the smoke notebook ($image_secs s);" \
  "total $(( (SECONDS - started) / 60 )) min (logs: $logs)"
