/* libFuzzer target: phone normalisation with every default region kind. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "phone/phone.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const regions[] = { "UA", "RU", "ES", "PL", "US",
		"", NULL, "XX" };
	char out[PHONE_MAX], digits[PHONE_MAX];
	size_t i;

	for (i = 0; i < sizeof(regions) / sizeof(regions[0]); i++) {
		enum phone_kind k = phone_normalize((const char *)data, size,
		    regions[i], out, sizeof(out));
		if (k >= PHONE_KIND__MAX || strlen(out) >= PHONE_MAX)
			abort();
	}
	(void)phone_digits((const char *)data, size, digits, sizeof(digits));
	return 0;
}
