/* How muster writes a line: the stamp of log-timestamps, RFC 3339 times,
 * and the JSON object of log-format = json.  Pure (no state but a cache
 * of the last second formatted).
 *
 * A JSON line is one object and a newline:
 *   {"time":"2024-05-01T12:00:00.123456Z","service":"web","stream":"stdout","line":"..."}
 * with "level" before "line" for muster's own lines ("service":"muster"),
 * and "partial":true on every piece of a line longer than 64 KiB but its
 * last.  Strings are escaped so that the object is always valid JSON in
 * UTF-8: quotes, backslashes and every control character (U+0000 to
 * U+001F, and DEL) are escaped; a byte that is not part of valid UTF-8
 * (overlong forms, surrogates and code points past U+10FFFF included)
 * becomes U+FFFD.
 */
#ifndef MUSTER_LOGFMT_H
#define MUSTER_LOGFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "control_proto.h"

/* "debug", "info", "warning", "error" for enum log_level; NULL else. */
const char *logfmt_level_name(int level);

/* s[0..len) as a JSON string, quotes included. */
void logfmt_json_string(struct pbuf *b, const char *s, size_t len);

/* One JSON line (level < 0: none; stream 1 stdout, 2 stderr). */
void logfmt_json_line(struct pbuf *b, int64_t time_ns, const char *service, int stream,
		      int level, bool partial, const char *text, size_t len);

/* "2024-05-01T12:00:00.123456Z" (UTC); returns the length (buf: 32). */
size_t logfmt_time_utc(char *buf, size_t len, int64_t time_ns);

/* log-timestamps' stamp, local time: "2024-05-01T14:00:00.123+02:00 "
 * (with the space); returns the length (buf: 40). */
size_t logfmt_stamp(char *buf, size_t len, int64_t time_ns);

#endif
