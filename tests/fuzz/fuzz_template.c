/* libFuzzer target: the template engine. The input is split at the first
 * NUL into a template and a JSON model; the template is compiled and, if
 * valid, rendered with the model. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "tmpl/template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t tlen = nul ? (size_t)(nul - data) : size;
	struct tmpl_set *set = tmpl_set_new();
	struct json_object *model = NULL;
	struct buf out;

	if (set == NULL)
		return 0;
	if (nul && size - tlen - 1 > 0) {
		char *js = malloc(size - tlen);
		if (js) {
			memcpy(js, nul + 1, size - tlen - 1);
			js[size - tlen - 1] = '\0';
			model = json_tokener_parse(js);
			free(js);
		}
	}
	buf_init(&out, 1 << 20);
	if (tmpl_set_add(set, "t.html", (const char *)data, tlen, NULL) ==
	    CB_OK && tmpl_set_check(set, NULL) == CB_OK)
		(void)tmpl_render(set, "t.html", model, &out);
	buf_free(&out);
	json_object_put(model);
	tmpl_set_free(set);
	return 0;
}
