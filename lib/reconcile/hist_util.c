/* Small helpers shared by the history descriptors (history.h). */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "calls/recfetch.h"
#include "core/jsonget.h"
#include "http/escape.h"
#include "providers/registry.h"
#include "reconcile/history.h"

void
hist_request_headers(struct hist_request *rq)
{
	size_t i, k = 0;

	for (i = 0; i < sizeof(rq->headers) / sizeof(rq->headers[0]); i++)
		if (rq->headers[i][0] != '\0')
			rq->header_ptrs[k++] = rq->headers[i];
	rq->header_ptrs[k] = NULL;
}

void
hist_request_wipe(struct hist_request *rq)
{
	explicit_bzero(rq->headers, sizeof(rq->headers));
	explicit_bzero(rq->body, sizeof(rq->body));
	explicit_bzero(rq->user, sizeof(rq->user));
	explicit_bzero(rq->password, sizeof(rq->password));
	explicit_bzero(rq->url, sizeof(rq->url));
}

void
hist_form_add(struct buf *b, const char *name, const char *value)
{
	if (value == NULL)
		return;
	if (b->len > 0)
		buf_putc(b, '&');
	url_component(b, name, strlen(name));
	buf_putc(b, '=');
	url_component(b, value, strlen(value));
}

enum cb_err
hist_api_base(const struct prov_conf *c, const char *dflt, char *out,
    size_t outsz, const char **why)
{
	const char *base = json_member_str(c->config, "api_base");

	if (recfetch_api_base(base != NULL ? base : dflt, out, outsz) !=
	    CB_OK) {
		*why = "the setting api_base must be an https URL (http only "
		    "on loopback) without query or user info";
		return CB_EINVAL;
	}
	return CB_OK;
}

const char *
hist_json_text(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (o == NULL || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, key, &v))
		return NULL;
	switch (json_object_get_type(v)) {
	case json_type_string:
	case json_type_int:
	case json_type_double:
	case json_type_boolean:
		return json_object_get_string(v);
	default:
		return NULL;
	}
}

bool
hist_token_ok(const char *s, size_t max)
{
	size_t n;

	if (s == NULL || (n = strlen(s)) == 0 || n > max)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return false;
	return true;
}

struct json_object *
hist_json_parse(const char *body, size_t len)
{
	struct json_tokener *tok;
	struct json_object *root = NULL;
	size_t at;

	if (body == NULL || len == 0 || len > HIST_PAGE_MAX_BYTES)
		return NULL;
	/* Depth 32, as for every JSON we read (STYLE §2.9). */
	if ((tok = json_tokener_new_ex(32)) == NULL)
		return NULL;
	root = json_tokener_parse_ex(tok, body, (int)len);
	if (root != NULL && json_tokener_get_error(tok) ==
	    json_tokener_success) {
		/* Anything but white space after the value is garbage. */
		for (at = (size_t)json_tokener_get_parse_end(tok); at < len;
		    at++)
			if (strchr(" \t\r\n", body[at]) == NULL ||
			    body[at] == '\0') {
				json_object_put(root);
				root = NULL;
				break;
			}
	} else {
		json_object_put(root);
		root = NULL;
	}
	json_tokener_free(tok);
	return root;
}

const struct prov_history *
reconcile_history_for(const char *kind)
{
	const struct provider *p = kind ? provider_by_kind(kind) : NULL;

	return p ? p->history : NULL;
}
