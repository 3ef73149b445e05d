#include "config.h"

/* The only C++ in Callboard: an extern "C" shim over libphonenumber
 * (Debian libphonenumber-dev; headers in /usr/include/phonenumbers/, no
 * pkg-config file, see STACK-NOTES.md). Every entry point catches every
 * exception, because one unwinding into C frames is undefined behaviour;
 * the C side (phone.c) treats PHONE_LPN_FAIL as "use the digits".
 *
 * PhoneNumberUtil::GetInstance() builds a process-wide singleton from the
 * compiled-in metadata (~10 MB) on first use and never frees it. It is
 * thread-safe, and its default logger is a NullLogger, so nothing is
 * written to stdout, which in CGI mode is the response. */

#include <cstddef>
#include <cstring>
#include <string>

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include "phone/phone.h"

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

namespace {

/* Copies an E.164 string out, after checking it is "+" and 1-17 digits
 * (cc + national number): a shape the C side may rely on. */
bool
put_e164(const std::string &s, char *out, size_t outsz)
{
	size_t i;

	if (s.size() < 2 || s.size() > 1 + 3 + 17 || s.size() >= outsz ||
	    s[0] != '+')
		return false;
	for (i = 1; i < s.size(); i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	std::memcpy(out, s.c_str(), s.size() + 1);
	return true;
}

} // namespace

extern "C" enum phone_lpn
phone_lpn_parse(const char *num, const char *region, char *out, size_t outsz)
{
	try {
		const PhoneNumberUtil *u = PhoneNumberUtil::GetInstance();
		PhoneNumber n;
		std::string e164;
		bool valid;

		/* ParseAndKeepRawInput rather than Parse: only it records
		 * country_code_source, the one way to learn that the
		 * region's own international prefix was stripped. */
		if (u->ParseAndKeepRawInput(num, region, &n) !=
		    PhoneNumberUtil::NO_PARSING_ERROR)
			return PHONE_LPN_NOPARSE;
		valid = u->IsValidNumber(n);
		if (!valid) {
			switch (n.country_code_source()) {
			case PhoneNumber::FROM_NUMBER_WITH_PLUS_SIGN:
			case PhoneNumber::FROM_NUMBER_WITH_IDD:
				break;
			default:
				/* The country code is the region's, or
				 * digits of the input read as one: the
				 * input's own digits are the honest
				 * fallback. */
				return PHONE_LPN_NATIONAL;
			}
		}
		u->Format(n, PhoneNumberUtil::E164, &e164);
		if (!put_e164(e164, out, outsz))
			return PHONE_LPN_FAIL;
		return valid ? PHONE_LPN_VALID : PHONE_LPN_INTL;
	} catch (...) {
		return PHONE_LPN_FAIL;
	}
}

extern "C" int
phone_lpn_init(void)
{
	char out[PHONE_MAX];

	/* A known-valid number proves the metadata loaded; a broken
	 * install would otherwise show up only as every number being
	 * "digits". phone_lpn_parse() catches everything itself. */
	if (phone_lpn_parse("+14155552671", "ZZ", out, sizeof(out)) !=
	    PHONE_LPN_VALID)
		return -1;
	return std::strcmp(out, "+14155552671") == 0 ? 0 : -1;
}

extern "C" int
phone_lpn_country_code(const char *region)
{
	try {
		return PhoneNumberUtil::GetInstance()->
		    GetCountryCodeForRegion(region);
	} catch (...) {
		return 0;
	}
}

extern "C" int
phone_lpn_format(const char *e164, int viewer_cc, char *out, size_t outsz)
{
	try {
		const PhoneNumberUtil *u = PhoneNumberUtil::GetInstance();
		PhoneNumber n;
		std::string s;

		if (u->Parse(e164, "ZZ", &n) != PhoneNumberUtil::NO_PARSING_ERROR ||
		    !u->IsValidNumber(n))
			return -1;
		u->Format(n, n.country_code() == viewer_cc ?
		    PhoneNumberUtil::NATIONAL : PhoneNumberUtil::INTERNATIONAL,
		    &s);
		if (s.empty() || s.size() >= outsz)
			return -1;
		std::memcpy(out, s.c_str(), s.size() + 1);
		return 0;
	} catch (...) {
		return -1;
	}
}

extern "C" int
phone_lpn_region(const char *e164, char rc[3])
{
	try {
		const PhoneNumberUtil *u = PhoneNumberUtil::GetInstance();
		PhoneNumber n;
		std::string s;

		if (u->Parse(e164, "ZZ", &n) != PhoneNumberUtil::NO_PARSING_ERROR ||
		    !u->IsValidNumber(n))
			return -1;
		u->GetRegionCodeForNumber(n, &s);
		/* "001" for non-geographic entities, "ZZ" unknown. */
		if (s.size() != 2 || s == "ZZ")
			return -1;
		std::memcpy(rc, s.c_str(), 3);
		return 0;
	} catch (...) {
		return -1;
	}
}
