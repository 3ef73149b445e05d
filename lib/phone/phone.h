/* Phone-number normalisation (DESIGN §3: matching ignores formatting, and
 * national forms equal international ones for the integration's country).
 *
 * phone_normalize() turns whatever a provider or a person wrote into one
 * canonical string, so equal numbers compare equal with strcmp():
 * libphonenumber validates and formats it as E.164 ("+380671234567"), and
 * what it cannot validate falls back to digits only. phone_digits() is the
 * cruder key for "search by part of a number".
 *
 * Everything here is bounded: inputs over PHONE_IN_MAX bytes are refused
 * before any parsing, and results always fit in PHONE_MAX bytes. Nothing is
 * kept between calls except libphonenumber's process-wide metadata, so the
 * functions are safe to call from any request. Output buffers are the
 * caller's; no function returns memory the caller must free. */
#ifndef CB_PHONE_PHONE_H
#define CB_PHONE_PHONE_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

enum phone_kind {
	PHONE_E164,      /* a valid number, normalised to +<digits> */
	PHONE_EXTENSION, /* a short internal number (e.g. 101, 2-6 digits): kept as digits, never a customer number */
	PHONE_DIGITS,    /* libphonenumber could not validate it: digits-only fallback (with '+' if the input had an international prefix) */
	PHONE_INVALID,   /* no digits at all, or over the length cap */
	PHONE_KIND__MAX
};

/* Output buffer size for phone_normalize(): E.164 needs 16 bytes with the
 * NUL; the digits fallback needs at most 1 + PHONE_DIGITS_MAX + 1. */
#define PHONE_MAX 32
/* Longer inputs are PHONE_INVALID without being looked at: the longest
 * sane form ("tel:+380 (67) 123-45-67;ext=1234" and the like) is far
 * shorter, and the cap bounds the work a hostile payload can cause. */
#define PHONE_IN_MAX 64
/* More digits than this is not a phone number: E.164 allows 15, plus an
 * international prefix ("8 10", "0011") and a trunk prefix. */
#define PHONE_DIGITS_MAX 24
/* A bare number of this many digits is an internal extension. */
#define PHONE_EXT_MIN 2
#define PHONE_EXT_MAX 6

/* Normalises `in` (len bytes, not necessarily NUL-terminated) with the
 * default region `region` (ISO 3166 alpha-2 like "UA", any case; NULL, ""
 * or a region libphonenumber does not know = no default, so only numbers
 * with an international prefix can become E.164).
 *
 * Writes a NUL-terminated result into out, which must be at least
 * PHONE_MAX bytes: E.164 for PHONE_E164, the digits for PHONE_EXTENSION,
 * [+]digits for PHONE_DIGITS, "" for PHONE_INVALID. If outsz < PHONE_MAX
 * (a caller bug) nothing is parsed, out gets "" when outsz > 0, and the
 * result is PHONE_INVALID, whatever the number: failing the same way every
 * time keeps the bug from hiding until a long number arrives.
 *
 * Accepted: any formatting (spaces, "()", "-", ".", "/", non-ASCII bytes
 * such as a no-break space), a "tel:", "sip:" or "sips:" scheme with the
 * URI's "@host" and ";params" ignored, a leading "+", "00" or the region's
 * own international prefix ("8 10" in RU, "011" in US), the region's
 * national form ("067 123 45 67" in UA, "8 912 ..." in RU), and the
 * country code without "+" ("380671234567" in UA). Text after the number
 * ("ext. 12", "(Ivan)") is ignored, but text before it makes the input
 * PHONE_INVALID: "anonymous", "Restricted", "client:alice" and the like
 * are identities, not numbers. Embedded NUL bytes make it PHONE_INVALID.
 *
 * Only ASCII digits count. Allocates nothing itself; libphonenumber makes
 * a few short-lived std::string allocations per call and frees them. */
enum phone_kind phone_normalize(const char *in, size_t len, const char *region,
    char *out, size_t outsz);

/* Digits only, for search: "+380 (67) 123-45-67" -> "380671234567".
 * Writes a NUL-terminated result and returns the count written, 0 if none.
 * 0 (and "" when outsz > 0) also when the digits do not all fit in out, when
 * in is over PHONE_IN_MAX bytes or holds a NUL byte: a truncated key would
 * find the wrong customers. */
size_t phone_digits(const char *in, size_t len, char *out, size_t outsz);
/* The digits in reverse order ("+380671234567" -> "765432176083"): the
 * key of calls.client_digits_rev and customer_phones.phone_digits_rev,
 * where "ends with" is an index prefix. Same return and caps as
 * phone_digits(). */
size_t phone_digits_rev(const char *in, size_t len, char *out, size_t outsz);

/* Whether a caller id (len bytes) says the number is withheld rather than
 * giving one (issue 15 §2.5): empty or blank, "anonymous", "restricted",
 * "private", "unavailable", "unknown", "<unknown>" and the like in any case
 * (also as a sip:/tel: URI's user), all zeros ("0"), and Twilio's keypad
 * spellings ("+266696687" = ANONYMOUS). The one place this is decided:
 * adapters call it through ev_set_client() (lib/calls/event.h). NULL is
 * "not said", never withheld. lib/phone/withheld.c. */
bool phone_withheld(const char *in, size_t len);

/* The usual IANA time zone of an ISO 3166 alpha-2 region ("UA" ->
 * "Europe/Kyiv"), "UTC" when not known: the default of an integration's
 * time zone (issue 15 §2.2). Static, never NULL. lib/phone/withheld.c. */
const char *phone_region_time_zone(const char *region);

/* The libphonenumber singleton loads ~10 MB of metadata: call once at
 * program start in programs that parse numbers (phone_normalize() would
 * otherwise load it on its first call, inside a request). Returns 0, or -1
 * if libphonenumber cannot validate a known-good number (metadata missing,
 * out of memory); phone_normalize() then still works, with every number
 * coming back as PHONE_DIGITS, so a caller may log the failure and go on. */
int phone_init(void);

/* The country calling code of an ISO 3166 alpha-2 region ("UA" -> 380),
 * or 0 if libphonenumber does not know it: for checking configuration at
 * start-up, since phone_normalize() treats an unknown region as none. */
int phone_country_code(const char *region);

/* "e164", "extension", "digits", "invalid"; static, never NULL
 * ("unknown" for a value out of range). Stable: fit for logs and the DB. */
const char *phone_kind_name(enum phone_kind k);

/* --- display (issue 18): lib/phone/format.c ------------------------------ */

/* Room for a number as people write it: the longest international form
 * is the 16-byte E.164 plus a separator per group and brackets. */
#define PHONE_DISPLAY_MAX 48

/* Writes stored (a number as Callboard keeps it: E.164, an extension, the
 * digits fallback, or whatever a provider sent) as a person reads it to
 * out: a valid E.164 number of the viewer's country (ISO 3166 alpha-2,
 * any case) in that country's national form ("067 123 4567" for a UA
 * viewer), any other valid E.164 number in international form
 * ("+1 415-555-2671"); everything else -- extensions, unparsable or
 * invalid numbers, an unknown viewer region for national ones -- is copied
 * as stored (cut at outsz - 1 bytes, never split inside a UTF-8
 * sequence). out gets "" for NULL. Returns true when it was formatted.
 * outsz must be at least PHONE_DISPLAY_MAX for formatting to happen.
 * Answers are remembered per thread (a history page shows the same
 * numbers again and again), so the cost is one libphonenumber parse per
 * number and viewer region per process. */
bool phone_format(const char *stored, const char *viewer_region, char *out,
    size_t outsz);

/* What libphonenumber knows about a valid E.164 number beyond its digits:
 * its region (ISO 3166 alpha-2, "" when unknown) and the usual IANA time
 * zone there (phone_region_time_zone(); "" when the region is unknown).
 * Returns false (and empty fields) for anything that is not a valid E.164
 * number. The place name and the carrier are in lib/phone/geo.h, which
 * only the programs that show them link. */
struct phone_where {
	char region[3];
	const char *time_zone;   /* static */
};
bool phone_where_of(const char *e164, struct phone_where *w);

/* --- internal: the libphonenumber shim in phonenumber.cc -----------------
 * Declared here so the C and C++ sides are checked against one prototype.
 * Not for callers outside lib/phone/. No C++ exception leaves these. */
enum phone_lpn {
	PHONE_LPN_VALID,    /* valid: out holds its E.164 form */
	PHONE_LPN_INTL,     /* parsed with a country code from an international
	                     * prefix ('+' or the region's IDD) but not valid:
	                     * out holds "+<country code><national number>" */
	PHONE_LPN_NATIONAL, /* parsed but not valid, and not written with an
	                     * international prefix: out untouched */
	PHONE_LPN_NOPARSE,  /* libphonenumber refused it: out untouched */
	PHONE_LPN_FAIL      /* C++ exception or unusable metadata: out untouched */
};
/* num: NUL-terminated "[+]digits" as phone.c builds it; region: two
 * upper-case ASCII letters or "ZZ" (no region). */
enum phone_lpn phone_lpn_parse(const char *num, const char *region, char *out,
    size_t outsz);
int phone_lpn_init(void);
/* e164 ("+digits") in NATIONAL form when its country calling code is
 * viewer_cc, else INTERNATIONAL: 0, or -1 (not a valid number, does not
 * fit, C++ exception) with out untouched. */
int phone_lpn_format(const char *e164, int viewer_cc, char *out,
    size_t outsz);
/* The region code of a valid e164 into rc (3 bytes): 0, or -1. */
int phone_lpn_region(const char *e164, char rc[3]);
/* "ua" -> "UA", anything else -> "ZZ" (phone.c). */
void phone_region(const char *region, char rc[3]);
int phone_lpn_country_code(const char *region);

#ifdef __cplusplus
}
#endif

#endif
