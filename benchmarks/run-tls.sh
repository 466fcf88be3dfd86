#!/usr/bin/env bash
# The cost of TLS: task throughput and 256 MiB table transfers (worker to worker over the bulk path and Flight, worker to client) with TLS on beside TLS off, in one invocation, alternating rounds. Usage: benchmarks/run-tls.sh [--help] [--repeats N] [--size-mib M]
source "$(dirname "$0")/bench-env"
bench_run TlsBenchmark "$@"
