#!/usr/bin/env bash
# Installs the "Java (gptcourse)" Jupyter kernelspec, pointing at this checkout's built kernel.
#
#   environment/install-kernel.sh                 # for the current user (~/.local/share/jupyter)
#   environment/install-kernel.sh --prefix DIR    # into DIR/share/jupyter/kernels (add DIR/share/jupyter to JUPYTER_PATH)
#   options: --name NAME (default java-gptcourse)  --skip-build (use the jars already built)
#   environment/install-kernel.sh --deps-only     # only download the build's Maven plugins and dependencies
#
# Builds the kernel module (and the course library) with Maven unless --skip-build, then writes
# kernel.json. Re-running it replaces the kernelspec; nothing else changes. --deps-only needs just
# the pom files (docker/Dockerfile runs it in a layer of its own, so that editing a source file does
# not download the dependencies again) and leaves the checkout untouched.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
name="java-gptcourse"
prefix=""
build=1
deps_only=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --prefix) prefix="$2"; shift 2 ;;
    --user) prefix=""; shift ;;
    --name) name="$2"; shift 2 ;;
    --skip-build) build=0; shift ;;
    --deps-only) deps_only=1; shift ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "install-kernel.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
done

# GPTCOURSE_MAVEN_ARGS: extra Maven options, e.g. "-Pcuda" (the GPU backend) or "-Pportable" (without the
# AVX-512 natives that the default build uses on CPUs that have AVX-512)
# or "-Pcuda" (GPU); see the README's "Choosing the backend".
build_kernel() {
  # shellcheck disable=SC2086
  (cd "$1" && mvn -B -q -DskipTests ${GPTCOURSE_MAVEN_ARGS:-} package -pl kernel -am)
}

if [[ $deps_only -eq 1 ]]; then
  # The same build on a copy of the pom files with no sources: Maven resolves every plugin and
  # dependency that the real build uses, and the empty jars it makes are thrown away.
  echo "Downloading the kernel build's Maven plugins and dependencies (${GPTCOURSE_MAVEN_ARGS:-no extra options})..."
  poms="$(mktemp -d "${TMPDIR:-/tmp}/gptcourse-poms.XXXXXX")"
  trap 'rm -rf "$poms"' EXIT
  for pom in "$root"/pom.xml "$root"/*/pom.xml; do
    rel="${pom#"$root"/}"
    mkdir -p "$poms/$(dirname "$rel")"
    cp "$pom" "$poms/$rel"
  done
  build_kernel "$poms"
  exit 0
fi

if [[ $build -eq 1 ]]; then
  echo "Building the kernel (mvn package -pl kernel -am ${GPTCOURSE_MAVEN_ARGS:-})..."
  # The kernel's classpath is every jar in kernel-lib: drop those of an earlier build (say a -Pcuda
  # one) so that only this build's backend is on it.
  rm -rf "$root/kernel/target/kernel-lib"
  build_kernel "$root"
fi
jar="$root/kernel/target/gptcourse-kernel.jar"
if [[ ! -f "$jar" || ! -d "$root/kernel/target/kernel-lib" ]]; then
  echo "install-kernel.sh: $jar is missing; run without --skip-build" >&2
  exit 1
fi

if [[ $build -eq 1 || ! -f "$root/kernel/target/kernel.jsa" || "$jar" -nt "$root/kernel/target/kernel.jsa" ]]; then
  echo "Making the kernel's class-data archive (faster start)..."
  "$here/launch-kernel.sh" --make-cds >/dev/null 2>&1 || echo "(no class-data archive: the kernel works, but starts slower)"
fi

if [[ -n "$prefix" ]]; then
  dest="$prefix/share/jupyter/kernels/$name"
else
  data_dir="${JUPYTER_DATA_DIR:-}"
  if [[ -z "$data_dir" ]]; then
    if [[ "$(uname)" == "Darwin" ]]; then data_dir="$HOME/Library/Jupyter"; else data_dir="${XDG_DATA_HOME:-$HOME/.local/share}/jupyter"; fi
  fi
  dest="$data_dir/kernels/$name"
fi
mkdir -p "$dest"
launcher="$here/launch-kernel.sh"
esc() { printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g'; }
cat > "$dest/kernel.json" <<JSON
{
  "argv": ["$(esc "$launcher")", "{connection_file}"],
  "display_name": "Java (gptcourse)",
  "language": "java",
  "interrupt_mode": "message",
  "env": {},
  "metadata": {"debugger": false}
}
JSON
echo "Installed kernelspec '$name' in $dest"
