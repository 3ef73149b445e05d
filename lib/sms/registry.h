/* The SMS gateways, one list (lib/sms/registry.c). Adding a gateway =
 * one file exporting a struct sms_gateway and one line in registry.c. */
#ifndef CB_SMS_REGISTRY_H
#define CB_SMS_REGISTRY_H

#include "sms/sms.h"

extern const struct sms_gateway sms_twilio, sms_zadarma, sms_turbosms,
    sms_smsc, sms_smsru, sms_smsapi;

/* NULL-terminated, in the order the settings page offers them. */
extern const struct sms_gateway *const sms_gateways[];

/* The gateway of kind, or NULL. */
const struct sms_gateway *sms_gateway_find(const char *kind);

/* Settings every account has besides its gateway's own (not secrets):
 *   api_base             another API address (a regional host, a proxy,
 *                        a test stand-in); https, or http to loopback
 *   allow_private_hosts  addresses the requests may reach although they
 *                        are not public (httpc.h), comma-separated */
extern const struct sms_field sms_common_fields[];

#endif
