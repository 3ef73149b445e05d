#!/usr/bin/env bash
# The local transcription engine's speed (issue 22): real-time factor
# (seconds of CPU per second of audio) of `callboard transcribe` on
# two-channel call recordings synthesized from tests/fixtures/speech/*.txt,
# and how many recordings an hour one worker keeps up with.
#
#   bench/transcribe.sh
#
# Settings (environment):
#   BENCH_BUILD_DIR    release build (configured here when missing)  [<repo>/build-bench]
#   BENCH_BUILD        0: do not run make                            [1]
#   BENCH_ROUNDS       transcriptions of each recording              [1]
#   BENCH_RTF          0: skip the real-time factor, only the load comparison [1]
#   BENCH_RTF_AS_WORKER 1: the real-time factor's runs as the worker's job (child, pause) [0]
#   BENCH_CALL_SECONDS a typical recording's length, for the per-hour figure [180]
#   BENCH_LOAD         stack: the built-in load (below) when BENCH_LOAD_CMD is empty;
#                      none: only the real-time factor                           [stack]
#   BENCH_LOAD_SECONDS each wrk run of the built-in load                          [10]
#   BENCH_PAIRS        A/B pairs, run in A B B A order (a drift cancels)          [2]
#   BENCH_HTTP_PORT / BENCH_DB_PORT  its stack's ports                          [28095 / 13511]
#   BENCH_LOAD_CMD     a command that measures ingest or pages instead (e.g.
#                      "BENCH_QUICK=1 bench/webhook.sh"); run four times, A B A B:
#                      alone, then while a transcription loop runs the way the
#                      worker's job does, and so on; the report gives each rate's
#                      B/A (issue 22: at most 10 % slower, so B/A >= 0.90)
#   BENCH_TRANSCRIBE_PRIORITY  worker: the loop transcribes as the worker's job does
#                      (`callboard transcribe --as-worker`: a child at idle priority,
#                      stopped while the rest of the machine uses more than
#                      transcribe_pause_busy_percent of the CPU); idle: only the idle
#                      priority (SCHED_IDLE, nice 19, idle I/O; no pause); normal: at the
#                      caller's (transcribe_idle = no, no pause)    [worker]
#   BENCH_PAUSE_BUSY_PERCENT  transcribe_pause_busy_percent for "worker" [the default]
# Each transcription is one process (model load included, as the worker's
# job pays it). CPU time comes from /usr/bin/time (user + sys), so it counts
# what the engine spends, not how long a shared machine made it wait; wall
# time is printed beside it. Results: stdout and <build>/transcribe-results.md.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(realpath -m -- "${BENCH_BUILD_DIR:-$REPO/build-bench}")
ROUNDS=${BENCH_ROUNDS:-1}
CALL_S=${BENCH_CALL_SECONDS:-180}
OUT=$BUILD/transcribe-results.md
WORK=$BUILD/transcribe-run

say() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench: error: %s\n' "$*" >&2; exit 1; }

command -v sox >/dev/null || die "sox missing: scripts/install-deps.sh --test"
[ -x /usr/bin/time ] || die "/usr/bin/time missing: apt-get install time"
mkdir -p "$BUILD" "$WORK"
if [[ ! -f $BUILD/Makefile ]]; then
	say "configuring a release build in $BUILD"
	(cd "$BUILD" && "$REPO/configure" -q) || die "configure failed"
fi
if [[ ${BENCH_BUILD:-1} == 1 ]]; then
	say "building $BUILD/tools/callboard"
	make -C "$BUILD" -s -j2 tools/callboard >"$WORK/make.log" 2>&1 ||
		{ tail -30 "$WORK/make.log" >&2; die "make failed"; }
fi
CB=$BUILD/tools/callboard
grep -q '^#define HAVE_POCKETSPHINX 1' "$BUILD/config.h" ||
	die "$BUILD was configured without pocketsphinx (apt-get install libpocketsphinx-dev libsndfile1-dev libsamplerate0-dev pocketsphinx-en-us)"
printf 'log_level = error\n' >"$WORK/cb.conf"
if [[ -n ${BENCH_PAUSE_BUSY_PERCENT:-} ]]; then
	printf 'transcribe_pause_busy_percent = %s\n' "$BENCH_PAUSE_BUSY_PERCENT" >>"$WORK/cb.conf"
fi

say "synthesizing the recordings"
recs=()
for d in "$REPO"/tests/fixtures/speech/*.txt; do
	w=$WORK/$(basename "$d" .txt).wav
	[ -s "$w" ] || "$REPO/scripts/speech-demo.sh" "$d" "$w"
	recs+=("$w")
done

audio=0 cpu=0 wall=0 n=0
# BENCH_RTF_AS_WORKER=1: each run as the worker's job (a child at idle priority, paused while
# the machine is busy): on a quiet machine it must run as fast as in-process, never paused.
RTF_AS_WORKER=()
[[ ${BENCH_RTF_AS_WORKER:-0} == 1 ]] && RTF_AS_WORKER=(--as-worker)
: >"$WORK/rtf-pause.txt"
table=""
recs_rtf=("${recs[@]}")
[[ ${BENCH_RTF:-1} == 1 ]] || recs_rtf=()
for w in ${recs_rtf[@]+"${recs_rtf[@]}"}; do
	dur=$(soxi -D "$w")
	for ((r = 0; r < ROUNDS; r++)); do
		/usr/bin/time -f '%U %S %e' -o "$WORK/time" \
			"$CB" --config "$WORK/cb.conf" transcribe "$w" --engine local \
			${RTF_AS_WORKER[@]+"${RTF_AS_WORKER[@]}"} >/dev/null 2>>"$WORK/rtf-pause.txt"
		read -r u s e <"$WORK/time"
		c=$(awk -v u="$u" -v s="$s" 'BEGIN { print u + s }')
		audio=$(awk -v a="$audio" -v d="$dur" 'BEGIN { print a + d }')
		cpu=$(awk -v a="$cpu" -v c="$c" 'BEGIN { print a + c }')
		wall=$(awk -v a="$wall" -v e="$e" 'BEGIN { print a + e }')
		n=$((n + 1))
		table+=$(printf '| %s | %.1f | %.2f | %.2f | %.3f |' "$(basename "$w")" "$dur" "$c" "$e" \
			"$(awk -v c="$c" -v d="$dur" 'BEGIN { print c / d }')")$'\n'
	done
done
if ((n > 0)); then
rtf=$(awk -v c="$cpu" -v a="$audio" 'BEGIN { printf "%.3f", c / a }')
per_hour=$(awk -v r="$rtf" -v l="$CALL_S" 'BEGIN { printf "%d", 3600 / (r * l) }')
avg=$(awk -v a="$audio" -v n="$n" 'BEGIN { printf "%.1f", a / n }')
per_hour_demo=$(awk -v c="$cpu" -v n="$n" 'BEGIN { printf "%d", 3600 / (c / n) }')
{
	echo "# bench/transcribe.sh — $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
	echo
	echo "| recording | audio s | CPU s | wall s | CPU s per audio s |"
	echo "|---|---|---|---|---|"
	printf '%s' "$table"
	echo
	echo "- real-time factor: **$rtf** CPU seconds per second of audio ($n runs, $audio s of audio, wall $wall s)"
	if ((${#RTF_AS_WORKER[@]})); then
		echo "- as the worker's job (--as-worker): $(awk '/^transcription: ran/ { r += $3; p += $6 } END { printf "the child ran %.1f s, paused %.1f s", r, p }' "$WORK/rtf-pause.txt")"
	fi
	echo "- one worker (one core): **$per_hour_demo** recordings/hour of these (${avg} s each, model load included),"
	echo "  **$per_hour** recordings/hour of ${CALL_S} s calls"
} | tee "$OUT"
else
	echo "# bench/transcribe.sh — $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores (BENCH_RTF=0)" | tee "$OUT"
fi

# --- the built-in load: ingest and the history page on a stack of its own ------------------
# Ingest: bench/webhook.sh's "real" path (signed Zadarma and generic events pre-generated by
# bench/gen_events.py, replayed by wrk with bench/replay.lua: a "BENCH rps=" line). Pages:
# GET /calls as the demo's manager (bench/lib/history_session.sh: "pages: N req/s").
builtin_load() {
	local tag=$((++LOAD_N))
	"$PYTHON" "$REPO/bench/gen_events.py" --out "$WORK/reqs-$tag" --threads 2 \
		--count $((LOAD_SECS * 6000 + 10000)) --host "127.0.0.1:$CB_HTTP_PORT" \
		--tag "$RUN_ID-$tag" --phones "$WORK/phones.txt" 2>>"$WORK/gen.log" || die "gen_events.py failed"
	BENCH_REQS=$WORK/reqs-$tag BENCH_BODY='' wrk -t2 -c16 -d"${LOAD_SECS}s" --latency \
		-s "$REPO/bench/replay.lua" "$BASE/" >"$WORK/wrk-ingest-$tag.txt" 2>&1 || true
	rm -f "$WORK/reqs-$tag".*
	grep '^BENCH ' "$WORK/wrk-ingest-$tag.txt" | sed 's/^/ingest: /' || die "wrk: no ingest result"
	wrk -t2 -c16 -d"${LOAD_SECS}s" -H "Cookie: $cookie" "$BASE/calls" >"$WORK/wrk-pages-$tag.txt" 2>&1 || true
	awk '/^Requests\/sec/ { print "pages: " $2 " req/s" }' "$WORK/wrk-pages-$tag.txt" | grep . ||
		die "wrk: no pages result"
}
if [[ -z ${BENCH_LOAD_CMD:-} && ${BENCH_LOAD:-stack} == stack ]]; then
	command -v wrk >/dev/null || die "wrk is not installed (apt-get install wrk)"
	PYTHON=$(command -v python3) || die "python3 is missing"
	export CB_BUILD_DIR=$BUILD CB_STATE_DIR=$BUILD/transcribe-state
	export CB_HTTP_PORT=${BENCH_HTTP_PORT:-28095} CB_DB_PORT=${BENCH_DB_PORT:-13511}
	export CB_SMTP_PORT=$((CB_HTTP_PORT + 25))
	BASE=http://127.0.0.1:$CB_HTTP_PORT LOAD_SECS=${BENCH_LOAD_SECONDS:-10} LOAD_N=0 RUN_ID=$(date +%s)-$$
	if [[ ${BENCH_BUILD:-1} == 1 ]]; then
		make -C "$BUILD" -s -j2 >>"$WORK/make.log" 2>&1 || { tail -30 "$WORK/make.log" >&2; die "make failed"; }
	fi
	"$REPO/scripts/stack.sh" stop >/dev/null 2>&1 || true
	rm -rf "$CB_STATE_DIR"
	say "stack: starting (http :$CB_HTTP_PORT, db :$CB_DB_PORT)"
	"$REPO/scripts/stack.sh" start >"$WORK/stack.log" 2>&1 || { tail -30 "$WORK/stack.log" >&2; die "stack failed"; }
	trap '"$REPO/scripts/stack.sh" stop >/dev/null 2>&1 || true' EXIT
	"$CB" --config "$CB_STATE_DIR/callboard.conf" demo --calls 300 >"$WORK/demo.log" 2>&1 ||
		{ cat "$WORK/demo.log" >&2; die "demo data failed"; }
	db() { mariadb --defaults-file="$CB_STATE_DIR/mariadb.cnf" --batch --skip-column-names callboard -e "$1"; }
	db "SELECT phone FROM customer_phones" >"$WORK/phones.txt"
	# shellcheck source=bench/lib/history_session.sh
	. "$REPO/bench/lib/history_session.sh"
	cookie=$(history_login "$WORK/cookies")
	BENCH_LOAD_CMD=builtin_load
	builtin_load >/dev/null   # warm-up, not counted
fi
if [[ -z ${BENCH_LOAD_CMD:-} ]]; then
	say "BENCH_LOAD=none: ingest/page slowdown not measured (see the header)"
	exit 0
fi

# --- ingest and pages while the worker transcribes: A B A B in one run ----------------------
# A: BENCH_LOAD_CMD alone. B: the same while a loop transcribes one recording after another,
# as the worker's transcript.make job does: with transcribe_idle = yes (the default) the
# worker's child (lib/transcribe/child.c) makes exactly the calls chrt --idle, nice -n 19 and
# ionice -c3 make, so the loop runs under them; BENCH_TRANSCRIBE_PRIORITY=normal runs it at
# the worker's own priority (transcribe_idle = no, and the job before issue 22's fix).
# Every rate BENCH_LOAD_CMD prints (wrk's "rps=N" BENCH lines of bench/webhook.sh, the
# "N req/s" round lines of bench/history.sh) is a metric, in the order printed.
PRIO=${BENCH_TRANSCRIBE_PRIORITY:-worker}
AS_WORKER=()
case $PRIO in
worker) TRANSCRIBE=("$CB") AS_WORKER=(--as-worker) ;;
idle) TRANSCRIBE=(chrt --idle 0 nice -n 19 ionice -c3 "$CB") ;;
normal) TRANSCRIBE=("$CB") ;;
*) die "BENCH_TRANSCRIBE_PRIORITY is worker, idle or normal" ;;
esac
# The child's running and paused seconds in a phase (--as-worker's stderr lines): "ran | paused".
paused() {
	awk '/^transcription: ran/ { r += $3; p += $6; n++ } END { if (n) printf "%.0f | %.0f", r, p; else printf "- | -" }' \
		"$WORK/pause-$1.txt"
}
rates() { sed -n 's/.*rps=\([0-9.]*\).*/\1/p; s/.*: \([0-9.]*\) req\/s.*/\1/p' "$1"; }
loop=""
# Stops the loop and the transcription it is running (that one would go on into the next phase):
# TERM first, so that --as-worker still says how long its child ran and was paused.
stop_loop() {
	[[ -n $loop ]] || return 0
	touch "$WORK/stop"
	pkill -TERM -P "$loop" 2>/dev/null || true
	sleep 0.5
	pkill -KILL -P "$loop" 2>/dev/null || true
	wait "$loop" 2>/dev/null || true
	loop=""
}
trap 'stop_loop; [[ -n ${CB_STATE_DIR:-} ]] && "$REPO/scripts/stack.sh" stop >/dev/null 2>&1; true' EXIT
# Pairs in A B B A order (A1 B1 B2 A2 A3 B3 …): a rate that drifts during the run (the database
# grows, caches warm) weighs on A and B alike instead of on whichever came last.
PAIRS=${BENCH_PAIRS:-2}
phases=()
for ((i = 1; i <= PAIRS; i++)); do
	if ((i % 2)); then phases+=("A$i" "B$i"); else phases+=("B$i" "A$i"); fi
done
for ph in "${phases[@]}"; do
	: >"$WORK/loop-$ph.txt"
	: >"$WORK/pause-$ph.txt"
	if [[ $ph == B* ]]; then
		# One recording after another; each finished one appends its audio seconds.
		rm -f "$WORK/stop"
		( while [[ ! -e $WORK/stop ]]; do
			"${TRANSCRIBE[@]}" --config "$WORK/cb.conf" transcribe "${recs[0]}" \
				--engine local ${AS_WORKER[@]+"${AS_WORKER[@]}"} >/dev/null 2>>"$WORK/pause-$ph.txt" &&
				soxi -D "${recs[0]}" >>"$WORK/loop-$ph.txt"
		done ) &
		loop=$!
	fi
	say "load $ph ($([[ $ph == B* ]] && echo "transcribing at $PRIO priority" || echo "no transcription")): $BENCH_LOAD_CMD"
	t0=$SECONDS
	(cd "$REPO" && eval "$BENCH_LOAD_CMD") >"$WORK/load-$ph.txt" 2>&1 || die "BENCH_LOAD_CMD failed ($ph): $WORK/load-$ph.txt"
	echo $((SECONDS - t0)) >"$WORK/secs-$ph.txt"
	stop_loop
	cut -d' ' -f1-3 /proc/loadavg >"$WORK/loadavg-$ph.txt"
	rates "$WORK/load-$ph.txt" >"$WORK/rates-$ph.txt"
	[[ -s $WORK/rates-$ph.txt ]] || die "BENCH_LOAD_CMD printed no rate ($ph): $WORK/load-$ph.txt"
	say "$ph: rates $(tr '\n' ' ' <"$WORK/rates-$ph.txt")"
done
{
	echo
	echo "## Ingest and pages while transcribing ($PRIO priority), $PAIRS pairs in A B B A order"
	echo
	echo "BENCH_LOAD_CMD: \`$BENCH_LOAD_CMD\`"
	echo
	echo "| phase | transcribing | rates (in the order printed) | load average after | recordings done | audio s | child ran s | child paused s |"
	echo "|---|---|---|---|---|---|---|---|"
	for ph in "${phases[@]}"; do
		done_n=$(wc -l <"$WORK/loop-$ph.txt")
		done_s=$(awk '{ s += $1 } END { printf "%.0f", s }' "$WORK/loop-$ph.txt")
		echo "| $ph | $([[ $ph == B* ]] && echo "yes ($PRIO)" || echo no) | $(tr '\n' ' ' <"$WORK/rates-$ph.txt")| $(cat "$WORK/loadavg-$ph.txt") | $done_n | $done_s | $(paused "$ph") |"
	done
	echo
	# metric i: mean of B over mean of A (1.00 = no change; issue 22: at least 0.90), and the
	# spread of the A runs (the noise a B/A must be read against).
	n_metrics=$(wc -l <"$WORK/rates-A1.txt")
	for ((m = 1; m <= n_metrics; m++)); do
		for ((i = 1; i <= PAIRS; i++)); do
			printf '%s %s\n' "$(sed -n "${m}p" "$WORK/rates-A$i.txt")" "$(sed -n "${m}p" "$WORK/rates-B$i.txt")"
		done | awk '{ print $1, $2, ($1 ? $2 / $1 : 0) }' | sort -k3 -g |
			awk -v m="$m" '{ a += $1; b += $2; r[NR] = $3
				if (NR == 1 || $1 < amin) amin = $1; if ($1 > amax) amax = $1 }
			END { n = NR; med = n % 2 ? r[(n + 1) / 2] : (r[n / 2] + r[n / 2 + 1]) / 2
				printf "- metric %d: A %.1f, B %.1f: **B/A %.3f** (per pair: median %.3f, from %.3f to %.3f; A runs from %.1f to %.1f: max/min %.3f, the noise)\n",
					m, a / n, b / n, a ? b / a : 0, med, r[1], r[n], amin, amax, amin ? amax / amin : 0 }'
	done
	bs=$(for ((i = 1; i <= PAIRS; i++)); do cat "$WORK/secs-B$i.txt"; done | awk '{ s += $1 } END { print s }')
	bn=$(for ((i = 1; i <= PAIRS; i++)); do cat "$WORK/loop-B$i.txt"; done | wc -l)
	echo "- transcriptions finished during B: $bn in $bs s of load (the loop's share of the CPU: it yields to the load)"
	if [[ $PRIO == worker ]]; then
		echo "- the child (--as-worker, transcribe_pause_busy_percent $(awk -F' = ' '$1 == "transcribe_pause_busy_percent" { print $2 }' "$WORK/cb.conf" | grep . || echo default)): ran / paused $(for ((i = 1; i <= PAIRS; i++)); do cat "$WORK/pause-B$i.txt"; done | awk '/^transcription: ran/ { r += $3; p += $6 } END { printf "%.0f / %.0f s (paused %.0f %%)", r, p, r + p ? 100 * p / (r + p) : 0 }') during B"
	fi
} | tee -a "$OUT"
