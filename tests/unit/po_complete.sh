#!/bin/sh
# make check: every po/<lang>.po is complete and valid (issue 18).
# - msgfmt --check passes (format strings, header, plural forms);
# - no untranslated or fuzzy message (msgfmt --statistics says only
#   "N translated messages.");
# - every msgid of po/callboard.pot is in the .po (msgcmp);
# - every string the scripts translate (t('...') in static/*.js) is in the
#   page catalog templates/partials/i18n.html, so it reaches the .pot;
# - every text of the templates, as the engine sees it today
#   (tools/callboard-tmpl-pot), is in po/callboard.pot: a template edited
#   without `make update-po` would show its new words in English only.
set -u
src=${CB_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
fail=0
for po in "$src"/po/*.po; do
	stats=$(LC_ALL=C msgfmt --check --statistics -o /dev/null "$po" 2>&1) || {
		echo "FAIL $po: msgfmt --check: $stats"; fail=1; continue; }
	case $stats in
	*untranslated*|*fuzzy*) echo "FAIL $po: $stats"; fail=1 ;;
	esac
	msgcmp "$po" "$src/po/callboard.pot" 2>/tmp/po_complete.$$ || {
		echo "FAIL $po: missing msgids of callboard.pot (make update-po):"
		head -5 /tmp/po_complete.$$; fail=1; }
	rm -f /tmp/po_complete.$$
done
keys=$(grep -ohE "\bt\('([^'\\\\]|\\\\.)*'" "$src"/static/*.js | sed -E "s/^t\('//; s/'$//" | sort -u)
echo "$keys" | while IFS= read -r k; do
	[ -z "$k" ] && continue
	grep -qF "data-k=\"$k\"" "$src/templates/partials/i18n.html" || {
		echo "FAIL static/*.js asks t('$k'), not in templates/partials/i18n.html"; exit 1; }
done || fail=1
pot_tool=./tools/callboard-tmpl-pot
if [ -x "$pot_tool" ]; then
	"$pot_tool" "$src/templates" > /tmp/po_tmpl.$$ &&
	msgcmp --use-untranslated "$src/po/callboard.pot" /tmp/po_tmpl.$$ 2>/tmp/po_complete.$$ || {
		echo "FAIL templates/ have words po/callboard.pot lacks (make update-po, then translate):"
		head -8 /tmp/po_complete.$$; fail=1; }
	rm -f /tmp/po_tmpl.$$ /tmp/po_complete.$$
else
	echo "FAIL $pot_tool not built (run from the build folder after make)"; fail=1
fi
[ $fail -eq 0 ] && echo "po: every catalog complete"
exit $fail
