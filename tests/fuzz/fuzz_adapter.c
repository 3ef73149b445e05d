/* libFuzzer target for one second-wave adapter (STYLE §2.21), built once
 * per provider with -DFUZZ_KIND="phonet" (fuzz_phonet), "unitalk",
 * "streamtelecom", "yeastar", "ringostat", "3cx". The input is "<query>\n<body>"; the body is
 * fed as a urlencoded form and, when it parses, as JSON, through verify,
 * parse and answer, with the settings varied by the input's size (a
 * configured allow-list, a malformed one, none; a URL key or not; a time
 * zone). Parse and answer run whatever verify says: the parser is what we
 * attack. Run: fuzz_phonet -max_total_time=60 corpus/phonet */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include <json-c/json.h>

#include "calls/event.h"
#include "core/arena.h"
#include "core/buf.h"
#include "http/request.h"
#include "providers/provider.h"
#include "providers/registry.h"

#ifndef FUZZ_KIND
#error "build with -DFUZZ_KIND=\"<kind>\""
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *
fz_header(const void *hctx, const char *name)
{
	(void)name;
	return hctx; /* every header the adapter asks for: the query text */
}

static void
run(const struct provider *p, const struct prov_conf *c,
    const struct prov_req *r)
{
	struct call_event ev;
	struct route_answer ra = { .extension = NULL,
	    .fallback_kind = "manager", .fallback_target = "105",
	    .customer_url = "https://crm.example.com/customers/1",
	    .manager_email = "m@example.com" };
	const char *why = NULL, *ct = NULL;
	struct buf out;

	(void)p->verify(c, r, &why);
	ev_init(&ev);
	if (p->parse(c, r, &ev, &why) != CB_OK)
		return;
	(void)ev_validate(&ev);
	ra.customer_name = ev.client;
	buf_init(&out, 64 * 1024);
	(void)p->answer(c, &ev, &ra, &out, &ct);
	ra.extension = ev.extension;
	(void)p->answer(c, &ev, &ra, &out, &ct);
	(void)p->answer(c, &ev, NULL, &out, &ct);
	buf_free(&out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct json_object *secrets, *nokey, *cfg[3];
	static const struct provider *p;
	struct arena *a;
	struct kvlist form, query;
	struct prov_conf c = { .slug = FUZZ_KIND, .default_country = "UA" };
	struct prov_req r;
	const char *why, *nl;
	char *buf, *body;
	size_t qlen;

	if (p == NULL) {
		p = provider_by_kind(FUZZ_KIND);
		secrets = json_tokener_parse("{\"key\":\"k\",\"token\":\"t\"}");
		nokey = json_tokener_parse("{}");
		cfg[0] = json_tokener_parse("{\"allowed_ips\":[\"127.0.0.0/8\","
		    "\"2001:db8::/33\"],\"time_zone\":\"Europe/Kyiv\"}");
		cfg[1] = json_tokener_parse("{\"allowed_ips\":{\"a\":1},"
		    "\"time_zone\":\"Not/AZone\",\"domain\":\"a.b\"}");
		cfg[2] = NULL;
	}
	a = arena_new();
	buf = arena_strndup(a, (const char *)data, size);
	nl = memchr(buf, '\n', strlen(buf));
	qlen = nl ? (size_t)(nl - buf) : 0;
	body = nl ? buf + qlen + 1 : buf;
	c.secrets = size % 2 ? secrets : nokey;
	c.config = cfg[size % 3];

	memset(&r, 0, sizeof(r));
	r.method = HTTP_POST;
	r.url = "https://crm.example.com/hook/" FUZZ_KIND;
	r.remote_addr = size % 4 < 2 ? "89.184.65.208" : "127.0.0.1";
	r.now = 1717495300;
	r.body = body;
	r.body_len = strlen(body);
	r.header = fz_header;
	if (http_parse_urlencoded(a, buf, qlen, &query, &why) != CB_OK)
		goto done;
	r.hctx = arena_strndup(a, buf, qlen);
	r.query = &query;
	if (http_parse_urlencoded(a, body, r.body_len, &form, &why) ==
	    CB_OK) {
		r.form = &form;
		r.content_type = "application/x-www-form-urlencoded";
		run(p, &c, &r);
	}
	r.form = NULL;
	if (http_parse_json(a, body, r.body_len, &r.json, &why) == CB_OK) {
		r.content_type = "application/json";
		run(p, &c, &r);
	}
	r.json = NULL;
	run(p, &c, &r);
done:
	arena_free(a);
	return 0;
}
