#!/usr/bin/env bash
# The training step in this library and in Debian's PyTorch 1.13 (+ tcmalloc), interleaved run by run
# so that both see the same machine load. Needs: apt-get install python3-torch libtcmalloc-minimal4
# libopenblas0-pthread (without OpenBLAS, Debian's torch multiplies with the reference BLAS, several
# times slower), and the library built (mvn -B -q -DskipTests package -pl lib -am).
#
#   tools/bench/side-by-side.sh [runs (3)] [steps per run (10)]
# Prints each run's JSON line; compare median_s (wall) and cpu_median_s (process CPU) of the two.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
runs="${1:-3}"
steps="${2:-10}"
[[ "$runs" =~ ^[1-9][0-9]*$ && "$steps" =~ ^[1-9][0-9]*$ ]] || { echo "usage: $0 [runs] [steps]" >&2; exit 2; }
cp_file="$root/lib/target/cp.txt"
if [[ ! -f "$cp_file" ]]; then
  (cd "$root/lib" && mvn -B -q dependency:build-classpath -Dmdep.outputFile=target/cp.txt) >&2
fi
tcmalloc="$(ls /usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4 2>/dev/null || true)"
case "$(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 2>/dev/null)" in
  *openblas*|*blis*|*mkl*) ;;
  *) echo "libblas.so.3 is the reference BLAS: PyTorch's matrix products will be several times slower (apt-get install libopenblas0-pthread)" >&2 ;;
esac
[[ -n "$tcmalloc" ]] || echo "libtcmalloc-minimal4 is not installed: PyTorch runs with glibc malloc" >&2
for ((i = 1; i <= runs; i++)); do
  # this library as the kernel and train.sh run it: tcmalloc, sleeping OpenMP threads
  # shellcheck source=../../environment/native-env.sh
  (source "$root/environment/native-env.sh" \
    && java -cp "$root/lib/target/classes:$(cat "$cp_file")" gptcourse.bench.TrainStepBench --steps "$steps" --warmup 2) | grep '^{'
  TCMALLOC_RELEASE_RATE=0 LD_PRELOAD="$tcmalloc" /usr/bin/python3 "$root/tools/bench/torch_train_step.py" --steps "$steps" --warmup 2 | grep '^{'
done
