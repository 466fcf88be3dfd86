#!/usr/bin/env bash
# Scheduler benchmarks (uneven durations with stealing on/off, scheduler memory per task, a million tasks): Partita
# beside Dask distributed, in one invocation. Usage: benchmarks/run-scheduling.sh [--help] [--bench uneven,memory,million] ...
set -euo pipefail
cd "$(dirname "$0")/.."
if ! /usr/bin/python3 -c 'import distributed, psutil' 2>/dev/null; then
  echo "Installing Dask distributed from Debian's packages (python3-distributed)..." >&2
  apt-get install -y -q python3-distributed python3-psutil >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q python3-distributed python3-psutil >/dev/null; }
fi
source bin/partita-env
if [ ! -d benchmarks/target/lib ] || [ ! -d launcher/target/partita/lib ] \
   || [ ! -f benchmarks/target/classes/io/partita/benchmarks/SchedulingBenchmark.class ]; then
  JAVA_HOME=$(dirname "$(dirname "$JAVA")") ./mvnw -q -DskipTests package
fi
partita_require_dist
# shellcheck disable=SC2086
exec "$JAVA" $PARTITA_JVM_FLAGS -cp "benchmarks/target/lib/*:benchmarks/target/classes" io.partita.benchmarks.SchedulingBenchmark "$@"
