/* The control protocol, shared by the daemon (control.c, commands.c) and
 * musterctl.
 *
 * One request per connection, one line of text each way per item, so that
 * `socat - UNIX-CONNECT:/run/muster.sock` is a usable debugger:
 *
 *   request = "muster" SP version SP command *(SP word) LF
 *   reply   = *(data LF) final LF, then the daemon closes
 *   data    = "row" *(SP key "=" word)     a record (status, timeline, graph)
 *           | "out" [SP text]              a line for the client's stdout
 *           | "err" [SP text]              a line for the client's stderr
 *   final   = "ok" [SP text]               done                    (exit 0)
 *           | "fail" SP text               the daemon said no      (exit 1)
 *           | "error" SP text              a bad request           (exit 1)
 *           | "usage" SP text              a bad argument          (exit 2)
 *           | "timeout" SP text            a wait's --timeout passed; the
 *                                          service carries on      (exit 124)
 *
 * A word or a text is percent-encoded: '%', control bytes (0x00-0x1f,
 * 0x7f) and, in words only, space and '=' are written %XX.  Every other
 * byte, UTF-8 included, goes as is.  %00 never decodes (no embedded NUL).
 *
 * Versioning: the daemon answers versions PROTO_MIN_VERSION..PROTO_VERSION
 * and anything else with an `error` line that says which versions it
 * speaks.  The final kinds ok, fail, usage and error are frozen across
 * versions, so any musterctl can print why a daemon refused it; "timeout"
 * came with version 2, and a version 1 client is answered "fail" instead.
 *
 * Version 2: start, stop and restart wait for the outcome (their options
 * block=no and timeout=D), signal NAME SIGNAL, reload NAME..., and the
 * final kind timeout.
 *
 * Limits: a request is at most PROTO_MAX_REQUEST bytes with its LF and at
 * most PROTO_MAX_ARGS words; a client reads reply lines of at most
 * PROTO_MAX_REPLY_LINE bytes and rows of at most PROTO_MAX_FIELDS fields.
 */
#ifndef MUSTER_CONTROL_PROTO_H
#define MUSTER_CONTROL_PROTO_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#define PROTO_MAGIC "muster"
#define PROTO_VERSION 2
#define PROTO_MIN_VERSION 1
#define PROTO_MAX_REQUEST 4096
#define PROTO_MAX_ARGS 256
#define PROTO_MAX_REPLY_LINE (1024 * 1024)
#define PROTO_MAX_FIELDS 32

/* A growable byte buffer; data is always NUL-terminated once non-empty.
 * Allocation failure aborts: a control reply is never worth a half state. */
struct pbuf {
	char *data;
	size_t len, cap;
};

void pbuf_add(struct pbuf *b, const void *p, size_t n);
void pbuf_addstr(struct pbuf *b, const char *s);
void pbuf_printf(struct pbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void pbuf_vprintf(struct pbuf *b, const char *fmt, va_list ap);
/* Drop the first n bytes. */
void pbuf_consume(struct pbuf *b, size_t n);
void pbuf_free(struct pbuf *b);

/* ---- encoding ---------------------------------------------------------- */

/* Append s[0..len) percent-encoded: as a word (space and '=' escaped too)
 * or as a text. */
void proto_escape(struct pbuf *b, const char *s, size_t len, bool word);

/* Decode %XX escapes of the NUL-terminated s in place.  Returns the new
 * length, or -1 on a malformed escape or %00 (s is then unspecified). */
long proto_unescape(char *s);

/* Append a whole request line.  -1 (b unchanged) when it would pass
 * PROTO_MAX_REQUEST or PROTO_MAX_ARGS. */
int proto_request(struct pbuf *b, const char *cmd, char *const *args, size_t nargs);

/* Append a reply line "KIND TEXT\n" (TEXT may be NULL).  For out and err,
 * each line of a multi-line TEXT becomes a line of its own; a final kind
 * keeps one line (its newlines travel escaped). */
void proto_line(struct pbuf *b, const char *kind, const char *text);

/* A row, written field by field: row_begin, row_field..., row_end. */
void proto_row_begin(struct pbuf *b);
void proto_row_field(struct pbuf *b, const char *key, const char *value);
void proto_row_fieldf(struct pbuf *b, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void proto_row_end(struct pbuf *b);

/* ---- decoding ---------------------------------------------------------- */

struct proto_request {
	int version;
	char *cmd;
	char *args[PROTO_MAX_ARGS];
	size_t nargs;
};

/* Parse a request line of len bytes (without its LF, NUL-terminated at
 * len), decoding it in place; the request's strings point into line.  0,
 * or -1 with a one-line reason in err (a version mismatch says which
 * versions this side speaks). */
int proto_parse_request(char *line, size_t len, struct proto_request *req, char *err,
			size_t errlen);

enum proto_kind {
	PK_ROW, PK_OUT, PK_ERR,                 /* data */
	PK_OK, PK_FAIL, PK_ERROR, PK_USAGE,     /* final */
	PK_TIMEOUT,                             /* final, version 2 */
};

struct proto_reply {
	enum proto_kind kind;
	char *text;                     /* out, err and finals; "" when none */
	const char *keys[PROTO_MAX_FIELDS];
	const char *values[PROTO_MAX_FIELDS];
	size_t nfields;
};

/* Parse a reply line of len bytes (without its LF, NUL-terminated at len)
 * in place.  0, or -1 when it is not a line of this protocol. */
int proto_parse_reply(char *line, size_t len, struct proto_reply *r);

/* true for ok, fail, error, usage and timeout: the last line of a reply. */
bool proto_final(enum proto_kind k);

/* The value of a row's field, or NULL. */
const char *proto_field(const struct proto_reply *r, const char *key);

/* ---- shared helpers ------------------------------------------------------ */

/* Append s as a JSON string, quotes included.  Invalid UTF-8 bytes become
 * U+FFFD, so the output is always valid JSON. */
void proto_json_string(struct pbuf *b, const char *s);

/* The socket path when none is configured: $MUSTER_SOCKET, else
 * /run/muster.sock for root, $XDG_RUNTIME_DIR/muster.sock otherwise, and
 * /tmp/muster-UID.sock without XDG_RUNTIME_DIR.  configured (when set and
 * not empty) wins.  malloc'd. */
char *proto_socket_path(const char *configured);

#endif
