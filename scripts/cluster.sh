#!/usr/bin/env bash
# Callboard on more than one database server, on this machine's loopback (docs/scaling.md):
# a 3-node MariaDB Galera cluster, a plain primary with an asynchronous GTID replica, and
# "hosts" (scripts/stack.sh stacks: nginx, the programs, the worker) pointed at any of them.
#
#   scripts/cluster.sh start              start the 3 Galera nodes (bootstrap n1 when none runs)
#   scripts/cluster.sh stop               stop hosts, replica pair and nodes started from here
#   scripts/cluster.sh status             cluster size and state of every node
#   scripts/cluster.sh kill-node N        SIGKILL node N (1-3, p, r), as a crash would
#   scripts/cluster.sh restart-node N     start node N again; a Galera node rejoins by IST or
#                                         SST, the replica resumes from its GTID position
#   scripts/cluster.sh start-replica      a primary (node p) and its GTID replica (node r)
#   scripts/cluster.sh replica-pause|replica-resume   STOP / START SLAVE on the replica
#   scripts/cluster.sh start-host NAME HTTP_PORT NODE [READ_NODE]
#                                         a stack (stack.sh) whose programs use NODE (1-3, p, r);
#                                         READ_NODE sets its db_read
#   scripts/cluster.sh stop-host NAME
#   scripts/cluster.sh host NAME ARGS...  scripts/stack.sh ARGS for that host (restart-programs,
#                                         crash worker, status...)
#   scripts/cluster.sh port NODE          NODE's MariaDB port (for scripts and tests)
#   scripts/cluster.sh sql NODE           a mariadb client on NODE (as the admin, over its socket)
#
# Environment (defaults in brackets):
#   CB_CLUSTER_DIR   state: node datadirs, configs, logs, hosts         [<repo>/var/cluster]
#   CB_CLUSTER_PORT  first port of the block of 50 this uses             [26350]
#                    n1..n3 MariaDB +1..+3; p +4, r +5; Galera base_port +11/+13/+15 (IST is
#                    base_port+1); SST receive +31..+33. All must stay below 32768.
#   CB_BUILD_DIR and the other stack.sh variables are passed to start-host.
#
# SST is mariabackup (package mariadb-backup, with socat): rsync SST fails as root, since its
# rsync daemon drops to "nobody", who cannot write the joiner's datadir. The donor's mariabackup
# logs in as the OS user over the socket (unix_socket authentication): no SST account.
# Galera itself is the galera-4 package (/usr/lib/galera/libgalera_smm.so).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
DIR=$(realpath -m -- "${CB_CLUSTER_DIR:-$REPO/var/cluster}")
BASE=${CB_CLUSTER_PORT:-26350}
SOCKS=/tmp/cb-cluster-$(id -u)-$(printf '%s' "$DIR" | sha256sum | cut -c1-8)
GALERA=${CB_GALERA_LIB:-/usr/lib/galera/libgalera_smm.so}
WAIT=90

say()  { printf 'cluster: %s\n' "$*"; }
die()  { printf 'cluster: error: %s\n' "$*" >&2; exit 1; }

find_cmd() {
    local d
    if command -v "$1" >/dev/null 2>&1; then command -v "$1"; return; fi
    for d in /usr/sbin /sbin; do [[ -x $d/$1 ]] && { echo "$d/$1"; return; }; done
    die "'$1' not found: apt-get install $2"
}
MARIADBD=$(find_cmd mariadbd mariadb-server)
INSTALL_DB=$(find_cmd mariadb-install-db mariadb-server)
CLIENT=$(find_cmd mariadb mariadb-client)

(( BASE + 50 < 32768 )) || die "CB_CLUSTER_PORT=$BASE: ports must stay below 32768"

# Node names: 1 2 3 (Galera), p (primary), r (its replica).
port_of() {
    case $1 in
        1|2|3) echo $((BASE + $1)) ;;
        p) echo $((BASE + 4)) ;;
        r) echo $((BASE + 5)) ;;
        *) die "no node '$1' (1, 2, 3, p or r)" ;;
    esac
}
cnf()  { echo "$DIR/n$1/my.cnf"; }
sock() { echo "$SOCKS/n$1.sock"; }
pidf() { echo "$DIR/n$1/mariadbd.pid"; }

node_pid() {
    local pid
    # The pid this script launched (mariadbd writes its pid file only once InnoDB is up).
    pid=$(cat "$(pidf "$1").launch" 2>/dev/null) || return 1
    [[ $pid =~ ^[0-9]+$ ]] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null |
        grep -qF -- "--defaults-file=$(cnf "$1")" && echo "$pid"
}

sql() {   # sql NODE [client options]: statements on stdin, as the OS user over the socket
    local n=$1; shift
    "$CLIENT" --defaults-file="$(cnf "$n")" --user="$(id -un)" --batch --skip-column-names "$@"
}
q() { sql "$1" -e "$2" 2>/dev/null || true; }   # "" when the node does not answer

write_cnf() {   # write_cnf NODE
    local n=$1 port user="" extra
    port=$(port_of "$n")
    (( EUID == 0 )) && user="user = root"
    case $n in
        1|2|3)
            local gport=$((BASE + 11 + 2 * (n - 1)))
            extra="binlog_format = ROW
innodb_autoinc_lock_mode = 2
wsrep_on = ON
wsrep_provider = $GALERA
wsrep_cluster_name = callboard-$BASE
wsrep_cluster_address = gcomm://127.0.0.1:$((BASE + 11)),127.0.0.1:$((BASE + 13)),127.0.0.1:$((BASE + 15))
wsrep_node_name = n$n
wsrep_node_address = 127.0.0.1:$gport
wsrep_node_incoming_address = 127.0.0.1:$port
wsrep_provider_options = \"base_port=$gport;ist.recv_addr=127.0.0.1:$((gport + 1));gcache.size=64M;evs.suspect_timeout=PT5S;evs.inactive_timeout=PT10S;pc.recovery=FALSE\"
wsrep_sst_method = mariabackup
wsrep_sst_receive_address = 127.0.0.1:$((BASE + 30 + n))
# Reads wait for the node to have applied what the cluster committed before them
# (a history read right after an event on another node sees it).
wsrep_sync_wait = 1
wsrep_slave_threads = 2" ;;
        p) extra="server_id = 11
log_bin = $DIR/np/binlog
binlog_format = ROW
gtid_strict_mode = ON" ;;
        r) extra="server_id = 12
log_bin = $DIR/nr/binlog
gtid_strict_mode = ON
read_only = ON" ;;
    esac
    mkdir -p "$DIR/n$n/data" "$SOCKS"
    cat >"$(cnf "$n")" <<EOF
# Generated by scripts/cluster.sh (node $n).
[client-server]
socket = $(sock "$n")
port = $port

[mysqld]
$user
datadir = $DIR/n$n/data
pid-file = $(pidf "$n")
bind-address = 127.0.0.1
skip-name-resolve
log-error = $DIR/n$n/error.log
character-set-server = utf8mb4
collation-server = utf8mb4_unicode_ci
default_storage_engine = InnoDB
innodb_buffer_pool_size = 64M
innodb_log_file_size = 48M
innodb_flush_log_at_trx_commit = 2
max_connections = 200
# The binary log is on (Galera writes one; p is a replication source): without this, the
# programs' account (no SUPER) cannot create the migrations' triggers and procedures.
log_bin_trust_function_creators = ON
$extra
EOF
}

install_db() {   # datadir with the system tables; a Galera joiner's is replaced by SST
    local n=$1
    [[ -d $DIR/n$n/data/mysql ]] && return 0
    rm -rf "$DIR/n$n/data"; mkdir -p "$DIR/n$n/data"
    "$INSTALL_DB" --defaults-file="$(cnf "$n")" --auth-root-authentication-method=socket \
        --auth-root-socket-user="$(id -un)" --skip-test-db >"$DIR/n$n/install.log" 2>&1 ||
        { tail -20 "$DIR/n$n/install.log" >&2; die "mariadb-install-db failed for node $n"; }
}

launch() {   # launch NODE [mariadbd options]
    local n=$1; shift
    rm -f "$(sock "$n")"
    setsid "$MARIADBD" --defaults-file="$(cnf "$n")" "$@" </dev/null >>"$DIR/n$n/error.log" 2>&1 &
    echo $! >"$(pidf "$n").launch"
}

wait_ready() {   # wait_ready NODE: answers (and, for Galera, is Synced)
    local n=$1 i state
    for (( i = 0; i < WAIT * 5; i++ )); do
        case $n in
            1|2|3) state=$(q "$n" "SHOW STATUS LIKE 'wsrep_local_state_comment'" | cut -f2)
                   [[ $state == Synced ]] && return 0 ;;
            *) [[ $(q "$n" "SELECT 1") == 1 ]] && return 0 ;;
        esac
        local lp; lp=$(cat "$(pidf "$n").launch" 2>/dev/null || true)
        if [[ -n $lp ]] && ! kill -0 "$lp" 2>/dev/null; then
            tail -30 "$DIR/n$n/error.log" >&2; die "node $n exited during start"
        fi
        sleep 0.2
    done
    tail -30 "$DIR/n$n/error.log" >&2
    die "node $n not ready in ${WAIT}s"
}

# The database and the programs' account (replicated by Galera as DDL; by the binlog to r).
setup_db() {
    local n=$1 pw h
    pw=$(password)
    {
        echo "CREATE DATABASE IF NOT EXISTS callboard CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
        for h in localhost 127.0.0.1; do
            echo "CREATE USER IF NOT EXISTS 'callboard'@'$h' IDENTIFIED BY '$pw';"
            echo "GRANT ALL PRIVILEGES ON callboard.* TO 'callboard'@'$h';"
        done
    } | sql "$n" || die "could not create the database on node $n"
}

secret() {   # secret NAME BYTES: generated once, shared by every host
    # Hosts start in parallel: the file appears whole and once (a hard link fails when it
    # exists), so no host reads a half-written secret or one that another host overwrites
    # (host b once served with another secret_key: every signed event was a 403).
    if [[ ! -s $DIR/$1 ]]; then
        mkdir -p "$DIR"
        (umask 077 && od -An -tx1 -N"$2" /dev/urandom | tr -d ' \n' >"$DIR/$1.$$" &&
            { ln "$DIR/$1.$$" "$DIR/$1" 2>/dev/null || true; } && rm -f "$DIR/$1.$$")
    fi
    cat "$DIR/$1"
}
password() { secret db-password 16; }

any_galera_up() {
    local n
    for n in 1 2 3; do
        if node_pid "$n" >/dev/null && [[ $(q "$n" "SHOW STATUS LIKE 'wsrep_cluster_status'" | cut -f2) == Primary ]]; then
            echo "$n"; return 0
        fi
    done
    return 1
}

# After a crash grastate.dat has seqno -1: the position is recovered from InnoDB first (what
# mysqld_safe and galera_recovery do), so the node rejoins by IST instead of a full SST.
start_position() {   # start_position N: prints --wsrep_start_position=... or nothing
    local n=$1 pos
    grep -q '^seqno: *-1' "$DIR/n$n/data/grastate.dat" 2>/dev/null || return 0
    "$MARIADBD" --defaults-file="$(cnf "$n")" --wsrep-recover --log-error="$DIR/n$n/recover.log" \
        </dev/null >/dev/null 2>&1 || true
    pos=$(sed -n 's/.*WSREP: Recovered position: *//p' "$DIR/n$n/recover.log" | tail -1)
    rm -f "$DIR/n$n/recover.log"
    [[ -n $pos ]] && echo "--wsrep_start_position=$pos"
}

start_node() {   # start_node N: joins the running cluster, or bootstraps it
    local n=$1 up pos
    if node_pid "$n" >/dev/null; then say "node $n: already running"; return 0; fi
    write_cnf "$n"
    pos=$(start_position "$n")
    if up=$(any_galera_up); then
        # A joiner: IST from the donor's gcache, or mariabackup SST when too far behind.
        mkdir -p "$DIR/n$n/data"
        say "node $n: joining (via node $up) on 127.0.0.1:$(port_of "$n") ${pos}"
        launch "$n" $pos
    else
        install_db "$n"
        sed -i 's/^safe_to_bootstrap: 0/safe_to_bootstrap: 1/' "$DIR/n$n/data/grastate.dat" 2>/dev/null || true
        say "node $n: bootstrapping a new cluster on 127.0.0.1:$(port_of "$n") ${pos}"
        launch "$n" --wsrep-new-cluster $pos
    fi
    wait_ready "$n"
}

# A new cluster: n1 is created and stopped cleanly, and its datadir is copied to n2 and n3 (a
# manual state transfer, as Galera's docs describe). They then join at the same position with
# nothing to transfer: on 2 shared cores a mariabackup SST takes about 45 s a node.
seed() {
    local n
    [[ -d $DIR/n1/data/mysql ]] && return 0
    write_cnf 1
    install_db 1
    say "node 1: creating the cluster's first state"
    launch 1 --wsrep-new-cluster
    wait_ready 1
    setup_db 1
    stop_node 1
    for n in 2 3; do
        rm -rf "$DIR/n$n/data"; mkdir -p "$DIR/n$n"
        cp -a "$DIR/n1/data" "$DIR/n$n/data"
        rm -f "$DIR/n$n/data/galera.cache" "$DIR/n$n/data/gvwstate.dat"
        sed -i 's/^safe_to_bootstrap: 1/safe_to_bootstrap: 0/' "$DIR/n$n/data/grastate.dat"
    done
}

cmd_start() {
    local n
    seed
    start_node 1
    # The joiners together: each spends most of its join in the SST script's start-up.
    local pids=()
    for n in 2 3; do start_node "$n" & pids+=($!); done
    for n in "${pids[@]}"; do wait "$n" || die "a node did not join"; done
    setup_db "$(any_galera_up)"
    say "ready: $(q 1 "SHOW STATUS LIKE 'wsrep_cluster_size'" | cut -f2) nodes, MariaDB on 127.0.0.1:$(port_of 1)-$(port_of 3)"
}

stop_node() {   # stop_node N [signal]
    local n=$1 sig=${2:-TERM} pid i
    pid=$(node_pid "$n") || { rm -f "$(pidf "$n")"; return 0; }
    kill -"$sig" "$pid" 2>/dev/null || true
    for (( i = 0; i < 600; i++ )); do
        [[ -e /proc/$pid ]] || break
        [[ $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) == Z ]] && break
        sleep 0.1
    done
    [[ -e /proc/$pid ]] && kill -KILL "$pid" 2>/dev/null || true
    rm -f "$(pidf "$n").launch"
    say "node $n: stopped ($sig, pid $pid)"
}

cmd_start_replica() {
    local pos
    write_cnf p; write_cnf r
    if ! node_pid p >/dev/null; then install_db p; launch p; fi
    wait_ready p
    setup_db p
    sql p -e "CREATE USER IF NOT EXISTS 'repl'@'127.0.0.1' IDENTIFIED BY '$(password)'; GRANT REPLICATION SLAVE ON *.* TO 'repl'@'127.0.0.1'" ||
        die "could not create the replication account"
    if ! node_pid r >/dev/null; then
        install_db r; launch r; wait_ready r
        # The replica starts from the primary's current state: r's own install is the same
        # system tables, and the primary's binlog from its start holds everything since.
        pos=$(q p "SELECT @@gtid_binlog_pos")
        sql r -e "STOP SLAVE; RESET SLAVE ALL; SET GLOBAL gtid_slave_pos = ''; CHANGE MASTER TO master_host='127.0.0.1', master_port=$(port_of p), master_user='repl', master_password='$(password)', master_use_gtid=slave_pos; START SLAVE" ||
            die "could not start replication (primary at $pos)"
    fi
    wait_ready r
    say "primary 127.0.0.1:$(port_of p), replica 127.0.0.1:$(port_of r)"
}

host_env() {   # host_env NAME HTTP NODE READ_NODE STACK-ARGS...: runs stack.sh for a host
    local name=$1 http=$2 node=$3 read=$4; shift 4
    mkdir -p "$DIR/host-$name"
    # One installation: every host has the database password and the same secret_key (it
    # decrypts the integrations' secrets in the database: another key reads them as "none").
    (umask 077
     password >"$DIR/host-$name/db-password"
     secret secret-key 32 >"$DIR/host-$name/secret-key"
     secret publish-secret 32 >"$DIR/host-$name/publish-secret")
    printf '%s %s %s\n' "$http" "$node" "${read:--}" >"$DIR/host-$name/cluster-host"
    env CB_STATE_DIR="$DIR/host-$name" CB_HTTP_PORT="$http" CB_DB_PORT="$(port_of "$node")" \
        CB_DB_EXTERNAL=yes CB_DB_READ="${read:+127.0.0.1:$(port_of "$read")}" \
        CB_SOCK_DIR="$SOCKS/h-$name" "$REPO/scripts/stack.sh" "$@"
}

cmd_stop() {
    local h n
    for h in "$DIR"/host-*/cluster-host; do
        [[ -f $h ]] || continue
        h=${h%/cluster-host}
        "$0" stop-host "${h##*/host-}" || true
    done
    for n in r p 3 2 1; do stop_node "$n"; done
    rm -rf "$SOCKS"
}

cmd_status() {
    local n pid
    for n in 1 2 3 p r; do
        if pid=$(node_pid "$n"); then
            case $n in
                1|2|3) printf 'n%s running pid %s port %s: %s, size %s\n' "$n" "$pid" "$(port_of "$n")" \
                    "$(q "$n" "SHOW STATUS LIKE 'wsrep_local_state_comment'" | cut -f2)" \
                    "$(q "$n" "SHOW STATUS LIKE 'wsrep_cluster_size'" | cut -f2)" ;;
                *) printf 'n%s running pid %s port %s\n' "$n" "$pid" "$(port_of "$n")" ;;
            esac
        else printf 'n%s stopped\n' "$n"; fi
    done
}

case ${1-} in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    kill-node) [[ ${2-} == [123pr] ]] || die "kill-node 1|2|3|p|r"; stop_node "$2" KILL ;;
    restart-node) [[ ${2-} == [123pr] ]] || die "restart-node 1|2|3|p|r"
        if [[ $2 == [123] ]]; then start_node "$2"
        elif node_pid "$2" >/dev/null; then say "node $2: already running"
        else launch "$2"; wait_ready "$2"; say "node $2: running on 127.0.0.1:$(port_of "$2")"; fi ;;
    start-replica) cmd_start_replica ;;
    replica-pause) q r "STOP SLAVE" ;;
    replica-resume) q r "START SLAVE" ;;
    start-host) (( $# >= 4 )) || die "start-host NAME HTTP_PORT NODE [READ_NODE]"
        port_of "$4" >/dev/null; host_env "$2" "$3" "$4" "${5-}" start ;;
    stop-host) (( $# >= 2 )) || die "stop-host NAME"; set -- host "$2" stop ;&
    host) (( $# >= 3 )) || die "host NAME STACK-COMMAND..."
        read -r hp hn hr <"$DIR/host-$2/cluster-host" 2>/dev/null || die "no host '$2' (start-host first)"
        [[ $hr == - ]] && hr=""
        name=$2; shift 2; host_env "$name" "$hp" "$hn" "$hr" "$@" ;;
    port) port_of "${2-}" ;;
    sql) n=${2-}; port_of "$n" >/dev/null; shift 2; sql "$n" "$@" ;;
    -h|--help|help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0" ;;
    *) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0" >&2; exit 2 ;;
esac
