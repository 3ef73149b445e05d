/* The asterisk provider (lib/providers/asterisk/): its one descriptor. */
#ifndef CB_PROVIDERS_ASTERISK_H
#define CB_PROVIDERS_ASTERISK_H

#include "providers/provider.h"

extern const struct provider asterisk_provider;

#endif
