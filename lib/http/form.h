/* Reading and checking the fields of the settings forms (cgi/automation.c,
 * cgi/integrations.c, cgi/crm.c): the small helpers every form page needs,
 * in one place, so one rule holds for "a URL", "a trimmed text field" and
 * "a checked box" on every page. The front line (lib/http/app.c) has
 * already refused bodies over their cap and values with an embedded NUL;
 * these read what it parsed. Returned strings are borrowed from the
 * request or the arena, both freed at the end of the request. */
#ifndef CB_HTTP_FORM_H
#define CB_HTTP_FORM_H

#include <stdbool.h>

/* The longest URL a form accepts (webhook, click-to-call address). */
#define FORM_URL_MAX 2000

/* An http(s) URL with a host, at most FORM_URL_MAX bytes, without spaces
 * or control bytes. Whether the host may be reached is decided when the
 * request is made (lib/automation/deliver.c for webhooks). */
bool form_http_url_valid(const char *u);

#endif
