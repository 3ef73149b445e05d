/* libFuzzer target for the generic webhook adapter (STYLE §2.21): the
 * input is "<X-Signature header>\n<body>". The body goes through verify,
 * parse and answer as a urlencoded form, as JSON when it parses, and raw
 * without a Content-Type (the dialplan CURL() case), each time signed
 * three ways: with the input's own X-Signature, correctly (so the HMAC
 * path runs to the end and parse sees a verified request), and not at
 * all. Parse and answer run whatever verify says, since the parser is
 * what we attack.
 * Run: fuzz_generic -max_total_time=60 corpus/generic */
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
#include "providers/generic/generic.h"

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
	    .fallback_kind = "queue", .fallback_target = "600",
	    .customer_url = "https://crm.example.com/customers/1/calls" };
	const char *why = NULL, *ct = NULL;
	struct buf out;

	(void)generic_provider.verify(c, r, &why);
	ev_init(&ev);
	if (generic_provider.parse(c, r, &ev, &why) != CB_OK)
		return;
	/* Every text field must be NUL-terminated within its size. */
	if (strlen(ev.call_id) >= sizeof(ev.call_id) ||
	    strlen(ev.extension) >= sizeof(ev.extension))
		__builtin_trap();
	buf_init(&out, 64 * 1024);
	ra.customer_name = ev.caller_name;
	(void)generic_provider.answer(c, &ev, &ra, &out, &ct);
	ra.extension = ev.extension;
	ra.fallback_kind = NULL;
	(void)generic_provider.answer(c, &ev, &ra, &out, &ct);
	(void)generic_provider.answer(c, &ev, NULL, &out, &ct);
	buf_free(&out);
}

/* Verify → parse → answer with the input's signature, a correct one and
 * none. */
static void
fz_signed(const struct prov_conf *c, struct prov_req *r,
    struct fz_hdrs *h, const char *given)
{
	unsigned char mac[SIG_SHA256_LEN];
	char hex[2 * SIG_SHA256_LEN + 1], good[80];
	struct buf m;

	h->ts = "1717495242";
	h->sig = given;
	fz_run(c, r);

	buf_init(&m, 2 * 1024 * 1024);
	buf_puts(&m, "1717495242.");
	buf_append(&m, r->body, r->body_len);
	if (m.err == CB_OK) {
		sig_hmac_sha256(FZ_SECRET, strlen(FZ_SECRET), m.p, m.len, mac);
		sig_hex(mac, sizeof(mac), hex);
		snprintf(good, sizeof(good), "sha256=%s", hex);
		h->sig = good;
		fz_run(c, r);
	}
	buf_free(&m);

	h->ts = NULL;
	h->sig = NULL;
	fz_run(c, r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct json_object *secrets;
	struct arena *a;
	struct kvlist form, query;
	struct prov_conf c = { .slug = "generic", .default_country = "UA" };
	struct prov_req r;
	struct fz_hdrs h = { NULL, NULL, NULL };
	const char *why, *nl;
	char *buf, *body, *given;
	size_t glen;

	if (secrets == NULL)
		secrets = json_tokener_parse("{\"secret\":\"" FZ_SECRET "\"}");
	a = arena_new();
	/* Bytes after a NUL are dropped: the hook's bodies are C strings
	 * whose length it checks, as here. */
	buf = arena_strndup(a, (const char *)data, size);
	nl = strchr(buf, '\n');
	glen = nl ? (size_t)(nl - buf) : 0;
	given = arena_strndup(a, buf, glen);
	body = nl ? buf + glen + 1 : buf;
	c.secrets = secrets;

	memset(&r, 0, sizeof(r));
	r.method = HTTP_POST;
	r.url = "https://crm.example.com/hook/generic";
	r.remote_addr = "192.0.2.1";
	r.now = FZ_NOW;
	r.header = fz_header;
	r.hctx = &h;
	r.body = body;
	r.body_len = strlen(body);
	/* Generic never reads the query; give it one to prove it. */
	if (http_parse_urlencoded(a, "event=call.end&call_id=q", 24, &query,
	    &why) == CB_OK)
		r.query = &query;

	if (http_parse_urlencoded(a, body, r.body_len, &form, &why) ==
	    CB_OK) {
		r.form = &form;
		r.content_type = "application/x-www-form-urlencoded";
		fz_signed(&c, &r, &h, given);
	}
	r.form = NULL;
	if (http_parse_json(a, body, r.body_len, &r.json, &why) == CB_OK) {
		r.content_type = "application/json";
		fz_signed(&c, &r, &h, given);
	}
	r.json = NULL;
	r.content_type = NULL;
	fz_signed(&c, &r, &h, given);
	r.content_type = "text/plain";
	fz_run(&c, &r);
	arena_free(a);
	return 0;
}
