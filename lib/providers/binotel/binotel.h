/* The binotel provider (lib/providers/binotel/): its one descriptor. */
#ifndef CB_PROVIDERS_BINOTEL_H
#define CB_PROVIDERS_BINOTEL_H

#include "providers/provider.h"

extern const struct provider binotel_provider;

/* Its members in other files of the folder, for the descriptor. */
extern const struct prov_dial binotel_dial;      /* dial.c */
extern const struct prov_recording binotel_recording;  /* recording.c */

#endif
