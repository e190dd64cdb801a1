/* Readiness probes and health checks: one attempt of a check (a command, a
 * TCP connect, an HTTP GET) bounded by its timeout, driven by the event
 * loop; the readiness probe retries it every ready-interval, the health
 * probe runs it every health-interval and feeds the watchdog.
 */
#include "probe.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "http.h"
#include "log.h"
#include "proc.h"
#include "resolve.h"

enum check_kind { CHECK_NONE, CHECK_EXEC, CHECK_TCP, CHECK_HTTP };
enum check_stage { C_IDLE, C_RUNNING, C_RESOLVING, C_CONNECTING, C_READING };

#define CHECK_LINE_MAX 256

/* One check: what it runs, and the attempt under way. */
struct check {
	struct probe *p;
	enum check_kind kind;
	const char *what;       /* "ready-check", "health-http" ... for messages */
	struct http_url url;    /* CHECK_TCP: host and port; CHECK_HTTP: all */
	double timeout;

	enum check_stage stage;
	pid_t pid;              /* the command, 0 when none */
	int exec_fd;            /* its exec-status pipe, -1 when none */
	ev_io w_io;             /* the socket, or the command's output pipe */
	ev_timer w_timeout;
	struct resolve *lookup;
	struct resolve_result addrs;
	int next_addr, last_err;
	char buf[512];          /* the answer's head; the command's line so far */
	size_t len;
	char last[CHECK_LINE_MAX]; /* the command's last output line */
};

struct probe {
	struct service *svc;
	bool health;            /* the health probe, else readiness */
	ev_io w_fd;             /* ready-fd pipe; fd -1 when none */
	ev_timer w_next;        /* the next attempt */
	ev_timer w_dog;         /* the watchdog */
	struct check check;     /* kind CHECK_NONE: none */
	regex_t re;             /* ready-log */
	bool has_re;
	struct probe *next;
};

static struct ev_loop *probe_loop;
static struct probe *probes;
static unsigned nlog;           /* probes with a ready-log */

void probe_init(struct ev_loop *loop)
{
	probe_loop = loop;
}

static void probe_result(struct probe *p, bool ok, const char *why);

/* ---- one check --------------------------------------------------------- */

static void io_cb(struct ev_loop *loop, ev_io *w, int revents);
static void timeout_cb(struct ev_loop *loop, ev_timer *w, int revents);

static void check_init(struct check *c, struct probe *p)
{
	c->p = p;
	c->exec_fd = -1;
	ev_io_init(&c->w_io, io_cb, -1, EV_READ);
	ev_timer_init(&c->w_timeout, timeout_cb, 0, 0);
	c->w_io.data = c->w_timeout.data = c;
}

/* The command of an exec check: the service's config of now (a reload
 * that leaves the service alone still replaces its svc_conf). */
static char **check_argv(const struct check *c)
{
	const struct svc_conf *conf = c->p->svc->conf;
	return c->p->health ? conf->health_check_argv : conf->ready_check_argv;
}

/* Set c up from a command or an address; false when there is none.  An
 * address is copied: it stays what it was when the probe started. */
static bool check_setup(struct check *c, const char *what, char **argv, const char *url,
			const char *host, const char *port, double timeout)
{
	const char *e;
	c->what = what;
	c->timeout = timeout;
	if (argv) {
		c->kind = CHECK_EXEC;
	} else if (url) {
		if (http_url_parse(url, &c->url, &e))
			return false; /* the config checked it */
		c->kind = CHECK_HTTP;
	} else if (host) {
		snprintf(c->url.host, sizeof c->url.host, "%s", host);
		snprintf(c->url.port, sizeof c->url.port, "%s", port);
		c->kind = CHECK_TCP;
	} else {
		return false;
	}
	return true;
}

/* End the attempt under way, whatever it is doing: nothing of it is left
 * but a killed process to reap. */
static void check_cancel(struct check *c)
{
	ev_timer_stop(probe_loop, &c->w_timeout);
	if (c->w_io.fd >= 0) {
		ev_io_stop(probe_loop, &c->w_io);
		close(c->w_io.fd);
		ev_io_set(&c->w_io, -1, EV_READ);
	}
	if (c->exec_fd >= 0) {
		close(c->exec_fd);
		c->exec_fd = -1;
	}
	if (c->pid > 0)
		kill(-c->pid, SIGKILL); /* its group; reaped as any child */
	c->pid = 0;
	resolve_cancel(c->lookup);
	c->lookup = NULL;
	c->stage = C_IDLE;
	c->len = 0;
}

/* The attempt is over: report it (which may free the probe). */
static void check_done(struct check *c, bool ok, const char *why)
{
	check_cancel(c);
	probe_result(c->p, ok, why);
}

/* strerror(), as a reason: "connection refused". */
static void errno_reason(int err, char *buf, size_t len)
{
	snprintf(buf, len, "%s", strerror(err));
	if (buf[0] && isupper((unsigned char)buf[0]) && !isupper((unsigned char)buf[1]))
		buf[0] = (char)tolower((unsigned char)buf[0]);
}

static void connect_next(struct check *c)
{
	while (c->next_addr < c->addrs.n) {
		const struct resolve_addr *a = &c->addrs.a[c->next_addr++];
		int fd = socket(a->sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			/* muster's own trouble (out of descriptors), not the service's */
			c->last_err = errno;
			log_warn("%s: %s: socket: %s", c->p->svc->conf->name, c->what, strerror(errno));
			continue;
		}
		if (connect(fd, (const struct sockaddr *)&a->sa, a->len) == 0 || errno == EINPROGRESS) {
			c->stage = C_CONNECTING;
			ev_io_set(&c->w_io, fd, EV_WRITE);
			ev_io_start(probe_loop, &c->w_io);
			return;
		}
		c->last_err = errno;
		close(fd);
	}
	char why[128];
	errno_reason(c->last_err ? c->last_err : ECONNREFUSED, why, sizeof why);
	check_done(c, false, why);
}

static void resolved_cb(void *arg, const struct resolve_result *r)
{
	struct check *c = arg;
	c->lookup = NULL;
	if (r->gai_err || !r->n) {
		char why[HTTP_HOST_MAX + 128];
		snprintf(why, sizeof why, "cannot resolve %s: %s", c->url.host, resolve_error(r));
		check_done(c, false, why);
		return;
	}
	c->addrs = *r;
	c->next_addr = 0;
	connect_next(c);
}

static void exec_begin(struct check *c)
{
	int out[2];
	char why[160];
	if (pipe2(out, O_CLOEXEC) < 0) {
		errno_reason(errno, why, sizeof why);
		check_done(c, false, why);
		return;
	}
	pid_t pid = proc_spawn_check(c->p->svc, check_argv(c), out[1], &c->exec_fd);
	int e = errno;
	close(out[1]);
	if (pid < 0) {
		close(out[0]);
		log_warn("%s: cannot run %s: %s", c->p->svc->conf->name, c->what, strerror(e));
		snprintf(why, sizeof why, "cannot run %s: %s", c->what, strerror(e));
		check_done(c, false, why);
		return;
	}
	c->pid = pid;
	c->stage = C_RUNNING;
	c->last[0] = '\0';
	fcntl(out[0], F_SETFL, O_NONBLOCK);
	ev_io_set(&c->w_io, out[0], EV_READ);
	ev_io_start(probe_loop, &c->w_io);
}

static void check_begin(struct check *c)
{
	c->last_err = 0;
	c->len = 0;
	ev_timer_set(&c->w_timeout, c->timeout, 0);
	ev_timer_start(probe_loop, &c->w_timeout);
	if (c->kind == CHECK_EXEC) {
		exec_begin(c);
		return;
	}
	/* an address needs no lookup; a name is looked up every time */
	if (resolve_numeric(c->url.host, c->url.port, &c->addrs) == 0) {
		if (c->addrs.gai_err) {
			char why[HTTP_HOST_MAX + 128];
			snprintf(why, sizeof why, "cannot resolve %s: %s", c->url.host,
				 resolve_error(&c->addrs));
			check_done(c, false, why);
			return;
		}
		c->next_addr = 0;
		connect_next(c);
		return;
	}
	c->stage = C_RESOLVING;
	c->lookup = resolve_start(probe_loop, c->url.host, c->url.port, resolved_cb, c);
	if (!c->lookup) {
		char why[HTTP_HOST_MAX + 128];
		snprintf(why, sizeof why, "cannot resolve %s: %s", c->url.host, strerror(errno));
		check_done(c, false, why);
	}
}

/* The command's output: the last line is kept (trailing blanks cut). */
static void take_line(struct check *c)
{
	size_t n = c->len;
	while (n && isspace((unsigned char)c->buf[n - 1]))
		n--;
	if (n) {
		if (n >= sizeof c->last)
			n = sizeof c->last - 1;
		for (size_t i = 0; i < n; i++) /* a reason is one printable line */
			c->last[i] = (unsigned char)c->buf[i] < ' ' ? ' ' : c->buf[i];
		c->last[n] = '\0';
	}
	c->len = 0;
}

/* Read what the command printed (at most 64 KiB a call: a command that
 * never stops writing does not hold the loop); false at end-of-file. */
static bool read_output(struct check *c)
{
	char rbuf[4096];
	for (int k = 0; k < 16; k++) {
		ssize_t n = read(c->w_io.fd, rbuf, sizeof rbuf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN;
		if (n == 0)
			return false;
		for (ssize_t i = 0; i < n; i++) {
			if (rbuf[i] == '\n') {
				take_line(c);
			} else if (c->len < sizeof c->buf) {
				c->buf[c->len++] = rbuf[i];
			}
		}
	}
	return true;
}

static void http_send(struct check *c, int fd)
{
	char req[HTTP_PATH_MAX + HTTP_HOST_MAX + 200];
	size_t n = http_request(&c->url, req, sizeof req);
	/* a fresh connection takes a small request whole */
	if (!n || send(fd, req, n, MSG_NOSIGNAL) != (ssize_t)n) {
		char why[128];
		errno_reason(n ? errno : E2BIG, why, sizeof why);
		check_done(c, false, why);
		return;
	}
	c->stage = C_READING;
	ev_io_stop(probe_loop, &c->w_io);
	ev_io_set(&c->w_io, fd, EV_READ);
	ev_io_start(probe_loop, &c->w_io);
}

static void http_read(struct check *c)
{
	char why[64];
	ssize_t n = recv(c->w_io.fd, c->buf + c->len, sizeof c->buf - c->len, 0);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0) {
		errno_reason(errno, why, sizeof why);
		check_done(c, false, why);
		return;
	}
	c->len += (size_t)n;
	int code;
	int r = http_status(c->buf, c->len, &code);
	if (r == 0 && n > 0 && c->len < sizeof c->buf)
		return; /* more to come */
	if (r <= 0) {
		check_done(c, false, n == 0 && r == 0 ? "connection closed before an HTTP status"
					       : "not an HTTP response");
		return;
	}
	snprintf(why, sizeof why, "HTTP %d", code);
	check_done(c, http_status_ok(code), why);
}

static void io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct check *c = w->data;
	(void)loop, (void)revents;

	switch (c->stage) {
	case C_RUNNING:
		if (!read_output(c)) {
			ev_io_stop(probe_loop, w); /* end-of-file: the exit decides */
			close(w->fd);
			ev_io_set(w, -1, EV_READ);
		}
		return;
	case C_CONNECTING: {
		int err = 0;
		socklen_t len = sizeof err;
		if (getsockopt(w->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
			err = errno;
		if (err) {
			ev_io_stop(probe_loop, w);
			close(w->fd);
			ev_io_set(w, -1, EV_READ);
			c->last_err = err;
			connect_next(c);
			return;
		}
		if (c->kind == CHECK_TCP)
			check_done(c, true, NULL);
		else
			http_send(c, w->fd);
		return;
	}
	case C_READING:
		http_read(c);
		return;
	case C_IDLE:
	case C_RESOLVING:
		break;
	}
}

static void timeout_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct check *c = w->data;
	char why[64];
	(void)loop, (void)revents;
	snprintf(why, sizeof why, "timed out after %gs", c->timeout);
	check_done(c, false, why); /* a command: killed with its group */
}

/* The command exited: its status, else its last line says why. */
static void exec_reaped(struct check *c, int status)
{
	char why[CHECK_LINE_MAX + 64], st[32];
	kill(-c->pid, SIGKILL); /* what it left in its group */
	c->pid = 0;
	if (c->w_io.fd >= 0)
		read_output(c); /* what it wrote before it exited is in the pipe */
	take_line(c);
	if (c->exec_fd >= 0) {
		bool failed = proc_main_exec_failed(c->exec_fd, check_argv(c), why, sizeof why);
		c->exec_fd = -1;
		if (failed) {
			check_done(c, false, why);
			return;
		}
	}
	bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
	if (!ok && c->last[0])
		snprintf(why, sizeof why, "%s", c->last);
	else if (!ok && WIFSIGNALED(status))
		snprintf(why, sizeof why, "killed by %s", wait_status_str(status, st, sizeof st));
	else
		snprintf(why, sizeof why, "exited with %s", wait_status_str(status, st, sizeof st));
	check_done(c, ok, why);
}

/* ---- the probes -------------------------------------------------------- */

static double attempt_bound(const struct svc_conf *c)
{
	return c->ready_interval > 5 ? c->ready_interval : 5;
}

static void next_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct probe *p = w->data;
	(void)loop, (void)revents;
	if (p->check.kind != CHECK_NONE && p->check.stage == C_IDLE)
		check_begin(&p->check);
}

static void dog_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct probe *p = w->data;
	(void)loop, (void)revents;
	/* the timer repeats: missed again while ignored, it says so again */
	sup_watchdog_missed(p->svc); /* may stop the probe: nothing after this */
}

static void probe_result(struct probe *p, bool ok, const char *why)
{
	struct service *svc = p->svc;
	if (p->health) {
		ev_timer_set(&p->w_next, svc->conf->health_interval, 0);
		ev_timer_start(probe_loop, &p->w_next);
		sup_check_result(svc, ok, why); /* may stop the probe: nothing after this */
		return;
	}
	if (ok) {
		sup_ready(svc, p->check.what); /* stops the probe: nothing after this */
		return;
	}
	log_debug("%s: %s: %s", svc->conf->name, p->check.what, why);
	ev_timer_set(&p->w_next, svc->conf->ready_interval, 0);
	ev_timer_start(probe_loop, &p->w_next);
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
		sup_ready(p->svc, "ready-fd"); /* stops the probe */
		return;
	}
	if (n <= 0) {
		/* closed without a newline: it will not say it is ready */
		ev_io_stop(probe_loop, w);
		close(w->fd);
		w->fd = -1;
	}
}

static struct probe *probe_new(struct service *svc, bool health)
{
	struct probe *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->svc = svc;
	p->health = health;
	ev_io_init(&p->w_fd, fd_cb, -1, EV_READ);
	ev_timer_init(&p->w_next, next_cb, 0, 0);
	ev_timer_init(&p->w_dog, dog_cb, 0, 0);
	p->w_fd.data = p->w_next.data = p->w_dog.data = p;
	check_init(&p->check, p);
	p->next = probes;
	probes = p;
	return p;
}

static void probe_free(struct probe *p)
{
	if (!p)
		return;
	if (p->w_fd.fd >= 0) {
		ev_io_stop(probe_loop, &p->w_fd);
		close(p->w_fd.fd);
	}
	check_cancel(&p->check);
	ev_timer_stop(probe_loop, &p->w_next);
	ev_timer_stop(probe_loop, &p->w_dog);
	if (p->has_re) {
		regfree(&p->re);
		nlog--;
	}
	struct probe **pp = &probes;
	while (*pp && *pp != p)
		pp = &(*pp)->next;
	if (*pp)
		*pp = p->next;
	free(p);
}

static struct probe *ready_probe(struct service *svc)
{
	if (!svc->probe)
		svc->probe = probe_new(svc, false);
	return svc->probe;
}

void probe_watch_ready_fd(struct service *svc, int fd)
{
	struct probe *p = ready_probe(svc);
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
	if (!c->ready_tcp_host && !c->ready_check_argv && !c->ready_http && !c->ready_log)
		return;
	struct probe *p = ready_probe(svc);
	if (!p) {
		log_error("%s: out of memory: no readiness probe", c->name);
		return;
	}
	if (c->ready_log) {
		int r = regcomp(&p->re, c->ready_log, REG_EXTENDED | REG_NOSUB);
		if (r) {
			log_error("%s: ready-log: cannot compile its expression (error %d)", c->name, r);
			return;
		}
		p->has_re = true;
		nlog++;
		return;
	}
	const char *what = c->ready_check_argv ? "ready-check" : c->ready_http ? "ready-http"
									    : "ready-tcp";
	if (!check_setup(&p->check, what, c->ready_check_argv, c->ready_http, c->ready_tcp_host,
			 c->ready_tcp_port, attempt_bound(c)))
		return;
	ev_timer_set(&p->w_next, 0, 0);
	ev_timer_start(probe_loop, &p->w_next);
}

void probe_stop(struct service *svc)
{
	struct probe *p = svc->probe;
	svc->probe = NULL;
	probe_free(p);
}

void probe_health_start(struct service *svc)
{
	const struct svc_conf *c = svc->conf;
	bool check = c->health_check_argv || c->health_http || c->health_tcp_host;
	if (!check && c->watchdog <= 0)
		return;
	struct probe *p = svc->health_probe = probe_new(svc, true);
	if (!p) {
		log_error("%s: out of memory: no health check", c->name);
		return;
	}
	const char *what = c->health_check_argv ? "health-check" : c->health_http ? "health-http"
									      : "health-tcp";
	if (check && check_setup(&p->check, what, c->health_check_argv, c->health_http,
				 c->health_tcp_host, c->health_tcp_port, c->health_timeout)) {
		ev_timer_set(&p->w_next, c->health_interval, 0);
		ev_timer_start(probe_loop, &p->w_next);
	}
	if (c->watchdog > 0) {
		ev_timer_set(&p->w_dog, c->watchdog, c->watchdog);
		ev_timer_start(probe_loop, &p->w_dog);
	}
}

void probe_health_stop(struct service *svc)
{
	struct probe *p = svc->health_probe;
	svc->health_probe = NULL;
	probe_free(p);
}

void probe_watchdog_ping(struct service *svc)
{
	struct probe *p = svc->health_probe;
	if (!p || svc->conf->watchdog <= 0)
		return; /* not ready: the watchdog starts with ready */
	ev_timer_again(probe_loop, &p->w_dog);
	sup_watchdog_ping(svc);
}

bool probe_line_matches(const regex_t *re, const char *line, size_t len)
{
	/* REG_STARTEND: the line as it is in the output buffer, without a NUL */
	regmatch_t m = { .rm_so = 0, .rm_eo = (regoff_t)len };
	return regexec(re, line, 1, &m, REG_STARTEND) == 0;
}

void probe_output_line(const char *name, const char *line, size_t len)
{
	if (!nlog)
		return;
	for (struct probe *p = probes; p; p = p->next) {
		if (!p->has_re || strcmp(p->svc->conf->name, name))
			continue;
		if (probe_line_matches(&p->re, line, len)) {
			sup_ready(p->svc, "ready-log"); /* stops the probe */
			return;
		}
	}
}

bool probe_reaped(pid_t pid, int status)
{
	for (struct probe *p = probes; p; p = p->next)
		if (p->check.pid == pid) {
			exec_reaped(&p->check, status);
			return true;
		}
	return resolve_reaped(pid);
}
