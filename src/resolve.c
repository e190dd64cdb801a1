/* Name lookups in a child process, answered through the event loop.
 */
#include "resolve.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>


struct resolve {
	struct ev_loop *loop;
	pid_t pid;
	ev_io w;
	resolve_cb cb;
	void *arg;
	struct resolve_result res;
	size_t got;             /* bytes of res read so far */
	struct resolve *next;
};

static struct resolve *lookups; /* under way, for resolve_reaped() */

static void unlink_lookup(struct resolve *r)
{
	struct resolve **pp = &lookups;
	while (*pp && *pp != r)
		pp = &(*pp)->next;
	if (*pp)
		*pp = r->next;
}

bool resolve_reaped(pid_t pid)
{
	for (struct resolve *r = lookups; r; r = r->next)
		if (r->pid == pid) {
			r->pid = 0; /* never signalled again: the pid may be reused */
			return true;
		}
	return false;
}

unsigned long resolve_children;

static int lookup(const char *host, const char *port, int flags, struct resolve_result *r)
{
	struct addrinfo hints = {
		.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV | flags,
	}, *ai = NULL;

	memset(r, 0, sizeof *r);
	int e = getaddrinfo(host, port, &hints, &ai);
	if (e) {
		r->gai_err = e;
		r->sys_err = e == EAI_SYSTEM ? errno : 0;
		return -1;
	}
	for (struct addrinfo *a = ai; a && r->n < RESOLVE_MAX; a = a->ai_next) {
		if (a->ai_addrlen > sizeof r->a[0].sa)
			continue;
		r->a[r->n].len = a->ai_addrlen;
		memcpy(&r->a[r->n].sa, a->ai_addr, a->ai_addrlen);
		r->n++;
	}
	freeaddrinfo(ai);
	if (!r->n) {
		r->gai_err = EAI_NONAME;
		return -1;
	}
	return 0;
}

int resolve_numeric(const char *host, const char *port, struct resolve_result *r)
{
	if (lookup(host, port, AI_NUMERICHOST, r) == 0)
		return 0;
	/* EAI_NONAME from AI_NUMERICHOST: a name */
	return r->gai_err == EAI_NONAME ? -1 : 0;
}

const char *resolve_error(const struct resolve_result *r)
{
	if (r->gai_err == EAI_SYSTEM || (!r->gai_err && r->sys_err))
		return strerror(r->sys_err);
	return r->gai_err ? gai_strerror(r->gai_err) : "no address";
}

static void finish(struct resolve *r, bool complete)
{
	unlink_lookup(r);
	if (r->pid > 0)
		kill(r->pid, SIGKILL); /* done with it (it exits by itself anyway) */
	ev_io_stop(r->loop, &r->w);
	close(r->w.fd);
	if (!complete) {
		memset(&r->res, 0, sizeof r->res);
		r->res.gai_err = EAI_SYSTEM;
		r->res.sys_err = EPIPE; /* the child died without an answer */
	}
	/* the child has exited (or is about to): reaped as any other */
	resolve_cb cb = r->cb;
	void *arg = r->arg;
	struct resolve_result res = r->res;
	free(r);
	cb(arg, &res);
}

static void pipe_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct resolve *r = w->data;
	(void)loop, (void)revents;
	ssize_t n = read(w->fd, (char *)&r->res + r->got, sizeof r->res - r->got);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0) {
		r->got += (size_t)n;
		if (r->got < sizeof r->res)
			return;
		finish(r, true);
		return;
	}
	finish(r, false);
}

struct resolve *resolve_start(struct ev_loop *loop, const char *host, const char *port,
			      resolve_cb cb, void *arg)
{
	int p[2];
	struct resolve *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	if (pipe2(p, O_CLOEXEC) < 0) {
		free(r);
		return NULL;
	}
	/* a real fork: the lookup allocates, reads files, opens sockets */
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(p[0]);
		close(p[1]);
		free(r);
		errno = e;
		return NULL;
	}
	if (pid == 0) {
		/* the child: nothing of the daemon's but the pipe; dies with it */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		int fd = p[1];
		if (fd != 3 && dup2(fd, 3) < 0)
			_exit(1);
		close_range(4, ~0U, 0);
		struct resolve_result res;
		lookup(host, port, 0, &res);
		ssize_t w = write(3, &res, sizeof res); /* < PIPE_BUF: at once */
		(void)w;
		_exit(0);
	}
	resolve_children++;
	close(p[1]);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	r->loop = loop;
	r->pid = pid;
	r->cb = cb;
	r->arg = arg;
	ev_io_init(&r->w, pipe_cb, p[0], EV_READ);
	r->w.data = r;
	ev_io_start(loop, &r->w);
	r->next = lookups;
	lookups = r;
	return r;
}

void resolve_cancel(struct resolve *r)
{
	if (!r)
		return;
	unlink_lookup(r);
	if (r->pid > 0)
		kill(r->pid, SIGKILL); /* reaped as any other child */
	ev_io_stop(r->loop, &r->w);
	close(r->w.fd);
	free(r);
}
