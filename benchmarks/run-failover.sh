#!/usr/bin/env bash
# Scheduler failover benchmark (kill to standby active, to the first result of a new task, graph delay), on loopback. Usage: benchmarks/run-failover.sh [--help] [--rounds N] [--leaves L]
source "$(dirname "$0")/bench-env"
bench_run FailoverBenchmark "$@"
