#!/usr/bin/env bash
# Instructions per history page of callboard-calls under callgrind: a stable figure for A/B
# work (wall-clock rates move ±10 % on the shared machine, instruction counts do not).
#
#   bench/callgrind.sh [SCENARIO...]     default: none manager phone customer
#
# Runs against a stack already started on bench/history.sh's database, e.g.
#   export CB_BUILD_DIR=$PWD/build-bench CB_STATE_DIR=$PWD/build-bench/history-state CB_ROOT=$PWD
#   CB_HTTP_PORT=19080 CB_DB_PORT=14406 CB_SMTP_PORT=19105 scripts/stack.sh start
#   CB_HTTP_PORT=19080 bench/callgrind.sh
# It replaces that stack's callboard-calls processes by one under valgrind on the same socket,
# asks each scenario's page WARM times, then counts REQUESTS more (callgrind_control --zero and
# --dump around them) and prints instructions per page; `scripts/stack.sh restart-programs`
# puts the normal processes back (done here at the end). Profiles: <build>/callgrind/.
#
# Settings: WARM [20], REQUESTS [100], CB_HTTP_PORT [19080], CB_BUILD_DIR, CB_STATE_DIR.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(realpath -m -- "${CB_BUILD_DIR:-$REPO/build-bench}")
export CB_BUILD_DIR=$BUILD CB_STATE_DIR=${CB_STATE_DIR:-$BUILD/history-state} CB_ROOT=$REPO
BASE=http://127.0.0.1:${CB_HTTP_PORT:-19080}
WARM=${WARM:-20}
REQUESTS=${REQUESTS:-100}
OUT=$BUILD/callgrind
SCENARIOS=${*:-none manager phone customer}

die() { printf 'callgrind: error: %s\n' "$*" >&2; exit 1; }
db() { mariadb --defaults-file="$CB_STATE_DIR/mariadb.cnf" --batch --skip-column-names callboard -e "$1"; }

command -v valgrind >/dev/null || die "valgrind is not installed"
run=$CB_STATE_DIR/run
sock=$(sed -n "s/.*server unix:\([^;]*calls\.sock\);.*/\1/p" "$CB_STATE_DIR"/nginx/conf/callboard/callboard-http.conf | head -1)
[[ -S ${sock:-} ]] || die "no callboard-calls socket: is the stack running?"
mkdir -p "$OUT"

# One process under callgrind on the stack's socket (spawn-fcgi -n execs it: its pid is ours).
for pid in $(cat "$run/fcgi-calls.pid"); do kill "$pid" 2>/dev/null || true; done
sleep 1
rm -f "$sock"
CALLBOARD_CONFIG=$CB_STATE_DIR/callboard.conf spawn-fcgi -n -s "$sock" -M 0666 -- \
    /usr/bin/valgrind --tool=callgrind --callgrind-out-file="$OUT/callgrind.out.%p" \
    "$BUILD/cgi/callboard-calls" >/dev/null 2>"$OUT/valgrind.log" &
vg=$!
trap 'kill $vg 2>/dev/null || true; wait $vg 2>/dev/null || true; "$REPO/scripts/stack.sh" restart-programs >/dev/null 2>&1 || true' EXIT
for _ in $(seq 50); do [[ -S $sock ]] && break; sleep 0.2; done

# shellcheck source=bench/lib/history_session.sh
. "$REPO/bench/lib/history_session.sh"
cookie=$(history_login "$OUT/cookies")
history_targets
get() {   # get URL N: N pages, each must answer 200
    local i code
    for ((i = 0; i < $2; i++)); do
        code=$(curl -sS -o /dev/null -w '%{http_code}' -H "Cookie: $cookie" "$BASE$1")
        [[ $code == 200 ]] || die "$1: HTTP $code"
    done
}

printf '| scenario | instructions per page (callboard-calls, user space) |\n|---|---:|\n'
for s in $SCENARIOS; do
    get "$(history_url "$s")" "$WARM"
    callgrind_control --zero "$vg" >/dev/null 2>&1
    get "$(history_url "$s")" "$REQUESTS"
    rm -f "$OUT/callgrind.out.$vg".*
    callgrind_control --dump="$s" "$vg" >/dev/null 2>&1
    sleep 0.5
    f=$(ls -t "$OUT/callgrind.out.$vg".* | head -1)
    mv "$f" "$OUT/$s.callgrind"
    ir=$(awk '/^summary:/ { print $2 }' "$OUT/$s.callgrind")
    printf '| %s | %s |\n' "$s" "$(( ir / REQUESTS ))"
done
