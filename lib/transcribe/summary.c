/* Summaries of transcripts (issue 22): extractive (local, deterministic)
 * or through an OpenAI-compatible /v1/chat/completions endpoint, with the
 * extractive one as the fallback when the endpoint fails.
 *
 * The extractive summary picks at most SUM_MAX_SENTENCES sentences, in the
 * order they were said: the customer's first request, the last agreement,
 * and the sentences that carry a commitment ("will", "call back") or a
 * fact to act on (a day, a number), best first. Word lists, not a model: the point is a
 * useful line in the history without a network, and the same line every
 * time for the same transcript. */
#include "config.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "core/buf.h"
#include "core/jsonget.h"
#include "core/utf8.h"
#include "net/httpc.h"
#include "transcribe/summary.h"

#define SUM_MAX_SENTENCES 4
#define SUM_SENTENCE_MAX 200        /* bytes of one chosen sentence */
#define SUM_CANDIDATES 512          /* sentences looked at */
#define CHAT_TIMEOUT_S 60           /* a small local model is slow */
#define CHAT_ANSWER_MAX (256 * 1024)
#define CHAT_TRANSCRIPT_MAX (48 * 1024)  /* of transcript sent */
#define CHAT_SUMMARY_MAX 1500       /* bytes of summary kept */

/* --- the extractive summary ---------------------------------------------- */

struct sentence {
	const char *p;
	size_t len;
	enum speaker side;
	unsigned order;
};

/* Whole-word (or phrase) match, ASCII case-insensitive. */
static bool
has_word(const char *s, size_t len, const char *w)
{
	size_t wl = strlen(w), i;

	for (i = 0; i + wl <= len; i++) {
		if (strncasecmp(s + i, w, wl) != 0)
			continue;
		if (i > 0 && isalnum((unsigned char)s[i - 1]))
			continue;
		if (i + wl < len && isalnum((unsigned char)s[i + wl]))
			continue;
		return true;
	}
	return false;
}

static bool
has_any(const struct sentence *s, const char *const *words)
{
	for (; *words != NULL; words++)
		if (has_word(s->p, s->len, *words))
			return true;
	return false;
}

static const char *const request_words[] = {
	"want", "wanted", "need", "needs", "would like", "i'd like",
	"can you", "could you", "please", "help", "problem", "question",
	"order", "cancel", "refund", "return", "deliver", "delivery", "price",
	"how much", "where is", "when will", "not working", "broken", "wrong",
	NULL
};

/* What someone will do: worth most. */
static const char *const commit_words[] = {
	"will", "i'll", "we'll", "you'll", "going to", "call back",
	"call you", "send", "promise", NULL
};

/* When: next. */
static const char *const when_words[] = {
	"tomorrow", "today", "tonight", "monday", "tuesday", "wednesday",
	"thursday", "friday", "saturday", "sunday", "next week", "weekend",
	"morning", "afternoon", "evening", "noon", "o'clock", NULL
};

/* How many: least (order numbers, prices). */
static const char *const number_words[] = {
	"one", "two", "three", "four", "five", "six", "seven", "eight",
	"nine", "ten", "eleven", "twelve", "twenty", "thirty", "hundred",
	"thousand", "percent", NULL
};

static const char *const agree_words[] = {
	"agree", "agreed", "okay", "ok", "deal", "sure", "fine", "great",
	"perfect", "sounds good", "that works", "yes", "all right", NULL
};

static bool
has_digit(const struct sentence *s)
{
	size_t i;

	for (i = 0; i < s->len; i++)
		if (isdigit((unsigned char)s->p[i]))
			return true;
	return false;
}

static int
score(const struct sentence *s)
{
	return (has_any(s, commit_words) ? 4 : 0) +
	    (has_any(s, when_words) ? 2 : 0) +
	    (has_digit(s) || has_any(s, number_words) ? 1 : 0);
}

static size_t
words_in(const struct sentence *s)
{
	size_t i, n = 0;
	bool in = false;

	for (i = 0; i < s->len; i++) {
		bool w = !isspace((unsigned char)s->p[i]);

		if (w && !in)
			n++;
		in = w;
	}
	return n;
}

/* Cuts the utterances into sentences at ". ", "? ", "! " (the HTTP
 * engine punctuates; pocketsphinx gives one sentence per utterance). */
static size_t
split(const struct transcript *t, struct sentence *s, size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < t->n && n < max; i++) {
		const char *p = t->u[i].text, *e = p + strlen(p), *q;

		while (p < e && n < max) {
			for (q = p; q < e; q++)
				if ((*q == '.' || *q == '?' || *q == '!') &&
				    (q + 1 == e || isspace((unsigned char)q[1])))
					break;
			if (q < e)
				q++;
			while (p < q && isspace((unsigned char)*p))
				p++;
			if (q > p) {
				s[n].p = p;
				s[n].len = (size_t)(q - p);
				s[n].side = t->u[i].side;
				s[n].order = (unsigned)n;
				n++;
			}
			p = q;
		}
	}
	return n;
}

static void
put_sentence(struct buf *out, const struct sentence *s)
{
	size_t len = s->len;
	char last;

	if (out->len > 0)
		buf_putc(out, ' ');
	if (s->side == SPEAKER_CUSTOMER)
		buf_puts(out, "Customer: ");
	else if (s->side == SPEAKER_MANAGER)
		buf_puts(out, "Manager: ");
	if (len > SUM_SENTENCE_MAX) {
		/* Cut at a space, never inside a UTF-8 sequence. */
		len = SUM_SENTENCE_MAX;
		while (len > 0 && !isspace((unsigned char)s->p[len]))
			len--;
		if (len == 0)
			len = SUM_SENTENCE_MAX;
		while (len > 0 && ((unsigned char)s->p[len] & 0xC0) == 0x80)
			len--;
		/* No character starts there: not UTF-8 (the fuzzer's bytes);
		 * cut at the byte limit rather than at nothing. */
		if (len == 0)
			len = SUM_SENTENCE_MAX;
	}
	buf_putc(out, (char)toupper((unsigned char)s->p[0]));
	buf_append(out, s->p + 1, len - 1);
	last = s->p[len - 1];
	if (len < s->len)
		buf_puts(out, "…");
	else if (last != '.' && last != '?' && last != '!')
		buf_putc(out, '.');
}

enum cb_err
transcript_summary_extractive(const struct transcript *t, struct buf *out)
{
	struct sentence *s;
	bool pick[SUM_CANDIDATES] = { false };
	size_t n, i, chosen = 0;
	ssize_t req = -1, agree = -1;

	if (t == NULL || t->n == 0)
		return CB_OK;
	if ((s = calloc(SUM_CANDIDATES, sizeof(*s))) == NULL)
		return CB_ENOMEM;
	n = split(t, s, SUM_CANDIDATES);
	/* 1. The customer's request: the first customer (or, without sides,
	 * any) sentence with a request word. */
	for (i = 0; i < n && req < 0; i++)
		if (s[i].side != SPEAKER_MANAGER && has_any(&s[i],
		    request_words))
			req = (ssize_t)i;
	if (req < 0)
		for (i = 0; i < n && req < 0; i++)
			if (s[i].side != SPEAKER_MANAGER && words_in(&s[i]) >= 3)
				req = (ssize_t)i;
	if (req < 0 && n > 0)
		req = 0;
	if (req >= 0) {
		pick[req] = true;
		chosen++;
	}
	/* 3. The last agreement, decided before the commitments so that it
	 * keeps its place when there are many of them. */
	for (i = n; i-- > 0 && agree < 0;)
		if (!pick[i] && words_in(&s[i]) >= 2 && has_any(&s[i],
		    agree_words))
			agree = (ssize_t)i;
	if (agree >= 0) {
		pick[agree] = true;
		chosen++;
	}
	/* 2. Commitments, then times, then numbers: the best-scored
	 * sentences (the earlier one on a tie) while room is left. */
	while (chosen < SUM_MAX_SENTENCES) {
		ssize_t best = -1;
		int best_score = 0;

		for (i = 0; i < n; i++) {
			int sc;

			if (pick[i] || words_in(&s[i]) < 3)
				continue;
			sc = score(&s[i]);
			if (sc > best_score) {
				best_score = sc;
				best = (ssize_t)i;
			}
		}
		if (best < 0)
			break;
		pick[best] = true;
		chosen++;
	}
	for (i = 0; i < n; i++)
		if (pick[i])
			put_sentence(out, &s[i]);
	free(s);
	return out->err;
}

/* --- the chat-completions client ----------------------------------------- */

static const char system_prompt[] =
    "You summarise phone calls between a company's manager and a customer "
    "for the company's call history. Answer in the transcript's language, "
    "in at most three short sentences, plain text without lists: first the "
    "customer's request, then what was agreed, then the next step and who "
    "takes it. The transcript may have recognition errors; do not invent "
    "facts.";

static const char *
side_name(enum speaker side)
{
	switch (side) {
	case SPEAKER_MANAGER:
		return "Manager";
	case SPEAKER_CUSTOMER:
		return "Customer";
	case SPEAKER_UNKNOWN:
		break;
	}
	return "Speaker";
}

void
summary_chat_url(const char *base, char *out, size_t outsz)
{
	size_t n = strlen(base);
	static const char full[] = "/chat/completions";

	while (n > 0 && base[n - 1] == '/')
		n--;
	if (n >= sizeof(full) - 1 &&
	    strncmp(base + n - (sizeof(full) - 1), full, sizeof(full) - 1) == 0)
		snprintf(out, outsz, "%.*s", (int)n, base);
	else if (n >= 3 && strncmp(base + n - 3, "/v1", 3) == 0)
		snprintf(out, outsz, "%.*s%s", (int)n, base, full);
	else
		snprintf(out, outsz, "%.*s/v1%s", (int)n, base, full);
}

enum cb_err
summary_chat_request(const struct cb_config *cfg, const struct transcript *t,
    struct buf *out)
{
	struct json_object *root, *msgs, *m;
	struct buf text;
	size_t i;
	const char *js;
	enum cb_err rc;

	buf_init(&text, CHAT_TRANSCRIPT_MAX);
	for (i = 0; i < t->n; i++) {
		uint32_t s = t->u[i].start_ms / 1000;
		size_t before = text.len;

		buf_printf(&text, "[%02u:%02u] %s: %s\n", s / 60, s % 60,
		    side_name(t->u[i].side), t->u[i].text);
		if (text.err != CB_OK) {
			/* Over the cap: send the beginning, whole lines. */
			text.err = CB_OK;
			text.len = before;
			if (text.p != NULL)
				text.p[before] = '\0';
			break;
		}
	}
	root = json_object_new_object();
	msgs = json_object_new_array();
	json_object_object_add(root, "model", json_object_new_string(
	    cfg->summary_model[0] ? cfg->summary_model : "default"));
	json_object_object_add(root, "temperature",
	    json_object_new_double(0));
	json_object_object_add(root, "max_tokens", json_object_new_int(300));
	m = json_object_new_object();
	json_object_object_add(m, "role", json_object_new_string("system"));
	json_object_object_add(m, "content",
	    json_object_new_string(system_prompt));
	json_object_array_add(msgs, m);
	m = json_object_new_object();
	json_object_object_add(m, "role", json_object_new_string("user"));
	json_object_object_add(m, "content",
	    json_object_new_string(buf_cstr(&text)));
	json_object_array_add(msgs, m);
	json_object_object_add(root, "messages", msgs);
	js = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN);
	rc = js != NULL ? buf_puts(out, js) : CB_ENOMEM;
	json_object_put(root);
	buf_free(&text);
	return rc;
}

enum cb_err
summary_chat_parse(const char *body, size_t len, struct buf *out,
    char *err, size_t errsz)
{
	struct json_tokener *tok;
	struct json_object *root, *choices, *msg = NULL, *c0;
	const char *content;
	size_t n, keep;
	enum cb_err rc = CB_EUPSTREAM;

	if (len == 0 || len > CHAT_ANSWER_MAX) {
		snprintf(err, errsz, "the summary endpoint's answer is %s",
		    len == 0 ? "empty" : "too large");
		return CB_EUPSTREAM;
	}
	if ((tok = json_tokener_new_ex(32)) == NULL)
		return CB_ENOMEM;
	root = json_tokener_parse_ex(tok, body, (int)len);
	if (root == NULL || json_tokener_get_error(tok) != json_tokener_success ||
	    tok->char_offset != (int)len) {
		snprintf(err, errsz, "the summary endpoint's answer is not "
		    "JSON");
		goto out;
	}
	if (!json_object_object_get_ex(root, "choices", &choices) ||
	    !json_object_is_type(choices, json_type_array) ||
	    json_object_array_length(choices) == 0 ||
	    (c0 = json_object_array_get_idx(choices, 0)) == NULL ||
	    !json_object_object_get_ex(c0, "message", &msg) ||
	    (content = json_member_str(msg, "content")) == NULL) {
		snprintf(err, errsz, "the summary endpoint's answer has no "
		    "choices[0].message.content");
		goto out;
	}
	n = strlen(content);
	if ((size_t)json_object_get_string_len(
	    json_object_object_get(msg, "content")) != n) {
		snprintf(err, errsz, "the summary holds a NUL byte");
		goto out;
	}
	while (n > 0 && isspace((unsigned char)*content)) {
		content++;
		n--;
	}
	while (n > 0 && isspace((unsigned char)content[n - 1]))
		n--;
	if (n == 0) {
		snprintf(err, errsz, "the summary endpoint returned an empty "
		    "summary");
		goto out;
	}
	if (!utf8_valid(content, n)) {
		snprintf(err, errsz, "the summary is not valid UTF-8");
		goto out;
	}
	keep = n;
	if (keep > CHAT_SUMMARY_MAX) {
		keep = CHAT_SUMMARY_MAX;
		while (keep > 0 && ((unsigned char)content[keep] & 0xC0) == 0x80)
			keep--;
	}
	rc = buf_append(out, content, keep);
	if (rc == CB_OK && keep < n)
		rc = buf_puts(out, "…");
out:
	if (root != NULL)
		json_object_put(root);
	json_tokener_free(tok);
	return rc;
}

enum cb_err
summary_chat(const struct cb_config *cfg, const struct transcript *t,
    unsigned timeout_s, struct buf *out, char *err, size_t errsz)
{
	char url[600], origin[300], auth[300];
	const char *headers[2] = { NULL, NULL };
	struct httpc_req rq;
	struct httpc_res res;
	struct buf body, ans;
	enum cb_err rc;

	summary_chat_url(cfg->summary_url, url, sizeof(url));
	httpc_origin(url, origin, sizeof(origin));
	buf_init(&body, CHAT_TRANSCRIPT_MAX + 8192);
	buf_init(&ans, CHAT_ANSWER_MAX);
	if ((rc = summary_chat_request(cfg, t, &body)) != CB_OK) {
		snprintf(err, errsz, "the summary request could not be made");
		goto out;
	}
	memset(&rq, 0, sizeof(rq));
	rq.method = HTTPC_POST;
	rq.url = url;
	rq.body = body.p;
	rq.body_len = body.len;
	rq.content_type = "application/json";
	rq.timeout_s = timeout_s;
	rq.max_bytes = CHAT_ANSWER_MAX;
	/* The endpoint is the server admin's choice (the config file), often
	 * a model on the LAN or this host: no public-address guard, which is
	 * for URLs other people choose (net/httpc.h). */
	rq.public_only = false;
	if (cfg->summary_key[0] != '\0') {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s",
		    cfg->summary_key);
		headers[0] = auth;
		rq.headers = headers;
	}
	rc = httpc_request(&rq, &ans, &res);
	/* err names the origin only: never the key, never the answer's text
	 * (an API may echo part of a key in its error message). */
	if (rc != CB_OK) {
		snprintf(err, errsz, "the summary endpoint %s failed: %s",
		    origin, res.error);
		rc = CB_EUPSTREAM;
		goto out;
	}
	if (res.status != 200) {
		snprintf(err, errsz, "the summary endpoint %s answered HTTP "
		    "%ld", origin, res.status);
		rc = CB_EUPSTREAM;
		goto out;
	}
	rc = summary_chat_parse(ans.p, ans.len, out, err, errsz);
out:
	explicit_bzero(auth, sizeof(auth));
	buf_free(&body);
	buf_free(&ans);
	return rc;
}

enum cb_err
transcript_summarize(const struct cb_config *cfg, const struct transcript *t,
    struct buf *out, const char **note, char *err, size_t errsz)
{
	size_t mark = out->len;
	enum cb_err rc;

	*note = NULL;
	if (errsz > 0)
		err[0] = '\0';
	if (t == NULL || t->n == 0)
		return CB_OK;
	if (cfg->summary_url[0] == '\0')
		return transcript_summary_extractive(t, out);
	if ((rc = summary_chat(cfg, t, CHAT_TIMEOUT_S, out, err, errsz)) ==
	    CB_OK)
		return CB_OK;
	/* Drop a half-written answer, keep the reason in err. */
	out->len = mark;
	out->err = CB_OK;
	if (out->p != NULL)
		out->p[mark] = '\0';
	*note = "the summary endpoint failed; these are the call's key "
	    "sentences instead";
	return transcript_summary_extractive(t, out);
}
