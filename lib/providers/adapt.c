#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/strparse.h"
#include "core/timefmt.h"
#include "http/escape.h"
#include "http/request.h"
#include "net/ipmatch.h"
#include "net/sig.h"
#include "providers/adapt.h"
#include "providers/test_event.h"

#define ADAPT_PATH_MAX 64          /* one component of a path */
#define ADAPT_INDEX_MAX 64         /* array entries we look at */
#define ADAPT_MS_FROM 1000000000000LL      /* 10^12: milliseconds */
#define ADAPT_MS_MAX 4102444800000LL       /* 2100-01-01 */

const char *
adapt_json_path(struct json_object *o, const char *path)
{
	struct json_object *v;
	char comp[ADAPT_PATH_MAX];
	const char *p, *end, *s;
	size_t n;
	int64_t idx;

	if (o == NULL)
		return NULL;
	for (p = path; *p != '\0'; p = *end == ']' ? end + 1 : end) {
		if (*p == '[') {
			p++;
			if ((end = strchr(p, ']')) == NULL)
				return NULL;
		} else
			end = p + strcspn(p, "[");
		n = (size_t)(end - p);
		if (n == 0 || n >= sizeof(comp))
			return NULL;
		memcpy(comp, p, n);
		comp[n] = '\0';
		if (json_object_is_type(o, json_type_object)) {
			if (!json_object_object_get_ex(o, comp, &v))
				return NULL;
		} else if (json_object_is_type(o, json_type_array)) {
			if (strparse_i64z(comp, 0, ADAPT_INDEX_MAX, &idx) !=
			    CB_OK || (size_t)idx >= json_object_array_length(o))
				return NULL;
			v = json_object_array_get_idx(o, (size_t)idx);
		} else
			return NULL;
		o = v;
	}
	switch (json_object_get_type(o)) {
	case json_type_string:
		s = json_object_get_string(o);
		return strlen(s) == (size_t)json_object_get_string_len(o) ?
		    s : NULL;
	case json_type_int:
	case json_type_double:
	case json_type_boolean:
		return json_object_get_string(o);
	default:
		return NULL;
	}
}

const char *
adapt_path(const struct prov_req *r, const char *path)
{
	const char *s;

	if (r->form != NULL && (s = kv_get(r->form, path)) != NULL)
		return s;
	return adapt_json_path(r->json, path);
}

bool
adapt_json_present(struct json_object *o, const char *path)
{
	struct json_object *v;

	/* Only top-level members are asked about. */
	return o != NULL && json_object_is_type(o, json_type_object) &&
	    json_object_object_get_ex(o, path, &v) && v != NULL;
}

bool
adapt_printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return false;
	return true;
}

enum cb_err
adapt_text(const char *v, size_t cap, bool required, bool ascii,
    bool null_word, const char *bad, const char **out, const char **why)
{
	*out = NULL;
	if (v == NULL || *v == '\0' || (null_word && strcmp(v, "null") == 0)) {
		if (!required)
			return CB_OK;
		*why = bad;
		return CB_EINVAL;
	}
	if (strlen(v) >= cap || (ascii && !adapt_printable(v))) {
		*why = bad;
		return CB_EINVAL;
	}
	*out = v;
	return CB_OK;
}

bool
adapt_ip_allowed(const struct prov_conf *c, const char *const *defaults,
    const char *remote)
{
	struct json_object *list, *e;
	unsigned char addr[16];
	size_t i, n;
	bool v4;

	if (remote == NULL || !ip_parse(remote, addr, &v4))
		return false;
	if (c->config != NULL &&
	    json_object_object_get_ex(c->config, "allowed_ips", &list)) {
		if (!json_object_is_type(list, json_type_array))
			return false;
		n = json_object_array_length(list);
		for (i = 0; i < n; i++) {
			e = json_object_array_get_idx(list, i);
			if (json_object_is_type(e, json_type_string) &&
			    ip_match(json_object_get_string(e), addr))
				return true;
		}
		return false;
	}
	for (i = 0; defaults != NULL && defaults[i] != NULL; i++)
		if (ip_match(defaults[i], addr))
			return true;
	return false;
}

enum adapt_key
adapt_url_key(const struct prov_conf *c, const struct prov_req *r)
{
	const char *key = prov_secret(c, "key");
	const char *given = r->query ? kv_get(r->query, "key") : NULL;

	/* An empty key would let "?key=" in: only a configured one counts. */
	if (key == NULL || *key == '\0')
		return ADAPT_KEY_NONE;
	return given != NULL && sig_equal(given, key) ? ADAPT_KEY_OK :
	    ADAPT_KEY_BAD;
}

enum cb_err
adapt_verify_url_key(const struct prov_conf *c, const struct prov_req *r,
    const char **why)
{
	struct json_object *list;

	/* An empty list (the form saved with no address) is no check: the
	 * key is the check, the list an optional extra. */
	if (c->config != NULL &&
	    json_object_object_get_ex(c->config, "allowed_ips", &list) &&
	    !(json_object_is_type(list, json_type_array) &&
	    json_object_array_length(list) == 0) &&
	    !adapt_ip_allowed(c, NULL, r->remote_addr)) {
		*why = "source address not in allowed_ips";
		return CB_EDENIED;
	}
	switch (adapt_url_key(c, r)) {
	case ADAPT_KEY_OK:
		return CB_OK;
	case ADAPT_KEY_NONE:
		*why = "the integration has no URL key configured";
		return CB_EDENIED;
	case ADAPT_KEY_BAD:
	default:
		*why = "wrong or missing key in the callback URL";
		return CB_EDENIED;
	}
}

enum cb_err
adapt_epoch_ms(const char *s, int64_t *ms)
{
	int64_t v;

	if (s == NULL || strparse_i64z(s, 0, ADAPT_MS_MAX, &v) != CB_OK)
		return CB_EINVAL;
	if (v < ADAPT_MS_FROM) {
		if (v > ADAPT_MS_MAX / 1000)
			return CB_EINVAL;
		v *= 1000;
	}
	*ms = v;
	return CB_OK;
}

/* "YYYY-MM-DD HH:MM:SS" read as UTC. */
static enum cb_err
adapt_utc_ms(const char *s, int64_t *ms)
{
	struct tm tm, chk;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	if (sscanf(s, "%4d-%2d-%2d %2d:%2d:%2d", &tm.tm_year, &tm.tm_mon,
	    &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		return CB_EINVAL;
	if (tm.tm_year < 1970 || tm.tm_year > 2099 || tm.tm_mon < 1 ||
	    tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
	    tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 59)
		return CB_EINVAL;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	chk = tm;
	if ((t = timegm(&tm)) == (time_t)-1 || tm.tm_mday != chk.tm_mday)
		return CB_EINVAL; /* 2024-02-31 */
	*ms = (int64_t)t * 1000;
	return CB_OK;
}

enum cb_err
adapt_local_ms(const char *s, const char *tz, int64_t *ms)
{
	static const char pat[] = "dddd-dd-dd dd:dd:dd";
	char utc[32];
	size_t i;

	if (s == NULL || strlen(s) != sizeof(pat) - 1)
		return CB_EINVAL;
	for (i = 0; pat[i]; i++)
		if (pat[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != pat[i])
			return CB_EINVAL;
	if (adapt_utc_ms(s, ms) != CB_OK)       /* a real date at all */
		return CB_EINVAL;
	if (tz == NULL || strcmp(tz, "UTC") == 0)
		return CB_OK;
	if (time_local_to_utc(s, tz, utc, sizeof(utc)) != CB_OK)
		return CB_EINVAL;
	return adapt_utc_ms(utc, ms);
}

const char *
adapt_time_zone(struct json_object *config, const char *dflt)
{
	struct json_object *v;
	const char *tz;

	if (config != NULL &&
	    json_object_object_get_ex(config, "time_zone", &v) &&
	    json_object_is_type(v, json_type_string) &&
	    *(tz = json_object_get_string(v)) != '\0')
		return tz;
	return dflt;
}

void
adapt_event_id(struct call_event *ev, const char *a, const char *b,
    const char *c)
{
	int n;

	n = snprintf(ev->event_id, sizeof(ev->event_id), "%s:%s%s%s", a, b,
	    c ? ":" : "", c ? c : "");
	if (n < 0 || (size_t)n >= sizeof(ev->event_id))
		ev->event_id[0] = '\0';
}

void
adapt_type_name(struct call_event *ev, const char *name)
{
	size_t n = strlen(name);

	ev_copy(ev->type_name, sizeof(ev->type_name), name,
	    n < sizeof(ev->type_name) ? n : sizeof(ev->type_name) - 1);
}

enum cb_err
adapt_test_event(struct arena *a, const char *hook_url, const char *key,
    struct json_object *body, const char *external_id, struct test_event *ev)
{
	struct buf q;

	ev->body = body == NULL ? NULL : arena_strdup(a,
	    json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(body);
	if (ev->body == NULL)
		return CB_ETOOBIG;
	ev->body_len = strlen(ev->body);
	buf_init(&q, 2048);
	buf_puts(&q, hook_url);
	if (key != NULL) {
		buf_puts(&q, "?key=");
		url_component(&q, key, strlen(key));
	}
	ev->url = q.err ? NULL : arena_strdup(a, buf_cstr(&q));
	buf_free(&q);
	if (ev->url == NULL)
		return CB_ETOOBIG;
	ev->method = HTTPC_POST;
	ev->content_type = "application/json";
	ev->external_id = arena_strdup(a, external_id);
	ev->expect_body = NULL;
	return ev->external_id != NULL ? CB_OK : CB_ENOMEM;
}
