/* Unit tests for the probes' pure parts: URL parsing, the request and the
 * status line (src/http.c), ready-log's line matching (src/probe.c), and
 * addresses that need no lookup (src/resolve.c); then one lookup of a name
 * through a child process on a private libev loop.
 */
#include <check.h>
#include <ev.h>
#include <netdb.h>
#include <netinet/in.h>
#include <regex.h>
#include <string.h>

#include "http.h"
#include "probe.h"
#include "resolve.h"

static void url_ok(const char *url, const char *host, const char *port, const char *path,
		   bool v6)
{
	struct http_url u;
	const char *e = NULL;
	ck_assert_msg(http_url_parse(url, &u, &e) == 0, "%s: %s", url, e);
	ck_assert_str_eq(u.host, host);
	ck_assert_str_eq(u.port, port);
	ck_assert_str_eq(u.path, path);
	ck_assert(u.ipv6 == v6);
}

static void url_bad(const char *url, const char *why)
{
	struct http_url u;
	const char *e = NULL;
	ck_assert_msg(http_url_parse(url, &u, &e) == -1, "%s accepted", url);
	ck_assert_msg(e && !strcmp(e, why), "%s: '%s', expected '%s'", url, e ? e : "", why);
}

START_TEST(test_url)
{
	url_ok("http://localhost", "localhost", "80", "/", false);
	url_ok("http://db:5432/", "db", "5432", "/", false);
	url_ok("http://127.0.0.1:8080/healthz", "127.0.0.1", "8080", "/healthz", false);
	url_ok("HTTP://Example.COM/a/b?c=1&d", "Example.COM", "80", "/a/b?c=1&d", false);
	url_ok("http://web?ready", "web", "80", "/?ready", false);
	url_ok("http://[::1]:9000/x", "::1", "9000", "/x", true);
	url_ok("http://[fe80::1]/", "fe80::1", "80", "/", true);
	url_ok("http://my_host-1.svc.cluster.local:08080/", "my_host-1.svc.cluster.local",
	       "8080", "/", false);

	url_bad("https://web/", "https is not supported");
	url_bad("HTTPS://web/", "https is not supported");
	url_bad("ftp://web/", "not an http:// URL");
	url_bad("web:80/", "not an http:// URL");
	url_bad("http://", "no host");
	url_bad("http:///x", "no host");
	url_bad("http://:80/", "no host");
	url_bad("http://web:/", "not a port number");
	url_bad("http://web:0/", "the port is not from 1 to 65535");
	url_bad("http://web:65536/", "the port is not from 1 to 65535");
	url_bad("http://web:123456/", "not a port number");
	url_bad("http://web:8o/", "not a port number");
	url_bad("http://user:pw@web/", "user names and passwords are not supported");
	url_bad("http://web/#top", "a fragment (#) is not sent");
	url_bad("http://we b/", "not a host name or address");
	url_bad("http://-web/", "not a host name or address");
	url_bad("http://[::1/", "an IPv6 address without its closing ]");
	url_bad("http://[::1]x/", "garbage after the IPv6 address");
	url_bad("http://[web]/", "not an IPv6 address");
	url_bad("http://web/a b", "a blank or control character in the path");
	url_bad("http://web/a\tb", "a blank or control character in the path");
	char big[HTTP_PATH_MAX + 32] = "http://web/";
	memset(big + 11, 'a', HTTP_PATH_MAX);
	big[11 + HTTP_PATH_MAX] = '\0';
	url_bad(big, "the path is too long");
	char host[300] = "http://";
	memset(host + 7, 'h', 260);
	host[267] = '\0';
	url_bad(host, "the host name is too long");

	ck_assert(http_host_valid("db"));
	ck_assert(http_host_valid("10.0.0.1"));
	ck_assert(!http_host_valid(""));
	ck_assert(!http_host_valid("a:b"));
	ck_assert(!http_host_valid(".x"));
}
END_TEST

START_TEST(test_request)
{
	struct http_url u;
	const char *e;
	char buf[512];
	ck_assert_int_eq(http_url_parse("http://web/healthz?x=1", &u, &e), 0);
	size_t n = http_request(&u, buf, sizeof buf);
	ck_assert_uint_gt(n, 0);
	ck_assert_str_eq(buf, "GET /healthz?x=1 HTTP/1.0\r\nHost: web\r\nUser-Agent: muster\r\n"
			      "Accept: */*\r\nConnection: close\r\n\r\n");
	ck_assert_int_eq(http_url_parse("http://[::1]:8080/", &u, &e), 0);
	n = http_request(&u, buf, sizeof buf);
	ck_assert_ptr_nonnull(strstr(buf, "\r\nHost: [::1]:8080\r\n"));
	ck_assert_uint_eq(http_request(&u, buf, 20), 0); /* does not fit */
}
END_TEST

START_TEST(test_status)
{
	int code = 0;
	ck_assert_int_eq(http_status("HTTP/1.1 200 OK\r\n", 17, &code), 1);
	ck_assert_int_eq(code, 200);
	ck_assert_int_eq(http_status("HTTP/1.0 503 Service Unavailable\r\nX: y", 38, &code), 1);
	ck_assert_int_eq(code, 503);
	ck_assert_int_eq(http_status("HTTP/2 301\n", 11, &code), 1);
	ck_assert_int_eq(code, 301);
	ck_assert_int_eq(http_status("HTTP/1.1 204\r\n", 14, &code), 1);
	ck_assert_int_eq(code, 204);
	/* not yet complete */
	ck_assert_int_eq(http_status("HTT", 3, &code), 0);
	ck_assert_int_eq(http_status("HTTP/1.1 200 O", 14, &code), 0);
	ck_assert_int_eq(http_status("", 0, &code), 0);
	/* not HTTP */
	ck_assert_int_eq(http_status("SSH-2.0-OpenSSH\r\n", 17, &code), -1);
	ck_assert_int_eq(http_status("HTTP/1.1 20 OK\r\n", 16, &code), -1);
	ck_assert_int_eq(http_status("HTTP/1.1 2000 OK\r\n", 18, &code), -1);
	ck_assert_int_eq(http_status("HTTP/ 200 OK\r\n", 14, &code), -1);
	ck_assert_int_eq(http_status("HTTP/1.1\r\n", 10, &code), -1);
	char junk[600];
	memcpy(junk, "HTTP/1.1 ", 9);
	memset(junk + 9, '2', sizeof junk - 9);
	ck_assert_int_eq(http_status(junk, sizeof junk, &code), -1); /* no end in sight */

	ck_assert(http_status_ok(200) && http_status_ok(204) && http_status_ok(302) &&
		  http_status_ok(399));
	ck_assert(!http_status_ok(199) && !http_status_ok(400) && !http_status_ok(503));
}
END_TEST

static bool matches(const char *re_text, const char *buf, size_t len)
{
	regex_t re;
	ck_assert_int_eq(regcomp(&re, re_text, REG_EXTENDED | REG_NOSUB), 0);
	bool m = probe_line_matches(&re, buf, len);
	regfree(&re);
	return m;
}

START_TEST(test_line_matches)
{
	/* a line in an output buffer: not NUL-terminated, followed by more */
	const char buf[] = "server: listening on port 8080\nnext line";
	size_t len = strchr(buf, '\n') - buf;
	ck_assert(matches("listening on port [0-9]+$", buf, len));
	ck_assert(matches("^server:", buf, len));
	ck_assert(matches("^server: listening on port 8080$", buf, len));
	ck_assert(matches("(ready|listening)", buf, len));
	ck_assert(!matches("next", buf, len));          /* nothing past the line */
	ck_assert(!matches("8080.", buf, len));         /* the newline is not in it */
	ck_assert(!matches("^listening", buf, len));    /* the whole line */
	ck_assert(matches("port 808$", buf, len - 1));   /* the length ends it */
	ck_assert(matches("^$", buf, 0));                /* an empty line */
	ck_assert(!matches(".", buf, 0));
	/* extended syntax: + ? | {} () without backslashes */
	ck_assert(matches("^s(e|r)+ver: l{1}is?tening", buf, len));
	/* bytes that are no text */
	const char bin[] = { 'o', 'k', (char)0xff, '!', 0 };
	ck_assert(matches("ok.!", bin, 4));
}
END_TEST

START_TEST(test_numeric)
{
	struct resolve_result r;
	ck_assert_int_eq(resolve_numeric("127.0.0.1", "80", &r), 0);
	ck_assert_int_eq(r.gai_err, 0);
	ck_assert_int_eq(r.n, 1);
	ck_assert_int_eq(r.a[0].sa.ss_family, AF_INET);
	ck_assert_int_eq(ntohs(((struct sockaddr_in *)&r.a[0].sa)->sin_port), 80);
	ck_assert_int_eq(resolve_numeric("::1", "8080", &r), 0);
	ck_assert_int_eq(r.a[0].sa.ss_family, AF_INET6);
	/* a name: not answered here */
	ck_assert_int_eq(resolve_numeric("localhost", "80", &r), -1);
	ck_assert_int_eq(resolve_numeric("db.example", "80", &r), -1);
}
END_TEST

static struct resolve_result got;
static int answers;

static void answer_cb(void *arg, const struct resolve_result *r)
{
	(void)arg;
	got = *r;
	answers++;
}

/* A lookup in a child: the answer comes through the loop; a cancelled one
 * never answers. */
START_TEST(test_lookup)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct addrinfo *ai;
	if (getaddrinfo("localhost", "80", NULL, &ai) != 0) {
		ev_loop_destroy(loop);
		return; /* no resolver answers for localhost here */
	}
	freeaddrinfo(ai);
	answers = 0;
	struct resolve *r = resolve_start(loop, "localhost", "8080", answer_cb, NULL);
	ck_assert_ptr_nonnull(r);
	while (!answers)
		ev_run(loop, EVRUN_ONCE);
	ck_assert_int_eq(answers, 1);
	ck_assert_int_eq(got.gai_err, 0);
	ck_assert_int_ge(got.n, 1);
	/* cancelled: the callback is never called */
	r = resolve_start(loop, "localhost", "8080", answer_cb, NULL);
	ck_assert_ptr_nonnull(r);
	resolve_cancel(r);
	ev_run(loop, EVRUN_NOWAIT);
	ck_assert_int_eq(answers, 1);
	ev_loop_destroy(loop);
}
END_TEST

static Suite *probe_suite(void)
{
	Suite *s = suite_create("probe");
	TCase *tc = tcase_create("http");
	tcase_add_test(tc, test_url);
	tcase_add_test(tc, test_request);
	tcase_add_test(tc, test_status);
	suite_add_tcase(s, tc);
	tc = tcase_create("log");
	tcase_add_test(tc, test_line_matches);
	suite_add_tcase(s, tc);
	tc = tcase_create("resolve");
	tcase_add_test(tc, test_numeric);
	tcase_add_test(tc, test_lookup);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(probe_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
