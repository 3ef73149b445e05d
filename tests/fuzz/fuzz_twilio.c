/* libFuzzer target for the Twilio adapter (STYLE §2.21): the bytes are a
 * provider request fed through verify → parse → answer exactly as
 * cgi/hook.c does, after the request layer's own parsers.
 *
 * Input: one mode byte, then the request. Mode bits 0-1 pick how the rest
 * arrives: 0 a form body, 1 a JSON body under a bodySHA256 URL, 2 a GET
 * query, 3 "<url>\n<form body>" (exercises the port toggling). Bits 2-4
 * pick the routing answer and bit 5 an odd integration config, so the
 * TwiML writer sees every branch.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I build -I lib \
 *     $(pkg-config --cflags json-c libxml-2.0) tests/fuzz/fuzz_twilio.c \
 *     lib/providers/twilio/ lib/providers/registry.c <other adapters> \
 *     lib/calls/event.c lib/net/sig.c <lib/core sources> \
 *     lib/http/request.c lib/http/escape.c \
 *     $(pkg-config --libs json-c libxml-2.0 libcrypto) -lcrypt
 *   ./a.out -max_total_time=60 tests/fuzz/corpus/twilio
 * Without -fsanitize=fuzzer, link a driver that replays the corpus
 * (make check's fuzz-corpus step).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "providers/provider.h"
#include "providers/twilio/twilio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *
fz_header(const void *hctx, const char *name)
{
	(void)name;
	return hctx;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const configs[] = {
		NULL,
		"{\"hook_url\":\"https://crm.example.com/hook/twilio?a=1&b=<\","
		"\"sip_domain\":\"pbx.example.com\","
		"\"caller_id\":\"+14155550123\","
		"\"busy_text\":\"Зайнято\",\"voicemail_text\":\"\"}",
	};
	static const struct route_answer answers[8] = {
		{ 0 },
		{ .extension = "101" },
		{ .extension = "10<1", .fallback_kind = "manager",
		  .fallback_target = "103" },
		{ .fallback_kind = "queue", .fallback_target = "sales&<>\"" },
		{ .fallback_kind = "voicemail" },
		{ .fallback_kind = "manager", .fallback_target = "" },
		{ .fallback_kind = "queue", .fallback_target = "\xff" },
		{ .extension = "", .fallback_kind = "bogus" },
	};
	struct arena *a;
	struct kvlist query = { 0 }, form = { 0 };
	struct prov_req r;
	struct prov_conf c;
	struct call_event ev;
	struct json_object *secrets, *config = NULL;
	struct buf out;
	const char *why = NULL, *ctype = NULL, *q;
	char *body, *url;
	size_t blen;
	unsigned mode;

	if (size < 1 || size > 64 * 1024)
		return 0;
	mode = data[0];
	a = arena_new();
	body = arena_strndup(a, (const char *)data + 1, size - 1);
	blen = strlen(body);  /* the hook rejects NULs before adapters */
	memset(&r, 0, sizeof(r));
	r.method = HTTP_POST;
	url = arena_strdup(a, "https://crm.example.com/hook/twilio");
	switch (mode & 3) {
	case 1: {
		/* The hash is wrong on purpose most of the time; the
		 * parser runs anyway, as hook.c would not (403) but the
		 * fuzzer wants parse() to see JSON too. */
		url = arena_strdup(a, "https://crm.example.com/hook/twilio?"
		    "bodySHA256=00");
		if (http_parse_json(a, body, blen, &r.json, &why) != CB_OK)
			goto done;
		r.content_type = "application/json";
		break;
	}
	case 2:
		url = arena_printf(a, "https://crm.example.com/hook/twilio?%s",
		    body);
		r.method = HTTP_GET;
		body = arena_strdup(a, "");
		blen = 0;
		break;
	case 3: {
		char *nl = strchr(body, '\n');
		if (nl != NULL) {
			*nl = '\0';
			url = body;
			body = nl + 1;
			blen = strlen(body);
		}
	}
		/* FALLTHROUGH */
	default:
		if (http_parse_urlencoded(a, body, blen, &form, &why) != CB_OK)
			goto done;
		r.content_type = "application/x-www-form-urlencoded";
		break;
	}
	if ((q = strchr(url, '?')) != NULL &&
	    http_parse_urlencoded(a, q + 1, strlen(q + 1), &query, &why) !=
	    CB_OK)
		goto done;
	r.url = url;
	r.query = &query;
	r.form = &form;
	r.body = body;
	r.body_len = blen;
	r.now = 1717495242;
	r.header = fz_header;
	r.hctx = "OrcSE7T2ZT9us0kaE5g1NjpCp3w=";

	secrets = json_object_new_object();
	json_object_object_add(secrets, "auth_token",
	    json_object_new_string("12345678901234567890123456789012"));
	if (configs[(mode >> 5) & 1] != NULL)
		config = json_tokener_parse(configs[(mode >> 5) & 1]);
	memset(&c, 0, sizeof(c));
	c.slug = "twilio";
	c.secrets = secrets;
	c.config = config;
	c.default_country = "UA";

	(void)twilio_provider.verify(&c, &r, &why);
	ev_init(&ev);
	if (twilio_provider.parse(&c, &r, &ev, &why) == CB_OK) {
		const struct route_answer *ra = &answers[(mode >> 2) & 7];

		/* Every event, as a routing question too: the writer must
		 * cope with whatever parse() left in the event. */
		buf_init(&out, 64 * 1024);
		(void)twilio_provider.answer(&c, &ev, ev.wants_route ? ra :
		    NULL, &out, &ctype);
		buf_reset(&out);
		ev.wants_route = true;
		(void)twilio_provider.answer(&c, &ev, ra, &out, &ctype);
		buf_free(&out);
	}
	json_object_put(secrets);
	json_object_put(config);
done:
	arena_free(a);
	return 0;
}
