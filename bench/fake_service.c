/* fake_service: the service every supervisor in the benchmark runs.
 *
 *   fake_service [-p FIFO] [-t TAG] [-d MS] [-f FD] [-x CODE] [-T] [-S]
 *                [-l BYTES] [-o N -O FILE [-w MS]]
 *
 * With no option (no argument, or one that does not start with '-'), the
 * options are read from $FAKE_OPTS (split on blanks): runit's and s6's ./run
 * is then a symlink to this binary, with no shell in between.
 *
 * It reports to FIFO (the harness holds the read end) one line per event,
 * each written at once (well under PIPE_BUF, so never interleaved):
 *
 *   S PID NS   started (main() entered)            with -S
 *   R PID NS   ready
 *   W PID NS   about to write its output           with -l
 *   E PID NS   about to exit                       with -x
 *
 * NS is CLOCK_MONOTONIC in nanoseconds, the clock of the harness.
 *
 *   -d MS     become ready MS milliseconds after main() was entered
 *   -f FD     also signal readiness s6-style: write "\n" to FD, close it
 *   -x CODE   exit with CODE once ready (after its -l output), instead of
 *             waiting
 *   -T        ignore SIGTERM (a service that needs SIGKILL)
 *   -S        report the start too
 *   -l BYTES  once ready, write BYTES of 100-byte lines to stdout, the last
 *             one "BENCH-END ..." (in 64 KiB writes, as stdio would); wait
 *   -o N      fork N orphans and count the zombies they leave (run as the
 *             child of the reaper under test): a creator forks N processes
 *             that block on a pipe and exits, so they are reparented to our
 *             parent; once all are, the pipe is closed and they exit at once.
 *             -w MS (100) after none of them runs, the zombies whose parent
 *             is the reaper are counted. -O FILE gets "key value" lines.
 *   -t TAG    ignored: marks the process for the harness's final sweep
 *
 * Otherwise it waits for a signal; SIGTERM (unless -T) ends it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int report_fd = -1;

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN) {
			struct pollfd pfd = { .fd = fd, .events = POLLOUT };
			poll(&pfd, 1, 100);
			continue;
		}
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

static void report(char what, long long t)
{
	char line[64];
	if (report_fd < 0)
		return;
	int n = snprintf(line, sizeof line, "%c %ld %lld\n", what, (long)getpid(), t);
	write_all(report_fd, line, (size_t)n);
}

/* ---- orphans ------------------------------------------------------------ */

static char proc_state(pid_t pid, long *ppid)
{
	char path[64], buf[512];
	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	char *p = strrchr(buf, ')');
	char st;
	if (!p || sscanf(p + 1, " %c %ld", &st, ppid) != 2)
		return 0;
	return st;
}

static long zombies_of(long reaper)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	long z = 0, ppid;
	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] >= '1' && e->d_name[0] <= '9' &&
		    proc_state((pid_t)atol(e->d_name), &ppid) == 'Z' && ppid == reaper)
			z++;
	closedir(d);
	return z;
}

static int orphans(long n, const char *file, long wait_ms)
{
	long reaper = (long)getppid();
	FILE *out = fopen(file, "w");
	if (!out) {
		perror(file);
		return 2;
	}
	size_t size = sizeof(long) + (size_t)n * sizeof(pid_t);
	long *created = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int gate[2];
	if (created == MAP_FAILED || pipe(gate) < 0) {
		perror("fake_service: orphans");
		return 2;
	}
	pid_t *pids = (pid_t *)(created + 1);
	pid_t creator = fork();
	if (creator < 0) {
		perror("fake_service: fork");
		return 2;
	}
	if (creator == 0) {
		for (long i = 0; i < n; i++) {
			pid_t p = fork();
			if (p == 0) {
				char b;
				close(gate[1]);
				while (read(gate[0], &b, 1) < 0 && errno == EINTR)
					;
				_exit(0);
			}
			if (p < 0)
				break;
			pids[i] = p;
			*created = i + 1;
		}
		_exit(0);
	}
	close(gate[0]);
	int st;
	while (waitpid(creator, &st, 0) < 0 && errno == EINTR)
		;
	long ok = 0, ppid;
	long long deadline = now_ns() + 30000000000LL;
	for (long i = 0; i < *created; i++) {
		char s;
		while ((s = proc_state(pids[i], &ppid)) && ppid != reaper && now_ns() < deadline)
			usleep(500);
		ok += s && s != 'Z' && ppid == reaper;
	}
	long long t0 = now_ns();
	close(gate[1]); /* every orphan's read() returns 0: they all exit */
	long long t_exit = -1;
	long zombies_at_exit = -1;
	deadline = t0 + 30000000000LL;
	while (now_ns() < deadline) {
		long running = 0;
		for (long i = 0; i < *created; i++) {
			char s = proc_state(pids[i], &ppid);
			running += s && s != 'Z' && ppid == reaper;
		}
		if (running == 0) {
			t_exit = now_ns();
			zombies_at_exit = zombies_of(reaper);
			break;
		}
		usleep(1000);
	}
	long zombies = -1;
	long long reaped = -1;
	if (t_exit > 0) {
		long long until = t_exit + wait_ms * 1000000LL;
		while (now_ns() < until)
			usleep((useconds_t)((until - now_ns()) / 1000) + 1);
		zombies = zombies_of(reaper);
		if (zombies_at_exit == 0)
			reaped = t_exit - t0;
		while (reaped < 0 && now_ns() < t0 + 10000000000LL) {
			if (zombies_of(reaper) == 0) {
				reaped = now_ns() - t0;
				break;
			}
			usleep(1000);
		}
	}
	fprintf(out, "created %ld\nreparented %ld\nzombies %ld\nreaped_ms %.3f\n", *created, ok,
		zombies, reaped >= 0 ? reaped / 1e6 : -1.0);
	fclose(out);
	return *created == n && ok == n && zombies == 0 ? 0 : 1;
}

/* ---- output -------------------------------------------------------------- */

static void write_lines(long long bytes)
{
	static char buf[65536];
	const size_t len = 100;
	size_t per = sizeof buf / len, used = 0;
	long long lines = bytes / (long long)len, i;

	for (i = 0; i < lines - 1; i++) {
		if (used == per * len) {
			write_all(1, buf, used);
			used = 0;
		}
		char *l = buf + used;
		int n = snprintf(l, len, "line %012lld ", i);
		memset(l + n, 'x', len - 1 - (size_t)n);
		l[len - 1] = '\n';
		used += len;
	}
	if (used)
		write_all(1, buf, used);
	char end[128];
	int n = snprintf(end, sizeof end, "BENCH-END %lld\n", lines);
	write_all(1, end, (size_t)n);
}

/* ---- main ----------------------------------------------------------------- */

int main(int argc, char **argv)
{
	long long t_start = now_ns();
	const char *fifo = NULL, *orphan_file = NULL;
	long delay_ms = 0, norphans = 0, wait_ms = 100;
	long long out_bytes = 0;
	int ready_fd = -1, exit_code = -1, c;
	int ignore_term = 0, report_start = 0;
	char *fargv[64];

	if (getenv("FAKE_OPTS") && (argc == 1 || argv[1][0] != '-')) {
		/* ./run as a symlink to us (s6 gives it the service's name as
		 * argument): options from the environment */
		char *s = strdup(getenv("FAKE_OPTS"));
		int n = 0;
		fargv[n++] = argv[0];
		for (char *w = strtok(s, " \t"); w && n < 63; w = strtok(NULL, " \t"))
			fargv[n++] = w;
		fargv[n] = NULL;
		argc = n;
		argv = fargv;
	}
	while ((c = getopt(argc, argv, "p:t:d:f:x:TSl:o:O:w:")) != -1) {
		switch (c) {
		case 'p': fifo = optarg; break;
		case 't': break;
		case 'd': delay_ms = atol(optarg); break;
		case 'f': ready_fd = atoi(optarg); break;
		case 'x': exit_code = atoi(optarg); break;
		case 'T': ignore_term = 1; break;
		case 'S': report_start = 1; break;
		case 'l': out_bytes = atoll(optarg); break;
		case 'o': norphans = atol(optarg); break;
		case 'O': orphan_file = optarg; break;
		case 'w': wait_ms = atol(optarg); break;
		default:
			fprintf(stderr, "usage: fake_service [-p FIFO] [-t TAG] [-d MS] [-f FD] [-x CODE] "
					"[-T] [-S] [-l BYTES] [-o N -O FILE [-w MS]]\n");
			return 2;
		}
	}

	/* whatever the supervisor left us: default dispositions, nothing blocked */
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGTERM, ignore_term ? SIG_IGN : SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGHUP, SIG_DFL);

	if (fifo) {
		/* nonblocking: never hang on a FIFO nobody reads any more */
		report_fd = open(fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
		if (report_fd < 0) {
			perror(fifo);
			return 3;
		}
	}
	if (report_start)
		report('S', t_start);
	if (norphans > 0) {
		if (!orphan_file) {
			fprintf(stderr, "fake_service: -o needs -O FILE\n");
			return 2;
		}
		return orphans(norphans, orphan_file, wait_ms);
	}
	if (delay_ms > 0) {
		long long t = t_start + delay_ms * 1000000LL;
		struct timespec ts = { .tv_sec = t / 1000000000LL, .tv_nsec = t % 1000000000LL };
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
			;
	}
	if (ready_fd >= 0) {
		write_all(ready_fd, "\n", 1);
		close(ready_fd);
	}
	report('R', now_ns());
	if (out_bytes > 0) {
		report('W', now_ns());
		write_lines(out_bytes);
	}
	if (exit_code >= 0) {
		report('E', now_ns());
		_exit(exit_code);
	}
	for (;;)
		pause();
}
