#!/usr/bin/env bash
# The history page under load at 1,000,000 calls (issue 4 "Speed"): requests/s, p50 and p99 of
# wrk -t2 -c16 --latency, logged in as "manager", and the CPU each request cost, for five scenarios:
#
#   none      GET /calls                                  newest 50
#   manager   GET /calls?manager=ID&from=D-7&to=D         a manager and a week
#   phone     GET /calls?q=DIGITS                         a complete client number
#   customer  GET /customers/ID/calls                     a customer feed
#   csv       GET /calls.csv?from=D-30&to=D               the CSV export of a month (~490,000 rows,
#                                                         75 MB): one export at a time with curl,
#                                                         whole-file time, first byte, rows/s
#   contains4 GET /calls?q=DDDD&q_mode=contains           4 digits from the middle of that number
#   contains6 GET /calls?q=DDDDDD&q_mode=contains         6 digits (issue 20: call_number_grams)
#   contains4_month, contains6_month                      the same with from=D-30&to=D
#
#   bench/history.sh                 3 rounds x 10 s per scenario
#   BENCH_QUICK=1 bench/history.sh   1 round x 3 s
#
# Settings (environment):
#   BENCH_CALLS        demo calls                                   [1000000]
#   BENCH_BUILD_DIR    release build (configured here when missing) [<repo>/build-bench]
#   BENCH_BUILD        0: do not run make                           [1]
#   BENCH_HTTP_PORT / BENCH_DB_PORT / BENCH_SMTP_PORT  the stack's ports  [28090 / 13507 / 28290]
#   BENCH_STATE_DIR    the stack's state folder (two databases side by side, e.g. 1M and 5M)
#                                                                   [<build>/history-state]
#   BENCH_FRESH        1: a new database (the 1M demo takes 1-2 min); 0 reuses the last one  [0]
#   BENCH_KEEP         1: leave the stack running                   [0]
#   BENCH_SCENARIOS    which to run      [none manager phone customer csv contains4 contains6
#                                         contains4_month contains6_month]
#   BENCH_DB_POOL      innodb_buffer_pool_size set for the run: the 1M calls table is ~700 MB
#                      and stack.sh's 128M would make the month's export read the disk  [1G]
#   BENCH_CSV_RUNS     exports per round                            [3, quick: 1]
#   BENCH_SETTLE_MAX   seconds to wait for the worker's backlog (analytics fold, number grams)
#                      before the rounds                            [1800]
#   BENCH_PROGRAMS     another checkout (e.g. `git archive <commit>`) whose release build
#                      <tree>/build-bench serves the pages on this stack and database, restarted by
#                      that checkout's scripts/stack.sh restart-programs (its templates, its
#                      config): A/B of two commits on one dataset. With BENCH_KEEP=1 the stack
#                      stays up between runs; each run restarts the programs it measures when
#                      others are running                           [this tree]
# The stack is scripts/stack.sh with its own state folder <build>/history-state. Target: p99 under
# 30 ms and at least 2,000 req/s per page scenario; each "contains" scenario also at least 0.8 of
# the phone scenario's rate in the same run (issue 20; the table says so when phone ran). Results: stdout and <build>/history-results.md.
# CPU per request: utime+stime of callboard-calls, mariadbd and the nginx workers (/proc/<pid>/stat)
# over the run, divided by the requests; "busy" is the whole machine (/proc/stat), measured
# before the rounds too (what other programs use while the benchmark is idle).
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
QUICK=${BENCH_QUICK:-0}
if [[ $QUICK == 1 ]]; then ROUNDS=${BENCH_ROUNDS:-1}; DURATION=${BENCH_DURATION:-3}
else ROUNDS=${BENCH_ROUNDS:-3}; DURATION=${BENCH_DURATION:-10}; fi
CALLS=${BENCH_CALLS:-1000000}
BUILD=$(realpath -m -- "${BENCH_BUILD_DIR:-$REPO/build-bench}")
SCENARIOS=${BENCH_SCENARIOS:-none manager phone customer csv contains4 contains6 contains4_month contains6_month}
CSV_RUNS=${BENCH_CSV_RUNS:-$([[ $QUICK == 1 ]] && echo 1 || echo 3)}
export CB_BUILD_DIR=$BUILD CB_STATE_DIR=$(realpath -m -- "${BENCH_STATE_DIR:-$BUILD/history-state}") CB_ROOT=$REPO
export CB_HTTP_PORT=${BENCH_HTTP_PORT:-28090} CB_DB_PORT=${BENCH_DB_PORT:-13507}
export CB_SMTP_PORT=${BENCH_SMTP_PORT:-28290}
BASE=http://127.0.0.1:$CB_HTTP_PORT
if [[ -n ${BENCH_STATE_DIR:-} ]]; then WORK=$CB_STATE_DIR-run; OUT=$CB_STATE_DIR-results.md
else WORK=$BUILD/history-run; OUT=$BUILD/history-results.md; fi

say() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench: error: %s\n' "$*" >&2; exit 1; }
command -v wrk >/dev/null || die "wrk is not installed (apt-get install wrk)"

# shellcheck source=bench/lib/release_build.sh
. "$REPO/bench/lib/release_build.sh"
# shellcheck source=bench/lib/history_session.sh
. "$REPO/bench/lib/history_session.sh"
mkdir -p "$BUILD" "$WORK"
release_build "$BUILD" "$WORK/make.log"

cleanup() {
    [[ ${BENCH_KEEP:-0} == 1 ]] && { say "left running: CB_STATE_DIR=$CB_STATE_DIR"; return; }
    "$REPO/scripts/stack.sh" stop >/dev/null 2>&1 || say "stack.sh stop failed"
}
trap cleanup EXIT
[[ ${BENCH_FRESH:-0} == 1 ]] && { "$REPO/scripts/stack.sh" stop >/dev/null 2>&1 || true; rm -rf "$CB_STATE_DIR"; }
"$REPO/scripts/stack.sh" start >"$WORK/stack.log" 2>&1 || { tail -30 "$WORK/stack.log" >&2; die "stack failed"; }

# The programs that serve the pages: this build's, or BENCH_PROGRAMS's, restarted for every run.
# On a kept stack an earlier run may have left another tree's programs: restart-programs stops
# only the processes of the tree it is given, and a process it does not stop keeps listening on
# its (now unlinked) socket and serving nothing, while a check by binary path would take it for
# the serving one. So every FastCGI program listening in this stack's socket folder is stopped
# first, whichever tree started it.
PROG_TREE=$(realpath -m -- "${BENCH_PROGRAMS:-$REPO}")
PROG_BUILD=$BUILD
[[ -n ${BENCH_PROGRAMS:-} ]] && PROG_BUILD=$PROG_TREE/build-bench
SOCK_DIR=/tmp/cb-$(id -u)-$(printf '%s' "$CB_STATE_DIR" | sha256sum | cut -c1-8)
stray=$(ss -xlpn 2>/dev/null | awk -v d="$SOCK_DIR/" 'index($0, d) && /callboard-/' |
    grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u | tr '\n' ' ')
# shellcheck disable=SC2086 # a list of pids
[[ -n ${stray// } ]] && kill $stray 2>/dev/null || true
# The same for the worker: stack.sh knows its own tree's by binary path, so each A/B run left the
# other tree's worker running against this database (five workers after four runs, session 14).
pkill -f -- "callboard-worker --config $CB_STATE_DIR/callboard.conf" 2>/dev/null || true
say "serving the pages with $PROG_BUILD's programs"
CB_BUILD_DIR=$PROG_BUILD CB_ROOT=$PROG_TREE "$PROG_TREE/scripts/stack.sh" restart-programs \
    >>"$WORK/stack.log" 2>&1 || { tail -20 "$WORK/stack.log" >&2; die "restart-programs failed"; }
served_by=$(ss -xlpn 2>/dev/null | awk -v s="$SOCK_DIR/calls.sock" '$5 == s' | grep -o 'pid=[0-9]*' |
    cut -d= -f2 | while read -r pid; do readlink "/proc/$pid/exe"; done | sort -u)
[[ $served_by == "$PROG_BUILD/cgi/callboard-calls" ]] ||
    die "the pages are served by '$served_by', not $PROG_BUILD/cgi/callboard-calls"

db() { mariadb --defaults-file="$CB_STATE_DIR/mariadb.cnf" --batch --skip-column-names callboard -e "$1"; }
# Before the load too: with the stack's 128 MB pool a 5,000,000-call load pages its indexes in
# and out of the disk (over 15 min before the calls' rows were written, session 13).
db "SET GLOBAL innodb_buffer_pool_size = $(numfmt --from=iec "${BENCH_DB_POOL:-1G}")" ||
    say "could not set innodb_buffer_pool_size; the load and the CSV export may read the disk"
have=$(db "SELECT COUNT(*) FROM calls" 2>/dev/null || echo 0)
if (( have < CALLS )); then
    (( have == 0 )) || die "the database has $have calls, fewer than $CALLS: BENCH_FRESH=1"
    # The admin tool's bulk statements get a long timeout (lib/db/db.h DB_IO_TIMEOUT_BULK), so
    # the demo loads as a user would load it: real logins (manager / manager).
    say "loading $CALLS demo calls (1-3 min at 1M)"
    # Without the worker: its fold, every second, would read the load's uncommitted dirty rows
    # again and again (the 5M load took 887 s without it, session 14). It folds them after.
    pkill -f -- "callboard-worker --config $CB_STATE_DIR/callboard.conf" 2>/dev/null || true
    t0=$(date +%s)
    "$BUILD/tools/callboard" --config "$CB_STATE_DIR/callboard.conf" demo --calls "$CALLS" >&2
    say "demo: $(( $(date +%s) - t0 )) s"
    db "ANALYZE TABLE calls" >/dev/null
    CB_BUILD_DIR=$PROG_BUILD CB_ROOT=$PROG_TREE "$PROG_TREE/scripts/stack.sh" start \
        >>"$WORK/stack.log" 2>&1 || { tail -20 "$WORK/stack.log" >&2; die "the worker did not start"; }
fi

# The pages are measured with the worker running and idle, as a server runs them: its backlog
# (the analytics fold's dirty hours and numbers, the number grams still to write) shares the
# machine with the pages while it lasts (every p99 of session 13's 5M rounds over 30 ms). A fresh
# 1M load folds in a few minutes; BENCH_SETTLE_MAX bounds the wait, and the table says what was
# left when it ran out.
backlog() { db "SELECT (SELECT COUNT(*) FROM analytics_dirty) + (SELECT COUNT(*) FROM analytics_numbers_dirty)
    + (SELECT COUNT(*) FROM call_grams_pending)"; }
settle_until=$(( $(date +%s) + ${BENCH_SETTLE_MAX:-1800} )); said=0
while left=$(backlog) && (( left > 0 )) && (( $(date +%s) < settle_until )); do
    (( $(date +%s) - said >= 30 )) && { say "waiting for the worker's backlog: $left rows"; said=$(date +%s); }
    sleep 2
done
(( left == 0 )) || say "the worker's backlog is not done ($left rows): the rounds share the machine with it"

# A session as "manager", and what each scenario asks for.
cookie=$(history_login "$WORK/cookies")
history_targets
for s in $SCENARIOS; do     # each answers 200 before it is measured (and warms the cache)
    code=$(curl -sS -o "$WORK/$s.body" -w '%{http_code}' -H "Cookie: $cookie" "$BASE$(history_url "$s")")
    [[ $code == 200 ]] || die "$s: GET $(history_url "$s") answered $code"
done

# CPU clock ticks (utime + stime) of the pids given, and of the whole machine (busy, all).
ticks() { local t=0 p f; for p in "$@"; do f=$(cut -d')' -f2 "/proc/$p/stat" 2>/dev/null) || continue
    set -- $f; t=$((t + ${12} + ${13})); done; echo "$t"; }
machine() { awk '/^cpu / { print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9 }' /proc/stat; }
calls_pids=$(pgrep -f "$PROG_BUILD/cgi/callboard-calls" | tr '\n' ' ')
db_pid=$(cat "$CB_STATE_DIR/run/mariadb.pid")
ngx_pids=$(pgrep -P "$(cat "$CB_STATE_DIR/run/nginx.pid")" | tr '\n' ' ')
HZ=$(getconf CLK_TCK)
read -r b0 a0 < <(machine); sleep 3; read -r b1 a1 < <(machine)
idle_busy=$(awk -v b=$((b1 - b0)) -v a=$((a1 - a0)) 'BEGIN { printf "%.0f", a ? 100 * b / a : 0 }')
say "machine busy before the rounds (other programs): $idle_busy % of 2 cores"

# wrk's latency to milliseconds
ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0;
    else if (v ~ /s$/) n *= 1000; printf "%.1f", n }'; }
# one line per run: scenario round req/s p50 p99 calls-ms maria-ms nginx-ms busy% [csv extras]
: >"$WORK/runs.txt"
for r in $(seq 1 "$ROUNDS"); do
    for s in $SCENARIOS; do
        c0=$(ticks $calls_pids); m0=$(ticks "$db_pid"); n0=$(ticks $ngx_pids); read -r b0 a0 < <(machine)
        if [[ $s == csv ]]; then
            # A month is ~490,000 rows: minutes under 16 connections, so one export at a time.
            : >"$WORK/csv-$r.txt"
            for k in $(seq 1 "$CSV_RUNS"); do
                curl -sS -o "$WORK/csv.body" -w '%{http_code} %{time_total} %{time_starttransfer} %{size_download}\n' \
                    -H "Cookie: $cookie" "$BASE$(history_url csv)" >>"$WORK/csv-$r.txt"
            done
            awk '$1 != 200 { bad++ } END { exit bad ? 1 : 0 }' "$WORK/csv-$r.txt" || die "csv: non-200 export"
            rows=$(( $(wc -l <"$WORK/csv.body") - 1 ))
            req=$CSV_RUNS
            read -r rps p50 p99 ttfb mb < <(awk -v n="$CSV_RUNS" '{ t += $2; if ($2 > w) w = $2; f += $3; b += $4 }
                END { printf "%.3f %.1f %.1f %.1f %.1f\n", n / t, 1000 * t / n, 1000 * w, 1000 * f / n, b / n / 1048576 }' \
                "$WORK/csv-$r.txt")
        else
            wrk -t2 -c16 -d"${DURATION}s" --latency -H "Cookie: $cookie" "$BASE$(history_url "$s")" >"$WORK/wrk-$s-$r.txt"
            bad=$(awk '/Non-2xx/ { print $NF }' "$WORK/wrk-$s-$r.txt")
            [[ -z $bad ]] || die "$s: $bad non-2xx answers (see $WORK/wrk-$s-$r.txt)"
            req=$(awk '/requests in/ { print $1 }' "$WORK/wrk-$s-$r.txt")
            rps=$(awk '/^Requests\/sec/ { print $2 }' "$WORK/wrk-$s-$r.txt")
            p50=$(ms "$(awk '$1 == "50%" { print $2 }' "$WORK/wrk-$s-$r.txt")")
            p99=$(ms "$(awk '$1 == "99%" { print $2 }' "$WORK/wrk-$s-$r.txt")")
        fi
        c1=$(ticks $calls_pids); m1=$(ticks "$db_pid"); n1=$(ticks $ngx_pids); read -r b1 a1 < <(machine)
        line=$(awk -v s="$s" -v r="$r" -v rps="$rps" -v p50="$p50" -v p99="$p99" -v n="$req" -v hz="$HZ" \
            -v c=$((c1 - c0)) -v m=$((m1 - m0)) -v x=$((n1 - n0)) -v b=$((b1 - b0)) -v a=$((a1 - a0)) \
            'BEGIN { printf "%s %s %s %s %s %.3f %.3f %.3f %.0f", s, r, rps, p50, p99,
                1000 * c / hz / n, 1000 * m / hz / n, 1000 * x / hz / n, a ? 100 * b / a : 0 }')
        [[ $s == csv ]] && line="$line $ttfb $mb $rows"
        echo "$line" >>"$WORK/runs.txt"
        if [[ $s == csv ]]; then
            say "round $r csv: $p50 ms per export (worst $p99), first byte $ttfb ms, $mb MB, $rows rows"
        else
            say "round $r $s: $rps req/s, p50 $p50 ms, p99 $p99 ms"
        fi
    done
done

{
    echo "history at $(db 'SELECT COUNT(*) FROM calls') calls, programs of $PROG_BUILD, wrk -t2 -c16, $ROUNDS x ${DURATION}s;" \
        "machine busy before the rounds: $idle_busy % (other programs); load: $(cut -d' ' -f1-3 /proc/loadavg);" \
        "worker backlog before the rounds: $left rows"
    echo
    echo "| scenario | req/s (mean) | p50 ms (mean) | p99 ms (worst round) | CPU ms/request: callboard-calls | mariadbd | nginx | machine busy | target 2,000 req/s, p99 < 30 ms |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---|"
    # the phone search's mean rate: the yardstick of the "contains" scenarios
    phone_rps=$(awk '$1 == "phone" { n++; r += $3 } END { printf "%.0f", n ? r / n : 0 }' "$WORK/runs.txt")
    for s in $SCENARIOS; do
        [[ $s == csv ]] && continue
        awk -v s="$s" -v ph="$phone_rps" '$1 == s { n++; rps += $3; p50 += $4; if ($5 > p) p = $5; c += $6; m += $7; x += $8; b += $9 }
            END { ok = (rps / n >= 2000 && p < 30) ? "met" : "MISSED";
                  if (s ~ /^contains/ && ph > 0)
                      ok = sprintf("%s; %.2f of phone: %s", ok, rps / n / ph,
                          (p < 30 && rps / n >= 0.8 * ph) ? "met" : "MISSED");
                  printf "| %s | %.0f | %.1f | %.1f | %.3f | %.3f | %.3f | %.0f%% | %s |\n", s, rps / n, p50 / n, p,
                      c / n, m / n, x / n, b / n, ok }' "$WORK/runs.txt"
    done
    if [[ " $SCENARIOS " == *" csv "* ]]; then
        echo
        echo "| csv export of a month | seconds per export (mean) | worst | first byte ms | MB | rows | rows/s | CPU s per export: callboard-calls | mariadbd |"
        echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
        awk '$1 == "csv" { n++; t += $4; if ($5 > w) w = $5; f += $10; mb = $11; rows = $12; c += $6; m += $7 }
            END { if (n) printf "| one at a time | %.2f | %.2f | %.0f | %.0f | %d | %.0f | %.2f | %.2f |\n",
                t / n / 1000, w / 1000, f / n, mb, rows, rows / (t / n / 1000), c / n / 1000, m / n / 1000 }' "$WORK/runs.txt"
    fi
} | tee "$OUT"
