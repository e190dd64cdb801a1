/* slowread: a slow reader of its stdin, for the follower tests.
 *
 *   slowread OUT BYTES USEC [FAST]
 *
 * Reads at most BYTES from stdin every USEC microseconds and appends them
 * to OUT, until EOF; once the file FAST exists, reads as fast as it can.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: slowread OUT BYTES USEC [FAST]\n");
		return 2;
	}
	int out = open(argv[1], O_WRONLY | O_CREAT | O_APPEND, 0644);
	size_t chunk = (size_t)atol(argv[2]);
	useconds_t pause = (useconds_t)atol(argv[3]);
	const char *fast = argc > 4 ? argv[4] : NULL;
	static char buf[1 << 16];
	if (out < 0 || chunk == 0 || chunk > sizeof buf) {
		perror(argv[1]);
		return 1;
	}
	for (;;) {
		int quick = fast && access(fast, F_OK) == 0;
		ssize_t n = read(0, buf, quick ? sizeof buf : chunk);
		if (n <= 0)
			return n < 0;
		if (write(out, buf, (size_t)n) != n)
			return 1;
		if (!quick)
			usleep(pause);
	}
}
