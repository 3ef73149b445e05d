/* Unit tests for lib/core/secretbox: AES-256-GCM secrets at rest. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/secretbox.h"

static const char key[] =
    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
static const char other_key[] =
    "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100";
static const char plain[] = "{\"auth_token\":\"demo-twilio-token\"}";

START_TEST(test_secretbox_round_trip)
{
	char *sealed, *opened;
	size_t len;

	ck_assert_int_eq(secretbox_seal(key, plain, strlen(plain), &sealed),
	    CB_OK);
	ck_assert(secretbox_is_sealed(sealed));
	ck_assert_ptr_null(strstr(sealed, "demo-twilio-token"));
	ck_assert_int_eq(secretbox_open(key, sealed, strlen(sealed), &opened,
	    &len), CB_OK);
	ck_assert_uint_eq(len, strlen(plain));
	ck_assert_str_eq(opened, plain);
	free(opened);
	free(sealed);
}
END_TEST

START_TEST(test_secretbox_empty_value_round_trips)
{
	char *sealed, *opened;

	ck_assert_int_eq(secretbox_seal(key, "", 0, &sealed), CB_OK);
	ck_assert_int_eq(secretbox_open(key, sealed, strlen(sealed), &opened,
	    NULL), CB_OK);
	ck_assert_str_eq(opened, "");
	free(opened);
	free(sealed);
}
END_TEST

START_TEST(test_secretbox_nonce_differs_each_time)
{
	char *a, *b;

	ck_assert_int_eq(secretbox_seal(key, plain, strlen(plain), &a), CB_OK);
	ck_assert_int_eq(secretbox_seal(key, plain, strlen(plain), &b), CB_OK);
	ck_assert_str_ne(a, b);
	free(a);
	free(b);
}
END_TEST

START_TEST(test_secretbox_tamper_is_refused)
{
	char *sealed, *opened = (char *)1;
	size_t i, n;

	ck_assert_int_eq(secretbox_seal(key, plain, strlen(plain), &sealed),
	    CB_OK);
	n = strlen(sealed);
	/* Change one base64 character in the nonce, the ciphertext and the
	 * tag in turn: every one must fail authentication. */
	for (i = 3; i < n - 2; i += 7) {
		char saved = sealed[i];

		sealed[i] = saved == 'A' ? 'B' : 'A';
		ck_assert_int_eq(secretbox_open(key, sealed, n, &opened, NULL),
		    CB_EDENIED);
		ck_assert_ptr_null(opened);
		sealed[i] = saved;
	}
	/* Cut short: not even a nonce and a tag. */
	ck_assert_int_eq(secretbox_open(key, sealed, 11, &opened, NULL),
	    CB_EINVAL);
	free(sealed);
}
END_TEST

START_TEST(test_secretbox_wrong_key_is_refused)
{
	char *sealed, *opened;

	ck_assert_int_eq(secretbox_seal(key, plain, strlen(plain), &sealed),
	    CB_OK);
	ck_assert_int_eq(secretbox_open(other_key, sealed, strlen(sealed),
	    &opened, NULL), CB_EDENIED);
	ck_assert_ptr_null(opened);
	free(sealed);
}
END_TEST

START_TEST(test_secretbox_legacy_plaintext_passes)
{
	char *opened;
	size_t len;

	ck_assert(!secretbox_is_sealed(plain));
	ck_assert_int_eq(secretbox_open(key, plain, strlen(plain), &opened,
	    &len), CB_OK);
	ck_assert_str_eq(opened, plain);
	ck_assert_uint_eq(len, strlen(plain));
	free(opened);
	/* Neither JSON nor v1: refused, not guessed. */
	ck_assert_int_eq(secretbox_open(key, "v2:abcd", 7, &opened, NULL),
	    CB_EINVAL);
	ck_assert_int_eq(secretbox_open(key, "token", 5, &opened, NULL),
	    CB_EINVAL);
	ck_assert_int_eq(secretbox_open(key, "v1:@@@@", 7, &opened, NULL),
	    CB_EINVAL);
}
END_TEST

START_TEST(test_secretbox_bad_key_is_einval)
{
	char *out;

	ck_assert_int_eq(secretbox_seal("abc", plain, strlen(plain), &out),
	    CB_EINVAL);
	ck_assert_int_eq(secretbox_seal(
	    "zz112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
	    plain, strlen(plain), &out), CB_EINVAL);
	ck_assert_ptr_null(out);
}
END_TEST

/* The hook reads an integration's secrets on every request: opening one
 * must cost microseconds. 2000 opens well under a second even with
 * sanitizers (measured: a few µs each without them). */
START_TEST(test_secretbox_open_is_fast)
{
	struct timespec t0, t1;
	char *sealed, *opened;
	double us;
	int i;

	ck_assert_int_eq(secretbox_seal(key, plain, strlen(plain), &sealed),
	    CB_OK);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < 2000; i++) {
		ck_assert_int_eq(secretbox_open(key, sealed, strlen(sealed),
		    &opened, NULL), CB_OK);
		free(opened);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	us = ((double)(t1.tv_sec - t0.tv_sec) * 1e6 +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e3) / 2000;
	fprintf(stderr, "secretbox_open: %.1f us per value\n", us);
	ck_assert(us < 500);
	free(sealed);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("secretbox");
	TCase *tc = tcase_create("secretbox");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_secretbox_round_trip);
	tcase_add_test(tc, test_secretbox_empty_value_round_trips);
	tcase_add_test(tc, test_secretbox_nonce_differs_each_time);
	tcase_add_test(tc, test_secretbox_tamper_is_refused);
	tcase_add_test(tc, test_secretbox_wrong_key_is_refused);
	tcase_add_test(tc, test_secretbox_legacy_plaintext_passes);
	tcase_add_test(tc, test_secretbox_bad_key_is_einval);
	tcase_add_test(tc, test_secretbox_open_is_fast);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
