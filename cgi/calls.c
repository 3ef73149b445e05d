/* calls: the call history page (/calls), the customer and order call
 * feeds, and their CSV export (/calls.csv, /customers/<id>/calls.csv,
 * /orders/<id>/calls.csv). Filters live in the URL, so a filtered view can
 * be shared and the back button works; pagination is by keyset, never
 * COUNT(*) or OFFSET; the export streams keyset chunks of CSV_CHUNK rows.
 * Which filter is served by which index: lib/db/call.h. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/access.h"
#include "core/log.h"
#include "core/strparse.h"
#include "core/timefmt.h"
#include "core/utf8.h"
#include "db/call.h"
#include "db/calllists.h"
#include "db/savedfilter.h"
#include "http/app.h"
#include "http/call_labels.h"
#include "http/csv.h"
#include "http/dial_link.h"
#include "http/phone_view.h"
#include "http/escape.h"
#include "phone/phone.h"
#include "tmpl/rows.h"
#include "db/transcript.h"

#define PAGE_SIZE 50
#define CSV_CHUNK 1000
#define TEXT_MAX 128          /* longest text filter (external_id's width) */
#define TALK_MAX 864000       /* ten days: the hook's own cap */

static const char *const db_down = N_("The database is not answering. "
    "Try again in a minute.");

/* Query parameters this page understands; anything else gets a notice. */
static const char *const known_params[] = {
	"q", "q_mode", "q_not", "contact", "manager", "integration",
	"our_number", "our_number_mode", "our_number_not", "direction",
	"result", "talk_min", "talk_max", "recording", "from", "to",
	"external_id", "external_id_mode", "external_id_not", "sort",
	"before", "back", "format", "sep", "outcome", "store", "said", NULL
};

static const char *const directions[] = { "in", "out", "internal", NULL };
static const char *const results[] = {
	"answered", "missed", "busy", "failed", "no_answer", "unknown", NULL
};
/* Index = enum call_outcome (the analytics page links with these). */
static const char *const outcomes[] = {
	"", "answered", "missed", "other", NULL
};
/* Index = enum call_match. */
static const char *const modes[] = {
	"", "exact", "begins", "ends", "contains", NULL
};
/* Index = enum call_sort. */
static const char *const sorts[] = {
	"time_desc", "time_asc", "talk_desc", "talk_asc", NULL
};

/* One request's listing: the filter and what it borrows. */
struct listing {
	struct call_filter f;
	int64_t contact_ids[CALL_CONTACT_MAX];
	bool none;            /* a filter that can match nothing (no contact) */
	bool bounded;         /* an indexed filter or a date range is set */
	/* Whose calls' transcripts the user may read here (issue 22,
	 * access_transcript_list_manager): -1 none, 0 all, else that
	 * manager's; the summary column and the "said" search follow it. */
	int64_t transcripts_of;
	char said[TRANSCRIPT_SAID_MAX * 2];   /* the BOOLEAN MODE query */
	/* The rows' manager and integration names come from these (the
	 * process's copy of the page's lists, db/calllists.h) rather than from
	 * two more joins per row. Borrowed for the request. */
	const struct call_lists *lists;
	/* CSV: the last UTC minute converted and its local time. */
	struct csv_clock {
		char utc[17];
		char local[32];
	} clock;
};

static int
index_of(const char *v, const char *const *set)
{
	int i;

	for (i = 0; set[i]; i++)
		if (strcmp(v, set[i]) == 0)
			return i;
	return -1;
}

static const char *
nonempty(const char *s)
{
	return s && *s ? s : NULL;
}

static void
add_flag(struct ctx *ctx, struct json_object *o, const char *prefix,
    const char *v)
{
	json_object_object_add(o, arena_printf(ctx->arena, "%s%s", prefix, v),
	    json_object_new_boolean(1));
}

static bool
param_on(struct ctx *ctx, const char *name)
{
	const char *v = nonempty(app_param(ctx, name));

	return v && strcmp(v, "0") != 0;
}

/* A text filter's mode and "not" from <name>_mode and <name>_not. */
static enum cb_err
read_mode(struct ctx *ctx, const char *name, enum call_match dflt,
    struct call_text *t, struct json_object *filters)
{
	const char *v = nonempty(app_param(ctx, arena_printf(ctx->arena,
	    "%s_mode", name)));
	int m = dflt;

	if (v && (m = index_of(v, modes)) <= 0) {
		ctx->message = app_fill(ctx, _("The match for \"{name}\" "
		    "must be exact, begins, ends or contains."), "{name}", name,
		    (const char *)NULL);
		return CB_EINVAL;
	}
	t->mode = (enum call_match)m;
	t->negate = param_on(ctx, arena_printf(ctx->arena, "%s_not", name));
	add_flag(ctx, filters, arena_printf(ctx->arena, "%s_is_", name),
	    modes[m]);
	json_object_object_add(filters, arena_printf(ctx->arena, "%s_not",
	    name), json_object_new_boolean(t->negate));
	return CB_OK;
}

/* why: the sentence when the value is not an id (one per kind: the noun's
 * case is the translator's). */
static enum cb_err
read_id(struct ctx *ctx, const char *name, int64_t *out, const char *why)
{
	const char *v = nonempty(app_param(ctx, name));

	if (v == NULL)
		return CB_OK;
	if (strparse_i64z(v, 1, INT64_MAX, out) != CB_OK) {
		ctx->message = _(why);
		return CB_EINVAL;
	}
	return CB_OK;
}

/* A talk time as people write it (issue 18): "90", "1:30" or "1:02:03".
 * After the first part, minutes and seconds are two digits below 60. */
static enum cb_err
talk_parse(const char *v, int64_t *out)
{
	int64_t total = 0, part;
	const char *p = v, *colon;
	int parts = 0;
	char buf[16];
	size_t n;

	for (;;) {
		colon = strchr(p, ':');
		n = colon ? (size_t)(colon - p) : strlen(p);
		if (n == 0 || n >= sizeof(buf) || ++parts > 3)
			return CB_EINVAL;
		memcpy(buf, p, n);
		buf[n] = '\0';
		if (strparse_i64z(buf, 0, TALK_MAX, &part) != CB_OK ||
		    (parts > 1 && (n != 2 || part > 59)))
			return CB_EINVAL;
		total = total * 60 + part;
		if (total > TALK_MAX)
			return CB_EINVAL;
		if (colon == NULL)
			break;
		p = colon + 1;
	}
	*out = total;
	return CB_OK;
}

static enum cb_err
read_talk(struct ctx *ctx, const char *name, int64_t *out,
    struct json_object *filters)
{
	const char *v = nonempty(app_param(ctx, name));

	*out = -1;
	if (v == NULL)
		return CB_OK;
	if (talk_parse(v, out) != CB_OK) {
		ctx->message = _("A talk time is seconds (90) or minutes and "
		    "seconds (1:30), or h:mm:ss; at most ten days.");
		return CB_EINVAL;
	}
	app_add_str(filters, name, v);
	return CB_OK;
}

/* Keeps digits and letters and the characters of a call id; drops the
 * spaces, dashes and brackets people type inside phone numbers. */
static const char *
squeeze_number(struct ctx *ctx, const char *v)
{
	char *out = arena_alloc(ctx->arena, strlen(v) + 1), *o = out;

	for (; *v; v++)
		if (!strchr(" -().\t", *v))
			*o++ = *v;
	*o = '\0';
	return out;
}

/* The client number: "ends" (default) and "exact" on the E.164 form when
 * the text is a whole number in any format, else on its digits. */
static enum cb_err
read_number(struct ctx *ctx, struct listing *l, struct json_object *filters,
    struct json_object *notices)
{
	const char *v = nonempty(app_param(ctx, "q"));
	char norm[PHONE_MAX], *rev = arena_alloc(ctx->arena, PHONE_MAX);
	bool whole = false;
	size_t n;
	enum cb_err rc;

	if ((rc = read_mode(ctx, "q", MATCH_ENDS, &l->f.number, filters)) !=
	    CB_OK)
		return rc;
	if (v == NULL) {
		l->f.number.mode = MATCH_NONE;
		return CB_OK;
	}
	app_add_str(filters, "q", v);
	/* Only spaces and separators: nothing was typed, as with an empty
	 * box, but say so (the box shows the text). */
	if (v[strspn(v, " -().\t/")] == '\0') {
		l->f.number.mode = MATCH_NONE;
		json_object_array_add(notices, app_jstr(_("The number box had "
		    "no digits; it was ignored.")));
		return CB_OK;
	}
	if (l->f.number.mode != MATCH_BEGINS && l->f.number.mode !=
	    MATCH_CONTAINS && phone_normalize(v, strlen(v),
	    ctx->cfg->default_country, norm, sizeof(norm)) == PHONE_E164) {
		n = phone_digits_rev(norm, strlen(norm), rev, PHONE_MAX);
		whole = true;
	} else
		n = phone_digits_rev(v, strlen(v), rev, PHONE_MAX);
	/* "+", "0", "+00": in every number (or no digit at all). */
	if (l->f.number.mode == MATCH_CONTAINS &&
	    strspn(rev, "0") == n && strchr(v, '+') != NULL) {
		ctx->message = _("\"Contains +\" or \"contains 0\" matches "
		    "nearly every call: type some more digits of the number.");
		return CB_EINVAL;
	}
	if (l->f.number.mode == MATCH_CONTAINS && n > 0 &&
	    strspn(rev, "0") == n) {
		ctx->message = _("\"Contains 0\" matches nearly every call: "
		    "type some more digits of the number.");
		return CB_EINVAL;
	}
	if (n == 0) {
		ctx->message = strchr(v, '+') ? _("\"+\" alone matches every "
		    "number: type some digits of the number.") :
		    _("Search by number needs some digits.");
		return CB_EINVAL;
	}
	l->f.number.value = rev;
	/* 4 digits or more: a range of call_number_grams. Fewer: a LIKE on
	 * the calls another filter bounds (read_filter refuses it alone). */
	if (db_call_grams_on(&l->f.number))
		l->bounded = true;
	else if (l->f.number.mode == MATCH_CONTAINS && !l->f.number.negate)
		json_object_array_add(notices, app_jstr(app_fill_n(ctx,
		    ngettext("Fewer than {n} digit is not indexed: the calls "
		    "of the other filters are read one by one. Type {n} digit "
		    "or more for a fast search.", "Fewer than {n} digits are "
		    "not indexed: the calls of the other filters are read one "
		    "by one. Type {n} digits or more for a fast search.",
		    CALL_GRAM_LEN), CALL_GRAM_LEN)));
	/* A complete number in "ends" (the default): every call of that
	 * number is a range of ix_calls_client_digits_rev, but in digit order,
	 * so the page sorted all of them (2,434 for one demo customer at 1M
	 * calls: 1.1 ms of the server's CPU per page). Unless a longer stored
	 * number also ends with these digits (checked on a range that is
	 * nearly always empty), "ends" matches the same calls as "exact",
	 * which the index gives newest first with no sort. */
	if (whole && !l->f.number.negate && l->f.number.mode == MATCH_ENDS) {
		/* Asked in the rows' own query (list_first()): its round
		 * trip was 7 % of callboard-calls on a phone search. */
		l->f.number.mode = MATCH_EXACT;
		l->f.number_longer_col = true;
	}
	/* "ends" and "exact" are ranges of ix_calls_client_digits_rev. */
	if (!l->f.number.negate && (l->f.number.mode == MATCH_ENDS ||
	    l->f.number.mode == MATCH_EXACT))
		l->bounded = true;
	return CB_OK;
}

static enum cb_err
read_text(struct ctx *ctx, const char *name, enum call_match dflt,
    struct call_text *t, struct json_object *filters, bool phone)
{
	const char *v = nonempty(app_param(ctx, name));
	enum cb_err rc;

	if ((rc = read_mode(ctx, name, dflt, t, filters)) != CB_OK)
		return rc;
	if (v == NULL) {
		t->mode = MATCH_NONE;
		return CB_OK;
	}
	if (strlen(v) > TEXT_MAX) {
		ctx->message = app_fill(ctx, ngettext("The \"{name}\" filter "
		    "is at most {n} character.", "The \"{name}\" filter is at "
		    "most {n} characters.", TEXT_MAX), "{name}", name, "{n}",
		    arena_printf(ctx->arena, "%d", TEXT_MAX),
		    (const char *)NULL);
		return CB_EINVAL;
	}
	app_add_str(filters, name, v);
	t->value = v;
	if (phone) {
		char norm[PHONE_MAX];
		/* our_number is stored E.164: a whole number typed in any
		 * format matches exactly; parts are compared as typed
		 * without the formatting characters. */
		if (t->mode == MATCH_EXACT && phone_normalize(v, strlen(v),
		    ctx->cfg->default_country, norm, sizeof(norm)) ==
		    PHONE_E164)
			t->value = arena_strdup(ctx->arena, norm);
		else
			t->value = squeeze_number(ctx, v);
	}
	return CB_OK;
}

static enum cb_err
read_date(struct ctx *ctx, const char *name, bool end, const char **out,
    struct json_object *filters)
{
	const char *tz = ctx->user->time_zone;
	const char *v = nonempty(app_param(ctx, name));
	char *utc;

	if (v == NULL)
		return CB_OK;
	utc = arena_alloc(ctx->arena, 32);
	if (time_local_to_utc(end && strlen(v) == 10 ? arena_printf(
	    ctx->arena, "%s 23:59", v) : v, tz, utc, 32) != CB_OK) {
		ctx->message = app_fill(ctx, _("The \"{name}\" date must "
		    "look like 2026-11-23 or 2026-11-23 14:30."), "{name}",
		    name, (const char *)NULL);
		return CB_EINVAL;
	}
	/* "to" includes its whole last minute: HH:MM:59.999. */
	*out = end ? arena_printf(ctx->arena, "%.17s59.999", utc) : utc;
	app_add_str(filters, name, v);
	return CB_OK;
}

static enum cb_err
read_cursor(struct ctx *ctx, struct call_filter *f)
{
	const char *v = nonempty(app_param(ctx, "before"));
	const char *comma;
	char at[32];

	if (v == NULL)
		return CB_OK;
	comma = strrchr(v, ',');
	if (comma == NULL || (size_t)(comma - v) >= sizeof(at) ||
	    strparse_i64z(comma + 1, 1, INT64_MAX, &f->cursor_id) != CB_OK)
		goto broken;
	memcpy(at, v, (size_t)(comma - v));
	at[comma - v] = '\0';
	if (f->sort == SORT_TALK_DESC || f->sort == SORT_TALK_ASC) {
		if (strparse_i64z(at, 0, INT64_MAX, &f->cursor_talk) != CB_OK)
			goto broken;
	} else {
		if (time_local_to_utc(at, "UTC", at, sizeof(at)) != CB_OK)
			goto broken;
		f->cursor_at = arena_strndup(ctx->arena, v,
		    (size_t)(comma - v));
	}
	f->has_cursor = true;
	return CB_OK;
broken:
	ctx->message = _("The page link is broken; start again from the "
	    "first page.");
	return CB_EINVAL;
}

/* A text filter that only a scan can answer: "contains" or the other
 * unindexed mode, not negated ("not" matches most rows, so a page fills
 * fast). */
static bool
scan_only(const struct call_text *t, enum call_match unindexed)
{
	return t->value && !t->negate && (t->mode == MATCH_CONTAINS ||
	    t->mode == unindexed);
}

/* said=<words>: calls whose transcript (or summary) has every word
 * (issue 22; MariaDB FULLTEXT in BOOLEAN MODE, db/transcript.h). Only for
 * users who may read those transcripts, and only over the calls whose
 * transcripts they may read. */
static enum cb_err
read_said(struct ctx *ctx, struct listing *l, struct json_object *filters,
    struct json_object *notices)
{
	const char *v = nonempty(app_param(ctx, "said"));
	char shorts[TRANSCRIPT_SAID_MAX], stops[TRANSCRIPT_SAID_MAX];

	/* An empty box (the form sends it with every filter) is no filter;
	 * blanks only are said, as for the number box. */
	if (v == NULL)
		return CB_OK;
	if (v[strspn(v, " \t\r\n")] == '\0') {
		json_object_array_add(notices, app_jstr(_("The \"words said\" "
		    "box was empty; it was ignored.")));
		return CB_OK;
	}
	if (strlen(v) > TRANSCRIPT_SAID_MAX) {
		ctx->message = app_fill_n(ctx, ngettext("The \"words said\" "
		    "search is at most {n} character.", "The \"words said\" "
		    "search is at most {n} characters.", TRANSCRIPT_SAID_MAX),
		    TRANSCRIPT_SAID_MAX);
		return CB_EINVAL;
	}
	if (l->transcripts_of < 0) {
		ctx->message = _("Your role does not allow reading "
		    "transcripts, so it cannot search what was said in calls.");
		return CB_EDENIED;
	}
	app_add_str(filters, "said", v);
	transcript_said_query(v, l->said, sizeof(l->said), shorts,
	    sizeof(shorts), stops, sizeof(stops));
	if (l->said[0] == '\0') {
		ctx->message = app_fill(ctx, ngettext("Nothing to search for "
		    "in \"{words}\": words shorter than {n} letter and very "
		    "common words (the, and, with...) are not indexed. Type a "
		    "longer word that was said in the call.", "Nothing to "
		    "search for in \"{words}\": words shorter than {n} "
		    "letters and very common words (the, and, with...) are not "
		    "indexed. Type a longer word that was said in the call.",
		    TRANSCRIPT_WORD_MIN), "{words}", v, "{n}",
		    arena_printf(ctx->arena, "%d",
		    TRANSCRIPT_WORD_MIN), (const char *)NULL);
		return CB_EINVAL;
	}
	if (shorts[0])
		json_object_array_add(notices, app_jstr(app_fill(ctx,
		    ngettext("Words shorter than {n} letter are not searched: "
		    "{words}.", "Words shorter than {n} letters are not "
		    "searched: {words}.", TRANSCRIPT_WORD_MIN), "{n}",
		    arena_printf(ctx->arena, "%d",
		    TRANSCRIPT_WORD_MIN), "{words}", shorts,
		    (const char *)NULL)));
	if (stops[0])
		json_object_array_add(notices, app_jstr(app_fill(ctx,
		    _("Very common words are not searched: {words}."),
		    "{words}", stops, (const char *)NULL)));
	l->f.said = l->said;
	l->bounded = true;
	return CB_OK;
}

/* The said search over only the user's own calls when that is all the
 * transcripts they may read (after apply_scope()). */
static void
said_scope(struct ctx *ctx, struct listing *l, struct json_object *m)
{
	struct json_object *notices;

	if (l->f.said == NULL || l->transcripts_of <= 0 ||
	    l->f.manager_id == l->transcripts_of)
		return;
	if (l->f.manager_id && l->f.manager_id != l->transcripts_of)
		l->none = true;
	l->f.manager_id = l->transcripts_of;
	if (json_object_object_get_ex(m, "notices", &notices))
		json_object_array_add(notices, app_jstr(_("Your role reads the "
		    "transcripts of your own calls only: the words-said search "
		    "covers your calls.")));
	(void)ctx;
}

/* Reads and validates the filters. CB_EINVAL with ctx->message set when a
 * value cannot be used. */
static enum cb_err
read_filter(struct ctx *ctx, struct listing *l, struct json_object *m)
{
	struct call_filter *f = &l->f;
	struct json_object *filters = json_object_new_object();
	struct json_object *notices = json_object_new_array();
	const char *v;
	enum cb_err rc;
	size_t i;
	int k;

	json_object_object_add(m, "filters", filters);
	json_object_object_add(m, "notices", notices);
	for (i = 0; i < ctx->req->query.n; i++) {
		const char *key = ctx->req->query.v[i].key;
		if (index_of(key, known_params) < 0)
			json_object_array_add(notices, app_jstr(app_fill(ctx,
			    _("Unknown filter \"{name}\" was ignored."),
			    "{name}", key, (const char *)NULL)));
	}

	f->limit = PAGE_SIZE + 1; /* one extra row tells if there is more */
	f->talk_min = f->talk_max = -1;
	f->kept_version = ctx->user->lists_version;
	if ((v = nonempty(app_param(ctx, "direction"))) != NULL) {
		if (index_of(v, directions) < 0) {
			ctx->message = _("Direction must be in, out or "
			    "internal.");
			return CB_EINVAL;
		}
		f->direction = v;
		app_add_str(filters, "direction", v);
		add_flag(ctx, filters, "is_", v);
		l->bounded = true;
	}
	if ((v = nonempty(app_param(ctx, "result"))) != NULL) {
		if (index_of(v, results) < 0) {
			ctx->message = _("Unknown call result in the filter.");
			return CB_EINVAL;
		}
		f->result = v;
		app_add_str(filters, "result", v);
		add_flag(ctx, filters, "is_", v);
		l->bounded = true;
	}
	/* A class of results: the analytics page's figures link here
	 * (issue 21), so the counts match. */
	if ((v = nonempty(app_param(ctx, "outcome"))) != NULL) {
		if ((k = index_of(v, outcomes)) <= 0) {
			ctx->message = _("Outcome must be answered, missed or "
			    "other.");
			return CB_EINVAL;
		}
		f->outcome = (enum call_outcome)k;
		app_add_str(filters, "outcome", v);
		l->bounded = true;
	}
	if ((rc = read_id(ctx, "store", &f->store_id,
	    N_("Pick the store from the list."))) != CB_OK)
		return rc;
	if (f->store_id)
		app_add_str(filters, "store", app_param(ctx, "store"));
	if ((rc = read_id(ctx, "manager", &f->manager_id,
	    N_("Pick the manager from the list."))) != CB_OK ||
	    (rc = read_id(ctx, "integration", &f->integration_id,
	    N_("Pick the integration from the list."))) != CB_OK)
		return rc;
	if (f->manager_id || f->integration_id)
		l->bounded = true;
	if ((rc = read_number(ctx, l, filters, notices)) != CB_OK)
		return rc;
	if ((rc = read_text(ctx, "our_number", MATCH_EXACT, &f->our_number,
	    filters, true)) != CB_OK)
		return rc;
	if ((rc = read_text(ctx, "external_id", MATCH_EXACT, &f->external_id,
	    filters, false)) != CB_OK)
		return rc;
	/* Exact and begins (not negated) are ranges of ix_calls_external and
	 * ix_calls_our_number_started. */
	if ((f->our_number.mode == MATCH_EXACT || f->our_number.mode ==
	    MATCH_BEGINS) && !f->our_number.negate)
		l->bounded = true;
	if ((f->external_id.mode == MATCH_EXACT || f->external_id.mode ==
	    MATCH_BEGINS) && !f->external_id.negate)
		l->bounded = true;
	if ((v = nonempty(app_param(ctx, "contact"))) != NULL) {
		unsigned n;
		if (strlen(v) > TEXT_MAX) {
			ctx->message = app_fill_n(ctx, ngettext("A contact "
			    "name search is at most {n} character.", "A contact "
			    "name search is at most {n} characters.", TEXT_MAX),
			    TEXT_MAX);
			return CB_EINVAL;
		}
		app_add_str(filters, "contact", v);
		/* Name prefix → at most CALL_CONTACT_MAX customer ids on
		 * ix_customers_name → customer_id IN (...) on
		 * ix_calls_customer_started. */
		if ((rc = db_call_contact_ids(ctx->db, v, l->contact_ids,
		    CALL_CONTACT_MAX, &n)) != CB_OK) {
			ctx->message = _(db_down);
			return rc;
		}
		if (n == 0)
			l->none = true;
		if (n == CALL_CONTACT_MAX)
			json_object_array_add(notices, app_jstr(app_fill_n(ctx,
			    ngettext("{n} contact or more match the name; only "
			    "the first {n} is searched. Type more of the name.",
			    "{n} contacts or more match the name; only the "
			    "first {n} are searched. Type more of the name.",
			    CALL_CONTACT_MAX), CALL_CONTACT_MAX)));
		f->customer_ids = l->contact_ids;
		f->ncustomer_ids = n;
		l->bounded = true;
	}
	if ((rc = read_said(ctx, l, filters, notices)) != CB_OK)
		return rc;
	if ((rc = read_talk(ctx, "talk_min", &f->talk_min, filters)) != CB_OK ||
	    (rc = read_talk(ctx, "talk_max", &f->talk_max, filters)) != CB_OK)
		return rc;
	if (f->talk_min >= 0 && f->talk_max >= 0 && f->talk_min > f->talk_max) {
		ctx->message = _("The shortest duration is longer than the "
		    "longest one.");
		return CB_EINVAL;
	}
	if ((v = nonempty(app_param(ctx, "recording"))) != NULL) {
		if (strcmp(v, "yes") == 0)
			f->recording = REC_YES;
		else if (strcmp(v, "no") == 0)
			f->recording = REC_NO;
		else {
			ctx->message = _("The recording filter is yes or no.");
			return CB_EINVAL;
		}
		app_add_str(filters, "recording", v);
		add_flag(ctx, filters, "recording_", v);
	}
	if ((rc = read_date(ctx, "from", false, &f->from_utc, filters)) !=
	    CB_OK || (rc = read_date(ctx, "to", true, &f->to_utc, filters)) !=
	    CB_OK)
		return rc;
	if (f->from_utc || f->to_utc)
		l->bounded = true;
	if ((v = nonempty(app_param(ctx, "sort"))) != NULL) {
		if ((k = index_of(v, sorts)) < 0) {
			ctx->message = _("Sort by time_desc, time_asc, "
			    "talk_desc or talk_asc.");
			return CB_EINVAL;
		}
		f->sort = (enum call_sort)k;
	}
	add_flag(ctx, filters, "sort_", sorts[f->sort]);
	if ((rc = read_cursor(ctx, f)) != CB_OK)
		return rc;
	/* "contains" (and the suffix/prefix modes no B-tree can serve) is a
	 * post-filter on an ordered scan: on a history of millions it must
	 * ride with a date range or an indexed filter (or the feed's
	 * customer/order), or one page could read the whole table. A client
	 * number "contains" of CALL_GRAM_LEN digits is such an indexed
	 * filter itself (read_number). */
	if (!l->bounded && !f->customer_id && !f->order_id &&
	    ((scan_only(&f->number, MATCH_BEGINS) &&
	    !db_call_grams_on(&f->number)) ||
	    scan_only(&f->our_number, MATCH_ENDS) ||
	    scan_only(&f->external_id, MATCH_ENDS))) {
		ctx->message = app_fill_n(ctx, ngettext("A \"contains\" "
		    "search of fewer than {n} digit, or an \"ends\" search of "
		    "a line or call id, reads calls one by one: type {n} digit "
		    "or more, or add a date range (From/To), a manager, a line "
		    "or a contact to it.", "A \"contains\" search of fewer "
		    "than {n} digits, or an \"ends\" search of a line or call "
		    "id, reads calls one by one: type {n} digits or more, or "
		    "add a date range (From/To), a manager, a line or a "
		    "contact to it.", CALL_GRAM_LEN), CALL_GRAM_LEN);
		return CB_EINVAL;
	}
	return CB_OK;
}

/* Labels of every row: translated once per language (i18n_memo). */
static const char *rec_memo[3][LANG__MAX];

/* The contact shown for a row: the customer, else the lead, else the
 * caller's name from the PBX; NULL when unknown. */
static const char *
row_contact(struct db_stmt *st)
{
	const char *name;

	if (!db_col_null(st, CALL_CUSTOMER_ID))
		return db_col(st, CALL_CUSTOMER_NAME, NULL);
	if ((name = db_col(st, CALL_LEAD_NAME, NULL)) != NULL)
		return name;
	if ((name = db_col(st, CALL_CLIENT_NAME, NULL)) != NULL && *name)
		return name;
	return NULL;
}

/* A row of the page: the keys of the model's "calls" for calls.html and
 * ?format=json. A table of cells (tmpl/rows.h), not a json-c object per
 * row: building, reading and freeing those was half of this program's
 * instructions on a page. The order is the JSON's key order: the order the
 * json-c rows got their keys in, so the JSON stays byte for byte the same.
 * Index = enum row_col. */
enum row_col {
	ROW_ID, ROW_TIME, ROW_STARTED_AT_UTC, ROW_DIRECTION,
	ROW_DIRECTION_LABEL, ROW_RESULT, ROW_RESULT_LABEL, ROW_OK, ROW_NUMBER,
	ROW_NUMBER_URL, ROW_CONTACT, ROW_CUSTOMER_ID, ROW_CONTACT_URL,
	ROW_UNKNOWN, ROW_MANAGER_ID, ROW_MANAGER, ROW_EXTENSION,
	ROW_INTEGRATION_ID, ROW_INTEGRATION, ROW_PROVIDER, ROW_OUR_NUMBER,
	ROW_EXTERNAL_ID, ROW_TALK, ROW_TALK_SECONDS, ROW_WAIT_SECONDS,
	ROW_COMMENT, ROW_RECORDING_STATE, ROW_RECORDING_URL, ROW_DOWNLOAD_URL,
	ROW_RECORDING_NOTE, ROW_CARD_URL, ROW_CREATE_ORDER_URL,
	ROW_CREATE_CUSTOMER_URL, ROW_RECORDED, ROW_NUMBER_WITHHELD,
	ROW_SUMMARY, ROW_TRANSCRIPT, ROW_NUMBER_SHOWN, ROW_TIME_SHOWN,
	ROW_ORDER_ID, ROW_ORDER_NUMBER, ROW_ORDER_URL,
	ROW_LEAD_ID, ROW_LEAD_NUMBER, ROW_LEAD_URL, ROW_TRANSCRIPT_LABEL,
	ROW__MAX
};

static const char *const row_cols[ROW__MAX] = {
	"id", "time", "started_at_utc", "direction",
	"direction_label", "result", "result_label", "ok", "number",
	"number_url", "contact", "customer_id", "contact_url",
	"unknown", "manager_id", "manager", "extension",
	"integration_id", "integration", "provider", "our_number",
	"external_id", "talk", "talk_seconds", "wait_seconds",
	"comment", "recording_state", "recording_url", "download_url",
	"recording_note", "card_url", "create_order_url",
	"create_customer_url", "recorded", "number_withheld",
	"summary", "transcript", "number_shown", "time_shown",
	"order_id", "order_number", "order_url",
	"lead_id", "lead_number", "lead_url", "transcript_label"
};

static bool
row_withheld(struct db_stmt *st)
{
	return db_col_i64(st, CALL_CLIENT_WITHHELD) != 0;
}

/* The text in link as a row's cell. The rows' links are built in one
 * buffer that the page reuses (buf_reset), digits without printf:
 * arena_printf() and buf_printf() format twice each (a vsnprintf to
 * measure, one to write), and they were 15 % of callboard-calls'
 * instructions on a page. */
static void
row_link(struct tmpl_rows *rows, enum row_col col, const struct buf *link)
{
	if (link->err == CB_OK)
		tmpl_rows_strn(rows, col, buf_cstr(link), link->len);
	else
		tmpl_rows_null(rows, col);
}

/* "/calls/<id><tail>" into link, then "<sep>from=<from>" when the row is
 * shown in a feed (from: the recording program checks that page). */
static void
call_link(struct buf *link, int64_t id, const char *tail, char sep,
    const char *from)
{
	buf_reset(link);
	buf_puts(link, "/calls/");
	buf_put_i64(link, id);
	buf_puts(link, tail);
	if (from) {
		buf_putc(link, sep);
		buf_puts(link, "from=");
		buf_puts(link, from);
	}
}

/* "Create customer" for an unknown number, "Create order" for a known
 * customer: links to the CRM's create forms, which link this call; only
 * for roles that may create them (lib/auth/access.h). */
static void
row_actions(const struct user *u, struct tmpl_rows *c, struct db_stmt *st,
    struct buf *link, const char *number, int64_t id)
{
	const char *dir = db_col(st, CALL_DIRECTION, NULL);
	bool customer = !db_col_null(st, CALL_CUSTOMER_ID);

	if (number == NULL || *number == '\0' || dir == NULL ||
	    strcmp(dir, "internal") == 0)
		return;
	if (!access_record_any(u, customer ? ACCESS_ORDER : ACCESS_CUSTOMER,
	    ACCESS_EDIT))
		return;
	buf_reset(link);
	if (!customer)
		buf_puts(link, "/customers/new?phone=");
	else {
		buf_puts(link, "/orders/new?customer=");
		buf_put_i64(link, db_col_i64(st, CALL_CUSTOMER_ID));
		buf_puts(link, "&phone=");
	}
	url_component(link, number, strlen(number));
	buf_puts(link, "&call=");
	buf_put_i64(link, id);
	if (link->err == CB_OK)
		row_link(c, customer ? ROW_CREATE_ORDER_URL :
		    ROW_CREATE_CUSTOMER_URL, link);
}

/* What the call is linked to (issue 18): "Order A-1001" / "Lead #7" in
 * the row, linking to the CRM page (cgi/crm.c), with its id in the JSON.
 * Only where the viewer may open that record: the rule of the CRM pages
 * and the customer's lists (access_record() with the record's manager);
 * otherwise the row says nothing about it (null keys, in the page and
 * the JSON alike). The order is named by order_label(), a lead by its
 * id. One description per kind, one helper for both. */
struct linked_kind {
	enum access_kind kind;
	enum call_col id_col, manager_col;
	enum row_col id_slot, label_slot, url_slot;
	const char *path;          /* "/orders/": the CRM page, id after */
	/* The record's name in the row. */
	void (*label)(struct db_stmt *st, int64_t id, char *out, size_t outsz);
};

static void
linked_order_label(struct db_stmt *st, int64_t id, char *out, size_t outsz)
{
	order_label(out, outsz, db_col(st, CALL_ORDER_NUMBER, NULL), id);
}

static void
linked_lead_label(struct db_stmt *st, int64_t id, char *out, size_t outsz)
{
	(void)st;
	snprintf(out, outsz, "#%lld", (long long)id);
}

static const struct linked_kind linked_kinds[] = {
	{ ACCESS_ORDER, CALL_ORDER_ID, CALL_ORDER_MANAGER_ID, ROW_ORDER_ID,
	    ROW_ORDER_NUMBER, ROW_ORDER_URL, "/orders/", linked_order_label },
	{ ACCESS_LEAD, CALL_LEAD_ID, CALL_LEAD_MANAGER_ID, ROW_LEAD_ID,
	    ROW_LEAD_NUMBER, ROW_LEAD_URL, "/leads/", linked_lead_label },
};

/* The three slots of one linked record: its id, its name and its URL,
 * or three nulls when there is none or the viewer may not open it. */
static void
row_linked_record(const struct user *u, struct tmpl_rows *c,
    struct db_stmt *st, struct buf *link, const struct linked_kind *k)
{
	int64_t id;
	char label[48];

	if (db_col_null(st, k->id_col) || !access_record(u, k->kind,
	    ACCESS_VIEW, db_col_i64(st, k->manager_col))) {
		tmpl_rows_null(c, k->id_slot);
		tmpl_rows_null(c, k->label_slot);
		tmpl_rows_null(c, k->url_slot);
		return;
	}
	id = db_col_i64(st, k->id_col);
	tmpl_rows_i64(c, k->id_slot, id);
	k->label(st, id, label, sizeof(label));
	buf_reset(link);
	buf_puts(link, label);
	row_link(c, k->label_slot, link);
	buf_reset(link);
	buf_puts(link, k->path);
	buf_put_i64(link, id);
	row_link(c, k->url_slot, link);
}

static void
row_linked(const struct user *u, struct tmpl_rows *c, struct db_stmt *st,
    struct buf *link)
{
	size_t i;

	for (i = 0; i < sizeof(linked_kinds) / sizeof(linked_kinds[0]); i++)
		row_linked_record(u, c, st, link, &linked_kinds[i]);
}

/* from: the feed a row is shown in ("customer:7", "order:9") or NULL for
 * the history: the recording program checks the permission of that page. */
static void
call_row(struct ctx *ctx, const struct listing *l, struct db_stmt *st,
    const char *from, struct buf *link, struct tmpl_rows *c)
{
	const struct call_list_item *mgr = db_col_null(st, CALL_MANAGER_ID) ?
	    NULL : call_lists_user(l->lists, db_col_i64(st, CALL_MANAGER_ID));
	const struct call_list_item *integ = call_lists_integration(l->lists,
	    db_col_i64(st, CALL_INTEGRATION_ID));
	const char *started = db_col(st, CALL_STARTED_AT, NULL);
	const char *result = db_col(st, CALL_RESULT, NULL);
	const char *dir = db_col(st, CALL_DIRECTION, NULL);
	bool withheld = row_withheld(st);
	const char *number = withheld ? NULL :
	    db_col(st, CALL_CLIENT_NUMBER, NULL);
	const char *rec = db_col(st, CALL_RECORDING_STATE, NULL);
	const char *viewer = phone_viewer_region(ctx);
	char local[32], when[48], dur[32];
	int64_t id = db_col_i64(st, CALL_ID);

	tmpl_rows_i64(c, ROW_ID, id);
	if (time_utc_to_local(started, ctx->user->time_zone, local,
	    sizeof(local)) != CB_OK)
		snprintf(local, sizeof(local), "%s", started ? started : "");
	tmpl_rows_str(c, ROW_TIME, local);
	/* time stays ISO for JSON and <time datetime>; people read
	 * time_shown in their language (issue 18): a snprintf, no lookup. */
	i18n_format_datetime(ctx->lang, local, when, sizeof(when));
	tmpl_rows_str(c, ROW_TIME_SHOWN, when);
	tmpl_rows_str(c, ROW_STARTED_AT_UTC, started);
	tmpl_rows_str(c, ROW_DIRECTION, dir);
	tmpl_rows_str(c, ROW_DIRECTION_LABEL, call_direction_label(dir ? dir : ""));
	tmpl_rows_str(c, ROW_RESULT, result);
	tmpl_rows_str(c, ROW_RESULT_LABEL, call_result_label(result ? result : ""));
	tmpl_rows_bool(c, ROW_OK, result && strcmp(result, "answered") == 0);
	tmpl_rows_str(c, ROW_NUMBER, withheld ? call_withheld_label() :
	    number);
	/* number stays E.164 for JSON clients; people read number_shown
	 * (issue 18: memoised per process, so a page of repeat callers
	 * costs no libphonenumber work). */
	if (number != NULL) {
		char shown[PHONE_DISPLAY_MAX];
		phone_format(number, viewer, shown, sizeof(shown));
		tmpl_rows_str(c, ROW_NUMBER_SHOWN, shown);
	} else
		tmpl_rows_str(c, ROW_NUMBER_SHOWN, withheld ?
		    call_withheld_label() : NULL);
	tmpl_rows_bool(c, ROW_NUMBER_WITHHELD, withheld);
	if (number && *number) {
		buf_reset(link);
		if (dial_href_put(link, ctx->user, number, id))
			row_link(c, ROW_NUMBER_URL, link);
		else
			tmpl_rows_null(c, ROW_NUMBER_URL);
	}
	tmpl_rows_str(c, ROW_CONTACT, row_contact(st));
	if (!db_col_null(st, CALL_CUSTOMER_ID)) {
		int64_t customer = db_col_i64(st, CALL_CUSTOMER_ID);
		tmpl_rows_i64(c, ROW_CUSTOMER_ID, customer);
		/* The customer's feed, only for roles its route allows. */
		if (perm_has(ctx->user, PERM_CUSTOMERS_CALLS)) {
			buf_reset(link);
			buf_puts(link, "/customers/");
			buf_put_i64(link, customer);
			buf_puts(link, "/calls");
			row_link(c, ROW_CONTACT_URL, link);
		}
	}
	tmpl_rows_bool(c, ROW_UNKNOWN, db_col_null(st, CALL_CUSTOMER_ID));
	if (!db_col_null(st, CALL_MANAGER_ID))
		tmpl_rows_i64(c, ROW_MANAGER_ID, db_col_i64(st, CALL_MANAGER_ID));
	tmpl_rows_str(c, ROW_MANAGER, mgr ? mgr->name : NULL);
	tmpl_rows_str(c, ROW_EXTENSION, db_col(st, CALL_EXTENSION, NULL));
	tmpl_rows_i64(c, ROW_INTEGRATION_ID, db_col_i64(st, CALL_INTEGRATION_ID));
	tmpl_rows_str(c, ROW_INTEGRATION, integ ? integ->name : NULL);
	tmpl_rows_str(c, ROW_PROVIDER, integ ? integ->extra : NULL);
	tmpl_rows_str(c, ROW_OUR_NUMBER, db_col(st, CALL_OUR_NUMBER, NULL));
	tmpl_rows_str(c, ROW_EXTERNAL_ID, db_col(st, CALL_EXTERNAL_ID, NULL));
	time_duration((long)db_col_i64(st, CALL_TALK), dur, sizeof(dur));
	tmpl_rows_str(c, ROW_TALK, dur);
	tmpl_rows_i64(c, ROW_TALK_SECONDS, db_col_i64(st, CALL_TALK));
	tmpl_rows_i64(c, ROW_WAIT_SECONDS, db_col_i64(st, CALL_WAIT));
	tmpl_rows_str(c, ROW_COMMENT, db_col(st, CALL_COMMENT, NULL));
	tmpl_rows_str(c, ROW_RECORDING_STATE, rec);
	if (rec && strcmp(rec, "stored") == 0) {
		/* The links only for roles that may follow them: JSON shows
		 * exactly what the page shows (issue 16 §9). */
		tmpl_rows_bool(c, ROW_RECORDED, true);
		if (perm_has(ctx->user, PERM_RECORDINGS_LISTEN)) {
			call_link(link, id, "/recording", '?', from);
			row_link(c, ROW_RECORDING_URL, link);
		}
		if (perm_has(ctx->user, PERM_RECORDINGS_LISTEN) &&
		    perm_has(ctx->user, PERM_RECORDINGS_DOWNLOAD)) {
			call_link(link, id, "/recording?download=1", '&', from);
			row_link(c, ROW_DOWNLOAD_URL, link);
		}
	} else if (rec && strcmp(rec, "pending") == 0)
		tmpl_rows_str(c, ROW_RECORDING_NOTE, i18n_memo(
		    N_("recording is being fetched"), rec_memo[0]));
	else if (rec && strcmp(rec, "failed") == 0)
		tmpl_rows_str(c, ROW_RECORDING_NOTE, i18n_memo(
		    N_("recording could not be fetched"), rec_memo[1]));
	else
		tmpl_rows_str(c, ROW_RECORDING_NOTE, i18n_memo(
		    N_("no recording"), rec_memo[2]));
	/* The transcript's first summary line and status, only where the
	 * user may read the transcript (issue 22): never more than the
	 * recording they may hear. */
	if (l->transcripts_of == 0 || (l->transcripts_of > 0 &&
	    !db_col_null(st, CALL_MANAGER_ID) && db_col_i64(st,
	    CALL_MANAGER_ID) == l->transcripts_of)) {
		const char *tr = db_col(st, CALL_TRANSCRIPT_STATUS, NULL);

		tmpl_rows_str(c, ROW_SUMMARY, db_col(st, CALL_SUMMARY_HEAD,
		    NULL));
		tmpl_rows_str(c, ROW_TRANSCRIPT, tr);
		tmpl_rows_str(c, ROW_TRANSCRIPT_LABEL, tr ?
		    call_transcript_label(tr) : NULL);
	}
	call_link(link, id, "", '?', NULL);
	row_link(c, ROW_CARD_URL, link);
	row_actions(ctx->user, c, st, link, number, id);
	row_linked(ctx->user, c, st, link);
}

/* This page's query without the cursor and the format: the base of the
 * next-page link and of the CSV link. Ends with '&' unless empty. */
static void
put_query(struct ctx *ctx, struct buf *u)
{
	size_t i;

	for (i = 0; i < ctx->req->query.n; i++) {
		const struct kv *kv = &ctx->req->query.v[i];
		/* The cursor is replaced, and the format stays with the
		 * client that asked for it. */
		if (strcmp(kv->key, "before") == 0 ||
		    strcmp(kv->key, "back") == 0 ||
		    strcmp(kv->key, "format") == 0)
			continue;
		url_component(u, kv->key, strlen(kv->key));
		buf_putc(u, '=');
		url_component(u, kv->val, kv->val_len);
		buf_putc(u, '&');
	}
}

/* "Previous page" on keyset pages (issue 18): each next-page link carries
 * the cursors of the pages before it in back= ("-" for the first page,
 * '|' between them: a cursor never holds one), so the previous page is
 * the last of them. At most BACK_MAX are kept (the oldest go); a longer or
 * odd back= is ignored, and a cursor in it is checked like any before=
 * when followed. */
#define BACK_MAX 30
#define BACK_LEN_MAX 2048

static const char *
back_trail(struct ctx *ctx)
{
	const char *v = app_param(ctx, "back");

	return v && *v && strlen(v) <= BACK_LEN_MAX ? v : NULL;
}

/* The URL of the next page: this page's filters plus the cursor, which is
 * the last row's sort key and id, and the trail back to here. */
static const char *
next_url(struct ctx *ctx, const char *base, const char *key, int64_t id)
{
	const char *trail = back_trail(ctx), *here = app_param(ctx, "before");
	struct buf u;
	const char *r;
	size_t n = 0;

	buf_init(&u, 8192);
	buf_puts(&u, base);
	buf_puts(&u, "?");
	put_query(ctx, &u);
	buf_puts(&u, "before=");
	url_component(&u, key, strlen(key));
	buf_printf(&u, "%%2C%lld&back=", (long long)id);
	if (trail) {
		const char *p;

		for (p = trail; *p; p++)
			n += *p == '|';
		/* Drop the oldest when full. */
		for (p = trail; n + 1 >= BACK_MAX && (p = strchr(p, '|'));
		    n--)
			trail = ++p;
		url_component(&u, trail, strlen(trail));
		buf_puts(&u, "%7C");
	}
	if (here && *here)
		url_component(&u, here, strlen(here));
	else
		buf_putc(&u, '-');
	r = u.err ? NULL : arena_strdup(ctx->arena, buf_cstr(&u));
	buf_free(&u);
	return r;
}

/* The previous page's URL, from back= (NULL on the first page or
 * without a trail). */
static const char *
prev_url(struct ctx *ctx, const char *base)
{
	const char *trail = back_trail(ctx), *last;
	struct buf u;
	const char *r;

	if (trail == NULL || app_param(ctx, "before") == NULL)
		return NULL;
	last = strrchr(trail, '|');
	last = last ? last + 1 : trail;
	buf_init(&u, 8192);
	buf_puts(&u, base);
	buf_puts(&u, "?");
	put_query(ctx, &u);
	if (strcmp(last, "-") != 0) {
		buf_puts(&u, "before=");
		url_component(&u, last, strlen(last));
		if (last != trail) {
			buf_puts(&u, "&back=");
			url_component(&u, trail, (size_t)(last - 1 - trail));
		}
	}
	if (u.len && (u.p[u.len - 1] == '&' || u.p[u.len - 1] == '?'))
		u.len--;
	r = u.err ? NULL : arena_strndup(ctx->arena, u.p, u.len);
	buf_free(&u);
	return r;
}

/* The pager's words follow the sort: "Older calls" after the newest. */
static void
pager_labels(struct json_object *m, enum call_sort sort)
{
	static const char *const next[] = {
		[SORT_TIME_DESC] = N_("Older calls"),
		[SORT_TIME_ASC] = N_("Newer calls"),
		[SORT_TALK_DESC] = N_("Shorter calls"),
		[SORT_TALK_ASC] = N_("Longer calls"),
	};
	static const char *const prev[] = {
		[SORT_TIME_DESC] = N_("Newer calls"),
		[SORT_TIME_ASC] = N_("Older calls"),
		[SORT_TALK_DESC] = N_("Longer calls"),
		[SORT_TALK_ASC] = N_("Shorter calls"),
	};
	/* "Newest" as the link back to the first page of the list. */
	static const char *const first[] = {
		[SORT_TIME_DESC] = N_("Newest"),
		[SORT_TIME_ASC] = N_("Oldest"),
		[SORT_TALK_DESC] = N_("Longest"),
		[SORT_TALK_ASC] = N_("Shortest"),
	};

	app_add_str(m, "next_label", _(next[sort]));
	app_add_str(m, "prev_label", _(prev[sort]));
	app_add_str(m, "first_label", _(first[sort]));
}

/* base + suffix + this page's filters: the CSV link and the first page. */
static const char *
query_url(struct ctx *ctx, const char *base, const char *suffix)
{
	struct buf u;
	const char *r;

	buf_init(&u, 8192);
	buf_puts(&u, base);
	buf_puts(&u, suffix);
	buf_puts(&u, "?");
	put_query(ctx, &u);
	if (u.len && (u.p[u.len - 1] == '&' || u.p[u.len - 1] == '?'))
		u.len--;
	r = u.err ? NULL : arena_strndup(ctx->arena, u.p, u.len);
	buf_free(&u);
	return r;
}

/* The current query for the "save this filter" form (history page only). */
static void
add_save_query(struct ctx *ctx, struct json_object *m)
{
	struct buf q;

	buf_init(&q, SAVEDFILTER_QUERY_MAX + 1);
	put_query(ctx, &q);
	if (q.len && q.p[q.len - 1] == '&')
		q.len--;
	if (q.err == CB_OK && q.len > 0)
		app_add_str(m, "save_query", arena_strndup(ctx->arena, q.p, q.len));
	buf_free(&q);
}

/* The page's lists (db_call_lists_get: the process's copy, read again only
 * when the session's lists_version says they changed) into l->lists, for
 * the rows' names; with m, also the options of the manager and integration
 * selects, the chosen one marked, and on the history page (saved) the
 * user's saved filters as links. */
static enum cb_err
read_lists(struct ctx *ctx, struct listing *l, struct json_object *m,
    bool saved)
{
	const struct call_filter *f = &l->f;
	struct json_object *mgrs, *ints, *filters, *o;
	const struct call_list_item *it;
	enum cb_err rc;
	size_t i;

	if ((rc = db_call_lists_get(ctx->db, ctx->user->lists_version,
	    saved ? ctx->user->id : 0, &l->lists)) != CB_OK)
		return rc;
	if (m == NULL)
		return CB_OK;
	if (saved) {
		filters = json_object_new_array();
		json_object_object_add(m, "saved_filters", filters);
		add_save_query(ctx, m);
		for (i = 0; i < l->lists->saved.n; i++) {
			it = &l->lists->saved.v[i];
			o = json_object_new_object();
			app_add_str(o, "name", it->name);
			app_add_str(o, "url", arena_printf(ctx->arena,
			    "/calls%s%s", it->extra && *it->extra ? "?" : "",
			    it->extra ? it->extra : ""));
			app_add_str(o, "delete_url", arena_printf(ctx->arena,
			    "/calls/filters/%lld/delete", (long long)it->id));
			json_object_array_add(filters, o);
		}
	}
	mgrs = json_object_new_array();
	json_object_object_add(m, "managers", mgrs);
	for (i = 0; i < l->lists->users.n && i < CALL_LIST_MANAGERS_MAX; i++) {
		it = &l->lists->users.v[i];
		o = json_object_new_object();
		json_object_object_add(o, "id", json_object_new_int64(it->id));
		app_add_str(o, "label", it->extra && *it->extra ? arena_printf(
		    ctx->arena, "%s (%s)", it->name, it->extra) : it->name);
		json_object_object_add(o, "selected",
		    json_object_new_boolean(it->id == f->manager_id));
		json_object_array_add(mgrs, o);
	}
	ints = json_object_new_array();
	json_object_object_add(m, "integrations", ints);
	for (i = 0; i < l->lists->integrations.n &&
	    i < CALL_LIST_INTEGRATIONS_MAX; i++) {
		it = &l->lists->integrations.v[i];
		o = json_object_new_object();
		json_object_object_add(o, "id", json_object_new_int64(it->id));
		app_add_str(o, "label", it->name);
		json_object_object_add(o, "selected",
		    json_object_new_boolean(it->id == f->integration_id));
		json_object_array_add(ints, o);
	}
	return CB_OK;
}

/* Settles a complete number's "ends with" that read_number() turned into
 * "exact": when a longer stored number ends with the same digits, "ends"
 * matches more calls, and the filter goes back to MATCH_ENDS (returns
 * true). The rows' CALL_NUMBER_LONGER column says so when st has a row
 * (row is CB_OK), else it is asked on its own (true when that fails, as
 * the range plus a sort is never wrong). */
static bool
number_settle(struct ctx *ctx, struct call_filter *f, struct db_stmt *st,
    enum cb_err row)
{
	bool longer = false;

	if (!f->number_longer_col)
		return false;
	f->number_longer_col = false;
	if (row == CB_OK)
		longer = !db_col_null(st, CALL_NUMBER_LONGER);
	else
		(void)db_call_number_longer(ctx->db, f->number.value, &longer);
	if (longer)
		f->number.mode = MATCH_ENDS;
	return longer;
}

/* Runs the list query and fetches its first row into *row (CB_OK,
 * CB_ENOTFOUND or an error), settling the number first (number_settle()):
 * when "exact" was not enough the query runs again as "ends". */
static enum cb_err
list_first(struct ctx *ctx, struct call_filter *f, struct db_stmt **st,
    enum cb_err *row)
{
	enum cb_err rc;

	if ((rc = db_call_list(db_reader(ctx->db), f, st)) != CB_OK)
		return rc;
	*row = db_fetch(*st);
	if (*row != CB_OK && *row != CB_ENOTFOUND)
		return CB_OK;
	if (!number_settle(ctx, f, *st, *row))
		return CB_OK;
	db_stmt_done(*st);
	if ((rc = db_call_list(db_reader(ctx->db), f, st)) != CB_OK)
		return rc;
	*row = db_fetch(*st);
	return CB_OK;
}

/* The next page's link: the cursor is the last row shown (talk: its talk
 * seconds, else its start time) and its id. */
static void
next_link(struct ctx *ctx, struct json_object *m,
    const struct tmpl_rows *calls, const char *base, bool talk)
{
	struct tmpl_cell_view key, id;
	char digits[24];
	const char *k = "";

	tmpl_rows_cell(calls, PAGE_SIZE - 1, talk ? ROW_TALK_SECONDS :
	    ROW_STARTED_AT_UTC, &key);
	tmpl_rows_cell(calls, PAGE_SIZE - 1, ROW_ID, &id);
	if (key.kind == TMPL_CELL_STR)
		k = key.s;
	else if (key.kind == TMPL_CELL_INT) {
		snprintf(digits, sizeof(digits), "%lld", (long long)key.i);
		k = digits;
	}
	app_add_str(m, "next_url", next_url(ctx, base, k, id.i));
}

/* ---- the filter block's chips (issue 18) -------------------------------
 * Each active filter as a chip with its words and a link to the same page
 * without it (and without the page's cursor). The keys of one chip: a
 * text filter with its mode and "not". */
static const char *const chip_groups[][3] = {
	{ "q", "q_mode", "q_not" }, { "contact", NULL, NULL },
	{ "direction", NULL, NULL }, { "result", NULL, NULL },
	{ "from", NULL, NULL }, { "to", NULL, NULL },
	{ "manager", NULL, NULL }, { "integration", NULL, NULL },
	{ "said", NULL, NULL },
	{ "our_number", "our_number_mode", "our_number_not" },
	{ "talk_min", NULL, NULL }, { "talk_max", NULL, NULL },
	{ "recording", NULL, NULL },
	{ "external_id", "external_id_mode", "external_id_not" },
	{ "sort", NULL, NULL },
};
/* From "manager" on, a filter lives behind "More filters". */
#define CHIP_MORE_FIRST 6

static bool
in_group(const char *key, const char *const g[3])
{
	int i;

	for (i = 0; i < 3; i++)
		if (g[i] && strcmp(key, g[i]) == 0)
			return true;
	return false;
}

/* The label of the button the filter block folds behind on a phone
 * (issue 18; static/callboard.css): "Filters (2 active)", counted like
 * the chips. */
static void
filters_summary(struct json_object *m, size_t active)
{
	char text[128];

	if (active == 0) {
		app_add_str(m, "filters_summary", _("Filters"));
		return;
	}
	i18n_fill_n(ngettext("Filters ({n} active)", "Filters ({n} active)",
	    active), (long long)active, text, sizeof(text));
	app_add_str(m, "filters_summary", text);
}

/* The label of the option chosen in the select list (managers...). */
static const char *
chosen_label(struct json_object *m, const char *list)
{
	struct json_object *a, *o, *sel, *label;
	size_t i;

	if (!json_object_object_get_ex(m, list, &a))
		return NULL;
	for (i = 0; i < json_object_array_length(a); i++) {
		o = json_object_array_get_idx(a, i);
		if (json_object_object_get_ex(o, "selected", &sel) &&
		    json_object_get_boolean(sel) &&
		    json_object_object_get_ex(o, "label", &label))
			return json_object_get_string(label);
	}
	return NULL;
}

/* The chip of a text filter, one whole sentence per field, "not" and
 * match mode (issue 18): a translator cannot assemble "not" + "contains"
 * in a language where the negation or the verb changes the sentence.
 * {value} is filled in after translating. Index = [field][not][enum
 * call_match - 1]. */
static const char *const text_chips[3][2][4] = {
	{ { N_("Number is {value}"), N_("Number begins with {value}"),
	    N_("Number ends with {value}"), N_("Number contains {value}") },
	  { N_("Number is not {value}"),
	    N_("Number does not begin with {value}"),
	    N_("Number does not end with {value}"),
	    N_("Number does not contain {value}") } },
	{ { N_("Our number is {value}"), N_("Our number begins with {value}"),
	    N_("Our number ends with {value}"),
	    N_("Our number contains {value}") },
	  { N_("Our number is not {value}"),
	    N_("Our number does not begin with {value}"),
	    N_("Our number does not end with {value}"),
	    N_("Our number does not contain {value}") } },
	{ { N_("Call id is {value}"), N_("Call id begins with {value}"),
	    N_("Call id ends with {value}"), N_("Call id contains {value}") },
	  { N_("Call id is not {value}"),
	    N_("Call id does not begin with {value}"),
	    N_("Call id does not end with {value}"),
	    N_("Call id does not contain {value}") } },
};

/* msgid translated, its {value} filled with v, in the request's arena. */
static const char *
chip_fill(struct ctx *ctx, const char *msgid, const char *v)
{
	return app_fill(ctx, _(msgid), "{value}", v, (const char *)NULL);
}

/* The chip of a text filter (text_chips): f is its row there. */
static const char *
text_chip(struct ctx *ctx, int f, const char *mode, enum call_match dflt,
    bool not, const char *v)
{
	int m = mode && *mode ? index_of(mode, modes) : (int)dflt;

	if (m <= 0)
		m = (int)dflt;
	return chip_fill(ctx, text_chips[f][not][m - 1], v);
}

static const char *
chip_label(struct ctx *ctx, struct json_object *m, const char *const g[3],
    const char *v)
{
	const char *k = g[0];
	bool not = g[2] && app_param(ctx, g[2]) &&
	    strcmp(app_param(ctx, g[2]), "1") == 0;
	const char *mode = g[1] ? app_param(ctx, g[1]) : NULL;
	char when[48];

	if (strcmp(k, "q") == 0)
		return text_chip(ctx, 0, mode, MATCH_ENDS, not, v);
	if (strcmp(k, "our_number") == 0)
		return text_chip(ctx, 1, mode, MATCH_EXACT, not, v);
	if (strcmp(k, "external_id") == 0)
		return text_chip(ctx, 2, mode, MATCH_EXACT, not, v);
	if (strcmp(k, "contact") == 0)
		return chip_fill(ctx, N_("Contact: {value}"), v);
	if (strcmp(k, "direction") == 0)
		return call_direction_label(v);
	if (strcmp(k, "result") == 0)
		return call_result_label(v);
	if (strcmp(k, "from") == 0 || strcmp(k, "to") == 0) {
		/* The date as the rows write theirs (read_date took it). */
		i18n_format_datetime(ctx->lang, v, when, sizeof(when));
		return chip_fill(ctx, k[0] == 'f' ? N_("From {value}") :
		    N_("To {value}"), when);
	}
	if (strcmp(k, "manager") == 0)
		return chip_fill(ctx, N_("Manager: {value}"),
		    chosen_label(m, "managers") ? chosen_label(m, "managers") : v);
	if (strcmp(k, "integration") == 0)
		return chip_fill(ctx, N_("Line: {value}"), chosen_label(m,
		    "integrations") ? chosen_label(m, "integrations") : v);
	if (strcmp(k, "said") == 0)
		return chip_fill(ctx, N_("Said: {value}"), v);
	/* A talk time as typed, as the form shows it ("90", "1:30"). */
	if (strcmp(k, "talk_min") == 0)
		return chip_fill(ctx, N_("Talk at least {value}"), v);
	if (strcmp(k, "talk_max") == 0)
		return chip_fill(ctx, N_("Talk at most {value}"), v);
	if (strcmp(k, "recording") == 0)
		return strcmp(v, "yes") == 0 ? _("Recorded") : _("No recording");
	if (strcmp(v, "time_asc") == 0) return _("Oldest first");
	if (strcmp(v, "talk_desc") == 0) return _("Longest first");
	return _("Shortest first");
}

static void
add_chips(struct ctx *ctx, struct json_object *m, const char *base)
{
	struct json_object *chips = json_object_new_array();
	bool more = false;
	size_t g, i;

	json_object_object_add(m, "chips", chips);
	for (g = 0; g < sizeof(chip_groups) / sizeof(chip_groups[0]); g++) {
		const char *v = nonempty(app_param(ctx, chip_groups[g][0]));
		struct json_object *c;
		struct buf u;

		if (v == NULL || (g + 1 == sizeof(chip_groups) /
		    sizeof(chip_groups[0]) && strcmp(v, "time_desc") == 0))
			continue;
		if (g >= CHIP_MORE_FIRST)
			more = true;
		buf_init(&u, 8192);
		buf_puts(&u, base);
		buf_putc(&u, '?');
		for (i = 0; i < ctx->req->query.n; i++) {
			const struct kv *kv = &ctx->req->query.v[i];

			if (in_group(kv->key, chip_groups[g]) ||
			    strcmp(kv->key, "before") == 0 ||
			    strcmp(kv->key, "back") == 0 ||
			    strcmp(kv->key, "format") == 0)
				continue;
			url_component(&u, kv->key, strlen(kv->key));
			buf_putc(&u, '=');
			url_component(&u, kv->val, kv->val_len);
			buf_putc(&u, '&');
		}
		if (u.len && (u.p[u.len - 1] == '&' || u.p[u.len - 1] == '?'))
			u.len--;
		c = json_object_new_object();
		app_add_str(c, "key", chip_groups[g][0]);
		app_add_str(c, "label", chip_label(ctx, m, chip_groups[g], v));
		app_add_str(c, "remove_url", u.err ? base :
		    arena_strndup(ctx->arena, u.p, u.len));
		buf_free(&u);
		json_object_array_add(chips, c);
	}
	app_add_bool(m, "more_open", more);
	filters_summary(m, json_object_array_length(chips));
}

static enum cb_err
render_list(struct ctx *ctx, struct listing *l, struct json_object *m,
    const char *base, const char *from)
{
	struct call_filter *f = &l->f;
	/* Text of a page's rows: never more than the response can hold. */
	struct tmpl_rows *calls = tmpl_rows_new(row_cols, ROW__MAX, PAGE_SIZE,
	    HTTP_MAX_RESPONSE);
	struct db_stmt *st;
	struct buf link;
	enum cb_err rc = CB_ENOTFOUND, row;
	unsigned n = 0;

	/* Owned by m from here, even when attaching fails. */
	if (calls == NULL || tmpl_rows_attach(m, "calls", calls) != CB_OK) {
		rc = CB_ENOMEM;
		goto fail;
	}
	app_add_str(m, "csv_url", query_url(ctx, base, ".csv"));
	/* The rows' manager and integration names come from the lists, so
	 * a page without them would be wrong, not just plainer: 503. */
	if ((rc = read_lists(ctx, l, m, from == NULL)) != CB_OK)
		goto fail;
	rc = CB_ENOTFOUND;
	if (l->none)
		goto done;
	if ((rc = list_first(ctx, f, &st, &row)) != CB_OK)
		goto fail;
	/* The rows' links, one at a time (row_link); 512 bytes as the
	 * dial and create links always had. */
	buf_init(&link, 512);
	for (rc = row; rc == CB_OK; rc = db_fetch(st)) {
		if (++n > PAGE_SIZE) {
			next_link(ctx, m, calls, base, f->sort ==
			    SORT_TALK_DESC || f->sort == SORT_TALK_ASC);
			n = PAGE_SIZE;
			break;
		}
		if ((rc = tmpl_rows_add(calls)) != CB_OK)
			break;
		call_row(ctx, l, st, from, &link, calls);
	}
	db_stmt_done(st);
	buf_free(&link);
	if ((rc == CB_OK || rc == CB_ENOTFOUND) &&
	    tmpl_rows_err(calls) != CB_OK)
		rc = tmpl_rows_err(calls);
	if (rc != CB_OK && rc != CB_ENOTFOUND)
		goto fail;
done:
	json_object_object_add(m, "empty", json_object_new_boolean(n == 0));
	if (f->has_cursor) {
		app_add_str(m, "first_url", query_url(ctx, base, ""));
		app_add_str(m, "prev_url", prev_url(ctx, base));
	}
	pager_labels(m, f->sort);
	add_chips(ctx, m, base);
	return app_render(ctx, "calls.html", m);
fail:
	json_object_put(m);
	ctx->message = _(db_down);
	return rc;
}

/* The CSV's separator for this viewer (issue 18): lib/http/csv.c decides
 * from ?sep= and the browser's language. */
static char
csv_separator(struct ctx *ctx)
{
	return csv_separator_for(app_param(ctx, "sep"),
	    http_header(ctx->req, "Accept-Language"));
}

static void
csv_row(struct ctx *ctx, struct listing *l, struct buf *b,
    struct db_stmt *st, char sep)
{
	const struct call_list_item *mgr = db_col_null(st, CALL_MANAGER_ID) ?
	    NULL : call_lists_user(l->lists, db_col_i64(st, CALL_MANAGER_ID));
	const struct call_list_item *integ = call_lists_integration(l->lists,
	    db_col_i64(st, CALL_INTEGRATION_ID));
	const char *started = db_col(st, CALL_STARTED_AT, NULL);
	const char *dir = db_col(st, CALL_DIRECTION, NULL);
	const char *res = db_col(st, CALL_RESULT, NULL);
	struct csv_clock *k = &l->clock;

	/* Local time to the minute depends only on the UTC minute, and an
	 * export is in time order with about ten calls a minute: convert
	 * once per minute (the zone conversion was 10 % of the export). */
	if (started == NULL || strlen(started) < 16 ||
	    strncmp(started, k->utc, 16) != 0) {
		if (time_utc_to_local(started, ctx->user->time_zone, k->local,
		    sizeof(k->local)) == CB_OK)
			snprintf(k->utc, sizeof(k->utc), "%.16s", started);
		else {
			snprintf(k->local, sizeof(k->local), "%s", started ?
			    started : "");
			k->utc[0] = '\0';
		}
	}
	csv_cell(b, db_col(st, CALL_ID, NULL), sep, false);
	csv_cell(b, k->local, sep, false);
	/* The words of the page (Incoming, Answered...), not the codes. */
	csv_cell(b, call_direction_label(dir ? dir : ""), sep, false);
	csv_cell(b, call_result_label(res ? res : ""), sep, false);
	csv_cell(b, row_withheld(st) ? call_withheld_label() :
	    db_col(st, CALL_CLIENT_NUMBER, NULL), sep, false);
	csv_cell(b, row_contact(st), sep, false);
	csv_cell(b, mgr ? mgr->name : NULL, sep, false);
	csv_cell(b, db_col(st, CALL_EXTENSION, NULL), sep, false);
	csv_cell(b, integ ? integ->name : NULL, sep, false);
	csv_cell(b, db_col(st, CALL_OUR_NUMBER, NULL), sep, false);
	csv_cell(b, db_col(st, CALL_TALK, NULL), sep, false);
	csv_cell(b, db_col(st, CALL_WAIT, NULL), sep, false);
	csv_cell(b, call_recording_label(db_col(st, CALL_RECORDING_STATE,
	    NULL)), sep, false);
	csv_cell(b, db_col(st, CALL_COMMENT, NULL), sep, false);
	csv_cell(b, db_col(st, CALL_EXTERNAL_ID, NULL), sep, true);
}

/* The header line: the columns as people name them, in the file's
 * separator; the time column says its zone. */
static void
csv_header(struct ctx *ctx, struct buf *b, char sep)
{
	static const char *const names[] = {
		N_("ID"), NULL, N_("Direction"), N_("Result"), N_("Number"),
		N_("Contact"), N_("Manager"), N_("Extension"),
		N_("Integration"), N_("Our number"), N_("Talk (s)"),
		N_("Wait (s)"), N_("Recording"), N_("Comment"),
		N_("Provider call ID")
	};
	size_t i, n = sizeof(names) / sizeof(names[0]);

	for (i = 0; i < n; i++)
		csv_cell(b, names[i] ? _(names[i]) : arena_printf(ctx->arena,
		    "%s (%s)", _("Time"), ctx->user->time_zone), sep,
		    i + 1 == n);
}

/* The export of the current filter: keyset chunks of CSV_CHUNK rows, each
 * chunk written out before the next is read, so neither the database nor
 * this process ever holds the whole file. Errors before the first byte are
 * the usual error page; after it, the download is cut short and logged. */
static enum cb_err
export_csv(struct ctx *ctx, struct listing *l, const char *filename)
{
	struct call_filter *f = &l->f;
	struct db_stmt *st = NULL;
	struct buf b;
	enum cb_err rc;
	char at[32];
	bool started = false, talk = f->sort == SORT_TALK_DESC ||
	    f->sort == SORT_TALK_ASC;
	char sep = csv_separator(ctx);
	unsigned n;
	uint64_t total = 0;

	if ((rc = read_lists(ctx, l, NULL, false)) != CB_OK) {
		ctx->message = _(db_down);
		return rc;
	}
	/* Settled before the first chunk: every chunk must match alike. */
	(void)number_settle(ctx, f, NULL, CB_ENOTFOUND);
	f->limit = CSV_CHUNK;
	f->export_cols = true;
	buf_init(&b, 4u * 1024 * 1024);
	for (;;) {
		n = 0;
		if (!l->none && (rc = db_call_list(db_reader(ctx->db), f,
		    &st)) != CB_OK)
			goto fail;
		if (!started) {
			ctx->resp->status = 200;
			ctx->resp->content_type = "text/csv; charset=utf-8";
			ctx->resp->no_store = true;
			resp_header(ctx->resp, "Content-Disposition",
			    "attachment; filename=\"%s\"", filename);
			if ((rc = resp_stream_begin(ctx->resp)) != CB_OK)
				goto cut;
			started = true;
			/* UTF-8 with a BOM: without it Excel reads the
			 * names as the ANSI code page (mojibake). */
			buf_puts(&b, CSV_BOM);
			csv_header(ctx, &b, sep);
		}
		if (l->none)
			break;
		while ((rc = db_fetch(st)) == CB_OK) {
			n++;
			csv_row(ctx, l, &b, st, sep);
			/* Long comments: keep the buffer small. */
			if (b.len > 256 * 1024) {
				if (b.err != CB_OK || resp_stream_write(
				    ctx->resp, b.p, b.len) != CB_OK) {
					rc = CB_EIO;
					break;
				}
				buf_reset(&b);
			}
			/* The cursor: this chunk's last row. */
			f->cursor_id = db_col_i64(st, CALL_ID);
			if (talk)
				f->cursor_talk = db_col_i64(st, CALL_TALK);
			else
				snprintf(at, sizeof(at), "%s", db_col(st,
				    CALL_STARTED_AT, NULL));
		}
		db_stmt_done(st);
		if (rc != CB_ENOTFOUND)
			goto cut;
		total += n;
		if (b.err != CB_OK || (rc = resp_stream_write(ctx->resp, b.p,
		    b.len)) != CB_OK)
			goto cut;
		buf_reset(&b);
		if (n < CSV_CHUNK)
			break;
		f->has_cursor = true;
		f->cursor_at = at;
	}
	if (b.len && resp_stream_write(ctx->resp, b.p, b.len) != CB_OK)
		log_info("csv export: client went away");
	buf_free(&b);
	return CB_OK;
cut:
	log_error("csv export cut after %llu rows: %s",
	    (unsigned long long)total, db_error(ctx->db));
	buf_free(&b);
	return CB_OK;
fail:
	buf_free(&b);
	if (started) {
		log_error("csv export cut after %llu rows: %s",
		    (unsigned long long)total, db_error(ctx->db));
		return CB_OK;
	}
	ctx->message = _(db_down);
	return rc;
}

enum feed { FEED_ALL, FEED_CUSTOMER, FEED_ORDER };

/* Scope "own" (DESIGN §3): the page, the feed and the CSV list only the
 * calls whose manager is the user (lib/auth/access.c decides). It rides on
 * the manager filter, so ix_calls_manager_started serves it; another
 * manager's id in the URL matches nothing rather than widening the
 * scope. */
static void
apply_scope(struct ctx *ctx, struct listing *l, enum access_via via)
{
	int64_t only = access_call_list_manager(ctx->user, via);

	if (only < 0)
		l->none = true;
	if (only <= 0)
		return;
	if (l->f.manager_id && l->f.manager_id != only)
		l->none = true;
	l->f.manager_id = only;
	l->bounded = true;
}

/* The history, a feed, or its CSV: the filters, then the page or file. */
static enum cb_err
serve(struct ctx *ctx, enum feed feed, bool csv)
{
	struct json_object *m = json_object_new_object();
	struct listing *l = arena_alloc(ctx->arena, sizeof(*l));
	const char *base = "/calls", *from = NULL, *file = "calls.csv";
	enum cb_err rc;

	memset(l, 0, sizeof(*l));
	if (feed == FEED_CUSTOMER) {
		l->f.customer_id = ctx->ids[0];
		base = arena_printf(ctx->arena, "/customers/%lld/calls",
		    (long long)ctx->ids[0]);
		from = arena_printf(ctx->arena, "customer:%lld",
		    (long long)ctx->ids[0]);
		file = arena_printf(ctx->arena, "customer-%lld-calls.csv",
		    (long long)ctx->ids[0]);
		app_add_str(m, "title", _("Customer's calls"));
	} else if (feed == FEED_ORDER) {
		l->f.order_id = ctx->ids[0];
		base = arena_printf(ctx->arena, "/orders/%lld/calls",
		    (long long)ctx->ids[0]);
		from = arena_printf(ctx->arena, "order:%lld",
		    (long long)ctx->ids[0]);
		file = arena_printf(ctx->arena, "order-%lld-calls.csv",
		    (long long)ctx->ids[0]);
		app_add_str(m, "title", _("Order's calls"));
	} else
		app_add_str(m, "title", _("Call history"));
	app_add_str(m, "base_url", base);
	l->transcripts_of = access_transcript_list_manager(ctx->user,
	    feed == FEED_ALL ? VIA_HISTORY : feed == FEED_CUSTOMER ?
	    VIA_CUSTOMER : VIA_ORDER);
	app_add_bool(m, "show_summaries", l->transcripts_of >= 0);
	if ((rc = read_filter(ctx, l, m)) != CB_OK) {
		json_object_put(m);
		return rc;
	}
	apply_scope(ctx, l, feed == FEED_ALL ? VIA_HISTORY :
	    feed == FEED_CUSTOMER ? VIA_CUSTOMER : VIA_ORDER);
	said_scope(ctx, l, m);
	if (csv) {
		json_object_put(m);
		return export_csv(ctx, l, file);
	}
	return render_list(ctx, l, m, base, from);
}

static enum cb_err page_calls(struct ctx *ctx)
{ return serve(ctx, FEED_ALL, false); }
static enum cb_err page_customer_calls(struct ctx *ctx)
{ return serve(ctx, FEED_CUSTOMER, false); }
static enum cb_err page_order_calls(struct ctx *ctx)
{ return serve(ctx, FEED_ORDER, false); }
static enum cb_err csv_calls(struct ctx *ctx)
{ return serve(ctx, FEED_ALL, true); }
static enum cb_err csv_customer_calls(struct ctx *ctx)
{ return serve(ctx, FEED_CUSTOMER, true); }
static enum cb_err csv_order_calls(struct ctx *ctx)
{ return serve(ctx, FEED_ORDER, true); }

/* A saved query is what put_query() wrote: URL-encoded key=value pairs,
 * nothing that could leave the /calls page. */
static bool
query_chars_ok(const char *q)
{
	for (; *q; q++)
		if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
		    (*q >= '0' && *q <= '9') || strchr("-._~%&=+", *q)))
			return false;
	return true;
}

/* POST /calls/filters name=&query=: saves the filter, back to it (PRG). */
static enum cb_err
post_saved_filter(struct ctx *ctx)
{
	const char *name = kv_get(&ctx->req->form, "name");
	const char *query = kv_get(&ctx->req->form, "query");
	long chars;
	enum cb_err rc;

	if (query == NULL)
		query = "";
	chars = name ? utf8_chars(name, strlen(name)) : 0;
	if (chars <= 0 || chars > SAVEDFILTER_NAME_MAX) {
		ctx->message = app_fill_n(ctx, _("Give the filter a name of 1 "
		    "to {n} characters."), SAVEDFILTER_NAME_MAX);
		return CB_EINVAL;
	}
	if (strlen(query) > SAVEDFILTER_QUERY_MAX || !query_chars_ok(query)) {
		ctx->message = _("This filter cannot be saved: set it again on "
		    "the history page and save from there.");
		return CB_EINVAL;
	}
	if ((rc = db_savedfilter_save(ctx->db, ctx->user->id, "calls", name,
	    query)) != CB_OK)
		return rc;
	resp_redirect(ctx->resp, 303, arena_printf(ctx->arena, "/calls%s%s",
	    *query ? "?" : "", query));
	return CB_OK;
}

static enum cb_err
post_saved_filter_delete(struct ctx *ctx)
{
	enum cb_err rc;

	if ((rc = db_savedfilter_delete(ctx->db, ctx->user->id,
	    ctx->ids[0])) != CB_OK) {
		if (rc == CB_ENOTFOUND)
			ctx->message = _("There is no such saved filter.");
		return rc;
	}
	resp_redirect(ctx->resp, 303, "/calls");
	return CB_OK;
}

static const struct route routes[] = {
	{ "/calls/filters", HTTP_M(HTTP_POST), AUTH_SESSION, PERM_CALLS,
	    BODY_FORM, 8192, post_saved_filter },
	{ "/calls/filters/#/delete", HTTP_M(HTTP_POST), AUTH_SESSION,
	    PERM_CALLS, BODY_FORM, 4096, post_saved_filter_delete },
	{ "/calls", HTTP_M(HTTP_GET), AUTH_SESSION, PERM_CALLS, 0, 0,
	    page_calls },
	{ "/calls.csv", HTTP_M(HTTP_GET), AUTH_SESSION, PERM_CALLS, 0, 0,
	    csv_calls },
	{ "/customers/#/calls", HTTP_M(HTTP_GET), AUTH_SESSION,
	    PERM_CUSTOMERS_CALLS, 0, 0, page_customer_calls },
	{ "/customers/#/calls.csv", HTTP_M(HTTP_GET), AUTH_SESSION,
	    PERM_CUSTOMERS_CALLS, 0, 0, csv_customer_calls },
	{ "/orders/#/calls", HTTP_M(HTTP_GET), AUTH_SESSION,
	    PERM_ORDERS_CALLS, 0, 0, page_order_calls },
	{ "/orders/#/calls.csv", HTTP_M(HTTP_GET), AUTH_SESSION,
	    PERM_ORDERS_CALLS, 0, 0, csv_order_calls },
};

static const struct program program = {
	"calls", routes, sizeof(routes) / sizeof(routes[0]), true
};

int
main(int argc, char *argv[])
{
	int status = app_main(&program, argc, argv);

	db_call_lists_free();
	return status;
}
