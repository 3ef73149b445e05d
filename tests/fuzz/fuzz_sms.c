/* libFuzzer target for the SMS gateways' response parsers (STYLE §2.21):
 * the input is "<kind>\n<status>\n<body>"; every parser also reads the
 * body under each status class, and the template renderer and the length
 * counter read it as a text. A parser must never crash, read past the
 * body or leave an unterminated message id or error.
 * Run: fuzz_sms -max_total_time=60 corpus/sms */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sms/registry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(const struct sms_gateway *g, long status, const char *body, size_t len)
{
	struct sms_result r;

	memset(&r, 0x5a, sizeof(r));
	g->parse(status, body, len, &r);
	if (memchr(r.message_id, '\0', sizeof(r.message_id)) == NULL ||
	    memchr(r.error, '\0', sizeof(r.error)) == NULL ||
	    (unsigned)r.outcome > SMS_UNKNOWN)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *nl, *nl2;
	static const long statuses[] = { 200, 201, 400, 401, 429, 500 };
	const struct sms_gateway *g = NULL;
	struct sms_length sl;
	struct sms_vars v = { "n", "+1", "t", "m" };
	struct buf b;
	char *copy;
	size_t i;
	long status;

	if ((nl = memchr(p, '\n', size)) == NULL)
		return 0;
	for (i = 0; sms_gateways[i]; i++)
		if (strlen(sms_gateways[i]->kind) == (size_t)(nl - p) &&
		    memcmp(sms_gateways[i]->kind, p, (size_t)(nl - p)) == 0)
			g = sms_gateways[i];
	if (g == NULL)
		g = sms_gateways[(unsigned char)p[0] % 6];
	if ((nl2 = memchr(nl + 1, '\n', size - (size_t)(nl + 1 - p))) == NULL)
		return 0;
	/* The status line's digits (the input is not NUL-terminated). */
	for (status = 0, p = nl + 1; p < nl2 && status < 1000; p++)
		if (*p >= '0' && *p <= '9')
			status = status * 10 + (*p - '0');
	p = (const char *)data;
	/* The body exactly as received: not NUL-terminated. */
	if ((copy = malloc(size - (size_t)(nl2 + 1 - p) + 1)) == NULL)
		return 0;
	memcpy(copy, nl2 + 1, size - (size_t)(nl2 + 1 - p));
	check(g, status, copy, size - (size_t)(nl2 + 1 - p));
	for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
		check(g, statuses[i], copy, size - (size_t)(nl2 + 1 - p));
	sms_length(copy, size - (size_t)(nl2 + 1 - p), &sl);
	copy[size - (size_t)(nl2 + 1 - p)] = '\0';
	buf_init(&b, 4096);
	(void)sms_render(copy, &v, &b);
	buf_free(&b);
	free(copy);
	return 0;
}
