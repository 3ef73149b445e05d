#!/usr/bin/env bash
# The local engine on real speech (issue 22, "How it is tested for real"):
# a two-channel call synthesized from tests/fixtures/speech/order_call.txt
# by scripts/speech-demo.sh (festival's kal voice, the source pocketsphinx
# understands best: docs/transcripts.md), transcribed by
# `callboard transcribe`. Asserts, per side, that most spoken words come
# back on that side (THRESHOLD, measured: 100 % customer, 85 % manager),
# that the utterances come in time order inside the recording, and that
# the transcript is marked draft. Then the same for the demo's recording
# of that dialogue. Run by make check from the build
# directory; skipped (77) when the synthesizer is not installed.
set -euo pipefail
THRESHOLD=75   # percent of each side's words

src=${CB_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
cb=./tools/callboard
[ -x "$cb" ] || { echo "run from the build directory" >&2; exit 1; }
if ! command -v text2wave >/dev/null || ! command -v sox >/dev/null ||
	[ ! -d /usr/share/festival/voices/english/kal_diphone ]; then
	echo "SKIP: festival, festvox-kallpc16k or sox missing (scripts/install-deps.sh --test)"
	exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'log_level = error\n' >"$tmp/cb.conf"
dialogue="$src/tests/fixtures/speech/order_call.txt"

"$src/scripts/speech-demo.sh" --voice kal "$dialogue" "$tmp/call.wav"
"$cb" --config "$tmp/cb.conf" transcribe "$tmp/call.wav" --engine local >"$tmp/out"
cat "$tmp/out"

fail=0
grep -q '^engine: local (draft)$' "$tmp/out" || { echo "FAIL: not marked draft"; fail=1; }

# overlap SIDE: percent of SIDE's spoken words found in SIDE's lines.
overlap() {
	grep "^$1|" "$dialogue" | cut -d'|' -f2 >"$tmp/ref"
	sed -n "s/^\[[^]]*\] $1: //p" "$tmp/out" >"$tmp/hyp"
	awk '
	function words(s, arr,   n, i, a) {
		s = tolower(s); gsub(/[^a-z0-9'"'"' ]/, " ", s)
		n = split(s, a, / +/)
		for (i = 1; i <= n; i++) if (a[i] != "") arr[a[i]]++
	}
	FNR == NR { ref = ref " " $0; next }
	{ hyp = hyp " " $0 }
	END {
		words(ref, r); words(hyp, h)
		for (w in r) { t += r[w]; k += (h[w] < r[w] ? h[w] : r[w]) }
		print (t ? int(100 * k / t) : 0)
	}' "$tmp/ref" "$tmp/hyp"
}
for side in customer manager; do
	p=$(overlap "$side")
	echo "$side: $p % of the spoken words came back (threshold $THRESHOLD %)"
	[ "$p" -ge "$THRESHOLD" ] || { echo "FAIL: $side below the threshold"; fail=1; }
done

# Times: increasing starts, start <= end, all inside the recording.
dur=$(soxi -D "$tmp/call.wav")
sed -n 's/^\[\([0-9.]*\)-\([0-9.]*\)\].*/\1 \2/p' "$tmp/out" |
	awk -v d="$dur" '
	{ if ($1 < prev || $1 > $2 || $2 > d + 0.5) bad = 1; prev = $1; n++ }
	END { exit (bad || n < 6) }' || { echo "FAIL: utterance times out of order or outside ${dur} s"; fail=1; }

# The demo's copy of the same dialogue (sql/demo/speech/, Ogg Vorbis, what
# `callboard demo --transcripts` transcribes): understood as well.
"$cb" --config "$tmp/cb.conf" transcribe "$src/sql/demo/speech/order_call.ogg" \
	--engine local >"$tmp/out"
for side in customer manager; do
	p=$(overlap "$side")
	echo "demo's order call, $side: $p % of the spoken words came back"
	[ "$p" -ge "$THRESHOLD" ] || { echo "FAIL: demo's $side below the threshold"; fail=1; }
done
exit $fail
