#include "config.h"
#include <stdio.h>
#include <string.h>
#include "http/call_labels.h"
#include "i18n/i18n.h"

const char *
call_result_label(const char *r)
{
	static const char *m[6][LANG__MAX];

	if (r == NULL) return i18n_memo(N_("Unknown"), m[5]);
	if (strcmp(r, "answered") == 0) return i18n_memo(N_("Answered"), m[0]);
	if (strcmp(r, "missed") == 0) return i18n_memo(N_("Missed"), m[1]);
	if (strcmp(r, "busy") == 0) return i18n_memo(N_("Busy"), m[2]);
	if (strcmp(r, "failed") == 0) return i18n_memo(N_("Failed"), m[3]);
	if (strcmp(r, "no_answer") == 0)
		return i18n_memo(N_("No answer"), m[4]);
	return i18n_memo(N_("Unknown"), m[5]);
}

const char *
call_direction_label(const char *d)
{
	static const char *m[3][LANG__MAX];

	if (d != NULL && strcmp(d, "in") == 0)
		return i18n_memo(N_("Incoming"), m[0]);
	if (d != NULL && strcmp(d, "out") == 0)
		return i18n_memo(N_("Outgoing"), m[1]);
	return i18n_memo(N_("Internal"), m[2]);
}

const char *
call_transcript_label(const char *s)
{
	static const char *m[4][LANG__MAX];

	if (s != NULL && strcmp(s, "queued") == 0)
		return i18n_memo(N_("Transcript queued"), m[0]);
	if (s != NULL && strcmp(s, "running") == 0)
		return i18n_memo(N_("Transcribing…"), m[1]);
	if (s != NULL && strcmp(s, "failed") == 0)
		return i18n_memo(N_("Transcript failed"), m[2]);
	return i18n_memo(N_("Transcript"), m[3]);
}

const char *
call_recording_label(const char *s)
{
	static const char *m[4][LANG__MAX];

	if (s != NULL && strcmp(s, "stored") == 0)
		return i18n_memo(N_("Recorded"), m[0]);
	if (s != NULL && strcmp(s, "pending") == 0)
		return i18n_memo(N_("Being fetched"), m[1]);
	if (s != NULL && strcmp(s, "failed") == 0)
		return i18n_memo(N_("Could not be fetched"), m[2]);
	return i18n_memo(N_("No recording"), m[3]);
}

const char *
call_leg_label(const char *t)
{
	/* A context of their own: "answered", "outgoing" and "voicemail"
	 * are other parts of speech elsewhere. */
	if (t == NULL) return NULL;
	if (strcmp(t, "ring") == 0) return C_("call leg", "ringing");
	if (strcmp(t, "answer") == 0) return C_("call leg", "answered");
	if (strcmp(t, "transfer") == 0) return C_("call leg", "transfer");
	if (strcmp(t, "queue") == 0) return C_("call leg", "queue");
	if (strcmp(t, "outbound") == 0) return C_("call leg", "outgoing");
	if (strcmp(t, "ivr") == 0) return C_("call leg", "voice menu");
	if (strcmp(t, "voicemail") == 0) return C_("call leg", "voicemail");
	if (strcmp(t, "other") == 0) return C_("call leg", "other");
	return t;
}


const char *
call_withheld_label(void)
{
	static const char *m[LANG__MAX];

	return i18n_memo(N_("Number withheld"), m);
}

void
order_label(char *out, size_t outsz, const char *number, int64_t id)
{
	if (number != NULL && *number != '\0')
		snprintf(out, outsz, "%s", number);
	else
		snprintf(out, outsz, "#%lld", (long long)id);
}
