#!/usr/bin/env bash
# What a 3-node Galera cluster costs (issue 23 §3, docs/scaling.md): webhook ingest and history
# page rates on a single MariaDB beside the cluster, in the same run, on the same release build.
#
#   bench/cluster.sh                 2 rounds x 8 s per path
#   BENCH_QUICK=1 bench/cluster.sh   1 round x 3 s per path
#
# Paths (wrk -t2 -c16 --latency; the ingest ones replay bench/gen_events.py's signed events,
# every call id fresh, as bench/webhook.sh does):
#   single-ingest    one stack (scripts/stack.sh) on its own MariaDB
#   galera-ingest    host a (scripts/cluster.sh start-host) on node 1 of 3
#   galera-2hosts    hosts a and b at once, on nodes 1 and 2, each with half the connections
#   single-history   GET /calls as "manager" on the single stack
#   galera-history   the same on host a
# On 2 shared cores the three nodes, two hosts and wrk share the CPU: the cluster's figures are
# the cost of synchronous replication and certification on one machine, not what three machines
# would do.
#
# Environment (defaults in brackets): BENCH_QUICK, BENCH_ROUNDS [2; quick 1], BENCH_DURATION
# [8; quick 3], BENCH_BUILD_DIR [<repo>/build-bench], BENCH_HTTP_PORT [28080] (single stack; the
# cluster's hosts +1 and +2), BENCH_DB_PORT [13506] (single MariaDB), BENCH_CLUSTER_PORT
# [BENCH_HTTP_PORT+450] (cluster.sh's block of 50), BENCH_DEMO_CALLS [20000] (history size).
# Results: stdout and <build>/bench-cluster/results.md. Everything started is stopped on exit.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
QUICK=${BENCH_QUICK:-0}
if [[ $QUICK == 1 ]]; then ROUNDS=${BENCH_ROUNDS:-1}; DURATION=${BENCH_DURATION:-3}
else ROUNDS=${BENCH_ROUNDS:-2}; DURATION=${BENCH_DURATION:-8}; fi
BUILD=$(realpath -m -- "${BENCH_BUILD_DIR:-$REPO/build-bench}")
HTTP=${BENCH_HTTP_PORT:-28080}
DBP=${BENCH_DB_PORT:-13506}
CPORT=${BENCH_CLUSTER_PORT:-$((HTTP + 450))}
DEMO=${BENCH_DEMO_CALLS:-20000}
WORK=$BUILD/bench-cluster
(( HTTP + 2 < 32768 && CPORT + 50 < 32768 )) || { echo "ports must stay below 32768" >&2; exit 2; }

say() { printf 'bench-cluster: %s\n' "$*"; }
die() { printf 'bench-cluster: error: %s\n' "$*" >&2; exit 1; }
command -v wrk >/dev/null || die "wrk is not installed (apt-get install wrk)"

# The release build bench/webhook.sh uses.
if [[ ! -x $BUILD/cgi/callboard-hook ]]; then
    (cd "$REPO" && autoreconf -fi >/dev/null 2>&1 || true)
    mkdir -p "$BUILD" && (cd "$BUILD" && "$REPO/configure" -q) || die "configure failed"
fi
make -C "$BUILD" -s -j"$(nproc)" >/dev/null || die "build failed"

export CB_BUILD_DIR=$BUILD CB_CLUSTER_DIR=$WORK/cluster CB_CLUSTER_PORT=$CPORT
SINGLE=(env CB_STATE_DIR="$WORK/single" CB_HTTP_PORT="$HTTP" CB_DB_PORT="$DBP" "$REPO/scripts/stack.sh")
C=$REPO/scripts/cluster.sh
stop_all() { "${SINGLE[@]}" stop >/dev/null 2>&1 || true; "$C" stop >/dev/null 2>&1 || true; }
trap stop_all EXIT
stop_all
rm -rf "$WORK"; mkdir -p "$WORK"

say "single stack on 127.0.0.1:$HTTP, MariaDB $DBP"
"${SINGLE[@]}" start >"$WORK/single.log" 2>&1 || { tail "$WORK/single.log"; die "single stack"; }
"$BUILD/tools/callboard" --config "$WORK/single/callboard.conf" demo --calls "$DEMO" >/dev/null
say "3-node cluster on 127.0.0.1:$((CPORT + 1))-$((CPORT + 3)), hosts on $((HTTP + 1)) and $((HTTP + 2))"
"$C" start >"$WORK/cluster.log" 2>&1 || { tail "$WORK/cluster.log"; die "cluster"; }
"$C" start-host a $((HTTP + 1)) 1 >>"$WORK/cluster.log" 2>&1 || die "host a"
"$C" start-host b $((HTTP + 2)) 2 >>"$WORK/cluster.log" 2>&1 || die "host b"
"$BUILD/tools/callboard" --config "$WORK/cluster/host-a/callboard.conf" demo --calls "$DEMO" >/dev/null

"$C" sql 1 callboard -e "SELECT phone FROM customer_phones" >"$WORK/phones.txt"
RUN_ID=$(date +%s)-$$
ingest() {   # ingest PORT CONNS TAG: one wrk replay of fresh signed events
    local port=$1 conns=$2 tag=$3
    python3 "$REPO/bench/gen_events.py" --out "$WORK/reqs-$tag" --threads 2 \
        --count $((DURATION * 3000 + 3000)) --host "127.0.0.1:$port" --tag "$RUN_ID-$tag" \
        --phones "$WORK/phones.txt" 2>>"$WORK/gen.log" || die "gen_events.py failed"
    BENCH_REQS=$WORK/reqs-$tag BENCH_BODY='' wrk -t2 -c"$conns" -d"${DURATION}s" --latency \
        -s "$REPO/bench/replay.lua" "http://127.0.0.1:$port/" >"$WORK/wrk-$tag.txt" 2>&1 || true
    rm -f "$WORK/reqs-$tag".*
    grep '^BENCH ' "$WORK/wrk-$tag.txt" || die "no result ($WORK/wrk-$tag.txt)"
}
history() {   # history PORT TAG
    local port=$1 jar=$WORK/jar-$2 csrf cookie
    csrf=$(curl -fsS -c "$jar" "http://127.0.0.1:$port/login" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1)
    curl -sS -o /dev/null -b "$jar" -c "$jar" --data-urlencode "csrf=$csrf" --data-urlencode login=manager \
        --data-urlencode password=manager --data-urlencode next=/calls "http://127.0.0.1:$port/login"
    cookie=$(awk '{ sub(/^#HttpOnly_/, "") } !/^#/ && NF >= 7 { printf "%s%s=%s", s, $6, $7; s="; " }' "$jar")
    wrk -t2 -c16 -d"${DURATION}s" --latency -H "Cookie: $cookie" "http://127.0.0.1:$port/calls" >"$WORK/wrk-$2.txt"
    ! grep -q Non-2xx "$WORK/wrk-$2.txt" || die "history on $port: non-2xx answers ($WORK/wrk-$2.txt)"
    printf 'BENCH rps=%s p50_ms=%s p99_ms=%s\n' "$(awk '/^Requests\/sec/ { print $2 }' "$WORK/wrk-$2.txt")" \
        "$(awk '$1 == "50%" { print $2 }' "$WORK/wrk-$2.txt")" "$(awk '$1 == "99%" { print $2 }' "$WORK/wrk-$2.txt")"
}
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }

: >"$WORK/results.txt"
for (( r = 1; r <= ROUNDS; r++ )); do
    say "round $r/$ROUNDS"
    echo "single-ingest $(ingest "$HTTP" 16 s$r)" >>"$WORK/results.txt"
    echo "galera-ingest $(ingest $((HTTP + 1)) 16 g$r)" >>"$WORK/results.txt"
    ingest $((HTTP + 1)) 8 ga$r >/dev/null & pa=$!
    ingest $((HTTP + 2)) 8 gb$r >"$WORK/gb$r.line"; wait $pa
    ra=$(grep '^BENCH' "$WORK/wrk-ga$r.txt"); rb=$(cat "$WORK/gb$r.line")
    echo "galera-2hosts BENCH rps=$(awk -v a="$(field rps "$ra")" -v b="$(field rps "$rb")" 'BEGIN { printf "%.1f", a + b }') p50_ms=$(field p50_ms "$ra")/$(field p50_ms "$rb") p99_ms=$(field p99_ms "$ra")/$(field p99_ms "$rb")" >>"$WORK/results.txt"
    echo "single-history $(history "$HTTP" hs$r)" >>"$WORK/results.txt"
    echo "galera-history $(history $((HTTP + 1)) hg$r)" >>"$WORK/results.txt"
done

{
    echo "Galera beside a single MariaDB, $ROUNDS x ${DURATION}s per path, wrk -t2, $(nproc) cores shared by everything;"
    echo "history over $DEMO demo calls. Ingest: every event committed before its 200 (on the cluster: certified on all 3 nodes)."
    echo
    echo "| path | req/s (each round) | p50 | p99 |"
    echo "|---|---|---|---|"
    for p in single-ingest galera-ingest galera-2hosts single-history galera-history; do
        grep "^$p " "$WORK/results.txt" | awk -v p="$p" '
            { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
              rps = rps sep v["rps"]; p50 = p50 sep v["p50_ms"]; p99 = p99 sep v["p99_ms"]; sep = ", " }
            END { printf "| %s | %s | %s | %s |\n", p, rps, p50, p99 }'
    done
} | tee "$WORK/results.md"
