#!/usr/bin/env bash
# Makes docs/cluster-page.png: three node processes (logs in memory), a minute of paced load at w=1, 2 and 3, one
# secondary killed near the end, the master's page watched in headless Chromium the whole time.
#   mvn -B -DskipTests install && docs/cluster-page.sh
# Needs chromium and chromium-driver (apt-get install chromium chromium-driver). OUT=file saves elsewhere.
set -euo pipefail
cd "$(dirname "$0")/.."
node_jar=$PWD/node/target/replog-node.jar
logctl_jar=$PWD/tools/target/logctl.jar
port=18100
out=${OUT:-$PWD/docs/cluster-page.png}
work=$(mktemp -d)
(umask 077 && head -c 48 /dev/urandom | base64 > "$work/cluster.key")
. bench/cluster.sh
tls_client=()
cluster_start "$node_jar" "$port" "$work" --in-memory --bind 127.0.0.1 --cluster-key-file "$work/cluster.key"
pids=("${cluster_pids[@]}")
trap 'kill "${pids[@]}" 2> /dev/null || true; rm -rf "$work"' EXIT

logctl_bench() { java -jar "$logctl_jar" -s 127.0.0.1:$port bench "$@" > /dev/null 2>&1 || true; }
# the page is loaded about 20 s from here (Maven starting the browser) and watched for 68 s
logctl_bench -w 1 --rate 300 --duration 110s &
(sleep 15; logctl_bench -w 2 --rate 200 --duration 95s) &
(sleep 30; logctl_bench -w 3 --rate 100 --duration 80s) &
(sleep 75; kill "${pids[1]}") & # the second secondary: w=3 stops being answered, the page shows why
mvn -B -q test -pl node -Dtest=ClusterPageScreenshot -Dsurefire.failIfNoSpecifiedTests=false \
  -Dreplog.page.url="http://127.0.0.1:$((port + 100))/" -Dreplog.page.seconds=68 \
  -Dreplog.page.out="$out"
echo "saved $out"
