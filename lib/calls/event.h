/* The provider-neutral call event (DESIGN §2.2). Every adapter in
 * lib/providers/ turns one provider request into exactly one of these;
 * the ingest pipeline (lib/calls/ingest.c) stores it. Fixed-size fields:
 * an adapter copies with ev_set() which truncates safely, and a value that
 * does not fit is an adapter's CB_EINVAL, never an overflow. */
#ifndef CB_CALLS_EVENT_H
#define CB_CALLS_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ev_kind {
	EV_NONE = 0,
	EV_RINGING,      /* the call exists and rings (somewhere) */
	EV_ANSWERED,     /* someone (ev.extension, if known) picked up */
	EV_ENDED,        /* the call, or one leg of it, is over */
	EV_RECORDING,    /* a recording is ready (or known to be absent) */
	EV_ECHO,         /* a URL check (Zadarma zd_echo): answer ev.echo */
	EV_IGNORED,      /* a known event we have no use for: stored, 200 */
	EV_UNKNOWN,      /* an event type we do not know: stored raw, 200 */
	EV_KIND__MAX
};

enum call_dir { DIR_UNKNOWN = 0, DIR_IN, DIR_OUT, DIR_INTERNAL, DIR__MAX };

/* Ordered by precedence when two events disagree: a call that anyone
 * answered is answered (ring groups: one "answered", never one "missed"
 * per extension that did not pick up). RES_NONE = this event says
 * nothing about the result. */
enum call_result {
	RES_NONE = 0, RES_UNKNOWN, RES_FAILED, RES_BUSY, RES_NO_ANSWER,
	RES_MISSED, RES_ANSWERED, RES__MAX
};

struct call_event {
	enum ev_kind kind;
	bool wants_route;           /* the provider waits for a routing answer */
	char type_name[41];         /* the provider's own event name */
	char call_id[129];          /* the physical call's id: ParentCallSid,
	                             * pbx_call_id, generalCallID, linkedid */
	char leg_id[129];           /* this leg's id, "" if the call itself */
	char event_id[129];         /* provider's event id ("" → payload hash) */
	enum call_dir dir;
	char client[65];            /* the customer's number as sent ("" if
	                             * withheld: see client_withheld) */
	bool client_withheld;       /* the caller withheld their number:
	                             * set only by ev_set_client() */
	char our_number[65];        /* our number (DID, line) */
	char extension[33];         /* the manager's extension in this event */
	char caller_name[129];
	int64_t at_ms;              /* when it happened (unix ms, 0 = now) */
	int64_t started_ms;         /* call start if the event says (0 = no) */
	int64_t answered_ms;
	int64_t ended_ms;
	int32_t talk_s;             /* -1 = not said */
	int32_t wait_s;             /* -1 = not said */
	enum call_result result;
	char hangup_cause[65];
	char recording_url[1025];   /* where to fetch it from the provider */
	char recording_ref[129];    /* provider's recording id, if any */
	bool recording_absent;      /* the provider says there is none */
	char echo[129];             /* EV_ECHO: the body to send back */
	int32_t seq;                /* provider ordering hint, -1 if none */
	/* A signature that does not cover the call's id (Zadarma signs three
	 * fields, providers.md §2.1): hex SHA-256 of it, bound to call_id by
	 * the ingest procedure so it cannot be replayed for another call
	 * (issue 16 §7). "" when the signature covers the call. */
	char sig_key[65];
	/* The provider sends a final record per agent who took part (3CX
	 * journals a call once per agent [U]): who talked last is the latest
	 * answer among them, not the record that arrived last. */
	bool talker_by_answer;
};

/* The columns an event's text ends up in (sql/migrations/0001_core.sql),
 * in characters: calls.external_id, call_events.external_id and
 * call_legs.external_leg_id; calls.extension, call_legs.extension (and
 * users.extension, which they are matched with). */
#define EV_MAX_ID 128
#define EV_MAX_EXTENSION 16

/* Zeroes ev and sets the "not said" values. */
void ev_init(struct call_event *ev);
/* Copies s (len bytes, or strlen if len == (size_t)-1) into a field of
 * size cap. false if it did not fit (the field is left empty). */
bool ev_copy(char *field, size_t cap, const char *s, size_t len);
#define ev_set(ev, field, s) ev_copy((ev)->field, sizeof((ev)->field), (s), \
	(size_t)-1)

/* NULL when every text of ev fits the column it is stored in and is valid
 * UTF-8 (utf8mb4 refuses anything else); else why not, for a 400 ("the
 * extension is longer than 16 characters"). Checked where the provider's
 * data enters (lib/calls/receive.c), so the database never refuses a row
 * of an event we acknowledged (issue 16 §4). */
const char *ev_validate(const struct call_event *ev);
/* Sets the customer's number from what the provider sent (len bytes, or
 * strlen when len == (size_t)-1): a withheld caller id (phone_withheld(),
 * lib/phone/phone.h: "anonymous", "", "0", Twilio's "+266696687", ...)
 * leaves client "" and sets client_withheld, so no number is stored,
 * looked up or linked. NULL = the event does not say. false if it did not
 * fit (as ev_copy()). Every adapter sets client through this. */
bool ev_set_client(struct call_event *ev, const char *s, size_t len);

/* The times of one event made possible before they become a call's
 * (issue 15 §2.2): nothing later than received_ms + skew (a provider time
 * in the future is a wrong zone or clock: it becomes the arrival time),
 * a start never after the answer or the end, an answer never after the
 * end. Call before ingest. */
#define EV_FUTURE_SKEW_MS (5 * 60 * 1000)
void ev_sane_times(struct call_event *ev, int64_t received_ms);

const char *ev_kind_name(enum ev_kind k);
const char *call_dir_name(enum call_dir d);       /* "in", "out", ... */
const char *call_result_name(enum call_result r); /* calls.result value */

#endif
