#!/usr/bin/env bash
# callboard-tmpl-pot (tools/tmpl_pot.c, make update-po) frees what it made on its error paths
# too: given a file, or a folder that does not exist, it says why and exits 1 with nothing
# leaked (it leaked its error buffer, 256 bytes). In a sanitizer build LeakSanitizer watches the
# exit (a leak turns the status into 23); otherwise valgrind does, when it is installed (skip
# when neither can look). Run by make check from the build directory.
set -uo pipefail
tool=./tools/callboard-tmpl-pot
src=${CB_SRCDIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)}
[ -x "$tool" ] || { echo "no $tool here: run from the build directory" >&2; exit 1; }

if grep -q '^#define CB_ARENA_MALLOC 1' ./config.h; then
	run=()   # ASan + LSan are in the binary
	export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
elif command -v valgrind >/dev/null; then
	run=(valgrind -q --leak-check=full --show-leak-kinds=definite,indirect
		--errors-for-leak-kinds=definite,indirect --error-exitcode=99)
else
	echo "SKIP: neither a sanitizer build nor valgrind" >&2
	exit 77
fi

bad=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for arg in "$src/templates/calls.html" "$tmp/no-such-folder"; do
	"${run[@]}" "$tool" "$arg" >"$tmp/out" 2>"$tmp/err"
	status=$?
	if [ "$status" -ne 1 ] || grep -qiE 'leak|definitely lost' "$tmp/err"; then
		echo "FAIL: $tool $arg: status $status (want 1), stderr:" >&2
		cat "$tmp/err" >&2
		bad=1
	elif [ -s "$tmp/out" ]; then
		echo "FAIL: $tool $arg wrote a PO template although it failed" >&2
		bad=1
	else
		echo "ok: $tool $arg: $(head -1 "$tmp/err")"
	fi
done
# The good path stays clean as well.
"${run[@]}" "$tool" "$src/templates" >"$tmp/out" 2>"$tmp/err"
status=$?
if [ "$status" -ne 0 ] || grep -qiE 'leak|definitely lost' "$tmp/err" || ! grep -q '^msgid "Call history"$' "$tmp/out"; then
	echo "FAIL: $tool $src/templates: status $status, stderr:" >&2
	cat "$tmp/err" >&2
	bad=1
fi
exit $bad
