#!/usr/bin/env bash
# A throw-away Redis on loopback for the multi-host live popup test (tests/http/live_redis.test.js)
# and for trying callboard-live-redis.conf by hand. Nothing is saved to disk.
#
#   scripts/redis.sh start PORT DIR    start redis-server on 127.0.0.1:PORT (pid and log in DIR)
#   scripts/redis.sh stop DIR          stop the one started with DIR
#
# Debian: apt-get install redis-server (scripts/install-deps.sh --test installs it). The
# packaged service is not used: it listens on 6379 as the redis user for the whole machine.
set -euo pipefail

die() { printf 'redis.sh: error: %s\n' "$*" >&2; exit 1; }

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

case ${1-} in
    start) [[ $# -eq 3 ]] || die "usage: $0 start PORT DIR"; start "$2" "$3" ;;
    stop) [[ $# -eq 2 ]] || die "usage: $0 stop DIR"; stop "$2" ;;
    *) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0" >&2; exit 2 ;;
esac
