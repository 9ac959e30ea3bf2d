#!/usr/bin/env bash
# One measurement behind BENCHMARKS.md's "The engine's speed (issue 22)": a fresh `local` cluster (fixed roles) or
# `local --failover` cluster with its log on disk (--flush batch), the load generator against its master, one JSON
# line on stdout (the load generator's, prefixed with the configuration).
#   bench/run-engine-benchmarks.sh NODE_JAR LOGCTL_JAR fixed|failover pipelined|sync|ping W [SECS]
# pipelined: -w W --inflight 1000 --connections 2; sync: -w W one at a time; ping: --op ping one at a time.
set -euo pipefail
node_jar=$1 logctl_jar=$2 layout=$3 mode=$4 w=$5 secs=${6:-10}
port=${PORT:-27100} http=$((port + 1000)) data=${DATA_ROOT:-/tmp/replog-engine-bench}/$layout-$$
health() { curl -sf "http://127.0.0.1:$1/health"; }
rm -rf "$data"; mkdir -p "$(dirname "$data")"
args=(local --port "$port" --http-port "$http" --data-dir "$data" --flush batch)
[ "$layout" = failover ] && args+=(--failover)
java -XX:MaxDirectMemorySize=8g ${NODE_JVM_FLAGS:-} -jar "$node_jar" "${args[@]}" > "$data.log" 2>&1 &
cluster=$!
trap 'kill $cluster 2>/dev/null; wait $cluster 2>/dev/null; rm -rf "$data"' EXIT
master=""
for _ in $(seq 1 3000); do # the node that says it is master (fixed: the first; failover: the elected one)
  if [ "$layout" = fixed ]; then health "$http" > /dev/null 2>&1 && master=$port && break
  else
    for p in 0 1 2; do
      health $((http + p)) 2> /dev/null | grep -q "^{\"role\":\"master\"" && master=$((port + p)) && break 2
    done
  fi
  sleep 0.01
done
[ -n "$master" ] || { echo "no master" >&2; exit 1; }
bench=(java -jar "$logctl_jar" -s "127.0.0.1:$master" bench --duration "${secs}s" --warmup 3s --json)
case "$mode" in
  pipelined) bench+=(-w "$w" --inflight 1000 --connections 2) ;;
  sync) bench+=(-w "$w") ;;
  ping) bench+=(--op ping) ;;
esac
"${bench[@]}" | tail -1 | sed "s#^{#{\"layout\":\"$layout\",\"mode\":\"$mode\",\"run_w\":$w,\"jar\":\"$node_jar\",#"
echo "elections: $(grep -c 'master in epoch' "$data.log" || true) warn/error: $(grep -c -E ' (WARN|ERROR) ' "$data.log" || true)" >&2
