#!/usr/bin/env bash
# Installs the Debian packages Callboard needs to build, run and test,
# and the test tools from npm. Only what is missing; safe to run again.
# Non-interactive (CI has no terminal); root, or a user with sudo -n.
set -euo pipefail
cd "$(dirname "$0")/.."

build_pkgs=(autoconf automake pkg-config make gcc g++
	libfcgi-dev libmariadb-dev libjson-c-dev libxml2-dev
	libcurl4-openssl-dev libssl-dev libcrypt-dev libphonenumber-dev check
	libpocketsphinx-dev libsndfile1-dev libsamplerate0-dev gettext)
run_pkgs=(mariadb-server mariadb-client nginx-light libnginx-mod-nchan
	spawn-fcgi curl ca-certificates tzdata iproute2 pocketsphinx-en-us)
test_pkgs=(chromium nodejs npm wrk tidy clang libclang-rt-14-dev valgrind
	debhelper dpkg-dev lintian sox festival festvox-kallpc16k time
	redis-server galera-4 mariadb-backup socat)
# galera-4 comes with mariadb-server; mariadb-backup (and socat) are the cluster tests' state
# transfer (scripts/cluster.sh, tests/cluster).

want=("${build_pkgs[@]}" "${run_pkgs[@]}")
if [ "${1:-}" = "--test" ]; then
	want+=("${test_pkgs[@]}")
fi

missing=()
for p in "${want[@]}"; do
	# nodejs may come from another repository (nodesource), which bundles
	# npm: any node with npm works. Debian's own nodejs needs its npm.
	if [ "$p" = nodejs ] && command -v node >/dev/null 2>&1; then
		continue
	fi
	if [ "$p" = npm ] && command -v npm >/dev/null 2>&1; then
		continue
	fi
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$status" = "install ok installed" ] || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
	echo "installing: ${missing[*]}"
	sudo=()
	if [ "$(id -u)" -ne 0 ]; then
		sudo=(sudo -n)
	fi
	export DEBIAN_FRONTEND=noninteractive
	if ! "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" \
		>/tmp/callboard-apt.log 2>&1; then
		"${sudo[@]}" apt-get update -q >>/tmp/callboard-apt.log 2>&1
		"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" \
			>>/tmp/callboard-apt.log 2>&1 || {
			tail -20 /tmp/callboard-apt.log >&2
			echo "apt-get failed; see /tmp/callboard-apt.log" >&2
			exit 1
		}
	fi
	# Debian starts the system services on install; the local stack uses
	# its own ports, but do not leave unasked-for servers running.
	if [ "$(id -u)" -eq 0 ] && command -v service >/dev/null 2>&1; then
		for s in nginx mariadb; do
			case " ${missing[*]} " in
			*" $s"*) service "$s" stop >/dev/null 2>&1 || true ;;
			esac
		done
	fi
fi

if [ "${1:-}" = "--test" ] && { [ ! -d tests/node_modules/playwright-core ] || [ ! -d tests/node_modules/axe-core ]; }; then
	echo "installing test tools from npm (tests/package-lock.json)"
	(cd tests && npm ci --no-audit --no-fund --loglevel=error)
fi
