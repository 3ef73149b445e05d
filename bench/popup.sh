#!/usr/bin/env bash
# Popup latency at 50 subscribed managers (issue 5 "Speed"), beside its ceiling measured in the same
# run (the same messages published straight to nchan); see bench/popup.js and bench/README.md.
#
#   bench/popup.sh       starts its own throw-away stack (release build in build-bench/, state in
#                        build-bench/popup-state, nginx on 28070, MariaDB on 13508), runs, stops it
#   BENCH_STACK=running bench/popup.sh
#                        measures the stack already running at CB_BASE_URL / CB_STATE_DIR instead
#
# Settings: BENCH_MANAGERS=50 BENCH_EVENTS=1000 BENCH_CONCURRENCY=4, BENCH_BUILD_DIR, BENCH_BUILD=0
# (do not run make), BENCH_HTTP_PORT / BENCH_DB_PORT / BENCH_SMTP_PORT, BENCH_KEEP=1 (leave it up).
# Prints the latencies, one "BENCH popup ..." line, and the peak RSS of every process of the stack.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
# shellcheck source=bench/lib/peak_rss.sh
. "$REPO/bench/lib/peak_rss.sh"
say() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench: error: %s\n' "$*" >&2; exit 1; }

if [[ ${BENCH_STACK:-own} != running ]]; then
    BUILD=$(realpath -m -- "${BENCH_BUILD_DIR:-$REPO/build-bench}")
    export CB_BUILD_DIR=$BUILD CB_STATE_DIR=$BUILD/popup-state CB_ROOT=$REPO
    export CB_HTTP_PORT=${BENCH_HTTP_PORT:-28070} CB_DB_PORT=${BENCH_DB_PORT:-13508}
    export CB_SMTP_PORT=${BENCH_SMTP_PORT:-28270}
    export CB_BASE_URL=http://127.0.0.1:$CB_HTTP_PORT
    # shellcheck source=bench/lib/release_build.sh
    . "$REPO/bench/lib/release_build.sh"
    release_build "$BUILD" "$BUILD/popup-make.log"
    cleanup() {
        [[ ${BENCH_KEEP:-0} == 1 ]] && { say "left running: CB_STATE_DIR=$CB_STATE_DIR"; return; }
        "$REPO/scripts/stack.sh" stop >/dev/null 2>&1 || say "stack.sh stop failed"
    }
    trap cleanup EXIT
    "$REPO/scripts/stack.sh" stop >/dev/null 2>&1 || true
    rm -rf "$CB_STATE_DIR"
    "$REPO/scripts/stack.sh" start >"$BUILD/popup-stack.log" 2>&1 ||
        { tail -30 "$BUILD/popup-stack.log" >&2; die "stack failed"; }
    "$BUILD/tools/callboard" --config "$CB_STATE_DIR/callboard.conf" demo --calls 300 >/dev/null ||
        die "demo data failed"
fi
export CB_BASE_URL=${CB_BASE_URL:-http://127.0.0.1:${CB_HTTP_PORT:-8080}}
[[ -n ${CB_STATE_DIR:-} ]] || die "CB_STATE_DIR is not set (the stack's state folder)"
pub=$(sed -n 's/^live_publish_url *= *//p' "$CB_STATE_DIR/callboard.conf")
[[ -n $pub ]] || die "the stack has no live_publish_url (nchan missing?)"
echo "Popup latency, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "callboard-hook built $(date -u -r "$CB_BUILD_DIR/cgi/callboard-hook" '+%Y-%m-%d %H:%M:%S UTC') in $CB_BUILD_DIR"
echo
# node resolves the tests' packages from tests/node_modules
# The publisher's secret header (etc/nginx/callboard-live.conf): nginx refuses a publish without it.
BENCH_PUBLISH_SECRET=$(sed -n 's/^live_publish_secret *= *//p' "$CB_STATE_DIR/callboard.conf") \
BENCH_PUBLISH_URL=$pub node "$REPO/bench/popup.js"
echo
echo "Peak RSS after the run:"
echo
peak_rss_table "$CB_STATE_DIR"
