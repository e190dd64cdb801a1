/* The lifecycle of services, run from the table in lifecycle.c.
 *
 * Every event goes through dispatch(svc, EVENT, detail): it looks up the
 * cell for the service's state, sets the goal the cell's action implies,
 * and runs the action, one short function below, which enters the cell's
 * next state through set_state() (the one place a state changes; it logs
 * "NAME: old -> new (why)").  What happens on an event in a state is in
 * the table (doc/lifecycle.md), not here.
 *
 * The events come from three places:
 *   - the daemon and the operations: sup_exec_result(), sup_ready(),
 *     sup_service_exited(), the timers, sup_start() and the others;
 *   - the work queue: when a service's state changes, the services on
 *     either side of its edges are queued, and step() turns each one's
 *     goal and the graph into a due event: wanted up and waiting, its
 *     dependencies are ready (deps-ready) or failed (deps-failed); wanted
 *     down, it is held while a service that waits for it and is going down
 *     still has a process (reverse order), else its stop is due.  The
 *     graph is walked with a work queue, never by recursion;
 *   - actions, for what follows at once: a spawn error is an exit with
 *     status 127; a service down with GOAL_RESTART is up-again.
 * A `depends` target that fails for good gives its dependents (and theirs)
 * GOAL_FAIL, so that they stop first and end as failed, "dependency X
 * failed"; one that is restarting after a crash leaves them running.
 */
#include "service.h"

#include <errno.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "keys.h"
#include "log.h"
#include "parse.h"

/* a hook's outcome: its name and an exec failure with its path */
#define PATH_MAX_WHY 4300

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
	return lc_has_process(svc->state);
}

bool sup_is_wanted(const struct service *svc)
{
	return lc_wanted(svc->goal);
}

/* Signal what makes up the service: its process group, and its main
 * process too when MAINPID= moved it out of that group. */
static int signal_service(struct service *svc, int sig)
{
	const struct sys_ops *ops = svc->sup->ops;
	/* with a cgroup: every process in it, escaped grandchildren too */
	if (ops->kill_cgroup && ops->kill_cgroup(svc, sig) == 0)
		return 0;
	int r = svc->sup->ops->kill_group(svc->pgid, sig);
	if (svc->pid > 0 && svc->pid != svc->pgid && svc->sup->ops->kill_pid)
		svc->sup->ops->kill_pid(svc->pid, sig);
	return r;
}

static void set_reason(struct service *svc, const char *reason)
{
	char *r = reason ? strdup(reason) : NULL;
	free(svc->reason);
	svc->reason = r;
}

const char *hook_name(enum hook_kind k)
{
	switch (k) {
	case HOOK_PRE_START: return "pre-start";
	case HOOK_POST_START: return "post-start";
	case HOOK_STOP_COMMAND: return "stop-command";
	case HOOK_POST_STOP: return "post-stop";
	case HOOK_NONE: break;
	}
	return "-";
}

static void set_state(struct service *svc, enum svc_state st, const char *why)
{
	enum svc_state old = svc->state;
	if (old == st)
		return;
	svc->state = st;
	svc->t_state = ev_now(svc->sup->loop);
	/* has_process() depends on the state alone: keep the count here */
	svc->sup->nrunning += (size_t)has_process(svc) - (size_t)lc_has_process(old);
	if (old == ST_STARTING) {
		ev_timer_stop(svc->sup->loop, &svc->w_ready_timer);
		if (svc->sup->ops->stop_probe)
			svc->sup->ops->stop_probe(svc);
	}
	/* health checks run only while ready */
	if (old == ST_READY && svc->sup->ops->stop_health)
		svc->sup->ops->stop_health(svc);
	if (st == ST_READY) {
		memset(&svc->health, 0, sizeof svc->health);
		if (svc->sup->ops->start_health)
			svc->sup->ops->start_health(svc);
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

/* Queue what svc waits for; through those without a process (a done
 * oneshot, one in backoff) also what they wait for, as downstream_down()
 * looks through them: a stop held by svc is re-evaluated when it goes. */
static void enqueue_upstream(struct service *svc)
{
	struct supervisor *sup = svc->sup;
	const struct svc_conf *c = svc->conf;
	bool through = false;
	for (size_t i = 0; i < c->ndep + c->nafter; i++) {
		size_t j = i < c->ndep ? c->dep_idx[i] : c->after_idx[i - c->ndep];
		enqueue(sup, j);
		through |= !has_process(sup->svcs[j]);
	}
	if (!through)
		return;
	struct walk wk;
	if (walk_begin(&wk, svc) < 0)
		return;
	for (struct service *s; (s = walk_next(&wk));) {
		if (s != svc && has_process(s))
			continue; /* enqueued, not walked through */
		const struct svc_conf *sc = s->conf;
		for (size_t i = 0; i < sc->ndep + sc->nafter; i++) {
			size_t j = i < sc->ndep ? sc->dep_idx[i] : sc->after_idx[i - sc->ndep];
			if (walk_push(&wk, j))
				enqueue(sup, j);
		}
	}
	walk_end(&wk);
}

static void enqueue_neighbours(struct service *svc)
{
	struct supervisor *sup = svc->sup;
	enqueue_upstream(svc);
	for (size_t i = 0; i < svc->nwaiters; i++)
		enqueue(sup, svc->waiters[i]);
}

static void dispatch(struct service *svc, enum lc_event ev, const char *detail);
static void track_pid(struct service *svc);
static void step(struct service *svc);
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
		if (lc_wanted_up(s->goal) && s->state != ST_READY && s->state != ST_DONE)
			return;
	}
	sup->on_all_up(sup);
}


/* Does w list s among its `depends` (not only `after`)? */
static bool depends_on(const struct service *w, const struct service *s)
{
	for (size_t j = 0; j < w->conf->ndep; j++)
		if (w->conf->dep_idx[j] == s->idx)
			return true;
	return false;
}

/* svc failed for good: what `depends` on it (transitively) and is wanted
 * up gets dep-failed.  The whole walk is made before any of them moves. */
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
			if (!lc_wanted_up(w->goal)) {
				wk.seen[w->idx] = 1; /* going down already: not through it */
				continue;
			}
			walk_push(&wk, w->idx);
			char buf[128];
			snprintf(buf, sizeof buf, "dependency %s failed", s->conf->name);
			dispatch(w, EV_DEP_FAILED, buf);
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

/* ---- timers: each is one event ---------------------------------------- */

static void restart_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct service *svc = w->data;
	(void)loop, (void)revents;
	dispatch(svc, EV_RESTART_DELAY, NULL);
	run_queue(svc->sup);
}

static void stop_timeout_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct service *svc = w->data;
	(void)loop, (void)revents;
	if (svc->draining) {
		/* its main process is gone; what is left of its cgroup goes */
		log_warn("%s: processes left in its cgroup %gs after its exit: killing them",
			 svc->conf->name, svc->conf->stop_timeout);
		signal_service(svc, SIGKILL);
		return;
	}
	dispatch(svc, EV_STOP_TIMEOUT, NULL);
	run_queue(svc->sup);
}

static void ready_timeout_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct service *svc = w->data;
	(void)loop, (void)revents;
	dispatch(svc, EV_READY_TIMEOUT, NULL);
	run_queue(svc->sup);
}

static void hook_timeout_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct service *svc = w->data;
	(void)loop, (void)revents;
	dispatch(svc, EV_HOOK_TIMEOUT, NULL);
	run_queue(svc->sup);
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

/* ---- services and the supervisor -------------------------------------- */

static struct service *service_new(struct supervisor *sup, struct svc_conf *conf)
{
	struct service *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->conf = conf;
	s->sup = sup;
	s->state = ST_STOPPED;
	s->goal = GOAL_DOWN;
	s->exec_fd = -1;
	s->hook_exec_fd = -1;
	s->status = -1;
	s->fail_cap = (size_t)conf->start_limit_burst + 1;
	s->fail_times = calloc(s->fail_cap, sizeof *s->fail_times);
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
	ev_timer_init(&s->w_hook_timer, hook_timeout_cb, 0, 0);
	s->w_hook_timer.data = s;
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
		ev_timer_stop(sup->loop, &s->w_hook_timer);
	}
	if (s->hook_exec_fd >= 0)
		close(s->hook_exec_fd);
	if (s->probe && sup->ops && sup->ops->stop_probe)
		sup->ops->stop_probe(s);
	if (s->health_probe && sup->ops && sup->ops->stop_health)
		sup->ops->stop_health(s);
	free(s->waiters);
	free(s->fail_times);
	free(s->reason);
	free(s->goal_why);
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
	free(sup->pid_slot);
	memset(sup, 0, sizeof *sup);
}

/* ---- the facts that make events --------------------------------------- */

/* Can a service wanted up start?  1 yes, 0 not yet, -1 never (why set). */
static int deps_settled(struct service *svc, char *why, size_t len)
{
	struct supervisor *sup = svc->sup;
	const struct svc_conf *c = svc->conf;

	for (size_t i = 0; i < c->ndep; i++) {
		const struct service *d = sup->svcs[c->dep_idx[i]];
		if (d->state == ST_READY || d->state == ST_DONE)
			continue;
		if (d->state == ST_DISABLED) {
			snprintf(why, len, "dependency %s is disabled", d->conf->name);
			return -1;
		}
		if (d->state == ST_FAILED || (d->state == ST_STOPPED && !lc_wanted_up(d->goal))) {
			snprintf(why, len, "dependency %s %s", d->conf->name,
				 d->state == ST_FAILED ? "failed" : "is stopped");
			return -1;
		}
		return 0;
	}
	for (size_t i = 0; i < c->nafter; i++) {
		const struct service *d = sup->svcs[c->after_idx[i]];
		if (d->state == ST_READY || d->state == ST_DONE || d->state == ST_FAILED ||
		    d->state == ST_DISABLED || (d->state == ST_STOPPED && !lc_wanted_up(d->goal)))
			continue;
		return 0;
	}
	return 1;
}

/* Has every service downstream of svc that is going down stopped?  The
 * walk passes through services without a process (a crashed one in
 * backoff, a done oneshot), so the order holds across them; it stops at
 * services that stay up. */
static bool downstream_down(struct service *svc)
{
	struct walk wk;
	bool down = true;

	if (!svc->nwaiters)
		return true;
	if (walk_begin(&wk, svc) < 0)
		return true; /* out of memory: better stop out of order than never */
	for (struct service *s; down && (s = walk_next(&wk));) {
		for (size_t i = 0; i < s->nwaiters && down; i++) {
			struct service *w = s->sup->svcs[s->waiters[i]];
			if (has_process(w)) {
				if (!lc_wanted_up(w->goal))
					down = false;
			} else {
				walk_push(&wk, w->idx); /* through it */
			}
		}
	}
	walk_end(&wk);
	return down;
}

/* Re-evaluate a queued service: the due event its goal and the graph make. */
static void step(struct service *svc)
{
	char why[160];

	why[0] = '\0';
	if (lc_wanted_up(svc->goal)) {
		int r = deps_settled(svc, why, sizeof why);
		if (r != 0)
			dispatch(svc, r > 0 ? lc_ready_event(svc->conf->pre_start != NULL) : EV_DEPS_FAILED,
				 why);
		return;
	}
	bool held = (svc->state == ST_STARTING || svc->state == ST_READY) && !downstream_down(svc);
	dispatch(svc, lc_down_event(svc->goal, held, svc->sup->shutting_down), NULL);
}

/* Count a failure at now; true when the start limit is exceeded. */
static bool over_start_limit(void *arg)
{
	struct service *svc = arg;
	ev_tstamp now = ev_now(svc->sup->loop);
	int burst = svc->conf->start_limit_burst;
	if (burst <= 0)
		return false;
	size_t cap = (size_t)burst + 1;
	if (cap > svc->fail_cap)
		cap = svc->fail_cap; /* a reload could not grow the ring: count in what there is */
	svc->fail_times[svc->nfail % cap] = now;
	svc->nfail++;
	unsigned recent = 0;
	for (size_t i = 0; i < cap && i < svc->nfail; i++)
		if (now - svc->fail_times[i] <= svc->conf->start_limit_interval)
			recent++;
	return recent > (unsigned)burst;
}

/* The event the exit with svc->status is. */
static enum lc_event exit_event(struct service *svc)
{
	struct lc_exit x = {
		.goal = svc->goal,
		.clean = exit_set_match(&svc->conf->success_exit, svc->status),
		.oneshot = svc->conf->type == TYPE_ONESHOT,
		.restart = svc->conf->restart,
		.over_limit = over_start_limit,
		.arg = svc,
		/* post-stop runs once, after the main process */
		.post_stop = svc->conf->post_stop && lc_has_main(svc->state),
	};
	return lc_exit_event(&x);
}

/* ---- the actions ------------------------------------------------------
 * Each gets the cell: its next state and the reason that change logs.
 * dispatch() has set the goal already.  An action enters c->next once,
 * with enter(): the table says where to, the action only when. */

static void enter(struct service *svc, const struct lc_cell *c, const char *why)
{
	set_state(svc, (enum svc_state)c->next, why ? why : c->why);
}

/* ---- hooks: processes of the service, one at a time ------------------ */

char **sup_hook_argv(const struct svc_conf *c, enum hook_kind k)
{
	switch (k) {
	case HOOK_PRE_START: return c->pre_start;
	case HOOK_POST_START: return c->post_start;
	case HOOK_STOP_COMMAND: return c->stop_command;
	case HOOK_POST_STOP: return c->post_stop;
	case HOOK_NONE: break;
	}
	return NULL;
}

/* The hook is gone (or given up): forget it. */
static void hook_forget(struct service *svc)
{
	ev_timer_stop(svc->sup->loop, &svc->w_hook_timer);
	if (svc->hook_exec_fd >= 0)
		close(svc->hook_exec_fd);
	svc->hook_exec_fd = -1;
	svc->hook = HOOK_NONE;
	svc->hook_pid = 0;
	svc->hook_timed_out = false;
}

/* SIGKILL to the hook's group, and forget it: what it did is of no use
 * any more (a post-start or a stop-command when the main process exits). */
static void hook_cancel(struct service *svc)
{
	if (!svc->hook_pid)
		return;
	log_debug("%s: %s (pid %ld) cancelled", svc->conf->name, hook_name(svc->hook),
		  (long)svc->hook_pid);
	svc->sup->ops->kill_group(svc->hook_pid, SIGKILL);
	hook_forget(svc);
}

static void hook_signal(struct service *svc, int sig)
{
	if (svc->hook_pid > 0 && svc->sup->ops->kill_group(svc->hook_pid, sig) < 0 && errno != ESRCH)
		log_warn_errno("%s: cannot send %s to %s", svc->conf->name, signal_name(sig),
			       hook_name(svc->hook));
}

/* Start hook k within bound (0: none).  0, or -1 with why (a one-line
 * reason) when it could not be started. */
static int hook_run(struct service *svc, enum hook_kind k, double bound, char *const *env,
		    char *why, size_t len)
{
	struct supervisor *sup = svc->sup;
	int fd = -1;

	hook_cancel(svc);
	if (!sup->ops->spawn_hook) {
		snprintf(why, len, "%s cannot run here", hook_name(k));
		return -1;
	}
	pid_t pid = sup->ops->spawn_hook(svc, sup_hook_argv(svc->conf, k), env, &fd);
	if (pid < 0) {
		snprintf(why, len, "cannot start %s: %s", hook_name(k), strerror(errno));
		return -1;
	}
	svc->hook = k;
	svc->hook_pid = pid;
	svc->hook_exec_fd = fd;
	svc->hook_timed_out = false;
	log_info("%s: %s started (pid %ld)", svc->conf->name, hook_name(k), (long)pid);
	if (bound > 0) {
		ev_timer_set(&svc->w_hook_timer, bound, 0);
		ev_timer_start(sup->loop, &svc->w_hook_timer);
	}
	return 0;
}

struct service *sup_find_hook(struct supervisor *sup, pid_t pid)
{
	for (size_t i = 0; i < sup->n; i++)
		if (sup->svcs[i]->hook_pid == pid && pid > 0)
			return sup->svcs[i];
	return NULL;
}

void sup_hook_exited(struct service *svc, int status, const char *msg)
{
	struct supervisor *sup = svc->sup;
	enum hook_kind k = svc->hook;
	char why[PATH_MAX_WHY];
	bool ok = !msg && WIFEXITED(status) && WEXITSTATUS(status) == 0;

	/* what it left in its group goes with it */
	sup->ops->kill_group(svc->hook_pid, SIGKILL);
	if (msg)
		snprintf(why, sizeof why, "%s: %s", hook_name(k), msg);
	else if (svc->hook_timed_out)
		snprintf(why, sizeof why, "%s not done within %gs", hook_name(k),
			 k == HOOK_PRE_START || k == HOOK_POST_START ? svc->conf->ready_timeout
								     : svc->conf->stop_timeout);
	else if (WIFSIGNALED(status))
		snprintf(why, sizeof why, "%s killed by %s", hook_name(k), signal_name(WTERMSIG(status)));
	else
		snprintf(why, sizeof why, "%s exited with status %d", hook_name(k), WEXITSTATUS(status));
	hook_forget(svc);
	dispatch(svc, lc_hook_event(svc->state, svc->goal, ok), why);
	run_queue(sup);
}

/* A_START: up from scratch. */
static void start_over(struct service *svc, const struct lc_cell *c)
{
	ev_timer_stop(svc->sup->loop, &svc->w_restart_timer);
	svc->restarts = 0;
	svc->nfail = 0;
	svc->delay = svc->conf->restart_delay;
	svc->t_waiting = ev_now(svc->sup->loop);
	svc->t_starting = svc->t_ready = 0;
	enter(svc, c, NULL);
}

static void want_fail(struct service *svc, const char *why)
{
	free(svc->goal_why);
	svc->goal_why = why ? strdup(why) : NULL;
}

/* Is exec succeeding all the readiness it gets? */
static bool ready_on_exec(const struct svc_conf *c)
{
	return c->type == TYPE_SIMPLE && c->ready_fd < 0 && !c->ready_tcp_host &&
	       !c->ready_check_argv && !c->ready_http && !c->ready_log;
}

static void spawn(struct service *svc, const struct lc_cell *c)
{
	struct supervisor *sup = svc->sup;
	int fd = -1;

	set_reason(svc, NULL);
	pid_t pid = sup->ops->spawn(svc, &fd);
	if (pid < 0) {
		char buf[160];
		snprintf(buf, sizeof buf, "cannot start: %s", strerror(errno));
		log_error("%s: %s", svc->conf->name, buf);
		/* nothing ran: an exit with status 127 */
		svc->pid = 0;
		svc->pgid = 0;
		svc->status = 127 << 8;
		svc->t_starting = ev_now(sup->loop);
		enter(svc, c, buf);
		set_reason(svc, buf);
		dispatch(svc, exit_event(svc), NULL);
		return;
	}
	svc->pid = pid;
	svc->pgid = pid;
	track_pid(svc);
	svc->exec_fd = fd;
	svc->draining = svc->oom_killed = false;
	svc->oom_seen = sup->ops->cgroup_oom_kills ? sup->ops->cgroup_oom_kills(svc) : 0;
	svc->t_starting = ev_now(sup->loop);
	log_info("%s: started (pid %ld)", svc->conf->name, (long)pid);
	enter(svc, c, NULL);
	const struct svc_conf *conf = svc->conf;
	if (!ready_on_exec(conf) && conf->type != TYPE_ONESHOT) {
		if (sup->ops->start_probe)
			sup->ops->start_probe(svc);
		if (conf->ready_timeout > 0) {
			ev_timer_set(&svc->w_ready_timer, conf->ready_timeout, 0);
			ev_timer_start(sup->loop, &svc->w_ready_timer);
		}
	}
}

/* A_FAIL and the exits that end in failed: the reason (not svc->reason
 * itself), dependents failed, what it waits for re-evaluated. */
static void fail_for_good(struct service *svc, const struct lc_cell *c, const char *reason)
{
	log_error("%s: failed: %s", svc->conf->name, reason);
	set_reason(svc, reason);
	enter(svc, c, reason);
	fail_dependents(svc);
	enqueue_neighbours(svc);
	critical_ended(svc, -1);
}

/* A_DOWN: no process, and not coming back by itself (unless its goal is
 * restart). */
static void went_down(struct service *svc, const struct lc_cell *c, const char *why)
{
	struct supervisor *sup = svc->sup;

	ev_timer_stop(sup->loop, &svc->w_stop_timer);
	ev_timer_stop(sup->loop, &svc->w_restart_timer);
	enter(svc, c, why);
	if (svc->goal == GOAL_RESTART && !sup->shutting_down && !sup->pending)
		dispatch(svc, EV_UP_AGAIN, NULL);
	enqueue_neighbours(svc);
}

/* A_FAIL_DOWN: the same, ending failed with the reason its goal kept. */
static void failed_down(struct service *svc, const struct lc_cell *c)
{
	struct supervisor *sup = svc->sup;
	char *why = svc->goal_why;

	svc->goal_why = NULL;
	ev_timer_stop(sup->loop, &svc->w_stop_timer);
	ev_timer_stop(sup->loop, &svc->w_restart_timer);
	log_error("%s: failed: %s", svc->conf->name, why ? why : "a dependency failed");
	set_reason(svc, why ? why : "a dependency failed");
	free(why);
	enter(svc, c, svc->reason);
	critical_ended(svc, 1);
	enqueue_neighbours(svc);
}

/* A_PASS_UP: what it waits for may be held by it no longer. */
static void pass_up(struct service *svc)
{
	struct supervisor *sup = svc->sup;
	for (size_t i = 0; i < svc->conf->ndep; i++)
		if (!lc_wanted_up(sup->svcs[svc->conf->dep_idx[i]]->goal))
			enqueue(sup, svc->conf->dep_idx[i]);
	for (size_t i = 0; i < svc->conf->nafter; i++)
		if (!lc_wanted_up(sup->svcs[svc->conf->after_idx[i]]->goal))
			enqueue(sup, svc->conf->after_idx[i]);
}

static void send_stop(struct service *svc, const struct lc_cell *c)
{
	struct supervisor *sup = svc->sup;
	int sig = sup->killing ? SIGKILL : svc->conf->stop_signal;
	char why[PATH_MAX_WHY];

	hook_cancel(svc); /* a post-start still running */
	if (svc->conf->stop_command && !sup->killing) {
		log_info("%s: stopping (stop-command)", svc->conf->name);
		enter(svc, c, NULL);
		/* bounded by stop-timeout, as the main process is */
		if (hook_run(svc, HOOK_STOP_COMMAND, 0, NULL, why, sizeof why) == 0) {
			ev_timer_set(&svc->w_stop_timer, svc->conf->stop_timeout, 0);
			ev_timer_start(sup->loop, &svc->w_stop_timer);
			return;
		}
		log_warn("%s: %s: sending %s", svc->conf->name, why, signal_name(sig));
	}
	log_info("%s: stopping (%s to process group %ld)", svc->conf->name, signal_name(sig),
		 (long)svc->pgid);
	if (svc->state != c->next)
		enter(svc, c, NULL);
	if (signal_service(svc, sig) < 0 && errno != ESRCH)
		log_warn_errno("%s: cannot send %s", svc->conf->name, signal_name(sig));
	if (sig != SIGKILL && sig != SIGCONT)
		signal_service(svc, SIGCONT);
	if (!sup->killing) {
		ev_timer_set(&svc->w_stop_timer, svc->conf->stop_timeout, 0);
		ev_timer_start(sup->loop, &svc->w_stop_timer);
	}
}

static void kill_now(struct service *svc, const struct lc_cell *c)
{
	ev_timer_stop(svc->sup->loop, &svc->w_stop_timer);
	hook_signal(svc, SIGKILL); /* its exit is still awaited */
	if (svc->pgid > 0) /* 0: its spawn failed, nothing to signal */
		signal_service(svc, SIGKILL);
	enter(svc, c, NULL);
}

static void became_ready(struct service *svc, const struct lc_cell *c, const char *what)
{
	char why[PATH_MAX_WHY];

	svc->t_ready = ev_now(svc->sup->loop);
	log_info("%s: %s", svc->conf->name, what);
	enter(svc, c, NULL);
	/* post-start: once ready (a oneshot is done, not ready); within
	 * ready-timeout; how it ends is logged, nothing more */
	if (svc->state == ST_READY && svc->conf->post_start &&
	    hook_run(svc, HOOK_POST_START, svc->conf->ready_timeout, NULL, why, sizeof why) < 0)
		log_warn("%s: %s", svc->conf->name, why);
	enqueue_neighbours(svc);
	run_queue(svc->sup);
	check_all_up(svc->sup);
}

static void exec_failed(struct service *svc, const char *msg)
{
	log_error("%s: %s", svc->conf->name, msg);
	set_reason(svc, msg);
}

/* A_STOPPED: it exited as wanted. */
static void stopped(struct service *svc, const struct lc_cell *c)
{
	char st[32];
	if (svc->state == ST_PRE_START) { /* its main process never ran */
		log_info("%s: start cancelled", svc->conf->name);
		went_down(svc, c, NULL);
		return;
	}
	wait_status_str(svc->status, st, sizeof st);
	log_info("%s: stopped (%s)", svc->conf->name, st);
	went_down(svc, c, st);
}

/* A_STOPPED_FAIL: the same, ending failed. */
static void stopped_failed(struct service *svc, const struct lc_cell *c)
{
	char st[32];
	log_info("%s: stopped (%s)", svc->conf->name, wait_status_str(svc->status, st, sizeof st));
	failed_down(svc, c);
}

/* An exit of a service wanted up (a spawn that failed was logged). */
static void log_exit(const struct service *svc)
{
	char st[32];
	wait_status_str(svc->status, st, sizeof st);
	if (!svc->pgid)
		return;
	if (exit_set_match(&svc->conf->success_exit, svc->status))
		log_info("%s: exited with %s", svc->conf->name, st);
	else
		log_warn("%s: exited with %s", svc->conf->name, st);
}

/* The exit of a service stopped for a failure (GOAL_RETRY): the reason
 * was set when it was stopped (not ready in time, unhealthy). */
static void not_ready(struct service *svc)
{
	char why[64];
	if (svc->reason)
		return;
	snprintf(why, sizeof why, "not ready within %gs", svc->conf->ready_timeout);
	set_reason(svc, why);
}

static void exit_clean(struct service *svc, const struct lc_cell *c)
{
	enter(svc, c, NULL);
	enqueue_neighbours(svc);
	run_queue(svc->sup);
	critical_ended(svc, 0); /* a clean exit by success-exit too */
}

static void exit_fail(struct service *svc, const struct lc_cell *c)
{
	char st[32], why[200];
	if (svc->reason)
		snprintf(why, sizeof why, "%s", svc->reason);
	else
		snprintf(why, sizeof why, "exited with %s", wait_status_str(svc->status, st, sizeof st));
	fail_for_good(svc, c, why);
	run_queue(svc->sup);
}

static void exit_limit(struct service *svc, const struct lc_cell *c)
{
	char st[32], why[200];
	snprintf(why, sizeof why, "start limit hit: more than %d failures in %gs (last: %s)",
		 svc->conf->start_limit_burst, svc->conf->start_limit_interval,
		 svc->reason ? svc->reason : wait_status_str(svc->status, st, sizeof st));
	fail_for_good(svc, c, why);
	run_queue(svc->sup);
}

static void backoff(struct service *svc, const struct lc_cell *c)
{
	struct supervisor *sup = svc->sup;
	const struct svc_conf *conf = svc->conf;
	ev_tstamp now = ev_now(sup->loop);
	char st[32], why[200];

	/* a service that stayed ready long enough starts over at the first delay */
	if (svc->state == ST_READY && now - svc->t_ready > conf->restart_delay_max)
		svc->delay = conf->restart_delay;
	double delay = svc->delay;
	svc->delay = delay * 2 > conf->restart_delay_max ? conf->restart_delay_max : delay * 2;
	snprintf(why, sizeof why, "%s", svc->reason ? svc->reason :
		 wait_status_str(svc->status, st, sizeof st));
	log_info("%s: restarting in %gs", conf->name, delay);
	enter(svc, c, why);
	ev_timer_set(&svc->w_restart_timer, delay, 0);
	ev_timer_start(sup->loop, &svc->w_restart_timer);
	/* dependents stay up; services still waiting for it keep waiting */
}

static void restart_delay_over(struct service *svc, const struct lc_cell *c)
{
	svc->restarts++;
	enter(svc, c, NULL);
	enqueue(svc->sup, svc->idx);
}

static void ready_timeout(struct service *svc, const struct lc_cell *c)
{
	char why[64];
	snprintf(why, sizeof why, "not ready within %gs", svc->conf->ready_timeout);
	log_error("%s: %s: stopping it", svc->conf->name, why);
	set_reason(svc, why);
	send_stop(svc, c);
}

/* ---- health ---------------------------------------------------------- */

static struct lc_checks checks_of(const struct svc_conf *c)
{
	struct lc_checks k = {
		.check = c->health_check_argv || c->health_http || c->health_tcp_host,
		.watchdog = c->watchdog > 0,
		.retries = c->health_retries > 0 ? (unsigned)c->health_retries : 1,
		.start_period = c->health_start_period,
	};
	return k;
}

enum lc_health_state sup_health(const struct service *svc)
{
	if (svc->state != ST_READY)
		return HEALTH_NONE;
	struct lc_checks k = checks_of(svc->conf);
	return lc_health_of(&svc->health, &k);
}

static void check_passed(struct service *svc)
{
	bool was = sup_health(svc) == HEALTH_UNHEALTHY;
	lc_health_passed(&svc->health);
	enum lc_health_state now = sup_health(svc);
	if (now == HEALTH_HEALTHY) {
		if (was)
			log_info("%s: healthy again", svc->conf->name);
		set_reason(svc, NULL);
	}
}

static void check_failed(struct service *svc, const char *why)
{
	struct lc_checks k = checks_of(svc->conf);
	double since = ev_now(svc->sup->loop) - svc->t_ready;
	set_reason(svc, why);
	bool became = lc_health_failed(&svc->health, &k, since);
	if (!svc->health.passed && since < k.start_period)
		log_debug("%s: health check failed in the start period: %s", svc->conf->name, why);
	else if (!became)
		log_warn("%s: health check failed (%u of %u in a row): %s", svc->conf->name,
			 svc->health.fails, k.retries, why);
	if (became)
		dispatch(svc, lc_unhealthy_event(svc->conf->on_unhealthy), why);
}

static void watchdog_missed(struct service *svc)
{
	struct lc_checks k = checks_of(svc->conf);
	char why[96];
	snprintf(why, sizeof why, "no WATCHDOG=1 within %gs", svc->conf->watchdog);
	set_reason(svc, why);
	if (lc_health_missed(&svc->health, &k))
		dispatch(svc, lc_unhealthy_event(svc->conf->on_unhealthy), why);
	else
		log_warn("%s: %s", svc->conf->name, why);
}

/* "unhealthy: WHY", WHY being the last check's reason. */
static void unhealthy_reason(struct service *svc, const char *why, char *buf, size_t len)
{
	snprintf(buf, len, "unhealthy: %s", why ? why : svc->reason ? svc->reason : "check failed");
}

static void unhealthy_restart(struct service *svc, const struct lc_cell *c, const char *why)
{
	char buf[300];
	unhealthy_reason(svc, why, buf, sizeof buf);
	log_error("%s: %s: stopping it (on-unhealthy = restart)", svc->conf->name, buf);
	set_reason(svc, buf);
	enter(svc, c, buf);
	send_stop(svc, c);
}

static void unhealthy_stop(struct service *svc, const char *why)
{
	char buf[300];
	unhealthy_reason(svc, why, buf, sizeof buf);
	log_error("%s: %s: stopping it for good (on-unhealthy = stop)", svc->conf->name, buf);
	set_reason(svc, buf);
	want_fail(svc, buf);
	fail_dependents(svc);
	enqueue(svc->sup, svc->idx);
}

static void unhealthy_ignore(struct service *svc, const char *why)
{
	char buf[300];
	unhealthy_reason(svc, why, buf, sizeof buf);
	log_error("%s: %s (on-unhealthy = ignore: it keeps running)", svc->conf->name, buf);
}

static void stop_timeout(struct service *svc)
{
	log_warn("%s: still running %gs after %s: sending SIGKILL", svc->conf->name,
		 svc->conf->stop_timeout, svc->hook == HOOK_STOP_COMMAND ? "its stop-command" :
		 signal_name(svc->conf->stop_signal));
	signal_service(svc, SIGKILL);
	if (svc->hook_pid) {
		svc->hook_timed_out = true;
		hook_signal(svc, SIGKILL);
	}
}

static void up_again(struct service *svc, const struct lc_cell *c)
{
	svc->t_waiting = ev_now(svc->sup->loop);
	enter(svc, c, NULL);
	enqueue(svc->sup, svc->idx);
}


/* ---- the actions of hooks and enabled = no ---------------------------- */

static void disable(struct service *svc, const struct lc_cell *c)
{
	log_info("%s: disabled (enabled = no)", svc->conf->name);
	enter(svc, c, NULL);
	enqueue_neighbours(svc);
}

/* A_PRE_START: the start's first process is its pre-start hook. */
static void pre_start(struct service *svc, const struct lc_cell *c)
{
	char why[PATH_MAX_WHY];

	set_reason(svc, NULL);
	svc->pgid = 0; /* no main process yet: nothing of a former run to signal */
	enter(svc, c, NULL);
	if (hook_run(svc, HOOK_PRE_START, svc->conf->ready_timeout, NULL, why, sizeof why) < 0)
		dispatch(svc, EV_HOOK_FAILED, why);
}

/* A_PRE_START_FAILED: a failed start, whose reason is the hook's. */
static void pre_start_failed(struct service *svc, const char *why)
{
	struct lc_exit x = {
		.goal = svc->goal, .clean = false, .oneshot = svc->conf->type == TYPE_ONESHOT,
		.restart = svc->conf->restart, .over_limit = over_start_limit, .arg = svc,
	};
	log_error("%s: %s", svc->conf->name, why ? why : "pre-start failed");
	set_reason(svc, why ? why : "pre-start failed");
	dispatch(svc, lc_exit_event(&x), NULL);
}

/* MUSTER_EXIT_CODE and MUSTER_EXIT_STATUS of a wait status, as systemd's
 * $EXIT_CODE and $EXIT_STATUS: "exited" and the number, or "killed" and
 * the signal's name without SIG ("TERM"). */
static void exit_env(int status, char code[32], char st[40])
{
	if (status >= 0 && WIFSIGNALED(status)) {
		const char *n = signal_name(WTERMSIG(status));
		snprintf(code, 32, "MUSTER_EXIT_CODE=killed");
		if (!strncmp(n, "SIG", 3) && strcmp(n, "SIG?"))
			snprintf(st, 40, "MUSTER_EXIT_STATUS=%s", n + 3);
		else
			snprintf(st, 40, "MUSTER_EXIT_STATUS=%d", WTERMSIG(status));
	} else {
		snprintf(code, 32, "MUSTER_EXIT_CODE=exited");
		snprintf(st, 40, "MUSTER_EXIT_STATUS=%d", status >= 0 ? WEXITSTATUS(status) : 0);
	}
}

/* A_POST_STOP: the main process is gone; post-stop runs before the exit
 * takes effect. */
static void post_stop(struct service *svc, const struct lc_cell *c)
{
	char code[32], st[40], why[PATH_MAX_WHY];
	char *env[] = { code, st, NULL };

	hook_cancel(svc);
	if (svc->goal == GOAL_RETRY)
		not_ready(svc);
	enter(svc, c, NULL);
	exit_env(svc->status, code, st);
	if (hook_run(svc, HOOK_POST_STOP, svc->conf->stop_timeout, env, why, sizeof why) < 0)
		dispatch(svc, EV_HOOK_FAILED, why);
}

static void post_stop_done(struct service *svc, enum lc_event ev, const char *why)
{
	if (ev == EV_HOOK_FAILED)
		log_warn("%s: %s", svc->conf->name, why ? why : "post-stop failed");
	else
		log_info("%s: post-stop done", svc->conf->name);
	dispatch(svc, exit_event(svc), NULL);
}

static void hook_ended(struct service *svc, enum lc_event ev, const char *why)
{
	if (ev == EV_HOOK_FAILED)
		log_warn("%s: %s", svc->conf->name, why ? why : "hook failed");
	else
		log_info("%s: %s", svc->conf->name, why ? why : "hook done");
}

/* A stop-command that failed stopped nothing: the stop-signal does. */
static void stop_command_failed(struct service *svc, const char *why)
{
	int sig = svc->conf->stop_signal;
	if (!ev_is_active(&svc->w_stop_timer)) { /* killed already */
		log_warn("%s: %s", svc->conf->name, why ? why : "stop-command failed");
		return;
	}
	log_warn("%s: %s: sending %s", svc->conf->name, why ? why : "stop-command failed",
		 signal_name(sig));
	signal_service(svc, sig);
	if (sig != SIGCONT)
		signal_service(svc, SIGCONT);
}

static void hook_kill(struct service *svc)
{
	double bound = svc->hook == HOOK_POST_STOP ? svc->conf->stop_timeout : svc->conf->ready_timeout;
	log_warn("%s: %s still running after %gs: sending SIGKILL", svc->conf->name,
		 hook_name(svc->hook), bound);
	svc->hook_timed_out = true;
	hook_signal(svc, SIGKILL);
}

/* A_STOP_HOOK: the start is called off while its pre-start runs. */
static void stop_hook(struct service *svc)
{
	struct supervisor *sup = svc->sup;
	int sig = sup->killing ? SIGKILL : SIGTERM;

	if (!svc->hook_pid)
		return;
	log_info("%s: cancelling %s (%s to process group %ld)", svc->conf->name,
		 hook_name(svc->hook), signal_name(sig), (long)svc->hook_pid);
	hook_signal(svc, sig);
	if (sig != SIGKILL) {
		hook_signal(svc, SIGCONT);
		ev_timer_stop(sup->loop, &svc->w_hook_timer);
		ev_timer_set(&svc->w_hook_timer, svc->conf->stop_timeout, 0);
		ev_timer_start(sup->loop, &svc->w_hook_timer);
	}
}

static void kill_hook(struct service *svc)
{
	ev_timer_stop(svc->sup->loop, &svc->w_hook_timer);
	hook_signal(svc, SIGKILL);
}

/* One event: the cell for the service's state, its goal, its action. */
static void dispatch(struct service *svc, enum lc_event ev, const char *detail)
{
	const struct lc_cell *c = lc_cell(svc->state, ev);
	enum lc_action a = (enum lc_action)c->action;

	svc->goal = lc_goal_after(a, svc->goal);
	switch (a) {
	case A_UNDEFINED:
	case A_IMPOSSIBLE:
		log_warn("%s: unexpected %s while %s: ignored", svc->conf->name, lc_event_name(ev),
			 svc_state_name(svc->state));
		break;
	case A_IGNORE:
	case A_WANT_UP:
	case A_WANT_STOP:
	case A_WANT_DOWN:
	case A_WANT_RESTART:
	case A_WANT_RELOAD:
		break; /* the goal is all they change */
	case A_START:           start_over(svc, c); break;
	case A_WANT_FAIL:       want_fail(svc, detail); break;
	case A_SPAWN:           spawn(svc, c); break;
	case A_FAIL:            fail_for_good(svc, c, detail); break;
	case A_DOWN:            went_down(svc, c, NULL); break;
	case A_FAIL_DOWN:       failed_down(svc, c); break;
	case A_PASS_UP:         pass_up(svc); break;
	case A_SEND_STOP:       send_stop(svc, c); break;
	case A_KILL:            kill_now(svc, c); break;
	case A_READY:
		if (detail)
			log_debug("%s: readiness from %s", svc->conf->name, detail);
		became_ready(svc, c, "ready");
		break;
	case A_DONE:            became_ready(svc, c, "done"); break;
	case A_EXEC_FAILED:     exec_failed(svc, detail); break;
	case A_STOPPED:         stopped(svc, c); break;
	case A_STOPPED_FAIL:    stopped_failed(svc, c); break;
	case A_EXIT_CLEAN:      log_exit(svc); exit_clean(svc, c); break;
	case A_EXIT_FAIL:       log_exit(svc); exit_fail(svc, c); break;
	case A_EXIT_LIMIT:      log_exit(svc); exit_limit(svc, c); break;
	case A_EXIT_BACKOFF:    log_exit(svc); backoff(svc, c); break;
	case A_TIMEOUT_FAIL:    not_ready(svc); exit_fail(svc, c); break;
	case A_TIMEOUT_LIMIT:   not_ready(svc); exit_limit(svc, c); break;
	case A_TIMEOUT_BACKOFF: not_ready(svc); backoff(svc, c); break;
	case A_RESTART_DELAY:   restart_delay_over(svc, c); break;
	case A_READY_TIMEOUT:   ready_timeout(svc, c); break;
	case A_STOP_TIMEOUT:    stop_timeout(svc); break;
	case A_UP_AGAIN:        up_again(svc, c); break;
	case A_CHECK_PASSED:    check_passed(svc); break;
	case A_CHECK_FAILED:    check_failed(svc, detail); break;
	case A_WATCHDOG_MISSED: watchdog_missed(svc); break;
	case A_UNHEALTHY_RESTART: unhealthy_restart(svc, c, detail); break;
	case A_UNHEALTHY_STOP:  unhealthy_stop(svc, detail); break;
	case A_UNHEALTHY_IGNORE: unhealthy_ignore(svc, detail); break;
	case A_DISABLE:         disable(svc, c); break;
	case A_PRE_START:       pre_start(svc, c); break;
	case A_PRE_START_FAILED: pre_start_failed(svc, detail); break;
	case A_POST_STOP:       post_stop(svc, c); break;
	case A_POST_STOP_DONE:  post_stop_done(svc, ev, detail); break;
	case A_HOOK_ENDED:      hook_ended(svc, ev, detail); break;
	case A_STOP_COMMAND_FAILED: stop_command_failed(svc, detail); break;
	case A_HOOK_KILL:       hook_kill(svc); break;
	case A_STOP_HOOK:       stop_hook(svc); break;
	case A_KILL_HOOK:       kill_hook(svc); break;
	}
}

/* ---- what the daemon reports ------------------------------------------ */

void sup_ready(struct service *svc, const char *how)
{
	dispatch(svc, EV_READY, how);
}

void sup_check_result(struct service *svc, bool passed, const char *why)
{
	dispatch(svc, passed ? EV_CHECK_PASSED : EV_CHECK_FAILED, why ? why : "check failed");
	run_queue(svc->sup);
}

void sup_watchdog_ping(struct service *svc)
{
	if (svc->state != ST_READY)
		return;
	bool was = sup_health(svc) == HEALTH_UNHEALTHY;
	lc_health_pinged(&svc->health);
	if (was && sup_health(svc) == HEALTH_HEALTHY) {
		log_info("%s: healthy again (WATCHDOG=1)", svc->conf->name);
		set_reason(svc, NULL);
	}
}

void sup_watchdog_missed(struct service *svc)
{
	dispatch(svc, EV_WATCHDOG_MISSED, NULL);
	run_queue(svc->sup);
}


void sup_exec_result(struct service *svc, const char *msg)
{
	if (msg)
		dispatch(svc, EV_EXEC_FAILED, msg); /* the child exits 127; the exit does the rest */
	else if (ready_on_exec(svc->conf))
		dispatch(svc, EV_EXEC_OK, NULL);
}

static size_t pid_hash(pid_t pid, size_t cap)
{
	return ((size_t)pid * 2654435761u) & (cap - 1);
}

static void pid_insert(struct supervisor *sup, const struct service *svc)
{
	size_t h = pid_hash(svc->pid, sup->pid_cap);
	while (sup->pid_slot[h])
		h = (h + 1) & (sup->pid_cap - 1);
	sup->pid_slot[h] = svc->idx + 1;
	sup->pid_used++;
}

/* A fresh table for the live pids, with room for four times the services
 * (out of memory: none, and sup_find_pid() walks the services). */
static void pid_rebuild(struct supervisor *sup)
{
	size_t cap = 64;
	while (cap < 4 * (sup->n + 1))
		cap *= 2;
	free(sup->pid_slot);
	sup->pid_slot = calloc(cap, sizeof *sup->pid_slot);
	sup->pid_cap = sup->pid_slot ? cap : 0;
	sup->pid_used = 0;
	for (size_t i = 0; sup->pid_cap && i < sup->n; i++)
		if (sup->svcs[i]->pid > 0 && has_process(sup->svcs[i]))
			pid_insert(sup, sup->svcs[i]);
}

static void track_pid(struct service *svc)
{
	struct supervisor *sup = svc->sup;
	if (svc->pid <= 0)
		return;
	if (2 * (sup->pid_used + 1) > sup->pid_cap)
		pid_rebuild(sup);
	if (sup->pid_cap)
		pid_insert(sup, svc);
}

void sup_set_main_pid(struct service *svc, pid_t pid)
{
	log_info("%s: main process is now %ld", svc->conf->name, (long)pid);
	svc->pid = pid;
	track_pid(svc);
}

void sup_set_status_text(struct service *svc, const char *text)
{
	free(svc->status_text);
	svc->status_text = text ? strdup(text) : NULL;
}

struct service *sup_find_pid(struct supervisor *sup, pid_t pid)
{
	for (size_t h = sup->pid_cap ? pid_hash(pid, sup->pid_cap) : 0;
	     sup->pid_cap && sup->pid_slot[h]; h = (h + 1) & (sup->pid_cap - 1)) {
		size_t i = sup->pid_slot[h] - 1;
		if (i < sup->n && has_process(sup->svcs[i]) && sup->svcs[i]->pid == pid)
			return sup->svcs[i];
	}
	/* not a service's pid (an orphan, a probe, the main command), or one
	 * the table missed */
	for (size_t i = 0; i < sup->n; i++)
		if (has_process(sup->svcs[i]) && sup->svcs[i]->pid == pid)
			return sup->svcs[i];
	return NULL;
}

/* An OOM kill in its cgroup since it started: said once, and its reason. */
static void check_oom(struct service *svc)
{
	const struct sys_ops *ops = svc->sup->ops;
	unsigned long n = ops->cgroup_oom_kills ? ops->cgroup_oom_kills(svc) : 0;
	if (n <= svc->oom_seen)
		return;
	svc->oom_seen = n;
	svc->oom_killed = true;
	log_error("%s: killed by the OOM killer", svc->conf->name);
}

/* The exit, now that nothing of it is left. */
static void deliver_exit(struct service *svc)
{
	struct supervisor *sup = svc->sup;
	svc->draining = false;
	ev_timer_stop(sup->loop, &svc->w_stop_timer); /* it is gone: no SIGKILL due */
	check_oom(svc);
	if (svc->oom_killed && svc->state != ST_STOPPING)
		set_reason(svc, "killed by the OOM killer");
	if (sup->ops->cgroup_release)
		sup->ops->cgroup_release(svc);
	dispatch(svc, exit_event(svc), NULL);
	run_queue(sup);
}

void sup_service_exited(struct service *svc, int status)
{
	struct supervisor *sup = svc->sup;
	/* read once: a cgroup found empty stays empty (nothing is left in it
	 * to fork), and one that empties after this tells cgroup.events */
	int populated = sup->ops->cgroup_populated ? sup->ops->cgroup_populated(svc) : -1;
	bool cgroup = populated >= 0;
	if (cgroup) {
		/* the rest of its cgroup had the stop-signal with it (stopping),
		 * or SIGTERM now; stop-timeout ends what stays */
		if (svc->state != ST_STOPPING && svc->pgid > 0)
			signal_service(svc, SIGTERM);
	} else if (svc->pgid > 0 && svc->state == ST_STOPPING) {
		sup->ops->kill_group(svc->pgid, SIGKILL); /* what is left of its group */
	} else if (svc->pgid > 0) {
		sup->ops->kill_group(svc->pgid, SIGTERM);
	}
	svc->pid = 0;
	svc->status = status;
	hook_cancel(svc); /* a post-start or stop-command has nothing left to act on */
	if (populated == 1) {
		svc->draining = true;
		if (!ev_is_active(&svc->w_stop_timer)) {
			ev_timer_set(&svc->w_stop_timer, sup->killing ? 0 : svc->conf->stop_timeout, 0);
			ev_timer_start(sup->loop, &svc->w_stop_timer);
		}
		return;
	}
	deliver_exit(svc);
}

void sup_cgroup_changed(struct service *svc)
{
	if (has_process(svc))
		check_oom(svc);
	if (svc->draining && svc->sup->ops->cgroup_populated(svc) != 1)
		deliver_exit(svc);
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
	for (size_t i = 0; i < sup->n; i++) {
		dispatch(sup->svcs[i], sup->svcs[i]->conf->enabled ? EV_BOOT : EV_DISABLED, NULL);
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
		dispatch(sup->svcs[i], EV_SHUTDOWN, NULL);
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
		dispatch(sup->svcs[i], EV_KILL, NULL);
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
		dispatch(s, s == svc ? EV_START : EV_START_DEP, NULL);
		enqueue(sup, s->idx);
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
		dispatch(s, EV_STOP, NULL);
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
	dispatch(svc, EV_RESTART, NULL);
	enqueue(sup, svc->idx);
	run_queue(sup);
	return 0;
}

int sup_signal(struct supervisor *sup, struct service *svc, int sig, char *err, size_t len)
{
	(void)sup;
	if (!lc_has_main(svc->state) || svc->pgid <= 0) {
		snprintf(err, len, "%s is %s: no process to signal", svc->conf->name,
			 svc_state_name(svc->state));
		return -1;
	}
	if (signal_service(svc, sig) < 0) {
		snprintf(err, len, "cannot send %s to %s: %s", signal_name(sig), svc->conf->name,
			 strerror(errno));
		return -1;
	}
	return 0;
}

int sup_reload_one(struct supervisor *sup, struct service *svc, char *err, size_t len)
{
	int sig = svc->conf->reload_signal;
	if (!sig) {
		snprintf(err, len, "%s has no reload-signal", svc->conf->name);
		return -1;
	}
	if (!lc_has_main(svc->state) || svc->pid <= 0) {
		snprintf(err, len, "%s is %s: no process to reload", svc->conf->name,
			 svc_state_name(svc->state));
		return -1;
	}
	/* the main process, as systemd's kill -HUP $MAINPID */
	int r = sup->ops->kill_pid ? sup->ops->kill_pid(svc->pid, sig)
				   : sup->ops->kill_group(svc->pgid, sig);
	if (r < 0) {
		snprintf(err, len, "cannot send %s to %s: %s", signal_name(sig), svc->conf->name,
			 strerror(errno));
		return -1;
	}
	return 0;
}

/* ---- reload ----------------------------------------------------------
 * Phase one, in the old graph: removed services and changed ones that run
 * get GOAL_RELOAD and are taken down (dependents first).  Phase two, once
 * they (and any restart under way) are down: the services are re-indexed
 * for the new config, and added and changed ones start by the new graph.
 * Unchanged services keep their process. */

/* Down until the reload applies, and not down yet. */
static bool reload_waits_for(const struct service *s)
{
	return (s->goal == GOAL_RELOAD || s->goal == GOAL_RESTART) &&
	       (has_process(s) || s->state == ST_DONE);
}

static bool reload_ready(const struct supervisor *sup)
{
	for (size_t i = 0; i < sup->n; i++)
		if (reload_waits_for(sup->svcs[i]))
			return false;
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
			bool changed = s->goal == GOAL_RELOAD || s->goal == GOAL_RESTART;
			ev_tstamp *ft = calloc((size_t)c->start_limit_burst + 1, sizeof *ft);
			if (ft) {
				free(s->fail_times);
				s->fail_times = ft;
				s->fail_cap = (size_t)c->start_limit_burst + 1;
				s->nfail = 0;
			}
			s->conf = c;
			if (changed)
				dispatch(s, c->enabled ? EV_RELOADED : EV_DISABLED, NULL);
		} else {
			s = service_new(sup, c);
			if (s)
				dispatch(s, c->enabled ? EV_ADDED : EV_DISABLED, NULL);
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
		if (!kept && sup->on_removed)
			sup->on_removed(s);
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
	/* [muster] settings, by their rows' reload rule: those that need a
	 * restart keep their running values, the others apply at once */
	for (size_t i = 0; i < keys_muster.n; i++) {
		const struct key *k = &keys_muster.rows[i];
		if (key_equal(k, ncfg, sup->cfg))
			continue;
		if (k->reload == RELOAD_DAEMON) {
			report_add(report, &rlen, "%s: changed; applies when muster starts again",
				   k->name);
			if (key_copy(k, ncfg, sup->cfg) < 0)
				log_error("reload: out of memory keeping %s", k->name);
		} else if (key_copy(k, sup->cfg, ncfg) < 0) {
			log_error("reload: out of memory applying %s", k->name);
		}
	}
	for (size_t i = 0; i < sup->n; i++) {
		struct service *s = sup->svcs[i];
		long j = config_find(ncfg, s->conf->name);
		if (j < 0) {
			report_add(report, &rlen, "%s: removed, stopping", s->conf->name);
			dispatch(s, EV_RELOAD, NULL);
			enqueue(sup, i);
		} else if (!svc_conf_equal(s->conf, &ncfg->services[j])) {
			bool running = has_process(s) || s->state == ST_WAITING ||
				       s->state == ST_BACKOFF || s->state == ST_DONE ||
				       (s->state == ST_DISABLED && ncfg->services[j].enabled);
			report_add(report, &rlen, "%s: changed, %s", s->conf->name,
				   running ? "restarting" : "not running (start it to apply)");
			if (running) {
				dispatch(s, EV_RELOAD, NULL);
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
