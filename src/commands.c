/* The control commands: one handler per musterctl verb, in the table that
 * control.c dispatches through; what each does is the supervisor's.
 */
#include "commands.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "cgroup.h"
#include "log.h"
#include "output.h"
#include "parse.h"
#include "timeline.h"

static struct {
	struct ev_loop *loop;
	struct supervisor *sup;         /* NULL: not serving */
	struct command_hooks hooks;
	ev_tstamp origin;               /* the daemon's start, for timelines */
} cmds;

void commands_init(struct ev_loop *loop, struct supervisor *sup, const struct command_hooks *hooks)
{
	cmds.loop = loop;
	cmds.sup = sup;
	cmds.hooks = hooks ? *hooks : (struct command_hooks){ 0 };
	cmds.origin = ev_now(loop);
}

void commands_state_changed(const struct service *svc)
{
	if (cmds.sup)
		timeline_record(svc);
	control_recheck();
}

void commands_close(void)
{
	cmds.sup = NULL;
	timeline_free();
}

static bool has_process(const struct service *s)
{
	return lc_has_process(s->state);
}

/* The names as services are called: the name of `instances = N` becomes
 * NAME@1 ... NAME@N, any other is kept (find_all() reports an unknown
 * one).  0 with *out (malloc'd, *nout names, free with words_free()), or
 * -1 with the reply sent. */
static int expand_names(struct client *c, char *const *names, size_t n, char ***out, size_t *nout)
{
	const struct config *cfg = cmds.sup->cfg;
	size_t total = 0, count;
	for (size_t i = 0; i < n; i++)
		total += !sup_find(cmds.sup, names[i]) && config_instances(cfg, names[i], &count) >= 0
				 ? count : 1;
	char **v = calloc(total + 1, sizeof *v);
	size_t k = 0;
	for (size_t i = 0; v && i < n; i++) {
		long first = sup_find(cmds.sup, names[i]) ? -1 : config_instances(cfg, names[i], &count);
		for (size_t j = 0; v && j < (first < 0 ? 1 : count); j++) {
			const char *name = first < 0 ? names[i] : cfg->services[(size_t)first + j].name;
			if (!(v[k++] = strdup(name))) {
				words_free(v);
				v = NULL;
			}
		}
	}
	if (!v) {
		control_finish(c, "fail", "out of memory");
		return -1;
	}
	*out = v;
	*nout = total;
	return 0;
}

/* The names of a request's arguments, expanded (expand_names()) in place:
 * 0, or -1 with the reply sent. */
static int expand_owned(struct client *c, char ***names, size_t *n)
{
	char **v;
	size_t nv;
	if (expand_names(c, *names, *n, &v, &nv) < 0)
		return -1;
	for (size_t i = 0; i < *n; i++)
		free((*names)[i]);
	free(*names);
	*names = v;
	*n = nv;
	return 0;
}

/* Look every name up: 0 with svcs[] filled, or -1 with the reply sent. */
static int find_all(struct client *c, char *const *names, size_t n, struct service **svcs)
{
	struct pbuf unknown = { 0 };
	size_t nunknown = 0;

	for (size_t i = 0; i < n; i++) {
		svcs[i] = sup_find(cmds.sup, names[i]);
		if (!svcs[i]) {
			pbuf_printf(&unknown, "%s'%s'", nunknown ? ", " : "", names[i]);
			nunknown++;
		}
	}
	if (nunknown)
		control_finishf(c, "fail", "no service named %s", unknown.data);
	pbuf_free(&unknown);
	return nunknown ? -1 : 0;
}

/* With cgroups: the processes in its cgroup and its memory.current. */
static void status_cgroup(struct pbuf *b, const struct service *s)
{
	long procs;
	int64_t mem;
	if (!cgroup_enabled() || !has_process(s))
		return;
	cgroup_stats(s->conf->name, &procs, &mem);
	if (procs >= 0)
		proto_row_fieldf(b, "cgroup_procs", "%ld", procs);
	if (mem >= 0)
		proto_row_fieldf(b, "cgroup_memory", "%lld", (long long)mem);
}

static void status_row(struct pbuf *b, const struct service *s)
{
	proto_row_begin(b);
	proto_row_field(b, "name", s->conf->name);
	proto_row_field(b, "state", svc_state_name(s->state));
	if (s->pid > 0 && has_process(s))
		proto_row_fieldf(b, "pid", "%ld", (long)s->pid);
	if (has_process(s) && s->t_starting > 0)
		proto_row_fieldf(b, "uptime", "%.3f", ev_now(cmds.loop) - s->t_starting);
	proto_row_fieldf(b, "restarts", "%u", s->restarts);
	if (s->status >= 0 && WIFSIGNALED(s->status))
		proto_row_fieldf(b, "signal", "%d", WTERMSIG(s->status));
	else if (s->status >= 0)
		proto_row_fieldf(b, "exit", "%d", WEXITSTATUS(s->status));
	proto_row_field(b, "text", s->status_text);
	if (s->hook != HOOK_NONE) {
		proto_row_field(b, "hook", hook_name(s->hook));
		proto_row_fieldf(b, "hook_pid", "%ld", (long)s->hook_pid);
	}
	proto_row_field(b, "reason", s->reason);
	status_cgroup(b, s);
	/* none at all without a check: musterctl then shows no HEALTH column */
	if (s->conf->health_check_argv || s->conf->health_http || s->conf->health_tcp_host ||
	    s->conf->watchdog > 0)
		proto_row_field(b, "health", lc_health_name(sup_health(s)));
	proto_row_end(b);
}

static void cmd_status(struct client *c, struct proto_request *req)
{
	struct supervisor *sup = cmds.sup;

	if (req->nargs == 0) {
		for (size_t i = 0; i < sup->n; i++)
			status_row(control_reply(c), sup->svcs[i]);
		control_finish(c, "ok", NULL);
		return;
	}
	char **names;
	size_t n;
	if (expand_names(c, req->args, req->nargs, &names, &n) < 0)
		return;
	struct service **svcs = calloc(n ? n : 1, sizeof *svcs);
	if (!svcs)
		control_finish(c, "fail", "out of memory");
	else if (find_all(c, names, n, svcs) == 0) {
		for (size_t i = 0; i < n; i++)
			status_row(control_reply(c), svcs[i]);
		control_finish(c, "ok", NULL);
	}
	free(svcs);
	words_free(names);
}

typedef int (*sup_op)(struct supervisor *, struct service *, char *, size_t);

/* start, stop, restart wait for the outcome (unless block=no), and wait
 * only waits: the request is held, and every state change asks
 * op_verdict() of it.  Each request holds its own wait, so a second start
 * of a starting service is answered at the same moment as the first, with
 * the same outcome. */
enum op_kind { OP_START, OP_STOP, OP_RESTART, OP_WAIT };

struct op_wait {
	enum op_kind kind;
	char **names;
	size_t n;
	double timeout;         /* < 0: none */
	int version;            /* the client's: "timeout" is version 2's */
};

static void op_wait_free(void *arg)
{
	struct op_wait *w = arg;
	for (size_t i = 0; w && i < w->n; i++)
		free(w->names[i]);
	if (w)
		free(w->names);
	free(w);
}

/* One service's outcome: 1 done, 0 not yet, -1 failed (why). */
static int op_one(const struct op_wait *w, const struct service *s, struct pbuf *why)
{
	const char *name = s->conf->name;

	if (w->kind == OP_WAIT) {
		if (s->state == ST_READY || s->state == ST_DONE)
			return 1;
		if (s->state == ST_FAILED) {
			pbuf_printf(why, "%s failed%s%s", name, s->reason ? ": " : "",
				    s->reason ? s->reason : "");
			return -1;
		}
		if (s->state == ST_STOPPED && !sup_is_wanted(s)) {
			pbuf_printf(why, "%s is stopped%s%s%s", name, s->reason ? " (" : "",
				    s->reason ? s->reason : "", s->reason ? ")" : "");
			return -1;
		}
		if (cmds.sup->shutting_down) {
			pbuf_printf(why, "muster is shutting down (%s is %s)", name,
				    svc_state_name(s->state));
			return -1;
		}
		return 0;
	}
	if (w->kind == OP_STOP) {
		if (sup_is_wanted(s)) {
			pbuf_printf(why, "%s: start requested while it stopped", name);
			return -1;
		}
		return s->state == ST_STOPPED || s->state == ST_FAILED || s->state == ST_DISABLED ? 1 : 0;
	}
	/* start, restart: a stop meanwhile ends the wait at once */
	if (!sup_is_wanted(s)) {
		if (s->state == ST_FAILED)
			pbuf_printf(why, "%s failed%s%s", name, s->reason ? ": " : "",
				    s->reason ? s->reason : "");
		else if (s->state == ST_DISABLED)
			pbuf_printf(why, "%s is disabled", name);
		else
			pbuf_printf(why, "%s: stop requested while it started", name);
		return -1;
	}
	if (cmds.sup->shutting_down) {
		pbuf_printf(why, "muster is shutting down (%s is %s)", name, svc_state_name(s->state));
		return -1;
	}
	if (s->state == ST_BACKOFF) {
		pbuf_printf(why, "%s failed to start%s%s (restarting after its delay)", name,
			    s->reason ? ": " : "", s->reason ? s->reason : "");
		return -1;
	}
	/* a restart (or a start while it stops) is done once it is back */
	if (s->goal != GOAL_UP)
		return 0;
	return s->state == ST_READY || s->state == ST_DONE ? 1 : 0;
}

/* 1 every service done, 0 not yet, -1 one went wrong (why). */
static int op_verdict(const struct op_wait *w, struct pbuf *why)
{
	bool pending = false;

	for (size_t i = 0; i < w->n; i++) {
		const struct service *s = sup_find(cmds.sup, w->names[i]);
		if (!s) {
			pbuf_printf(why, "%s: no longer configured", w->names[i]);
			return -1;
		}
		int v = op_one(w, s, why);
		if (v < 0)
			return -1;
		pending |= v == 0;
	}
	return pending ? 0 : 1;
}

static void op_settle(struct client *c, void *arg)
{
	struct pbuf why = { 0 };
	int v = op_verdict(arg, &why);
	if (v > 0)
		control_finish(c, "ok", NULL);
	else if (v < 0)
		control_finish(c, "fail", why.data);
	pbuf_free(&why);
}

static void op_expired(struct client *c, void *arg)
{
	const struct op_wait *w = arg;
	struct pbuf why = { 0 };

	for (size_t i = 0; i < w->n; i++) {
		const struct service *s = sup_find(cmds.sup, w->names[i]);
		if (s && (w->kind != OP_WAIT || (s->state != ST_READY && s->state != ST_DONE)))
			pbuf_printf(&why, "%s%s is %s", why.len ? ", " : "", s->conf->name,
				    svc_state_name(s->state));
	}
	if (w->kind == OP_WAIT) /* as in 0.1: a failure, not a kind of its own */
		control_finishf(c, "fail", "timed out after %gs: %s", w->timeout,
				why.data ? why.data : "");
	else
		control_finishf(c, w->version >= 2 ? "timeout" : "fail",
				"timed out after %gs (%s carries on): %s", w->timeout,
				w->kind == OP_STOP ? "the stop" : "the start", why.data ? why.data : "");
	pbuf_free(&why);
}

static const struct control_hold op_hold = {
	.check = op_settle, .expired = op_expired, .free = op_wait_free,
};

/* The request's names and options into a new op_wait: NULL with the
 * reply sent when they are wrong (a name unknown, an option bad). */
static struct op_wait *op_args(struct client *c, struct proto_request *req, enum op_kind kind,
			       bool *block)
{
	struct op_wait *w = calloc(1, sizeof *w);

	if (!w || !(w->names = calloc(req->nargs ? req->nargs : 1, sizeof *w->names))) {
		op_wait_free(w);
		control_finish(c, "fail", "out of memory");
		return NULL;
	}
	w->kind = kind;
	w->timeout = -1;
	w->version = req->version;
	for (size_t i = 0; i < req->nargs; i++) {
		const char *a = req->args[i];
		if (!strncmp(a, "timeout=", 8)) {
			if (parse_duration(a + 8, &w->timeout) < 0) {
				control_finishf(c, "usage",
						"bad timeout '%s' (a duration: 500ms, 10s, 2m)", a + 8);
				op_wait_free(w);
				return NULL;
			}
		} else if (block && !strcmp(a, "block=no")) {
			*block = false;
		} else if (strchr(a, '=')) {
			control_finishf(c, "usage", "%s: unknown option '%s'", req->cmd, a);
			op_wait_free(w);
			return NULL;
		} else if (!(w->names[w->n++] = strdup(a))) {
			control_finish(c, "fail", "out of memory");
			op_wait_free(w);
			return NULL;
		}
	}
	if (w->n == 0) {
		control_finishf(c, "usage", "%s needs at least one service name", req->cmd);
		op_wait_free(w);
		return NULL;
	}
	if (expand_owned(c, &w->names, &w->n) < 0) {
		op_wait_free(w);
		return NULL;
	}
	return w;
}

/* start, stop, restart: every name must exist before anything is done;
 * then each is asked of the supervisor (op; none for wait), and the
 * outcome awaited. */
static void run_op(struct client *c, struct proto_request *req, sup_op op, enum op_kind kind)
{
	struct pbuf errs = { 0 };
	size_t nerr = 0;
	bool block = true;
	struct op_wait *w = op_args(c, req, kind, op ? &block : NULL);

	if (!w)
		return;
	struct service **svcs = calloc(w->n, sizeof *svcs);
	if (!svcs) {
		control_finish(c, "fail", "out of memory");
		op_wait_free(w);
		return;
	}
	if (find_all(c, w->names, w->n, svcs) < 0) {
		free(svcs);
		op_wait_free(w);
		return;
	}
	for (size_t i = 0; op && i < w->n; i++) {
		char err[256] = "";
		log_info("control: %s %s (requested by uid %u, pid %ld)", req->cmd, w->names[i],
			 (unsigned)control_peer_uid(c), (long)control_peer_pid(c));
		if (op(cmds.sup, svcs[i], err, sizeof err) < 0) {
			pbuf_printf(&errs, "%s%s: %s", nerr ? "; " : "", w->names[i],
				    *err ? err : "refused");
			nerr++;
		}
	}
	free(svcs);
	if (nerr) {
		control_finish(c, "fail", errs.data);
		op_wait_free(w);
	} else if (!block) {
		control_finish(c, "ok", NULL);
		op_wait_free(w);
	} else {
		control_hold(c, &op_hold, w, w->timeout);
		op_settle(c, w);
	}
	pbuf_free(&errs);
}

static void cmd_start(struct client *c, struct proto_request *req)
{
	run_op(c, req, sup_start, OP_START);
}

static void cmd_stop(struct client *c, struct proto_request *req)
{
	run_op(c, req, sup_stop, OP_STOP);
}

static void cmd_restart(struct client *c, struct proto_request *req)
{
	run_op(c, req, sup_restart, OP_RESTART);
}

/* `signal NAME SIGNAL`: to the service's process group (to each
 * instance's, for the name of instances). */
static void cmd_signal(struct client *c, struct proto_request *req)
{
	struct pbuf errs = { 0 };
	char **names;
	size_t n;
	int sig;

	if (req->nargs != 2) {
		control_finish(c, "usage", "signal needs a service name and a signal");
		return;
	}
	if (parse_signal(req->args[1], &sig) < 0) {
		control_finishf(c, "usage", "unknown signal '%s' (use e.g. SIGHUP, USR1 or a number)",
				req->args[1]);
		return;
	}
	if (expand_names(c, req->args, 1, &names, &n) < 0)
		return;
	struct service **svcs = calloc(n, sizeof *svcs);
	if (!svcs)
		control_finish(c, "fail", "out of memory");
	if (!svcs || find_all(c, names, n, svcs) < 0) {
		free(svcs);
		words_free(names);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		char err[256];
		log_info("control: signal %s %s (requested by uid %u, pid %ld)", names[i],
			 signal_name(sig), (unsigned)control_peer_uid(c), (long)control_peer_pid(c));
		if (sup_signal(cmds.sup, svcs[i], sig, err, sizeof err) < 0)
			pbuf_printf(&errs, "%s%s", errs.len ? "; " : "", err);
	}
	if (errs.len)
		control_finish(c, "fail", errs.data);
	else
		control_finish(c, "ok", NULL);
	pbuf_free(&errs);
	free(svcs);
	words_free(names);
}

/* `reload NAME...`: each its reload-signal; every name must exist and
 * have one before any is sent. */
static void reload_services(struct client *c, struct proto_request *req)
{
	struct pbuf errs = { 0 };
	char **names;
	size_t n;

	if (expand_names(c, req->args, req->nargs, &names, &n) < 0)
		return;
	struct service **svcs = calloc(n ? n : 1, sizeof *svcs);
	if (!svcs)
		control_finish(c, "fail", "out of memory");
	if (!svcs || find_all(c, names, n, svcs) < 0) {
		free(svcs);
		words_free(names);
		return;
	}
	for (size_t i = 0; i < n; i++)
		if (!svcs[i]->conf->reload_signal)
			pbuf_printf(&errs, "%s%s has no reload-signal", errs.len ? "; " : "",
				    svcs[i]->conf->name);
	for (size_t i = 0; !errs.len && i < n; i++) {
		char err[256];
		log_info("control: reload %s (%s, requested by uid %u, pid %ld)", names[i],
			 signal_name(svcs[i]->conf->reload_signal), (unsigned)control_peer_uid(c),
			 (long)control_peer_pid(c));
		if (sup_reload_one(cmds.sup, svcs[i], err, sizeof err) < 0)
			pbuf_printf(&errs, "%s%s", errs.len ? "; " : "", err);
	}
	free(svcs);
	words_free(names);
	if (errs.len)
		control_finish(c, "fail", errs.data);
	else
		control_finish(c, "ok", NULL);
	pbuf_free(&errs);
}

/* wait: start's wait without the start */
static void cmd_wait(struct client *c, struct proto_request *req)
{
	run_op(c, req, NULL, OP_WAIT);
}

/* Every service that should be up is ready or done, and none failed. */
static void cmd_ready(struct client *c, struct proto_request *req)
{
	struct supervisor *sup = cmds.sup;
	struct pbuf why = { 0 };
	size_t up = 0;

	if (req->nargs) {
		control_finish(c, "usage", "ready takes no arguments");
		return;
	}
	if (sup->shutting_down) {
		control_finish(c, "fail", "not ready: muster is shutting down");
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
		control_finishf(c, "fail", "not ready: %s", why.data);
	else
		control_finishf(c, "ok", "%zu of %zu services ready or done", up, sup->n);
	pbuf_free(&why);
}

static void cmd_shutdown(struct client *c, struct proto_request *req)
{
	if (req->nargs) {
		control_finish(c, "usage", "shutdown takes no arguments");
		return;
	}
	if (!cmds.hooks.shutdown) {
		control_finish(c, "fail", "shutdown is not available");
		return;
	}
	log_info("control: shutdown requested by uid %u, pid %ld", (unsigned)control_peer_uid(c),
		 (long)control_peer_pid(c));
	control_finish(c, "ok", "shutting down");
	cmds.hooks.shutdown("musterctl shutdown");
}

static void cmd_reload(struct client *c, struct proto_request *req)
{
	char *report = NULL;

	if (req->nargs) {
		reload_services(c, req);
		return;
	}
	if (!cmds.hooks.reload) {
		control_finish(c, "fail", "reload is not available in this muster");
		return;
	}
	log_info("control: reload requested by uid %u, pid %ld", (unsigned)control_peer_uid(c),
		 (long)control_peer_pid(c));
	int r = cmds.hooks.reload(&report);
	if (report && *report)
		proto_line(control_reply(c), r < 0 ? "err" : "out", report);
	free(report);
	if (r < 0)
		control_finish(c, "fail", "reload rejected; nothing was changed");
	else
		control_finish(c, "ok", NULL);
}

static void time_field(struct pbuf *b, const char *key, ev_tstamp t)
{
	if (t > 0)
		proto_row_fieldf(b, key, "%.3f", t - cmds.origin < 0 ? 0 : t - cmds.origin);
}

static void cmd_timeline(struct client *c, struct proto_request *req)
{
	struct supervisor *sup = cmds.sup;
	struct pbuf *out = control_reply(c);

	if (req->nargs) {
		control_finish(c, "usage", "timeline takes no arguments");
		return;
	}
	for (size_t i = 0; i < sup->n; i++) {
		const struct service *s = sup->svcs[i];
		struct start_times t = timeline_of(s);
		const struct service *pred = timeline_pred(sup, s);
		proto_row_begin(out);
		proto_row_field(out, "name", s->conf->name);
		proto_row_field(out, "state", svc_state_name(s->state));
		time_field(out, "waiting", t.waiting);
		time_field(out, "starting", t.starting);
		time_field(out, "ready", t.ready);
		proto_row_field(out, "pred", pred ? pred->conf->name : NULL);
		proto_row_end(out);
	}
	control_finish(c, "ok", NULL);
}

static void cmd_graph(struct client *c, struct proto_request *req)
{
	struct supervisor *sup = cmds.sup;
	struct pbuf *out = control_reply(c);

	if (req->nargs) {
		control_finish(c, "usage", "graph takes no arguments");
		return;
	}
	for (size_t i = 0; i < sup->n; i++) {
		const struct service *s = sup->svcs[i];
		proto_row_begin(out);
		proto_row_field(out, "node", s->conf->name);
		proto_row_field(out, "state", svc_state_name(s->state));
		proto_row_end(out);
	}
	for (size_t i = 0; i < sup->n; i++) {
		const struct svc_conf *sc = sup->svcs[i]->conf;
		for (size_t j = 0; j < sc->ndep + sc->nafter; j++) {
			bool dep = j < sc->ndep;
			size_t t = dep ? sc->dep_idx[j] : sc->after_idx[j - sc->ndep];
			proto_row_begin(out);
			proto_row_field(out, "from", sc->name);
			proto_row_field(out, "to", sup->svcs[t]->conf->name);
			proto_row_field(out, "edge", dep ? "depends" : "after");
			proto_row_end(out);
		}
	}
	control_finish(c, "ok", NULL);
}

/* ---- logs ------------------------------------------------------------------
 *
 * "logs [lines=N] [follow=yes] [format=json] [NAME...]": the newest N lines
 * (default 100) of the services named (every one without NAME), merged in
 * the order they came, as "out" lines; with follow, then the new ones as
 * they come, until the client hangs up or muster exits.  The answer is
 * streamed: lines are made as the client reads them, so a slow reader
 * costs muster no memory; it skips instead (output.h).
 */

#define LOGS_FILL (32 * 1024)   /* bytes of lines made per fill */

struct logs_req {
	struct client *c;
	struct output_reader *r;
	struct pbuf line;
};

static void logs_wake(void *arg)
{
	struct logs_req *q = arg;
	control_stream_more(q->c);
}

static void logs_fill(struct client *c, void *arg, struct pbuf *out)
{
	struct logs_req *q = arg;
	while (out->len < LOGS_FILL) {
		q->line.len = 0;
		int k = output_reader_next(q->r, &q->line);
		if (k < 0) {
			control_finish(c, "ok", NULL);
			return;
		}
		if (k == 0)
			return;
		proto_line(out, "out", q->line.data); /* one "out" per line */
	}
}

static void logs_free(void *arg)
{
	struct logs_req *q = arg;
	output_reader_free(q->r);
	pbuf_free(&q->line);
	free(q);
}

static void cmd_logs(struct client *c, struct proto_request *req)
{
	static const struct control_stream stream = { logs_fill, logs_free };
	unsigned long long lines = 100;
	bool follow = false, as_json = false;
	char **names = calloc(req->nargs + 1, sizeof *names);
	size_t n = 0;

	if (!names) {
		control_finish(c, "fail", "out of memory");
		return;
	}
	for (size_t i = 0; i < req->nargs; i++) {
		const char *a = req->args[i];
		char *end;
		if (!strncmp(a, "lines=", 6)) {
			lines = strtoull(a + 6, &end, 10);
			if (!a[6] || *end || a[6] == '-') {
				control_finishf(c, "usage", "bad number of lines '%s'", a + 6);
				free(names);
				return;
			}
		} else if (!strcmp(a, "follow=yes")) {
			follow = true;
		} else if (!strcmp(a, "format=json")) {
			as_json = true;
		} else if (strchr(a, '=')) {
			control_finishf(c, "usage", "logs: unknown argument '%s'", a);
			free(names);
			return;
		} else {
			names[n++] = req->args[i];
		}
	}
	/* every name a service; "muster" also muster's own lines */
	struct pbuf unknown = { 0 };
	size_t nunknown = 0;
	for (size_t i = 0; i < n; i++)
		if (!sup_find(cmds.sup, names[i]) && strcmp(names[i], "muster")) {
			pbuf_printf(&unknown, "%s'%s'", nunknown ? ", " : "", names[i]);
			nunknown++;
		}
	if (nunknown) {
		control_finishf(c, "fail", "no service named %s", unknown.data);
		pbuf_free(&unknown);
		free(names);
		return;
	}
	struct logs_req *q = calloc(1, sizeof *q);
	if (q) {
		q->c = c;
		q->r = output_reader_new(names, n, lines, follow, as_json, logs_wake, q);
	}
	free(names);
	if (!q || !q->r) {
		free(q);
		control_finish(c, "fail", "out of memory");
		return;
	}
	control_stream(c, &stream, q);
}

const struct control_command command_table[] = {
	{ "status", cmd_status },     { "start", cmd_start },     { "stop", cmd_stop },
	{ "restart", cmd_restart },   { "wait", cmd_wait },       { "ready", cmd_ready },
	{ "shutdown", cmd_shutdown }, { "reload", cmd_reload },   { "timeline", cmd_timeline },
	{ "graph", cmd_graph },
	/* queryable logs */
	{ "logs", cmd_logs },
	/* per-service control */
	{ "signal", cmd_signal },
	{ NULL, NULL },
};

