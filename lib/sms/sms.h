/* SMS gateways (issue 19 §4; /work/shared/platform-notes.md §a). Each
 * gateway is one file, lib/sms/<kind>.c, exporting one descriptor: its
 * settings (which of them are secrets), the number format it wants, a
 * request builder and a response parser. Both are pure functions (no
 * network, no database, no log): unit-tested per gateway
 * (tests/unit/test_sms.c) and fuzzed (tests/fuzz/fuzz_sms.c).
 * lib/sms/registry.c is the only list of gateways; lib/sms/outbox.c sends
 * through lib/net/httpc.c and owns the "exactly once" rules.
 *
 * Ownership: descriptors are static. A built request (struct sms_request)
 * holds credentials: sms_request_wipe() clears and frees it. */
#ifndef CB_SMS_SMS_H
#define CB_SMS_SMS_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "core/buf.h"
#include "core/err.h"
#include "net/httpc.h"

#define SMS_KIND_MAX 20
#define SMS_FIELD_MAX 256          /* bytes of one setting or secret */
#define SMS_TEXT_MAX_SEGMENTS 10   /* a rendered text longer is refused */
#define SMS_TEXT_MAX_BYTES 2000    /* bytes of a template or a text */
#define SMS_RESPONSE_MAX 16384     /* cap on a gateway's answer */
#define SMS_ID_MAX 80              /* a gateway's message id, as stored */
#define SMS_ERROR_MAX 300

/* One setting of a gateway account as the settings page shows it. Secrets
 * are stored sealed (core/secretbox.h) and never shown back in full. */
struct sms_field {
	const char *key;         /* JSON key in settings or secrets */
	const char *label;
	const char *hint;        /* or NULL */
	bool secret;
	bool required;
};

/* How a gateway wants the recipient (§a.4). We keep E.164 ("+380…")
 * internally and format at send time. */
enum sms_number_format {
	SMS_NUM_E164,            /* "+380501234567" (Twilio) */
	SMS_NUM_DIGITS           /* "380501234567" (everyone else) */
};

/* What the builder gets: everything borrowed. */
struct sms_send {
	const char *base;        /* API base URL without a trailing slash */
	struct json_object *settings;   /* the account's non-secret settings */
	struct json_object *secrets;    /* its secrets (decrypted) */
	const char *to;          /* formatted for the gateway */
	const char *text;        /* UTF-8 plain text */
};

#define SMS_HEADERS_MAX 3
struct sms_request {
	enum httpc_method method;
	char url[2048];          /* may carry credentials (SMS.ru, SMSC) */
	struct buf body;         /* POST body, owned */
	const char *content_type;  /* static, or NULL */
	char headers[SMS_HEADERS_MAX][512];  /* "Name: value", "" = none */
	char user[128];          /* HTTP Basic when user[0] */
	char password[SMS_FIELD_MAX];
};

/* What an answer means for the outbox (§a.3). */
enum sms_outcome {
	SMS_SENT,       /* accepted: message_id may be "" (Zadarma gives none) */
	SMS_REJECTED,   /* a definite "no" (4xx, an error code): never resent */
	SMS_RETRY,      /* a definite "not now" (5xx, 429): resent with backoff */
	SMS_UNKNOWN     /* a 2xx we cannot read: it may have gone out, so it is
	                 * not resent; a person decides */
};

struct sms_result {
	enum sms_outcome outcome;
	char message_id[SMS_ID_MAX + 1];
	char error[SMS_ERROR_MAX];   /* why, for the runs page; "" when sent */
};

struct sms_gateway {
	const char *kind;        /* "twilio", stored in sms_gateways.kind */
	const char *label;       /* "Twilio Messaging" */
	const char *default_base;
	const struct sms_field *fields;   /* terminated by key == NULL */
	enum sms_number_format number_format;
	/* CB_EINVAL with err set when the account lacks a setting. */
	enum cb_err (*build)(const struct sms_send *in, struct sms_request *rq,
	    char *err, size_t errsz);
	/* status: the HTTP status of a complete answer; body: its bytes
	 * (any bytes, not NUL-terminated). Never fails. */
	void (*parse)(long status, const char *body, size_t len,
	    struct sms_result *r);
};

/* --- shared helpers of the gateway files (lib/sms/sms.c) --- */

void sms_request_init(struct sms_request *rq);
/* Clears the credentials and frees the body. */
void sms_request_wipe(struct sms_request *rq);
/* A string member of o ("" or missing = NULL). */
const char *sms_setting(struct json_object *o, const char *key);
/* A missing required setting: CB_EINVAL with "<label>: set <key>". */
enum cb_err sms_missing(const struct sms_gateway *g, const char *key,
    char *err, size_t errsz);
/* application/x-www-form-urlencoded pair (RFC 3986 unreserved kept, space
 * as %20), with '&' before all but the first. */
void sms_form_add(struct buf *b, const char *key, const char *value);
/* The body as JSON (NULL when it is not JSON, or over JSON depth 16);
 * caller puts it. */
struct json_object *sms_json(const char *body, size_t len);
/* The parts common to every parser: 429 and 5xx are SMS_RETRY, other
 * non-2xx SMS_REJECTED (with "HTTP <status>" and msg when given). Returns
 * true when it decided (the gateway parser then returns). */
bool sms_status_decides(long status, const char *msg, struct sms_result *r);
/* Sets all of r (message_id ""); every parser path ends in it. */
void sms_result_set(struct sms_result *r, enum sms_outcome o,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A printable copy of an untrusted string (control bytes and quotes
 * dropped, at most max bytes, cut on a UTF-8 boundary) into out. */
void sms_clean(const char *s, char *out, size_t outsz);

/* --- numbers and length (§a.4, §a.5) --- */

/* e164 ("+" and 8 to 15 digits) into the gateway's format. CB_EINVAL for
 * anything else. */
enum cb_err sms_format_number(enum sms_number_format f, const char *e164,
    char *out, size_t outsz);

struct sms_length {
	long chars;              /* characters as the network counts them */
	unsigned segments;       /* SMS parts it is sent as (0 for "") */
	bool ucs2;               /* not GSM-7: 70 / 67 per part */
};
/* GSM 03.38: 160 / 153 per part in GSM-7 (the extension characters
 * ^ { } \ [ ~ ] | € count as two), else UCS-2: 70 / 67 (a character
 * outside the BMP counts as two). Invalid UTF-8 counts as UCS-2. */
void sms_length(const char *text, size_t len, struct sms_length *out);

/* --- the text template --- */

/* The values a template may use. Any may be NULL or "". */
struct sms_vars {
	const char *name;        /* {name}: the customer's name */
	const char *number;      /* {number}: the caller's number */
	const char *time;        /* {time}: the call's time */
	const char *manager;     /* {manager}: the manager's name */
};
/* Renders tmpl into out (plain text: substituted values lose control
 * characters and are cut at 100 characters each, so nothing a caller typed
 * as a name can add lines or grow the SMS without bound). An unknown
 * {word} is kept as written. CB_ETOOBIG past out's cap. */
enum cb_err sms_render(const char *tmpl, const struct sms_vars *v,
    struct buf *out);
/* The placeholders a template may use, for the form's hint. */
#define SMS_PLACEHOLDERS "{name}, {number}, {time}, {manager}"

#endif
