/* analytics: is every caller answered, and how fast are missed calls
 * called back? (issue 21)
 *
 *   GET /analytics?from=YYYY-MM-DD&to=YYYY-MM-DD[&integration=&line=
 *       &store=&manager=&direction=]      the report (HTML or ?format=json)
 *   GET /analytics.csv?...&table=T        one table as CSV: daily,
 *                                         followup, managers, heatmap,
 *                                         wait, lines
 *   GET/POST /settings/analytics          the follow-up target (minutes;
 *                                         permission `settings`)
 *
 * Permission `analytics`; scope "own" narrows every figure to the user's
 * calls. Days are the viewer's (users.time_zone), DST included
 * (lib/analytics/range.h). Every count links to the history (/calls) with
 * the filters that select exactly those calls, so the two agree; the
 * history learned `outcome` and `store` for that (lib/db/call.h). Charts
 * are SVG drawn by the template (templates/analytics.html) from geometry
 * computed in lib/analytics/chart.c, each with a table beside it. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analytics/chart.h"
#include "analytics/query.h"
#include "analytics/range.h"
#include "analytics/stats.h"
#include "auth/access.h"
#include "core/strparse.h"
#include "core/timefmt.h"
#include "db/call.h"
#include "db/calllists.h"
#include "http/app.h"
#include "http/csv.h"
#include "http/dial_link.h"
#include "http/escape.h"
#include "i18n/i18n.h"
#include "phone/phone.h"

#define NEVER_LIST_MAX 200    /* never-handled numbers listed */
#define FOLLOW_MAX 200000     /* missed calls followed up per report */

static const char *const known_params[] = {
	"from", "to", "integration", "line", "store", "manager", "direction",
	"format", "table", "sep", NULL
};
static const char *const directions[] = { "in", "out", "internal", NULL };
/* The outcomes as machines name them (the history's outcome=, the charts'
 * data-series, the JSON) and as people read them (legends, hover texts). */
static const char *const outcome_names[3] = { "answered", "missed",
	"other" };
static const char *const outcome_words[3] = { N_("answered"), N_("missed"),
	N_("other") };
static const char *const db_down = N_("The database is not answering. Try "
    "again in a minute.");
static const char *const too_long = N_("This report took too long and was "
    "stopped. Choose a shorter range or a filter, or try again when the "
    "server is less busy.");

/* The report's sections in the order build() runs them: each is timed
 * (the model's timings_ms, for bench/analytics.sh and a person asking
 * why a page is slow) and gets what is left of the report's time. */
enum section {
	SEC_SOURCE, SEC_DAILY, SEC_FOLLOWUP, SEC_MANAGERS, SEC_HEATMAP,
	SEC_WAIT, SEC_CALLERS_LINES, SEC_FORM, SEC__MAX
};
static const char *const section_names[SEC__MAX] = {
	"source", "daily", "followup", "managers", "heatmap", "wait",
	"callers_lines", "form"
};

/* One request's report. */
struct report {
	struct an_range r;
	struct an_filter f;
	const char *line_param;       /* as typed, for the form */
	int64_t target_minutes;
	enum an_source src;           /* summaries or calls (an_q_source) */
	enum an_source numbers_src;   /* the same for follow-up, callers */
	int64_t deadline_ms;          /* now_ms() when the report must stop */
	int64_t started_ms;           /* when the current section began */
	int64_t took_ms[SEC__MAX];
	bool timed_out;               /* stopped by the deadline */
};

static int64_t
now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Starts section s: the time since the last start is the previous
 * section's, and s's statements may take what is left of the report's
 * time (MariaDB stops a statement past it: max_statement_time), so a
 * report nginx would give up on (fastcgi_read_timeout) answers with a
 * message instead, and its queries stop loading the database. */
static enum cb_err
section(struct ctx *ctx, struct report *rep, enum section s)
{
	int64_t now = now_ms(), left = rep->deadline_ms - now;

	if (s > 0)
		rep->took_ms[s - 1] = now - rep->started_ms;
	rep->started_ms = now;
	if (s == SEC__MAX)
		return CB_OK;
	if (left < 1) {
		rep->timed_out = true;
		return CB_EDB;
	}
	return an_q_statement_limit(ctx->db, left);
}

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

/* n as the viewer's language writes it ("12 345"), in the arena. */
static const char *
num_shown(struct ctx *ctx, int64_t n)
{
	char s[48];

	i18n_format_int(ctx->lang, n, s, sizeof(s));
	return arena_strdup(ctx->arena, s);
}

/* A local day "YYYY-MM-DD" as the viewer's language writes it
 * ("23.11.2026", "23 Nov 2026"), in the arena. */
static const char *
day_shown(struct ctx *ctx, const char *day)
{
	char s[48];

	i18n_format_datetime(ctx->lang, day, s, sizeof(s));
	return arena_strdup(ctx->arena, s);
}

/* "87.5" from tenths of a per cent, in the arena. */
static const char *
pct(struct ctx *ctx, int64_t permille)
{
	char *s = arena_alloc(ctx->arena, AN_PERMILLE_TEXT);

	an_permille_text(permille, s);
	return s;
}

static enum cb_err
read_id(struct ctx *ctx, const char *name, int64_t *out)
{
	const char *v = nonempty(app_param(ctx, name));

	*out = 0;
	if (v && strparse_i64z(v, 1, INT64_MAX, out) != CB_OK) {
		ctx->message = app_fill(ctx, _("The \"{name}\" filter is an id: "
		    "pick it from the list."), "{name}", name, NULL);
		return CB_EINVAL;
	}
	return CB_OK;
}

/* Validates every parameter before a query runs; CB_EINVAL (400) with the
 * reason in ctx->message. */
static enum cb_err
read_report(struct ctx *ctx, struct report *rep)
{
	const char *why = NULL, *v;
	char today[32], now[20];
	enum cb_err rc;
	size_t i;

	memset(rep, 0, sizeof(*rep));
	for (i = 0; i < ctx->req->query.n; i++)
		if (index_of(ctx->req->query.v[i].key, known_params) < 0) {
			ctx->message = app_fill(ctx, _("Unknown filter \"{name}\": "
			    "the report understands from, to, integration, "
			    "line, store, manager and direction."), "{name}",
			    ctx->req->query.v[i].key, NULL);
			return CB_EINVAL;
		}
	an_utc_format((int64_t)time(NULL), now);
	if (time_utc_to_local(now, ctx->user->time_zone, today,
	    sizeof(today)) != CB_OK)
		snprintf(today, sizeof(today), "%.10s", now);
	today[10] = '\0';
	if (an_range_parse(nonempty(app_param(ctx, "from")),
	    nonempty(app_param(ctx, "to")), today, ctx->user->time_zone,
	    &rep->r, &why) != CB_OK) {
		ctx->message = _(why);
		return CB_EINVAL;
	}
	if ((rc = read_id(ctx, "integration", &rep->f.integration_id)) !=
	    CB_OK || (rc = read_id(ctx, "store", &rep->f.store_id)) != CB_OK ||
	    (rc = read_id(ctx, "manager", &rep->f.manager_id)) != CB_OK)
		return rc;
	if ((v = nonempty(app_param(ctx, "direction"))) != NULL) {
		if (index_of(v, directions) < 0) {
			ctx->message = _("Direction must be in, out or "
			    "internal.");
			return CB_EINVAL;
		}
		rep->f.direction = v;
	}
	if ((v = nonempty(app_param(ctx, "line"))) != NULL) {
		char *norm = arena_alloc(ctx->arena, PHONE_MAX);
		/* Lines are stored E.164 (calls.our_number); typed in any
		 * format, like the history's "our number". */
		if (strlen(v) > 64 || phone_normalize(v, strlen(v),
		    ctx->cfg->default_country, norm, PHONE_MAX) !=
		    PHONE_E164) {
			ctx->message = _("The line must be a phone number, "
			    "e.g. +380441234567.");
			return CB_EINVAL;
		}
		rep->f.line = norm;
		rep->line_param = v;
	}
	/* The route needs `analytics`, so this is 0 (all) or the user. */
	rep->f.scope_manager = access_analytics_manager(ctx->user);
	if (rep->f.scope_manager < 0)
		rep->f.scope_manager = ctx->user->id;
	return CB_OK;
}

/* A link to the history with exactly the calls a figure counts: the
 * report's filters, then the figure's own. from/to are local days or
 * "YYYY-MM-DD HH:MM" (the history's formats). */
struct hist {
	const char *from, *to;
	const char *direction;     /* overrides the report's when set */
	const char *outcome;
	int64_t manager_id;        /* overrides when set */
	const char *number;        /* exact client number */
};

static void
q_put(struct buf *b, const char *k, const char *v)
{
	if (v == NULL)
		return;
	buf_putc(b, memchr(b->p, '?', b->len) ? '&' : '?');
	buf_puts(b, k);
	buf_putc(b, '=');
	url_component(b, v, strlen(v));
}

static const char *
hist_url(struct ctx *ctx, const struct report *rep, const struct hist *h)
{
	struct buf b;
	const char *r;
	char id[24];

	buf_init(&b, 4096);
	buf_puts(&b, "/calls");
	q_put(&b, "from", h->from);
	q_put(&b, "to", h->to);
	if (h->number) {
		q_put(&b, "q", h->number);
		q_put(&b, "q_mode", "exact");
	}
	q_put(&b, "direction", h->direction ? h->direction :
	    rep->f.direction);
	q_put(&b, "outcome", h->outcome);
	if (h->manager_id || rep->f.manager_id) {
		snprintf(id, sizeof(id), "%lld", (long long)(h->manager_id ?
		    h->manager_id : rep->f.manager_id));
		q_put(&b, "manager", id);
	}
	if (rep->f.integration_id) {
		snprintf(id, sizeof(id), "%lld",
		    (long long)rep->f.integration_id);
		q_put(&b, "integration", id);
	}
	if (rep->f.store_id) {
		snprintf(id, sizeof(id), "%lld", (long long)rep->f.store_id);
		q_put(&b, "store", id);
	}
	if (rep->f.line) {
		q_put(&b, "our_number", rep->f.line);
		q_put(&b, "our_number_mode", "exact");
	}
	r = b.err ? NULL : arena_strndup(ctx->arena, b.p, b.len);
	buf_free(&b);
	return r;
}

/* {value, url}: a count and the history link that shows those calls. */
static struct json_object *
figure(struct ctx *ctx, const struct report *rep, int64_t v,
    const struct hist *h)
{
	struct json_object *o = json_object_new_object();

	app_add_int(o, "value", v);
	/* as the viewer's language writes it ("12 345"); value for machines */
	app_add_str(o, "shown", num_shown(ctx, v));
	app_add_str(o, "url", h ? hist_url(ctx, rep, h) : NULL);
	return o;
}

/* ---- 1, 2: calls per day and the answer rates ---------------------------- */

/* Counts [day][dir 0 in / 1 out][outcome], over the range and the
 * previous period (day index from prev_from). */
struct daily {
	int ndays;                 /* 2 × days */
	int64_t (*c)[2][3];
	int64_t internal;          /* internal calls in the range */
};

static enum cb_err
load_daily(struct ctx *ctx, struct report *rep, struct daily *d)
{
	struct db_stmt *st;
	enum cb_err rc;
	int64_t first = rep->r.day0 - rep->r.days;

	d->ndays = 2 * rep->r.days;
	d->c = arena_alloc(ctx->arena, sizeof(*d->c) * (size_t)d->ndays);
	memset(d->c, 0, sizeof(*d->c) * (size_t)d->ndays);
	d->internal = 0;
	if ((rc = an_q_daily(ctx->db, rep->src, &rep->r, &rep->f, &st)) != CB_OK)
		return rc;
	while ((rc = db_fetch(st)) == CB_OK) {
		int64_t i = db_col_i64(st, 0) - first;
		const char *dir = db_col(st, 1, NULL);
		int o;

		if (i < 0 || i >= d->ndays || dir == NULL)
			continue;   /* the edges of a DST segment: none */
		for (o = 0; o < 3; o++) {
			int64_t n = db_col_i64(st, 2 + (unsigned)o);
			if (strcmp(dir, "in") == 0)
				d->c[i][0][o] += n;
			else if (strcmp(dir, "out") == 0)
				d->c[i][1][o] += n;
			else if (i >= rep->r.days)
				d->internal += n;
		}
	}
	db_stmt_done(st);
	return rc == CB_ENOTFOUND ? CB_OK : rc;
}

/* The rates of one period: incoming calls answered / missed. */
static struct json_object *
period_model(struct ctx *ctx, const struct report *rep,
    const struct daily *d, int from, int to, const char *dfrom,
    const char *dto, bool links)
{
	struct json_object *p = json_object_new_object();
	int64_t t[2][3] = { { 0 } }, in, out;
	int i, k, o;

	for (i = from; i < to; i++)
		for (k = 0; k < 2; k++)
			for (o = 0; o < 3; o++)
				t[k][o] += d->c[i][k][o];
	in = t[0][0] + t[0][1] + t[0][2];
	out = t[1][0] + t[1][1] + t[1][2];
	app_add_str(p, "from", dfrom);
	app_add_str(p, "to", dto);
	app_add_str(p, "from_shown", day_shown(ctx, dfrom));
	app_add_str(p, "to_shown", day_shown(ctx, dto));
	for (k = 0; k < 2; k++) {
		struct json_object *dir = json_object_new_object();
		const char *dn = k ? "out" : "in";
		struct hist h = { dfrom, dto, dn, NULL, 0, NULL };

		json_object_object_add(dir, "total", figure(ctx, rep,
		    k ? out : in, links ? &h : NULL));
		for (o = 0; o < 3; o++) {
			h.outcome = outcome_names[o];
			json_object_object_add(dir, outcome_names[o],
			    figure(ctx, rep, t[k][o], links ? &h : NULL));
		}
		json_object_object_add(p, dn, dir);
	}
	app_add_percent(ctx, p, "answer_rate", pct(ctx, an_permille(t[0][0],
	    in)));
	app_add_percent(ctx, p, "missed_rate", pct(ctx, an_permille(t[0][1],
	    in)));
	app_add_percent(ctx, p, "out_answer_rate", pct(ctx, an_permille(
	    t[1][0], out)));
	app_add_int(p, "answer_permille", an_permille(t[0][0], in));
	app_add_int(p, "missed_permille", an_permille(t[0][1], in));
	return p;
}

static void
add_daily(struct ctx *ctx, struct report *rep, const struct daily *d,
    struct json_object *m)
{
	struct json_object *rows = json_object_new_array();
	struct an_group *gin, *gout;
	const char *names[3];
	int days = rep->r.days, i, k, o;
	int64_t cur, prev;
	char dm[32];

	gin = arena_alloc(ctx->arena, sizeof(*gin) * (size_t)days);
	gout = arena_alloc(ctx->arena, sizeof(*gout) * (size_t)days);
	for (i = 0; i < days; i++) {
		struct json_object *row = json_object_new_object();
		int64_t (*c)[3] = d->c[days + i], in = c[0][0] + c[0][1] +
		    c[0][2];
		char *day = arena_alloc(ctx->arena, 11);

		an_day_format(rep->r.day0 + i, day);
		app_add_str(row, "day", day);
		app_add_str(row, "day_shown", day_shown(ctx, day));
		for (k = 0; k < 2; k++) {
			struct json_object *dir = json_object_new_object();
			const char *dn = k ? "out" : "in";
			struct hist h = { day, day, dn, NULL, 0, NULL };

			json_object_object_add(dir, "total", figure(ctx, rep,
			    c[k][0] + c[k][1] + c[k][2], &h));
			for (o = 0; o < 3; o++) {
				h.outcome = outcome_names[o];
				json_object_object_add(dir, outcome_names[o],
				    figure(ctx, rep, c[k][o], &h));
			}
			json_object_object_add(row, dn, dir);
		}
		app_add_decimal(ctx, row, "answer_rate", in ? pct(ctx,
		    an_permille(c[0][0], in)) : NULL);
		app_add_decimal(ctx, row, "missed_rate", in ? pct(ctx,
		    an_permille(c[0][1], in)) : NULL);
		/* The same day of the previous period, beside it. The
		 * table's headers say "%": its cells are decimals. */
		{
			int64_t (*p)[3] = d->c[i];
			int64_t pin = p[0][0] + p[0][1] + p[0][2];
			app_add_decimal(ctx, row, "prev_answer_rate", pin ?
			    pct(ctx, an_permille(p[0][0], pin)) : NULL);
		}
		json_object_array_add(rows, row);
		gin[i].key = gout[i].key = day;
		i18n_format_day_month(ctx->lang, day, dm, sizeof(dm));
		gin[i].label = gout[i].label = arena_strdup(ctx->arena, dm);
		gin[i].shown = gout[i].shown = json_object_get_string(
		    json_object_object_get(row, "day_shown"));
		for (o = 0; o < 3; o++) {
			gin[i].v[o] = c[0][o];
			gout[i].v[o] = c[1][o];
		}
	}
	json_object_object_add(m, "days", rows);
	for (o = 0; o < 3; o++)
		names[o] = _(outcome_words[o]);
	json_object_object_add(m, "chart_in", an_chart_bars(
	    _("Incoming calls per day"),
	    _("Stacked bars: answered, missed and other incoming calls for "
	    "each day of the range. The table below has the same numbers."),
	    gin, (size_t)days, outcome_names, names, 3, ctx->lang));
	json_object_object_add(m, "chart_out", an_chart_bars(
	    _("Outgoing calls per day"),
	    _("Stacked bars: answered, missed (not answered) and other "
	    "outgoing calls for each day of the range. The table below has "
	    "the same numbers."), gout, (size_t)days, outcome_names, names, 3,
	    ctx->lang));
	json_object_object_add(m, "current", period_model(ctx, rep, d, days,
	    2 * days, rep->r.from, rep->r.to, true));
	json_object_object_add(m, "previous", period_model(ctx, rep, d, 0,
	    days, rep->r.prev_from, rep->r.prev_to, true));
	cur = json_object_get_int64(json_object_object_get(
	    json_object_object_get(m, "current"), "answer_permille"));
	prev = json_object_get_int64(json_object_object_get(
	    json_object_object_get(m, "previous"), "answer_permille"));
	app_add_decimal(ctx, m, "answer_change", arena_printf(ctx->arena,
	    "%s%s", cur >= prev ? "+" : "-", pct(ctx, llabs(cur - prev))));
	app_add_int(m, "internal", d->internal);
}

/* ---- 3, 4: missed-call follow-up and managers ---------------------------- */

struct handled {
	int64_t manager_id;
	int64_t call_id;
};

static int
cmp_handled(const void *a, const void *b)
{
	const struct handled *x = a, *y = b;

	if (x->manager_id != y->manager_id)
		return x->manager_id < y->manager_id ? -1 : 1;
	return (x->call_id > y->call_id) - (x->call_id < y->call_id);
}

/* Callbacks made, per manager: distinct outgoing calls that handled a
 * missed call (filled by add_followup, read by add_managers). */
struct callbacks {
	struct handled *v;
	size_t n;
};

static int64_t
callbacks_of(const struct callbacks *cb, int64_t manager_id)
{
	size_t i;
	int64_t n = 0, last = 0;

	for (i = 0; i < cb->n; i++)
		if (cb->v[i].manager_id == manager_id &&
		    cb->v[i].call_id != last) {
			n++;
			last = cb->v[i].call_id;
		}
	return n;
}

/* Doubles both arrays (same capacity); on failure they stay valid. */
static enum cb_err
grow(int64_t **delays, struct handled **h, size_t *cap)
{
	int64_t *nd;
	struct handled *nh;

	if ((nd = realloc(*delays, *cap * 2 * sizeof(**delays))) == NULL)
		return CB_ENOMEM;
	*delays = nd;
	if ((nh = realloc(*h, *cap * 2 * sizeof(**h))) == NULL)
		return CB_ENOMEM;
	*h = nh;
	*cap *= 2;
	return CB_OK;
}

/* One missed call and what became of it. */
struct fu_row {
	int64_t id;
	int64_t ms;              /* start, epoch ms */
	int64_t delay;           /* seconds to the first later answered call
	                          * with the number, -1 when none */
	int64_t h_id, h_mgr;     /* that call; its manager (0: none) */
	bool h_out;              /* it was ours (a callback) */
	const char *number, *started;   /* in the arena */
};

/* An answered call of a missed number (the merge's other list). */
struct fu_ans {
	const char *digits;
	int64_t ms, mgr, id;
	bool out;
};

static int
cmp_fu_newest(const void *a, const void *b)
{
	const struct fu_row *x = a, *y = b;

	if (x->ms != y->ms)
		return x->ms > y->ms ? -1 : 1;
	return (x->id < y->id) - (x->id > y->id);
}

/* Appends one row to *rows (NULL: out of memory). */
static struct fu_row *
fu_push(struct fu_row **rows, size_t *n, size_t *cap)
{
	struct fu_row *nr;

	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 1024;
		if ((nr = realloc(*rows, *cap * sizeof(**rows))) == NULL)
			return NULL;
		*rows = nr;
	}
	memset(&(*rows)[*n], 0, sizeof(**rows));
	return &(*rows)[(*n)++];
}

/* The missed calls of the report with their follow-up, newest first, as
 * folded into analytics_followups (0032): the pairing was done when the
 * calls changed. */
static enum cb_err
load_follow_folded(struct ctx *ctx, const struct report *rep,
    struct fu_row **out, size_t *nout)
{
	struct db_stmt *st;
	struct fu_row *rows = NULL, *r;
	size_t n = 0, capr = 0;
	enum cb_err rc;

	*out = NULL;
	*nout = 0;
	if ((rc = an_q_followups(ctx->db, &rep->r, &rep->f, &st)) != CB_OK)
		return rc;
	while ((rc = db_fetch(st)) == CB_OK && n < FOLLOW_MAX) {
		if ((r = fu_push(&rows, &n, &capr)) == NULL) {
			rc = CB_ENOMEM;
			break;
		}
		r->id = db_col_i64(st, 0);
		r->number = arena_strdup(ctx->arena, db_col(st, 1, NULL));
		r->started = arena_strdup(ctx->arena, db_col(st, 2, NULL));
		r->ms = db_col_i64(st, 3);
		r->delay = db_col_null(st, 4) ? -1 : db_col_i64(st, 4);
		r->h_id = db_col_null(st, 5) ? 0 : db_col_i64(st, 5);
		r->h_mgr = db_col_null(st, 6) ? 0 : db_col_i64(st, 6);
		r->h_out = db_col_i64(st, 7) != 0;
	}
	db_stmt_done(st);
	if (rc == CB_OK && n >= FOLLOW_MAX)
		rc = CB_ENOTFOUND;   /* capped: the page says so */
	if (rc != CB_ENOTFOUND) {
		free(rows);
		return rc;
	}
	*out = rows;
	*nout = n;
	return CB_OK;
}

/* The same from the calls (a number not folded yet): both lists come
 * sorted by (digits, start), so one pass pairs each missed call with the
 * first answered call of its number that started later. */
static enum cb_err
load_follow(struct ctx *ctx, const struct report *rep, struct fu_row **out,
    size_t *nout)
{
	struct db_stmt *st;
	struct fu_ans *ans = NULL, *na;
	struct fu_row *rows = NULL;
	size_t nans = 0, capa = 0, n = 0, capr = 0, j = 0;
	enum cb_err rc;

	*out = NULL;
	*nout = 0;
	if (rep->numbers_src == AN_FROM_SUMMARIES)
		return load_follow_folded(ctx, rep, out, nout);
	if ((rc = an_q_answered_after(ctx->db, &rep->r, &rep->f, &st)) !=
	    CB_OK)
		return rc;
	while ((rc = db_fetch(st)) == CB_OK) {
		if (nans == capa) {
			capa = capa ? capa * 2 : 1024;
			if ((na = realloc(ans, capa * sizeof(*ans))) == NULL) {
				rc = CB_ENOMEM;
				break;
			}
			ans = na;
		}
		ans[nans].digits = arena_strdup(ctx->arena, db_col(st, 0, NULL));
		ans[nans].ms = db_col_i64(st, 1);
		ans[nans].out = db_col(st, 2, NULL) && strcmp(db_col(st, 2, NULL),
		    "out") == 0;
		ans[nans].mgr = db_col_null(st, 3) ? 0 : db_col_i64(st, 3);
		ans[nans++].id = db_col_i64(st, 4);
	}
	db_stmt_done(st);
	if (rc != CB_ENOTFOUND ||
	    (rc = an_q_missed(ctx->db, &rep->r, &rep->f, &st)) != CB_OK) {
		free(ans);
		return rc == CB_ENOTFOUND ? CB_EDB : rc;
	}
	while ((rc = db_fetch(st)) == CB_OK && n < FOLLOW_MAX) {
		const char *digits = db_col(st, 3, NULL);
		struct fu_row *r;

		if ((r = fu_push(&rows, &n, &capr)) == NULL) {
			rc = CB_ENOMEM;
			break;
		}
		r->id = db_col_i64(st, 0);
		r->number = arena_strdup(ctx->arena, db_col(st, 1, NULL));
		r->started = arena_strdup(ctx->arena, db_col(st, 2, NULL));
		r->ms = db_col_i64(st, 4);
		r->delay = -1;
		/* Skip answered calls of smaller numbers, and of this number
		 * up to this call's start (both lists only move forward). */
		while (j < nans && (strcmp(ans[j].digits, digits) < 0 ||
		    (strcmp(ans[j].digits, digits) == 0 && ans[j].ms <= r->ms)))
			j++;
		if (j < nans && strcmp(ans[j].digits, digits) == 0) {
			r->delay = (ans[j].ms - r->ms) / 1000;
			r->h_id = ans[j].id;
			r->h_mgr = ans[j].mgr;
			r->h_out = ans[j].out;
		}
	}
	db_stmt_done(st);
	free(ans);
	if (rc == CB_OK && n >= FOLLOW_MAX)
		rc = CB_ENOTFOUND;   /* capped: the page says so */
	if (rc != CB_ENOTFOUND) {
		free(rows);
		return rc;
	}
	if (n)
		qsort(rows, n, sizeof(*rows), cmp_fu_newest);
	*out = rows;
	*nout = n;
	return CB_OK;
}

static enum cb_err
add_followup(struct ctx *ctx, struct report *rep, struct json_object *m,
    struct callbacks *cb)
{
	struct json_object *never = json_object_new_array(), *byno, *fu;
	struct fu_row *rows;
	enum cb_err rc;
	int64_t count[FOLLOW__MAX] = { 0 }, *delays, target;
	size_t nd = 0, total = 0, cap = 1024, i, nrows;

	target = rep->target_minutes * 60;
	if ((rc = load_follow(ctx, rep, &rows, &nrows)) != CB_OK)
		return rc;
	delays = malloc(cap * sizeof(*delays));
	cb->v = malloc(cap * sizeof(*cb->v));
	cb->n = 0;
	byno = json_object_new_object();
	for (i = 0; delays && cb->v && rc == CB_OK && i < nrows; i++) {
		const struct fu_row *r = &rows[i];
		int64_t id = r->id;
		const char *num = r->number;
		bool handled = r->delay >= 0;
		int64_t delay = r->delay;
		struct json_object *e;

		total++;
		count[an_follow_class(delay, target)]++;
		if (handled) {
			if (nd == cap && grow(&delays, &cb->v, &cap) != CB_OK) {
				rc = CB_ENOMEM;
				break;
			}
			delays[nd++] = delay;
			if (r->h_out && r->h_mgr) {
				cb->v[cb->n].manager_id = r->h_mgr;
				cb->v[cb->n++].call_id = r->h_id;
			}
			continue;
		}
		/* Never handled: one row per number, newest first (rows
		 * come newest first). Every missed call of the number in
		 * the range from its first unhandled one on is unhandled:
		 * none has an answered call after it. */
		if (num == NULL)
			continue;
		if (json_object_object_get_ex(byno, num, &e)) {
			json_object_object_add(e, "count", json_object_new_int64(
			    json_object_get_int64(json_object_object_get(e,
			    "count")) + 1));
			app_add_str(e, "first_utc", r->started);
			continue;
		}
		if (json_object_array_length(never) >= NEVER_LIST_MAX)
			continue;
		e = json_object_new_object();
		app_add_str(e, "number", num);
		app_add_int(e, "count", 1);
		app_add_time(ctx, e, "last", r->started);
		app_add_str(e, "first_utc", r->started);
		app_add_str(e, "dial_url", dial_href(ctx->arena, ctx->user, num,
		    id));
		app_add_str(e, "card_url", arena_printf(ctx->arena,
		    "/calls/%lld", (long long)id));
		json_object_object_add(byno, num, json_object_get(e));
		json_object_array_add(never, e);
	}
	json_object_put(byno);
	free(rows);
	if (rc == CB_OK && (delays == NULL || cb->v == NULL))
		rc = CB_ENOMEM;
	if (rc != CB_OK) {
		free(delays);
		json_object_put(never);
		return rc;
	}
	/* Each never-handled number's link: its missed calls from the
	 * first unhandled one (to the minute) to the range's end. */
	{
		size_t k, n = json_object_array_length(never);
		for (k = 0; k < n; k++) {
			struct json_object *e = json_object_array_get_idx(never,
			    k);
			struct hist h = { NULL, rep->r.to, "in", "missed", 0,
				NULL };
			h.from = app_local_time(ctx, json_object_get_string(
			    json_object_object_get(e, "first_utc")));
			h.number = json_object_get_string(
			    json_object_object_get(e, "number"));
			app_add_str(e, "url", hist_url(ctx, rep, &h));
			json_object_object_del(e, "first_utc");
			app_add_count(ctx, e, "count", json_object_get_int64(
			    json_object_object_get(e, "count")));
		}
	}
	fu = json_object_new_object();
	app_add_count(ctx, fu, "missed", (int64_t)total);
	app_add_count(ctx, fu, "target_minutes", rep->target_minutes);
	app_add_count(ctx, fu, "within", count[FOLLOW_WITHIN]);
	app_add_count(ctx, fu, "late", count[FOLLOW_LATE]);
	app_add_count(ctx, fu, "never", count[FOLLOW_NEVER]);
	app_add_percent(ctx, fu, "within_rate", pct(ctx, an_permille(
	    count[FOLLOW_WITHIN], (int64_t)total)));
	app_add_percent(ctx, fu, "late_rate", pct(ctx, an_permille(
	    count[FOLLOW_LATE], (int64_t)total)));
	app_add_percent(ctx, fu, "never_rate", pct(ctx, an_permille(
	    count[FOLLOW_NEVER], (int64_t)total)));
	{
		int64_t med = an_percentile(delays, nd, 50);
		int64_t p90 = an_percentile(delays, nd, 90);
		char a[32], b[32];
		time_duration(med < 0 ? 0 : (long)med, a, sizeof(a));
		time_duration(p90 < 0 ? 0 : (long)p90, b, sizeof(b));
		app_add_int(fu, "median_seconds", med);
		app_add_int(fu, "p90_seconds", p90);
		app_add_str(fu, "median", med < 0 ? NULL : arena_strdup(
		    ctx->arena, a));
		app_add_str(fu, "p90", p90 < 0 ? NULL : arena_strdup(
		    ctx->arena, b));
	}
	app_add_bool(fu, "capped", nrows >= FOLLOW_MAX);
	json_object_object_add(fu, "never_list", never);
	json_object_object_add(m, "followup", fu);
	free(delays);
	qsort(cb->v, cb->n, sizeof(*cb->v), cmp_handled);
	return CB_OK;
}

static enum cb_err
add_managers(struct ctx *ctx, struct report *rep, struct json_object *m,
    const struct callbacks *cb)
{
	struct json_object *rows = json_object_new_array();
	struct db_stmt *st;
	enum cb_err rc;

	if ((rc = an_q_managers(ctx->db, rep->src, &rep->r, &rep->f, &st)) !=
	    CB_OK) {
		json_object_put(rows);
		return rc;
	}
	while ((rc = db_fetch(st)) == CB_OK) {
		struct json_object *row = json_object_new_object();
		bool none = db_col_null(st, 0);
		int64_t id = none ? 0 : db_col_i64(st, 0);
		int64_t taken = db_col_i64(st, 2), talk = db_col_i64(st, 3);
		int64_t longest = db_col_i64(st, 4), missed = db_col_i64(st, 5);
		struct hist h = { rep->r.from, rep->r.to, "in", "answered", id,
			NULL };
		char a[32], b[32];

		if (taken == 0 && missed == 0) {
			json_object_put(row);
			continue;   /* outgoing only: nothing to show here */
		}
		app_add_str(row, "name", none ? _("(no manager)") : db_col(st,
		    1, NULL));
		app_add_int(row, "id", id);
		/* Calls without a manager cannot be asked for in the
		 * history: no link rather than a wrong one. */
		json_object_object_add(row, "taken", figure(ctx, rep, taken,
		    none ? NULL : &h));
		h.outcome = "missed";
		json_object_object_add(row, "missed", figure(ctx, rep, missed,
		    none ? NULL : &h));
		time_duration(taken ? (long)((talk + taken / 2) / taken) : 0, a,
		    sizeof(a));
		time_duration((long)longest, b, sizeof(b));
		app_add_str(row, "talk_avg", arena_strdup(ctx->arena, a));
		app_add_str(row, "talk_longest", arena_strdup(ctx->arena, b));
		app_add_int(row, "talk_avg_seconds", taken ? (talk + taken / 2) /
		    taken : 0);
		app_add_int(row, "talk_longest_seconds", longest);
		app_add_count(ctx, row, "callbacks", none ? 0 : callbacks_of(cb,
		    id));
		json_object_array_add(rows, row);
	}
	db_stmt_done(st);
	json_object_object_add(m, "managers", rows);
	return rc == CB_ENOTFOUND ? CB_OK : rc;
}

/* ---- 5, 6, 7: heatmap, waiting, callers, lines ------------------------- */

static enum cb_err
add_heatmap(struct ctx *ctx, struct report *rep, struct json_object *m)
{
	int64_t count[7][24] = { { 0 } }, missed[7][24] = { { 0 } };
	struct json_object *rows = json_object_new_array();
	struct db_stmt *st;
	enum cb_err rc;
	int d, h;
	/* Monday first: the first day of the week in all our languages
	 * (lib/analytics/chart.h). "day" stays English for machines. */
	static const char *const names[7] = { N_("Monday"), N_("Tuesday"),
		N_("Wednesday"), N_("Thursday"), N_("Friday"), N_("Saturday"),
		N_("Sunday") };

	if ((rc = an_q_heatmap(ctx->db, rep->src, &rep->r, &rep->f, &st)) !=
	    CB_OK) {
		json_object_put(rows);
		return rc;
	}
	while ((rc = db_fetch(st)) == CB_OK) {
		d = (int)db_col_i64(st, 0);
		h = (int)db_col_i64(st, 1);
		if (d >= 0 && d < 7 && h >= 0 && h < 24) {
			count[d][h] += db_col_i64(st, 2);
			missed[d][h] += db_col_i64(st, 3);
		}
	}
	db_stmt_done(st);
	if (rc != CB_ENOTFOUND) {
		json_object_put(rows);
		return rc;
	}
	for (d = 0; d < 7; d++) {
		struct json_object *row = json_object_new_object();
		struct json_object *cells = json_object_new_array();
		app_add_str(row, "day", names[d]);
		app_add_str(row, "day_shown", _(names[d]));
		for (h = 0; h < 24; h++) {
			struct json_object *c = json_object_new_object();
			app_add_count(ctx, c, "calls", count[d][h]);
			app_add_count(ctx, c, "missed", missed[d][h]);
			app_add_str(c, "missed_rate", count[d][h] ? pct(ctx,
			    an_permille(missed[d][h], count[d][h])) : NULL);
			json_object_array_add(cells, c);
		}
		json_object_object_add(row, "hours", cells);
		json_object_array_add(rows, row);
	}
	{
		struct json_object *hours = json_object_new_array();
		for (h = 0; h < 24; h++)
			json_object_array_add(hours, json_object_new_string(
			    arena_printf(ctx->arena, "%02d", h)));
		json_object_object_add(m, "hours", hours);
	}
	json_object_object_add(m, "heatmap", rows);
	json_object_object_add(m, "chart_heat", an_chart_heat(
	    _("Incoming calls by day of week and hour"),
	    _("Each cell is one hour of one weekday over the range: darker "
	    "means more incoming calls; its text gives the share missed. The "
	    "table below has the same numbers."), (const int64_t (*)[24])count,
	    (const int64_t (*)[24])missed, ctx->lang));
	return CB_OK;
}

/* Waiting buckets (seconds, upper bound exclusive; the last is open). */
static const int64_t wait_edges[] = { 0, 10, 20, 30, 60, 120, 300 };
#define WAIT_BUCKETS (sizeof(wait_edges) / sizeof(wait_edges[0]))

static enum cb_err
add_wait(struct ctx *ctx, struct report *rep, struct json_object *m)
{
	int64_t *hist = arena_alloc(ctx->arena, sizeof(int64_t) *
	    (AN_WAIT_CAP + 1)), total = 0;
	struct an_group g[WAIT_BUCKETS];
	struct json_object *w = json_object_new_object(), *rows;
	struct db_stmt *st;
	enum cb_err rc;
	static const char *const series[1] = { "answered" };
	const char *names[1] = { _("answered incoming calls") };
	size_t i;
	int64_t v;
	char a[24], b[24];

	memset(hist, 0, sizeof(int64_t) * (AN_WAIT_CAP + 1));
	memset(g, 0, sizeof(g));
	if ((rc = an_q_wait(ctx->db, rep->src, &rep->r, &rep->f, &st)) != CB_OK) {
		json_object_put(w);
		return rc;
	}
	while ((rc = db_fetch(st)) == CB_OK) {
		v = db_col_i64(st, 0);
		if (v >= 0 && v <= AN_WAIT_CAP) {
			hist[v] += db_col_i64(st, 1);
			total += db_col_i64(st, 1);
		}
	}
	db_stmt_done(st);
	if (rc != CB_ENOTFOUND) {
		json_object_put(w);
		return rc;
	}
	for (v = 0; v <= AN_WAIT_CAP; v++)
		for (i = WAIT_BUCKETS; i-- > 0;)
			if (v >= wait_edges[i]) {
				g[i].v[0] += hist[v];
				break;
			}
	rows = json_object_new_array();
	for (i = 0; i < WAIT_BUCKETS; i++) {
		struct json_object *r = json_object_new_object();
		/* The key stays English ("0-9 s", the JSON's bucket and
		 * data-key); the label is the viewer's ("0-9 с"). */
		snprintf(a, sizeof(a), "%lld", (long long)wait_edges[i]);
		if (i + 1 < WAIT_BUCKETS) {
			snprintf(b, sizeof(b), "%lld",
			    (long long)wait_edges[i + 1] - 1);
			g[i].key = arena_printf(ctx->arena, "%s-%s s", a, b);
			/* TRANSLATORS: a range of seconds waited, "0-9 s". */
			g[i].label = app_fill(ctx, _("{from}-{to} s"), "{from}",
			    a, "{to}", b, NULL);
		} else {
			g[i].key = arena_printf(ctx->arena, "%s s or more", a);
			g[i].label = app_fill(ctx, _("{n} s or more"), "{n}", a,
			    NULL);
		}
		app_add_str(r, "bucket", g[i].key);
		app_add_str(r, "bucket_shown", g[i].label);
		app_add_count(ctx, r, "calls", g[i].v[0]);
		app_add_decimal(ctx, r, "share", pct(ctx, an_permille(
		    g[i].v[0], total)));
		json_object_array_add(rows, r);
	}
	app_add_count(ctx, w, "answered", total);
	app_add_count(ctx, w, "median_seconds", an_hist_percentile(hist,
	    AN_WAIT_CAP + 1, 50));
	app_add_count(ctx, w, "p90_seconds", an_hist_percentile(hist,
	    AN_WAIT_CAP + 1, 90));
	json_object_object_add(w, "buckets", rows);
	json_object_object_add(w, "chart", an_chart_bars(
	    _("Waiting time before answer"),
	    _("Bars: how many answered incoming calls waited how long before "
	    "someone picked up. The table beside it has the same numbers."),
	    g, WAIT_BUCKETS, series, names, 1, ctx->lang));
	json_object_object_add(m, "wait", w);
	return CB_OK;
}

static enum cb_err
add_callers_lines(struct ctx *ctx, struct report *rep, struct json_object *m)
{
	struct json_object *rows = json_object_new_array(), *c;
	struct db_stmt *st;
	enum cb_err rc;
	int64_t all = 0, fresh = 0;

	if ((rc = an_q_callers(ctx->db, rep->numbers_src, &rep->r, &rep->f,
	    &st)) != CB_OK) {
		json_object_put(rows);
		return rc;
	}
	if ((rc = db_fetch(st)) == CB_OK) {
		all = db_col_i64(st, 0);
		fresh = db_col_i64(st, 1);
	}
	db_stmt_done(st);
	c = json_object_new_object();
	app_add_count(ctx, c, "numbers", all);
	app_add_count(ctx, c, "new", fresh);
	app_add_count(ctx, c, "returning", all - fresh);
	app_add_percent(ctx, c, "new_rate", pct(ctx, an_permille(fresh, all)));
	json_object_object_add(m, "callers", c);
	if ((rc = an_q_lines(ctx->db, rep->src, &rep->r, &rep->f, &st)) != CB_OK) {
		json_object_put(rows);
		return rc;
	}
	while ((rc = db_fetch(st)) == CB_OK) {
		struct json_object *row = json_object_new_object();
		const char *line = db_col(st, 0, NULL);
		struct report one = *rep;
		struct hist h = { rep->r.from, rep->r.to, NULL, NULL, 0, NULL };

		/* The line's calls: the report's filters plus this line
		 * and its store. */
		one.f.line = line && *line ? line : NULL;
		if (!db_col_null(st, 1))
			one.f.store_id = db_col_i64(st, 1);
		app_add_str(row, "line", line && *line ? line : _("(none)"));
		app_add_str(row, "store", db_col(st, 2, NULL));
		json_object_object_add(row, "calls", figure(ctx, &one,
		    db_col_i64(st, 3), one.f.line && !db_col_null(st, 1) ?
		    &h : NULL));
		h.outcome = "answered";
		json_object_object_add(row, "answered", figure(ctx, &one,
		    db_col_i64(st, 4), one.f.line && !db_col_null(st, 1) ?
		    &h : NULL));
		h.outcome = "missed";
		json_object_object_add(row, "missed", figure(ctx, &one,
		    db_col_i64(st, 5), one.f.line && !db_col_null(st, 1) ?
		    &h : NULL));
		json_object_array_add(rows, row);
	}
	db_stmt_done(st);
	json_object_object_add(m, "lines", rows);
	return rc == CB_ENOTFOUND ? CB_OK : rc;
}

/* ---- the filter form ----------------------------------------------------- */

static enum cb_err
add_form(struct ctx *ctx, struct report *rep, struct json_object *m)
{
	const struct call_lists *lists;
	struct json_object *mg = json_object_new_array();
	struct json_object *ig = json_object_new_array();
	struct json_object *sg = json_object_new_array();
	struct json_object *f = json_object_new_object();
	struct db_stmt *st;
	enum cb_err rc;
	size_t i;

	json_object_object_add(m, "managers_list", mg);
	json_object_object_add(m, "integrations_list", ig);
	json_object_object_add(m, "stores_list", sg);
	json_object_object_add(m, "filter", f);
	app_add_str(f, "from", rep->r.from);
	app_add_str(f, "to", rep->r.to);
	app_add_str(f, "line", rep->line_param);
	app_add_str(f, "direction", rep->f.direction);
	app_add_bool(f, "is_in", rep->f.direction && strcmp(rep->f.direction,
	    "in") == 0);
	app_add_bool(f, "is_out", rep->f.direction && strcmp(rep->f.direction,
	    "out") == 0);
	app_add_bool(f, "is_internal", rep->f.direction &&
	    strcmp(rep->f.direction, "internal") == 0);
	if ((rc = db_call_lists_get(ctx->db, ctx->user->lists_version, 0,
	    &lists)) != CB_OK)
		return rc;
	for (i = 0; i < lists->users.n && i < CALL_LIST_MANAGERS_MAX; i++) {
		struct json_object *o = json_object_new_object();
		app_add_int(o, "id", lists->users.v[i].id);
		app_add_str(o, "name", lists->users.v[i].name);
		app_add_bool(o, "selected", lists->users.v[i].id ==
		    rep->f.manager_id);
		json_object_array_add(mg, o);
	}
	for (i = 0; i < lists->integrations.n &&
	    i < CALL_LIST_INTEGRATIONS_MAX; i++) {
		struct json_object *o = json_object_new_object();
		app_add_int(o, "id", lists->integrations.v[i].id);
		app_add_str(o, "name", lists->integrations.v[i].name);
		app_add_bool(o, "selected", lists->integrations.v[i].id ==
		    rep->f.integration_id);
		json_object_array_add(ig, o);
	}
	if ((rc = an_q_stores(ctx->db, &st)) != CB_OK)
		return rc;
	while ((rc = db_fetch(st)) == CB_OK) {
		struct json_object *o = json_object_new_object();
		app_add_int(o, "id", db_col_i64(st, 0));
		app_add_str(o, "name", db_col(st, 1, NULL));
		app_add_bool(o, "selected", db_col_i64(st, 0) ==
		    rep->f.store_id);
		json_object_array_add(sg, o);
	}
	db_stmt_done(st);
	return rc == CB_ENOTFOUND ? CB_OK : rc;
}

/* The page's query for the CSV links (filters only). */
static const char *
csv_url(struct ctx *ctx, const char *table)
{
	struct buf b;
	const char *r;
	size_t i;

	buf_init(&b, 4096);
	buf_puts(&b, "/analytics.csv?table=");
	buf_puts(&b, table);
	for (i = 0; i < ctx->req->query.n; i++) {
		const struct kv *kv = &ctx->req->query.v[i];
		if (strcmp(kv->key, "format") == 0 ||
		    strcmp(kv->key, "table") == 0)
			continue;
		buf_putc(&b, '&');
		url_component(&b, kv->key, strlen(kv->key));
		buf_putc(&b, '=');
		url_component(&b, kv->val, kv->val_len);
	}
	r = b.err ? NULL : arena_strndup(ctx->arena, b.p, b.len);
	buf_free(&b);
	return r;
}

/* Builds the whole report's model; NULL with ctx->message on failure. */
static struct json_object *
build(struct ctx *ctx, struct report *rep, enum cb_err *err)
{
	struct json_object *m = json_object_new_object(), *csv;
	struct json_object *took;
	struct daily d;
	struct callbacks cb = { NULL, 0 };
	enum cb_err rc;
	int64_t limit;
	int i;

	rep->started_ms = now_ms();
	if ((rc = an_q_target_minutes(ctx->db, &rep->target_minutes)) != CB_OK
	    || (rc = an_q_time_limit(ctx->db, &limit)) != CB_OK)
		goto fail;
	rep->deadline_ms = rep->started_ms + limit * 1000;
	if ((rc = section(ctx, rep, SEC_SOURCE)) != CB_OK ||
	    (rc = an_q_source(ctx->db, &rep->r, &rep->src,
	    &rep->numbers_src)) != CB_OK ||
	    (rc = section(ctx, rep, SEC_DAILY)) != CB_OK ||
	    (rc = load_daily(ctx, rep, &d)) != CB_OK)
		goto fail;
	add_daily(ctx, rep, &d, m);
	if ((rc = section(ctx, rep, SEC_FOLLOWUP)) != CB_OK ||
	    (rc = add_followup(ctx, rep, m, &cb)) != CB_OK ||
	    (rc = section(ctx, rep, SEC_MANAGERS)) != CB_OK ||
	    (rc = add_managers(ctx, rep, m, &cb)) != CB_OK ||
	    (rc = section(ctx, rep, SEC_HEATMAP)) != CB_OK ||
	    (rc = add_heatmap(ctx, rep, m)) != CB_OK ||
	    (rc = section(ctx, rep, SEC_WAIT)) != CB_OK ||
	    (rc = add_wait(ctx, rep, m)) != CB_OK ||
	    (rc = section(ctx, rep, SEC_CALLERS_LINES)) != CB_OK ||
	    (rc = add_callers_lines(ctx, rep, m)) != CB_OK ||
	    (rc = section(ctx, rep, SEC_FORM)) != CB_OK ||
	    (rc = add_form(ctx, rep, m)) != CB_OK)
		goto fail;
	(void)section(ctx, rep, SEC__MAX);
	/* The connection serves this program's next request too. */
	(void)an_q_statement_limit(ctx->db, 0);
	free(cb.v);
	took = json_object_new_object();
	for (i = 0; i < SEC__MAX; i++)
		app_add_int(took, section_names[i], rep->took_ms[i]);
	json_object_object_add(m, "timings_ms", took);
	app_add_str(m, "title", _("Call analytics"));
	app_add_str(m, "from", rep->r.from);
	app_add_str(m, "to", rep->r.to);
	app_add_int(m, "ndays", rep->r.days);
	app_add_str(m, "time_zone", ctx->user->time_zone);
	/* The range as one sentence, so the translator orders it: "1 Nov
	 * 2026 – 30 Nov 2026 (30 days, time zone Europe/Kyiv)". */
	app_add_str(m, "range_shown", app_fill(ctx, ngettext(
	    "{from} – {to} ({n} day, time zone {zone}).",
	    "{from} – {to} ({n} days, time zone {zone}).",
	    (unsigned long)rep->r.days), "{from}", day_shown(ctx, rep->r.from),
	    "{to}", day_shown(ctx, rep->r.to), "{n}", num_shown(ctx,
	    rep->r.days), "{zone}", ctx->user->time_zone, NULL));
	app_add_str(m, "previous_shown", app_fill(ctx, _("Previous period "
	    "({from} – {to})"), "{from}", day_shown(ctx, rep->r.prev_from),
	    "{to}", day_shown(ctx, rep->r.prev_to), NULL));
	/* Which the counts were read from (tests, and a person wondering
	 * why a half-hour zone's report is slower). */
	app_add_str(m, "source", rep->src == AN_FROM_SUMMARIES ? "summaries" :
	    "calls");
	app_add_str(m, "numbers_source", rep->numbers_src ==
	    AN_FROM_SUMMARIES ? "summaries" : "calls");
	app_add_bool(m, "own_scope", rep->f.scope_manager != 0);
	csv = json_object_new_object();
	app_add_str(csv, "daily", csv_url(ctx, "daily"));
	app_add_str(csv, "followup", csv_url(ctx, "followup"));
	app_add_str(csv, "managers", csv_url(ctx, "managers"));
	app_add_str(csv, "heatmap", csv_url(ctx, "heatmap"));
	app_add_str(csv, "wait", csv_url(ctx, "wait"));
	app_add_str(csv, "lines", csv_url(ctx, "lines"));
	json_object_object_add(m, "csv", csv);
	return m;
fail:
	free(cb.v);
	json_object_put(m);
	ctx->message = _(rep->timed_out || db_timed_out(ctx->db) ? too_long :
	    db_down);
	(void)an_q_statement_limit(ctx->db, 0);
	*err = rc == CB_ENOTFOUND ? CB_EDB : rc;
	return NULL;
}

static enum cb_err
page_analytics(struct ctx *ctx)
{
	struct report rep;
	struct json_object *m;
	enum cb_err rc;

	if ((rc = read_report(ctx, &rep)) != CB_OK)
		return rc;
	if (app_param(ctx, "table") != NULL) {
		ctx->message = _("\"table\" is for the CSV export "
		    "(/analytics.csv).");
		return CB_EINVAL;
	}
	if ((m = build(ctx, &rep, &rc)) == NULL)
		return rc;
	return app_render(ctx, "analytics.html", m);
}

/* ---- CSV: one table of the model ----------------------------------------- */

/* A path "a.b" into o; NULL when absent. Figures ({value, url}) give their
 * value. */
static const char *
cell(struct ctx *ctx, struct json_object *o, const char *path)
{
	char key[64];
	const char *dot;
	struct json_object *v = o;

	while (v && path && *path) {
		dot = strchr(path, '.');
		snprintf(key, sizeof(key), "%.*s", dot ? (int)(dot - path) :
		    (int)strlen(path), path);
		v = json_object_object_get(v, key);
		path = dot ? dot + 1 : NULL;
	}
	if (v && json_object_is_type(v, json_type_object))
		v = json_object_object_get(v, "value");
	if (v == NULL)
		return NULL;
	return arena_strdup(ctx->arena, json_object_get_string(v));
}

struct csv_table {
	const char *name;
	const char *list;          /* path of the array in the model */
	const char *heads[16];     /* the first line's names, translated when
	                            * written; NULL-terminated */
	const char *cols[16];      /* paths in each row, NULL-terminated */
	unsigned decimals;         /* bit k: cols[k] is a decimal ("87.5"),
	                            * written by csv_decimal() */
};

/* Cells people read keep the page's words (day_shown, bucket_shown);
 * dates and numbers stay as machines write them (docs/templates.md). */
static const struct csv_table tables[] = {
	{ "daily", "days", { N_("day"), N_("in answered"), N_("in missed"),
	    N_("in other"), N_("in total"), N_("out answered"),
	    N_("out missed"), N_("out other"), N_("out total"),
	    N_("answer rate %"), N_("missed rate %"), NULL }, { "day",
	    "in.answered", "in.missed", "in.other", "in.total",
	    "out.answered", "out.missed", "out.other", "out.total",
	    "answer_rate", "missed_rate", NULL }, 1u << 9 | 1u << 10 },
	{ "followup", "followup.never_list", { N_("number"),
	    N_("missed calls"), N_("last missed"), NULL }, { "number",
	    "count", "last", NULL }, 0 },
	{ "managers", "managers", { N_("manager"), N_("calls taken"),
	    N_("average talk"), N_("longest talk"), N_("missed"),
	    N_("callbacks"), NULL }, { "name", "taken", "talk_avg",
	    "talk_longest", "missed", "callbacks", NULL }, 0 },
	{ "wait", "wait.buckets", { N_("wait"), N_("calls"), N_("share %"),
	    NULL }, { "bucket_shown", "calls", "share", NULL }, 1u << 2 },
	{ "lines", "lines", { N_("line"), N_("store"), N_("calls"),
	    N_("answered"), N_("missed"), NULL }, { "line", "store", "calls",
	    "answered", "missed", NULL }, 0 },
	{ "heatmap", "heatmap", { N_("weekday"), N_("hour"),
	    N_("incoming"), N_("missed"), N_("missed %"), NULL },
	    { NULL }, 0 },
};

/* The table's first line, in the viewer's language. */
static void
csv_heads(struct buf *b, const struct csv_table *t, char sep)
{
	size_t k;

	for (k = 0; t->heads[k]; k++)
		csv_cell(b, _(t->heads[k]), sep, t->heads[k + 1] == NULL);
}

static enum cb_err
page_csv(struct ctx *ctx)
{
	struct report rep;
	struct json_object *m, *list;
	const struct csv_table *t = NULL;
	const char *which = nonempty(app_param(ctx, "table"));
	struct buf b;
	enum cb_err rc;
	size_t i, j, k;
	char sep = csv_separator_for(app_param(ctx, "sep"),
	    http_header(ctx->req, "Accept-Language"));

	if ((rc = read_report(ctx, &rep)) != CB_OK)
		return rc;
	for (i = 0; which && i < sizeof(tables) / sizeof(tables[0]); i++)
		if (strcmp(which, tables[i].name) == 0)
			t = &tables[i];
	if (t == NULL) {
		ctx->message = _("Choose table=daily, followup, managers, "
		    "heatmap, wait or lines.");
		return CB_EINVAL;
	}
	if ((m = build(ctx, &rep, &rc)) == NULL)
		return rc;
	buf_init(&b, 8u * 1024 * 1024);
	buf_puts(&b, CSV_BOM);
	csv_heads(&b, t, sep);
	list = m;
	{
		const char *p = t->list, *dot;
		char key[64];
		while (list && p) {
			dot = strchr(p, '.');
			snprintf(key, sizeof(key), "%.*s", dot ? (int)(dot - p) :
			    (int)strlen(p), p);
			list = json_object_object_get(list, key);
			p = dot ? dot + 1 : NULL;
		}
	}
	if (strcmp(t->name, "heatmap") == 0) {
		/* Rows: weekday, hour, calls, missed, missed share. */
		for (i = 0; i < json_object_array_length(list); i++) {
			struct json_object *r = json_object_array_get_idx(list,
			    i), *hours = json_object_object_get(r, "hours");
			for (j = 0; j < json_object_array_length(hours); j++) {
				struct json_object *c = json_object_array_get_idx(
				    hours, j);
				csv_cell(&b, cell(ctx, r, "day_shown"), sep,
				    false);
				csv_cell(&b, arena_printf(ctx->arena, "%02zu",
				    j), sep, false);
				csv_cell(&b, cell(ctx, c, "calls"), sep, false);
				csv_cell(&b, cell(ctx, c, "missed"), sep, false);
				csv_decimal(&b, cell(ctx, c, "missed_rate"),
				    sep, true);
			}
		}
	} else {
		for (i = 0; list && i < json_object_array_length(list); i++) {
			struct json_object *r = json_object_array_get_idx(list,
			    i);
			for (k = 0; t->cols[k]; k++)
				(t->decimals >> k & 1u ? csv_decimal :
				    csv_cell)(&b, cell(ctx, r, t->cols[k]),
				    sep, t->cols[k + 1] == NULL);
		}
	}
	json_object_put(m);
	if (b.err != CB_OK) {
		rc = b.err;
		buf_free(&b);
		ctx->message = _("The table is too large to export.");
		return rc;
	}
	ctx->resp->status = 200;
	ctx->resp->content_type = "text/csv; charset=utf-8";
	ctx->resp->no_store = true;
	resp_header(ctx->resp, "Content-Disposition",
	    "attachment; filename=\"analytics-%s-%s-%s.csv\"", t->name,
	    rep.r.from, rep.r.to);
	buf_append(&ctx->resp->body, b.p, b.len);
	buf_free(&b);
	return ctx->resp->body.err;
}

/* ---- Settings › Analytics: the follow-up target ---------------------- */

/* The form, with the value as typed and its error (NULL: none). */
static enum cb_err
render_settings(struct ctx *ctx, const char *value, const char *error)
{
	struct json_object *m = json_object_new_object();

	app_add_str(m, "title", _("Analytics · Settings"));
	app_add_str(m, "target", value);
	app_add_int(m, "min", AN_TARGET_MIN);
	app_add_int(m, "max", AN_TARGET_MAX);
	app_add_str(m, "error", error);
	app_add_bool(m, "saved", error == NULL && app_param(ctx, "saved"));
	if (error != NULL)
		ctx->resp->status = 400;
	return app_render(ctx, "settings_analytics.html", m);
}

static enum cb_err
page_settings(struct ctx *ctx)
{
	int64_t minutes;

	if (an_q_target_minutes(ctx->db, &minutes) != CB_OK) {
		ctx->message = _(db_down);
		return CB_EDB;
	}
	return render_settings(ctx, arena_printf(ctx->arena, "%lld",
	    (long long)minutes), NULL);
}

static enum cb_err
post_settings(struct ctx *ctx)
{
	const char *v = app_param(ctx, "target_minutes");
	int64_t minutes;

	if (v == NULL || strparse_i64z(v, AN_TARGET_MIN, AN_TARGET_MAX,
	    &minutes) != CB_OK)
		/* The bounds as they are typed into the number field
		 * ("1440", never "1 440"). */
		return render_settings(ctx, v, app_fill(ctx, _("The target is a "
		    "whole number of minutes from {min} to {max} (a day)."),
		    "{min}", arena_printf(ctx->arena, "%d", AN_TARGET_MIN),
		    "{max}", arena_printf(ctx->arena, "%d", AN_TARGET_MAX),
		    NULL));
	if (an_q_set_target_minutes(ctx->db, minutes) != CB_OK) {
		ctx->message = _("The target was not saved: the database is "
		    "not answering. Try again in a minute.");
		return CB_EDB;
	}
	resp_redirect(ctx->resp, 303, "/settings/analytics?saved=1");
	return CB_OK;
}

static const struct route routes[] = {
	{ "/settings/analytics", HTTP_M(HTTP_GET), AUTH_SESSION,
	    PERM_SETTINGS, 0, 0, page_settings },
	{ "/settings/analytics", HTTP_M(HTTP_POST), AUTH_SESSION,
	    PERM_SETTINGS, BODY_FORM, 0, post_settings },
	{ "/analytics", HTTP_M(HTTP_GET), AUTH_SESSION, PERM_ANALYTICS, 0, 0,
	    page_analytics },
	{ "/analytics.csv", HTTP_M(HTTP_GET), AUTH_SESSION, PERM_ANALYTICS, 0,
	    0, page_csv },
};

static const struct program program = {
	"analytics", routes, sizeof(routes) / sizeof(routes[0]), true
};

int
main(int argc, char *argv[])
{
	return app_main(&program, argc, argv);
}
