#include "config.h"

#include <string.h>

#include "http/form.h"

bool
form_http_url_valid(const char *u)
{
	const char *host;
	size_t i, n = strlen(u);

	if (n > FORM_URL_MAX)
		return false;
	if (strncmp(u, "https://", 8) == 0)
		host = u + 8;
	else if (strncmp(u, "http://", 7) == 0)
		host = u + 7;
	else
		return false;
	if (*host == '\0' || *host == '/' || *host == ':' || *host == '?')
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)u[i] <= ' ' || u[i] == 0x7f)
			return false;
	return true;
}
