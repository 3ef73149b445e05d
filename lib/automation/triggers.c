#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "automation/cond.h"
#include "automation/sms_action.h"
#include "automation/triggers.h"
#include "core/jsonget.h"
#include "core/log.h"
#include "db/apicall.h"
#include "db/job.h"
#include "db/user.h"
#include "http/call_labels.h"
#include "i18n/i18n.h"
#include "phone/phone.h"

#define RETRIES_DEFAULT 5
#define RETRIES_MAX 10
#define BACKOFF_DEFAULT 30

/* What one action did: result is ok, failed, skipped or queued. */
struct outcome {
	const char *result;
	char error[512];
	int64_t job;              /* a queued job's id */
	struct json_object *job_payload;   /* to queue after the run row */
	const char *job_kind;
	unsigned max_attempts, backoff;
};

static void set(struct outcome *o, const char *result, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
set(struct outcome *o, const char *result, const char *fmt, ...)
{
	va_list ap;

	o->result = result;
	va_start(ap, fmt);
	vsnprintf(o->error, sizeof(o->error), fmt, ap);
	va_end(ap);
}

/* "2024-06-04 10:00:00" → "2024-06-04T10:00:00Z"; "" → JSON null. */
static struct json_object *
iso_time(const char *utc)
{
	char s[32];

	if (utc == NULL || strlen(utc) != 19)
		return NULL;
	snprintf(s, sizeof(s), "%.10sT%.8sZ", utc, utc + 11);
	return json_object_new_string(s);
}

static struct json_object *
str_or_null(const char *s)
{
	return s && *s ? json_object_new_string(s) : NULL;
}

static struct json_object *
id_or_null(int64_t id)
{
	return id > 0 ? json_object_new_int64(id) : NULL;
}

char *
triggers_webhook_body(const char *event, int64_t trigger_id,
    const char *trigger_name, const struct auto_call *c,
    const char *public_url)
{
	struct json_object *o = json_object_new_object();
	struct json_object *t = json_object_new_object();
	struct json_object *k = json_object_new_object();
	struct json_object *cu = NULL;
	char url[700];
	char *s;

	json_object_object_add(o, "event", json_object_new_string(event));
	json_object_object_add(t, "id", json_object_new_int64(trigger_id));
	json_object_object_add(t, "name", json_object_new_string(trigger_name));
	json_object_object_add(o, "trigger", t);
	snprintf(url, sizeof(url), "%s/calls/%lld", public_url ? public_url :
	    "", (long long)c->id);
	json_object_object_add(k, "id", json_object_new_int64(c->id));
	json_object_object_add(k, "url", json_object_new_string(url));
	json_object_object_add(k, "direction",
	    json_object_new_string(c->direction));
	json_object_object_add(k, "state", json_object_new_string(c->state));
	json_object_object_add(k, "result", json_object_new_string(c->result));
	json_object_object_add(k, "client_number",
	    str_or_null(c->client_number));
	json_object_object_add(k, "client_name", str_or_null(c->client_name));
	json_object_object_add(k, "our_number", str_or_null(c->our_number));
	json_object_object_add(k, "integration_id",
	    json_object_new_int64(c->integration_id));
	json_object_object_add(k, "manager_id", id_or_null(c->manager_id));
	json_object_object_add(k, "started_at", iso_time(c->started_at));
	json_object_object_add(k, "ended_at", iso_time(c->ended_at));
	if (c->customer_id > 0) {
		cu = json_object_new_object();
		json_object_object_add(cu, "id",
		    json_object_new_int64(c->customer_id));
		json_object_object_add(cu, "name",
		    json_object_new_string(c->customer_name));
	}
	json_object_object_add(k, "customer", cu);
	json_object_object_add(o, "call", k);
	if ((s = strdup(json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE))) == NULL)
		abort();
	json_object_put(o);
	return s;
}

bool
triggers_valid_email(const char *s)
{
	const char *at;
	size_t i;

	if (s == NULL || strlen(s) > 254 || (at = strchr(s, '@')) == NULL ||
	    at == s || at[1] == '\0' || strchr(at + 1, '@') ||
	    strchr(at + 1, '.') == NULL)
		return false;
	for (i = 0; s[i]; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == '<' || s[i] == '>' ||
		    s[i] == ',' || s[i] == '"' || s[i] == 0x7f)
			return false;
	return true;
}

/* An integer member in [lo, hi], or def when absent; -1 when bad. */
static long long
int_member(struct json_object *a, const char *key, long long def,
    long long lo, long long hi)
{
	struct json_object *v;
	long long n;

	if (!json_object_object_get_ex(a, key, &v))
		return def;
	if (!json_object_is_type(v, json_type_int))
		return -1;
	n = json_object_get_int64(v);
	return n < lo || n > hi ? -1 : n;
}

/* "manager" → the call's manager, else the customer's; a number → that
 * user. 0 = nobody. */
static int64_t
who(struct json_object *a, const char *key, const struct auto_call *c)
{
	struct json_object *v;
	const char *s;

	if (!json_object_object_get_ex(a, key, &v))
		return 0;
	if (json_object_is_type(v, json_type_int))
		return json_object_get_int64(v) > 0 ? json_object_get_int64(v) :
		    0;
	s = json_object_get_string(v);
	if (s && strcmp(s, "manager") == 0)
		return c->manager_id ? c->manager_id : c->customer_manager_id;
	return 0;
}

/* A statement error that left the transaction usable (a foreign key, a
 * bad value) fails the action; anything else fails the whole job. */
static enum cb_err
db_outcome(struct db *db, enum cb_err rc, struct outcome *o)
{
	if (rc == CB_OK) {
		o->result = "ok";
		return CB_OK;
	}
	if (rc == CB_EDB && db_retryable(db))
		return rc;
	set(o, "failed", "%s", rc == CB_EDB ? db_error(db) : cb_strerror(rc));
	return CB_OK;
}

static void
what_happened(const char *event, const struct auto_call *c, char *out,
    size_t outsz)
{
	/* In the current language (i18n_use): English for what is stored,
	 * the recipient's for an e-mail. One whole sentence per case, never
	 * "New call to" + "an unknown number": the preposition decides the
	 * noun's case (uk "на невідомий номер" but "від невідомого номера"),
	 * so the translator writes each (docs/templates.md). */
	static const char *const keys[] = { "{who}" };
	const char *who_ = c->customer_id > 0 && c->customer_name[0] ?
	    c->customer_name : c->client_number[0] ? c->client_number : NULL;
	bool missed = strcmp(event, "missed_call") == 0;
	bool outgoing = !missed && strcmp(c->direction, "out") == 0;
	const char *msg;

	if (who_ == NULL)
		msg = missed ? _("Missed call from an unknown number") :
		    outgoing ? _("New call to an unknown number") :
		    _("New call from an unknown number");
	else
		msg = missed ? _("Missed call from {who}") : outgoing ?
		    _("New call to {who}") : _("New call from {who}");
	i18n_fill(msg, keys, &who_, 1, out, outsz);
}

static enum cb_err
act_notify(struct db *db, const char *event, const struct auto_trigger *t,
    struct json_object *a, const struct auto_call *c, struct outcome *o)
{
	char body[400], url[64];
	int64_t uid;
	const char *to = json_member_str(a, "to");

	if (to && strcmp(to, "manager") != 0) {
		set(o, "failed", "notify: \"to\" must be \"manager\"");
		return CB_OK;
	}
	/* Neither "to" nor "user_id": the manager, the usual wish. */
	if (to == NULL && !json_object_object_get_ex(a, "user_id", NULL))
		uid = c->manager_id ? c->manager_id : c->customer_manager_id;
	else
		uid = who(a, to ? "to" : "user_id", c);
	if (uid == 0) {
		set(o, "skipped", to ? "the call and the customer have no "
		    "manager" : "notify needs \"to\": \"manager\" or a "
		    "\"user_id\"");
		return CB_OK;
	}
	what_happened(event, c, body, sizeof(body));
	snprintf(url, sizeof(url), "/calls/%lld", (long long)c->id);
	return db_outcome(db, db_auto_notify(db, uid, "trigger", t->name, body,
	    url, c->id, t->id), o);
}

static bool
http_url(const char *u)
{
	return u && strlen(u) < 1024 && (strncmp(u, "http://", 7) == 0 ||
	    strncmp(u, "https://", 8) == 0) && strlen(u) > 8;
}

static void
retry_budget(struct json_object *a, struct outcome *o)
{
	long long r = int_member(a, "retries", RETRIES_DEFAULT, 0, RETRIES_MAX);
	long long b = int_member(a, "retry_after_seconds", BACKOFF_DEFAULT, 1,
	    3600);

	o->max_attempts = (unsigned)(r < 0 ? RETRIES_DEFAULT : r) + 1;
	o->backoff = (unsigned)(b < 0 ? BACKOFF_DEFAULT : b);
}

static enum cb_err
act_webhook(const char *event, const struct auto_trigger *t, unsigned idx,
    struct json_object *a, const struct auto_call *c, const char *public_url,
    struct outcome *o)
{
	const char *url = json_member_str(a, "url");
	char *body;

	if (!http_url(url)) {
		set(o, "failed", "webhook: \"url\" must be an http(s) URL");
		return CB_OK;
	}
	body = triggers_webhook_body(event, t->id, t->name, c, public_url);
	o->job_payload = json_object_new_object();
	json_object_object_add(o->job_payload, "trigger_id",
	    json_object_new_int64(t->id));
	json_object_object_add(o->job_payload, "action_index",
	    json_object_new_int64(idx));
	json_object_object_add(o->job_payload, "url",
	    json_object_new_string(url));
	json_object_object_add(o->job_payload, "body",
	    json_object_new_string(body));
	free(body);
	o->job_kind = "webhook.send";
	retry_budget(a, o);
	o->result = "queued";
	return CB_OK;
}

/* The language of mail to this address (issue 18): the one the active
 * user with that e-mail chose on the profile, else English. The worker
 * has no browser to ask, so English is the installation's default
 * (docs/templates.md). */
static enum cb_err
mail_language(struct db *db, const char *to, enum i18n_lang *lang)
{
	char code[16];
	enum cb_err rc;

	*lang = LANG_EN;
	rc = db_user_language_by_email(db, to, code, sizeof(code));
	if (rc != CB_OK && db_retryable(db))
		return rc;
	if (rc == CB_OK)
		(void)i18n_parse(code, lang);
	return CB_OK;
}

/* Subject (the action's, else "<trigger>: <what happened>") and text in
 * the current language. */
static void
email_compose(const char *event, const struct auto_trigger *t,
    const char *subject, const struct auto_call *c, const char *public_url,
    char *subj, size_t subjsz, char *text, size_t textsz)
{
	char what[400], started[40];

	what_happened(event, c, what, sizeof(what));
	if (subject == NULL || *subject == '\0')
		snprintf(subj, subjsz, "%s: %s", t->name, what);
	else
		snprintf(subj, subjsz, "%s", subject);
	i18n_format_datetime(i18n_current(), c->started_at, started,
	    sizeof(started));
	snprintf(text, textsz,
	    "%s.\n\n%s: %s\n%s: %s/calls/%lld\n%s: %s\n%s: %s\n%s: %s\n"
	    "%s: %s UTC\n",
	    what, _("Trigger"), t->name,
	    _("Call"), public_url ? public_url : "", (long long)c->id,
	    _("Number"), c->client_number[0] ? c->client_number : _("(none)"),
	    _("Direction"), call_direction_label(c->direction),
	    _("Result"), call_result_label(c->result),
	    _("Started"), started);
}

static enum cb_err
act_email(struct db *db, const char *event, const struct auto_trigger *t,
    struct json_object *a, const struct auto_call *c, const char *public_url,
    struct outcome *o)
{
	const char *to = json_member_str(a, "to");
	char text[2048], subj[600];
	enum i18n_lang lang, was = i18n_current();
	enum cb_err rc;

	if (!triggers_valid_email(to)) {
		set(o, "failed", "email: \"to\" must be one e-mail address");
		return CB_OK;
	}
	if ((rc = mail_language(db, to, &lang)) != CB_OK)
		return rc;
	i18n_use(lang);
	email_compose(event, t, json_member_str(a, "subject"), c, public_url,
	    subj, sizeof(subj), text, sizeof(text));
	i18n_use(was);
	o->job_payload = json_object_new_object();
	json_object_object_add(o->job_payload, "to", json_object_new_string(to));
	json_object_object_add(o->job_payload, "subject",
	    json_object_new_string(subj));
	json_object_object_add(o->job_payload, "text",
	    json_object_new_string(text));
	o->job_kind = "email.send";
	retry_budget(a, o);
	o->result = "queued";
	return CB_OK;
}

static enum cb_err
act_task(struct db *db, const struct auto_trigger *t, struct json_object *a,
    const struct auto_call *c, struct outcome *o)
{
	const char *title = json_member_str(a, "title");
	long long due = int_member(a, "due_minutes", 30, 0, 60 * 24 * 365);
	int64_t uid = who(a, "assignee", c), id;
	struct task_new tn;

	if (due < 0) {
		set(o, "failed", "task: due_minutes must be 0..525600");
		return CB_OK;
	}
	if (uid == 0) {
		set(o, "skipped", "task: nobody to assign (no manager)");
		return CB_OK;
	}
	memset(&tn, 0, sizeof(tn));
	tn.kind = "trigger";
	tn.title = title && *title ? title : t->name;
	tn.phone = c->client_number;
	tn.customer_id = c->customer_id;
	tn.call_id = c->id;
	tn.author_id = uid;
	tn.assignees = &uid;
	tn.nassignees = 1;
	tn.due_minutes = (unsigned)due;
	return db_outcome(db, db_task_create(db, &tn, &id), o);
}

/* The call's customer, created (with the call's number) when unknown. */
static enum cb_err
ensure_customer(struct db *db, struct auto_call *c, bool *created)
{
	char rev[PHONE_MAX];
	enum cb_err rc;
	int64_t id;

	*created = false;
	if (c->customer_id > 0)
		return CB_OK;
	if ((rc = db_customer_create(db, c->client_name[0] ? c->client_name :
	    "Unknown client", NULL, c->manager_id, NULL, &id)) != CB_OK)
		return rc;
	if (c->client_number[0] && phone_digits_rev(c->client_number,
	    strlen(c->client_number), rev, sizeof(rev)) > 0 &&
	    (rc = db_customer_add_phone(db, id, c->client_number, rev)) !=
	    CB_OK)
		return rc;
	if ((rc = db_auto_call_link(db, c->id, id, 0)) != CB_OK)
		return rc;
	c->customer_id = id;
	snprintf(c->customer_name, sizeof(c->customer_name), "%s",
	    c->client_name[0] ? c->client_name : "Unknown client");
	c->customer_manager_id = c->manager_id;
	*created = true;
	return CB_OK;
}

static enum cb_err
act_create_customer(struct db *db, struct auto_call *c, struct outcome *o)
{
	bool created;

	if (c->customer_id > 0) {
		set(o, "skipped", "the caller is a known customer");
		return CB_OK;
	}
	return db_outcome(db, ensure_customer(db, c, &created), o);
}

static enum cb_err
act_create_order(struct db *db, struct json_object *a, struct auto_call *c,
    struct outcome *o)
{
	const char *status = json_member_str(a, "status");
	enum cb_err rc;
	int64_t order;
	bool created;

	if (status == NULL)
		status = "new";
	if ((rc = ensure_customer(db, c, &created)) != CB_OK)
		return db_outcome(db, rc, o);
	rc = db_auto_order_create(db, c->customer_id, status,
	    c->manager_id ? c->manager_id : c->customer_manager_id,
	    c->store_id, &order);
	if (rc == CB_ENOTFOUND) {
		set(o, "failed", "create_order: no order status with code "
		    "\"%s\"", status);
		return CB_OK;
	}
	if (rc == CB_OK)
		rc = db_auto_call_link(db, c->id, c->customer_id, order);
	return db_outcome(db, rc, o);
}

/* SMS (automation/sms_action.h): the message row now, its job after the
 * run row, like webhooks. */
static enum cb_err
act_sms(struct db *db, const struct auto_trigger *t, int64_t run_id,
    struct json_object *a, const struct auto_call *c, struct outcome *o)
{
	enum cb_err rc = sms_action_queue(db, t->id, run_id, a, c, &o->result,
	    o->error, sizeof(o->error), &o->job_payload);

	if (rc != CB_OK)
		return db_outcome(db, rc, o);
	if (o->job_payload != NULL) {
		o->job_kind = SMS_JOB_KIND;
		retry_budget(a, o);
	}
	return CB_OK;
}

/* Queues the outcome's job (after its run row, whose id it carries). */
static enum cb_err
queue_job(struct db *db, int64_t run_id, const struct auto_call *c,
    struct outcome *o)
{
	struct job_new jn;
	char key[64];
	enum cb_err rc;

	json_object_object_add(o->job_payload, "run_id",
	    json_object_new_int64(run_id));
	snprintf(key, sizeof(key), "run:%lld", (long long)run_id);
	memset(&jn, 0, sizeof(jn));
	jn.kind = o->job_kind;
	jn.payload = json_object_to_json_string_ext(o->job_payload,
	    JSON_C_TO_STRING_PLAIN);
	jn.call_id = c->id;
	jn.dedupe_key = key;
	jn.max_attempts = o->max_attempts;
	jn.backoff = o->backoff;
	if ((rc = db_job_add_ex(db, &jn, &o->job)) != CB_OK)
		return rc;
	return o->job ? db_auto_run_set_job(db, run_id, o->job) : CB_OK;
}

static const char *const action_types[] = {
	"notify", "webhook", "email", "task", "create_customer",
	"create_order", "sms", NULL
};

static enum cb_err
run_action(struct db *db, const char *event, const struct auto_trigger *t,
    unsigned idx, struct json_object *a, struct auto_call *c,
    const char *public_url)
{
	struct outcome o;
	const char *type = json_member_str(a, "type"), *name = "?";
	enum cb_err rc = CB_OK;
	int64_t run_id = 0;
	size_t k;

	for (k = 0; type && action_types[k]; k++)
		if (strcmp(type, action_types[k]) == 0)
			name = action_types[k];
	/* The run row first: the unique (trigger, call, action) key makes a
	 * rerun of the job skip what already ran. */
	rc = db_auto_run_add(db, t->id, c->id, idx, name, "queued", NULL,
	    &run_id);
	if (rc == CB_DUPLICATE)
		return CB_OK;
	if (rc != CB_OK)
		return rc;
	memset(&o, 0, sizeof(o));
	if (!json_object_is_type(a, json_type_object) || type == NULL)
		set(&o, "failed", "an action must be an object with a \"type\"");
	else if (strcmp(name, "notify") == 0)
		rc = act_notify(db, event, t, a, c, &o);
	else if (strcmp(name, "webhook") == 0)
		rc = act_webhook(event, t, idx, a, c, public_url, &o);
	else if (strcmp(name, "email") == 0)
		rc = act_email(db, event, t, a, c, public_url, &o);
	else if (strcmp(name, "task") == 0)
		rc = act_task(db, t, a, c, &o);
	else if (strcmp(name, "create_customer") == 0)
		rc = act_create_customer(db, c, &o);
	else if (strcmp(name, "create_order") == 0)
		rc = act_create_order(db, a, c, &o);
	else if (strcmp(name, "sms") == 0)
		rc = act_sms(db, t, run_id, a, c, &o);
	else
		set(&o, "failed", "unknown action type \"%s\"", type);
	if (rc == CB_OK)
		rc = db_auto_run_finish(db, run_id, o.result,
		    o.error[0] ? o.error : NULL);
	if (rc == CB_OK && o.job_kind)
		rc = queue_job(db, run_id, c, &o);
	json_object_put(o.job_payload);
	return rc;
}

static enum cb_err
matches(struct db *db, const struct trig_cond *cond,
    const struct auto_call *c, bool *yes)
{
	struct cond_facts f;
	enum cb_err rc;

	memset(&f, 0, sizeof(f));
	f.direction = c->direction;
	f.integration_id = c->integration_id;
	f.customer_known = c->customer_id > 0;
	f.local_minute = cond->from_min >= 0 ?
	    cond_local_minute(c->started_at, cond->time_zone) : -1;
	if (cond->order_status[0] && (rc = db_auto_has_order_in(db,
	    c->customer_id, cond->order_status, &f.has_order_status)) != CB_OK)
		return rc;
	*yes = cond_match(cond, &f);
	return CB_OK;
}

static enum cb_err
run_trigger(struct db *db, const char *event, const struct auto_trigger *t,
    struct auto_call *c, const char *public_url)
{
	struct trig_cond cond;
	struct json_object *acts;
	char err[256];
	enum cb_err rc;
	size_t i, n;
	bool yes;

	if (cond_parse(t->conditions, &cond, err, sizeof(err)) != CB_OK) {
		log_warn("trigger %lld: %s", (long long)t->id, err);
		rc = db_auto_run_add(db, t->id, c->id, 0, "conditions",
		    "failed", err, NULL);
		return rc == CB_DUPLICATE ? CB_OK : rc;
	}
	if ((rc = matches(db, &cond, c, &yes)) != CB_OK || !yes)
		return rc;
	acts = json_tokener_parse(t->actions);
	if (acts == NULL || !json_object_is_type(acts, json_type_array)) {
		json_object_put(acts);
		rc = db_auto_run_add(db, t->id, c->id, 0, "actions", "failed",
		    "actions: not a JSON array", NULL);
		return rc == CB_DUPLICATE ? CB_OK : rc;
	}
	n = json_object_array_length(acts);
	for (i = 0; rc == CB_OK && i < n && i < 100; i++)
		rc = run_action(db, event, t, (unsigned)i,
		    json_object_array_get_idx(acts, i), c, public_url);
	json_object_put(acts);
	return rc;
}

enum cb_err
triggers_run(struct db *db, const char *event, struct auto_call *c,
    const char *public_url)
{
	struct auto_trigger *ts;
	enum cb_err rc;
	unsigned n = 0, i;

	if ((ts = calloc(AUTO_MAX_TRIGGERS, sizeof(*ts))) == NULL)
		abort();
	rc = db_auto_triggers(db, event, ts, &n);
	for (i = 0; rc == CB_OK && i < n; i++)
		rc = run_trigger(db, event, &ts[i], c, public_url);
	db_auto_triggers_free(ts, n);
	free(ts);
	return rc;
}
