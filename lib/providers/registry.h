/* Every adapter's provider table (one per lib/providers/<kind>.c). */
#ifndef CB_PROVIDERS_REGISTRY_H
#define CB_PROVIDERS_REGISTRY_H

#include "providers/provider.h"

extern const struct provider provider_twilio;
extern const struct provider provider_zadarma;
extern const struct provider provider_binotel;
extern const struct provider provider_asterisk;
extern const struct provider provider_generic;

/* Zadarma settings the integration's page shows (lib/providers/zadarma.c):
 * the account's time zone (config "time_zone", else the usual zone of the
 * country; never NULL, borrowed from config or static), and the networks
 * notifications are accepted from when config has no "allowed_ips"
 * (NULL-terminated, static). */
const char *zadarma_time_zone(struct json_object *config, const char *country);
const char *const *zadarma_default_networks(void);

#endif
