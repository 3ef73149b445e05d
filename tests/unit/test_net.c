/* Unit tests for lib/net/: which addresses are not public (ip_not_public,
 * the rule behind webhook_allow_private = no), and httpc's public_only
 * refusing to connect to them, by address and by a name that resolves to
 * one, with a clear error, while the same request without public_only
 * does try to connect. The worker's side (a trigger run failing with that
 * error) is tested in tests/http/webhook_private.test.js. */
#include "config.h"

#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/httpc.h"
#include "net/ipmatch.h"

static const char *
kind_of(const char *s)
{
	unsigned char a[16];
	bool v4;

	ck_assert_msg(ip_parse(s, a, &v4), "%s parses", s);
	return ip_not_public(a);
}

START_TEST(test_ip_not_public_ranges)
{
	static const struct { const char *ip, *why; } cases[] = {
		{ "127.0.0.1", "loopback" },
		{ "127.255.255.254", "loopback" },
		{ "10.1.2.3", "private" },
		{ "172.16.0.1", "private" },
		{ "172.31.255.255", "private" },
		{ "192.168.1.1", "private" },
		{ "169.254.169.254", "link-local (cloud metadata)" },
		{ "100.64.0.1", "carrier-grade NAT" },
		{ "100.100.100.200", "carrier-grade NAT" },
		{ "0.0.0.0", "unspecified (this network)" },
		{ "224.0.0.1", "multicast" },
		{ "255.255.255.255", "reserved" },
		{ "198.18.0.1", "benchmarking" },
		{ "::1", "loopback" },
		{ "::", "unspecified" },
		{ "::127.0.0.1", "reserved (IPv4-compatible)" },
		{ "::ffff:127.0.0.1", "loopback" },
		{ "::ffff:169.254.169.254", "link-local (cloud metadata)" },
		{ "64:ff9b::10.0.0.1", "private" },
		{ "fd00:ec2::254", "private (unique local)" },
		{ "fc00::1", "private (unique local)" },
		{ "fe80::1", "link-local" },
		{ "fec0::1", "private (site-local)" },
		{ "ff02::1", "multicast" },
		{ "2001:db8::1", "documentation" },
	};
	static const char *const public[] = {
		"8.8.8.8", "1.1.1.1", "172.15.255.255", "172.32.0.0",
		"100.63.255.255", "100.128.0.0", "169.253.255.255",
		"192.169.0.1", "11.0.0.1", "223.255.255.255",
		"::ffff:93.184.216.34", "64:ff9b::8.8.8.8",
		"2606:4700:4700::1111", "2a00:1450:4001::200e",
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *why = kind_of(cases[i].ip);
		ck_assert_msg(why != NULL, "%s is not public", cases[i].ip);
		ck_assert_str_eq(why, cases[i].why);
	}
	for (i = 0; i < sizeof(public) / sizeof(public[0]); i++)
		ck_assert_msg(kind_of(public[i]) == NULL, "%s is public",
		    public[i]);
}
END_TEST

/* A loopback port with nothing listening on it (bound, then closed). */
static unsigned
closed_port(void)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	ck_assert_int_ge(fd, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	close(fd);
	return ntohs(sa.sin_port);
}

static enum cb_err
post_allowing(const char *url, bool public_only, const char *const *allow,
    struct httpc_res *res)
{
	struct httpc_req rq;
	struct buf out;
	enum cb_err rc;

	memset(&rq, 0, sizeof(rq));
	rq.method = HTTPC_POST;
	rq.url = url;
	rq.body = "{}";
	rq.body_len = 2;
	rq.content_type = "application/json";
	rq.timeout_s = 5;
	rq.max_bytes = 1024;
	rq.public_only = public_only;
	rq.allow_private = allow;
	buf_init(&out, 1024);
	rc = httpc_request(&rq, &out, res);
	buf_free(&out);
	return rc;
}

static enum cb_err
post(const char *url, bool public_only, struct httpc_res *res)
{
	return post_allowing(url, public_only, NULL, res);
}

START_TEST(test_httpc_public_only_refuses_private_addresses)
{
	struct httpc_res res;
	char url[128];
	unsigned port = closed_port();

	/* Allowed: libcurl really tries, and finds nothing listening. */
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/hook", port);
	ck_assert_int_eq(post(url, false, &res), CB_EUPSTREAM);
	ck_assert_ptr_null(strstr(res.error, "not a public address"));
	/* Refused before any connect, with the address and its kind. */
	ck_assert_int_eq(post(url, true, &res), CB_EDENIED);
	ck_assert_str_eq(res.error,
	    "127.0.0.1 is not a public address (loopback)");
	/* By name: the address the name resolves to is what counts. */
	snprintf(url, sizeof(url), "http://localhost:%u/hook", port);
	ck_assert_int_eq(post(url, true, &res), CB_EDENIED);
	ck_assert_msg(strstr(res.error, "is not a public address (loopback)")
	    != NULL, "%s", res.error);
	snprintf(url, sizeof(url), "http://[::1]:%u/hook", port);
	ck_assert_int_eq(post(url, true, &res), CB_EDENIED);
	ck_assert_str_eq(res.error, "::1 is not a public address (loopback)");
	ck_assert_int_eq(post("http://169.254.169.254/latest/meta-data/", true,
	    &res), CB_EDENIED);
	ck_assert_str_eq(res.error, "169.254.169.254 is not a public address "
	    "(link-local (cloud metadata))");
	ck_assert_int_eq(post("http://10.255.255.1:9/", true, &res),
	    CB_EDENIED);
	ck_assert_str_eq(res.error, "10.255.255.1 is not a public address "
	    "(private)");
}
END_TEST

/* Other spellings of loopback: the address connected to decides, not the
 * text of the URL (issue 16 item 3). */
START_TEST(test_httpc_public_only_refuses_loopback_spellings)
{
	static const char *const hosts[] = {
		"2130706433", "0x7f000001", "0177.0.0.1", "127.1",
		"[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "LOCALHOST",
		"[0:0:0:0:0:0:0:1]",
	};
	struct httpc_res res;
	char url[128];
	unsigned port = closed_port();
	size_t i;

	for (i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
		snprintf(url, sizeof(url), "http://%s:%u/x", hosts[i], port);
		ck_assert_msg(post(url, true, &res) == CB_EDENIED, "%s: %s",
		    url, res.error);
		ck_assert_msg(strstr(res.error, "(loopback)") != NULL, "%s: %s",
		    url, res.error);
	}
}
END_TEST

/* An integration's allow_private_hosts lets exactly its entries through. */
START_TEST(test_httpc_allow_private_lets_listed_networks_through)
{
	static const char *const loop[] = { "10.0.0.0/8", "127.0.0.0/8",
	    NULL };
	static const char *const one[] = { "127.0.0.2", NULL };
	static const char *const other[] = { "10.0.0.0/8", "192.168.0.0/16",
	    "not an address", NULL };
	static const char *const empty[] = { NULL };
	struct httpc_res res;
	char url[128];
	unsigned port = closed_port();

	snprintf(url, sizeof(url), "http://127.0.0.1:%u/hook", port);
	/* Listed: libcurl connects (and finds nothing listening). */
	ck_assert_int_eq(post_allowing(url, true, loop, &res), CB_EUPSTREAM);
	ck_assert_ptr_null(strstr(res.error, "not a public address"));
	/* Not listed: refused as without an allowance. */
	ck_assert_int_eq(post_allowing(url, true, one, &res), CB_EDENIED);
	ck_assert_int_eq(post_allowing(url, true, other, &res), CB_EDENIED);
	ck_assert_int_eq(post_allowing(url, true, empty, &res), CB_EDENIED);
	ck_assert_str_eq(res.error,
	    "127.0.0.1 is not a public address (loopback)");
	/* A name: its address must be listed too. */
	snprintf(url, sizeof(url), "http://localhost:%u/hook", port);
	ck_assert_int_eq(post_allowing(url, true, one, &res), CB_EDENIED);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("net");
	TCase *tc = tcase_create("public addresses");

	tcase_add_test(tc, test_ip_not_public_ranges);
	tcase_add_test(tc, test_httpc_public_only_refuses_private_addresses);
	tcase_add_test(tc, test_httpc_public_only_refuses_loopback_spellings);
	tcase_add_test(tc, test_httpc_allow_private_lets_listed_networks_through);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
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
