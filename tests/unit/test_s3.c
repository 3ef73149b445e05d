/* Unit tests for the S3 presigned GET (lib/storage/s3.c): AWS's own
 * published example (docs "Authenticating Requests: Using Query Parameters
 * (AWS Signature Version 4)", virtual-hosted bucket), the path-style vector
 * of platform-notes c.7 (botocore and libcurl agree on it), and the
 * settings checks. Uploads and playback run against s3rver in
 * tests/http/recording_s3.test.js. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

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

static Suite *
suite(void)
{
	Suite *s = suite_create("s3");
	TCase *tc = tcase_create("presign");

	tcase_add_test(tc, test_presign_aws_published_example);
	tcase_add_test(tc, test_presign_path_style_vector);
	tcase_add_test(tc, test_presign_disposition_is_signed_and_encoded);
	tcase_add_test(tc, test_target_settings_checked);
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
