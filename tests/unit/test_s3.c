/* Unit tests for the S3 presigned GET (lib/storage/s3.c): AWS's own
 * published example (docs "Authenticating Requests: Using Query Parameters
 * (AWS Signature Version 4)", virtual-hosted bucket), the path-style vector
 * of platform-notes c.7 (botocore and libcurl agree on it), and the
 * settings checks, and s3_get_file's request against a one-shot loopback
 * server. Uploads and playback run against s3rver in
 * tests/http/recording_s3.test.js. */
#include "config.h"

#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/conf.h"
#include "storage/s3.h"

START_TEST(test_presign_aws_published_example)
{
	struct s3_target t = { "https://s3.amazonaws.com", "examplebucket",
	    "us-east-1", "AKIAIOSFODNN7EXAMPLE",
	    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", true };
	char out[2048];

	ck_assert(s3_presign(&t, "test.txt", "20130524T000000Z", 86400, NULL,
	    out, sizeof(out)));
	ck_assert_str_eq(out, "https://examplebucket.s3.amazonaws.com/test.txt"
	    "?X-Amz-Algorithm=AWS4-HMAC-SHA256"
	    "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3"
	    "%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400"
	    "&X-Amz-SignedHeaders=host&X-Amz-Signature="
	    "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
}
END_TEST

START_TEST(test_presign_path_style_vector)
{
	struct s3_target t = { "http://127.0.0.1:4568/", "callboard-rec",
	    "us-east-1", "AKIDEXAMPLE",
	    "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", false };
	char out[2048];

	ck_assert(s3_presign(&t, "2024/06/04/in_0123.mp3", "20240604T100000Z",
	    60, NULL, out, sizeof(out)));
	ck_assert_str_eq(out, "http://127.0.0.1:4568/callboard-rec/2024/06/04/"
	    "in_0123.mp3?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential="
	    "AKIDEXAMPLE%2F20240604%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date="
	    "20240604T100000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host"
	    "&X-Amz-Signature="
	    "df4d4b536387609af1b255e3760f982cd936200c502ba8ac73291705a6723ab7");
}
END_TEST

START_TEST(test_presign_disposition_is_signed_and_encoded)
{
	struct s3_target t = { "http://127.0.0.1:4568", "callboard-rec",
	    "us-east-1", "AKIDEXAMPLE", "secret", false };
	char a[2048], b[2048];

	ck_assert(s3_presign(&t, "k.mp3", "20240604T100000Z", 60,
	    "attachment; filename=\"a b.mp3\"", a, sizeof(a)));
	ck_assert_ptr_nonnull(strstr(a, "&response-content-disposition="
	    "attachment%3B%20filename%3D%22a%20b.mp3%22&X-Amz-Signature="));
	ck_assert(s3_presign(&t, "k.mp3", "20240604T100000Z", 60, NULL, b,
	    sizeof(b)));
	/* a different signature: the name cannot be swapped afterwards */
	ck_assert_str_ne(strstr(a, "X-Amz-Signature="),
	    strstr(b, "X-Amz-Signature="));
	ck_assert(!s3_presign(&t, "k.mp3", "20240604T100000Z", 60, NULL, b,
	    100));
}
END_TEST

START_TEST(test_target_settings_checked)
{
	struct cb_config cfg;
	struct s3_target t;
	char err[200];

	memset(&cfg, 0, sizeof(cfg));
	strcpy(cfg.recordings_store, "s3");
	ck_assert(s3_enabled(&cfg));
	strcpy(cfg.s3_endpoint, "http://127.0.0.1:4568/prefix");
	strcpy(cfg.s3_bucket, "callboard-rec");
	strcpy(cfg.s3_access_key, "K");
	strcpy(cfg.s3_secret_key, "S");
	ck_assert_int_eq(s3_target_of(&cfg, &t, err, sizeof(err)), CB_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "s3_endpoint"));
	strcpy(cfg.s3_endpoint, "http://127.0.0.1:4568");
	strcpy(cfg.s3_bucket, "Bad_Bucket");
	ck_assert_int_eq(s3_target_of(&cfg, &t, err, sizeof(err)), CB_EINVAL);
	strcpy(cfg.s3_bucket, "callboard-rec");
	cfg.s3_secret_key[0] = '\0';
	ck_assert_int_eq(s3_target_of(&cfg, &t, err, sizeof(err)), CB_EINVAL);
	strcpy(cfg.s3_secret_key, "S");
	ck_assert_int_eq(s3_target_of(&cfg, &t, err, sizeof(err)), CB_OK);
	ck_assert_str_eq(t.region, "us-east-1");   /* the default */
	strcpy(cfg.recordings_store, "local");
	ck_assert(!s3_enabled(&cfg));
}
END_TEST

/* A one-request HTTP server on a loopback port (a child process): it
 * writes the request's first line to the pipe `line` and answers with
 * `answer`. Returns its port; *pid is the child. */
static int
serve_once(const char *answer, int line[2], pid_t *pid)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int ls = socket(AF_INET, SOCK_STREAM, 0);

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(ls, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(ls, 1), 0);
	ck_assert_int_eq(getsockname(ls, (struct sockaddr *)&sa, &len), 0);
	ck_assert_int_eq(pipe(line), 0);
	if ((*pid = fork()) == 0) {
		char req[8192];
		size_t n = 0;
		ssize_t r;
		int c = accept(ls, NULL, NULL);

		while (n < sizeof(req) - 1 && (r = read(c, req + n,
		    sizeof(req) - 1 - n)) > 0) {
			n += (size_t)r;
			req[n] = '\0';
			if (strstr(req, "\r\n\r\n") != NULL)
				break;
		}
		req[n] = '\0';
		if (write(line[1], req, strcspn(req, "\r")) < 0 ||
		    write(c, answer, strlen(answer)) < 0)
			_exit(1);
		close(c);
		_exit(0);
	}
	close(ls);
	close(line[1]);
	return ntohs(sa.sin_port);
}

/* s3_get_file: a presigned GET of the object's path-style address, the
 * body into the file; an error answer is CB_EUPSTREAM naming the origin
 * only, never the key's secret nor the signature. */
START_TEST(test_get_file_request)
{
	char endpoint[64], line[8192], err[300], got[64];
	struct s3_target t = { endpoint, "callboard-rec", "us-east-1",
	    "AKIDEXAMPLE", "sekrit-value", false };
	int p[2], st;
	ssize_t n;
	pid_t pid;
	FILE *f;

	snprintf(endpoint, sizeof(endpoint), "http://127.0.0.1:%d",
	    serve_once("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
	    "Connection: close\r\n\r\nRIFF!", p, &pid));
	ck_assert_ptr_nonnull(f = tmpfile());
	ck_assert_int_eq(s3_get_file(&t, "2024/06/04/1.wav", f, 1000, err,
	    sizeof(err)), CB_OK);
	n = read(p[0], line, sizeof(line) - 1);
	line[n > 0 ? n : 0] = '\0';
	close(p[0]);
	waitpid(pid, &st, 0);
	ck_assert_msg(strncmp(line, "GET /callboard-rec/2024/06/04/1.wav?"
	    "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F",
	    60) == 0, "%s", line);
	ck_assert_ptr_nonnull(strstr(line, "&X-Amz-Expires=60&"));
	ck_assert_ptr_nonnull(strstr(line, "&X-Amz-Signature="));
	rewind(f);
	ck_assert_ptr_nonnull(fgets(got, sizeof(got), f));
	ck_assert_str_eq(got, "RIFF!");
	fclose(f);

	snprintf(endpoint, sizeof(endpoint), "http://127.0.0.1:%d",
	    serve_once("HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n"
	    "Connection: close\r\n\r\nNoSuchKey", p, &pid));
	ck_assert_ptr_nonnull(f = tmpfile());
	ck_assert_int_eq(s3_get_file(&t, "k.wav", f, 1000, err, sizeof(err)),
	    CB_EUPSTREAM);
	close(p[0]);
	waitpid(pid, &st, 0);
	ck_assert_int_eq(ftell(f), 0);    /* an error's body is not written */
	fclose(f);
	ck_assert_msg(strncmp(err, "S3 http://127.0.0.1:", 20) == 0 &&
	    strstr(err, "HTTP 404") != NULL, "%s", err);
	ck_assert_ptr_null(strstr(err, "sekrit"));
	ck_assert_ptr_null(strstr(err, "Signature"));
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("s3");
	TCase *tc = tcase_create("presign");

	tcase_add_test(tc, test_presign_aws_published_example);
	tcase_add_test(tc, test_presign_path_style_vector);
	tcase_add_test(tc, test_presign_disposition_is_signed_and_encoded);
	tcase_add_test(tc, test_target_settings_checked);
	tcase_add_test(tc, test_get_file_request);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
