/* Fuzz target: the control protocol's decoders (src/control_proto.c).
 *
 * The input is what a client sends on the control socket, cut as
 * control.c cuts it: the bytes up to the first LF, at most
 * PROTO_MAX_REQUEST of them (a longer request without LF is refused before
 * parsing), or all of it when the client closes without a LF.  That line,
 * in a buffer of exactly its length + 1, goes to proto_parse_request().
 *
 * The same bytes, cut at the first LF as musterctl cuts a reply, also go to
 * proto_parse_reply(), and the raw bytes to proto_unescape(),
 * proto_escape() and proto_json_string().
 *
 * Checked beyond memory safety and UB:
 *   - a request: version in range, a non-empty command, at most
 *     PROTO_MAX_ARGS non-empty words, all inside the line; or an error text
 *     that is one non-empty line;
 *   - round trips: a parsed request encoded again by proto_request()
 *     parses to the same words; a parsed reply written again by
 *     proto_line()/proto_row_*() parses to the same text or fields; for
 *     bytes without NUL, unescape(escape(x)) == x, as a word and as a text;
 *   - proto_json_string() writes one valid JSON string: quoted, valid
 *     UTF-8, no raw control byte, only JSON's escapes.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "control_proto.h"
#include "fuzz.h"

static const char *const kind_names[] = {
	[PK_ROW] = "row", [PK_OUT] = "out", [PK_ERR] = "err", [PK_OK] = "ok",
	[PK_FAIL] = "fail", [PK_ERROR] = "error", [PK_USAGE] = "usage",
};

/* ---- requests ---------------------------------------------------------- */

static void check_request_roundtrip(const struct proto_request *req)
{
	struct pbuf b = { 0 };
	if (proto_request(&b, req->cmd, req->args, req->nargs) < 0) {
		CHECK(b.len == 0);
		pbuf_free(&b);
		return; /* escaping made it too long: refused, fine */
	}
	CHECK(b.len >= 1 && b.len <= PROTO_MAX_REQUEST && b.data[b.len - 1] == '\n');
	CHECK(!memchr(b.data, '\n', b.len - 1));
	b.data[--b.len] = '\0';

	struct proto_request again;
	char err[256];
	CHECK(proto_parse_request(b.data, b.len, &again, err, sizeof err) == 0);
	CHECK(again.version == PROTO_VERSION);
	CHECK(!strcmp(again.cmd, req->cmd));
	CHECK(again.nargs == req->nargs);
	for (size_t i = 0; i < req->nargs; i++)
		CHECK(!strcmp(again.args[i], req->args[i]));
	pbuf_free(&b);
}

static void fuzz_request(const uint8_t *data, size_t size)
{
	size_t n = size < PROTO_MAX_REQUEST ? size : PROTO_MAX_REQUEST;
	const uint8_t *nl = memchr(data, '\n', n);
	size_t len;

	if (nl)
		len = (size_t)(nl - data);
	else if (n == PROTO_MAX_REQUEST)
		return; /* "request too long": never parsed */
	else
		len = n; /* EOF without LF */

	char *line = fuzz_strndup(data, len);
	struct proto_request req;
	char err[256];
	memset(err, 0x5a, sizeof err);
	if (proto_parse_request(line, len, &req, err, sizeof err) == 0) {
		CHECK(req.version >= PROTO_MIN_VERSION && req.version <= PROTO_VERSION);
		CHECK(req.cmd && *req.cmd);
		CHECK(req.cmd >= line && req.cmd < line + len);
		CHECK(req.nargs <= PROTO_MAX_ARGS);
		for (size_t i = 0; i < req.nargs; i++) {
			CHECK(req.args[i] && *req.args[i]);
			CHECK(req.args[i] > req.cmd && req.args[i] < line + len);
			CHECK(req.args[i] + strlen(req.args[i]) <= line + len);
		}
		check_request_roundtrip(&req);
	} else {
		size_t el = strnlen(err, sizeof err);
		CHECK(el > 0 && el < sizeof err);
		CHECK(!strchr(err, '\n'));
	}
	free(line);
}

/* ---- replies ----------------------------------------------------------- */

static void check_reply_roundtrip(const struct proto_reply *r)
{
	struct pbuf b = { 0 };
	char *text = NULL;

	if (r->kind == PK_ROW) {
		proto_row_begin(&b);
		for (size_t i = 0; i < r->nfields; i++)
			proto_row_field(&b, r->keys[i], r->values[i]);
		proto_row_end(&b);
	} else {
		/* proto_line drops one trailing newline of the text */
		text = strdup(r->text);
		CHECK(text);
		size_t tl = strlen(text);
		if (tl && text[tl - 1] == '\n')
			text[tl - 1] = '\0';
		proto_line(&b, kind_names[r->kind], r->text);
	}
	CHECK(b.len >= 1 && b.data[b.len - 1] == '\n');

	/* parse the lines back; out and err may have become several */
	struct pbuf joined = { 0 };
	size_t lines = 0;
	for (char *p = b.data; p < b.data + b.len;) {
		char *e = memchr(p, '\n', (size_t)(b.data + b.len - p));
		CHECK(e);
		*e = '\0';
		struct proto_reply again;
		CHECK(proto_parse_reply(p, (size_t)(e - p), &again) == 0);
		CHECK(again.kind == r->kind);
		if (r->kind == PK_ROW) {
			CHECK(again.nfields == r->nfields);
			for (size_t i = 0; i < r->nfields; i++) {
				CHECK(!strcmp(again.keys[i], r->keys[i]));
				CHECK(!strcmp(again.values[i], r->values[i]));
			}
		} else {
			if (lines)
				pbuf_add(&joined, "\n", 1);
			pbuf_addstr(&joined, again.text);
		}
		lines++;
		p = e + 1;
	}
	if (r->kind == PK_ROW)
		CHECK(lines == 1);
	else if (proto_final(r->kind))
		CHECK(lines == 1 && !strcmp(joined.data ? joined.data : "", text));
	else
		CHECK(!strcmp(joined.data ? joined.data : "", text));
	free(text);
	pbuf_free(&joined);
	pbuf_free(&b);
}

static void fuzz_reply(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t len = nl ? (size_t)(nl - data) : size;
	char *line = fuzz_strndup(data, len);
	struct proto_reply r;

	if (proto_parse_reply(line, len, &r) == 0) {
		CHECK(r.kind >= PK_ROW && r.kind <= PK_USAGE);
		CHECK(r.text);
		CHECK(r.nfields <= PROTO_MAX_FIELDS);
		CHECK(r.kind == PK_ROW || r.nfields == 0);
		for (size_t i = 0; i < r.nfields; i++) {
			CHECK(r.keys[i] && *r.keys[i] && r.values[i]);
			/* the first field of a key is the one proto_field finds */
			const char *v = proto_field(&r, r.keys[i]);
			size_t first = 0;
			while (strcmp(r.keys[first], r.keys[i]))
				first++;
			CHECK(v == r.values[first]);
		}
		CHECK(proto_final(r.kind) == (r.kind >= PK_OK));
		check_reply_roundtrip(&r);
	}
	free(line);
}

/* ---- escaping and JSON --------------------------------------------------- */

static void fuzz_escape(const uint8_t *data, size_t size)
{
	if (memchr(data, '\0', size))
		return;
	for (int word = 0; word < 2; word++) {
		struct pbuf b = { 0 };
		proto_escape(&b, (const char *)data, size, word);
		if (!b.data) {
			CHECK(size == 0);
			continue;
		}
		for (size_t i = 0; i < b.len; i++) {
			unsigned char c = (unsigned char)b.data[i];
			CHECK(c >= 0x20 && c != 0x7f);
			if (word)
				CHECK(c != ' ' && c != '=');
		}
		long n = proto_unescape(b.data);
		CHECK(n == (long)size && !memcmp(b.data, data, size));
		pbuf_free(&b);
	}
}

static void fuzz_unescape(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t n = nul ? (size_t)(nul - data) : size;
	char *s = fuzz_strndup(data, n);
	long r = proto_unescape(s);
	if (r >= 0)
		CHECK((size_t)r <= n && strlen(s) == (size_t)r);
	free(s);
}

/* Length of the UTF-8 sequence at s (n bytes left), 0 when invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	size_t len;
	uint32_t cp;
	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0)
		len = 2, cp = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		len = 3, cp = s[0] & 0x0f;
	else if ((s[0] & 0xf8) == 0xf0)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	static const uint32_t min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	if (cp < min[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static void check_json_string(const char *j, size_t len)
{
	const unsigned char *s = (const unsigned char *)j;
	CHECK(len >= 2 && s[0] == '"' && s[len - 1] == '"');
	CHECK(strlen(j) == len);
	for (size_t i = 1; i < len - 1;) {
		unsigned char c = s[i];
		CHECK(c >= 0x20 && c != '"');
		if (c == '\\') {
			CHECK(i + 1 < len - 1);
			char e = (char)s[i + 1];
			if (e == 'u') {
				CHECK(i + 5 < len - 1);
				for (int k = 2; k < 6; k++)
					CHECK(is_hex((char)s[i + k]));
				i += 6;
			} else {
				CHECK(strchr("\"\\/bfnrt", e) && e);
				i += 2;
			}
			continue;
		}
		size_t l = utf8_seq(s + i, len - 1 - i);
		CHECK(l > 0);
		i += l;
	}
}

static void fuzz_json(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t n = nul ? (size_t)(nul - data) : size;
	char *s = fuzz_strndup(data, n);
	struct pbuf b = { 0 };
	proto_json_string(&b, s);
	CHECK(b.data);
	check_json_string(b.data, b.len);
	pbuf_free(&b);
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_request(data, size);
	fuzz_reply(data, size);
	fuzz_escape(data, size);
	fuzz_unescape(data, size);
	fuzz_json(data, size);
	return 0;
}
