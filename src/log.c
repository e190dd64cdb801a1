/* The daemon's own messages: levels, the threshold, ": strerror" for the
 * _errno variants; to stderr, or to the output's stderr sink once it is set.
 */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

enum log_level log_threshold = LOG_INFO;
void (*log_sink)(const char *line, size_t len);

void log_msg(enum log_level level, int errnum, const char *fmt, ...)
{
	char buf[2048];
	int n, saved = errno;
	va_list ap;

	if (level > log_threshold)
		return;
	/* the sink adds its own "muster | " column; fd 2 gets "muster: " */
	n = snprintf(buf, sizeof buf, "%s%s", log_sink ? "" : "muster: ",
		     level == LOG_ERROR ? "error: " : level == LOG_WARNING ? "warning: " : "");
	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof buf - (size_t)n, fmt, ap);
	va_end(ap);
	if (errnum && n < (int)sizeof buf)
		n += snprintf(buf + n, sizeof buf - (size_t)n, ": %s", strerror(errnum));
	if (n >= (int)sizeof buf - 1)
		n = (int)sizeof buf - 2;
	if (log_sink) {
		log_sink(buf, (size_t)n);
	} else {
		buf[n++] = '\n';
		ssize_t w = write(STDERR_FILENO, buf, (size_t)n);
		(void)w;
	}
	errno = saved;
}
