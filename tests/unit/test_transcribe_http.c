/* Transcripts (issue 22): the http engine against a local stand-in that
 * checks the multipart request like the real API would and answers like it
 * (verbose_json, 4xx/5xx errors, garbage, a stall); its response parser;
 * the stored JSON codec; the words-said query; the transcript access rule. */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <check.h>

#include "auth/access.h"
#include "core/arena.h"
#include "core/conf.h"
#include "db/transcript.h"
#include "net/httpc.h"
#include "transcribe/codec.h"
#include "transcribe/http.h"

/* ---------------------------------------------------------- stand-in -- */

enum answer { ANS_OK, ANS_401, ANS_503, ANS_GARBAGE, ANS_STALL };

static const char ok_body[] =
    "{\"task\":\"transcribe\",\"language\":\"english\",\"duration\":9.5,"
    "\"text\":\"Hello, I am calling about my order. It comes on Friday.\","
    "\"segments\":[{\"id\":0,\"start\":0.0,\"end\":2.48,\"text\":"
    "\" Hello, I am calling about my order.\"},{\"id\":1,\"start\":2.5,"
    "\"end\":9.5,\"text\":\" It comes on Friday.\",\"speaker\":\"agent\"}]}";

/* Reads one whole request (headers + Content-Length bytes) into buf. */
static size_t
read_request(int fd, char *buf, size_t cap)
{
	size_t n = 0, need = 0;
	ssize_t r;
	char *end;

	while (n < cap - 1 && (r = read(fd, buf + n, cap - 1 - n)) > 0) {
		n += (size_t)r;
		buf[n] = '\0';
		if ((end = strstr(buf, "\r\n\r\n")) != NULL) {
			const char *cl = strcasestr(buf, "Content-Length:");
			need = (size_t)(end + 4 - buf) +
			    (cl ? strtoul(cl + 15, NULL, 10) : 0);
			if (n >= need)
				break;
		}
	}
	return n;
}

/* The checks the real API makes, in short: what is wrong goes back as a
 * 400 whose error names it, so the test sees it in err. */
static const char *
request_problem(const char *req, size_t len, const char *wav)
{
	if (strncmp(req, "POST /v1/audio/transcriptions HTTP/1.1", 38) != 0)
		return "wrong method or path";
	if (strcasestr(req, "Authorization: Bearer sk-test-123\r\n") == NULL)
		return "no bearer key";
	if (strcasestr(req, "Content-Type: multipart/form-data; boundary=") ==
	    NULL)
		return "not multipart";
	if (strstr(req, "name=\"model\"\r\n\r\nwhisper-small\r\n") == NULL)
		return "no model field";
	if (strstr(req, "name=\"language\"\r\n\r\nen\r\n") == NULL)
		return "no language field";
	if (strstr(req, "name=\"response_format\"\r\n\r\nverbose_json\r\n") ==
	    NULL)
		return "no response_format";
	if (strstr(req, "name=\"file\"; filename=\"call.wav\"\r\n"
	    "Content-Type: audio/wav\r\n\r\n") == NULL)
		return "no file part";
	if (memmem(req, len, wav, strlen(wav)) == NULL)
		return "file bytes differ";
	return NULL;
}

static void
serve(int ls, enum answer ans, const char *wav)
{
	static char req[65536];
	char out[4096];
	const char *why;
	size_t n;
	int fd = accept(ls, NULL, NULL);

	if (fd < 0)
		_exit(1);
	n = read_request(fd, req, sizeof(req));
	if (ans == ANS_STALL) {
		sleep(30);   /* the client's timeout ends it */
		_exit(0);
	}
	if ((why = request_problem(req, n, wav)) != NULL)
		snprintf(out, sizeof(out), "HTTP/1.1 400 Bad Request\r\n"
		    "Content-Type: application/json\r\nConnection: close\r\n\r\n"
		    "{\"error\":{\"message\":\"stand-in: %s\"}}", why);
	else if (ans == ANS_OK)
		snprintf(out, sizeof(out), "HTTP/1.1 200 OK\r\nContent-Type: "
		    "application/json\r\nContent-Length: %zu\r\nConnection: "
		    "close\r\n\r\n%s", strlen(ok_body), ok_body);
	else if (ans == ANS_401)
		snprintf(out, sizeof(out), "HTTP/1.1 401 Unauthorized\r\n"
		    "Connection: close\r\n\r\n{\"error\":{\"message\":"
		    "\"Incorrect API key provided\",\"type\":"
		    "\"invalid_request_error\"}}");
	else if (ans == ANS_503)
		snprintf(out, sizeof(out), "HTTP/1.1 503 Service Unavailable"
		    "\r\nConnection: close\r\n\r\n{\"detail\":\"model is "
		    "loading\"}");
	else if (ans == ANS_GARBAGE)
		snprintf(out, sizeof(out), "HTTP/1.1 200 OK\r\nConnection: "
		    "close\r\n\r\n<html>not json</html>");
	else
		_exit(1);
	if (write(fd, out, strlen(out)) < 0)
		_exit(1);
	close(fd);
	_exit(0);
}

static pid_t
stand_in(enum answer ans, const char *wav, int *port)
{
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	int ls = socket(AF_INET, SOCK_STREAM, 0);
	pid_t pid;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(ls, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(listen(ls, 4), 0);
	getsockname(ls, (struct sockaddr *)&a, &al);
	*port = ntohs(a.sin_port);
	if ((pid = fork()) == 0)
		serve(ls, ans, wav);
	close(ls);
	return pid;
}

static char wav_path[64];
static const char wav_bytes[] = "RIFF....WAVEfmt fake-audio-0123456789";

static void
config_for(struct cb_config *cfg, int port)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->transcribe_engine, sizeof(cfg->transcribe_engine),
	    "http");
	snprintf(cfg->transcribe_url, sizeof(cfg->transcribe_url),
	    "http://127.0.0.1:%d/", port);
	snprintf(cfg->transcribe_model, sizeof(cfg->transcribe_model),
	    "whisper-small");
	snprintf(cfg->transcribe_language, sizeof(cfg->transcribe_language),
	    "en");
	snprintf(cfg->transcribe_key, sizeof(cfg->transcribe_key),
	    "sk-test-123");
}

static enum cb_err
run_against(enum answer ans, struct arena *a, struct transcript *t,
    char *err, size_t errsz)
{
	struct cb_config cfg;
	enum cb_err rc;
	pid_t pid;
	int port, st;

	pid = stand_in(ans, wav_bytes, &port);
	config_for(&cfg, port);
	rc = transcribe_http(&cfg, a, wav_path, t, err,
	    errsz);
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	return rc;
}

static void
make_wav(void)
{
	FILE *f;
	char dir[] = "/tmp/cb-tr-XXXXXX";

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(wav_path, sizeof(wav_path), "%s/call.wav", dir);
	f = fopen(wav_path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(wav_bytes, f);
	fclose(f);
}

START_TEST(test_http_engine_sends_multipart_and_reads_segments)
{
	struct arena *a = arena_new();
	struct transcript t;
	char err[512] = "";

	make_wav();
	ck_assert_int_eq(run_against(ANS_OK, a, &t, err, sizeof(err)), CB_OK);
	ck_assert_str_eq(err, "");
	ck_assert_uint_eq(t.n, 2);
	ck_assert_str_eq(t.u[0].text, "Hello, I am calling about my order.");
	ck_assert_uint_eq(t.u[0].start_ms, 0);
	ck_assert_uint_eq(t.u[0].end_ms, 2480);
	ck_assert_int_eq(t.u[0].side, SPEAKER_UNKNOWN);
	ck_assert_uint_eq(t.u[1].start_ms, 2500);
	ck_assert_int_eq(t.u[1].side, SPEAKER_MANAGER);
	ck_assert_str_eq(t.language, "english");
	ck_assert(!t.draft);
	arena_free(a);
}
END_TEST

START_TEST(test_http_engine_refused_key_is_final_and_secret_free)
{
	struct arena *a = arena_new();
	struct transcript t;
	char err[512] = "";

	make_wav();
	ck_assert_int_eq(run_against(ANS_401, a, &t, err, sizeof(err)),
	    CB_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "HTTP 401"));
	ck_assert_ptr_nonnull(strstr(err, "Incorrect API key provided"));
	ck_assert_ptr_null(strstr(err, "sk-test-123"));
	arena_free(a);
}
END_TEST

START_TEST(test_http_engine_503_is_retried)
{
	struct arena *a = arena_new();
	struct transcript t;
	char err[512] = "";

	make_wav();
	ck_assert_int_eq(run_against(ANS_503, a, &t, err, sizeof(err)),
	    CB_EUPSTREAM);
	ck_assert_ptr_nonnull(strstr(err, "HTTP 503 (model is loading)"));
	arena_free(a);
}
END_TEST

START_TEST(test_http_engine_garbage_is_an_upstream_error)
{
	struct arena *a = arena_new();
	struct transcript t;
	char err[512] = "";

	make_wav();
	ck_assert_int_eq(run_against(ANS_GARBAGE, a, &t, err, sizeof(err)),
	    CB_EUPSTREAM);
	ck_assert_ptr_nonnull(strstr(err, "not a JSON object"));
	arena_free(a);
}
END_TEST

START_TEST(test_httpc_multipart_timeout)
{
	struct httpc_part p = { "file", NULL, NULL, NULL, NULL };
	struct httpc_req rq;
	struct httpc_res res;
	struct buf out;
	char url[64];
	pid_t pid;
	int port, st;

	make_wav();
	p.file = wav_path;
	pid = stand_in(ANS_STALL, wav_bytes, &port);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/v1/x", port);
	memset(&rq, 0, sizeof(rq));
	rq.method = HTTPC_POST;
	rq.url = url;
	rq.parts = &p;
	rq.nparts = 1;
	rq.timeout_s = 2;
	rq.max_bytes = 1024;
	buf_init(&out, 4096);
	ck_assert_int_eq(httpc_request(&rq, &out, &res), CB_EUPSTREAM);
	ck_assert_msg(strstr(res.error, "imed out") || strstr(res.error, "imeout"), "%s", res.error);
	buf_free(&out);
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
}
END_TEST

START_TEST(test_http_engine_unreadable_file)
{
	struct cb_config cfg;
	struct arena *a = arena_new();
	struct transcript t;
	char err[256] = "";

	config_for(&cfg, 9);
	ck_assert_int_eq(transcribe_http(&cfg, a,
	    "/nonexistent/x.wav", &t, err, sizeof(err)), CB_EIO);
	ck_assert_ptr_nonnull(strstr(err, "cannot be read"));
	arena_free(a);
}
END_TEST

START_TEST(test_http_endpoint_forms)
{
	char out[256], err[256];

	ck_assert_int_eq(transcribe_http_endpoint("https://api.example.com",
	    "k", out, sizeof(out), err, sizeof(err)), CB_OK);
	ck_assert_str_eq(out, "https://api.example.com/v1/audio/transcriptions");
	ck_assert_int_eq(transcribe_http_endpoint("https://h/v1/", "k", out,
	    sizeof(out), err, sizeof(err)), CB_OK);
	ck_assert_str_eq(out, "https://h/v1/audio/transcriptions");
	ck_assert_int_eq(transcribe_http_endpoint(
	    "http://127.0.0.1:8178/inference/v1/audio/transcriptions", "k",
	    out, sizeof(out), err, sizeof(err)), CB_OK);
	ck_assert_str_eq(out,
	    "http://127.0.0.1:8178/inference/v1/audio/transcriptions");
	/* A key never goes in clear text to another host. */
	ck_assert_int_eq(transcribe_http_endpoint("http://10.0.0.5:8000", "k",
	    out, sizeof(out), err, sizeof(err)), CB_EINVAL);
	ck_assert_int_eq(transcribe_http_endpoint("http://10.0.0.5:8000", "",
	    out, sizeof(out), err, sizeof(err)), CB_OK);
	ck_assert_int_eq(transcribe_http_endpoint("ftp://h", "", out,
	    sizeof(out), err, sizeof(err)), CB_EINVAL);
	ck_assert_int_eq(transcribe_http_endpoint("https://u:p@h", "", out,
	    sizeof(out), err, sizeof(err)), CB_EINVAL);
}
END_TEST

/* ------------------------------------------------------------ parser -- */

static enum cb_err
parse(const char *json, struct transcript *t, struct arena *a)
{
	char err[256];

	return transcribe_http_parse(json, strlen(json), a, t, err,
	    sizeof(err));
}

START_TEST(test_parse_plain_text_and_bad_shapes)
{
	struct arena *a = arena_new();
	struct transcript t;

	ck_assert_int_eq(parse("{\"text\":\" hi there \"}", &t, a), CB_OK);
	ck_assert_uint_eq(t.n, 1);
	ck_assert_str_eq(t.u[0].text, "hi there");
	ck_assert_int_eq(parse("[]", &t, a), CB_EUPSTREAM);
	ck_assert_int_eq(parse("{}", &t, a), CB_EUPSTREAM);
	ck_assert_int_eq(parse("{\"segments\":[{\"start\":-1,\"end\":1,"
	    "\"text\":\"x\"}]}", &t, a), CB_EUPSTREAM);
	ck_assert_int_eq(parse("{\"segments\":[{\"start\":1,\"end\":1e300,"
	    "\"text\":\"x\"}]}", &t, a), CB_EUPSTREAM);
	ck_assert_int_eq(parse("{\"segments\":[{\"start\":1,\"end\":2,"
	    "\"text\":\"\\u0000x\"}]}", &t, a), CB_EUPSTREAM);
	ck_assert_int_eq(parse("{\"segments\":[]} trailing", &t, a),
	    CB_EUPSTREAM);
	/* an empty recording: no lines, not an error */
	ck_assert_int_eq(parse("{\"segments\":[],\"text\":\"\"}", &t, a),
	    CB_OK);
	ck_assert_uint_eq(t.n, 0);
	arena_free(a);
}
END_TEST

START_TEST(test_error_text)
{
	char out[256];
	const char *j = "{\"error\":{\"message\":\"bad\\nfile\"}}";

	transcribe_http_error_text(j, strlen(j), out, sizeof(out));
	ck_assert_str_eq(out, "bad file");
	transcribe_http_error_text("<html>", 6, out, sizeof(out));
	ck_assert_str_eq(out, "");
}
END_TEST

/* ------------------------------------------------------------- codec -- */

START_TEST(test_codec_round_trip)
{
	struct arena *a = arena_new();
	struct transcript t, u;
	struct buf b, w;

	memset(&t, 0, sizeof(t));
	transcript_add(&t, a, 0, 1500, SPEAKER_CUSTOMER, "Hello \"there\"", 13);
	transcript_add(&t, a, 1600, 3000, SPEAKER_MANAGER, "Привіт", 12);
	buf_init(&b, 4096);
	buf_init(&w, 4096);
	ck_assert_int_eq(transcript_to_json(&t, &b), CB_OK);
	ck_assert_int_eq(transcript_from_json(buf_cstr(&b), b.len, a, &u),
	    CB_OK);
	ck_assert_uint_eq(u.n, 2);
	ck_assert_str_eq(u.u[0].text, "Hello \"there\"");
	ck_assert_int_eq(u.u[0].side, SPEAKER_CUSTOMER);
	ck_assert_uint_eq(u.u[1].start_ms, 1600);
	ck_assert_int_eq(transcript_words(&u, &w), CB_OK);
	ck_assert_str_eq(buf_cstr(&w), "Hello \"there\"\nПривіт");
	ck_assert_int_eq(transcript_from_json("{}", 2, a, &u), CB_EINVAL);
	ck_assert_int_eq(transcript_from_json("[{\"start_ms\":1}]", 16, a,
	    &u), CB_EINVAL);
	buf_free(&b);
	buf_free(&w);
	arena_free(a);
}
END_TEST

START_TEST(test_summary_head)
{
	char out[1100];

	transcript_summary_head("  The customer asked about delivery. We "
	    "agreed on Friday.", 255, out, sizeof(out));
	ck_assert_str_eq(out, "The customer asked about delivery.");
	transcript_summary_head("one two three four", 9, out, sizeof(out));
	ck_assert_str_eq(out, "one two");
	transcript_summary_head(NULL, 9, out, sizeof(out));
	ck_assert_str_eq(out, "");
	transcript_summary_head("v1.2 is out\nnext", 255, out, sizeof(out));
	ck_assert_str_eq(out, "v1.2 is out");
}
END_TEST

/* --------------------------------------------------------- said query -- */

START_TEST(test_said_query)
{
	char q[512], sh[256], st[256];

	transcript_said_query("Delivery on Friday", q, sizeof(q), sh,
	    sizeof(sh), st, sizeof(st));
	ck_assert_str_eq(q, "+Delivery +Friday");
	ck_assert_str_eq(st, "on");
	transcript_said_query("deliv* +(\"x\" -y) ok", q, sizeof(q), sh,
	    sizeof(sh), st, sizeof(st));
	ck_assert_str_eq(q, "+deliv*");
	ck_assert_str_eq(sh, "x, y, ok");
	transcript_said_query("a to", q, sizeof(q), sh, sizeof(sh), st,
	    sizeof(st));
	ck_assert_str_eq(q, "");
	transcript_said_query("доставка", q, sizeof(q), NULL, 0, NULL, 0);
	ck_assert_str_eq(q, "+доставка");
}
END_TEST

/* ------------------------------------------------------- access rule -- */

START_TEST(test_transcript_access)
{
	struct user u;
	struct access_call mine = { 7, 0, 0 }, other = { 8, 0, 0 };
	int i;

	memset(&u, 0, sizeof(u));
	u.id = 7;
	for (i = 0; i < PERM__MAX; i++)
		u.perms[i] = SCOPE_NONE;
	/* The intern: calls but no recordings → no transcript, even with
	 * transcripts.view given. */
	u.perms[PERM_CALLS] = SCOPE_ALL;
	u.perms[PERM_TRANSCRIPTS_VIEW] = SCOPE_ALL;
	ck_assert(!access_transcript(&u, VIA_HISTORY, 0, &mine,
	    TRANSCRIPT_READ));
	ck_assert_int_eq(access_transcript_list_manager(&u, VIA_HISTORY), -1);
	u.perms[PERM_RECORDINGS_LISTEN] = SCOPE_ALL;
	ck_assert(access_transcript(&u, VIA_HISTORY, 0, &other,
	    TRANSCRIPT_READ));
	ck_assert(!access_transcript(&u, VIA_HISTORY, 0, &other,
	    TRANSCRIPT_EDIT));
	ck_assert_int_eq(access_transcript_list_manager(&u, VIA_HISTORY), 0);
	u.perms[PERM_TRANSCRIPTS_VIEW] = SCOPE_OWN;
	ck_assert(access_transcript(&u, VIA_HISTORY, 0, &mine,
	    TRANSCRIPT_READ));
	ck_assert(!access_transcript(&u, VIA_HISTORY, 0, &other,
	    TRANSCRIPT_READ));
	ck_assert_int_eq(access_transcript_list_manager(&u, VIA_HISTORY), 7);
	u.perms[PERM_TRANSCRIPTS_EDIT] = SCOPE_OWN;
	ck_assert(access_transcript(&u, VIA_HISTORY, 0, &mine,
	    TRANSCRIPT_EDIT));
	/* No transcripts.view: nothing, whatever else. */
	u.perms[PERM_TRANSCRIPTS_VIEW] = SCOPE_NONE;
	ck_assert(!access_transcript(&u, VIA_HISTORY, 0, &mine,
	    TRANSCRIPT_EDIT));
	/* The recording's own rule is the same one. */
	ck_assert(access_recording_hear(&u, VIA_HISTORY, 0, &mine));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("transcribe");
	TCase *tc = tcase_create("all");
	SRunner *sr;
	int failed;

	signal(SIGPIPE, SIG_IGN);
	httpc_global_init();
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_http_engine_sends_multipart_and_reads_segments);
	tcase_add_test(tc, test_http_engine_refused_key_is_final_and_secret_free);
	tcase_add_test(tc, test_http_engine_503_is_retried);
	tcase_add_test(tc, test_http_engine_garbage_is_an_upstream_error);
	tcase_add_test(tc, test_httpc_multipart_timeout);
	tcase_add_test(tc, test_http_engine_unreadable_file);
	tcase_add_test(tc, test_http_endpoint_forms);
	tcase_add_test(tc, test_parse_plain_text_and_bad_shapes);
	tcase_add_test(tc, test_error_text);
	tcase_add_test(tc, test_codec_round_trip);
	tcase_add_test(tc, test_summary_head);
	tcase_add_test(tc, test_said_query);
	tcase_add_test(tc, test_transcript_access);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	httpc_global_cleanup();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
