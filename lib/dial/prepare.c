/* The prepare step (issue 17): a login some provider APIs want before any
 * other request (the descriptor's .prepare: Phonet's session cookie,
 * Yeastar's 30-minute access token). One function, dial_prepare(), gets
 * the token for click-to-call (dial.c), hang-ups, recording downloads
 * (calls/recfetch.c) and history pulls (reconcile/run.c) alike.
 *
 * Tokens are kept in this process's memory while they live, one per
 * integration, so a worker does not log in for every recording; an entry
 * also remembers a fingerprint of the login request (address and
 * credentials), so a changed setting logs in again. Yeastar may end older
 * tokens when a new one is issued (providers-2.md §5.1): the CGI and the
 * worker each keep their own, and the "token refused → log in again once"
 * rule of the callers heals the other's. Tokens are never logged; a log
 * line names the integration, the origin and the outcome only. */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "calls/recfetch.h"
#include "core/conf.h"
#include "core/log.h"
#include "dial/dial.h"
#include "providers/registry.h"

#define PREP_SLOTS 16
#define PREP_ANSWER_MAX (64 * 1024)
/* Renewed this long before the provider's expiry: a request that starts
 * with a token about to die would fail half-way. */
#define PREP_MARGIN_S 60

struct prep_slot {
	char site[SITE_NAME_MAX + 1]; /* site_current(): sites never share */
	char kind[40];
	char slug[80];
	uint64_t fingerprint;        /* of the login request */
	struct prov_token tok;
	int64_t used;                /* for replacing the oldest */
};

static struct prep_slot slots[PREP_SLOTS];
static pthread_mutex_t slots_lock = PTHREAD_MUTEX_INITIALIZER;

static const struct prov_prepare *
prepare_of(const char *kind)
{
	const struct provider *p = provider_by_kind(kind);

	return p != NULL ? p->prepare : NULL;
}

/* FNV-1a over the login request: only compared in this process. */
static uint64_t
fingerprint(const struct dial_request *r)
{
	const unsigned char *parts[5] = { (const unsigned char *)r->url,
	    (const unsigned char *)r->body, (const unsigned char *)r->user,
	    (const unsigned char *)r->password,
	    (const unsigned char *)r->headers[1] };
	uint64_t h = 1469598103934665603ULL;
	size_t i, j;

	for (i = 0; i < 5; i++) {
		for (j = 0; parts[i][j] != '\0'; j++)
			h = (h ^ parts[i][j]) * 1099511628211ULL;
		h = (h ^ 0xff) * 1099511628211ULL;
	}
	return h;
}

static struct prep_slot *
slot_find(const struct dial_target *t)
{
	size_t i;

	for (i = 0; i < PREP_SLOTS; i++)
		if (strcmp(slots[i].kind, t->kind) == 0 &&
		    strcmp(slots[i].slug, t->slug ? t->slug : "") == 0 &&
		    strcmp(slots[i].site, site_current()) == 0)
			return &slots[i];
	return NULL;
}

/* A cached token for t that is still good, copied into tok. */
static bool
cache_get(const struct dial_target *t, uint64_t fp, int64_t now,
    struct prov_token *tok)
{
	struct prep_slot *s;
	bool hit = false;

	pthread_mutex_lock(&slots_lock);
	s = slot_find(t);
	if (s != NULL && s->fingerprint == fp && s->tok.value[0] != '\0' &&
	    (s->tok.expires_s == 0 || s->tok.expires_s - PREP_MARGIN_S > now)) {
		*tok = s->tok;
		s->used = now;
		hit = true;
	}
	pthread_mutex_unlock(&slots_lock);
	return hit;
}

static void
cache_put(const struct dial_target *t, uint64_t fp, int64_t now,
    const struct prov_token *tok)
{
	struct prep_slot *s, *old = &slots[0];
	size_t i;

	pthread_mutex_lock(&slots_lock);
	if ((s = slot_find(t)) == NULL) {
		for (i = 0; i < PREP_SLOTS; i++)
			if (slots[i].used < old->used)
				old = &slots[i];
		s = old;
	}
	explicit_bzero(s, sizeof(*s));
	snprintf(s->site, sizeof(s->site), "%s", site_current());
	snprintf(s->kind, sizeof(s->kind), "%s", t->kind);
	snprintf(s->slug, sizeof(s->slug), "%s", t->slug ? t->slug : "");
	s->fingerprint = fp;
	s->tok = *tok;
	s->used = now;
	pthread_mutex_unlock(&slots_lock);
}

void
dial_prepare_forget(void)
{
	pthread_mutex_lock(&slots_lock);
	explicit_bzero(slots, sizeof(slots));
	pthread_mutex_unlock(&slots_lock);
}

bool
dial_token_refused(const char *kind, long status, const char *body,
    size_t len)
{
	const struct prov_prepare *pp = prepare_of(kind);

	return pp != NULL && pp->refused != NULL &&
	    pp->refused(status, body ? body : "", len);
}

/* Sends the login request and reads its answer. */
static enum cb_err
login(const struct dial_target *t, const struct prov_prepare *pp,
    const struct dial_request *r, unsigned timeout_s, int64_t now,
    struct prov_token *tok, char *msg, size_t msgsz)
{
	const char *allow[RECFETCH_ALLOW_MAX + 1];
	const char *who = dial_provider_name(t);
	const char *what = t->slug != NULL && *t->slug ? t->slug : t->kind;
	char origin[300], why[300] = "";
	struct httpc_req rq;
	struct httpc_res res;
	struct buf body;
	enum cb_err rc;

	httpc_origin(r->url, origin, sizeof(origin));
	memset(&rq, 0, sizeof(rq));
	rq.method = r->method;
	rq.url = r->url;
	rq.headers = r->header_ptrs[0] != NULL ? r->header_ptrs : NULL;
	rq.body = r->method == HTTPC_POST ? r->body : NULL;
	rq.body_len = r->method == HTTPC_POST ? r->body_len : 0;
	rq.content_type = r->content_type;
	rq.user = r->user[0] != '\0' ? r->user : NULL;
	rq.password = r->password;
	rq.timeout_s = timeout_s > 0 ? timeout_s : 5;
	rq.max_bytes = PREP_ANSWER_MAX;
	recfetch_allow_private(t->config, allow);
	rq.public_only = true;
	rq.allow_private = allow;
	rq.want_cookie = true;
	buf_init(&body, PREP_ANSWER_MAX);
	rc = httpc_request(&rq, &body, &res);
	if (rc != CB_OK) {
		log_info("prepare: %s: login at %s: %s", what, origin,
		    res.error);
		err_say(msg, msgsz, rc == CB_EDENIED ? "%s cannot be reached "
		    "at this address (%s%s)." : "Could not log in to %s (%s). "
		    "Try again in a minute.", who, res.error, rc == CB_EDENIED ?
		    RECFETCH_ALLOW_HINT : "");
		buf_free(&body);
		explicit_bzero(&res, sizeof(res));
		return rc == CB_EDENIED ? CB_EINVAL : CB_EUPSTREAM;
	}
	rc = pp->read(res.status, res.set_cookie, body.p ? body.p : "",
	    body.len, now, tok, why, sizeof(why));
	explicit_bzero(&res.set_cookie, sizeof(res.set_cookie));
	buf_free(&body);
	log_info("prepare: %s: login at %s: HTTP %ld, %s", what, origin,
	    res.status, rc == CB_OK ? "token received" : why);
	if (rc == CB_EDENIED) {
		err_say(msg, msgsz, "%s refused the login: %s. Check the "
		    "integration's API credentials in Settings › Integrations.",
		    who, why[0] ? why : "wrong credentials");
		return CB_EINVAL;
	}
	if (rc != CB_OK) {
		err_say(msg, msgsz, "%s: the login failed: %s", who,
		    why[0] ? why : "unexpected answer");
		return CB_EUPSTREAM;
	}
	return CB_OK;
}

enum cb_err
dial_prepare(const struct dial_target *t, bool renew, unsigned timeout_s,
    struct prov_token *tok, char *msg, size_t msgsz)
{
	const struct prov_prepare *pp = prepare_of(t->kind);
	struct dial_target lt = *t;
	struct dial_request r;
	int64_t now = (int64_t)time(NULL);
	uint64_t fp;
	enum cb_err rc;
	size_t i, n = 0;

	memset(tok, 0, sizeof(*tok));
	if (pp == NULL)
		return CB_OK;
	lt.token = NULL;
	memset(&r, 0, sizeof(r));
	if ((rc = pp->build(&lt, &r, msg, msgsz)) != CB_OK) {
		dial_request_wipe(&r);
		return rc;
	}
	for (i = 0; i < 3; i++)
		if (r.headers[i][0] != '\0')
			r.header_ptrs[n++] = r.headers[i];
	r.header_ptrs[n] = NULL;
	fp = fingerprint(&r);
	if (!renew && cache_get(t, fp, now, tok)) {
		dial_request_wipe(&r);
		return CB_OK;
	}
	rc = login(t, pp, &r, timeout_s, now, tok, msg, msgsz);
	dial_request_wipe(&r);
	if (rc == CB_OK)
		cache_put(t, fp, now, tok);
	else
		explicit_bzero(tok, sizeof(*tok));
	return rc;
}
