#!/usr/bin/env bash
# Cost curves (issue 13 item 5): claim+complete latency (p50, p99) and memory or disk of each
# store against the number of live records, with the purge running. Appends to
# docs/images/cost-curves.tsv and redraws docs/images/cost-curves.png and cost-curves.md from the
# latest run of each store. Takes minutes at 10^6 and tens of minutes at 10^7 (disk: ~6 GB for
# SQLite and PostgreSQL each; Redis: ~5 GB of memory at 10^7).
#
# usage: idempo-benchmarks/cost-curves.sh [name=value ...]
#   stores=memory,redis,postgresql,sqlite (also sqlite-normal: synchronous=NORMAL)
#   sizes=10000,1000000,10000000  ops=20000  warmup=200000 (most untimed ops; 3 s)
#   memoryMax=1000000 (the memory store stops there)
# Build first: ./mvnw -q -pl idempo-benchmarks -am package -DskipTests
set -euo pipefail
cd "$(dirname "$0")/.."
echo "uptime before: $(uptime)"
java -Xmx4g -cp idempo-benchmarks/target/benchmarks.jar dev.idempo.benchmarks.CostCurveBenchmark "$@"
echo "uptime after: $(uptime)"
