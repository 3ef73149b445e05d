#!/usr/bin/env bash
# Which speech source does the local engine understand? (issue 22, "How it
# is tested for real"). Scores each source by word overlap: the share of
# the spoken words (a multiset, case and punctuation folded) that come back
# in the transcript. Sources:
#   librivox  pocketsphinx-testdata's real read speech (5 files, known text)
#   slt, kal, espeak  the synthesizers of scripts/speech-demo.sh, on the
#             dialogues in tests/fixtures/speech/*.txt
#
#   bench/speech_sources.sh [BUILD_DIR]      (default: build-test)
# Prints one line per source: "source overlap words". The figures and the
# threshold the tests assert are in docs/transcripts.md.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-test}
cb="$build/tools/callboard"
[ -x "$cb" ] || { echo "build first: $cb is missing" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'log_level = error\n' >"$tmp/cb.conf"

# overlap REF_FILE HYP_FILE: prints "hits total".
overlap() {
	awk '
	function words(s, arr,   n, i, a, w) {
		s = tolower(s); gsub(/[^a-z0-9'"'"' ]/, " ", s)
		n = split(s, a, / +/)
		for (i = 1; i <= n; i++) if (a[i] != "") arr[a[i]]++
	}
	FNR == NR { ref = ref " " $0; next }
	{ hyp = hyp " " $0 }
	END {
		words(ref, r); words(hyp, h)
		for (w in r) { total += r[w]; hits += (h[w] < r[w] ? h[w] : r[w]) }
		print hits + 0, total + 0
	}' "$1" "$2"
}

transcript_words() {
	"$cb" --config "$tmp/cb.conf" transcribe "$1" --engine local |
		sed -n 's/^\[[^]]*\] [^:]*: //p'
}

report() {
	awk -v s="$1" -v h="$2" -v t="$3" 'BEGIN { printf "%-9s %5.1f %% of %d words\n", s, 100 * h / t, t }'
}

# Real speech.
data=/usr/share/pocketsphinx/test/data/librivox
if [ -d "$data" ]; then
	: >"$tmp/ref"; : >"$tmp/hyp"
	for f in "$data"/*.wav; do
		id=$(basename "$f" .wav)
		grep "($id)" "$data/transcription" | sed 's/<[^>]*>//g; s/([^)]*)//' >>"$tmp/ref"
		transcript_words "$f" >>"$tmp/hyp"
	done
	read -r h t < <(overlap "$tmp/ref" "$tmp/hyp")
	report librivox "$h" "$t"
else
	echo "librivox  (apt-get install pocketsphinx-testdata)"
fi

for voice in slt kal espeak; do
	: >"$tmp/ref"; : >"$tmp/hyp"
	for d in tests/fixtures/speech/*.txt; do
		grep -v '^#' "$d" | cut -d'|' -f2 >>"$tmp/ref"
		if ! scripts/speech-demo.sh --voice "$voice" --mono "$d" "$tmp/a.wav" 2>/dev/null; then
			echo "$voice     (synthesizer missing: scripts/install-deps.sh --test)"
			continue 2
		fi
		transcript_words "$tmp/a.wav" >>"$tmp/hyp"
	done
	read -r h t < <(overlap "$tmp/ref" "$tmp/hyp")
	report "$voice" "$h" "$t"
done
