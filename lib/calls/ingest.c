#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "calls/ingest.h"
#include "calls/live.h"
#include "core/log.h"
#include "db/ingest.h"
#include "db/job.h"
#include "db/line_access.h"
#include "net/sig.h"
#include "phone/phone.h"

int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
ms_to_datetime(int64_t ms, char out[32])
{
	time_t t;
	struct tm tm;
	size_t n;

	/* Clamp to the years DATETIME holds; providers send odd values. */
	if (ms < 0)
		ms = 0;
	if (ms > 253402300799999LL)
		ms = 253402300799999LL;
	t = (time_t)(ms / 1000);
	gmtime_r(&t, &tm);
	n = strftime(out, 32, "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(out + n, 32 - n, ".%03u", (unsigned)(ms % 1000));
}

/* "e:" + the provider's event id, or "h:" + SHA-256 of what the provider
 * sent: a retry carries the same bytes. Keys fit VARBINARY(64). */
static void
dedupe_key(const struct ingest_input *in, char out[68])
{
	unsigned char d[SIG_SHA256_LEN];
	char hex[2 * SIG_SHA256_LEN + 1];
	const char *id = in->ev->event_id;
	size_t n = strlen(id);

	if (n > 0 && n <= 62) {
		snprintf(out, 68, "e:%s", id);
		return;
	}
	if (n > 0)
		sig_sha256(id, n, d);
	else
		sig_sha256(in->dedupe_source, in->dedupe_len ? in->dedupe_len :
		    strlen(in->dedupe_source), d);
	sig_hex(d, 31, hex); /* 62 hex chars + "h:" = 64 */
	snprintf(out, 68, "h:%s", hex);
}

static const char *
state_for(const struct call_event *ev)
{
	switch (ev->kind) {
	case EV_ANSWERED:
		return "talking";
	case EV_ENDED:
		return "ended";
	default:
		return "ringing";
	}
}


/* The event's times as the call row wants them: what the provider stated,
 * else what we fill in from the event's arrival (flags say which). */
struct ev_times {
	char at[32], started[32], answered[32], ended[32];
	bool has_answered, has_ended;
	unsigned flags;            /* TIME_*_STATED */
};

static void
event_times(const struct call_event *ev, int64_t received,
    struct ev_times *t)
{
	int64_t at = ev->at_ms > 0 ? ev->at_ms : received;
	int64_t started = 0, answered = 0, ended = 0;

	t->flags = ev->wait_s >= 0 ? TIME_WAIT_STATED : 0;
	if (ev->started_ms > 0) {
		started = ev->started_ms;
		t->flags |= TIME_STARTED_STATED;
	} else if (ev->kind == EV_RINGING && ev->at_ms > 0) {
		started = ev->at_ms;
		t->flags |= TIME_STARTED_STATED;
	} else
		started = at;
	if (ev->ended_ms > 0) {
		ended = ev->ended_ms;
		t->flags |= TIME_ENDED_STATED;
	} else if (ev->kind == EV_ENDED) {
		ended = at;
		if (ev->at_ms > 0)
			t->flags |= TIME_ENDED_STATED;
	}
	if (ev->answered_ms > 0) {
		answered = ev->answered_ms;
		t->flags |= TIME_ANSWERED_STATED;
	} else if (ev->kind == EV_ANSWERED) {
		answered = at;
		if (ev->at_ms > 0)
			t->flags |= TIME_ANSWERED_STATED;
	} else if (ev->result == RES_ANSWERED && ended > 0 && ev->talk_s > 0) {
		answered = ended - (int64_t)ev->talk_s * 1000;
		if (t->flags & TIME_ENDED_STATED)
			t->flags |= TIME_ANSWERED_STATED;
	}
	if (answered > 0 && started > answered &&
	    !(t->flags & TIME_STARTED_STATED))
		started = answered;
	ms_to_datetime(at, t->at);
	ms_to_datetime(started, t->started);
	t->has_answered = answered > 0;
	t->has_ended = ended > 0;
	if (t->has_answered)
		ms_to_datetime(answered, t->answered);
	if (t->has_ended)
		ms_to_datetime(ended, t->ended);
}

/* The leg of an extension on a call without leg ids: "<call id>#ext:<ext>",
 * or, when that is longer than call_legs.external_leg_id (EV_MAX_ID
 * characters: a long call id), "h:" and a hash of it, so every event of
 * that extension names the same leg and the row always fits. */
static void
ext_leg_id(const struct call_event *ev, char *out, size_t outsz)
{
	unsigned char d[SIG_SHA256_LEN];
	char hex[2 * SIG_SHA256_LEN + 1];
	int n = snprintf(out, outsz, "%s#ext:%s", ev->call_id, ev->extension);

	if (n >= 0 && (size_t)n <= EV_MAX_ID)
		return;
	sig_sha256(out, strlen(out), d);
	sig_hex(d, SIG_SHA256_LEN, hex);
	snprintf(out, outsz, "h:%s", hex);
}

/* One event of a call: everything is worked out here and stored by one
 * CALL (lib/db/ingest.h, db_ingest_call). */
/* The popup's recipients less those not on the call's line (issue 19
 * item 5, lib/auth/line_access.h); nobody left means no popup. A failed
 * look-up sends none: a popup to the wrong person is worse than none, and
 * the call itself is stored already. */
static void
live_only_line_users(struct db *db, struct ingest_result *out)
{
	enum cb_err rc;

	if (out->live_msg == NULL)
		return;
	if ((rc = db_line_filter_call(db, out->call_id, out->live_users,
	    &out->live_n)) != CB_OK)
		log_warn("popup for call %lld not sent: line access could not "
		    "be read (%s)", (long long)out->call_id, cb_strerror(rc));
	if (out->live_n == 0) {
		json_object_put(out->live_msg);
		out->live_msg = NULL;
	}
}

static enum cb_err
store_call(struct db *db, const struct ingest_input *in, const char *key,
    const char *occurred, struct ingest_result *out)
{
	const struct call_event *ev = in->ev;
	const struct integration *ig = in->integ;
	char number[PHONE_MAX] = "", rev[PHONE_MAX] = "";
	char ournum[PHONE_MAX] = "", legid[300], recref[160];
	struct call_ingest ci;
	struct call_upsert *cu = &ci.call;
	struct db_stmt *live = NULL;
	enum ingest_outcome outcome;
	struct ev_times t;
	bool is_leg = ev->leg_id[0] != '\0';
	enum cb_err rc;

	if (ev->client[0]) {
		enum phone_kind pk = phone_normalize(ev->client,
		    strlen(ev->client), ig->default_country, number,
		    sizeof(number));
		if (pk == PHONE_INVALID)
			number[0] = '\0';
		else
			phone_digits_rev(number, strlen(number), rev,
			    sizeof(rev));
	}
	if (ev->our_number[0] && phone_normalize(ev->our_number,
	    strlen(ev->our_number), ig->default_country, ournum,
	    sizeof(ournum)) == PHONE_INVALID)
		ournum[0] = '\0';
	event_times(ev, in->received_ms, &t);

	memset(&ci, 0, sizeof(ci));
	cu->integration_id = ig->id;
	cu->external_id = ev->call_id;
	cu->direction = ev->dir == DIR_UNKNOWN ? NULL : call_dir_name(ev->dir);
	/* A leg's end is not the call's end (transfers, ring groups). */
	cu->state = is_leg && ev->kind == EV_ENDED ? "ringing" : state_for(ev);
	if (is_leg && ev->kind == EV_ANSWERED)
		cu->state = "talking";
	/* A leg's own no-answer/busy says nothing about the call; its
	 * answer does. */
	cu->result = ev->result == RES_NONE ? NULL :
	    (is_leg && ev->result != RES_ANSWERED) ? NULL :
	    call_result_name(ev->result);
	cu->client_number = number;
	cu->client_digits_rev = rev;
	cu->client_name = ev->caller_name[0] ? ev->caller_name : NULL;
	cu->our_number = ournum;
	cu->started_at = t.started;
	cu->answered_at = t.has_answered ? t.answered : NULL;
	cu->ended_at = t.has_ended && !is_leg ? t.ended : NULL;
	cu->time_flags = t.flags & (is_leg ? ~TIME_ENDED_STATED : ~0u);
	cu->talk_s = is_leg ? -1 : ev->talk_s;
	cu->wait_s = ev->wait_s;
	cu->hangup_cause = ev->hangup_cause[0] ? ev->hangup_cause : NULL;
	if (ev->recording_url[0] || ev->recording_ref[0])
		cu->recording_state = "pending";
	else if (ev->recording_absent)
		cu->recording_state = "unavailable";
	/* A provider recording id without a URL is kept as "ref:<id>"; the
	 * worker asks the provider's API for the file. */
	snprintf(recref, sizeof(recref), "ref:%.128s", ev->recording_ref);
	cu->recording_url = ev->recording_url[0] ? ev->recording_url :
	    ev->recording_ref[0] ? recref : NULL;
	cu->event_at = t.at;

	/* Linking (DESIGN §3) happens in the procedure, from the number. */
	ci.dir_internal = ev->dir == DIR_INTERNAL;
	ci.link_to_leads = ig->link_to_leads;
	ci.dedupe_key = key;
	ci.kind = ev->type_name[0] ? ev->type_name : ev_kind_name(ev->kind);
	ci.external_id = ev->call_id;
	ci.source = in->source;
	ci.remote_addr = in->remote_addr;
	ci.occurred_at = occurred;
	ci.payload = in->payload;

	/* The leg: the provider's leg id, or one per extension of the call. */
	if (is_leg || ev->extension[0]) {
		struct leg_upsert *lu = &ci.leg;

		if (is_leg)
			lu->external_leg_id = ev->leg_id;
		else {
			ext_leg_id(ev, legid, sizeof(legid));
			lu->external_leg_id = legid;
		}
		lu->extension = ev->extension[0] ? ev->extension : NULL;
		lu->state = state_for(ev);
		lu->result = ev->result == RES_NONE ? NULL :
		    call_result_name(ev->result);
		/* Only an answer by this extension makes the leg answered. */
		lu->answered_at = t.has_answered && (ev->kind == EV_ANSWERED ||
		    ev->result == RES_ANSWERED) ? t.answered : NULL;
		lu->ended_at = t.has_ended ? t.ended : NULL;
		lu->time_flags = t.flags;
		lu->talk_s = ev->talk_s;
		/* The provider's final record (a call-level end, answered, with
		 * an extension) names who talked last: it outranks live pushes
		 * however late they come. */
		ci.final_talker = !is_leg && ev->kind == EV_ENDED &&
		    ev->result == RES_ANSWERED && ev->extension[0] &&
		    !ev->talker_by_answer;
	}
	/* Automation (lib/automation/) reacts to a new call and to the
	 * call's end (a leg's end is not the call's). */
	ci.call_ended = ev->kind == EV_ENDED && !is_leg;
	ci.recording_job = cu->recording_state != NULL &&
	    strcmp(cu->recording_state, "pending") == 0;
	ci.live = in->live && (ev->kind == EV_RINGING ||
	    ev->kind == EV_ANSWERED || ev->kind == EV_ENDED);
	ci.client_withheld = ev->client_withheld;
	ci.sig_key = ev->sig_key[0] ? ev->sig_key : NULL;

	if ((rc = db_ingest_call(db, &ci, &outcome, &out->call_id,
	    &out->created, &live)) != CB_OK)
		return rc;
	if (outcome == INGEST_DUPLICATE)
		return CB_DUPLICATE;
	if (outcome == INGEST_REFUSED) {
		log_info("event for call %s refused: its signature was "
		    "first seen with another call (a replay)", ev->call_id);
		return CB_EDENIED;
	}
	out->excepted = outcome == INGEST_EXCEPTED;
	if (live != NULL) {
		out->live_msg = live_collect(live, INGEST_LIVE_BASE,
		    out->live_users, &out->live_n);
		db_stmt_done(live);
		live_only_line_users(db, out);
	}
	return CB_OK;
}

/* Bounded: the provider waits for our answer (and a loser that keeps
 * losing is spooled and replayed by the worker). */
#define INGEST_ATTEMPTS 6

static void
retry_pause(int attempt)
{
	struct timespec ts = { 0, 0 };

	ts.tv_nsec = (long)(attempt * 10 + rand() % 20) * 1000 * 1000;
	nanosleep(&ts, NULL);
}

enum cb_err
ingest_event(struct db *db, const struct ingest_input *in0,
    struct ingest_result *out)
{
	/* The event's times made possible before they become a call's
	 * (issue 15 §2.2): on a copy, the adapter's event is the caller's. */
	struct call_event sane = *in0->ev;
	struct ingest_input in1 = *in0;
	const struct ingest_input *in = &in1;
	const struct call_event *ev = &sane;
	char key[68], occurred[32];
	bool touches_call = ev->call_id[0] && (ev->kind == EV_RINGING ||
	    ev->kind == EV_ANSWERED || ev->kind == EV_ENDED ||
	    ev->kind == EV_RECORDING);
	enum cb_err rc = CB_EDB;
	int attempt;

	ev_sane_times(&sane, in->received_ms);
	in1.ev = &sane;
	dedupe_key(in, key);
	ms_to_datetime(ev->at_ms > 0 ? ev->at_ms : in->received_ms, occurred);
	/* A deadlock or lock wait between two events of one call is resolved
	 * by running the loser again, here, rather than spooling it. On a
	 * Galera cluster the same happens between nodes: the loser of two
	 * writes of one call (or one duplicate event) on two nodes learns it
	 * at COMMIT, as 1213; run again, it finds the winner's rows (one call,
	 * the event a duplicate). A short, growing, jittered pause keeps the
	 * retries of two hosts from colliding again. */
	for (attempt = 0; attempt < INGEST_ATTEMPTS; attempt++) {
		if (attempt > 0)
			retry_pause(attempt);
		memset(out, 0, sizeof(*out));
		if (touches_call)
			rc = store_call(db, in, key, occurred, out);
		else if ((rc = db_begin(db)) == CB_OK) {
			/* An event about no call (an unknown type, say): the
			 * raw event alone. */
			rc = db_event_insert(db, in->integ->id, key,
			    ev->type_name[0] ? ev->type_name :
			    ev_kind_name(ev->kind), ev->call_id, in->source,
			    in->remote_addr, occurred, in->payload, 0);
			if (rc == CB_OK)
				rc = db_commit(db);
			else
				db_rollback(db);
		}
		if (rc != CB_EDB || !db_retryable(db))
			return rc;
		log_info("event for call %s: %s; trying again", ev->call_id,
		    db_error(db));
	}
	return rc;
}

void
ingest_result_free(struct ingest_result *out)
{
	json_object_put(out->live_msg);
	out->live_msg = NULL;
	out->live_n = 0;
}
