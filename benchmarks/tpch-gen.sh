#!/usr/bin/env bash
# TPC-H tables as Parquet, offline (io.partita.tpch.TpchGen). Usage: benchmarks/tpch-gen.sh --scale 1 --out DIR [--tables lineitem,part] [--help]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source bin/partita-env
if ! ls benchmarks/target/lib/partita-tpch-*.jar >/dev/null 2>&1; then
  JAVA_HOME=$(dirname "$(dirname "$JAVA")") ./mvnw -q -DskipTests -Dpartita.fuzz.skip=true -pl benchmarks -am package
fi
partita_require_dist
# shellcheck disable=SC2086
exec "$JAVA" $PARTITA_JVM_FLAGS -cp "benchmarks/target/lib/*" io.partita.tpch.TpchGen "$@"
