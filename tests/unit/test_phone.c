#include "config.h"

/* Unit tests for lib/phone: phone_normalize() across formats and countries
 * (the examples in STACK-NOTES.md among them), the digits-only fallback,
 * extensions, identities that are not numbers, caps and buffer sizes.
 * Data-driven: one table per behaviour, each row its own loop test, so a
 * failure names the row. */

/* dup()/dup2()/fileno() for the stdout test, clock_gettime() and
 * getrusage() for the cost test; the autoconf config.h
 * defines _GNU_SOURCE, a bare scratch build needs this. */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>

#include "phone/geo.h"
#include "phone/phone.h"

struct ncase {
	const char *in;
	const char *region;
	enum phone_kind kind;
	const char *out;
};

#define E164(in, rg, out)	{ in, rg, PHONE_E164, out }
#define EXT(in, rg, out)	{ in, rg, PHONE_EXTENSION, out }
#define DIGITS(in, rg, out)	{ in, rg, PHONE_DIGITS, out }
#define INVALID(in, rg)		{ in, rg, PHONE_INVALID, "" }

/* STACK-NOTES.md, "libphonenumber from C (checked here)". */
static const struct ncase stack_notes[] = {
	E164("067 123 45 67", "UA", "+380671234567"),
	E164("+380 (67) 123-45-67", "UA", "+380671234567"),
	E164("380671234567", "UA", "+380671234567"),
	E164("8 (912) 345-67-89", "RU", "+79123456789"),
	E164("611 22 33 44", "ES", "+34611223344"),
	E164("601 234 567", "PL", "+48601234567"),
	E164("(415) 555-2671", "US", "+14155552671"),
	E164("0044 20 7946 0958", "PL", "+442079460958"),
	INVALID("abc", "UA"),
	EXT("101", "UA", "101"),
};

static const struct ncase ua[] = {
	E164("0671234567", "UA", "+380671234567"),
	E164("+380671234567", "UA", "+380671234567"),
	E164("+38 (067) 123-45-67", "UA", "+380671234567"),
	E164("067.123.45.67", "UA", "+380671234567"),
	E164("067/123/45/67", "UA", "+380671234567"),
	E164("00380671234567", "UA", "+380671234567"),
	E164("  +380671234567  ", "UA", "+380671234567"),
	E164("\t+380671234567\r\n", "UA", "+380671234567"),
	/* UTF-8 no-break spaces and an en dash, as pasted from a web page. */
	E164("+380\xc2\xa0" "67\xc2\xa0" "123\xe2\x80\x93" "45-67", "UA",
	    "+380671234567"),
	E164("044 123 45 67", "UA", "+380441234567"),
};

static const struct ncase ru[] = {
	E164("+7 912 345-67-89", "RU", "+79123456789"),
	E164("89123456789", "RU", "+79123456789"),
	E164("79123456789", "RU", "+79123456789"),
	E164("8 (495) 123-45-67", "RU", "+74951234567"),
	E164("8 (800) 555-35-35", "RU", "+78005553535"),
	/* Russia's own international prefix, with and without the '~'. */
	E164("8~10 44 20 7946 0958", "RU", "+442079460958"),
	E164("8 10 380 67 123 45 67", "RU", "+380671234567"),
	E164("0044 20 7946 0958", "RU", "+442079460958"),
};

static const struct ncase es[] = {
	E164("+34 611 22 33 44", "ES", "+34611223344"),
	E164("0034611223344", "ES", "+34611223344"),
	E164("611-223-344", "ES", "+34611223344"),
	E164("91 123 45 67", "ES", "+34911234567"),
};

static const struct ncase pl[] = {
	E164("+48 601-234-567", "PL", "+48601234567"),
	E164("0048601234567", "PL", "+48601234567"),
	E164("601234567", "PL", "+48601234567"),
	E164("+44 (0) 20 7946 0958", "PL", "+442079460958"),
};

static const struct ncase us[] = {
	E164("415.555.2671", "US", "+14155552671"),
	E164("1-415-555-2671", "US", "+14155552671"),
	E164("+1 (415) 555-2671", "US", "+14155552671"),
	E164("4155552671", "US", "+14155552671"),
	/* US's own international prefix 011, and "00" which in the US is
	 * not one: the product rule makes it one everywhere. */
	E164("011 44 20 7946 0958", "US", "+442079460958"),
	E164("0044 20 7946 0958", "US", "+442079460958"),
};

/* Country prefixes matter: a foreign number stays foreign whatever the
 * region, and another country's national form is not ours. */
static const struct ncase country[] = {
	E164("+48 601 234 567", "UA", "+48601234567"),
	E164("+380671234567", "RU", "+380671234567"),
	E164("+34 911 23 45 67", "PL", "+34911234567"),
	E164("+79123456789", "US", "+79123456789"),
	DIGITS("067 123 45 67", "RU", "0671234567"),
	DIGITS("8 (912) 345-67-89", "UA", "89123456789"),
};

/* Forms providers send: URIs, text after the number. */
static const struct ncase provider[] = {
	E164("tel:+380671234567", "UA", "+380671234567"),
	E164("TEL:+380671234567", "UA", "+380671234567"),
	E164("tel:+380671234567;ext=12", "UA", "+380671234567"),
	E164("sip:+380671234567@sip.example.com", "UA", "+380671234567"),
	E164("sip:380671234567@host;user=phone", "UA", "+380671234567"),
	E164("sips:+380671234567@host:5061", "UA", "+380671234567"),
	E164("sip:0671234567@pbx.local", "UA", "+380671234567"),
	E164("+1 415 555 2671 ext. 12", "US", "+14155552671"),
	E164("067 123 45 67 (Ivan)", "UA", "+380671234567"),
	EXT("sip:101@pbx.local", "UA", "101"),
	EXT("sip:101@pbx.local;transport=udp", "UA", "101"),
	EXT("tel:101", "UA", "101"),
};

/* Identities and placeholders, not numbers. */
static const struct ncase invalid[] = {
	INVALID("", "UA"),
	INVALID("abc", NULL),
	INVALID("anonymous", "UA"),
	INVALID("Anonymous", "US"),
	INVALID("Restricted", "US"),
	INVALID("unknown", "UA"),
	INVALID("client:alice", "UA"),
	INVALID("client:101", "UA"),
	INVALID("sip:alice@example.com", "UA"),
	INVALID("abc123", "UA"),
	INVALID("mob. 067 123 45 67", "UA"),
	INVALID("+", "UA"),
	INVALID("++380671234567", "UA"),
	INVALID(" ( ) - . ", "UA"),
	INVALID("tel:", "UA"),
	INVALID("@host", "UA"),
	INVALID("*100#", "UA"),
	INVALID("\x01" "0671234567", "UA"),
	/* Non-ASCII digits are formatting, never digits. */
	INVALID("\xef\xbc\x90\xef\xbc\x96\xef\xbc\x97", "UA"),
};

/* Bare numbers of 2-6 digits are extensions whatever the region; one with
 * an international prefix or trailing text is not. */
static const struct ncase extension[] = {
	EXT("101", NULL, "101"),
	EXT("101", "", "101"),
	EXT("12", "US", "12"),
	EXT("123456", "UA", "123456"),
	EXT("10-1", "UA", "101"),
	EXT("(0101)", "PL", "0101"),
	EXT("112", "ES", "112"),
	EXT("0044", "PL", "0044"),
	DIGITS("1", "UA", "1"),
	DIGITS("1234567", "UA", "1234567"),
	DIGITS("+101", "UA", "+101"),
	EXT("00101", "UA", "00101"),
	DIGITS("101 (reception)", "UA", "101"),
	DIGITS("1-800-FLOWERS", "US", "1800"),
};

/* What libphonenumber cannot validate keeps its digits, with '+' when it
 * was written with an international prefix, so "+X" == "00X". */
static const struct ncase fallback[] = {
	DIGITS("067 123 45", "UA", "06712345"),
	DIGITS("+380 67 123", "UA", "+38067123"),
	DIGITS("00380 67 123", "UA", "+38067123"),
	DIGITS("+999 123 456 789", "UA", "+999123456789"),
	DIGITS("00999 123 456 789", "UA", "+999123456789"),
	DIGITS("8 10 44 20 7946 095", "RU", "+44207946095"),
	DIGITS("+44 20 7946 095", "RU", "+44207946095"),
	/* Twilio's caller ID for an anonymous call (it spells ANONYMOUS). */
	DIGITS("+266696687", "US", "+266696687"),
	DIGITS("123456789012345678901234", "UA", "123456789012345678901234"),
	DIGITS("+123456789012345678901234", "UA", "+123456789012345678901234"),
};

/* A missing or unusable region: only international forms validate. */
static const struct ncase region[] = {
	E164("+380671234567", NULL, "+380671234567"),
	E164("+380671234567", "", "+380671234567"),
	E164("00380671234567", NULL, "+380671234567"),
	E164("tel:+14155552671", NULL, "+14155552671"),
	DIGITS("067 123 45 67", NULL, "0671234567"),
	DIGITS("067 123 45 67", "", "0671234567"),
	E164("067 123 45 67", "ua", "+380671234567"),
	E164("067 123 45 67", "uA", "+380671234567"),
	DIGITS("067 123 45 67", "ZZ", "0671234567"),
	DIGITS("067 123 45 67", "XX", "0671234567"),
	DIGITS("067 123 45 67", "UKR", "0671234567"),
	DIGITS("067 123 45 67", "U", "0671234567"),
	DIGITS("067 123 45 67", "U1", "0671234567"),
	DIGITS("067 123 45 67", "Ü", "0671234567"),
};

static void
check_case(const struct ncase *c)
{
	char out[PHONE_MAX];
	enum phone_kind k;

	memset(out, 'X', sizeof(out));
	k = phone_normalize(c->in, strlen(c->in), c->region, out, sizeof(out));
	ck_assert_msg(k == c->kind && strcmp(out, c->out) == 0,
	    "\"%s\"/%s: got %s \"%s\", want %s \"%s\"", c->in,
	    c->region ? c->region : "NULL", phone_kind_name(k), out,
	    phone_kind_name(c->kind), c->out);
}

#define TABLE_TEST(name, table)						\
	START_TEST(name)						\
	{								\
		check_case(&table[_i]);					\
	}								\
	END_TEST

TABLE_TEST(test_normalize_stack_notes_examples, stack_notes)
TABLE_TEST(test_normalize_ua_forms, ua)
TABLE_TEST(test_normalize_ru_forms, ru)
TABLE_TEST(test_normalize_es_forms, es)
TABLE_TEST(test_normalize_pl_forms, pl)
TABLE_TEST(test_normalize_us_forms, us)
TABLE_TEST(test_normalize_country_prefix_matters, country)
TABLE_TEST(test_normalize_provider_forms, provider)
TABLE_TEST(test_normalize_not_a_number_is_invalid, invalid)
TABLE_TEST(test_normalize_short_number_is_extension, extension)
TABLE_TEST(test_normalize_digits_fallback, fallback)
TABLE_TEST(test_normalize_region_missing_or_odd, region)

#define NCASES(t) ((int)(sizeof(t) / sizeof((t)[0])))

/* Every table row, written in its canonical form, normalises to itself,
 * with any region: what is stored can be looked up again. */
static const struct ncase *const all_tables[] = {
	stack_notes, ua, ru, es, pl, us, country, provider, invalid,
	extension, fallback, region,
};
static const int all_sizes[] = {
	NCASES(stack_notes), NCASES(ua), NCASES(ru), NCASES(es), NCASES(pl),
	NCASES(us), NCASES(country), NCASES(provider), NCASES(invalid),
	NCASES(extension), NCASES(fallback), NCASES(region),
};

/* Issue 15 §2.5: what providers send for a withheld number. */
START_TEST(test_withheld_caller_ids)
{
	static const char *const yes[] = {
		"", "  ", "anonymous", "Anonymous", "ANONYMOUS", "restricted",
		"Restricted", "private", "unavailable", "unknown", "<unknown>",
		"withheld", "0", "00000", "+0", "+266696687", "+7378742833",
		"sip:anonymous@anonymous.invalid", "tel:0", "\"Anonymous\"",
	};
	static const char *const no[] = {
		"+380671234567", "101", "266696687", "+26669668", "0671234567",
		"anonymous2", "client:alice", "sip:101@pbx", "01", "+2666966870",
	};
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		ck_assert_msg(phone_withheld(yes[i], strlen(yes[i])), "%s", yes[i]);
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		ck_assert_msg(!phone_withheld(no[i], strlen(no[i])), "%s", no[i]);
	ck_assert(!phone_withheld(NULL, 0));
	ck_assert(!phone_withheld("0\0" "1", 3));   /* an embedded NUL */
	ck_assert(phone_withheld("anonymousXYZ", 9)); /* only len bytes */
}
END_TEST

START_TEST(test_region_time_zone)
{
	ck_assert_str_eq(phone_region_time_zone("UA"), "Europe/Kyiv");
	ck_assert_str_eq(phone_region_time_zone("ua"), "Europe/Kyiv");
	ck_assert_str_eq(phone_region_time_zone("PL"), "Europe/Warsaw");
	ck_assert_str_eq(phone_region_time_zone("US"), "America/New_York");
	ck_assert_str_eq(phone_region_time_zone("ZZ"), "UTC");
	ck_assert_str_eq(phone_region_time_zone(""), "UTC");
	ck_assert_str_eq(phone_region_time_zone(NULL), "UTC");
	ck_assert_str_eq(phone_region_time_zone("UAX"), "UTC");
}
END_TEST

START_TEST(test_normalize_output_is_a_fixed_point)
{
	static const char *const regions[] = { "UA", "RU", "US", NULL };
	const struct ncase *c;
	char out[PHONE_MAX];
	size_t t, r;
	int i;

	for (t = 0; t < sizeof(all_tables) / sizeof(all_tables[0]); t++)
		for (i = 0; i < all_sizes[t]; i++) {
			c = &all_tables[t][i];
			if (c->kind == PHONE_INVALID ||
			    (c->kind == PHONE_DIGITS && c->out[0] != '+'))
				continue;
			for (r = 0; r < sizeof(regions) / sizeof(regions[0]); r++) {
				ck_assert_int_eq(phone_normalize(c->out,
				    strlen(c->out), regions[r], out,
				    sizeof(out)), c->kind);
				ck_assert_str_eq(out, c->out);
			}
		}
}
END_TEST

/* DESIGN §3, in its own words: "067 123 45 67" in UA == "+380671234567". */
START_TEST(test_normalize_national_equals_international)
{
	char a[PHONE_MAX], b[PHONE_MAX];

	ck_assert_int_eq(phone_normalize("067 123 45 67", 13, "UA", a,
	    sizeof(a)), PHONE_E164);
	ck_assert_int_eq(phone_normalize("+380671234567", 13, "UA", b,
	    sizeof(b)), PHONE_E164);
	ck_assert_str_eq(a, b);
}
END_TEST

START_TEST(test_normalize_reads_only_len_bytes)
{
	/* An exact-size heap copy, no NUL: ASan catches any overread. */
	static const char src[] = "+380671234567999";
	char out[PHONE_MAX];
	char *p;

	ck_assert_ptr_nonnull(p = malloc(13));
	memcpy(p, src, 13);
	ck_assert_int_eq(phone_normalize(p, 13, "UA", out, sizeof(out)),
	    PHONE_E164);
	ck_assert_str_eq(out, "+380671234567");
	ck_assert_int_eq(phone_normalize(p, 0, "UA", out, sizeof(out)),
	    PHONE_INVALID);
	free(p);
	/* Input ending inside what could be a URI scheme: "sip" is text. */
	ck_assert_ptr_nonnull(p = malloc(3));
	memcpy(p, "sip", 3);
	ck_assert_int_eq(phone_normalize(p, 3, "UA", out, sizeof(out)),
	    PHONE_INVALID);
	free(p);
}
END_TEST

START_TEST(test_normalize_embedded_nul_is_invalid)
{
	static const char in[] = "067\0 123 45 67";
	char out[PHONE_MAX];

	ck_assert_int_eq(phone_normalize(in, sizeof(in) - 1, "UA", out,
	    sizeof(out)), PHONE_INVALID);
	ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(test_normalize_input_cap)
{
	char in[PHONE_IN_MAX + 2], out[PHONE_MAX];

	/* A valid number padded with spaces to exactly the cap... */
	memset(in, ' ', sizeof(in));
	memcpy(in, "+380671234567", 13);
	ck_assert_int_eq(phone_normalize(in, PHONE_IN_MAX, "UA", out,
	    sizeof(out)), PHONE_E164);
	ck_assert_str_eq(out, "+380671234567");
	/* ...and one byte over it. */
	ck_assert_int_eq(phone_normalize(in, PHONE_IN_MAX + 1, "UA", out,
	    sizeof(out)), PHONE_INVALID);
	ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(test_normalize_digit_cap)
{
	char out[PHONE_MAX];

	ck_assert_int_eq(phone_normalize("1234567890123456789012345", 25,
	    "UA", out, sizeof(out)), PHONE_INVALID);
	ck_assert_int_eq(phone_normalize("+38067123456712345678901234", 27,
	    "UA", out, sizeof(out)), PHONE_INVALID);
	ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(test_normalize_null_input)
{
	char out[PHONE_MAX];

	ck_assert_int_eq(phone_normalize(NULL, 0, "UA", out, sizeof(out)),
	    PHONE_INVALID);
	ck_assert_str_eq(out, "");
	ck_assert_int_eq(phone_normalize(NULL, 5, "UA", out, sizeof(out)),
	    PHONE_INVALID);
}
END_TEST

START_TEST(test_normalize_buffer_too_small)
{
	char out[PHONE_MAX + 1];

	/* One byte short of PHONE_MAX fails even for a short result... */
	memset(out, 'X', sizeof(out));
	ck_assert_int_eq(phone_normalize("101", 3, "UA", out, PHONE_MAX - 1),
	    PHONE_INVALID);
	ck_assert_str_eq(out, "");
	ck_assert_int_eq(phone_normalize("+380671234567", 13, "UA", out,
	    PHONE_MAX - 1), PHONE_INVALID);
	ck_assert_str_eq(out, "");
	/* ...a zero size writes nothing at all... */
	memset(out, 'X', sizeof(out));
	ck_assert_int_eq(phone_normalize("+380671234567", 13, "UA", out, 0),
	    PHONE_INVALID);
	ck_assert_int_eq(out[0], 'X');
	ck_assert_int_eq(phone_normalize("+380671234567", 13, "UA", NULL,
	    PHONE_MAX), PHONE_INVALID);
	/* ...and exactly PHONE_MAX holds the longest result. */
	ck_assert_int_eq(phone_normalize("+123456789012345678901234", 25, "UA",
	    out, PHONE_MAX), PHONE_DIGITS);
	ck_assert_str_eq(out, "+123456789012345678901234");
}
END_TEST

START_TEST(test_normalize_writes_nothing_to_stdio)
{
	/* In CGI mode stdout is the response: libphonenumber must not log
	 * to it (or to stderr, the server's log) on bad input. */
	static const char *const bad[] = {
		"abc1234567", "+999123456789", "8 10 999 1234567", "+380 12",
		"12345678901234567890", "067 123 45", "+1 555 0000000",
	};
	char out[PHONE_MAX];
	FILE *tmp;
	int saved_out, saved_err;
	size_t i;
	long n;

	ck_assert_ptr_nonnull(tmp = tmpfile());
	fflush(stdout);
	fflush(stderr);
	saved_out = dup(STDOUT_FILENO);
	saved_err = dup(STDERR_FILENO);
	ck_assert_int_ge(saved_out, 0);
	ck_assert_int_ge(saved_err, 0);
	dup2(fileno(tmp), STDOUT_FILENO);
	dup2(fileno(tmp), STDERR_FILENO);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		(void)phone_normalize(bad[i], strlen(bad[i]), "UA", out,
		    sizeof(out));
	fflush(stdout);
	fflush(stderr);
	dup2(saved_out, STDOUT_FILENO);
	dup2(saved_err, STDERR_FILENO);
	close(saved_out);
	close(saved_err);
	fseek(tmp, 0, SEEK_END);
	n = ftell(tmp);
	fclose(tmp);
	ck_assert_int_eq(n, 0);
}
END_TEST

START_TEST(test_digits_strips_formatting)
{
	char out[PHONE_MAX];

	ck_assert_uint_eq(phone_digits("+380 (67) 123-45-67", 19, out,
	    sizeof(out)), 12);
	ck_assert_str_eq(out, "380671234567");
	ck_assert_uint_eq(phone_digits("sip:101@pbx", 11, out, sizeof(out)), 3);
	ck_assert_str_eq(out, "101");
	ck_assert_uint_eq(phone_digits("67 12", 5, out, sizeof(out)), 4);
	ck_assert_str_eq(out, "6712");
}
END_TEST

START_TEST(test_digits_none)
{
	char out[PHONE_MAX];

	memset(out, 'X', sizeof(out));
	ck_assert_uint_eq(phone_digits("abc", 3, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "");
	ck_assert_uint_eq(phone_digits("", 0, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "");
	ck_assert_uint_eq(phone_digits(NULL, 0, out, sizeof(out)), 0);
	ck_assert_uint_eq(phone_digits("12", 2, NULL, 0), 0);
}
END_TEST

START_TEST(test_digits_buffer_too_small)
{
	char out[16];

	/* 12 digits need 13 bytes: 12 is too few, and nothing partial is
	 * left behind. */
	memset(out, 'X', sizeof(out));
	ck_assert_uint_eq(phone_digits("+380671234567", 13, out, 12), 0);
	ck_assert_str_eq(out, "");
	ck_assert_uint_eq(phone_digits("+380671234567", 13, out, 13), 12);
	ck_assert_str_eq(out, "380671234567");
	memset(out, 'X', sizeof(out));
	ck_assert_uint_eq(phone_digits("123", 3, out, 0), 0);
	ck_assert_int_eq(out[0], 'X');
}
END_TEST

START_TEST(test_digits_caps)
{
	static const char nul[] = "067\0" "123";
	char in[PHONE_IN_MAX + 1], out[PHONE_IN_MAX + 1];

	ck_assert_uint_eq(phone_digits(nul, sizeof(nul) - 1, out, sizeof(out)),
	    0);
	memset(in, '1', sizeof(in));
	ck_assert_uint_eq(phone_digits(in, PHONE_IN_MAX, out, sizeof(out)),
	    PHONE_IN_MAX);
	ck_assert_uint_eq(phone_digits(in, PHONE_IN_MAX + 1, out, sizeof(out)),
	    0);
	ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(test_kind_names)
{
	ck_assert_str_eq(phone_kind_name(PHONE_E164), "e164");
	ck_assert_str_eq(phone_kind_name(PHONE_EXTENSION), "extension");
	ck_assert_str_eq(phone_kind_name(PHONE_DIGITS), "digits");
	ck_assert_str_eq(phone_kind_name(PHONE_INVALID), "invalid");
	ck_assert_str_eq(phone_kind_name(PHONE_KIND__MAX), "unknown");
	ck_assert_str_eq(phone_kind_name((enum phone_kind)99), "unknown");
}
END_TEST

START_TEST(test_init_and_country_code)
{
	ck_assert_int_eq(phone_init(), 0);
	ck_assert_int_eq(phone_init(), 0);
	ck_assert_int_eq(phone_country_code("UA"), 380);
	ck_assert_int_eq(phone_country_code("ru"), 7);
	ck_assert_int_eq(phone_country_code("ES"), 34);
	ck_assert_int_eq(phone_country_code("PL"), 48);
	ck_assert_int_eq(phone_country_code("US"), 1);
	ck_assert_int_eq(phone_country_code("ZZ"), 0);
	ck_assert_int_eq(phone_country_code("XX"), 0);
	ck_assert_int_eq(phone_country_code("USA"), 0);
	ck_assert_int_eq(phone_country_code(""), 0);
	ck_assert_int_eq(phone_country_code(NULL), 0);
}
END_TEST

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static long
max_rss_kb(void)
{
	struct rusage usage;

	if (getrusage(RUSAGE_SELF, &usage) != 0)
		return -1;
	return usage.ru_maxrss;
}

/* Not a pass/fail test: prints the cost per call for the paths that reach
 * libphonenumber and the ones that do not. Check forks a fresh child per
 * test, so the first phone_init() here is the metadata load (with
 * CK_FORK=no an earlier test has paid it). Sanitizer builds are several
 * times slower than -O2. */
START_TEST(test_normalize_cost)
{
	static const struct {
		const char *what, *in, *region;
	} mix[] = {
		{ "national, valid", "067 123 45 67", "UA" },
		{ "international, valid", "+7 912 345-67-89", "UA" },
		{ "sip uri, valid (US)", "sip:+14155552671@host", "US" },
		{ "invalid, digits", "+999 123 456 789", "UA" },
		{ "extension (no libphonenumber)", "101", "UA" },
		{ "identity (no libphonenumber)", "anonymous", "UA" },
	};
	enum { N = 5000 };
	char out[PHONE_MAX];
	double t0, t;
	size_t m, len;
	long rss0;
	int i;

	rss0 = max_rss_kb();
	t0 = now_us();
	ck_assert_int_eq(phone_init(), 0);
	t = now_us() - t0;
	printf("phone cost: phone_init (metadata load): %.0f us, "
	    "max RSS +%ld KB\n", t, max_rss_kb() - rss0);
	for (m = 0; m < sizeof(mix) / sizeof(mix[0]); m++) {
		len = strlen(mix[m].in);
		t0 = now_us();
		for (i = 0; i < N; i++)
			(void)phone_normalize(mix[m].in, len, mix[m].region,
			    out, sizeof(out));
		t = (now_us() - t0) / N;
		printf("phone cost: %-30s %6.2f us/call (repeated: memo)\n",
		    mix[m].what, t);
	}
	t0 = now_us();
	for (i = 0; i < N; i++) {
		char in[32];
		snprintf(in, sizeof(in), "+38067%07d", i);
		(void)phone_normalize(in, strlen(in), "UA", out, sizeof(out));
	}
	t = (now_us() - t0) / N;
	printf("phone cost: %-30s %6.2f us/call\n", "a new number every call", t);
	fflush(stdout);
}
END_TEST


/* The i-th number of the memo test: national or international without '+',
 * spread over the mobile range. */
static void
memo_number(int i, char *in, size_t insz)
{
	snprintf(in, insz, i % 3 ? "0%d" : "380%d", 670000000 + i * 7919);
}

/* The memo of libphonenumber's answers (lib/phone/phone.c) changes nothing:
 * the same number in another region is its own answer, and 2,000 numbers
 * (eight times the memo, so slots are shared and replaced) give the same
 * results in any order and on any pass. */
START_TEST(test_normalize_memo_is_transparent)
{
	static const char *regions[] = { "UA", "PL", "US", "ES" };
	enum { N = 2000 };
	static char first[N][PHONE_MAX], again[PHONE_MAX];
	static enum phone_kind kind[N];
	char in[32], out[PHONE_MAX];
	int i, pass;

	ck_assert_int_eq(phone_init(), 0);
	ck_assert_int_eq(phone_normalize("067 123 45 67", 13, "UA", out,
	    sizeof(out)), PHONE_E164);
	ck_assert_str_eq(out, "+380671234567");
	ck_assert_int_eq(phone_normalize("067 123 45 67", 13, "PL", out,
	    sizeof(out)), PHONE_DIGITS);
	ck_assert_str_eq(out, "0671234567");
	ck_assert_int_eq(phone_normalize("067 123 45 67", 13, "UA", out,
	    sizeof(out)), PHONE_E164);
	ck_assert_str_eq(out, "+380671234567");

	for (i = 0; i < N; i++) {
		memo_number(i, in, sizeof(in));
		kind[i] = phone_normalize(in, strlen(in), regions[i % 4],
		    first[i], sizeof(first[i]));
	}
	for (pass = 0; pass < 2; pass++)
		for (i = N - 1; i >= 0; i -= pass ? 3 : 1) {
			memo_number(i, in, sizeof(in));
			ck_assert_int_eq(phone_normalize(in, strlen(in),
			    regions[i % 4], again, sizeof(again)), kind[i]);
			ck_assert_str_eq(again, first[i]);
		}
}
END_TEST

START_TEST(test_digits_rev_is_the_index_key)
{
	char out[PHONE_MAX];

	ck_assert_uint_eq(phone_digits_rev("+380 (67) 123-45-67", 19, out,
	    sizeof(out)), 12);
	ck_assert_str_eq(out, "765432176083");
	ck_assert_uint_eq(phone_digits_rev("101", 3, out, sizeof(out)), 3);
	ck_assert_str_eq(out, "101");
	ck_assert_uint_eq(phone_digits_rev("abc", 3, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(test_international_without_plus_from_providers)
{
	char out[PHONE_MAX];

	/* Zadarma sends international numbers without '+'. */
	ck_assert_int_eq(phone_normalize("442037691880", 12, "UA", out,
	    sizeof(out)), PHONE_E164);
	ck_assert_str_eq(out, "+442037691880");
	ck_assert_int_eq(phone_normalize("34611223344", 11, "UA", out,
	    sizeof(out)), PHONE_E164);
	ck_assert_str_eq(out, "+34611223344");
	/* The region's own numbers keep winning. */
	ck_assert_int_eq(phone_normalize("380671234567", 12, "UA", out,
	    sizeof(out)), PHONE_E164);
	ck_assert_str_eq(out, "+380671234567");
	ck_assert_int_eq(phone_normalize("14155552671", 11, "US", out,
	    sizeof(out)), PHONE_E164);
	ck_assert_str_eq(out, "+14155552671");
}
END_TEST


/* --- display (issue 18) ---------------------------------------------- */

START_TEST(test_format_national_for_own_country)
{
	char out[PHONE_DISPLAY_MAX];

	ck_assert(phone_format("+380671234567", "UA", out, sizeof(out)));
	ck_assert_str_eq(out, "067 123 4567");
	/* any case of the viewer's region */
	ck_assert(phone_format("+380442345678", "ua", out, sizeof(out)));
	ck_assert_str_eq(out, "044 234 5678");
	ck_assert(phone_format("+14155552671", "US", out, sizeof(out)));
	ck_assert_str_eq(out, "(415) 555-2671");
}
END_TEST

START_TEST(test_format_international_for_other_countries)
{
	char out[PHONE_DISPLAY_MAX];

	ck_assert(phone_format("+14155552671", "UA", out, sizeof(out)));
	ck_assert_str_eq(out, "+1 415-555-2671");
	ck_assert(phone_format("+380671234567", "PL", out, sizeof(out)));
	ck_assert_str_eq(out, "+380 67 123 4567");
	/* no viewer country: everything international */
	ck_assert(phone_format("+380671234567", "", out, sizeof(out)));
	ck_assert_str_eq(out, "+380 67 123 4567");
	ck_assert(phone_format("+380671234567", NULL, out, sizeof(out)));
	ck_assert_str_eq(out, "+380 67 123 4567");
	/* the same number for two viewers in a row: the memo keys on both */
	ck_assert(phone_format("+380671234567", "UA", out, sizeof(out)));
	ck_assert_str_eq(out, "067 123 4567");
}
END_TEST

START_TEST(test_format_keeps_what_it_cannot_read)
{
	char out[PHONE_DISPLAY_MAX], small[8];

	ck_assert(!phone_format("101", "UA", out, sizeof(out)));
	ck_assert_str_eq(out, "101");
	ck_assert(!phone_format("anonymous", "UA", out, sizeof(out)));
	ck_assert_str_eq(out, "anonymous");
	ck_assert(!phone_format("+38067", "UA", out, sizeof(out)));
	ck_assert_str_eq(out, "+38067");
	ck_assert(!phone_format("+999123456789", "UA", out, sizeof(out)));
	ck_assert_str_eq(out, "+999123456789");
	ck_assert(!phone_format("", "UA", out, sizeof(out)));
	ck_assert_str_eq(out, "");
	ck_assert(!phone_format(NULL, "UA", out, sizeof(out)));
	ck_assert_str_eq(out, "");
	/* a buffer too small to format into: the stored form, cut whole
	 * UTF-8 sequences only */
	ck_assert(!phone_format("+380671234567", "UA", small, sizeof(small)));
	ck_assert_str_eq(small, "+380671");
	ck_assert(!phone_format("Іван Петро", "UA", small, sizeof(small)));
	ck_assert_str_eq(small, "Іва");
}
END_TEST

/* What a history page pays (issue 18): 50 rows of repeat callers hit the
 * memo; a page of numbers never seen costs one parse and format each.
 * Printed, not asserted: the machine's load decides the figures. */
START_TEST(test_format_cost)
{
	enum { N = 5000, NEW = 300 };
	char out[PHONE_DISPLAY_MAX], in[32];
	double t0, t;
	int i;

	t0 = now_us();
	for (i = 0; i < N; i++) {
		snprintf(in, sizeof(in), "+38067%07d", i % 50);
		(void)phone_format(in, "UA", out, sizeof(out));
	}
	t = (now_us() - t0) / N;
	printf("phone cost: %-30s %6.2f us/row\n", "format, 50 repeat numbers", t);
	t0 = now_us();
	for (i = 0; i < NEW; i++) {
		snprintf(in, sizeof(in), "+38050%07d", i);
		(void)phone_format(in, "UA", out, sizeof(out));
	}
	t = (now_us() - t0) / NEW;
	printf("phone cost: %-30s %6.2f us/row\n", "format, a new number every row",
	    t);
	fflush(stdout);
}
END_TEST

START_TEST(test_where_region_and_zone)
{
	struct phone_where w;

	ck_assert(phone_where_of("+380671234567", &w));
	ck_assert_str_eq(w.region, "UA");
	ck_assert_str_eq(w.time_zone, "Europe/Kyiv");
	ck_assert(phone_where_of("+48221234567", &w));
	ck_assert_str_eq(w.region, "PL");
	ck_assert_str_eq(w.time_zone, "Europe/Warsaw");
	/* a region outside the zone table: no zone rather than UTC */
	ck_assert(phone_where_of("+61212345678", &w));
	ck_assert_str_eq(w.region, "AU");
	ck_assert_str_eq(w.time_zone, "");
	ck_assert(!phone_where_of("101", &w));
	ck_assert_str_eq(w.region, "");
	ck_assert(!phone_where_of("+38067", &w));
	ck_assert(!phone_where_of(NULL, &w));
}
END_TEST

START_TEST(test_geo_place)
{
	char out[PHONE_PLACE_MAX], tiny[4];

	ck_assert_int_eq(phone_geo_place("+380442345678", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "Kyiv city");
	ck_assert_int_eq(phone_geo_place("+14155552671", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "San Francisco, CA");
	/* a mobile range says the country only */
	ck_assert_int_eq(phone_geo_place("+380671234567", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "Ukraine");
	ck_assert_int_eq(phone_geo_place("101", out, sizeof(out)), -1);
	ck_assert_str_eq(out, "");
	ck_assert_int_eq(phone_geo_place("+38067", out, sizeof(out)), -1);
	ck_assert_int_eq(phone_geo_place(NULL, out, sizeof(out)), -1);
	ck_assert_int_eq(phone_geo_place("+380442345678", tiny, sizeof(tiny)),
	    -1);
	ck_assert_str_eq(tiny, "");
}
END_TEST

static Suite *
phone_suite(void)
{
	Suite *s = suite_create("phone");
	TCase *tc = tcase_create("normalize");

	/* The metadata load and the cost loop are slow under ASan. */
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_normalize_stack_notes_examples, 0,
	    NCASES(stack_notes));
	tcase_add_loop_test(tc, test_normalize_ua_forms, 0, NCASES(ua));
	tcase_add_loop_test(tc, test_normalize_ru_forms, 0, NCASES(ru));
	tcase_add_loop_test(tc, test_normalize_es_forms, 0, NCASES(es));
	tcase_add_loop_test(tc, test_normalize_pl_forms, 0, NCASES(pl));
	tcase_add_loop_test(tc, test_normalize_us_forms, 0, NCASES(us));
	tcase_add_loop_test(tc, test_normalize_country_prefix_matters, 0,
	    NCASES(country));
	tcase_add_loop_test(tc, test_normalize_provider_forms, 0,
	    NCASES(provider));
	tcase_add_loop_test(tc, test_normalize_not_a_number_is_invalid, 0,
	    NCASES(invalid));
	tcase_add_loop_test(tc, test_normalize_short_number_is_extension, 0,
	    NCASES(extension));
	tcase_add_loop_test(tc, test_normalize_digits_fallback, 0,
	    NCASES(fallback));
	tcase_add_loop_test(tc, test_normalize_region_missing_or_odd, 0,
	    NCASES(region));
	tcase_add_test(tc, test_normalize_output_is_a_fixed_point);
	tcase_add_test(tc, test_normalize_national_equals_international);
	tcase_add_test(tc, test_normalize_reads_only_len_bytes);
	tcase_add_test(tc, test_normalize_embedded_nul_is_invalid);
	tcase_add_test(tc, test_normalize_input_cap);
	tcase_add_test(tc, test_normalize_digit_cap);
	tcase_add_test(tc, test_normalize_null_input);
	tcase_add_test(tc, test_normalize_buffer_too_small);
	tcase_add_test(tc, test_normalize_writes_nothing_to_stdio);
	tcase_add_test(tc, test_kind_names);
	tcase_add_test(tc, test_init_and_country_code);
	tcase_add_test(tc, test_normalize_cost);
	tcase_add_test(tc, test_normalize_memo_is_transparent);
	suite_add_tcase(s, tc);

	tc = tcase_create("withheld");
	tcase_add_test(tc, test_withheld_caller_ids);
	tcase_add_test(tc, test_region_time_zone);
	suite_add_tcase(s, tc);

	tc = tcase_create("display");
	tcase_add_test(tc, test_format_national_for_own_country);
	tcase_add_test(tc, test_format_international_for_other_countries);
	tcase_add_test(tc, test_format_keeps_what_it_cannot_read);
	tcase_add_test(tc, test_where_region_and_zone);
	tcase_add_test(tc, test_geo_place);
	tcase_add_test(tc, test_format_cost);
	suite_add_tcase(s, tc);

	tc = tcase_create("digits");
	tcase_add_test(tc, test_digits_strips_formatting);
	tcase_add_test(tc, test_digits_none);
	tcase_add_test(tc, test_digits_buffer_too_small);
	tcase_add_test(tc, test_digits_caps);
	tcase_add_test(tc, test_international_without_plus_from_providers);
	tcase_add_test(tc, test_digits_rev_is_the_index_key);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(phone_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
