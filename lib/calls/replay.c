#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calls/receive.h"
#include "calls/replay.h"
#include "calls/spool.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/jsonget.h"
#include "core/log.h"
#include "core/utf8.h"
#include "db/integration.h"
#include "db/job.h"
#include "http/request.h"
#include "net/sig.h"

struct hdrs {
	struct json_object *h;
};

/* Headers were spooled under their CGI names (HTTP_X_SIGNATURE). */
static const char *
header_of(const void *hctx, const char *name)
{
	const struct hdrs *hs = hctx;
	char key[128];

	http_header_cgi_name(name, key, sizeof(key));
	return hs->h ? json_member_str(hs->h, key) : NULL;
}

/* A record's request URI: spooled since issue 15 §3; older records have
 * only the public URL, whose path from "/hook/" on was what they hashed. */
static const char *
record_uri(struct json_object *rec)
{
	const char *u = json_member_str(rec, "request_uri"), *url, *h;

	if (u != NULL)
		return u;
	url = json_member_str(rec, "url");
	h = url ? strstr(url, "/hook/") : NULL;
	return h ? h : "";
}

/* Runs one kept request through receive_event(). *why (in a) says why a
 * record could not be stored. */
static enum recv_status
replay_in(struct db *db, struct arena *a, struct json_object *rec,
    const char *source, const char **why, bool *verified)
{
	const char *slug = json_member_str(rec, "slug");
	const char *method = json_member_str(rec, "method");
	const char *query = json_member_str(rec, "query");
	struct json_object *v;
	struct integration ig;
	struct recv_req rq;
	struct recv_opts o = { source, false, false };
	struct recv_out out;
	struct hdrs hs = { NULL };
	size_t blen = 0;
	char *body;
	enum cb_err rc;

	*why = "the record is not readable";
	*verified = false;
	if (slug == NULL || method == NULL)
		return RECV_MALFORMED;
	if (json_object_object_get_ex(rec, "verified", &v))
		o.verified = json_object_get_boolean(v);
	json_object_object_get_ex(rec, "headers", &hs.h);
	if ((rc = db_integration_by_slug(db, a, slug, &ig)) != CB_OK) {
		if (rc != CB_ENOTFOUND)
			return db_refused(db) ? RECV_REFUSED : RECV_DB_DOWN;
		*why = arena_printf(a, "no integration '%s' any more", slug);
		return RECV_MALFORMED;
	}
	if ((body = spool_body(rec, &blen)) == NULL)
		return RECV_MALFORMED;
	arena_cleanup_add(a, free, body);

	memset(&rq, 0, sizeof(rq));
	rq.method = method;
	rq.url = json_member_str(rec, "url");
	rq.request_uri = record_uri(rec);
	rq.query = query ? query : "";
	rq.content_type = json_member_str(rec, "content_type");
	rq.body = body;
	rq.body_len = blen;
	rq.remote_addr = json_member_str(rec, "remote_addr");
	/* Signatures are checked against the time the request arrived. */
	if (json_object_object_get_ex(rec, "received_ms", &v))
		rq.received_ms = json_object_get_int64(v);
	rq.header = header_of;
	rq.hctx = &hs;
	receive_event(db, a, &ig, &rq, &o, &out);
	ingest_result_free(&out.res);
	*verified = out.verified;
	*why = out.why ? arena_strdup(a, out.why) : recv_status_name(
	    out.status);
	return out.status;
}

/* {"slug", "record"} as JSON text in a; the record as base64 text
 * ("record_b64") when it is not UTF-8 (a header with other bytes), since
 * the jobs column is JSON in utf8mb4. */
static const char *
dead_payload(struct arena *a, struct json_object *rec)
{
	const char *line = json_object_to_json_string_ext(rec,
	    JSON_C_TO_STRING_PLAIN);
	const char *slug = json_member_str(rec, "slug");
	struct json_object *o = json_object_new_object();
	const char *out;

	json_object_object_add(o, "slug", json_object_new_string(slug ?
	    slug : ""));
	if (utf8_valid(line, strlen(line)))
		json_object_object_add(o, "record", json_object_get(rec));
	else {
		size_t n = strlen(line);
		char *b64 = arena_alloc(a, 4 * ((n + 2) / 3) + 1);
		sig_base64((const unsigned char *)line, n, b64);
		json_object_object_add(o, "record_b64",
		    json_object_new_string(b64));
	}
	out = arena_strdup(a, json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return out;
}

/* One dead letter per kept request: a provider's retry of the same bytes
 * is the same dead letter. */
static const char *
dead_key(struct arena *a, struct json_object *rec)
{
	const char *parts[] = {
		json_member_str(rec, "slug"), json_member_str(rec, "method"),
		record_uri(rec), json_member_str(rec, "body")
	};
	unsigned char d[SIG_SHA256_LEN];
	char hex[2 * SIG_SHA256_LEN + 1];
	struct buf b;
	size_t i;

	buf_init(&b, 8u * 1024 * 1024);
	for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		buf_puts(&b, parts[i] ? parts[i] : "");
		buf_append(&b, "\n", 1);
	}
	sig_sha256(b.p, b.len, d);
	buf_free(&b);
	sig_hex(d, SIG_SHA256_LEN, hex);
	return arena_printf(a, "dead:%.64s", hex);
}

/* A dead letter sits in the database: a request whose signature was good
 * needs no credential again, so a bearer token (Asterisk, generic) is not
 * kept with it. */
static enum cb_err
dead_letter_json(struct db *db, struct arena *a, struct json_object *rec,
    const char *why, bool verified)
{
	struct json_object *h;
	int64_t id = 0;
	enum cb_err rc;

	if (verified) {
		json_object_object_add(rec, "verified",
		    json_object_new_boolean(true));
		if (json_object_object_get_ex(rec, "headers", &h))
			json_object_object_del(h, "HTTP_AUTHORIZATION");
	}
	rc = db_job_dead_letter(db, dead_payload(a, rec), why,
	    dead_key(a, rec), &id);
	if (rc != CB_OK) {
		log_error("dead letter not stored (%s): kept in the spool",
		    db_error(db));
		return CB_EDB;
	}
	if (id > 0)
		log_warn("dead letter %lld: an event for %s cannot be stored: "
		    "%s (see `callboard dead-letters`)", (long long)id,
		    json_member_str(rec, "slug"), why);
	return CB_OK;
}

enum cb_err
replay_dead_letter(struct db *db, const struct spool_rec *r, const char *why)
{
	struct json_object *rec = spool_record(r);
	struct arena *a;
	enum cb_err rc;

	if (rec == NULL)
		return CB_ENOMEM;
	a = arena_new();
	rc = dead_letter_json(db, a, rec, why, r->verified);
	arena_free(a);
	json_object_put(rec);
	return rc;
}

enum cb_err
replay_record(struct db *db, struct json_object *rec)
{
	struct arena *a = arena_new();
	const char *why = NULL;
	bool verified = false;
	enum recv_status st = replay_in(db, a, rec, "spool", &why, &verified);
	enum cb_err rc = CB_OK;

	switch (st) {
	case RECV_STORED:
	case RECV_DUPLICATE:
		break;
	case RECV_DB_DOWN:
		rc = CB_EDB;
		break;
	case RECV_DENIED:
		/* Not from the provider (the signature was checked only now):
		 * nothing to keep. */
		log_warn("spool: %s event refused at replay: %s",
		    json_member_str(rec, "slug"), why);
		break;
	case RECV_MALFORMED:
	case RECV_REFUSED:
	case RECV_FAILED:
	case RECV_UNKNOWN_KIND:
		/* Acknowledged, and can never be stored as it is: kept where
		 * an admin sees it, out of the spool's loop. */
		rc = dead_letter_json(db, a, rec, why, verified);
		break;
	}
	arena_free(a);
	return rc;
}

enum cb_err
replay_dead_job(struct db *db, const char *payload, char *err, size_t errsz)
{
	struct json_object *o = json_tokener_parse(payload), *rec = NULL;
	struct arena *a = arena_new();
	const char *why = NULL, *b64;
	bool verified;
	enum recv_status st;
	enum cb_err rc;

	if (o != NULL && !json_object_object_get_ex(o, "record", &rec) &&
	    (b64 = json_member_str(o, "record_b64")) != NULL) {
		struct json_object *tmp = json_object_new_object();
		size_t n = 0;
		char *line;

		json_object_object_add(tmp, "body",
		    json_object_new_string(b64));
		line = spool_body(tmp, &n);
		json_object_put(tmp);
		rec = line ? json_tokener_parse(line) : NULL;
		free(line);
		if (rec != NULL)
			json_object_object_add(o, "record", rec);
	}
	if (rec == NULL || !json_object_is_type(rec, json_type_object)) {
		snprintf(err, errsz, "the dead letter has no readable record");
		rc = CB_EINVAL;
		goto out;
	}
	st = replay_in(db, a, rec, "dead-letter", &why, &verified);
	switch (st) {
	case RECV_STORED:
	case RECV_DUPLICATE:
		rc = CB_OK;
		break;
	case RECV_DB_DOWN:
		snprintf(err, errsz, "database unavailable: %s", db_error(db));
		rc = CB_EDB;
		break;
	default:
		snprintf(err, errsz, "%s", why ? why : recv_status_name(st));
		rc = CB_EINVAL;
		break;
	}
out:
	json_object_put(o);
	arena_free(a);
	return rc;
}
