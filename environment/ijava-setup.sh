#!/usr/bin/env bash
# Sets the course up for a plain IJava install (https://github.com/SpencerPark/IJava) instead of the
# course kernel: builds the course library and prints the two IJava settings that load it.
#
#   environment/ijava-setup.sh                # build, then print the two settings
#   eval "$(environment/ijava-setup.sh)"      # ... and set them in this shell
#   options: --skip-build (use the library jar already built)
#
# Prints, on stdout and nothing else (the build's messages go to stderr):
#   export IJAVA_CLASSPATH=...              the library jar and its runtime jars (in ~/.m2), minus the
#                                           Jupyter base library that IJava brings itself
#   export IJAVA_STARTUP_SCRIPTS_PATH=...   environment/ijava-startup.jsh, the course's imports
# Give them to IJava's installer (python3 install.py --classpath "$IJAVA_CLASSPATH"
# --startup-scripts-path "$IJAVA_STARTUP_SCRIPTS_PATH") or set them where Jupyter starts IJava.
# GPTCOURSE_MAVEN_ARGS (e.g. -Pavx512, -Pcuda) picks the backend, as for install-kernel.sh.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
build=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --skip-build) build=0; shift ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "ijava-setup.sh: unknown option '$1' (accepted: --skip-build)" >&2; exit 2 ;;
  esac
done

# shellcheck disable=SC2086
if [[ $build -eq 1 ]]; then
  echo "Building the course library (mvn package -pl lib -am ${GPTCOURSE_MAVEN_ARGS:-})..." >&2
  (cd "$root" && mvn -B -q -DskipTests ${GPTCOURSE_MAVEN_ARGS:-} package -pl lib -am) >&2
fi
lib=""
for jar in "$root"/lib/target/gptcourse-lib-*.jar; do
  case "$jar" in *-sources.jar|*-javadoc.jar|*-tests.jar) ;; *) [[ -f "$jar" ]] && lib="$jar" ;; esac
done
if [[ -z "$lib" ]]; then
  echo "ijava-setup.sh: the course library jar (lib/target/gptcourse-lib-*.jar) is missing; run without --skip-build" >&2
  exit 1
fi
startup="$here/ijava-startup.jsh"
if [[ ! -r "$startup" ]]; then
  echo "ijava-setup.sh: $startup is missing or unreadable" >&2
  exit 1
fi

# The library's runtime classpath, as Maven resolves it. IJava's own jar holds jupyter-jvm-basekernel
# (whose display interfaces the library's charts and tables implement): leave it and what it brings out.
cpfile="$(mktemp "${TMPDIR:-/tmp}/gptcourse-ijava-cp.XXXXXX")"
trap 'rm -f "$cpfile"' EXIT
# shellcheck disable=SC2086
if ! (cd "$root" && mvn -B -q ${GPTCOURSE_MAVEN_ARGS:-} dependency:build-classpath -pl lib \
    -Dmdep.outputFile="$cpfile" -DincludeScope=runtime \
    -DexcludeArtifactIds=jupyter-jvm-basekernel,jeromq,jnacl) >&2; then
  echo "ijava-setup.sh: Maven could not list the library's dependencies (see above)" >&2
  exit 1
fi
deps="$(cat "$cpfile")"
if [[ -z "$deps" ]]; then
  echo "ijava-setup.sh: Maven listed no dependencies for the library" >&2
  exit 1
fi
printf 'export IJAVA_CLASSPATH=%q\n' "$lib:$deps"
printf 'export IJAVA_STARTUP_SCRIPTS_PATH=%q\n' "$startup"
