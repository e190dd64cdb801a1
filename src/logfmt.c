/* Line formats: stamps, RFC 3339 times, JSON lines.  See logfmt.h. */
#include "logfmt.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "config.h"

const char *logfmt_level_name(int level)
{
	switch (level) {
	case LOG_ERROR: return "error";
	case LOG_WARNING: return "warning";
	case LOG_INFO: return "info";
	case LOG_DEBUG: return "debug";
	}
	return NULL;
}

/* The length of the valid UTF-8 sequence at s (n bytes left), 0 if none:
 * no overlong form, no surrogate, nothing past U+10FFFF. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	if (c >= 0xc2 && c <= 0xdf)
		return n >= 2 && (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if (n < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] > 0x9f))
			return 0; /* overlong; a surrogate */
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (n < 4 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80)
			return 0;
		if ((c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] > 0x8f))
			return 0; /* overlong; past U+10FFFF */
		return 4;
	}
	return 0;
}

/* Does one of the 8 bytes at s need more than a copy: a control byte, DEL,
 * '"', '\\' or a byte of 0x80 and up? (The usual has-zero-byte tests.) */
static inline bool word_needs_look(const unsigned char *s)
{
	const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
	uint64_t w;
	memcpy(&w, s, sizeof w);
#define HAS_ZERO(v) (((v) - ones) & ~(v) & highs)
	uint64_t low = (w - 0x20 * ones) & ~w & highs; /* a byte below 0x20 */
	uint64_t x = w ^ (0x7f * ones), q = w ^ (0x22 * ones), bs = w ^ (0x5c * ones);
	return (w & highs) || low || HAS_ZERO(x) || HAS_ZERO(q) || HAS_ZERO(bs);
#undef HAS_ZERO
}

void logfmt_json_string(struct pbuf *b, const char *str, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;
	/* at most 6 bytes out per byte in (\u00XX, and U+FFFD as \ufffd) */
	char *o = pbuf_space(b, len * 6 + 2), *start = o;

	static bool safe[256], made;
	if (!made) {
		for (int c = 0x20; c < 0x7f; c++)
			safe[c] = c != '"' && c != '\\';
		made = true;
	}
	*o++ = '"';
	for (size_t i = 0; i < len;) {
		unsigned c = s[i];
		if (safe[c]) {
			/* a run of plain ASCII: copied at once, found 8 bytes at a
			 * time while no byte of a word needs a look */
			size_t j = i + 1;
			while (j + 8 <= len && !word_needs_look(s + j))
				j += 8;
			while (j < len && safe[s[j]])
				j++;
			memcpy(o, s + i, j - i);
			o += j - i;
			i = j;
		} else if (c == '"' || c == '\\') {
			*o++ = '\\';
			*o++ = (char)c;
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			*o++ = '\\';
			switch (c) {
			case '\n': *o++ = 'n'; break;
			case '\t': *o++ = 't'; break;
			case '\r': *o++ = 'r'; break;
			case '\b': *o++ = 'b'; break;
			case '\f': *o++ = 'f'; break;
			default:
				memcpy(o, "u00", 3);
				o[3] = hex[c >> 4];
				o[4] = hex[c & 15];
				o += 5;
			}
			i++;
		} else {
			size_t n = utf8_seq(s + i, len - i);
			if (n) {
				memcpy(o, s + i, n);
				o += n;
				i += n;
			} else {
				memcpy(o, "\\ufffd", 6);
				o += 6;
				i++;
			}
		}
	}
	*o++ = '"';
	b->len += (size_t)(o - start);
	b->data[b->len] = '\0';
}

size_t logfmt_time_utc(char *buf, size_t len, int64_t time_ns)
{
	/* gmtime_r() and the date's digits once a second */
	static int64_t last = INT64_MIN;
	static char head[80];
	static size_t hl;
	int64_t sec = time_ns / 1000000000, us = time_ns % 1000000000 / 1000;
	if (us < 0) {
		sec--;
		us += 1000000;
	}
	if (sec != last) {
		time_t t = (time_t)sec;
		struct tm tm;
		gmtime_r(&t, &tm);
		snprintf(head, sizeof head, "%04d-%02d-%02dT%02d:%02d:%02d.", tm.tm_year + 1900,
			 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
		hl = strlen(head);
		last = sec;
	}
	if (len < hl + 8)
		return 0;
	memcpy(buf, head, hl);
	for (int i = 5; i >= 0; i--, us /= 10)
		buf[hl + (size_t)i] = (char)('0' + us % 10);
	buf[hl + 6] = 'Z';
	buf[hl + 7] = '\0';
	return hl + 7;
}

size_t logfmt_stamp(char *buf, size_t len, int64_t time_ns)
{
	/* localtime_r() reads the zone each call: the second's text is kept */
	static time_t last = -1;
	static char head[32], zone[8];
	time_t sec = (time_t)(time_ns / 1000000000);
	long ms = (long)(time_ns % 1000000000 / 1000000);
	if (sec != last) {
		struct tm tm;
		char z[8];
		localtime_r(&sec, &tm);
		strftime(head, sizeof head, "%Y-%m-%dT%H:%M:%S", &tm);
		strftime(z, sizeof z, "%z", &tm); /* +0100 -> +01:00 */
		snprintf(zone, sizeof zone, "%.3s:%.2s", z, z + 3);
		last = sec;
	}
	int n = snprintf(buf, len, "%s.%03ld%s ", head, ms, zone);
	return n < 0 ? 0 : (size_t)n < len ? (size_t)n : len - 1;
}

void logfmt_json_line(struct pbuf *b, int64_t time_ns, const char *service, int stream,
		      int level, bool partial, const char *text, size_t len)
{
	char t[40];
	size_t tl = logfmt_time_utc(t, sizeof t, time_ns);
	pbuf_add(b, "{\"time\":\"", 9);
	pbuf_add(b, t, tl);
	pbuf_add(b, "\",\"service\":", 12);
	logfmt_json_string(b, service, strlen(service));
	pbuf_addstr(b, stream == 2 ? ",\"stream\":\"stderr\"" : ",\"stream\":\"stdout\"");
	const char *lv = logfmt_level_name(level);
	if (lv) {
		pbuf_add(b, ",\"level\":\"", 10);
		pbuf_addstr(b, lv);
		pbuf_add(b, "\"", 1);
	}
	if (partial)
		pbuf_addstr(b, ",\"partial\":true");
	pbuf_add(b, ",\"line\":", 8);
	logfmt_json_string(b, text, len);
	pbuf_add(b, "}\n", 2);
}
