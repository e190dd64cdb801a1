/* Unit tests for src/logfmt.c: the JSON encoder (every control character,
 * quotes and backslashes, invalid UTF-8, a 1 MiB line) and the JSON line. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "logfmt.h"

static char *enc(const char *s, size_t len)
{
	static struct pbuf b;
	b.len = 0;
	logfmt_json_string(&b, s, len);
	return b.data;
}

/* Decode a JSON string (as the encoder writes it: escapes \" \\ \n \t \r
 * \b \f \uXXXX of the BMP) into UTF-8; -1 when it is not one, or has a raw
 * control byte, or is not valid UTF-8. */
static long decode(const char *j, char *out)
{
	const unsigned char *s = (const unsigned char *)j;
	size_t n = 0;
	if (*s++ != '"')
		return -1;
	while (*s != '"') {
		if (!*s || *s < 0x20 || *s == 0x7f)
			return -1;
		if (*s != '\\') {
			out[n++] = (char)*s++;
			continue;
		}
		s++;
		switch (*s) {
		case '"': case '\\': case '/': out[n++] = (char)*s; break;
		case 'n': out[n++] = '\n'; break;
		case 't': out[n++] = '\t'; break;
		case 'r': out[n++] = '\r'; break;
		case 'b': out[n++] = '\b'; break;
		case 'f': out[n++] = '\f'; break;
		case 'u': {
			char h[5] = { 0 };
			memcpy(h, s + 1, 4);
			unsigned cp = (unsigned)strtoul(h, NULL, 16);
			if (cp < 0x80) {
				out[n++] = (char)cp;
			} else if (cp < 0x800) {
				out[n++] = (char)(0xc0 | cp >> 6);
				out[n++] = (char)(0x80 | (cp & 0x3f));
			} else {
				out[n++] = (char)(0xe0 | cp >> 12);
				out[n++] = (char)(0x80 | (cp >> 6 & 0x3f));
				out[n++] = (char)(0x80 | (cp & 0x3f));
			}
			s += 4;
			break;
		}
		default: return -1;
		}
		s++;
	}
	if (s[1])
		return -1; /* something after the closing quote */
	return (long)n;
}

START_TEST(test_plain)
{
	ck_assert_str_eq(enc("hello world", 11), "\"hello world\"");
	ck_assert_str_eq(enc("", 0), "\"\"");
	ck_assert_str_eq(enc("a\"b\\c/d", 7), "\"a\\\"b\\\\c/d\"");
	/* valid UTF-8 goes as is: 2, 3 and 4 bytes, the largest code point */
	ck_assert_str_eq(enc("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf", 13),
			 "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf\"");
}
END_TEST

START_TEST(test_every_control_character)
{
	char want[16], c;
	for (int i = 0; i <= 0x7f; i++) {
		if (i >= 0x20 && i < 0x7f)
			continue;
		c = (char)i;
		switch (i) {
		case '\n': strcpy(want, "\"\\n\""); break;
		case '\t': strcpy(want, "\"\\t\""); break;
		case '\r': strcpy(want, "\"\\r\""); break;
		case '\b': strcpy(want, "\"\\b\""); break;
		case '\f': strcpy(want, "\"\\f\""); break;
		default: snprintf(want, sizeof want, "\"\\u%04x\"", i);
		}
		ck_assert_msg(!strcmp(enc(&c, 1), want), "byte 0x%02x: %s, expected %s", i, enc(&c, 1), want);
	}
	/* NUL in the middle of a line: escaped, nothing cut */
	ck_assert_str_eq(enc("a\0b", 3), "\"a\\u0000b\"");
}
END_TEST

/* A byte that needs escaping, at every place of a line of plain ASCII: the
 * runs of plain bytes are found 8 at a time, and none may slip through a
 * word.  Each line must decode back to itself (0x80 alone becomes U+FFFD). */
START_TEST(test_special_byte_at_every_offset)
{
	static const unsigned char special[] = { 0x00, 0x01, 0x0a, 0x1f, 0x20, '"', '\\',
						  0x7e, 0x7f, 0x80, 0xc3, 0xff };
	char line[40], out[256];
	for (size_t k = 0; k < sizeof special; k++) {
		for (size_t at = 0; at < sizeof line; at++) {
			memset(line, 'a', sizeof line);
			line[at] = (char)special[k];
			const char *j = enc(line, sizeof line);
			long n = decode(j, out);
			ck_assert_msg(n >= 0, "byte 0x%02x at %zu: not valid JSON: %s", special[k], at, j);
			if (special[k] < 0x80) {
				ck_assert_int_eq(n, (long)sizeof line);
				ck_assert_msg(!memcmp(out, line, sizeof line), "byte 0x%02x at %zu: %s",
					      special[k], at, j);
			} else {
				/* invalid alone: U+FFFD (3 bytes) in its place, the rest as is */
				ck_assert_int_eq(n, (long)sizeof line + 2);
				ck_assert(!memcmp(out, line, at));
				ck_assert(!memcmp(out + at, "\xef\xbf\xbd", 3));
				ck_assert(!memcmp(out + at + 3, line + at + 1, sizeof line - at - 1));
			}
		}
	}
}
END_TEST

START_TEST(test_invalid_utf8)
{
	static const struct {
		const char *in;
		size_t len;
		const char *out;
	} cases[] = {
		{ "\x80", 1, "\"\\ufffd\"" },                         /* a lone continuation */
		{ "\xff\xfe", 2, "\"\\ufffd\\ufffd\"" },              /* never in UTF-8 */
		{ "\xc0\xaf", 2, "\"\\ufffd\\ufffd\"" },              /* overlong '/' */
		{ "\xe0\x80\xaf", 3, "\"\\ufffd\\ufffd\\ufffd\"" },   /* overlong, 3 bytes */
		{ "\xf0\x80\x80\xaf", 4, "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" },
		{ "\xed\xa0\x80", 3, "\"\\ufffd\\ufffd\\ufffd\"" },   /* a surrogate */
		{ "\xf4\x90\x80\x80", 4, "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" }, /* past U+10FFFF */
		{ "a\xc3", 2, "\"a\\ufffd\"" },                       /* cut at the end */
		{ "\xe2\x82x", 3, "\"\\ufffd\\ufffdx\"" },            /* cut in the middle */
		{ "\xc3\xa9\xc3", 3, "\"\xc3\xa9\\ufffd\"" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		ck_assert_msg(!strcmp(enc(cases[i].in, cases[i].len), cases[i].out),
			      "case %zu: %s, expected %s", i, enc(cases[i].in, cases[i].len), cases[i].out);
}
END_TEST

START_TEST(test_one_mib_line)
{
	size_t n = 1024 * 1024;
	char *in = malloc(n), *want = malloc(n * 3), *got = malloc(n * 3);
	size_t wn = 0;
	/* every byte value, again and again, in a pseudo-random order */
	uint32_t x = 12345;
	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245 + 12345;
		in[i] = (char)(x >> 16);
	}
	/* what a decoder must see: valid sequences as they are, each other
	 * byte U+FFFD */
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)in[i];
		size_t l = 0;
		if (c < 0x80) {
			l = 1;
		} else if (c >= 0xc2 && c <= 0xdf && i + 1 < n && ((unsigned char)in[i + 1] & 0xc0) == 0x80) {
			l = 2;
		} else if (c >= 0xe0 && c <= 0xef && i + 2 < n) {
			unsigned char a = (unsigned char)in[i + 1], b = (unsigned char)in[i + 2];
			if ((a & 0xc0) == 0x80 && (b & 0xc0) == 0x80 && !(c == 0xe0 && a < 0xa0) &&
			    !(c == 0xed && a > 0x9f))
				l = 3;
		} else if (c >= 0xf0 && c <= 0xf4 && i + 3 < n) {
			unsigned char a = (unsigned char)in[i + 1], b = (unsigned char)in[i + 2],
				      d = (unsigned char)in[i + 3];
			if ((a & 0xc0) == 0x80 && (b & 0xc0) == 0x80 && (d & 0xc0) == 0x80 &&
			    !(c == 0xf0 && a < 0x90) && !(c == 0xf4 && a > 0x8f))
				l = 4;
		}
		if (l) {
			memcpy(want + wn, in + i, l);
			wn += l;
			i += l;
		} else {
			memcpy(want + wn, "\xef\xbf\xbd", 3);
			wn += 3;
			i++;
		}
	}
	struct pbuf b = { 0 };
	logfmt_json_string(&b, in, n);
	ck_assert_uint_eq(strlen(b.data), b.len); /* no raw NUL */
	long dn = decode(b.data, got);
	ck_assert_int_ge(dn, 0);
	ck_assert_uint_eq((size_t)dn, wn);
	ck_assert(memcmp(got, want, wn) == 0);
	/* a 1 MiB line of plain text: as is */
	memset(in, 'x', n);
	b.len = 0;
	logfmt_json_string(&b, in, n);
	ck_assert_uint_eq(b.len, n + 2);
	pbuf_free(&b);
	free(in), free(want), free(got);
}
END_TEST

START_TEST(test_json_line)
{
	struct pbuf b = { 0 };
	/* 2024-05-01T12:00:00.123456Z */
	int64_t t = 1714564800LL * 1000000000 + 123456789;
	logfmt_json_line(&b, t, "web", 1, -1, false, "GET / \"200\"", 11);
	ck_assert_str_eq(b.data, "{\"time\":\"2024-05-01T12:00:00.123456Z\",\"service\":\"web\","
			 "\"stream\":\"stdout\",\"line\":\"GET / \\\"200\\\"\"}\n");
	b.len = 0;
	logfmt_json_line(&b, t, "muster", 2, LOG_WARNING, false, "x", 1);
	ck_assert_str_eq(b.data, "{\"time\":\"2024-05-01T12:00:00.123456Z\",\"service\":\"muster\","
			 "\"stream\":\"stderr\",\"level\":\"warning\",\"line\":\"x\"}\n");
	b.len = 0;
	logfmt_json_line(&b, t, "web", 2, -1, true, "", 0);
	ck_assert_str_eq(b.data, "{\"time\":\"2024-05-01T12:00:00.123456Z\",\"service\":\"web\","
			 "\"stream\":\"stderr\",\"partial\":true,\"line\":\"\"}\n");
	pbuf_free(&b);
	char s[40];
	ck_assert_uint_eq(logfmt_time_utc(s, sizeof s, 0), 27);
	ck_assert_str_eq(s, "1970-01-01T00:00:00.000000Z");
}
END_TEST

static Suite *logfmt_suite(void)
{
	Suite *s = suite_create("logfmt");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_plain);
	tcase_add_test(tc, test_every_control_character);
	tcase_add_test(tc, test_invalid_utf8);
	tcase_add_test(tc, test_special_byte_at_every_offset);
	tcase_add_test(tc, test_one_mib_line);
	tcase_add_test(tc, test_json_line);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(logfmt_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
