#!/usr/bin/env bash
# The measurement behind BENCHMARKS.md's "Metrics (issue 10)": the load generator against three node processes
# (master + 2 secondaries, logs in memory) with the node jar before any metrics (BEFORE_JAR) and with this tree's,
# interleaved, a fresh cluster per run; /metrics is scraped every second during the "after" runs, as Prometheus
# would. Build the "before" jar from commit cc2da7d (the last one without metrics):
#   git worktree add /tmp/before cc2da7d && (cd /tmp/before && mvn -B -DskipTests package -pl node -am)
#   mvn -B -DskipTests package && BEFORE_JAR=/tmp/before/node/target/replog-node.jar bench/run-metrics-benchmarks.sh
# Environment: REPS (default 3), SECS measured per run (default 8), WS (default "1 3"), MODES (default
# "sync pipelined"), CONFIGS (default "before after"; "unscraped" is this tree's jar not scraped). Results: bench/results/metrics/runs.jsonl.
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/results/metrics
mkdir -p "$out"
after_jar=$PWD/node/target/replog-node.jar
before_jar=${BEFORE_JAR:?set BEFORE_JAR to a node jar built without metrics}
logctl_jar=$PWD/tools/target/logctl.jar
port=27300
work=$(mktemp -d)
(umask 077 && head -c 48 /dev/urandom | base64 > "$work/cluster.key")

. bench/cluster.sh
tls_client=()
start() { cluster_start "$1" "$port" "$out" --in-memory --bind 127.0.0.1 --cluster-key-file "$work/cluster.key"; }
stop() { cluster_stop; }

for rep in $(seq 1 "${REPS:-3}"); do
  for w in ${WS:-1 3}; do
    for mode in ${MODES:-sync pipelined}; do
      for cfg in ${CONFIGS:-before after}; do
        if [ "$cfg" = before ]; then start "$before_jar"; else start "$after_jar"; fi # "unscraped": after, no scrapes
        scraper=
        if [ "$cfg" = after ]; then # a scrape a second, as a Prometheus server would
          (while curl -s -o /dev/null "http://127.0.0.1:$((port + 100))/metrics"; do sleep 1; done) &
          scraper=$!
        fi
        cluster_bench "$cfg" "$mode" "$rep" "$w" "$out/runs.jsonl"
        [ -n "$scraper" ] && kill "$scraper" 2> /dev/null
        stop
      done
    done
  done
done
rm -rf "$work"
