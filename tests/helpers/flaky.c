/* flaky: a scriptable service for muster's integration tests.
 *
 *   flaky LOG ACTION...     run the K-th ACTION (the last one repeats)
 *   flaky --free-port       print a TCP port of 127.0.0.1 that was free
 *
 * K is the number of runs so far: the "start" lines already in LOG.  Each
 * run appends to LOG, with CLOCK_MONOTONIC taken first thing in main():
 *
 *   start K PID SECONDS     when the run began
 *   exit K SECONDS          just before it exits or raises its signal
 *   LABEL K SECONDS         for a stamp:LABEL or listen:PORT step
 *
 * An ACTION is steps joined with '+', done in order:
 *
 *   exit:N        exit with status N
 *   sig:N         die of signal N (its default action)
 *   sleep:MS      sleep MS milliseconds
 *   pause         wait for a signal (SIGTERM ends it, as by default)
 *   ignore:N      ignore signal N from now on
 *   stamp:LABEL   append "LABEL K SECONDS" to LOG
 *   fdw:N:TEXT    write TEXT to descriptor N ("\n" in TEXT is a newline)
 *   close:N       close descriptor N
 *   listen:PORT   listen on 127.0.0.1:PORT (never accepts; the kernel
 *                 completes connections), then "listening K SECONDS"
 *
 * An action without exit, sig or pause ends with exit status 0.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static const char *logfile;
static long run;
static struct timespec t0;

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "flaky: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(99);
}

static void log_line(const char *label, const struct timespec *ts, int with_pid)
{
	char buf[256];
	struct timespec now;
	if (!ts) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		ts = &now;
	}
	int n = with_pid ? snprintf(buf, sizeof buf, "%s %ld %ld %ld.%09ld\n", label, run,
				    (long)getpid(), (long)ts->tv_sec, ts->tv_nsec)
			 : snprintf(buf, sizeof buf, "%s %ld %ld.%09ld\n", label, run,
				    (long)ts->tv_sec, ts->tv_nsec);
	int fd = open(logfile, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, buf, (size_t)n) != n)
		die("cannot append to %s", logfile);
	close(fd);
}

static long count_runs(void)
{
	FILE *f = fopen(logfile, "r");
	char line[256];
	long n = 0;
	if (!f)
		return 0;
	while (fgets(line, sizeof line, f))
		n += !strncmp(line, "start ", 6);
	fclose(f);
	return n;
}

static void unescape(char *s)
{
	char *o = s;
	for (; *s; s++) {
		if (s[0] == '\\' && s[1] == 'n') {
			*o++ = '\n';
			s++;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

static void msleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int free_port(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0)
		die("cannot find a free port%s", "");
	printf("%d\n", ntohs(sa.sin_port));
	close(fd);
	return 0;
}

static void do_listen(const char *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int one = 1;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((unsigned short)atoi(port));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 128) < 0)
		die("cannot listen on port %s", port);
	log_line("listening", NULL, 0);
}

static void step(char *s)
{
	if (!strncmp(s, "exit:", 5)) {
		log_line("exit", NULL, 0);
		exit(atoi(s + 5));
	} else if (!strncmp(s, "sig:", 4)) {
		int sig = atoi(s + 4);
		log_line("exit", NULL, 0);
		signal(sig, SIG_DFL);
		sigset_t set;
		sigemptyset(&set);
		sigaddset(&set, sig);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		raise(sig);
		die("signal %s did not end the process", s + 4);
	} else if (!strncmp(s, "sleep:", 6)) {
		msleep(atol(s + 6));
	} else if (!strcmp(s, "pause")) {
		for (;;)
			pause();
	} else if (!strncmp(s, "ignore:", 7)) {
		signal(atoi(s + 7), SIG_IGN);
	} else if (!strncmp(s, "stamp:", 6)) {
		log_line(s + 6, NULL, 0);
	} else if (!strncmp(s, "fdw:", 4)) {
		char *text = strchr(s + 4, ':');
		if (!text)
			die("bad step %s", s);
		*text++ = '\0';
		unescape(text);
		size_t n = strlen(text);
		if (write(atoi(s + 4), text, n) != (ssize_t)n)
			die("cannot write to descriptor %s", s + 4);
	} else if (!strncmp(s, "close:", 6)) {
		close(atoi(s + 6));
	} else if (!strncmp(s, "listen:", 7)) {
		do_listen(s + 7);
	} else {
		die("unknown step '%s'", s);
	}
}

int main(int argc, char **argv)
{
	clock_gettime(CLOCK_MONOTONIC, &t0); /* first: the respawn latency counts to here */
	if (argc == 2 && !strcmp(argv[1], "--free-port"))
		return free_port();
	if (argc < 3)
		die("usage: flaky LOG ACTION... | flaky --free-port%s", "");
	logfile = argv[1];
	run = count_runs();
	log_line("start", &t0, 1);
	char *action = argv[2 + (run < argc - 2 ? run : argc - 3)];
	for (char *save = NULL, *s = strtok_r(action, "+", &save); s;
	     s = strtok_r(NULL, "+", &save))
		step(s);
	log_line("exit", NULL, 0);
	return 0;
}
