/* Unit tests for src/lifecycle.c: every cell of the state x event table is
 * defined, the table keeps the rules that hold across it (only a spawn
 * starts a process, timers act only in their state ...), the important
 * cells are what an expectation written here by name says, the exit and
 * due events come out of their facts as muster(8) says, and
 * doc/lifecycle.md is what the table prints.
 *
 * `check_lifecycle --print` prints the doc (make lifecycle-doc).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lifecycle.h"

/* ---- by name: the expectations are written in the doc's words ---------- */

static enum svc_state state_of(const char *name)
{
	for (int i = 0; i < LC_NSTATES; i++)
		if (!strcmp(svc_state_name((enum svc_state)i), name))
			return (enum svc_state)i;
	ck_abort_msg("no state %s", name);
	return ST_STOPPED;
}

static enum lc_event event_of(const char *name)
{
	for (int i = 0; i < LC_NEVENTS; i++)
		if (!strcmp(lc_event_name((enum lc_event)i), name))
			return (enum lc_event)i;
	ck_abort_msg("no event %s", name);
	return EV_BOOT;
}

static enum lc_action action_of(const char *name)
{
	for (int i = 0; i < LC_NACTIONS; i++)
		if (!strcmp(lc_action_name((enum lc_action)i), name))
			return (enum lc_action)i;
	ck_abort_msg("no action %s", name);
	return A_UNDEFINED;
}

static enum lc_goal goal_of(const char *name)
{
	for (int i = 0; i < LC_NGOALS; i++)
		if (!strcmp(lc_goal_name((enum lc_goal)i), name))
			return (enum lc_goal)i;
	ck_abort_msg("no goal %s", name);
	return GOAL_DOWN;
}

/* A service as the table alone moves it: what dispatch() does, less the
 * action's side effects. */
struct sim {
	enum svc_state st;
	enum lc_goal goal;
};

static const struct lc_cell *sim(struct sim *s, enum lc_event ev)
{
	const struct lc_cell *c = lc_cell(s->st, ev);
	s->goal = lc_goal_after((enum lc_action)c->action, s->goal);
	s->st = (enum svc_state)c->next;
	return c;
}

#define ck_assert_sim(s, want_state, want_goal)                                         \
	do {                                                                            \
		ck_assert_msg((s).st == state_of(want_state), "state %s, expected %s",  \
			      svc_state_name((s).st), (want_state));                    \
		ck_assert_msg((s).goal == goal_of(want_goal), "goal %s, expected %s",   \
			      lc_goal_name((s).goal), (want_goal));                     \
	} while (0)

/* ---- the whole table --------------------------------------------------- */

START_TEST(test_every_cell_defined)
{
	for (int st = 0; st < LC_NSTATES; st++)
		for (int ev = 0; ev < LC_NEVENTS; ev++) {
			const struct lc_cell *c = lc_cell((enum svc_state)st, (enum lc_event)ev);
			const char *where = lc_event_name((enum lc_event)ev);
			ck_assert_ptr_nonnull(c);
			ck_assert_msg(c->action != A_UNDEFINED && c->action < LC_NACTIONS,
				      "%s while %s: no action", where,
				      svc_state_name((enum svc_state)st));
			ck_assert_msg(c->next < LC_NSTATES, "%s while %s: no next state", where,
				      svc_state_name((enum svc_state)st));
		}
	/* outside the table: undefined, never a cell of it */
	ck_assert_int_eq(lc_cell((enum svc_state)LC_NSTATES, EV_BOOT)->action, A_UNDEFINED);
	ck_assert_int_eq(lc_cell(ST_STOPPED, (enum lc_event)LC_NEVENTS)->action, A_UNDEFINED);
}
END_TEST

START_TEST(test_names)
{
	const char *seen[LC_NEVENTS + LC_NACTIONS];
	for (int i = 0; i < LC_NSTATES; i++)
		ck_assert_str_ne(svc_state_name((enum svc_state)i), "?");
	for (int i = 0; i < LC_NGOALS; i++)
		ck_assert_str_ne(lc_goal_name((enum lc_goal)i), "?");
	for (int i = 0; i < LC_NEVENTS; i++) {
		seen[i] = lc_event_name((enum lc_event)i);
		ck_assert_str_ne(seen[i], "?");
		for (int j = 0; j < i; j++)
			ck_assert_str_ne(seen[i], seen[j]);
	}
	for (int i = 0; i < LC_NACTIONS; i++) {
		const char *a = lc_action_name((enum lc_action)i);
		ck_assert_str_ne(a, "?");
		for (int j = 0; j < i; j++)
			ck_assert_str_ne(a, lc_action_name((enum lc_action)j));
	}
	ck_assert_str_eq(svc_state_name((enum svc_state)99), "?");
	ck_assert_str_eq(lc_event_name((enum lc_event)99), "?");
	/* the names status shows */
	const char *status[] = { "stopped", "waiting", "starting", "ready",
				 "stopping", "done", "backoff", "failed",
				 "pre-start", "post-stop", "disabled" };
	ck_assert_int_eq(LC_NSTATES, 11);
	for (int i = 0; i < 11; i++)
		ck_assert_str_eq(svc_state_name((enum svc_state)i), status[i]);
}
END_TEST

/* Actions that only change the goal, and the two that do nothing, keep the
 * state; every action is used; every state is entered and left. */
START_TEST(test_table_shape)
{
	bool used[LC_NACTIONS] = { false }, entered[LC_NSTATES] = { false },
	     left[LC_NSTATES] = { false };
	const char *keep[] = { "ignore", "impossible", "want-up", "want-stop", "want-down",
			       "want-restart", "want-reload", "want-fail", "pass-up",
			       "exec-failed", "stop-timeout", "pre-start-failed", "post-stop-done",
			       "hook-ended", "stop-command-failed", "hook-kill", "stop-hook",
			       "kill-hook" };

	for (int st = 0; st < LC_NSTATES; st++)
		for (int ev = 0; ev < LC_NEVENTS; ev++) {
			const struct lc_cell *c = lc_cell((enum svc_state)st, (enum lc_event)ev);
			used[c->action] = true;
			if (c->next != st) {
				entered[c->next] = true;
				left[st] = true;
			} else {
				/* set_state() logs nothing when the state stays */
				ck_assert_msg(!c->why, "%s while %s: a reason, but no change",
					      lc_event_name((enum lc_event)ev),
					      svc_state_name((enum svc_state)st));
			}
			for (size_t k = 0; k < sizeof keep / sizeof *keep; k++)
				if (c->action == action_of(keep[k]))
					ck_assert_msg(c->next == st, "%s while %s (%s) changes the state",
						      lc_event_name((enum lc_event)ev),
						      svc_state_name((enum svc_state)st), keep[k]);
		}
	for (int a = 1; a < LC_NACTIONS; a++)
		ck_assert_msg(used[a], "action %s is in no cell", lc_action_name((enum lc_action)a));
	for (int st = 0; st < LC_NSTATES; st++) {
		ck_assert_msg(entered[st], "no cell enters %s", svc_state_name((enum svc_state)st));
		ck_assert_msg(left[st], "no cell leaves %s", svc_state_name((enum svc_state)st));
	}
}
END_TEST

/* Which actions may enter which state: a process appears only by a spawn,
 * readiness only by ready or done, and so on. */
START_TEST(test_entries)
{
	static const struct {
		const char *state;
		const char *actions[8];
	} entries[] = {
		{ "starting", { "spawn" } },
		{ "pre-start", { "pre-start" } },
		{ "post-stop", { "post-stop" } },
		{ "disabled", { "disable" } },
		{ "ready", { "ready" } },
		{ "done", { "done" } },
		{ "stopping", { "send-stop", "kill", "ready-timeout", "unhealthy-restart" } },
		{ "backoff", { "exit-backoff", "timeout-backoff" } },
		{ "waiting", { "start", "restart-delay", "up-again" } },
		{ "stopped", { "down", "stopped", "exit-clean" } },
		{ "failed", { "fail", "fail-down", "stopped-fail", "exit-fail", "exit-limit",
			      "timeout-fail", "timeout-limit" } },
	};
	for (size_t i = 0; i < sizeof entries / sizeof *entries; i++) {
		enum svc_state to = state_of(entries[i].state);
		for (int st = 0; st < LC_NSTATES; st++)
			for (int ev = 0; ev < LC_NEVENTS; ev++) {
				const struct lc_cell *c = lc_cell((enum svc_state)st, (enum lc_event)ev);
				if (c->next != to || st == (int)to)
					continue;
				bool ok = false;
				for (size_t k = 0; k < 8 && entries[i].actions[k]; k++)
					ok |= c->action == action_of(entries[i].actions[k]);
				ck_assert_msg(ok, "%s while %s enters %s by %s",
					      lc_event_name((enum lc_event)ev),
					      svc_state_name((enum svc_state)st), entries[i].state,
					      lc_action_name((enum lc_action)c->action));
			}
	}
}
END_TEST

static bool is_exit(enum lc_event ev)
{
	return !strncmp(lc_event_name(ev), "exit-", 5);
}

/* An exit needs a process; with one, every exit is handled, but those that
 * a oneshot's or a failed start's rules exclude. */
START_TEST(test_exits)
{
	for (int st = 0; st < LC_NSTATES; st++)
		for (int ev = 0; ev < LC_NEVENTS; ev++) {
			if (!is_exit((enum lc_event)ev))
				continue;
			const struct lc_cell *c = lc_cell((enum svc_state)st, (enum lc_event)ev);
			const char *e = lc_event_name((enum lc_event)ev), *s = svc_state_name((enum svc_state)st);
			if (!lc_has_process((enum svc_state)st)) {
				ck_assert_msg(c->action == A_IMPOSSIBLE, "%s while %s is not impossible", e, s);
				continue;
			}
			/* a pre-start's failure is never clean; post-stop runs once */
			bool excluded = (!strcmp(s, "ready") && !strcmp(e, "exit-done")) ||
					(!strcmp(s, "stopping") && (!strcmp(e, "exit-done") ||
								    !strcmp(e, "exit-clean"))) ||
					(!strcmp(s, "pre-start") && (!strcmp(e, "exit-done") ||
								     !strcmp(e, "exit-clean") ||
								     !strcmp(e, "exit-post-stop"))) ||
					(!strcmp(s, "post-stop") && !strcmp(e, "exit-post-stop"));
			if (excluded)
				ck_assert_msg(c->action == A_IMPOSSIBLE, "%s while %s", e, s);
			else if (!strcmp(e, "exit-post-stop"))
				ck_assert_msg(c->next == ST_POST_STOP, "%s while %s", e, s);
			else
				ck_assert_msg(!lc_has_process((enum svc_state)c->next),
					      "%s while %s keeps a process", e, s);
		}
	ck_assert(lc_has_process(ST_STARTING) && lc_has_process(ST_READY) &&
		  lc_has_process(ST_STOPPING));
}
END_TEST

/* A timer acts only in the state that arms it. */
START_TEST(test_timers)
{
	static const struct { const char *event, *state; } timers[] = {
		{ "restart-delay", "backoff" },
		{ "ready-timeout", "starting" },
		{ "stop-timeout", "stopping" },
	};
	for (size_t i = 0; i < sizeof timers / sizeof *timers; i++)
		for (int st = 0; st < LC_NSTATES; st++) {
			const struct lc_cell *c = lc_cell((enum svc_state)st, event_of(timers[i].event));
			if (st == (int)state_of(timers[i].state))
				ck_assert_int_ne(c->action, A_IGNORE);
			else
				ck_assert_msg(c->action == A_IGNORE, "%s while %s", timers[i].event,
					      svc_state_name((enum svc_state)st));
		}
}
END_TEST

/* The important cells, written out here by name. */
START_TEST(test_expected_cells)
{
	static const struct {
		const char *state, *event, *next, *action, *why;
	} want[] = {
		{ "stopped", "boot", "waiting", "start", NULL },
		{ "stopped", "start", "waiting", "start", "start requested" },
		{ "failed", "start", "waiting", "start", "start requested" },
		{ "backoff", "start", "waiting", "start", "start requested" },
		{ "done", "start", "waiting", "start", "start requested" },
		{ "done", "start-dep", "done", "want-up", NULL },
		{ "backoff", "start-dep", "waiting", "start", "start requested" },
		{ "ready", "start", "ready", "want-up", NULL },
		{ "stopping", "start", "stopping", "want-restart", NULL },
		{ "ready", "stop", "ready", "want-stop", NULL },
		{ "ready", "restart", "ready", "want-restart", NULL },
		{ "stopped", "restart", "stopped", "impossible", NULL },
		{ "ready", "reload", "ready", "want-reload", NULL },
		{ "stopped", "reloaded", "waiting", "start", "changed by reload" },
		{ "stopped", "added", "waiting", "start", "added by reload" },
		{ "backoff", "shutdown", "backoff", "want-down", NULL },
		{ "ready", "kill-all", "stopping", "kill", "killed" },
		{ "starting", "kill-all", "stopping", "kill", "killed" },
		{ "stopping", "kill-all", "stopping", "kill", NULL },
		{ "waiting", "kill-all", "waiting", "want-down", NULL },
		{ "ready", "dep-failed", "ready", "want-fail", NULL },
		{ "failed", "dep-failed", "failed", "impossible", NULL },
		{ "waiting", "deps-ready", "starting", "spawn", NULL },
		{ "waiting", "deps-failed", "failed", "fail", NULL },
		{ "ready", "deps-failed", "ready", "ignore", NULL },
		{ "waiting", "stop-due", "stopped", "down", "stop requested" },
		{ "waiting", "shutdown-due", "stopped", "down", "start cancelled" },
		{ "backoff", "shutdown-due", "stopped", "down", "restart cancelled" },
		{ "backoff", "stop-due", "stopped", "down", "restart cancelled" },
		{ "done", "shutdown-due", "stopped", "down", "stop requested" },
		{ "waiting", "fail-due", "failed", "fail-down", NULL },
		{ "backoff", "fail-due", "failed", "fail-down", NULL },
		{ "ready", "stop-due", "stopping", "send-stop", NULL },
		{ "starting", "shutdown-due", "stopping", "send-stop", NULL },
		{ "ready", "fail-due", "stopping", "send-stop", NULL },
		{ "ready", "held", "ready", "ignore", NULL },
		{ "stopping", "stop-due", "stopping", "ignore", NULL },
		{ "stopped", "stop-due", "stopped", "pass-up", NULL },
		{ "failed", "shutdown-due", "failed", "pass-up", NULL },
		{ "stopped", "up-again", "waiting", "up-again", "restart" },
		{ "starting", "exec-ok", "ready", "ready", NULL },
		{ "ready", "exec-ok", "ready", "ignore", NULL },
		{ "starting", "exec-failed", "starting", "exec-failed", NULL },
		{ "starting", "ready", "ready", "ready", NULL },
		{ "stopping", "ready", "stopping", "ignore", NULL },
		{ "starting", "exit-done", "done", "done", NULL },
		{ "starting", "exit-clean", "stopped", "exit-clean", "exited with status 0" },
		{ "ready", "exit-clean", "stopped", "exit-clean", "exited with status 0" },
		{ "ready", "exit-failed", "failed", "exit-fail", NULL },
		{ "ready", "exit-restart", "backoff", "exit-backoff", NULL },
		{ "starting", "exit-restart", "backoff", "exit-backoff", NULL },
		{ "ready", "exit-limit", "failed", "exit-limit", NULL },
		{ "ready", "exit-stopped", "stopped", "stopped", NULL },
		{ "stopping", "exit-stopped", "stopped", "stopped", NULL },
		{ "stopping", "exit-dep-failed", "failed", "stopped-fail", NULL },
		{ "stopping", "exit-failed", "failed", "timeout-fail", NULL },
		{ "stopping", "exit-restart", "backoff", "timeout-backoff", NULL },
		{ "stopping", "exit-limit", "failed", "timeout-limit", NULL },
		{ "backoff", "restart-delay", "waiting", "restart-delay", "restart delay over" },
		{ "starting", "ready-timeout", "stopping", "ready-timeout", NULL },
		{ "ready", "ready-timeout", "ready", "ignore", NULL },
		{ "stopping", "stop-timeout", "stopping", "stop-timeout", NULL },
		{ "waiting", "restart-delay", "waiting", "ignore", NULL },
		/* health: checks run only while ready; the outcome is a cell */
		{ "ready", "check-passed", "ready", "check-passed", NULL },
		{ "ready", "check-failed", "ready", "check-failed", NULL },
		{ "ready", "watchdog-missed", "ready", "watchdog-missed", NULL },
		{ "ready", "unhealthy-restart", "stopping", "unhealthy-restart", "unhealthy" },
		{ "ready", "unhealthy-stop", "ready", "unhealthy-stop", NULL },
		{ "ready", "unhealthy-ignore", "ready", "unhealthy-ignore", NULL },
		{ "starting", "check-failed", "starting", "ignore", NULL },
		{ "stopping", "check-failed", "stopping", "ignore", NULL },
		{ "stopping", "watchdog-missed", "stopping", "ignore", NULL },
		{ "backoff", "check-passed", "backoff", "ignore", NULL },
		{ "stopping", "unhealthy-restart", "stopping", "impossible", NULL },
		{ "stopped", "unhealthy-stop", "stopped", "impossible", NULL },
		/* hooks */
		{ "waiting", "deps-ready-pre", "pre-start", "pre-start", NULL },
		{ "pre-start", "hook-ok", "starting", "spawn", NULL },
		{ "pre-start", "hook-failed", "pre-start", "pre-start-failed", NULL },
		{ "pre-start", "hook-timeout", "pre-start", "hook-kill", NULL },
		{ "pre-start", "exit-restart", "backoff", "exit-backoff", NULL },
		{ "pre-start", "exit-failed", "failed", "exit-fail", NULL },
		{ "pre-start", "exit-limit", "failed", "exit-limit", NULL },
		{ "pre-start", "exit-stopped", "stopped", "stopped", "start cancelled" },
		{ "pre-start", "stop-due", "pre-start", "stop-hook", NULL },
		{ "pre-start", "shutdown-due", "pre-start", "stop-hook", NULL },
		{ "pre-start", "kill-all", "pre-start", "kill-hook", NULL },
		{ "pre-start", "restart", "pre-start", "want-restart", NULL },
		{ "ready", "hook-ok", "ready", "hook-ended", NULL },
		{ "ready", "hook-failed", "ready", "hook-ended", NULL },
		{ "ready", "hook-timeout", "ready", "hook-kill", NULL },
		{ "stopping", "hook-ok", "stopping", "hook-ended", NULL },
		{ "stopping", "hook-failed", "stopping", "stop-command-failed", NULL },
		{ "ready", "exit-post-stop", "post-stop", "post-stop", NULL },
		{ "starting", "exit-post-stop", "post-stop", "post-stop", NULL },
		{ "stopping", "exit-post-stop", "post-stop", "post-stop", NULL },
		{ "post-stop", "hook-ok", "post-stop", "post-stop-done", NULL },
		{ "post-stop", "hook-failed", "post-stop", "post-stop-done", NULL },
		{ "post-stop", "hook-timeout", "post-stop", "hook-kill", NULL },
		{ "post-stop", "exit-stopped", "stopped", "stopped", NULL },
		{ "post-stop", "exit-restart", "backoff", "exit-backoff", NULL },
		{ "post-stop", "exit-done", "done", "done", NULL },
		{ "post-stop", "start", "post-stop", "want-restart", NULL },
		{ "post-stop", "shutdown-due", "post-stop", "ignore", NULL },
		{ "post-stop", "kill-all", "post-stop", "kill-hook", NULL },
		/* enabled = no */
		{ "stopped", "disabled", "disabled", "disable", "enabled = no" },
		{ "disabled", "start", "waiting", "start", "start requested" },
		{ "disabled", "start-dep", "disabled", "ignore", NULL },
		{ "disabled", "reloaded", "waiting", "start", "enabled by reload" },
		{ "disabled", "shutdown-due", "disabled", "pass-up", NULL },
	};
	for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
		const struct lc_cell *c = lc_cell(state_of(want[i].state), event_of(want[i].event));
		ck_assert_msg(c->next == state_of(want[i].next) && c->action == action_of(want[i].action),
			      "%s while %s: %s by %s, expected %s by %s", want[i].event, want[i].state,
			      svc_state_name((enum svc_state)c->next),
			      lc_action_name((enum lc_action)c->action), want[i].next, want[i].action);
		if (want[i].why)
			ck_assert_msg(c->why && !strcmp(c->why, want[i].why), "%s while %s logs %s",
				      want[i].event, want[i].state, c->why ? c->why : "nothing");
		else
			ck_assert_ptr_null(c->why);
	}
}
END_TEST

/* ---- the goal --------------------------------------------------------- */

START_TEST(test_goal_after)
{
	/* from each goal, in order: down up retry restart reload fail */
	static const struct {
		const char *action;
		const char *after[LC_NGOALS];
	} want[] = {
		{ "start", { "up", "up", "up", "up", "up", "up" } },
		{ "want-up", { "up", "up", "up", "up", "up", "up" } },
		{ "want-stop", { "down", "down", "down", "down", "down", "fail" } },
		{ "want-down", { "down", "down", "down", "restart", "reload", "fail" } },
		{ "kill", { "down", "down", "down", "restart", "reload", "fail" } },
		{ "want-restart", { "restart", "restart", "restart", "restart", "restart", "restart" } },
		{ "want-reload", { "reload", "reload", "reload", "reload", "reload", "reload" } },
		{ "want-fail", { "fail", "fail", "fail", "fail", "fail", "fail" } },
		{ "ready-timeout", { "down", "retry", "retry", "restart", "reload", "fail" } },
		{ "timeout-backoff", { "up", "up", "up", "up", "up", "up" } },
		{ "exit-clean", { "down", "down", "down", "down", "down", "down" } },
		{ "fail-down", { "down", "down", "down", "down", "down", "down" } },
		{ "stopped", { "down", "up", "retry", "restart", "reload", "fail" } },
		{ "send-stop", { "down", "up", "retry", "restart", "reload", "fail" } },
		{ "exit-backoff", { "down", "up", "retry", "restart", "reload", "fail" } },
		{ "ignore", { "down", "up", "retry", "restart", "reload", "fail" } },
		{ "unhealthy-restart", { "down", "retry", "retry", "restart", "reload", "fail" } },
		{ "unhealthy-stop", { "fail", "fail", "fail", "fail", "fail", "fail" } },
		{ "unhealthy-ignore", { "down", "up", "retry", "restart", "reload", "fail" } },
		{ "check-failed", { "down", "up", "retry", "restart", "reload", "fail" } },
		{ "check-passed", { "down", "up", "retry", "restart", "reload", "fail" } },
		{ "watchdog-missed", { "down", "up", "retry", "restart", "reload", "fail" } },
	};
	const char *goals[] = { "down", "up", "retry", "restart", "reload", "fail" };
	for (size_t i = 0; i < sizeof want / sizeof *want; i++)
		for (int g = 0; g < LC_NGOALS; g++) {
			enum lc_goal got = lc_goal_after(action_of(want[i].action), goal_of(goals[g]));
			ck_assert_msg(got == goal_of(want[i].after[g]), "%s from %s: %s, expected %s",
				      want[i].action, goals[g], lc_goal_name(got), want[i].after[g]);
		}
	ck_assert(lc_wanted_up(GOAL_UP) && lc_wanted_up(GOAL_RETRY));
	ck_assert(!lc_wanted_up(GOAL_RESTART) && !lc_wanted_up(GOAL_DOWN));
	ck_assert(lc_wanted(GOAL_RESTART) && lc_wanted(GOAL_RELOAD) && lc_wanted(GOAL_RETRY));
	ck_assert(!lc_wanted(GOAL_DOWN) && !lc_wanted(GOAL_FAIL));
}
END_TEST

/* ---- the events of the facts ------------------------------------------ */

static int limit_asked;
static bool limit_hit;

static bool fake_limit(void *arg)
{
	ck_assert_ptr_eq(arg, &limit_asked);
	limit_asked++;
	return limit_hit;
}

static enum lc_event exit_of(const char *goal, bool clean, bool oneshot,
			     enum restart_policy restart, bool over_limit)
{
	struct lc_exit x = { goal_of(goal), clean, oneshot, restart, fake_limit, &limit_asked, false };
	limit_asked = 0;
	limit_hit = over_limit;
	return lc_exit_event(&x);
}

START_TEST(test_exit_event)
{
	static const struct {
		const char *goal;
		bool clean, oneshot;
		enum restart_policy restart;
		bool over_limit;
		const char *event;
		int asked;      /* the start limit is asked only of a restarted failure */
	} want[] = {
		{ "up", false, false, RESTART_ON_FAILURE, false, "exit-restart", 1 },
		{ "up", false, false, RESTART_ON_FAILURE, true, "exit-limit", 1 },
		{ "up", true, false, RESTART_ON_FAILURE, true, "exit-clean", 0 },
		{ "up", false, false, RESTART_ALWAYS, false, "exit-restart", 1 },
		{ "up", true, false, RESTART_ALWAYS, true, "exit-restart", 0 },
		{ "up", false, false, RESTART_NO, true, "exit-failed", 0 },
		{ "up", true, false, RESTART_NO, false, "exit-clean", 0 },
		/* a oneshot that exits 0 is done, whatever its restart policy */
		{ "up", true, true, RESTART_ALWAYS, false, "exit-done", 0 },
		{ "up", true, true, RESTART_NO, false, "exit-done", 0 },
		{ "up", false, true, RESTART_ON_FAILURE, false, "exit-restart", 1 },
		{ "up", false, true, RESTART_NO, false, "exit-failed", 0 },
		/* stopped for not being ready: a failure even when it exits 0 */
		{ "retry", true, false, RESTART_ON_FAILURE, false, "exit-restart", 1 },
		{ "retry", true, false, RESTART_ON_FAILURE, true, "exit-limit", 1 },
		{ "retry", true, false, RESTART_NO, false, "exit-failed", 0 },
		{ "retry", false, false, RESTART_ALWAYS, false, "exit-restart", 1 },
		/* wanted down: a stop, whatever the status and policy */
		{ "down", false, false, RESTART_ALWAYS, true, "exit-stopped", 0 },
		{ "down", true, true, RESTART_NO, false, "exit-stopped", 0 },
		{ "restart", false, false, RESTART_ON_FAILURE, true, "exit-stopped", 0 },
		{ "reload", true, false, RESTART_ALWAYS, false, "exit-stopped", 0 },
		{ "fail", false, false, RESTART_ALWAYS, true, "exit-dep-failed", 0 },
	};
	for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
		enum lc_event ev = exit_of(want[i].goal, want[i].clean, want[i].oneshot,
					   want[i].restart, want[i].over_limit);
		ck_assert_msg(ev == event_of(want[i].event), "case %zu: %s, expected %s", i,
			      lc_event_name(ev), want[i].event);
		ck_assert_msg(limit_asked == want[i].asked, "case %zu: start limit asked %d times",
			      i, limit_asked);
	}
}
END_TEST

/* A hook's exit: pre-start by the goal; the others by their status. */
START_TEST(test_hook_event)
{
	ck_assert_int_eq(lc_hook_event(ST_PRE_START, GOAL_UP, true), event_of("hook-ok"));
	ck_assert_int_eq(lc_hook_event(ST_PRE_START, GOAL_UP, false), event_of("hook-failed"));
	ck_assert_int_eq(lc_hook_event(ST_PRE_START, GOAL_RETRY, false), event_of("hook-failed"));
	ck_assert_int_eq(lc_hook_event(ST_PRE_START, GOAL_DOWN, true), event_of("exit-stopped"));
	ck_assert_int_eq(lc_hook_event(ST_PRE_START, GOAL_RESTART, false), event_of("exit-stopped"));
	ck_assert_int_eq(lc_hook_event(ST_PRE_START, GOAL_FAIL, true), event_of("exit-dep-failed"));
	ck_assert_int_eq(lc_hook_event(ST_POST_STOP, GOAL_DOWN, true), event_of("hook-ok"));
	ck_assert_int_eq(lc_hook_event(ST_POST_STOP, GOAL_UP, false), event_of("hook-failed"));
	ck_assert_int_eq(lc_hook_event(ST_STOPPING, GOAL_DOWN, false), event_of("hook-failed"));
	ck_assert_int_eq(lc_hook_event(ST_READY, GOAL_UP, true), event_of("hook-ok"));
	ck_assert_int_eq(lc_ready_event(true), event_of("deps-ready-pre"));
	ck_assert_int_eq(lc_ready_event(false), event_of("deps-ready"));
	/* with a post-stop hook, every exit of the main process goes there
	 * first, and the start limit is not asked yet */
	struct lc_exit x = { GOAL_UP, false, false, RESTART_ON_FAILURE, fake_limit, &limit_asked, true };
	limit_asked = 0;
	ck_assert_int_eq(lc_exit_event(&x), event_of("exit-post-stop"));
	ck_assert_int_eq(limit_asked, 0);
	x.goal = GOAL_DOWN;
	ck_assert_int_eq(lc_exit_event(&x), event_of("exit-post-stop"));
}
END_TEST

START_TEST(test_down_event)
{
	ck_assert_int_eq(lc_down_event(GOAL_DOWN, false, false), event_of("stop-due"));
	ck_assert_int_eq(lc_down_event(GOAL_RESTART, false, false), event_of("stop-due"));
	ck_assert_int_eq(lc_down_event(GOAL_RELOAD, false, false), event_of("stop-due"));
	ck_assert_int_eq(lc_down_event(GOAL_DOWN, false, true), event_of("shutdown-due"));
	ck_assert_int_eq(lc_down_event(GOAL_FAIL, false, false), event_of("fail-due"));
	ck_assert_int_eq(lc_down_event(GOAL_FAIL, false, true), event_of("fail-due"));
	ck_assert_int_eq(lc_down_event(GOAL_DOWN, true, true), event_of("held"));
	ck_assert_int_eq(lc_down_event(GOAL_FAIL, true, false), event_of("held"));
}
END_TEST

/* ---- stories: events in a row, through the table alone ----------------- */

START_TEST(test_story_crash_restart)
{
	/* ready, exits 1 with restart = on-failure: backoff, then waiting */
	struct sim s = { ST_STOPPED, GOAL_DOWN };
	sim(&s, EV_BOOT);
	ck_assert_sim(s, "waiting", "up");
	sim(&s, EV_DEPS_READY);
	sim(&s, EV_EXEC_OK);
	ck_assert_sim(s, "ready", "up");
	sim(&s, exit_of("up", false, false, RESTART_ON_FAILURE, false));
	ck_assert_sim(s, "backoff", "up");
	sim(&s, EV_RESTART_DELAY);
	ck_assert_sim(s, "waiting", "up");
	/* the next failure past the start limit: failed, down */
	sim(&s, EV_DEPS_READY);
	sim(&s, exit_of(lc_goal_name(s.goal), false, false, RESTART_ON_FAILURE, true));
	ck_assert_sim(s, "failed", "down");
}
END_TEST

START_TEST(test_story_restart)
{
	/* musterctl restart of a ready service: stopping, stopped, waiting, starting */
	struct sim s = { ST_READY, GOAL_UP };
	sim(&s, EV_RESTART);
	ck_assert_sim(s, "ready", "restart");
	sim(&s, lc_down_event(s.goal, false, false));
	ck_assert_sim(s, "stopping", "restart");
	sim(&s, exit_of(lc_goal_name(s.goal), false, false, RESTART_ON_FAILURE, false));
	ck_assert_sim(s, "stopped", "restart");
	sim(&s, EV_UP_AGAIN);
	ck_assert_sim(s, "waiting", "up");
	sim(&s, EV_DEPS_READY);
	ck_assert_sim(s, "starting", "up");

	/* without a restart pending, stopping + exit is stopped for good */
	s = (struct sim){ ST_STOPPING, GOAL_DOWN };
	sim(&s, exit_of("down", true, false, RESTART_ALWAYS, false));
	ck_assert_sim(s, "stopped", "down");

	/* start while stopping: back once it is down */
	s = (struct sim){ ST_STOPPING, GOAL_DOWN };
	sim(&s, EV_START);
	ck_assert_sim(s, "stopping", "restart");
}
END_TEST

START_TEST(test_story_dependency_failed)
{
	/* waiting, and a depends target fails: failed, whether it looks
	 * (deps-failed) or is told (dep-failed, then its fail is due) */
	struct sim s = { ST_WAITING, GOAL_UP };
	sim(&s, EV_DEPS_FAILED);
	ck_assert_sim(s, "failed", "down");
	s = (struct sim){ ST_WAITING, GOAL_UP };
	sim(&s, EV_DEP_FAILED);
	ck_assert_sim(s, "waiting", "fail");
	sim(&s, lc_down_event(s.goal, false, false));
	ck_assert_sim(s, "failed", "down");

	/* ready: held while its own dependents run, then stopped, then failed */
	s = (struct sim){ ST_READY, GOAL_UP };
	sim(&s, EV_DEP_FAILED);
	sim(&s, lc_down_event(s.goal, true, false));
	ck_assert_sim(s, "ready", "fail");
	/* a stop now does not forgive it */
	sim(&s, EV_STOP);
	ck_assert_sim(s, "ready", "fail");
	sim(&s, lc_down_event(s.goal, false, false));
	ck_assert_sim(s, "stopping", "fail");
	sim(&s, exit_of(lc_goal_name(s.goal), false, false, RESTART_ALWAYS, false));
	ck_assert_sim(s, "failed", "down");
}
END_TEST

START_TEST(test_story_shutdown)
{
	/* backoff + shutdown: stopped, by the action that cancels its timer */
	struct sim s = { ST_BACKOFF, GOAL_UP };
	sim(&s, EV_SHUTDOWN);
	ck_assert_sim(s, "backoff", "down");
	const struct lc_cell *c = sim(&s, lc_down_event(s.goal, false, true));
	ck_assert_sim(s, "stopped", "down");
	ck_assert_int_eq(c->action, action_of("down"));
	ck_assert_str_eq(c->why, "restart cancelled");

	/* waiting: never starts */
	s = (struct sim){ ST_WAITING, GOAL_UP };
	sim(&s, EV_SHUTDOWN);
	sim(&s, lc_down_event(s.goal, false, true));
	ck_assert_sim(s, "stopped", "down");

	/* a restart under way does not survive a shutdown: the goal stays,
	 * but up-again is only made outside a shutdown (service.c) */
	s = (struct sim){ ST_STOPPING, GOAL_RESTART };
	sim(&s, EV_SHUTDOWN);
	ck_assert_sim(s, "stopping", "restart");

	/* ready, then kill-all: SIGKILL at once, down */
	s = (struct sim){ ST_READY, GOAL_UP };
	sim(&s, EV_KILL);
	ck_assert_sim(s, "stopping", "down");
	sim(&s, exit_of(lc_goal_name(s.goal), false, false, RESTART_ALWAYS, false));
	ck_assert_sim(s, "stopped", "down");
}
END_TEST

START_TEST(test_story_ready_timeout)
{
	/* not ready in time: stopped as a failed start, then backoff, up */
	struct sim s = { ST_STARTING, GOAL_UP };
	sim(&s, EV_READY_TIMEOUT);
	ck_assert_sim(s, "stopping", "retry");
	/* a dependency failing meanwhile makes it end failed */
	struct sim t = s;
	sim(&t, EV_DEP_FAILED);
	ck_assert_sim(t, "stopping", "fail");
	/* it exits 0 on SIGTERM: still a failure */
	sim(&s, exit_of(lc_goal_name(s.goal), true, false, RESTART_ON_FAILURE, false));
	ck_assert_sim(s, "backoff", "up");
	/* with restart = no: failed */
	s = (struct sim){ ST_STOPPING, GOAL_RETRY };
	sim(&s, exit_of("retry", false, false, RESTART_NO, false));
	ck_assert_sim(s, "failed", "down");
	/* stopped meanwhile: just stopped */
	s = (struct sim){ ST_STOPPING, GOAL_RETRY };
	sim(&s, EV_STOP);
	sim(&s, exit_of(lc_goal_name(s.goal), false, false, RESTART_ALWAYS, false));
	ck_assert_sim(s, "stopped", "down");
}
END_TEST

START_TEST(test_story_hooks)
{
	/* pre-start, then the main process; a crash runs post-stop, then the
	 * exit takes effect: backoff */
	struct sim s = { ST_STOPPED, GOAL_DOWN };
	sim(&s, EV_BOOT);
	sim(&s, lc_ready_event(true));
	ck_assert_sim(s, "pre-start", "up");
	sim(&s, lc_hook_event(ST_PRE_START, s.goal, true));
	ck_assert_sim(s, "starting", "up");
	sim(&s, EV_EXEC_OK);
	ck_assert_sim(s, "ready", "up");
	sim(&s, EV_EXIT_POST_STOP);
	ck_assert_sim(s, "post-stop", "up");
	sim(&s, lc_hook_event(ST_POST_STOP, s.goal, false));
	ck_assert_sim(s, "post-stop", "up");
	sim(&s, exit_of(lc_goal_name(s.goal), false, false, RESTART_ON_FAILURE, false));
	ck_assert_sim(s, "backoff", "up");

	/* a failing pre-start is a failed start: restart = no, failed */
	s = (struct sim){ ST_PRE_START, GOAL_UP };
	sim(&s, lc_hook_event(ST_PRE_START, s.goal, false));
	sim(&s, exit_of(lc_goal_name(s.goal), false, false, RESTART_NO, false));
	ck_assert_sim(s, "failed", "down");

	/* a stop while pre-start runs: the hook is cancelled, then stopped */
	s = (struct sim){ ST_PRE_START, GOAL_UP };
	sim(&s, EV_STOP);
	sim(&s, lc_down_event(s.goal, false, false));
	ck_assert_sim(s, "pre-start", "down");
	sim(&s, lc_hook_event(ST_PRE_START, s.goal, false));
	ck_assert_sim(s, "stopped", "down");

	/* a stop while post-stop runs after a crash: stopped, not restarted */
	s = (struct sim){ ST_POST_STOP, GOAL_UP };
	sim(&s, EV_STOP);
	sim(&s, lc_hook_event(ST_POST_STOP, s.goal, true));
	sim(&s, exit_of(lc_goal_name(s.goal), false, false, RESTART_ALWAYS, false));
	ck_assert_sim(s, "stopped", "down");

	/* a start while post-stop runs after a stop: up again once it is done */
	s = (struct sim){ ST_POST_STOP, GOAL_DOWN };
	sim(&s, EV_START);
	sim(&s, exit_of(lc_goal_name(s.goal), false, false, RESTART_NO, false));
	ck_assert_sim(s, "stopped", "restart");
	sim(&s, EV_UP_AGAIN);
	ck_assert_sim(s, "waiting", "up");

	/* disabled: stays so when what depends on it starts; starts when asked */
	s = (struct sim){ ST_STOPPED, GOAL_DOWN };
	sim(&s, EV_DISABLED);
	ck_assert_sim(s, "disabled", "down");
	sim(&s, EV_START_DEP);
	ck_assert_sim(s, "disabled", "down");
	sim(&s, EV_START);
	ck_assert_sim(s, "waiting", "up");
}
END_TEST

START_TEST(test_story_reload)
{
	/* changed while ready: down, held, then up with the new config */
	struct sim s = { ST_READY, GOAL_UP };
	sim(&s, EV_RELOAD);
	ck_assert_sim(s, "ready", "reload");
	sim(&s, lc_down_event(s.goal, false, false));
	sim(&s, exit_of(lc_goal_name(s.goal), false, false, RESTART_ALWAYS, false));
	ck_assert_sim(s, "stopped", "reload");
	sim(&s, EV_RELOADED);
	ck_assert_sim(s, "waiting", "up");
	/* a done oneshot changed: stopped, then up again */
	s = (struct sim){ ST_DONE, GOAL_UP };
	sim(&s, EV_RELOAD);
	sim(&s, lc_down_event(s.goal, false, false));
	ck_assert_sim(s, "stopped", "reload");
	/* a start of what depends on a done oneshot leaves it done */
	s = (struct sim){ ST_DONE, GOAL_UP };
	sim(&s, EV_START_DEP);
	ck_assert_sim(s, "done", "up");
}
END_TEST

/* Health checks reach only a ready service, and every outcome of being
 * unhealthy is a cell of ready alone. */
START_TEST(test_health_cells)
{
	const char *checks[] = { "check-passed", "check-failed", "watchdog-missed" };
	const char *outcomes[] = { "unhealthy-restart", "unhealthy-stop", "unhealthy-ignore" };
	for (int st = 0; st < LC_NSTATES; st++) {
		bool ready = st == (int)state_of("ready");
		for (size_t i = 0; i < 3; i++) {
			const struct lc_cell *c = lc_cell((enum svc_state)st, event_of(checks[i]));
			ck_assert_msg(ready ? c->action == action_of(checks[i]) : c->action == A_IGNORE,
				      "%s while %s", checks[i], svc_state_name((enum svc_state)st));
			c = lc_cell((enum svc_state)st, event_of(outcomes[i]));
			ck_assert_msg(ready ? c->action == action_of(outcomes[i])
					    : c->action == A_IMPOSSIBLE,
				      "%s while %s", outcomes[i], svc_state_name((enum svc_state)st));
		}
	}
	ck_assert_int_eq(lc_unhealthy_event(UNHEALTHY_RESTART), event_of("unhealthy-restart"));
	ck_assert_int_eq(lc_unhealthy_event(UNHEALTHY_STOP), event_of("unhealthy-stop"));
	ck_assert_int_eq(lc_unhealthy_event(UNHEALTHY_IGNORE), event_of("unhealthy-ignore"));
}
END_TEST

/* The counter: health-retries failures in a row; the start period; a pass
 * ends the start period and the run of failures; the watchdog at once. */
START_TEST(test_health_counter)
{
	struct lc_checks k = { .check = true, .retries = 3, .start_period = 10 };
	struct lc_health h = { 0 };

	ck_assert_str_eq(lc_health_name(lc_health_of(&h, &k)), "checking");
	/* in the start period: not counted, however many */
	for (int i = 0; i < 5; i++)
		ck_assert(!lc_health_failed(&h, &k, 1 + i));
	ck_assert_uint_eq(h.fails, 0);
	ck_assert_str_eq(lc_health_name(lc_health_of(&h, &k)), "checking");
	/* past it: the third in a row is the one that makes it unhealthy */
	ck_assert(!lc_health_failed(&h, &k, 11));
	ck_assert(!lc_health_failed(&h, &k, 12));
	ck_assert_str_eq(lc_health_name(lc_health_of(&h, &k)), "checking");
	ck_assert(lc_health_failed(&h, &k, 13));
	ck_assert_str_eq(lc_health_name(lc_health_of(&h, &k)), "unhealthy");
	/* unhealthy already: the next failures are not news */
	ck_assert(!lc_health_failed(&h, &k, 14));
	ck_assert_uint_eq(h.fails, 3);
	/* a pass: healthy, the count starts over */
	lc_health_passed(&h);
	ck_assert_str_eq(lc_health_name(lc_health_of(&h, &k)), "healthy");
	ck_assert(!lc_health_failed(&h, &k, 15));
	ck_assert(!lc_health_failed(&h, &k, 16));
	ck_assert_str_eq(lc_health_name(lc_health_of(&h, &k)), "healthy");
	lc_health_passed(&h); /* consecutive only: two, a pass, two is not three */
	ck_assert(!lc_health_failed(&h, &k, 17));
	ck_assert(!lc_health_failed(&h, &k, 18));
	ck_assert(lc_health_failed(&h, &k, 19));

	/* a pass within the start period ends it: failures count from then */
	h = (struct lc_health){ 0 };
	lc_health_passed(&h);
	ck_assert(!lc_health_failed(&h, &k, 1));
	ck_assert_uint_eq(h.fails, 1);
	ck_assert(!lc_health_failed(&h, &k, 2));
	ck_assert(lc_health_failed(&h, &k, 3));

	/* retries = 1, no start period: the first failure */
	struct lc_checks one = { .check = true, .retries = 1 };
	h = (struct lc_health){ 0 };
	ck_assert(lc_health_failed(&h, &one, 0));

	/* the watchdog: unhealthy at once, start period or not; fed, healthy */
	struct lc_checks dog = { .watchdog = true, .retries = 3, .start_period = 60 };
	h = (struct lc_health){ 0 };
	ck_assert_str_eq(lc_health_name(lc_health_of(&h, &dog)), "checking");
	lc_health_pinged(&h);
	ck_assert_str_eq(lc_health_name(lc_health_of(&h, &dog)), "healthy");
	ck_assert(lc_health_missed(&h, &dog));
	ck_assert_str_eq(lc_health_name(lc_health_of(&h, &dog)), "unhealthy");
	ck_assert(!lc_health_missed(&h, &dog)); /* missed again: not news */
	lc_health_pinged(&h);
	ck_assert_str_eq(lc_health_name(lc_health_of(&h, &dog)), "healthy");
	/* a check and a watchdog: healthy needs both */
	struct lc_checks both = { .check = true, .watchdog = true, .retries = 2 };
	h = (struct lc_health){ 0 };
	lc_health_pinged(&h);
	ck_assert_str_eq(lc_health_name(lc_health_of(&h, &both)), "checking");
	lc_health_passed(&h);
	ck_assert_str_eq(lc_health_name(lc_health_of(&h, &both)), "healthy");
	ck_assert(lc_health_missed(&h, &both));
	lc_health_passed(&h); /* a check passing does not feed the watchdog */
	ck_assert_str_eq(lc_health_name(lc_health_of(&h, &both)), "unhealthy");
	/* no check, no watchdog: "-" */
	struct lc_checks none = { .retries = 3 };
	ck_assert_str_eq(lc_health_name(lc_health_of(&h, &none)), "-");
}
END_TEST

START_TEST(test_story_unhealthy)
{
	/* on-unhealthy = restart: stopped as a failure, then backoff, counted */
	struct sim s = { ST_READY, GOAL_UP };
	sim(&s, EV_CHECK_FAILED);
	ck_assert_sim(s, "ready", "up");
	sim(&s, EV_UNHEALTHY_RESTART);
	ck_assert_sim(s, "stopping", "retry");
	/* it exits 0 on SIGTERM: still a failure, the start limit asked */
	ck_assert_int_eq(exit_of("retry", true, false, RESTART_ON_FAILURE, false),
			 event_of("exit-restart"));
	ck_assert_int_eq(limit_asked, 1);
	sim(&s, exit_of(lc_goal_name(s.goal), true, false, RESTART_ON_FAILURE, false));
	ck_assert_sim(s, "backoff", "up");
	/* past the start limit: failed */
	s = (struct sim){ ST_STOPPING, GOAL_RETRY };
	sim(&s, exit_of("retry", true, false, RESTART_ALWAYS, true));
	ck_assert_sim(s, "failed", "down");
	/* restart = no: failed, as Kubernetes leaves a container with
	 * restartPolicy Never */
	s = (struct sim){ ST_STOPPING, GOAL_RETRY };
	sim(&s, exit_of("retry", true, false, RESTART_NO, false));
	ck_assert_sim(s, "failed", "down");

	/* on-unhealthy = stop: failed once it (and what depends on it) is down */
	s = (struct sim){ ST_READY, GOAL_UP };
	sim(&s, EV_UNHEALTHY_STOP);
	ck_assert_sim(s, "ready", "fail");
	sim(&s, lc_down_event(s.goal, true, false));
	ck_assert_sim(s, "ready", "fail");
	sim(&s, lc_down_event(s.goal, false, false));
	ck_assert_sim(s, "stopping", "fail");
	sim(&s, exit_of(lc_goal_name(s.goal), false, false, RESTART_ALWAYS, false));
	ck_assert_sim(s, "failed", "down");

	/* on-unhealthy = ignore: it stays ready, wanted up */
	s = (struct sim){ ST_READY, GOAL_UP };
	sim(&s, EV_UNHEALTHY_IGNORE);
	ck_assert_sim(s, "ready", "up");

	/* a result that comes after it left ready changes nothing */
	s = (struct sim){ ST_STOPPING, GOAL_DOWN };
	sim(&s, EV_CHECK_FAILED);
	sim(&s, EV_WATCHDOG_MISSED);
	ck_assert_sim(s, "stopping", "down");
}
END_TEST

/* ---- the committed doc ------------------------------------------------- */

static char *dump(size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	ck_assert_ptr_nonnull(f);
	lc_dump(f);
	fclose(f);
	return buf;
}

START_TEST(test_doc_matches_table)
{
	size_t len;
	char *want = dump(&len);
	FILE *f = fopen("doc/lifecycle.md", "r");
	ck_assert_msg(f != NULL, "doc/lifecycle.md: cannot open (run from the top directory)");
	char *got = malloc(len + 2);
	ck_assert_ptr_nonnull(got);
	size_t n = fread(got, 1, len + 1, f);
	fclose(f);
	ck_assert_msg(n == len && !memcmp(got, want, len),
		      "doc/lifecycle.md is not what the table prints: run make lifecycle-doc");
	/* and the doc says what matters */
	ck_assert_ptr_nonnull(strstr(want, "| `exit-restart` |"));
	ck_assert_ptr_nonnull(strstr(want, "digraph lifecycle"));
	ck_assert_ptr_nonnull(strstr(want, "\"backoff\" -> \"waiting\" [label=\""));
	free(got);
	free(want);
}
END_TEST

static Suite *lifecycle_suite(void)
{
	Suite *s = suite_create("lifecycle");
	TCase *tc;

	tc = tcase_create("table");
	tcase_add_test(tc, test_every_cell_defined);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_table_shape);
	tcase_add_test(tc, test_entries);
	tcase_add_test(tc, test_health_cells);
	tcase_add_test(tc, test_health_counter);
	tcase_add_test(tc, test_story_unhealthy);
	tcase_add_test(tc, test_exits);
	tcase_add_test(tc, test_timers);
	tcase_add_test(tc, test_expected_cells);
	suite_add_tcase(s, tc);

	tc = tcase_create("rules");
	tcase_add_test(tc, test_goal_after);
	tcase_add_test(tc, test_exit_event);
	tcase_add_test(tc, test_down_event);
	tcase_add_test(tc, test_hook_event);
	suite_add_tcase(s, tc);

	tc = tcase_create("stories");
	tcase_add_test(tc, test_story_crash_restart);
	tcase_add_test(tc, test_story_restart);
	tcase_add_test(tc, test_story_dependency_failed);
	tcase_add_test(tc, test_story_shutdown);
	tcase_add_test(tc, test_story_ready_timeout);
	tcase_add_test(tc, test_story_reload);
	tcase_add_test(tc, test_story_hooks);
	suite_add_tcase(s, tc);

	tc = tcase_create("doc");
	tcase_add_test(tc, test_doc_matches_table);
	suite_add_tcase(s, tc);
	return s;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "--print")) {
		lc_dump(stdout);
		return fflush(stdout) ? EXIT_FAILURE : EXIT_SUCCESS;
	}
	SRunner *sr = srunner_create(lifecycle_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
