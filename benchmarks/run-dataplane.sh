#!/usr/bin/env bash
# Data-plane benchmarks (same-host hand-over, hand-over through Flight, larger than memory): Partita beside Dask
# distributed, in one invocation. Usage: benchmarks/run-dataplane.sh [--help] [--bench handover,flight,larger] ...
set -euo pipefail
cd "$(dirname "$0")/.."
if ! /usr/bin/python3 -c 'import distributed, numpy, psutil' 2>/dev/null; then
  echo "Installing Dask distributed from Debian's packages (python3-distributed)..." >&2
  apt-get install -y -q python3-distributed python3-pandas >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q python3-distributed python3-pandas >/dev/null; }
fi
source bin/partita-env
if [ ! -d benchmarks/target/lib ] || [ ! -d launcher/target/partita/lib ] \
   || [ ! -f benchmarks/target/classes/io/partita/benchmarks/DataPlaneBenchmark.class ]; then
  JAVA_HOME=$(dirname "$(dirname "$JAVA")") ./mvnw -q -DskipTests package
fi
partita_require_dist
# shellcheck disable=SC2086
exec "$JAVA" $PARTITA_JVM_FLAGS -cp "benchmarks/target/lib/*:benchmarks/target/classes" io.partita.benchmarks.DataPlaneBenchmark "$@"
