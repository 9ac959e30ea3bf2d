#!/usr/bin/env bash
# The measurements behind BENCHMARKS.md's "Durable log (issue 8)": the load generator against local clusters whose
# nodes keep their log on disk (--flush batch / never) or in memory, side by side, plus memory, recovery and
# catch-up of nodes run as separate processes.
#   mvn -B -DskipTests package && bench/run-durable-benchmarks.sh [matrix|memory|recovery|catchup|all]
# Environment:
#   DATA_ROOT   where the data directories go (default /tmp/replog-bench; deleted after each configuration)
#   BASE_JAR    a node jar of an older build to run beside this one in the matrix (its `local`; BASE_ARGS adds flags,
#               e.g. --in-memory for a build that keeps its log on disk)
#   REPS        repetitions of the matrix, interleaved (default 3; FIRST_REP to add more later); SECS seconds
#               measured per run (default 10)
#   CONFIGS     matrix configurations (default "base memory never batch"; base only with BASE_JAR)
#   WS          write concerns (default "1 2 3"); MODES (default "sync pipelined")
#   MESSAGES    messages appended for the memory run (default 10000000); FILL_MESSAGES for recovery (default 10 M ≈ 1 GB)
#   BEFORE_RUN  a command run before each measurement, e.g. one that waits until the machine is idle
# Results: JSON lines under bench/results/durable/ (one object per run, with the configuration added).
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/results/durable
mkdir -p "$out"
node_jar=$PWD/node/target/replog-node.jar
logctl_jar=$PWD/tools/target/logctl.jar
data_root=${DATA_ROOT:-/tmp/replog-bench}
secs=${SECS:-10}
port=27000 # away from the defaults, so a cluster someone else runs on 7000 is not measured by mistake
logctl() { java -jar "$logctl_jar" -s "127.0.0.1:${LOGCTL_PORT:-$port}" "$@"; }
before_run() { [ -z "${BEFORE_RUN:-}" ] || eval "$BEFORE_RUN"; }
now_ms() { date +%s%3N; }
tag() { sed "s/^{/{$1,/"; } # prefix the JSON line on stdin with fields

health() { curl -sf "http://127.0.0.1:$((${1:-$port} + 1000))/health"; }
wait_http() { # port: polls GET /health every 10 ms (a logctl JVM per try would cost ~0.4 s each)
  for _ in $(seq 1 "${2:-6000}"); do health "$1" > /dev/null && return; sleep 0.01; done
  echo "node on $1 did not answer" >&2; return 1
}
wait_ping() { # port: the node answers HTTP, and then a PING over the binary protocol
  wait_http "$1"
  for _ in $(seq 1 100); do LOGCTL_PORT=$1 logctl ping -c 1 > /dev/null 2>&1 && return; sleep 0.05; done
  echo "node on $1 did not answer PING" >&2; return 1
}
lag_of() { health | grep -o '"address":"127.0.0.1:'"$1"'"[^}]*"lag":[0-9]*' | sed 's/.*"lag"://'; }
level() { # both secondaries hold everything the master has
  for _ in $(seq 1 12000); do
    [ "$(health | grep -o '"lag":0,' | wc -l)" -eq 2 ] && return
    sleep 0.01
  done
  echo "secondaries never levelled" >&2; return 1
}

# --- a local cluster (master + 2 secondaries in one JVM), as bench/run-benchmarks.sh runs it ---
start_local() { # config: base | memory | never | batch | interval:MS
  local cfg=$1 jar=$node_jar args=()
  case "$cfg" in
    base) jar=$BASE_JAR; args=(${BASE_ARGS:-}) ;; # BASE_ARGS=--in-memory for a base build that has a disk log
    memory) args=(--in-memory) ;;
    *) rm -rf "$data_root/local"; args=(--data-dir "$data_root/local" --flush "$cfg") ;;
  esac
  java -XX:MaxDirectMemorySize=8g -jar "$jar" local --port $port --http-port $((port + 1000)) "${args[@]}" \
    > "$out/cluster.log" 2>&1 &
  cluster=$!
  wait_ping $port
}
stop_local() {
  kill "$cluster"; wait "$cluster" 2> /dev/null || true
  disk_mb=$( [ -d "$data_root/local" ] && du -sm "$data_root/local" | cut -f1 || echo 0)
  rm -rf "$data_root/local"
}
log_findings() { # WARN/ERROR lines and partial-ACK resends in the cluster's log, as JSON fields
  printf '"warn_lines":%s,"error_lines":%s,"resends":%s,"disk_mb":%s' \
    "$(grep -c ' WARN ' "$out/cluster.log" || true)" "$(grep -c ' ERROR ' "$out/cluster.log" || true)" \
    "$(grep -c 'resending from' "$out/cluster.log" || true)" "$disk_mb"
}

matrix() { # a fresh cluster and a fresh data directory per run, configurations interleaved within a repetition
  local configs=${CONFIGS:-base memory never batch}
  [ -n "${BASE_JAR:-}" ] || configs=${configs//base/}
  for rep in $(seq "${FIRST_REP:-1}" "${REPS:-3}"); do
    for w in ${WS:-1 2 3}; do
      for mode in ${MODES:-sync pipelined}; do
        for cfg in $configs; do
          before_run
          local t_start; t_start=$(date +%s)
          start_local "$cfg"
          level
          local fields="\"config\":\"$cfg\",\"mode\":\"$mode\",\"run_w\":$w,\"rep\":$rep,\"t_start\":$t_start"
          if [ "$mode" = sync ]; then # the ping of the same cluster, just before: the floor of this run
            logctl bench --op ping --duration 5s --warmup 1s --json | tail -1 | tag "$fields" >> "$out/matrix-ping.jsonl"
            logctl bench -w "$w" --duration "${secs}s" --warmup 3s --json | tail -1 > "$out/run.json"
          else
            logctl bench -w "$w" --inflight 1000 --connections 2 --duration "${secs}s" --warmup 3s --json \
              | tail -1 > "$out/run.json"
          fi
          stop_local
          tag "$fields,\"t_end\":$(date +%s),$(log_findings)" < "$out/run.json" | tee -a "$out/matrix.jsonl"
          [ "$(grep -c -E ' (WARN|ERROR) ' "$out/cluster.log")" -eq 0 ] \
            || cp "$out/cluster.log" "$out/cluster-$cfg-$mode-w$w-r$rep.log"
        done
      done
    done
  done
  rm -f "$out/run.json"
}

# --- nodes as separate processes, each with its own RSS and its own log ---
node_flags=(${NODE_JVM_FLAGS:-})
start_node() { # name, role, port, extra args…
  local name=$1 role=$2 p=$3; shift 3
  java "${node_flags[@]}" -jar "$node_jar" "$role" --bind 127.0.0.1 --port "$p" --http-port $((p + 1000)) \
    --data-dir "$data_root/$name" "$@" >> "$out/$name.log" 2>&1 &
  eval "pid_${name//-/_}=$!"
}
stop_node() { # name, signal
  local pid_var="pid_${1//-/_}"
  kill "-${2:-TERM}" "${!pid_var}"; wait "${!pid_var}" 2> /dev/null || true
}
rss_mb() { ps -o rss= -p "$1" | awk '{printf "%.0f", $1 / 1024}'; }
start_three() { # flush policy, extra args for every node
  local flush=$1; shift
  rm -rf "$data_root" "$out"/{master,secondary-1,secondary-2}.log
  start_node secondary-1 secondary $((port + 1)) --flush "$flush" "$@"
  start_node secondary-2 secondary $((port + 2)) --flush "$flush" "$@"
  start_node master master $port --flush "$flush" --secondaries "127.0.0.1:$((port + 1)),127.0.0.1:$((port + 2))" "$@"
  wait_ping $port; wait_ping $((port + 1)); wait_ping $((port + 2)); level
}
stop_three() { stop_node master; stop_node secondary-1; stop_node secondary-2; }

memory() { # MESSAGES appends (default 10 M × 100 B); the RSS of each node after, per JVM flag set and flush policy
  local n=${MESSAGES:-10000000}
  for flags in "" "-Xmx256m -XX:MaxDirectMemorySize=256m"; do
    for flush in ${FLUSHES:-batch never}; do
      before_run
      NODE_JVM_FLAGS=$flags; node_flags=($flags)
      start_three "$flush"
      local t0; t0=$(now_ms)
      logctl bench -w "${MEMORY_W:-3}" --messages "$n" --inflight 1000 --connections 2 --json | tail -1 > "$out/run.json"
      local t1; t1=$(now_ms)
      level
      sleep 2
      local rss="\"rss_mb\":{\"master\":$(rss_mb "$pid_master"),\"secondary-1\":$(rss_mb "$pid_secondary_1"),\"secondary-2\":$(rss_mb "$pid_secondary_2")}"
      stop_three
      tag "\"jvm_flags\":\"$flags\",\"flush\":\"$flush\",\"append_ms\":$((t1 - t0)),$rss,\"disk_mb\":$(du -sm "$data_root/master" | cut -f1),\"node_errors\":$(cat "$out"/{master,secondary-1,secondary-2}.log | grep -c -E ' (WARN|ERROR) ' || true)" \
        < "$out/run.json" | tee -a "$out/memory.jsonl"
      rm -rf "$data_root"
    done
  done
  rm -f "$out/run.json"
}

restart_master() { # how, flush: stop the master with SIGKILL or SIGTERM, start it again, time it
  local how=$1 flush=$2 t0 t_http t1 opened
  stop_node master "$how"
  sync; before_run
  t0=$(now_ms)
  start_node master master $port --flush "$flush" --secondaries "127.0.0.1:$((port + 1)),127.0.0.1:$((port + 2))"
  wait_http $port
  t_http=$(now_ms)
  wait_ping $port
  t1=$(now_ms)
  opened=$(grep 'FileLogStore - .*/master: opened' "$out/master.log" | tail -1 | sed -E 's/.* in ([0-9]+) ms \((.*)\)$/\1 \2/')
  printf '{"restart":"%s","flush":"%s","log_mb":%s,"opened_ms":%s,"open_how":"%s","start_to_http_ms":%s,"start_to_ping_ms":%s}\n' \
    "$how" "$flush" "$(du -sm "$data_root/master" | cut -f1)" "${opened%% *}" "${opened#* }" "$((t_http - t0))" \
    "$((t1 - t0))" \
    | tee -a "$out/recovery.jsonl"
}
recovery() { # fill the log to ~1 GB (FILL_MESSAGES), then kill -9 the master and start it again; then a clean restart
  local fill=${FILL_MESSAGES:-10000000} flush
  for flush in ${FLUSHES:-batch}; do
    for rep in $(seq 1 "${REPS:-3}"); do
      start_three "$flush"
      # a 100-byte message takes 104.3 B on disk (its length and its share of the batch header): 10 M ≈ 1.04 GB
      logctl bench -w 1 --messages "$fill" --inflight 1000 --connections 2 --json | tail -1 > /dev/null
      restart_master KILL "$flush"
      level
      restart_master TERM "$flush"
      level
      stop_three
      grep -h -E ' (WARN|ERROR) ' "$out"/{master,secondary-1,secondary-2}.log > "$out/recovery-warnings-$flush-r$rep.log" || true
      [ -s "$out/recovery-warnings-$flush-r$rep.log" ] || rm -f "$out/recovery-warnings-$flush-r$rep.log"
      rm -rf "$data_root"
    done
  done
}

catchup() { # a secondary stopped, 1 M appended with w=2, the secondary started again: time until its lag is 0
  local flush n=${CATCHUP_MESSAGES:-1000000}
  for flush in ${FLUSHES:-batch never}; do
    for rep in $(seq 1 "${REPS:-3}"); do
      start_three "$flush"
      logctl bench -w 3 --messages 100000 --inflight 1000 --connections 2 --json | tail -1 > /dev/null
      level
      stop_node secondary-2
      logctl bench -w 2 --messages "$n" --inflight 1000 --connections 2 --json | tail -1 > /dev/null
      before_run
      local t0 t1 t_http
      t0=$(now_ms)
      start_node secondary-2 secondary $((port + 2)) --flush "$flush"
      wait_http $((port + 2))
      t_http=$(now_ms)
      until [ "$(lag_of $((port + 2)))" = 0 ]; do sleep 0.01; done
      t1=$(now_ms)
      stop_three
      printf '{"flush":"%s","behind":%s,"start_to_http_ms":%s,"start_to_level_ms":%s,"node_warnings":%s}\n' "$flush" \
        "$n" "$((t_http - t0))" "$((t1 - t0))" "$(cat "$out"/{master,secondary-1,secondary-2}.log | grep -c -E ' (WARN|ERROR) ' || true)" \
        | tee -a "$out/catchup.jsonl"
      rm -rf "$data_root"
    done
  done
}

case "${1:-all}" in
  matrix) matrix ;;
  memory) memory ;;
  recovery) recovery ;;
  catchup) catchup ;;
  all) matrix; memory; recovery; catchup ;;
  *) echo "usage: $0 [matrix|memory|recovery|catchup|all]" >&2; exit 2 ;;
esac
