/* Fuzz target: notify_parse(), the sd_notify datagram parser.
 *
 * The input is one datagram, handed over as notify.c's receiver hands it:
 * a buffer of exactly the datagram's length, with no terminating NUL (so
 * ASan sees any read past it).  Checked beyond memory safety and UB:
 *   - the result is -1 or the number of fields understood, at least the
 *     number of flags set, and -1 leaves no flag set;
 *   - STATUS= is NUL-terminated within NOTIFY_STATUS_MAX and is a prefix of
 *     the field's value; MAINPID= and ERRNO= are in range.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "notify.h"

/* The value of the last "KEY=" line of buf, by a plain reading of the
 * format, or NULL. */
static const char *last_value(const char *buf, size_t len, const char *key, size_t *vlen)
{
	const char *found = NULL;
	size_t k = strlen(key);
	for (size_t pos = 0; pos < len;) {
		const char *line = buf + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - line) : len - pos;
		if (n > k && !memcmp(line, key, k) && line[k] == '=') {
			found = line + k + 1;
			*vlen = n - k - 1;
		}
		pos += n + (nl != NULL);
	}
	return found;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size ? size : 1);
	CHECK(buf);
	memcpy(buf, data, size);

	struct notify_msg m;
	memset(&m, 0xa5, sizeof m);
	int r = notify_parse(buf, size, &m);

	CHECK(r >= -1);
	int flags = m.ready + m.stopping + m.reloading + m.watchdog + m.barrier + m.has_status +
		    m.has_mainpid + m.has_errno;
	if (r < 0)
		CHECK(flags == 0);
	else
		CHECK(r >= flags);
	CHECK(m.unknown >= 0);
	if (m.has_status) {
		size_t sl = strnlen(m.status, sizeof m.status);
		CHECK(sl < sizeof m.status);
		size_t vl = 0;
		const char *v = last_value(buf, size, "STATUS", &vl);
		CHECK(v);
		CHECK(sl == (vl < sizeof m.status ? vl : sizeof m.status - 1));
		CHECK(!memcmp(m.status, v, sl));
	}
	if (m.has_mainpid)
		CHECK(m.mainpid >= 1);
	if (m.has_errno)
		CHECK(m.errnum >= 0 && m.errnum <= 4095);
	if (size == 0 || memchr(buf, '\0', size))
		CHECK(r == -1);
	free(buf);
	return 0;
}
