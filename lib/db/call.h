/* Reading calls for the history pages, feeds and CSV export. The query is
 * assembled from static fragments only (one per filter and mode), every
 * value is bound, and no request text ever becomes SQL text.
 *
 * Which index serves what (docs/schema.md has the EXPLAIN figures):
 *  - sort by time (default): every equality filter has an index that leads
 *    with its column, then (started_at, id), so manager, integration,
 *    customer, order, direction, result, our number (exact) and the
 *    client number (exact) are ranges read in keyset order with no sort;
 *    a date range alone is a range of ix_calls_started.
 *  - range plus a sort of the matches (EXPLAIN: "Using filesort"): the
 *    contact-name search (customer_id IN (<= 200 ids)) on
 *    ix_calls_customer_started, client number "ends" (a prefix of the
 *    reversed digits) on ix_calls_client_digits_rev, external id "exact"/
 *    "begins" on ix_calls_external, our number "begins" on
 *    ix_calls_our_number_started.
 *  - client number "contains" with CALL_GRAM_LEN digits or more, not
 *    negated: a range of call_number_grams (0021_number_grams.sql) in
 *    (started_at, call_id) order, joined to calls by primary key, with the
 *    date range and the keyset cursor inside the range, plus the calls
 *    whose grams are not written yet (call_grams_pending, 0038), except
 *    with a customer, an order or a contact search, whose own index reads
 *    fewer rows (db_call_grams_on; db_call_contains_from() in
 *    lib/db/call.c says how longer fragments are checked).
 *  - words said (issue 22): the FULLTEXT index ft_transcripts_said of
 *    transcripts finds the matches, each call is read by primary key, the
 *    other filters are post-filters on those rows, and the matches are
 *    sorted (few: the words of one search).
 *  - shorter "contains", the other "ends"/"begins" and every "not", the duration
 *    range and the recording filter have no index of their own: they are
 *    post-filters on one of the ordered scans above, so a page reads
 *    until it has LIMIT rows. The page refuses them over an unbounded
 *    table unless they ride with a date range or an indexed filter
 *    (cgi/calls.c says which).
 *  - sort by duration: ix_calls_talk (talk_seconds, id) in keyset order,
 *    alone or with a duration range. Combined with other filters the
 *    optimizer either scans ix_calls_talk and filters, or ranges the
 *    filter's index and sorts its matches (a filesort of that range). */
#ifndef CB_DB_CALL_H
#define CB_DB_CALL_H

#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "db/db.h"

#define CALL_PAGE_MAX 1000
#define CALL_CONTACT_MAX 200   /* customers a name search may match */

/* How a text filter compares. */
enum call_match {
	MATCH_NONE = 0,
	MATCH_EXACT,
	MATCH_BEGINS,
	MATCH_ENDS,
	MATCH_CONTAINS,
};

/* Digits per row of call_number_grams (0021_number_grams.sql): a client
 * number "contains" with fewer digits has no index and is refused unless
 * another filter bounds it (cgi/calls.c read_filter). */
#define CALL_GRAM_LEN 4
#define CALL_GRAMS 10000         /* 10^CALL_GRAM_LEN */

struct call_text {
	enum call_match mode;      /* MATCH_NONE: no filter */
	bool negate;               /* "not": rows that do not match */
	const char *value;         /* client number: reversed digits;
	                            * others: the text as typed */
};

enum call_sort {
	SORT_TIME_DESC = 0,
	SORT_TIME_ASC,
	SORT_TALK_DESC,
	SORT_TALK_ASC,
};

/* A call's outcome class (issue 21, the analytics page): answered; missed
 * (nobody talked to the caller: CALL_RESULTS_MISSED, the missed-calls
 * list's rule too); other (failed, or unknown: not ended or not said). */
enum call_outcome {
	OUTCOME_ANY = 0,
	OUTCOME_ANSWERED,
	OUTCOME_MISSED,
	OUTCOME_OTHER,
	OUTCOME__MAX
};
#define CALL_RESULTS_MISSED "'missed','no_answer','busy'"
#define CALL_RESULTS_OTHER "'failed','unknown'"

enum call_rec {
	REC_ANY = 0,
	REC_YES,                   /* recording_state = 'stored' */
	REC_NO,
};

/* How a "contains" of CALL_GRAM_LEN digits or more reads its calls
 * (db_call_contains_plan()). */
struct call_contains_plan {
	unsigned gram_at;   /* offset of the driving gram: the rarest, 0 first */
	bool pending;       /* a call not drained yet contains the fragment */
	/* Whether one does is not known yet: a time-sorted query asks in its
	 * last column (the probe, db_call_contains_from()) and is run again
	 * with pending set when the answer is yes or when it found no row to
	 * carry the answer (db_call_query_run()); a duration sort reads
	 * the pending calls too. */
	bool ask_pending;
};

struct call_filter {
	int64_t manager_id;        /* 0 = any */
	int64_t integration_id;
	int64_t customer_id;
	int64_t order_id;
	const char *direction;     /* "in", "out", "internal" or NULL */
	const char *result;        /* a calls.result value or NULL */
	enum call_outcome outcome; /* a class of results (ix_calls_result_*) */
	int64_t store_id;          /* 0 = any; a post-filter (no index) */
	struct call_text number;   /* client number, on client_digits_rev */
	struct call_text our_number;
	struct call_text external_id;
	const int64_t *customer_ids; /* contact-name search: customer_id IN */
	unsigned ncustomer_ids;    /* 1..CALL_CONTACT_MAX */
	int64_t talk_min;          /* -1 = no bound */
	int64_t talk_max;
	enum call_rec recording;
	/* Words said (issue 22): a BOOLEAN MODE query over the transcripts'
	 * FULLTEXT index (transcript_said_query(), db/transcript.h), or
	 * NULL. It drives the query: the index's matches, then each call by
	 * primary key, then the other filters and a sort of the matches. */
	const char *said;
	const char *from_utc;      /* started_at >= */
	const char *to_utc;        /* started_at <= */
	enum call_sort sort;
	/* Keyset cursor: the last row of the previous page. cursor_at is
	 * started_at (time sorts); cursor_talk is talk_seconds (duration). */
	bool has_cursor;
	const char *cursor_at;
	int64_t cursor_talk;
	int64_t cursor_id;
	unsigned limit;            /* 1..CALL_PAGE_MAX */
	/* With number in MATCH_EXACT, not negated: one more column,
	 * CALL_NUMBER_LONGER, not NULL when some stored number ends with
	 * these digits and is longer (db_call_number_longer()), so that the
	 * phone search learns it in the same round trip as its rows. */
	bool number_longer_col;
	/* With grams (db_call_grams_on(&number)): how the query reads them
	 * (db_call_contains_plan(); db_call_list() sets it). */
	struct call_contains_plan number_plan;
	/* The version of what processes keep (struct user.lists_version): of
	 * the gram counts' copy a "contains" is planned with. */
	uint64_t kept_version;
	/* For the CSV: the transcript's and the linked order's columns are
	 * NULL and their tables not joined (the export shows neither; the
	 * two joins were a fifth of its server time). */
	bool export_cols;
};

/* Columns of a listed row, in order. The manager's and the integration's
 * names come from db_call_page_lists(), which the process keeps between
 * pages (db/calllists.h). */
enum call_col {
	CALL_ID, CALL_STARTED_AT, CALL_DIRECTION, CALL_RESULT,
	CALL_CLIENT_NUMBER, CALL_CLIENT_NAME, CALL_OUR_NUMBER, CALL_EXTENSION,
	CALL_TALK, CALL_WAIT, CALL_RECORDING_STATE, CALL_COMMENT,
	CALL_CUSTOMER_ID, CALL_CUSTOMER_NAME,
	CALL_LEAD_NAME, CALL_EXTERNAL_ID, CALL_MANAGER_ID,
	CALL_INTEGRATION_ID,
	CALL_CLIENT_WITHHELD,   /* 1: the caller withheld their number */
	/* The transcript (issue 22), NULL when none: its summary's first
	 * sentence and its status. Only for users who may read it
	 * (access_transcript_list_manager()). */
	CALL_SUMMARY_HEAD, CALL_TRANSCRIPT_STATUS,
	/* What the call is linked to (issue 18), NULL when nothing: the
	 * order, its number (NULL when it has none) and manager; the lead
	 * and its manager. The managers decide whether the viewer may see
	 * them (access_record()). */
	CALL_ORDER_ID, CALL_ORDER_NUMBER, CALL_ORDER_MANAGER_ID,
	CALL_LEAD_ID, CALL_LEAD_MANAGER_ID,
	CALL_COL__MAX,
	CALL_NUMBER_LONGER = CALL_COL__MAX  /* only with number_longer_col */
};

/* The list query of a filter, before it runs: its SQL text and the values
 * for its '?', in order. db_call_list() executes it; tests EXPLAIN it
 * (tests/explain/history_sql.c). */
#define CALL_PARAMS_MAX 288        /* 9 ids + 256 IN slots + 3 texts + ... */
#define CALL_TEXT_MAX 256          /* longer texts are bound unescaped */

struct call_param {
	bool is_text;
	int64_t i64;
	const char *text;          /* points into the filter or into escaped */
	size_t len;
};

struct call_query {
	struct buf sql;
	struct call_param params[CALL_PARAMS_MAX];
	unsigned nparams;
	char escaped[3][2 * CALL_TEXT_MAX + 1];  /* LIKE-escaped texts */
};

/* A client number "contains" served by call_number_grams and
 * call_grams_pending (db_call_grams_on()): the one SQL routine of every
 * path that searches it (the history, the feeds, the CSV: db_call_list();
 * the JSON API: db_api_calls()). */
enum contains_cursor {
	CONTAINS_CURSOR_NONE,      /* the first page */
	CONTAINS_CURSOR_AT,        /* after cursor_at or cursor_talk, cursor_id */
	CONTAINS_CURSOR_CALL,      /* after the call cursor_id (newest first) */
};

struct call_contains {
	const char *rev;           /* the fragment's reversed digits */
	struct call_contains_plan plan;  /* db_call_contains_plan() */
	enum call_sort sort;
	const char *from_utc, *to_utc;   /* started_at bounds, NULL: open */
	enum contains_cursor cursor;
	const char *cursor_at;     /* time sorts */
	int64_t cursor_talk;       /* duration sorts */
	int64_t cursor_id;
	unsigned limit;
	/* Appends the caller's other filters (" AND c.<column> ...": on calls
	 * c only) with their values to q; called once for each branch. */
	void (*put_filters)(struct call_query *q, const void *arg);
	const void *arg;
};

/* Appends the FROM of a "contains" with its values to q; the caller then
 * adds its joins (on c, no values) and db_call_contains_order(). Either
 * "FROM (<the grams' range> [UNION ALL <the pending calls>]) k
 * STRAIGHT_JOIN calls c ON c.id = k.id ": at most cc->limit keys of each
 * branch in the page's order (k.id, k.sk: the sort key), the pending branch
 * only when cc->plan.pending; or, a time sort with nothing pending, the
 * grams' tables themselves ("FROM call_number_grams g ... calls c"), so
 * the page's query reads the range in its order with no derived table. */
void db_call_contains_from(struct call_query *q,
    const struct call_contains *cc);

/* Appends the rest: " ORDER BY k.sk ..., k.id ... LIMIT ?", or the grams'
 * WHERE ... ORDER BY ... LIMIT ? of the second form, with its values. */
void db_call_contains_order(struct call_query *q,
    const struct call_contains *cc);

/* Writes the grams of up to max calls of call_grams_pending into
 * call_number_grams in one transaction (the worker, about every second;
 * 0038_number_grams_pending.sql); *n: calls drained (max: more may be
 * left). A lock wait over 5 s is an error: try again later. */
enum cb_err db_call_grams_drain(struct db *db, unsigned max, unsigned *n);

/* Recounts call_gram_counts (db_call_contains_plan's statistic,
 * 0039_number_gram_counts.sql) when its last count is at least max_age
 * seconds old (0: now); *refreshed: this call recounted. Of several
 * workers, one recounts per period. */
enum cb_err db_call_gram_counts_refresh(struct db *db, unsigned max_age,
    bool *refreshed);

/* true when the client number filter t is served by call_number_grams:
 * "contains", not negated, at least CALL_GRAM_LEN digits and only digits. */
bool db_call_grams_on(const struct call_text *t);

/* The gram of the CALL_GRAM_LEN digits at s, as the triggers of
 * 0021_number_grams.sql compute it (CAST(SUBSTRING(...) AS UNSIGNED)). */
int64_t db_call_gram(const char *s);

/* The plan of a "contains" of rev (reversed digits, db_call_grams_on),
 * with no round trip of its own: the gram with the fewest calls drives (of
 * at most CALL_GRAM_PROBES grams, the first on a tie), from the process's
 * copy of call_gram_counts (0039, recounted hourly), read again when the
 * version of what processes keep (struct user.lists_version, which the
 * recount bumps: 0039) is not the copy's. Version 0: a request without a
 * session query (the API's tokens) reads it first; a database without one
 * drives by the first gram. Whether a call not drained yet contains rev
 * is left to the query (ask_pending). */
#define CALL_GRAM_PROBES 8
enum cb_err db_call_contains_plan(struct db *db, uint64_t version,
    const char *rev, struct call_contains_plan *plan);

/* Builds f's query with build, prepares and executes it into *out; with
 * plan (a "contains" planned by db_call_contains_plan()), runs it once
 * more with the pending calls when its probe says one matches or it found
 * no row (the history's db_call_list(), the JSON API's db_api_calls()). */
enum cb_err db_call_query_run(struct db *db,
    enum cb_err (*build)(const void *f, struct call_query *q), const void *f,
    struct call_contains_plan *plan, enum call_sort sort,
    struct db_stmt **out);

/* Of a fragment of nlen reversed digits whose gram at offset at drives:
 * *drive, that offset (0 when at is past the last gram), and *check, the
 * end gram's checked on g2 (the last, or the first when the last drives). */
void db_call_gram_pair(size_t nlen, unsigned at, size_t *drive,
    size_t *check);

/* Fills q (buf_free(&q->sql) afterwards, also on error). */
enum cb_err db_call_list_query(const struct call_filter *f,
    struct call_query *q);

/* Prepares q's statement with its parameters bound (q stays the caller's
 * to free). */
enum cb_err db_call_query_prepare(struct db *db, struct call_query *q,
    struct db_stmt **out);

/* Runs the list query; the caller fetches rows with db_fetch() and reads
 * columns by enum call_col. */
enum cb_err db_call_list(struct db *db, const struct call_filter *f,
    struct db_stmt **out);

/* *exists: some call's client number ends with the digits rev (reversed)
 * and has more digits than rev. When it has not, "ends with" the digits of
 * a complete number matches exactly the calls with client_digits_rev = rev,
 * which the index delivers in order, instead of a range of every call of the
 * number plus a sort (cgi/calls.c read_number). On error *exists is true. */
enum cb_err db_call_number_longer(struct db *db, const char *rev,
    bool *exists);

/* Customers with a word of the name beginning with prefix (one word:
 * customer_name_words) or whose name begins with it (several), at most
 * max ids into ids; *n is how many. */
enum cb_err db_call_contact_ids(struct db *db, const char *prefix,
    int64_t *ids, unsigned max, unsigned *n);

/* The lists of the history page, one round trip: rows of (kind, id, name,
 * extra) ordered by kind, name, id. Kind CALL_LIST_MANAGER: every user,
 * extra = extension (NULL when none); CALL_LIST_INTEGRATION: extra = its
 * kind (provider); CALL_LIST_SAVED: the saved filters of saved_user_id on
 * the "calls" page (0: none, for the feeds), extra = the saved query. The
 * caller shows at most CALL_LIST_*_MAX of each kind (the first by name). */
enum call_list_kind {
	CALL_LIST_MANAGER = 1,
	CALL_LIST_INTEGRATION = 2,
	CALL_LIST_SAVED = 3,
};
#define CALL_LIST_MANAGERS_MAX 1000
#define CALL_LIST_INTEGRATIONS_MAX 1000
#define CALL_LIST_SAVED_MAX 50
enum cb_err db_call_page_lists(struct db *db, int64_t saved_user_id,
    struct db_stmt **out);

#endif
