#!/usr/bin/env bash
# Trains the course's model without Jupyter (gptcourse.train.TrainCommand), printing progress lines.
#
#   environment/train.sh --help
#   environment/train.sh --data stand-in --epochs 1 --max-steps-per-epoch 50 --n-ctx 64 --test-size 8
#   environment/train.sh --resume runs/day1-demotransformer/<run>      # continue from the newest valid checkpoint
#   environment/train.sh verify-data                                   # re-hash the downloaded TinyStories files
#
# Errors are one line on stderr: exit status 2 (arguments, data, full disk, permissions), 3 (the loss became NaN).
#
# Builds the library first if needed (GPTCOURSE_MAVEN_ARGS passes Maven options, e.g. -Pcuda for
# the GPU, -Pportable to leave out ND4J's AVX-512 natives, which are used by default on CPUs that have it). Runs go to runs/ in the current
# directory (or --runs-dir / $GPTCOURSE_RUNS_DIR).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
lib="$root/lib"
cp_file="$lib/target/train-classpath.txt"
stamp="$lib/target/train-classpath.args"
args_now="${GPTCOURSE_MAVEN_ARGS:-}"

if [[ ! -d "$lib/target/classes/gptcourse/train" || ! -f "$cp_file" || "$(cat "$stamp" 2>/dev/null)" != "$args_now" ]]; then
  echo "Building the course library (mvn package -pl lib -am $args_now)..." >&2
  # shellcheck disable=SC2086
  (cd "$root" && mvn -B -q -DskipTests $args_now package -pl lib -am \
    && mvn -B -q $args_now -f lib/pom.xml dependency:build-classpath -Dmdep.outputFile="$cp_file") >&2
  printf '%s' "$args_now" > "$stamp"
fi
export DJL_OFFLINE=true
# OpenMP threads that sleep while they wait, and tcmalloc where installed (native-env.sh says why).
# shellcheck source=native-env.sh
source "$here/native-env.sh"
# See launch-kernel.sh: JavaCPP's resident-size limit (4x -Xmx) is too tight for small machines.
exec java -Dorg.bytedeco.javacpp.maxPhysicalBytes=0 ${GPTCOURSE_JAVA_OPTS:-} -cp "$lib/target/classes:$(cat "$cp_file")" gptcourse.train.TrainCommand "$@"
