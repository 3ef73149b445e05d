/* Stream Telecom recordings (providers-2.md §4.6): Hangup's recordUrl,
 * built by the gateway as https://gate.streamtele.com/api/<name>/audio?
 * <key>. Whether a Bearer header is also needed is unverified: the
 * fetcher should try without, then with "Authorization: Bearer <api
 * key>". lib/calls/recfetch.c does not call this yet: the lead wires it
 * into the provider descriptor's recording member (issue 17 §1). */
#include "config.h"

#include <string.h>

#include "providers/adapt.h"
#include "providers/streamtelecom/streamtelecom.h"

bool
streamtelecom_recording_link_ok(const char *url)
{
	return url != NULL && strncmp(url, "https://", 8) == 0 &&
	    url[8] != '\0' && url[8] != '/' && adapt_printable(url) &&
	    strchr(url, ' ') == NULL;
}
