/* Readiness probes: ready-fd, ready-tcp and ready-check, each attempt
 * bounded and retried every ready-interval, from the event loop.
 */
#include "probe.h"

#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "proc.h"

struct probe {
	struct service *svc;
	ev_io w_fd;             /* ready-fd pipe; fd -1 when none */
	ev_io w_tcp;            /* a connect in progress; fd -1 when none */
	ev_timer w_next;        /* the next attempt */
	ev_timer w_attempt;     /* the bound of the current attempt */
	pid_t check_pid;
	struct addrinfo *ai, *cur;
	struct probe *next;
};

static struct ev_loop *probe_loop;
static struct probe *probes;

void probe_init(struct ev_loop *loop)
{
	probe_loop = loop;
}

static double attempt_bound(const struct svc_conf *c)
{
	return c->ready_interval > 5 ? c->ready_interval : 5;
}

static void schedule_next(struct probe *p)
{
	ev_timer_stop(probe_loop, &p->w_attempt);
	ev_timer_set(&p->w_next, p->svc->conf->ready_interval, 0);
	ev_timer_start(probe_loop, &p->w_next);
}

static void tcp_close(struct probe *p)
{
	if (p->w_tcp.fd >= 0) {
		ev_io_stop(probe_loop, &p->w_tcp);
		close(p->w_tcp.fd);
		p->w_tcp.fd = -1;
	}
}

/* Passed: the service is ready.  Its state change calls probe_stop(),
 * which frees p: touch nothing after this. */
static void passed(struct probe *p, const char *how)
{
	sup_ready(p->svc, how);
}

static void tcp_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct probe *p = w->data;
	int err = 0;
	socklen_t len = sizeof err;
	(void)loop, (void)revents;

	if (getsockopt(w->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	tcp_close(p);
	if (!err) {
		passed(p, "ready-tcp");
		return;
	}
	log_debug("%s: ready-tcp: %s", p->svc->conf->name, strerror(err));
	schedule_next(p);
}

static void tcp_attempt(struct probe *p)
{
	const struct svc_conf *c = p->svc->conf;

	if (!p->ai) {
		/* numeric only (the config checked it): never a DNS wait here */
		struct addrinfo hints = {
			.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV | AI_NUMERICHOST,
		};
		const char *host = strcmp(c->ready_tcp_host, "localhost") ? c->ready_tcp_host
									  : "127.0.0.1";
		int r = getaddrinfo(host, c->ready_tcp_port, &hints, &p->ai);
		if (r) {
			log_warn("%s: ready-tcp: cannot resolve %s: %s", c->name, c->ready_tcp_host,
				 gai_strerror(r));
			p->ai = NULL;
			schedule_next(p);
			return;
		}
		p->cur = p->ai;
	}
	struct addrinfo *a = p->cur;
	p->cur = p->cur->ai_next ? p->cur->ai_next : p->ai; /* the next attempt tries the next */
	int fd = socket(a->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		log_warn_errno("%s: ready-tcp: socket", c->name);
		schedule_next(p);
		return;
	}
	if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
		close(fd);
		passed(p, "ready-tcp");
		return;
	}
	if (errno != EINPROGRESS) {
		log_debug("%s: ready-tcp: %s", c->name, strerror(errno));
		close(fd);
		schedule_next(p);
		return;
	}
	ev_io_set(&p->w_tcp, fd, EV_WRITE);
	ev_io_start(probe_loop, &p->w_tcp);
	ev_timer_set(&p->w_attempt, attempt_bound(c), 0);
	ev_timer_start(probe_loop, &p->w_attempt);
}

static void check_attempt(struct probe *p)
{
	pid_t pid = proc_spawn_check(p->svc);
	if (pid < 0) {
		log_warn_errno("%s: cannot run ready-check", p->svc->conf->name);
		schedule_next(p);
		return;
	}
	p->check_pid = pid;
	ev_timer_set(&p->w_attempt, attempt_bound(p->svc->conf), 0);
	ev_timer_start(probe_loop, &p->w_attempt);
}

static void next_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct probe *p = w->data;
	(void)loop, (void)revents;
	if (p->svc->conf->ready_tcp_host)
		tcp_attempt(p);
	else if (p->svc->conf->ready_check)
		check_attempt(p);
}

static void attempt_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct probe *p = w->data;
	(void)loop, (void)revents;
	log_debug("%s: readiness attempt took over %gs", p->svc->conf->name,
		  attempt_bound(p->svc->conf));
	if (p->check_pid > 0) {
		kill(-p->check_pid, SIGKILL); /* probe_reaped() schedules the next */
		return;
	}
	tcp_close(p);
	schedule_next(p);
}

static void fd_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct probe *p = w->data;
	char buf[512];
	(void)loop, (void)revents;

	ssize_t n = read(w->fd, buf, sizeof buf);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0 && memchr(buf, '\n', (size_t)n)) {
		passed(p, "ready-fd");
		return;
	}
	if (n <= 0) {
		/* closed without a newline: it will not say it is ready */
		ev_io_stop(probe_loop, w);
		close(w->fd);
		w->fd = -1;
	}
}

static struct probe *get_probe(struct service *svc)
{
	if (svc->probe)
		return svc->probe;
	struct probe *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->svc = svc;
	ev_io_init(&p->w_fd, fd_cb, -1, EV_READ);
	ev_io_init(&p->w_tcp, tcp_cb, -1, EV_WRITE);
	ev_timer_init(&p->w_next, next_cb, 0, 0);
	ev_timer_init(&p->w_attempt, attempt_cb, 0, 0);
	p->w_fd.data = p->w_tcp.data = p->w_next.data = p->w_attempt.data = p;
	p->next = probes;
	probes = p;
	svc->probe = p;
	return p;
}

void probe_watch_ready_fd(struct service *svc, int fd)
{
	struct probe *p = get_probe(svc);
	if (!p) {
		close(fd);
		return;
	}
	ev_io_set(&p->w_fd, fd, EV_READ);
	ev_io_start(probe_loop, &p->w_fd);
}

void probe_start(struct service *svc)
{
	const struct svc_conf *c = svc->conf;
	if (!c->ready_tcp_host && !c->ready_check)
		return;
	struct probe *p = get_probe(svc);
	if (!p) {
		log_error("%s: out of memory: no readiness probe", c->name);
		return;
	}
	ev_timer_set(&p->w_next, 0, 0);
	ev_timer_start(probe_loop, &p->w_next);
}

void probe_stop(struct service *svc)
{
	struct probe *p = svc->probe;
	if (!p)
		return;
	svc->probe = NULL;
	if (p->w_fd.fd >= 0) {
		ev_io_stop(probe_loop, &p->w_fd);
		close(p->w_fd.fd);
	}
	tcp_close(p);
	ev_timer_stop(probe_loop, &p->w_next);
	ev_timer_stop(probe_loop, &p->w_attempt);
	if (p->check_pid > 0)
		kill(-p->check_pid, SIGKILL); /* reaped later as any child */
	if (p->ai)
		freeaddrinfo(p->ai);
	struct probe **pp = &probes;
	while (*pp && *pp != p)
		pp = &(*pp)->next;
	if (*pp)
		*pp = p->next;
	free(p);
}

bool probe_reaped(pid_t pid, int status)
{
	struct probe *p = probes;
	while (p && p->check_pid != pid)
		p = p->next;
	if (!p)
		return false;
	p->check_pid = 0;
	ev_timer_stop(probe_loop, &p->w_attempt);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		passed(p, "ready-check");
		return true;
	}
	char st[32];
	log_debug("%s: ready-check: %s", p->svc->conf->name, wait_status_str(status, st, sizeof st));
	schedule_next(p);
	return true;
}
