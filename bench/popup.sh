#!/usr/bin/env bash
# Popup latency at 50 subscribed managers (issue 5 "Speed"); see bench/popup.js and bench/README.md.
# Runs against a running stack (scripts/stack.sh start, with nchan): its address and database come
# from CB_BASE_URL and CB_STATE_DIR (as scripts/stack.sh uses them).
#   bench/popup.sh                       BENCH_MANAGERS=50 BENCH_EVENTS=1000 BENCH_CONCURRENCY=4
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
export CB_BASE_URL=${CB_BASE_URL:-http://127.0.0.1:${CB_HTTP_PORT:-8080}}
# node resolves the tests' packages from tests/node_modules
exec node "$REPO/bench/popup.js"
