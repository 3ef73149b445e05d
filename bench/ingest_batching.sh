#!/usr/bin/env bash
# What batching events could save on the database's side of the webhook ingest (issue 3
# "Speed"): the real hook's `CALL cb_ingest_call(...)` statements, captured while it takes in the
# benchmark's events, replayed straight into MariaDB (bench/ingest_replay.c) in several shapes,
# each from the same fresh database, with the server's CPU per event:
#
#   CxB:each   C connections, B statements per round trip, each CALL commits itself
#              (1x1:each and 16x1:each are what the hook does today, without the hook)
#   CxB:one    C connections, B statements per round trip in ONE transaction: the procedure
#              without its own START TRANSACTION / COMMIT (made here from the latest migration
#              that defines it), a deadlock rolls the batch back and it is sent again (counted)
#
#   bench/ingest_batching.sh          capture 25 s of events (~15,000), then every shape
#
# The worker is stopped before the capture, so the replays measure the ingest alone (its
# automation would run at any shape's cost). Settings (environment):
#   BENCH_BUILD_DIR    release build (configured when missing)           [<repo>/build-bench]
#   BENCH_BUILD        0: do not run make                                [1]
#   BENCH_CAPTURE      seconds of wrk -t2 -c16 on the real hook to capture [25]
#   BENCH_SHAPES       shapes to replay                [16x1:each 1x1:each 1x64:each 1x64:one 4x16:one]
#   BENCH_HTTP_PORT / BENCH_DB_PORT / BENCH_SMTP_PORT   the stack's ports  [28095 / 13509 / 28295]
# Results: stdout and <build>/batching-results.md. Read it beside bench/webhook.sh's CPU per event:
# the hook, nginx and wrk cost the same whatever the shape.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(realpath -m -- "${BENCH_BUILD_DIR:-$REPO/build-bench}")
CAPTURE=${BENCH_CAPTURE:-25}
SHAPES=${BENCH_SHAPES:-16x1:each 1x1:each 1x64:each 1x64:one 4x16:one}
export CB_BUILD_DIR=$BUILD CB_STATE_DIR=$BUILD/batching-state CB_ROOT=$REPO
export CB_HTTP_PORT=${BENCH_HTTP_PORT:-28095} CB_DB_PORT=${BENCH_DB_PORT:-13509}
export CB_SMTP_PORT=${BENCH_SMTP_PORT:-28295}
WORK=$BUILD/batching-run
OUT=$BUILD/batching-results.md

say() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench: error: %s\n' "$*" >&2; exit 1; }
command -v wrk >/dev/null || die "wrk is not installed (apt-get install wrk)"
pkg-config --exists libmariadb || die "pkg-config finds no libmariadb: apt-get install libmariadb-dev"
[[ $CAPTURE =~ ^[0-9]+$ ]] && (( CAPTURE >= 1 )) || die "BENCH_CAPTURE must be a whole number of seconds"
for s in $SHAPES; do
    [[ $s =~ ^[0-9]+x[0-9]+:(each|one)$ ]] || die "unknown shape '$s' (e.g. 4x16:one)"
done

# shellcheck source=bench/lib/release_build.sh
. "$REPO/bench/lib/release_build.sh"
mkdir -p "$BUILD" "$WORK"
release_build "$BUILD" "$WORK/make.log"
${CC:-cc} -std=c11 -O2 -g -Wall -Wextra -Werror -o "$WORK/ingest_replay" "$REPO/bench/ingest_replay.c" \
    -lpthread $(pkg-config --cflags --libs libmariadb) || die "ingest_replay.c does not compile"

cleanup() { "$REPO/scripts/stack.sh" stop >/dev/null 2>&1 || say "stack.sh stop failed"; }
trap cleanup EXIT
"$REPO/scripts/stack.sh" stop >/dev/null 2>&1 || true
rm -rf "$CB_STATE_DIR"
say "stack: starting (state $CB_STATE_DIR)"
"$REPO/scripts/stack.sh" start >"$WORK/stack.log" 2>&1 || { tail -30 "$WORK/stack.log" >&2; die "stack failed"; }
MY_CNF=$CB_STATE_DIR/mariadb.cnf
db() { mariadb --defaults-file="$MY_CNF" --user="$(id -un)" --batch --skip-column-names callboard "$@"; }
SOCKET=$(sed -n 's/^socket *= *//p' "$MY_CNF" | head -1)
DB_PID=$(tr -cd '0-9' <"$CB_STATE_DIR/run/mariadb.pid")
[[ -n $SOCKET && -r /proc/$DB_PID/stat ]] || die "cannot find the stack's MariaDB (socket, pid)"

"$BUILD/tools/callboard" --config "$CB_STATE_DIR/callboard.conf" demo --calls 300 >/dev/null
"$REPO/scripts/stack.sh" crash worker >/dev/null

# The procedure without its own transaction, for the "one" shapes: the latest definition, with
# the lines that open, commit or roll back a transaction left out (the replayer does that).
MIGRATION=$(grep -l 'PROCEDURE cb_ingest_call(' "$REPO"/sql/migrations/*.sql | sort | tail -1)
{
    echo 'DELIMITER $$'
    sed -n '/^CREATE OR REPLACE PROCEDURE cb_ingest_call(/,$p' "$MIGRATION" |
        sed 's/^END;$/END$$/; s/PROCEDURE cb_ingest_call(/PROCEDURE cb_ingest_call_batched(/' |
        grep -Ev '^ *(START TRANSACTION|COMMIT|ROLLBACK);$'
    echo 'DELIMITER ;'
} | db
mariadb-dump --defaults-file="$MY_CNF" --user="$(id -un)" --routines --triggers callboard >"$WORK/start.sql"

say "capture: ${CAPTURE}s of wrk -t2 -c16 on the real hook, the server's general log on"
db -N -e "SELECT phone FROM customer_phones" >"$WORK/phones.txt"
python3 "$REPO/bench/gen_events.py" --out "$WORK/reqs" --threads 2 --count $(( CAPTURE * 6000 + 10000 )) \
    --host "127.0.0.1:$CB_HTTP_PORT" --tag "batching-$$" --phones "$WORK/phones.txt" 2>"$WORK/gen.log"
db -e "SET GLOBAL log_output = 'FILE'; SET GLOBAL general_log_file = '$WORK/general.log';
       SET GLOBAL general_log = 1"
BENCH_REQS=$WORK/reqs BENCH_BODY='' wrk -t2 -c16 -d"${CAPTURE}s" -s "$REPO/bench/replay.lua" \
    "http://127.0.0.1:$CB_HTTP_PORT/" >"$WORK/capture-wrk.txt" 2>&1
db -e "SET GLOBAL general_log = 0"
grep -q 'non2xx=0 .*wrapped=0' "$WORK/capture-wrk.txt" ||
    die "the capture had non-2xx answers or replayed requests: $(grep BENCH "$WORK/capture-wrk.txt")"
awk -F'\t' '/ Execute\tCALL cb_ingest_call\(/ { print $NF }' "$WORK/general.log" >"$WORK/each.sql"
sed 's/^CALL cb_ingest_call(/CALL cb_ingest_call_batched(/' "$WORK/each.sql" >"$WORK/one.sql"
rm -f "$WORK"/reqs.* "$WORK/general.log"
EVENTS=$(wc -l <"$WORK/each.sql")
(( EVENTS >= 100 )) || die "captured only $EVENTS CALL statements"
say "captured $EVENTS events"

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$DB_PID/stat"; }
HZ=$(getconf CLK_TCK)
{
    echo "Ingest batching, $(date -u '+%Y-%m-%d %H:%M') UTC, $(nproc) cores, $EVENTS captured events"
    echo "(procedure from $(basename "$MIGRATION"); the worker stopped; each shape from the same fresh database)"
    echo
    echo "| shape | connections | per round trip | commits | events/s | mariadbd CPU ms per event | deadlock retries |"
    echo "|---|---:|---:|---|---:|---:|---:|"
} | tee "$OUT"
for s in $SHAPES; do
    conns=${s%%x*}; rest=${s#*x}; per=${rest%%:*}; mode=${s##*:}
    db <"$WORK/start.sql"
    sync
    t0=$(cpu_ticks)
    line=$("$WORK/ingest_replay" "$WORK/$mode.sql" "$SOCKET" "$conns" "$per" "$mode")
    t1=$(cpu_ticks)
    secs=$(sed -n 's/.* seconds=\([^ ]*\).*/\1/p' <<<"$line")
    retries=$(sed -n 's/.* retries=\([0-9]*\).*/\1/p' <<<"$line")
    awk -v s="$s" -v c="$conns" -v p="$per" -v m="$mode" -v n="$EVENTS" -v secs="$secs" \
        -v ticks=$(( t1 - t0 )) -v hz="$HZ" -v r="$retries" 'BEGIN {
        printf "| %s | %d | %d | %s | %.0f | %.3f | %d |\n", s, c, p,
            (m == "each" ? "one per event" : "one per round trip"), n / secs,
            ticks * 1000 / hz / n, r }' | tee -a "$OUT"
done
echo | tee -a "$OUT"
echo "Results: $OUT" >&2
