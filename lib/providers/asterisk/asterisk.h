/* The asterisk provider (lib/providers/asterisk/): its one descriptor. */
#ifndef CB_PROVIDERS_ASTERISK_H
#define CB_PROVIDERS_ASTERISK_H

#include "providers/provider.h"

extern const struct provider asterisk_provider;

/* Its members in other files of the folder, for the descriptor. */
extern const struct prov_recording asterisk_recording; /* recording.c */

#endif
