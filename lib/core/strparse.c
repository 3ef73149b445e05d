#include "config.h"

#include <string.h>

#include "core/strparse.h"

enum cb_err
strparse_i64(const char *s, size_t len, int64_t min, int64_t max,
    int64_t *out)
{
	size_t i = 0;
	int neg = 0;
	uint64_t v = 0, lim;

	if (s == NULL || len == 0 || len > 20)
		return CB_EINVAL;
	if (s[0] == '-') {
		neg = 1;
		i = 1;
		if (len == 1)
			return CB_EINVAL;
	}
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; i < len; i++) {
		unsigned d;
		if (s[i] < '0' || s[i] > '9')
			return CB_EINVAL;
		d = (unsigned)(s[i] - '0');
		if (v > (lim - d) / 10)
			return CB_EINVAL;
		v = v * 10 + d;
	}
	{
		int64_t r = neg ? (v == (uint64_t)INT64_MAX + 1 ? INT64_MIN
		    : -(int64_t)v) : (int64_t)v;
		if (r < min || r > max)
			return CB_EINVAL;
		*out = r;
	}
	return CB_OK;
}

enum cb_err
strparse_i64z(const char *s, int64_t min, int64_t max, int64_t *out)
{
	return strparse_i64(s, s ? strlen(s) : 0, min, max, out);
}

bool
str_has_nul(const char *s, size_t len)
{
	return memchr(s, '\0', len) != NULL;
}
