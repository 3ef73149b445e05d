#include "config.h"
#include <stdarg.h>
#include <stdio.h>

#include "core/err.h"

static const char *const messages[CB_ERR__MAX] = {
	[CB_OK] = "success",
	[CB_ENOMEM] = "out of memory",
	[CB_EINVAL] = "malformed input",
	[CB_ETOOBIG] = "input too large",
	[CB_ENOTFOUND] = "not found",
	[CB_EDENIED] = "permission denied",
	[CB_EAUTH] = "authentication required",
	[CB_EMETHOD] = "method not allowed",
	[CB_EMEDIA] = "unsupported media type",
	[CB_EDB] = "database unavailable",
	[CB_EUPSTREAM] = "upstream service failed",
	[CB_EIO] = "local I/O error",
	[CB_DUPLICATE] = "already stored",
};

const char *
cb_strerror(enum cb_err err)
{
	if ((unsigned)err >= CB_ERR__MAX)
		return "unknown error";
	return messages[err];
}

void
err_say(char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errsz == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
}
