/* The words a person reads for a call's result and direction ("Answered",
 * "Incoming"), in the request's language: one list for the history, its
 * CSV, the card and the tasks. Translated once per language and kept
 * (i18n_memo), so a page of rows costs no catalog lookups. Static strings,
 * never NULL; NULL or an unknown value reads "Unknown" / "Internal". */
#ifndef CB_HTTP_CALL_LABELS_H
#define CB_HTTP_CALL_LABELS_H

const char *call_result_label(const char *result);
const char *call_direction_label(const char *direction);

#include <stddef.h>
#include <stdint.h>

/* How an order is named wherever a person reads it (history row, card,
 * customer and order pages): its number, or "#<id>" when it has none
 * (NULL or empty: an empty link text is a link nobody can read). */
void order_label(char *out, size_t outsz, const char *number, int64_t id);

#endif
