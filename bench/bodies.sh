#!/usr/bin/env bash
# bench/bodies.sh: lcgate's memory under the two Web body bursts an attacker can send, against
# the canned 3.2 upstream, with default limits:
#   1. slow bodies: 300 connections each declaring a 16 MB body and sending one byte a second
#      for 60 s, while a normal request is timed every second;
#   2. large translated bodies: 8 concurrent 3.0 update_customer bodies of 11.9 MB with
#      1,000,000 keys;
# and, after each, whether RSS comes back within 10 % of its level before the burst within
# 60 s. It records lcgate's peak RSS, the normal request's latency beside its idle latency,
# and the answers the bursts got.
#
#   bench/bodies.sh [--quick] [--record [FILE]]
#
# --record writes the result between <!-- bodies:begin --> and <!-- bodies:end --> in
# BENCHMARKS.md (or FILE). --quick shortens every run (a smoke test).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

quick=0 record=""
while [ $# -gt 0 ]; do
	case $1 in
	--quick) quick=1 ;;
	--record)
		record=$root/BENCHMARKS.md
		if [ $# -gt 1 ] && [ "${2#--}" = "$2" ]; then record=$2; shift; fi
		;;
	*) echo "usage: bench/bodies.sh [--quick] [--record [FILE]]" >&2; exit 2 ;;
	esac
	shift
done
conns=300 trickle_s=60 settle_s=60 large=8 keys=1000000
[ $quick = 1 ] && conns=30 trickle_s=8 settle_s=5 large=2 keys=100000

say() { printf '\n==> %s\n' "$*" >&2; }
die() { echo "bench/bodies.sh: $*" >&2; exit 1; }
command -v curl >/dev/null || die "curl is needed"

work=$(mktemp -d /tmp/lcgate-bodies.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
ulimit -n 65536 2>/dev/null || true
trap "" PIPE # a trickling connection lcgate has cut fails its next write; it must not end the script

say "building lcgate and lcload"
go build -o "$work/lcgate" ./cmd/lcgate
go build -o "$work/lcload" ./cmd/lcload
. bench/lib.sh
upstream_port=18401 lcgate_port=18402 metrics_port=18403
"$work/lcload" upstream --listen 127.0.0.1:$upstream_port >"$work/upstream.log" 2>&1 &
pids+=($!)
wait_port $upstream_port
"$work/lcgate" serve --listen 127.0.0.1:$lcgate_port --metrics-listen 127.0.0.1:$metrics_port \
	--upstream http://127.0.0.1:$upstream_port --upstream-version 3.2 --log-level warn >"$work/lcgate.log" 2>&1 &
lcgate_pid=$!
pids+=($lcgate_pid)
wait_port $lcgate_port

rss() { awk '/^VmRSS/ { print $2 }' /proc/$lcgate_pid/status; } # KiB
url=http://127.0.0.1:$lcgate_port/v3.2/customer/action/list_license_properties?license_id=1
normal() { curl -s -o /dev/null -w '%{time_total}\n' -H 'Authorization: Bearer t' "$url"; }
median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

say "idle: 20 normal requests"
for _ in $(seq 5); do normal >/dev/null; done
idle_ms=$(for _ in $(seq 20); do normal; done | median | awk '{ printf "%.2f", $1 * 1000 }')
before1=$(rss)

# --- 1. slow bodies -------------------------------------------------------------------------
say "burst 1: $conns connections declaring 16 MB, one byte a second, for ${trickle_s}s"
exec 3>"$work/trickle.log"
fds=()
for i in $(seq $conns); do
	exec {fd}<>/dev/tcp/127.0.0.1/$lcgate_port
	printf 'POST /v3.2/customer/action/send_event?license_id=1 HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer t\r\nContent-Type: application/json\r\nContent-Length: 16000000\r\n\r\n' >&$fd
	fds+=($fd)
done
peak1=0 during=()
for s in $(seq $trickle_s); do
	for fd in "${fds[@]}"; do printf ' ' >&$fd 2>/dev/null || true; done
	during+=("$(normal)")
	r=$(rss); [ "$r" -gt $peak1 ] && peak1=$r
	sleep 1
done
answers1=$(for fd in "${fds[@]}"; do timeout 1 head -c 12 <&$fd 2>/dev/null | tr -d '\r\n' || true; echo; done | sort | uniq -c | awk '{ printf "%s× %s %s; ", $1, $2, $3 }')
for fd in "${fds[@]}"; do exec {fd}>&-; done
during_ms=$(printf '%s\n' "${during[@]}" | median | awk '{ printf "%.2f", $1 * 1000 }')
during_max_ms=$(printf '%s\n' "${during[@]}" | sort -g | tail -1 | awk '{ printf "%.2f", $1 * 1000 }')
sleep $settle_s
after1=$(rss)

# --- 2. large translated bodies -----------------------------------------------------------------
say "burst 2: $large concurrent 3.0 update_customer bodies with $keys keys"
python3 - "$keys" >"$work/large.json" <<'PY' 2>/dev/null || awk -v n="$keys" 'BEGIN { printf "{\"payload\":{\"fields\":{"; for (i = 0; i < n; i++) printf "%s\"k%d\":\"v\"", (i ? "," : ""), i; printf "}}}" }' >"$work/large.json"
import sys
n = int(sys.argv[1])
sys.stdout.write('{"payload":{"fields":{' + ",".join('"k%d":"v"' % i for i in range(n)) + '}}}')
PY
size=$(stat -c %s "$work/large.json")
before2=$(rss)
peak2=0 curls=()
for i in $(seq $large); do
	curl -s -o "$work/large-$i.out" -w '%{http_code}\n' -H 'Authorization: Bearer t' -H 'Content-Type: application/json' \
		--data-binary @"$work/large.json" "http://127.0.0.1:$lcgate_port/v3.0/customer/action/update_customer?license_id=1" >"$work/large-$i.code" &
	curls+=($!)
done
running() { for p in "${curls[@]}"; do kill -0 "$p" 2>/dev/null && return 0; done; return 1; }
while running; do r=$(rss); [ "$r" -gt $peak2 ] && peak2=$r; sleep 0.05; done
wait "${curls[@]}" || true
codes=$(cat "$work"/large-*.code | sort | uniq -c | awk '{ printf "%s× %s; ", $1, $2 }')
sleep $settle_s
after2=$(rss)

mib() { awk "BEGIN { printf \"%.0f\", $1 / 1024 }"; }
within() { awk "BEGIN { exit !($1 <= $2 * 1.1) }" && echo met || echo "**missed**"; }
block=$(
	echo "<!-- bodies:begin -->"
	echo "## Web bodies under attack (\`bench/bodies.sh\`)"
	echo
	echo "Written on $(date -u '+%Y-%m-%d %H:%M UTC')$([ $quick = 1 ] && echo ' with --quick (a smoke run, not a measurement)'), $(nproc) cores, default limits (\`--max-body-total\` 64 MiB,"
	echo "\`--min-body-rate\` 1 KiB/s, \`--max-json-values\` 250,000), canned 3.2 upstream on the same machine."
	echo
	echo "| burst | lcgate RSS before → peak → ${settle_s} s after | answers | budget |"
	echo "|---|---|---|---|"
	echo "| $conns connections declaring 16 MB, 1 byte/s for ${trickle_s} s | $(mib $before1) → $(mib $peak1) → $(mib $after1) MiB | ${answers1:-none} normal request median $during_ms ms (max $during_max_ms) against $idle_ms ms idle | peak ≤ 64 + 64 MiB: $(awk "BEGIN { exit !($peak1 <= 131072) }" && echo met || echo '**missed**'); back within 10 %: $(within $after1 $before1) |"
	echo "| $large concurrent 3.0 update_customer of $(mib $((size / 1024))) MiB, $keys keys | $(mib $before2) → $(mib $peak2) → $(mib $after2) MiB | HTTP ${codes} | every request answered: $([ "$(cat "$work"/large-*.code | grep -c .)" = $large ] && echo met || echo '**missed**'); back within 10 %: $(within $after2 $before2) |"
	echo "<!-- bodies:end -->"
)
echo "$block"
if [ -n "$record" ]; then
	record_block bodies "$block" "$record"
	say "recorded in $record"
fi
