#!/usr/bin/env bash
# A throw-away Redis on loopback for the multi-host live popup test (tests/http/live_redis.test.js)
# and for trying callboard-live-redis.conf by hand. Nothing is saved to disk.
#
#   scripts/redis.sh start PORT DIR    start redis-server on 127.0.0.1:PORT (pid and log in DIR)
#   scripts/redis.sh stop DIR          stop the one started with DIR
#   scripts/redis.sh cluster-start PORT DIR
#                                      a Redis Cluster on 127.0.0.1:PORT..PORT+5: three masters
#                                      (PORT..PORT+2) and a replica of each (PORT+3..PORT+5),
#                                      cluster bus on PORT+10..PORT+15 (Redis's default, +10000,
#                                      would leave the ports below 32768), node N's files in
#                                      DIR/N; a master that stops answering for
#                                      cluster-node-timeout (CB_REDIS_NODE_TIMEOUT ms, [2000]) is
#                                      replaced by its replica
#   scripts/redis.sh cluster-kill DIR N   SIGKILL node N (0-5), as a crash would
#   scripts/redis.sh cluster-restart DIR N  start node N again (it rejoins, as a replica if its
#                                      replica took over)
#   scripts/redis.sh cluster-stop DIR  stop every node started with DIR
#
# Debian: apt-get install redis-server (scripts/install-deps.sh --test installs it). The
# packaged service is not used: it listens on 6379 as the redis user for the whole machine.
set -euo pipefail

die() { printf 'redis.sh: error: %s\n' "$*" >&2; exit 1; }
NODE_TIMEOUT=${CB_REDIS_NODE_TIMEOUT:-2000}

start() {
    local port=$1 dir=$2 i
    [[ $port =~ ^[0-9]+$ ]] && (( port > 0 && port < 32768 )) || die "PORT must be below 32768"
    command -v redis-server >/dev/null || die "redis-server not found: apt-get install redis-server"
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd -P)
    stop "$dir"
    redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
        --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --dir "$dir"
    for (( i = 0; i < 50; i++ )); do
        if [[ $(redis-cli -p "$port" ping 2>/dev/null) == PONG ]]; then
            echo "redis.sh: redis on 127.0.0.1:$port (pid $(cat "$dir/redis.pid"))"
            return 0
        fi
        sleep 0.1
    done
    tail -n 20 "$dir/redis.log" >&2 || true
    die "redis-server did not answer on 127.0.0.1:$port"
}

stop() {
    local dir=$1 pid i
    [[ -f $dir/redis.pid ]] || return 0
    pid=$(cat "$dir/redis.pid")
    # Only our own redis-server: a pid reused by another process is left alone.
    if [[ $pid =~ ^[0-9]+$ ]] && grep -q redis-server "/proc/$pid/cmdline" 2>/dev/null; then
        kill -TERM "$pid"
        for (( i = 0; i < 50; i++ )); do
            [[ -e /proc/$pid ]] || break
            sleep 0.1
        done
    fi
    rm -f "$dir/redis.pid"
}

# --- a Redis Cluster: 3 masters, 3 replicas ---------------------------------------------------
# cluster-enabled nodes keep their cluster state in nodes.conf (in the node's folder); no data is
# saved. Port and folder of each node are in DIR/N/port, so kill and restart need only DIR.
node_start() {   # node_start DIR N
    local d=$1/$2 port i
    port=$(cat "$d/port")
    redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
        --cluster-enabled yes --cluster-config-file "$d/nodes.conf" --cluster-port $((port + 10)) \
        --cluster-node-timeout "$NODE_TIMEOUT" \
        --daemonize yes --pidfile "$d/redis.pid" --logfile "$d/redis.log" --dir "$d"
    for (( i = 0; i < 50; i++ )); do
        [[ $(redis-cli -p "$port" ping 2>/dev/null) == PONG ]] && return 0
        sleep 0.1
    done
    tail -n 20 "$d/redis.log" >&2 || true
    die "redis node $2 did not answer on 127.0.0.1:$port"
}

cluster_start() {
    local port=$1 dir=$2 n addrs=() i
    [[ $port =~ ^[0-9]+$ ]] && (( port > 0 && port + 15 < 32768 )) || die "PORT+15 must be below 32768"
    command -v redis-server >/dev/null || die "redis-server not found: apt-get install redis-server"
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd -P)
    cluster_stop "$dir"
    for n in 0 1 2 3 4 5; do
        rm -rf "${dir:?}/$n"; mkdir -p "$dir/$n"
        echo $((port + n)) >"$dir/$n/port"
        node_start "$dir" "$n"
        addrs+=("127.0.0.1:$((port + n))")
    done
    # The first three are masters; --cluster-replicas 1 gives each one of the other three.
    redis-cli --cluster create "${addrs[@]}" --cluster-replicas 1 --cluster-yes \
        >"$dir/create.log" 2>&1 || { cat "$dir/create.log" >&2; die "redis-cli --cluster create failed"; }
    for (( i = 0; i < 100; i++ )); do
        if [[ $(redis-cli -p "$port" cluster info 2>/dev/null | tr -d '\r' | sed -n 's/^cluster_state://p') == ok ]]; then
            echo "redis.sh: Redis Cluster on 127.0.0.1:$port-$((port + 5)) (masters $port-$((port + 2)))"
            return 0
        fi
        sleep 0.1
    done
    die "the Redis Cluster did not reach cluster_state:ok"
}

node_pid() {   # node_pid DIR N: the pid of our redis-server for node N, if it runs
    local pid
    pid=$(cat "$1/$2/redis.pid" 2>/dev/null) || return 1
    [[ $pid =~ ^[0-9]+$ ]] && grep -q redis-server "/proc/$pid/cmdline" 2>/dev/null && echo "$pid"
}

cluster_kill() {   # cluster_kill DIR N [signal]
    local pid i
    pid=$(node_pid "$1" "$2") || return 0
    kill -"${3:-KILL}" "$pid"
    for (( i = 0; i < 50; i++ )); do
        [[ -e /proc/$pid ]] || break
        sleep 0.1
    done
    rm -f "$1/$2/redis.pid"
}

cluster_stop() {
    local n
    for n in 0 1 2 3 4 5; do [[ -d $1/$n ]] && cluster_kill "$1" "$n" TERM; done
    return 0
}

case ${1-} in
    start) [[ $# -eq 3 ]] || die "usage: $0 start PORT DIR"; start "$2" "$3" ;;
    stop) [[ $# -eq 2 ]] || die "usage: $0 stop DIR"; stop "$2" ;;
    cluster-start) [[ $# -eq 3 ]] || die "usage: $0 cluster-start PORT DIR"; cluster_start "$2" "$3" ;;
    cluster-kill) [[ $# -eq 3 && $3 == [0-5] ]] || die "usage: $0 cluster-kill DIR 0-5"; cluster_kill "$2" "$3" ;;
    cluster-restart) [[ $# -eq 3 && $3 == [0-5] ]] || die "usage: $0 cluster-restart DIR 0-5"
        node_pid "$2" "$3" >/dev/null || node_start "$2" "$3" ;;
    cluster-stop) [[ $# -eq 2 ]] || die "usage: $0 cluster-stop DIR"; cluster_stop "$2" ;;
    *) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0" >&2; exit 2 ;;
esac
