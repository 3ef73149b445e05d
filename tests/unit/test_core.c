/* Unit tests for lib/core and lib/http/escape: buffers, number parsing,
 * escaping by context, time zones, arena, config. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/conf.h"
#include "core/rand.h"
#include "core/strparse.h"
#include "core/timefmt.h"
#include "core/utf8.h"
#include "http/escape.h"

START_TEST(test_buf_cap_is_hard_and_sticky)
{
	struct buf b;

	buf_init(&b, 8);
	ck_assert_int_eq(buf_puts(&b, "12345678"), CB_OK);
	ck_assert_int_eq(buf_puts(&b, "9"), CB_ETOOBIG);
	ck_assert_int_eq(buf_puts(&b, ""), CB_ETOOBIG);
	ck_assert_uint_eq(b.len, 8);
	ck_assert_str_eq(buf_cstr(&b), "12345678");
	buf_reset(&b);
	ck_assert_int_eq(buf_printf(&b, "%d-%s", 42, "x"), CB_OK);
	ck_assert_str_eq(buf_cstr(&b), "42-x");
	buf_free(&b);
}
END_TEST

START_TEST(test_buf_digits_without_printf)
{
	static const int64_t v[] = { 0, 7, -7, 1234567890123LL, INT64_MAX,
	    INT64_MIN };
	char want[32], out[32];
	struct buf b;
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		buf_init(&b, 64);
		ck_assert_int_eq(buf_put_i64(&b, v[i]), CB_OK);
		snprintf(want, sizeof(want), "%lld", (long long)v[i]);
		ck_assert_str_eq(buf_cstr(&b), want);
		buf_free(&b);
	}
	*digits_put(out, 5, 4) = '\0';
	ck_assert_str_eq(out, "0005");
	*digits_put(out, 123456, 2) = '\0';
	ck_assert_str_eq(out, "123456");
	*digits_put(out, UINT64_MAX, 0) = '\0';
	ck_assert_str_eq(out, "18446744073709551615");
}
END_TEST

START_TEST(test_strparse_ranges)
{
	int64_t v;

	ck_assert_int_eq(strparse_i64z("42", 0, 100, &v), CB_OK);
	ck_assert_int_eq(v, 42);
	ck_assert_int_eq(strparse_i64z("-5", -10, 10, &v), CB_OK);
	ck_assert_int_eq(v, -5);
	ck_assert_int_eq(strparse_i64z("abc", 0, 100, &v), CB_EINVAL);
	ck_assert_int_eq(strparse_i64z("", 0, 100, &v), CB_EINVAL);
	ck_assert_int_eq(strparse_i64z("12a", 0, 100, &v), CB_EINVAL);
	ck_assert_int_eq(strparse_i64z(" 1", 0, 100, &v), CB_EINVAL);
	ck_assert_int_eq(strparse_i64z("101", 0, 100, &v), CB_EINVAL);
	ck_assert_int_eq(strparse_i64z("99999999999999999999", 0, INT64_MAX,
	    &v), CB_EINVAL);
	ck_assert_int_eq(strparse_i64z("9223372036854775807", 0, INT64_MAX,
	    &v), CB_OK);
	ck_assert_int_eq(strparse_i64z("-9223372036854775808", INT64_MIN, 0,
	    &v), CB_OK);
	ck_assert(v == INT64_MIN);
	ck_assert_int_eq(strparse_i64z("-", -1, 1, &v), CB_EINVAL);
}
END_TEST

static const char *
esc(enum cb_err (*fn)(struct buf *, const char *, size_t), const char *s)
{
	static char out[512];
	struct buf b;

	buf_init(&b, 400);
	fn(&b, s, strlen(s));
	snprintf(out, sizeof(out), "%s", buf_cstr(&b));
	buf_free(&b);
	return out;
}

START_TEST(test_escape_html_contexts)
{
	ck_assert_str_eq(esc(html_text, "<script>alert(1)</script>"),
	    "&lt;script&gt;alert(1)&lt;/script&gt;");
	ck_assert_str_eq(esc(html_attr, "\"><img src=x onerror=alert(1)>"),
	    "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;");
	ck_assert_str_eq(esc(html_attr, "it's & co"), "it&#39;s &amp; co");
	ck_assert_str_eq(esc(url_component, "+380 67/1?&="),
	    "%2B380%2067%2F1%3F%26%3D");
	ck_assert_str_eq(esc(json_string, "a\"b</script>\n"),
	    "a\\\"b\\u003c\\/script\\u003e\\n");
	ck_assert_str_eq(esc(log_field, "tok\r\nen\x01"),
	    "tok\\x0d\\x0aen\\x01");
}
END_TEST

START_TEST(test_url_is_safe_schemes)
{
	ck_assert(url_is_safe("/calls?x=1", 10));
	ck_assert(url_is_safe("https://a.example/", 18));
	ck_assert(url_is_safe("tel:+380671234567", 17));
	ck_assert(url_is_safe("sip:101@pbx", 11));
	ck_assert(!url_is_safe("javascript:alert(1)", 19));
	ck_assert(!url_is_safe("JaVaScRiPt:alert(1)", 19));
	ck_assert(!url_is_safe("data:text/html,x", 16));
	ck_assert(!url_is_safe("java\tscript:alert(1)", 20));
	ck_assert(!url_is_safe("vbscript:x", 10));
}
END_TEST

START_TEST(test_time_zones_round_trip)
{
	char out[32];

	ck_assert_int_eq(time_utc_to_local("2026-11-23 08:15:00.000",
	    "Europe/Kyiv", out, sizeof(out)), CB_OK);
	ck_assert_str_eq(out, "2026-11-23 10:15");
	ck_assert_int_eq(time_utc_to_local("2026-07-01 08:15:00",
	    "Europe/Kyiv", out, sizeof(out)), CB_OK);
	ck_assert_str_eq(out, "2026-07-01 11:15"); /* summer time */
	ck_assert_int_eq(time_local_to_utc("2026-11-23", "Europe/Kyiv", out,
	    sizeof(out)), CB_OK);
	ck_assert_str_eq(out, "2026-11-22 22:00:00");
	ck_assert_int_eq(time_local_to_utc("2026-11-23 14:30", "America/New_York",
	    out, sizeof(out)), CB_OK);
	ck_assert_str_eq(out, "2026-11-23 19:30:00");
	ck_assert_int_eq(time_local_to_utc("23.11.2026", "UTC", out,
	    sizeof(out)), CB_EINVAL);
	ck_assert_int_eq(time_local_to_utc("2026-13-01", "UTC", out,
	    sizeof(out)), CB_EINVAL);
	ck_assert_int_eq(time_local_to_utc("2026-02-31", "UTC", out,
	    sizeof(out)), CB_EINVAL);
	/* Digits at fixed places only (parse_dt). */
	{
		static const char *const bad[] = {
			"2026-11-2x", "+026-11-23", " 2026-11-23", "2026/11/23",
			"2026-11-23T08:15", "2026-11-23 08:1x", "2026-1-123",
			"2026-11-23 08:15:0", "2026-11-23 08-15:00", "",
		};
		size_t i;
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
			ck_assert_msg(time_utc_to_local(bad[i], "UTC", out,
			    sizeof(out)) == CB_EINVAL, "%s", bad[i]);
		ck_assert_int_eq(time_utc_to_local("2026-11-23 08:15", "UTC",
		    out, sizeof(out)), CB_OK);
		ck_assert_str_eq(out, "2026-11-23 08:15");
		ck_assert_int_eq(time_utc_to_local("2026-11-23", "UTC", out,
		    sizeof(out)), CB_OK);
		ck_assert_str_eq(out, "2026-11-23 00:00");
	}
	/* A hostile zone name falls back to UTC, never a file path. */
	ck_assert_int_eq(time_utc_to_local("2026-11-23 08:15:00",
	    "../../etc/passwd", out, sizeof(out)), CB_OK);
	ck_assert_str_eq(out, "2026-11-23 08:15");
	time_duration(65, out, sizeof(out));
	ck_assert_str_eq(out, "1:05");
	time_duration(3725, out, sizeof(out));
	ck_assert_str_eq(out, "1:02:05");
}
END_TEST

/* time_duration() and time_utc_to_local() write their digits by hand:
 * the same text as the snprintf() and strftime() they replaced. */
START_TEST(test_time_text_like_printf)
{
	static const long secs[] = {
		-5, 0, 1, 9, 59, 60, 61, 599, 600, 3599, 3600, 3601, 35999,
		36000, 86399, 86400, 864000, 9999999, 2147483647L,
	};
	static const char *const utc[] = {
		"1970-01-01 00:00:00", "2026-11-23 08:15:00.123",
		"2026-03-29 00:59:59", "2026-03-29 01:00:00",
		"2026-10-25 00:30:00", "2026-12-31 23:59:59",
		"9999-12-31 23:59:59",
	};
	static const char *const zones[] = {
		"UTC", "Europe/Kyiv", "America/New_York", "Asia/Kolkata",
		"Pacific/Kiritimati",
	};
	char got[32], want[32];
	size_t i, j, n;

	for (i = 0; i < sizeof(secs) / sizeof(secs[0]); i++) {
		long s = secs[i] < 0 ? 0 : secs[i];
		if (s >= 3600)
			snprintf(want, sizeof(want), "%ld:%02ld:%02ld",
			    s / 3600, s / 60 % 60, s % 60);
		else
			snprintf(want, sizeof(want), "%ld:%02ld", s / 60,
			    s % 60);
		time_duration(secs[i], got, sizeof(got));
		ck_assert_str_eq(got, want);
		for (n = 1; n < 6; n++) {   /* cut as snprintf cuts */
			char cut[8];
			size_t k = strlen(want) < n - 1 ? strlen(want) : n - 1;
			memcpy(cut, want, k);
			cut[k] = '\0';
			time_duration(secs[i], got, n);
			ck_assert_str_eq(got, cut);
		}
	}
	for (i = 0; i < sizeof(utc) / sizeof(utc[0]); i++)
		for (j = 0; j < sizeof(zones) / sizeof(zones[0]); j++) {
			struct tm tm;
			time_t t;
			ck_assert_int_eq(time_utc_to_local(utc[i], zones[j],
			    got, sizeof(got)), CB_OK);
			memset(&tm, 0, sizeof(tm));
			ck_assert_ptr_nonnull(strptime(utc[i],
			    "%Y-%m-%d %H:%M:%S", &tm));
			t = timegm(&tm);
			setenv("TZ", zones[j], 1);
			tzset();
			localtime_r(&t, &tm);
			strftime(want, sizeof(want), "%Y-%m-%d %H:%M", &tm);
			ck_assert_msg(strcmp(got, want) == 0, "%s in %s: %s, "
			    "strftime %s", utc[i], zones[j], got, want);
		}
	ck_assert_int_eq(time_utc_to_local(utc[1], "UTC", got, 16),
	    CB_ETOOBIG);
	ck_assert_int_eq(time_utc_to_local(utc[1], "UTC", got, 17), CB_OK);
}
END_TEST

static int cleaned;
static void
count_cleanup(void *p)
{
	cleaned += *(int *)p;
}

/* An arena array grows by doubling and keeps what it held. */
START_TEST(test_arena_grow_keeps_elements)
{
	struct arena *a = arena_new();
	size_t cap = 0, n;
	int64_t *v = NULL;

	for (n = 0; n < 1000; n++) {
		v = arena_grow(a, v, n, &cap, sizeof(*v));
		ck_assert_uint_gt(cap, n);
		v[n] = (int64_t)n * 7;
	}
	ck_assert_uint_eq(cap, 1024);
	for (n = 0; n < 1000; n++)
		ck_assert_int_eq(v[n], (int64_t)n * 7);
	/* Not full: the same array. */
	ck_assert_ptr_eq(arena_grow(a, v, 10, &cap, sizeof(*v)), v);
	arena_free(a);
}
END_TEST

START_TEST(test_arena_cleanups_and_large_allocs)
{
	struct arena *a = arena_new();
	static int one = 1;
	char *big;
	int i;

	for (i = 0; i < 1000; i++)
		ck_assert_ptr_nonnull(arena_alloc(a, 100));
	big = arena_alloc(a, 100000);
	memset(big, 'x', 100000);
	ck_assert_str_eq(arena_printf(a, "%s-%d", "a", 7), "a-7");
	arena_cleanup_add(a, count_cleanup, &one);
	arena_cleanup_add(a, count_cleanup, &one);
	arena_reset(a);
	ck_assert_int_eq(cleaned, 2);
	ck_assert_str_eq(arena_strdup(a, "again"), "again");
	arena_free(a);
}
END_TEST

START_TEST(test_rand_tokens_are_distinct)
{
	char a[RAND_TOKEN_LEN + 1], b[RAND_TOKEN_LEN + 1];

	ck_assert_int_eq(rand_token(a, sizeof(a)), CB_OK);
	ck_assert_int_eq(rand_token(b, sizeof(b)), CB_OK);
	ck_assert_uint_eq(strlen(a), RAND_TOKEN_LEN);
	ck_assert_str_ne(a, b);
	ck_assert_int_eq(rand_token(a, RAND_TOKEN_LEN), CB_EIO);
}
END_TEST

static const char *
write_tmp(const char *text)
{
	static char path[64];
	FILE *f;
	int fd;

	strcpy(path, "/tmp/cbconfXXXXXX");
	fd = mkstemp(path);
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

START_TEST(test_config_parses_and_reports_line)
{
	struct cb_config c;
	struct buf err;
	const char *p;

	buf_init(&err, 1024);
	p = write_tmp("# comment\n db_port = 3307 \ndb_user=cb\n"
	    "cookie_secure = 1\nlog_level = debug\n");
	ck_assert_int_eq(config_load(p, &c, &err), CB_OK);
	ck_assert_uint_eq(c.db_port, 3307);
	ck_assert_str_eq(c.db_user, "cb");
	ck_assert_int_eq(c.cookie_secure, 1);
	ck_assert_int_eq(c.log_level, LOGL_DEBUG);
	ck_assert_str_eq(c.db_name, "callboard"); /* default */
	ck_assert_int_eq(c.webhook_allow_private, 0); /* default: blocked */
	unlink(p);
	p = write_tmp("webhook_allow_private = yes\n");
	ck_assert_int_eq(config_load(p, &c, &err), CB_OK);
	ck_assert_int_eq(c.webhook_allow_private, 1);
	unlink(p);
	p = write_tmp("webhook_allow_private = no\n");
	ck_assert_int_eq(config_load(p, &c, &err), CB_OK);
	ck_assert_int_eq(c.webhook_allow_private, 0);
	unlink(p);
	p = write_tmp("webhook_allow_private = sure\n");
	ck_assert_int_eq(config_load(p, &c, &err), CB_EINVAL);
	unlink(p);
	buf_reset(&err);
	p = write_tmp("db_port = 3306\ndb_port = lots\n");
	ck_assert_int_eq(config_load(p, &c, &err), CB_EINVAL);
	ck_assert_ptr_nonnull(strstr(buf_cstr(&err), ":2: db_port"));
	unlink(p);
	buf_reset(&err);
	p = write_tmp("no_such_key = 1\n");
	ck_assert_int_eq(config_load(p, &c, &err), CB_EINVAL);
	ck_assert_ptr_nonnull(strstr(buf_cstr(&err), "unknown key"));
	unlink(p);
	buf_reset(&err);
	ck_assert_int_eq(config_load("/nonexistent/cb.conf", &c, &err), CB_EIO);
	buf_free(&err);
}
END_TEST

/* Several sites (issue 23): sites/<name>.conf beside the base file, read
 * over it; required and shared keys; names that cannot be sites. */
START_TEST(test_config_site)
{
	char dir[] = "/tmp/cbsitesXXXXXX", path[128];
	struct cb_config base, c;
	struct buf err;
	FILE *f;

	ck_assert(site_name_valid("acme"));
	ck_assert(site_name_valid("a-1"));
	ck_assert(site_name_valid("abcdefghijklmnopqrstuvwxyz012345"));   /* 32 */
	ck_assert(!site_name_valid("abcdefghijklmnopqrstuvwxyz0123456")); /* 33 */
	ck_assert(!site_name_valid(""));
	ck_assert(!site_name_valid(NULL));
	ck_assert(!site_name_valid("-a"));
	ck_assert(!site_name_valid("Acme"));
	ck_assert(!site_name_valid("../etc"));
	ck_assert(!site_name_valid("a/b"));
	ck_assert(!site_name_valid("a.conf"));

	buf_init(&err, 1024);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/callboard.conf", dir);
	f = fopen(path, "w");
	fputs("db_user = shared\npublic_url = http://base\nsites_max = 3\n", f);
	fclose(f);
	ck_assert_int_eq(config_load(path, &base, &err), CB_OK);
	ck_assert_str_eq(base.site, "");
	ck_assert_uint_eq(base.sites_max, 3);
	snprintf(path, sizeof(path), "%s/sites", dir);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/sites/acme.conf", dir);
	f = fopen(path, "w");
	fputs("db_name = cb_acme\nspool_dir = /s/acme\n"
	    "recordings_dir = /r/acme\npublic_url = http://acme\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/callboard.conf", dir);
	ck_assert_int_eq(config_load_site(path, &base, "acme", &c, &err),
	    CB_OK);
	ck_assert_str_eq(c.site, "acme");
	ck_assert_str_eq(c.db_name, "cb_acme");
	ck_assert_str_eq(c.public_url, "http://acme");
	ck_assert_str_eq(c.db_user, "shared");       /* from callboard.conf */
	ck_assert_str_eq(base.db_name, "callboard"); /* base untouched */

	buf_reset(&err);
	ck_assert_int_eq(config_load_site(path, &base, "nosuch", &c, &err),
	    CB_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(buf_cstr(&err), "sites/nosuch.conf"));
	buf_reset(&err);
	ck_assert_int_eq(config_load_site(path, &base, "../x", &c, &err),
	    CB_EINVAL);

	/* A site file without its own database or folders is refused. */
	snprintf(path, sizeof(path), "%s/sites/lazy.conf", dir);
	f = fopen(path, "w");
	fputs("db_name = cb_lazy\nspool_dir = /s/lazy\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/callboard.conf", dir);
	buf_reset(&err);
	ck_assert_int_eq(config_load_site(path, &base, "lazy", &c, &err),
	    CB_EINVAL);
	ck_assert_ptr_nonnull(strstr(buf_cstr(&err), "recordings_dir is missing"));
	/* ...and so is a key every site shares. */
	snprintf(path, sizeof(path), "%s/sites/greedy.conf", dir);
	f = fopen(path, "w");
	fputs("db_name = g\nspool_dir = /s\nrecordings_dir = /r\n"
	    "templates_dir = /elsewhere\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/callboard.conf", dir);
	buf_reset(&err);
	ck_assert_int_eq(config_load_site(path, &base, "greedy", &c, &err),
	    CB_EINVAL);
	ck_assert_ptr_nonnull(strstr(buf_cstr(&err), "templates_dir: shared"));

	/* sites_dir moves the folder. */
	snprintf(base.sites_dir, sizeof(base.sites_dir), "%s/sites", dir);
	buf_reset(&err);
	ck_assert_int_eq(config_load_site("/nowhere/callboard.conf", &base,
	    "acme", &c, &err), CB_OK);
	ck_assert_str_eq(c.db_name, "cb_acme");

	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(path), 0);
	buf_free(&err);
}
END_TEST

START_TEST(test_utf8_strict)
{
	ck_assert_int_eq(utf8_chars("abc", 3), 3);
	ck_assert_int_eq(utf8_chars("\xd0\x9a\xd0\xb8\xd1\x97\xd0\xb2", 8), 4);
	ck_assert_int_eq(utf8_chars("\xf0\x9f\x93\x9e", 4), 1);
	ck_assert_int_eq(utf8_chars("\xc0\xaf", 2), -1);      /* overlong */
	ck_assert_int_eq(utf8_chars("\xed\xa0\x80", 3), -1); /* surrogate */
	ck_assert_int_eq(utf8_chars("\xf4\x90\x80\x80", 4), -1); /* > U+10FFFF */
	ck_assert_int_eq(utf8_chars("\xe2\x82", 2), -1);      /* truncated */
	ck_assert(!utf8_valid("\xff", 1));
	ck_assert(utf8_valid("", 0));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("core");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_buf_cap_is_hard_and_sticky);
	tcase_add_test(tc, test_buf_digits_without_printf);
	tcase_add_test(tc, test_strparse_ranges);
	tcase_add_test(tc, test_escape_html_contexts);
	tcase_add_test(tc, test_url_is_safe_schemes);
	tcase_add_test(tc, test_time_zones_round_trip);
	tcase_add_test(tc, test_time_text_like_printf);
	tcase_add_test(tc, test_arena_cleanups_and_large_allocs);
	tcase_add_test(tc, test_arena_grow_keeps_elements);
	tcase_add_test(tc, test_rand_tokens_are_distinct);
	tcase_add_test(tc, test_config_parses_and_reports_line);
	tcase_add_test(tc, test_config_site);
	tcase_add_test(tc, test_utf8_strict);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
