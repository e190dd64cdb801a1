/* The daemon's own messages: levels, the threshold, ": strerror" for the
 * _errno variants; to stderr, or to the output's stderr sink once it is set.
 */
#include "log.h"

#include "logfmt.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum log_level log_threshold = LOG_INFO;
void (*log_sink)(enum log_level level, const char *line, size_t len);
bool log_json;

void log_msg(enum log_level level, int errnum, const char *fmt, ...)
{
	char buf[2048];
	int n, saved = errno;
	va_list ap;

	if (level > log_threshold)
		return;
	/* the sink adds its own "muster | " column and the level's word; fd 2
	 * gets "muster: error: " (or a JSON line) */
	bool plain = !log_sink && !log_json;
	n = snprintf(buf, sizeof buf, "%s%s", plain ? "muster: " : "",
		     !plain ? "" : level == LOG_ERROR ? "error: " : level == LOG_WARNING ? "warning: " : "");
	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof buf - (size_t)n, fmt, ap);
	va_end(ap);
	if (errnum && n < (int)sizeof buf)
		n += snprintf(buf + n, sizeof buf - (size_t)n, ": %s", strerror(errnum));
	if (n >= (int)sizeof buf - 1)
		n = (int)sizeof buf - 2;
	if (log_sink) {
		log_sink(level, buf, (size_t)n);
	} else if (log_json) {
		struct pbuf b = { 0 };
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		logfmt_json_line(&b, (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec, "muster", 2,
				 (int)level, false, buf, (size_t)n);
		ssize_t w = write(STDERR_FILENO, b.data, b.len);
		(void)w;
		pbuf_free(&b);
	} else {
		buf[n++] = '\n';
		ssize_t w = write(STDERR_FILENO, buf, (size_t)n);
		(void)w;
	}
	errno = saved;
}
