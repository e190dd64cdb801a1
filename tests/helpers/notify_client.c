/* notify_client: a small sd_notify client for muster's integration tests,
 * written from the protocol (no libsystemd): datagrams of KEY=VALUE lines
 * to the UNIX socket named by $NOTIFY_SOCKET ('@' for the abstract
 * namespace), descriptors passed with SCM_RIGHTS.
 *
 *   notify_client [-s SOCKET] [-l LOG] STEP...
 *
 * Steps, done in order:
 *
 *   send:TEXT       one datagram of TEXT ("\n" is a newline; %p is our
 *                   pid, %c the pid of the last fork: child)
 *   pad:N:TEXT      TEXT, then "\nX_PAD=xxx..." up to exactly N bytes
 *   nul:TEXT        TEXT with a NUL byte and "X=1" after it
 *   fds:N:TEXT      TEXT with N descriptors (write ends of new pipes);
 *                   then wait (10s at most) until every one is closed by
 *                   the receiver, or exit 3
 *   barrier         BARRIER=1 with a pipe's write end, as sd_notify_barrier()
 *                   does: wait (20s at most) until the receiver closed it,
 *                   which it does after every earlier message; or exit 3
 *   sleep:MS        sleep MS milliseconds
 *   stamp:LABEL     append "LABEL PID SECONDS" (CLOCK_MONOTONIC) to LOG
 *   touch:FILE      write our pid and a newline to FILE
 *   waitfile:FILE   wait until FILE exists (30s at most, or exit 5)
 *   fork:S1,S2,...  start a child that does the steps S1, S2, ... and exits 0
 *   wait            wait for the last child; exit 4 if it did not exit 0
 *   pause           wait for a signal (SIGTERM ends it, as by default)
 *   exit:N          exit with status N
 *
 * A send that fails exits 2.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_MSG 70000
#define MAX_FDS 32

static const char *sock_path;
static const char *logfile;
static pid_t child;

static void die(int code, const char *fmt, const char *arg)
{
	fprintf(stderr, "notify_client[%ld]: ", (long)getpid());
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(code);
}

/* TEXT with "\n" unescaped and %p, %c expanded, into out[MAX_MSG]. */
static size_t expand(const char *s, char *out)
{
	size_t n = 0;
	for (; *s && n < MAX_MSG - 32; s++) {
		if (s[0] == '\\' && s[1] == 'n') {
			out[n++] = '\n';
			s++;
		} else if (s[0] == '%' && s[1] == 'p') {
			n += (size_t)sprintf(out + n, "%ld", (long)getpid());
			s++;
		} else if (s[0] == '%' && s[1] == 'c') {
			n += (size_t)sprintf(out + n, "%ld", (long)child);
			s++;
		} else {
			out[n++] = *s;
		}
	}
	return n;
}

static void send_msg(const char *buf, size_t len, const int *fds, int nfds)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t plen = strlen(sock_path);
	if (plen == 0 || plen >= sizeof sa.sun_path)
		die(2, "bad socket path '%s'", sock_path);
	memcpy(sa.sun_path, sock_path, plen);
	if (sock_path[0] == '@')
		sa.sun_path[0] = '\0';
	socklen_t salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + plen +
				      (sock_path[0] != '@'));

	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die(2, "socket: %s", strerror(errno));
	int sndbuf = MAX_MSG * 2;
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);

	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int) * MAX_FDS)];
	} ctl;
	struct iovec iov = { (void *)buf, len };
	struct msghdr mh = { .msg_name = &sa, .msg_namelen = salen, .msg_iov = &iov, .msg_iovlen = 1 };
	if (nfds > 0) {
		memset(&ctl, 0, sizeof ctl);
		mh.msg_control = ctl.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds);
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)nfds);
	}
	if (sendmsg(fd, &mh, MSG_NOSIGNAL) != (ssize_t)len)
		die(2, "sendmsg: %s", strerror(errno));
	close(fd);
}

/* Send TEXT with n pipe write ends; true once the receiver closed all. */
static int send_with_fds(const char *buf, size_t len, int n, int timeout_ms)
{
	int w[MAX_FDS];
	struct pollfd p[MAX_FDS];
	for (int i = 0; i < n; i++) {
		int pp[2];
		if (pipe2(pp, O_CLOEXEC) < 0)
			die(2, "pipe: %s", strerror(errno));
		p[i].fd = pp[0];
		p[i].events = POLLIN;
		w[i] = pp[1];
	}
	send_msg(buf, len, w, n);
	for (int i = 0; i < n; i++)
		close(w[i]);
	/* each read end sees POLLHUP once the last copy of its write end is gone */
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	int open_left = n;
	while (open_left > 0) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		long spent = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
		if (spent >= timeout_ms)
			return 0;
		int r = poll(p, (nfds_t)n, (int)(timeout_ms - spent));
		if (r < 0 && errno != EINTR)
			die(2, "poll: %s", strerror(errno));
		open_left = 0;
		for (int i = 0; i < n; i++) {
			if (p[i].fd >= 0 && (p[i].revents & POLLHUP)) {
				close(p[i].fd);
				p[i].fd = -1;
			}
			open_left += p[i].fd >= 0;
		}
	}
	return 1;
}

static void stamp(const char *label)
{
	struct timespec ts;
	char buf[256];
	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (!logfile)
		die(2, "stamp:%s needs -l LOG", label);
	int n = snprintf(buf, sizeof buf, "%s %ld %ld.%09ld\n", label, (long)getpid(),
			 (long)ts.tv_sec, ts.tv_nsec);
	int fd = open(logfile, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, buf, (size_t)n) != n)
		die(2, "cannot append to %s", logfile);
	close(fd);
}

static void msleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void run_step(char *s);

static void run_steps(char *list, const char *sep)
{
	char *save = NULL;
	for (char *s = strtok_r(list, sep, &save); s; s = strtok_r(NULL, sep, &save))
		run_step(s);
}

static void run_step(char *s)
{
	static char buf[MAX_MSG];
	size_t n;

	if (!strncmp(s, "send:", 5)) {
		n = expand(s + 5, buf);
		send_msg(buf, n, NULL, 0);
	} else if (!strncmp(s, "pad:", 4)) {
		char *end;
		long want = strtol(s + 4, &end, 10);
		if (*end != ':' || want <= 0 || want > MAX_MSG)
			die(2, "bad step %s", s);
		n = expand(end + 1, buf);
		static const char pad[] = "\nX_PAD=";
		if (n + sizeof pad - 1 > (size_t)want)
			die(2, "pad: text longer than %s bytes", s + 4);
		memcpy(buf + n, pad, sizeof pad - 1);
		n += sizeof pad - 1;
		while (n < (size_t)want)
			buf[n++] = 'x';
		send_msg(buf, n, NULL, 0);
	} else if (!strncmp(s, "nul:", 4)) {
		n = expand(s + 4, buf);
		memcpy(buf + n, "\0\nX=1", 5);
		send_msg(buf, n + 5, NULL, 0);
	} else if (!strncmp(s, "fds:", 4)) {
		char *end;
		long k = strtol(s + 4, &end, 10);
		if (*end != ':' || k < 1 || k > MAX_FDS)
			die(2, "bad step %s", s);
		n = expand(end + 1, buf);
		if (!send_with_fds(buf, n, (int)k, 10000))
			die(3, "%s: the receiver kept the passed descriptors open for 10s", s);
	} else if (!strcmp(s, "barrier")) {
		if (!send_with_fds("BARRIER=1", 9, 1, 20000))
			die(3, "%s", "BARRIER=1: no answer (descriptor still open) after 20s");
	} else if (!strncmp(s, "sleep:", 6)) {
		msleep(atol(s + 6));
	} else if (!strncmp(s, "stamp:", 6)) {
		stamp(s + 6);
	} else if (!strncmp(s, "touch:", 6)) {
		char line[32];
		int n = snprintf(line, sizeof line, "%ld\n", (long)getpid());
		int fd = open(s + 6, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0 || write(fd, line, (size_t)n) != n)
			die(2, "cannot write %s", s + 6);
		close(fd);
	} else if (!strncmp(s, "waitfile:", 9)) {
		int i;
		for (i = 0; i < 3000 && access(s + 9, F_OK) < 0; i++)
			msleep(10);
		if (i == 3000)
			die(5, "%s: still missing after 30s", s + 9);
	} else if (!strncmp(s, "fork:", 5)) {
		fflush(NULL);
		pid_t pid = fork();
		if (pid < 0)
			die(2, "fork: %s", strerror(errno));
		if (pid == 0) {
			run_steps(s + 5, ",");
			exit(0);
		}
		child = pid;
	} else if (!strcmp(s, "wait")) {
		int st;
		if (!child || waitpid(child, &st, 0) < 0)
			die(4, "%s: no child to wait for", s);
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			die(4, "%s: the child failed", s);
	} else if (!strcmp(s, "pause")) {
		for (;;)
			pause();
	} else if (!strncmp(s, "exit:", 5)) {
		exit(atoi(s + 5));
	} else {
		die(2, "unknown step '%s'", s);
	}
}

int main(int argc, char **argv)
{
	int c;
	sock_path = getenv("NOTIFY_SOCKET");
	while ((c = getopt(argc, argv, "+s:l:")) != -1) {
		switch (c) {
		case 's': sock_path = optarg; break;
		case 'l': logfile = optarg; break;
		default: die(2, "usage: notify_client [-s SOCKET] [-l LOG] STEP...%s", "");
		}
	}
	if (!sock_path)
		die(2, "%s", "no NOTIFY_SOCKET and no -s");
	for (int i = optind; i < argc; i++)
		run_step(argv[i]);
	return 0;
}
