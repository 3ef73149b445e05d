#include "config.h"

#include <string.h>

#include "sms/registry.h"

const struct sms_gateway *const sms_gateways[] = {
	&sms_twilio, &sms_zadarma, &sms_turbosms, &sms_smsc, &sms_smsru,
	&sms_smsapi, NULL
};

const struct sms_field sms_common_fields[] = {
	{ "api_base", "API address", "leave empty for the gateway's own; "
	    "https, or http to this machine", false, false },
	{ "allow_private_hosts", "Private addresses allowed",
	    "comma-separated, e.g. 127.0.0.1 (only for a gateway or proxy on "
	    "your network)", false, false },
	{ NULL, NULL, NULL, false, false }
};

const struct sms_gateway *
sms_gateway_find(const char *kind)
{
	size_t i;

	for (i = 0; kind != NULL && sms_gateways[i] != NULL; i++)
		if (strcmp(sms_gateways[i]->kind, kind) == 0)
			return sms_gateways[i];
	return NULL;
}
