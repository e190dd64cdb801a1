/* sigrecord: record every signal received, one line each, for the
 * signal-forwarding tests.
 *
 *   sigrecord [-x SIG]... [-e CODE] FILE
 *
 * Blocks every signal and takes them with sigwaitinfo(), so that nothing
 * (not SIGTSTP, SIGTTIN, SIGINT...) acts on it.  FILE gets, appended and a
 * whole line at a time:
 *
 *   ready pid=P ppid=PP pgid=G sid=S      once, when it is listening
 *   SIGUSR1 from=PID                       per signal (PID: the sender as
 *                                          seen in our PID namespace)
 *
 * A signal given with -x (default: SIGTERM alone) ends it after it is
 * recorded: with -e CODE it exits with CODE, else it dies of that signal
 * (default disposition, raised again), so its parent sees 128+N.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int out = -1;

static void emit(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void emit(const char *fmt, ...)
{
	char line[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof line)
		n = sizeof line - 1;
	if (write(out, line, (size_t)n) != n) {
		perror("sigrecord: write");
		exit(2);
	}
}

static const char *name_of(int sig, char *buf, size_t len)
{
	const char *abbrev = sigabbrev_np(sig);
	if (sig >= SIGRTMIN && sig <= SIGRTMAX)
		snprintf(buf, len, "SIGRTMIN+%d", sig - SIGRTMIN);
	else if (abbrev)
		snprintf(buf, len, "SIG%s", abbrev);
	else
		snprintf(buf, len, "SIG%d", sig);
	return buf;
}

static int sig_of(const char *s)
{
	char *end;
	long n = strtol(s, &end, 10);
	if (*s && !*end)
		return (int)n;
	if (!strncmp(s, "SIG", 3))
		s += 3;
	for (int sig = 1; sig < NSIG; sig++) {
		const char *a = sigabbrev_np(sig);
		if (a && !strcmp(a, s))
			return sig;
	}
	fprintf(stderr, "sigrecord: unknown signal %s\n", s);
	exit(2);
}

int main(int argc, char **argv)
{
	sigset_t all, ends;
	int c, code = -1;
	bool ends_given = false;

	sigemptyset(&ends);
	while ((c = getopt(argc, argv, "x:e:")) != -1) {
		switch (c) {
		case 'x':
			sigaddset(&ends, sig_of(optarg));
			ends_given = true;
			break;
		case 'e':
			code = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: sigrecord [-x SIG]... [-e CODE] FILE\n");
			return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: sigrecord [-x SIG]... [-e CODE] FILE\n");
		return 2;
	}
	if (!ends_given)
		sigaddset(&ends, SIGTERM);
	out = open(argv[optind], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (out < 0) {
		perror(argv[optind]);
		return 2;
	}
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
	emit("ready pid=%ld ppid=%ld pgid=%ld sid=%ld\n", (long)getpid(), (long)getppid(),
	     (long)getpgrp(), (long)getsid(0));

	for (;;) {
		siginfo_t si;
		char name[32];
		int sig = sigwaitinfo(&all, &si);
		if (sig < 0) {
			if (errno == EINTR)
				continue;
			perror("sigrecord: sigwaitinfo");
			return 2;
		}
		emit("%s from=%ld\n", name_of(sig, name, sizeof name), (long)si.si_pid);
		if (sigismember(&ends, sig)) {
			if (code >= 0)
				return code;
			signal(sig, SIG_DFL);
			sigset_t one;
			sigemptyset(&one);
			sigaddset(&one, sig);
			raise(sig);
			sigprocmask(SIG_UNBLOCK, &one, NULL);
			return 100; /* not reached for a deadly signal */
		}
	}
}
