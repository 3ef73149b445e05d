/* Times are stored in UTC ("YYYY-MM-DD HH:MM:SS[.fff]") and shown in the
 * viewer's IANA time zone (issue 4 §5). The zone switch uses TZ + tzset(),
 * cached per process: FastCGI programs are single-threaded. */
#ifndef CB_CORE_TIMEFMT_H
#define CB_CORE_TIMEFMT_H

#include <stddef.h>

#include "core/err.h"

/* "2026-11-23 08:15:00.000" UTC → "2026-11-23 10:15" in tz. */
enum cb_err time_utc_to_local(const char *utc, const char *tz, char *out,
    size_t outsz);
/* "2026-11-23" or "2026-11-23 10:15" in tz → "2026-11-23 08:15:00" UTC.
 * CB_EINVAL for anything else (a malformed date filter is a 400). */
enum cb_err time_local_to_utc(const char *local, const char *tz, char *out,
    size_t outsz);
/* "1:05", "12:00:07": seconds as a clock duration. */
void time_duration(long seconds, char *out, size_t outsz);

#endif
