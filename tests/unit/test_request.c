/* Unit tests for the request parsers (lib/http/request.c): forms, query
 * strings, cookies, JSON bodies, negotiation, body limits; and the
 * response's FastCGI records (lib/http/fcgi_out.c). */
#include "config.h"

#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

/* envp is char ** (as libfcgi gives it); our literals are const. */
#define S(x) ((char *)(x))

#include "core/arena.h"
#include "http/csv.h"
#include "http/fcgi_out.h"
#include "http/form.h"
#include "http/request.h"

static struct arena *a;

static void
setup(void)
{
	a = arena_new();
}

static void
teardown(void)
{
	arena_free(a);
}

static enum cb_err
form(const char *s, struct kvlist *l, const char **why)
{
	return http_parse_urlencoded(a, s, strlen(s), l, why);
}

START_TEST(test_form_decodes_plus_and_percent)
{
	struct kvlist l;
	const char *why = NULL;

	ck_assert_int_eq(form("From=%2B380+67&To=101&empty=&flag", &l, &why),
	    CB_OK);
	ck_assert_uint_eq(l.n, 4);
	ck_assert_str_eq(kv_get(&l, "From"), "+380 67");
	ck_assert_str_eq(kv_get(&l, "To"), "101");
	ck_assert_str_eq(kv_get(&l, "empty"), "");
	ck_assert_str_eq(kv_get(&l, "flag"), "");
	ck_assert_ptr_null(kv_get(&l, "missing"));
}
END_TEST

START_TEST(test_form_skips_empty_pairs_and_names)
{
	struct kvlist l;
	const char *why = NULL;

	ck_assert_int_eq(form("&&=x&a=1&", &l, &why), CB_OK);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(kv_get(&l, "a"), "1");
}
END_TEST

START_TEST(test_form_rejects_bad_escape)
{
	struct kvlist l;
	const char *why = NULL;

	ck_assert_int_eq(form("a=%zz", &l, &why), CB_EINVAL);
	ck_assert_ptr_nonnull(why);
	ck_assert_int_eq(form("a=%4", &l, &why), CB_EINVAL);
	ck_assert_int_eq(form("a=%", &l, &why), CB_EINVAL);
}
END_TEST

START_TEST(test_form_rejects_embedded_nul)
{
	struct kvlist l;
	const char *why = NULL;

	ck_assert_int_eq(form("a=x%00y", &l, &why), CB_EINVAL);
	ck_assert_str_eq(why, "NUL byte in a value");
	ck_assert_int_eq(form("a%00=1", &l, &why), CB_EINVAL);
}
END_TEST

/* Issue 15 §2.1: a Binotel completed call carries ~7 fields per phone
 * that rang; 60 phones passed the old 256-field cap. Requests are limited
 * by bytes; the count is whatever the bytes hold. */
START_TEST(test_form_has_no_field_count_cap)
{
	struct kvlist l;
	const char *why = NULL;
	static char s[60 * 7 * 64];
	size_t o = 0;
	int i, f;
	char key[96];

	for (i = 0; i < 60; i++)
		for (f = 0; f < 7; f++)
			o += (size_t)snprintf(s + o, sizeof(s) - o,
			    "callDetails%%5BhistoryData%%5D%%5B%d%%5D%%5Bf%d%%5D="
			    "%d&", i, f, i * 10 + f);
	ck_assert_int_eq(form(s, &l, &why), CB_OK);
	ck_assert_uint_eq(l.n, 420);
	ck_assert_ptr_nonnull(l.byname);
	for (i = 0; i < 60; i++)
		for (f = 0; f < 7; f++) {
			char want[16];
			snprintf(key, sizeof(key),
			    "callDetails[historyData][%d][f%d]", i, f);
			snprintf(want, sizeof(want), "%d", i * 10 + f);
			ck_assert_str_eq(kv_get(&l, key), want);
		}
	ck_assert_ptr_null(kv_get(&l, "callDetails[historyData][60][f0]"));
}
END_TEST

/* kv_get() gives the first of repeated names, indexed or not. */
START_TEST(test_form_index_keeps_first_of_repeated)
{
	struct kvlist l;
	const char *why = NULL;
	char s[2000];
	size_t o = 0;
	int i;

	for (i = 0; i < 100; i++)
		o += (size_t)snprintf(s + o, sizeof(s) - o, "k%d=%d&dup=%d&",
		    i % 7, i, i);
	ck_assert_int_eq(form(s, &l, &why), CB_OK);
	ck_assert_ptr_nonnull(l.byname);
	ck_assert_str_eq(kv_get(&l, "dup"), "0");
	ck_assert_str_eq(kv_get(&l, "k3"), "3");
	ck_assert_str_eq(kv_get(&l, "k6"), "6");
	ck_assert_ptr_null(kv_get(&l, "k7"));
	ck_assert_ptr_null(kv_get(&l, ""));
	ck_assert_int_eq(form("dup=1&dup=2", &l, &why), CB_OK);
	ck_assert_ptr_null(l.byname);
	ck_assert_str_eq(kv_get(&l, "dup"), "1");
}
END_TEST

static enum cb_err
mp(const char *ct, const char *s, struct kvlist *l, const char **why)
{
	return http_parse_multipart(a, ct, s, strlen(s), l, why);
}

/* What PHP's curl sends for CURLOPT_POSTFIELDS given an array (Zadarma's
 * notifications), and what browsers send. */
START_TEST(test_multipart_fields_like_urlencoded)
{
	struct kvlist l;
	const char *why = NULL;
	const char *body =
	    "preamble\r\n"
	    "--------------------------d74496d66958873e\r\n"
	    "Content-Disposition: form-data; name=\"event\"\r\n\r\n"
	    "NOTIFY_START\r\n"
	    "--------------------------d74496d66958873e\r\n"
	    "content-disposition: form-data; name=\"caller_id\"\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n\r\n"
	    "+380 67 123\r\n"
	    "--------------------------d74496d66958873e\r\n"
	    "Content-Disposition: form-data; name=\"empty\"\r\n\r\n"
	    "\r\n"
	    "--------------------------d74496d66958873e\r\n"
	    "Content-Disposition: form-data; name=\"multi\"\r\n\r\n"
	    "line1\r\nline2\r\n"
	    "--------------------------d74496d66958873e\r\n"
	    "Content-Disposition: form-data; name=\"up\"; filename=\"a.txt\"\r\n"
	    "\r\nfile bytes\r\n"
	    "--------------------------d74496d66958873e--\r\nepilogue";

	ck_assert_int_eq(mp("multipart/form-data; boundary="
	    "------------------------d74496d66958873e", body, &l, &why), CB_OK);
	ck_assert_uint_eq(l.n, 4);
	ck_assert_str_eq(kv_get(&l, "event"), "NOTIFY_START");
	ck_assert_str_eq(kv_get(&l, "caller_id"), "+380 67 123");
	ck_assert_str_eq(kv_get(&l, "empty"), "");
	ck_assert_str_eq(kv_get(&l, "multi"), "line1\r\nline2");
	ck_assert_ptr_null(kv_get(&l, "up"));
	/* A quoted boundary, the body opening with it, no preamble. */
	ck_assert_int_eq(mp("Multipart/Form-Data; charset=utf-8; "
	    "boundary=\"a b:c\"", "--a b:c\r\nContent-Disposition: "
	    "form-data; name=x\r\n\r\n1\r\n--a b:c--", &l, &why), CB_OK);
	ck_assert_str_eq(kv_get(&l, "x"), "1");
}
END_TEST

START_TEST(test_multipart_refuses_malformed)
{
	struct kvlist l;
	const char *why = NULL;
	const char *ok = "--b\r\nContent-Disposition: form-data; name=x\r\n"
	    "\r\n1\r\n--b--";

	ck_assert_int_eq(mp("multipart/form-data", ok, &l, &why), CB_EINVAL);
	ck_assert_str_eq(why, "multipart body without a valid boundary "
	    "parameter");
	ck_assert_int_eq(mp("multipart/form-data; boundary=", ok, &l, &why),
	    CB_EINVAL);
	ck_assert_int_eq(mp("multipart/form-data; boundary=\"b\r\n\"", ok, &l,
	    &why), CB_EINVAL);
	ck_assert_int_eq(mp("multipart/form-data; boundary=zz", ok, &l, &why),
	    CB_EINVAL);
	ck_assert_str_eq(why, "multipart body without its boundary");
	ck_assert_int_eq(mp("multipart/form-data; boundary=b",
	    "--b\r\nContent-Disposition: form-data; name=x\r\n\r\n1", &l,
	    &why), CB_EINVAL);
	ck_assert_str_eq(why, "multipart body ends without its closing "
	    "boundary");
	ck_assert_int_eq(mp("multipart/form-data; boundary=b",
	    "--b\r\nContent-Disposition: form-data; name=x\r\n", &l, &why),
	    CB_EINVAL);
	ck_assert_int_eq(mp("multipart/form-data; boundary=b",
	    "--bX\r\n\r\n1\r\n--b--", &l, &why), CB_EINVAL);
	ck_assert_str_eq(why, "malformed multipart boundary line");
	{
		static const char nul[] = "--b\r\nContent-Disposition: "
		    "form-data; name=x\r\n\r\n1\0002\r\n--b--";
		ck_assert_int_eq(http_parse_multipart(a,
		    "multipart/form-data; boundary=b", nul, sizeof(nul) - 1,
		    &l, &why), CB_EINVAL);
		ck_assert_str_eq(why, "NUL byte in a value");
	}
}
END_TEST

/* The front line and the spool replay read a body by its Content-Type
 * through one function. */
START_TEST(test_parse_body_by_content_type)
{
	struct kvlist l;
	struct json_object *j;
	const char *why = NULL;

	ck_assert_int_eq(http_parse_body(a, "application/x-www-form-urlencoded"
	    "; charset=UTF-8", "a=1", 3, &l, &j, &why), CB_OK);
	ck_assert_str_eq(kv_get(&l, "a"), "1");
	ck_assert_ptr_null(j);
	ck_assert_int_eq(http_parse_body(a, "multipart/form-data; boundary=b",
	    "--b\r\nContent-Disposition: form-data; name=a\r\n\r\n2\r\n--b--",
	    55, &l, &j, &why), CB_OK);
	ck_assert_str_eq(kv_get(&l, "a"), "2");
	ck_assert_int_eq(http_parse_body(a, "application/json", "{\"a\":3}", 7,
	    &l, &j, &why), CB_OK);
	ck_assert_ptr_nonnull(j);
	ck_assert_uint_eq(l.n, 0);
	ck_assert_int_eq(http_parse_body(a, "text/plain", "a=1", 3, &l, &j,
	    &why), CB_OK);
	ck_assert_uint_eq(l.n, 0);
	ck_assert_ptr_null(j);
	ck_assert(http_media_is_form("multipart/form-data"));
	ck_assert(http_media_is_form("application/x-www-form-urlencoded"));
	ck_assert(!http_media_is_form("multipart/mixed"));
	ck_assert(!http_media_is_form(NULL));
}
END_TEST

START_TEST(test_cookies_trim_and_split)
{
	struct kvlist l;
	const char *why = NULL;
	const char *h = " cb_session=abc ; theme=dark;junk; =x; cb_csrf=t=1";

	ck_assert_int_eq(http_parse_cookies(a, h, strlen(h), &l, &why), CB_OK);
	ck_assert_str_eq(kv_get(&l, "cb_session"), "abc");
	ck_assert_str_eq(kv_get(&l, "theme"), "dark");
	ck_assert_str_eq(kv_get(&l, "cb_csrf"), "t=1");
	ck_assert_uint_eq(l.n, 3);
}
END_TEST

START_TEST(test_json_valid_and_invalid)
{
	struct json_object *o;
	const char *why = NULL;
	const char *ok = "{\"event\":\"ringing\",\"n\":[1,2]}";
	char deep[200];
	int i;

	ck_assert_int_eq(http_parse_json(a, ok, strlen(ok), &o, &why), CB_OK);
	ck_assert(json_object_is_type(o, json_type_object));
	ck_assert_int_eq(http_parse_json(a, "{\"a\":", 5, &o, &why), CB_EINVAL);
	ck_assert_str_eq(why, "truncated JSON");
	ck_assert_int_eq(http_parse_json(a, "{} x", 4, &o, &why), CB_EINVAL);
	ck_assert_int_eq(http_parse_json(a, "{a:1}", 5, &o, &why), CB_EINVAL);
	for (i = 0; i < 100; i++)
		deep[i] = '[';
	for (; i < 200; i++)
		deep[i] = ']';
	ck_assert_int_eq(http_parse_json(a, deep, 200, &o, &why), CB_EINVAL);
}
END_TEST

/* One cell as csv_cell() writes it, as a C string. */
static const char *
cell(char *out, size_t outsz, const char *s, char sep, bool last)
{
	struct buf b;

	buf_init(&b, 64);
	csv_cell(&b, s, sep, last);
	ck_assert_int_eq(b.err, CB_OK);
	ck_assert_uint_lt(b.len, outsz);
	memcpy(out, b.p, b.len);
	out[b.len] = '\0';
	buf_free(&b);
	return out;
}

#define ZWSP "\xE2\x80\x8B"

START_TEST(test_csv_cells)
{
	char o[256];

	/* plain text, as it is: the fast path */
	ck_assert_str_eq(cell(o, sizeof o, "Olena", ',', false), "Olena,");
	ck_assert_str_eq(cell(o, sizeof o, "12345", ';', true), "12345\r\n");
	ck_assert_str_eq(cell(o, sizeof o, NULL, ',', false), ",");
	ck_assert_str_eq(cell(o, sizeof o, "", ';', true), "\r\n");
	ck_assert_str_eq(cell(o, sizeof o, "Київ 1", ',', false), "Київ 1,");
	/* a formula's first character: defused, whichever path */
	ck_assert_str_eq(cell(o, sizeof o, "+380671234567", ',', false),
	    ZWSP "+380671234567,");
	ck_assert_str_eq(cell(o, sizeof o, "=SUM(A1)", ';', false),
	    ZWSP "=SUM(A1);");
	ck_assert_str_eq(cell(o, sizeof o, "-", ',', false), ZWSP "-,");
	/* the separator, a quote or a line break: quoted, quotes doubled */
	ck_assert_str_eq(cell(o, sizeof o, "a,b", ',', false), "\"a,b\",");
	ck_assert_str_eq(cell(o, sizeof o, "say \"hi\"", ';', false),
	    "\"say \"\"hi\"\"\";");
	ck_assert_str_eq(cell(o, sizeof o, "l1\nl2", ',', true),
	    "\"l1\nl2\"\r\n");
	/* the other separator: not quoted, but no formula after it */
	ck_assert_str_eq(cell(o, sizeof o, "a;b", ',', false), "a;b,");
	ck_assert_str_eq(cell(o, sizeof o, "a,=1", ';', false), "a," ZWSP "=1;");
	ck_assert_str_eq(cell(o, sizeof o, "x\t@y", ',', false),
	    "x\t" ZWSP "@y,");
	ck_assert_str_eq(cell(o, sizeof o, "x\n+1", ';', false),
	    "\"x\n" ZWSP "+1\";");
}
END_TEST

START_TEST(test_negotiation)
{
	ck_assert_int_eq(http_negotiate("json", "text/html"), WANT_JSON);
	ck_assert_int_eq(http_negotiate("csv", NULL), WANT_CSV);
	ck_assert_int_eq(http_negotiate(NULL, "application/json"), WANT_JSON);
	ck_assert_int_eq(http_negotiate(NULL,
	    "text/html,application/xhtml+xml,application/json;q=0.9"),
	    WANT_HTML);
	ck_assert_int_eq(http_negotiate(NULL, NULL), WANT_HTML);
}
END_TEST

struct src {
	const char *p;
	size_t n, off;
};

static long
reader(void *ctx, char *buf, size_t n)
{
	struct src *s = ctx;
	size_t k = s->n - s->off < n ? s->n - s->off : n;

	memcpy(buf, s->p + s->off, k);
	s->off += k;
	return (long)k;
}

START_TEST(test_request_read_form_body_and_limits)
{
	char *env[] = {
		S("REQUEST_METHOD=POST"), S("DOCUMENT_URI=/login"),
		S("QUERY_STRING=next=%2Fcalls"),
		S("CONTENT_TYPE=application/x-www-form-urlencoded; charset=UTF-8"),
		S("CONTENT_LENGTH=17"), S("HTTP_COOKIE=cb_csrf=abc"),
		S("HTTP_X_TWILIO_SIGNATURE=sig"), NULL
	};
	struct src s = { "login=a&password=", 17, 0 };
	struct http_request req;

	ck_assert_int_eq(http_request_read(&req, a, env, reader, &s, 1024),
	    CB_OK);
	ck_assert_int_eq(req.method, HTTP_POST);
	ck_assert_str_eq(req.path, "/login");
	ck_assert_str_eq(req.content_type,
	    "application/x-www-form-urlencoded");
	ck_assert_str_eq(kv_get(&req.form, "login"), "a");
	ck_assert_str_eq(kv_get(&req.query, "next"), "/calls");
	ck_assert_str_eq(kv_get(&req.cookies, "cb_csrf"), "abc");
	ck_assert_str_eq(http_header(&req, "X-Twilio-Signature"), "sig");

	s.off = 0;
	ck_assert_int_eq(http_request_read(&req, a, env, reader, &s, 16),
	    CB_ETOOBIG);
}
END_TEST

START_TEST(test_request_read_short_body_and_bad_length)
{
	char *env[] = { S("REQUEST_METHOD=POST"), S("CONTENT_LENGTH=50"),
		S("CONTENT_TYPE=application/json"), NULL };
	char *env2[] = { S("REQUEST_METHOD=POST"), S("CONTENT_LENGTH=-1"), NULL };
	struct src s = { "{}", 2, 0 };
	struct http_request req;

	ck_assert_int_eq(http_request_read(&req, a, env, reader, &s, 1024),
	    CB_EINVAL);
	ck_assert_int_eq(http_request_read(&req, a, env2, reader, &s, 1024),
	    CB_EINVAL);
	ck_assert_str_eq(req.error, "bad Content-Length");
}
END_TEST

/* lib/http/form.c: the field rules every form page shares. */
START_TEST(test_form_field_rules)
{
	char big[FORM_URL_MAX + 2];

	ck_assert_str_eq(form_trim(a, " \t name \r\n"), "name");
	ck_assert_str_eq(form_trim(a, "   "), "");
	ck_assert_str_eq(form_trim(a, NULL), "");
	ck_assert_ptr_null(form_text_error(a, "Kyiv", 10, false,
	    &form_text_name, NULL));
	ck_assert_ptr_null(form_text_error(a, "", 10, true, &form_text_name,
	    NULL));
	ck_assert_str_eq(form_text_error(a, "", 10, false, &form_text_name,
	    NULL), "Enter the name.");
	/* Characters, not bytes: four Cyrillic letters are 8 bytes. */
	ck_assert_ptr_null(form_text_error(a, "\xd0\x9a\xd0\xb8\xd1\x97"
	    "\xd0\xb2", 4, false, &form_text_name, NULL));
	ck_assert_str_eq(form_text_error(a, "Kyiv!", 4, false, &form_text_name,
	    NULL), "The name is at most 4 characters.");
	ck_assert_str_eq(form_text_error(a, "\xff", 4, false, &form_text_name,
	    NULL), "The name is not valid text.");
	/* A provider's label inside the sentence. */
	ck_assert_str_eq(form_text_error(a, "", 4, false, &form_text_any,
	    "API token"), "Enter the API token.");
	ck_assert_str_eq(form_text_error(a, "Kyiv!", 4, false, &form_text_any,
	    "Sender name"), "The Sender name is at most 4 characters.");
	ck_assert(form_zone_valid("UTC"));
	ck_assert(form_zone_valid("Europe/Kyiv"));
	ck_assert(!form_zone_valid("Mars/Olympus"));
	ck_assert(!form_zone_valid("../../etc/passwd"));
	ck_assert(!form_zone_valid("/etc/localtime"));
	ck_assert(!form_zone_valid("Europe"));     /* a directory */
	ck_assert(!form_zone_valid(""));
	ck_assert(form_http_url_valid("https://crm.example.com/hook?x=1"));
	ck_assert(form_http_url_valid("http://10.0.0.5:8080/"));
	ck_assert(!form_http_url_valid("ftp://crm.example.com/"));
	ck_assert(!form_http_url_valid("https:///path"));
	ck_assert(!form_http_url_valid("https://a b/"));
	ck_assert(!form_http_url_valid("https://a/\x7f"));
	ck_assert(!form_http_url_valid("javascript:alert(1)"));
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "https://", 8);
	ck_assert(!form_http_url_valid(big));
	big[FORM_URL_MAX] = '\0';
	ck_assert(form_http_url_valid(big));
}
END_TEST

/* fcgi_out_write(): head and body as FCGI_STDOUT records of at most 65535
 * bytes with the request's id, in order, across the two parts. A child
 * writes (a socket buffer holds less than the 150 KB), the parent reads. */
START_TEST(test_fcgi_out_records)
{
	static const size_t alen = 300, blen = 150000;
	char *a_ = malloc(alen), *b_ = malloc(blen), *got = malloc(alen + blen);
	size_t i, n = 0, records = 0;
	unsigned char h[8];
	int sv[2], status;
	pid_t pid;

	for (i = 0; i < alen; i++)
		a_[i] = (char)('a' + i % 26);
	for (i = 0; i < blen; i++)
		b_[i] = (char)('0' + i % 10);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	if ((pid = fork()) == 0) {
		FCGX_Request fr;
		memset(&fr, 0, sizeof(fr));
		fr.requestId = 0x1234;
		fr.ipcFd = sv[0];
		fr.keepConnection = 1;
		close(sv[1]);
		_exit(fcgi_out_write(&fr, a_, alen, b_, blen) == CB_OK &&
		    fr.keepConnection ? 0 : 1);
	}
	close(sv[0]);
	for (;;) {
		size_t len, got_len = 0;
		ssize_t r = recv(sv[1], h, sizeof(h), MSG_WAITALL);
		if (r == 0)
			break;
		ck_assert_int_eq(r, 8);
		ck_assert_int_eq(h[0], 1);              /* version */
		ck_assert_int_eq(h[1], 6);              /* FCGI_STDOUT */
		ck_assert_int_eq(h[2] << 8 | h[3], 0x1234);
		ck_assert_int_eq(h[6], 0);              /* no padding */
		len = (size_t)(h[4] << 8 | h[5]);
		ck_assert_uint_gt(len, 0);
		ck_assert_uint_le(n + len, alen + blen);
		while (got_len < len) {
			r = recv(sv[1], got + n + got_len, len - got_len, 0);
			ck_assert_int_gt(r, 0);
			got_len += (size_t)r;
		}
		n += len;
		records++;
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert_uint_eq(n, alen + blen);
	ck_assert_uint_eq(records, 3);              /* 150,300 / 65,535 */
	ck_assert(memcmp(got, a_, alen) == 0);
	ck_assert(memcmp(got + alen, b_, blen) == 0);
	close(sv[1]);
	free(a_);
	free(b_);
	free(got);
}
END_TEST

/* A peer that is gone: CB_EIO, and the connection is not kept. */
START_TEST(test_fcgi_out_peer_gone)
{
	FCGX_Request fr;
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	close(sv[1]);
	memset(&fr, 0, sizeof(fr));
	fr.ipcFd = sv[0];
	fr.keepConnection = 1;
	signal(SIGPIPE, SIG_IGN);
	ck_assert_int_eq(fcgi_out_write(&fr, "x", 1, NULL, 0), CB_EIO);
	ck_assert_int_eq(fr.keepConnection, 0);
	close(sv[0]);
}
END_TEST

/* fcgi_out_finish() through a real libfcgi request (nginx's side played
 * here): the response, then the stream's end (an empty FCGI_STDOUT) and
 * FCGI_END_REQUEST, each once, in that order, and nothing more after
 * FCGX_Finish_r() (which would otherwise write the end records again). No
 * FCGI_STDERR record: nothing was written to it. */
START_TEST(test_fcgi_out_finish_ends_request_once)
{
	static const unsigned char begin[] = {
		1, 1, 0, 1, 0, 8, 0, 0,   /* FCGI_BEGIN_REQUEST, id 1 */
		0, 1, 1, 0, 0, 0, 0, 0,   /* responder, FCGI_KEEP_CONN */
		1, 4, 0, 1, 0, 0, 0, 0,   /* empty FCGI_PARAMS */
		1, 5, 0, 1, 0, 0, 0, 0    /* empty FCGI_STDIN */
	};
	struct sockaddr_un sa;
	unsigned char buf[512], types[8];
	size_t lens[8], got = 0, off = 0, nrec = 0;
	int lfd, fd, status;
	ssize_t r;
	pid_t pid;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "/tmp/cb-fcgi-out-%ld.sock",
	    (long)getpid());
	unlink(sa.sun_path);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_ge(lfd, 0);
	ck_assert_int_eq(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(lfd, 1), 0);
	if ((pid = fork()) == 0) {
		FCGX_Request fr;
		enum cb_err rc;

		if (FCGX_Init() != 0 || FCGX_InitRequest(&fr, lfd, 0) != 0 ||
		    FCGX_Accept_r(&fr) < 0)
			_exit(2);
		rc = fcgi_out_finish(&fr, "Status: 200 OK\r\n\r\n", 18,
		    "body", 4);
		FCGX_Finish_r(&fr);
		_exit(rc == CB_OK ? 0 : 1);
	}
	close(lfd);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(write(fd, begin, sizeof(begin)), (ssize_t)sizeof(begin));
	while ((r = read(fd, buf + got, sizeof(buf) - got)) > 0)
		got += (size_t)r;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(fd);
	unlink(sa.sun_path);
	while (off + 8 <= got && nrec < 8) {
		size_t len = (size_t)(buf[off + 4] << 8 | buf[off + 5]);

		ck_assert_int_eq(buf[off + 2] << 8 | buf[off + 3], 1);
		types[nrec] = buf[off + 1];
		lens[nrec++] = len;
		if (len == 22) /* the response: head and body in one record */
			ck_assert(memcmp(buf + off + 8,
			    "Status: 200 OK\r\n\r\nbody", 22) == 0);
		off += 8 + len + buf[off + 6];
	}
	ck_assert_uint_eq(off, got);                /* nothing left over */
	ck_assert_uint_eq(nrec, 3);
	ck_assert_int_eq(types[0], 6);              /* FCGI_STDOUT */
	ck_assert_uint_eq(lens[0], 22);
	ck_assert_int_eq(types[1], 6);              /* its end */
	ck_assert_uint_eq(lens[1], 0);
	ck_assert_int_eq(types[2], 3);              /* FCGI_END_REQUEST */
	ck_assert_uint_eq(lens[2], 8);
	ck_assert_int_eq(buf[got - 4], 0);          /* FCGI_REQUEST_COMPLETE */
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("request");
	TCase *tc = tcase_create("request");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_form_decodes_plus_and_percent);
	tcase_add_test(tc, test_form_skips_empty_pairs_and_names);
	tcase_add_test(tc, test_form_rejects_bad_escape);
	tcase_add_test(tc, test_form_rejects_embedded_nul);
	tcase_add_test(tc, test_form_has_no_field_count_cap);
	tcase_add_test(tc, test_form_index_keeps_first_of_repeated);
	tcase_add_test(tc, test_multipart_fields_like_urlencoded);
	tcase_add_test(tc, test_multipart_refuses_malformed);
	tcase_add_test(tc, test_parse_body_by_content_type);
	tcase_add_test(tc, test_cookies_trim_and_split);
	tcase_add_test(tc, test_json_valid_and_invalid);
	tcase_add_test(tc, test_negotiation);
	tcase_add_test(tc, test_csv_cells);
	tcase_add_test(tc, test_fcgi_out_finish_ends_request_once);
	tcase_add_test(tc, test_request_read_form_body_and_limits);
	tcase_add_test(tc, test_request_read_short_body_and_bad_length);
	tcase_add_test(tc, test_form_field_rules);
	tcase_add_test(tc, test_fcgi_out_records);
	tcase_add_test(tc, test_fcgi_out_peer_gone);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
