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
#   BENCH_CALL_SECONDS a typical recording's length, for the per-hour figure [180]
#   BENCH_LOAD_CMD     optional: a command that measures ingest or pages (e.g.
#                      "bench/history.sh"); run once idle and once while a
#                      transcription loop keeps one core busy the way the worker's
#                      job does, to compare the two (issue 22: at most 10 % slower).
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

say "synthesizing the recordings"
recs=()
for d in "$REPO"/tests/fixtures/speech/*.txt; do
	w=$WORK/$(basename "$d" .txt).wav
	[ -s "$w" ] || "$REPO/scripts/speech-demo.sh" "$d" "$w"
	recs+=("$w")
done

audio=0 cpu=0 wall=0 n=0
table=""
for w in "${recs[@]}"; do
	dur=$(soxi -D "$w")
	for ((r = 0; r < ROUNDS; r++)); do
		/usr/bin/time -f '%U %S %e' -o "$WORK/time" \
			"$CB" --config "$WORK/cb.conf" transcribe "$w" --engine local >/dev/null
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
	echo "- one worker (one core): **$per_hour_demo** recordings/hour of these (${avg} s each, model load included),"
	echo "  **$per_hour** recordings/hour of ${CALL_S} s calls"
} | tee "$OUT"

if [[ -z ${BENCH_LOAD_CMD:-} ]]; then
	say "no BENCH_LOAD_CMD: ingest/page slowdown not measured (see the header)"
	exit 0
fi
say "load: $BENCH_LOAD_CMD, idle"
(cd "$REPO" && eval "$BENCH_LOAD_CMD") >"$WORK/load-idle.txt" 2>&1 || die "BENCH_LOAD_CMD failed (idle)"
say "load: $BENCH_LOAD_CMD, with transcription running"
# The worker's job at the worker's priority (etc/systemd: Nice= of the
# worker unit, else 0): one recording after another until the load is done.
( while :; do nice -n "${BENCH_WORKER_NICE:-0}" "$CB" --config "$WORK/cb.conf" \
	transcribe "${recs[0]}" --engine local >/dev/null; done ) &
loop=$!
trap 'kill "$loop" 2>/dev/null || true' EXIT
(cd "$REPO" && eval "$BENCH_LOAD_CMD") >"$WORK/load-busy.txt" 2>&1 || die "BENCH_LOAD_CMD failed (busy)"
kill "$loop" 2>/dev/null || true
{
	echo
	echo "## $BENCH_LOAD_CMD: idle"
	cat "$WORK/load-idle.txt"
	echo
	echo "## $BENCH_LOAD_CMD: while transcribing"
	cat "$WORK/load-busy.txt"
} | tee -a "$OUT"
