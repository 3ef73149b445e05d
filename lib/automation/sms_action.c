#include "config.h"

#include <stdio.h>
#include <string.h>

#include "automation/sms_action.h"
#include "core/jsonget.h"
#include "core/timefmt.h"
#include "db/sms.h"
#include "sms/registry.h"

static int64_t
gateway_of(struct json_object *a)
{
	struct json_object *v;

	if (!json_object_object_get_ex(a, "gateway_id", &v))
		return 0;
	if (json_object_is_type(v, json_type_int) ||
	    json_object_is_type(v, json_type_string))
		return json_object_get_int64(v);
	return 0;
}

enum cb_err
sms_action_queue(struct db *db, int64_t trigger_id, int64_t run_id,
    struct json_object *a, const struct auto_call *c, const char **result,
    char *err, size_t errsz, struct json_object **job_payload)
{
	const char *tmpl = json_member_str(a, "text");
	const char *tz = json_member_str(a, "time_zone");
	int64_t gw_id = gateway_of(a), msg_id = 0;
	const struct sms_gateway *g;
	struct db_stmt *st;
	struct sms_vars v;
	struct sms_length len;
	struct sms_msg_new m;
	char number[24], when[40], manager[130];
	struct buf text;
	enum cb_err rc;

	*result = "failed";
	*job_payload = NULL;
	if (tmpl == NULL || *tmpl == '\0' || gw_id <= 0) {
		snprintf(err, errsz, "sms: the action needs a gateway_id and "
		    "a text");
		return CB_OK;
	}
	if (c->client_number[0] == '\0') {
		*result = "skipped";
		snprintf(err, errsz, "sms: the caller's number is withheld");
		return CB_OK;
	}
	if ((rc = db_sms_gateway_get(db, gw_id, &st)) != CB_OK) {
		if (rc != CB_ENOTFOUND)
			return rc;
		snprintf(err, errsz, "sms: SMS gateway %lld does not exist "
		    "(any more)", (long long)gw_id);
		return CB_OK;
	}
	g = sms_gateway_find(db_col(st, SG_KIND, NULL));
	db_stmt_done(st);
	if (g == NULL) {
		snprintf(err, errsz, "sms: SMS gateway %lld has an unknown "
		    "kind", (long long)gw_id);
		return CB_OK;
	}
	/* The number is checked here, formatted again at send time. */
	if (sms_format_number(g->number_format, c->client_number, number,
	    sizeof(number)) != CB_OK) {
		snprintf(err, errsz, "sms: %.40s is not an international number "
		    "(E.164) an SMS can go to", c->client_number);
		return CB_OK;
	}
	if ((rc = db_sms_user_name(db, c->manager_id ? c->manager_id :
	    c->customer_manager_id, manager, sizeof(manager))) != CB_OK)
		return rc;
	if (time_utc_to_local(c->started_at, tz && *tz ? tz : "UTC", when,
	    sizeof(when)) != CB_OK)
		snprintf(when, sizeof(when), "%.16s", c->started_at);
	memset(&v, 0, sizeof(v));
	v.name = c->customer_id > 0 && c->customer_name[0] ? c->customer_name :
	    c->client_name;
	v.number = c->client_number;
	v.time = when;
	v.manager = manager;
	buf_init(&text, SMS_TEXT_MAX_BYTES * 2);
	if (sms_render(tmpl, &v, &text) != CB_OK) {
		buf_free(&text);
		snprintf(err, errsz, "sms: the text is too long");
		return CB_OK;
	}
	sms_length(buf_cstr(&text), text.len, &len);
	if (len.segments > SMS_TEXT_MAX_SEGMENTS || len.segments == 0) {
		snprintf(err, errsz, "sms: the text is %u SMS parts (%ld "
		    "characters); at most %d", len.segments, len.chars,
		    SMS_TEXT_MAX_SEGMENTS);
		buf_free(&text);
		return CB_OK;
	}
	memset(&m, 0, sizeof(m));
	m.run_id = run_id;
	m.trigger_id = trigger_id;
	m.call_id = c->id;
	m.gateway_id = gw_id;
	m.recipient = c->client_number;
	m.text = buf_cstr(&text);
	m.segments = len.segments;
	rc = db_sms_message_add(db, &m, &msg_id);
	buf_free(&text);
	if (rc == CB_DUPLICATE) {
		*result = "skipped";
		snprintf(err, errsz, "sms: already queued for this run");
		return CB_OK;
	}
	if (rc != CB_OK)
		return rc;
	*job_payload = json_object_new_object();
	json_object_object_add(*job_payload, "sms_id",
	    json_object_new_int64(msg_id));
	*result = "queued";
	err[0] = '\0';
	return CB_OK;
}
