#!/usr/bin/env bash
# Builds the course's JupyterLab 3.6 front end once and caches it: copies package.json, the
# committed package-lock.json, index.js, webpack.config.js and templates/ into a staging folder in
# the cache, installs the pinned npm packages there (`npm ci`), bundles them with webpack and
# @jupyterlab/builder, and moves the result into CACHE/lab-VERSION-KEY, KEY being a hash of those
# files. Later runs with the same files find it and build nothing. Prints the built folder's path as
# its last line; serve.py serves it with Debian's jupyter-server and jupyterlab-server.
# page_config.json turns off JupyterLab's news and update check (the announcements plugin): its
# /lab/api/news and /lab/api/update handlers belong to the jupyterlab Python package, not to
# jupyterlab-server, and a course that runs offline has no use for them.
#
#   environment/jupyterlab/build.sh [--cache DIR] [--force] [--keep-staging] [--quiet]
#
#   --cache DIR      where builds are kept (default $GPTCOURSE_LAB_CACHE, else
#                    ${XDG_CACHE_HOME:-~/.cache}/gptcourse/jupyterlab); a Dockerfile passes its own
#   --force          build again even if this version is cached
#   --keep-staging   keep the staging folder (node_modules, ~0.5 GB) instead of deleting it
#   --quiet          print only the path (and errors)
#
# Needs Node.js 14+ and npm (Debian: apt-get install nodejs npm) and network access to npm's
# registry for the first build. Not interactive; safe to run twice at once (the second waits).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="${GPTCOURSE_LAB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gptcourse/jupyterlab}"
force=0
keep=0
quiet=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --cache) cache="${2:?--cache needs a folder}"; shift 2 ;;
    --force) force=1; shift ;;
    --keep-staging) keep=1; shift ;;
    --quiet) quiet=1; shift ;;
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    *) echo "build.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
done
say() { [[ $quiet -eq 1 ]] || echo "$@" >&2; }
die() { echo "build.sh: $*" >&2; exit 1; }

sources=(package.json package-lock.json index.js webpack.config.js page_config.json templates/index.html templates/error.html)
for f in "${sources[@]}"; do [[ -f "$here/$f" ]] || die "$here/$f is missing"; done
version="$(sed -n 's/^  "version": "\([^"]*\)".*/\1/p' "$here/package.json" | head -1)"
[[ -n "$version" ]] || die "no version in $here/package.json"
key="$(cd "$here" && cat "${sources[@]}" | sha256sum | cut -c1-16)"

mkdir -p "$cache" 2>/dev/null || die "cannot create the cache folder '$cache'"
[[ -w "$cache" ]] || die "the cache folder '$cache' is not writable (give another with --cache)"
cache="$(cd "$cache" && pwd)"
target="$cache/lab-$version-$key"

built() { [[ -f "$target/build-info.json" && -f "$target/static/bundle.js" ]]; }
if [[ $force -eq 0 ]] && built; then
  echo "$target"
  exit 0
fi

command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 \
  || die "building JupyterLab's front end needs Node.js and npm (Debian/Ubuntu: sudo apt-get install nodejs npm)"
node_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
[[ "$node_major" -ge 14 ]] || die "needs Node.js 14 or later, found $(node --version 2>/dev/null || echo none)"

# One build at a time per cache folder; a second launch waits for the first and then finds it built.
exec 9>"$cache/.lock"
if ! flock -n 9; then
  say "Another JupyterLab build is running in $cache; waiting for it..."
  flock 9
fi
if [[ $force -eq 0 ]] && built; then
  echo "$target"
  exit 0
fi

free_mb="$(df -Pm "$cache" | awk 'NR == 2 { print $4 }')"
[[ -z "$free_mb" || "$free_mb" -ge 1200 ]] \
  || die "only ${free_mb} MB free in $cache; the build needs about 1.2 GB while it runs (0.6 GB after)"

staging="$(mktemp -d "$cache/staging.XXXXXX")"
cleanup() { [[ $keep -eq 1 ]] || rm -rf "$staging"; rm -rf "$target.partial"; }
trap cleanup EXIT
log="$cache/build.log"
started=$SECONDS
for f in "${sources[@]}"; do
  mkdir -p "$staging/$(dirname "$f")"
  cp "$here/$f" "$staging/$f"
done
say "Building JupyterLab $version's front end once (a few minutes; log: $log)..."
{
  echo "== $(date -u +%FT%TZ) build of lab-$version-$key with Node.js $(node --version), npm $(npm --version)"
  # --ignore-scripts: no package's install script runs; none is needed to bundle.
  (cd "$staging" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=warn)
} >"$log" 2>&1 || { tail -25 "$log" >&2; die "npm ci failed (is npm's registry reachable? full log: $log)"; }
say "  npm packages installed ($((SECONDS - started)) s); bundling..."
(cd "$staging" && NODE_OPTIONS="${NODE_OPTIONS:-} --max-old-space-size=4096" \
  node node_modules/webpack-cli/bin/cli.js --config webpack.config.js --no-color) >>"$log" 2>&1 \
  || { tail -25 "$log" >&2; die "webpack failed (full log: $log)"; }
[[ -f "$staging/build/bundle.js" && -d "$staging/build/schemas" && -d "$staging/build/themes" ]] \
  || die "webpack left no bundle.js, schemas and themes in $staging/build (log: $log)"

rm -rf "$target.partial"
mkdir -p "$target.partial"
mv "$staging/build/schemas" "$staging/build/themes" "$target.partial/"
mv "$staging/build" "$target.partial/static"
cp -r "$staging/templates" "$target.partial/templates"
cp "$staging/package.json" "$target.partial/package.json"
# Read by jupyterlab_server as the application's page config (app_settings_dir/page_config.json).
mkdir -p "$target.partial/settings"
cp "$staging/page_config.json" "$target.partial/settings/page_config.json"
node -e '
  const fs = require("fs");
  const [file, version, key, seconds] = process.argv.slice(1);
  fs.writeFileSync(file, JSON.stringify({ jupyterlab: version, key, builtAt: new Date().toISOString(),
    node: process.version, buildSeconds: Number(seconds) }, null, 2) + "\n");
' "$target.partial/build-info.json" "$version" "$key" "$((SECONDS - started))"
rm -rf "$target"
mv "$target.partial" "$target"
# Older builds (other package versions or sources) are no longer used by this checkout.
for old in "$cache"/lab-*; do
  [[ "$old" == "$target" || ! -d "$old" ]] || rm -rf "$old"
done
say "Built JupyterLab $version's front end in $((SECONDS - started)) s: $target ($(du -sm "$target" | cut -f1) MB)"
echo "$target"
