#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "calls/ingest.h"
#include "calls/receive.h"
#include "calls/recfetch.h"
#include "core/arena.h"
#include "core/log.h"
#include "dial/dial.h"
#include "reconcile/run.h"

#define RUN_TIMEOUT_S 20       /* per page, when the config says 0 */
#define OUTCOME_KEEP_DAYS 7

/* The pages read so far (all of them before anything is stored). */
struct page_list {
	struct hist_page page;
	struct page_list *next;
};

static enum cb_err
fetch_all(const struct cb_config *cfg, const struct integration *ig,
    const struct prov_history *h, const struct prov_conf *pc,
    const struct hist_window *w, struct arena *a, struct page_list **head,
    size_t *total, bool *refused, char *err, size_t errsz)
{
	const char *allow[RECFETCH_ALLOW_MAX + 1];
	struct page_list **tail = head;
	char cursor[HIST_CURSOR_MAX] = "", origin[300];
	struct hist_request rq;
	struct httpc_req hr;
	struct httpc_res res;
	struct buf body;
	const char *why = NULL;
	enum cb_err rc;
	int pages;

	recfetch_allow_private(ig->config, allow);
	*total = 0;
	for (pages = 0; pages < HIST_MAX_PAGES; pages++) {
		struct page_list *pl;

		if ((rc = h->request(pc, w, cursor, &rq, &why)) != CB_OK) {
			err_say(err, errsz, "%s", why ? why : cb_strerror(rc));
			return rc;
		}
		httpc_origin(rq.url, origin, sizeof(origin));
		memset(&hr, 0, sizeof(hr));
		hr.method = rq.method;
		hr.url = rq.url;
		hr.headers = rq.header_ptrs;
		hr.body = rq.body_len ? rq.body : NULL;
		hr.body_len = rq.body_len;
		hr.content_type = rq.content_type;
		hr.user = rq.user[0] ? rq.user : NULL;
		hr.password = rq.password;
		hr.timeout_s = cfg->outbound_timeout_seconds ?
		    cfg->outbound_timeout_seconds : RUN_TIMEOUT_S;
		hr.max_bytes = HIST_PAGE_MAX_BYTES;
		hr.public_only = true;
		hr.allow_private = allow;
		buf_init(&body, HIST_PAGE_MAX_BYTES);
		rc = httpc_request(&hr, &body, &res);
		hist_request_wipe(&rq);
		if (rc == CB_OK && dial_token_refused(ig->kind, res.status,
		    body.p ? body.p : "", body.len)) {
			/* The prepare step's token died (reconcile_pull logs
			 * in again, once). */
			*refused = true;
			err_say(err, errsz, "the history API (%s) refused the API "
			    "token", origin);
			buf_free(&body);
			return CB_EUPSTREAM;
		}
		if (rc != CB_OK) {
			err_say(err, errsz, "the history API (%s) did not answer: %s%s",
			    origin, res.error, rc == CB_EDENIED ?
			    RECFETCH_ALLOW_HINT : "");
			buf_free(&body);
			return rc == CB_ENOMEM ? rc : CB_EUPSTREAM;
		}
		if (res.status < 200 || res.status > 299) {
			err_say(err, errsz, "the history API (%s) answered HTTP %ld%s",
			    origin, res.status, res.status == 429 ?
			    " (too many requests: the next run tries again)" :
			    res.status == 401 || res.status == 403 ?
			    " (check the integration's API keys)" : "");
			buf_free(&body);
			return CB_EUPSTREAM;
		}
		pl = arena_alloc(a, sizeof(*pl));
		why = NULL;
		rc = h->parse(pc, w, cursor, body.p ? body.p : "", body.len, a,
		    &pl->page, &why);
		buf_free(&body);
		if (rc != CB_OK) {
			err_say(err, errsz, "the history API (%s): %s", origin,
			    why ? why : cb_strerror(rc));
			return rc == CB_ENOMEM ? rc : CB_EUPSTREAM;
		}
		*total += pl->page.n;
		if (*total > HIST_MAX_RECORDS) {
			err_say(err, errsz, "the window holds more than %d calls: "
			    "reconcile a shorter one", HIST_MAX_RECORDS);
			return CB_EUPSTREAM;
		}
		*tail = pl;
		tail = &pl->next;
		if (pl->page.next[0] == '\0')
			return CB_OK;
		if (strcmp(pl->page.next, cursor) == 0) {
			err_say(err, errsz, "the history API (%s) gave the same page "
			    "twice", origin);
			return CB_EUPSTREAM;
		}
		snprintf(cursor, sizeof(cursor), "%s", pl->page.next);
	}
	err_say(err, errsz, "the window has more than %d pages: reconcile a "
	    "shorter one", HIST_MAX_PAGES);
	return CB_EUPSTREAM;
}

/* fetch_all() with the provider's prepare step (dial/prepare.c) when it
 * has one: its token in pc->token, and one new login when the API says
 * the token is no longer good. */
static enum cb_err
fetch_with_token(const struct cb_config *cfg, const struct integration *ig,
    const struct prov_history *h, struct prov_conf *pc,
    const struct hist_window *w, struct arena *a, struct page_list **head,
    size_t *total, char *err, size_t errsz)
{
	struct dial_target t;
	struct prov_token tok;
	unsigned timeout = cfg->outbound_timeout_seconds ?
	    cfg->outbound_timeout_seconds : RUN_TIMEOUT_S;
	bool refused = false;
	enum cb_err rc;
	int attempt;

	memset(&t, 0, sizeof(t));
	t.kind = ig->kind;
	t.slug = ig->slug;
	t.name = ig->name;
	t.config = ig->config;
	t.secrets = ig->secrets;
	for (attempt = 0; attempt < 2; attempt++) {
		if ((rc = dial_prepare(&t, attempt > 0, timeout, &tok, err,
		    errsz)) != CB_OK)
			return rc;
		pc->token = tok.value[0] != '\0' ? tok.value : NULL;
		*head = NULL;
		refused = false;
		rc = fetch_all(cfg, ig, h, pc, w, a, head, total, &refused,
		    err, errsz);
		pc->token = NULL;
		explicit_bzero(&tok, sizeof(tok));
		if (!refused)
			break;
	}
	return rc;
}

/* One record through the receive pipeline, as its webhook arriving late. */
static enum cb_err
store_one(struct db *db, struct arena *a, const struct integration *ig,
    const struct hist_event *he, int64_t now, struct reconcile_counts *n,
    char *first_why, size_t whysz)
{
	struct recv_req rq;
	struct recv_opts o;
	struct recv_out out;
	char uri[200];

	memset(&rq, 0, sizeof(rq));
	snprintf(uri, sizeof(uri), "/reconcile/%s", ig->slug);
	rq.method = "POST";
	rq.url = NULL;
	rq.request_uri = uri;
	rq.query = "";
	rq.content_type = he->content_type;
	rq.body = he->body;
	rq.body_len = he->body_len;
	rq.remote_addr = "";
	/* When the provider would have sent it: times the record does not
	 * state (Zadarma's end) are that, not the time of this run. */
	rq.received_ms = he->at_ms > 0 && he->at_ms < now ? he->at_ms : now;
	memset(&o, 0, sizeof(o));
	o.source = RECV_SOURCE_RECONCILE;
	o.verified = true;          /* came from the provider's API, by TLS */
	o.live = false;             /* a past call: no popup */
	receive_event(db, a, ig, &rq, &o, &out);
	switch (out.status) {
	case RECV_STORED:
		if (out.res.excepted)
			n->unchanged++;    /* on the exception list: never stored */
		else if (out.res.created)
			n->recovered++;
		else
			n->completed++;
		break;
	case RECV_DUPLICATE:
		n->unchanged++;
		break;
	case RECV_DB_DOWN:
		ingest_result_free(&out.res);
		return CB_EDB;
	default:
		n->refused++;
		if (first_why[0] == '\0')
			snprintf(first_why, whysz, "call %s: %s", he->call_id,
			    out.why ? out.why : recv_status_name(out.status));
		break;
	}
	ingest_result_free(&out.res);
	return CB_OK;
}

enum cb_err
reconcile_pull(struct db *db, const struct cb_config *cfg,
    const struct integration *ig, const struct hist_window *w,
    struct reconcile_counts *n, char *err, size_t errsz)
{
	const struct prov_history *h = reconcile_history_for(ig->kind);
	struct page_list *pages = NULL, *pl;
	struct prov_conf pc;
	struct arena *a;
	char why[300] = "";
	size_t total, i;
	int64_t now = now_ms();
	enum cb_err rc;

	memset(n, 0, sizeof(*n));
	err[0] = '\0';
	if (h == NULL) {
		err_say(err, errsz, "%s integrations have no call history to "
		    "reconcile from", ig->kind);
		return CB_EINVAL;
	}
	if (w->to_s <= w->from_s) {
		err_say(err, errsz, "the window ends before it starts");
		return CB_EINVAL;
	}
	memset(&pc, 0, sizeof(pc));
	pc.slug = ig->slug;
	pc.secrets = ig->secrets;
	pc.config = ig->config;
	pc.default_country = ig->default_country;
	if ((a = arena_new()) == NULL)
		return CB_ENOMEM;
	rc = fetch_with_token(cfg, ig, h, &pc, w, a, &pages, &total, err,
	    errsz);
	if (rc == CB_OK) {
		n->records = (unsigned)total;
		for (pl = pages; pl != NULL && rc == CB_OK; pl = pl->next)
			for (i = 0; i < pl->page.n && rc == CB_OK; i++)
				rc = store_one(db, a, ig, &pl->page.ev[i], now, n,
				    why, sizeof(why));
		if (rc == CB_EDB)
			err_say(err, errsz, "the database went away: %s",
			    db_error(db));
		else if (n->refused)
			err_say(err, errsz, "%u record(s) refused; the first: %s",
			    n->refused, why);
	}
	arena_free(a);
	return rc;
}

enum cb_err
reconcile_execute(struct db *db, const struct cb_config *cfg, int64_t run_id,
    struct reconcile_counts *n, bool *ok, char *err, size_t errsz)
{
	struct integration ig;
	struct hist_window w;
	struct arena *a;
	char slug[128];
	enum cb_err rc;

	*ok = false;
	memset(n, 0, sizeof(*n));
	err[0] = '\0';
	if ((rc = db_reconcile_get(db, run_id, slug, sizeof(slug), &w.from_s,
	    &w.to_s)) != CB_OK) {
		err_say(err, errsz, "%s", rc == CB_ENOTFOUND ? "no such run" :
		    db_error(db));
		return rc;
	}
	if ((rc = db_reconcile_running(db, run_id)) != CB_OK) {
		err_say(err, errsz, "%s", db_error(db));
		return rc;
	}
	if ((a = arena_new()) == NULL)
		return CB_ENOMEM;
	rc = db_integration_by_slug(db, a, slug, &ig);
	if (rc == CB_OK)
		rc = reconcile_pull(db, cfg, &ig, &w, n, err, errsz);
	else
		err_say(err, errsz, "%s", db_error(db));
	*ok = rc == CB_OK;
	log_info("reconcile %s run %lld: %s: %u record(s), %u recovered, "
	    "%u completed, %u already stored, %u refused%s%s", slug,
	    (long long)run_id, *ok ? "ok" : "failed", n->records, n->recovered,
	    n->completed, n->unchanged, n->refused, err[0] ? "; " : "", err);
	arena_free(a);
	if (rc == CB_EDB)
		return CB_EDB;   /* the worker retries; the run stays running */
	if (db_reconcile_finish(db, run_id, *ok, n, err[0] ? err : NULL) !=
	    CB_OK) {
		err_say(err, errsz, "%s", db_error(db));
		return CB_EDB;
	}
	return CB_OK;
}

bool
reconcile_enabled(const char *kind, struct json_object *config)
{
	struct json_object *v;

	if (reconcile_history_for(kind) == NULL)
		return false;
	if (config != NULL && json_object_is_type(config, json_type_object) &&
	    json_object_object_get_ex(config, "reconcile", &v) &&
	    json_object_is_type(v, json_type_boolean) &&
	    !json_object_get_boolean(v))
		return false;
	return true;
}

void
reconcile_schedule(struct db *db, const struct cb_config *cfg)
{
	static time_t last;
	time_t now = time(NULL);
	struct db_stmt *st;
	int64_t ids[256], run_id;
	size_t k = 0, i;
	uint64_t purged;
	unsigned hours;
	enum cb_err rc;

	/* The first run one period after the worker starts: a restart loop
	 * must not hammer the providers (Zadarma allows 3 statistics
	 * requests a minute). */
	if (last == 0)
		last = now;
	if (cfg->reconcile_seconds == 0 ||
	    now - last < (time_t)cfg->reconcile_seconds)
		return;
	last = now;
	if (db_event_outcomes_purge(db, OUTCOME_KEEP_DAYS, &purged) != CB_OK)
		log_warn("reconcile: cannot purge old inspector notes: %s",
		    db_error(db));
	if (db_reconcile_candidates(db, &st) != CB_OK) {
		log_warn("reconcile: %s; will retry", db_error(db));
		return;
	}
	while ((rc = db_fetch(st)) == CB_OK && k < sizeof(ids) / sizeof(ids[0])) {
		const char *kind = db_col(st, 1, NULL), *conf = db_col(st, 2,
		    NULL);
		struct json_object *c = conf ? json_tokener_parse(conf) : NULL;
		if (kind != NULL && reconcile_enabled(kind, c))
			ids[k++] = db_col_i64(st, 0);
		json_object_put(c);
	}
	db_stmt_done(st);
	hours = cfg->reconcile_window_hours ? cfg->reconcile_window_hours : 48;
	for (i = 0; i < k; i++)
		if (db_reconcile_queue(db, ids[i], "schedule", (int64_t)now -
		    (int64_t)hours * 3600, (int64_t)now,
		    &run_id) != CB_OK)
			log_warn("reconcile: cannot queue integration %lld: %s",
			    (long long)ids[i], db_error(db));
}
