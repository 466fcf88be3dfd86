#!/usr/bin/env bash
# TPC-H lineitem queries on the same Parquet files: Partita beside DuckDB alone, Polars, Dask and Spark, in one
# invocation. Usage: benchmarks/run-tables.sh [--scale 10] [--rounds 3] [--engines partita,duckdb,...] [--help]
# Makes (once) a Python venv with Polars and Dask under ~/.cache/partita/venv-tables and Spark's jars under
# benchmarks/spark/target/lib; a peer that cannot be installed is reported as not run, the others still are.
source "$(dirname "$0")/bench-env"
VENV=${PARTITA_TABLES_VENV:-$HOME/.cache/partita/venv-tables}
python_args=()
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import polars, dask.dataframe, pyarrow' 2>/dev/null; then
  echo "Installing Polars and Dask into $VENV..." >&2
  python3 -m venv "$VENV" && "$VENV/bin/pip" install -q 'dask[dataframe]==2026.8.0' duckdb pyarrow pandas polars >&2 \
    || echo "Could not install the Python peers (Polars, Dask): they are reported as not run" >&2
fi
if "$VENV/bin/python" -c 'import polars, dask.dataframe, pyarrow' 2>/dev/null; then
  python_args=(--python "$VENV/bin/python")
fi
if [ ! -d benchmarks/spark/target/lib ]; then
  echo "Resolving Spark SQL's jars into benchmarks/spark/target/lib..." >&2
  JAVA_HOME=$(dirname "$(dirname "$JAVA")") ./mvnw -q -B -ntp -f benchmarks/spark/pom.xml dependency:copy-dependencies \
    -DoutputDirectory=target/lib -DincludeScope=runtime >&2 \
    || { rm -rf benchmarks/spark/target/lib; echo "Could not resolve Spark's jars: Spark is reported as not run" >&2; }
fi
bench_run TablesBenchmark "${python_args[@]}" "$@"
