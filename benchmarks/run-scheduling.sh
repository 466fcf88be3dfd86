#!/usr/bin/env bash
# Scheduler benchmarks (uneven durations with stealing on/off, scheduler memory per task, a million tasks): Partita beside Dask distributed, in one invocation. Usage: benchmarks/run-scheduling.sh [--help] [--bench uneven,memory,million] ...
source "$(dirname "$0")/bench-env"
bench_run SchedulingBenchmark "$@"
