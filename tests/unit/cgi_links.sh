#!/usr/bin/env bash
# The FastCGI programs do not load the transcription engines' libraries
# (lib/transcribe/engine.h): pocketsphinx (and Debian's sphinxad and
# PulseAudio behind it), libsndfile, libsamplerate. Only the worker and the
# admin tool run engines. ldd lists what each program loads, directly or
# not. When the local engine is built, the worker must load pocketsphinx:
# that keeps the pattern honest. Run by make check from the build directory.
set -euo pipefail
engine_libs='libpocketsphinx|libsphinxad|libsphinxbase|libsndfile|libsamplerate|libpulse'

shopt -s nullglob
progs=(./cgi/callboard-*)
[ ${#progs[@]} -gt 0 ] || { echo "no cgi/callboard-* here: run from the build directory" >&2; exit 1; }
bad=0
for p in "${progs[@]}"; do
	[ -x "$p" ] || continue
	if found=$(ldd "$p" | grep -E "$engine_libs"); then
		echo "FAIL: $p loads an engine's library:" >&2
		echo "$found" >&2
		bad=1
	fi
done
if grep -q '^#define HAVE_POCKETSPHINX 1' ./config.h &&
	! ldd ./tools/callboard-worker | grep libpocketsphinx >/dev/null; then
	echo "FAIL: the worker does not load libpocketsphinx, yet the local engine is built (is the pattern stale?)" >&2
	bad=1
fi
# The geocoder (lib/phone/geo.h: libgeocoding, ICU, abseil) only where a
# phone's place is shown (issue 18): the card and the CRM pages.
for p in "${progs[@]}"; do
	[ -x "$p" ] || continue
	case ${p##*/} in
	callboard-card|callboard-crm)
		ldd "$p" | grep libgeocoding >/dev/null ||
			{ echo "FAIL: $p does not load libgeocoding (is the pattern stale?)" >&2; bad=1; } ;;
	*)
		if ldd "$p" | grep libgeocoding >/dev/null; then
			echo "FAIL: $p loads libgeocoding; only the card and the CRM pages need it" >&2
			bad=1
		fi ;;
	esac
done
[ $bad -eq 0 ] && echo "ok: ${#progs[@]} FastCGI programs, none loads an engine's library; the geocoder only in card and crm"
exit $bad
