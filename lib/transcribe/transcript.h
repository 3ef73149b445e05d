/* A transcript of one call recording (issue 22): utterances with their start
 * and end in the recording and, where the engine or a two-channel recording
 * tells, the side that spoke. Everything is allocated in the caller's arena,
 * so a transcript is freed with it. */
#ifndef CB_TRANSCRIBE_TRANSCRIPT_H
#define CB_TRANSCRIBE_TRANSCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;

enum speaker {
	SPEAKER_UNKNOWN = 0,   /* one mixed channel, no diarisation */
	SPEAKER_MANAGER,       /* our side of the call */
	SPEAKER_CUSTOMER
};

struct utterance {
	uint32_t start_ms;     /* from the recording's start */
	uint32_t end_ms;
	enum speaker side;
	const char *text;      /* UTF-8, trimmed, never NULL */
};

struct transcript {
	struct utterance *u;
	size_t n, cap;
	const char *engine;    /* the engine's name ("local", "http") */
	const char *language;  /* BCP 47 as the engine reports it, or NULL */
	/* The engine's own quality mark: the local engine's transcripts are
	 * drafts (English only, a small model), shown as such on the card. */
	bool draft;
};

/* Appends a copy of text (trimmed; an empty one is skipped) into a's
 * memory. -1 on allocation failure. */
int transcript_add(struct transcript *t, struct arena *a, uint32_t start_ms,
    uint32_t end_ms, enum speaker side, const char *text, size_t len);

#endif
