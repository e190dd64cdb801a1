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
static void exited(struct service *svc, int status);

static void run_queue(struct supervisor *sup)
{
	if (sup->running_queue)
		return;
	sup->running_queue = true;
	while (sup->qlen) {
		size_t i = sup->queue[sup->qhead];
		sup->qhead = (sup->qhead + 1) % sup->n;
		sup->qlen--;
		sup->queued[i] = 0;
		step(&sup->svcs[i]);
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
	size_t n = 0;
	for (size_t i = 0; i < sup->n; i++)
		n += has_process(&sup->svcs[i]);
	return n;
}

static void check_all_up(struct supervisor *sup)
{
	if (!sup->on_all_up || sup->shutting_down)
		return;
	for (size_t i = 0; i < sup->n; i++) {
		const struct service *s = &sup->svcs[i];
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
		log_warn("%s: failed: %s", svc->conf->name, svc->fail_when_down);
		set_reason(svc, svc->fail_when_down);
		free(svc->fail_when_down);
		svc->fail_when_down = NULL;
		set_state(svc, ST_FAILED, svc->reason);
	} else {
		set_state(svc, ST_STOPPED, why);
	}
	enqueue_neighbours(svc);
}

/* Take svc and, transitively, whatever `depends` on it, down as failed. */
static void fail_dependents(struct service *svc)
{
	struct supervisor *sup = svc->sup;
	size_t *work = malloc(sup->n * sizeof *work), head = 0, tail = 0;
	unsigned char *seen = calloc(sup->n, 1);

	if (!work || !seen) {
		free(work);
		free(seen);
		return;
	}
	work[tail++] = svc->idx;
	seen[svc->idx] = 1;
	while (head < tail) {
		struct service *s = &sup->svcs[work[head++]];
		for (size_t i = 0; i < s->nwaiters; i++) {
			struct service *w = &sup->svcs[s->waiters[i]];
			bool hard = false;
			for (size_t j = 0; j < w->conf->ndep; j++)
				hard |= w->conf->dep_idx[j] == s->idx;
			if (!hard || seen[w->idx])
				continue;
			seen[w->idx] = 1;
			if (!w->want_up)
				continue;
			w->want_up = false;
			if (!w->fail_when_down) {
				char buf[128];
				snprintf(buf, sizeof buf, "dependency %s failed", s->conf->name);
				w->fail_when_down = strdup(buf);
			}
			enqueue(sup, w->idx);
			work[tail++] = w->idx;
		}
	}
	free(work);
	free(seen);
}

static void critical_ended(struct service *svc)
{
	struct supervisor *sup = svc->sup;
	char why[128];

	if (!svc->conf->critical || sup->shutting_down)
		return;
	sup->exit_status = svc->status >= 0 ? wait_status_code(svc->status) : 1;
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
	critical_ended(svc);
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
	svc->sup->ops->kill_group(svc->pid, SIGKILL);
}

static void graceful_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct supervisor *sup = w->data;
	(void)loop, (void)revents;
	log_warn("graceful-timeout (%gs) passed with %zu services running: sending SIGKILL",
		 sup->cfg->graceful_timeout, sup_running(sup));
	sup_kill_all(sup);
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
	size_t *nw = calloc(n ? n : 1, sizeof *nw);
	if (!sup->svcs || !sup->queue || !sup->queued || !nw)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		struct svc_conf *c = &cfg->services[i];
		for (size_t j = 0; j < cfg->graph.nout[i]; j++)
			nw[cfg->graph.out[i][j]]++;
		(void)c;
	}
	for (size_t i = 0; i < n; i++) {
		struct service *s = &sup->svcs[i];
		s->conf = &cfg->services[i];
		s->sup = sup;
		s->idx = i;
		s->state = ST_STOPPED;
		s->exec_fd = -1;
		s->status = -1;
		s->waiters = calloc(nw[i] ? nw[i] : 1, sizeof *s->waiters);
		s->fail_times = calloc((size_t)s->conf->start_limit_burst + 1, sizeof *s->fail_times);
		if (!s->waiters || !s->fail_times)
			goto fail;
		ev_timer_init(&s->w_stop_timer, stop_timeout_cb, 0, 0);
		s->w_stop_timer.data = s;
		ev_timer_init(&s->w_restart_timer, restart_cb, 0, 0);
		s->w_restart_timer.data = s;
	}
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < cfg->graph.nout[i]; j++) {
			struct service *t = &sup->svcs[cfg->graph.out[i][j]];
			t->waiters[t->nwaiters++] = i;
		}
	ev_timer_init(&sup->w_graceful, graceful_cb, 0, 0);
	sup->w_graceful.data = sup;
	free(nw);
	return 0;
fail:
	free(nw);
	sup_free(sup);
	return -1;
}

void sup_free(struct supervisor *sup)
{
	for (size_t i = 0; sup->svcs && i < sup->n; i++) {
		struct service *s = &sup->svcs[i];
		if (sup->loop) {
			ev_timer_stop(sup->loop, &s->w_stop_timer);
			ev_timer_stop(sup->loop, &s->w_restart_timer);
		}
		free(s->waiters);
		free(s->fail_times);
		free(s->reason);
		free(s->fail_when_down);
	}
	if (sup->loop)
		ev_timer_stop(sup->loop, &sup->w_graceful);
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
		svc->status = 127 << 8;
		svc->t_starting = ev_now(sup->loop);
		set_state(svc, ST_STARTING, buf);
		set_reason(svc, buf);
		exited(svc, svc->status);
		return;
	}
	svc->pid = pid;
	svc->exec_fd = fd;
	svc->t_starting = ev_now(sup->loop);
	log_info("%s: started (pid %ld)", svc->conf->name, (long)pid);
	set_state(svc, ST_STARTING, NULL);
}

/* Can a waiting service start?  1 yes, 0 not yet, -1 never (reason set). */
static int deps_settled(struct service *svc, char *why, size_t len)
{
	struct supervisor *sup = svc->sup;
	const struct svc_conf *c = svc->conf;

	for (size_t i = 0; i < c->ndep; i++) {
		const struct service *d = &sup->svcs[c->dep_idx[i]];
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
		const struct service *d = &sup->svcs[c->after_idx[i]];
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
		 (long)svc->pid);
	set_state(svc, ST_STOPPING, NULL);
	if (sup->ops->kill_group(svc->pid, sig) < 0 && errno != ESRCH)
		log_warn_errno("%s: cannot send %s", svc->conf->name, signal_name(sig));
	if (sig != SIGKILL && sig != SIGCONT)
		sup->ops->kill_group(svc->pid, SIGCONT);
	if (!sup->killing) {
		ev_timer_set(&svc->w_stop_timer, svc->conf->stop_timeout, 0);
		ev_timer_start(sup->loop, &svc->w_stop_timer);
	}
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
	case ST_STARTING:
	case ST_READY:
	case ST_DONE:
		/* stops once what waits for it and is going down has stopped; a
		 * done oneshot keeps its place in that order until then */
		for (size_t i = 0; i < svc->nwaiters; i++) {
			const struct service *w = &sup->svcs[svc->waiters[i]];
			if (!w->want_up && (has_process(w) || w->state == ST_DONE))
				return;
		}
		if (svc->state == ST_DONE)
			went_down(svc, "stop requested");
		else
			send_stop(svc);
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
	if (svc->state == ST_STOPPING || !svc->want_up) {
		log_info("%s: stopped (%s)", c->name, st);
		went_down(svc, st);
		return;
	}
	if (svc->state == ST_STARTING && c->type == TYPE_ONESHOT && clean) {
		became_ready(svc, ST_DONE);
		return;
	}
	log_warn("%s: exited with %s", c->name, st);
	bool restart = !sup->shutting_down &&
		       (c->restart == RESTART_ALWAYS || (c->restart == RESTART_ON_FAILURE && !clean));
	if (!restart) {
		if (clean) {
			svc->want_up = false;
			set_state(svc, ST_STOPPED, "exited with status 0");
			enqueue_neighbours(svc);
			run_queue(sup);
			critical_ended(svc);
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
	if (over_start_limit(svc, now)) {
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
		if (has_process(&sup->svcs[i]) && sup->svcs[i].pid == pid)
			return &sup->svcs[i];
	return NULL;
}

struct service *sup_child_exited(struct supervisor *sup, pid_t pid, int status)
{
	struct service *svc = sup_find_pid(sup, pid);
	if (!svc)
		return NULL;
	if (pid > 0 && svc->state == ST_STOPPING)
		sup->ops->kill_group(pid, SIGKILL); /* what is left of its group */
	else if (pid > 0)
		sup->ops->kill_group(pid, SIGTERM);
	svc->pid = 0;
	svc->status = status;
	exited(svc, status);
	run_queue(sup);
	return svc;
}

void sup_start_all(struct supervisor *sup)
{
	ev_tstamp now = ev_now(sup->loop);
	for (size_t i = 0; i < sup->n; i++) {
		struct service *s = &sup->svcs[i];
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
		sup->svcs[i].want_up = false;
		enqueue(sup, i);
	}
	run_queue(sup);
	if (left <= 0)
		sup_kill_all(sup);
}

void sup_kill_all(struct supervisor *sup)
{
	sup->killing = true;
	ev_timer_stop(sup->loop, &sup->w_graceful);
	for (size_t i = 0; i < sup->n; i++) {
		struct service *s = &sup->svcs[i];
		s->want_up = false;
		if (has_process(s) && s->pid > 0) {
			ev_timer_stop(sup->loop, &s->w_stop_timer);
			sup->ops->kill_group(s->pid, SIGKILL);
			set_state(s, ST_STOPPING, "killed");
		}
		enqueue(sup, i);
	}
	run_queue(sup);
}
