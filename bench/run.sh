#!/usr/bin/env bash
# bench/run.sh: one command that measures lcgate against the bare upstream and nginx on this
# machine, alternating the targets in each round, and writes BENCHMARKS.md.
#
#   bench/run.sh [--quick] [--out FILE]
#
# It installs what it needs (nginx, wrk and jq from Debian packages; sudo when not root),
# builds lcgate and lcload, starts lcload's canned 3.2 upstream, then measures:
#   Web, closed loop (wrk):  upstream directly, nginx in front, lcgate pass-through (3.2 on
#                            3.2), lcgate translating 3.0 → 3.2 (send_event, get_chat_threads)
#   Web, open loop (lcload): lcgate translating 3.0 send_event at 10,000 requests/s
#   RTM (lcload):            10,000 idle sessions held (memory per session), and 1,000
#                            sessions × 20 frames/s translated 3.0 ↔ 3.2 with a push per frame
# and writes every figure, the ratios and each budget (met or missed) to BENCHMARKS.md,
# keeping the block bench/soak.sh --record wrote there (between <!-- soak:begin --> and
# <!-- soak:end -->); last it runs bench/rtm.sh --record (3.0 send_event translated against
# 3.2 pass-through, pipelining, overload), which replaces its own block.
# --quick shortens every run (a smoke test of the script, not a measurement).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

quick=0
out=$root/BENCHMARKS.md
while [ $# -gt 0 ]; do
	case $1 in
	--quick) quick=1 ;;
	--out) out=$2; shift ;;
	*) echo "usage: bench/run.sh [--quick] [--out FILE]" >&2; exit 2 ;;
	esac
	shift
done

# Durations (seconds) and rounds: A/B/C… alternate within each round.
rounds=3 wrk_s=10 open_s=30 rtm_s=30 hold_s=10 hold_sessions=10000 rtm_sessions=1000
if [ $quick = 1 ]; then
	rounds=1 wrk_s=2 open_s=3 rtm_s=3 hold_s=2 hold_sessions=500 rtm_sessions=100
fi

say() { printf '\n==> %s\n' "$*" >&2; }
die() { echo "bench/run.sh: $*" >&2; exit 1; }

# --- tools -------------------------------------------------------------------------------
need=()
for tool in nginx wrk jq; do
	command -v $tool >/dev/null 2>&1 || [ -x /usr/sbin/$tool ] || need+=("$tool")
done
if [ ${#need[@]} -gt 0 ]; then
	say "installing ${need[*]} (Debian packages)"
	sudo=""
	[ "$(id -u)" = 0 ] || sudo=sudo
	$sudo apt-get update -qq >/dev/null
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)

work=$(mktemp -d /tmp/lcgate-bench.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	[ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

ulimit -n 1048576 2>/dev/null || ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
# lcgate holds two descriptors per RTM session (client and upstream legs).
fd_limit=$(ulimit -n)
fd_capped=0
if [ $(( (fd_limit - 500) / 2 )) -lt $hold_sessions ]; then
	hold_sessions=$(( (fd_limit - 500) / 2 )) fd_capped=1
	echo "WARNING: open-file limit $fd_limit (hard limit $(ulimit -Hn)): holding $hold_sessions sessions, not 10,000" >&2
fi

say "building lcgate and lcload"
go build -o "$work/lcgate" ./cmd/lcgate
go build -o "$work/lcload" ./cmd/lcload

# --- servers -----------------------------------------------------------------------------
upstream_port=18101 nginx_port=18102 lcgate_port=18103 metrics_port=18104

. bench/lib.sh

say "starting the canned 3.2 upstream, nginx and lcgate"
"$work/lcload" upstream --listen 127.0.0.1:$upstream_port --pushes-per-request 1 >"$work/upstream.log" 2>&1 &
upstream_pid=$!
pids+=($upstream_pid)
wait_port $upstream_port

cat >"$work/nginx.conf" <<NGINX
worker_processes auto;
daemon off;
pid $work/nginx.pid;
error_log $work/nginx-error.log warn;
events { worker_connections 65536; }
http {
	access_log off;
	upstream canned { server 127.0.0.1:$upstream_port; keepalive 256; }
	server {
		listen 127.0.0.1:$nginx_port backlog=4096;
		location / {
			proxy_pass http://canned;
			proxy_http_version 1.1;
			proxy_set_header Connection "";
		}
	}
}
NGINX
"$nginx_bin" -p "$work" -c "$work/nginx.conf" &
pids+=($!)
wait_port $nginx_port

# lcgate logs a line per request at info; the benchmark runs it at warn, as nginx runs
# without an access log.
"$work/lcgate" serve --listen 127.0.0.1:$lcgate_port --metrics-listen 127.0.0.1:$metrics_port \
	--upstream http://127.0.0.1:$upstream_port --upstream-version 3.2 --log-level warn \
	--max-sessions 50000 >"$work/lcgate.log" 2>&1 &
lcgate_pid=$!
pids+=($lcgate_pid)
wait_port $lcgate_port

# --- Web, closed loop (wrk) ----------------------------------------------------------------
send_event_32='{"chat_id":"PJ0MRSHTDG","event":{"type":"message","text":"Hello, I would like to know more about the enterprise plan."}}'
send_event_30='{"payload":{"chat_id":"PJ0MRSHTDG","event":{"type":"message","text":"Hello, I would like to know more about the enterprise plan."}}}'
threads_30='{"payload":{"chat_id":"PJ0MRSHTDG","thread_ids":["K600PKZON8"]}}'

# lua writes a wrk script that POSTs body $2 to file $1.
lua() {
	cat >"$1" <<LUA
wrk.method = "POST"
wrk.body = [[$2]]
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer dal:bench-token"
LUA
}
lua "$work/se32.lua" "$send_event_32"
lua "$work/se30.lua" "$send_event_30"
lua "$work/th30.lua" "$threads_30"

# Each target: name, URL, script.
targets=(
	"upstream|http://127.0.0.1:$upstream_port/v3.2/customer/action/send_event?license_id=123|se32"
	"nginx|http://127.0.0.1:$nginx_port/v3.2/customer/action/send_event?license_id=123|se32"
	"lcgate pass-through|http://127.0.0.1:$lcgate_port/v3.2/customer/action/send_event?license_id=123|se32"
	"lcgate 3.0→3.2 send_event|http://127.0.0.1:$lcgate_port/v3.0/customer/action/send_event?license_id=123|se30"
	"lcgate 3.0→3.2 get_chat_threads|http://127.0.0.1:$lcgate_port/v3.0/customer/action/get_chat_threads?license_id=123|th30"
)

# cpu_ticks prints the CPU time (user + system, in clock ticks) the processes $@ have used.
cpu_ticks() {
	local t=0 p
	for p in "$@"; do
		[ -r /proc/$p/stat ] && t=$(( t + $(awk '{ print $14 + $15 }' /proc/$p/stat) ))
	done
	echo $t
}
hz=$(getconf CLK_TCK)

# proxy_pids NAME prints the processes that proxy for target NAME: nginx's workers, lcgate,
# none for the upstream itself.
proxy_pids() {
	case $1 in
	nginx) pgrep -P "$(cat "$work/nginx.pid")" ;;
	lcgate*) echo $lcgate_pid ;;
	esac
}

# wrk_run NAME URL SCRIPT prints "rps p50 p90 p99 errors proxy_us upstream_us" for one wrk
# run (latencies in ms; the CPU the proxy and the upstream used per request, in µs).
wrk_run() {
	local name=$1 url=$2 script=$3 res proxy up p0 u0
	proxy=$(proxy_pids "$name" | tr '\n' ' ')
	p0=$(cpu_ticks $proxy) u0=$(cpu_ticks $upstream_pid)
	res=$(wrk -t2 -c64 -d${wrk_s}s --latency -s "$work/$script.lua" "$url")
	echo "$res" >>"$work/wrk.log"
	echo "$res" | awk -v dp=$(( $(cpu_ticks $proxy) - p0 )) -v du=$(( $(cpu_ticks $upstream_pid) - u0 )) -v hz=$hz '
		function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
		/requests in/ { n=$1 }
		/Requests\/sec/ { rps=$2 }
		/^ +50%/ { p50=ms($2) } /^ +90%/ { p90=ms($2) } /^ +99%/ { p99=ms($2) }
		/Non-2xx/ { err+=$NF } /Socket errors/ { err+=1 }
		END { printf "%s %s %s %s %d %.1f %.1f\n", rps, p50, p90, p99, err, dp * 1e6 / hz / n, du * 1e6 / hz / n }'
}

declare -A rps_sum p99_list err_sum proxy_cpu_sum up_cpu_sum
say "Web, closed loop: wrk -t2 -c64, ${wrk_s}s per run, $rounds rounds, targets alternating"
for round in $(seq $rounds); do
	for t in "${targets[@]}"; do
		IFS='|' read -r name url script <<<"$t"
		read -r rps p50 p90 p99 errs proxy_us up_us < <(wrk_run "$name" "$url" "$script")
		echo "  round $round  $(printf '%-34s' "$name") $rps req/s  p50 $p50 ms  p99 $p99 ms  errors $errs  CPU/request: proxy $proxy_us µs, upstream $up_us µs" >&2
		proxy_cpu_sum[$name]=$(awk "BEGIN { print ${proxy_cpu_sum[$name]:-0} + $proxy_us }")
		up_cpu_sum[$name]=$(awk "BEGIN { print ${up_cpu_sum[$name]:-0} + $up_us }")
		rps_sum[$name]=$(awk "BEGIN { print ${rps_sum[$name]:-0} + $rps }")
		p99_list[$name]="${p99_list[$name]:-} $p99"
		err_sum[$name]=$(( ${err_sum[$name]:-0} + errs ))
	done
done
avg() { awk "BEGIN { printf \"%.0f\", $1 / $rounds }"; }
avg1() { awk "BEGIN { printf \"%.1f\", $1 / $rounds }"; }
median() { tr ' ' '\n' <<<"$1" | grep -v '^$' | sort -g | awk '{ a[NR]=$1 } END { print a[int((NR+1)/2)] }'; }

# --- Web, open loop (lcload) ---------------------------------------------------------------
# open_loop NAME VERSION ACTION BODY [PORT]: lcload at 10,000 requests/s through lcgate (or
# the server on PORT).
open_loop() {
	say "Web, open loop: lcload at 10,000 requests/s for ${open_s}s, $1"
	"$work/lcload" web --url http://127.0.0.1:${5:-$lcgate_port} --version "$2" --action "$3" \
		--body "$4" --rate 10000 --duration ${open_s}s --conns 128 --json >"$work/open-$1.json"
}
open_loop nginx 3.2 send_event "$send_event_32" $nginx_port
open_loop pass-through 3.2 send_event "$send_event_32"
open_loop get_chat_threads 3.0 get_chat_threads "$(jq -c .payload <<<"$threads_30")"
open_loop send_event 3.0 send_event "$(jq -c .payload <<<"$send_event_30")"

# --- RTM ------------------------------------------------------------------------------------
rss_kib() { awk '/^VmRSS/ { print $2 }' /proc/$lcgate_pid/status; }
say "RTM: $hold_sessions idle sessions held (3.0 clients, translated) for ${hold_s}s"
idle_rss=$(rss_kib)
"$work/lcload" rtm --url ws://127.0.0.1:$lcgate_port --version 3.0 --sessions $hold_sessions --hold \
	--ramp $(( quick == 1 ? 2 : 20 ))s --duration ${hold_s}s --json >"$work/hold.json" &
hold_pid=$!
sleep $(( (quick == 1 ? 2 : 20) + hold_s / 2 ))
held_rss=$(rss_kib)
wait $hold_pid || true
held=$(jq -r '.sessions_open // 0' "$work/hold.json")
per_session=$(awk "BEGIN { if ($held > 0) printf \"%.1f\", ($held_rss - $idle_rss) / $held; else print \"n/a\" }")

say "RTM: $rtm_sessions sessions × 20 frames/s for ${rtm_s}s, 3.0 ↔ 3.2 with one push per frame"
"$work/lcload" rtm --url ws://127.0.0.1:$lcgate_port --version 3.0 --sessions $rtm_sessions --rate 20 \
	--duration ${rtm_s}s --ramp 5s --drain 60s --action send_sneak_peek --payload '{"chat_id":"PJ0MRSHTDG","sneak_peek_text":"{seq}"}' \
	--pushes-per-request 1 --json >"$work/rtm.json"

# --- Go benchmarks ------------------------------------------------------------------------
say "Go benchmarks of the translation"
go test -run '^$' -bench . -benchmem -count 3 ./translate >"$work/gobench.txt" 2>&1 || die "go benchmarks failed"

# --- report -------------------------------------------------------------------------------
say "writing $out"
# The soak's block (bench/soak.sh --record), between its markers, is kept as it is.
soak_block=$(sed -n '/^<!-- soak:begin -->$/,/^<!-- soak:end -->$/p' "$out" 2>/dev/null || true)
rtm_block=$(sed -n '/^<!-- rtm:begin -->$/,/^<!-- rtm:end -->$/p' "$out" 2>/dev/null || true)
verdict() { if awk "BEGIN { exit !($1) }"; then echo met; else echo "**missed**"; fi; }
nginx_rps=$(avg "${rps_sum[nginx]}")
pass_rps=$(avg "${rps_sum[lcgate pass-through]}")
se_rps=$(avg "${rps_sum[lcgate 3.0→3.2 send_event]}")
th_rps=$(avg "${rps_sum[lcgate 3.0→3.2 get_chat_threads]}")
ratio() { awk "BEGIN { printf \"%.2f\", $1 / $2 }"; }
on() { jq -r "$2" "$work/open-$1.json"; }
r() { jq -r "$1" "$work/rtm.json"; }
gob() { awk -v n="$1" '$1 ~ n { print $3 " ns/op, " $(NF-1) " allocs/op"; exit }' "$work/gobench.txt"; }
gons() { awk -v n="$1" '$1 ~ n { s += $3; c++ } END { printf "%.0f", s / c }' "$work/gobench.txt"; }
goallocs() { awk -v n="$1" '$1 ~ n { print $(NF-1); exit }' "$work/gobench.txt"; }
{
	echo "# Benchmarks"
	echo
	echo "Written by \`bench/run.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC')$([ $quick = 1 ] && echo ' with --quick (a smoke run, not a measurement)')."
	echo "Machine: $(lscpu | awk -F: '/Model name/ { gsub(/^ +/, "", $2); print $2 }'), $(nproc) cores, $(free -g | awk '/Mem:/ { print $2 }') GiB,"
	echo "$(uname -sr), $(go version | awk '{ print $3 }'), nginx $("$nginx_bin" -v 2>&1 | sed 's|.*/||'), wrk and lcload on the same machine."
	echo "lcgate runs with \`--log-level warn\` (nginx runs without an access log)."
	echo
	echo "## Web, closed loop"
	echo
	echo "\`wrk -t2 -c64 -d${wrk_s}s\`, $rounds rounds, the targets alternating within each round; requests/s"
	echo "averaged over the rounds, p99 the median of the rounds."
	echo
	echo "| Target | Requests/s | p99 (ms) | Errors | vs nginx | Proxy CPU per request (µs) | Upstream CPU per request (µs) |"
	echo "|---|---|---|---|---|---|---|"
	for t in "${targets[@]}"; do
		IFS='|' read -r name _ _ <<<"$t"
		a=$(avg "${rps_sum[$name]}")
		pc=$(avg1 "${proxy_cpu_sum[$name]}")
		[ "$name" = upstream ] && pc="–"
		echo "| $name | $a | $(median "${p99_list[$name]}") | ${err_sum[$name]} | $(ratio "$a" "$nginx_rps")× | $pc | $(avg1 "${up_cpu_sum[$name]}") |"
	done
	echo
	echo "CPU per request is the CPU time (user + system, from \`/proc\`) the proxy's processes and the"
	echo "upstream used during the run, divided by the requests wrk counted. wrk, the proxy and the upstream"
	echo "share the 2 cores, so requests/s is bounded by 2 CPU-seconds over the sum of the three per-request"
	echo "costs: a translated call that makes the upstream work twice (3.0 \`send_event\`) or answers 4 KiB"
	echo "(\`get_chat_threads\`) is measured against a pass-through whose upstream cost is smaller."
	echo
	echo "## Web, open loop"
	echo
	echo "\`lcload web\` at 10,000 requests/s for ${open_s}s, latency from the scheduled send time: nginx in front of the"
	echo "upstream for scale, then lcgate."
	echo "A 3.0 \`send_event\` costs two upstream calls (\`send_event\`, then \`get_chat\` of the latest thread: the 3.0"
	echo "answer holds the stored event), a 3.0 \`get_chat_threads\` one (\`get_chat\`, a 4 KiB answer translated)."
	echo
	echo "| Path | Sent | Answered | p50 (ms) | p90 | p99 | p99.9 | max | Errors | Sent late (>1 ms) |"
	echo "|---|---|---|---|---|---|---|---|---|---|"
	for n in nginx pass-through get_chat_threads send_event; do
		echo "| $n | $(on $n .sent) | $(on $n .answered) | $(on $n .p50_ms) | $(on $n .p90_ms) | $(on $n .p99_ms) | $(on $n .p999_ms) | $(on $n .max_ms) | $(on $n '[.errors[]?] | add // 0') | $(on $n .late) |"
	done
	echo
	echo "## RTM"
	echo
	echo "- $held idle 3.0 sessions held through lcgate (each: a client and an upstream WebSocket, translated):"
	echo "  RSS $idle_rss KiB idle → $held_rss KiB held, **$per_session KiB per session**."
	echo "- $rtm_sessions sessions × 20 frames/s for ${rtm_s}s, 3.0 client ↔ 3.2 upstream, one push per frame (answers"
	echo "  awaited up to 60 s after the last send, so a queued answer counts as late, not lost):"
	echo "  $(r .answered) answers, p50 $(r .p50_ms) ms, p99 $(r .p99_ms) ms, p99.9 $(r .p999_ms) ms;"
	echo "  lost $(r .lost), duplicated $(r .duplicated), reordered $(r .reordered);"
	echo "  pushes lost $(r .push_lost), duplicated $(r .push_duplicated), reordered $(r .push_reordered), push p99 $(r .push_p99_ms) ms."
	echo
	echo "## Translation (Go benchmarks, \`go test -bench . -benchmem -count 3 ./translate\`, mean of 3)"
	echo
	echo "| Benchmark | ns/op | allocs/op |"
	echo "|---|---|---|"
	for b in RequestUp30To32SendEvent1K ResponseDown32To30ChatThreads4K PushDown32To30IncomingEvent; do
		echo "| $b | $(gons "$b") | $(goallocs "$b") |"
	done
	echo
	echo "## Budgets"
	echo
	echo "| Budget | Measured | Verdict |"
	echo "|---|---|---|"
	echo "| Web closed loop: lcgate 3.0→3.2 ≥ 1.0× nginx | send_event $(ratio "$se_rps" "$nginx_rps")×, get_chat_threads $(ratio "$th_rps" "$nginx_rps")× | $(verdict "$se_rps >= $nginx_rps && $th_rps >= $nginx_rps") |"
	echo "| Web closed loop: lcgate 3.0→3.2 ≥ 0.8× its pass-through | send_event $(ratio "$se_rps" "$pass_rps")×, get_chat_threads $(ratio "$th_rps" "$pass_rps")× | $(verdict "$se_rps >= 0.8 * $pass_rps && $th_rps >= 0.8 * $pass_rps") |"
	for n in get_chat_threads send_event; do
		echo "| Web open loop 10k/s, 3.0 $n: p99 ≤ 2 ms, p99.9 ≤ 10 ms, 0 errors | p99 $(on $n .p99_ms) ms, p99.9 $(on $n .p999_ms) ms, $(on $n '[.errors[]?] | add // 0') errors | $(verdict "$(on $n .p99_ms) <= 2 && $(on $n .p999_ms) <= 10 && $(on $n '[.errors[]?] | add // 0') == 0") |"
	done
	if [ $fd_capped = 1 ] && [ "$held" = "$hold_sessions" ]; then
		# Every session the descriptor limit allows was held: the memory per session is
		# measured, the count itself cannot be reached on this machine.
		echo "| RTM: 10,000 sessions at ≤ 24 KiB RSS each | $held sessions (the most the open-file limit of $fd_limit allows: two descriptors each), $per_session KiB each | per session: $(verdict "$per_session <= 24"); 10,000 sessions: not reachable here |"
	else
		echo "| RTM: 10,000 sessions at ≤ 24 KiB RSS each | $held sessions, $per_session KiB each | $(verdict "$held >= 10000 && $per_session <= 24") |"
	fi
	echo "| RTM: 1,000 × 20/s translated, p99 ≤ 5 ms, 0 lost/dup/reordered | p99 $(r .p99_ms) ms, lost $(r .lost), dup $(r .duplicated), reordered $(r .reordered) | $(verdict "$rtm_sessions >= 1000 && $(r .p99_ms) <= 5 && $(r .lost) == 0 && $(r .duplicated) == 0 && $(r .reordered) == 0 && $(r .push_lost) == 0") |"
	echo "| 1 KiB request up two steps < 10 µs, < 20 allocs | $(gons RequestUp30To32SendEvent1K) ns, $(goallocs RequestUp30To32SendEvent1K) allocs | $(verdict "$(gons RequestUp30To32SendEvent1K) < 10000 && $(goallocs RequestUp30To32SendEvent1K) < 20") |"
	echo "| 4 KiB answer down two steps < 10 µs, < 20 allocs | $(gons ResponseDown32To30ChatThreads4K) ns, $(goallocs ResponseDown32To30ChatThreads4K) allocs | $(verdict "$(gons ResponseDown32To30ChatThreads4K) < 10000 && $(goallocs ResponseDown32To30ChatThreads4K) < 20") |"
	echo "| 3.2 push down to 3.0 < 5 µs | $(gons PushDown32To30IncomingEvent) ns | $(verdict "$(gons PushDown32To30IncomingEvent) < 5000") |"
	if [ -f bench/notes.md ]; then
		echo
		cat bench/notes.md
	fi
	if [ -n "$rtm_block" ]; then
		echo
		echo "$rtm_block"
	fi
	if [ -n "$soak_block" ]; then
		echo
		echo "$soak_block"
	fi
} >"$out"
cat "$out"

# --- RTM: what customers do (its own script; replaces its block in $out) --------------------
say "RTM: 3.0 send_event translated against 3.2 pass-through, pipelining, overload (bench/rtm.sh)"
bench/rtm.sh $([ $quick = 1 ] && echo --quick) --record "$out"
