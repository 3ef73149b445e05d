# Sourced by the bench/*.sh scripts (not a benchmark itself): peak memory of a stack's processes.
#
#   peak_rss_table STATE_DIR   prints a markdown table: each program of the stack
#                              (every <STATE_DIR>/run/*.pid, nginx with its workers) and the
#                              VmHWM of each of its processes, read from /proc while they run.

peak_rss_of() {   # peak_rss_of PID...: "12.3 MiB (pid 42), ..."
    local pid out=""
    for pid in "$@"; do
        out+="$(awk '/^VmHWM/ { printf "%.1f MiB", $2 / 1024 }' "/proc/$pid/status" 2>/dev/null || echo '?') (pid $pid), "
    done
    printf '%s' "${out%, }"
}

peak_rss_table() {
    local run=$1/run f name pids
    echo "| process | peak RSS (VmHWM) per process |"
    echo "|---|---|"
    for f in "$run"/*.pid; do
        [[ -f $f ]] || continue
        name=$(basename "$f" .pid)
        pids=$(tr -c '0-9' ' ' <"$f")
        [[ -n ${pids// /} ]] || continue
        if [[ $name == nginx ]]; then
            # shellcheck disable=SC2086
            pids="$pids $(pgrep -P ${pids// /} 2>/dev/null | tr '\n' ' ')"
        fi
        # shellcheck disable=SC2086
        printf '| %s | %s |\n' "${name#fcgi-}" "$(peak_rss_of $pids)"
    done
}
