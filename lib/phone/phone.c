#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "phone/phone.h"

/* What the scanner made of the input: the bare number, and the facts the
 * classification needs. num holds "[+]digits", NUL-terminated; it is all
 * libphonenumber ever sees, so its work is capped by PHONE_DIGITS_MAX. */
struct phone_scan {
	char num[1 + PHONE_DIGITS_MAX + 1];
	size_t ndigits;
	bool intl;   /* written with '+' or a leading "00" */
	bool tail;   /* text followed the number ("ext. 12", "(Ivan)") */
};

enum scan_res {
	SCAN_OK,
	SCAN_NONE,    /* no digits, or text before the first digit */
	SCAN_TOOLONG  /* more than PHONE_DIGITS_MAX digits */
};

static const char *const kind_names[PHONE_KIND__MAX] = {
	[PHONE_E164] = "e164",
	[PHONE_EXTENSION] = "extension",
	[PHONE_DIGITS] = "digits",
	[PHONE_INVALID] = "invalid",
};

/* URI schemes whose user part is a number (RFC 3966 tel:, RFC 3261 sip:
 * and sips:). Other "scheme:" prefixes, like Twilio's "client:alice",
 * begin with letters and so are refused by the scanner. */
static const char *const schemes[] = { "tel:", "sip:", "sips:" };

static bool
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* Characters people and providers put between digits. Bytes >= 0x80 are
 * here too, so a UTF-8 no-break space or dash pasted from a web page is
 * formatting rather than the end of the number; a non-ASCII digit is
 * therefore ignored, never read as a digit. '~' is the "wait for dial
 * tone" mark in prefixes like Russia's "8~10". */
static bool
is_format(unsigned char c)
{
	if (c >= 0x80)
		return true;
	switch (c) {
	case ' ':
	case '\t':
	case '\r':
	case '\n':
	case '(':
	case ')':
	case '-':
	case '.':
	case '/':
	case '~':
		return true;
	default:
		return false;
	}
}

/* Case-insensitive ASCII prefix test; strncasecmp() is POSIX, and its
 * result would depend on the locale. */
static bool
has_prefix_ci(const char *p, const char *end, const char *prefix)
{
	size_t n = strlen(prefix), i;
	unsigned char c;

	if ((size_t)(end - p) < n)
		return false;
	for (i = 0; i < n; i++) {
		c = (unsigned char)p[i];
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		if (c != (unsigned char)prefix[i])
			return false;
	}
	return true;
}

static const char *
skip_format(const char *p, const char *end)
{
	while (p < end && is_format((unsigned char)*p))
		p++;
	return p;
}

/* One pass over at most PHONE_IN_MAX bytes. The number is the first run of
 * digits and formatting, with at most one '+' before its first digit. It
 * must start the input (after a URI scheme): text before it means the
 * input is a name or an identity, not a number. Text after it is dropped,
 * except that a URI's "@host" and ";params" are not counted as text. */
static enum scan_res
phone_scan(const char *in, size_t len, struct phone_scan *s)
{
	const char *p = in, *end = in + len;
	size_t i, n = 0;
	unsigned char c;

	memset(s, 0, sizeof(*s));
	p = skip_format(p, end);
	for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
		if (has_prefix_ci(p, end, schemes[i])) {
			p = skip_format(p + strlen(schemes[i]), end);
			break;
		}
	for (; p < end; p++) {
		c = (unsigned char)*p;
		if (is_digit(c)) {
			if (s->ndigits == PHONE_DIGITS_MAX)
				return SCAN_TOOLONG;
			s->ndigits++;
			s->num[n++] = (char)c;
		} else if (c == '+' && s->ndigits == 0 && !s->intl) {
			s->intl = true;
			s->num[n++] = '+';
		} else if (!is_format(c))
			break;
	}
	s->num[n] = '\0';
	if (s->ndigits == 0)
		return SCAN_NONE;
	if (p < end && *p != '@' && *p != ';')
		s->tail = true;
	return SCAN_OK;
}

/* "ua" -> "UA"; anything that is not two ASCII letters -> "ZZ", which is
 * libphonenumber's "unknown region". Shared with format.c (phone.h). */
void
phone_region(const char *region, char rc[3])
{
	size_t i;
	char c;

	memcpy(rc, "ZZ", 3);
	if (region == NULL || region[0] == '\0' || region[1] == '\0' ||
	    region[2] != '\0')
		return;
	for (i = 0; i < 2; i++) {
		c = region[i];
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (c < 'A' || c > 'Z') {
			memcpy(rc, "ZZ", 3);
			return;
		}
		rc[i] = c;
	}
}

/* libphonenumber's parse is the costliest step of a provider event (ICU
 * and metadata; up to two parses per number, four per event): about a fifth
 * of the hook's CPU. Providers send the same numbers over and over (every
 * event of a call, our own numbers on every call), so each thread remembers
 * its recent answers, keyed by region and digits; the answer for a key never
 * changes while the program runs. Failures (out of memory in C++) are not
 * remembered. */
#define LPN_MEMO_SLOTS 256
#define LPN_KEY_MAX (PHONE_MAX + 4)

struct lpn_memo {
	char key[LPN_KEY_MAX];      /* "UA|380671234567"; "" = empty slot */
	enum phone_lpn res;
	char out[PHONE_MAX];
};

static _Thread_local struct lpn_memo lpn_memo[LPN_MEMO_SLOTS];

static enum phone_lpn
lpn_parse_memo(const char *num, const char *rc, char *out, size_t outsz)
{
	char key[LPN_KEY_MAX];
	struct lpn_memo *m;
	enum phone_lpn res;
	bool has_out;
	uint32_t h = 2166136261u;           /* FNV-1a */
	size_t i, rn = strlen(rc), nn = strlen(num);

	if (rn + 1 + nn >= sizeof(key) || outsz < PHONE_MAX)
		return phone_lpn_parse(num, rc, out, outsz);
	memcpy(key, rc, rn);
	key[rn] = '|';
	memcpy(key + rn + 1, num, nn + 1);
	for (i = 0; key[i] != '\0'; i++)
		h = (h ^ (unsigned char)key[i]) * 16777619u;
	m = &lpn_memo[h % LPN_MEMO_SLOTS];
	if (strcmp(m->key, key) == 0) {
		if (m->res == PHONE_LPN_VALID || m->res == PHONE_LPN_INTL)
			memcpy(out, m->out, strlen(m->out) + 1);
		return m->res;
	}
	res = phone_lpn_parse(num, rc, out, outsz);
	has_out = res == PHONE_LPN_VALID || res == PHONE_LPN_INTL;
	if (res == PHONE_LPN_FAIL || (has_out && strlen(out) >= PHONE_MAX))
		return res;
	m->res = res;
	m->out[0] = '\0';
	if (has_out)
		memcpy(m->out, out, strlen(out) + 1);
	memcpy(m->key, key, strlen(key) + 1);
	return res;
}

enum phone_kind
phone_normalize(const char *in, size_t len, const char *region, char *out,
    size_t outsz)
{
	struct phone_scan s;
	char rc[3], lpn[PHONE_MAX];
	const char *res;

	if (out == NULL || outsz < PHONE_MAX) {
		if (out != NULL && outsz > 0)
			out[0] = '\0';
		return PHONE_INVALID;
	}
	out[0] = '\0';
	if (in == NULL || len == 0 || len > PHONE_IN_MAX ||
	    memchr(in, '\0', len) != NULL)
		return PHONE_INVALID;
	if (phone_scan(in, len, &s) != SCAN_OK)
		return PHONE_INVALID;

	/* Decided before libphonenumber, by shape alone: it would make "101"
	 * in UA the invalid "+380101", and a short number that happened to be
	 * valid somewhere would become a customer's. No real subscriber
	 * number is this short in the countries we serve; elsewhere one must
	 * be written with its "+". */
	if (!s.intl && !s.tail && s.ndigits >= PHONE_EXT_MIN &&
	    s.ndigits <= PHONE_EXT_MAX) {
		memcpy(out, s.num, s.ndigits + 1);
		return PHONE_EXTENSION;
	}

	/* "00" is the international prefix in most of the world, and the
	 * product rule says it always is: libphonenumber only strips it
	 * where it is the default region's own prefix (not in US or RU). */
	if (!s.intl && s.ndigits > 2 && s.num[0] == '0' && s.num[1] == '0') {
		s.num[0] = '+';
		memmove(s.num + 1, s.num + 2, s.ndigits - 1);
		s.ndigits -= 2;
		s.intl = true;
	}

	phone_region(region, rc);
	switch (lpn_parse_memo(s.num, rc, lpn, sizeof(lpn))) {
	case PHONE_LPN_VALID:
		memcpy(out, lpn, strlen(lpn) + 1);
		return PHONE_E164;
	case PHONE_LPN_INTL:
		/* The region's own international prefix ("8 10" in RU)
		 * is known only to libphonenumber: take its "+<cc><nsn>"
		 * so this equals the same number written with '+'. */
		res = lpn;
		break;
	case PHONE_LPN_NATIONAL:
	case PHONE_LPN_NOPARSE:
	case PHONE_LPN_FAIL:
	default:
		/* Providers (Zadarma, PBX trunks) send international numbers
		 * without the '+': "442037691880". When the digits are not a
		 * valid number of the default region, try them as
		 * international; only a valid result is taken. */
		if (!s.intl && s.ndigits >= 11 && s.num[0] != '0') {
			char plus[PHONE_MAX + 1];
			plus[0] = '+';
			memcpy(plus + 1, s.num, s.ndigits + 1);
			if (lpn_parse_memo(plus, rc, lpn, sizeof(lpn)) ==
			    PHONE_LPN_VALID) {
				memcpy(out, lpn, strlen(lpn) + 1);
				return PHONE_E164;
			}
		}
		/* FAIL too: an out-of-memory in C++ costs this one number
		 * its E.164 form, not the request. */
		res = s.num;
		break;
	}
	memcpy(out, res, strlen(res) + 1);
	return PHONE_DIGITS;
}

size_t
phone_digits(const char *in, size_t len, char *out, size_t outsz)
{
	size_t i, n = 0;

	if (out == NULL || outsz == 0)
		return 0;
	out[0] = '\0';
	if (in == NULL || len > PHONE_IN_MAX || memchr(in, '\0', len) != NULL)
		return 0;
	for (i = 0; i < len; i++) {
		if (!is_digit((unsigned char)in[i]))
			continue;
		if (n + 1 >= outsz) {
			out[0] = '\0';
			return 0;
		}
		out[n++] = in[i];
	}
	out[n] = '\0';
	return n;
}

int
phone_init(void)
{
	return phone_lpn_init();
}

int
phone_country_code(const char *region)
{
	char rc[3];

	phone_region(region, rc);
	if (strcmp(rc, "ZZ") == 0)
		return 0;
	return phone_lpn_country_code(rc);
}

const char *
phone_kind_name(enum phone_kind k)
{
	if ((unsigned)k >= PHONE_KIND__MAX)
		return "unknown";
	return kind_names[k];
}

size_t
phone_digits_rev(const char *in, size_t len, char *out, size_t outsz)
{
	size_t n = phone_digits(in, len, out, outsz), i;

	for (i = 0; i < n / 2; i++) {
		char t = out[i];
		out[i] = out[n - 1 - i];
		out[n - 1 - i] = t;
	}
	return n;
}
