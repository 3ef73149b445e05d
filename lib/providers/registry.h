/* Every adapter's provider table (one per lib/providers/<kind>.c). */
#ifndef CB_PROVIDERS_REGISTRY_H
#define CB_PROVIDERS_REGISTRY_H

#include "providers/provider.h"

extern const struct provider provider_twilio;
extern const struct provider provider_zadarma;
extern const struct provider provider_binotel;
extern const struct provider provider_asterisk;
extern const struct provider provider_generic;

#endif
