/* Sending one plain-text e-mail over SMTP with libcurl (trigger e-mail
 * actions, DESIGN §6): smtp:// (STARTTLS when the server offers it, and
 * required when a password is sent) or smtps://. The message is built
 * here (RFC 5322 headers, UTF-8 body, CRLF line ends); libcurl does the
 * SMTP conversation and the dot-stuffing. Nothing here logs; errors never
 * hold the password. */
#ifndef CB_NET_SMTP_H
#define CB_NET_SMTP_H

#include <stddef.h>

#include "core/err.h"

#define SMTP_ERROR_MAX 256

/* Everything is borrowed for the duration of the call. */
struct smtp_msg {
	const char *url;          /* smtp://host:port or smtps://host:port */
	const char *from;         /* envelope and From: address */
	const char *user;         /* NULL or "" = no AUTH */
	const char *password;
	const char *to;           /* one address */
	const char *subject;      /* UTF-8; CR/LF become spaces */
	const char *text;         /* UTF-8 body */
	unsigned timeout_s;       /* 0 = 20 s */
};

/* CB_EINVAL: a missing or malformed part (no URL, an address with CR, LF,
 * < or >); CB_EUPSTREAM: connect, TLS, or the server refused (err says
 * which, with the server's reply code). */
enum cb_err smtp_send(const struct smtp_msg *m, char *err, size_t errsz);

#endif
