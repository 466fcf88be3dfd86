#!/usr/bin/env bash
# JMH micro-benchmarks (CBOR codecs of SubmitGraph and TasksDone; SchedulerState.handle tasks/s). Usage: benchmarks/run-jmh.sh [JMH options]
# e.g. benchmarks/run-jmh.sh -h, or benchmarks/run-jmh.sh CodecBenchmark -f 1 -wi 2 -i 3
source "$(dirname "$0")/bench-env"
bench_run MicroBenchmarks "$@"
