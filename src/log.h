/* The daemon's own messages: one line each on stderr, "muster: ..." --
 * or, once the output layout is set up, "muster | ..." in the same padded
 * column as the services' names.
 *
 * log_warn() and log_error() have _errno variants that append ": strerror".
 * Once output_init() has run, lines go through the stderr sink so that they
 * never interleave with children's lines and never block the loop.
 */
#ifndef MUSTER_LOG_H
#define MUSTER_LOG_H

#include "config.h"

extern enum log_level log_threshold;

/* Where messages go (without newline, "muster" or the "error: " of their
 * level); NULL: straight to fd 2 as "muster: error: message", or as a
 * JSON line when log_json is set. */
extern void (*log_sink)(enum log_level level, const char *line, size_t len);
extern bool log_json;

void log_msg(enum log_level level, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define log_error(...) log_msg(LOG_ERROR, 0, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARNING, 0, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, 0, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, 0, __VA_ARGS__)
#define log_error_errno(...) log_msg(LOG_ERROR, errno, __VA_ARGS__)
#define log_warn_errno(...) log_msg(LOG_WARNING, errno, __VA_ARGS__)

#endif
