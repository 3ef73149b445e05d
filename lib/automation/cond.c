#include "config.h"

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "automation/cond.h"
#include "core/jsonget.h"
#include "core/timefmt.h"

int
cond_parse_hhmm(const char *s)
{
	int h, m;

	if (s == NULL || strlen(s) != 5 || s[2] != ':' ||
	    s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' ||
	    s[3] < '0' || s[3] > '9' || s[4] < '0' || s[4] > '9')
		return -1;
	h = (s[0] - '0') * 10 + (s[1] - '0');
	m = (s[3] - '0') * 10 + (s[4] - '0');
	if (m > 59 || h > 24 || (h == 24 && m != 0))
		return -1;
	return h * 60 + m;
}

bool
cond_in_window(int from, int to, int minute)
{
	if (from == to)
		return true;
	if (from < to)
		return minute >= from && minute < to;
	return minute >= from || minute < to;   /* wraps midnight */
}

int
cond_local_minute(const char *utc, const char *tz)
{
	char local[32];

	/* time_utc_to_local() gives "YYYY-MM-DD HH:MM". */
	if (time_utc_to_local(utc, tz, local, sizeof(local)) != CB_OK ||
	    strlen(local) != 16)
		return -1;
	return cond_parse_hhmm(local + 11);
}

/* A plain IANA name (Europe/Kyiv, UTC, America/Argentina/Buenos_Aires). */
static bool
valid_zone(const char *tz)
{
	size_t i;

	if (tz[0] == '\0' || strlen(tz) >= 64 || tz[0] == '/' ||
	    strstr(tz, ".."))
		return false;
	for (i = 0; tz[i]; i++) {
		char c = tz[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '/' || c == '_' ||
		    c == '-' || c == '+'))
			return false;
	}
	return true;
}

static enum cb_err
fail(char *err, size_t errsz, const char *msg)
{
	snprintf(err, errsz, "conditions: %s", msg);
	return CB_EINVAL;
}

enum cb_err
cond_parse(const char *json, struct trig_cond *c, char *err, size_t errsz)
{
	struct json_object *o = json_tokener_parse(json), *v;
	const char *s;
	enum cb_err rc = CB_OK;

	memset(c, 0, sizeof(*c));
	c->from_min = c->to_min = -1;
	snprintf(c->time_zone, sizeof(c->time_zone), "UTC");
	if (o == NULL || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return fail(err, errsz, "not a JSON object");
	}
	if (json_object_object_get_ex(o, "direction", &v)) {
		s = json_member_str(o, "direction");
		if (s == NULL || (strcmp(s, "in") && strcmp(s, "out")))
			rc = fail(err, errsz, "direction must be in or out");
		else
			snprintf(c->direction, sizeof(c->direction), "%s", s);
	}
	if (rc == CB_OK && json_object_object_get_ex(o, "integration_id", &v)) {
		if (!json_object_is_type(v, json_type_int) ||
		    (c->integration_id = json_object_get_int64(v)) <= 0)
			rc = fail(err, errsz, "integration_id must be an id");
	}
	if (rc == CB_OK && json_object_object_get_ex(o, "customer", &v)) {
		s = json_member_str(o, "customer");
		if (s && strcmp(s, "known") == 0)
			c->customer = COND_KNOWN;
		else if (s && strcmp(s, "unknown") == 0)
			c->customer = COND_UNKNOWN;
		else
			rc = fail(err, errsz, "customer must be known or unknown");
	}
	if (rc == CB_OK && json_object_object_get_ex(o, "order_status", &v)) {
		s = json_member_str(o, "order_status");
		if (s == NULL || *s == '\0' || strlen(s) >= sizeof(c->order_status))
			rc = fail(err, errsz, "order_status must be a status code");
		else
			snprintf(c->order_status, sizeof(c->order_status), "%s",
			    s);
	}
	if (rc == CB_OK && (json_object_object_get_ex(o, "time_from", &v) ||
	    json_object_object_get_ex(o, "time_to", &v))) {
		c->from_min = cond_parse_hhmm(json_member_str(o, "time_from"));
		c->to_min = cond_parse_hhmm(json_member_str(o, "time_to"));
		if (c->from_min < 0 || c->to_min < 0)
			rc = fail(err, errsz, "time_from and time_to must both "
			    "be HH:MM");
		if (c->to_min == 1440)
			c->to_min = 0;
		if (c->from_min == 1440)
			c->from_min = 0;
	}
	if (rc == CB_OK && json_object_object_get_ex(o, "time_zone", &v)) {
		s = json_member_str(o, "time_zone");
		if (s == NULL || !valid_zone(s))
			rc = fail(err, errsz, "time_zone must be an IANA zone "
			    "name such as Europe/Kyiv");
		else
			snprintf(c->time_zone, sizeof(c->time_zone), "%s", s);
	}
	json_object_put(o);
	return rc;
}

bool
cond_match(const struct trig_cond *c, const struct cond_facts *f)
{
	if (c->direction[0] && (f->direction == NULL ||
	    strcmp(c->direction, f->direction) != 0))
		return false;
	if (c->integration_id && c->integration_id != f->integration_id)
		return false;
	if (c->customer == COND_KNOWN && !f->customer_known)
		return false;
	if (c->customer == COND_UNKNOWN && f->customer_known)
		return false;
	if (c->order_status[0] && !f->has_order_status)
		return false;
	if (c->from_min >= 0 && (f->local_minute < 0 ||
	    !cond_in_window(c->from_min, c->to_min, f->local_minute)))
		return false;
	return true;
}
