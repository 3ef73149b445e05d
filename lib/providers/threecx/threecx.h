/* 3CX V18/V20 (kind "3cx"): the adapter (threecx.c), the server-side CRM
 * template the admin uploads into 3CX (template.c), the test event
 * (test_event.c) and click-to-call through V20's Call Control API
 * (dial.c). providers-2.md §6.
 *
 * 3CX sends no webhooks of its own: its CRM integration engine runs the
 * template we publish, which points its contact lookup and its call
 * journaling (scenario ReportCall) at this integration's callback URL. */
#ifndef CB_PROVIDERS_THREECX_H
#define CB_PROVIDERS_THREECX_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core/buf.h"
#include "core/err.h"
#include "dial/dial.h"
#include "providers/provider.h"

extern const struct provider threecx_provider;
enum cb_err threecx_test_event(struct arena *a, const char *hook_url,
    const char *sign_url, struct json_object *secrets, const char *did,
    time_t now, struct test_event *out, const char **why);  /* test_event.c */
extern const struct prov_panel_file threecx_template;      /* template.c */
extern const struct prov_recording threecx_recording;      /* recording.c */
/* V20's Call Control API (dial.c): the OAuth2 client-credentials token
 * (POST /connect/token) and click-to-call (POST /callcontrol/{extension}/
 * makecall {"destination"} with the token as a Bearer). No hang-up: see
 * dial.c. */
extern const struct prov_prepare threecx_prepare;
extern const struct prov_dial threecx_dial;

/* The CRM template for the integration at hook_url with URL key key (the
 * callback URL with ?key=... is a parameter of the template, filled in),
 * named name in 3CX's list. Built with libxml2's xmlTextWriter, so every
 * value is escaped for XML. Appended to out. */
enum cb_err threecx_template_build(const char *hook_url, const char *key,
    const char *name, struct buf *out);

/* The call key of a journal entry (§6.2: the journal has no call id):
 * "<start as YYYYMMDDTHHMMSSZ>-<in|out>-<the number's digits without
 * leading zeros, or 'withheld'>", e.g. "20240604T100000Z-in-380671234567".
 * false when it does not fit outsz. */
bool threecx_call_key(int64_t start_ms, bool outgoing, const char *number,
    char *out, size_t outsz);

/* [Duration] (hh:mm:ss, or d.hh:mm:ss, mm:ss, or plain seconds) →
 * seconds; CB_EINVAL for anything else or over 10 days. */
enum cb_err threecx_duration(const char *s, int32_t *secs);

#endif
