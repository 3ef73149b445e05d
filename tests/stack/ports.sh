#!/usr/bin/env bash
# scripts/stack.sh and a taken port (issue 15 §4). A port held for a moment (a stack still
# stopping, a test's server closing) is waited for, and the stack starts; a port held for longer
# than CB_PORT_WAIT fails the start before anything runs, naming the holder and the variable that
# moves the stack elsewhere.
#
#   tests/stack/ports.sh        (./run test calls it; prints "ports: PASS" or "ports: FAIL ...")
#
# Environment: CB_BUILD_DIR (built) [<repo>/build], PORTS_HTTP_PORT [18580], PORTS_DB_PORT [13456].
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
export CB_BUILD_DIR=${CB_BUILD_DIR:-$REPO/build}
export CB_STATE_DIR=$CB_BUILD_DIR/ports-stack
export CB_HTTP_PORT=${PORTS_HTTP_PORT:-18580} CB_DB_PORT=${PORTS_DB_PORT:-13456}
export CB_SMTP_PORT=$((CB_HTTP_PORT + 25))
STACK=$REPO/scripts/stack.sh
OUT=$CB_BUILD_DIR/ports-start.log
HOLDERS=()

say() { printf 'ports: %s\n' "$*"; }
fail() { say "FAIL: $*"; exit 1; }

cleanup() {
    local pid
    for pid in "${HOLDERS[@]}"; do kill "$pid" 2>/dev/null || true; done
    "$STACK" stop >/dev/null 2>&1 || true
}
trap cleanup EXIT

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# hold PORT SECONDS: another program listens on PORT for SECONDS, and accepts (a listener that
# never accepts looks free to a probe once its backlog is full).
hold() {
    python3 -c 'import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(8); s.settimeout(0.1)
end = time.monotonic() + float(sys.argv[2])
while time.monotonic() < end:
    try: s.accept()[0].close()
    except socket.timeout: pass' "$1" "$2" &
    HOLDERS+=($!)
    local i
    for (( i = 0; i < 50; i++ )); do port_open "$1" && return 0; sleep 0.1; done
    fail "could not hold port $1"
}

"$STACK" stop >/dev/null 2>&1 || true
rm -rf "$CB_STATE_DIR"

# Held for good: a clear error after CB_PORT_WAIT seconds, and nothing started.
hold "$CB_HTTP_PORT" 600
t0=$SECONDS
if CB_PORT_WAIT=2 "$STACK" start >"$OUT" 2>&1; then fail "the start succeeded on a taken port"; fi
grep -q "port $CB_HTTP_PORT is used by another program (.*python3.*) for 2s; set CB_HTTP_PORT" "$OUT" ||
    { cat "$OUT"; fail "no clear error naming the port, its holder and CB_HTTP_PORT"; }
gave_up=$((SECONDS - t0))
(( gave_up < 15 )) || fail "giving up took $gave_up s"
port_open "$CB_DB_PORT" && fail "the database was started although the start failed"
kill "${HOLDERS[@]}" 2>/dev/null || true
HOLDERS=()
while port_open "$CB_HTTP_PORT"; do sleep 0.1; done

# Held for 8 s, both ports (the HTTP one from a little later): the start waits and succeeds.
hold "$CB_DB_PORT" 8
hold "$CB_HTTP_PORT" 8
"$STACK" start >"$OUT" 2>&1 || { cat "$OUT"; fail "the start did not wait for ports held 8 s"; }
grep -q "port $CB_DB_PORT is taken; waiting" "$OUT" || { cat "$OUT"; fail "the start did not wait for the database port"; }
grep -q "port $CB_HTTP_PORT is taken; waiting" "$OUT" || { cat "$OUT"; fail "the start did not wait for the HTTP port"; }
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$CB_HTTP_PORT/healthz")
[[ $code == 200 ]] || fail "/healthz answered $code after the wait"
say "PASS: a port held for good fails the start in $gave_up s (CB_PORT_WAIT=2) with a clear error; ports held 8 s are waited for"
