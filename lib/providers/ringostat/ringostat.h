/* Ringostat (ringostat.com): the adapter (ringostat.c), click-to-call
 * (dial.c), recordings (recording.c), the test event (test_event.c) and
 * the call log for reconciliation (history.c). providers-2.md §3.
 *
 * Ringostat never resends a webhook that failed (§3.5): every Ringostat
 * integration is reconciled from its calls/list export. */
#ifndef CB_PROVIDERS_RINGOSTAT_H
#define CB_PROVIDERS_RINGOSTAT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "core/err.h"
#include "dial/dial.h"
#include "providers/provider.h"

extern const struct provider ringostat_provider;
enum cb_err ringostat_test_event(struct arena *a, const char *hook_url,
    const char *sign_url, struct json_object *secrets, const char *did,
    time_t now, struct test_event *out, const char **why);  /* test_event.c */
extern const struct prov_dial ringostat_dial;              /* dial.c */
extern const struct prov_recording ringostat_recording;    /* recording.c */
extern const struct prov_history ringostat_history;        /* history.c */

/* The zone of the "YYYY-MM-DD HH:MM:SS" dates (a webhook's date format is
 * the admin's choice, the call log's is the account's zone [U], §3.3)
 * when config has no "time_zone": Ringostat is a Ukrainian service. */
#define RINGOSTAT_DEFAULT_ZONE "Europe/Kyiv"
#define RINGOSTAT_API_BASE "https://api.ringostat.net"

/* Whether recording_wav / recording (§3.6, a signed link) is a link we
 * may fetch: https, a host, printable, no spaces. */
bool ringostat_recording_link_ok(const char *url);

/* The number and the name in a caller/callee display string:
 * "\"Ivan\" <380671234567>" → 380671234567 and Ivan; a bare number is
 * the number. num and name are written (NUL-terminated, "" when absent);
 * false when the text does not fit or has an unclosed '<'. */
bool ringostat_party(const char *s, char *num, size_t numsz, char *name,
    size_t namesz);

/* POST {api_base}/callback/outward_call, "Auth-key: <api_key>", form
 * extension=<the manager's>&destination=<the client> (§3.7). Secrets
 * "api_key"; config "api_base", "project_id" (sent as Project-Id). */
enum cb_err ringostat_dial_build(const struct dial_target *t,
    struct dial_request *r, char *err, size_t errsz);

#endif
