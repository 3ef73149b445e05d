/* libFuzzer target for the Binotel adapter (STYLE §2.21): the input is
 * "<query>\n<body>"; the body is fed both as a urlencoded form (the
 * PHP-style nested names) and, when it parses, as JSON, through verify,
 * parse and answer, from a Binotel address and from elsewhere. Parse and
 * answer run whatever verify says, since the parser is what we attack.
 * Run: fuzz_binotel -max_total_time=60 corpus/binotel */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include <json-c/json.h>

#include "calls/event.h"
#include "core/arena.h"
#include "core/buf.h"
#include "http/request.h"
#include "providers/provider.h"
#include "providers/binotel/binotel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
run(const struct prov_conf *c, const struct prov_req *r)
{
	struct call_event ev;
	struct route_answer ra = { .extension = NULL,
	    .fallback_kind = "manager", .fallback_target = "105",
	    .customer_url = "https://crm.example.com/customers/1" };
	const char *why = NULL, *ct = NULL;
	struct buf out;

	(void)binotel_provider.verify(c, r, &why);
	ev_init(&ev);
	if (binotel_provider.parse(c, r, &ev, &why) != CB_OK)
		return;
	ra.customer_name = ev.client;
	buf_init(&out, 64 * 1024);
	(void)binotel_provider.answer(c, &ev, &ra, &out, &ct);
	ra.extension = ev.extension;
	(void)binotel_provider.answer(c, &ev, &ra, &out, &ct);
	(void)binotel_provider.answer(c, &ev, NULL, &out, &ct);
	buf_free(&out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct json_object *secrets, *cfg_ips, *cfg_bad;
	struct arena *a;
	struct kvlist form, query;
	struct prov_conf c = { .slug = "binotel", .default_country = "UA" };
	struct prov_req r;
	const char *why, *nl;
	char *buf, *body;
	size_t qlen;

	if (secrets == NULL) {
		secrets = json_tokener_parse(
		    "{\"key\":\"demo-binotel-key\",\"secret\":\"s\"}");
		cfg_ips = json_tokener_parse(
		    "{\"allowed_ips\":[\"127.0.0.0/8\",\"2001:db8::/33\"]}");
		cfg_bad = json_tokener_parse("{\"allowed_ips\":{\"a\":1}}");
	}
	a = arena_new();
	buf = arena_strndup(a, (const char *)data, size);
	nl = memchr(buf, '\n', strlen(buf));
	qlen = nl ? (size_t)(nl - buf) : 0;
	body = nl ? buf + qlen + 1 : buf;
	c.secrets = secrets;
	c.config = size % 3 == 0 ? cfg_ips : size % 3 == 1 ? cfg_bad : NULL;

	memset(&r, 0, sizeof(r));
	r.method = HTTP_POST;
	r.url = "https://crm.example.com/hook/binotel";
	r.remote_addr = size % 2 ? "194.88.219.85" : "127.0.0.1";
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
	run(&c, &r);
done:
	arena_free(a);
	return 0;
}
