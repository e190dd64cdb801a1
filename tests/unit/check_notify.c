/* Unit tests for src/notify.c.
 *
 * Part one: notify_parse(), a pure function: well-formed messages, unknown
 * fields, bad values, garbage (NUL bytes, no KEY=VALUE, random bytes), the
 * length bound, STATUS= truncation.
 *
 * Part two: the notify socket itself (notify_init) on a private libev loop,
 * with a supervisor over a fake struct sys_ops whose "service" is this very
 * test process: its pid is the service's main pid (or, for notify-access =
 * all, the leader of our session is).  Datagrams come from this process (the main process) or from
 * forked children (another process of the session, or of another
 * session): oversize datagrams, garbage, wrong senders, MAINPID=, and the
 * descriptors passed with SCM_RIGHTS, which must all be closed.
 *
 * "The daemon processed everything sent so far" is known without sleeping:
 * a last message carries a pipe's write end, and its read end sees POLLHUP
 * once the daemon closed it (the BARRIER=1 trick of sd_notify_barrier()).
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "notify.h"
#include "service.h"

/* ---- part one: notify_parse() ---------------------------------------- */

static struct notify_msg M;

/* Parse a C string (without its NUL). */
static int P(const char *s)
{
	return notify_parse(s, strlen(s), &M);
}

START_TEST(test_parse_ready)
{
	ck_assert_int_eq(P("READY=1"), 1);
	ck_assert(M.ready);
	ck_assert(!M.stopping && !M.reloading && !M.watchdog && !M.barrier);
	ck_assert(!M.has_status && !M.has_mainpid && !M.has_errno);
	ck_assert_int_eq(M.unknown, 0);

	/* a trailing newline, blank lines anywhere */
	ck_assert_int_eq(P("READY=1\n"), 1);
	ck_assert(M.ready);
	ck_assert_int_eq(P("\n\nREADY=1\n\n\n"), 1);
	ck_assert(M.ready);
	ck_assert_int_eq(M.unknown, 0);
}
END_TEST

START_TEST(test_parse_all_fields)
{
	ck_assert_int_eq(P("READY=1\nSTATUS=Serving 3 clients\nMAINPID=4242\nERRNO=2\n"
			   "STOPPING=1\nRELOADING=1\nWATCHDOG=1\nBARRIER=1"), 8);
	ck_assert(M.ready && M.stopping && M.reloading && M.watchdog && M.barrier);
	ck_assert(M.has_status);
	ck_assert_str_eq(M.status, "Serving 3 clients");
	ck_assert(M.has_mainpid);
	ck_assert_int_eq(M.mainpid, 4242);
	ck_assert(M.has_errno);
	ck_assert_int_eq(M.errnum, 2);
	ck_assert_int_eq(M.unknown, 0);
}
END_TEST

START_TEST(test_parse_status)
{
	/* the value is everything after the first '=' */
	ck_assert_int_eq(P("STATUS=a=b; c=d"), 1);
	ck_assert_str_eq(M.status, "a=b; c=d");
	/* empty status: set, empty */
	ck_assert_int_eq(P("STATUS="), 1);
	ck_assert(M.has_status);
	ck_assert_str_eq(M.status, "");
	/* the last one wins */
	ck_assert_int_eq(P("STATUS=one\nSTATUS=two"), 2);
	ck_assert_str_eq(M.status, "two");
	/* a status alone is a message, but not READY */
	ck_assert(!M.ready);
}
END_TEST

START_TEST(test_parse_status_truncated)
{
	char buf[2000];
	memcpy(buf, "STATUS=", 7);
	memset(buf + 7, 'a', 1500);
	memcpy(buf + 1507, "\nREADY=1", 8);
	ck_assert_int_eq(notify_parse(buf, 1515, &M), 2);
	ck_assert(M.ready);
	ck_assert_uint_eq(strlen(M.status), NOTIFY_STATUS_MAX - 1);
	for (size_t i = 0; i < NOTIFY_STATUS_MAX - 1; i++)
		ck_assert_int_eq(M.status[i], 'a');

	/* exactly the longest that fits: kept whole */
	memset(buf + 7, 'b', NOTIFY_STATUS_MAX - 1);
	ck_assert_int_eq(notify_parse(buf, 7 + NOTIFY_STATUS_MAX - 1, &M), 1);
	ck_assert_uint_eq(strlen(M.status), NOTIFY_STATUS_MAX - 1);
}
END_TEST

START_TEST(test_parse_unknown_fields)
{
	/* unknown fields are counted and ignored; the known ones still count */
	ck_assert_int_eq(P("FOO=bar\nREADY=1\nX_CUSTOM=1\nFDSTORE=1\nFDNAME=x"), 1);
	ck_assert(M.ready);
	ck_assert_int_eq(M.unknown, 4);
	/* keys are case-sensitive and whole */
	ck_assert_int_eq(P("ready=1"), 0);
	ck_assert(!M.ready);
	ck_assert_int_eq(M.unknown, 1);
	ck_assert_int_eq(P("READYX=1\nXREADY=1\nREADY =1\n READY=1"), 0);
	ck_assert(!M.ready);
	ck_assert_int_eq(M.unknown, 4);
	/* only unknown fields: a message all the same, nothing understood */
	ck_assert_int_eq(P("MONOTONIC_USEC=123\nEXTEND_TIMEOUT_USEC=5"), 0);
	ck_assert_int_eq(M.unknown, 2);
	/* an empty key is a KEY=VALUE line of nothing known */
	ck_assert_int_eq(P("=1"), 0);
}
END_TEST

START_TEST(test_parse_bad_values)
{
	/* booleans are exactly "1" */
	const char *not_ready[] = { "READY=0", "READY=", "READY=yes", "READY=11", "READY=1 ",
				    "READY= 1", "READY=1\r", "READY=true" };
	for (size_t i = 0; i < sizeof not_ready / sizeof *not_ready; i++) {
		ck_assert_msg(P(not_ready[i]) == 0, "%s: understood", not_ready[i]);
		ck_assert_msg(!M.ready, "%s: taken as READY=1", not_ready[i]);
	}
	ck_assert_int_eq(P("STOPPING=0\nBARRIER=2\nWATCHDOG=trigger"), 0);
	ck_assert(!M.stopping && !M.barrier && !M.watchdog);

	/* MAINPID: a positive pid that fits */
	const char *bad_pids[] = { "MAINPID=", "MAINPID=0", "MAINPID=-5", "MAINPID=abc",
				   "MAINPID=12abc", "MAINPID=99999999999", "MAINPID=2147483648",
				   "MAINPID=123456789012345678901234567890" };
	for (size_t i = 0; i < sizeof bad_pids / sizeof *bad_pids; i++) {
		ck_assert_msg(P(bad_pids[i]) == 0, "%s: understood", bad_pids[i]);
		ck_assert_msg(!M.has_mainpid, "%s: taken as a pid (%ld)", bad_pids[i],
			      (long)M.mainpid);
	}
	ck_assert_int_eq(P("MAINPID=2147483647"), 1);
	ck_assert_int_eq(M.mainpid, 2147483647);

	/* ERRNO: 0 to 4095 */
	ck_assert_int_eq(P("ERRNO=0"), 1);
	ck_assert(M.has_errno);
	ck_assert_int_eq(M.errnum, 0);
	ck_assert_int_eq(P("ERRNO=4095"), 1);
	ck_assert_int_eq(P("ERRNO=4096"), 0);
	ck_assert(!M.has_errno);
	ck_assert_int_eq(P("ERRNO=-1"), 0);
	ck_assert_int_eq(P("ERRNO=EIO"), 0);

	/* a bad field does not spoil the good ones next to it */
	ck_assert_int_eq(P("MAINPID=x\nREADY=1\nERRNO=y"), 1);
	ck_assert(M.ready);
}
END_TEST

START_TEST(test_parse_garbage)
{
	/* empty */
	ck_assert_int_eq(notify_parse("", 0, &M), -1);
	ck_assert_int_eq(P("\n\n\n"), -1);
	/* no KEY=VALUE at all */
	ck_assert_int_eq(P("READY"), -1);
	ck_assert_int_eq(P("hello world\nthis is not sd_notify"), -1);
	/* NUL bytes anywhere: not a notify message, even with READY=1 in it */
	ck_assert_int_eq(notify_parse("READY=1\0", 8, &M), -1);
	ck_assert(!M.ready);
	ck_assert_int_eq(notify_parse("\0READY=1", 8, &M), -1);
	ck_assert(!M.ready);
	ck_assert_int_eq(notify_parse("READY=1\nSTATUS=a\0b", 18, &M), -1);
	ck_assert(!M.ready);
	ck_assert(!M.has_status);
}
END_TEST

START_TEST(test_parse_resets_result)
{
	/* every call starts from a clean result, a failing one too */
	ck_assert_int_eq(P("READY=1\nSTATUS=x\nMAINPID=7\nFOO=1"), 3);
	ck_assert_int_eq(notify_parse("", 0, &M), -1);
	ck_assert(!M.ready && !M.has_status && !M.has_mainpid);
	ck_assert_int_eq(M.unknown, 0);
	ck_assert_int_eq(P("READY=1\nSTATUS=x"), 2);
	ck_assert_int_eq(P("WATCHDOG=1"), 1);
	ck_assert(!M.ready && !M.has_status && M.watchdog);
}
END_TEST

START_TEST(test_parse_length_bound)
{
	/* only len bytes are read: no NUL terminator needed, nothing after used */
	char buf[32];
	memcpy(buf, "READY=1STATUS=zzzzzzzzzzzzz", 27);
	ck_assert_int_eq(notify_parse(buf, 7, &M), 1);
	ck_assert(M.ready);
	ck_assert(!M.has_status);
	/* a value cut by len */
	memcpy(buf, "READY=10", 8);
	ck_assert_int_eq(notify_parse(buf, 7, &M), 1);
	ck_assert(M.ready);
	memcpy(buf, "STATUS=abcdef", 13);
	ck_assert_int_eq(notify_parse(buf, 10, &M), 1);
	ck_assert_str_eq(M.status, "abc");
	/* the key cut by len: "READ" */
	ck_assert_int_eq(notify_parse("READY=1", 4, &M), -1);

	/* exactly len bytes in a buffer of its own, so that ASan sees a read past it */
	char *heap = malloc(9);
	ck_assert_ptr_nonnull(heap);
	memcpy(heap, "READY=1\nM", 9);
	ck_assert_int_eq(notify_parse(heap, 9, &M), 1);
	ck_assert_int_eq(M.unknown, 1);
	memcpy(heap, "STATUS=ab", 9);
	ck_assert_int_eq(notify_parse(heap, 9, &M), 1);
	ck_assert_str_eq(M.status, "ab");
	memcpy(heap, "MAINPID=9", 9);
	ck_assert_int_eq(notify_parse(heap, 9, &M), 1);
	ck_assert_int_eq(M.mainpid, 9);
	free(heap);
}
END_TEST

START_TEST(test_parse_large)
{
	/* a long message parses whole (the size limit is the socket's) */
	size_t n = 100000;
	char *buf = malloc(n);
	ck_assert_ptr_nonnull(buf);
	size_t pos = 0;
	while (pos + 16 < n) {
		memcpy(buf + pos, "X_FIELD=abcdef\n", 15);
		pos += 15;
	}
	memcpy(buf + pos, "READY=1", 7);
	pos += 7;
	ck_assert_int_eq(notify_parse(buf, pos, &M), 1);
	ck_assert(M.ready);
	ck_assert_int_eq(M.unknown, (int)((pos - 7) / 15));
	free(buf);
	ck_assert_int_eq(NOTIFY_MAX, 4096);
}
END_TEST

START_TEST(test_parse_random_bytes)
{
	/* random datagrams, mostly from a KEY=VALUE alphabet: never a crash,
	 * the result always consistent */
	static const char alpha[] = "READYSTOPINGMAX=\n01\0x";
	unsigned seed = 12345;
	char *buf = malloc(600);
	ck_assert_ptr_nonnull(buf);
	for (int iter = 0; iter < 20000; iter++) {
		size_t len = (size_t)(rand_r(&seed) % 600);
		bool raw = iter % 4 == 0;
		for (size_t i = 0; i < len; i++)
			buf[i] = raw ? (char)rand_r(&seed)
				     : alpha[(size_t)rand_r(&seed) % (sizeof alpha - 1)];
		int r = notify_parse(buf, len, &M);
		ck_assert_int_ge(r, -1);
		ck_assert_int_le(r, (int)len / 2 + 1);
		ck_assert_uint_lt(strlen(M.status), NOTIFY_STATUS_MAX);
		if (r < 0)
			ck_assert(!M.ready && !M.has_status && !M.has_mainpid && !M.has_errno);
		if (memchr(buf, '\0', len))
			ck_assert_int_eq(r, -1);
		if (M.has_mainpid)
			ck_assert_int_gt(M.mainpid, 0);
		if (M.has_errno)
			ck_assert(M.errnum >= 0 && M.errnum < 4096);
	}
	free(buf);
}
END_TEST

/* ---- part two: the socket ---------------------------------------------- */

static struct ev_loop *loop;
static struct config *cfg;
static struct supervisor sup;
static char dir[64], sock[128];
static pid_t main_pid;          /* what the fake spawn returns */
static pid_t test_pid;          /* this process */
static char logbuf[65536];
static size_t loglen;

static void capture(enum log_level level, const char *line, size_t len)
{
	/* as the text output writes them: the level's word first */
	const char *lv = level == LOG_ERROR ? "error: " : level == LOG_WARNING ? "warning: " : "";
	if (loglen + strlen(lv) + len + 2 < sizeof logbuf) {
		memcpy(logbuf + loglen, lv, strlen(lv));
		loglen += strlen(lv);
		memcpy(logbuf + loglen, line, len);
		loglen += len;
		logbuf[loglen++] = '\n';
		logbuf[loglen] = '\0';
	}
}

static pid_t fake_spawn(struct service *svc, int *exec_fd)
{
	(void)svc;
	*exec_fd = -1;
	return main_pid;
}

static int fake_kill(pid_t pgid, int sig)
{
	(void)pgid, (void)sig;
	return 0; /* the "service" is this process: never signal it */
}

static const struct sys_ops fake_ops = { .spawn = fake_spawn, .kill_group = fake_kill };

/* Set up the socket and start the config's services, each with main (0:
 * this process) as its main process and process group. */
static void sock_setup_main(const char *text, pid_t main)
{
	test_pid = getpid();
	main_pid = main ? main : getpid();
	loglen = 0;
	logbuf[0] = '\0';
	log_sink = capture;
	log_threshold = LOG_DEBUG;

	snprintf(dir, sizeof dir, "/tmp/muster-check-notify-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char path[128];
	snprintf(path, sizeof path, "%s/muster.ini", dir);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	struct errlist errs = { 0 };
	cfg = config_load(path, &errs);
	ck_assert_msg(cfg != NULL, "config: %s", errs.n ? errs.msgs[0] : "?");
	errlist_free(&errs);
	unlink(path);

	loop = ev_loop_new(0);
	ck_assert_ptr_nonnull(loop);
	ck_assert_int_eq(sup_init(&sup, loop, cfg, &fake_ops), 0);
	snprintf(sock, sizeof sock, "%s/ctl.sock.notify", dir);
	ck_assert_int_eq(notify_init(loop, &sup, sock), 0);
	ck_assert_str_eq(notify_socket_path(), sock);
	sup_start_all(&sup);
}

static void sock_setup(const char *text)
{
	sock_setup_main(text, 0);
}

/* The leader of our session, to play a main process whose session we are
 * in; 0 (and a note) when it is not visible from our pid namespace. */
static pid_t session_leader(void)
{
	pid_t sid = getsid(0);
	if (sid <= 0 || sid == getpid()) {
		fprintf(stderr, "note: our session's leader is not visible here: test skipped\n");
		return 0;
	}
	return sid;
}

static void sock_teardown(void)
{
	notify_close();
	ck_assert_msg(access(sock, F_OK) < 0, "notify_close() left %s behind", sock);
	ck_assert_ptr_null(notify_socket_path());
	sup_free(&sup);
	config_free(cfg);
	ev_loop_destroy(loop);
	rmdir(dir);
}

static struct service *S(const char *name)
{
	struct service *s = sup_find(&sup, name);
	ck_assert_msg(s != NULL, "no service %s", name);
	return s;
}

#define ck_assert_state(name, st)                                                       \
	ck_assert_msg(S(name)->state == (st), "%s is %s, expected %s", (name),              \
		      svc_state_name(S(name)->state), svc_state_name(st))

/* Send one datagram to the notify socket with nfds descriptors; returns
 * sendmsg's result (-1 with errno).  The socket's queue is short (10
 * datagrams): when it is full, the parent runs the loop, which reads it;
 * a child (block) waits. */
static ssize_t send_dgram(const void *buf, size_t len, const int *fds, int nfds)
{
	bool parent = getpid() == test_pid;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	memcpy(sa.sun_path, sock, strlen(sock) + 1);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	int sndbuf = 1 << 20;
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int) * 253)];
	} ctl;
	struct iovec iov = { (void *)buf, len };
	struct msghdr mh = { .msg_name = &sa, .msg_namelen = sizeof sa, .msg_iov = &iov,
			     .msg_iovlen = 1 };
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
	ssize_t r;
	for (int i = 0; i < 10000; i++) {
		r = sendmsg(fd, &mh, MSG_NOSIGNAL | (parent ? MSG_DONTWAIT : 0));
		if (r >= 0 || !parent || errno != EAGAIN)
			break;
		ev_run(loop, EVRUN_NOWAIT);
		usleep(100);
	}
	int saved = errno;
	close(fd);
	errno = saved;
	return r;
}

static void send_str(const char *s)
{
	ck_assert_int_eq(send_dgram(s, strlen(s), NULL, 0), (ssize_t)strlen(s));
}

/* Pipes whose write ends travel with a message: r[] are the read ends. */
struct pipes {
	int n;
	int r[256], w[256];
};

static void pipes_open(struct pipes *p, int n)
{
	p->n = n;
	for (int i = 0; i < n; i++) {
		int fds[2];
		ck_assert_int_eq(pipe2(fds, O_CLOEXEC), 0);
		p->r[i] = fds[0];
		p->w[i] = fds[1];
	}
}

/* Our copies of the write ends are closed (they were sent). */
static void pipes_sent(struct pipes *p)
{
	for (int i = 0; i < p->n; i++)
		close(p->w[i]);
}

/* How many write ends some process (the daemon) still holds. */
static int pipes_held(struct pipes *p)
{
	int held = 0;
	for (int i = 0; i < p->n; i++) {
		struct pollfd pf = { p->r[i], POLLIN, 0 };
		held += !(poll(&pf, 1, 0) == 1 && (pf.revents & POLLHUP));
	}
	return held;
}

static void pipes_close(struct pipes *p)
{
	for (int i = 0; i < p->n; i++)
		close(p->r[i]);
	p->n = 0;
}

/* Run the loop until held() says the daemon closed every descriptor of p
 * (bounded: 10s). */
static void pump_until_closed(struct pipes *p)
{
	for (int i = 0; i < 10000 && pipes_held(p) > 0; i++) {
		ev_run(loop, EVRUN_NOWAIT);
		if (pipes_held(p) > 0)
			usleep(1000);
	}
	ck_assert_msg(pipes_held(p) == 0, "the notify socket kept %d of %d passed descriptors open",
		      pipes_held(p), p->n);
}

/* Everything sent so far (by anyone) has been handled: a message with a
 * descriptor goes last; once that descriptor is closed the daemon has
 * read every datagram before it. */
static void sync_daemon(void)
{
	struct pipes p;
	pipes_open(&p, 1);
	ck_assert_int_eq(send_dgram("X_SYNC=1", 8, p.w, 1), 8);
	pipes_sent(&p);
	pump_until_closed(&p);
	pipes_close(&p);
}

/* A child process that sends datagrams: in a session of its own when
 * new_session; it reports "sent" and waits to be released, so that it is
 * still alive (and its pid meaningful) while the daemon reads. */
struct sender {
	pid_t pid;
	int release_w;
};

static struct sender child_send(bool new_session, const char *m1, const char *m2)
{
	int sent[2], release[2];
	ck_assert_int_eq(pipe2(sent, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(release, O_CLOEXEC), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		char c = 0;
		close(sent[0]);
		close(release[1]);
		if (new_session && setsid() < 0)
			_exit(10);
		if (m1 && send_dgram(m1, strlen(m1), NULL, 0) < 0)
			_exit(11);
		if (m2 && send_dgram(m2, strlen(m2), NULL, 0) < 0)
			_exit(12);
		if (write(sent[1], "s", 1) != 1)
			_exit(13);
		if (read(release[0], &c, 1) < 0)
			_exit(14);
		_exit(0);
	}
	close(sent[1]);
	close(release[0]);
	char c;
	ck_assert_int_eq(read(sent[0], &c, 1), 1);
	close(sent[0]);
	return (struct sender){ pid, release[1] };
}

static void child_release(struct sender *s)
{
	int st;
	close(s->release_w);
	ck_assert_int_eq(waitpid(s->pid, &st, 0), s->pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "sender child failed: status %d", st);
}

static const char notify_conf[] = "[service n]\ncommand = /bin/n\ntype = notify\n";

START_TEST(test_sock_ready_from_main)
{
	sock_setup(notify_conf);
	ck_assert_state("n", ST_STARTING);
	ck_assert_int_eq(S("n")->pid, getpid());
	sup_exec_result(S("n"), NULL);
	ck_assert_state("n", ST_STARTING); /* exec is not readiness for notify */

	struct stat st;
	ck_assert_int_eq(stat(sock, &st), 0);
	ck_assert(S_ISSOCK(st.st_mode));
	ck_assert_int_eq(st.st_mode & 0777, 0666);

	send_str("STATUS=warming up");
	sync_daemon();
	ck_assert_state("n", ST_STARTING);
	ck_assert_ptr_nonnull(S("n")->status_text);
	ck_assert_str_eq(S("n")->status_text, "warming up");

	send_str("READY=1\nSTATUS=serving");
	sync_daemon();
	ck_assert_state("n", ST_READY);
	ck_assert_str_eq(S("n")->status_text, "serving");

	/* later messages still count for the status, READY=1 again is harmless */
	send_str("READY=1\nSTATUS=busy\nSTOPPING=1\nERRNO=5\nWATCHDOG=1\nRELOADING=1");
	sync_daemon();
	ck_assert_state("n", ST_READY);
	ck_assert_str_eq(S("n")->status_text, "busy");
	ck_assert_ptr_nonnull(strstr(logbuf, "n: reports error 5"));
	sock_teardown();
}
END_TEST

START_TEST(test_sock_garbage_ignored)
{
	sock_setup(notify_conf);
	/* NUL bytes (with READY=1 before them), no KEY=VALUE, random bytes, an
	 * empty datagram, READY with a bad value */
	ck_assert_int_eq(send_dgram("READY=1\0", 8, NULL, 0), 8);
	ck_assert_int_eq(send_dgram("READY=1\n\0\nSTATUS=x", 18, NULL, 0), 18);
	send_str("READY");
	send_str("READY=yes\nREADY=2\nREADY=");
	ck_assert_int_eq(send_dgram("", 0, NULL, 0), 0);
	unsigned char junk[300];
	unsigned seed = 7;
	for (size_t i = 0; i < sizeof junk; i++)
		junk[i] = (unsigned char)rand_r(&seed);
	junk[0] = 0xff;
	ck_assert_int_eq(send_dgram(junk, sizeof junk, NULL, 0), (ssize_t)sizeof junk);
	sync_daemon();
	ck_assert_state("n", ST_STARTING);
	ck_assert_ptr_null(S("n")->status_text);

	/* unknown fields around READY=1 do not spoil it */
	send_str("X_UNKNOWN=1\nREADY=1\nFDSTORE=1\nlowercase=1\nno equals sign");
	sync_daemon();
	ck_assert_state("n", ST_READY);
	sock_teardown();
}
END_TEST

START_TEST(test_sock_oversize_ignored)
{
	sock_setup(notify_conf);
	char *big = malloc(70000);
	ck_assert_ptr_nonnull(big);
	memset(big, 'x', 70000);
	static const char head[] = "READY=1\nSTATUS=big\nX_PAD=";
	memcpy(big, head, strlen(head));

	/* one byte over the limit: ignored, and said so */
	ck_assert_int_eq(send_dgram(big, NOTIFY_MAX + 1, NULL, 0), NOTIFY_MAX + 1);
	/* far over it */
	ck_assert_int_eq(send_dgram(big, 65000, NULL, 0), 65000);
	sync_daemon();
	ck_assert_state("n", ST_STARTING);
	ck_assert_ptr_null(S("n")->status_text);
	char want[128];
	snprintf(want, sizeof want, "4097-byte message from pid %ld ignored (limit 4096)",
		 (long)getpid());
	ck_assert_msg(strstr(logbuf, want), "no warning '%s' in:\n%s", want, logbuf);
	/* the second within the same second is held back, and counted */
	snprintf(want, sizeof want, "65000-byte message from pid %ld ignored", (long)getpid());
	ck_assert_msg(!strstr(logbuf, want), "warning '%s' not rate-limited:\n%s", want, logbuf);
	ck_assert_uint_eq(S("n")->notify_suppressed, 1);
	/* a second later the next one is said, with the count */
	S("n")->notify_warned -= 1.0;
	ck_assert_int_eq(send_dgram(big, 65000, NULL, 0), 65000);
	sync_daemon();
	snprintf(want, sizeof want,
		 "65000-byte message from pid %ld ignored (limit 4096) (1 more notify warnings "
		 "suppressed)", (long)getpid());
	ck_assert_msg(strstr(logbuf, want), "no warning '%s' in:\n%s", want, logbuf);
	ck_assert_uint_eq(S("n")->notify_suppressed, 0);

	/* exactly at the limit: read */
	ck_assert_int_eq(send_dgram(big, NOTIFY_MAX, NULL, 0), NOTIFY_MAX);
	sync_daemon();
	ck_assert_msg(S("n")->state == ST_READY, "a %d-byte message was not read: %s; log:\n%s",
		      NOTIFY_MAX, svc_state_name(S("n")->state), logbuf);
	ck_assert_str_eq(S("n")->status_text, "big");
	free(big);
	sock_teardown();
}
END_TEST

START_TEST(test_sock_wrong_sender_main)
{
	/* notify-access = main: another process of the session (a child of the
	 * main process, as a grandchild of muster would be) does not count */
	sock_setup(notify_conf);
	struct sender c = child_send(false, "READY=1\nSTATUS=from child", "MAINPID=1");
	sync_daemon();
	ck_assert_state("n", ST_STARTING);
	ck_assert_ptr_null(S("n")->status_text);
	ck_assert_int_eq(S("n")->pid, getpid()); /* MAINPID= from it is ignored too */
	child_release(&c);

	send_str("READY=1");
	sync_daemon();
	ck_assert_state("n", ST_READY);
	sock_teardown();
}
END_TEST

START_TEST(test_sock_session_member_not_main)
{
	/* notify-access = main: a process of the service's own session (as its
	 * grandchildren are) that is not the main process does not count.  The
	 * leader of our session plays the main process. */
	pid_t leader = session_leader();
	if (!leader)
		return;
	sock_setup_main(notify_conf, leader);
	ck_assert_int_ne(S("n")->pid, getpid());
	struct sender c = child_send(false, "READY=1\nSTATUS=session member", NULL);
	send_str("READY=1\nSTATUS=also a session member");
	sync_daemon();
	ck_assert_state("n", ST_STARTING);
	ck_assert_ptr_null(S("n")->status_text);
	child_release(&c);
	sock_teardown();
}
END_TEST

START_TEST(test_sock_access_all)
{
	/* notify-access = all: any process of the service's session counts,
	 * a process of another session does not.  The service's process group
	 * (and session) is the session we run in: its leader plays the main
	 * process; this process and its children are "in the service". */
	pid_t leader = session_leader();
	if (!leader)
		return;
	sock_setup_main("[service n]\ncommand = /bin/n\ntype = notify\nnotify-access = all\n",
			leader);
	ck_assert_int_ne(S("n")->pid, getpid());
	struct sender out = child_send(true, "READY=1\nSTATUS=outsider", NULL);
	sync_daemon();
	ck_assert_state("n", ST_STARTING);
	ck_assert_ptr_null(S("n")->status_text);
	child_release(&out);

	struct sender in = child_send(false, "READY=1\nSTATUS=helper", NULL);
	sync_daemon();
	ck_assert_state("n", ST_READY);
	ck_assert_str_eq(S("n")->status_text, "helper");
	child_release(&in);
	sock_teardown();
}
END_TEST

START_TEST(test_sock_not_a_service)
{
	/* with no service running (this one stopped), nothing counts */
	sock_setup(notify_conf);
	send_str("READY=1");
	sync_daemon();
	ck_assert_state("n", ST_READY);
	ck_assert_ptr_nonnull(sup_child_exited(&sup, getpid(), 0)); /* it "exited 0" */
	ck_assert_int_ne(S("n")->state, ST_READY);
	ck_assert_int_ne(S("n")->state, ST_STARTING);
	size_t before = loglen;
	send_str("STATUS=after exit");
	sync_daemon();
	ck_assert_ptr_null(S("n")->status_text);
	/* dropped without a word: any local user can write to the socket */
	ck_assert_msg(loglen == before, "a message from no service was logged: %s",
		      logbuf + before);
	sock_teardown();
}
END_TEST

START_TEST(test_sock_mainpid_moves)
{
	/* MAINPID= from the main process hands the role to another process:
	 * its messages count from then on, the old main's no longer do */
	sock_setup(notify_conf);
	int release[2];
	ck_assert_int_eq(pipe2(release, O_CLOEXEC), 0);
	pid_t kid = fork();
	ck_assert_int_ge(kid, 0);
	if (kid == 0) {
		char c;
		close(release[1]);
		if (read(release[0], &c, 1) < 0)
			_exit(1);
		_exit(send_dgram("READY=1\nSTATUS=new main", 23, NULL, 0) == 23 ? 0 : 2);
	}
	close(release[0]);
	char msg[64];
	snprintf(msg, sizeof msg, "MAINPID=%ld", (long)kid);
	send_str(msg);
	sync_daemon();
	ck_assert_int_eq(S("n")->pid, kid);
	ck_assert_ptr_eq(sup_find_pid(&sup, kid), S("n"));

	send_str("READY=1\nSTATUS=old main");
	sync_daemon();
	ck_assert_state("n", ST_STARTING);
	ck_assert_ptr_null(S("n")->status_text);

	/* the new main process sends, and is alive while that is read: it
	 * exits only after we read its message */
	ck_assert_int_eq(write(release[1], "g", 1), 1);
	close(release[1]);
	for (int i = 0; i < 5000 && S("n")->state != ST_READY; i++) {
		ev_run(loop, EVRUN_NOWAIT);
		usleep(1000);
	}
	ck_assert_state("n", ST_READY);
	ck_assert_str_eq(S("n")->status_text, "new main");
	int st;
	ck_assert_int_eq(waitpid(kid, &st, 0), kid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	sock_teardown();
}
END_TEST

START_TEST(test_sock_ready_needs_type_notify)
{
	/* READY=1 makes only a type = notify service ready; a simple service
	 * with a probe waits for its probe (STATUS= still counts) */
	sock_setup("[service s]\ncommand = /bin/s\nready-fd = 5\n[service n]\ncommand = /bin/n\n"
		   "type = notify\nafter = s\n");
	ck_assert_state("s", ST_STARTING);
	sup_exec_result(S("s"), NULL);
	send_str("READY=1\nSTATUS=simple");
	sync_daemon();
	ck_assert_state("s", ST_STARTING);
	ck_assert_str_eq(S("s")->status_text, "simple");
	sock_teardown();
}
END_TEST

START_TEST(test_sock_fds_closed)
{
	/* every descriptor passed with a message is closed: from the main
	 * process, from a sender that does not count, with an oversize
	 * message, with garbage, and more than the daemon has room for */
	sock_setup(notify_conf);
	struct pipes p;

	pipes_open(&p, 3);
	ck_assert_int_eq(send_dgram("STATUS=three fds", 16, p.w, 3), 16);
	pipes_sent(&p);
	pump_until_closed(&p);
	pipes_close(&p);
	ck_assert_str_eq(S("n")->status_text, "three fds");

	pipes_open(&p, 2);
	ck_assert_int_eq(send_dgram("\0\0garbage", 9, p.w, 2), 9);
	pipes_sent(&p);
	pump_until_closed(&p);
	pipes_close(&p);

	char *big = calloc(1, NOTIFY_MAX + 100);
	ck_assert_ptr_nonnull(big);
	memset(big, 'y', NOTIFY_MAX + 100);
	memcpy(big, "READY=1\nX=", 10);
	pipes_open(&p, 2);
	ck_assert_int_eq(send_dgram(big, NOTIFY_MAX + 100, p.w, 2), NOTIFY_MAX + 100);
	pipes_sent(&p);
	pump_until_closed(&p);
	pipes_close(&p);
	free(big);
	ck_assert_state("n", ST_STARTING);

	pipes_open(&p, 200);
	ck_assert_int_eq(send_dgram("BARRIER=1", 9, p.w, 200), 9);
	pipes_sent(&p);
	pump_until_closed(&p);
	pipes_close(&p);

	/* from a process of another session (not counted): still closed */
	int fds[2];
	ck_assert_int_eq(pipe2(fds, O_CLOEXEC), 0);
	pid_t kid = fork();
	ck_assert_int_ge(kid, 0);
	if (kid == 0) {
		setsid();
		close(fds[0]);
		_exit(send_dgram("READY=1", 7, &fds[1], 1) == 7 ? 0 : 1);
	}
	close(fds[1]);
	int st;
	ck_assert_int_eq(waitpid(kid, &st, 0), kid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	p.n = 1;
	p.r[0] = fds[0];
	pump_until_closed(&p);
	pipes_close(&p);
	ck_assert_state("n", ST_STARTING);

	/* nothing of all that stayed open here */
	sync_daemon();
	sock_teardown();
}
END_TEST

START_TEST(test_sock_burst)
{
	/* more datagrams at once than one callback reads (64): all are read */
	sock_setup(notify_conf);
	for (int i = 0; i < 200; i++) {
		char msg[32];
		int n = snprintf(msg, sizeof msg, "STATUS=%d", i);
		/* the socket's queue is short: send_dgram() reads while sending */
		ck_assert_int_eq(send_dgram(msg, (size_t)n, NULL, 0), n);
	}
	send_str("READY=1");
	sync_daemon();
	ck_assert_state("n", ST_READY);
	ck_assert_str_eq(S("n")->status_text, "199");
	sock_teardown();
}
END_TEST

/* A child that waits until the pipe's write end is closed (or 30 s). */
static pid_t idle_child(int *release)
{
	int p[2];
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	pid_t kid = fork();
	ck_assert_int_ge(kid, 0);
	if (kid == 0) {
		close(p[1]);
		struct pollfd pf = { p[0], POLLIN, 0 };
		poll(&pf, 1, 30000);
		_exit(0);
	}
	close(p[0]);
	*release = p[1];
	return kid;
}

static void reap(pid_t kid, int release)
{
	close(release);
	ck_assert_int_eq(waitpid(kid, NULL, 0), kid);
}

START_TEST(test_mainpid_refusals)
{
	/* the one gate for MAINPID=: "muster" here is this test process */
	sock_setup("[service a]\ncommand = /bin/a\ntype = notify\n"
		   "[service b]\ncommand = /bin/b\ntype = notify\n");
	struct service *a = S("a");
	const char *why;

	ck_assert_str_eq(notify_mainpid_refusal(&sup, a, getpid(), 0), "it is muster itself");
	ck_assert_str_eq(notify_mainpid_refusal(&sup, a, 1, 0), "it is PID 1");
	/* not a descendant: our parent, the host's processes */
	why = notify_mainpid_refusal(&sup, a, getppid(), 0);
	ck_assert_msg(why && !strcmp(why, "it is not a process muster started"), "%s",
		      why ? why : "accepted");

	/* a child of ours: accepted, also from a sender of its own uid */
	int rel;
	pid_t kid = idle_child(&rel);
	ck_assert_ptr_null(notify_mainpid_refusal(&sup, a, kid, 0));
	ck_assert_ptr_null(notify_mainpid_refusal(&sup, a, kid, getuid()));
	/* a sender of another uid could not signal it: refused */
	if (getuid() != 65534)
		ck_assert_str_eq(notify_mainpid_refusal(&sup, a, kid, 65534),
				 "it belongs to another user");
	/* another service's main process */
	S("b")->pid = kid;
	ck_assert_str_eq(notify_mainpid_refusal(&sup, a, kid, 0),
			 "it is the main process of another service");
	ck_assert_ptr_null(notify_mainpid_refusal(&sup, S("b"), kid, 0));
	S("b")->pid = getpid();
	reap(kid, rel);
	/* gone */
	ck_assert_str_eq(notify_mainpid_refusal(&sup, a, kid, 0), "no such process");
	sock_teardown();
}
END_TEST

START_TEST(test_mainpid_orphan_of_service)
{
	/* the forking daemon: the first process forks and exits; its child,
	 * reparented to muster (the subreaper), may be named */
	ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	sock_setup(notify_conf);
	int p[2];
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	int pidpipe[2];
	ck_assert_int_eq(pipe(pidpipe), 0);
	pid_t first = fork();
	ck_assert_int_ge(first, 0);
	if (first == 0) {
		pid_t grand = fork();
		if (grand == 0) {
			close(p[1]);
			struct pollfd pf = { p[0], POLLIN, 0 };
			poll(&pf, 1, 30000);
			_exit(0);
		}
		_exit(write(pidpipe[1], &grand, sizeof grand) == sizeof grand ? 0 : 1);
	}
	close(p[0]);
	close(pidpipe[1]);
	pid_t grand = 0;
	ck_assert_int_eq(read(pidpipe[0], &grand, sizeof grand), (ssize_t)sizeof grand);
	close(pidpipe[0]);
	ck_assert_int_eq(waitpid(first, NULL, 0), first);
	const char *why = notify_mainpid_refusal(&sup, S("n"), grand, 0);
	ck_assert_msg(why == NULL, "the orphan %ld refused: %s", (long)grand, why);
	close(p[1]);
	ck_assert_int_eq(waitpid(grand, NULL, 0), grand);
	sock_teardown();
}
END_TEST

static Suite *notify_suite(void)
{
	Suite *s = suite_create("notify");
	TCase *tc;

	tc = tcase_create("parse");
	tcase_add_test(tc, test_parse_ready);
	tcase_add_test(tc, test_parse_all_fields);
	tcase_add_test(tc, test_parse_status);
	tcase_add_test(tc, test_parse_status_truncated);
	tcase_add_test(tc, test_parse_unknown_fields);
	tcase_add_test(tc, test_parse_bad_values);
	tcase_add_test(tc, test_parse_garbage);
	tcase_add_test(tc, test_parse_resets_result);
	tcase_add_test(tc, test_parse_length_bound);
	tcase_add_test(tc, test_parse_large);
	tcase_add_test(tc, test_parse_random_bytes);
	suite_add_tcase(s, tc);

	tc = tcase_create("socket");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_sock_ready_from_main);
	tcase_add_test(tc, test_sock_garbage_ignored);
	tcase_add_test(tc, test_sock_oversize_ignored);
	tcase_add_test(tc, test_sock_wrong_sender_main);
	tcase_add_test(tc, test_sock_session_member_not_main);
	tcase_add_test(tc, test_sock_access_all);
	tcase_add_test(tc, test_sock_not_a_service);
	tcase_add_test(tc, test_sock_mainpid_moves);
	tcase_add_test(tc, test_sock_ready_needs_type_notify);
	tcase_add_test(tc, test_sock_fds_closed);
	tcase_add_test(tc, test_sock_burst);
	tcase_add_test(tc, test_mainpid_refusals);
	tcase_add_test(tc, test_mainpid_orphan_of_service);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(notify_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
