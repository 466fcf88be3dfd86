#!/usr/bin/env bash
# How a worker hands DuckDB a byte range of a CSV file: the whole file (the floor) beside a transferTo copy per range
# and a named pipe per range, at 1 and 2 DuckDB threads, 1 and 4 ranges. Usage: benchmarks/run-csv-range.sh [ROWS]
set -euo pipefail
JAVA="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
JAR="$HOME/.m2/repository/org/duckdb/duckdb_jdbc/2.0.0.1/duckdb_jdbc-2.0.0.1.jar"
exec "$JAVA" --enable-native-access=ALL-UNNAMED -cp "$JAR" "$(dirname "$0")/csv/CsvRangeRead.java" "$@"
