#include "config.h"

#include <string.h>

#include "calls/receive.h"
#include "core/log.h"
#include "core/utf8.h"
#include "net/sig.h"
#include "reconcile/inspect.h"
#include "providers/registry.h"

const char *
recv_status_name(enum recv_status s)
{
	static const char *const names[] = {
		"stored", "duplicate", "denied", "malformed", "database down",
		"refused", "failed", "unknown kind"
	};
	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] :
	    "failed";
}

/* What call_events keeps: the body (or the query of a GET), as text; a
 * request that is not UTF-8 (or has a NUL) is kept as "base64:…", so the
 * row always fits its utf8mb4 column. */
static const char *
raw_payload(struct arena *a, const struct recv_req *rq)
{
	const char *p = rq->body_len ? rq->body : rq->query;
	size_t n = rq->body_len ? rq->body_len : strlen(rq->query);
	char *b64;

	if (utf8_valid(p, n) && !memchr(p, '\0', n))
		return p;
	b64 = arena_alloc(a, 8 + 4 * ((n + 2) / 3) + 1);
	memcpy(b64, "base64:", 7);
	sig_base64((const unsigned char *)p, n, b64 + 7);
	return b64;
}

/* What identifies a retry of an event that has no id of its own: the
 * method, the request URI as the provider sent it and every byte of the
 * body. One expression for every way in (issue 15 §3: the hook and the
 * replay each had their own, which agreed only by accident). For a body
 * without NUL bytes it is the hook's earlier "%s %s\n%s". */
static const char *
dedupe_source(struct arena *a, const struct recv_req *rq, size_t *len)
{
	size_t ml = strlen(rq->method), ul = strlen(rq->request_uri);
	char *s = arena_alloc(a, ml + ul + 2 + rq->body_len + 1);

	memcpy(s, rq->method, ml);
	s[ml] = ' ';
	memcpy(s + ml + 1, rq->request_uri, ul);
	s[ml + 1 + ul] = '\n';
	memcpy(s + ml + ul + 2, rq->body, rq->body_len);
	*len = ml + ul + 2 + rq->body_len;
	s[*len] = '\0';
	return s;
}

static void receive_one(struct db *db, struct arena *a,
    const struct integration *ig, const struct recv_req *rq,
    const struct recv_opts *o, struct recv_out *out);

void
receive_event(struct db *db, struct arena *a, const struct integration *ig,
    const struct recv_req *rq, const struct recv_opts *o,
    struct recv_out *out)
{
	receive_one(db, a, ig, rq, o, out);
	/* What was not stored, and why, for the integration's event
	 * inspector (issue 17 §3): stored events are call_events. */
	inspect_note(db, a, ig, rq, o->source, out);
}

static void
receive_one(struct db *db, struct arena *a, const struct integration *ig,
    const struct recv_req *rq, const struct recv_opts *o,
    struct recv_out *out)
{
	const struct kvlist *q = rq->query_kv, *form = rq->form;
	struct json_object *json = rq->json;
	struct prov_req pr;
	struct prov_conf *pc = &out->pc;
	struct ingest_input in;
	const char *why = NULL;
	enum cb_err rc;

	memset(out, 0, sizeof(*out));
	out->status = RECV_FAILED;
	if ((out->p = provider_by_kind(ig->kind)) == NULL) {
		log_error("integration %s: no adapter for kind %s", ig->slug,
		    ig->kind);
		/* A kind this build does not know (a database written by a
		 * newer version): the provider retries on a 5xx, so nothing is
		 * lost while the programs are brought up to date. */
		out->status = RECV_UNKNOWN_KIND;
		out->why = "this Callboard version does not know the "
		    "integration's kind; update the programs";
		return;
	}
	/* The replay parses here, with the front line's own functions, so a
	 * replayed request reads exactly as it did when it arrived. */
	if (q == NULL) {
		struct kvlist *nq = arena_alloc(a, sizeof(*nq));
		if (http_parse_urlencoded(a, rq->query, strlen(rq->query), nq,
		    &why) != CB_OK) {
			out->status = RECV_MALFORMED;
			out->why = why;
			return;
		}
		q = nq;
	}
	if (form == NULL) {
		struct kvlist *nf = arena_alloc(a, sizeof(*nf));
		if (http_parse_body(a, rq->content_type, rq->body,
		    rq->body_len, nf, &json, &why) != CB_OK) {
			out->status = RECV_MALFORMED;
			out->why = why;
			return;
		}
		form = nf;
	}
	memset(&pr, 0, sizeof(pr));
	pr.method = http_method_parse(rq->method);
	pr.url = rq->url;
	pr.query = q;
	pr.form = form;
	pr.json = json;
	pr.body = rq->body;
	pr.body_len = rq->body_len;
	pr.content_type = http_media_type(a, rq->content_type);
	pr.remote_addr = rq->remote_addr;
	pr.now = rq->received_ms / 1000;
	pr.header = rq->header;
	pr.hctx = rq->hctx;
	pc->slug = ig->slug;
	pc->hook_url = rq->url ? arena_printf(a, "%.*s",
	    (int)strcspn(rq->url, "?"), rq->url) : NULL;
	pc->secrets = ig->secrets;
	pc->config = ig->config;
	pc->default_country = ig->default_country;

	if (!o->verified && (rc = out->p->verify(pc, &pr, &why)) != CB_OK) {
		out->status = rc == CB_ENOMEM ? RECV_FAILED : RECV_DENIED;
		out->why = why ? why : "the request's signature does not match";
		return;
	}
	out->verified = true;
	ev_init(&out->ev);
	if ((rc = out->p->parse(pc, &pr, &out->ev, &why)) != CB_OK) {
		out->status = rc == CB_ENOMEM ? RECV_FAILED : RECV_MALFORMED;
		out->why = why ? why : "cannot read it";
		return;
	}
	if (strcmp(o->source, RECV_SOURCE_RECONCILE) == 0)
		out->ev.sig_key[0] = '\0';
	/* Where the provider's data enters: what the columns cannot hold is
	 * refused here, with the reason, never by the database later. */
	if ((why = ev_validate(&out->ev)) != NULL) {
		out->status = RECV_MALFORMED;
		out->why = why;
		return;
	}
	if (out->ev.kind == EV_ECHO) {
		out->status = RECV_STORED;
		return;
	}
	memset(&in, 0, sizeof(in));
	in.integ = ig;
	in.ev = &out->ev;
	in.payload = raw_payload(a, rq);
	/* Hashed only when the provider gave no event id. */
	if (out->ev.event_id[0] == '\0')
		in.dedupe_source = dedupe_source(a, rq, &in.dedupe_len);
	else
		in.dedupe_source = "";
	in.remote_addr = rq->remote_addr;
	in.source = o->source;
	in.received_ms = rq->received_ms;
	in.live = o->live;
	rc = ingest_event(db, &in, &out->res);
	switch (rc) {
	case CB_OK:
		out->status = RECV_STORED;
		break;
	case CB_DUPLICATE:
		out->status = RECV_DUPLICATE;
		break;
	case CB_EDENIED:
		/* A signature first seen with another call: a replay. */
		out->status = RECV_DENIED;
		out->why = "the signature belongs to another call";
		break;
	case CB_EDB:
		/* "Database down" (keep it, retry) is not "this row is
		 * refused" (retrying cannot help: a dead letter). */
		if (db_refused(db)) {
			out->status = RECV_REFUSED;
			out->why = arena_strdup(a, db_error(db));
		} else
			out->status = RECV_DB_DOWN;
		break;
	default:
		out->status = RECV_FAILED;
		out->why = cb_strerror(rc);
		break;
	}
}
