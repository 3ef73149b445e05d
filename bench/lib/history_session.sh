# Sourced by bench/history.sh and bench/callgrind.sh: the history page's scenarios, seen as the
# demo's "manager". Needs BASE (http://127.0.0.1:PORT), die, and db "SQL" (one value out) from
# the calling script.

# history_login JAR: logs in (the login form's CSRF token, then POST /login) and prints the
# session's Cookie header value.
history_login() {
    local jar=$1 csrf code
    rm -f "$jar"
    csrf=$(curl -fsS -c "$jar" "$BASE/login" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1)
    [[ -n $csrf ]] || die "no CSRF token on /login"
    code=$(curl -sS -o /dev/null -w '%{http_code}' -b "$jar" -c "$jar" --data-urlencode "csrf=$csrf" \
        --data-urlencode login=manager --data-urlencode password=manager --data-urlencode next=/calls \
        "$BASE/login")
    [[ $code == 303 ]] || die "login as manager: HTTP $code"
    awk '{ sub(/^#HttpOnly_/, "") } !/^#/ && NF >= 7 { printf "%s%s=%s", sep, $6, $7; sep="; " }' "$jar"
}

# history_targets: what the scenarios ask for, from the database: the manager, the newest
# linked call's customer and number, and the dates.
history_targets() {
    manager=$(db "SELECT id FROM users WHERE login = 'manager'")
    customer=$(db "SELECT customer_id FROM calls WHERE customer_id IS NOT NULL ORDER BY id DESC LIMIT 1")
    digits=$(db "SELECT REVERSE(client_digits_rev) FROM calls WHERE customer_id IS NOT NULL ORDER BY id DESC LIMIT 1")
    today=$(date -u +%F)
    week=$(date -u -d '7 days ago' +%F)
    month=$(date -u -d '30 days ago' +%F)
    # "contains" fragments (issue 20): from the middle of the same number, as a manager remembers
    # it ("...2646..."): 4 digits (one gram of call_number_grams) and 6 (two grams and a LIKE).
    frag4=${digits: -6:4}
    frag6=${digits: -8:6}
}

# history_url SCENARIO: the page's path and query (after history_targets).
history_url() {
    case $1 in
    none) echo "/calls" ;;
    manager) echo "/calls?manager=$manager&from=$week&to=$today" ;;
    phone) echo "/calls?q=$digits" ;;
    customer) echo "/customers/$customer/calls" ;;
    csv) echo "/calls.csv?from=$month&to=$today" ;;
    contains4) echo "/calls?q=$frag4&q_mode=contains" ;;
    contains6) echo "/calls?q=$frag6&q_mode=contains" ;;
    contains4_month) echo "/calls?q=$frag4&q_mode=contains&from=$month&to=$today" ;;
    contains6_month) echo "/calls?q=$frag6&q_mode=contains&from=$month&to=$today" ;;
    *) die "unknown scenario $1" ;;
    esac
}
