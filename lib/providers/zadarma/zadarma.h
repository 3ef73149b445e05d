/* The Zadarma provider (lib/providers/zadarma/): its one descriptor and
 * what its files share. */
#ifndef CB_PROVIDERS_ZADARMA_H
#define CB_PROVIDERS_ZADARMA_H

#include <json-c/json.h>

#include "providers/provider.h"

extern const struct provider zadarma_provider;

/* Its members in other files of the folder, for the descriptor. */
extern const struct prov_dial zadarma_dial;      /* dial.c */

/* The account's time zone: config "time_zone", else the usual zone of the
 * country; never NULL, borrowed from config or static. */
const char *zadarma_time_zone(struct json_object *config, const char *country);

#endif
