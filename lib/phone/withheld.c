/* Withheld caller ids, and a region's usual time zone: what a provider's
 * "number" means before it is treated as one (issue 15 §2.5, §2.2). */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include "phone/phone.h"

/* Words providers and PBXs put where a withheld number would be:
 * "anonymous" (SIP RFC 3323, Zadarma, Asterisk), "restricted", "private",
 * "unavailable", "unknown" and Asterisk's "<unknown>" (the cacofonisk AMI
 * recordings in ../shared/real-payloads show CallerIDNum "<unknown>"). */
static const char *const withheld_words[] = {
	"anonymous", "restricted", "private", "unavailable", "unknown",
	"<unknown>", "withheld", "blocked", "not available", "unavailable number",
	"private number", "unknown number", "anonymous caller",
};

/* Twilio puts a "number" that spells the reason on a phone keypad in From:
 * +266696687 is ANONYMOUS (issue 15 §2.5). The other spellings follow the
 * same rule (RESTRICTED, UNKNOWN, UNAVAILABLE, BLOCKED) and have been
 * reported for Twilio too [U]; none is a real number of its country (too
 * short or too long), so treating them as withheld costs nothing. Only
 * their "+" forms count: bare digits could be someone's local number. */
static const char *const withheld_keypad[] = {
	"+266696687", "+7378742833", "+8656696", "+86282452253", "+2562533",
};

static char
lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool
eq_ci(const char *a, size_t n, const char *b)
{
	size_t i;

	if (strlen(b) != n)
		return false;
	for (i = 0; i < n; i++)
		if (lower(a[i]) != b[i])
			return false;
	return true;
}

static bool
blank(char c)
{
	return c == ' ' || c == '\t' || c == '"' || c == '\'';
}

bool
phone_withheld(const char *in, size_t len)
{
	const char *p = in, *end, *at;
	size_t i, n, zeros = 0;

	if (in == NULL)
		return false;
	end = in + len;
	if (memchr(in, '\0', len) != NULL)
		return false;
	while (p < end && blank(*p))
		p++;
	while (end > p && blank(end[-1]))
		end--;
	/* "sip:anonymous@anonymous.invalid" (RFC 3323 §4.1.1.3), "tel:0". */
	if (end - p >= 4 && (eq_ci(p, 4, "sip:") || eq_ci(p, 4, "tel:")))
		p += 4;
	else if (end - p >= 5 && eq_ci(p, 5, "sips:"))
		p += 5;
	if ((at = memchr(p, '@', (size_t)(end - p))) != NULL)
		end = at;
	n = (size_t)(end - p);
	if (n == 0)
		return true;
	for (i = 0; i < sizeof(withheld_words) / sizeof(withheld_words[0]);
	    i++)
		if (eq_ci(p, n, withheld_words[i]))
			return true;
	for (i = 0; i < sizeof(withheld_keypad) / sizeof(withheld_keypad[0]);
	    i++)
		if (n == strlen(withheld_keypad[i]) &&
		    memcmp(p, withheld_keypad[i], n) == 0)
			return true;
	/* "0", "00000", "+0": a switch's placeholder, never a subscriber. */
	for (i = p < end && *p == '+' ? 1 : 0; i < n; i++) {
		if (p[i] != '0')
			return false;
		zeros++;
	}
	return zeros > 0;
}

/* The zone most of a country's people live in: the default of an
 * integration's time zone (issue 15 §2.2), which the admin sees and may
 * change on the integration's page. tzdata's zone.tab lists a country's
 * zones in no order of importance (its first RU zone is Kaliningrad), so
 * the usual one is named here for the countries whose providers we speak
 * to, and the rest of the world with one zone. */
static const struct {
	char region[3];
	const char *zone;
} region_zones[] = {
	{ "AM", "Asia/Yerevan" }, { "AT", "Europe/Vienna" },
	{ "AZ", "Asia/Baku" }, { "BE", "Europe/Brussels" },
	{ "BG", "Europe/Sofia" }, { "BY", "Europe/Minsk" },
	{ "CA", "America/Toronto" }, { "CH", "Europe/Zurich" },
	{ "CY", "Asia/Nicosia" }, { "CZ", "Europe/Prague" },
	{ "DE", "Europe/Berlin" }, { "DK", "Europe/Copenhagen" },
	{ "EE", "Europe/Tallinn" }, { "ES", "Europe/Madrid" },
	{ "FI", "Europe/Helsinki" }, { "FR", "Europe/Paris" },
	{ "GB", "Europe/London" }, { "GE", "Asia/Tbilisi" },
	{ "GR", "Europe/Athens" }, { "HU", "Europe/Budapest" },
	{ "IE", "Europe/Dublin" }, { "IL", "Asia/Jerusalem" },
	{ "IT", "Europe/Rome" }, { "KG", "Asia/Bishkek" },
	{ "KZ", "Asia/Almaty" }, { "LT", "Europe/Vilnius" },
	{ "LV", "Europe/Riga" }, { "MD", "Europe/Chisinau" },
	{ "NL", "Europe/Amsterdam" }, { "NO", "Europe/Oslo" },
	{ "PL", "Europe/Warsaw" }, { "PT", "Europe/Lisbon" },
	{ "RO", "Europe/Bucharest" }, { "RS", "Europe/Belgrade" },
	{ "RU", "Europe/Moscow" }, { "SE", "Europe/Stockholm" },
	{ "SK", "Europe/Bratislava" }, { "TR", "Europe/Istanbul" },
	{ "UA", "Europe/Kyiv" }, { "US", "America/New_York" },
	{ "UZ", "Asia/Tashkent" },
};

const char *
phone_region_time_zone(const char *region)
{
	size_t i;

	if (region == NULL || strlen(region) != 2)
		return "UTC";
	for (i = 0; i < sizeof(region_zones) / sizeof(region_zones[0]); i++)
		if (lower(region[0]) == lower(region_zones[i].region[0]) &&
		    lower(region[1]) == lower(region_zones[i].region[1]))
			return region_zones[i].zone;
	return "UTC";
}
