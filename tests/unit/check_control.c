/* Unit tests for src/control_proto.c: percent-encoding, requests (encoding,
 * parsing, versions, limits), reply lines and rows, JSON strings and the
 * default socket path. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "control_proto.h"

/* ---- escaping ------------------------------------------------------------ */

static char *escaped(const char *s, size_t len, bool word)
{
	struct pbuf b = { 0 };
	proto_escape(&b, s, len, word);
	pbuf_add(&b, "", 0);
	return b.data ? b.data : strdup("");
}

START_TEST(test_escape_word_and_text)
{
	char *w = escaped("a b=c%d\te\n", 10, true);
	ck_assert_str_eq(w, "a%20b%3Dc%25d%09e%0A");
	free(w);
	char *t = escaped("a b=c%d\te\n", 10, false);
	ck_assert_str_eq(t, "a b=c%25d%09e%0A");
	free(t);
	char *u = escaped("caf\xc3\xa9 \x7f", 7, true);
	ck_assert_str_eq(u, "caf\xc3\xa9%20%7F");
	free(u);
}
END_TEST

START_TEST(test_escape_roundtrip_every_byte)
{
	char in[255];
	for (int i = 0; i < 255; i++)
		in[i] = (char)(i + 1); /* 1..255: no NUL */
	for (int word = 0; word < 2; word++) {
		char *e = escaped(in, sizeof in, word);
		for (char *p = e; *p; p++) {
			unsigned char c = (unsigned char)*p;
			ck_assert_msg(c >= 0x20 && c != 0x7f, "raw control byte 0x%02x in output", c);
			if (word)
				ck_assert_msg(c != ' ' && c != '=', "raw '%c' in a word", c);
		}
		long n = proto_unescape(e);
		ck_assert_int_eq(n, 255);
		ck_assert(memcmp(e, in, 255) == 0);
		free(e);
	}
}
END_TEST

START_TEST(test_unescape_rejects)
{
	const char *bad[] = { "%", "%4", "a%g1", "%00", "x%0", "%%" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *s = strdup(bad[i]);
		ck_assert_msg(proto_unescape(s) == -1, "'%s' should not decode", bad[i]);
		free(s);
	}
	char ok[] = "%41%62c%2f";
	ck_assert_int_eq(proto_unescape(ok), 4);
	ck_assert_str_eq(ok, "Abc/");
}
END_TEST

/* ---- requests ------------------------------------------------------------ */

START_TEST(test_request_roundtrip)
{
	struct pbuf b = { 0 };
	char *args[] = { "web", "a b", "x=y", "100%", "caf\xc3\xa9", "tab\there" };
	ck_assert_int_eq(proto_request(&b, "status", args, 6), 0);
	ck_assert_int_eq(b.data[b.len - 1], '\n');
	ck_assert_ptr_null(memchr(b.data, '\n', b.len - 1));
	ck_assert(strncmp(b.data, "muster 2 status web a%20b ", 26) == 0);

	struct proto_request req;
	char err[256];
	b.data[--b.len] = '\0';
	ck_assert_int_eq(proto_parse_request(b.data, b.len, &req, err, sizeof err), 0);
	ck_assert_int_eq(req.version, PROTO_VERSION);
	ck_assert_str_eq(req.cmd, "status");
	ck_assert_uint_eq(req.nargs, 6);
	for (size_t i = 0; i < 6; i++)
		ck_assert_str_eq(req.args[i], args[i]);
	pbuf_free(&b);
}
END_TEST

START_TEST(test_request_no_args)
{
	struct pbuf b = { 0 };
	ck_assert_int_eq(proto_request(&b, "ready", NULL, 0), 0);
	ck_assert_str_eq(b.data, "muster 2 ready\n");
	pbuf_free(&b);
}
END_TEST

START_TEST(test_request_limits)
{
	struct pbuf b = { 0 };
	char *args[PROTO_MAX_ARGS + 1];
	for (size_t i = 0; i <= PROTO_MAX_ARGS; i++)
		args[i] = "x";
	ck_assert_int_eq(proto_request(&b, "status", args, PROTO_MAX_ARGS), 0);
	pbuf_free(&b);
	ck_assert_int_eq(proto_request(&b, "status", args, PROTO_MAX_ARGS + 1), -1);
	ck_assert_uint_eq(b.len, 0);

	/* a name that makes the line pass the limit */
	char *big = malloc(PROTO_MAX_REQUEST);
	memset(big, 'n', PROTO_MAX_REQUEST - 1);
	big[PROTO_MAX_REQUEST - 1] = '\0';
	char *one[] = { big };
	ck_assert_int_eq(proto_request(&b, "status", one, 1), -1);
	ck_assert_uint_eq(b.len, 0);
	/* escaping counts: 1000 spaces are 3000 bytes */
	memset(big, ' ', 1400);
	big[1400] = '\0';
	ck_assert_int_eq(proto_request(&b, "status", one, 1), -1);
	free(big);

	/* the parser refuses more than PROTO_MAX_ARGS words */
	struct pbuf l = { 0 };
	pbuf_addstr(&l, "muster 1 status");
	for (int i = 0; i <= PROTO_MAX_ARGS; i++)
		pbuf_addstr(&l, " x");
	struct proto_request req;
	char err[256];
	ck_assert_int_eq(proto_parse_request(l.data, l.len, &req, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "too many arguments"));
	pbuf_free(&l);
}
END_TEST

static int parse(const char *line, struct proto_request *req, char *err, size_t errlen)
{
	static char buf[8192];
	size_t len = strlen(line);
	memcpy(buf, line, len + 1);
	return proto_parse_request(buf, len, req, err, errlen);
}

START_TEST(test_request_rejects)
{
	struct proto_request req;
	char err[256];
	static const struct {
		const char *line, *why;
	} bad[] = {
		{ "", "not a muster request" },
		{ "GET / HTTP/1.0", "not a muster request" },
		{ "muster", "not a muster request" },
		{ "muster x status", "bad protocol version" },
		{ "muster 1x status", "bad protocol version" },
		{ "muster 1", "no command" },
		{ "muster 1 status a%zz", "bad %-escape" },
		{ "muster 1 status \x01", "control character" },
		{ "muster 1 st\x1b[2Jatus", "control character" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ck_assert_msg(parse(bad[i].line, &req, err, sizeof err) == -1, "'%s' accepted",
			      bad[i].line);
		ck_assert_msg(strstr(err, bad[i].why), "'%s': error '%s' lacks '%s'", bad[i].line,
			      err, bad[i].why);
	}
	/* an embedded NUL is refused, not truncated */
	char nul[] = "muster 1 status\0web";
	ck_assert_int_eq(proto_parse_request(nul, sizeof nul - 1, &req, err, sizeof err), -1);
}
END_TEST

START_TEST(test_request_versions)
{
	struct proto_request req;
	char err[256];
	ck_assert_int_eq(parse("muster 0 status", &req, err, sizeof err), -1);
	ck_assert_int_eq(req.version, 0);
	ck_assert_ptr_nonnull(strstr(err, "protocol version 0 is not supported"));
	ck_assert_ptr_nonnull(strstr(err, "musterctl"));
	ck_assert_int_eq(parse("muster 999 status", &req, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "protocol version 999"));
	ck_assert_int_eq(parse("muster 1 status", &req, err, sizeof err), 0);
}
END_TEST

START_TEST(test_request_lenient_blanks)
{
	struct proto_request req;
	char err[256];
	ck_assert_int_eq(parse("  muster\t1   stop  web \r", &req, err, sizeof err), 0);
	ck_assert_str_eq(req.cmd, "stop");
	ck_assert_uint_eq(req.nargs, 1);
	ck_assert_str_eq(req.args[0], "web");
}
END_TEST

/* ---- replies ------------------------------------------------------------- */

static int reply(char *line, struct proto_reply *r)
{
	return proto_parse_reply(line, strlen(line), r);
}

START_TEST(test_line_splits_data_not_finals)
{
	struct pbuf b = { 0 };
	proto_line(&b, "out", "web: added\ndb: restarted\n");
	ck_assert_str_eq(b.data, "out web: added\nout db: restarted\n");
	pbuf_free(&b);
	proto_line(&b, "err", "a\n\nb");
	ck_assert_str_eq(b.data, "err a\nerr\nerr b\n");
	pbuf_free(&b);
	proto_line(&b, "fail", "two\nlines 100%");
	ck_assert_str_eq(b.data, "fail two%0Alines 100%25\n");
	pbuf_free(&b);
	proto_line(&b, "ok", NULL);
	proto_line(&b, "ok", "");
	ck_assert_str_eq(b.data, "ok\nok\n");
	pbuf_free(&b);
}
END_TEST

START_TEST(test_reply_kinds)
{
	static const struct {
		const char *line;
		enum proto_kind kind;
		const char *text;
	} ok[] = {
		{ "ok", PK_OK, "" },
		{ "ok shutting down", PK_OK, "shutting down" },
		{ "fail no service named 'x'", PK_FAIL, "no service named 'x'" },
		{ "error bad%0Arequest", PK_ERROR, "bad\nrequest" },
		{ "usage bad timeout", PK_USAGE, "bad timeout" },
		{ "out web: added", PK_OUT, "web: added" },
		{ "err", PK_ERR, "" },
	};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		char *l = strdup(ok[i].line);
		struct proto_reply r;
		ck_assert_msg(reply(l, &r) == 0, "'%s' refused", ok[i].line);
		ck_assert_int_eq(r.kind, ok[i].kind);
		ck_assert_str_eq(r.text, ok[i].text);
		ck_assert_int_eq(proto_final(r.kind), r.kind >= PK_OK);
		free(l);
	}
	const char *bad[] = { "", "okay", "OK", "hello world", "fail a%2", "out \x01" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *l = strdup(bad[i]);
		struct proto_reply r;
		ck_assert_msg(reply(l, &r) == -1, "'%s' accepted", bad[i]);
		free(l);
	}
}
END_TEST

START_TEST(test_rows)
{
	struct pbuf b = { 0 };
	proto_row_begin(&b);
	proto_row_field(&b, "name", "web");
	proto_row_field(&b, "text", "up: 3 workers=ok 100%");
	proto_row_field(&b, "reason", NULL); /* omitted */
	proto_row_fieldf(&b, "pid", "%d", 42);
	proto_row_end(&b);
	ck_assert_str_eq(b.data, "row name=web text=up:%203%20workers%3Dok%20100%25 pid=42\n");

	b.data[--b.len] = '\0';
	struct proto_reply r;
	ck_assert_int_eq(reply(b.data, &r), 0);
	ck_assert_int_eq(r.kind, PK_ROW);
	ck_assert_uint_eq(r.nfields, 3);
	ck_assert_str_eq(proto_field(&r, "name"), "web");
	ck_assert_str_eq(proto_field(&r, "text"), "up: 3 workers=ok 100%");
	ck_assert_str_eq(proto_field(&r, "pid"), "42");
	ck_assert_ptr_null(proto_field(&r, "reason"));
	pbuf_free(&b);

	char empty[] = "row";
	ck_assert_int_eq(reply(empty, &r), 0);
	ck_assert_uint_eq(r.nfields, 0);
	char novalue[] = "row a= b=1";
	ck_assert_int_eq(reply(novalue, &r), 0);
	ck_assert_str_eq(proto_field(&r, "a"), "");
	char nokey[] = "row =1";
	ck_assert_int_eq(reply(nokey, &r), -1);
	char noeq[] = "row name";
	ck_assert_int_eq(reply(noeq, &r), -1);

	struct pbuf many = { 0 };
	pbuf_addstr(&many, "row");
	for (int i = 0; i <= PROTO_MAX_FIELDS; i++)
		pbuf_printf(&many, " k%d=v", i);
	ck_assert_int_eq(reply(many.data, &r), -1);
	pbuf_free(&many);
}
END_TEST

/* ---- JSON ------------------------------------------------------------------ */

static void json_is(const char *in, const char *want)
{
	struct pbuf b = { 0 };
	proto_json_string(&b, in);
	ck_assert_msg(!strcmp(b.data, want), "json(%s) = %s, expected %s", in, b.data, want);
	pbuf_free(&b);
}

START_TEST(test_json_strings)
{
	json_is("", "\"\"");
	json_is("web", "\"web\"");
	json_is("say \"hi\" \\o/", "\"say \\\"hi\\\" \\\\o/\"");
	json_is("a\nb\tc\rd\be\ff", "\"a\\nb\\tc\\rd\\be\\ff\"");
	json_is("\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"");
	json_is("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
}
END_TEST

START_TEST(test_json_invalid_utf8)
{
	json_is("a\xffz", "\"a\\ufffdz\"");
	json_is("\xc3", "\"\\ufffd\"");                 /* truncated */
	json_is("\xc0\xaf", "\"\\ufffd\\ufffd\"");       /* overlong '/' */
	json_is("\xe0\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\""); /* overlong */
	json_is("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\""); /* a surrogate */
	json_is("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\""); /* > U+10FFFF */
	json_is("\xe2\x82x", "\"\\ufffd\\ufffdx\"");
}
END_TEST

/* ---- the socket path ---------------------------------------------------- */

START_TEST(test_socket_path)
{
	char *p;

	setenv("MUSTER_SOCKET", "/env/m.sock", 1);
	p = proto_socket_path("/conf/m.sock");
	ck_assert_str_eq(p, "/conf/m.sock");
	free(p);
	p = proto_socket_path("");
	ck_assert_str_eq(p, "/env/m.sock");
	free(p);
	p = proto_socket_path(NULL);
	ck_assert_str_eq(p, "/env/m.sock");
	free(p);

	unsetenv("MUSTER_SOCKET");
	setenv("XDG_RUNTIME_DIR", "/run/user/1000", 1);
	p = proto_socket_path(NULL);
	ck_assert_str_eq(p, geteuid() == 0 ? "/run/muster.sock" : "/run/user/1000/muster.sock");
	free(p);
	if (geteuid() != 0) {
		char want[64];
		unsetenv("XDG_RUNTIME_DIR");
		snprintf(want, sizeof want, "/tmp/muster-%u.sock", (unsigned)geteuid());
		p = proto_socket_path(NULL);
		ck_assert_str_eq(p, want);
		free(p);
	}
}
END_TEST

START_TEST(test_pbuf)
{
	struct pbuf b = { 0 };
	for (int i = 0; i < 1000; i++)
		pbuf_printf(&b, "%04d", i);
	ck_assert_uint_eq(b.len, 4000);
	pbuf_consume(&b, 3996);
	ck_assert_str_eq(b.data, "0999");
	pbuf_consume(&b, 100);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_str_eq(b.data, "");
	pbuf_free(&b);
	ck_assert_ptr_null(b.data);
}
END_TEST

static Suite *control_suite(void)
{
	Suite *s = suite_create("control_proto");
	TCase *tc;

	tc = tcase_create("escape");
	tcase_add_test(tc, test_escape_word_and_text);
	tcase_add_test(tc, test_escape_roundtrip_every_byte);
	tcase_add_test(tc, test_unescape_rejects);
	suite_add_tcase(s, tc);

	tc = tcase_create("request");
	tcase_add_test(tc, test_request_roundtrip);
	tcase_add_test(tc, test_request_no_args);
	tcase_add_test(tc, test_request_limits);
	tcase_add_test(tc, test_request_rejects);
	tcase_add_test(tc, test_request_versions);
	tcase_add_test(tc, test_request_lenient_blanks);
	suite_add_tcase(s, tc);

	tc = tcase_create("reply");
	tcase_add_test(tc, test_line_splits_data_not_finals);
	tcase_add_test(tc, test_reply_kinds);
	tcase_add_test(tc, test_rows);
	suite_add_tcase(s, tc);

	tc = tcase_create("helpers");
	tcase_add_test(tc, test_json_strings);
	tcase_add_test(tc, test_json_invalid_utf8);
	tcase_add_test(tc, test_socket_path);
	tcase_add_test(tc, test_pbuf);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(control_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
