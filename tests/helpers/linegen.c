/* linegen: write numbered, self-checking lines as fast as possible (or
 * slowly), for the output tests.  Run the same command line outside muster
 * to get the exact bytes a service wrote (the generator is its own oracle).
 *
 *   linegen [-n LINES] [-l LEN] [-t TAG] [-e K | -E] [-b] [-p TEXT]
 *           [-d USEC] [-s BUFSIZE] [-T FILE] [-H]
 *
 *   -n LINES  how many lines (default 1000)
 *   -l LEN    bytes per line, newline excluded (default 80; at least the
 *             "TAG SEQ " head, which is always written whole)
 *   -t TAG    first word of each line (default "x")
 *   -e K      every K-th line (seq % K == K - 1) goes to stderr
 *   -E        every line goes to stderr
 *   -b        binary filler: every byte value but '\n' (NUL, invalid UTF-8)
 *   -p TEXT   after the lines, TEXT on stdout without a newline
 *   -d USEC   sleep USEC microseconds after each line (and flush it)
 *   -s SIZE   stdio buffer size (default 65536: lines get split across
 *             writes, as with any fully buffered writer)
 *   -T FILE   at the end write "START END" (CLOCK_REALTIME, seconds) to FILE
 *   -H        when done, stay alive (until a signal) instead of exiting
 *
 * Line SEQ (from 0) is "TAG SEQ " followed by filler: byte i of the line
 * (counting from its start) is 'a' + (SEQ + i) % 26, or with -b
 * (SEQ * 131 + i) & 255 with '\n' replaced by NUL.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(void)
{
	fprintf(stderr, "usage: linegen [-n LINES] [-l LEN] [-t TAG] [-e K | -E] [-b] [-p TEXT]"
			" [-d USEC] [-s BUFSIZE] [-T FILE] [-H]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	long lines = 1000, len = 80, every = 0, delay = 0, bufsize = 65536;
	const char *tag = "x", *partial = NULL, *timefile = NULL;
	int all_err = 0, binary = 0, hold = 0, c;

	while ((c = getopt(argc, argv, "n:l:t:e:Ebp:d:s:T:H")) != -1) {
		switch (c) {
		case 'n': lines = atol(optarg); break;
		case 'l': len = atol(optarg); break;
		case 't': tag = optarg; break;
		case 'e': every = atol(optarg); break;
		case 'E': all_err = 1; break;
		case 'b': binary = 1; break;
		case 'p': partial = optarg; break;
		case 'd': delay = atol(optarg); break;
		case 's': bufsize = atol(optarg); break;
		case 'T': timefile = optarg; break;
		case 'H': hold = 1; break;
		default: usage();
		}
	}
	if (optind != argc || lines < 0 || len < 0 || bufsize < 1)
		usage();

	signal(SIGPIPE, SIG_DFL);
	char *obuf = malloc((size_t)bufsize), *ebuf = malloc((size_t)bufsize);
	char *line = malloc((size_t)len + 64);
	if (!obuf || !ebuf || !line) {
		perror("linegen: malloc");
		return 1;
	}
	setvbuf(stdout, obuf, _IOFBF, (size_t)bufsize);
	setvbuf(stderr, ebuf, _IOFBF, (size_t)bufsize);

	double t0 = now();
	for (long seq = 0; seq < lines; seq++) {
		int h = snprintf(line, 64, "%s %ld ", tag, seq);
		long n = len > h ? len : h;
		for (long i = h; i < n; i++) {
			if (binary) {
				unsigned char b = (unsigned char)((seq * 131 + i) & 255);
				line[i] = (char)(b == '\n' ? 0 : b);
			} else {
				line[i] = (char)('a' + (seq + i) % 26);
			}
		}
		line[n] = '\n';
		FILE *f = all_err || (every > 0 && seq % every == every - 1) ? stderr : stdout;
		if (fwrite(line, 1, (size_t)n + 1, f) != (size_t)n + 1) {
			perror("linegen: write");
			return 1;
		}
		if (delay) {
			fflush(f);
			usleep((useconds_t)delay);
		}
	}
	if (partial)
		fputs(partial, stdout);
	if (fflush(stdout) || fflush(stderr)) {
		perror("linegen: flush");
		return 1;
	}
	double t1 = now();
	if (timefile) {
		FILE *f = fopen(timefile, "w");
		if (!f || fprintf(f, "%.6f %.6f\n", t0, t1) < 0 || fclose(f)) {
			perror(timefile);
			return 1;
		}
	}
	if (hold) {
		/* the output is finished: close it so that muster sees EOF */
		fclose(stdout);
		fclose(stderr);
		for (;;)
			pause();
	}
	return 0;
}
