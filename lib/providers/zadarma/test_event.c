/* "Send a test event" for Zadarma: the zd_echo URL check. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/rand.h"
#include "http/escape.h"
#include "net/sig.h"
#include "providers/test_event.h"
#include "providers/zadarma/zadarma.h"

/* Zadarma checks a URL with GET ?zd_echo=<random> and wants the value
 * back as the body (§2.2). */
enum cb_err
zadarma_test_event(struct arena *a, const char *url, const char *sign_url,
    struct json_object *sec, const char *did, time_t now,
    struct test_event *ev, const char **why)
{
	char rnd[17];

	(void)sign_url;
	(void)sec;
	(void)did;
	(void)now;
	(void)why;
	if (rand_hex(rnd, sizeof(rnd), 8) != CB_OK)
		return CB_EIO;
	ev->method = HTTPC_GET;
	ev->url = arena_printf(a, "%s?zd_echo=%s", url, rnd);
	ev->expect_body = arena_strdup(a, rnd);
	ev->headers[0] = NULL;
	return CB_OK;
}
