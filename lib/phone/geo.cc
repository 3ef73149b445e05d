#include "config.h"

/* The geocoder half of the libphonenumber shim (geo.h). Like
 * phonenumber.cc, every entry point catches every exception. */

#include <cstddef>
#include <cstring>
#include <string>

#include <phonenumbers/geocoding/phonenumber_offline_geocoder.h>
#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>
#include <unicode/locid.h>

#include "phone/geo.h"
#include "phone/phone.h"

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberOfflineGeocoder;
using i18n::phonenumbers::PhoneNumberUtil;

extern "C" int
phone_geo_place(const char *e164, char *out, size_t outsz)
{
	if (outsz == 0)
		return -1;
	out[0] = '\0';
	if (e164 == NULL || e164[0] != '+' || std::strlen(e164) > PHONE_MAX)
		return -1;
	try {
		/* Built on first use, kept for the process: it loads its
		 * prefix tables lazily and guards them with its own mutex. */
		static const PhoneNumberOfflineGeocoder geocoder;
		const PhoneNumberUtil *u = PhoneNumberUtil::GetInstance();
		PhoneNumber n;
		std::string s;

		if (u->Parse(e164, "ZZ", &n) != PhoneNumberUtil::NO_PARSING_ERROR ||
		    !u->IsValidNumber(n))
			return -1;
		s = geocoder.GetDescriptionForValidNumber(n,
		    icu::Locale::getEnglish());
		if (s.empty() || s.size() >= outsz)
			return -1;
		std::memcpy(out, s.c_str(), s.size() + 1);
		return 0;
	} catch (...) {
		out[0] = '\0';
		return -1;
	}
}
