/* The lifecycle of a service.
 *
 *              start            exec ok / probe ok
 *   stopped ----------> waiting -----> starting -------------> ready
 *      ^                 |  ^             |  oneshot exit 0       |
 *      |    dependency   |  | delay       +--------> done         |
 *      |    failed       v  |             |                       |
 *      |   failed <---- backoff <---------+-----------------------+
 *      |     ^   start limit   exit, restart wanted               |
 *      |     +---------------------------- exit, no restart ------+
 *      |                                                          |
 *      +------------------ stopping <----- stop (want down) ------+
 *
 * Two things drive a service: what it is doing (state, pid) and what it
 * should do (want_up).  step() compares the two and takes the next move:
 *
 *   want_up, waiting     -> start when every `depends` target is ready or
 *                           done and every `after` target has settled;
 *                           fail when a `depends` target failed.
 *   !want_up, waiting or backoff -> down at once (pending work cancelled)
 *   !want_up, starting or ready  -> stop-signal, once no service that waits
 *                           for it and is going down still has a process
 *                           (reverse order); stop-timeout then SIGKILL.
 *
 * When a service's state changes, the services on either side of its edges
 * are queued for step(): the graph is walked with a work queue, never by
 * recursion.  A `depends` target that fails for good takes its dependents
 * down first (they end as failed, "dependency X failed"); one that is
 * restarting after a crash leaves them running.
 */
#include "service.h"

#include <errno.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "log.h"
#include "parse.h"

static const char *const state_names[] = {
	[ST_STOPPED] = "stopped", [ST_WAITING] = "waiting", [ST_STARTING] = "starting",
	[ST_READY] = "ready",     [ST_STOPPING] = "stopping", [ST_DONE] = "done",
	[ST_BACKOFF] = "backoff", [ST_FAILED] = "failed",
};

const char *svc_state_name(enum svc_state st)
{
	return st <= ST_FAILED ? state_names[st] : "?";
}

const char *wait_status_str(int status, char *buf, size_t len)
{
	if (WIFSIGNALED(status))
		snprintf(buf, len, "signal %d", WTERMSIG(status));
	else
		snprintf(buf, len, "status %d", WEXITSTATUS(status));
	return buf;
}

int wait_status_code(int status)
{
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

static bool has_process(const struct service *svc)
{
	return svc->state == ST_STARTING || svc->state == ST_READY || svc->state == ST_STOPPING;
}

/* Signal what makes up the service: its process group, and its main
 * process too when MAINPID= moved it out of that group. */
static int signal_service(struct service *svc, int sig)
{
	int r = svc->sup->ops->kill_group(svc->pgid, sig);
	if (svc->pid > 0 && svc->pid != svc->pgid && svc->sup->ops->kill_pid)
		svc->sup->ops->kill_pid(svc->pid, sig);
	return r;
}

static void set_reason(struct service *svc, const char *reason)
{
	free(svc->reason);
	svc->reason = reason ? strdup(reason) : NULL;
}

static void set_state(struct service *svc, enum svc_state st, const char *why)
{
	enum svc_state old = svc->state;
	if (old == st)
		return;
	svc->state = st;
	svc->t_state = ev_now(svc->sup->loop);
	/* has_process() depends on the state alone: keep the count here */
	svc->sup->nrunning += (size_t)has_process(svc) - (size_t)(old == ST_STARTING ||
								  old == ST_READY ||
								  old == ST_STOPPING);
	if (old == ST_STARTING) {
		ev_timer_stop(svc->sup->loop, &svc->w_ready_timer);
		if (svc->sup->ops->stop_probe)
			svc->sup->ops->stop_probe(svc);
	}
	log_debug("%s: %s -> %s%s%s%s", svc->conf->name, svc_state_name(old),
		  svc_state_name(st), why ? " (" : "", why ? why : "", why ? ")" : "");
	if (svc->sup->on_state)
		svc->sup->on_state(svc, old);
}

static void enqueue(struct supervisor *sup, size_t i)
{
	if (sup->queued[i])
		return;
	sup->queued[i] = 1;
	sup->queue[(sup->qhead + sup->qlen++) % sup->n] = i;
}

static void enqueue_neighbours(struct service *svc)
{
	struct supervisor *sup = svc->sup;
	for (size_t i = 0; i < svc->conf->ndep; i++)
		enqueue(sup, svc->conf->dep_idx[i]);
	for (size_t i = 0; i < svc->conf->nafter; i++)
		enqueue(sup, svc->conf->after_idx[i]);
	for (size_t i = 0; i < svc->nwaiters; i++)
		enqueue(sup, svc->waiters[i]);
}

static void step(struct service *svc);
static void critical_ended(struct service *svc, int code);
static void became_ready(struct service *svc, enum svc_state st);
static void exited(struct service *svc, int status);
static void send_stop(struct service *svc);
static bool reload_ready(const struct supervisor *sup);
static void reload_apply(struct supervisor *sup);

static void run_queue(struct supervisor *sup)
{
	if (sup->running_queue)
		return;
	sup->running_queue = true;
	for (;;) {
		while (sup->qlen) {
			size_t i = sup->queue[sup->qhead];
			sup->qhead = (sup->qhead + 1) % sup->n;
			sup->qlen--;
			sup->queued[i] = 0;
			step(sup->svcs[i]);
		}
		/* a reload waits for what it stops; then the new graph runs */
		if (!sup->pending || !reload_ready(sup))
			break;
		reload_apply(sup);
	}
	sup->running_queue = false;
	if (sup->shutting_down && !sup->down_notified && sup_all_down(sup)) {
		sup->down_notified = true;
		if (sup->on_all_down)
			sup->on_all_down(sup);
	}
}

bool sup_all_down(const struct supervisor *sup)
{
	return sup_running(sup) == 0;
}

size_t sup_running(const struct supervisor *sup)
{
	return sup->nrunning;
}

static void check_all_up(struct supervisor *sup)
{
	if (!sup->on_all_up || sup->shutting_down)
		return;
	for (size_t i = 0; i < sup->n; i++) {
		const struct service *s = sup->svcs[i];
		if (s->want_up && s->state != ST_READY && s->state != ST_DONE)
			return;
	}
	sup->on_all_up(sup);
}

/* The service has no process and is not coming back by itself. */
static void went_down(struct service *svc, const char *why)
{
	struct supervisor *sup = svc->sup;

	ev_timer_stop(sup->loop, &svc->w_stop_timer);
	ev_timer_stop(sup->loop, &svc->w_restart_timer);
	if (svc->fail_when_down) {
		log_error("%s: failed: %s", svc->conf->name, svc->fail_when_down);
		set_reason(svc, svc->fail_when_down);
		free(svc->fail_when_down);
		svc->fail_when_down = NULL;
		set_state(svc, ST_FAILED, svc->reason);
		critical_ended(svc, 1);
	} else {
		set_state(svc, ST_STOPPED, why);
	}
	if (svc->restart_when_down && !sup->shutting_down && !sup->pending) {
		svc->restart_when_down = false;
		svc->want_up = true;
		svc->t_waiting = ev_now(sup->loop);
		set_state(svc, ST_WAITING, "restart");
		enqueue(sup, svc->idx);
	}
	enqueue_neighbours(svc);
}

/* A breadth-first walk over services: a work queue and a seen set, so the
 * graph is walked without recursion and each service visited once. */
struct walk {
	struct supervisor *sup;
	size_t *work, head, tail;
	unsigned char *seen;
};

static int walk_begin(struct walk *w, struct service *from)
{
	w->sup = from->sup;
	w->head = w->tail = 0;
	w->work = malloc(w->sup->n * sizeof *w->work);
	w->seen = calloc(w->sup->n, 1);
	if (!w->work || !w->seen) {
		free(w->work);
		free(w->seen);
		return -1;
	}
	w->work[w->tail++] = from->idx;
	w->seen[from->idx] = 1;
	return 0;
}

/* Queue service i unless it was seen; true when it is new. */
static bool walk_push(struct walk *w, size_t i)
{
	if (w->seen[i])
		return false;
	w->seen[i] = 1;
	w->work[w->tail++] = i;
	return true;
}

static struct service *walk_next(struct walk *w)
{
	return w->head < w->tail ? w->sup->svcs[w->work[w->head++]] : NULL;
}

static void walk_end(struct walk *w)
{
	free(w->work);
	free(w->seen);
}

/* Does w list s among its `depends` (not only `after`)? */
static bool depends_on(const struct service *w, const struct service *s)
{
	for (size_t j = 0; j < w->conf->ndep; j++)
		if (w->conf->dep_idx[j] == s->idx)
			return true;
	return false;
}

/* Take svc and, transitively, whatever `depends` on it, down as failed. */
static void fail_dependents(struct service *svc)
{
	struct walk wk;

	if (walk_begin(&wk, svc) < 0)
		return;
	for (struct service *s; (s = walk_next(&wk));) {
		for (size_t i = 0; i < s->nwaiters; i++) {
			struct service *w = s->sup->svcs[s->waiters[i]];
			if (!depends_on(w, s) || wk.seen[w->idx])
				continue;
			if (!w->want_up) {
				wk.seen[w->idx] = 1; /* going down already: not through it */
				continue;
			}
			walk_push(&wk, w->idx);
			w->want_up = false;
			if (!w->fail_when_down) {
				char buf[128];
				snprintf(buf, sizeof buf, "dependency %s failed", s->conf->name);
				w->fail_when_down = strdup(buf);
			}
			enqueue(s->sup, w->idx);
		}
	}
	walk_end(&wk);
}

/* A critical service ended for good: the run ends with its status (code),
 * or with its last exit status when code is -1. */
static void critical_ended(struct service *svc, int code)
{
	struct supervisor *sup = svc->sup;
	char why[128];

	if (!svc->conf->critical || sup->shutting_down)
		return;
	if (code < 0)
		code = svc->status >= 0 ? wait_status_code(svc->status) : 1;
	sup->exit_status = code;
	sup->exit_status_set = true;
	snprintf(why, sizeof why, "critical service %s ended", svc->conf->name);
	if (sup->request_shutdown)
		sup->request_shutdown(sup, why);
	else
		sup_shutdown(sup, why);
}

static void fail_for_good(struct service *svc, const char *reason)
{
	log_error("%s: failed: %s", svc->conf->name, reason);
	set_reason(svc, reason);
	svc->want_up = false;
	set_state(svc, ST_FAILED, reason);
	fail_dependents(svc);
	enqueue_neighbours(svc);
	critical_ended(svc, -1);
}

static void restart_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct service *svc = w->data;
	(void)loop, (void)revents;
	if (svc->state != ST_BACKOFF)
		return;
	svc->restarts++;
	set_state(svc, ST_WAITING, "restart delay over");
	enqueue(svc->sup, svc->idx);
	run_queue(svc->sup);
}

static void stop_timeout_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct service *svc = w->data;
	(void)loop, (void)revents;
	if (svc->state != ST_STOPPING || !svc->pid)
		return;
	log_warn("%s: still running %gs after %s: sending SIGKILL", svc->conf->name,
		 svc->conf->stop_timeout, signal_name(svc->conf->stop_signal));
	signal_service(svc, SIGKILL);
}

static void ready_timeout_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct service *svc = w->data;
	(void)loop, (void)revents;
	if (svc->state != ST_STARTING || !svc->pid)
		return;
	log_error("%s: not ready within %gs: stopping it", svc->conf->name,
		  svc->conf->ready_timeout);
	svc->timed_out = true;
	send_stop(svc);
}

static void graceful_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct supervisor *sup = w->data;
	(void)loop, (void)revents;
	size_t n = sup_running(sup);
	if (n)
		log_warn("graceful-timeout (%gs) passed with %zu service%s running: sending SIGKILL",
			 sup->cfg->graceful_timeout, n, n == 1 ? "" : "s");
	else
		log_warn("graceful-timeout (%gs) passed: sending SIGKILL to leftover processes",
			 sup->cfg->graceful_timeout);
	sup_kill_all(sup);
}

static struct service *service_new(struct supervisor *sup, struct svc_conf *conf)
{
	struct service *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->conf = conf;
	s->sup = sup;
	s->state = ST_STOPPED;
	s->exec_fd = -1;
	s->status = -1;
	s->fail_times = calloc((size_t)conf->start_limit_burst + 1, sizeof *s->fail_times);
	if (!s->fail_times) {
		free(s);
		return NULL;
	}
	ev_timer_init(&s->w_stop_timer, stop_timeout_cb, 0, 0);
	s->w_stop_timer.data = s;
	ev_timer_init(&s->w_restart_timer, restart_cb, 0, 0);
	s->w_restart_timer.data = s;
	ev_timer_init(&s->w_ready_timer, ready_timeout_cb, 0, 0);
	s->w_ready_timer.data = s;
	return s;
}

/* (Re)build the reverse edges from the config's graph. */
static int link_waiters(struct supervisor *sup)
{
	const struct config *cfg = sup->cfg;
	for (size_t i = 0; i < sup->n; i++) {
		free(sup->svcs[i]->waiters);
		sup->svcs[i]->waiters = NULL;
		sup->svcs[i]->nwaiters = 0;
	}
	for (size_t i = 0; i < sup->n; i++)
		for (size_t j = 0; j < cfg->graph.nout[i]; j++) {
			struct service *t = sup->svcs[cfg->graph.out[i][j]];
			size_t *w = realloc(t->waiters, (t->nwaiters + 1) * sizeof *w);
			if (!w)
				return -1;
			t->waiters = w;
			t->waiters[t->nwaiters++] = i;
		}
	return 0;
}

int sup_init(struct supervisor *sup, struct ev_loop *loop, struct config *cfg,
	     const struct sys_ops *ops)
{
	size_t n = cfg->nservices;

	memset(sup, 0, sizeof *sup);
	sup->loop = loop;
	sup->cfg = cfg;
	sup->ops = ops;
	sup->n = n;
	sup->svcs = calloc(n ? n : 1, sizeof *sup->svcs);
	sup->queue = malloc((n ? n : 1) * sizeof *sup->queue);
	sup->queued = calloc(n ? n : 1, 1);
	if (!sup->svcs || !sup->queue || !sup->queued)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		if (!(sup->svcs[i] = service_new(sup, &cfg->services[i])))
			goto fail;
		sup->svcs[i]->idx = i;
	}
	if (link_waiters(sup) < 0)
		goto fail;
	ev_timer_init(&sup->w_graceful, graceful_cb, 0, 0);
	sup->w_graceful.data = sup;
	return 0;
fail:
	sup_free(sup);
	return -1;
}

/* Release one service: its timers, its probe, its memory. */
static void service_free(struct supervisor *sup, struct service *s)
{
	if (!s)
		return;
	if (sup->loop) {
		ev_timer_stop(sup->loop, &s->w_stop_timer);
		ev_timer_stop(sup->loop, &s->w_restart_timer);
		ev_timer_stop(sup->loop, &s->w_ready_timer);
	}
	if (s->probe && sup->ops && sup->ops->stop_probe)
		sup->ops->stop_probe(s);
	free(s->waiters);
	free(s->fail_times);
	free(s->reason);
	free(s->fail_when_down);
	free(s->status_text);
	free(s);
}

void sup_free(struct supervisor *sup)
{
	for (size_t i = 0; sup->svcs && i < sup->n; i++)
		service_free(sup, sup->svcs[i]);
	if (sup->loop)
		ev_timer_stop(sup->loop, &sup->w_graceful);
	config_free(sup->pending);
	free(sup->svcs);
	free(sup->queue);
	free(sup->queued);
	memset(sup, 0, sizeof *sup);
}

static void spawn(struct service *svc)
{
	struct supervisor *sup = svc->sup;
	int fd = -1;

	set_reason(svc, NULL);
	pid_t pid = sup->ops->spawn(svc, &fd);
	if (pid < 0) {
		char buf[160];
		snprintf(buf, sizeof buf, "cannot start: %s", strerror(errno));
		log_error("%s: %s", svc->conf->name, buf);
		/* nothing ran: handle it as an exit with status 127 */
		svc->pid = 0;
		svc->pgid = 0;
		svc->status = 127 << 8;
		svc->t_starting = ev_now(sup->loop);
		set_state(svc, ST_STARTING, buf);
		set_reason(svc, buf);
		exited(svc, svc->status);
		return;
	}
	svc->pid = pid;
	svc->pgid = pid;
	svc->exec_fd = fd;
	svc->t_starting = ev_now(sup->loop);
	log_info("%s: started (pid %ld)", svc->conf->name, (long)pid);
	set_state(svc, ST_STARTING, NULL);
	const struct svc_conf *c = svc->conf;
	if (c->type == TYPE_NOTIFY || c->ready_fd >= 0 || c->ready_tcp_host || c->ready_check) {
		if (sup->ops->start_probe)
			sup->ops->start_probe(svc);
		if (c->ready_timeout > 0) {
			ev_timer_set(&svc->w_ready_timer, c->ready_timeout, 0);
			ev_timer_start(sup->loop, &svc->w_ready_timer);
		}
	}
}

void sup_ready(struct service *svc, const char *how)
{
	if (svc->state != ST_STARTING)
		return;
	log_debug("%s: readiness from %s", svc->conf->name, how);
	became_ready(svc, ST_READY);
}

/* Can a waiting service start?  1 yes, 0 not yet, -1 never (reason set). */
static int deps_settled(struct service *svc, char *why, size_t len)
{
	struct supervisor *sup = svc->sup;
	const struct svc_conf *c = svc->conf;

	for (size_t i = 0; i < c->ndep; i++) {
		const struct service *d = sup->svcs[c->dep_idx[i]];
		if (d->state == ST_READY || d->state == ST_DONE)
			continue;
		if (d->state == ST_FAILED || (d->state == ST_STOPPED && !d->want_up)) {
			snprintf(why, len, "dependency %s %s", d->conf->name,
				 d->state == ST_FAILED ? "failed" : "is stopped");
			return -1;
		}
		return 0;
	}
	for (size_t i = 0; i < c->nafter; i++) {
		const struct service *d = sup->svcs[c->after_idx[i]];
		if (d->state == ST_READY || d->state == ST_DONE || d->state == ST_FAILED ||
		    (d->state == ST_STOPPED && !d->want_up))
			continue;
		return 0;
	}
	return 1;
}

static void send_stop(struct service *svc)
{
	struct supervisor *sup = svc->sup;
	int sig = sup->killing ? SIGKILL : svc->conf->stop_signal;

	log_info("%s: stopping (%s to process group %ld)", svc->conf->name, signal_name(sig),
		 (long)svc->pgid);
	set_state(svc, ST_STOPPING, NULL);
	if (signal_service(svc, sig) < 0 && errno != ESRCH)
		log_warn_errno("%s: cannot send %s", svc->conf->name, signal_name(sig));
	if (sig != SIGKILL && sig != SIGCONT)
		signal_service(svc, SIGCONT);
	if (!sup->killing) {
		ev_timer_set(&svc->w_stop_timer, svc->conf->stop_timeout, 0);
		ev_timer_start(sup->loop, &svc->w_stop_timer);
	}
}

/* Has every service downstream of svc that is going down stopped?  The
 * walk passes through services without a process (a crashed one in
 * backoff, a done oneshot), so the order holds across them; it stops at
 * services that stay up. */
static bool downstream_down(struct service *svc)
{
	struct walk wk;
	bool down = true;

	if (walk_begin(&wk, svc) < 0)
		return true; /* out of memory: better stop out of order than never */
	for (struct service *s; down && (s = walk_next(&wk));) {
		for (size_t i = 0; i < s->nwaiters && down; i++) {
			struct service *w = s->sup->svcs[s->waiters[i]];
			if (has_process(w)) {
				if (!w->want_up)
					down = false;
			} else {
				walk_push(&wk, w->idx); /* through it */
			}
		}
	}
	walk_end(&wk);
	return down;
}

static void step(struct service *svc)
{
	struct supervisor *sup = svc->sup;
	char why[160];

	if (svc->want_up) {
		if (svc->state != ST_WAITING || sup->shutting_down)
			return;
		int r = deps_settled(svc, why, sizeof why);
		if (r > 0)
			spawn(svc);
		else if (r < 0)
			fail_for_good(svc, why);
		return;
	}
	switch (svc->state) {
	case ST_WAITING:
		went_down(svc, sup->shutting_down ? "start cancelled" : "stop requested");
		break;
	case ST_BACKOFF:
		went_down(svc, "restart cancelled");
		break;
	case ST_DONE:
		went_down(svc, "stop requested");
		break;
	case ST_STARTING:
	case ST_READY:
		if (!downstream_down(svc))
			return; /* stops once what waits for it has stopped */
		send_stop(svc);
		break;
	case ST_STOPPED:
	case ST_FAILED:
		/* pass the news upstream: what it waits for may stop now */
		for (size_t i = 0; i < svc->conf->ndep; i++)
			if (!sup->svcs[svc->conf->dep_idx[i]]->want_up)
				enqueue(sup, svc->conf->dep_idx[i]);
		for (size_t i = 0; i < svc->conf->nafter; i++)
			if (!sup->svcs[svc->conf->after_idx[i]]->want_up)
				enqueue(sup, svc->conf->after_idx[i]);
		break;
	default:
		break;
	}
}

static void became_ready(struct service *svc, enum svc_state st)
{
	svc->t_ready = ev_now(svc->sup->loop);
	log_info("%s: %s", svc->conf->name, st == ST_DONE ? "done" : "ready");
	set_state(svc, st, NULL);
	enqueue_neighbours(svc);
	run_queue(svc->sup);
	check_all_up(svc->sup);
}

void sup_exec_result(struct service *svc, const char *msg)
{
	if (msg) {
		log_error("%s: %s", svc->conf->name, msg);
		set_reason(svc, msg);
		return; /* the child exits 127; the exit does the rest */
	}
	if (svc->state == ST_STARTING && svc->conf->type == TYPE_SIMPLE &&
	    svc->conf->ready_fd < 0 && !svc->conf->ready_tcp_host && !svc->conf->ready_check)
		became_ready(svc, ST_READY);
}

/* Count a failure at now; true when the start limit is exceeded. */
static bool over_start_limit(struct service *svc, ev_tstamp now)
{
	int burst = svc->conf->start_limit_burst;
	if (burst <= 0)
		return false;
	size_t cap = (size_t)burst + 1;
	svc->fail_times[svc->nfail % cap] = now;
	svc->nfail++;
	unsigned recent = 0;
	for (size_t i = 0; i < cap && i < svc->nfail; i++)
		if (now - svc->fail_times[i] <= svc->conf->start_limit_interval)
			recent++;
	return recent > (unsigned)burst;
}

static void exited(struct service *svc, int status)
{
	struct supervisor *sup = svc->sup;
	const struct svc_conf *c = svc->conf;
	ev_tstamp now = ev_now(sup->loop);
	bool clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
	char st[32], why[200];

	wait_status_str(status, st, sizeof st);
	ev_timer_stop(sup->loop, &svc->w_stop_timer); /* it is gone: no SIGKILL due */
	if (svc->timed_out) {
		svc->timed_out = false;
		if (svc->want_up && !sup->shutting_down) {
			/* not ready in time: a failed start, for restarts and limits */
			snprintf(why, sizeof why, "not ready within %gs", c->ready_timeout);
			set_reason(svc, why);
			clean = false;
			goto failed_start;
		}
	}
	if (svc->state == ST_STOPPING || !svc->want_up) {
		log_info("%s: stopped (%s)", c->name, st);
		went_down(svc, st);
		return;
	}
	if (svc->state == ST_STARTING && c->type == TYPE_ONESHOT && clean) {
		became_ready(svc, ST_DONE);
		return;
	}
	if (!svc->pgid)
		; /* it never ran: the reason was logged */
	else if (clean)
		log_info("%s: exited with %s", c->name, st);
	else
		log_warn("%s: exited with %s", c->name, st);
failed_start:;
	bool restart = !sup->shutting_down &&
		       (c->restart == RESTART_ALWAYS || (c->restart == RESTART_ON_FAILURE && !clean));
	if (!restart) {
		if (clean) {
			svc->want_up = false;
			set_state(svc, ST_STOPPED, "exited with status 0");
			enqueue_neighbours(svc);
			run_queue(sup);
			critical_ended(svc, -1);
		} else {
			if (svc->reason)
				snprintf(why, sizeof why, "%s", svc->reason);
			else
				snprintf(why, sizeof why, "exited with %s", st);
			fail_for_good(svc, why);
			run_queue(sup);
		}
		return;
	}
	if (!clean && over_start_limit(svc, now)) {
		snprintf(why, sizeof why, "start limit hit: more than %d failures in %gs (last: %s)",
			 c->start_limit_burst, c->start_limit_interval,
			 svc->reason ? svc->reason : st);
		fail_for_good(svc, why);
		run_queue(sup);
		return;
	}
	/* a service that stayed ready long enough starts over at the first delay */
	if (svc->state == ST_READY && now - svc->t_ready > c->restart_delay_max)
		svc->delay = c->restart_delay;
	double delay = svc->delay;
	svc->delay = svc->delay * 2 > c->restart_delay_max ? c->restart_delay_max : svc->delay * 2;
	snprintf(why, sizeof why, "%s", svc->reason ? svc->reason : st);
	log_info("%s: restarting in %gs", c->name, delay);
	set_state(svc, ST_BACKOFF, why);
	ev_timer_set(&svc->w_restart_timer, delay, 0);
	ev_timer_start(sup->loop, &svc->w_restart_timer);
	/* dependents stay up; services still waiting for it keep waiting */
}

struct service *sup_find_pid(struct supervisor *sup, pid_t pid)
{
	for (size_t i = 0; i < sup->n; i++)
		if (has_process(sup->svcs[i]) && sup->svcs[i]->pid == pid)
			return sup->svcs[i];
	return NULL;
}

void sup_service_exited(struct service *svc, int status)
{
	struct supervisor *sup = svc->sup;
	if (svc->pgid > 0 && svc->state == ST_STOPPING)
		sup->ops->kill_group(svc->pgid, SIGKILL); /* what is left of its group */
	else if (svc->pgid > 0)
		sup->ops->kill_group(svc->pgid, SIGTERM);
	svc->pid = 0;
	svc->status = status;
	exited(svc, status);
	run_queue(sup);
}

struct service *sup_child_exited(struct supervisor *sup, pid_t pid, int status)
{
	struct service *svc = sup_find_pid(sup, pid);
	if (svc)
		sup_service_exited(svc, status);
	return svc;
}

void sup_start_all(struct supervisor *sup)
{
	ev_tstamp now = ev_now(sup->loop);
	for (size_t i = 0; i < sup->n; i++) {
		struct service *s = sup->svcs[i];
		s->want_up = true;
		s->restarts = 0;
		s->delay = s->conf->restart_delay;
		s->t_waiting = now;
		s->t_starting = s->t_ready = 0;
		set_state(s, ST_WAITING, NULL);
		enqueue(sup, i);
	}
	run_queue(sup);
	check_all_up(sup);
}

void sup_shutdown(struct supervisor *sup, const char *why)
{
	if (sup->shutting_down)
		return;
	sup->shutting_down = true;
	if (sup->pending) {
		log_warn("reload cancelled by shutdown");
		config_free(sup->pending);
		sup->pending = NULL;
	}
	size_t running = sup_running(sup);
	if (sup->n)
		log_info("stopping %zu service%s (%s)", running, running == 1 ? "" : "s", why);
	if (sup->deadline <= 0)
		sup->deadline = ev_now(sup->loop) + sup->cfg->graceful_timeout;
	ev_tstamp left = sup->deadline - ev_now(sup->loop);
	if (left > 0) {
		ev_timer_set(&sup->w_graceful, left, 0);
		ev_timer_start(sup->loop, &sup->w_graceful);
	}
	for (size_t i = 0; i < sup->n; i++) {
		sup->svcs[i]->want_up = false;
		enqueue(sup, i);
	}
	run_queue(sup);
	if (left <= 0)
		sup_kill_all(sup);
}

void sup_kill_all(struct supervisor *sup)
{
	if (!sup->killing && sup->on_killing)
		sup->on_killing(sup);
	sup->killing = true;
	ev_timer_stop(sup->loop, &sup->w_graceful);
	for (size_t i = 0; i < sup->n; i++) {
		struct service *s = sup->svcs[i];
		s->want_up = false;
		if (has_process(s) && s->pgid > 0) {
			ev_timer_stop(sup->loop, &s->w_stop_timer);
			signal_service(s, SIGKILL);
			set_state(s, ST_STOPPING, "killed");
		}
		enqueue(sup, i);
	}
	run_queue(sup);
}

/* ---- operations ------------------------------------------------------ */

struct service *sup_find(struct supervisor *sup, const char *name)
{
	for (size_t i = 0; i < sup->n; i++)
		if (!strcmp(sup->svcs[i]->conf->name, name))
			return sup->svcs[i];
	return NULL;
}

static int refuse_busy(struct supervisor *sup, char *err, size_t len)
{
	if (sup->shutting_down) {
		snprintf(err, len, "shutting down");
		return -1;
	}
	if (sup->pending) {
		snprintf(err, len, "a reload is in progress");
		return -1;
	}
	return 0;
}

/* Want one service up again from scratch. */
static void want_up(struct service *svc, bool rerun_done)
{
	struct supervisor *sup = svc->sup;

	svc->want_up = true;
	svc->restart_when_down = false;
	free(svc->fail_when_down);
	svc->fail_when_down = NULL;
	switch (svc->state) {
	case ST_DONE:
		if (!rerun_done)
			break;
		/* fall through */
	case ST_STOPPED:
	case ST_FAILED:
	case ST_BACKOFF:
		ev_timer_stop(sup->loop, &svc->w_restart_timer);
		svc->restarts = 0;
		svc->nfail = 0;
		svc->delay = svc->conf->restart_delay;
		svc->t_waiting = ev_now(sup->loop);
		svc->t_starting = svc->t_ready = 0;
		set_state(svc, ST_WAITING, "start requested");
		break;
	case ST_STOPPING:
		svc->restart_when_down = true; /* it comes back once it is down */
		svc->want_up = false;
		break;
	default:
		break;
	}
	enqueue(sup, svc->idx);
}

int sup_start(struct supervisor *sup, struct service *svc, char *err, size_t len)
{
	struct walk wk;

	if (refuse_busy(sup, err, len))
		return -1;
	if (walk_begin(&wk, svc) < 0) {
		snprintf(err, len, "out of memory");
		return -1;
	}
	for (struct service *s; (s = walk_next(&wk));) {
		want_up(s, s == svc);
		for (size_t i = 0; i < s->conf->ndep; i++)
			walk_push(&wk, s->conf->dep_idx[i]);
	}
	walk_end(&wk);
	run_queue(sup);
	check_all_up(sup);
	return 0;
}

int sup_stop(struct supervisor *sup, struct service *svc, char *err, size_t len)
{
	struct walk wk;

	if (refuse_busy(sup, err, len))
		return -1;
	if (walk_begin(&wk, svc) < 0) {
		snprintf(err, len, "out of memory");
		return -1;
	}
	for (struct service *s; (s = walk_next(&wk));) {
		s->want_up = false;
		s->restart_when_down = false;
		enqueue(sup, s->idx);
		for (size_t i = 0; i < s->nwaiters; i++)
			if (depends_on(sup->svcs[s->waiters[i]], s))
				walk_push(&wk, s->waiters[i]);
	}
	walk_end(&wk);
	run_queue(sup);
	return 0;
}

int sup_restart(struct supervisor *sup, struct service *svc, char *err, size_t len)
{
	if (refuse_busy(sup, err, len))
		return -1;
	if (!has_process(svc))
		return sup_start(sup, svc, err, len);
	svc->want_up = false;
	svc->restart_when_down = true;
	enqueue(sup, svc->idx);
	run_queue(sup);
	return 0;
}

/* ---- reload ----------------------------------------------------------
 * Phase one, in the old graph: removed services and changed ones that run
 * are taken down (dependents first).  Phase two, once they are all down:
 * the services are re-indexed for the new config, and added and changed
 * ones start by the new graph.  Unchanged services keep their process. */

static bool reload_ready(const struct supervisor *sup)
{
	for (size_t i = 0; i < sup->n; i++) {
		const struct service *s = sup->svcs[i];
		if (!s->want_up && (has_process(s) || s->state == ST_DONE) && s->restart_when_down)
			return false;
	}
	return true;
}

static void reload_apply(struct supervisor *sup)
{
	struct config *ncfg = sup->pending, *old = sup->cfg;
	size_t n = ncfg->nservices;
	struct service **nsvcs = calloc(n ? n : 1, sizeof *nsvcs);
	size_t *nqueue = malloc((n ? n : 1) * sizeof *nqueue);
	unsigned char *nqueued = calloc(n ? n : 1, 1);

	if (!nsvcs || !nqueue || !nqueued) {
		log_error("reload: out of memory; keeping the old config");
		free(nsvcs), free(nqueue), free(nqueued);
		config_free(ncfg);
		sup->pending = NULL;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct svc_conf *c = &ncfg->services[i];
		struct service *s = sup_find(sup, c->name);
		if (s) {
			bool changed = s->restart_when_down;
			ev_tstamp *ft = calloc((size_t)c->start_limit_burst + 1, sizeof *ft);
			if (ft) {
				free(s->fail_times);
				s->fail_times = ft;
				s->nfail = 0;
			}
			s->conf = c;
			if (changed) {
				s->restart_when_down = false;
				s->want_up = true;
				s->restarts = 0;
				s->delay = c->restart_delay;
				s->t_waiting = ev_now(sup->loop);
				s->t_starting = s->t_ready = 0;
				set_state(s, ST_WAITING, "changed by reload");
			}
		} else {
			s = service_new(sup, c);
			if (s) {
				s->want_up = true;
				s->delay = c->restart_delay;
				s->t_waiting = ev_now(sup->loop);
				set_state(s, ST_WAITING, "added by reload");
			}
		}
		if (!s) {
			log_error("reload: out of memory for %s", c->name);
			continue;
		}
		s->idx = i;
		nsvcs[i] = s;
	}
	/* what is not in the new config is down by now: free it */
	for (size_t i = 0; i < sup->n; i++) {
		struct service *s = sup->svcs[i];
		bool kept = false;
		for (size_t j = 0; j < n && !kept; j++)
			kept = nsvcs[j] == s;
		if (!kept)
			service_free(sup, s);
	}
	free(sup->svcs);
	free(sup->queue);
	free(sup->queued);
	sup->svcs = nsvcs;
	sup->queue = nqueue;
	sup->queued = nqueued;
	sup->qhead = sup->qlen = 0;
	sup->n = n;
	sup->cfg = ncfg;
	sup->pending = NULL;
	if (link_waiters(sup) < 0)
		log_error("reload: out of memory linking services");
	config_free(old);
	log_info("reload: config applied (%zu services)", n);
	for (size_t i = 0; i < n; i++)
		enqueue(sup, i);
}

static bool str_same(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static void report_add(char **report, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void report_add(char **report, size_t *len, const char *fmt, ...)
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
	char *p = realloc(*report, *len + (size_t)n + 2);
	if (!p)
		return;
	memcpy(p + *len, line, (size_t)n);
	p[*len + (size_t)n] = '\n';
	p[*len + (size_t)n + 1] = '\0';
	*len += (size_t)n + 1;
	*report = p;
}

int sup_reload(struct supervisor *sup, struct config *ncfg, char **report, char *err, size_t len)
{
	size_t rlen = 0;

	*report = NULL;
	if (refuse_busy(sup, err, len)) {
		config_free(ncfg);
		return -1;
	}
	/* [muster] settings that need a restart keep their running values */
	if (ncfg->log_prefix != sup->cfg->log_prefix) {
		report_add(report, &rlen, "log-prefix: changed; applies when muster starts again");
		ncfg->log_prefix = sup->cfg->log_prefix;
	}
	if (!str_same(ncfg->control_socket, sup->cfg->control_socket))
		report_add(report, &rlen, "control-socket: changed; applies when muster starts again");
	/* [muster] settings that apply at once */
	sup->cfg->graceful_timeout = ncfg->graceful_timeout;
	sup->cfg->log_timestamps = ncfg->log_timestamps;
	sup->cfg->log_max_size = ncfg->log_max_size;
	sup->cfg->log_max_files = ncfg->log_max_files;
	for (size_t i = 0; i < sup->n; i++) {
		struct service *s = sup->svcs[i];
		long j = config_find(ncfg, s->conf->name);
		if (j < 0) {
			report_add(report, &rlen, "%s: removed, stopping", s->conf->name);
			s->want_up = false;
			s->restart_when_down = true; /* marks "to be down before phase two" */
			enqueue(sup, i);
		} else if (!svc_conf_equal(s->conf, &ncfg->services[j])) {
			bool running = has_process(s) || s->state == ST_WAITING ||
				       s->state == ST_BACKOFF || s->state == ST_DONE;
			report_add(report, &rlen, "%s: changed, %s", s->conf->name,
				   running ? "restarting" : "not running (start it to apply)");
			if (running) {
				s->want_up = false;
				s->restart_when_down = true;
				enqueue(sup, i);
			}
		} else {
			report_add(report, &rlen, "%s: unchanged", s->conf->name);
		}
	}
	for (size_t j = 0; j < ncfg->nservices; j++)
		if (!sup_find(sup, ncfg->services[j].name))
			report_add(report, &rlen, "%s: added, starting", ncfg->services[j].name);
	if (!*report)
		report_add(report, &rlen, "no services");
	sup->pending = ncfg;
	run_queue(sup); /* stops what must stop; applies the new config when done */
	check_all_up(sup);
	return 0;
}
