#!/usr/bin/env bash
# The local Callboard stack: MariaDB, every FastCGI program, the worker and nginx (with nchan when
# installed), all state under one folder, no system service, as root or as a normal user.
#
#   scripts/stack.sh start              start what is not running (idempotent), migrate
#   scripts/stack.sh stop               stop what this script started, wait until ports are free
#   scripts/stack.sh status             print what runs (exit 0: all of it, 3: not all)
#   scripts/stack.sh restart-programs   restart the FastCGI programs and the worker (after make)
#   scripts/stack.sh crash NAME         fault injection: SIGKILL a program (hook, ...) or the worker
#   scripts/stack.sh reload-nginx       fault injection: reload nginx (graceful)
#   scripts/stack.sh site NAME PORT     add a site (issue 23): its own database, sites/NAME.conf,
#                                       worker and nginx server {} on 127.0.0.1:PORT (kept: later
#                                       starts bring it back; docs/install.md "Several sites")
#   scripts/stack.sh db-stop|db-start   fault injection: the database alone goes away / comes back
#
# Environment (defaults in brackets):
#   CB_BUILD_DIR      out-of-tree build with cgi/callboard-* and tools/  [<repo>/build]
#   CB_STATE_DIR      datadir, configs, pid files, logs                   [<repo>/var/stack]
#   CB_HTTP_PORT      nginx on 127.0.0.1                                  [8080]
#   CB_DB_PORT        MariaDB on 127.0.0.1                                [13306]
#   CB_PORT_WAIT      seconds to wait for a taken port to come free before giving up  [30]
#   CB_SOCK_DIR       unix sockets; short: sun_path holds 107 bytes  [/tmp/cb-<uid>-<hash>]
#   CB_FCGI_CHILDREN  processes per FastCGI program                       [2]
#   CB_HOOK_CHILDREN  processes of callboard-hook: each waits on its commit's fsync most of a
#                     request, so more of them let commits overlap (bench/README.md)   [4]
#   CB_SMTP_PORT      where trigger e-mails go (tests run an SMTP sink there)  [CB_HTTP_PORT+25]
#   CB_NCHAN          auto: load nchan when installed; 0: never (tests the polling fallback)
#   CB_NCHAN_REDIS    redis://127.0.0.1:PORT: nchan keeps the live channels in this Redis
#                     (callboard-live-redis.conf), so several stacks share popups   [none]
#                     Several URLs, comma-separated: nodes of a Redis Cluster
#                     (callboard-live-redis-cluster.conf, at the http level)
#   CB_RECORDINGS_STORE  s3: recordings go to CB_S3_ENDPOINT's bucket CB_S3_BUCKET with
#                     CB_S3_ACCESS_KEY / CB_S3_SECRET_KEY (tests/http/recording_s3.test.js) [local]
#   CB_DB_FROM        another stack's CB_STATE_DIR: use its MariaDB (TCP, CB_DB_PORT = its port),
#                     password and secret key instead of starting one: a second "host" [none]
#   CB_DB_EXTERNAL    yes: the MariaDB on 127.0.0.1:CB_DB_PORT is someone else's (a Galera node of
#                     scripts/cluster.sh): never started, stopped or set up here; TCP, and the
#                     password in CB_STATE_DIR/db-password                [no]
#   CB_DB_READ        host:port for callboard.conf's db_read (history reads from a replica)  []
#   CB_DB_READ_RETRY  its db_read_retry_seconds                                [30]
#
# An installed tree instead of the build and source trees (tests/install/run.sh): set all four to
# the folders `make install` filled (with its DESTDIR in front).
#   CB_LIBEXEC_DIR    the FastCGI programs and callboard-worker       $(pkglibexecdir)
#   CB_BIN_DIR        the callboard command                           $(bindir)
#   CB_DATA_DIR       templates/, static/, sql/ and nginx/            $(pkgdatadir)
#   CB_CONF_DIR       callboard.conf.sample                           $(sysconfdir)/callboard
#
# Ports: use ports below 32768. Linux hands out 32768-60999 as the local ports of outgoing
# connections, so a port there can be held for a moment by any connection (even this script's own
# probe, connected to itself), and a run fails for nothing.
#
# nginx includes Callboard's own callboard.conf (and callboard-live.conf when nchan is installed)
# unchanged; only the http{}-level file is generated, from callboard-http.conf with the paths
# replaced. callboard.conf is callboard.conf.sample with the stack's values put in. The traps
# this avoids are listed in STACK-NOTES.md (shared folder).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)

CB_BUILD_DIR=$(realpath -m -- "${CB_BUILD_DIR:-$REPO/build}")
CB_STATE_DIR=$(realpath -m -- "${CB_STATE_DIR:-$REPO/var/stack}")
CB_HTTP_PORT=${CB_HTTP_PORT:-8080}
CB_DB_PORT=${CB_DB_PORT:-13306}
CB_PORT_WAIT=${CB_PORT_WAIT:-30}
CB_FCGI_CHILDREN=${CB_FCGI_CHILDREN:-2}
CB_HOOK_CHILDREN=${CB_HOOK_CHILDREN:-4}
CB_NCHAN=${CB_NCHAN:-auto}
CB_SMTP_PORT=${CB_SMTP_PORT:-$((CB_HTTP_PORT + 25))}
STATE_HASH=$(printf '%s' "$CB_STATE_DIR" | sha256sum | cut -c1-8)
CB_SOCK_DIR=$(realpath -m -- "${CB_SOCK_DIR:-/tmp/cb-$(id -u)-$STATE_HASH}")

# Where the programs and the files they read come from: the build and source trees, or an
# installed tree.
if [[ -n ${CB_LIBEXEC_DIR-}${CB_BIN_DIR-}${CB_DATA_DIR-}${CB_CONF_DIR-} ]]; then
    for v in CB_LIBEXEC_DIR CB_BIN_DIR CB_DATA_DIR CB_CONF_DIR; do
        [[ -n ${!v-} ]] || { printf 'stack: error: an installed tree needs %s too\n' "$v" >&2; exit 1; }
    done
    PROGRAM_DIR=$(realpath -m -- "$CB_LIBEXEC_DIR")
    WORKER_BIN=$PROGRAM_DIR/callboard-worker
    TOOL_BIN=$(realpath -m -- "$CB_BIN_DIR")/callboard
    SHARE_DIR=$(realpath -m -- "$CB_DATA_DIR")
    NGINX_FILES=$SHARE_DIR/nginx
    CONF_SAMPLE=$(realpath -m -- "$CB_CONF_DIR")/callboard.conf.sample
else
    PROGRAM_DIR=$CB_BUILD_DIR/cgi
    WORKER_BIN=$CB_BUILD_DIR/tools/callboard-worker
    TOOL_BIN=$CB_BUILD_DIR/tools/callboard
    SHARE_DIR=$REPO
    NGINX_FILES=$REPO/etc/nginx
    CONF_SAMPLE=$REPO/etc/callboard.conf.sample
fi

RUN_DIR=$CB_STATE_DIR/run               # pid files
LOG_DIR=$CB_STATE_DIR/log
DATA_DIR=$CB_STATE_DIR/mysql
MY_CNF=$CB_STATE_DIR/mariadb.cnf
DB_SOCK=$CB_SOCK_DIR/mysqld.sock
DB_PID=$RUN_DIR/mariadb.pid
DB_PASSWORD_FILE=$CB_STATE_DIR/db-password
SECRET_KEY_FILE=$CB_STATE_DIR/secret-key
CB_NCHAN_REDIS=${CB_NCHAN_REDIS-}
CB_DB_FROM=${CB_DB_FROM:+$(realpath -m -- "$CB_DB_FROM")}
if [[ -n $CB_DB_FROM ]]; then   # a second host: the first one's database, over TCP
    DB_PASSWORD_FILE=$CB_DB_FROM/db-password
    SECRET_KEY_FILE=$CB_DB_FROM/secret-key
    DB_SOCK=""
fi
PUBLISH_SECRET_FILE=$CB_STATE_DIR/publish-secret   # nchan's /_pub/ (callboard-live.conf)
CONFIG=$CB_STATE_DIR/callboard.conf
NGX_PREFIX=$CB_STATE_DIR/nginx
NGX_CONF=$NGX_PREFIX/conf/nginx.conf
NGX_PID=$RUN_DIR/nginx.pid
NGX_SUM=$RUN_DIR/nginx.conf.sha256
NCHAN_SO=/usr/lib/nginx/modules/ngx_nchan_module.so
WORKER_PID=$RUN_DIR/worker.pid
SITES_DIR=$CB_STATE_DIR/sites   # NAME.conf (the programs'), NAME.port (nginx), NAME/ (data)
ADMIN_HTTP_CONF=$NGINX_FILES/callboard-http.conf
WAIT_SECONDS=30

say()  { printf 'stack: %s\n' "$*"; }
warn() { printf 'stack: warning: %s\n' "$*" >&2; }
die()  { printf 'stack: error: %s\n' "$*" >&2; exit 1; }

usage() {
    sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
}

# --- checks -------------------------------------------------------------------------------------

check_settings() {
    local v
    for v in CB_HTTP_PORT CB_DB_PORT; do
        if ! [[ ${!v} =~ ^[0-9]+$ ]] || (( ${!v} < 1 || ${!v} > 65535 )); then
            die "$v must be a TCP port number, got '${!v}'"
        fi
    done
    [[ $CB_HTTP_PORT != "$CB_DB_PORT" ]] || die "CB_HTTP_PORT and CB_DB_PORT are the same"
    [[ $CB_PORT_WAIT =~ ^[0-9]+$ ]] || die "CB_PORT_WAIT must be a number of seconds, got '$CB_PORT_WAIT'"
    for v in CB_FCGI_CHILDREN CB_HOOK_CHILDREN; do
        if ! [[ ${!v} =~ ^[0-9]+$ ]] || (( ${!v} < 1 || ${!v} > 64 )); then
            die "$v must be 1..64, got '${!v}'"
        fi
    done
    # The paths end up in nginx and MariaDB configs and in sed replacements.
    for v in REPO CB_BUILD_DIR CB_STATE_DIR CB_SOCK_DIR PROGRAM_DIR TOOL_BIN SHARE_DIR CONF_SAMPLE; do
        [[ ${!v} =~ ^[A-Za-z0-9._/@+=,:~-]+$ ]] ||
            die "$v='${!v}' has spaces or special characters; use a plain path"
    done
    local longest=$CB_SOCK_DIR/recording.sock
    (( ${#longest} <= 107 )) ||
        die "CB_SOCK_DIR is too long for unix sockets (${#longest} > 107 bytes): '$CB_SOCK_DIR'"
}

# A command from PATH or from the sbin folders a normal user's PATH lacks on Debian.
find_cmd() {
    local name=$1 package=$2 dir
    if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return; fi
    for dir in /usr/sbin /sbin /usr/local/sbin; do
        if [[ -x $dir/$name ]]; then printf '%s\n' "$dir/$name"; return; fi
    done
    die "'$name' not found: apt-get install $package"
}

find_tools() {
    MARIADBD=$(find_cmd mariadbd mariadb-server)
    MARIADB_INSTALL_DB=$(find_cmd mariadb-install-db mariadb-server)
    MARIADB=$(find_cmd mariadb mariadb-client)
    MARIADB_ADMIN=$(find_cmd mariadb-admin mariadb-client)
    NGINX=$(find_cmd nginx nginx-light)
    SPAWN_FCGI=$(find_cmd spawn-fcgi spawn-fcgi)
    find_cmd flock util-linux >/dev/null
    find_cmd setsid util-linux >/dev/null
}

# --- processes ----------------------------------------------------------------------------------

# pids_of FILE: the pids in a pid file (spawn-fcgi -F N writes N of them, no final newline).
# Builtins only here and below: these run often, and every fork costs milliseconds.
pids_of() {
    local content="" pids=()
    [[ -f $1 ]] || return 0
    read -r -d '' content <"$1" || true
    read -r -a pids <<<"${content//[^0-9]/ }" || true
    printf '%s\n' "${pids[*]-}"
}

# is_ours PID TEXT: PID is alive and its command line contains TEXT (guards against a pid reused
# by an unrelated process after a crash or a reboot).
is_ours() {
    local args=()
    [[ $1 =~ ^[0-9]+$ ]] || return 1
    mapfile -d '' args 2>/dev/null <"/proc/$1/cmdline" || return 1
    [[ ${#args[@]} -gt 0 && "${args[*]}" == *"$2"* ]]
}

# live_pids FILE TEXT: the pids of FILE that are alive and ours.
live_pids() {
    local pid alive=()
    for pid in $(pids_of "$1"); do
        if is_ours "$pid" "$2"; then alive+=("$pid"); fi
    done
    printf '%s\n' "${alive[*]-}"
}

# alive PID: the process exists and is not a zombie (an orphan stays a zombie until PID 1 reaps
# it, which some container inits do only now and then; kill -0 succeeds on zombies).
alive() {
    local stat=""
    read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
    stat=${stat##*) }
    [[ ${stat:0:1} != [ZX] ]]
}

# stop_pids NAME SECONDS PID...: TERM, wait, then KILL whatever is left.
stop_pids() {
    local name=$1 seconds=$2 pid left i
    shift 2
    (( $# )) || return 0
    kill -TERM "$@" 2>/dev/null || true
    for (( i = 0; i < seconds * 10; i++ )); do
        left=()
        for pid in "$@"; do
            if alive "$pid"; then left+=("$pid"); fi
        done
        (( ${#left[@]} )) || return 0
        sleep 0.1
    done
    warn "$name did not stop in ${seconds}s: KILL ${left[*]}"
    kill -KILL "${left[@]}" 2>/dev/null || true
}

port_open() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

wait_port_free() {
    local port=$1 i
    for (( i = 0; i < WAIT_SECONDS * 10; i++ )); do
        port_open "$port" || return 0
        sleep 0.1
    done
    warn "port $port is still in use after ${WAIT_SECONDS}s"
    return 1
}

# What listens on a port, for an error message (ss, from iproute2, when installed).
port_holder() {
    local out=""
    if command -v ss >/dev/null 2>&1; then
        out=$(ss -Htlnp "sport = :$1" 2>/dev/null | awk '{print $NF}' | head -3 | tr '\n' ' ')
    fi
    printf '%s\n' "${out:-a program this user cannot see}"
}

# claim_port PORT VARIABLE: go on once nothing listens on PORT. A port another stack is just
# releasing (its stop, a test's server closing) is waited for, up to CB_PORT_WAIT seconds; one
# still held after that is an error naming the holder and the variable that moves us elsewhere.
claim_port() {
    local port=$1 var=$2 i
    port_open "$port" || return 0
    say "port $port is taken; waiting up to ${CB_PORT_WAIT}s for it to come free"
    for (( i = 0; i < CB_PORT_WAIT * 10; i++ )); do
        sleep 0.1
        port_open "$port" || return 0
    done
    die "port $port is used by another program ($(port_holder "$port")) for ${CB_PORT_WAIT}s; set $var"
}

# bind_refused LOG BYTES: what LOG got after its first BYTES says the start failed because the
# port was taken (by something that took it between claim_port and the bind).
bind_refused() {
    [[ -f $1 ]] && tail -c +$(( $2 + 1 )) "$1" | grep -q 'Address already in use'
}

show_log() {
    [[ -f $1 ]] || return 0
    printf -- '--- last lines of %s ---\n' "$1" >&2
    tail -n 20 "$1" >&2
}

random_hex() {   # random_hex BYTES
    od -An -tx1 -N"$1" /dev/urandom | tr -d ' \n'
}

# A secret generated once and kept in the state folder.
keep_secret() {   # keep_secret FILE BYTES
    if [[ ! -s $1 ]]; then
        (umask 077 && random_hex "$2" >"$1.tmp" && mv -f "$1.tmp" "$1")
    fi
    cat "$1"
}

# --- folders ------------------------------------------------------------------------------------

make_dirs() {
    mkdir -p "$CB_STATE_DIR" "$RUN_DIR" "$LOG_DIR" "$CB_STATE_DIR/spool" \
        "$CB_STATE_DIR/recordings" "$NGX_PREFIX/conf/callboard" "$NGX_PREFIX/logs" \
        "$NGX_PREFIX/tmp"
    if [[ -L $CB_SOCK_DIR ]]; then die "$CB_SOCK_DIR is a symbolic link; refusing to use it"; fi
    if [[ ! -d $CB_SOCK_DIR ]]; then
        mkdir -p "$CB_SOCK_DIR"
    fi
    [[ -O $CB_SOCK_DIR ]] || die "$CB_SOCK_DIR belongs to another user; set CB_SOCK_DIR"
    # nginx workers (nobody, when started by root) must traverse it
    chmod 0755 "$CB_SOCK_DIR"
}

# --- MariaDB ------------------------------------------------------------------------------------

db_pids() { live_pids "$DB_PID" "--defaults-file=$MY_CNF"; }

# The account that administers the local server: unix_socket authentication as the OS user.
db_admin_user() { id -un; }

write_db_cnf() {
    local user_line=""
    if (( EUID == 0 )); then user_line="user = root          # mariadbd refuses root otherwise"; fi
    cat >"$MY_CNF.tmp" <<EOF
# Generated by scripts/stack.sh: the local stack's own MariaDB (never the system service).
# Every client and server command takes --defaults-file=THIS FILE as its FIRST option.
[client-server]
socket = $DB_SOCK
port = $CB_DB_PORT

[mysqld]
$user_line
datadir = $DATA_DIR
pid-file = $DB_PID
bind-address = 127.0.0.1
# A port taken between claim_port and the bind: mariadbd retries the bind this long itself.
port-open-timeout = $CB_PORT_WAIT
skip-name-resolve
log-error = $LOG_DIR/mariadb.log
character-set-server = utf8mb4
collation-server = utf8mb4_unicode_ci
innodb_buffer_pool_size = 128M
max_connections = 200
EOF
    mv -f "$MY_CNF.tmp" "$MY_CNF"
}

db_ping() {
    "$MARIADB_ADMIN" --defaults-file="$MY_CNF" --user="$(db_admin_user)" \
        --connect-timeout=2 --silent ping >/dev/null 2>&1
}

# The MariaDB is someone else's: another stack's (CB_DB_FROM, a second "host") or a Galera node of
# scripts/cluster.sh (CB_DB_EXTERNAL=yes). Never started, stopped or set up here.
db_external() { [[ -n ${CB_DB_FROM-} || ${CB_DB_EXTERNAL-} == yes ]]; }

start_db() {
    local pids pid i
    if db_external; then
        [[ -z $CB_DB_FROM || -s $DB_PASSWORD_FILE ]] || die "CB_DB_FROM: $CB_DB_FROM has no db-password (start that stack first)"
        say "mariadb: not ours, 127.0.0.1:$CB_DB_PORT${CB_DB_FROM:+ (the one of $CB_DB_FROM)}"
        return 0
    fi
    pids=$(db_pids)
    if [[ -n $pids ]]; then
        say "mariadb: already running (pid $pids)"
    else
        claim_port "$CB_DB_PORT" CB_DB_PORT
        write_db_cnf
        if [[ ! -d $DATA_DIR/mysql ]]; then
            say "mariadb: first run, creating $DATA_DIR"
            rm -rf "$DATA_DIR"
            mkdir -p "$DATA_DIR"
            if ! "$MARIADB_INSTALL_DB" --defaults-file="$MY_CNF" \
                    --auth-root-authentication-method=socket \
                    --auth-root-socket-user="$(db_admin_user)" \
                    --skip-test-db >>"$LOG_DIR/mariadb-install.log" 2>&1 9>&-; then
                show_log "$LOG_DIR/mariadb-install.log"
                rm -rf "$DATA_DIR"
                die "mariadb-install-db failed"
            fi
        fi
        rm -f "$DB_SOCK" "$DB_PID"
        setsid "$MARIADBD" --defaults-file="$MY_CNF" \
            </dev/null >>"$LOG_DIR/mariadb.log" 2>&1 9>&- &
        pid=$!
        say "mariadb: starting on 127.0.0.1:$CB_DB_PORT (pid $pid)"
    fi
    for (( i = 0; i < (WAIT_SECONDS + CB_PORT_WAIT) * 5; i++ )); do   # port-open-timeout too
        if db_ping; then break; fi
        if [[ -n ${pid-} ]] && ! alive "$pid"; then
            show_log "$LOG_DIR/mariadb.log"
            die "mariadbd exited during start"
        fi
        sleep 0.2
    done
    db_ping || { show_log "$LOG_DIR/mariadb.log"; die "mariadb did not answer in $((WAIT_SECONDS + CB_PORT_WAIT))s"; }
    setup_db
}

# Database and application account; run at every start, harmless when they exist. The password
# is generated once and kept in $DB_PASSWORD_FILE.
setup_db() {
    local password host
    password=$(keep_secret "$DB_PASSWORD_FILE" 16)
    {
        echo "CREATE DATABASE IF NOT EXISTS callboard CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
        for host in localhost 127.0.0.1 ::1; do
            echo "CREATE USER IF NOT EXISTS 'callboard'@'$host' IDENTIFIED BY '$password';"
            echo "ALTER USER 'callboard'@'$host' IDENTIFIED BY '$password';"
            echo "GRANT ALL PRIVILEGES ON callboard.* TO 'callboard'@'$host';"
        done
    } | "$MARIADB" --defaults-file="$MY_CNF" --user="$(db_admin_user)" --batch 9>&- ||
        die "could not create the database 'callboard' and its user"
}

stop_db() {
    local pids
    if db_external; then return 0; fi   # not ours
    pids=$(db_pids)
    if [[ -z $pids ]]; then say "mariadb: not running"; rm -f "$DB_PID"; return 0; fi
    say "mariadb: stopping (pid $pids)"
    # shellcheck disable=SC2086 # one or more pids
    stop_pids mariadb 60 $pids
    rm -f "$DB_PID" "$DB_SOCK"
    wait_port_free "$CB_DB_PORT" || true
}

# --- the programs' configuration ----------------------------------------------------------------

# The stack's values for callboard.conf, one "key = value" a line.
stack_settings() {
    local password secret
    password=$(keep_secret "$DB_PASSWORD_FILE" 16)
    secret=$(keep_secret "$SECRET_KEY_FILE" 32)
    cat <<EOF
db_host = 127.0.0.1
db_port = $CB_DB_PORT
db_socket = $([[ ${CB_DB_EXTERNAL-} == yes ]] || echo "$DB_SOCK")
db_read = ${CB_DB_READ-}
db_read_retry_seconds = ${CB_DB_READ_RETRY:-30}
db_user = callboard
db_password = $password
db_name = callboard
templates_dir = $SHARE_DIR/templates
$([[ -n ${CB_DATA_DIR-} ]] || echo "locale_dir = $CB_BUILD_DIR/po/locale")
static_dir = $SHARE_DIR/static
sql_dir = $SHARE_DIR/sql
spool_dir = $CB_STATE_DIR/spool
recordings_dir = $CB_STATE_DIR/recordings
recordings_store = ${CB_RECORDINGS_STORE:-local}
s3_endpoint = ${CB_S3_ENDPOINT-}
s3_bucket = ${CB_S3_BUCKET-}
s3_access_key = ${CB_S3_ACCESS_KEY-}
s3_secret_key = ${CB_S3_SECRET_KEY-}
log_level = info
public_url = http://127.0.0.1:$CB_HTTP_PORT
session_ttl_hours = 12
cookie_secure = 0
secret_key = $secret
live_publish_url = $(have_nchan && echo "http://127.0.0.1:$CB_HTTP_PORT/_pub/manager/")
live_publish_secret = $(keep_secret "$PUBLISH_SECRET_FILE" 32)
smtp_url = smtp://127.0.0.1:$CB_SMTP_PORT
smtp_from = callboard@localhost
outbound_timeout_seconds = 5
webhook_allow_private = yes
transcribe_engine = ${CB_TRANSCRIBE_ENGINE-http}
transcribe_url = ${CB_TRANSCRIBE_URL-http://127.0.0.1:$((CB_HTTP_PORT + 33))}
transcribe_key = ${CB_TRANSCRIBE_KEY-stack-transcribe-key}
transcribe_pause_busy_percent = ${CB_TRANSCRIBE_PAUSE-0}
EOF
}

# callboard.conf is the shipped sample (the file an admin starts from, docs/install.md) with the
# stack's values in place of the sample's; a key the sample lacks goes at the end. So every run
# reads the sample's other settings too, and a sample that no longer parses fails here first.
# webhook_allow_private = yes: the tests' and the demo's webhook receivers listen on 127.0.0.1,
# which a production server refuses (docs/automation.md "Where webhooks may go").
# transcribe_*: the "http" engine at http+33, where tests/http/transcripts_worker.test.js runs
# its stand-in of an OpenAI-compatible /v1/audio/transcriptions (CB_TRANSCRIBE_ENGINE=local or
# "" picks another engine or none). transcribe_pause_busy_percent = 0: the tests' transcriptions
# finish on a machine that their own load (and a CI machine's) keeps busy; the pause has its own
# tests (CB_TRANSCRIBE_PAUSE sets it).
write_config() {
    local values
    [[ -f $CONF_SAMPLE ]] || die "$CONF_SAMPLE is missing"
    values=$(stack_settings)
    (umask 077 && {
        echo "# Generated by scripts/stack.sh at every start from $CONF_SAMPLE,"
        echo "# with the stack's values (stack_settings in the script). Edit those, not this file."
        awk -v values="$values" '
            BEGIN {
                n = split(values, lines, "\n")
                for (i = 1; i <= n; i++) {
                    k = lines[i]; sub(/[ \t]*=.*/, "", k)
                    if (k != "") { order[++keys] = k; line[k] = lines[i] }
                }
            }
            /^[a-z_]+[ \t]*=/ {
                k = $0; sub(/[ \t]*=.*/, "", k)
                if (k in line) { print line[k]; done[k] = 1; next }
            }
            { print }
            END {
                for (i = 1; i <= keys; i++) if (!(order[i] in done)) print line[order[i]]
            }' "$CONF_SAMPLE"
    } >"$CONFIG.tmp") && mv -f "$CONFIG.tmp" "$CONFIG"
}

migrate() {
    local tool=$TOOL_BIN
    if [[ ! -x $tool ]]; then
        warn "$tool is not built: database not migrated"
        return 0
    fi
    say "migrate: $tool --config $CONFIG migrate"
    CALLBOARD_CONFIG=$CONFIG "$tool" --config "$CONFIG" migrate 9>&- ||
        die "migration failed"
}

# --- FastCGI programs ---------------------------------------------------------------------------

# The built (or installed) programs: name<TAB>path, for every executable callboard-<name> in
# PROGRAM_DIR but the worker (installed next to them; it is no FastCGI program).
built_programs() {
    local bin name
    for bin in "$PROGRAM_DIR"/callboard-*; do
        [[ -f $bin && -x $bin ]] || continue
        name=${bin##*/callboard-}
        [[ $name =~ ^[a-z0-9_]+$ && $name != worker ]] || continue
        printf '%s\t%s\n' "$name" "$bin"
    done
}

# Programs with a pid file (built or not any more), for stop and status.
started_programs() {
    local f name
    for f in "$RUN_DIR"/fcgi-*.pid; do
        [[ -f $f ]] || continue
        name=${f##*/fcgi-}
        printf '%s\n' "${name%.pid}"
    done
}

program_pids() {   # program_pids NAME
    live_pids "$RUN_DIR/fcgi-$1.pid" "$PROGRAM_DIR/callboard-$1"
}

start_program() {   # start_program NAME BIN
    local name=$1 bin=$2 pidfile=$RUN_DIR/fcgi-$1.pid sock=$CB_SOCK_DIR/$1.sock
    local pids expected
    pids=$(program_pids "$name")
    expected=$(pids_of "$pidfile" | wc -w)
    if [[ -n $pids ]] && (( $(wc -w <<<"$pids") == expected )) && [[ -S $sock ]]; then
        say "$name: already running (pids $pids)"
        return 0
    fi
    if [[ -n $pids ]]; then
        warn "$name: some processes died; restarting it"
        # shellcheck disable=SC2086 # one or more pids
        stop_pids "$name" 10 $pids
    fi
    rm -f "$sock" "$pidfile"
    # spawn-fcgi points the children's stderr at /dev/null: the sh in between sends it to the log,
    # then execs the program (same pid, so the pid file stays right).
    # shellcheck disable=SC2016 # $0 and $1 belong to the inner sh
    local children=$CB_FCGI_CHILDREN
    [[ $name == hook ]] && children=$CB_HOOK_CHILDREN
    if ! CALLBOARD_CONFIG=$CONFIG "$SPAWN_FCGI" -s "$sock" -M 0666 -F "$children" \
            -P "$pidfile" -- /bin/sh -c 'exec "$0" 2>>"$1"' "$bin" "$LOG_DIR/$name.log" \
            </dev/null >>"$LOG_DIR/spawn-fcgi.log" 2>&1 9>&-; then
        show_log "$LOG_DIR/spawn-fcgi.log"
        show_log "$LOG_DIR/$name.log"
        die "$name: spawn-fcgi failed"
    fi
    say "$name: started on $sock (pids $(pids_of "$pidfile"))"
}

start_programs() {
    local name bin n=0
    while IFS=$'\t' read -r name bin; do
        start_program "$name" "$bin"
        n=$((n + 1))
    done < <(built_programs)
    (( n )) || warn "no FastCGI programs in $PROGRAM_DIR (run make)"
}

stop_programs() {   # all at once: each one's TERM-to-exit time is not added up
    local name pids more=() all=()
    for name in $(started_programs); do
        pids=$(program_pids "$name")
        if [[ -n $pids ]]; then
            say "$name: stopping (pids $pids)"
            read -r -a more <<<"$pids"
            all+=("${more[@]}")
        fi
    done
    stop_pids programs 10 "${all[@]}"
    for name in $(started_programs); do
        rm -f "$RUN_DIR/fcgi-$name.pid" "$CB_SOCK_DIR/$name.sock"
    done
}

# --- the worker daemon --------------------------------------------------------------------------

worker_bin() { printf '%s\n' "$WORKER_BIN"; }
worker_pids() { live_pids "$WORKER_PID" "$(worker_bin)"; }

start_worker() {
    local bin pids pid
    bin=$(worker_bin)
    pids=$(worker_pids)
    if [[ -n $pids ]]; then say "worker: already running (pid $pids)"; return 0; fi
    if [[ ! -x $bin ]]; then warn "$bin is not built: no worker"; return 0; fi
    CALLBOARD_CONFIG=$CONFIG setsid "$bin" --config "$CONFIG" \
        </dev/null >>"$LOG_DIR/worker.log" 2>&1 9>&- &
    pid=$!
    printf '%s\n' "$pid" >"$WORKER_PID"
    sleep 0.2
    if ! alive "$pid"; then
        show_log "$LOG_DIR/worker.log"
        rm -f "$WORKER_PID"
        die "worker exited at start"
    fi
    say "worker: started (pid $pid)"
}

stop_worker() {
    local pids
    pids=$(worker_pids)
    if [[ -n $pids ]]; then
        say "worker: stopping (pid $pids)"
        # shellcheck disable=SC2086
        stop_pids worker 15 $pids
    fi
    rm -f "$WORKER_PID"
}

# --- nginx --------------------------------------------------------------------------------------

nginx_pids() { live_pids "$NGX_PID" "$NGX_PREFIX/"; }

nginx_cmd() {
    "$NGINX" -p "$NGX_PREFIX/" -c "$NGX_CONF" -e "$LOG_DIR/nginx-error.log" "$@"
}

have_nchan() { [[ $CB_NCHAN != 0 && -f $NCHAN_SO ]]; }

# The http{}-level file: the admin's etc/nginx/callboard-http.conf with only the paths changed.
# Every upstream stays, built or not: callboard.conf names them all, and a program that is not
# running makes nginx fail to connect, which callboard.conf turns into a clear 503.
write_http_conf() {
    local out=$NGX_PREFIX/conf/callboard/callboard-http.conf
    [[ -f $ADMIN_HTTP_CONF ]] || die "$ADMIN_HTTP_CONF is missing"
    {
        echo "# Generated by scripts/stack.sh from $ADMIN_HTTP_CONF: only the paths differ."
        sed -e "s|unix:/run/callboard/|unix:$CB_SOCK_DIR/|g" \
            -e "s|/usr/share/callboard/static|$SHARE_DIR/static|g" \
            -e "s|/var/lib/callboard/recordings|$CB_STATE_DIR/recordings|g" \
            -e "s|/var/lib/callboard/sites/|$SITES_DIR/|g" \
            -e "s|/var/log/nginx/access.log|$LOG_DIR/nginx-access.log|g" \
            -e "s|# \"~^LIVE_PUBLISH_SECRET\\$\" 1;|\"~^$(keep_secret "$PUBLISH_SECRET_FILE" 32)\\$\" 1;|" \
            "$ADMIN_HTTP_CONF"
    } >"$out.tmp"
    if grep -vE '^[[:space:]]*#' "$out.tmp" |
            grep -E '/run/callboard|/usr/share/callboard|/var/lib/callboard|/var/log/nginx' >&2; then
        die "$ADMIN_HTTP_CONF has a path this script does not know how to replace (above)"
    fi
    mv -f "$out.tmp" "$out"
}

write_nginx_conf() {
    local user_line="" nchan_load="" nchan_http="" live_include="" site_servers
    if (( EUID == 0 )); then
        # Workers would run as nobody and could not read a checkout under /root (mode 700).
        user_line="user root root;    # local stack only: workers must read the checkout"
    fi
    if have_nchan; then
        nchan_load="load_module $NCHAN_SO;"
        nchan_http="nchan_shared_memory_size 16m;"
        live_include="include $NGINX_FILES/callboard-live.conf;"
        if [[ $CB_NCHAN_REDIS == *,* ]]; then
            [[ $CB_NCHAN_REDIS =~ ^redis://[A-Za-z0-9.:@/_-]+(,redis://[A-Za-z0-9.:@/_-]+)+$ ]] ||
                die "CB_NCHAN_REDIS: not redis:// URLs separated by commas"
            awk -v urls="$CB_NCHAN_REDIS" '/^ *nchan_redis_server / { if (!done) { n = split(urls, u, ",")
                for (i = 1; i <= n; i++) printf "    nchan_redis_server \"%s\";\n", u[i]; done = 1 }; next } { print }' \
                "$NGINX_FILES/callboard-live-redis-cluster.conf" >"$NGX_PREFIX/conf/callboard/callboard-live-redis.conf"
            nchan_http+=" include callboard/callboard-live-redis.conf;"
        elif [[ -n $CB_NCHAN_REDIS ]]; then
            [[ $CB_NCHAN_REDIS =~ ^redis://[A-Za-z0-9.:@/_-]+$ ]] || die "CB_NCHAN_REDIS: not a redis:// URL"
            sed "s|^nchan_redis_url .*|nchan_redis_url \"$CB_NCHAN_REDIS\";|" \
                "$NGINX_FILES/callboard-live-redis.conf" >"$NGX_PREFIX/conf/callboard/callboard-live-redis.conf"
            live_include+=" include callboard/callboard-live-redis.conf;"
        fi
    fi
    cp -f "$NGINX_FILES/fastcgi_params" "$NGX_PREFIX/conf/callboard/fastcgi_params"
    if [[ -f /etc/nginx/mime.types ]]; then
        cp -f /etc/nginx/mime.types "$NGX_PREFIX/conf/mime.types"
    else
        printf 'types { text/html html; text/css css; application/javascript js; }\n' \
            >"$NGX_PREFIX/conf/mime.types"
    fi
    write_http_conf
    site_servers=$(site_servers "$live_include")
    cat >"$NGX_CONF.tmp" <<EOF
# Generated by scripts/stack.sh: the local stack's nginx. Edit etc/nginx/*.conf in the repository
# (included below, unchanged) or the script, not this file.
$nchan_load
$user_line
daemon on;
worker_processes 2;
pid $NGX_PID;
error_log $LOG_DIR/nginx-error.log warn;

events {
    worker_connections 1024;
}

http {
    include mime.types;
    default_type application/octet-stream;

    log_format callboard '\$remote_addr [\$time_local] "\$request" \$status \$body_bytes_sent '
                         '\$request_time "\$http_user_agent" id=\$request_id';
    access_log $LOG_DIR/nginx-access.log callboard;

    client_body_temp_path $NGX_PREFIX/tmp/body;
    fastcgi_temp_path $NGX_PREFIX/tmp/fastcgi;
    proxy_temp_path $NGX_PREFIX/tmp/proxy;
    scgi_temp_path $NGX_PREFIX/tmp/scgi;
    uwsgi_temp_path $NGX_PREFIX/tmp/uwsgi;

    sendfile on;
    keepalive_timeout 65;
    variables_hash_bucket_size 128;     # nchan adds many variables
    $nchan_http

    include callboard/callboard-http.conf;

    server {
        listen 127.0.0.1:$CB_HTTP_PORT;
        server_name localhost 127.0.0.1;

        include $NGINX_FILES/callboard.conf;
        $live_include

        location / {
            return 404;
        }
    }
$site_servers
}
EOF
    mv -f "$NGX_CONF.tmp" "$NGX_CONF"
}

# Everything the running nginx read, to reload only when something changed.
nginx_conf_sum() {
    local f files=("$NGX_CONF" "$NGX_PREFIX/conf/callboard/callboard-http.conf"
                   "$NGX_PREFIX/conf/callboard/fastcgi_params" "$NGINX_FILES/callboard.conf")
    if have_nchan; then files+=("$NGINX_FILES/callboard-live.conf"); fi
    if have_nchan && [[ -n $CB_NCHAN_REDIS ]]; then files+=("$NGX_PREFIX/conf/callboard/callboard-live-redis.conf"); fi
    for f in "${files[@]}"; do sha256sum "$f"; done | sha256sum | cut -d' ' -f1
}

start_nginx() {
    local pids sum i
    write_nginx_conf
    sum=$(nginx_conf_sum)
    pids=$(nginx_pids)
    if [[ -n $pids && -f $NGX_SUM && $(<"$NGX_SUM") == "$sum" ]]; then
        say "nginx: already running (pid $pids)"
    else
        if ! nginx_cmd -t -q 9>&- >>"$LOG_DIR/nginx-error.log" 2>&1; then
            nginx_cmd -t 9>&- >&2 || true
            die "nginx configuration test failed ($NGX_CONF)"
        fi
        if [[ -n $pids ]]; then
            say "nginx: already running (pid $pids), configuration changed: reloading"
            nginx_cmd -s reload 9>&- || die "nginx reload failed"
        else
            # A port taken between claim_port and nginx's bind: claim it again, three times.
            local attempt size
            for attempt in 1 2 3; do
                claim_port "$CB_HTTP_PORT" CB_HTTP_PORT
                size=$(stat -c %s "$LOG_DIR/nginx-error.log" 2>/dev/null || echo 0)
                nginx_cmd </dev/null >>"$LOG_DIR/nginx-error.log" 2>&1 9>&- && break
                bind_refused "$LOG_DIR/nginx-error.log" "$size" && (( attempt < 3 )) ||
                    { show_log "$LOG_DIR/nginx-error.log"; die "nginx did not start"; }
                warn "nginx: port $CB_HTTP_PORT was taken at bind; trying again"
            done
            say "nginx: started on http://127.0.0.1:$CB_HTTP_PORT/ (pid $(pids_of "$NGX_PID"))"
        fi
        printf '%s\n' "$sum" >"$NGX_SUM"
    fi
    for (( i = 0; i < WAIT_SECONDS * 10; i++ )); do
        if port_open "$CB_HTTP_PORT"; then return 0; fi
        sleep 0.1
    done
    show_log "$LOG_DIR/nginx-error.log"
    die "nginx does not answer on 127.0.0.1:$CB_HTTP_PORT"
}

stop_nginx() {
    local pids
    pids=$(nginx_pids)
    if [[ -n $pids ]]; then
        say "nginx: stopping (pid $pids)"
        # The master stops its workers on TERM; wait for the master only.
        # shellcheck disable=SC2086
        stop_pids nginx 20 $pids
        wait_port_free "$CB_HTTP_PORT" || true
    else
        say "nginx: not running"
    fi
    rm -f "$NGX_PID" "$NGX_SUM"
}

# --- sites (issue 23 §1) -------------------------------------------------------------------------
# A site is what docs/install.md "Several sites on one server" tells an admin to set up: a file
# sites/NAME.conf beside callboard.conf (its own database and folders, read over callboard.conf),
# a database, a worker (one per site: callboard-worker --site NAME) and a server {} that sets
# $callboard_site. Here the server listens on its own port of 127.0.0.1 (NAME.port).

site_names() {
    local f
    for f in "$SITES_DIR"/*.port; do
        if [[ -f $f ]]; then basename "$f" .port; fi
    done
}

site_db() { printf 'callboard_site_%s\n' "${1//-/_}"; }

# The server {} of every site, for write_nginx_conf ($1: the live include or "").
site_servers() {
    local name
    for name in $(site_names); do
        cat <<EOF
    server {
        listen 127.0.0.1:$(cat "$SITES_DIR/$name.port");
        server_name localhost 127.0.0.1;
        set \$callboard_site $name;

        include $NGINX_FILES/callboard.conf;
        $1

        location / {
            return 404;
        }
    }
EOF
    done
}

write_site_config() {   # write_site_config NAME PORT
    mkdir -p "$SITES_DIR/$1/spool" "$SITES_DIR/$1/recordings"
    (umask 077 && cat >"$SITES_DIR/$1.conf.tmp" <<EOF
# Generated by scripts/stack.sh site $1 $2: read over callboard.conf by every program serving
# the site $1 (nginx: set \$callboard_site $1;).
db_name = $(site_db "$1")
spool_dir = $SITES_DIR/$1/spool
recordings_dir = $SITES_DIR/$1/recordings
public_url = http://127.0.0.1:$2
EOF
    ) && mv -f "$SITES_DIR/$1.conf.tmp" "$SITES_DIR/$1.conf"
    printf '%s\n' "$2" >"$SITES_DIR/$1.port"
}

setup_site_db() {   # setup_site_db NAME
    local db host
    db=$(site_db "$1")
    {
        echo "CREATE DATABASE IF NOT EXISTS $db CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
        for host in localhost 127.0.0.1 ::1; do
            echo "GRANT ALL PRIVILEGES ON $db.* TO 'callboard'@'$host';"
        done
    } | "$MARIADB" --defaults-file="$MY_CNF" --user="$(db_admin_user)" --batch 9>&- ||
        die "could not create the database '$db' of site $1"
    [[ -x $TOOL_BIN ]] || return 0
    CALLBOARD_CONFIG=$CONFIG "$TOOL_BIN" --config "$CONFIG" --site "$1" migrate 9>&- ||
        die "migration of site $1 failed"
}

site_worker_pids() { live_pids "$RUN_DIR/worker-$1.pid" "$(worker_bin)"; }

start_site_worker() {   # start_site_worker NAME
    local bin pid
    bin=$(worker_bin)
    [[ -x $bin && -z $(site_worker_pids "$1") ]] || return 0
    CALLBOARD_CONFIG=$CONFIG setsid "$bin" --config "$CONFIG" --site "$1" \
        </dev/null >>"$LOG_DIR/worker-$1.log" 2>&1 9>&- &
    pid=$!
    printf '%s\n' "$pid" >"$RUN_DIR/worker-$1.pid"
    sleep 0.2
    alive "$pid" || { show_log "$LOG_DIR/worker-$1.log"; die "worker of site $1 exited at start"; }
    say "worker of site $1: started (pid $pid)"
}

stop_site_workers() {
    local name pids
    for name in $(site_names); do
        pids=$(site_worker_pids "$name")
        # shellcheck disable=SC2086 # one or more pids
        if [[ -n $pids ]]; then stop_pids "worker-$name" 15 $pids; fi
        rm -f "$RUN_DIR/worker-$name.pid"
    done
}

# At start: each site's database (created, migrated) and worker. restart-programs passes
# --workers-only: it must work while the database is down (tests/http/dead_letters.test.js).
start_sites() {
    local name
    for name in $(site_names); do
        if [[ ${1-} != --workers-only ]]; then setup_site_db "$name"; fi
        start_site_worker "$name"
    done
}

cmd_site() {   # cmd_site NAME PORT
    [[ ${1-} =~ ^[a-z0-9][a-z0-9-]{0,31}$ ]] || die "site: a name of 1 to 32 of a-z, 0-9, '-' (got '${1-}')"
    if ! [[ ${2-} =~ ^[0-9]+$ ]] || (( $2 < 1 || $2 > 32767 )); then
        die "site: a port below 32768 (got '${2-}')"
    fi
    find_tools
    lock
    [[ -n $(db_pids) && -n $(nginx_pids) ]] || die "site: start the stack first ('$0 start')"
    if [[ ! -f $SITES_DIR/$1.port || $(cat "$SITES_DIR/$1.port") != "$2" ]]; then
        claim_port "$2" "CB_SITE_PORT"
    fi
    write_site_config "$1" "$2"
    setup_site_db "$1"
    start_site_worker "$1"
    start_nginx
    say "site $1: http://127.0.0.1:$2/  (config $SITES_DIR/$1.conf, database $(site_db "$1"))"
}

# --- commands -----------------------------------------------------------------------------------

lock() {
    mkdir -p "$CB_STATE_DIR"
    exec 9>"$CB_STATE_DIR/stack.lock"
    flock -w 300 9 || die "another stack.sh holds $CB_STATE_DIR/stack.lock"
}

# Before starting anything: our ports are free (or come free within CB_PORT_WAIT seconds).
check_ports() {
    if ! db_external && [[ -z $(db_pids) ]]; then claim_port "$CB_DB_PORT" CB_DB_PORT; fi
    if [[ -z $(nginx_pids) ]]; then claim_port "$CB_HTTP_PORT" CB_HTTP_PORT; fi
}

cmd_start() {
    local t0=$SECONDS
    find_tools
    lock
    check_ports
    make_dirs
    start_db
    write_config
    migrate
    start_programs
    start_worker
    start_sites
    start_nginx
    say "ready in $((SECONDS - t0))s: http://127.0.0.1:$CB_HTTP_PORT/  (state: $CB_STATE_DIR, logs: $LOG_DIR)"
}

cmd_stop() {
    if [[ ! -d $CB_STATE_DIR ]]; then say "nothing to stop ($CB_STATE_DIR does not exist)"; return 0; fi
    lock
    stop_nginx
    stop_worker
    stop_site_workers
    stop_programs
    stop_db
    if [[ -d $CB_SOCK_DIR ]]; then rmdir "$CB_SOCK_DIR" 2>/dev/null || true; fi
    say "stopped"
}

cmd_restart_programs() {
    find_tools
    lock
    [[ -s $DB_PASSWORD_FILE ]] || die "the stack was never started: run '$0 start'"
    make_dirs
    write_config
    stop_worker
    stop_site_workers
    stop_programs
    start_programs
    start_worker
    start_sites --workers-only
}

cmd_crash() {
    local pids
    case $1 in
        worker) pids=$(worker_pids) ;;
        '') die "crash: name a program (e.g. hook) or 'worker'" ;;
        *) pids=$(program_pids "$1") ;;
    esac
    [[ -n $pids ]] || die "crash: $1 is not running"
    # shellcheck disable=SC2086 # one or more pids
    kill -KILL $pids
    # SIGKILL is delivered, not done: wait (up to 5 s) until each process has
    # exited, so what starts next finds it gone (the worker requeues the jobs
    # of a holder that is gone).
    local pid i
    for pid in $pids; do
        for ((i = 0; i < 50; i++)); do
            [[ -e /proc/$pid ]] || break
            [[ $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) == Z ]] && break
            sleep 0.1
        done
    done
    say "$1: killed (pids $pids)"
}

line() { printf '%-10s %-8s %s\n' "$1" "$2" "$3"; }

cmd_status() {
    local rc=0 pids name bin
    pids=$(db_pids)
    if [[ -n $CB_DB_FROM ]]; then line mariadb shared "the one of $CB_DB_FROM"
    elif [[ -n $pids ]]; then line mariadb running "pid $pids, 127.0.0.1:$CB_DB_PORT, $DB_SOCK"
    else line mariadb stopped ""; rc=3; fi
    while IFS=$'\t' read -r name bin; do
        pids=$(program_pids "$name")
        if [[ -n $pids ]]; then line "$name" running "pids $pids, $CB_SOCK_DIR/$name.sock"
        else line "$name" stopped "$bin"; rc=3; fi
    done < <(built_programs)
    for name in $(started_programs); do
        [[ -x $PROGRAM_DIR/callboard-$name ]] && continue
        pids=$(program_pids "$name")
        if [[ -n $pids ]]; then line "$name" running "pids $pids (no longer built)"; fi
    done
    pids=$(worker_pids)
    if [[ -n $pids ]]; then line worker running "pid $pids"
    elif [[ -x $(worker_bin) ]]; then line worker stopped ""; rc=3
    else line worker "-" "not built"; fi
    pids=$(nginx_pids)
    if [[ -n $pids ]]; then
        line nginx running "pid $pids, http://127.0.0.1:$CB_HTTP_PORT/$(have_nchan && printf ' (nchan)')"
    else line nginx stopped ""; rc=3; fi
    return "$rc"
}

main() {
    check_settings
    case ${1-} in
        start) cmd_start ;;
        stop) cmd_stop ;;
        status) cmd_status ;;
        restart-programs) cmd_restart_programs ;;
        # Fault injection for the tests: the database alone goes away and
        # comes back while nginx and the programs keep running.
        db-stop) lock; stop_db ;;
        db-start) find_tools; lock; start_db ;;
        # crash NAME: SIGKILL a program's processes (or the worker), as a crash would; `start`
        # brings back whatever is missing.
        crash) lock; cmd_crash "${2-}" ;;
        reload-nginx) find_tools; lock; nginx_cmd -s reload 9>&- ;;
        site) cmd_site "${2-}" "${3-}" ;;
        -h|--help|help) usage ;;
        *) usage >&2; exit 2 ;;
    esac
}

main "$@"
