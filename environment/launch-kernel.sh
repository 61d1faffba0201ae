#!/usr/bin/env bash
# Starts the gptcourse Java kernel; Jupyter runs it from the kernelspec: launch-kernel.sh <connection-file>
#
# Java: $GPTCOURSE_JAVA, else $JAVA_HOME/bin/java, else `java` on PATH (Java 17 is the tested one;
#       on 20+ an interrupt can only interrupt(), not stop, a busy loop).
# Extra JVM options: $GPTCOURSE_KERNEL_JAVA_OPTS (e.g. "-Xmx16g").
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
target="$root/kernel/target"
java="${GPTCOURSE_JAVA:-}"
if [[ -z "$java" && -n "${JAVA_HOME:-}" ]]; then java="$JAVA_HOME/bin/java"; fi
java="${java:-java}"
if [[ ! -f "$target/gptcourse-kernel.jar" ]]; then
  echo "gptcourse kernel: $target/gptcourse-kernel.jar is missing; run environment/install-kernel.sh" >&2
  exit 1
fi
cds=()
if [[ -f "$target/kernel.jsa" ]]; then cds=(-XX:SharedArchiveFile="$target/kernel.jsa" -Xshare:auto); fi
# shellcheck disable=SC2086
exec "$java" -Djava.security.manager=allow -XX:+IgnoreUnrecognizedVMOptions "${cds[@]}" \
  ${GPTCOURSE_KERNEL_JAVA_OPTS:-} \
  -cp "$target/gptcourse-kernel.jar:$target/kernel-lib/*" gptcourse.kernel.KernelMain "$@"
