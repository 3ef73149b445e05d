#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n/i18n.h"

/* The .mo layout (GNU gettext manual, "The Format of GNU MO Files"): a
 * header of 32-bit words in the writer's byte order, then two tables of
 * (length, offset) pairs, originals sorted by msgfmt, translations in the
 * same order. A plural entry's original is "singular\0plural" and its
 * translation the forms separated by NULs. */
#define MO_MAGIC      0x950412deu
#define MO_MAGIC_SWAP 0xde120495u
#define MO_MAX_SIZE   (16u * 1024 * 1024)

struct catalog {
	char *data;       /* the whole file, owned */
	size_t size;
	bool swap;        /* written in the other byte order */
	uint32_t n, orig, trans;
};

static struct catalog catalogs[LANG__MAX];
static _Thread_local enum i18n_lang current = LANG_EN;

static const struct {
	const char *code, *native, *plural;
} langs[LANG__MAX] = {
	[LANG_EN] = { "en", "English", "nplurals=2; plural=(n != 1);" },
	[LANG_UK] = { "uk", "Українська", "nplurals=3; plural=(n%10==1 && "
	    "n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) "
	    "? 1 : 2);" },
	[LANG_RU] = { "ru", "Русский", "nplurals=3; plural=(n%10==1 && "
	    "n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) "
	    "? 1 : 2);" },
	[LANG_ES] = { "es", "Español", "nplurals=2; plural=(n != 1);" },
	[LANG_PL] = { "pl", "Polski", "nplurals=3; plural=(n==1 ? 0 : "
	    "n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);" },
};

const char *
i18n_code(enum i18n_lang lang)
{
	return (unsigned)lang < LANG__MAX ? langs[lang].code : "en";
}

const char *
i18n_native_name(enum i18n_lang lang)
{
	return (unsigned)lang < LANG__MAX ? langs[lang].native : "English";
}

const char *
i18n_plural_forms(enum i18n_lang lang)
{
	return (unsigned)lang < LANG__MAX ? langs[lang].plural : NULL;
}

bool
i18n_parse(const char *code, enum i18n_lang *out)
{
	int i;

	if (code == NULL)
		return false;
	for (i = 0; i < LANG__MAX; i++)
		if (strcmp(code, langs[i].code) == 0) {
			*out = (enum i18n_lang)i;
			return true;
		}
	return false;
}

static char
lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* q from ";q=0.8" parameters of one range (1000 = 1.0); 1000 without. */
static int
range_q(const char *p, const char *end)
{
	int q = 1000, scale = 100;

	while ((p = memchr(p, ';', (size_t)(end - p))) != NULL) {
		p++;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (end - p < 2 || lower(p[0]) != 'q' || p[1] != '=')
			continue;
		p += 2;
		if (p < end && *p == '1')
			return 1000;
		if (p >= end || *p != '0')
			return 0; /* malformed: ignore the range */
		q = 0;
		for (p++, p += p < end && *p == '.'; p < end && *p >= '0' &&
		    *p <= '9' && scale > 0; p++, scale /= 10)
			q += (*p - '0') * scale;
		return q;
	}
	return q;
}

enum i18n_lang
i18n_negotiate(const char *h)
{
	enum i18n_lang best = LANG_EN;
	int best_q = 0, q, i;
	const char *p, *end, *tag;
	size_t len;

	if (h == NULL)
		return LANG_EN;
	for (p = h; *p != '\0'; p = *end ? end + 1 : end) {
		if ((end = strchr(p, ',')) == NULL)
			end = p + strlen(p);
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		tag = p;
		while (p < end && ((*p >= 'a' && *p <= 'z') ||
		    (*p >= 'A' && *p <= 'Z')))
			p++;
		len = (size_t)(p - tag);
		if (len != 2)
			continue; /* "*", a 3-letter code: none of ours */
		if ((q = range_q(p, end)) <= best_q)
			continue; /* equal q: the first listed wins */
		for (i = 0; i < LANG__MAX; i++)
			if (lower(tag[0]) == langs[i].code[0] &&
			    lower(tag[1]) == langs[i].code[1]) {
				best = (enum i18n_lang)i;
				best_q = q;
			}
	}
	return best;
}

/* --- catalogs ------------------------------------------------------------- */

static uint32_t
word(const struct catalog *c, size_t off)
{
	uint32_t v;

	memcpy(&v, c->data + off, 4);
	if (c->swap)
		v = (v >> 24) | ((v >> 8) & 0xff00u) | ((v << 8) & 0xff0000u) |
		    (v << 24);
	return v;
}

/* The string of entry i of the table at tab, or NULL if it lies outside
 * the file or is not NUL-terminated (so a bad file cannot make us read
 * past it). *len is its length (with inner NULs of plural entries). */
static const char *
entry(const struct catalog *c, uint32_t tab, uint32_t i, uint32_t *len)
{
	size_t at = (size_t)tab + (size_t)i * 8;
	uint32_t l, off;

	if (at + 8 > c->size)
		return NULL;
	l = word(c, at);
	off = word(c, at + 4);
	if ((size_t)off + l >= c->size || c->data[off + l] != '\0')
		return NULL;
	*len = l;
	return c->data + off;
}

static void
catalog_free(struct catalog *c)
{
	free(c->data);
	memset(c, 0, sizeof(*c));
}

/* The value of header field name (with ": ") in a .mo header, copied to
 * out, or false. */
static bool
header_field(const char *hdr, const char *name, char *out, size_t outsz)
{
	const char *p = hdr, *e;
	size_t n = strlen(name);

	for (; *p != '\0'; p = *e ? e + 1 : e) {
		e = strchr(p, '\n');
		if (e == NULL)
			e = p + strlen(p);
		if ((size_t)(e - p) > n && strncmp(p, name, n) == 0) {
			p += n;
			while (*p == ' ')
				p++;
			snprintf(out, outsz, "%.*s", (int)(e - p), p);
			return true;
		}
	}
	return false;
}

enum cb_err
i18n_load_file(enum i18n_lang lang, const char *path, struct buf *errmsg)
{
	struct catalog c;
	FILE *f;
	long size;
	uint32_t magic, i, len;
	const char *s, *hdr = NULL;
	char forms[256];

	memset(&c, 0, sizeof(c));
	if ((unsigned)lang >= LANG__MAX || lang == LANG_EN)
		return CB_EINVAL;
	if ((f = fopen(path, "rb")) == NULL) {
		if (errmsg)
			buf_printf(errmsg, "%s: cannot open", path);
		return CB_ENOTFOUND;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || size < 28 ||
	    (unsigned long)size > MO_MAX_SIZE ||
	    (c.data = malloc((size_t)size + 1)) == NULL ||
	    fread(c.data, 1, (size_t)size, f) != (size_t)size) {
		fclose(f);
		free(c.data);
		if (errmsg)
			buf_printf(errmsg, "%s: unreadable or not a .mo file",
			    path);
		return CB_EINVAL;
	}
	fclose(f);
	c.size = (size_t)size;
	c.data[c.size] = '\0';
	memcpy(&magic, c.data, 4);
	c.swap = magic == MO_MAGIC_SWAP;
	if (magic != MO_MAGIC && magic != MO_MAGIC_SWAP)
		goto bad;
	c.n = word(&c, 8);
	c.orig = word(&c, 12);
	c.trans = word(&c, 16);
	/* Every entry must be readable, so lookups need no checks. */
	for (i = 0; i < c.n; i++) {
		if (entry(&c, c.orig, i, &len) == NULL ||
		    (s = entry(&c, c.trans, i, &len)) == NULL)
			goto bad;
		if (i == 0 && *entry(&c, c.orig, 0, &len) == '\0')
			hdr = s;
	}
	if (hdr == NULL || !header_field(hdr, "Plural-Forms:", forms,
	    sizeof(forms)) || strcmp(forms, langs[lang].plural) != 0) {
		if (errmsg)
			buf_printf(errmsg, "%s: Plural-Forms must be \"%s\"",
			    path, langs[lang].plural);
		catalog_free(&c);
		return CB_EINVAL;
	}
	catalog_free(&catalogs[lang]);
	catalogs[lang] = c;
	return CB_OK;
bad:
	if (errmsg)
		buf_printf(errmsg, "%s: not a valid .mo file", path);
	catalog_free(&c);
	return CB_EINVAL;
}

enum cb_err
i18n_load(const char *localedir, struct buf *errmsg)
{
	enum cb_err rc, first = CB_OK;
	char path[4096];
	int i;

	for (i = 1; i < LANG__MAX; i++) {
		snprintf(path, sizeof(path), "%s/%s/LC_MESSAGES/%s.mo",
		    localedir, langs[i].code, I18N_DOMAIN);
		rc = i18n_load_file((enum i18n_lang)i, path, errmsg);
		if (rc != CB_OK && errmsg)
			buf_puts(errmsg, "; ");
		if (rc != CB_OK && (first == CB_OK || rc == CB_EINVAL))
			first = rc;
	}
	return first;
}

void
i18n_unload(void)
{
	int i;

	for (i = 0; i < LANG__MAX; i++)
		catalog_free(&catalogs[i]);
}

size_t
i18n_count(enum i18n_lang lang)
{
	return (unsigned)lang < LANG__MAX ? catalogs[lang].n : 0;
}

/* Binary search of the sorted originals; strcmp stops at the NUL of a
 * plural entry's singular, which is its key. */
static const char *
lookup(enum i18n_lang lang, const char *msgid, uint32_t *len)
{
	const struct catalog *c;
	uint32_t lo = 0, hi, mid, l;
	const char *s;
	int cmp;

	if ((unsigned)lang >= LANG__MAX || msgid == NULL || *msgid == '\0')
		return NULL;
	c = &catalogs[lang];
	hi = c->n;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		s = entry(c, c->orig, mid, &l);
		cmp = strcmp(msgid, s);
		if (cmp == 0) {
			s = entry(c, c->trans, mid, len);
			return *len > 0 ? s : NULL;
		}
		if (cmp < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const char *
i18n_gettext(enum i18n_lang lang, const char *msgid)
{
	uint32_t len;
	const char *s = lookup(lang, msgid, &len);

	return s ? s : msgid;
}

const char *
i18n_pgettext(enum i18n_lang lang, const char *key)
{
	uint32_t len;
	const char *s = lookup(lang, key, &len);

	if (s != NULL)
		return s;
	/* Untranslated: the msgid after the context. */
	s = strchr(key, '\004');
	return s ? s + 1 : key;
}

unsigned
i18n_plural_index(enum i18n_lang lang, unsigned long n)
{
	unsigned long d = n % 10, h = n % 100;

	switch (lang) {
	case LANG_UK:
	case LANG_RU:
		return d == 1 && h != 11 ? 0 :
		    d >= 2 && d <= 4 && (h < 10 || h >= 20) ? 1 : 2;
	case LANG_PL:
		return n == 1 ? 0 :
		    d >= 2 && d <= 4 && (h < 10 || h >= 20) ? 1 : 2;
	default:
		return n != 1;
	}
}

const char *
i18n_ngettext(enum i18n_lang lang, const char *singular, const char *plural,
    unsigned long n)
{
	uint32_t len;
	unsigned k = i18n_plural_index(lang, n);
	const char *s = lookup(lang, singular, &len), *end;

	if (s == NULL)
		return n == 1 ? singular : plural;
	for (end = s + len; k > 0 && s < end; k--)
		s += strlen(s) + 1;
	return s < end && *s != '\0' ? s : (n == 1 ? singular : plural);
}

const char *
i18n_memo(const char *msgid, const char *memo[LANG__MAX])
{
	enum i18n_lang l = current;

	if (memo[l] == NULL)
		memo[l] = i18n_gettext(l, msgid);
	return memo[l];
}

void
i18n_use(enum i18n_lang lang)
{
	current = (unsigned)lang < LANG__MAX ? lang : LANG_EN;
}

enum i18n_lang
i18n_current(void)
{
	return current;
}

/* --- dates and numbers ----------------------------------------------------- */

static bool
digits(const char *s, size_t n)
{
	for (; n > 0; n--, s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* CLDR's numeric date of each language (yMd) and its time (Hm), except
 * English: en-GB's medium date ("6 Dec 2026"), which neither a British
 * nor an American reader can take for another day, as "06/12/2026" can
 * be. The month abbreviations are English only (not from the catalog:
 * nothing to look up per row). */
static const char en_months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May",
	"Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

void
i18n_format_datetime(enum i18n_lang lang, const char *iso, char *out,
    size_t outsz)
{
	int d, m;
	const char *rest;

	if (outsz == 0)
		return;
	/* YYYY-MM-DD[ HH:MM[...]] */
	if (iso == NULL || strlen(iso) < 10 || !digits(iso, 4) ||
	    iso[4] != '-' || !digits(iso + 5, 2) || iso[7] != '-' ||
	    !digits(iso + 8, 2) || (iso[10] != '\0' && iso[10] != ' '))
		goto unchanged;
	m = (iso[5] - '0') * 10 + (iso[6] - '0');
	d = (iso[8] - '0') * 10 + (iso[9] - '0');
	if (m < 1 || m > 12 || d < 1 || d > 31)
		goto unchanged;
	rest = iso + 10;
	switch (lang) {
	case LANG_UK:
	case LANG_RU:   /* 06.12.2026 */
		snprintf(out, outsz, "%.2s.%.2s.%.4s%s", iso + 8, iso + 5, iso,
		    rest);
		return;
	case LANG_PL:   /* 6.12.2026 */
		snprintf(out, outsz, "%d.%.2s.%.4s%s", d, iso + 5, iso, rest);
		return;
	case LANG_ES:   /* 6/12/2026 4:05: the hour without its zero */
		if (rest[0] == ' ' && rest[1] == '0' && digits(rest + 1, 2) &&
		    rest[3] == ':')
			snprintf(out, outsz, "%d/%d/%.4s %s", d, m, iso,
			    rest + 2);
		else
			snprintf(out, outsz, "%d/%d/%.4s%s", d, m, iso, rest);
		return;
	case LANG_EN:   /* 6 Dec 2026 */
	case LANG__MAX:
	default:
		snprintf(out, outsz, "%d %s %.4s%s", d, en_months[m - 1], iso,
		    rest);
		return;
	}
unchanged:
	snprintf(out, outsz, "%s", iso ? iso : "");
}

void
i18n_format_day_month(enum i18n_lang lang, const char *iso, char *out,
    size_t outsz)
{
	int d, m;

	if (outsz == 0)
		return;
	if (iso == NULL || strlen(iso) < 10 || !digits(iso, 4) ||
	    iso[4] != '-' || !digits(iso + 5, 2) || iso[7] != '-' ||
	    !digits(iso + 8, 2))
		goto unchanged;
	m = (iso[5] - '0') * 10 + (iso[6] - '0');
	d = (iso[8] - '0') * 10 + (iso[9] - '0');
	if (m < 1 || m > 12 || d < 1 || d > 31)
		goto unchanged;
	/* CLDR's day-month skeleton of each (MMdd, Md, MMMd): the date of
	 * i18n_format_datetime() without its year. */
	switch (lang) {
	case LANG_UK:
	case LANG_RU:   /* 06.12 */
		snprintf(out, outsz, "%.2s.%.2s", iso + 8, iso + 5);
		return;
	case LANG_PL:   /* 6.12 */
		snprintf(out, outsz, "%d.%.2s", d, iso + 5);
		return;
	case LANG_ES:   /* 6/12 */
		snprintf(out, outsz, "%d/%d", d, m);
		return;
	case LANG_EN:   /* 6 Dec */
	case LANG__MAX:
	default:
		snprintf(out, outsz, "%d %s", d, en_months[m - 1]);
		return;
	}
unchanged:
	snprintf(out, outsz, "%s", iso ? iso : "");
}

/* The digit grouping of lang (CLDR, as Intl.NumberFormat writes it):
 * "," (en), "." (es), a no-break space U+00A0 (uk, ru, pl). */
static const char *
group_sep(enum i18n_lang lang)
{
	return lang == LANG_EN ? "," : lang == LANG_ES ? "." : "\xC2\xA0";
}

/* Appends the len digits at d to out (o: bytes used, at most cap - 1),
 * grouped by threes as lang does. Spanish and Polish group only from
 * five digits (CLDR's minimumGroupingDigits 2: 1000, 10.000; 1000,
 * 10 000). */
static size_t
put_grouped(enum i18n_lang lang, const char *d, size_t len, char *out,
    size_t o, size_t cap)
{
	const char *group = group_sep(lang);
	size_t i, gl = strlen(group);

	for (i = 0; i < len && o + gl + 1 < cap; i++) {
		if (i > 0 && (len - i) % 3 == 0 &&
		    !((lang == LANG_ES || lang == LANG_PL) && len == 4)) {
			memcpy(out + o, group, gl);
			o += gl;
		}
		out[o++] = d[i];
	}
	out[o] = '\0';
	return o;
}

void
i18n_format_int(enum i18n_lang lang, long long n, char *out, size_t outsz)
{
	char tmp[32], res[64];
	size_t o = 0;
	int neg = n < 0;

	snprintf(tmp, sizeof(tmp), "%llu",
	    neg ? 0ull - (unsigned long long)n : (unsigned long long)n);
	if (neg)
		res[o++] = '-';
	put_grouped(lang, tmp, strlen(tmp), res, o, sizeof(res));
	snprintf(out, outsz, "%s", res);
}

/* Longest integer part i18n_format_decimal() groups: DECIMAL(65) has at
 * most 65 digits; longer is not a number we wrote. */
#define DECIMAL_DIGITS_MAX 65
/* sign, digits with a two-byte group separator before every third, the
 * decimal sign, the fraction, NUL */
#define DECIMAL_OUT_MAX (1 + DECIMAL_DIGITS_MAX * 5 / 3 + 1 + \
	DECIMAL_DIGITS_MAX + 1)

void
i18n_format_decimal(enum i18n_lang lang, const char *dec, char *out,
    size_t outsz)
{
	char res[DECIMAL_OUT_MAX];
	const char *p = dec, *ip, *fp = NULL;
	size_t il, fl = 0, o = 0;

	if (outsz == 0)
		return;
	if (p == NULL)
		goto unchanged;
	if (*p == '-' || *p == '+')
		res[o++] = *p++;
	for (ip = p; *p >= '0' && *p <= '9'; p++)
		;
	il = (size_t)(p - ip);
	if (*p == '.') {
		for (fp = ++p; *p >= '0' && *p <= '9'; p++)
			;
		fl = (size_t)(p - fp);
	}
	/* [+-]digits[.digits] and nothing else */
	if (il == 0 || il > DECIMAL_DIGITS_MAX || (fp && fl == 0) ||
	    fl > DECIMAL_DIGITS_MAX || *p != '\0')
		goto unchanged;
	o = put_grouped(lang, ip, il, res, o, sizeof(res));
	if (fp) {
		/* CLDR's decimal sign: a point only in English of ours. */
		res[o++] = lang == LANG_EN ? '.' : ',';
		memcpy(res + o, fp, fl);
		res[o + fl] = '\0';
	}
	snprintf(out, outsz, "%s", res);
	return;
unchanged:
	snprintf(out, outsz, "%s", dec ? dec : "");
}

void
i18n_format_percent(enum i18n_lang lang, const char *dec, char *out,
    size_t outsz)
{
	char num[DECIMAL_OUT_MAX];

	if (dec == NULL) {
		if (outsz > 0)
			*out = '\0';
		return;
	}
	i18n_format_decimal(lang, dec, num, sizeof(num));
	/* CLDR's percentFormat: "#,##0%" (en, uk, pl), "#,##0\u00A0%" (ru,
	 * es): a no-break space keeps the sign on the number's line. */
	snprintf(out, outsz, "%s%s%%", num, lang == LANG_RU ||
	    lang == LANG_ES ? "\xC2\xA0" : "");
}

void
i18n_fill(const char *msg, const char *const keys[], const char *const vals[],
    size_t n, char *out, size_t outsz)
{
	size_t len = 0, i, k;
	const char *p, *v;

	if (outsz == 0)
		return;
	for (p = msg; *p != '\0' && len + 1 < outsz; ) {
		for (i = 0; i < n; i++)
			if (strncmp(p, keys[i], strlen(keys[i])) == 0)
				break;
		if (i == n) {
			out[len++] = *p++;
			continue;
		}
		p += strlen(keys[i]);
		for (v = vals[i] ? vals[i] : "", k = 0; v[k] && len + 1 < outsz;
		    k++)
			out[len++] = v[k];
	}
	out[len] = '\0';
}

void
i18n_fill_n(const char *msg, long long n, char *out, size_t outsz)
{
	static const char *const key[] = { "{n}" };
	char num[24];
	const char *val[1] = { num };

	snprintf(num, sizeof(num), "%lld", n);
	i18n_fill(msg, key, val, 1, out, outsz);
}
