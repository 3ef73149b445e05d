/* Reading and checking the fields of the settings and CRM forms
 * (cgi/automation.c, cgi/integrations.c, cgi/users.c, cgi/crm.c): the
 * small helpers every form page needs, in one place, so that one rule
 * holds for "a trimmed text field", "a checked box", "a time zone" and "a
 * URL" on every page. The front line (lib/http/app.c) has already refused
 * bodies over their cap and values with an embedded NUL; these read what
 * it parsed. Returned strings are borrowed from the request or copied into
 * the request's arena; both live until the end of the request. */
#ifndef CB_HTTP_FORM_H
#define CB_HTTP_FORM_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#include "core/arena.h"
#include "db/db.h"
#include "http/app.h"

/* The longest URL a form accepts (webhook, click-to-call address). */
#define FORM_URL_MAX 2000

/* The form body's value of name, or "" when the field is absent.
 * Borrowed. */
const char *form_value(const struct ctx *ctx, const char *name);
/* s without blanks (space, tab, CR, LF) at either end, in the arena; ""
 * for NULL. */
const char *form_trim(struct arena *a, const char *s);
/* form_trim() of the form body's value of name. */
const char *form_trimmed(struct ctx *ctx, const char *name);
/* A checkbox: sent with a value other than "" and "0" (browsers send the
 * input's value, "on" by default, only when it is checked). */
bool form_checked(const struct ctx *ctx, const char *name);

/* What form_text_error() says about one field, each a whole sentence
 * marked N_() (issue 18: "Enter the" + a noun would leave the noun's case
 * wrong in uk, ru and pl, so the translator writes the sentence): too_long
 * has {n} for the most characters. form_text_any's sentences have {field}
 * instead of a noun, filled with the label passed: for a provider's field,
 * whose label stays as the provider names it. */
struct form_text_words {
	const char *empty;     /* "Enter the name." */
	const char *too_long;  /* "The name is at most {n} characters." */
	const char *bad;       /* "The name is not valid text." */
};
extern const struct form_text_words form_text_any;
/* "Enter the name." and the rest: a person's, a customer's, an account's. */
extern const struct form_text_words form_text_name;

/* Why v (already trimmed) is not text of 1..max characters (0..max when
 * optional) of valid UTF-8 — w's sentence in the request's language, {n}
 * and {field} (label, or "") filled in, in the arena — or NULL when it
 * is. */
const char *form_text_error(struct arena *a, const char *v, long max,
    bool optional, const struct form_text_words *w, const char *label);

/* An IANA time zone name that is installed: letters, digits and / _ - +
 * (no "..", not absolute, under 64 bytes) naming a regular file under
 * /usr/share/zoneinfo, which is what the C library reads with TZ. */
bool form_zone_valid(const char *tz);

/* An http(s) URL with a host, at most FORM_URL_MAX bytes, without spaces
 * or control bytes. Whether the host may be reached is decided when the
 * request is made (lib/automation/deliver.c for webhooks). */
bool form_http_url_valid(const char *u);

/* The options of a <select> from a query whose rows start with id and
 * name: [{"id", "name", "selected": id == chosen}], into *out (the
 * caller's). q runs on db; on error nothing is left to free. */
enum cb_err form_options(struct db *db,
    enum cb_err (*q)(struct db *, struct db_stmt **), int64_t chosen,
    struct json_object **out);

#endif
