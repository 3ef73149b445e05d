/* 3CX V20's Call Control API requests (issue 17 §2, lib/providers/
 * threecx/dial.c): the OAuth2 client-credentials token request and its
 * answers, makecall on the manager's extension with the token as a
 * Bearer, and how 3CX's CallControlResultResponse is read. Compared with
 * the exact shapes in docs/providers.md "3CX". */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "dial/dial.h"
#include "dial/hangup.h"
#include "providers/registry.h"
#include "providers/threecx/threecx.h"

static struct dial_target t;
static struct dial_request r;
static char err[256];

static void
target(const char *config, const char *secrets)
{
	json_object_put(t.config);
	json_object_put(t.secrets);
	memset(&t, 0, sizeof(t));
	memset(&r, 0, sizeof(r));
	err[0] = '\0';
	t.kind = "3cx";
	t.slug = "3cx";
	t.config = config ? json_tokener_parse(config) : NULL;
	t.secrets = secrets ? json_tokener_parse(secrets) : NULL;
	t.extension = "101";
	t.number = "+380671234567";
}

static void
teardown(void)
{
	json_object_put(t.config);
	json_object_put(t.secrets);
	memset(&t, 0, sizeof(t));
}

#define TX_CONF "{\"api_base\":\"https://pbx.example.com\"}"
#define TX_SECRETS "{\"key\":\"k\",\"client_id\":\"900\"," \
	"\"client_secret\":\"s3cr&t=1\"}"

START_TEST(test_token_request)
{
	const struct provider *p = provider_by_kind("3cx");

	ck_assert_ptr_eq(p->prepare, &threecx_prepare);
	ck_assert_ptr_eq(p->dial, &threecx_dial);
	target(TX_CONF, TX_SECRETS);
	ck_assert_int_eq(p->prepare->build(&t, &r, err, sizeof(err)), CB_OK);
	ck_assert_int_eq(r.method, HTTPC_POST);
	ck_assert_str_eq(r.url, "https://pbx.example.com/connect/token");
	ck_assert_str_eq(r.content_type, "application/x-www-form-urlencoded");
	/* The secret is form-encoded: its & and = cannot add fields. */
	ck_assert_str_eq(r.body, "grant_type=client_credentials&client_id=900"
	    "&client_secret=s3cr%26t%3D1");
	ck_assert_uint_eq(r.body_len, strlen(r.body));
	ck_assert_str_eq(r.headers[0], "");

	/* Without the PBX's address, or without the credentials: words. */
	target(NULL, TX_SECRETS);
	ck_assert_int_eq(p->prepare->build(&t, &r, err, sizeof(err)),
	    CB_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "address"));
	target(TX_CONF, "{\"key\":\"k\",\"client_id\":\"900\"}");
	ck_assert_int_eq(p->prepare->build(&t, &r, err, sizeof(err)),
	    CB_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "API key"));
	/* Plain http only to this machine, as for every provider API. */
	target("{\"api_base\":\"http://pbx.example.com\"}", TX_SECRETS);
	ck_assert_int_eq(p->prepare->build(&t, &r, err, sizeof(err)),
	    CB_EINVAL);
}
END_TEST

START_TEST(test_token_answers)
{
	const struct provider *p = provider_by_kind("3cx");
	struct prov_token tok;
	char jwt[1200], body[1400];
	size_t i;

	/* A signed JWT is about a kilobyte: it must fit whole. */
	memset(jwt, 0, sizeof(jwt));
	memcpy(jwt, "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.", 37);
	for (i = 37; i < 1100; i++)
		jwt[i] = i == 700 ? '.' : (char)('a' + i % 26);
	snprintf(body, sizeof(body), "{\"token_type\":\"Bearer\","
	    "\"expires_in\":3600,\"access_token\":\"%s\"}", jwt);
	memset(&tok, 0, sizeof(tok));
	ck_assert_int_eq(p->prepare->read(200, "", body, strlen(body), 1000,
	    &tok, err, sizeof(err)), CB_OK);
	ck_assert_str_eq(tok.value, jwt);
	ck_assert_int_eq(tok.expires_s, 4600);
	/* No expires_in: half an hour. */
	ck_assert_int_eq(p->prepare->read(200, "", "{\"access_token\":\"ab\"}",
	    21, 1000, &tok, err, sizeof(err)), CB_OK);
	ck_assert_int_eq(tok.expires_s, 2800);
	/* Wrong Client ID or key (RFC 6749 §5.2): refused, never retried. */
	ck_assert_int_eq(p->prepare->read(400, "", "{\"error\":"
	    "\"invalid_client\"}", 26, 1000, &tok, err, sizeof(err)),
	    CB_EDENIED);
	ck_assert_str_eq(err, "HTTP 400 invalid_client");
	ck_assert_int_eq(p->prepare->read(401, "", "", 0, 1000, &tok, err,
	    sizeof(err)), CB_EDENIED);
	/* Anything else is the PBX's trouble: retried later. */
	ck_assert_int_eq(p->prepare->read(400, "", "{\"error\":"
	    "\"unsupported_grant_type\"}", 34, 1000, &tok, err, sizeof(err)),
	    CB_EUPSTREAM);
	ck_assert_int_eq(p->prepare->read(502, "", "<html>", 6, 1000, &tok,
	    err, sizeof(err)), CB_EUPSTREAM);
	ck_assert_int_eq(p->prepare->read(200, "", "<html>", 6, 1000, &tok,
	    err, sizeof(err)), CB_EUPSTREAM);
	ck_assert_int_eq(p->prepare->read(200, "", "{\"access_token\":"
	    "\"a\\r\\nX: y\"}", 28, 1000, &tok, err, sizeof(err)),
	    CB_EUPSTREAM);
	/* A later 401 means the token died: log in again (once). */
	ck_assert(p->prepare->refused(401, "", 0));
	ck_assert(!p->prepare->refused(403, "", 0));
	ck_assert(!p->prepare->refused(200, "{}", 2));
}
END_TEST

START_TEST(test_makecall)
{
	const struct provider *p = provider_by_kind("3cx");
	char big[1100];

	target(TX_CONF, TX_SECRETS);
	t.token = "eyJ.abc_-.x";
	ck_assert_int_eq(p->dial->build(&t, &r, err, sizeof(err)), CB_OK);
	ck_assert_int_eq(r.method, HTTPC_POST);
	ck_assert_str_eq(r.url,
	    "https://pbx.example.com/callcontrol/101/makecall");
	ck_assert_str_eq(r.body, "{\"destination\":\"+380671234567\"}");
	ck_assert_str_eq(r.content_type, "application/json");
	ck_assert_str_eq(r.headers[0], "Authorization: Bearer eyJ.abc_-.x");
	/* A kilobyte token still fits the header. */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	t.token = big;
	ck_assert_int_eq(p->dial->build(&t, &r, err, sizeof(err)), CB_OK);
	ck_assert_uint_eq(strlen(r.headers[0]), 22 + sizeof(big) - 1);
	/* No token, or an extension that is not a DN: nothing sent. */
	t.token = NULL;
	ck_assert_int_eq(p->dial->build(&t, &r, err, sizeof(err)), CB_EINVAL);
	t.token = "tok";
	t.extension = "101/../x";
	ck_assert_int_eq(p->dial->build(&t, &r, err, sizeof(err)), CB_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "extension"));
	t.extension = "";
	ck_assert_int_eq(p->dial->build(&t, &r, err, sizeof(err)), CB_EINVAL);

	ck_assert(p->dial->capable(t.config));
	ck_assert(!p->dial->capable(NULL));
	ck_assert_ptr_null(p->check_setting("api_base",
	    "https://pbx.example.com:5001"));
	ck_assert_ptr_nonnull(p->check_setting("api_base",
	    "http://pbx.example.com"));
	ck_assert_ptr_null(p->check_setting("key", "anything"));
}
END_TEST

/* CallControlResultResponse: finalstatus Success, else its reason. */
START_TEST(test_makecall_answers)
{
	const struct provider *p = provider_by_kind("3cx");
	const char *ok = "{\"finalstatus\":\"Success\",\"reason\":"
	    "\"NotSpecified\",\"reasontext\":\"\",\"result\":{\"id\":7,"
	    "\"status\":\"Dialing\",\"dn\":\"101\",\"callid\":42,\"legid\":1}}";
	const char *no = "{\"finalstatus\":\"Failed\",\"reason\":"
	    "\"InvalidDestination\",\"reasontext\":\"No route\"}";
	const char *busy = "{\"finalstatus\":\"Rejected\",\"reason\":\"Busy\"}";

	ck_assert(p->dial->accepted(200, ok, strlen(ok), err, sizeof(err)));
	ck_assert(p->dial->accepted(200, "{\"finalstatus\":1}", 17, err,
	    sizeof(err)));
	ck_assert(!p->dial->accepted(200, no, strlen(no), err, sizeof(err)));
	ck_assert_str_eq(err, "No route");
	ck_assert(!p->dial->accepted(200, busy, strlen(busy), err,
	    sizeof(err)));
	ck_assert_str_eq(err, "Busy");
	ck_assert(!p->dial->accepted(200, "{}", 2, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "finalstatus"));
	ck_assert(!p->dial->accepted(403, "", 0, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "may control"));
	ck_assert(!p->dial->accepted(500, ok, strlen(ok), err, sizeof(err)));

	/* Through dial_read_answer, as the page says it. */
	target(TX_CONF, TX_SECRETS);
	ck_assert_int_eq(dial_read_answer(&t, 200, no, strlen(no), err,
	    sizeof(err)), CB_EUPSTREAM);
	ck_assert_str_eq(err, "3CX refused the request: No route");
	ck_assert_int_eq(dial_read_answer(&t, 200, ok, strlen(ok), err,
	    sizeof(err)), CB_OK);
}
END_TEST

/* No hang-up (dial.c says why): the card never offers it for 3CX. */
START_TEST(test_no_hangup)
{
	target(TX_CONF, TX_SECRETS);
	ck_assert_ptr_null(provider_by_kind("3cx")->hangup);
	ck_assert(!dial_hangup_capable(&t, "20240604T100000Z-in-380671234567"));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("prov_3cx");
	TCase *tc = tcase_create("callcontrol");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_token_request);
	tcase_add_test(tc, test_token_answers);
	tcase_add_test(tc, test_makecall);
	tcase_add_test(tc, test_makecall_answers);
	tcase_add_test(tc, test_no_hangup);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
