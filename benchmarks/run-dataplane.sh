#!/usr/bin/env bash
# Data-plane benchmarks (same-host hand-over, hand-over through Flight, larger than memory): Partita beside Dask distributed, in one invocation. Usage: benchmarks/run-dataplane.sh [--help] [--bench handover,flight,larger] ...
source "$(dirname "$0")/bench-env"
bench_run DataPlaneBenchmark "$@"
