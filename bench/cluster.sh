# Sourced by the benchmark scripts and docs/cluster-page.sh: three node processes on loopback, a master and two
# secondaries. Uses $logctl_jar and, for a TLS cluster, the array tls_client (logctl's --tls-ca flags).
#   cluster_start NODE_JAR PORT LOG_DIR [node flags…]   secondaries on PORT+1 and PORT+2, master on PORT, HTTP ports
#                                                       100 higher; returns once both secondaries are Healthy
#   cluster_stop                                        stops them (SIGTERM) and waits
#   cluster_bench CONFIG MODE REP W OUT_FILE            one logctl bench run (MODE sync: one at a time; pipelined:
#                                                       2 connections × 1000 in flight), $SECS s after 3 s, its JSON
#                                                       line tagged with config/mode/rep and appended to OUT_FILE
# cluster_pids holds the processes: secondary 1, secondary 2, master.

cluster_logctl() { java -jar "$logctl_jar" -s "127.0.0.1:$cluster_port" "${tls_client[@]}" "$@"; }

cluster_start() {
  local jar=$1 logs=$3
  cluster_port=$2
  shift 3
  cluster_pids=()
  for i in 1 2; do
    java -jar "$jar" secondary --port $((cluster_port + i)) --http-port $((cluster_port + 100 + i)) "$@" \
      > "$logs/secondary-$i.log" 2>&1 &
    cluster_pids+=($!)
  done
  java -jar "$jar" master --port "$cluster_port" --http-port $((cluster_port + 100)) "$@" \
    --secondaries "127.0.0.1:$((cluster_port + 1)),127.0.0.1:$((cluster_port + 2))" > "$logs/master.log" 2>&1 &
  cluster_pids+=($!)
  for _ in $(seq 1 600); do cluster_logctl ping -c 1 > /dev/null 2>&1 && break; sleep 0.1; done
  for _ in $(seq 1 600); do # both secondaries streaming (the HTTP port speaks TLS too under TLS: ask logctl)
    [ "$(cluster_logctl health --json 2> /dev/null | grep -o '"status":"Healthy"' | wc -l)" -eq 2 ] && return
    sleep 0.1
  done
  echo "cluster never became healthy (logs in $logs)" >&2
  return 1
}

cluster_stop() { kill "${cluster_pids[@]}" 2> /dev/null || true; wait "${cluster_pids[@]}" 2> /dev/null || true; }

cluster_bench() {
  local args=(-w "$4")
  [ "$2" = pipelined ] && args+=(--inflight 1000 --connections 2)
  cluster_logctl bench "${args[@]}" --duration "${SECS:-8}s" --warmup 3s --json | tail -1 \
    | sed "s/^{/{\"config\":\"$1\",\"mode\":\"$2\",\"rep\":$3,/" | tee -a "$5"
}
