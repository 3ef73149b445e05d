#!/usr/bin/env bash
# The analytics page (issue 21) at 1,000,000 calls over a year: p50 and p99 of GET /analytics for
# a month and for a year, beside the same report read from the calls (a viewer in a half-hour
# zone: what every report did before the hourly summaries) and the history page's (GET /calls,
# newest 50, and a month of it) in the same run, logged in as "admin" (the demo's only role with `analytics`). Targets: a month
# under 300 ms, a year under 2 s. Requests go one at a time (curl), as a person opens the page.
#
#   bench/analytics.sh                  BENCH_RUNS requests per page and range
#
# The missed-call follow-up and new versus returning callers read per-call and per-number
# summaries (0032, 0034) in every zone, the Kolkata viewer's included.
#
# Beside wall time (p50/p99), which a shared machine stretches, each page's CPU per request:
# utime+stime of the callboard-analytics processes and of mariadbd over its runs (/proc/<pid>/stat),
# divided by the runs; and the load average when its runs ended. One more request per page, with
# ?format=json, gives the report's own per-section times (timings_ms: where a slow page's time goes).
#
# Settings (environment):
#   BENCH_CALLS        demo calls                                   [1000000]
#   BENCH_BUILD_DIR    release build (configured here when missing) [<repo>/build-bench]
#   BENCH_BUILD        0: do not run make                           [1]
#   BENCH_HTTP_PORT / BENCH_DB_PORT / BENCH_SMTP_PORT  the stack's ports  [28094 / 13511 / 28294]
#   BENCH_FRESH        1: a new database; 0 reuses the last one     [0]
#   BENCH_KEEP         1: leave the stack running                   [0]
#   BENCH_RUNS         requests per page and range                  [20]
#   BENCH_DB_POOL      innodb_buffer_pool_size for the run          [1G]
#   BENCH_PAGES        which pages, in order  [analytics-month analytics-year calls-month calls-year
#                      history-newest history-month]
# The demo spreads its calls over 60 days; this script stretches them once to a year (every
# time's distance from now × 6, order kept) so a year's report reads a million calls.
# The summaries' backlog (every call, after the load and the stretch) is folded before timing.
# Results: stdout and <build>/analytics-results.md.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
CALLS=${BENCH_CALLS:-1000000}
RUNS=${BENCH_RUNS:-20}
BUILD=$(realpath -m -- "${BENCH_BUILD_DIR:-$REPO/build-bench}")
export CB_BUILD_DIR=$BUILD CB_STATE_DIR=$BUILD/analytics-state CB_ROOT=$REPO
export CB_HTTP_PORT=${BENCH_HTTP_PORT:-28094} CB_DB_PORT=${BENCH_DB_PORT:-13511}
export CB_SMTP_PORT=${BENCH_SMTP_PORT:-28294}
BASE=http://127.0.0.1:$CB_HTTP_PORT
WORK=$BUILD/analytics-run
OUT=$BUILD/analytics-results.md

say() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench: error: %s\n' "$*" >&2; exit 1; }

# shellcheck source=bench/lib/release_build.sh
. "$REPO/bench/lib/release_build.sh"
mkdir -p "$BUILD" "$WORK"
release_build "$BUILD" "$WORK/make.log"

cleanup() {
    [[ ${BENCH_KEEP:-0} == 1 ]] && { say "left running: CB_STATE_DIR=$CB_STATE_DIR"; return; }
    "$REPO/scripts/stack.sh" stop >/dev/null 2>&1 || say "stack.sh stop failed"
}
trap cleanup EXIT
[[ ${BENCH_FRESH:-0} == 1 ]] && { "$REPO/scripts/stack.sh" stop >/dev/null 2>&1 || true; rm -rf "$CB_STATE_DIR"; }
"$REPO/scripts/stack.sh" start >"$WORK/stack.log" 2>&1 || { tail -30 "$WORK/stack.log" >&2; die "stack failed"; }

db() { mariadb --defaults-file="$CB_STATE_DIR/mariadb.cnf" --batch --skip-column-names callboard -e "$1"; }
# The triggers on calls go for the load and the stretch and come back after them: the
# number-search grams (0021) would be written call by call (over an hour at 1M on a busy machine;
# this benchmark searches no number, so the demo's calls have none), and the analytics triggers
# (0028, 0032) would mark every hour and number dirty a million times instead of once below.
triggers_off() {
    [[ -s $WORK/calls-triggers.sql ]] && return
    mariadb-dump --defaults-file="$CB_STATE_DIR/mariadb.cnf" --no-create-info --no-data \
        --triggers --skip-comments callboard calls >"$WORK/calls-triggers.sql.tmp"
    mv "$WORK/calls-triggers.sql.tmp" "$WORK/calls-triggers.sql"
    for t in $(db "SELECT trigger_name FROM information_schema.triggers
                   WHERE event_object_schema = 'callboard' AND event_object_table = 'calls'"); do
        db "DROP TRIGGER $t"
    done
}
triggers_on() {
    mariadb --defaults-file="$CB_STATE_DIR/mariadb.cnf" callboard <"$WORK/calls-triggers.sql"
    rm -f "$WORK/calls-triggers.sql"
}
# A run stopped between the two: put them back first.
[[ -s $WORK/calls-triggers.sql ]] && [[ -z $(db "SELECT 1 FROM information_schema.triggers
    WHERE event_object_schema = 'callboard' AND event_object_table = 'calls' LIMIT 1") ]] && triggers_on
rm -f "$WORK/calls-triggers.sql"
have=$(db "SELECT COUNT(*) FROM calls" 2>/dev/null || echo 0)
changed=0
if (( have < CALLS )); then
    (( have == 0 )) || die "the database has $have calls, fewer than $CALLS: BENCH_FRESH=1"
    triggers_off
    say "loading $CALLS demo calls (1-3 min at 1M)"
    t0=$SECONDS
    "$BUILD/tools/callboard" --config "$CB_STATE_DIR/callboard.conf" demo --calls "$CALLS" >&2
    say "loaded in $((SECONDS - t0)) s"
    changed=1
fi
if [[ -z $(db "SELECT value FROM settings WHERE name = 'bench.stretched'") ]]; then
    say "stretching the calls over a year (once)"
    triggers_off
    t0=$SECONDS
    db "SET @now = (SELECT MAX(started_at) FROM calls);
        UPDATE calls SET
          answered_at = @now - INTERVAL TIMESTAMPDIFF(MICROSECOND, started_at, @now) * 6 MICROSECOND
                        + INTERVAL TIMESTAMPDIFF(MICROSECOND, started_at, answered_at) MICROSECOND,
          ended_at = @now - INTERVAL TIMESTAMPDIFF(MICROSECOND, started_at, @now) * 6 MICROSECOND
                     + INTERVAL TIMESTAMPDIFF(MICROSECOND, started_at, ended_at) MICROSECOND,
          started_at = @now - INTERVAL TIMESTAMPDIFF(MICROSECOND, started_at, @now) * 6 MICROSECOND;
        INSERT INTO settings (name, value) VALUES ('bench.stretched', '6');
        ANALYZE TABLE calls;" >/dev/null
    say "stretched in $((SECONDS - t0)) s"
    changed=1
fi
if [[ -s $WORK/calls-triggers.sql ]]; then
    triggers_on
fi
if (( changed )); then
    # Every hour and every number is out of date once: what the triggers would have said.
    db "DELETE FROM analytics_dirty; DELETE FROM analytics_hours; DELETE FROM analytics_waits;
        DELETE FROM analytics_hour_totals; DELETE FROM analytics_hour_managers;
        DELETE FROM analytics_hour_lines; DELETE FROM analytics_hour_waits;
        DELETE FROM analytics_numbers_dirty; DELETE FROM analytics_followups;
        DELETE FROM analytics_first_calls; DELETE FROM analytics_callers;
        INSERT INTO analytics_dirty (hour)
          SELECT DISTINCT DATE_FORMAT(started_at, '%Y-%m-%d %H:00:00') FROM calls;
        INSERT INTO analytics_numbers_dirty (digits)
          SELECT DISTINCT client_digits_rev FROM calls WHERE client_digits_rev <> ''"
fi
# The summaries (migrations 0028, 0032) are folded by the worker as calls change; the load and
# the stretch above changed every call, so fold the backlog before timing (a year: a few minutes).
say "folding the analytics summaries"
t0=$SECONDS
while :; do
    read -r folded pending < <(db "CALL cb_analytics_fold(1000, 60)")
    [[ $pending == 0 ]] && break
    [[ $folded =~ ^-?[0-9]+$ ]] || die "cb_analytics_fold: $folded"
    [[ $folded == -1 ]] && sleep 1   # the worker folds now: its lease
done
say "folded in $((SECONDS - t0)) s"
db "SET GLOBAL innodb_buffer_pool_size = $(numfmt --from=iec "${BENCH_DB_POOL:-1G}")" ||
    say "could not set innodb_buffer_pool_size"

# The same report read from the calls (what every report did before the summaries): a copy of
# admin in Asia/Kolkata, whose +05:30 cannot be summed from UTC hours.
db "INSERT IGNORE INTO users (login, password_hash, name, role_id, time_zone)
    SELECT 'bench-kolkata', password_hash, 'Bench Kolkata', role_id, 'Asia/Kolkata'
    FROM users WHERE login = 'admin'"
login() {   # login JAR LOGIN (password admin)
    local jar=$1 csrf code
    rm -f "$jar"
    csrf=$(curl -fsS -c "$jar" "$BASE/login" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1)
    code=$(curl -sS -o /dev/null -w '%{http_code}' -b "$jar" -c "$jar" --data-urlencode "csrf=$csrf" \
        --data-urlencode "login=$2" --data-urlencode password=admin "$BASE/login")
    [[ $code == 303 ]] || die "login as $2: HTTP $code"
}
jar=$WORK/cookies
rawjar=$WORK/cookies-kolkata
login "$jar" admin
login "$rawjar" bench-kolkata

today=$(date -u +%F)
month=$(date -u -d '29 days ago' +%F)
year=$(date -u -d '364 days ago' +%F)
declare -A URLS=(
    [analytics-month]="/analytics?from=$month&to=$today"
    [analytics-year]="/analytics?from=$year&to=$today"
    [calls-month]="/analytics?from=$month&to=$today"
    [calls-year]="/analytics?from=$year&to=$today"
    [history-newest]="/calls"
    [history-month]="/calls?from=$month&to=$today"
)
# calls-*: the report read from the calls (Kolkata); the year's only once (its time limit, 12 s).
ORDER=${BENCH_PAGES:-analytics-month analytics-year calls-month calls-year history-newest history-month}
for s in $ORDER; do
    [[ $s == analytics-* || $s == calls-month ]] || continue
    json=$(curl -sS -b "$([[ $s == calls-* ]] && echo "$rawjar" || echo "$jar")" \
        "$BASE${URLS[$s]}&format=json")
    src=$(grep -o '"[a-z_]*source": *"[a-z]*"' <<<"$json" | tr '\n' ' ' || true)
    took=$(grep -o '"timings_ms": *{[^}]*}' <<<"$json" | tr -d ' "' || true)
    say "$s reads: ${src:-?}; ${took:-timings_ms: ?}"
done

# CPU clock ticks (utime + stime) of the pids given.
ticks() { local t=0 p f; for p in "$@"; do f=$(cut -d')' -f2 "/proc/$p/stat" 2>/dev/null) || continue
    set -- $f; t=$((t + ${12} + ${13})); done; echo "$t"; }
HZ=$(getconf CLK_TCK)
db_pid=$(cat "$CB_STATE_DIR/run/mariadb.pid")
an_pids=$(pgrep -f "$BUILD/cgi/callboard-analytics" | tr '\n' ' ')
calls_pids=$(pgrep -f "$BUILD/cgi/callboard-calls" | tr '\n' ' ')
in_range=$(db "SELECT COUNT(*) FROM calls WHERE started_at >= UTC_TIMESTAMP() - INTERVAL 365 DAY")
say "calls in the last year: $in_range; $RUNS requests each (machine shared with other work)"

# The machine may be shared (other builds and tests): the load average is part of the result.
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
{
    echo "Load average before the run: $load_before ($(nproc) cores)"
    echo
    echo "| page | p50 ms | p99 ms | runs | program CPU ms/req | MariaDB CPU ms/req | load (1 min) after |"
    echo "|---|---|---|---|---|---|---|"
} >"$OUT"
for s in $ORDER; do
    : >"$WORK/$s.txt"
    runs=$RUNS
    [[ $s == calls-year ]] && runs=1
    j=$jar
    [[ $s == calls-* ]] && j=$rawjar
    progs=$an_pids
    [[ $s == history-* ]] && progs=$calls_pids
    # shellcheck disable=SC2086
    p0=$(ticks $progs); d0=$(ticks "$db_pid")
    for _ in $(seq 1 "$runs"); do
        curl -sS -o "$WORK/$s.body" -w '%{http_code} %{time_total}\n' -b "$j" "$BASE${URLS[$s]}" \
            >>"$WORK/$s.txt"
    done
    # A report slower than nginx's fastcgi_read_timeout is a 504: say so rather than stop.
    bad=$(awk '$1 != 200 { printf "%s%s", sep, $1; sep = "," }' "$WORK/$s.txt")
    [[ -z $bad ]] || say "$s: answers other than 200: $bad (times below include them)"
    # nearest-rank percentiles of the runs
    read -r p50 p99 < <(awk '{ print $2 * 1000 }' "$WORK/$s.txt" | sort -n | awk '
        { v[NR] = $1 } END { i = int((NR * 50 + 99) / 100); j = int((NR * 99 + 99) / 100);
        printf "%.0f %.0f\n", v[i], v[j] }')
    # shellcheck disable=SC2086
    p1=$(ticks $progs); d1=$(ticks "$db_pid")
    read -r pcpu dcpu < <(awk -v p=$((p1 - p0)) -v d=$((d1 - d0)) -v n="$runs" -v hz="$HZ" \
        'BEGIN { printf "%.0f %.0f\n", p * 1000 / hz / n, d * 1000 / hz / n }')
    load=$(cut -d' ' -f1 /proc/loadavg)
    printf '%-16s p50 %6s ms   p99 %6s ms   CPU/req program %5s ms, MariaDB %6s ms   load %s\n' \
        "$s" "$p50" "$p99" "$pcpu" "$dcpu" "$load"
    echo "| $s | $p50 | $p99 | $runs | $pcpu | $dcpu | $load |" >>"$OUT"
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
{ echo; echo "Load average after the run: $load_after"; } >>"$OUT"
say "load average before: $load_before; after: $load_after ($(nproc) cores)"
say "results: $OUT"
