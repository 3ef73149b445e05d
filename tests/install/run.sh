#!/usr/bin/env bash
# Callboard as an admin installs it (issue 15 §1): `make install DESTDIR=<tmp>` from a configured
# build, then the stack started FROM THE INSTALLED TREE: the installed programs and worker, the
# installed callboard command, templates, static files and SQL, the installed nginx files
# (callboard-http.conf, callboard.conf, callboard-live.conf, fastcgi_params) included unchanged,
# and callboard.conf made from the installed callboard.conf.sample. Nothing is read from the
# source tree. Then, as docs/install.md goes on: the schema (callboard migrate), a first
# administrator (callboard user ..., password on stdin), and the tests in Chromium:
# tests/install/installed.test.js (the installed files, every page, every static asset) and the
# popup and click-to-call tests of tests/browser, all against this stack.
#
#   tests/install/run.sh TAP_FILE      (./run test calls it; the node tests' TAP goes to TAP_FILE)
#
# Environment: CB_BUILD_DIR, a configured build [<repo>/build] (built here if it is not),
# INSTALL_HTTP_PORT [18280], INSTALL_DB_PORT [13426], INSTALL_SMTP_PORT [INSTALL_HTTP_PORT+25].
# Exit status: 0 when the tests ran (their result is in the TAP), 1 when the tree could not be
# installed or started.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
TAP=${1:?usage: tests/install/run.sh TAP_FILE}
BUILD=$(realpath -m -- "${CB_BUILD_DIR:-$REPO/build}")
WORK=$BUILD/install-test
ROOT=$WORK/root                         # the DESTDIR
STACK=$REPO/scripts/stack.sh

say() { printf 'install: %s\n' "$*"; }
fail() { say "FAIL: $*"; exit 1; }

# The stack's environment: its own state and ports, and the installed folders.
export CB_STATE_DIR=$WORK/stack
export CB_HTTP_PORT=${INSTALL_HTTP_PORT:-18280} CB_DB_PORT=${INSTALL_DB_PORT:-13426}
export CB_SMTP_PORT=${INSTALL_SMTP_PORT:-$((CB_HTTP_PORT + 25))}

"$STACK" stop >/dev/null 2>&1 || true
rm -rf "$WORK"
mkdir -p "$WORK"
trap '"$STACK" stop >/dev/null 2>&1 || true' EXIT

say "make install DESTDIR=$ROOT"
make -C "$BUILD" -s -j"$(nproc 2>/dev/null || echo 2)" >"$WORK/make.log" 2>&1 ||
    { tail -20 "$WORK/make.log"; fail "make failed in $BUILD"; }
make -C "$BUILD" install DESTDIR="$ROOT" >"$WORK/install.log" 2>&1 ||
    { tail -20 "$WORK/install.log"; fail "make install failed"; }
eval "$(make -s -C "$BUILD" --no-print-directory print-install-dirs)"
export CB_LIBEXEC_DIR=$ROOT$pkglibexecdir CB_BIN_DIR=$ROOT$bindir
export CB_DATA_DIR=$ROOT$pkgdatadir CB_CONF_DIR=$ROOT$cbconfdir
# Not the build tree: a program the stack would take from there by mistake is not found.
export CB_BUILD_DIR=$WORK/no-build-tree
TOOL=$CB_BIN_DIR/callboard

say "starting the installed tree ($CB_LIBEXEC_DIR) on 127.0.0.1:$CB_HTTP_PORT"
"$STACK" start >"$WORK/start.log" 2>&1 || { cat "$WORK/start.log"; fail "the installed tree did not start"; }
CONF=$CB_STATE_DIR/callboard.conf
# docs/install.md step 6 ran in the start (callboard migrate). Demo data, for the integrations,
# customers and managers the popup and click-to-call tests use; then step 9's first
# administrator, password on standard input.
"$TOOL" --config "$CONF" demo --calls 200 >>"$WORK/start.log" 2>&1 ||
    { tail -5 "$WORK/start.log"; fail "callboard demo failed"; }
export CB_SITE_ADMIN=siteadmin CB_SITE_ADMIN_PASSWORD="installed $(date +%s)"
printf '%s\n' "$CB_SITE_ADMIN_PASSWORD" |
    "$TOOL" --config "$CONF" user "$CB_SITE_ADMIN" --role admin --name 'Site Admin' \
        >>"$WORK/start.log" 2>&1 || { tail -5 "$WORK/start.log"; fail "callboard user failed"; }

export CB_BASE_URL=http://127.0.0.1:$CB_HTTP_PORT CB_ROOT=$REPO
export CB_INSTALLED_DATA=$CB_DATA_DIR
say "tests against http://127.0.0.1:$CB_HTTP_PORT/"
node --test --test-concurrency=1 \
    --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=tap --test-reporter-destination="$TAP" \
    "$REPO/tests/install/installed.test.js" \
    "$REPO/tests/browser/popup.test.js" "$REPO/tests/browser/dial.test.js" || true
"$STACK" stop >/dev/null 2>&1 || true
trap - EXIT
