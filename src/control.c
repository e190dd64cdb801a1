/* The control socket: musterctl's requests, served from the event loop.
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
 *
 *   read   the request line must arrive within CONTROL_READ_TIMEOUT and
 *          fit in PROTO_MAX_REQUEST bytes;
 *   wait   only `wait`: the answer comes when control_state_changed()
 *          settles it (or its timeout passes); EOF from the client ends it;
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "control_proto.h"
#include "log.h"
#include "parse.h"

#define CONTROL_BACKLOG 256
#define CONTROL_MAX_CLIENTS 512
#define CONTROL_READ_TIMEOUT 10.0   /* to send the whole request */
#define CONTROL_WRITE_TIMEOUT 10.0  /* without reading any of the reply */
#define CONTROL_DRAIN_TIMEOUT 5.0   /* to close after the reply */
#define CONTROL_RESUME_DELAY 1.0    /* retry accepting after EMFILE */
#define CONTROL_ACCEPT_BURST 64     /* connections accepted per wakeup */

enum phase { PH_READ, PH_WAIT, PH_WRITE, PH_DRAIN };

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
	ev_timer w_wait;        /* `wait`'s own timeout */
	char **wait_names;      /* `wait`: what it waits for */
	size_t nwait;
	double wait_timeout;    /* < 0: none */
};

/* A service's last start as the timeline shows it: its waiting time (set
 * by every explicit start) and the first starting and ready after it, so
 * that automatic restarts since do not rewrite the story. */
struct start_times {
	char *name;
	ev_tstamp waiting, starting, ready;
};

static struct {
	struct ev_loop *loop;
	struct supervisor *sup;
	struct control_hooks hooks;
	char *path;
	int fd;
	dev_t dev;
	ino_t ino;
	ev_io w_accept;
	ev_timer w_resume;
	bool starved;           /* out of descriptors, until the queue is drained */
	struct client *clients;
	size_t nclients;
	ev_tstamp origin;       /* the daemon's start, for timelines */
	struct start_times *times;
	size_t ntimes;
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
	for (size_t i = 0; i < c->nwait; i++)
		free(c->wait_names[i]);
	free(c->wait_names);
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

/* End the reply with a final line and send it. */
static void finish(struct client *c, const char *kind, const char *text)
{
	ev_timer_stop(ctl.loop, &c->w_wait);
	proto_line(&c->out, kind, text);
	set_phase(c, PH_WRITE, EV_WRITE, CONTROL_WRITE_TIMEOUT);
}

static void finishf(struct client *c, const char *kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void finishf(struct client *c, const char *kind, const char *fmt, ...)
{
	struct pbuf t = { 0 };
	va_list ap;
	va_start(ap, fmt);
	pbuf_vprintf(&t, fmt, ap);
	va_end(ap);
	finish(c, kind, t.data ? t.data : "");
	pbuf_free(&t);
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
		finishf(c, "error", "request too long (the limit is %d bytes)", PROTO_MAX_REQUEST);
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
		finishf(c, "error", "no request within %gs", CONTROL_READ_TIMEOUT);
		return;
	}
	if (c->phase == PH_WRITE)
		log_debug("control: pid %ld read nothing of its reply in %gs: dropped",
			  (long)c->pid, CONTROL_WRITE_TIMEOUT);
	client_free(c);
}

/* ---- commands --------------------------------------------------------------- */

static bool has_process(const struct service *s)
{
	return s->state == ST_STARTING || s->state == ST_READY || s->state == ST_STOPPING;
}

/* Look every name up: 0 with svcs[] filled, or -1 with the reply sent. */
static int find_all(struct client *c, char *const *names, size_t n, struct service **svcs)
{
	struct pbuf unknown = { 0 };
	size_t nunknown = 0;

	for (size_t i = 0; i < n; i++) {
		svcs[i] = sup_find(ctl.sup, names[i]);
		if (!svcs[i]) {
			pbuf_printf(&unknown, "%s'%s'", nunknown ? ", " : "", names[i]);
			nunknown++;
		}
	}
	if (nunknown)
		finishf(c, "fail", "no service named %s", unknown.data);
	pbuf_free(&unknown);
	return nunknown ? -1 : 0;
}

static void status_row(struct pbuf *b, const struct service *s)
{
	proto_row_begin(b);
	proto_row_field(b, "name", s->conf->name);
	proto_row_field(b, "state", svc_state_name(s->state));
	if (s->pid > 0 && has_process(s))
		proto_row_fieldf(b, "pid", "%ld", (long)s->pid);
	if (has_process(s) && s->t_starting > 0)
		proto_row_fieldf(b, "uptime", "%.3f", ev_now(ctl.loop) - s->t_starting);
	proto_row_fieldf(b, "restarts", "%u", s->restarts);
	if (s->status >= 0 && WIFSIGNALED(s->status))
		proto_row_fieldf(b, "signal", "%d", WTERMSIG(s->status));
	else if (s->status >= 0)
		proto_row_fieldf(b, "exit", "%d", WEXITSTATUS(s->status));
	proto_row_field(b, "text", s->status_text);
	proto_row_field(b, "reason", s->reason);
	proto_row_end(b);
}

static void cmd_status(struct client *c, struct proto_request *req)
{
	struct supervisor *sup = ctl.sup;

	if (req->nargs == 0) {
		for (size_t i = 0; i < sup->n; i++)
			status_row(&c->out, sup->svcs[i]);
		finish(c, "ok", NULL);
		return;
	}
	struct service **svcs = calloc(req->nargs, sizeof *svcs);
	if (!svcs) {
		finish(c, "fail", "out of memory");
		return;
	}
	if (find_all(c, req->args, req->nargs, svcs) == 0) {
		for (size_t i = 0; i < req->nargs; i++)
			status_row(&c->out, svcs[i]);
		finish(c, "ok", NULL);
	}
	free(svcs);
}

typedef int (*sup_op)(struct supervisor *, struct service *, char *, size_t);

/* start, stop, restart: every name must exist before anything is done. */
static void run_op(struct client *c, struct proto_request *req, sup_op op)
{
	struct pbuf errs = { 0 };
	size_t nerr = 0;

	if (req->nargs == 0) {
		finishf(c, "usage", "%s needs at least one service name", req->cmd);
		return;
	}
	struct service **svcs = calloc(req->nargs, sizeof *svcs);
	if (!svcs) {
		finish(c, "fail", "out of memory");
		return;
	}
	if (find_all(c, req->args, req->nargs, svcs) < 0) {
		free(svcs);
		return;
	}
	for (size_t i = 0; i < req->nargs; i++) {
		char err[256] = "";
		log_info("control: %s %s (requested by uid %u, pid %ld)", req->cmd, req->args[i],
			 (unsigned)c->uid, (long)c->pid);
		if (op(ctl.sup, svcs[i], err, sizeof err) < 0) {
			pbuf_printf(&errs, "%s%s: %s", nerr ? "; " : "", req->args[i],
				    *err ? err : "refused");
			nerr++;
		}
	}
	free(svcs);
	if (nerr)
		finish(c, "fail", errs.data);
	else
		finish(c, "ok", NULL);
	pbuf_free(&errs);
}

static void cmd_start(struct client *c, struct proto_request *req)
{
	run_op(c, req, sup_start);
}

static void cmd_stop(struct client *c, struct proto_request *req)
{
	run_op(c, req, sup_stop);
}

static void cmd_restart(struct client *c, struct proto_request *req)
{
	run_op(c, req, sup_restart);
}

/* `wait`: 1 every service settled well, 0 not yet, -1 one went wrong (why
 * in *why). */
static int wait_verdict(struct client *c, struct pbuf *why)
{
	bool pending = false;

	for (size_t i = 0; i < c->nwait; i++) {
		const struct service *s = sup_find(ctl.sup, c->wait_names[i]);
		if (!s) {
			pbuf_printf(why, "%s: no longer configured", c->wait_names[i]);
			return -1;
		}
		if (s->state == ST_READY || s->state == ST_DONE)
			continue;
		if (s->state == ST_FAILED) {
			pbuf_printf(why, "%s failed%s%s", s->conf->name, s->reason ? ": " : "",
				    s->reason ? s->reason : "");
			return -1;
		}
		if (s->state == ST_STOPPED && !sup_is_wanted(s)) {
			pbuf_printf(why, "%s is stopped%s%s%s", s->conf->name,
				    s->reason ? " (" : "", s->reason ? s->reason : "",
				    s->reason ? ")" : "");
			return -1;
		}
		if (ctl.sup->shutting_down) {
			pbuf_printf(why, "muster is shutting down (%s is %s)", s->conf->name,
				    svc_state_name(s->state));
			return -1;
		}
		pending = true;
	}
	return pending ? 0 : 1;
}

static void settle_wait(struct client *c)
{
	struct pbuf why = { 0 };
	int v = wait_verdict(c, &why);
	if (v > 0)
		finish(c, "ok", NULL);
	else if (v < 0)
		finish(c, "fail", why.data);
	pbuf_free(&why);
}

static void client_wait_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct client *c = w->data;
	struct pbuf why = { 0 };
	(void)loop, (void)revents;

	if (c->phase != PH_WAIT)
		return;
	for (size_t i = 0; i < c->nwait; i++) {
		const struct service *s = sup_find(ctl.sup, c->wait_names[i]);
		if (s && s->state != ST_READY && s->state != ST_DONE)
			pbuf_printf(&why, "%s%s is %s", why.len ? ", " : "", s->conf->name,
				    svc_state_name(s->state));
	}
	finishf(c, "fail", "timed out after %gs: %s", c->wait_timeout, why.data ? why.data : "");
	pbuf_free(&why);
}

static void cmd_wait(struct client *c, struct proto_request *req)
{
	c->wait_timeout = -1;
	c->wait_names = calloc(req->nargs ? req->nargs : 1, sizeof *c->wait_names);
	if (!c->wait_names) {
		finish(c, "fail", "out of memory");
		return;
	}
	for (size_t i = 0; i < req->nargs; i++) {
		const char *a = req->args[i];
		if (!strncmp(a, "timeout=", 8)) {
			double d;
			if (parse_duration(a + 8, &d) < 0) {
				finishf(c, "usage", "bad timeout '%s' (a duration: 500ms, 10s, 2m)",
					a + 8);
				return;
			}
			c->wait_timeout = d;
		} else if (strchr(a, '=')) {
			finishf(c, "usage", "wait: unknown option '%s'", a);
			return;
		} else if (!(c->wait_names[c->nwait++] = strdup(a))) {
			finish(c, "fail", "out of memory");
			return;
		}
	}
	if (c->nwait == 0) {
		finish(c, "usage", "wait needs at least one service name");
		return;
	}
	struct service **svcs = calloc(c->nwait, sizeof *svcs);
	if (!svcs) {
		finish(c, "fail", "out of memory");
		return;
	}
	int found = find_all(c, c->wait_names, c->nwait, svcs);
	free(svcs);
	if (found < 0)
		return;
	set_phase(c, PH_WAIT, EV_READ, 0);
	if (c->wait_timeout >= 0) {
		ev_timer_set(&c->w_wait, c->wait_timeout, 0);
		ev_timer_start(ctl.loop, &c->w_wait);
	}
	settle_wait(c);
}

/* Every service that should be up is ready or done, and none failed. */
static void cmd_ready(struct client *c, struct proto_request *req)
{
	struct supervisor *sup = ctl.sup;
	struct pbuf why = { 0 };
	size_t up = 0;

	if (req->nargs) {
		finish(c, "usage", "ready takes no arguments");
		return;
	}
	if (sup->shutting_down) {
		finish(c, "fail", "not ready: muster is shutting down");
		return;
	}
	for (size_t i = 0; i < sup->n; i++) {
		const struct service *s = sup->svcs[i];
		if (s->state == ST_READY || s->state == ST_DONE) {
			up++;
		} else if (sup_is_wanted(s) || s->state == ST_FAILED) {
			pbuf_printf(&why, "%s%s (%s)", why.len ? ", " : "", s->conf->name,
				    svc_state_name(s->state));
		}
	}
	if (why.len)
		finishf(c, "fail", "not ready: %s", why.data);
	else
		finishf(c, "ok", "%zu of %zu services ready or done", up, sup->n);
	pbuf_free(&why);
}

static void cmd_shutdown(struct client *c, struct proto_request *req)
{
	if (req->nargs) {
		finish(c, "usage", "shutdown takes no arguments");
		return;
	}
	if (!ctl.hooks.shutdown) {
		finish(c, "fail", "shutdown is not available");
		return;
	}
	log_info("control: shutdown requested by uid %u, pid %ld", (unsigned)c->uid,
		 (long)c->pid);
	finish(c, "ok", "shutting down");
	ctl.hooks.shutdown("musterctl shutdown");
}

static void cmd_reload(struct client *c, struct proto_request *req)
{
	char *report = NULL;

	if (req->nargs) {
		finish(c, "usage", "reload takes no arguments");
		return;
	}
	if (!ctl.hooks.reload) {
		finish(c, "fail", "reload is not available in this muster");
		return;
	}
	log_info("control: reload requested by uid %u, pid %ld", (unsigned)c->uid, (long)c->pid);
	int r = ctl.hooks.reload(&report);
	if (report && *report)
		proto_line(&c->out, r < 0 ? "err" : "out", report);
	free(report);
	if (r < 0)
		finish(c, "fail", "reload rejected; nothing was changed");
	else
		finish(c, "ok", NULL);
}

static struct start_times *times_entry(const struct service *s, bool create)
{
	/* entries are made in config order at the start: try the index first */
	if (s->idx < ctl.ntimes && !strcmp(ctl.times[s->idx].name, s->conf->name))
		return &ctl.times[s->idx];
	for (size_t i = 0; i < ctl.ntimes; i++)
		if (!strcmp(ctl.times[i].name, s->conf->name))
			return &ctl.times[i];
	if (!create)
		return NULL;
	struct start_times *t = realloc(ctl.times, (ctl.ntimes + 1) * sizeof *t);
	if (!t)
		return NULL;
	ctl.times = t;
	t = &ctl.times[ctl.ntimes];
	if (!(t->name = strdup(s->conf->name)))
		return NULL;
	ctl.ntimes++;
	t->waiting = -1;
	t->starting = t->ready = 0;
	return t;
}

static void record_times(const struct service *s)
{
	struct start_times *t = times_entry(s, true);
	if (!t)
		return;
	if (t->waiting != s->t_waiting) {
		t->waiting = s->t_waiting;
		t->starting = t->ready = 0;
	}
	if (s->state == ST_STARTING && t->starting <= 0)
		t->starting = s->t_starting;
	if ((s->state == ST_READY || s->state == ST_DONE) && t->ready <= 0)
		t->ready = s->t_ready;
}

static struct start_times times_of(const struct service *s)
{
	const struct start_times *t = times_entry(s, false);
	if (t && t->waiting == s->t_waiting)
		return *t;
	return (struct start_times){ s->conf->name, s->t_waiting, s->t_starting, s->t_ready };
}

/* The `depends` or `after` target of s that became ready last before s
 * started: s's predecessor on the critical path, or NULL. */
static const struct service *critical_pred(const struct service *s)
{
	const struct supervisor *sup = ctl.sup;
	const struct service *best = NULL;
	ev_tstamp best_ready = 0, started = times_of(s).starting;
	const size_t *lists[2] = { s->conf->dep_idx, s->conf->after_idx };
	size_t counts[2] = { s->conf->ndep, s->conf->nafter };

	if (started <= 0)
		return NULL;
	for (int l = 0; l < 2; l++)
		for (size_t i = 0; i < counts[l]; i++) {
			const struct service *d = sup->svcs[lists[l][i]];
			ev_tstamp r = times_of(d).ready;
			if (r <= 0 || r > started)
				continue;
			if (!best || r > best_ready) {
				best = d;
				best_ready = r;
			}
		}
	return best;
}

static void time_field(struct pbuf *b, const char *key, ev_tstamp t)
{
	if (t > 0)
		proto_row_fieldf(b, key, "%.3f", t - ctl.origin < 0 ? 0 : t - ctl.origin);
}

static void cmd_timeline(struct client *c, struct proto_request *req)
{
	struct supervisor *sup = ctl.sup;

	if (req->nargs) {
		finish(c, "usage", "timeline takes no arguments");
		return;
	}
	for (size_t i = 0; i < sup->n; i++) {
		const struct service *s = sup->svcs[i];
		struct start_times t = times_of(s);
		const struct service *pred = critical_pred(s);
		proto_row_begin(&c->out);
		proto_row_field(&c->out, "name", s->conf->name);
		proto_row_field(&c->out, "state", svc_state_name(s->state));
		time_field(&c->out, "waiting", t.waiting);
		time_field(&c->out, "starting", t.starting);
		time_field(&c->out, "ready", t.ready);
		proto_row_field(&c->out, "pred", pred ? pred->conf->name : NULL);
		proto_row_end(&c->out);
	}
	finish(c, "ok", NULL);
}

static void cmd_graph(struct client *c, struct proto_request *req)
{
	struct supervisor *sup = ctl.sup;

	if (req->nargs) {
		finish(c, "usage", "graph takes no arguments");
		return;
	}
	for (size_t i = 0; i < sup->n; i++) {
		const struct service *s = sup->svcs[i];
		proto_row_begin(&c->out);
		proto_row_field(&c->out, "node", s->conf->name);
		proto_row_field(&c->out, "state", svc_state_name(s->state));
		proto_row_end(&c->out);
	}
	for (size_t i = 0; i < sup->n; i++) {
		const struct svc_conf *sc = sup->svcs[i]->conf;
		for (size_t j = 0; j < sc->ndep + sc->nafter; j++) {
			bool dep = j < sc->ndep;
			size_t t = dep ? sc->dep_idx[j] : sc->after_idx[j - sc->ndep];
			proto_row_begin(&c->out);
			proto_row_field(&c->out, "from", sc->name);
			proto_row_field(&c->out, "to", sup->svcs[t]->conf->name);
			proto_row_field(&c->out, "edge", dep ? "depends" : "after");
			proto_row_end(&c->out);
		}
	}
	finish(c, "ok", NULL);
}

static const struct command {
	const char *name;
	void (*run)(struct client *, struct proto_request *);
} commands[] = {
	{ "status", cmd_status },     { "start", cmd_start },     { "stop", cmd_stop },
	{ "restart", cmd_restart },   { "wait", cmd_wait },       { "ready", cmd_ready },
	{ "shutdown", cmd_shutdown }, { "reload", cmd_reload },   { "timeline", cmd_timeline },
	{ "graph", cmd_graph },
};

static void handle_request(struct client *c, char *line, size_t len)
{
	struct proto_request req;
	char err[256];

	/* the request is in: stop reading it; wait and drain read again */
	ev_timer_stop(ctl.loop, &c->w_deadline);
	c->phase = PH_WRITE;
	if (proto_parse_request(line, len, &req, err, sizeof err) < 0) {
		log_debug("control: bad request from pid %ld: %s", (long)c->pid, err);
		finish(c, "error", err);
		return;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (!strcmp(req.cmd, commands[i].name)) {
			log_debug("control: %s from uid %u, pid %ld", req.cmd, (unsigned)c->uid,
				  (long)c->pid);
			commands[i].run(c, &req);
			return;
		}
	finishf(c, "error", "unknown command '%.64s'", req.cmd);
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
	c->wait_timeout = -1;
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
		finishf(c, "error", "permission denied: uid %u may not control this muster "
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

int control_init(struct ev_loop *loop, struct supervisor *sup, const char *path,
		 const struct control_hooks *hooks)
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
	ctl.sup = sup;
	ctl.hooks = hooks ? *hooks : (struct control_hooks){ 0 };
	ctl.fd = fd;
	ctl.dev = st.st_dev;
	ctl.ino = st.st_ino;
	ctl.origin = ev_now(loop);
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

void control_state_changed(struct service *svc)
{
	if (ctl.fd >= 0)
		record_times(svc);
	/* settle_wait() never frees a client, so the list holds still */
	for (struct client *c = ctl.clients; c; c = c->next)
		if (c->phase == PH_WAIT)
			settle_wait(c);
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
	for (size_t i = 0; i < ctl.ntimes; i++)
		free(ctl.times[i].name);
	free(ctl.times);
	ctl.times = NULL;
	ctl.ntimes = 0;
}
