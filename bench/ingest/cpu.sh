#!/bin/sh
# CPU per request of one peer alone: starts it, warms it up for 2 s, runs wrk for SECONDS and
# reads the process's CPU time (utime + stime from /proc/PID/stat) before and after.
#
# usage: bench/ingest/cpu.sh awoooi|alertmanager [SECONDS] [ALERTS_PER_REQUEST] [AWOOOI_BINARY]
#   extra awoooi settings through the environment, e.g. AWOOOI_STORE_FSYNC=false
set -eu
here=$(cd "$(dirname "$0")" && pwd)
peer=$1
secs=${2:-6}
per=${3:-1}
bin=${4:-build/release/awoooi}
dir=$(mktemp -d "${TMPDIR:-/tmp}/awoooi-cpu-bench.XXXXXX")
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$dir"' EXIT
if [ "$peer" = alertmanager ]; then
  printf 'route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n' > "$dir/am.yml"
  prometheus-alertmanager --config.file="$dir/am.yml" --storage.path="$dir/data" \
    --web.listen-address="127.0.0.1:$port" --cluster.listen-address= >/dev/null 2>&1 &
  pid=$!
  ready="http://127.0.0.1:$port/-/ready" url="http://127.0.0.1:$port/api/v2/alerts" mode=amv2
else
  printf 'log:\n  level: warn\n' > "$dir/awoooi.yaml"
  "$bin" serve --config "$dir/awoooi.yaml" --data-dir "$dir/data" --listen "127.0.0.1:$port" \
    >/dev/null 2>"$dir/err" &
  pid=$!
  ready="http://127.0.0.1:$port/healthz" url="http://127.0.0.1:$port/api/v1/alerts/alertmanager" mode=webhook
fi
i=0
until curl -sf "$ready" >/dev/null; do
  i=$((i + 1))
  [ "$i" -lt 200 ] || { echo "$peer did not start" >&2; exit 1; }
  sleep 0.1
done
wrk -t1 -c16 -d2s -s "$here/alerts.lua" "$url" -- "$per" "$mode" 0 >/dev/null
cpu() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
t0=$(cpu)
result=$(wrk -t1 -c16 -d"${secs}s" -s "$here/alerts.lua" "$url" -- "$per" "$mode" 0 | grep RESULT)
t1=$(cpu)
hz=$(getconf CLK_TCK)
echo "$result" | awk -v peer="$peer" -v ticks=$((t1 - t0)) -v hz="$hz" -v per="$per" '{
  for (i = 2; i <= NF; i++) { split($i, kv, "="); r[kv[1]] = kv[2] }
  secs = r["duration_us"] / 1e6; cpu = ticks / hz
  printf "%s: %d requests in %.1f s (%.0f requests/s, %d alerts/request), %.2f s CPU, %.0f us CPU/request, p99 %.1f ms\n",
    peer, r["requests"], secs, r["requests"] / secs, per, cpu, cpu * 1e6 / r["requests"], r["p99_us"] / 1000 }'
