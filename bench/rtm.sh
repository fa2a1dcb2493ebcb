#!/usr/bin/env bash
# bench/rtm.sh: what the RTM path costs when customers do what customers do, measured side by
# side in one run: 3.0 send_event translated (served with an expansion) against 3.2 send_event
# passed through, on the canned 3.2 upstream, which echoes each stored event to the sender's
# session as LiveChat does and reads back a thread of 16 events; then a pipelining run (frames
# sent without waiting) and an overload run (5× the steady load for 60 s). It records, per run:
# lcgate's CPU per call (from /proc), answer latency, lost/duplicated/reordered answers and
# pushes, lcgate's peak RSS and goroutines, and how often sessions were throttled.
#
#   bench/rtm.sh [--quick] [--record [FILE]]
#
# --record writes the result between <!-- rtm:begin --> and <!-- rtm:end --> in BENCHMARKS.md
# (or FILE), which bench/run.sh keeps. --quick shortens every run (a smoke test).
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
	*) echo "usage: bench/rtm.sh [--quick] [--record [FILE]]" >&2; exit 2 ;;
	esac
	shift
done

# steady: sessions × 20 send_event/s; pipeline: sessions × rate/s, far faster than answers
# come back, so frames are sent without waiting; overload: 5× the steady rate.
rounds=2 steady_s=30 steady_sessions=1000 pipe_sessions=20 pipe_rate=500 pipe_s=20 over_s=60
if [ $quick = 1 ]; then
	rounds=1 steady_s=5 steady_sessions=100 pipe_sessions=5 pipe_rate=200 pipe_s=3 over_s=5
fi

say() { printf '\n==> %s\n' "$*" >&2; }
die() { echo "bench/rtm.sh: $*" >&2; exit 1; }
command -v jq >/dev/null || die "jq is needed (Debian: apt-get install jq)"
command -v curl >/dev/null || die "curl is needed (Debian: apt-get install curl)"

work=$(mktemp -d /tmp/lcgate-rtm.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
ulimit -n 1048576 2>/dev/null || ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

say "building lcgate and lcload"
go build -o "$work/lcgate" ./cmd/lcgate
go build -o "$work/lcload" ./cmd/lcload
. bench/lib.sh

upstream_port=18201 lcgate_port=18202 metrics_port=18203
"$work/lcload" upstream --listen 127.0.0.1:$upstream_port --echo-events >"$work/upstream.log" 2>&1 &
pids+=($!)
wait_port $upstream_port
"$work/lcgate" serve --listen 127.0.0.1:$lcgate_port --metrics-listen 127.0.0.1:$metrics_port \
	--upstream http://127.0.0.1:$upstream_port --upstream-version 3.2 --log-level warn \
	--max-sessions 50000 >"$work/lcgate.log" 2>&1 &
lcgate_pid=$!
pids+=($lcgate_pid)
wait_port $lcgate_port

# cpu_ticks: lcgate's user + system CPU so far, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' /proc/$lcgate_pid/stat; }
hz=$(getconf CLK_TCK)
metric() { curl -s http://127.0.0.1:$metrics_port/metrics | awk -v m="$1" '$1 == m { print $2 }'; }
# read_frames: client frames lcgate has read so far (logins included).
read_frames() { metric 'lcgate_rtm_frames_total{direction="up",disposition="in"}' | awk '{ printf "%d", $1 }'; }

# sample NAME: records lcgate's peak RSS (KiB) and goroutines every 200 ms until stopped.
sample() {
	local peak_rss=0 peak_g=0
	while [ ! -f "$work/stop-$1" ]; do
		local r g
		r=$(awk '/^VmRSS/ { print $2 }' /proc/$lcgate_pid/status)
		g=$(metric go_goroutines)
		[ "${r:-0}" -gt $peak_rss ] && peak_rss=$r
		g=${g%.*}
		[ "${g:-0}" -gt $peak_g ] && peak_g=$g
		sleep 0.2
	done
	echo "$peak_rss $peak_g" >"$work/peak-$1"
}

# run NAME VERSION SESSIONS RATE SECONDS: one lcload run of send_event frames, with lcgate's CPU
# per answered call and its peaks.
run() {
	local name=$1 version=$2 sessions=$3 rate=$4 secs=$5
	say "$name: $sessions sessions × $rate send_event/s for ${secs}s, $version client on the 3.2 upstream"
	rm -f "$work/stop-$name"
	sample "$name" &
	local sampler=$!
	local before throttled_before
	before=$(cpu_ticks)
	throttled_before=$(metric lcgate_rtm_throttled_total)
	local read_before
	read_before=$(read_frames)
	"$work/lcload" rtm --url ws://127.0.0.1:$lcgate_port --version "$version" --sessions "$sessions" \
		--rate "$rate" --duration "${secs}s" --ramp 5s --drain 120s --action send_event \
		--payload '{"chat_id":"PJ0MRSHTDG","event":{"type":"message","text":"{seq}"}}' \
		--pushes-per-request 1 --json >"$work/$name.json" || true
	local after
	after=$(cpu_ticks)
	touch "$work/stop-$name"
	wait $sampler
	jq --argjson rate "$rate" --argjson cpu "$(awk "BEGIN { print ($after - $before) / $hz }")" \
		--argjson throttled "$(awk "BEGIN { print $(metric lcgate_rtm_throttled_total) - ${throttled_before:-0} }")" \
		--argjson read "$(( $(read_frames) - read_before - sessions ))" \
		--argjson peak "$(awk '{ print "{\"rss_kib\":" $1 ",\"goroutines\":" $2 "}" }' "$work/peak-$name")" \
		'. + {rate: $rate, read: $read, cpu_s: $cpu, throttled: $throttled, peak: $peak,
		      cpu_us_per_call: (if .answered > 0 then $cpu * 1e6 / .answered else null end)}' \
		"$work/$name.json" >"$work/$name.tmp" && mv "$work/$name.tmp" "$work/$name.json"
}

for round in $(seq $rounds); do
	run "pass-$round" 3.2 $steady_sessions 20 $steady_s
	run "translated-$round" 3.0 $steady_sessions 20 $steady_s
done
run pipeline 3.0 $pipe_sessions $pipe_rate $pipe_s
run overload 3.0 $steady_sessions 100 $over_s

# --- report -------------------------------------------------------------------------------
j() { jq -r "$2" "$work/$1.json"; }
mean() { # mean NAME-PREFIX JQ: the mean over the rounds
	local s=0
	for round in $(seq $rounds); do s=$(awk "BEGIN { print $s + $(j "$1-$round" "$2") }"); done
	awk "BEGIN { printf \"%.1f\", $s / $rounds }"
}
sum() {
	local s=0
	for round in $(seq $rounds); do s=$(( s + $(j "$1-$round" "$2") )); done
	echo $s
}
verdict() { if awk "BEGIN { exit !($1) }"; then echo met; else echo "**missed**"; fi; }
pass_cpu=$(mean pass .cpu_us_per_call) tr_cpu=$(mean translated .cpu_us_per_call)
pass_p99=$(mean pass .p99_ms) tr_p99=$(mean translated .p99_ms)
bad() { echo $(( $(j "$1" .lost) + $(j "$1" .duplicated) + $(j "$1" .reordered) + $(j "$1" .push_lost) + $(j "$1" .push_reordered) )); }
tr_bad=0
for round in $(seq $rounds); do tr_bad=$(( tr_bad + $(bad "translated-$round") )); done
block=$(
	echo "<!-- rtm:begin -->"
	echo "## RTM: what customers do (\`bench/rtm.sh\`)"
	echo
	echo "Written on $(date -u '+%Y-%m-%d %H:%M UTC')$([ $quick = 1 ] && echo ' with --quick (a smoke run, not a measurement)'), $(nproc) cores, lcload and the canned 3.2 upstream"
	echo "(\`--echo-events\`: each send_event is followed by the incoming_event push of the stored event, as on LiveChat) on the"
	echo "same machine. Steady runs alternate pass-through and translated, $rounds rounds, means shown."
	echo
	echo "| run | answered | lcgate CPU per call | p50 / p99 | lost / dup / reordered (answers, pushes) | peak RSS | peak goroutines | throttled |"
	echo "|---|---|---|---|---|---|---|---|"
	for name in $(for round in $(seq $rounds); do echo "pass-$round translated-$round"; done) pipeline overload; do
		printf '| %s (%s × %s/s) | %s of %s | %.0f µs | %s / %s ms | %s/%s/%s, %s/%s/%s | %s MiB | %s | %s |\n' \
			"$name" "$(j $name .sessions)" "$(j $name .rate)" \
			"$(j $name .answered)" "$(j $name .sent)" "$(j $name '.cpu_us_per_call // 0')" "$(j $name .p50_ms)" "$(j $name .p99_ms)" \
			"$(j $name .lost)" "$(j $name .duplicated)" "$(j $name .reordered)" \
			"$(j $name .push_lost)" "$(j $name .push_duplicated)" "$(j $name .push_reordered)" \
			"$(j $name '.peak.rss_kib / 1024 | floor')" "$(j $name .peak.goroutines)" "$(j $name .throttled)"
	done
	echo
	echo "| budget | measured | verdict |"
	echo "|---|---|---|"
	echo "| translated 3.0 send_event CPU per call ≤ 1.5× the 3.2 pass-through's | $tr_cpu µs vs $pass_cpu µs: $(awk "BEGIN { printf \"%.2f\", $tr_cpu / $pass_cpu }")× | $(verdict "$tr_cpu <= 1.5 * $pass_cpu") |"
	echo "| $steady_sessions × 20/s translated: 0 lost/dup/reordered, p99 ≤ 2× pass-through's | $tr_bad anomalies; p99 $tr_p99 ms vs $pass_p99 ms | $(verdict "$tr_bad == 0 && $tr_p99 <= 2 * $pass_p99") |"
	echo "| pipelined frames answered in order, none lost | $(bad pipeline) anomalies, $(j pipeline .answered) of $(j pipeline .sent) answered | $(verdict "$(bad pipeline) == 0 && $(j pipeline .answered) == $(j pipeline .sent)") |"
	# Under overload lcgate stops reading (backpressure): frames the client could not hand over
	# within the run and its drain are counted apart from frames lcgate read and did not answer.
	echo "| overload (5× for ${over_s}s): RSS ≤ 256 MiB; every frame lcgate read answered, in order, once | $(j overload '.peak.rss_kib / 1024 | floor') MiB; read $(j overload .read), answered $(j overload .answered), dup/reordered $(( $(j overload .duplicated) + $(j overload .reordered) + $(j overload .push_duplicated) + $(j overload .push_reordered) )); $(j overload '.sent - .read') of $(j overload .sent) frames never taken from the client (backpressure) | $(verdict "$(j overload .peak.rss_kib) <= 262144 && $(j overload .answered) == $(j overload .read) && $(j overload .duplicated) + $(j overload .reordered) + $(j overload .push_reordered) == 0") |"
	echo "<!-- rtm:end -->"
)
echo "$block"
if [ -n "$record" ]; then
	record_block rtm "$block" "$record"
	say "recorded in $record"
fi
