/* The words a person reads for a call's result and direction ("Answered",
 * "Incoming"), in the request's language: one list for the history, its
 * CSV, the card and the tasks. Translated once per language and kept
 * (i18n_memo), so a page of rows costs no catalog lookups. Static strings,
 * never NULL; NULL or an unknown value reads "Unknown" / "Internal". */
#ifndef CB_HTTP_CALL_LABELS_H
#define CB_HTTP_CALL_LABELS_H

const char *call_result_label(const char *result);
const char *call_direction_label(const char *direction);
/* What a number's place says for a caller who withheld it (issue 15
 * §2.5): the history row, its CSV, the card. */
const char *call_withheld_label(void);
/* A transcript's status (transcripts.status: queued, running, done,
 * failed) as the card and the history's summary column say it
 * ("Transcript queued"); anything else reads "Transcript". */
const char *call_transcript_label(const char *status);
/* A recording's state (calls.recording_state: stored, pending, failed)
 * as the history's CSV says it; anything else reads "No recording". */
const char *call_recording_label(const char *state);
/* A leg's type (call_legs.leg_type: ring, answer, transfer...) on the
 * card; an unknown one as it is, NULL as NULL. */
const char *call_leg_label(const char *type);

#include <stddef.h>
#include <stdint.h>

/* How an order is named wherever a person reads it (history row, card,
 * customer and order pages): its number, or "#<id>" when it has none
 * (NULL or empty: an empty link text is a link nobody can read). */
void order_label(char *out, size_t outsz, const char *number, int64_t id);

#endif
