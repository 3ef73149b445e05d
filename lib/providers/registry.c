#include "config.h"

#include <string.h>

#include "core/jsonget.h"
#include "providers/provider.h"
#include "providers/registry.h"

/* Providers in their own folder (lib/providers/<kind>/), one exported
 * descriptor each. */
extern const struct provider phonet_provider;
extern const struct provider unitalk_provider;
extern const struct provider streamtelecom_provider;
extern const struct provider yeastar_provider;

static const struct provider *const providers[] = {
	&provider_twilio,
	&provider_zadarma,
	&provider_binotel,
	&provider_asterisk,
	&provider_generic,
	&phonet_provider,
	&unitalk_provider,
	&streamtelecom_provider,
	&yeastar_provider,
};

const struct provider *
provider_find(const char *kind)
{
	size_t i;

	for (i = 0; kind && i < sizeof(providers) / sizeof(providers[0]); i++)
		if (strcmp(providers[i]->kind, kind) == 0)
			return providers[i];
	return NULL;
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
