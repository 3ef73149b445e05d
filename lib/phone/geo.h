/* Where a number is (issue 18: "a click shows the operator and the time
 * zone"): libphonenumber's offline geocoder, from Debian's libgeocoding
 * (libphonenumber-dev). Linked only into the programs that show it (the
 * card and the CRM pages: GEO_LIBS in Makefile.am), because it pulls ICU
 * and abseil in.
 *
 * Debian 12 ships libphonenumber 8.12, whose C++ library has the
 * geocoder but neither PhoneNumberToTimeZonesMapper nor
 * PhoneNumberToCarrierMapper (those exist only in the Java library there):
 * the time zone is the region's usual one (phone_where_of(), phone.h) and the
 * carrier is not known. */
#ifndef CB_PHONE_GEO_H
#define CB_PHONE_GEO_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Room for a place name ("San Francisco, CA, United States"). */
#define PHONE_PLACE_MAX 128

/* The place of a valid E.164 number in English: a city or area where the
 * number range says one ("Kyiv city", "San Francisco, CA"), else the
 * country ("Ukraine", what a mobile range says). Writes "" and returns -1
 * for anything else (invalid, not E.164, a C++ exception, does not fit in
 * outsz). The geocoder's data loads on first use, per process. */
int phone_geo_place(const char *e164, char *out, size_t outsz);

#ifdef __cplusplus
}
#endif

#endif
