#include "config.h"

#include <string.h>

#include "core/buf.h"
#include "http/escape.h"
#include "providers/registry.h"
#include "providers/test_event.h"

const char *
test_event_secret(struct json_object *secrets, const char *key)
{
	struct json_object *v;
	const char *s;

	if (secrets == NULL || !json_object_object_get_ex(secrets, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	s = json_object_get_string(v);
	return s && *s ? s : NULL;
}

const char *
test_event_form(struct arena *a, const char *const *kv, size_t *len)
{
	struct buf b;
	const char *r;
	size_t i;

	buf_init(&b, 8192);
	for (i = 0; kv[i]; i += 2) {
		if (i)
			buf_putc(&b, '&');
		url_component(&b, kv[i], strlen(kv[i]));
		buf_putc(&b, '=');
		url_component(&b, kv[i + 1], strlen(kv[i + 1]));
	}
	r = b.err ? NULL : arena_strndup(a, buf_cstr(&b), b.len);
	*len = b.len;
	buf_free(&b);
	return r;
}






enum cb_err
test_event_build(struct arena *a, const char *kind, const char *hook_url,
    const char *sign_url, struct json_object *secrets, const char *did,
    time_t now, struct test_event *out, const char **why)
{
	const struct provider *p = provider_by_kind(kind);

	memset(out, 0, sizeof(*out));
	*why = NULL;
	if (p == NULL || p->test_event == NULL)
		return CB_ENOTFOUND;
	return p->test_event(a, hook_url, sign_url, secrets, did, now, out,
	    why);
}
