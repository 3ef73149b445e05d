/* Click-to-call (issue 5 §3; providers.md §1.4, §2.4, §3.4, §4.2): ask the
 * provider to ring the manager's extension first and then the customer.
 * Each provider builds its own request (struct prov_dial, the descriptor's
 * .dial member, in lib/providers/<kind>/dial.c): pure functions of their
 * input so unit tests can compare them with providers.md's exact
 * parameters and signatures. This file finds the provider's member by the
 * integration's kind, sends the request (libcurl, with the caller's
 * timeout) and turns the answer into plain words.
 *
 * config "api_base" overrides the providers' https bases (tests point it at
 * a local stand-in; plain http only to loopback, as for recordings). */
#ifndef CB_DIAL_DIAL_H
#define CB_DIAL_DIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "core/buf.h"
#include "core/err.h"
#include "net/httpc.h"

struct prov_token;          /* providers/provider.h */

#define DIAL_BODY_MAX 4096
#define DIAL_ANSWER_MAX (64 * 1024)

/* What to dial, all borrowed. */
struct dial_target {
	const char *kind;          /* integrations.kind */
	const char *slug;
	const char *name;          /* the integration's name, for messages */
	struct json_object *config;
	struct json_object *secrets;
	const char *extension;     /* the manager's */
	const char *number;        /* the customer's, E.164 ("+380...") */
	const char *public_url;    /* our base URL (Twilio's status callback) */
	int64_t call_id;           /* the call the button was on, or 0 */
	long long now;             /* unix seconds (generic signing) */
	/* The provider's prepare step's token (dial_prepare), or NULL. */
	const char *token;
};

/* One HTTP request, ready for httpc. Holds credentials: wipe it after use
 * (dial_request_wipe). */
struct dial_request {
	enum httpc_method method;
	char url[2048];
	/* "Name: value" lines, "" = unused; room for a bearer token of
	 * PROV_TOKEN_MAX. */
	char headers[3][2100];
	const char *header_ptrs[4];
	char body[DIAL_BODY_MAX];
	size_t body_len;
	const char *content_type;  /* static, or NULL */
	char user[256];            /* Basic auth; "" = none */
	char password[256];
};

/* The provider's name for messages ("Zadarma"; the integration's own name
 * for a generic PBX). Static or t->name. */
const char *dial_provider_name(const struct dial_target *t);
/* Whether an integration of this kind and config can place calls. */
bool dial_capable(const char *kind, struct json_object *config);
/* What an integration of this kind still needs before it can place calls,
 * in words for a person ("its caller ID: the Twilio number calls come
 * from"), static; NULL when it can place calls, or when its kind never
 * can. */
const char *dial_missing_setting(const char *kind, struct json_object *config);

/* The provider's request (its dial->build). CB_EINVAL with err set when
 * the integration's settings cannot work (a missing key, caller_id or
 * make_call_url) or its kind cannot place calls. */
enum cb_err dial_build(const struct dial_target *t, struct dial_request *r,
    char *err, size_t errsz);

/* Reads the provider's answer: CB_OK when it accepted the call, else
 * CB_EUPSTREAM with a reason in plain words in msg ("Zadarma refused the
 * request: wrong key"). */
enum cb_err dial_read_answer(const struct dial_target *t, long status,
    const char *body, size_t len, char *msg, size_t msgsz);

/* Builds, sends (whole request within timeout_s) and reads the answer.
 * CB_OK: msg says what happens now. CB_EINVAL: the settings are wrong.
 * CB_EUPSTREAM: unreachable, too slow, or refused. msg never holds a
 * secret. */
enum cb_err dial_place(const struct dial_target *t, unsigned timeout_s,
    char *msg, size_t msgsz);

/* Sends a request a builder made (r is wiped) within timeout_s through
 * httpc's address guard and caps; what names it in the log ("dial",
 * "hangup"). CB_OK: *status and body hold the answer. CB_EINVAL: the
 * address is refused (settings); CB_EUPSTREAM: unreachable or too slow;
 * msg says so in plain words, never with a secret. The one way out for
 * click-to-call (dial_place) and hang-up (dial/hangup.h). */
enum cb_err dial_send(const struct dial_target *t, struct dial_request *r,
    unsigned timeout_s, const char *what, long *status, struct buf *body,
    char *msg, size_t msgsz);

/* Builds a provider's request for t (t->token holds the prepare step's
 * token, or NULL); arg is the caller's (hang-up: the call id). */
typedef enum cb_err (*dial_builder)(const struct dial_target *t,
    const void *arg, struct dial_request *r, char *err, size_t errsz);
/* The whole exchange: the provider's login when it has one (dial_prepare),
 * build, dial_send, and one new login when the answer says the token died.
 * Same results as dial_send. */
enum cb_err dial_exchange(const struct dial_target *t, dial_builder build,
    const void *arg, unsigned timeout_s, const char *what, long *status,
    struct buf *body, char *msg, size_t msgsz);

void dial_request_wipe(struct dial_request *r);

/* ---- the prepare step (lib/dial/prepare.c) ----
 * Providers whose APIs want a login first (the descriptor's .prepare:
 * Phonet's session, Yeastar's 30-minute token). Every request made for
 * such an integration (click-to-call, hang-up, recording downloads,
 * history pulls) gets its token here, and on the provider's "token no
 * longer good" (dial_token_refused) asks again once with renew. */

/* The token for t's integration in tok: the one this process got earlier
 * while it lives (renew false), else a new login. tok->value is "" when
 * the provider has no prepare step. CB_EINVAL with msg when the settings
 * cannot work or the provider refuses the credentials (an admin's fix:
 * not retried); CB_EUPSTREAM when the login failed otherwise. msg never
 * holds a secret; tok holds one: wipe it (explicit_bzero) after use. */
enum cb_err dial_prepare(const struct dial_target *t, bool renew,
    unsigned timeout_s, struct prov_token *tok, char *msg, size_t msgsz);
/* Whether this answer of kind's provider says the token is not good any
 * more (its prepare->refused); false for a kind without prepare. */
bool dial_token_refused(const char *kind, long status, const char *body,
    size_t len);
/* Forgets every cached token (tests; after an integration's edit the
 * fingerprint of its login request changes anyway). */
void dial_prepare_forget(void);

/* helpers for the providers' builders (dial.c) */
bool dial_fits(char *out, size_t outsz, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
enum cb_err dial_api_base(const struct dial_target *t, const char *dflt,
    char *out, size_t outsz, char *err, size_t errsz);

#endif
