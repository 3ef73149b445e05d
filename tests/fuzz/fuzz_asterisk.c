/* libFuzzer target for the Asterisk adapter (STYLE §2.21): the input is
 * "<Authorization header>\n<query>\n<body>". The body goes through
 * verify, parse and answer as a urlencoded form, as JSON when it parses,
 * and raw without a Content-Type (dialplan CURL()), each time
 * authenticated four ways: the input's own Authorization, the right
 * Bearer token (so query fields are read, as for a dialplan GET), a
 * correct HMAC signature (query ignored), and nothing. Parse and answer
 * run whatever verify says.
 * Run: fuzz_asterisk -max_total_time=60 corpus/asterisk */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "calls/event.h"
#include "core/arena.h"
#include "core/buf.h"
#include "http/request.h"
#include "net/sig.h"
#include "providers/provider.h"
#include "providers/asterisk/asterisk.h"

#define FZ_SECRET "demo-generic-secret"
#define FZ_NOW 1717495242

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz_hdrs {
	const char *ts, *sig, *auth;
};

static const char *
fz_header(const void *ctx, const char *name)
{
	const struct fz_hdrs *h = ctx;

	if (strcasecmp(name, "X-Timestamp") == 0)
		return h->ts;
	if (strcasecmp(name, "X-Signature") == 0)
		return h->sig;
	if (strcasecmp(name, "Authorization") == 0)
		return h->auth;
	return NULL;
}

static void
fz_run(const struct prov_conf *c, const struct prov_req *r)
{
	struct call_event ev;
	struct route_answer ra = { .extension = NULL,
	    .fallback_kind = "manager", .fallback_target = "105" };
	const char *why = NULL, *ct = NULL;
	struct buf out;
	size_t i;

	(void)asterisk_provider.verify(c, r, &why);
	ev_init(&ev);
	if (asterisk_provider.parse(c, r, &ev, &why) != CB_OK)
		return;
	buf_init(&out, 64 * 1024);
	(void)asterisk_provider.answer(c, &ev, &ra, &out, &ct);
	buf_reset(&out);
	/* Whatever the extension, the plain-text answer must be safe in a
	 * dialplan Goto(): no commas, parentheses, blanks or '$'. */
	ra.extension = ev.extension;
	if (asterisk_provider.answer(c, &ev, &ra, &out, &ct) == CB_OK)
		for (i = 0; i < out.len; i++)
			if (strchr(",()$ \n\r;_{}[]", out.p[i]) != NULL)
				__builtin_trap();
	ra.extension = ev.caller_name;
	(void)asterisk_provider.answer(c, &ev, &ra, &out, &ct);
	(void)asterisk_provider.answer(c, &ev, NULL, &out, &ct);
	buf_free(&out);
}

static void
fz_auths(const struct prov_conf *c, struct prov_req *r, struct fz_hdrs *h,
    const char *given)
{
	unsigned char mac[SIG_SHA256_LEN];
	char hex[2 * SIG_SHA256_LEN + 1], good[80];
	struct buf m;

	*h = (struct fz_hdrs){ NULL, NULL, given };
	fz_run(c, r);
	h->auth = "Bearer " FZ_SECRET;
	fz_run(c, r);

	buf_init(&m, 2 * 1024 * 1024);
	buf_puts(&m, "1717495242.");
	buf_append(&m, r->body, r->body_len);
	if (m.err == CB_OK) {
		sig_hmac_sha256(FZ_SECRET, strlen(FZ_SECRET), m.p, m.len, mac);
		sig_hex(mac, sizeof(mac), hex);
		snprintf(good, sizeof(good), "sha256=%s", hex);
		*h = (struct fz_hdrs){ "1717495242", good, NULL };
		fz_run(c, r);
		/* The input's Authorization beside a good signature. */
		h->auth = given;
		fz_run(c, r);
	}
	buf_free(&m);
	*h = (struct fz_hdrs){ NULL, NULL, NULL };
	fz_run(c, r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct json_object *secrets;
	struct arena *a;
	struct kvlist form, query;
	struct prov_conf c = { .slug = "asterisk", .default_country = "UA" };
	struct prov_req r;
	struct fz_hdrs h;
	const char *why, *nl1, *nl2;
	char *buf, *given, *qs, *body;

	if (secrets == NULL)
		secrets = json_tokener_parse("{\"secret\":\"" FZ_SECRET "\"}");
	a = arena_new();
	buf = arena_strndup(a, (const char *)data, size);
	given = buf;
	qs = body = buf + strlen(buf);
	if ((nl1 = strchr(buf, '\n')) != NULL) {
		given = arena_strndup(a, buf, (size_t)(nl1 - buf));
		qs = (char *)nl1 + 1;
		if ((nl2 = strchr(qs, '\n')) != NULL) {
			body = (char *)nl2 + 1;
			qs = arena_strndup(a, qs, (size_t)(nl2 - qs));
		} else
			body = qs + strlen(qs);
	}
	c.secrets = secrets;

	memset(&r, 0, sizeof(r));
	r.method = HTTP_POST;
	r.url = "https://crm.example.com/hook/asterisk";
	r.remote_addr = "192.0.2.2";
	r.now = FZ_NOW;
	r.header = fz_header;
	r.hctx = &h;
	r.body = body;
	r.body_len = strlen(body);
	if (http_parse_urlencoded(a, qs, strlen(qs), &query, &why) != CB_OK)
		goto done;
	r.query = &query;

	if (http_parse_urlencoded(a, body, r.body_len, &form, &why) ==
	    CB_OK) {
		r.form = &form;
		r.content_type = "application/x-www-form-urlencoded";
		fz_auths(&c, &r, &h, given);
	}
	r.form = NULL;
	if (http_parse_json(a, body, r.body_len, &r.json, &why) == CB_OK) {
		r.content_type = "application/json";
		fz_auths(&c, &r, &h, given);
	}
	r.json = NULL;
	r.content_type = NULL;
	fz_auths(&c, &r, &h, given);
done:
	arena_free(a);
	return 0;
}
