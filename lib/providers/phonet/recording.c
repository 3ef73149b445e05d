/* Phonet recordings (providers-2.md §1.6): GET
 * https://{accountDomain}/rest/public/calls/{uuid}/audio, which exists
 * only after the call ended and only for answered calls. Whether the
 * download needs the JSESSIONID session cookie is unverified: the
 * worker logs in (the prepare step, dial.c) when an API key is set and
 * sends the session to the account's domain. The adapter uses phonet_recording_url() so the link is built in
 * this one place. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "core/jsonget.h"
#include "calls/recfetch.h"
#include "providers/phonet/phonet.h"

#define PH_HOST_MAX 253

bool
phonet_domain_valid(const char *d)
{
	size_t n, i;

	if (d == NULL || (n = strlen(d)) == 0 || n > PH_HOST_MAX ||
	    d[0] == '.' || d[0] == '-' || d[n - 1] == '.' ||
	    strchr(d, '.') == NULL || strstr(d, "..") != NULL)
		return false;
	for (i = 0; i < n; i++)
		if (!((d[i] >= 'a' && d[i] <= 'z') ||
		    (d[i] >= 'A' && d[i] <= 'Z') ||
		    (d[i] >= '0' && d[i] <= '9') || d[i] == '-' || d[i] == '.'))
			return false;
	return true;
}

const char *
phonet_domain(struct json_object *config, const char *event_domain)
{
	const char *d = json_member_str(config, "domain");

	if (d != NULL && *d != '\0')
		return phonet_domain_valid(d) ? d : NULL;
	return phonet_domain_valid(event_domain) ? event_domain : NULL;
}

enum cb_err
phonet_recording_url(const char *domain, const char *uuid, char *out,
    size_t outsz)
{
	int n;

	if (!phonet_domain_valid(domain) || uuid == NULL || *uuid == '\0' ||
	    strspn(uuid, "0123456789abcdefABCDEF-") != strlen(uuid))
		return CB_EINVAL;
	n = snprintf(out, outsz, "https://%s/rest/public/calls/%s/audio",
	    domain, uuid);
	return n >= 0 && (size_t)n < outsz ? CB_OK : CB_EINVAL;
}

/* The recording_url the events carry is the file itself (RECFETCH_FILE);
 * there is no API step, so no link(). */
static enum cb_err
phonet_recording_plan(const char *url, struct json_object *config,
    struct json_object *secrets, struct recfetch_plan *p, char *err,
    size_t errsz)
{
	const char *d = json_member_str(config, "domain");
	char mine[300];

	(void)secrets;
	snprintf(p->ext, sizeof(p->ext), "mp3");
	if (strncmp(url, "https://", 8) != 0 || !recfetch_is_http_url(url)) {
		err_say(err, errsz, "Phonet: the recording link is not an "
		    "address this provider gives");
		return CB_EINVAL;
	}
	p->step = RECFETCH_FILE;
	/* §1.6: whether the download needs the session is unverified, so
	 * the session goes along, but only to the account's own domain (an
	 * event may name another host). */
	if (p->token[0] != '\0' && phonet_domain_valid(d) &&
	    recfetch_fits(mine, sizeof(mine), "https://%s/", d) &&
	    strncmp(url, mine, strlen(mine)) == 0 &&
	    phonet_session_header(p->token, p->file_header,
	    sizeof(p->file_header)) != CB_OK)
		p->file_header[0] = '\0';
	return recfetch_fits(p->url, sizeof(p->url), "%s", url) ? CB_OK :
	    CB_EINVAL;
}

const struct prov_recording phonet_recording = {
	.plan = phonet_recording_plan,
	.link = NULL,
};
