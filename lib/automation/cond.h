/* Trigger conditions (docs/automation.md): a JSON object whose every key
 * is optional (absent = any call):
 *   {"direction": "in"|"out", "integration_id": 3,
 *    "customer": "known"|"unknown", "order_status": "new",
 *    "time_from": "09:00", "time_to": "18:00", "time_zone": "Europe/Kyiv"}
 * Parsing is separate from matching so that a bad trigger is reported
 * (trigger_runs, error) instead of silently matching nothing, and so the
 * pure parts are unit-tested (tests/unit/test_automation.c). */
#ifndef CB_AUTOMATION_COND_H
#define CB_AUTOMATION_COND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

enum cond_customer { COND_ANY = 0, COND_KNOWN, COND_UNKNOWN };

struct trig_cond {
	char direction[10];        /* "" = any */
	int64_t integration_id;    /* 0 = any */
	enum cond_customer customer;
	char order_status[41];     /* order_statuses.code, "" = any */
	int from_min, to_min;      /* minutes after midnight; -1 = no window */
	char time_zone[64];        /* IANA name; default "UTC" */
};

/* What a condition is matched against. */
struct cond_facts {
	const char *direction;
	int64_t integration_id;
	bool customer_known;
	bool has_order_status;     /* the customer has an OPEN order in
	                            * cond.order_status (looked up by the
	                            * caller only when one is asked for) */
	int local_minute;          /* the call's start in cond.time_zone,
	                            * minutes after midnight */
};

/* CB_EINVAL with a reason in err for a malformed object. */
enum cb_err cond_parse(const char *json, struct trig_cond *c, char *err,
    size_t errsz);
/* "09:30" → 570; -1 for anything but HH:MM with HH 00-23 (or 24:00). */
int cond_parse_hhmm(const char *s);
/* Is minute (0..1439) inside [from, to)? A window may wrap midnight
 * (22:00-06:00); from == to means the whole day. */
bool cond_in_window(int from, int to, int minute);
/* The minute of the day of a UTC time "YYYY-MM-DD HH:MM:SS" in tz; -1 if
 * the time cannot be read. */
int cond_local_minute(const char *utc, const char *tz);
bool cond_match(const struct trig_cond *c, const struct cond_facts *f);

#endif
