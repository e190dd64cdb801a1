/* The control socket: accepting musterctl's connections, one request line
 * each, dispatched by name through the commands' table; limits, timeouts.
 *
 * The socket is made the way OpenSMTPD makes its own: refuse to start when
 * a live daemon answers on the path, replace a stale file, bind under a
 * umask so that it is never reachable by others, chmod 0600, and check
 * each peer's credentials (root or our own uid).  When descriptors run out,
 * accepting pauses until a client leaves (or a second has passed).
 *
 * A client is one connection and one request, in phases:
 *
 *   read  --request-->  [wait]  --settled-->  write  --sent-->  drain  --EOF--> closed
 *                       [stream] --ended---->
 *
 *   read   the request line must arrive within CONTROL_READ_TIMEOUT and
 *          fit in PROTO_MAX_REQUEST bytes;
 *   wait   a held request (`wait`): the answer comes when a
 *          control_recheck() settles it (or its timeout passes); EOF from
 *          the client ends it;
 *   stream a streamed answer (`logs`): data lines written as the socket
 *          takes them, more asked of the command each time all is sent,
 *          with no deadline (a follower may wait for lines for days); EOF
 *          from the client ends it, and the command's end of the answer
 *          moves it to write;
 *   write  the reply is queued whole and written as the socket takes it;
 *          no progress for CONTROL_WRITE_TIMEOUT drops the client;
 *   drain  our side is shut down; what the client still sends is read and
 *          thrown away until it closes (so that it sees our answer, not a
 *          reset), for at most CONTROL_DRAIN_TIMEOUT.
 *
 * Nothing a client does blocks the loop or reaches beyond its own struct
 * client: the worst it can do is be dropped.
 */
#include "control.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"

#define CONTROL_BACKLOG 256
#define CONTROL_MAX_CLIENTS 512
#define CONTROL_READ_TIMEOUT 10.0   /* to send the whole request */
#define CONTROL_WRITE_TIMEOUT 10.0  /* without reading any of the reply */
#define CONTROL_DRAIN_TIMEOUT 5.0   /* to close after the reply */
#define CONTROL_RESUME_DELAY 1.0    /* retry accepting after EMFILE */
#define CONTROL_ACCEPT_BURST 64     /* connections accepted per wakeup */

enum phase { PH_READ, PH_WAIT, PH_STREAM, PH_WRITE, PH_DRAIN };

#define STREAM_ROUNDS 2             /* fills per wakeup: one client cannot hog the loop */
#define STREAM_CLOSE_TIMEOUT 1.0    /* at exit: for every stream's last lines */

struct client {
	struct client *prev, *next;
	int fd;
	uid_t uid;
	pid_t pid;
	enum phase phase;
	char in[PROTO_MAX_REQUEST + 1];
	size_t inlen;
	struct pbuf out;
	ev_io w_io;             /* read or write, by phase */
	ev_timer w_deadline;    /* the phase's timeout */
	ev_timer w_wait;        /* a held request's own timeout */
	const struct control_hold *hold; /* a held request: how it settles */
	void *hold_arg;
	const struct control_stream *stream; /* a streamed answer */
	void *stream_arg;
};

static struct {
	struct ev_loop *loop;
	const struct control_command *commands;
	char *path;
	int fd;
	dev_t dev;
	ino_t ino;
	ev_io w_accept;
	ev_timer w_resume;
	bool starved;           /* out of descriptors, until the queue is drained */
	struct client *clients;
	size_t nclients;
} ctl = { .fd = -1 };

char *control_socket_path(const char *configured)
{
	return proto_socket_path(configured);
}

/* ---- clients: lifetime and I/O ------------------------------------------------ */

static void client_free(struct client *c)
{
	ev_io_stop(ctl.loop, &c->w_io);
	ev_timer_stop(ctl.loop, &c->w_deadline);
	ev_timer_stop(ctl.loop, &c->w_wait);
	close(c->fd);
	if (c->prev)
		c->prev->next = c->next;
	else
		ctl.clients = c->next;
	if (c->next)
		c->next->prev = c->prev;
	ctl.nclients--;
	if (c->hold)
		c->hold->free(c->hold_arg);
	if (c->stream)
		c->stream->free(c->stream_arg);
	pbuf_free(&c->out);
	free(c);

	/* a descriptor came back: accept again if we had paused */
	if (ctl.fd >= 0 && !ev_is_active(&ctl.w_accept)) {
		ev_timer_stop(ctl.loop, &ctl.w_resume);
		ev_io_start(ctl.loop, &ctl.w_accept);
	}
}

/* Watch the client's fd for events and (re)arm the phase deadline. */
static void set_phase(struct client *c, enum phase ph, int events, double timeout)
{
	c->phase = ph;
	ev_io_stop(ctl.loop, &c->w_io);
	ev_io_set(&c->w_io, c->fd, events);
	ev_io_start(ctl.loop, &c->w_io);
	ev_timer_stop(ctl.loop, &c->w_deadline);
	if (timeout > 0) {
		ev_timer_set(&c->w_deadline, timeout, 0);
		ev_timer_start(ctl.loop, &c->w_deadline);
	}
}

void control_finish(struct client *c, const char *kind, const char *text)
{
	ev_timer_stop(ctl.loop, &c->w_wait);
	proto_line(&c->out, kind, text);
	set_phase(c, PH_WRITE, EV_WRITE, CONTROL_WRITE_TIMEOUT);
}

void control_finishf(struct client *c, const char *kind, const char *fmt, ...)
{
	struct pbuf t = { 0 };
	va_list ap;
	va_start(ap, fmt);
	pbuf_vprintf(&t, fmt, ap);
	va_end(ap);
	control_finish(c, kind, t.data ? t.data : "");
	pbuf_free(&t);
}

struct pbuf *control_reply(struct client *c)
{
	return &c->out;
}

uid_t control_peer_uid(const struct client *c)
{
	return c->uid;
}

pid_t control_peer_pid(const struct client *c)
{
	return c->pid;
}

void control_hold(struct client *c, const struct control_hold *hold, void *arg, double timeout)
{
	c->hold = hold;
	c->hold_arg = arg;
	set_phase(c, PH_WAIT, EV_READ, 0);
	if (timeout >= 0) {
		ev_timer_set(&c->w_wait, timeout, 0);
		ev_timer_start(ctl.loop, &c->w_wait);
	}
}

void control_stream(struct client *c, const struct control_stream *stream, void *arg)
{
	c->stream = stream;
	c->stream_arg = arg;
	c->phase = PH_STREAM;
	ev_timer_stop(ctl.loop, &c->w_deadline);
	control_stream_more(c);
}

void control_stream_more(struct client *c)
{
	if (c->phase != PH_STREAM)
		return;
	ev_io_stop(ctl.loop, &c->w_io);
	ev_io_set(&c->w_io, c->fd, EV_READ | EV_WRITE);
	ev_io_start(ctl.loop, &c->w_io);
}

static void on_writable(struct client *c);

/* Send what the stream has, filling it again as long as the socket takes
 * it (a bounded number of times). */
static void stream_pump(struct client *c)
{
	for (int round = 0; round < STREAM_ROUNDS; round++) {
		if (!c->out.len) {
			c->stream->fill(c, c->stream_arg, &c->out);
			if (c->phase != PH_STREAM) {
				on_writable(c); /* the answer ended: its last lines */
				return;
			}
			if (!c->out.len) {
				/* nothing for now: wait for more, or for the client
				 * to hang up */
				ev_io_stop(ctl.loop, &c->w_io);
				ev_io_set(&c->w_io, c->fd, EV_READ);
				ev_io_start(ctl.loop, &c->w_io);
				return;
			}
		}
		ssize_t n = send(c->fd, c->out.data, c->out.len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return; /* EV_WRITE stays */
		if (n < 0) {
			client_free(c);
			return;
		}
		pbuf_consume(&c->out, (size_t)n);
		if (c->out.len)
			return;
	}
	/* its share of this wakeup is used: EV_WRITE stays, for more */
}

static void client_wait_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct client *c = w->data;
	(void)loop, (void)revents;

	if (c->phase != PH_WAIT)
		return;
	c->hold->expired(c, c->hold_arg);
}

static void handle_request(struct client *c, char *line, size_t len);

static void on_readable(struct client *c)
{
	char scratch[65536];
	ssize_t n;

	if (c->phase != PH_READ) {
		/* wait or drain: the request is in; only EOF matters now */
		n = recv(c->fd, scratch, sizeof scratch, 0);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			client_free(c);
		return;
	}
	n = recv(c->fd, c->in + c->inlen, PROTO_MAX_REQUEST - c->inlen, 0);
	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			client_free(c);
		return;
	}
	if (n == 0) {
		/* EOF: a request without its newline still counts */
		if (c->inlen == 0) {
			client_free(c);
			return;
		}
		c->in[c->inlen] = '\0';
		handle_request(c, c->in, c->inlen);
		return;
	}
	char *nl = memchr(c->in + c->inlen, '\n', (size_t)n);
	c->inlen += (size_t)n;
	if (nl) {
		*nl = '\0';
		handle_request(c, c->in, (size_t)(nl - c->in));
	} else if (c->inlen == PROTO_MAX_REQUEST) {
		log_warn("control: request too long from pid %ld (uid %u): dropped",
			 (long)c->pid, (unsigned)c->uid);
		control_finishf(c, "error", "request too long (the limit is %d bytes)",
				PROTO_MAX_REQUEST);
	}
}

static void on_writable(struct client *c)
{
	while (c->out.len) {
		ssize_t n = send(c->fd, c->out.data, c->out.len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			client_free(c); /* gone mid-answer: EPIPE, ECONNRESET */
			return;
		}
		pbuf_consume(&c->out, (size_t)n);
		ev_timer_stop(ctl.loop, &c->w_deadline);
		ev_timer_set(&c->w_deadline, CONTROL_WRITE_TIMEOUT, 0);
		ev_timer_start(ctl.loop, &c->w_deadline);
	}
	if (c->out.len)
		return;
	shutdown(c->fd, SHUT_WR);
	set_phase(c, PH_DRAIN, EV_READ, CONTROL_DRAIN_TIMEOUT);
}

static void client_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct client *c = w->data;
	(void)loop;
	if (c->phase == PH_STREAM) {
		if (revents & EV_READ) {
			char scratch[4096];
			ssize_t n = recv(c->fd, scratch, sizeof scratch, 0);
			if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
				client_free(c); /* hung up: the stream ends */
				return;
			}
		}
		if (revents & EV_WRITE)
			stream_pump(c);
		return;
	}
	if (c->phase == PH_WRITE && (revents & EV_WRITE))
		on_writable(c);
	else if (revents & EV_READ)
		on_readable(c);
}

static void client_deadline_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct client *c = w->data;
	(void)loop, (void)revents;
	if (c->phase == PH_READ) {
		log_debug("control: pid %ld sent no request in %gs: dropped", (long)c->pid,
			  CONTROL_READ_TIMEOUT);
		control_finishf(c, "error", "no request within %gs", CONTROL_READ_TIMEOUT);
		return;
	}
	if (c->phase == PH_WRITE)
		log_debug("control: pid %ld read nothing of its reply in %gs: dropped",
			  (long)c->pid, CONTROL_WRITE_TIMEOUT);
	client_free(c);
}

static void handle_request(struct client *c, char *line, size_t len)
{
	struct proto_request req;
	char err[256];

	/* the request is in: stop reading it; wait and drain read again */
	ev_timer_stop(ctl.loop, &c->w_deadline);
	c->phase = PH_WRITE;
	if (proto_parse_request(line, len, &req, err, sizeof err) < 0) {
		log_debug("control: bad request from pid %ld: %s", (long)c->pid, err);
		control_finish(c, "error", err);
		return;
	}
	for (const struct control_command *k = ctl.commands; k->name; k++)
		if (!strcmp(req.cmd, k->name)) {
			log_debug("control: %s from uid %u, pid %ld", req.cmd, (unsigned)c->uid,
				  (long)c->pid);
			k->run(c, &req);
			return;
		}
	control_finishf(c, "error", "unknown command '%.64s'", req.cmd);
}

/* ---- the listening socket ----------------------------------------------------- */

static void accept_one(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof cred;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
		log_warn_errno("control: cannot read a client's credentials");
		close(fd);
		return;
	}
	if (ctl.nclients >= CONTROL_MAX_CLIENTS) {
		static const char msg[] = "error too many clients; try again\n";
		ssize_t w = send(fd, msg, sizeof msg - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
		(void)w;
		close(fd);
		return;
	}
	struct client *c = calloc(1, sizeof *c);
	if (!c) {
		close(fd);
		return;
	}
	c->fd = fd;
	c->uid = cred.uid;
	c->pid = cred.pid;
	ev_io_init(&c->w_io, client_io_cb, fd, EV_READ);
	c->w_io.data = c;
	ev_timer_init(&c->w_deadline, client_deadline_cb, 0, 0);
	c->w_deadline.data = c;
	ev_timer_init(&c->w_wait, client_wait_cb, 0, 0);
	c->w_wait.data = c;
	c->next = ctl.clients;
	if (ctl.clients)
		ctl.clients->prev = c;
	ctl.clients = c;
	ctl.nclients++;

	if (cred.uid != 0 && cred.uid != geteuid()) {
		log_warn("control: refused pid %ld of uid %u (only root and uid %u may connect)",
			 (long)cred.pid, (unsigned)cred.uid, (unsigned)geteuid());
		control_finishf(c, "error", "permission denied: uid %u may not control this muster "
			"(only root and uid %u may)", (unsigned)cred.uid, (unsigned)geteuid());
		return;
	}
	set_phase(c, PH_READ, EV_READ, CONTROL_READ_TIMEOUT);
}

static void accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)revents;
	for (int i = 0; i < CONTROL_ACCEPT_BURST; i++) {
		int fd = accept4(w->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0) {
			accept_one(fd);
			continue;
		}
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
			/* out of descriptors: pause until a client leaves or a second passes */
			if (!ctl.starved)
				log_warn_errno("control: cannot accept a connection; pausing");
			ctl.starved = true;
			ev_io_stop(loop, w);
			ev_timer_set(&ctl.w_resume, CONTROL_RESUME_DELAY, 0);
			ev_timer_start(loop, &ctl.w_resume);
		} else if (errno == EAGAIN) {
			/* the queue is drained without running out: the episode is over */
			if (ctl.starved)
				log_info("control: accepting connections again");
			ctl.starved = false;
		} else {
			log_warn_errno("control: accept");
		}
		return;
	}
}

static void resume_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)w, (void)revents;
	if (ctl.fd >= 0)
		ev_io_start(loop, &ctl.w_accept);
}

/* Make path free for our socket: absent, or a stale socket (nobody answers
 * on it), which is removed.  A live socket or any other file: -1. */
static int claim_path(const char *path, const struct sockaddr_un *sun)
{
	struct stat st;

	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		log_error_errno("control socket %s", path);
		return -1;
	}
	if (!S_ISSOCK(st.st_mode)) {
		log_error("control socket %s: the path exists and is not a socket; not touching it",
			  path);
		return -1;
	}
	int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (probe < 0) {
		log_error_errno("control socket %s: socket", path);
		return -1;
	}
	int r = connect(probe, (const struct sockaddr *)sun, sizeof *sun);
	int e = errno;
	close(probe);
	if (r == 0 || e == EAGAIN || e == EINPROGRESS) {
		log_error("control socket %s is in use: another muster is running", path);
		return -1;
	}
	if (e != ECONNREFUSED) {
		errno = e;
		log_error_errno("control socket %s: cannot tell whether it is in use", path);
		return -1;
	}
	log_info("removing the stale control socket %s", path);
	if (unlink(path) < 0 && errno != ENOENT) {
		log_error_errno("control socket %s: cannot remove the stale socket", path);
		return -1;
	}
	return 0;
}

int control_init(struct ev_loop *loop, const char *path, const struct control_command *commands)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct stat st;

	if (strlen(path) >= sizeof sun.sun_path) {
		log_error("control socket %s: the path is too long (at most %zu bytes)", path,
			  sizeof sun.sun_path - 1);
		return -1;
	}
	strcpy(sun.sun_path, path);
	if (claim_path(path, &sun) < 0)
		return -1;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		log_error_errno("control socket %s: socket", path);
		return -1;
	}
	/* never reachable by others, not even between bind and chmod */
	mode_t old = umask(0177);
	int r = bind(fd, (struct sockaddr *)&sun, sizeof sun);
	umask(old);
	if (r < 0) {
		log_error_errno("control socket %s: bind", path);
		close(fd);
		return -1;
	}
	if (chmod(path, 0600) < 0 || listen(fd, CONTROL_BACKLOG) < 0 || lstat(path, &st) < 0) {
		log_error_errno("control socket %s", path);
		unlink(path);
		close(fd);
		return -1;
	}

	ctl.loop = loop;
	ctl.commands = commands;
	ctl.fd = fd;
	ctl.dev = st.st_dev;
	ctl.ino = st.st_ino;
	if (!(ctl.path = strdup(path))) {
		control_close();
		return -1;
	}
	ev_io_init(&ctl.w_accept, accept_cb, fd, EV_READ);
	ev_io_start(loop, &ctl.w_accept);
	ev_timer_init(&ctl.w_resume, resume_cb, 0, 0);
	log_debug("control socket: %s", path);
	return 0;
}

void control_recheck(void)
{
	/* a check never frees a client, so the list holds still */
	for (struct client *c = ctl.clients; c; c = c->next)
		if (c->phase == PH_WAIT)
			c->hold->check(c, c->hold_arg);
}

void control_close(void)
{
	struct stat st;

	if (ctl.fd < 0)
		return;
	ev_io_stop(ctl.loop, &ctl.w_accept);
	ev_timer_stop(ctl.loop, &ctl.w_resume);
	close(ctl.fd);
	ctl.fd = -1;
	/* remove the file only if it is still ours */
	if (ctl.path && lstat(ctl.path, &st) == 0 && st.st_dev == ctl.dev && st.st_ino == ctl.ino)
		unlink(ctl.path);
	/* streams: what they still have, within a second for all of them */
	double until = ev_time() + STREAM_CLOSE_TIMEOUT;
	for (struct client *c = ctl.clients; c; c = c->next) {
		if (c->phase != PH_STREAM)
			continue;
		for (;;) {
			if (!c->out.len)
				c->stream->fill(c, c->stream_arg, &c->out);
			if (!c->out.len || c->phase != PH_STREAM)
				break;
			struct pollfd p = { .fd = c->fd, .events = POLLOUT };
			int ms = (int)((until - ev_time()) * 1000);
			if (ms <= 0 || poll(&p, 1, ms) <= 0)
				break;
			ssize_t n = send(c->fd, c->out.data, c->out.len, MSG_NOSIGNAL | MSG_DONTWAIT);
			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				continue;
			if (n <= 0)
				break;
			pbuf_consume(&c->out, (size_t)n);
		}
		if (c->phase == PH_STREAM && !c->out.len) {
			proto_line(&c->out, "ok", NULL); /* muster exits: the stream ends */
			c->phase = PH_WRITE;
		}
	}
	/* last words, best effort: what is queued, and why a wait ends */
	while (ctl.clients) {
		struct client *c = ctl.clients;
		if (c->phase == PH_WAIT)
			proto_line(&c->out, "fail", "muster is shutting down");
		if (c->phase == PH_WAIT || c->phase == PH_WRITE) {
			ssize_t w = send(c->fd, c->out.data, c->out.len, MSG_NOSIGNAL | MSG_DONTWAIT);
			(void)w;
		}
		client_free(c);
	}
	free(ctl.path);
	ctl.path = NULL;
}
