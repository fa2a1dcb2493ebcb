#!/usr/bin/env bash
# bench/soak.sh: a soak of lcgate under Web load and churning RTM sessions, with checks.
#
#   bench/soak.sh [--duration D] [--sessions N] [--web-rate R] [--rtm-rate F] [--session-life L]
#                 [--warmup W] [--settle S] [--record] [--out FILE]
#
# It builds lcgate and lcload, starts lcload's canned 3.2 upstream (one push per RTM answer)
# and lcgate in front of it translating 3.0 clients onto it (--pprof on the metrics listener,
# for forcing a GC), then:
#   1. warm-up: the same load as below for W (default 30s), then the load stops and lcgate
#      settles (no session left, then S seconds, default 25: fasthttp's idle workers end
#      within 20 s, then until its goroutine count holds for 5 s); baseline: lcgate's heap in use after
#      two forced GCs (go_memstats_heap_inuse_bytes, GC forced with /debug/pprof/heap?gc=1),
#      its goroutines (go_goroutines) and its RSS (VmRSS), and every counter compared below;
#   2. the soak, for D (default 10m): `lcload web` open loop at R requests/s (default 1000)
#      of 3.0 send_event (two upstream calls each), and `lcload rtm` with N sessions
#      (default 1000) of 3.0 clients sending F send_event/s each (default 2; served with an
#      expansion, answered from the incoming_event push the upstream echoes to the sender, which
#      the client gets too), churning: every session closes after L ± 50 % (default 30s) and a new one logs
#      in in its place. lcgate's RSS, heap and goroutines are sampled every few seconds;
#   3. the load stops (answers awaited), lcgate settles as in 1, and the checks run.
# The checks; any failure ends the script with status 1 and says which:
#   - lcload: zero errors of any kind, Web and RTM; every Web request answered; no RTM answer
#     or push lost, duplicated or reordered, on any session, across churn; every session
#     lcload opened was also closed cleanly (its close 1000 answered with 1000);
#   - lcgate's frame counters (lcgate_rtm_frames_total, increase over the soak) reconcile
#     exactly: in + generated = out + dropped in each direction; client frames in = lcload's
#     frames sent + its logins; client frames out = lcload's frames received; and its Web
#     request counter rose by exactly the requests lcload sent, all with outcome ok; no
#     upstream error, no panic; no session left open;
#   - goroutines back to the baseline, within +5 (a few runtime and fasthttp goroutines come
#     and go on their own);
#   - heap in use back to the baseline, within max(4 MiB, 25 %) after two forced GCs. Both are
#     measured idle in the same way; a leak of 400 bytes per RTM session opened or of 7 bytes
#     per Web request over a 10-minute soak (about 20,000 sessions and 600,000 requests at
#     the defaults) would exceed it, while the allocator's free spans and the sizes of
#     long-lived maps and pools stay well within it;
#   - RSS drift under 10 %, defined as: the median RSS of the samples taken in the last tenth
#     of the soak (under load) against the median of those in its second tenth (under load,
#     after the sessions' ramp and their first replacements), as
#     (late − early) / early. RSS idle after the soak is reported, not checked: Go returns
#     freed memory to the system only gradually.
# --record replaces the soak block of BENCHMARKS.md (or --out FILE), between the markers
# <!-- soak:begin --> and <!-- soak:end -->, with the results (appending it when absent);
# bench/run.sh keeps that block when it rewrites the file.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

duration=10m sessions=1000 web_rate=1000 rtm_rate=2 life=30s warmup=30s settle=25
record=0 out=$root/BENCHMARKS.md
usage() {
	echo "usage: bench/soak.sh [--duration D] [--sessions N] [--web-rate R] [--rtm-rate F] [--session-life L] [--warmup W] [--settle SECONDS] [--record] [--out FILE]" >&2
	exit 2
}
while [ $# -gt 0 ]; do
	case $1 in
	--record) record=1; shift; continue ;;
	--duration | --sessions | --web-rate | --rtm-rate | --session-life | --warmup | --settle | --out)
		[ $# -ge 2 ] || usage ;;
	*) usage ;;
	esac
	case $1 in
	--duration) duration=$2 ;;
	--sessions) sessions=$2 ;;
	--web-rate) web_rate=$2 ;;
	--rtm-rate) rtm_rate=$2 ;;
	--session-life) life=$2 ;;
	--warmup) warmup=$2 ;;
	--settle) settle=$2 ;;
	--out) out=$2 ;;
	esac
	shift 2
done

say() { printf '\n==> %s\n' "$*" >&2; }
die() { printf '\nbench/soak.sh: FAILED: %s\n' "$*" >&2; exit 1; }

# seconds D prints a duration given as N, Ns, Nm or Nh in whole seconds.
seconds() {
	case $1 in
	*h) echo $(( ${1%h} * 3600 )) ;;
	*m) echo $(( ${1%m} * 60 )) ;;
	*s) echo $(( ${1%s} )) ;;
	*) echo $(( $1 )) ;;
	esac
}
duration_s=$(seconds "$duration") || usage
warmup_s=$(seconds "$warmup") || usage
[ "$duration_s" -ge 20 ] || die "--duration must be at least 20s"
for tool in jq curl; do command -v $tool >/dev/null || die "$tool is needed (Debian: apt-get install $tool)"; done

work=$(mktemp -d /tmp/lcgate-soak.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

ulimit -n 1048576 2>/dev/null || ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
# lcgate holds two descriptors per RTM session (client and upstream legs); sessions being
# replaced briefly add their successors'.
fd_limit=$(ulimit -n)
[ $(( sessions * 3 + 1000 )) -le "$fd_limit" ] || die "open-file limit $fd_limit is too low for $sessions sessions"

say "building lcgate and lcload"
go build -o "$work/lcgate" ./cmd/lcgate
go build -o "$work/lcload" ./cmd/lcload

. bench/lib.sh
upstream_port=18111 lcgate_port=18113 metrics_port=18114
metrics_url=http://127.0.0.1:$metrics_port

say "starting the canned 3.2 upstream and lcgate (3.0 clients translated onto it)"
"$work/lcload" upstream --listen 127.0.0.1:$upstream_port --echo-events >"$work/upstream.log" 2>&1 &
upstream_pid=$!
pids+=($upstream_pid)
wait_port $upstream_port
"$work/lcgate" serve --listen 127.0.0.1:$lcgate_port --metrics-listen 127.0.0.1:$metrics_port \
	--upstream http://127.0.0.1:$upstream_port --upstream-version 3.2 --log-level warn --pprof \
	--max-sessions 50000 >"$work/lcgate.log" 2>&1 &
lcgate_pid=$!
pids+=($lcgate_pid)
wait_port $lcgate_port
wait_port $metrics_port

# --- measuring lcgate ------------------------------------------------------------------------
alive() {
	kill -0 $lcgate_pid 2>/dev/null || die "lcgate exited; its log: $(tail -5 "$work/lcgate.log")"
	kill -0 $upstream_pid 2>/dev/null || die "the canned upstream exited; its log: $(tail -5 "$work/upstream.log")"
}
scrape() { alive; curl -sf "$metrics_url/metrics" >"$1" || die "cannot scrape $metrics_url/metrics"; }
# metric FILE NAME [LABELS]: the sum of the samples of NAME whose labels contain LABELS.
metric() {
	awk -v n="$2" -v l="${3:-}" '
		$1 == n || index($1, n "{") == 1 { if (l == "" || index($1, l) > 0) { s += $NF; found = 1 } }
		END { printf "%.0f\n", found ? s : 0 }' "$1"
}
rss_kib() { alive; awk '/^VmRSS/ { print $2 }' /proc/$lcgate_pid/status; }
gc() {
	for _ in 1 2; do curl -sf -o /dev/null "$metrics_url/debug/pprof/heap?gc=1" || die "cannot force a GC"; done
}
# settle waits until lcgate holds no session, then $settle seconds, and forces two GCs.
settle_down() {
	local f=$work/settle.prom
	for _ in $(seq 120); do
		scrape "$f"
		[ "$(metric "$f" lcgate_sessions)" = 0 ] && break
		sleep 1
	done
	[ "$(metric "$f" lcgate_sessions)" = 0 ] || die "lcgate still holds $(metric "$f" lcgate_sessions) sessions 2 minutes after the load"
	sleep "$settle"
	# then until the goroutines stay the same for 5 s (at most a minute more)
	local prev=-1 g
	for _ in $(seq 12); do
		scrape "$f"
		g=$(metric "$f" go_goroutines)
		[ "$g" = "$prev" ] && break
		prev=$g
		sleep 5
	done
	gc
}

send_event_30='{"chat_id":"PJ0MRSHTDG","event":{"type":"message","text":"Hello, I would like to know more about the enterprise plan."}}'
# load TAG SECONDS: starts lcload rtm, and once its sessions are open (the ramp, 10 s)
# lcload web, both in the background for SECONDS of load.
ramp=10
load() {
	"$work/lcload" rtm --url ws://127.0.0.1:$lcgate_port --version 3.0 --sessions "$sessions" \
		--rate "$rtm_rate" --ramp ${ramp}s --duration "${2}s" --session-life "$life" --drain 30s \
		--action send_event --payload '{"chat_id":"PJ0MRSHTDG","event":{"type":"message","text":"{seq}"}}' \
		--pushes-per-request 1 --json >"$work/$1-rtm.json" 2>"$work/$1-rtm.log" &
	rtm_pid=$!
	pids+=($rtm_pid)
	sleep $ramp
	"$work/lcload" web --url http://127.0.0.1:$lcgate_port --version 3.0 --action send_event \
		--body "$send_event_30" --token dal:soak --rate "$web_rate" --conns 64 --warmup 0s \
		--duration "${2}s" --json >"$work/$1-web.json" 2>"$work/$1-web.log" &
	web_pid=$!
	pids+=($web_pid)
}
# finish TAG: waits for both lcload runs and checks that they completed.
finish() {
	wait $web_pid || die "lcload web ($1) failed: $(cat "$work/$1-web.log")"
	wait $rtm_pid || die "lcload rtm ($1) failed: $(cat "$work/$1-rtm.log")"
}

# --- warm-up and baseline ----------------------------------------------------------------
say "warm-up: ${warmup_s}s of the soak's load"
load warmup "$warmup_s"
finish warmup
# measure TAG: settles, then keeps every counter in $work/TAG.prom and sets TAG_heap (bytes
# in use), TAG_gor (goroutines) and TAG_rss (KiB).
measure() {
	say "settling (no session left, then ${settle}s), measuring ($1)"
	settle_down
	scrape "$work/$1.prom"
	local heap gor rss
	heap=$(metric "$work/$1.prom" go_memstats_heap_inuse_bytes)
	gor=$(metric "$work/$1.prom" go_goroutines)
	rss=$(rss_kib)
	printf -v "$1_heap" %s "$heap"
	printf -v "$1_gor" %s "$gor"
	printf -v "$1_rss" %s "$rss"
	echo "  $1: heap in use $heap B, $gor goroutines, RSS $rss KiB" >&2
}
measure base

# --- the soak ------------------------------------------------------------------------------
say "soak: ${duration_s}s of Web at $web_rate/s (3.0 send_event) and $sessions RTM sessions × $rtm_rate frames/s, each replaced after $life ± 50 %"
load soak "$duration_s"
started=$(date +%s)
every=$(( duration_s >= 600 ? 10 : 2 ))
: >"$work/samples"
while kill -0 $rtm_pid 2>/dev/null || kill -0 $web_pid 2>/dev/null; do
	now=$(( $(date +%s) - started ))
	if [ $now -le $duration_s ]; then
		scrape "$work/sample.prom"
		printf '%d %d %d %d %d\n' $now "$(rss_kib)" "$(metric "$work/sample.prom" go_memstats_heap_inuse_bytes)" \
			"$(metric "$work/sample.prom" go_goroutines)" "$(metric "$work/sample.prom" lcgate_sessions)" >>"$work/samples"
		if [ $(( now % 60 )) -lt $every ]; then
			read -r _ r h g s < <(tail -1 "$work/samples")
			echo "  ${now}s: RSS $r KiB, heap in use $h B, $g goroutines, $s sessions" >&2
		fi
	fi
	sleep $every
done
finish soak
measure end

# --- checks --------------------------------------------------------------------------------
failures=()
fail() { failures+=("$*"); echo "  FAILED: $*" >&2; }
ok() { echo "  ok: $*" >&2; }
w() { jq -r "$1" "$work/soak-web.json"; }
r() { jq -r "$1" "$work/soak-rtm.json"; }
# delta NAME [LABELS]: the increase of a counter over the soak.
delta() { echo $(( $(metric "$work/end.prom" "$@") - $(metric "$work/base.prom" "$@") )); }

say "checks"
web_errors=$(w '[.errors[]?] | add // 0')
rtm_errors=$(r '[.errors[]?] | add // 0')
[ "$web_errors" = 0 ] && ok "Web: no errors" || fail "Web: errors $(jq -c .errors "$work/soak-web.json")"
[ "$(w .sent)" -gt 0 ] && [ "$(w .answered)" = "$(w .sent)" ] && ok "Web: $(w .sent) requests, all answered" || fail "Web: $(w .sent) sent, $(w .answered) answered"
[ "$rtm_errors" = 0 ] && ok "RTM: no errors" || fail "RTM: errors $(jq -c .errors "$work/soak-rtm.json")"
rtm_bad=$(r '.lost + .duplicated + .reordered + .push_lost + .push_duplicated + .push_reordered')
[ "$rtm_bad" = 0 ] && [ "$(r .sent)" -gt 0 ] && [ "$(r .answered)" = "$(r .sent)" ] && [ "$(r .pushes)" = "$(r .sent)" ] &&
	ok "RTM: $(r .sent) frames, each answered once and in order with its push" ||
	fail "RTM: sent $(r .sent), answered $(r .answered), pushes $(r .pushes); lost $(r .lost), duplicated $(r .duplicated), reordered $(r .reordered); pushes lost $(r .push_lost), duplicated $(r .push_duplicated), reordered $(r .push_reordered)"
[ "$(r .sessions_closed)" = "$(r .sessions_opened)" ] && [ "$(r .sessions_opened)" -gt "$sessions" ] &&
	ok "RTM: $(r .sessions_opened) sessions opened, all closed cleanly" ||
	fail "RTM: $(r .sessions_opened) sessions opened, $(r .sessions_closed) closed cleanly"
[ "$(r .interrupted)" = false ] && [ "$(w .interrupted)" = false ] || fail "a load run was interrupted"

for dir in up down; do
	in=$(delta lcgate_rtm_frames_total "direction=\"$dir\",disposition=\"in\"")
	o=$(delta lcgate_rtm_frames_total "direction=\"$dir\",disposition=\"out\"")
	d=$(delta lcgate_rtm_frames_total "direction=\"$dir\",disposition=\"dropped\"")
	g=$(delta lcgate_rtm_frames_total "direction=\"$dir\",disposition=\"generated\"")
	eval "f_${dir}_in=$in f_${dir}_out=$o f_${dir}_dropped=$d f_${dir}_generated=$g"
	[ $(( in + g )) = $(( o + d )) ] && ok "frames $dir: in $in + generated $g = out $o + dropped $d" ||
		fail "frames $dir: in $in + generated $g ≠ out $o + dropped $d"
done
client_sent=$(( $(r .sent) + $(r .sessions_opened) ))
[ "$f_up_in" = "$client_sent" ] && ok "client frames in = lcload's $(r .sent) frames + $(r .sessions_opened) logins" ||
	fail "client frames in $f_up_in ≠ lcload's $(r .sent) frames + $(r .sessions_opened) logins = $client_sent"
[ "$f_down_out" = "$(r .received)" ] && ok "client frames out = lcload's $(r .received) frames received" ||
	fail "client frames out $f_down_out ≠ lcload's $(r .received) frames received"
web_all=$(delta lcgate_requests_total 'transport="web"')
web_ok=$(delta lcgate_requests_total 'outcome="ok",transport="web"')
[ "$web_all" = "$(w .sent)" ] && [ "$web_ok" = "$web_all" ] && ok "Web requests counted: $web_all, all ok" ||
	fail "Web requests counted $web_all ($web_ok ok) ≠ lcload's $(w .sent)"
up_err=$(delta lcgate_upstream_errors_total)
panics=$(metric "$work/end.prom" lcgate_panics_total)
[ "$up_err" = 0 ] && [ "$panics" = 0 ] && ok "no upstream error, no panic" || fail "upstream errors $up_err, panics $panics"

[ "$end_gor" -le $(( base_gor + 5 )) ] && ok "goroutines: $base_gor → $end_gor (limit +5)" ||
	fail "goroutines: $base_gor at the baseline, $end_gor after the soak (limit +5)"
heap_tol=$(( base_heap / 4 > 4194304 ? base_heap / 4 : 4194304 ))
[ "$end_heap" -le $(( base_heap + heap_tol )) ] && ok "heap in use: $base_heap → $end_heap B (limit +$heap_tol)" ||
	fail "heap in use: $base_heap B at the baseline, $end_heap B after the soak (limit +$heap_tol)"

# RSS drift: medians of the samples in the second and the last tenth of the soak.
median_rss() { awk -v a="$1" -v b="$2" '$1 >= a && $1 <= b { print $2 }' "$work/samples" | sort -n | awk '{ v[NR] = $1 } END { print (NR ? v[int((NR + 1) / 2)] : 0) }'; }
early_rss=$(median_rss $(( duration_s / 10 )) $(( duration_s / 5 )))
late_rss=$(median_rss $(( duration_s * 9 / 10 )) "$duration_s")
[ "$early_rss" -gt 0 ] && [ "$late_rss" -gt 0 ] || die "too few RSS samples ($(wc -l <"$work/samples"))"
drift=$(awk "BEGIN { printf \"%.1f\", ($late_rss - $early_rss) * 100 / $early_rss }")
awk "BEGIN { exit !($drift < 10) }" && ok "RSS drift $drift % ($early_rss → $late_rss KiB under load; limit 10 %)" ||
	fail "RSS drift $drift % ($early_rss → $late_rss KiB under load; limit 10 %)"
max_rss=$(awk '$2 > m { m = $2 } END { print m }' "$work/samples")
max_heap=$(awk '$3 > m { m = $3 } END { print m }' "$work/samples")
max_gor=$(awk '$4 > m { m = $4 } END { print m }' "$work/samples")
log_lines=$(grep -c . "$work/lcgate.log" || true)

# --- summary -------------------------------------------------------------------------------
verdict=passed
[ ${#failures[@]} = 0 ] || verdict="**failed**: $(printf '%s; ' "${failures[@]}")"
mib() { awk "BEGIN { printf \"%.1f\", $1 / 1048576 }"; }
block=$(cat <<MD
<!-- soak:begin -->
## Soak

Written by \`bench/soak.sh --duration $duration\` on $(date -u '+%Y-%m-%d %H:%M UTC'), same machine: lcgate translating
3.0 clients onto the canned 3.2 upstream (\`--log-level warn\`), \`lcload web\` at $web_rate requests/s of 3.0
\`send_event\` (two upstream calls each) and \`lcload rtm\` with $sessions sessions × $rtm_rate \`send_event\`/s
(3.0, served with an expansion; one push each: the upstream's echo of the stored event), every session closing after $life ± 50 % and a new one logging in in its place
(\`--session-life $life\`). Baseline and end: after a ${warmup_s}s warm-up of the same load, and after the
soak, lcgate idle (no session, then ${settle} s) and two forced GCs. Verdict: $verdict.

| Check | Measured |
|---|---|
| lcload errors (Web, RTM) | $web_errors, $rtm_errors |
| Web requests sent, answered | $(w .sent), $(w .answered) (p50 $(w .p50_ms) ms, p99 $(w .p99_ms) ms, p99.9 $(w .p999_ms) ms) |
| RTM sessions opened, closed cleanly | $(r .sessions_opened), $(r .sessions_closed) |
| RTM frames sent, answered; pushes | $(r .sent), $(r .answered); $(r .pushes) (answer p50 $(r .p50_ms) ms, p99 $(r .p99_ms) ms) |
| RTM lost, duplicated, reordered (answers; pushes) | $(r .lost), $(r .duplicated), $(r .reordered); $(r .push_lost), $(r .push_duplicated), $(r .push_reordered) |
| lcgate frames up: in + generated = out + dropped | $f_up_in + $f_up_generated = $f_up_out + $f_up_dropped; in = lcload's frames + logins ($client_sent) |
| lcgate frames down: in + generated = out + dropped | $f_down_in + $f_down_generated = $f_down_out + $f_down_dropped; out = lcload's frames received ($(r .received)) |
| lcgate Web requests counted (ok) | $web_all ($web_ok) |
| Goroutines, baseline → after (limit +5) | $base_gor → $end_gor (under load at most $max_gor) |
| Heap in use after GC, baseline → after (limit + max(4 MiB, 25 %)) | $(mib $base_heap) → $(mib $end_heap) MiB (under load at most $(mib $max_heap) MiB) |
| RSS drift under load, second tenth → last tenth (medians; limit 10 %) | $early_rss → $late_rss KiB, **$drift %** (idle: $base_rss KiB before, $end_rss KiB after; at most $max_rss KiB) |
<!-- soak:end -->
MD
)
echo >&2
echo "$block"

if [ $record = 1 ]; then
	echo "$block" >"$work/block.md"
	if [ -f "$out" ] && grep -q '^<!-- soak:begin -->$' "$out"; then
		awk -v blockfile="$work/block.md" '
			/^<!-- soak:begin -->$/ { while ((getline l < blockfile) > 0) print l; skip = 1; next }
			/^<!-- soak:end -->$/ { skip = 0; next }
			!skip' "$out" >"$work/out.md"
	else
		{ [ -f "$out" ] && cat "$out" && echo; cat "$work/block.md"; } >"$work/out.md"
	fi
	cat "$work/out.md" >"$out"
	echo "bench/soak.sh: recorded in $out" >&2
fi
[ ${#failures[@]} = 0 ] || die "${#failures[@]} check(s) failed: $(printf '%s; ' "${failures[@]}")"
echo "bench/soak.sh: all checks passed" >&2
