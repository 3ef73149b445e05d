/* libFuzzer target: the request parsers (form/query, cookies, JSON). */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "http/request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct arena *a;
	struct kvlist l;
	struct json_object *j;
	const char *why;
	char *s;

	if (a == NULL)
		a = arena_new();
	/* Parsers get exactly size bytes, not a C string. */
	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (http_parse_urlencoded(a, s, size, &l, &why) == CB_OK)
		for (size_t i = 0; i < l.n; i++)
			if (strlen(l.v[i].val) != l.v[i].val_len)
				abort(); /* an embedded NUL got through */
	(void)http_parse_cookies(a, s, size, &l, &why);
	(void)http_parse_json(a, s, size, &j, &why);
	(void)http_negotiate(s, s);
	free(s);
	arena_reset(a);
	return 0;
}
