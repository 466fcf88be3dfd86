#!/usr/bin/env bash
# Throughput benchmark (no-op tasks and a tree reduction): Partita beside Dask distributed, in one invocation. Usage: benchmarks/run-throughput.sh [--help]
source "$(dirname "$0")/bench-env"
bench_run ThroughputBenchmark "$@"
