#!/usr/bin/env bash
# The cluster tests (issue 23 §3, docs/scaling.md): a 3-node Galera cluster with two hosts on
# nodes 1 and 2 (galera.test.js), then a primary with an asynchronous replica and a host reading
# history from the replica (replica.test.js). Everything on loopback, under $CB_BUILD_DIR/cluster,
# stopped at the end.
#
#   tests/cluster/run.sh TAPFILE
#
# Environment: CB_BUILD_DIR (built tree), CB_CLUSTER_PORT (first of a block of 50 ports; hosts
# get +40..+42 for HTTP, and their SMTP/transcribe stand-in ports +25/+33 above those).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TAP=$(realpath -m -- "${1:?usage: run.sh TAPFILE}")
: "${CB_BUILD_DIR:?CB_BUILD_DIR is not set}"
BASE=${CB_CLUSTER_PORT:?CB_CLUSTER_PORT is not set}
# The TAP file ends with the totals of every part ("# pass N", "# fail N": what ./run counts);
# a part that could not run is one failure.
PASS=0 FAIL=0
totals() { printf '# pass %d\n# fail %d\n' "$PASS" "$FAIL" >>"$TAP"; }
count() {   # count TAPPART
    local p f
    p=$(grep -sE '^# pass [0-9]+' "$1" | awk '{print $3}' | tail -1); f=$(grep -sE '^# fail [0-9]+' "$1" | awk '{print $3}' | tail -1)
    [[ -n $p ]] || { FAIL=$((FAIL + 1)); return; }
    PASS=$((PASS + p)); FAIL=$((FAIL + ${f:-0}))
}
fail() { echo "not ok - $*" | tee -a "$TAP"; FAIL=$((FAIL + 1)); totals; exit 1; }
: >"$TAP"
# scripts/install-deps.sh --test installs both: missing is a failure, not a skip.
[[ -e /usr/lib/galera/libgalera_smm.so ]] || fail "galera-4 is not installed"
command -v mariabackup >/dev/null || fail "mariadb-backup is not installed"

export CB_CLUSTER_DIR=$CB_BUILD_DIR/cluster CB_CLUSTER_PORT=$BASE CB_BUILD_DIR CB_ROOT=$ROOT
C=$ROOT/scripts/cluster.sh
"$C" stop >/dev/null 2>&1 || true
rm -rf "$CB_CLUSTER_DIR"
trap '"$C" stop >/dev/null 2>&1 || true' EXIT
t0=$SECONDS

echo "== cluster: 3 Galera nodes on 127.0.0.1:$((BASE + 1))-$((BASE + 3))"
"$C" start || fail "the cluster did not start"
# Both hosts at once: their two migrations race on two nodes (the migration lease).
"$C" start-host a $((BASE + 40)) 1 >"$CB_CLUSTER_DIR/host-a.start.log" 2>&1 & pa=$!
"$C" start-host b $((BASE + 41)) 2 >"$CB_CLUSTER_DIR/host-b.start.log" 2>&1 & pb=$!
rc=0; wait $pa || rc=1; wait $pb || rc=1
tail -n 1 "$CB_CLUSTER_DIR"/host-[ab].start.log
if (( rc )); then cat "$CB_CLUSTER_DIR"/host-[ab].start.log; fail "hosts did not start"; fi
"$CB_BUILD_DIR/tools/callboard" --config "$CB_CLUSTER_DIR/host-a/callboard.conf" demo --calls 10 >/dev/null
echo "cluster and hosts ready in $((SECONDS - t0)) s"

(cd "$ROOT" && CB_HOST_A=http://127.0.0.1:$((BASE + 40)) CB_HOST_B=http://127.0.0.1:$((BASE + 41)) \
    CB_STATE_DIR=$CB_CLUSTER_DIR/host-a CB_DB_CNF=$CB_CLUSTER_DIR/n1/my.cnf \
    node --test --test-reporter=tap tests/cluster/galera.test.js) | tee "$TAP.galera" | grep -E '^(not )?ok|^# |galera|distinct' || true
count "$TAP.galera"

echo "== replica: a primary and its GTID replica on 127.0.0.1:$((BASE + 4)),$((BASE + 5))"
t1=$SECONDS
"$C" start-replica || fail "the replica did not start"
# db_read_retry_seconds = 3 (the default 30 would make the replica-down test wait that long);
# one process a program, so the test knows how many warnings to expect at most.
CB_DB_READ_RETRY=3 CB_FCGI_CHILDREN=1 "$C" start-host c $((BASE + 42)) p r >"$CB_CLUSTER_DIR/host-c.start.log" 2>&1 ||
    { cat "$CB_CLUSTER_DIR/host-c.start.log"; fail "host c did not start"; }
"$CB_BUILD_DIR/tools/callboard" --config "$CB_CLUSTER_DIR/host-c/callboard.conf" demo --calls 10 >/dev/null
echo "replica and host ready in $((SECONDS - t1)) s"
(cd "$ROOT" && CB_BASE_URL=http://127.0.0.1:$((BASE + 42)) CB_STATE_DIR=$CB_CLUSTER_DIR/host-c \
    CB_DB_CNF=$CB_CLUSTER_DIR/np/my.cnf CB_REPLICA_CNF=$CB_CLUSTER_DIR/nr/my.cnf \
    CB_READ_RETRY=3 CB_FCGI_CHILDREN=1 node --test --test-reporter=tap tests/cluster/replica.test.js) | tee "$TAP.replica" | grep -E '^(not )?ok|^# ' || true
count "$TAP.replica"

"$C" stop >/dev/null
trap - EXIT
# A sanitizer report in a host's program logs is a failure too.
if grep -l -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$CB_CLUSTER_DIR"/host-*/log/*.log 2>/dev/null; then
    echo "not ok - sanitizer reports in the hosts' logs" >>"$TAP"; FAIL=$((FAIL + 1))
fi
cat "$TAP.galera" "$TAP.replica" >>"$TAP"
totals
echo "cluster tests took $((SECONDS - t0)) s"
