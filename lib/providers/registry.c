/* The only list of providers (issue 17 §1). Adding one = its folder under
 * lib/providers/, one #include and one row here (docs/providers.md). The
 * order is the order Settings › Integrations offers them in. */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "core/jsonget.h"
#include "providers/asterisk/asterisk.h"
#include "providers/binotel/binotel.h"
#include "providers/generic/generic.h"
#include "providers/phonet/phonet.h"
#include "providers/provider.h"
#include "providers/registry.h"
#include "providers/ringostat/ringostat.h"
#include "providers/streamtelecom/streamtelecom.h"
#include "providers/threecx/threecx.h"
#include "providers/twilio/twilio.h"
#include "providers/unitalk/unitalk.h"
#include "providers/yeastar/yeastar.h"
#include "providers/zadarma/zadarma.h"

static const struct provider *const providers[] = {
	&twilio_provider,
	&zadarma_provider,
	&binotel_provider,
	&asterisk_provider,
	&phonet_provider,
	&unitalk_provider,
	&streamtelecom_provider,
	&yeastar_provider,
	&ringostat_provider,
	&threecx_provider,
	&generic_provider,
};
#define NPROVIDERS (sizeof(providers) / sizeof(providers[0]))

const struct provider *
provider_by_kind(const char *kind)
{
	size_t i;

	for (i = 0; kind && i < NPROVIDERS; i++)
		if (strcmp(providers[i]->kind, kind) == 0)
			return providers[i];
	return NULL;
}

size_t
provider_count(void)
{
	return NPROVIDERS;
}

const struct provider *
provider_at(size_t i)
{
	return i < NPROVIDERS ? providers[i] : NULL;
}

bool
provider_serves(const struct provider *p, const char *country)
{
	const char *const *c;

	if (p->countries == NULL || country == NULL || *country == '\0')
		return true;
	for (c = p->countries; *c != NULL; c++)
		if (strcasecmp(*c, country) == 0)
			return true;
	return false;
}

void
provider_kinds_text(struct buf *b)
{
	size_t i;

	for (i = 0; i < NPROVIDERS; i++)
		buf_printf(b, "%s%s", i == 0 ? "" : i + 1 == NPROVIDERS ?
		    " or " : ", ", providers[i]->kind);
}

const char *
prov_secret(const struct prov_conf *c, const char *key)
{
	return json_member_str(c->secrets, key);
}

const char *
prov_field(const struct prov_req *r, const char *name)
{
	struct json_object *v;
	const char *s;

	/* The body before the query: body signatures (generic, Zadarma)
	 * do not cover the URL, so the query must not override them. */
	if (r->form && (s = kv_get(r->form, name)) != NULL)
		return s;
	if (r->json && json_object_is_type(r->json, json_type_object) &&
	    json_object_object_get_ex(r->json, name, &v) &&
	    (json_object_is_type(v, json_type_string) ||
	    json_object_is_type(v, json_type_int) ||
	    json_object_is_type(v, json_type_double)))
		return json_object_get_string(v);
	if (r->query && (s = kv_get(r->query, name)) != NULL)
		return s;
	return NULL;
}
