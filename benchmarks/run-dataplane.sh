#!/usr/bin/env bash
# Data-plane benchmarks (same-host hand-over, hand-over through Flight, larger than memory): Partita beside Dask distributed, in one invocation. Usage: benchmarks/run-dataplane.sh [--help] [--bench handover,flight,larger] ...
# With --netns (root): cross-host runs instead, on hosts made as network namespaces by benchmarks/netns-hosts.sh
# (client, scheduler, worker a, worker b); this JVM runs on the client's host; the hosts are removed afterwards.
source "$(dirname "$0")/bench-env"
if [ "${1:-}" = --netns ]; then
  shift
  prefix="ptb$$"
  trap 'benchmarks/netns-hosts.sh down "$prefix"' EXIT
  spec=$(benchmarks/netns-hosts.sh up "$prefix" 4 | paste -sd, -)
  BENCH_ON_HOST="ip netns exec $prefix-h0" bench_run DataPlaneBenchmark --netns-hosts "$spec" --netns-prefix "$prefix" \
    --netns-script benchmarks/netns-hosts.sh "$@"
else
  bench_run DataPlaneBenchmark "$@"
fi
