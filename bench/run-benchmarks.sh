#!/usr/bin/env bash
# Runs the load-generator benchmarks behind BENCHMARKS.md against a local cluster (master + 2 secondaries in one
# JVM, the load generator in another, all on this machine) and renders the latency-percentile charts.
#   mvn -B -DskipTests package && bench/run-benchmarks.sh [seconds-per-run]
#   FLUSH=batch bench/run-benchmarks.sh 10     # the same with the log on disk (batch, never or interval:MS)
# Without FLUSH the nodes keep their log in memory (--in-memory), as for the published results, into
# bench/results/. With FLUSH each cluster gets a fresh data directory under DATA_DIR (default
# /tmp/replog-bench-data, deleted after each cluster) and the results go to bench/results/durable/<flush>/.
# Needs gnuplot for the charts (apt-get install gnuplot-nox); the numbers come without it.
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-10}"
out=bench/results
store=(--in-memory)
if [ -n "${FLUSH:-}" ]; then
  out=bench/results/durable/${FLUSH//:/-}
  data_dir=${DATA_DIR:-/tmp/replog-bench-data}
  store=(--data-dir "$data_dir" --flush "$FLUSH")
fi
mkdir -p "$out"
node_jar=node/target/replog-node.jar
logctl=(java -jar tools/target/logctl.jar -s 127.0.0.1:7000)

start_cluster() {
  [ -z "${data_dir:-}" ] || rm -rf "$data_dir"
  java -XX:MaxDirectMemorySize=8g -jar "$node_jar" local "${store[@]}" "$@" > "$out/cluster.log" 2>&1 &
  cluster=$!
  for _ in $(seq 1 100); do "${logctl[@]}" ping -c 1 > /dev/null 2>&1 && return; sleep 0.2; done
  echo "cluster did not start" >&2; exit 1
}
stop_cluster() { kill "$cluster"; wait "$cluster" 2>/dev/null || true; [ -z "${data_dir:-}" ] || rm -rf "$data_dir"; }
level() { # wait until both secondaries hold everything, so no run pays for the previous one's backlog
  for _ in $(seq 1 600); do
    [ "$("${logctl[@]}" health --json | grep -o '"lag":0' | wc -l)" -eq 2 ] && return
    sleep 0.5
  done
}
bench() { # name, logctl bench args…
  local name=$1; shift
  level
  "${logctl[@]}" bench --duration "${secs}s" --warmup 2s --json --histogram "$out/$name.hgrm" "$@" \
    | tail -1 | tee "$out/$name.json"
}

# a fresh cluster per w: the log only grows, so no run inherits another's millions of messages
for w in 1 2 3; do
  start_cluster
  [ "$w" = 1 ] && bench ping --op ping
  bench "sync-w$w" -w "$w"
  bench "paced20k-w$w" -w "$w" --rate 20000
  bench "pipelined-w$w" -w "$w" --inflight 1000 --connections 2
  stop_cluster
done

# a secondary that is slow (3 s delay) or dead must not slow w=1 traffic
start_cluster --delays 0,3000
"${logctl[@]}" bench --duration "${secs}s" --warmup 2s --json -w 1 | tail -1 | tee "$out/sync-w1-delayed-secondary.json"
"${logctl[@]}" bench --duration "${secs}s" --warmup 2s --json -w 1 --inflight 1000 --connections 2 \
  | tail -1 | tee "$out/pipelined-w1-delayed-secondary.json"
stop_cluster

if command -v gnuplot > /dev/null; then
  for w in 1 2 3; do
    gnuplot <<GNUPLOT
set terminal pngcairo size 900,520 font "sans,10"
set output "$out/latency-w$w.png"
set title "replog append latency by percentile, w=$w (100-byte messages, master + 2 secondaries, 2 cores${FLUSH:+, --flush $FLUSH})"
set logscale x
set logscale y
set xlabel "percentile"
set ylabel "latency (µs)"
set xtics ("50%%" 2, "90%%" 10, "99%%" 100, "99.9%%" 1000, "99.99%%" 10000, "99.999%%" 100000)
set grid
set key top left
plot "< grep -E '^ +[0-9]' $out/sync-w$w.hgrm" using 4:1 with lines lw 2 title "one at a time (blocking client)", \
     "< grep -E '^ +[0-9]' $out/paced20k-w$w.hgrm" using 4:1 with lines lw 2 title "paced 20,000/s (open loop)", \
     "< grep -E '^ +[0-9]' $out/ping.hgrm" using 4:1 with lines lw 1 dt 2 title "PING round trip (the floor)"
GNUPLOT
  done
  echo "charts: $out/latency-w{1,2,3}.png"
fi
