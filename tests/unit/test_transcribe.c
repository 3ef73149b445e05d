/* lib/transcribe/ (issue 22): transcripts, the engine list, the extractive
 * summary, and the chat-completions client against a stand-in listener on
 * 127.0.0.1 (a forked child speaking HTTP/1.1), including its errors and
 * a timeout. The local engine's recognition is tested on real synthesized
 * speech by tests/unit/transcribe_speech.sh. */
#include "config.h"

#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>
#ifdef HAVE_POCKETSPHINX
#include <sndfile.h>
#endif

#include "core/arena.h"
#include "core/buf.h"
#include "core/conf.h"
#include "net/httpc.h"
#include "transcribe/engine.h"
#include "transcribe/local.h"
#include "transcribe/summary.h"
#include "transcribe/transcript.h"

#define KEY "sk-test-secret-0123456789"

static struct arena *A;

static void
setup(void)
{
	A = arena_new();
}

static void
teardown(void)
{
	arena_free(A);
}

/* The dialogue of tests/fixtures/speech/order_call.txt, as the HTTP
 * engine would give it (punctuated, with sides). */
static void
order_call(struct transcript *t)
{
	static const struct {
		enum speaker side;
		const char *text;
	} lines[] = {
		{ SPEAKER_CUSTOMER, "Hello, I would like to ask about my order." },
		{ SPEAKER_MANAGER, "Of course. What is your order number?" },
		{ SPEAKER_CUSTOMER, "The number is four five six seven." },
		{ SPEAKER_MANAGER, "Thank you. Your order will arrive on Friday." },
		{ SPEAKER_CUSTOMER, "Can you deliver it in the morning?" },
		{ SPEAKER_MANAGER, "I will check with the warehouse and call "
		    "you back tomorrow." },
		{ SPEAKER_CUSTOMER, "Okay, that works for me. Thank you." },
		{ SPEAKER_MANAGER, "You are welcome. Have a nice day." },
	};
	size_t i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		ck_assert_int_eq(transcript_add(t, A, (uint32_t)i * 3000,
		    (uint32_t)i * 3000 + 2500, lines[i].side, lines[i].text,
		    strlen(lines[i].text)), 0);
}

/* --- transcripts and engines --- */

START_TEST(test_transcript_add_trims_and_skips_blank)
{
	struct transcript t = { 0 };
	size_t i;

	ck_assert_int_eq(transcript_add(&t, A, 10, 5, SPEAKER_MANAGER,
	    "  hello there \n", 15), 0);
	ck_assert_int_eq(transcript_add(&t, A, 20, 30, SPEAKER_CUSTOMER,
	    " \t ", 3), 0);
	ck_assert_uint_eq(t.n, 1);
	ck_assert_str_eq(t.u[0].text, "hello there");
	/* An end before the start is clamped to the start. */
	ck_assert_uint_eq(t.u[0].end_ms, 10);
	/* Growing keeps what was there. */
	for (i = 0; i < 100; i++)
		ck_assert_int_eq(transcript_add(&t, A, (uint32_t)i, (uint32_t)i,
		    SPEAKER_UNKNOWN, "x", 1), 0);
	ck_assert_uint_eq(t.n, 101);
	ck_assert_str_eq(t.u[0].text, "hello there");
	ck_assert_str_eq(t.u[100].text, "x");
}
END_TEST

START_TEST(test_engine_list_and_refusals)
{
	struct cb_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	ck_assert_ptr_null(transcribe_engine_of(&cfg));
	ck_assert_ptr_null(transcribe_engine_why_not(""));
	ck_assert_ptr_nonnull(strstr(transcribe_engine_why_not("whisper"),
	    "unknown engine"));
	/* The list (engines.c) and the runners (run.c) agree: every built
	 * engine runs, and finds itself by its name. */
	for (size_t i = 0; transcribe_engine_at(i) != NULL; i++) {
		const struct transcribe_engine *e = transcribe_engine_at(i);

		ck_assert_uint_eq(e->id, i);
		if (e->built) {
			ck_assert_ptr_nonnull(transcribe_runner(e));
			ck_assert_ptr_eq(transcribe_engine_by_name(e->name), e);
		} else {
			ck_assert_ptr_null(transcribe_runner(e));
		}
	}
	ck_assert_ptr_null(transcribe_engine_at(TRANSCRIBE_N_ENGINES));
#ifdef HAVE_POCKETSPHINX
	strcpy(cfg.transcribe_engine, "local");
	ck_assert_ptr_nonnull(transcribe_engine_of(&cfg));
	ck_assert_str_eq(transcribe_engine_of(&cfg)->name, "local");
	ck_assert_ptr_null(transcribe_engine_why_not("local"));
#else
	ck_assert_ptr_null(transcribe_engine_by_name("local"));
	ck_assert_ptr_nonnull(strstr(transcribe_engine_why_not("local"),
	    "apt-get install libpocketsphinx-dev"));
#endif
}
END_TEST

/* config_load refuses an engine that is unknown (or not built) with a
 * sentence naming the key. */
START_TEST(test_config_refuses_unknown_engine)
{
	char path[] = "/tmp/cb-transcribe-confXXXXXX";
	int fd = mkstemp(path);
	struct cb_config cfg;
	struct buf err;
	static const char text[] = "transcribe_engine = whisper\n";

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, sizeof(text) - 1),
	    (ssize_t)sizeof(text) - 1);
	close(fd);
	buf_init(&err, 1024);
	ck_assert_int_eq(config_load(path, &cfg, &err), CB_EINVAL);
	ck_assert_ptr_nonnull(strstr(buf_cstr(&err),
	    "transcribe_engine = whisper: unknown engine"));
	buf_free(&err);
	unlink(path);
}
END_TEST

#ifdef HAVE_POCKETSPHINX
/* A second of silence, 16-bit WAV, written with libsndfile. */
static void
write_wav(const char *path, int channels, int rate)
{
	SF_INFO info = { 0 };
	SNDFILE *sf;
	short *pcm = calloc((size_t)(rate * channels), sizeof(short));

	info.samplerate = rate;
	info.channels = channels;
	info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
	ck_assert_ptr_nonnull(pcm);
	ck_assert_ptr_nonnull(sf = sf_open(path, SFM_WRITE, &info));
	ck_assert_int_eq(sf_writef_short(sf, pcm, rate), rate);
	sf_close(sf);
	free(pcm);
}

START_TEST(test_local_refuses_what_it_cannot_read)
{
	const struct transcribe_engine *e = transcribe_engine_by_name("local");
	struct cb_config cfg;
	struct transcript t = { 0 };
	char err[256], path[] = "/tmp/cb-transcribe-junkXXXXXX";
	int fd = mkstemp(path);

	memset(&cfg, 0, sizeof(cfg));
	strcpy(cfg.transcribe_model_dir, "/usr/share/pocketsphinx/model/en-us");
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "not audio at all", 16), 16);
	close(fd);
	ck_assert_int_eq(transcribe_run(e, &cfg, A, path, &t, err, sizeof(err)),
	    CB_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "cannot read the recording"));
	ck_assert_int_eq(transcribe_run(e, &cfg, A, "/nonexistent/x.wav", &t,
	    err, sizeof(err)), CB_ENOTFOUND);
	/* Four channels: refused before any decoding. */
	write_wav(path, 4, 8000);
	ck_assert_int_eq(transcribe_run(e, &cfg, A, path, &t, err, sizeof(err)),
	    CB_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "4 channels"));
	/* Silence in two channels at 8 kHz: decoded (resampled), nothing
	 * said, still a draft of the local engine. */
	write_wav(path, 2, 8000);
	ck_assert_int_eq(transcribe_run(e, &cfg, A, path, &t, err, sizeof(err)),
	    CB_OK);
	ck_assert_uint_eq(t.n, 0);
	ck_assert(t.draft);
	ck_assert_str_eq(t.engine, "local");
	/* A model directory that is not there says what to install. */
	write_wav(path, 1, 8000);
	strcpy(cfg.transcribe_model_dir, "/nonexistent");
	ck_assert_int_eq(transcribe_run(e, &cfg, A, path, &t, err, sizeof(err)),
	    CB_EIO);
	ck_assert_ptr_nonnull(strstr(err, "pocketsphinx-en-us"));
	unlink(path);
}
END_TEST
#endif

#ifdef HAVE_POCKETSPHINX
/* Two of Debian's pocketsphinx test recordings side by side: left (the
 * customer) says one, right (the manager) the other. */
static void
write_two_speakers(const char *path)
{
	static const char *const src[2] = {
		"/usr/share/pocketsphinx/test/data/cards/001.wav",
		"/usr/share/pocketsphinx/test/data/cards/002.wav",
	};
	SF_INFO in[2], out;
	SNDFILE *s[2], *o;
	short buf[2], v;
	int k;

	for (k = 0; k < 2; k++) {
		memset(&in[k], 0, sizeof(in[k]));
		ck_assert_ptr_nonnull(s[k] = sf_open(src[k], SFM_READ, &in[k]));
	}
	memset(&out, 0, sizeof(out));
	out.samplerate = in[0].samplerate;
	out.channels = 2;
	out.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
	ck_assert_ptr_nonnull(o = sf_open(path, SFM_WRITE, &out));
	for (;;) {
		int got = 0;

		for (k = 0; k < 2; k++) {
			buf[k] = 0;
			if (sf_read_short(s[k], &v, 1) == 1) {
				buf[k] = v;
				got++;
			}
		}
		if (got == 0)
			break;
		sf_writef_short(o, buf, 1);
	}
	sf_close(s[0]);
	sf_close(s[1]);
	sf_close(o);
}

static void
both_sides(const struct transcript *t)
{
	size_t i;
	bool cust = false, mgr = false;

	for (i = 0; i < t->n; i++) {
		cust |= t->u[i].side == SPEAKER_CUSTOMER;
		mgr |= t->u[i].side == SPEAKER_MANAGER;
	}
	ck_assert(cust && mgr);
}

/* One decoder per process: loaded once for both channels and reused for
 * the next recording; released, or another model directory, loads anew. */
START_TEST(test_local_one_decoder_per_process)
{
	const struct transcribe_engine *e = transcribe_engine_by_name("local");
	struct cb_config cfg;
	struct transcript t1 = { 0 }, t2 = { 0 };
	char err[256], path[] = "/tmp/cb-transcribe-twoXXXXXX";
	unsigned before;
	int fd = mkstemp(path);

	if (access("/usr/share/pocketsphinx/test/data/cards/001.wav", R_OK)) {
		close(fd);
		unlink(path);
		return; /* libpocketsphinx's test data not installed */
	}
	ck_assert_int_ge(fd, 0);
	close(fd);
	write_two_speakers(path);
	memset(&cfg, 0, sizeof(cfg));
	strcpy(cfg.transcribe_model_dir, "/usr/share/pocketsphinx/model/en-us");
	transcribe_release();
	before = transcribe_local_loads();
	ck_assert_int_eq(transcribe_run(e, &cfg, A, path, &t1, err,
	    sizeof(err)), CB_OK);
	both_sides(&t1);
	ck_assert_uint_eq(transcribe_local_loads(), before + 1);
	ck_assert_int_eq(transcribe_run(e, &cfg, A, path, &t2, err,
	    sizeof(err)), CB_OK);
	both_sides(&t2);
	ck_assert_uint_eq(transcribe_local_loads(), before + 1);
	/* released: the next recording (a second of silence) loads again */
	transcribe_release();
	write_wav(path, 1, 8000);
	ck_assert_int_eq(transcribe_run(e, &cfg, A, path, &t2, err,
	    sizeof(err)), CB_OK);
	ck_assert_uint_eq(transcribe_local_loads(), before + 2);
	/* a directory without the model: refused, the loaded one dropped */
	strcpy(cfg.transcribe_model_dir, "/nonexistent");
	ck_assert_int_eq(transcribe_run(e, &cfg, A, path, &t2, err,
	    sizeof(err)), CB_EIO);
	transcribe_release();
	unlink(path);
}
END_TEST
#endif

/* --- the extractive summary --- */

START_TEST(test_extractive_request_commitment_agreement)
{
	struct transcript t;
	struct buf out, again;

	order_call(&t);
	buf_init(&out, 4096);
	ck_assert_int_eq(transcript_summary_extractive(&t, &out), CB_OK);
	/* The request first, then the commitments in order, then the last
	 * agreement; at most four sentences. */
	ck_assert_str_eq(buf_cstr(&out),
	    "Customer: Hello, I would like to ask about my order. "
	    "Manager: Your order will arrive on Friday. "
	    "Manager: I will check with the warehouse and call you back "
	    "tomorrow. "
	    "Customer: Okay, that works for me.");
	/* Deterministic. */
	buf_init(&again, 4096);
	ck_assert_int_eq(transcript_summary_extractive(&t, &again), CB_OK);
	ck_assert_str_eq(buf_cstr(&again), buf_cstr(&out));
	buf_free(&again);
	buf_free(&out);
}
END_TEST

START_TEST(test_extractive_unpunctuated_draft)
{
	/* The local engine's output: no punctuation, no sides. */
	static const char *const lines[] = {
		"hello i would like to ask about my order",
		"of course what is your order number",
		"i will check with the warehouse and call you back tomorrow",
		"okay that works for me thank you",
	};
	struct transcript t = { 0 };
	struct buf out;
	size_t i;

	for (i = 0; i < 4; i++)
		transcript_add(&t, A, (uint32_t)i, (uint32_t)i, SPEAKER_UNKNOWN,
		    lines[i], strlen(lines[i]));
	buf_init(&out, 4096);
	ck_assert_int_eq(transcript_summary_extractive(&t, &out), CB_OK);
	ck_assert_str_eq(buf_cstr(&out),
	    "Hello i would like to ask about my order. "
	    "I will check with the warehouse and call you back tomorrow. "
	    "Okay that works for me thank you.");
	buf_free(&out);
}
END_TEST

START_TEST(test_extractive_empty_and_long)
{
	struct transcript t = { 0 };
	struct buf out;
	char big[1000];

	buf_init(&out, 4096);
	ck_assert_int_eq(transcript_summary_extractive(&t, &out), CB_OK);
	ck_assert_str_eq(buf_cstr(&out), "");
	/* One endless sentence is cut at a word, marked with an ellipsis. */
	memset(big, 0, sizeof(big));
	while (strlen(big) + 12 < sizeof(big))
		strcat(big, "please help ");
	transcript_add(&t, A, 0, 1, SPEAKER_CUSTOMER, big, strlen(big));
	ck_assert_int_eq(transcript_summary_extractive(&t, &out), CB_OK);
	ck_assert_uint_le(out.len, 240);
	ck_assert_ptr_nonnull(strstr(buf_cstr(&out), "…"));
	buf_free(&out);
}
END_TEST

/* --- the chat client: URL and parser --- */

START_TEST(test_chat_url_forms)
{
	char u[256];

	summary_chat_url("http://h:8080", u, sizeof(u));
	ck_assert_str_eq(u, "http://h:8080/v1/chat/completions");
	summary_chat_url("http://h:8080/v1/", u, sizeof(u));
	ck_assert_str_eq(u, "http://h:8080/v1/chat/completions");
	summary_chat_url("https://api.x/openai/v1/chat/completions", u,
	    sizeof(u));
	ck_assert_str_eq(u, "https://api.x/openai/v1/chat/completions");
}
END_TEST

static enum cb_err
parse(const char *body, struct buf *out, char *err)
{
	return summary_chat_parse(body, strlen(body), out, err, 256);
}

START_TEST(test_chat_parse_answers)
{
	struct buf out;
	char err[256];

	buf_init(&out, 8192);
	ck_assert_int_eq(parse("{\"choices\":[{\"message\":{\"role\":"
	    "\"assistant\",\"content\":\"  The customer asked. \\n\"}}]}",
	    &out, err), CB_OK);
	ck_assert_str_eq(buf_cstr(&out), "The customer asked.");
	buf_reset(&out);
	ck_assert_int_eq(parse("{\"choices\":[]}", &out, err), CB_EUPSTREAM);
	ck_assert_ptr_nonnull(strstr(err, "choices[0].message.content"));
	ck_assert_int_eq(parse("{\"choices\":[{\"message\":{\"content\":7}}]}",
	    &out, err), CB_EUPSTREAM);
	ck_assert_int_eq(parse("{\"choices\":[{\"message\":{\"content\":"
	    "\"  \"}}]}", &out, err), CB_EUPSTREAM);
	ck_assert_ptr_nonnull(strstr(err, "empty"));
	ck_assert_int_eq(parse("{\"choices\":[{\"message\":{\"content\":"
	    "\"a\\u0000b\"}}]}", &out, err), CB_EUPSTREAM);
	ck_assert_int_eq(parse("{\"choices\":[{\"message\":{\"content\":"
	    "\"a\xff\xfe\"}}]}", &out, err), CB_EUPSTREAM);
	ck_assert_int_eq(parse("{\"choices\":", &out, err), CB_EUPSTREAM);
	ck_assert_ptr_nonnull(strstr(err, "not JSON"));
	ck_assert_int_eq(parse("{} trailing", &out, err), CB_EUPSTREAM);
	ck_assert_int_eq(summary_chat_parse("", 0, &out, err, sizeof(err)),
	    CB_EUPSTREAM);
	ck_assert_str_eq(buf_cstr(&out), "");
	buf_free(&out);
}
END_TEST

START_TEST(test_chat_parse_caps_long_summary)
{
	struct buf body, out;
	char err[256];
	int i;

	buf_init(&body, 1 << 20);
	buf_puts(&body, "{\"choices\":[{\"message\":{\"content\":\"");
	for (i = 0; i < 1000; i++)
		buf_puts(&body, "ж");   /* two bytes: the cut must not split */
	buf_puts(&body, "\"}}]}");
	buf_init(&out, 1 << 20);
	ck_assert_int_eq(summary_chat_parse(body.p, body.len, &out, err,
	    sizeof(err)), CB_OK);
	ck_assert_uint_le(out.len, 1500 + 3);
	ck_assert_str_eq(buf_cstr(&out) + out.len - 3, "…");
	ck_assert_int_eq(((unsigned char)out.p[out.len - 4] & 0xC0), 0x80);
	buf_free(&body);
	buf_free(&out);
}
END_TEST

/* --- the chat client against a stand-in listener --- */

struct standin {
	pid_t pid;
	int req_fd;           /* read end: the request the child received */
	unsigned port;
};

/* Forks a child that accepts one connection on 127.0.0.1, sends the
 * request it read up the pipe, waits delay_s, then answers reply. */
static void
standin_start(struct standin *s, const char *reply, unsigned delay_s)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int lfd = socket(AF_INET, SOCK_STREAM, 0), pfd[2], one = 1;

	ck_assert_int_ge(lfd, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(lfd, 1), 0);
	ck_assert_int_eq(getsockname(lfd, (struct sockaddr *)&sa, &len), 0);
	s->port = ntohs(sa.sin_port);
	ck_assert_int_eq(pipe(pfd), 0);
	s->pid = fork();
	ck_assert_int_ge(s->pid, 0);
	if (s->pid == 0) {
		static char req[256 * 1024];
		size_t n = 0, want = 0;
		int c = accept(lfd, NULL, NULL);
		ssize_t k;

		close(pfd[0]);
		if (c < 0)
			_exit(1);
		while (n < sizeof(req) - 1 &&
		    (k = read(c, req + n, sizeof(req) - 1 - n)) > 0) {
			char *end, *cl;

			n += (size_t)k;
			req[n] = '\0';
			if ((end = strstr(req, "\r\n\r\n")) == NULL)
				continue;
			if (want == 0) {
				cl = strcasestr(req, "\r\nContent-Length:");
				want = (size_t)(end + 4 - req) +
				    (cl ? strtoul(cl + 17, NULL, 10) : 0);
			}
			if (n >= want)
				break;
		}
		if (write(pfd[1], req, n) != (ssize_t)n)
			_exit(1);
		close(pfd[1]);
		sleep(delay_s);
		if (write(c, reply, strlen(reply)) < 0)
			_exit(1);
		close(c);
		_exit(0);
	}
	close(lfd);
	close(pfd[1]);
	s->req_fd = pfd[0];
}

/* The request the stand-in saw (static, NUL-terminated). */
static const char *
standin_request(struct standin *s)
{
	static char req[256 * 1024];
	size_t n = 0;
	ssize_t k;

	while (n < sizeof(req) - 1 &&
	    (k = read(s->req_fd, req + n, sizeof(req) - 1 - n)) > 0)
		n += (size_t)k;
	req[n] = '\0';
	close(s->req_fd);
	return req;
}

static void
standin_stop(struct standin *s)
{
	int st;

	kill(s->pid, SIGKILL);
	waitpid(s->pid, &st, 0);
}

static void
chat_config(struct cb_config *cfg, unsigned port)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->summary_url, sizeof(cfg->summary_url),
	    "http://127.0.0.1:%u", port);
	strcpy(cfg->summary_model, "tiny-model");
	strcpy(cfg->summary_key, KEY);
}

/* A whole HTTP/1.1 answer with a right Content-Length. */
static const char *
reply(const char *status, const char *body)
{
	return arena_printf(A, "HTTP/1.1 %s\r\nContent-Type: application/json"
	    "\r\nConnection: close\r\nContent-Length: %zu\r\n\r\n%s", status,
	    strlen(body), body);
}

static const char OK_BODY[] =
    "{\"id\":\"c1\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,"
    "\"message\":{\"role\":\"assistant\",\"content\":\"Order call.\"}}]}";

START_TEST(test_chat_request_and_answer)
{
	struct standin s;
	struct cb_config cfg;
	struct transcript t;
	struct buf out;
	const char *note = (const char *)1, *req, *body;
	char err[256];
	struct json_object *j, *msgs, *m;

	order_call(&t);
	standin_start(&s, reply("200 OK", OK_BODY), 0);
	chat_config(&cfg, s.port);
	buf_init(&out, 8192);
	ck_assert_int_eq(transcript_summarize(&cfg, &t, &out, &note, err,
	    sizeof(err)), CB_OK);
	ck_assert_str_eq(buf_cstr(&out), "Order call.");
	ck_assert_ptr_null(note);
	req = standin_request(&s);
	standin_stop(&s);
	ck_assert_msg(strncmp(req, "POST /v1/chat/completions HTTP/1.1\r\n",
	    36) == 0, "%.60s", req);
	ck_assert_ptr_nonnull(strstr(req, "\r\nAuthorization: Bearer " KEY
	    "\r\n"));
	ck_assert_ptr_nonnull(strcasestr(req,
	    "\r\nContent-Type: application/json\r\n"));
	body = strstr(req, "\r\n\r\n") + 4;
	ck_assert_ptr_nonnull(j = json_tokener_parse(body));
	ck_assert_str_eq(json_object_get_string(json_object_object_get(j,
	    "model")), "tiny-model");
	msgs = json_object_object_get(j, "messages");
	ck_assert_int_eq((int)json_object_array_length(msgs), 2);
	m = json_object_array_get_idx(msgs, 1);
	ck_assert_str_eq(json_object_get_string(json_object_object_get(m,
	    "role")), "user");
	ck_assert_ptr_nonnull(strstr(json_object_get_string(
	    json_object_object_get(m, "content")),
	    "[00:00] Customer: Hello, I would like to ask about my order.\n"
	    "[00:03] Manager: Of course."));
	json_object_put(j);
	buf_free(&out);
}
END_TEST

/* Every failure falls back to the key sentences with a note, and the
 * reason never holds the key. */
static void
expect_fallback(const char *reply, unsigned delay_s, const char *why)
{
	struct standin s;
	struct cb_config cfg;
	struct transcript t;
	struct buf out, ext;
	const char *note = NULL;
	char err[256];

	order_call(&t);
	standin_start(&s, reply, delay_s);
	chat_config(&cfg, s.port);
	buf_init(&out, 8192);
	buf_init(&ext, 8192);
	if (delay_s > 0) {
		/* A stalled endpoint: the client's own timeout, shortened. */
		ck_assert_int_eq(summary_chat(&cfg, &t, 1, &out, err,
		    sizeof(err)), CB_EUPSTREAM);
	} else {
		ck_assert_int_eq(transcript_summarize(&cfg, &t, &out, &note,
		    err, sizeof(err)), CB_OK);
		ck_assert_ptr_nonnull(note);
		transcript_summary_extractive(&t, &ext);
		ck_assert_str_eq(buf_cstr(&out), buf_cstr(&ext));
	}
	standin_stop(&s);
	ck_assert_msg(strstr(err, why) != NULL, "err: %s", err);
	ck_assert_ptr_null(strstr(err, KEY));
	ck_assert_ptr_null(strstr(err, "sk-"));
	buf_free(&out);
	buf_free(&ext);
}

START_TEST(test_chat_http_error_falls_back)
{
	expect_fallback(reply("401 Unauthorized", "{\"error\":{\"message\":"
	    "\"Incorrect API key provided: sk-te***\"}}"), 0,
	    "answered HTTP 401");
}
END_TEST

START_TEST(test_chat_bad_json_falls_back)
{
	expect_fallback(reply("200 OK", "{\"choices\":["), 0, "not JSON");
}
END_TEST

START_TEST(test_chat_cut_connection_falls_back)
{
	expect_fallback("HTTP/1.1 200 OK\r\nContent-Length: 500\r\n"
	    "Connection: close\r\n\r\n{\"choices\"", 0, "failed");
}
END_TEST

START_TEST(test_chat_timeout)
{
	expect_fallback(reply("200 OK", OK_BODY), 4, "failed");
}
END_TEST

START_TEST(test_chat_nothing_listening_falls_back)
{
	struct cb_config cfg;
	struct transcript t;
	struct buf out;
	const char *note = NULL;
	char err[256];

	order_call(&t);
	/* Port 9 (discard) on loopback: nothing listens in the test box. */
	chat_config(&cfg, 9);
	buf_init(&out, 8192);
	ck_assert_int_eq(transcript_summarize(&cfg, &t, &out, &note, err,
	    sizeof(err)), CB_OK);
	ck_assert_ptr_nonnull(note);
	ck_assert_ptr_nonnull(strstr(err, "http://127.0.0.1:9"));
	ck_assert_ptr_null(strstr(err, KEY));
	ck_assert_ptr_nonnull(strstr(buf_cstr(&out), "Customer: Hello"));
	buf_free(&out);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("transcribe");
	TCase *tc = tcase_create("transcribe");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_transcript_add_trims_and_skips_blank);
	tcase_add_test(tc, test_engine_list_and_refusals);
	tcase_add_test(tc, test_config_refuses_unknown_engine);
#ifdef HAVE_POCKETSPHINX
	tcase_add_test(tc, test_local_refuses_what_it_cannot_read);
#endif
	tcase_add_test(tc, test_extractive_request_commitment_agreement);
	tcase_add_test(tc, test_extractive_unpunctuated_draft);
	tcase_add_test(tc, test_extractive_empty_and_long);
	tcase_add_test(tc, test_chat_url_forms);
	tcase_add_test(tc, test_chat_parse_answers);
	tcase_add_test(tc, test_chat_parse_caps_long_summary);
	tcase_add_test(tc, test_chat_request_and_answer);
	tcase_add_test(tc, test_chat_http_error_falls_back);
	tcase_add_test(tc, test_chat_bad_json_falls_back);
	tcase_add_test(tc, test_chat_cut_connection_falls_back);
	tcase_add_test(tc, test_chat_timeout);
	tcase_add_test(tc, test_chat_nothing_listening_falls_back);
	suite_add_tcase(s, tc);
#ifdef HAVE_POCKETSPHINX
	/* Real decoding under the sanitizers on a shared machine. */
	tc = tcase_create("local_decoder");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 180);
	tcase_add_test(tc, test_local_one_decoder_per_process);
	suite_add_tcase(s, tc);
#endif
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	httpc_global_init();
	sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	httpc_global_cleanup();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
