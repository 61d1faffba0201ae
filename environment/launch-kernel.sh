#!/usr/bin/env bash
# Starts the gptcourse Java kernel; Jupyter runs it from the kernelspec: launch-kernel.sh <connection-file>
#
# Java: $GPTCOURSE_JAVA, else $JAVA_HOME/bin/java, else `java` on PATH (Java 17 is the tested one;
#       on 20+ an interrupt can only interrupt(), not stop, a busy loop).
# Extra JVM options: $GPTCOURSE_KERNEL_JAVA_OPTS (e.g. "-Xmx16g"). GPTCOURSE_MALLOC=glibc: glibc's malloc
# instead of tcmalloc (native-env.sh).
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
# Class-data archive (made by `launch-kernel.sh --make-cds`, which install-kernel.sh runs): about
# halves the start time. A stale one (other JDK or jars) is ignored by the JVM.
cds=()
if [[ "${1:-}" == "--make-cds" ]]; then
  rm -f "$target/kernel.jsa"
  cds=(-XX:ArchiveClassesAtExit="$target/kernel.jsa" -Xlog:cds=off -Xlog:cds+dynamic=off)
  set -- --warm-up
elif [[ -f "$target/kernel.jsa" ]]; then
  cds=(-XX:SharedArchiveFile="$target/kernel.jsa" -Xshare:auto -Xlog:cds=off)
fi
# JIT: C2 starts later than by default (thresholds x8-x80), so the compiler's start-up work
# (JShell's javac) stays in C1: start to first result drops from ~3.4 s to ~1.8 s on 2 busy cores.
# Hot loops (training steps, tokenizers) still reach C2 within a second of running.
jit=(-XX:Tier4InvocationThreshold=100000 -XX:Tier4MinInvocationThreshold=50000
     -XX:Tier4CompileThreshold=120000 -XX:Tier4BackEdgeThreshold=1000000)
# OpenMP threads that sleep while they wait, and tcmalloc where installed (native-env.sh says why).
# shellcheck source=native-env.sh
source "$here/native-env.sh"
# -Djava.security.manager=allow: lets the kernel block System.exit in cells (see ExitGuard); java.lang is
# opened to it only to silence the four warnings JDK 17 prints when that guard is installed.
# shellcheck disable=SC2086
# JavaCPP (under ND4J) refuses to allocate once the process's resident size passes 4x -Xmx, and the
# JVM's default -Xmx is a quarter of the memory: in a 2-4 GB container a training step (~2.4 GB
# resident, ~3 GB while evaluating) would die with "Physical memory usage is too high". Leave the limit
# to the machine; GPTCOURSE_KERNEL_JAVA_OPTS (after this) can set another.
exec "$java" -Djava.security.manager=allow --add-opens java.base/java.lang=ALL-UNNAMED -XX:+IgnoreUnrecognizedVMOptions "${jit[@]}" "${cds[@]}" \
  -Dorg.bytedeco.javacpp.maxPhysicalBytes=0 ${GPTCOURSE_KERNEL_JAVA_OPTS:-} \
  -cp "$target/gptcourse-kernel.jar:$target/kernel-lib/*" gptcourse.kernel.KernelMain "$@"
