/* libFuzzer target: phone normalisation with every default region kind,
 * and the display form (issue 18) of what it made and of the raw input. */
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
	char out[PHONE_MAX], digits[PHONE_MAX], shown[PHONE_DISPLAY_MAX];
	char raw[PHONE_IN_MAX + 1];
	struct phone_where w;
	size_t i;

	for (i = 0; i < sizeof(regions) / sizeof(regions[0]); i++) {
		enum phone_kind k = phone_normalize((const char *)data, size,
		    regions[i], out, sizeof(out));
		if (k >= PHONE_KIND__MAX || strlen(out) >= PHONE_MAX)
			abort();
		(void)phone_format(out, regions[i], shown, sizeof(shown));
		if (strlen(shown) >= sizeof(shown))
			abort();
		if (phone_where_of(out, &w) && strlen(w.region) != 2)
			abort();
	}
	/* The stored form may be anything a provider sent: the raw bytes,
	 * cut and NUL-terminated, into a buffer both big and small. */
	memcpy(raw, data, size < PHONE_IN_MAX ? size : PHONE_IN_MAX);
	raw[size < PHONE_IN_MAX ? size : PHONE_IN_MAX] = '\0';
	(void)phone_format(raw, "UA", shown, sizeof(shown));
	(void)phone_format(raw, "US", digits, 5);
	(void)phone_digits((const char *)data, size, digits, sizeof(digits));
	return 0;
}
