/* The control protocol: encoding and decoding of requests and replies,
 * shared by the daemon and musterctl.  Pure but for malloc (and getenv in
 * proto_socket_path); the grammar is in control_proto.h. */
#include "control_proto.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "version.h"

/* ---- buffers --------------------------------------------------------------- */

static void reserve(struct pbuf *b, size_t more)
{
	if (b->len + more + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + more + 1)
		cap *= 2;
	char *d = realloc(b->data, cap);
	if (!d) {
		static const char msg[] = "out of memory\n";
		ssize_t w = write(2, msg, sizeof msg - 1);
		(void)w;
		abort();
	}
	b->data = d;
	b->cap = cap;
}

void pbuf_add(struct pbuf *b, const void *p, size_t n)
{
	reserve(b, n);
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void pbuf_addstr(struct pbuf *b, const char *s)
{
	pbuf_add(b, s, strlen(s));
}

void pbuf_vprintf(struct pbuf *b, const char *fmt, va_list ap)
{
	va_list aq;
	va_copy(aq, ap);
	int n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n <= 0)
		return;
	reserve(b, (size_t)n);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void pbuf_printf(struct pbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	pbuf_vprintf(b, fmt, ap);
	va_end(ap);
}

void pbuf_consume(struct pbuf *b, size_t n)
{
	if (n >= b->len) {
		b->len = 0;
	} else {
		memmove(b->data, b->data + n, b->len - n);
		b->len -= n;
	}
	if (b->data)
		b->data[b->len] = '\0';
}

void pbuf_free(struct pbuf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

/* ---- encoding ---------------------------------------------------------------- */

static bool must_escape(unsigned char c, bool word)
{
	return c < 0x20 || c == 0x7f || c == '%' || (word && (c == ' ' || c == '='));
}

void proto_escape(struct pbuf *b, const char *s, size_t len, bool word)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t start = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!must_escape(c, word))
			continue;
		pbuf_add(b, s + start, i - start);
		char e[3] = { '%', hex[c >> 4], hex[c & 15] };
		pbuf_add(b, e, 3);
		start = i + 1;
	}
	pbuf_add(b, s + start, len - start);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

long proto_unescape(char *s)
{
	char *w = s;
	for (const char *r = s; *r; r++) {
		if (*r != '%') {
			*w++ = *r;
			continue;
		}
		int hi = hexval(r[1]), lo = hi < 0 ? -1 : hexval(r[2]);
		if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
			return -1;
		*w++ = (char)(hi << 4 | lo);
		r += 2;
	}
	*w = '\0';
	return w - s;
}

int proto_request(struct pbuf *b, const char *cmd, char *const *args, size_t nargs)
{
	struct pbuf line = { 0 };

	if (nargs > PROTO_MAX_ARGS)
		return -1;
	pbuf_printf(&line, "%s %d ", PROTO_MAGIC, PROTO_VERSION);
	proto_escape(&line, cmd, strlen(cmd), true);
	for (size_t i = 0; i < nargs; i++) {
		pbuf_add(&line, " ", 1);
		proto_escape(&line, args[i], strlen(args[i]), true);
	}
	pbuf_add(&line, "\n", 1);
	if (line.len > PROTO_MAX_REQUEST) {
		pbuf_free(&line);
		return -1;
	}
	pbuf_add(b, line.data, line.len);
	pbuf_free(&line);
	return 0;
}

static bool is_data_kind(const char *kind)
{
	return !strcmp(kind, "out") || !strcmp(kind, "err");
}

void proto_line(struct pbuf *b, const char *kind, const char *text)
{
	if (!text || !*text) {
		pbuf_addstr(b, kind);
		pbuf_add(b, "\n", 1);
		return;
	}
	size_t len = strlen(text);
	if (len && text[len - 1] == '\n')
		len--;
	if (!is_data_kind(kind)) {
		pbuf_addstr(b, kind);
		pbuf_add(b, " ", 1);
		proto_escape(b, text, len, false);
		pbuf_add(b, "\n", 1);
		return;
	}
	const char *p = text, *end = text + len;
	for (;;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;
		pbuf_addstr(b, kind);
		if (e > p) {
			pbuf_add(b, " ", 1);
			proto_escape(b, p, (size_t)(e - p), false);
		}
		pbuf_add(b, "\n", 1);
		if (!nl)
			break;
		p = nl + 1;
	}
}

void proto_row_begin(struct pbuf *b)
{
	pbuf_addstr(b, "row");
}

void proto_row_field(struct pbuf *b, const char *key, const char *value)
{
	if (!value)
		return;
	pbuf_add(b, " ", 1);
	proto_escape(b, key, strlen(key), true);
	pbuf_add(b, "=", 1);
	proto_escape(b, value, strlen(value), true);
}

void proto_row_fieldf(struct pbuf *b, const char *key, const char *fmt, ...)
{
	struct pbuf v = { 0 };
	va_list ap;
	va_start(ap, fmt);
	pbuf_vprintf(&v, fmt, ap);
	va_end(ap);
	proto_row_field(b, key, v.data ? v.data : "");
	pbuf_free(&v);
}

void proto_row_end(struct pbuf *b)
{
	pbuf_add(b, "\n", 1);
}

/* ---- decoding ---------------------------------------------------------------- */

/* Split line at blanks into words (in place); -1 past max. */
static long split(char *line, char **words, size_t max)
{
	size_t n = 0;
	char *p = line;
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			return (long)n;
		if (n == max)
			return -1;
		words[n++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		if (*p)
			*p++ = '\0';
	}
}

static bool has_control(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return true;
	}
	return false;
}

int proto_parse_request(char *line, size_t len, struct proto_request *req, char *err,
			size_t errlen)
{
	char *w[PROTO_MAX_ARGS + 3];

	memset(req, 0, sizeof *req);
	if (len && line[len - 1] == '\r')
		line[--len] = '\0'; /* a telnet-style CR LF */
	if (memchr(line, '\0', len) || has_control(line, len)) {
		snprintf(err, errlen, "control character in the request (escape it as %%XX)");
		return -1;
	}
	long n = split(line, w, sizeof w / sizeof w[0]);
	if (n < 0) {
		snprintf(err, errlen, "too many arguments (the limit is %d)", PROTO_MAX_ARGS);
		return -1;
	}
	if (n < 2 || strcmp(w[0], PROTO_MAGIC)) {
		snprintf(err, errlen, "not a muster request (expected \"%s %d COMMAND [ARG...]\")",
			 PROTO_MAGIC, PROTO_VERSION);
		return -1;
	}
	const char *v = w[1];
	size_t vl = strspn(v, "0123456789");
	if (vl == 0 || vl > 6 || v[vl]) {
		snprintf(err, errlen, "bad protocol version '%.20s' (expected a number)", v);
		return -1;
	}
	req->version = atoi(v);
	if (req->version < PROTO_MIN_VERSION || req->version > PROTO_VERSION) {
		if (PROTO_MIN_VERSION == PROTO_VERSION)
			snprintf(err, errlen,
				 "protocol version %d is not supported: this muster (%s) speaks "
				 "version %d; use the musterctl that came with it",
				 req->version, MUSTER_VERSION, PROTO_VERSION);
		else
			snprintf(err, errlen,
				 "protocol version %d is not supported: this muster (%s) speaks "
				 "versions %d to %d; use the musterctl that came with it",
				 req->version, MUSTER_VERSION, PROTO_MIN_VERSION, PROTO_VERSION);
		return -1;
	}
	if (n < 3) {
		snprintf(err, errlen, "no command in the request");
		return -1;
	}
	for (long i = 2; i < n; i++)
		if (proto_unescape(w[i]) < 0) {
			snprintf(err, errlen, "bad %%-escape in the request");
			return -1;
		}
	req->cmd = w[2];
	req->nargs = (size_t)(n - 3);
	for (size_t i = 0; i < req->nargs; i++)
		req->args[i] = w[i + 3];
	return 0;
}

static const struct {
	const char *name;
	enum proto_kind kind;
} kinds[] = {
	{ "row", PK_ROW },   { "out", PK_OUT },   { "err", PK_ERR },     { "ok", PK_OK },
	{ "fail", PK_FAIL }, { "error", PK_ERROR }, { "usage", PK_USAGE },
	{ "timeout", PK_TIMEOUT },
};

int proto_parse_reply(char *line, size_t len, struct proto_reply *r)
{
	memset(r, 0, sizeof *r);
	r->text = line + len; /* "" */
	if (memchr(line, '\0', len) || has_control(line, len))
		return -1;
	size_t kl = strcspn(line, " ");
	size_t k;
	for (k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
		if (strlen(kinds[k].name) == kl && !strncmp(line, kinds[k].name, kl))
			break;
	if (k == sizeof kinds / sizeof kinds[0])
		return -1;
	r->kind = kinds[k].kind;
	char *rest = line[kl] ? line + kl + 1 : line + kl;
	line[kl] = '\0';
	if (r->kind != PK_ROW) {
		if (proto_unescape(rest) < 0)
			return -1;
		r->text = rest;
		return 0;
	}
	char *w[PROTO_MAX_FIELDS];
	long n = split(rest, w, PROTO_MAX_FIELDS);
	if (n < 0)
		return -1;
	for (long i = 0; i < n; i++) {
		char *eq = strchr(w[i], '=');
		if (!eq || eq == w[i])
			return -1;
		*eq = '\0';
		if (proto_unescape(w[i]) < 0 || proto_unescape(eq + 1) < 0)
			return -1;
		r->keys[i] = w[i];
		r->values[i] = eq + 1;
	}
	r->nfields = (size_t)n;
	return 0;
}

bool proto_final(enum proto_kind k)
{
	return k == PK_OK || k == PK_FAIL || k == PK_ERROR || k == PK_USAGE || k == PK_TIMEOUT;
}

const char *proto_field(const struct proto_reply *r, const char *key)
{
	for (size_t i = 0; i < r->nfields; i++)
		if (!strcmp(r->keys[i], key))
			return r->values[i];
	return NULL;
}

/* ---- shared helpers ---------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at s (of at most n bytes), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	uint32_t cp;
	size_t len;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
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
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0; /* overlong, out of range, or a surrogate */
	return len;
}

void proto_json_string(struct pbuf *b, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n = strlen(str);

	pbuf_add(b, "\"", 1);
	for (size_t i = 0; i < n;) {
		unsigned char c = s[i];
		if (c == '"' || c == '\\') {
			char e[2] = { '\\', (char)c };
			pbuf_add(b, e, 2);
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			switch (c) {
			case '\n': pbuf_addstr(b, "\\n"); break;
			case '\t': pbuf_addstr(b, "\\t"); break;
			case '\r': pbuf_addstr(b, "\\r"); break;
			case '\b': pbuf_addstr(b, "\\b"); break;
			case '\f': pbuf_addstr(b, "\\f"); break;
			default: pbuf_printf(b, "\\u%04x", c); break;
			}
			i++;
		} else {
			size_t l = utf8_len(s + i, n - i);
			if (l == 0) {
				pbuf_addstr(b, "\\ufffd");
				i++;
			} else {
				pbuf_add(b, s + i, l);
				i += l;
			}
		}
	}
	pbuf_add(b, "\"", 1);
}

char *proto_socket_path(const char *configured)
{
	const char *env = getenv("MUSTER_SOCKET");
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	char *p = NULL;
	int r;

	if (configured && *configured)
		return strdup(configured);
	if (env && *env)
		return strdup(env);
	if (geteuid() == 0)
		return strdup("/run/muster.sock");
	if (xdg && *xdg == '/')
		r = asprintf(&p, "%s/muster.sock", xdg);
	else
		r = asprintf(&p, "/tmp/muster-%u.sock", (unsigned)geteuid());
	return r < 0 ? NULL : p;
}
