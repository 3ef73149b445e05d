#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "db/call.h"

/* Only what the page and the CSV show (the call's state is not read).
 * The linked order and lead (issue 18: the row links to them) come with
 * their managers, for the viewer's right to see them (access_record()):
 * the order is one more primary-key lookup per row, like the lead's.
 * The manager's and the integration's names are not joined: the
 * page reads both small tables anyway for its selects
 * (db_call_page_lists), and two primary-key lookups less per row is 15 %
 * of the query's server time on a page and more on a CSV export of
 * 500,000 rows. */
static const char sql_list_cols[] =
    "SELECT c.id, c.started_at, c.direction, c.result, "
    "c.client_number, c.client_name, c.our_number, c.extension, "
    "c.talk_seconds, c.wait_seconds, c.recording_state, c.comment, "
    "c.customer_id, cu.name, l.name, "
    "c.external_id, c.manager_id, c.integration_id, c.client_withheld, "
    "tr.summary_head, tr.status, "
    "c.order_id, o.number, o.manager_id, c.lead_id, l.manager_id ";
/* CALL_NUMBER_LONGER: the query of db_call_number_longer() as a column.
 * Uncorrelated, so MariaDB runs it once per execution, not per row. */
static const char sql_longer_col[] =
    ", (SELECT 1 FROM calls WHERE client_digits_rev > ? "
    "AND client_digits_rev LIKE CONCAT(?, '%') LIMIT 1) ";
/* The transcript's columns (issue 22) come from a LEFT JOIN on its primary
 * key, forced: left to itself, the optimizer joined an empty or small
 * transcripts table through a join buffer, and the page's index order
 * became a temporary table and a sort. Two scalar subqueries in the SELECT
 * list (session 11) avoided that but cost 1 µs each per row even with no
 * transcripts: a fifth of the history query's server time at 1,000,000
 * calls (bench/history.sh, mariadbd 0.63 -> 0.89 ms per page). */
#define SQL_LIST_JOINS \
    "LEFT JOIN customers cu ON cu.id = c.customer_id " \
    "LEFT JOIN orders o ON o.id = c.order_id " \
    "LEFT JOIN leads l ON l.id = c.lead_id " \
    "LEFT JOIN transcripts tr FORCE INDEX (PRIMARY) ON tr.call_id = c.id "
static const char sql_list_joins[] = SQL_LIST_JOINS;
/* struct call_filter export_cols: the columns of enum call_col, with NULL
 * for those of the tables the export does not join. */
static const char sql_export_cols[] =
    "SELECT c.id, c.started_at, c.direction, c.result, "
    "c.client_number, c.client_name, c.our_number, c.extension, "
    "c.talk_seconds, c.wait_seconds, c.recording_state, c.comment, "
    "c.customer_id, cu.name, l.name, "
    "c.external_id, c.manager_id, c.integration_id, c.client_withheld, "
    "NULL, NULL, c.order_id, NULL, NULL, c.lead_id, l.manager_id ";
static const char sql_export_joins[] =
    "LEFT JOIN customers cu ON cu.id = c.customer_id "
    "LEFT JOIN leads l ON l.id = c.lead_id ";
/* Words said (issue 22): the FULLTEXT index drives, each match's call by
 * primary key (0029_transcripts.sql). */
static const char sql_said_from[] =
    "FROM transcripts t STRAIGHT_JOIN calls c ON c.id = t.call_id "
    SQL_LIST_JOINS;
static const char sql_said_where[] =
    " AND MATCH (t.words, t.summary) AGAINST (? IN BOOLEAN MODE)";
static const char sql_list_from[] = "FROM calls c ";
static const char sql_list_where[] = "WHERE 1 = 1";

/* The grams' branch of a "contains" (db_call_contains_from() below says
 * why it is in the page's order). */
static const char sql_grams_date_from[] = " AND g.started_at >= ?";
static const char sql_grams_date_to[] = " AND g.started_at <= ?";
static const char *const sql_grams_cursor[] = {
	[SORT_TIME_DESC] =
	    " AND g.started_at <= ? AND (g.started_at < ? OR g.call_id < ?)",
	[SORT_TIME_ASC] =
	    " AND g.started_at >= ? AND (g.started_at > ? OR g.call_id > ?)",
	[SORT_TALK_DESC] =
	    " AND c.talk_seconds <= ? AND (c.talk_seconds < ? OR c.id < ?)",
	[SORT_TALK_ASC] =
	    " AND c.talk_seconds >= ? AND (c.talk_seconds > ? OR c.id > ?)",
};
static const char *const sql_grams_order_by[] = {
	[SORT_TIME_DESC] = " ORDER BY g.started_at DESC, g.call_id DESC LIMIT ?",
	[SORT_TIME_ASC] = " ORDER BY g.started_at ASC, g.call_id ASC LIMIT ?",
	[SORT_TALK_DESC] = " ORDER BY c.talk_seconds DESC, c.id DESC LIMIT ?",
	[SORT_TALK_ASC] = " ORDER BY c.talk_seconds ASC, c.id ASC LIMIT ?",
};

/* A keyset page (a cursor) with an equality filter reads its keys first,
 * then the rows by primary key: "deferred join". With the whole row in the
 * SELECT, MariaDB 10.11 answers manager_id = ? AND <cursor> with `ref` on
 * manager_id alone: the index order is kept but the cursor becomes a
 * post-filter, so a page deep in a manager's history read every newer call
 * of theirs (19,715 rows for 51 at 100k calls; a scope-"own" CSV export
 * read the manager's history once per chunk). Selecting only the index's
 * own columns gets the two-part range, 52 rows (docs/schema.md). Not on
 * first pages: the derived table costs about 0.3 ms of server time. */
static const char *const sql_keys_head[] = {
	[SORT_TIME_DESC] = "FROM (SELECT c.id, c.started_at AS sk FROM calls c ",
	[SORT_TIME_ASC] = "FROM (SELECT c.id, c.started_at AS sk FROM calls c ",
	[SORT_TALK_DESC] = "FROM (SELECT c.id, c.talk_seconds AS sk FROM calls c ",
	[SORT_TALK_ASC] = "FROM (SELECT c.id, c.talk_seconds AS sk FROM calls c ",
};
static const char sql_keys_join[] = ") k JOIN calls c ON c.id = k.id ";
static const char *const sql_keys_order[] = {
	[SORT_TIME_DESC] = "ORDER BY k.sk DESC, k.id DESC",
	[SORT_TIME_ASC] = "ORDER BY k.sk ASC, k.id ASC",
	[SORT_TALK_DESC] = "ORDER BY k.sk DESC, k.id DESC",
	[SORT_TALK_ASC] = "ORDER BY k.sk ASC, k.id ASC",
};

static const char sql_manager[] = " AND c.manager_id = ?";
static const char sql_integration[] = " AND c.integration_id = ?";
static const char sql_customer[] = " AND c.customer_id = ?";
static const char sql_order[] = " AND c.order_id = ?";
static const char sql_direction[] = " AND c.direction = ?";
static const char sql_result[] = " AND c.result = ?";
static const char *const sql_outcome[OUTCOME__MAX] = {
	[OUTCOME_ANY] = "",
	[OUTCOME_ANSWERED] = " AND c.result = 'answered'",
	[OUTCOME_MISSED] = " AND c.result IN (" CALL_RESULTS_MISSED ")",
	[OUTCOME_OTHER] = " AND c.result IN (" CALL_RESULTS_OTHER ")",
};
static const char sql_store[] = " AND c.store_id = ?";
static const char sql_talk_min[] = " AND c.talk_seconds >= ?";
static const char sql_talk_max[] = " AND c.talk_seconds <= ?";
static const char sql_rec_yes[] = " AND c.recording_state = 'stored'";
static const char sql_rec_no[] = " AND c.recording_state <> 'stored'";
static const char sql_from[] = " AND c.started_at >= ?";
static const char sql_to[] = " AND c.started_at <= ?";
/* customer_id IN (?, ..., ?): the count is rounded up to a power of two
 * (the last id repeated) so at most 9 statement texts are ever cached. */
static const char sql_in_head[] = " AND c.customer_id IN (?";
static const char sql_in_more[] = ", ?";
static const char sql_in_tail[] = ")";

/* Text filters. The value is bound; LIKE wildcards in it were escaped with
 * '!' by like_escape() (digits-only values need no escaping). The client
 * number is matched on its reversed digits, so "ends" is a prefix of
 * client_digits_rev (an index range) and "begins" a suffix of it. */
struct text_sql {
	const char *is, *not_;
};
static const struct text_sql sql_number[] = {
	[MATCH_EXACT] = { " AND c.client_digits_rev = ?",
	    " AND c.client_digits_rev <> ?" },
	[MATCH_BEGINS] = { " AND c.client_digits_rev LIKE CONCAT('%', ?)",
	    " AND c.client_digits_rev NOT LIKE CONCAT('%', ?)" },
	[MATCH_ENDS] = { " AND c.client_digits_rev LIKE CONCAT(?, '%')",
	    " AND c.client_digits_rev NOT LIKE CONCAT(?, '%')" },
	[MATCH_CONTAINS] = {
	    " AND c.client_digits_rev LIKE CONCAT('%', ?, '%')",
	    " AND c.client_digits_rev NOT LIKE CONCAT('%', ?, '%')" },
};
static const struct text_sql sql_our[] = {
	[MATCH_EXACT] = { " AND c.our_number = ?", " AND c.our_number <> ?" },
	[MATCH_BEGINS] = { " AND c.our_number LIKE CONCAT(?, '%') ESCAPE '!'",
	    " AND c.our_number NOT LIKE CONCAT(?, '%') ESCAPE '!'" },
	[MATCH_ENDS] = { " AND c.our_number LIKE CONCAT('%', ?) ESCAPE '!'",
	    " AND c.our_number NOT LIKE CONCAT('%', ?) ESCAPE '!'" },
	[MATCH_CONTAINS] = {
	    " AND c.our_number LIKE CONCAT('%', ?, '%') ESCAPE '!'",
	    " AND c.our_number NOT LIKE CONCAT('%', ?, '%') ESCAPE '!'" },
};
static const struct text_sql sql_external[] = {
	[MATCH_EXACT] = { " AND c.external_id = ?", " AND c.external_id <> ?" },
	[MATCH_BEGINS] = {
	    " AND c.external_id LIKE CONCAT(?, '%') ESCAPE '!'",
	    " AND c.external_id NOT LIKE CONCAT(?, '%') ESCAPE '!'" },
	[MATCH_ENDS] = { " AND c.external_id LIKE CONCAT('%', ?) ESCAPE '!'",
	    " AND c.external_id NOT LIKE CONCAT('%', ?) ESCAPE '!'" },
	[MATCH_CONTAINS] = {
	    " AND c.external_id LIKE CONCAT('%', ?, '%') ESCAPE '!'",
	    " AND c.external_id NOT LIKE CONCAT('%', ?, '%') ESCAPE '!'" },
};

/* Keyset conditions, never a row constructor: MariaDB scans the whole
 * index for (started_at, id) < (?, ?) but ranges over this expanded form
 * (docs/schema.md). Each sort has its cursor and its ORDER BY. */
static const char *const sql_cursor[] = {
	[SORT_TIME_DESC] =
	    " AND c.started_at <= ? AND (c.started_at < ? OR c.id < ?)",
	[SORT_TIME_ASC] =
	    " AND c.started_at >= ? AND (c.started_at > ? OR c.id > ?)",
	[SORT_TALK_DESC] =
	    " AND c.talk_seconds <= ? AND (c.talk_seconds < ? OR c.id < ?)",
	[SORT_TALK_ASC] =
	    " AND c.talk_seconds >= ? AND (c.talk_seconds > ? OR c.id > ?)",
};
static const char *const sql_order_by[] = {
	[SORT_TIME_DESC] = " ORDER BY c.started_at DESC, c.id DESC LIMIT ?",
	[SORT_TIME_ASC] = " ORDER BY c.started_at ASC, c.id ASC LIMIT ?",
	[SORT_TALK_DESC] = " ORDER BY c.talk_seconds DESC, c.id DESC LIMIT ?",
	[SORT_TALK_ASC] = " ORDER BY c.talk_seconds ASC, c.id ASC LIMIT ?",
};

static bool
text_on(const struct call_text *t)
{
	return t->mode > MATCH_NONE && t->mode <= MATCH_CONTAINS && t->value;
}

bool
db_call_grams_on(const struct call_text *t)
{
	return text_on(t) && t->mode == MATCH_CONTAINS && !t->negate &&
	    strlen(t->value) >= CALL_GRAM_LEN &&
	    strspn(t->value, "0123456789") == strlen(t->value);
}

int64_t
db_call_gram(const char *s)
{
	int64_t v = 0;
	int i;

	for (i = 0; i < CALL_GRAM_LEN; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

void
db_call_gram_pair(size_t nlen, unsigned at, size_t *drive, size_t *check)
{
	*drive = at + CALL_GRAM_LEN <= nlen ? at : 0;
	*check = *drive + CALL_GRAM_LEN == nlen ? 0 : nlen - CALL_GRAM_LEN;
}

/* The process's copy of call_gram_counts (40 KB), as of version: a
 * separate round trip per page for the counts cost about a tenth of the
 * page's rate (bench/history.sh contains6_month at 1,000,000 calls: 0.83
 * of the phone search with it, 0.93 without). A copy older than the
 * database's counts only drives by a less rare gram: slower, never wrong. */
static struct {
	uint64_t version;            /* 0: nothing kept */
	uint32_t calls[CALL_GRAMS];
} counts;

static const char sql_gram_counts[] =
    "SELECT gram, calls FROM call_gram_counts";

/* For a request without a session query (the API's tokens). */
static const char sql_kept_version[] =
    "SELECT version FROM list_versions WHERE id = 1";

static enum cb_err
kept_version(struct db *db, uint64_t *version)
{
	struct db_stmt *st;
	enum cb_err rc;

	*version = 0;
	if ((rc = db_stmt(db, sql_kept_version, &st)) != CB_OK ||
	    (rc = db_exec(st)) != CB_OK)
		return rc;
	if ((rc = db_fetch(st)) == CB_OK)
		*version = (uint64_t)db_col_i64(st, 0);
	db_stmt_done(st);
	return rc == CB_EDB ? rc : CB_OK;
}

static enum cb_err
counts_read(struct db *db, uint64_t version)
{
	struct db_stmt *st;
	enum cb_err rc;
	int64_t gram;

	counts.version = 0;
	memset(counts.calls, 0, sizeof(counts.calls));
	if ((rc = db_stmt(db, sql_gram_counts, &st)) != CB_OK ||
	    (rc = db_exec(st)) != CB_OK)
		return rc;
	while ((rc = db_fetch(st)) == CB_OK)
		if ((gram = db_col_i64(st, 0)) >= 0 && gram < CALL_GRAMS)
			counts.calls[gram] = (uint32_t)db_col_i64(st, 1);
	db_stmt_done(st);
	if (rc != CB_ENOTFOUND)
		return rc;
	counts.version = version;
	return CB_OK;
}

enum cb_err
db_call_contains_plan(struct db *db, uint64_t version, const char *rev,
    struct call_contains_plan *plan)
{
	size_t nlen = strlen(rev), n, i;
	uint32_t best = UINT32_MAX, c;
	enum cb_err rc;

	plan->gram_at = 0;
	plan->pending = false;
	plan->ask_pending = true;
	if (version == 0 && (rc = kept_version(db, &version)) != CB_OK)
		return rc;
	if (version == 0)       /* no list_versions row: keep nothing */
		return CB_OK;
	if (version != counts.version &&
	    (rc = counts_read(db, version)) != CB_OK)
		return rc;
	n = nlen > CALL_GRAM_LEN ? nlen - CALL_GRAM_LEN + 1 : 0;
	if (n > CALL_GRAM_PROBES)
		n = CALL_GRAM_PROBES;
	for (i = 0; i < n; i++)
		/* 0 (no row yet): no drained call has that gram */
		if ((c = counts.calls[db_call_gram(rev + i)]) < best) {
			best = c;
			plan->gram_at = (unsigned)i;
		}
	return CB_OK;
}

static void
param_i64(struct call_query *q, int64_t v)
{
	struct call_param *p = &q->params[q->nparams++];

	p->is_text = false;
	p->i64 = v;
}

static void
param_str(struct call_query *q, const char *s, size_t len)
{
	struct call_param *p = &q->params[q->nparams++];

	p->is_text = true;
	p->text = s;
	p->len = len;
}

/* Escapes LIKE's wildcards with '!' (the ESCAPE of the fragments above)
 * into out; an exact match binds the text as it is. */
static void
param_text(struct call_query *q, const struct call_text *t, bool like_escape,
    char out[2 * CALL_TEXT_MAX + 1])
{
	size_t k = 0;
	const char *s;

	if (!text_on(t))
		return;
	if (t->mode == MATCH_EXACT || !like_escape ||
	    strlen(t->value) >= CALL_TEXT_MAX) {
		param_str(q, t->value, strlen(t->value));
		return;
	}
	for (s = t->value; *s; s++) {
		if (*s == '!' || *s == '%' || *s == '_')
			out[k++] = '!';
		out[k++] = *s;
	}
	param_str(q, out, k);
}

static unsigned
in_slots(unsigned n)
{
	unsigned s = 1;

	while (s < n)
		s <<= 1;
	return s;
}

/* Whether the list query reads call_number_grams. A customer's or an
 * order's calls (a feed, a contact search) are few: their own index, with
 * the LIKE as a post-filter, reads fewer rows than a common gram would (a
 * range of 18 % of all calls). Words said drive by their own index. */
static bool
list_grams(const struct call_filter *f)
{
	return !(f->said != NULL && *f->said != '\0') &&
	    db_call_grams_on(&f->number) && !f->customer_id && !f->order_id &&
	    !(f->customer_ids && f->ncustomer_ids > 0);
}

/* "Number contains" of CALL_GRAM_LEN digits or more (db_call_grams_on()),
 * for every path that searches it (the history, the feeds, the CSV, the
 * JSON API): the keys (id, sort key) of the matching calls come from
 *  - call_number_grams (0021_number_grams.sql), whose key (gram,
 *    started_at, call_id) is a range already in the page's order, so the
 *    branch reads its LIMIT rows and stops, cursor included: no scan of
 *    calls. The driving gram is the fragment's rarest
 *    (db_call_contains_plan(): a rare fragment whose first gram is common
 *    read that gram's whole range, 5,018 rows for 1 match at 1,000,000
 *    calls); a
 *    longer fragment also needs one of its end grams (g2, one primary-key
 *    lookup per candidate: the last, or the first when the last drives)
 *    and, past 2 * CALL_GRAM_LEN digits or for the digits' order, the LIKE
 *    on client_digits_rev. The date range and the cursor apply to
 *    g.started_at, the same value as c.started_at, so they narrow the range
 *    itself;
 *  - plus, when one of them contains the fragment (the plan's pending,
 *    read in the same round trip as the grams' counts), the calls whose
 *    grams the worker has not written yet (call_grams_pending, 0038: about
 *    a second of new calls), with the LIKE, so a call is found the moment
 *    it is committed. A call is in one of the two, never both (0038 says
 *    why), hence UNION ALL;
 * and the page's rows are read by primary key (a deferred join), the keys
 * sorted once more (at most twice the LIMIT). The caller's other filters
 * (on calls c only) go into both branches through its put_filters.
 * Nothing pending and a time sort (the usual page): the grams' branch is
 * the page's query itself (contains_flat()). */
static const char sql_grams_from[] =
    "FROM call_number_grams g STRAIGHT_JOIN calls c ON c.id = g.call_id ";
static const char sql_grams_from2[] =
    "FROM call_number_grams g STRAIGHT_JOIN call_number_grams g2 "
    "ON g2.gram = ? AND g2.started_at = g.started_at "
    "AND g2.call_id = g.call_id STRAIGHT_JOIN calls c ON c.id = g.call_id ";
static const char sql_pending_from[] =
    "FROM call_grams_pending p STRAIGHT_JOIN calls c ON c.id = p.call_id ";
/* The API's ?before=<id>: that call's position, a const row. */
static const char sql_position_of[] =
    "JOIN (SELECT started_at AS at, id FROM calls WHERE id = ?) cur ";
static const char sql_grams_where[] = "WHERE g.gram = ?";
static const char sql_pending_where[] =
    "WHERE c.client_digits_rev LIKE CONCAT('%', ?, '%')";
static const char sql_contains_like[] =
    " AND c.client_digits_rev LIKE CONCAT('%', ?, '%')";
/* The sort key of each sort, per branch: [pending][sort]. */
static const char *const sql_contains_key[2][SORT_TALK_ASC + 1] = {
	{ [SORT_TIME_DESC] = "g.started_at", [SORT_TIME_ASC] = "g.started_at",
	  [SORT_TALK_DESC] = "c.talk_seconds",
	  [SORT_TALK_ASC] = "c.talk_seconds" },
	{ [SORT_TIME_DESC] = "c.started_at", [SORT_TIME_ASC] = "c.started_at",
	  [SORT_TALK_DESC] = "c.talk_seconds",
	  [SORT_TALK_ASC] = "c.talk_seconds" },
};
static const char *const sql_position_before[2] = {
	" AND g.started_at <= cur.at "
	    "AND (g.started_at < cur.at OR g.call_id < cur.id)",
	" AND c.started_at <= cur.at "
	    "AND (c.started_at < cur.at OR c.id < cur.id)",
};

static enum call_sort
contains_sort(const struct call_contains *cc)
{
	return cc->sort <= SORT_TALK_ASC ? cc->sort : SORT_TIME_DESC;
}

static bool
time_sort(enum call_sort sort)
{
	return sort == SORT_TIME_DESC || sort == SORT_TIME_ASC;
}

/* Whether the pending calls' branch is read: a pending call contains the
 * fragment, or that is not known and the sort cannot ask (below). */
static bool
pending_branch(const struct call_contains *cc)
{
	return cc->plan.pending ||
	    (cc->plan.ask_pending && !time_sort(contains_sort(cc)));
}

/* Without a pending call to add, a time-sorted page reads the grams'
 * range, already in its order, in the page's own query: no derived table
 * to materialize (0.15-0.2 ms of server time a page at 1,000,000 calls).
 * A duration sort keeps the keys' subquery, where only (id, key) are
 * sorted, not the joined rows. */
static bool
contains_flat(const struct call_contains *cc)
{
	return !pending_branch(cc) && time_sort(contains_sort(cc));
}

/* The probe: whether a pending call contains the fragment, as the flat
 * query's last column. Uncorrelated, so run once per execution (EXPLAIN:
 * SUBQUERY), in the page's own round trip instead of one of its own. */
static const char sql_pending_probe[] =
    ", EXISTS (SELECT 1 FROM call_grams_pending gp STRAIGHT_JOIN calls gc "
    "ON gc.id = gp.call_id "
    "WHERE gc.client_digits_rev LIKE CONCAT('%', ?, '%')) AS pending ";

static bool
probes(const struct call_contains *cc)
{
	return contains_flat(cc) && cc->plan.ask_pending;
}

/* After executing a query built with plan: *again when it must be built
 * and run once more with plan->pending now set, because its probe says a
 * pending call contains the fragment or it found no row to carry the
 * answer; otherwise st is rewound to its first row. */
static enum cb_err
contains_settle(struct db_stmt *st, struct call_contains_plan *plan,
    enum call_sort sort, bool *again)
{
	struct call_contains cc = { .plan = *plan, .sort = sort };
	enum cb_err rc;

	*again = false;
	if (!probes(&cc))
		return CB_OK;
	rc = db_fetch(st);
	if (rc == CB_OK && db_col_i64(st, db_col_count(st) - 1) == 0) {
		db_rewind(st);
		return CB_OK;
	}
	if (rc != CB_OK && rc != CB_ENOTFOUND)
		return rc;
	db_stmt_done(st);
	plan->pending = true;
	plan->ask_pending = false;
	*again = true;
	return CB_OK;
}

/* A branch's tables: the grams (with the end gram g2 past one gram) or the
 * pending calls, each joined to calls c, and the API cursor's row. */
static void
branch_tables(struct call_query *q, const struct call_contains *cc,
    bool pending)
{
	struct buf *sql = &q->sql;
	size_t nlen = strlen(cc->rev), drive, check;

	db_call_gram_pair(nlen, cc->plan.gram_at, &drive, &check);
	if (pending)
		buf_puts(sql, sql_pending_from);
	else if (nlen > CALL_GRAM_LEN) {
		buf_puts(sql, sql_grams_from2);
		param_i64(q, db_call_gram(cc->rev + check));
	} else
		buf_puts(sql, sql_grams_from);
	if (cc->cursor == CONTAINS_CURSOR_CALL) {
		buf_puts(sql, sql_position_of);
		param_i64(q, cc->cursor_id);
	}
}

/* A branch's WHERE ... ORDER BY ... LIMIT ?. */
static void
branch_where(struct call_query *q, const struct call_contains *cc,
    bool pending)
{
	struct buf *sql = &q->sql;
	size_t nlen = strlen(cc->rev), drive, check;
	enum call_sort sort = contains_sort(cc);

	db_call_gram_pair(nlen, cc->plan.gram_at, &drive, &check);
	if (pending) {
		buf_puts(sql, sql_pending_where);
		param_str(q, cc->rev, nlen);
	} else {
		buf_puts(sql, sql_grams_where);
		param_i64(q, db_call_gram(cc->rev + drive));
		/* A fragment of exactly one gram is the gram: no LIKE. */
		if (nlen > CALL_GRAM_LEN) {
			buf_puts(sql, sql_contains_like);
			param_str(q, cc->rev, nlen);
		}
	}
	if (cc->put_filters)
		cc->put_filters(q, cc->arg);
	if (cc->from_utc) {
		buf_puts(sql, pending ? sql_from : sql_grams_date_from);
		param_str(q, cc->from_utc, strlen(cc->from_utc));
	}
	if (cc->to_utc) {
		buf_puts(sql, pending ? sql_to : sql_grams_date_to);
		param_str(q, cc->to_utc, strlen(cc->to_utc));
	}
	if (cc->cursor == CONTAINS_CURSOR_CALL)
		buf_puts(sql, sql_position_before[pending]);
	else if (cc->cursor == CONTAINS_CURSOR_AT) {
		buf_puts(sql, (pending ? sql_cursor : sql_grams_cursor)[sort]);
		if (sort == SORT_TIME_DESC || sort == SORT_TIME_ASC) {
			param_str(q, cc->cursor_at, strlen(cc->cursor_at));
			param_str(q, cc->cursor_at, strlen(cc->cursor_at));
		} else {
			param_i64(q, cc->cursor_talk);
			param_i64(q, cc->cursor_talk);
		}
		param_i64(q, cc->cursor_id);
	}
	buf_puts(sql, (pending ? sql_order_by : sql_grams_order_by)[sort]);
	param_i64(q, cc->limit);
}

/* A branch as the keys' subquery: (id, sort key) of its first rows. */
static void
contains_branch(struct call_query *q, const struct call_contains *cc,
    bool pending)
{
	buf_puts(&q->sql, "(SELECT c.id AS id, ");
	buf_puts(&q->sql, sql_contains_key[pending][contains_sort(cc)]);
	buf_puts(&q->sql, " AS sk ");
	branch_tables(q, cc, pending);
	branch_where(q, cc, pending);
	buf_puts(&q->sql, ")");
}

void
db_call_contains_from(struct call_query *q, const struct call_contains *cc)
{
	if (probes(cc)) {
		buf_puts(&q->sql, sql_pending_probe);
		param_str(q, cc->rev, strlen(cc->rev));
	}
	if (contains_flat(cc)) {
		branch_tables(q, cc, false);
		return;
	}
	buf_puts(&q->sql, "FROM (");
	contains_branch(q, cc, false);
	if (pending_branch(cc)) {
		buf_puts(&q->sql, " UNION ALL ");
		contains_branch(q, cc, true);
	}
	buf_puts(&q->sql, ") k STRAIGHT_JOIN calls c ON c.id = k.id ");
}

void
db_call_contains_order(struct call_query *q, const struct call_contains *cc)
{
	if (contains_flat(cc)) {
		buf_puts(&q->sql, " ");
		branch_where(q, cc, false);
		return;
	}
	buf_puts(&q->sql, " ");
	buf_puts(&q->sql, sql_keys_order[contains_sort(cc)]);
	buf_puts(&q->sql, " LIMIT ?");
	param_i64(q, cc->limit);
}

/* The filters that are not the page's order: appended with their values,
 * in the same order (also into each branch of a "contains",
 * db_call_contains_from()). The client number is left out when grams
 * serve it. */
struct list_filters {
	const struct call_filter *f;
	bool grams;
};

static void
put_text(struct call_query *q, const struct text_sql *tab,
    const struct call_text *t, bool like_escape,
    char out[2 * CALL_TEXT_MAX + 1])
{
	if (!text_on(t))
		return;
	buf_puts(&q->sql, t->negate ? tab[t->mode].not_ : tab[t->mode].is);
	param_text(q, t, like_escape, out);
}

static void
put_list_filters(struct call_query *q, const void *arg)
{
	const struct list_filters *lf = arg;
	const struct call_filter *f = lf->f;
	struct buf *sql = &q->sql;
	unsigned k, slots;

	if (f->manager_id) {
		buf_puts(sql, sql_manager);
		param_i64(q, f->manager_id);
	}
	if (f->integration_id) {
		buf_puts(sql, sql_integration);
		param_i64(q, f->integration_id);
	}
	if (f->customer_id) {
		buf_puts(sql, sql_customer);
		param_i64(q, f->customer_id);
	}
	if (f->order_id) {
		buf_puts(sql, sql_order);
		param_i64(q, f->order_id);
	}
	if (f->direction) {
		buf_puts(sql, sql_direction);
		param_str(q, f->direction, strlen(f->direction));
	}
	if (f->result) {
		buf_puts(sql, sql_result);
		param_str(q, f->result, strlen(f->result));
	}
	if ((unsigned)f->outcome < OUTCOME__MAX)
		buf_puts(sql, sql_outcome[f->outcome]);
	if (f->store_id) {
		buf_puts(sql, sql_store);
		param_i64(q, f->store_id);
	}
	if (!lf->grams)
		put_text(q, sql_number, &f->number, false, q->escaped[0]);
	put_text(q, sql_our, &f->our_number, true, q->escaped[1]);
	put_text(q, sql_external, &f->external_id, true, q->escaped[2]);
	if (f->customer_ids && f->ncustomer_ids > 0 &&
	    f->ncustomer_ids <= CALL_CONTACT_MAX) {
		slots = in_slots(f->ncustomer_ids);
		buf_puts(sql, sql_in_head);
		for (k = 1; k < slots; k++)
			buf_puts(sql, sql_in_more);
		buf_puts(sql, sql_in_tail);
		for (k = 0; k < slots; k++)
			param_i64(q, f->customer_ids[k < f->ncustomer_ids ? k :
			    f->ncustomer_ids - 1]);
	}
	if (f->talk_min >= 0) {
		buf_puts(sql, sql_talk_min);
		param_i64(q, f->talk_min);
	}
	if (f->talk_max >= 0) {
		buf_puts(sql, sql_talk_max);
		param_i64(q, f->talk_max);
	}
	if (f->recording == REC_YES)
		buf_puts(sql, sql_rec_yes);
	else if (f->recording == REC_NO)
		buf_puts(sql, sql_rec_no);
}

enum cb_err
db_call_list_query(const struct call_filter *f, struct call_query *q)
{
	struct buf *sql = &q->sql;
	enum call_sort sort = f->sort <= SORT_TALK_ASC ? f->sort :
	    SORT_TIME_DESC;
	unsigned limit = f->limit && f->limit <= CALL_PAGE_MAX ? f->limit : 50;
	bool longer = f->number_longer_col && text_on(&f->number) &&
	    f->number.mode == MATCH_EXACT && !f->number.negate;
	bool said = f->said != NULL && *f->said != '\0';
	bool grams = list_grams(f);
	/* An equality filter whose index leads with its column (see
	 * sql_keys_head). The grams' branches are already ranges. */
	bool deferred = !grams && !said && f->has_cursor && (f->manager_id ||
	    f->integration_id || f->customer_id || f->order_id ||
	    f->direction || f->result || (text_on(&f->number) &&
	    f->number.mode == MATCH_EXACT && !f->number.negate) ||
	    (text_on(&f->our_number) && f->our_number.mode == MATCH_EXACT &&
	    !f->our_number.negate));
	struct list_filters lf = { f, grams };
	const char *joins = f->export_cols ? sql_export_joins : sql_list_joins;

	q->nparams = 0;
	buf_init(sql, 16384);
	buf_puts(sql, f->export_cols ? sql_export_cols : sql_list_cols);
	if (longer) {
		buf_puts(sql, sql_longer_col);
		param_str(q, f->number.value, strlen(f->number.value));
		param_str(q, f->number.value, strlen(f->number.value));
	}
	if (grams) {
		struct call_contains cc = {
			.rev = f->number.value, .plan = f->number_plan,
			.sort = sort, .from_utc = f->from_utc,
			.to_utc = f->to_utc,
			.cursor = f->has_cursor ? CONTAINS_CURSOR_AT :
			    CONTAINS_CURSOR_NONE,
			.cursor_at = f->cursor_at,
			.cursor_talk = f->cursor_talk,
			.cursor_id = f->cursor_id, .limit = limit,
			.put_filters = put_list_filters, .arg = &lf,
		};

		db_call_contains_from(q, &cc);
		buf_puts(sql, joins);
		db_call_contains_order(q, &cc);
		return sql->err;
	}
	if (said)
		buf_puts(sql, sql_said_from);
	else if (deferred)
		buf_puts(sql, sql_keys_head[sort]);
	else {
		buf_puts(sql, sql_list_from);
		buf_puts(sql, joins);
	}
	buf_puts(sql, sql_list_where);
	if (said) {
		buf_puts(sql, sql_said_where);
		param_str(q, f->said, strlen(f->said));
	}
	put_list_filters(q, &lf);
	if (f->from_utc) {
		buf_puts(sql, sql_from);
		param_str(q, f->from_utc, strlen(f->from_utc));
	}
	if (f->to_utc) {
		buf_puts(sql, sql_to);
		param_str(q, f->to_utc, strlen(f->to_utc));
	}
	if (f->has_cursor) {
		buf_puts(sql, sql_cursor[sort]);
		if (sort == SORT_TIME_DESC || sort == SORT_TIME_ASC) {
			param_str(q, f->cursor_at, strlen(f->cursor_at));
			param_str(q, f->cursor_at, strlen(f->cursor_at));
		} else {
			param_i64(q, f->cursor_talk);
			param_i64(q, f->cursor_talk);
		}
		param_i64(q, f->cursor_id);
	}
	buf_puts(sql, sql_order_by[sort]);
	param_i64(q, limit);
	if (deferred) {
		buf_puts(sql, sql_keys_join);
		buf_puts(sql, joins);
		buf_puts(sql, sql_keys_order[sort]);
	}
	return sql->err;
}

enum cb_err
db_call_query_prepare(struct db *db, struct call_query *q,
    struct db_stmt **out)
{
	struct db_stmt *st;
	enum cb_err rc;
	unsigned i;

	if ((rc = db_stmt_text(db, buf_cstr(&q->sql), &st)) != CB_OK)
		return rc;
	for (i = 0; i < q->nparams; i++)
		if (q->params[i].is_text)
			db_bind_str(st, i, q->params[i].text, q->params[i].len);
		else
			db_bind_i64(st, i, q->params[i].i64);
	*out = st;
	return CB_OK;
}

enum cb_err
db_call_query_run(struct db *db,
    enum cb_err (*build)(const void *f, struct call_query *q), const void *f,
    struct call_contains_plan *plan, enum call_sort sort,
    struct db_stmt **out)
{
	struct call_query *q;
	struct db_stmt *st;
	enum cb_err rc;
	bool again = plan != NULL;

	do {
		/* ~11 KiB: off the stack of a FastCGI handler */
		if ((q = malloc(sizeof(*q))) == NULL)
			return CB_ENOMEM;
		if ((rc = build(f, q)) == CB_OK)
			rc = db_call_query_prepare(db, q, &st);
		buf_free(&q->sql);
		free(q);
		if (rc != CB_OK || (rc = db_exec(st)) != CB_OK)
			return rc;
		if (again && (rc = contains_settle(st, plan, sort, &again)) !=
		    CB_OK)
			return rc;
	} while (again);
	*out = st;
	return CB_OK;
}

static enum cb_err
list_query(const void *f, struct call_query *q)
{
	return db_call_list_query(f, q);
}

enum cb_err
db_call_list(struct db *db, const struct call_filter *f, struct db_stmt **out)
{
	enum cb_err rc;
	struct call_filter g = *f;
	bool grams = list_grams(f);

	if (grams && (rc = db_call_contains_plan(db, f->kept_version,
	    f->number.value, &g.number_plan)) != CB_OK)
		return rc;
	return db_call_query_run(db, list_query, &g,
	    grams ? &g.number_plan : NULL, f->sort, out);
}

/* Is there a stored number that ends with the digits of rev but is longer
 * (say 00380671234567 when rev is the complete +380671234567)? A range of
 * ix_calls_client_digits_rev just past rev: usually empty, a few index
 * entries at most. */
static const char sql_number_longer[] =
    "SELECT 1 FROM calls WHERE client_digits_rev > ? "
    "AND client_digits_rev LIKE CONCAT(?, '%') LIMIT 1";

enum cb_err
db_call_number_longer(struct db *db, const char *rev, bool *exists)
{
	struct db_stmt *st;
	enum cb_err rc;

	*exists = true;
	if ((rc = db_stmt(db, sql_number_longer, &st)) != CB_OK)
		return rc;
	db_bind_text(st, 0, rev);
	db_bind_text(st, 1, rev);
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	rc = db_fetch(st);
	db_stmt_done(st);
	if (rc != CB_OK && rc != CB_ENOTFOUND)
		return rc;
	*exists = rc == CB_OK;
	return CB_OK;
}

/* A search of one word: a prefix range of customer_name_words' primary key
 * (migration 0036: every word of every name, and the parts of hyphenated
 * ones), so a surname is found too; DISTINCT because two words of one name
 * can share the prefix. Several words: a prefix range of ix_customers_name,
 * the name as typed ("Michał Dud"). Both columns have the collation of
 * customers.name (utf8mb4_unicode_ci): case and accents are ignored, "sean"
 * finds "Seán", though "ł" stays a letter of its own. */
static const char sql_contact_ids_word[] =
    "SELECT DISTINCT customer_id FROM customer_name_words "
    "WHERE word LIKE CONCAT(?, '%') ESCAPE '!' LIMIT ?";
static const char sql_contact_ids[] =
    "SELECT id FROM customers WHERE name LIKE CONCAT(?, '%') ESCAPE '!' "
    "ORDER BY name, id LIMIT ?";

enum cb_err
db_call_contact_ids(struct db *db, const char *prefix, int64_t *ids,
    unsigned max, unsigned *n)
{
	struct call_text t = { MATCH_BEGINS, false, prefix };
	struct call_query q;
	struct db_stmt *st;
	enum cb_err rc;
	unsigned i = 0;

	*n = 0;
	/* A word of customer_name_words never holds a space. */
	if ((rc = db_stmt(db, strchr(prefix, ' ') == NULL ?
	    sql_contact_ids_word : sql_contact_ids, &st)) != CB_OK)
		return rc;
	q.nparams = 0;
	param_text(&q, &t, true, q.escaped[0]);
	if (q.nparams == 1)
		db_bind_str(st, i++, q.params[0].text, q.params[0].len);
	db_bind_i64(st, i, max);
	if ((rc = db_exec(st)) != CB_OK)
		return rc;
	while (*n < max && (rc = db_fetch(st)) == CB_OK)
		ids[(*n)++] = db_col_i64(st, 0);
	db_stmt_done(st);
	return rc == CB_OK || rc == CB_ENOTFOUND ? CB_OK : rc;
}

/* The three short lists around the history (the manager and integration
 * selects, the user's saved filters) in one round trip instead of three:
 * each page view already pays one for the session and one for its rows, and
 * on 2 cores a round trip costs about 0.1 ms of CPU on each side. One ORDER
 * BY over the UNION (kind, name, id), no derived table and no per-branch
 * sort: 0.23 ms of server time against 0.28 with them (SHOW PROFILES, 1M
 * calls); the caller applies the per-kind caps (CALL_LIST_*_MAX). */
static const char sql_page_lists[] =
    "SELECT 1 AS k, id, name, extension FROM users "
    "UNION ALL SELECT 2, id, name, kind FROM integrations "
    "UNION ALL SELECT 3, id, name, query FROM saved_filters "
    "WHERE user_id = ? AND page = 'calls' "
    "ORDER BY k, name, id LIMIT 100000";

enum cb_err
db_call_page_lists(struct db *db, int64_t saved_user_id, struct db_stmt **out)
{
	enum cb_err rc;

	if ((rc = db_stmt(db, sql_page_lists, out)) != CB_OK)
		return rc;
	db_bind_i64(*out, 0, saved_user_id);
	return db_exec(*out);
}

/* CALL proc(arg) of a procedure that answers one row of one number
 * (*out). A procedure stopped half-way may leave its transaction open: it
 * is rolled back. */
static enum cb_err
call_answering_one(struct db *db, const char *sql, int64_t arg, int64_t *out)
{
	struct db_stmt *st;
	enum cb_err rc;

	*out = 0;
	if ((rc = db_stmt(db, sql, &st)) != CB_OK)
		return rc;
	db_bind_i64(st, 0, arg);
	if ((rc = db_exec(st)) != CB_OK) {
		db_rollback_any(db);
		return rc;
	}
	if ((rc = db_fetch(st)) == CB_OK)
		*out = db_col_i64(st, 0);
	db_stmt_done(st);
	return rc == CB_ENOTFOUND ? CB_EDB : rc;
}

enum cb_err
db_call_grams_drain(struct db *db, unsigned max, unsigned *n)
{
	int64_t v;
	enum cb_err rc = call_answering_one(db, "CALL cb_call_grams_drain(?)",
	    max, &v);

	*n = (unsigned)v;
	return rc;
}

enum cb_err
db_call_gram_counts_refresh(struct db *db, unsigned max_age, bool *refreshed)
{
	int64_t v;
	enum cb_err rc = call_answering_one(db,
	    "CALL cb_call_gram_counts_refresh(?)", max_age, &v);

	*refreshed = v > 0;
	return rc;
}
