/* The twilio provider (lib/providers/twilio/): its one descriptor. */
#ifndef CB_PROVIDERS_TWILIO_H
#define CB_PROVIDERS_TWILIO_H

#include "providers/provider.h"

extern const struct provider twilio_provider;

/* Its members in other files of the folder, for the descriptor. */
extern const struct prov_dial twilio_dial;      /* dial.c */

#endif
