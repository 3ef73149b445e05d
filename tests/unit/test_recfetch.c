/* Unit tests for the pure parts of the recording download (lib/calls/
 * recfetch.c): Zadarma's API signature with the providers.md §5.2 vectors,
 * the path-safety rules of §4.5, the URL each provider is asked at, the
 * reading of provider answers and the file naming. The network and
 * database parts run in tests/http/recording_fetch.test.js. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "calls/recfetch.h"
#include "providers/binotel/binotel.h"
#include "providers/twilio/twilio.h"
#include "providers/zadarma/zadarma.h"
#include "core/buf.h"

#define VKEY "a248a6a984459935b569"
#define VSECRET "8a8e91d214fb728889c7"

static struct json_object *
obj(const char *json)
{
	struct json_object *o = json_tokener_parse(json);

	ck_assert_ptr_nonnull(o);
	return o;
}

/* Runs one §5.2 row: pairs given out of order, so the sort is tested. */
static void
zadarma_vector(const char *path, const char *const *kv, size_t n,
    const char *want_q, const char *want_header)
{
	char header[160];
	struct buf q;

	buf_init(&q, 4096);
	ck_assert_int_eq(zadarma_api_query(kv, n, &q), CB_OK);
	ck_assert_str_eq(buf_cstr(&q), want_q);
	ck_assert_int_eq(zadarma_api_auth(VKEY, VSECRET, path,
	    buf_cstr(&q), header, sizeof(header)), CB_OK);
	ck_assert_str_eq(header, want_header);
	buf_free(&q);
}

START_TEST(test_zadarma_signature_vector_callback)
{
	static const char *const kv[] = {
		"to", "442037691881", "sip", "100", "from", "100",
		"format", "json"
	};

	zadarma_vector("/v1/request/callback/", kv, 4,
	    "format=json&from=100&sip=100&to=442037691881",
	    VKEY ":ZTgzNTNjMjgyZTgwOGQxMDVmYTU2NGE5YmVlZjcyZGU0MTllOTdkOA==");
}
END_TEST

START_TEST(test_zadarma_signature_vector_statistics_encodes_like_php)
{
	static const char *const kv[] = {
		"version", "2", "start", "2024-06-01 00:00:00",
		"end", "2024-06-04 23:59:59", "format", "json"
	};

	zadarma_vector("/v1/statistics/pbx/", kv, 4,
	    "end=2024-06-04+23%3A59%3A59&format=json&"
	    "start=2024-06-01+00%3A00%3A00&version=2",
	    VKEY ":OGVjNDQ1ZTAxOTc0N2Q2YjMzZGRiMDhhMzUxNTJiMmU2ZjM1NDlmYg==");
}
END_TEST

START_TEST(test_zadarma_signature_vector_record_request)
{
	static const char *const kv[] = {
		"pbx_call_id", "in_ae6b03b3b0765d127ec0b739209346bbc4f0d52d",
		"lifetime", "3600", "format", "json"
	};

	zadarma_vector("/v1/pbx/record/request/", kv, 3,
	    "format=json&lifetime=3600&"
	    "pbx_call_id=in_ae6b03b3b0765d127ec0b739209346bbc4f0d52d",
	    VKEY ":MzRmOWViM2EzNzQzOWNmNDVlNmQ3NTM2YmFhMWYyNTQ3MWQwYzk5Yw==");
}
END_TEST

START_TEST(test_zadarma_signature_vector_balance)
{
	static const char *const kv[] = { "format", "json" };

	zadarma_vector("/v1/info/balance/", kv, 1, "format=json",
	    VKEY ":OTNmYWUwNjY2Y2YwZjlmOGRjNTVlMWI1MTAyOGFmMTEyZTI0NDJmOQ==");
}
END_TEST

START_TEST(test_php_urlencode_rules)
{
	struct buf b;

	buf_init(&b, 256);
	/* §5.4: keep A-Za-z0-9-_. ; space is '+'; '~' is %7E; uppercase. */
	ck_assert_int_eq(zadarma_php_urlencode(&b, "aZ09-_. ~*/:+\xc3\xa9"),
	    CB_OK);
	ck_assert_str_eq(buf_cstr(&b), "aZ09-_.+%7E%2A%2F%3A%2B%C3%A9");
	buf_free(&b);
}
END_TEST

START_TEST(test_zadarma_header_too_small_is_an_error)
{
	char small[10];

	ck_assert_int_eq(zadarma_api_auth(VKEY, VSECRET, "/v1/x/",
	    "format=json", small, sizeof(small)), CB_ETOOBIG);
}
END_TEST

START_TEST(test_relpath_accepts_ordinary_paths)
{
	ck_assert(recfetch_safe_relpath("2024/06/04/in-1717495200.42.wav"));
	ck_assert(recfetch_safe_relpath("rec.mp3"));
	ck_assert(recfetch_safe_relpath("a b/c..d/.hidden.wav"));
}
END_TEST

START_TEST(test_relpath_refuses_absolute_dotdot_and_odd_bytes)
{
	char longp[600];

	ck_assert(!recfetch_safe_relpath(NULL));
	ck_assert(!recfetch_safe_relpath(""));
	ck_assert(!recfetch_safe_relpath("/var/spool/asterisk/monitor/a.wav"));
	ck_assert(!recfetch_safe_relpath(".."));
	ck_assert(!recfetch_safe_relpath("."));
	ck_assert(!recfetch_safe_relpath("../etc/passwd"));
	ck_assert(!recfetch_safe_relpath("a/../../b.wav"));
	ck_assert(!recfetch_safe_relpath("a/.."));
	ck_assert(!recfetch_safe_relpath("a/./b.wav"));
	ck_assert(!recfetch_safe_relpath("a//b.wav"));
	ck_assert(!recfetch_safe_relpath("a/"));
	ck_assert(!recfetch_safe_relpath("a\\..\\b.wav"));
	ck_assert(!recfetch_safe_relpath("a\nb.wav"));
	ck_assert(!recfetch_safe_relpath("a\x7f.wav"));
	ck_assert(!recfetch_safe_relpath("caf\xc3\xa9.wav"));
	memset(longp, 'a', sizeof(longp) - 1);
	longp[sizeof(longp) - 1] = '\0';
	ck_assert(!recfetch_safe_relpath(longp));
}
END_TEST

START_TEST(test_join_url_encodes_each_segment)
{
	char out[256];

	ck_assert_int_eq(recfetch_join_url("http://pbx.lan/monitor/",
	    "2024/06/04/a b?c#d%2e.wav", out, sizeof(out)), CB_OK);
	ck_assert_str_eq(out,
	    "http://pbx.lan/monitor/2024/06/04/a%20b%3Fc%23d%252e.wav");
	ck_assert_int_eq(recfetch_join_url("https://pbx.lan", "x.wav", out,
	    sizeof(out)), CB_OK);
	ck_assert_str_eq(out, "https://pbx.lan/x.wav");
}
END_TEST

START_TEST(test_join_url_refuses_bad_base_or_path)
{
	char out[64];

	ck_assert_int_eq(recfetch_join_url("ftp://pbx.lan/", "x.wav", out,
	    sizeof(out)), CB_EINVAL);
	ck_assert_int_eq(recfetch_join_url("http://user:pw@pbx.lan/", "x.wav",
	    out, sizeof(out)), CB_EINVAL);
	ck_assert_int_eq(recfetch_join_url("http://pbx.lan/?a=1", "x.wav",
	    out, sizeof(out)), CB_EINVAL);
	ck_assert_int_eq(recfetch_join_url("http:///x", "x.wav", out,
	    sizeof(out)), CB_EINVAL);
	ck_assert_int_eq(recfetch_join_url("http://pbx.lan/", "../x.wav", out,
	    sizeof(out)), CB_EINVAL);
	ck_assert_int_eq(recfetch_join_url("http://pbx.lan/", "/x.wav", out,
	    sizeof(out)), CB_EINVAL);
	ck_assert_int_eq(recfetch_join_url("http://pbx.lan/",
	    "a-very-long-name-that-does-not-fit-in-the-output-buffer.wav",
	    out, sizeof(out)), CB_EINVAL);
}
END_TEST

START_TEST(test_api_base_https_or_loopback_only)
{
	char out[128];

	ck_assert_int_eq(recfetch_api_base("https://api.zadarma.com/", out,
	    sizeof(out)), CB_OK);
	ck_assert_str_eq(out, "https://api.zadarma.com");
	ck_assert_int_eq(recfetch_api_base("http://127.0.0.1:39123//", out,
	    sizeof(out)), CB_OK);
	ck_assert_str_eq(out, "http://127.0.0.1:39123");
	ck_assert_int_eq(recfetch_api_base("http://localhost:8/base", out,
	    sizeof(out)), CB_OK);
	ck_assert_str_eq(out, "http://localhost:8/base");
	ck_assert_int_eq(recfetch_api_base("http://api.zadarma.com", out,
	    sizeof(out)), CB_EINVAL);
	ck_assert_int_eq(recfetch_api_base("https://a.b/?x=1", out,
	    sizeof(out)), CB_EINVAL);
	ck_assert_int_eq(recfetch_api_base("https://u:p@a.b", out,
	    sizeof(out)), CB_EINVAL);
	ck_assert_int_eq(recfetch_api_base("file:///etc", out, sizeof(out)),
	    CB_EINVAL);
	ck_assert_int_eq(recfetch_api_base("", out, sizeof(out)), CB_EINVAL);
}
END_TEST

START_TEST(test_twilio_url_appends_mp3)
{
	char out[256];

	ck_assert_int_eq(twilio_media_url("https://api.twilio.com/"
	    "2010-04-01/Accounts/AC1/Recordings/RE1", out, sizeof(out)), CB_OK);
	ck_assert_str_eq(out, "https://api.twilio.com/2010-04-01/Accounts/AC1/"
	    "Recordings/RE1.mp3");
	ck_assert_int_eq(twilio_media_url("https://h/Recordings/RE1.wav",
	    out, sizeof(out)), CB_OK);
	ck_assert_str_eq(out, "https://h/Recordings/RE1.wav");
	ck_assert_int_eq(twilio_media_url("https://h/Recordings/RE1?x=1",
	    out, sizeof(out)), CB_OK);
	ck_assert_str_eq(out, "https://h/Recordings/RE1.mp3?x=1");
	ck_assert_int_eq(twilio_media_url("RE1", out, sizeof(out)),
	    CB_EINVAL);
}
END_TEST

START_TEST(test_plan_twilio_basic_auth_over_https)
{
	struct json_object *sec = obj("{\"account_sid\":\"AC123\","
	    "\"auth_token\":\"tok\"}");
	struct recfetch_plan p;
	char err[256];

	ck_assert_int_eq(recfetch_plan("twilio", "https://api.twilio.com/"
	    "2010-04-01/Accounts/AC123/Recordings/RE9", NULL, sec, &p, err,
	    sizeof(err)), CB_OK);
	ck_assert_int_eq(p.step, RECFETCH_FILE);
	ck_assert_str_eq(p.url, "https://api.twilio.com/2010-04-01/Accounts/"
	    "AC123/Recordings/RE9.mp3");
	ck_assert_str_eq(p.user, "AC123");
	ck_assert_str_eq(p.password, "tok");
	ck_assert_str_eq(p.ext, "mp3");
	/* A loopback stand-in gets them too (tests). */
	ck_assert_int_eq(recfetch_plan("twilio", "http://127.0.0.1:9/R/RE9",
	    NULL, sec, &p, err, sizeof(err)), CB_OK);
	ck_assert_str_eq(p.user, "AC123");
	json_object_put(sec);
}
END_TEST

START_TEST(test_plan_twilio_no_credentials_in_clear_text)
{
	struct json_object *sec = obj("{\"account_sid\":\"AC123\","
	    "\"auth_token\":\"tok\"}");
	struct recfetch_plan p;
	char err[256];

	ck_assert_int_eq(recfetch_plan("twilio", "http://media.example.com/"
	    "RE9", NULL, sec, &p, err, sizeof(err)), CB_OK);
	ck_assert_str_eq(p.url, "http://media.example.com/RE9.mp3");
	ck_assert_str_eq(p.user, "");
	ck_assert_str_eq(p.password, "");
	json_object_put(sec);
}
END_TEST

START_TEST(test_plan_twilio_from_recording_sid)
{
	struct json_object *sec = obj("{\"account_sid\":\"AC123\","
	    "\"auth_token\":\"tok\"}");
	struct json_object *cfg = obj("{\"api_base\":\"http://127.0.0.1:7/\"}");
	struct recfetch_plan p;
	char err[256];

	ck_assert_int_eq(recfetch_plan("twilio", "ref:RE0123abc", NULL, sec,
	    &p, err, sizeof(err)), CB_OK);
	ck_assert_str_eq(p.url, "https://api.twilio.com/2010-04-01/Accounts/"
	    "AC123/Recordings/RE0123abc.mp3");
	ck_assert_int_eq(recfetch_plan("twilio", "ref:RE0123abc", cfg, sec,
	    &p, err, sizeof(err)), CB_OK);
	ck_assert_str_eq(p.url, "http://127.0.0.1:7/2010-04-01/Accounts/"
	    "AC123/Recordings/RE0123abc.mp3");
	ck_assert_int_eq(recfetch_plan("twilio", "ref:../RE1", NULL, sec,
	    &p, err, sizeof(err)), CB_EINVAL);
	json_object_put(sec);
	json_object_put(cfg);
}
END_TEST

START_TEST(test_plan_zadarma_signed_request_by_call_id)
{
	struct json_object *sec = obj("{\"key\":\"" VKEY "\",\"secret\":\""
	    VSECRET "\"}");
	struct recfetch_plan p;
	char err[256];

	ck_assert_int_eq(recfetch_plan("zadarma", "ref:1717495200.123456",
	    NULL, sec, &p, err, sizeof(err)), CB_OK);
	ck_assert_int_eq(p.step, RECFETCH_LINK);
	ck_assert_str_eq(p.url, "https://api.zadarma.com/v1/pbx/record/"
	    "request/?call_id=1717495200.123456&format=json");
	/* Expected value computed independently (Python hmac/hashlib). */
	ck_assert_str_eq(p.auth_header, "Authorization: " VKEY
	    ":YWU4Y2JmOTYzYThkNjc3MGIyMTk3YjllNjVlMzNiOTVjNTdhNjUxYQ==");
	ck_assert_str_eq(p.user, "");
	json_object_put(sec);
}
END_TEST

START_TEST(test_plan_zadarma_by_pbx_call_id_and_api_base)
{
	struct json_object *sec = obj("{\"key\":\"" VKEY "\",\"secret\":\""
	    VSECRET "\"}");
	struct json_object *cfg = obj("{\"api_base\":"
	    "\"http://127.0.0.1:41234/\"}");
	struct recfetch_plan p;
	char err[256];

	ck_assert_int_eq(recfetch_plan("zadarma",
	    "ref:in_ae6b03b3b0765d127ec0b739209346bbc4f0d52d", cfg, sec, &p,
	    err, sizeof(err)), CB_OK);
	ck_assert_str_eq(p.url, "http://127.0.0.1:41234/v1/pbx/record/"
	    "request/?format=json&"
	    "pbx_call_id=in_ae6b03b3b0765d127ec0b739209346bbc4f0d52d");
	ck_assert_str_eq(p.auth_header, "Authorization: " VKEY
	    ":NmZjNDFmOGY3NTE4MjJhNGJlZGRlYjNiOWY5NWM2MzAwNjM4YWQyOQ==");
	json_object_put(sec);
	json_object_put(cfg);
}
END_TEST

START_TEST(test_plan_zadarma_needs_secrets_and_safe_api_base)
{
	struct json_object *sec = obj("{\"key\":\"k\"}");
	struct json_object *full = obj("{\"key\":\"k\",\"secret\":\"s\"}");
	struct json_object *cfg = obj("{\"api_base\":\"http://evil.example\"}");
	struct recfetch_plan p;
	char err[256];

	ck_assert_int_eq(recfetch_plan("zadarma", "ref:1.2", NULL, sec, &p,
	    err, sizeof(err)), CB_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "secret"));
	ck_assert_int_eq(recfetch_plan("zadarma", "ref:1.2", NULL, NULL, &p,
	    err, sizeof(err)), CB_EINVAL);
	ck_assert_int_eq(recfetch_plan("zadarma", "ref:1.2", cfg, full, &p,
	    err, sizeof(err)), CB_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "api_base"));
	ck_assert_int_eq(recfetch_plan("zadarma", "ref:", NULL, full, &p,
	    err, sizeof(err)), CB_EINVAL);
	json_object_put(sec);
	json_object_put(full);
	json_object_put(cfg);
}
END_TEST

START_TEST(test_plan_binotel_posts_key_secret_and_id)
{
	struct json_object *sec = obj("{\"key\":\"bk\",\"secret\":\"b\\\"s\"}");
	struct json_object *body, *v;
	struct recfetch_plan p;
	char err[256];

	ck_assert_int_eq(recfetch_plan("binotel", "ref:2345678901", NULL, sec,
	    &p, err, sizeof(err)), CB_OK);
	ck_assert_int_eq(p.step, RECFETCH_LINK);
	ck_assert_str_eq(p.url,
	    "https://api.binotel.com/api/4.0/stats/call-record.json");
	body = obj(p.body);
	ck_assert(json_object_object_get_ex(body, "key", &v));
	ck_assert_str_eq(json_object_get_string(v), "bk");
	ck_assert(json_object_object_get_ex(body, "secret", &v));
	ck_assert_str_eq(json_object_get_string(v), "b\"s");
	ck_assert(json_object_object_get_ex(body, "generalCallID", &v));
	ck_assert_str_eq(json_object_get_string(v), "2345678901");
	json_object_put(body);
	json_object_put(sec);
}
END_TEST

START_TEST(test_plan_asterisk_relative_path_under_base)
{
	struct json_object *cfg = obj("{\"recordings_base_url\":"
	    "\"http://pbx.lan/monitor\",\"recordings_auth\":\"crm:pw:x\"}");
	struct recfetch_plan p;
	char err[256];

	ck_assert_int_eq(recfetch_plan("asterisk", "ref:2024/06/04/a.wav",
	    cfg, NULL, &p, err, sizeof(err)), CB_OK);
	ck_assert_int_eq(p.step, RECFETCH_FILE);
	ck_assert_str_eq(p.url, "http://pbx.lan/monitor/2024/06/04/a.wav");
	/* The admin's own base: credentials allowed even over http. */
	ck_assert_str_eq(p.user, "crm");
	ck_assert_str_eq(p.password, "pw:x");
	ck_assert_str_eq(p.ext, "wav");
	json_object_put(cfg);
}
END_TEST

START_TEST(test_plan_asterisk_refuses_unsafe_paths)
{
	struct json_object *cfg = obj("{\"recordings_base_url\":"
	    "\"http://pbx.lan/monitor\"}");
	struct recfetch_plan p;
	char err[256];

	ck_assert_int_eq(recfetch_plan("asterisk",
	    "ref:/var/spool/asterisk/monitor/a.wav", cfg, NULL, &p, err,
	    sizeof(err)), CB_EINVAL);
	ck_assert_int_eq(recfetch_plan("asterisk", "ref:../../etc/passwd",
	    cfg, NULL, &p, err, sizeof(err)), CB_EINVAL);
	ck_assert_int_eq(recfetch_plan("generic", "ref:a/../../b.wav", cfg,
	    NULL, &p, err, sizeof(err)), CB_EINVAL);
	ck_assert_int_eq(recfetch_plan("generic", "file:///etc/passwd", cfg,
	    NULL, &p, err, sizeof(err)), CB_EINVAL);
	/* A relative path with no base to put it under. */
	ck_assert_int_eq(recfetch_plan("asterisk", "ref:a.wav", NULL, NULL,
	    &p, err, sizeof(err)), CB_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "recordings_base_url"));
	json_object_put(cfg);
}
END_TEST

START_TEST(test_plan_generic_url_credentials_only_where_safe)
{
	struct json_object *cfg = obj("{\"recordings_base_url\":"
	    "\"http://pbx.lan:8088/rec/\"}");
	struct json_object *sec = obj("{\"recordings_auth\":\"u:p\"}");
	struct recfetch_plan p;
	char err[256];

	ck_assert_int_eq(recfetch_plan("generic", "https://files.example/r.mp3",
	    cfg, sec, &p, err, sizeof(err)), CB_OK);
	ck_assert_str_eq(p.url, "https://files.example/r.mp3");
	ck_assert_str_eq(p.user, "u");
	ck_assert_int_eq(recfetch_plan("generic", "http://pbx.lan:8088/x.mp3",
	    cfg, sec, &p, err, sizeof(err)), CB_OK);
	ck_assert_str_eq(p.user, "u");
	/* Plain http to a host the admin did not name: no credentials. */
	ck_assert_int_eq(recfetch_plan("generic", "http://other.lan/x.mp3",
	    cfg, sec, &p, err, sizeof(err)), CB_OK);
	ck_assert_str_eq(p.user, "");
	ck_assert_int_eq(recfetch_plan("generic", "http://pbx.lan:9/x.mp3",
	    cfg, sec, &p, err, sizeof(err)), CB_OK);
	ck_assert_str_eq(p.user, "");
	json_object_put(cfg);
	json_object_put(sec);
}
END_TEST

START_TEST(test_plan_unknown_kind_and_empty_reference)
{
	struct recfetch_plan p;
	char err[256];

	ck_assert_int_eq(recfetch_plan("skype", "https://x/y", NULL, NULL, &p,
	    err, sizeof(err)), CB_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "skype"));
	ck_assert_int_eq(recfetch_plan("twilio", "", NULL, NULL, &p, err,
	    sizeof(err)), CB_EINVAL);
}
END_TEST

START_TEST(test_zadarma_answer_link_and_links)
{
	static const char one[] = "{\"status\":\"success\",\"link\":"
	    "\"https://api.zadarma.com/v1/pbx/record/download/x/1.mp3\","
	    "\"lifetime_till\":\"2024-06-04 11:00:00\"}";
	static const char many[] = "{\"status\":\"success\",\"links\":"
	    "[\"\",\"https://h/a.mp3\",\"https://h/b.mp3\"]}";
	char link[256], err[256];

	ck_assert_int_eq(zadarma_recording.link(one, strlen(one), link,
	    sizeof(link), err, sizeof(err)), CB_OK);
	ck_assert_str_eq(link,
	    "https://api.zadarma.com/v1/pbx/record/download/x/1.mp3");
	ck_assert_int_eq(zadarma_recording.link(many, strlen(many), link,
	    sizeof(link), err, sizeof(err)), CB_OK);
	ck_assert_str_eq(link, "https://h/a.mp3");
}
END_TEST

START_TEST(test_zadarma_answer_not_found_is_unavailable)
{
	static const char nf[] = "{\"status\":\"error\","
	    "\"message\":\"Record not found\"}";
	static const char empty[] = "{\"status\":\"success\",\"links\":[]}";
	char link[256], err[256];

	ck_assert_int_eq(zadarma_recording.link(nf, strlen(nf), link,
	    sizeof(link), err, sizeof(err)), CB_ENOTFOUND);
	ck_assert_int_eq(zadarma_recording.link(empty, strlen(empty), link,
	    sizeof(link), err, sizeof(err)), CB_ENOTFOUND);
}
END_TEST

START_TEST(test_zadarma_answer_errors_are_upstream)
{
	static const char *const bad[] = {
		"{\"status\":\"error\",\"message\":\"Not authorized\"}",
		"<html>502</html>",
		"[\"https://h/a.mp3\"]",
		"{\"status\":\"success\",\"link\":\"file:///etc/passwd\"}",
		"{\"status\":\"success\",\"link\":\"https://h/a b.mp3\"}",
		"{\"status\":\"success\",\"link\":",
		"{\"error\":\"Too many requests\"}",
	};
	static const char ctl[] = "{\"status\":\"error\","
	    "\"message\":\"a\\nb\"}";
	char link[256], err[256];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_int_eq(zadarma_recording.link(bad[i], strlen(bad[i]),
		    link, sizeof(link), err, sizeof(err)), CB_EUPSTREAM);
	ck_assert_int_eq(zadarma_recording.link("", 0, link, sizeof(link),
	    err, sizeof(err)), CB_EUPSTREAM);
	/* The provider's words reach the admin, control bytes do not. */
	ck_assert_int_eq(zadarma_recording.link(ctl, strlen(ctl), link,
	    sizeof(link), err, sizeof(err)), CB_EUPSTREAM);
	ck_assert_str_eq(err, "zadarma: error: a b");
}
END_TEST

START_TEST(test_binotel_answer_url)
{
	static const char ok[] = "{\"status\":\"success\","
	    "\"url\":\"https://s3.binotel.ua/r/1.mp3?sig=abc\"}";
	static const char nf[] = "{\"status\":\"error\",\"code\":120,"
	    "\"message\":\"Call record does not exist\"}";
	static const char other[] = "{\"status\":\"error\",\"code\":1,"
	    "\"message\":\"Wrong key\"}";
	char url[256], err[256];

	ck_assert_int_eq(binotel_recording.link(ok, strlen(ok), url,
	    sizeof(url), err, sizeof(err)), CB_OK);
	ck_assert_str_eq(url, "https://s3.binotel.ua/r/1.mp3?sig=abc");
	ck_assert_int_eq(binotel_recording.link(nf, strlen(nf), url,
	    sizeof(url), err, sizeof(err)), CB_ENOTFOUND);
	ck_assert_int_eq(binotel_recording.link(other, strlen(other), url,
	    sizeof(url), err, sizeof(err)), CB_EUPSTREAM);
	ck_assert_ptr_nonnull(strstr(err, "Wrong key"));
}
END_TEST

START_TEST(test_ext_from_content_type_then_url_then_fallback)
{
	ck_assert_str_eq(recfetch_ext("https://h/x", "audio/mpeg", "wav"),
	    "mp3");
	ck_assert_str_eq(recfetch_ext("https://h/x.mp3",
	    "audio/x-wav; charset=binary", "mp3"), "wav");
	ck_assert_str_eq(recfetch_ext("https://h/a/REC.WAV?x=1#y",
	    "application/octet-stream", "mp3"), "wav");
	ck_assert_str_eq(recfetch_ext("https://h/get.php?f=a.wav", NULL,
	    "mp3"), "mp3");
	ck_assert_str_eq(recfetch_ext("https://h.wav", "", "ogg"), "ogg");
	ck_assert_str_eq(recfetch_ext("https://h/x.exe", "text/x-sh", "mp3"),
	    "mp3");
}
END_TEST

START_TEST(test_rel_path_shape)
{
	char out[64];

	ck_assert_int_eq(recfetch_rel_path("2024/06/04", 42, "mp3", out,
	    sizeof(out)), CB_OK);
	ck_assert_str_eq(out, "2024/06/04/42.mp3");
	ck_assert_int_eq(recfetch_rel_path("2024-06-04", 42, "mp3", out,
	    sizeof(out)), CB_EINVAL);
	ck_assert_int_eq(recfetch_rel_path("../../../x", 42, "mp3", out,
	    sizeof(out)), CB_EINVAL);
	ck_assert_int_eq(recfetch_rel_path("2024/06/04", 42, "../a", out,
	    sizeof(out)), CB_EINVAL);
	ck_assert_int_eq(recfetch_rel_path("2024/06/04", 42, "MP3", out,
	    sizeof(out)), CB_EINVAL);
	ck_assert_int_eq(recfetch_rel_path("2024/06/04", 0, "mp3", out,
	    sizeof(out)), CB_EINVAL);
}
END_TEST

START_TEST(test_retryable_results)
{
	ck_assert(recording_fetch_retryable(CB_EUPSTREAM));
	ck_assert(recording_fetch_retryable(CB_EDB));
	ck_assert(recording_fetch_retryable(CB_EIO));
	ck_assert(!recording_fetch_retryable(CB_OK));
	ck_assert(!recording_fetch_retryable(CB_EINVAL));
	ck_assert(!recording_fetch_retryable(CB_ENOTFOUND));
	ck_assert(!recording_fetch_retryable(CB_ETOOBIG));
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("recfetch");
	TCase *tc = tcase_create("pure");

	tcase_add_test(tc, test_zadarma_signature_vector_callback);
	tcase_add_test(tc,
	    test_zadarma_signature_vector_statistics_encodes_like_php);
	tcase_add_test(tc, test_zadarma_signature_vector_record_request);
	tcase_add_test(tc, test_zadarma_signature_vector_balance);
	tcase_add_test(tc, test_php_urlencode_rules);
	tcase_add_test(tc, test_zadarma_header_too_small_is_an_error);
	tcase_add_test(tc, test_relpath_accepts_ordinary_paths);
	tcase_add_test(tc, test_relpath_refuses_absolute_dotdot_and_odd_bytes);
	tcase_add_test(tc, test_join_url_encodes_each_segment);
	tcase_add_test(tc, test_join_url_refuses_bad_base_or_path);
	tcase_add_test(tc, test_api_base_https_or_loopback_only);
	tcase_add_test(tc, test_twilio_url_appends_mp3);
	tcase_add_test(tc, test_plan_twilio_basic_auth_over_https);
	tcase_add_test(tc, test_plan_twilio_no_credentials_in_clear_text);
	tcase_add_test(tc, test_plan_twilio_from_recording_sid);
	tcase_add_test(tc, test_plan_zadarma_signed_request_by_call_id);
	tcase_add_test(tc, test_plan_zadarma_by_pbx_call_id_and_api_base);
	tcase_add_test(tc, test_plan_zadarma_needs_secrets_and_safe_api_base);
	tcase_add_test(tc, test_plan_binotel_posts_key_secret_and_id);
	tcase_add_test(tc, test_plan_asterisk_relative_path_under_base);
	tcase_add_test(tc, test_plan_asterisk_refuses_unsafe_paths);
	tcase_add_test(tc, test_plan_generic_url_credentials_only_where_safe);
	tcase_add_test(tc, test_plan_unknown_kind_and_empty_reference);
	tcase_add_test(tc, test_zadarma_answer_link_and_links);
	tcase_add_test(tc, test_zadarma_answer_not_found_is_unavailable);
	tcase_add_test(tc, test_zadarma_answer_errors_are_upstream);
	tcase_add_test(tc, test_binotel_answer_url);
	tcase_add_test(tc, test_ext_from_content_type_then_url_then_fallback);
	tcase_add_test(tc, test_rel_path_shape);
	tcase_add_test(tc, test_retryable_results);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
