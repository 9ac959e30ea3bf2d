#!/usr/bin/env bash
# The measurements behind BENCHMARKS.md's "Authenticated replication (issue 9)": the load generator against three
# node processes (master + 2 secondaries, logs in memory) without a cluster key, with one, and with one plus TLS on
# every connection (mutual TLS for replication), configurations interleaved, a fresh cluster per run.
#   mvn -B -DskipTests package && bench/run-security-benchmarks.sh
# Needs openssl (the script makes its own CA and certificates under $WORK).
# Environment: REPS (default 3), SECS measured per run (default 8), WS (default "1 3"), MODES (default
# "sync pipelined"), CONFIGS (default "plain key tls"). Results: bench/results/security/runs.jsonl.
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/results/security
mkdir -p "$out"
work=${WORK:-/tmp/replog-security-bench}
node_jar=$PWD/node/target/replog-node.jar
logctl_jar=$PWD/tools/target/logctl.jar
port=27200
rm -rf "$work" && mkdir -p "$work"

# --- a CA, one certificate for every node (127.0.0.1), and a cluster key ---
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=bench-ca \
  -keyout "$work/ca.key" -out "$work/ca.pem" 2> /dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=node -keyout "$work/node.key0" \
  -out "$work/node.csr" 2> /dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' > "$work/san.ext"
openssl x509 -req -in "$work/node.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -CAcreateserial -days 2 \
  -extfile "$work/san.ext" -out "$work/node.pem" 2> /dev/null
openssl pkcs8 -topk8 -nocrypt -in "$work/node.key0" -out "$work/node.key"
(umask 077 && head -c 48 /dev/urandom | base64 > "$work/cluster.key")

. bench/cluster.sh
tls_client=()
start() { # config: plain | key | tls
  local flags=(--in-memory --bind 127.0.0.1)
  case "$1" in
    key) flags+=(--cluster-key-file "$work/cluster.key") ;;
    tls) flags+=(--cluster-key-file "$work/cluster.key" --tls-cert "$work/node.pem" --tls-key "$work/node.key"
                 --tls-ca "$work/ca.pem") ;;
  esac
  tls_client=(); [ "$1" = tls ] && tls_client=(--tls-ca "$work/ca.pem")
  cluster_start "$node_jar" "$port" "$out" "${flags[@]}"
}
stop() { cluster_stop; }

for rep in $(seq 1 "${REPS:-3}"); do
  for w in ${WS:-1 3}; do
    for mode in ${MODES:-sync pipelined}; do
      for cfg in ${CONFIGS:-plain key tls}; do
        start "$cfg"
        cluster_bench "$cfg" "$mode" "$rep" "$w" "$out/runs.jsonl"
        stop
      done
    done
  done
done
