#include "config.h"

/* Numbers as people write them (issue 18): the viewer's own country in
 * national form, the rest of the world in international form. Pages keep
 * E.164 in links, CSV and JSON; only the text a person reads goes through
 * here. */

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "phone/phone.h"

/* A history page formats 50 numbers per request, and they repeat across
 * requests (the same customers call again; the newest page is asked for
 * over and over), while a libphonenumber parse and format costs some
 * microseconds. So each thread remembers its recent answers, keyed by the
 * viewer's calling code and the number; an answer never changes while the
 * program runs. Numbers that do not format are remembered too, as "not
 * formatted", so garbage costs one parse. Four ways per set: with one, two
 * numbers of a page that hash alike would evict each other on every
 * request (measured: a tenth of a page's rows missed). */
#define FMT_MEMO_SLOTS 1024
#define FMT_MEMO_WAYS 4

struct fmt_memo {
	int viewer_cc;
	char e164[20];               /* "" = empty slot */
	bool ok;
	char out[PHONE_DISPLAY_MAX];
};

static _Thread_local struct fmt_memo fmt_memo[FMT_MEMO_SLOTS];
static _Thread_local unsigned fmt_victim;

/* "+" and 2..17 digits: what phone_normalize() writes for PHONE_E164. */
static bool
looks_e164(const char *s, size_t n)
{
	size_t i;

	if (n < 3 || n >= sizeof(((struct fmt_memo *)0)->e164) || s[0] != '+')
		return false;
	for (i = 1; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* Copies at most outsz - 1 bytes of s, backing off a cut UTF-8 sequence. */
static void
copy_cut(char *out, size_t outsz, const char *s)
{
	size_t n = strlen(s);

	if (n >= outsz) {
		n = outsz - 1;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(out, s, n);
	out[n] = '\0';
}

/* The calling code of a viewer's region, remembered per thread for the
 * last region asked (a process serves one viewer per request). */
static int
viewer_cc(const char *viewer_region)
{
	static _Thread_local char last[3];
	static _Thread_local int last_cc;
	char rc[3];

	phone_region(viewer_region, rc);
	if (strcmp(rc, "ZZ") == 0)
		return 0;
	if (strcmp(rc, last) != 0) {
		last_cc = phone_lpn_country_code(rc);
		memcpy(last, rc, 3);
	}
	return last_cc;
}

bool
phone_format(const char *stored, const char *viewer_region, char *out,
    size_t outsz)
{
	struct fmt_memo *m = NULL, *set;
	uint32_t h = 2166136261u;           /* FNV-1a */
	size_t i, n;
	int cc;

	if (outsz == 0)
		return false;
	if (stored == NULL) {
		out[0] = '\0';
		return false;
	}
	n = strlen(stored);
	if (outsz < PHONE_DISPLAY_MAX || !looks_e164(stored, n)) {
		copy_cut(out, outsz, stored);
		return false;
	}
	cc = viewer_cc(viewer_region);
	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)stored[i]) * 16777619u;
	h = (h ^ (uint32_t)cc) * 16777619u;
	set = &fmt_memo[h % (FMT_MEMO_SLOTS / FMT_MEMO_WAYS) * FMT_MEMO_WAYS];
	for (i = 0; i < FMT_MEMO_WAYS && m == NULL; i++)
		if (set[i].viewer_cc == cc && strcmp(set[i].e164, stored) == 0)
			m = &set[i];
	if (m == NULL) {
		m = &set[fmt_victim++ % FMT_MEMO_WAYS];
		m->ok = phone_lpn_format(stored, cc, m->out,
		    sizeof(m->out)) == 0;
		m->viewer_cc = cc;
		memcpy(m->e164, stored, n + 1);
	}
	copy_cut(out, outsz, m->ok ? m->out : stored);
	return m->ok;
}

bool
phone_where_of(const char *e164, struct phone_where *w)
{
	const char *tz;

	memset(w, 0, sizeof(*w));
	w->time_zone = "";
	if (e164 == NULL || !looks_e164(e164, strlen(e164)) ||
	    phone_lpn_region(e164, w->region) != 0) {
		w->region[0] = '\0';
		return false;
	}
	/* phone_region_time_zone() says "UTC" for a region it does not
	 * know: no zone rather than a wrong one. */
	tz = phone_region_time_zone(w->region);
	w->time_zone = strcmp(tz, "UTC") == 0 ? "" : tz;
	return true;
}
