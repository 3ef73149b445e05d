#!/usr/bin/env bash
# Valgrind over a long-lived FastCGI program (issue 7 §2): the history program (callboard-calls,
# release build with -g) runs under memcheck behind the real nginx and MariaDB while a request mix
# goes through it: pages with every kind of filter, CSV exports, feeds, bad input (400), unknown
# pages (404), no session (redirect). Heap in use is read twice through vgdb (after a warm-up and
# after 5x more requests) and must not grow; at exit memcheck must report no error and nothing
# definitely or indirectly lost.
#
#   tests/valgrind/leak_growth.sh          (./run test calls it; ./run valgrind alone)
#
# Environment: CB_BUILD_DIR (a build WITHOUT sanitizers) [<repo>/build], VG_REQUESTS [60],
# VG_HTTP_PORT [18380], VG_DB_PORT [13436]. Prints "valgrind: PASS ..." or "valgrind: FAIL ...".
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
export CB_BUILD_DIR=${CB_BUILD_DIR:-$REPO/build}
export CB_STATE_DIR=$CB_BUILD_DIR/valgrind-stack
export CB_HTTP_PORT=${VG_HTTP_PORT:-18380} CB_DB_PORT=${VG_DB_PORT:-13436}
N=${VG_REQUESTS:-60}
BASE=http://127.0.0.1:$CB_HTTP_PORT
STACK=$REPO/scripts/stack.sh
LOG=$CB_STATE_DIR/log/valgrind-calls.log
JAR=$CB_STATE_DIR/cookies
VG_PID=

say() { printf 'valgrind: %s\n' "$*"; }
fail() { say "FAIL: $*"; exit 1; }

cleanup() {
    if [[ -n $VG_PID ]] && kill -0 "$VG_PID" 2>/dev/null; then kill -TERM "$VG_PID" 2>/dev/null || true; fi
    "$STACK" stop >/dev/null 2>&1 || true
}
trap cleanup EXIT

"$STACK" stop >/dev/null 2>&1 || true
rm -rf "$CB_STATE_DIR"
"$STACK" start >"$CB_BUILD_DIR/valgrind-start.log" 2>&1 || { cat "$CB_BUILD_DIR/valgrind-start.log"; fail "the stack did not start"; }
"$CB_BUILD_DIR/tools/callboard" --config "$CB_STATE_DIR/callboard.conf" demo --calls 300 >>"$CB_BUILD_DIR/valgrind-start.log" 2>&1

# The history program again, this time under memcheck, on the same socket.
"$STACK" crash calls >/dev/null
SOCK=$(sed -n 's|.*unix:\(.*\)/calls.sock.*|\1|p' "$CB_STATE_DIR/nginx/conf/callboard/callboard-http.conf" | head -1)
rm -f "$SOCK/calls.sock"
CALLBOARD_CONFIG=$CB_STATE_DIR/callboard.conf spawn-fcgi -n -s "$SOCK/calls.sock" -M 0666 -- \
    /usr/bin/valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite,indirect \
    --errors-for-leak-kinds=definite,indirect --error-exitcode=99 --vgdb=yes --vgdb-error=1000000 \
    --track-origins=yes --log-file="$LOG" "$CB_BUILD_DIR/cgi/callboard-calls" \
    >>"$CB_STATE_DIR/log/spawn-fcgi.log" 2>&1 &
VG_PID=$!
for _ in $(seq 100); do [[ -S $SOCK/calls.sock ]] && break; sleep 0.1; done
[[ -S $SOCK/calls.sock ]] || fail "the program did not start under valgrind (see $LOG)"

csrf=$(curl -s -c "$JAR" -b "$JAR" "$BASE/login" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1)
curl -s -o /dev/null -c "$JAR" -b "$JAR" --data-urlencode "csrf=$csrf" -d 'login=manager&password=manager' "$BASE/login"

mix=(
    '/calls' '/calls?direction=in&result=missed' '/calls?q=067&q_mode=contains'
    '/calls?from=2026-01-01&to=2026-12-31&talk_min=10&talk_max=600&sort=talk_desc'
    '/calls?manager=2&integration=1&recording=1' '/calls?external_id=abc&external_id_mode=begins&external_id_not=1'
    '/calls.csv?direction=out' '/customers/1/calls' '/orders/1/calls' '/calls?format=json'
    '/calls?from=not-a-date' '/calls?bogus=1' '/calls?before=abc' '/calls/nope'
)
# Requests: every URL of the mix, n rounds; one more request without a session.
requests() {
    local n=$1 i u code bad=0
    for ((i = 0; i < n; i++)); do
        for u in "${mix[@]}"; do
            code=$(curl -s -o /dev/null -w '%{http_code}' -b "$JAR" "$BASE$u")
            [[ $code =~ ^(200|302|303|400|404)$ ]] || bad=$((bad + 1))
        done
    done
    curl -s -o /dev/null "$BASE/calls"
    (( bad == 0 )) || fail "$bad request(s) had an unexpected status (5xx: the program crashed?)"
}

# Bytes still reachable on the heap now, as memcheck counts them (vgdb monitor command).
heap_in_use() {
    local pid out
    pid=$VG_PID
    out=$(timeout 60 vgdb --pid="$pid" leak_check summary reachable any 2>&1 || true)
    printf '%s\n' "$out" | sed -n 's/.*still reachable: \([0-9,]*\) bytes.*/\1/p' | tr -d ',' | tail -1
}

t0=$SECONDS
requests "$((N / 5 > 0 ? N / 5 : 1))"
warm=$(heap_in_use)
requests "$N"
later=$(heap_in_use)
total=$(( (N / 5 + N) * ${#mix[@]} ))
kill -TERM "$VG_PID"
wait "$VG_PID" 2>/dev/null && rc=0 || rc=$?
VG_PID=
summary=$(grep -E 'ERROR SUMMARY|definitely lost|indirectly lost' "$LOG" | tail -3 | sed 's/^==[0-9]*== *//' | paste -sd';')
say "$total requests in $((SECONDS - t0)) s; still reachable after warm-up ${warm:-?} B, after ${N}x more ${later:-?} B; exit $rc; $summary"
[[ -n $warm && -n $later ]] || fail "could not read the heap through vgdb (see $LOG)"
(( later <= warm + 4096 )) || fail "the heap grew by $((later - warm)) bytes over $total requests"
grep -q 'ERROR SUMMARY: 0 errors' "$LOG" || fail "memcheck found errors (see $LOG)"
(( rc == 0 )) || fail "exit status $rc (99: memcheck errors or leaks; see $LOG)"
say "PASS: no memcheck error, nothing lost, no heap growth"
