/* libFuzzer target: multipart/form-data bodies (lib/http/multipart.c) on
 * the entry point the front line and the spool replay use,
 * http_parse_body(). The input's first line is the Content-Type header
 * value, the rest the body. Checks what handlers rely on: every field is
 * NUL-free, within the caps, and found by kv_get() (the index agrees with
 * the list). */
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
	const uint8_t *nl = memchr(data, '\n', size);
	struct kvlist l;
	struct json_object *j;
	const char *why;
	char *ct, *body;
	size_t ctlen = nl ? (size_t)(nl - data) : size, blen, i;

	if (a == NULL)
		a = arena_new();
	blen = nl ? size - ctlen - 1 : 0;
	ct = malloc(ctlen + 1);
	body = malloc(blen + 1);
	if (ct == NULL || body == NULL) {
		free(ct);
		free(body);
		return 0;
	}
	memcpy(ct, data, ctlen);
	ct[ctlen] = '\0';
	if (blen)
		memcpy(body, nl + 1, blen);
	body[blen] = '\0';
	if (http_parse_body(a, ct, body, blen, &l, &j, &why) == CB_OK)
		for (i = 0; i < l.n; i++) {
			const char *first = kv_get(&l, l.v[i].key);
			if (strlen(l.v[i].val) != l.v[i].val_len ||
			    strlen(l.v[i].key) > HTTP_MAX_KEY ||
			    l.v[i].val_len > HTTP_MAX_VALUE || first == NULL)
				abort();
		}
	else if (why == NULL)
		abort(); /* a refusal always says why */
	free(ct);
	free(body);
	arena_reset(a);
	return 0;
}
