#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "calls/live.h"
#include "core/log.h"
#include "core/strparse.h"

/* One handle per process, kept between requests: libcurl then keeps the
 * connection to nginx open, so a publish is one local round trip. The
 * project's httpc wrapper counts timeouts in whole seconds and opens a
 * handle per request, which is right for provider APIs but not for a
 * publish that must finish in LIVE_PUBLISH_TIMEOUT_MS. */
static CURL *pub;
static bool failing;   /* logged once until a publish works again */

void
live_cleanup(void)
{
	if (pub != NULL)
		curl_easy_cleanup(pub);
	pub = NULL;
}

/* The publish's headers, built for each live_send from its site's config
 * (never kept: one program serves several sites, each with its own secret
 * and channels). X-Callboard-Site puts the site in the channel's name
 * (etc/nginx/callboard-live.conf): a site's popups reach only the
 * subscribers of that site's server {}. */
static struct curl_slist *
headers_of(const struct cb_config *cfg)
{
	struct curl_slist *hdrs, *t;
	char h[200];

	hdrs = curl_slist_append(NULL, "Content-Type: application/json");
	/* nginx lets only the holder of this secret publish (issue 16 item
	 * 13); the header never reaches a log line. */
	if (hdrs != NULL && cfg->live_publish_secret[0] != '\0') {
		snprintf(h, sizeof(h), "X-Callboard-Publish-Secret: %s",
		    cfg->live_publish_secret);
		if ((t = curl_slist_append(hdrs, h)) != NULL)
			hdrs = t;
		explicit_bzero(h, sizeof(h));
	}
	if (hdrs != NULL && cfg->site[0] != '\0') {
		snprintf(h, sizeof(h), "X-Callboard-Site: %s", cfg->site);
		if ((t = curl_slist_append(hdrs, h)) != NULL)
			hdrs = t;
	}
	return hdrs;
}

static void
headers_free(struct curl_slist *hdrs)
{
	struct curl_slist *t;

	for (t = hdrs; t != NULL; t = t->next)
		explicit_bzero(t->data, strlen(t->data));
	curl_slist_free_all(hdrs);
}

static const char *
col(struct db_stmt *st, unsigned base, unsigned c)
{
	return db_col(st, base + c, NULL);
}

/* "2026-11-23 08:15:00.000" (UTC) → "2026-11-23T08:15:00.000Z". */
static struct json_object *
iso(const char *utc)
{
	char out[40];

	if (utc == NULL || strlen(utc) < 19)
		return NULL;
	snprintf(out, sizeof(out), "%.10sT%sZ", utc, utc + 11);
	return json_object_new_string(out);
}

static struct json_object *
str_or_null(const char *s)
{
	return s != NULL && *s != '\0' ? json_object_new_string(s) : NULL;
}

struct json_object *
live_message(struct db_stmt *st, unsigned base)
{
	struct json_object *m = json_object_new_object();
	int64_t id = db_col_i64(st, base + LIVE_ID);
	char url[48];

	snprintf(url, sizeof(url), "/calls/%lld", (long long)id);
	json_object_object_add(m, "call_id", json_object_new_int64(id));
	json_object_object_add(m, "state",
	    str_or_null(col(st, base, LIVE_STATE)));
	json_object_object_add(m, "direction",
	    str_or_null(col(st, base, LIVE_DIRECTION)));
	json_object_object_add(m, "number",
	    str_or_null(col(st, base, LIVE_NUMBER)));
	/* The popup says "Number withheld" (issue 15 §2.5); the key is only
	 * there when it is, so every other message stays as it was. */
	if (db_col_i64(st, base + LIVE_WITHHELD) != 0)
		json_object_object_add(m, "withheld",
		    json_object_new_boolean(true));
	json_object_object_add(m, "name",
	    str_or_null(col(st, base, LIVE_NAME)));
	json_object_object_add(m, "url", json_object_new_string(url));
	json_object_object_add(m, "started_at",
	    iso(col(st, base, LIVE_STARTED_AT)));
	json_object_object_add(m, "answered_at",
	    iso(col(st, base, LIVE_ANSWERED_AT)));
	json_object_object_add(m, "duration",
	    json_object_new_int64(db_col_i64(st, base + LIVE_DURATION)));
	return m;
}

static size_t
discard(char *p, size_t size, size_t n, void *ud)
{
	(void)p;
	(void)ud;
	return size * n;
}

/* POSTs body to base + user id. true when nchan took it (2xx). */
static bool
post(const char *base, struct curl_slist *hdrs, int64_t user_id,
    const char *body, char *why, size_t whysz)
{
	char url[600];
	long status = 0;
	CURLcode cc;

	if (pub == NULL) {
		if ((pub = curl_easy_init()) == NULL) {
			snprintf(why, whysz, "curl_easy_init failed");
			return false;
		}
	}
	snprintf(url, sizeof(url), "%s%lld", base, (long long)user_id);
	curl_easy_reset(pub);
	curl_easy_setopt(pub, CURLOPT_URL, url);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(pub, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(pub, CURLOPT_PROTOCOLS,
	    (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	curl_easy_setopt(pub, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(pub, CURLOPT_TIMEOUT_MS,
	    (long)LIVE_PUBLISH_TIMEOUT_MS);
	curl_easy_setopt(pub, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)LIVE_PUBLISH_TIMEOUT_MS);
	curl_easy_setopt(pub, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(pub, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(pub, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	curl_easy_setopt(pub, CURLOPT_WRITEFUNCTION, discard);
	if ((cc = curl_easy_perform(pub)) != CURLE_OK) {
		snprintf(why, whysz, "%s", curl_easy_strerror(cc));
		return false;
	}
	curl_easy_getinfo(pub, CURLINFO_RESPONSE_CODE, &status);
	if (status < 200 || status > 299) {
		snprintf(why, whysz, "HTTP %ld", status);
		return false;
	}
	return true;
}

/* Appends uid to users[0..*n) unless it is there, or not a user id. */
static void
add_user(int64_t *users, size_t *n, int64_t uid)
{
	size_t i;

	if (uid <= 0 || *n >= LIVE_RECIPIENTS_MAX)
		return;
	for (i = 0; i < *n; i++)
		if (users[i] == uid)
			return;
	users[(*n)++] = uid;
}

struct json_object *
live_collect(struct db_stmt *st, unsigned base, int64_t *users, size_t *n)
{
	const char *dir, *p;
	char *end;

	*n = 0;
	dir = col(st, base, LIVE_DIRECTION);
	if (dir != NULL && strcmp(dir, "internal") == 0)
		return NULL;
	/* "12,15,7": written by the ingest procedure, digits and commas. */
	for (p = col(st, base, LIVE_RCPT_USERS); p != NULL && *p != '\0';
	    p = end) {
		long long uid = strtoll(p, &end, 10);

		if (end == p)
			break;
		add_user(users, n, (int64_t)uid);
		if (*end == ',')
			end++;
	}
	/* The responsible manager only when nobody rang. */
	if (*n == 0)
		add_user(users, n, db_col_i64(st,
		    base + LIVE_RCPT_RESPONSIBLE));
	return *n > 0 ? live_message(st, base) : NULL;
}

int
live_send(const struct cb_config *cfg, int64_t call_id,
    struct json_object *msg, const int64_t *users, size_t n)
{
	char why[CURL_ERROR_SIZE] = "";
	struct curl_slist *hdrs;
	const char *body;
	int sent = 0;
	size_t i;

	if (cfg->live_publish_url[0] == '\0' || msg == NULL || n == 0)
		return 0;
	body = json_object_to_json_string_ext(msg, JSON_C_TO_STRING_PLAIN);
	hdrs = headers_of(cfg);
	for (i = 0; i < n; i++) {
		if (post(cfg->live_publish_url, hdrs, users[i], body, why,
		    sizeof(why))) {
			sent++;
			continue;
		}
		if (!failing)
			log_warn("live popup for call %lld not published: %s "
			    "(further failures are not logged until it works "
			    "again)", (long long)call_id, why);
		failing = true;
		break; /* nginx is down: the next manager would wait too */
	}
	headers_free(hdrs);
	if (sent > 0 && failing) {
		log_info("live popups are published again");
		failing = false;
	}
	return sent;
}

bool
live_channel_user(const struct cb_config *cfg, const char *chan, int64_t *id)
{
	size_t n = strlen(cfg->site);

	if (chan == NULL)
		return false;
	if (n > 0) {
		if (strncmp(chan, cfg->site, n) != 0 || chan[n] != '/')
			return false;
		chan += n + 1;
	}
	return strncmp(chan, "manager/", 8) == 0 &&
	    strparse_i64z(chan + 8, 1, INT64_MAX, id) == CB_OK;
}
