#!/usr/bin/env bash
# The history page under load at 1,000,000 calls (issue 4 "Speed"): requests/s and p99 of
# wrk -t2 -c16 --latency, logged in as "manager", for five scenarios:
#
#   none      GET /calls                                  newest 50
#   manager   GET /calls?manager=ID&from=D-7&to=D         a manager and a week
#   phone     GET /calls?q=DIGITS                         a complete client number
#   customer  GET /customers/ID/calls                     a customer feed
#   csv       GET /calls.csv?from=D-30&to=D               the CSV export of a month
#
#   bench/history.sh                 3 rounds x 10 s per scenario
#   BENCH_QUICK=1 bench/history.sh   1 round x 3 s
#
# Settings (environment):
#   BENCH_CALLS        demo calls                                   [1000000]
#   BENCH_BUILD_DIR    release build (configured here when missing) [<repo>/build-bench]
#   BENCH_BUILD        0: do not run make                           [1]
#   BENCH_HTTP_PORT / BENCH_DB_PORT / BENCH_SMTP_PORT  the stack's ports  [28090 / 33507 / 28290]
#   BENCH_FRESH        1: a new database (the 1M demo takes 1-2 min); 0 reuses the last one  [0]
#   BENCH_KEEP         1: leave the stack running                   [0]
#   BENCH_SCENARIOS    which to run                                 [none manager phone customer csv]
# The stack is scripts/stack.sh with its own state folder <build>/history-state. Target: p99 under
# 30 ms and at least 2,000 req/s per scenario. Results: stdout and <build>/history-results.md.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
QUICK=${BENCH_QUICK:-0}
if [[ $QUICK == 1 ]]; then ROUNDS=${BENCH_ROUNDS:-1}; DURATION=${BENCH_DURATION:-3}
else ROUNDS=${BENCH_ROUNDS:-3}; DURATION=${BENCH_DURATION:-10}; fi
CALLS=${BENCH_CALLS:-1000000}
BUILD=$(realpath -m -- "${BENCH_BUILD_DIR:-$REPO/build-bench}")
SCENARIOS=${BENCH_SCENARIOS:-none manager phone customer csv}
export CB_BUILD_DIR=$BUILD CB_STATE_DIR=$BUILD/history-state CB_ROOT=$REPO
export CB_HTTP_PORT=${BENCH_HTTP_PORT:-28090} CB_DB_PORT=${BENCH_DB_PORT:-33507}
export CB_SMTP_PORT=${BENCH_SMTP_PORT:-28290}
BASE=http://127.0.0.1:$CB_HTTP_PORT
WORK=$BUILD/history-run
OUT=$BUILD/history-results.md

say() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench: error: %s\n' "$*" >&2; exit 1; }
command -v wrk >/dev/null || die "wrk is not installed (apt-get install wrk)"

mkdir -p "$BUILD" "$WORK"
if [[ ! -f $BUILD/Makefile ]]; then
    say "configuring a release build in $BUILD"
    (cd "$BUILD" && "$REPO/configure" -q) || die "configure failed"
fi
if [[ ${BENCH_BUILD:-1} == 1 ]]; then
    say "building $BUILD"
    make -C "$BUILD" -s -j2 >"$WORK/make.log" 2>&1 || { tail -30 "$WORK/make.log" >&2; die "make failed"; }
fi

cleanup() {
    [[ ${BENCH_KEEP:-0} == 1 ]] && { say "left running: CB_STATE_DIR=$CB_STATE_DIR"; return; }
    "$REPO/scripts/stack.sh" stop >/dev/null 2>&1 || say "stack.sh stop failed"
}
trap cleanup EXIT
[[ ${BENCH_FRESH:-0} == 1 ]] && { "$REPO/scripts/stack.sh" stop >/dev/null 2>&1 || true; rm -rf "$CB_STATE_DIR"; }
"$REPO/scripts/stack.sh" start >"$WORK/stack.log" 2>&1 || { tail -30 "$WORK/stack.log" >&2; die "stack failed"; }

db() { mariadb --defaults-file="$CB_STATE_DIR/mariadb.cnf" --batch --skip-column-names callboard -e "$1"; }
have=$(db "SELECT COUNT(*) FROM calls" 2>/dev/null || echo 0)
if (( have < CALLS )); then
    (( have == 0 )) || die "the database has $have calls, fewer than $CALLS: BENCH_FRESH=1"
    # sql/demo.sql through the mariadb client: `callboard demo` gives up after lib/db/db.c's 15 s
    # read timeout, and the 1M calls INSERT takes longer. Then the manager gets its password.
    say "loading $CALLS demo calls (1-3 min at 1M)"
    t0=$(date +%s)
    "$BUILD/tools/callboard" --config "$CB_STATE_DIR/callboard.conf" migrate >&2
    { echo "SET @calls = $CALLS, @admin_hash = 'x', @manager_hash = 'x', @intern_hash = 'x';"
      cat "$REPO/sql/demo.sql"; } |
        mariadb --defaults-file="$CB_STATE_DIR/mariadb.cnf" --batch callboard >/dev/null
    echo manager | "$BUILD/tools/callboard" --config "$CB_STATE_DIR/callboard.conf" user manager \
        --role manager --name "Max Manager" --extension 101 >&2
    say "demo: $(( $(date +%s) - t0 )) s"
    db "ANALYZE TABLE calls" >/dev/null
fi

# A session: the login form's CSRF token, then POST /login.
jar=$WORK/cookies
rm -f "$jar"
csrf=$(curl -fsS -c "$jar" "$BASE/login" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1)
[[ -n $csrf ]] || die "no CSRF token on /login"
code=$(curl -sS -o /dev/null -w '%{http_code}' -b "$jar" -c "$jar" --data-urlencode "csrf=$csrf" \
    --data-urlencode login=manager --data-urlencode password=manager --data-urlencode next=/calls "$BASE/login")
[[ $code == 303 ]] || die "login as manager: HTTP $code"
cookie=$(awk '{ sub(/^#HttpOnly_/, "") } !/^#/ && NF >= 7 { printf "%s%s=%s", sep, $6, $7; sep="; " }' "$jar")

manager=$(db "SELECT id FROM users WHERE login = 'manager'")
customer=$(db "SELECT customer_id FROM calls WHERE customer_id IS NOT NULL ORDER BY id DESC LIMIT 1")
digits=$(db "SELECT REVERSE(client_digits_rev) FROM calls WHERE customer_id IS NOT NULL ORDER BY id DESC LIMIT 1")
today=$(date -u +%F)
week=$(date -u -d '7 days ago' +%F)
month=$(date -u -d '30 days ago' +%F)
url() {
    case $1 in
    none) echo "/calls" ;;
    manager) echo "/calls?manager=$manager&from=$week&to=$today" ;;
    phone) echo "/calls?q=$digits" ;;
    customer) echo "/customers/$customer/calls" ;;
    csv) echo "/calls.csv?from=$month&to=$today" ;;
    *) die "unknown scenario $1" ;;
    esac
}
for s in $SCENARIOS; do     # each answers 200 before it is measured
    code=$(curl -sS -o "$WORK/$s.body" -w '%{http_code}' -H "Cookie: $cookie" "$BASE$(url "$s")")
    [[ $code == 200 ]] || die "$s: GET $(url "$s") answered $code"
done

# wrk's latency to milliseconds
ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0;
    else if (v ~ /s$/) n *= 1000; printf "%.1f", n }'; }
: >"$WORK/runs.txt"
for r in $(seq 1 "$ROUNDS"); do
    for s in $SCENARIOS; do
        wrk -t2 -c16 -d"${DURATION}s" --latency -H "Cookie: $cookie" "$BASE$(url "$s")" >"$WORK/wrk-$s-$r.txt"
        rps=$(awk '/^Requests\/sec/ { print $2 }' "$WORK/wrk-$s-$r.txt")
        p99=$(ms "$(awk '$1 == "99%" { print $2 }' "$WORK/wrk-$s-$r.txt")")
        bad=$(awk '/Non-2xx/ { print $NF }' "$WORK/wrk-$s-$r.txt")
        [[ -z $bad ]] || die "$s: $bad non-2xx answers (see $WORK/wrk-$s-$r.txt)"
        echo "$s $r $rps $p99" >>"$WORK/runs.txt"
        say "round $r $s: $rps req/s, p99 $p99 ms"
    done
done

{
    echo "history at $(db 'SELECT COUNT(*) FROM calls') calls, wrk -t2 -c16, $ROUNDS x ${DURATION}s, load: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo
    echo "| scenario | req/s (mean) | p99 ms (worst round) | target 2,000 req/s, p99 < 30 ms |"
    echo "|---|---:|---:|---|"
    for s in $SCENARIOS; do
        awk -v s="$s" '$1 == s { n++; rps += $3; if ($4 > p) p = $4 }
            END { ok = (rps / n >= 2000 && p < 30) ? "met" : "MISSED";
                  printf "| %s | %.0f | %.1f | %s |\n", s, rps / n, p, ok }' "$WORK/runs.txt"
    done
} | tee "$OUT"
