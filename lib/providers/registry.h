/* The list of providers (lib/providers/registry.c, the only one): look a
 * provider up by its integrations.kind, or walk them all. */
#ifndef CB_PROVIDERS_REGISTRY_H
#define CB_PROVIDERS_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "providers/provider.h"

/* The descriptor of an integrations.kind, or NULL for an unknown (or
 * NULL) kind. Static. */
const struct provider *provider_by_kind(const char *kind);
/* How many providers there are, and the i-th (0 <= i < provider_count())
 * in the order Settings lists them. */
size_t provider_count(void);
const struct provider *provider_at(size_t i);
/* Whether the provider sells in the country (ISO alpha-2; a provider
 * without a country list sells everywhere; NULL country = any). */
bool provider_serves(const struct provider *p, const char *country);
/* "twilio, zadarma, ... or generic": the kinds, for messages. */
void provider_kinds_text(struct buf *b);

#endif
