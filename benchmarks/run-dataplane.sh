#!/usr/bin/env bash
# Data-plane benchmarks (same-host hand-over, hand-over through Flight, larger than memory): Partita beside Dask distributed, in one invocation. Usage: benchmarks/run-dataplane.sh [--help] [--bench handover,flight,larger] ...
# With --netns (root): cross-host runs instead, on four hosts made as network namespaces by the test-network fixture
# (io.partita.testnet.NetworkHosts: client, scheduler, worker a, worker b); this JVM runs on the client's host; the
# hosts are removed afterwards.
source "$(dirname "$0")/bench-env"
if [ "${1:-}" = --netns ]; then
  shift
  bench_run_requires DataPlaneBenchmark
  fixture_cp="benchmarks/target/lib/*"
  made=$(mktemp)
  # this shell owns the hosts: they count as stale (deleted by the next fixture) if it is killed before its trap runs
  "$JAVA" -cp "$fixture_cp" io.partita.testnet.NetworkHosts create 4 >"$made"
  id=$(awk '$1 == "id" {print $2}' "$made")
  trap '"$JAVA" -cp "$fixture_cp" io.partita.testnet.NetworkHosts delete "$id"; rm -f "$made"' EXIT
  # host lines: NAME NAMESPACE ADDRESS SHM_DIR
  spec=$(awk 'NF == 4 && $1 ~ /^h[0-9]+$/ {printf "%s%s=%s", sep, $2, $3; sep = ","}' "$made")
  client_ns=$(awk '$1 == "h1" {print $2}' "$made")
  BENCH_ON_HOST="ip netns exec $client_ns" bench_run DataPlaneBenchmark --netns-hosts "$spec" --netns-fixture "$id" "$@"
else
  bench_run DataPlaneBenchmark "$@"
fi
