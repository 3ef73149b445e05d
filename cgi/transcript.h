/* The transcript on the call card (issue 22), part of callboard-card: the
 * card's view model gets "transcript" from here, and two POST routes live
 * here (cgi/card.c lists them in its route table):
 *
 *   POST /calls/<id>/transcript       make (or make again) the transcript
 *                                     now: queues the worker's job
 *   POST /calls/<id>/transcript/edit  version=<n>, and line=<i>&text=...
 *                                     and/or summary=...: a correction,
 *                                     kept with who and when
 *
 * Who may read or correct: access_transcript() (lib/auth/access.h), the
 * same rule as the recording's bytes plus transcripts.view/.edit. */
#ifndef CB_CGI_TRANSCRIPT_H
#define CB_CGI_TRANSCRIPT_H

#include <json-c/json.h>

#include "auth/access.h"
#include "http/app.h"

/* Adds m["transcript"]: null when the user may not read it (nothing of it
 * shows: no status, no button), else its state, lines, summary and the
 * actions the user may take. Reading a finished transcript is written to
 * the listening log (action "transcript"). */
enum cb_err transcript_card_model(struct ctx *ctx, int64_t call_id,
    const struct access_call *who, const char *recording_state,
    struct json_object *m);

enum cb_err transcript_post_request(struct ctx *ctx);
enum cb_err transcript_post_edit(struct ctx *ctx);

#endif
