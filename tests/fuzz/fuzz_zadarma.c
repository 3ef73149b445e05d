/* libFuzzer target for the Zadarma adapter (STYLE §2.21): the input is
 * "<query>\n<body>"; the body is fed both as a urlencoded form and, when
 * it parses, as JSON, through verify, parse and answer. The signature is
 * taken from the body's own "sig" field so both verify paths run; parse
 * and answer run whatever verify says, since the parser is what we
 * attack. Run: fuzz_zadarma -max_total_time=60 corpus/zadarma */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include <json-c/json.h>

#include "calls/event.h"
#include "core/arena.h"
#include "core/buf.h"
#include "http/request.h"
#include "providers/provider.h"
#include "providers/zadarma/zadarma.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *fuzz_sig;

static const char *
header(const void *ctx, const char *name)
{
	(void)ctx;
	return strcmp(name, "Signature") == 0 ? fuzz_sig : NULL;
}

static void
run(const struct prov_conf *c, struct prov_req *r)
{
	struct call_event ev;
	struct route_answer ra = { .extension = "101",
	    .fallback_kind = "queue", .fallback_target = "0-1" };
	const char *why = NULL, *ct = NULL;
	struct buf out;

	fuzz_sig = r->form ? kv_get(r->form, "sig") : NULL;
	(void)zadarma_provider.verify(c, r, &why);
	ev_init(&ev);
	if (zadarma_provider.parse(c, r, &ev, &why) != CB_OK)
		return;
	/* The caller name comes from our database, but fuzz the UTF-8
	 * cutter with whatever the client sent. */
	ra.customer_name = ev.client[0] ? ev.client : r->body;
	buf_init(&out, 64 * 1024);
	(void)zadarma_provider.answer(c, &ev, &ra, &out, &ct);
	(void)zadarma_provider.answer(c, &ev, NULL, &out, &ct);
	buf_free(&out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct json_object *secrets, *cfg_kyiv, *cfg_ips;
	struct arena *a;
	struct kvlist form, query;
	struct prov_conf c = { .slug = "zadarma", .default_country = "UA" };
	struct prov_req r;
	const char *why, *nl;
	char *buf, *body;
	size_t qlen;

	if (secrets == NULL) {
		secrets = json_tokener_parse(
		    "{\"key\":\"k\",\"secret\":\"8a8e91d214fb728889c7\"}");
		cfg_kyiv = json_tokener_parse(
		    "{\"time_zone\":\"Europe/Kyiv\"}");
		cfg_ips = json_tokener_parse(
		    "{\"allowed_ips\":[\"10.0.0.0/8\",\"::1\",\"bad/99\"]}");
	}
	a = arena_new();
	buf = arena_strndup(a, (const char *)data, size);
	nl = memchr(buf, '\n', strlen(buf));
	qlen = nl ? (size_t)(nl - buf) : 0;
	body = nl ? buf + qlen + 1 : buf;
	c.secrets = secrets;
	c.config = size % 3 == 0 ? cfg_kyiv : size % 3 == 1 ? cfg_ips : NULL;

	memset(&r, 0, sizeof(r));
	r.method = HTTP_POST;
	r.url = "https://crm.example.com/hook/zadarma";
	r.remote_addr = size % 2 ? "10.1.2.3" : "192.0.2.1";
	r.header = header;
	r.body = body;
	r.body_len = strlen(body);
	if (http_parse_urlencoded(a, buf, qlen, &query, &why) != CB_OK)
		goto done;
	r.query = &query;
	if (http_parse_urlencoded(a, body, r.body_len, &form, &why) ==
	    CB_OK) {
		r.form = &form;
		r.content_type = "application/x-www-form-urlencoded";
		run(&c, &r);
	}
	r.form = NULL;
	if (http_parse_json(a, body, r.body_len, &r.json, &why) == CB_OK) {
		r.content_type = "application/json";
		run(&c, &r);
	}
	r.json = NULL;
	r.method = HTTP_GET;
	r.body = "";
	r.body_len = 0;
	r.content_type = NULL;
	run(&c, &r);
done:
	arena_free(a);
	return 0;
}
