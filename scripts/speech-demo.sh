#!/usr/bin/env bash
# Makes a call-like speech recording from a dialogue text (issue 22): the
# source of the demo's speech calls and of the local engine's tests.
#
#   scripts/speech-demo.sh [--voice V] [--mono] DIALOGUE.txt OUT.wav
#
# DIALOGUE.txt has one "customer|text" or "manager|text" line per
# utterance (tests/fixtures/speech/*.txt). The result is 16 kHz 16-bit
# WAV with the customer on the left channel and the manager on the right
# (lib/transcribe/local.c's layout), 0.6 s of silence between turns;
# --mono mixes both into one channel.
#
# Voices (docs/transcripts.md has the measured word overlap of each):
#   kal     festival + festvox-kallpc16k (the default: the one
#           pocketsphinx understands best)
#   slt     festival + festvox-us-slt-hts
#   espeak  espeak-ng's default en-us voice
# Needs sox and the voice's package (scripts/install-deps.sh --test).
set -euo pipefail

voice=kal
mono=no
while [ $# -gt 0 ]; do
	case "$1" in
	--voice) voice=$2; shift 2 ;;
	--mono) mono=yes; shift ;;
	-*) echo "usage: $0 [--voice kal|slt|espeak] [--mono] DIALOGUE.txt OUT.wav" >&2; exit 2 ;;
	*) break ;;
	esac
done
[ $# -eq 2 ] || { echo "usage: $0 [--voice kal|slt|espeak] [--mono] DIALOGUE.txt OUT.wav" >&2; exit 2; }
in=$1
out=$2

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# One utterance to 16 kHz mono.
say() {
	local text=$1 wav=$2
	printf '%s\n' "$text" >"$tmp/t.txt"
	case "$voice" in
	slt) text2wave -eval '(voice_cmu_us_slt_arctic_hts)' "$tmp/t.txt" -o "$tmp/raw.wav" ;;
	kal) text2wave -eval '(voice_kal_diphone)' "$tmp/t.txt" -o "$tmp/raw.wav" ;;
	espeak) espeak-ng -v en-us -w "$tmp/raw.wav" -f "$tmp/t.txt" ;;
	*) echo "unknown voice: $voice" >&2; exit 2 ;;
	esac
	sox -q "$tmp/raw.wav" -r 16000 -c 1 -b 16 "$wav"
}

sox -q -n -r 16000 -c 1 -b 16 "$tmp/gap.wav" trim 0 0.6
left=()
right=()
i=0
while IFS='|' read -r side text; do
	case "$side" in ''|'#'*) continue ;; esac
	i=$((i + 1))
	say "$text" "$tmp/u$i.wav"
	# The same length of silence on the other side.
	sox -q "$tmp/u$i.wav" "$tmp/s$i.wav" vol 0
	case "$side" in
	customer) left+=("$tmp/u$i.wav" "$tmp/gap.wav"); right+=("$tmp/s$i.wav" "$tmp/gap.wav") ;;
	manager) left+=("$tmp/s$i.wav" "$tmp/gap.wav"); right+=("$tmp/u$i.wav" "$tmp/gap.wav") ;;
	*) echo "$in: line $i: side must be customer or manager" >&2; exit 2 ;;
	esac
done <"$in"
[ "$i" -gt 0 ] || { echo "$in: no utterances" >&2; exit 2; }
sox -q "${left[@]}" "$tmp/left.wav"
sox -q "${right[@]}" "$tmp/right.wav"
if [ "$mono" = yes ]; then
	sox -q -m "$tmp/left.wav" "$tmp/right.wav" -b 16 "$out"
else
	sox -q -M "$tmp/left.wav" "$tmp/right.wav" -b 16 "$out"
fi
