/* recording: GET/HEAD /calls/<id>/recording[?download=1][&from=order:<id>
 * | customer:<id>]. Checks the session and the permission for the page the
 * request came from on every request for the bytes (DESIGN §3), logs the
 * play or download, then hands the file to nginx with X-Accel-Redirect to
 * the internal /_recordings/ location, which serves Range requests for
 * seeking. A recording stored in S3 (recording_path "s3:<key>",
 * lib/storage/s3.h) is answered, after the same check and log line, with a
 * 302 to a presigned GET valid S3_PRESIGN_SECONDS: the store serves the
 * bytes and the Range requests itself. No byte of audio ever passes
 * through this program. */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/conf.h"
#include "core/log.h"
#include "auth/access.h"
#include "core/strparse.h"
#include "db/access.h"
#include "db/card.h"
#include "calls/recfetch.h"
#include "http/app.h"
#include "storage/s3.h"

/* Recording paths come from our own worker and demo data; still, nothing
 * but a plain relative path ever reaches nginx. */

/* Sites may share a bucket: a site's objects are under "<site>/"
 * (lib/calls/recfetch.c), and a row naming another site's object is
 * refused like an unsafe path. */
static bool
s3_key_of_site(const char *key)
{
	size_t n = strlen(site_current());

	return n == 0 || (strncmp(key, site_current(), n) == 0 &&
	    key[n] == '/');
}

static bool
path_safe(const char *p)
{
	size_t i, n = strlen(p);

	if (n == 0 || p[0] == '/' || strstr(p, "..") != NULL)
		return false;
	for (i = 0; i < n; i++) {
		char ch = p[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '/' || ch == '.' ||
		    ch == '_' || ch == '-'))
			return false;
	}
	return true;
}

/* The downloaded file's name says which call it is (issue 18): the
 * viewer's local date and time, the number and the customer, e.g.
 * "2026-11-23 10.15 +380671234567 Olena Kovalenko.mp3". Characters a file
 * system refuses (/ \\ : * ? " < > | and control bytes) become spaces.
 * NULL when the call cannot be read (the caller keeps "call-<id>"). */
static const char *
download_name(struct ctx *ctx, int64_t id, const char *ext)
{
	struct db_stmt *st;
	const char *when, *number, *who;
	char *name, *p;

	if (db_card_call(ctx->db, id, &st) != CB_OK)
		return NULL;
	when = app_local_time(ctx, db_col(st, CARD_STARTED_AT, NULL));
	number = db_col(st, CARD_CLIENT_NUMBER, NULL);
	who = db_col(st, CARD_CUSTOMER_NAME, NULL);
	if (db_col(st, CARD_CLIENT_WITHHELD, NULL) &&
	    strcmp(db_col(st, CARD_CLIENT_WITHHELD, NULL), "1") == 0)
		number = "withheld";
	name = arena_printf(ctx->arena, "%s%s%s%s%s%s", when ? when : "call",
	    number && *number ? " " : "", number ? number : "",
	    who && *who ? " " : "", who ? who : "", ext);
	db_stmt_done(st);
	for (p = name; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f ||
		    strchr("/\\:*?\"<>|", *p))
			*p = *p == ':' ? '.' : ' ';
	return name;
}

/* Content-Disposition with both names (RFC 6266): filename= in plain
 * ASCII for old clients, filename*= the full UTF-8 name %-encoded (RFC
 * 5987: only letters, digits and "-._~" stay as they are). The header's
 * value, in the arena: sent by nginx, or by S3 when the presigned URL
 * asks for it (response-content-disposition). */
static const char *
disposition(struct ctx *ctx, int64_t id, const char *ext)
{
	static const char hex[] = "0123456789ABCDEF";
	const char *name = download_name(ctx, id, ext);
	const unsigned char *p;
	char *ascii, *q;
	struct buf b;

	const char *v;

	if (name == NULL)
		return arena_printf(ctx->arena,
		    "attachment; filename=\"call-%lld%s\"", (long long)id, ext);
	buf_init(&b, 1024);
	for (p = (const unsigned char *)name; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p))
			buf_putc(&b, (char)*p);
		else {
			buf_putc(&b, '%');
			buf_putc(&b, hex[*p >> 4]);
			buf_putc(&b, hex[*p & 15]);
		}
	}
	/* The ASCII name: the same without its non-ASCII letters (a Cyrillic
	 * customer name drops out, the date and number stay). */
	ascii = arena_strdup(ctx->arena, name);
	for (p = (const unsigned char *)name, q = ascii; *p; p++)
		if (*p < 0x80 && !(*p == ' ' && q > ascii && q[-1] == ' '))
			*q++ = (char)*p;
	*q = '\0';
	v = arena_printf(ctx->arena, "attachment; "
	    "filename=\"%s\"; filename*=UTF-8''%s", ascii,
	    b.err == CB_OK ? buf_cstr(&b) : "call");
	buf_free(&b);
	return v;
}

static enum cb_err
recording(struct ctx *ctx)
{
	const char *from = kv_get(&ctx->req->query, "from");
	const char *dl = kv_get(&ctx->req->query, "download");
	bool download = dl && strcmp(dl, "1") == 0;
	enum access_via where = VIA_HISTORY;
	int64_t where_id = 0;
	struct call_access c;
	const char *key, *ext, *disp = NULL;
	char presigned[4000];   /* under resp_header's 4096 */
	bool allowed, in_s3;
	enum cb_err rc;

	if (from && *from) {
		const char *colon = strchr(from, ':');
		if (colon && strncmp(from, "order:", 6) == 0)
			where = VIA_ORDER;
		else if (colon && strncmp(from, "customer:", 9) == 0)
			where = VIA_CUSTOMER;
		else {
			ctx->message = _("Unknown page in \"from\".");
			return CB_EINVAL;
		}
		if (strparse_i64z(colon + 1, 1, INT64_MAX, &where_id) != CB_OK) {
			ctx->message = _("Unknown page in \"from\".");
			return CB_EINVAL;
		}
	}
	if ((rc = db_call_access(ctx->db, ctx->ids[0], &c)) != CB_OK) {
		if (rc == CB_ENOTFOUND)
			ctx->message = _("There is no such call.");
		return rc;
	}
	/* Whether the page lets this user see the call (lib/auth/access.c)
	 * ...and whether the role may hear (or save) recordings at all. */
	allowed = access_recording_hear(ctx->user, where, where_id, &c.who) &&
	    (!download || perm_has(ctx->user, PERM_RECORDINGS_DOWNLOAD));
	if (!allowed) {
		log_info("user %lld refused the recording of call %lld",
		    (long long)ctx->user->id, (long long)c.id);
		ctx->message = download ? _("Your role does not allow "
		    "downloading this recording.") : _("Your role does not "
		    "allow listening to this recording.");
		return CB_EDENIED;
	}
	if (strcmp(c.recording_state, "stored") != 0) {
		ctx->message = strcmp(c.recording_state, "pending") == 0 ?
		    _("The recording is still being fetched from the "
		    "provider.") : _("This call has no recording.");
		return CB_ENOTFOUND;
	}
	in_s3 = strncmp(c.recording_path, S3_PATH_PREFIX,
	    strlen(S3_PATH_PREFIX)) == 0;
	key = c.recording_path + (in_s3 ? strlen(S3_PATH_PREFIX) : 0);
	if (!path_safe(key) || (in_s3 && !s3_key_of_site(key))) {
		log_error("call %lld: unsafe recording path refused",
		    (long long)c.id);
		return CB_EIO;
	}
	ext = strrchr(key, '.') ? strrchr(key, '.') : "";
	if (download)
		disp = disposition(ctx, c.id, ext);
	if (in_s3) {
		struct s3_target t;
		char why[200] = "the presigned URL does not fit";

		/* Signed before the log line: a play is logged only when it
		 * can be served. Local work, no request to the store. */
		if (s3_target_of(ctx->cfg, &t, why, sizeof(why)) != CB_OK ||
		    !s3_presign_now(&t, key, S3_PRESIGN_SECONDS, disp,
		    presigned, sizeof(presigned))) {
			log_error("call %lld: the recording is in S3 but "
			    "cannot be signed: %s", (long long)c.id,
			    why);
			ctx->message = _("The recording store is not "
			    "configured on this server; tell the "
			    "administrator.");
			return CB_EIO;
		}
	}
	if ((rc = db_listen_log(ctx->db, ctx->user->id, c.id, download ?
	    "download" : "play", where == VIA_ORDER ? "order" :
	    where == VIA_CUSTOMER ? "customer" : "calls",
	    ctx->req->remote_addr, http_header(ctx->req, "User-Agent"))) !=
	    CB_OK)
		return rc; /* no log line, no bytes */
	/* Private audio: never in a shared cache. */
	ctx->resp->no_store = true;
	if (in_s3) {
		resp_redirect(ctx->resp, 302, presigned);
		return CB_OK;
	}
	ctx->resp->content_type = recfetch_media_type(key);
	resp_header(ctx->resp, "X-Accel-Redirect", "/_recordings/%s", key);
	if (disp != NULL)
		resp_header(ctx->resp, "Content-Disposition", "%s", disp);
	return CB_OK;
}

static const struct route routes[] = {
	{ "/calls/#/recording", HTTP_M(HTTP_GET), AUTH_SESSION, PERM_NONE, 0,
	    0, recording },
};

static const struct program program = {
	"recording", routes, sizeof(routes) / sizeof(routes[0]), true
};

int
main(int argc, char *argv[])
{
	return app_main(&program, argc, argv);
}
