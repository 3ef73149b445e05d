/* One error enum for the whole project, one strerror (STYLE §2.3).
 * Which HTTP status each becomes is decided in exactly one place:
 * http_status_for_err() in lib/http/response.c. */
#ifndef CB_CORE_ERR_H
#define CB_CORE_ERR_H

enum cb_err {
	CB_OK = 0,      /* success */
	CB_ENOMEM,      /* allocation failed */
	CB_EINVAL,      /* malformed input: the caller sent something we cannot parse */
	CB_ETOOBIG,     /* input or output over its cap */
	CB_ENOTFOUND,   /* no such route, row or file */
	CB_EDENIED,     /* authenticated but not allowed, or bad signature */
	CB_EAUTH,       /* not authenticated (no or expired session) */
	CB_EMETHOD,     /* method not allowed on this route */
	CB_EMEDIA,      /* unsupported Content-Type */
	CB_EDB,         /* the database failed or is unreachable */
	CB_EUPSTREAM,   /* a provider or remote service failed */
	CB_EIO,         /* local I/O failed (files, spool) */
	CB_DUPLICATE,   /* not an error: the thing already exists (a provider's retry) */
	CB_ERR__MAX
};

/* Static string, never NULL. */
const char *cb_strerror(enum cb_err err);

#include <stddef.h>
/* Writes a reason for a person into the caller's buffer err (errsz bytes,
 * cut to fit); nothing when err is NULL or errsz is 0. The one helper
 * behind every "char *err, size_t errsz" parameter. */
void err_say(char *err, size_t errsz, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
