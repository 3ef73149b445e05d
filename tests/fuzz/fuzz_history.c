/* libFuzzer target for the providers' history parsers (lib/reconcile/,
 * STYLE §2.21): the first byte picks the provider (Zadarma, Binotel,
 * Twilio, Ringostat, Phonet, Yeastar, UniTalk) and the cursor of the page; the rest is the API's answer. Every
 * event a page yields is then read by that provider's webhook adapter, as
 * the reconciliation does, so the rebuilt requests are fuzzed too.
 * Run: fuzz_history -max_total_time=60 corpus/history */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include <json-c/json.h>

#include "calls/event.h"
#include "core/arena.h"
#include "http/request.h"
#include "providers/provider.h"
#include "providers/registry.h"
#include "reconcile/history.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
adapt(const struct prov_conf *c, const char *kind, struct arena *a,
    const struct hist_event *he)
{
	const struct provider *p = provider_by_kind(kind);
	struct kvlist form;
	struct json_object *json = NULL;
	struct prov_req r;
	struct call_event ev;
	const char *why = NULL;

	if (p == NULL || http_parse_body(a, he->content_type, he->body,
	    he->body_len, &form, &json, &why) != CB_OK)
		return;
	memset(&r, 0, sizeof(r));
	r.method = HTTP_POST;
	r.form = &form;
	r.json = json;
	r.body = he->body;
	r.body_len = he->body_len;
	r.content_type = he->content_type;
	ev_init(&ev);
	(void)p->parse(c, &r, &ev, &why);
	(void)ev_validate(&ev);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const kinds[] = { "zadarma", "binotel", "twilio",
	    "ringostat", "phonet", "yeastar", "unitalk" };
	static const char *const cursors[] = { "", "1000", "out",
	    "/2010-04-01/Accounts/ACfuzz/Calls.json?Page=1", "1717300000" };
	static struct json_object *secrets, *config;
	struct prov_conf c = { .slug = "fuzz", .default_country = "UA" };
	struct hist_window w = { 1717200000, 1717372800 };
	const struct prov_history *h;
	const char *kind;
	struct hist_page page;
	struct arena *a;
	const char *why = NULL;
	size_t i;

	if (size < 1)
		return 0;
	if (secrets == NULL) {
		secrets = json_tokener_parse("{\"key\":\"k\",\"secret\":\"s\","
		    "\"api_key\":\"a\","
		    "\"account_sid\":\"ACfuzz\",\"auth_token\":\"t\"}");
		config = json_tokener_parse("{\"time_zone\":\"Europe/Kyiv\"}");
	}
	c.secrets = secrets;
	c.config = data[0] & 0x40 ? config : NULL;
	kind = kinds[(data[0] & 0x0f) % (sizeof(kinds) / sizeof(kinds[0]))];
	h = reconcile_history_for(kind);
	a = arena_new();
	if (h->parse(&c, &w, cursors[((data[0] >> 4) & 3) + (data[0] >> 7)],
	    (const char *)data + 1, size - 1, a, &page, &why) == CB_OK)
		for (i = 0; i < page.n; i++)
			adapt(&c, kind, a, &page.ev[i]);
	arena_free(a);
	return 0;
}
