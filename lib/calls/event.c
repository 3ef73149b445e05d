#include "config.h"

#include <stddef.h>
#include <string.h>

#include "calls/event.h"
#include "core/utf8.h"
#include "phone/phone.h"

void
ev_init(struct call_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->talk_s = -1;
	ev->wait_s = -1;
	ev->seq = -1;
}

bool
ev_copy(char *field, size_t cap, const char *s, size_t len)
{
	if (s == NULL) {
		field[0] = '\0';
		return true;
	}
	if (len == (size_t)-1)
		len = strlen(s);
	if (len >= cap || memchr(s, '\0', len) != NULL) {
		field[0] = '\0';
		return false;
	}
	memcpy(field, s, len);
	field[len] = '\0';
	return true;
}

bool
ev_set_client(struct call_event *ev, const char *s, size_t len)
{
	if (s == NULL)
		return ev_copy(ev->client, sizeof(ev->client), NULL, 0);
	if (len == (size_t)-1)
		len = strlen(s);
	if (phone_withheld(s, len)) {
		ev->client[0] = '\0';
		ev->client_withheld = true;
		return true;
	}
	ev->client_withheld = false;
	return ev_copy(ev->client, sizeof(ev->client), s, len);
}

void
ev_sane_times(struct call_event *ev, int64_t received_ms)
{
	int64_t limit = received_ms + EV_FUTURE_SKEW_MS;

	if (ev->at_ms > limit)
		ev->at_ms = received_ms;
	if (ev->started_ms > limit)
		ev->started_ms = received_ms;
	if (ev->answered_ms > limit)
		ev->answered_ms = received_ms;
	if (ev->ended_ms > limit)
		ev->ended_ms = received_ms;
	if (ev->ended_ms > 0 && ev->answered_ms > ev->ended_ms)
		ev->answered_ms = ev->ended_ms;
	if (ev->answered_ms > 0 && ev->started_ms > ev->answered_ms)
		ev->started_ms = ev->answered_ms;
	if (ev->ended_ms > 0 && ev->started_ms > ev->ended_ms)
		ev->started_ms = ev->ended_ms;
}

const char *
ev_kind_name(enum ev_kind k)
{
	static const char *const names[EV_KIND__MAX] = {
		"none", "ringing", "answered", "ended", "recording", "echo",
		"ignored", "unknown"
	};
	return (unsigned)k < EV_KIND__MAX ? names[k] : "none";
}

const char *
call_dir_name(enum call_dir d)
{
	static const char *const names[DIR__MAX] = {
		"in", "in", "out", "internal"
	};
	/* Unknown direction is stored as incoming: providers that omit it
	 * only ever report incoming calls (DESIGN §3 "simple" integrations). */
	return (unsigned)d < DIR__MAX ? names[d] : "in";
}

const char *
call_result_name(enum call_result r)
{
	static const char *const names[RES__MAX] = {
		"unknown", "unknown", "failed", "busy", "no_answer", "missed",
		"answered"
	};
	return (unsigned)r < RES__MAX ? names[r] : "unknown";
}

const char *
ev_validate(const struct call_event *ev)
{
	static const struct {
		size_t off;
		long max;           /* characters; 0 = the field's size is less */
		const char *valid;  /* "is not valid UTF-8" message */
		const char *long_;
	} f[] = {
		{ offsetof(struct call_event, call_id), EV_MAX_ID,
		    "the call id is not valid UTF-8",
		    "the call id is longer than 128 characters" },
		{ offsetof(struct call_event, leg_id), EV_MAX_ID,
		    "the leg id is not valid UTF-8",
		    "the leg id is longer than 128 characters" },
		{ offsetof(struct call_event, extension), EV_MAX_EXTENSION,
		    "the extension is not valid UTF-8",
		    "the extension is longer than 16 characters" },
		{ offsetof(struct call_event, type_name), 0,
		    "the event type is not valid UTF-8", NULL },
		{ offsetof(struct call_event, caller_name), 0,
		    "the caller name is not valid UTF-8", NULL },
		{ offsetof(struct call_event, hangup_cause), 0,
		    "the hangup cause is not valid UTF-8", NULL },
		{ offsetof(struct call_event, recording_url), 0,
		    "the recording URL is not valid UTF-8", NULL },
		{ offsetof(struct call_event, recording_ref), 0,
		    "the recording id is not valid UTF-8", NULL },
	};
	size_t i;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		const char *s = (const char *)ev + f[i].off;
		size_t n = strlen(s);
		if (!utf8_valid(s, n))
			return f[i].valid;
		if (f[i].max > 0 && utf8_chars(s, n) > f[i].max)
			return f[i].long_;
	}
	return NULL;
}
