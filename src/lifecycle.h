/* The lifecycle of a service as one table: for each state and event, the
 * next state and the action that gets it there.
 * Pure (no libev, no process): service.c runs the actions; doc/lifecycle.md
 * is printed from here by lc_dump().
 *
 * A service has a state (what it is doing) and a goal (what is wanted of
 * it).  Requests (start, stop, shutdown ...) change the goal; the work
 * queue then re-evaluates the service in the graph's order, and a "due"
 * event carries the change out: a stop waits for what waits for it, a
 * start for what it depends on.  Every state, goal, event and action is
 * one row below: its name (as logged and documented) and its meaning.
 */
#ifndef MUSTER_LIFECYCLE_H
#define MUSTER_LIFECYCLE_H

#include <stdbool.h>
#include <stdio.h>

#include "config.h"

/* What `musterctl status` shows. */
#define LC_STATES(X) \
	X(ST_STOPPED,  "stopped",  "no process, down: wanted down, exited 0 for good, or held for a reload") \
	X(ST_WAITING,  "waiting",  "no process yet: wanted up, waiting for what it depends on") \
	X(ST_STARTING, "starting", "spawned, not ready yet (a oneshot: running)") \
	X(ST_READY,    "ready",    "running and ready") \
	X(ST_STOPPING, "stopping", "stop-signal or SIGKILL sent, waiting for it to exit") \
	X(ST_DONE,     "done",     "a oneshot that exited 0") \
	X(ST_BACKOFF,  "backoff",  "no process: waiting for its restart delay") \
	X(ST_FAILED,   "failed",   "for good: start limit, no restart, or a dependency (the reason says)") \
	/* hooks and enabled = no */ \
	X(ST_PRE_START, "pre-start", "its pre-start hook runs; the main process is not started yet") \
	X(ST_POST_STOP, "post-stop", "its main process is gone; its post-stop hook runs, then the exit takes effect") \
	X(ST_DISABLED, "disabled", "enabled = no: not started until musterctl start NAME")

/* What is wanted of it: up, or down and what then (the "then" of a stop is
 * part of the goal, so that no combination is meaningless). */
#define LC_GOALS(X) \
	X(GOAL_DOWN,    "down",    "down, and stay down") \
	X(GOAL_UP,      "up",      "up") \
	X(GOAL_RETRY,   "retry",   "up: being stopped for not being ready in time (a failed start) or for being unhealthy with on-unhealthy = restart (a failure)") \
	X(GOAL_RESTART, "restart", "down, then up again (musterctl restart, or start while it stops)") \
	X(GOAL_RELOAD,  "reload",  "down until a reload's new config applies, then up if still configured") \
	X(GOAL_FAIL,    "fail",    "down, then failed: a depends target failed for good, or it was unhealthy with on-unhealthy = stop")

#define LC_EVENTS(X) \
	/* requests: each changes the goal (see the actions) */ \
	X(EV_BOOT,            "boot",            "muster starts: every service is wanted up") \
	X(EV_START,           "start",           "musterctl start NAME") \
	X(EV_START_DEP,       "start-dep",       "musterctl start of a service that depends on it") \
	X(EV_STOP,            "stop",            "musterctl stop of it, or of what it depends on") \
	X(EV_RESTART,         "restart",         "musterctl restart NAME while it has a process (without one, restart is start)") \
	X(EV_RELOAD,          "reload",          "a reload changed it (and it runs, waits or is done) or removed it") \
	X(EV_RELOADED,        "reloaded",        "the reload's new config applies, and it has GOAL_RELOAD or GOAL_RESTART") \
	X(EV_ADDED,           "added",           "a reload added it") \
	X(EV_SHUTDOWN,        "shutdown",        "muster shuts down") \
	X(EV_KILL,            "kill-all",        "graceful-timeout passed, or a second signal: SIGKILL everything") \
	X(EV_DEP_FAILED,      "dep-failed",      "a depends target, or one of theirs, failed for good (only while wanted up)") \
	/* due: the work queue re-evaluates it */ \
	X(EV_DEPS_READY,      "deps-ready",      "wanted up; every depends target ready or done, every after target settled") \
	X(EV_DEPS_FAILED,     "deps-failed",     "wanted up; a depends target failed, or is stopped and not wanted up") \
	X(EV_STOP_DUE,        "stop-due",        "wanted down; nothing going down that waits for it still runs") \
	X(EV_SHUTDOWN_DUE,    "shutdown-due",    "the same, during a shutdown") \
	X(EV_FAIL_DUE,        "fail-due",        "the same, with GOAL_FAIL") \
	X(EV_HELD,            "held",            "wanted down while starting or ready, but a service going down that waits for it still runs") \
	X(EV_UP_AGAIN,        "up-again",        "down with GOAL_RESTART, outside a reload and a shutdown") \
	/* its process */ \
	X(EV_EXEC_OK,         "exec-ok",         "exec succeeded, which is its readiness (type = simple without a ready- probe)") \
	X(EV_EXEC_FAILED,     "exec-failed",     "the exec-status pipe says why it could not run its program") \
	X(EV_READY,           "ready",           "READY=1, ready-fd, or a probe passed") \
	X(EV_EXIT_STOPPED,    "exit-stopped",    "exited while wanted down") \
	X(EV_EXIT_DEP_FAILED, "exit-dep-failed", "exited while wanted down with GOAL_FAIL") \
	X(EV_EXIT_DONE,       "exit-done",       "a oneshot exited 0") \
	X(EV_EXIT_CLEAN,      "exit-clean",      "exited 0, restart = no or on-failure") \
	X(EV_EXIT_FAILED,     "exit-failed",     "failed (exited non-zero, by a signal, or not ready in time), restart = no") \
	X(EV_EXIT_RESTART,    "exit-restart",    "exited, and its restart policy restarts it (a failure within the start limit)") \
	X(EV_EXIT_LIMIT,      "exit-limit",      "failed, and the restart would be past the start limit") \
	/* its timers */ \
	X(EV_RESTART_DELAY,   "restart-delay",   "its restart delay passed") \
	X(EV_READY_TIMEOUT,   "ready-timeout",   "not ready within ready-timeout") \
	X(EV_STOP_TIMEOUT,    "stop-timeout",    "still running stop-timeout after its stop-signal") \
	/* hooks and enabled = no */ \
	X(EV_DEPS_READY_PRE,  "deps-ready-pre",  "as deps-ready, and it has a pre-start hook") \
	X(EV_DISABLED,        "disabled",        "muster starts, or a reload added or changed it, with enabled = no") \
	X(EV_EXIT_POST_STOP,  "exit-post-stop",  "its main process exited, and it has a post-stop hook to run first") \
	X(EV_HOOK_OK,         "hook-ok",         "its hook exited 0 (a pre-start: while it is still wanted up)") \
	X(EV_HOOK_FAILED,     "hook-failed",     "its hook exited non-zero, was killed, could not run, or ran past its bound") \
	X(EV_HOOK_TIMEOUT,    "hook-timeout",    "its hook still runs past its bound (ready-timeout or stop-timeout)") \
	/* its health: checks run only while it is ready */ \
	X(EV_CHECK_PASSED,    "check-passed",    "its health check passed") \
	X(EV_CHECK_FAILED,    "check-failed",    "its health check failed (exit status, HTTP status, refused, timed out)") \
	X(EV_WATCHDOG_MISSED, "watchdog-missed", "no WATCHDOG=1 within watchdog") \
	X(EV_UNHEALTHY_RESTART, "unhealthy-restart", "health-retries checks failed in a row, or the watchdog missed; on-unhealthy = restart") \
	X(EV_UNHEALTHY_STOP,  "unhealthy-stop",  "the same, on-unhealthy = stop") \
	X(EV_UNHEALTHY_IGNORE, "unhealthy-ignore", "the same, on-unhealthy = ignore")

/* service.c maps each to one short function; lc_goal_after() says what
 * each does to the goal. */
#define LC_ACTIONS(X) \
	X(A_UNDEFINED,       "undefined",       "a cell nobody wrote (the unit test checks there is none)") \
	X(A_IGNORE,          "ignore",          "nothing: a late or harmless event") \
	X(A_IMPOSSIBLE,      "impossible",      "cannot happen: logged and ignored") \
	X(A_START,           "start",           "goal up, from scratch: backoff, start limit and timeline start over") \
	X(A_WANT_UP,         "want-up",         "goal up: a stop not carried out yet is called off") \
	X(A_WANT_STOP,       "want-stop",       "goal down (GOAL_FAIL stays: a failed dependency still ends it failed)") \
	X(A_WANT_DOWN,       "want-down",       "goal down from up or retry; a restart, reload or fail goal stays") \
	X(A_WANT_RESTART,    "want-restart",    "goal restart") \
	X(A_WANT_RELOAD,     "want-reload",     "goal reload") \
	X(A_WANT_FAIL,       "want-fail",       "goal fail, with the reason (dependency NAME failed)") \
	X(A_SPAWN,           "spawn",           "start its process, its probes and ready-timeout; a spawn error is an exit with status 127") \
	X(A_FAIL,            "fail",            "goal down; failed for good with the reason: its dependents fail, a critical one ends the run") \
	X(A_DOWN,            "down",            "its timers cancelled; what waits for it re-evaluated (up again with GOAL_RESTART)") \
	X(A_FAIL_DOWN,       "fail-down",       "goal down; timers cancelled; failed with the goal's reason (a critical one ends the run)") \
	X(A_PASS_UP,         "pass-up",         "re-evaluate what it waits for that is going down: the stop order passes through it") \
	X(A_SEND_STOP,       "send-stop",       "stop-signal and SIGCONT to its group, then stop-timeout (SIGKILL at once when killing)") \
	X(A_KILL,            "kill",            "goal down as want-down; SIGKILL to its group, stop-timeout cancelled") \
	X(A_READY,           "ready",           "what waits for it may start") \
	X(A_DONE,            "done",            "what waits for it may start") \
	X(A_EXEC_FAILED,     "exec-failed",     "log why, keep it as the reason: the exit (status 127) follows") \
	X(A_STOPPED,         "stopped",         "log the exit; then as down") \
	X(A_STOPPED_FAIL,    "stopped-fail",    "log the exit; then as fail-down") \
	X(A_EXIT_CLEAN,      "exit-clean",      "log the exit; goal down; a critical one ends the run (with 0)") \
	X(A_EXIT_FAIL,       "exit-fail",       "log the exit; then as fail, the reason being the exit status") \
	X(A_EXIT_LIMIT,      "exit-limit",      "log the exit; then as fail, the reason being the start limit") \
	X(A_EXIT_BACKOFF,    "exit-backoff",    "log the exit; restart after the delay, which doubles up to restart-delay-max (back to restart-delay after that long ready)") \
	X(A_TIMEOUT_FAIL,    "timeout-fail",    "as exit-fail, the reason being why it was stopped (\"not ready within\", \"unhealthy: ...\")") \
	X(A_TIMEOUT_LIMIT,   "timeout-limit",   "as exit-limit, likewise") \
	X(A_TIMEOUT_BACKOFF, "timeout-backoff", "goal up again; as exit-backoff, likewise") \
	X(A_RESTART_DELAY,   "restart-delay",   "count the restart; wait for what it depends on again") \
	X(A_READY_TIMEOUT,   "ready-timeout",   "goal retry when up; log it, the reason \"not ready within\"; then as send-stop") \
	X(A_STOP_TIMEOUT,    "stop-timeout",    "log it; SIGKILL to its group") \
	X(A_UP_AGAIN,        "up-again",        "goal up (backoff and start limit go on)") \
	/* hooks and enabled = no */ \
	X(A_DISABLE,         "disable",         "goal down; shown disabled, what depends on it fails (\"dependency NAME is disabled\")") \
	X(A_PRE_START,       "pre-start",       "run its pre-start hook, bounded by ready-timeout") \
	X(A_PRE_START_FAILED, "pre-start-failed", "the hook's failure is the reason; then the exit- event of a failed start (backoff, start limit, failed)") \
	X(A_POST_STOP,       "post-stop",       "its other hook killed; run post-stop with MUSTER_EXIT_CODE and MUSTER_EXIT_STATUS, bounded by stop-timeout") \
	X(A_POST_STOP_DONE,  "post-stop-done",  "log a failure; then the exit takes effect: the exit- event its status and its goal now make") \
	X(A_HOOK_ENDED,      "hook-ended",      "log how post-start or stop-command ended (a failure is logged, nothing more)") \
	X(A_STOP_COMMAND_FAILED, "stop-command-failed", "log it; stop-signal to its group after all (stop-timeout runs on)") \
	X(A_HOOK_KILL,       "hook-kill",       "log it; SIGKILL to the hook's group (its exit follows as hook-failed)") \
	X(A_STOP_HOOK,       "stop-hook",       "cancel the start: SIGTERM and SIGCONT to the hook's group, bounded by stop-timeout (SIGKILL at once when killing)") \
	X(A_KILL_HOOK,       "kill-hook",       "goal down as want-down; SIGKILL to the hook's group") \
	X(A_CHECK_PASSED,    "check-passed",    "consecutive failures start over; the start period is over; healthy unless the watchdog missed") \
	X(A_CHECK_FAILED,    "check-failed",    "its reason is the service's; counted past the start period: the health-retries-th in a row is unhealthy-(on-unhealthy)") \
	X(A_WATCHDOG_MISSED, "watchdog-missed", "the reason says so; unhealthy-(on-unhealthy) at once, start period or not") \
	X(A_UNHEALTHY_RESTART, "unhealthy-restart", "goal retry when up; log it, the reason \"unhealthy: ...\"; then as send-stop (its exit is a failure: backoff and start limit)") \
	X(A_UNHEALTHY_STOP,  "unhealthy-stop",  "goal fail, the reason \"unhealthy: ...\"; what depends on it fails too; the stop is due once they are down") \
	X(A_UNHEALTHY_IGNORE, "unhealthy-ignore", "log it; it stays ready, shown unhealthy until a check passes")

#define LC_ENUM_(id, name, doc) id,
#define LC_ONE_(id, name, doc) +1
enum svc_state { LC_STATES(LC_ENUM_) };
enum lc_goal { LC_GOALS(LC_ENUM_) };
enum lc_event { LC_EVENTS(LC_ENUM_) };
enum lc_action { LC_ACTIONS(LC_ENUM_) };
enum {
	LC_NSTATES = 0 LC_STATES(LC_ONE_),
	LC_NGOALS = 0 LC_GOALS(LC_ONE_),
	LC_NEVENTS = 0 LC_EVENTS(LC_ONE_),
	LC_NACTIONS = 0 LC_ACTIONS(LC_ONE_),
};
#undef LC_ENUM_
#undef LC_ONE_

struct lc_cell {
	unsigned char next;     /* enum svc_state */
	unsigned char action;   /* enum lc_action */
	const char *why;        /* the reason its state change logs, or NULL */
};

/* The cell for event ev in state st (never NULL). */
const struct lc_cell *lc_cell(enum svc_state st, enum lc_event ev);

/* The goal once action a ran, from goal g. */
enum lc_goal lc_goal_after(enum lc_action a, enum lc_goal g);

/* Wanted up: GOAL_UP or GOAL_RETRY.  (These three are inline: the
 * supervisor asks them of every service in loops.) */
static inline bool lc_wanted_up(enum lc_goal g)
{
	return g == GOAL_UP || g == GOAL_RETRY;
}

/* Wanted up now or once down: also GOAL_RESTART and GOAL_RELOAD. */
static inline bool lc_wanted(enum lc_goal g)
{
	return lc_wanted_up(g) || g == GOAL_RESTART || g == GOAL_RELOAD;
}

/* starting, ready and stopping have a main process; pre-start and
 * post-stop a hook: a process of the service all the same (a stop or a
 * shutdown waits for it). */
static inline bool lc_has_process(enum svc_state st)
{
	return st == ST_STARTING || st == ST_READY || st == ST_STOPPING || st == ST_PRE_START ||
	       st == ST_POST_STOP;
}

/* Has the state a main process (not a hook alone)? */
static inline bool lc_has_main(enum svc_state st)
{
	return st == ST_STARTING || st == ST_READY || st == ST_STOPPING;
}

/* The facts of an exit of the main process. */
struct lc_exit {
	enum lc_goal goal;
	bool clean;             /* exited with status 0 */
	bool oneshot;
	enum restart_policy restart;
	/* counts the failure, true when that is past the start limit; asked
	 * only of a failure that its restart policy restarts */
	bool (*over_limit)(void *arg);
	void *arg;
	bool post_stop;         /* a post-stop hook runs first (exit-post-stop) */
};

/* The event an exit is. */
enum lc_event lc_exit_event(const struct lc_exit *x);

/* The event a hook's exit is: ok when it exited 0; st the state it ran
 * in.  A pre-start that ends while the service is no longer wanted up is
 * an exit while wanted down (exit-stopped, exit-dep-failed). */
enum lc_event lc_hook_event(enum svc_state st, enum lc_goal g, bool ok);

/* The event of a service wanted up whose dependencies are settled. */
enum lc_event lc_ready_event(bool pre_start);
/* ---- health ----------------------------------------------------------
 * The count of a ready service's check results, as docker and Kubernetes
 * keep it: health-retries failures in a row make it unhealthy; failures
 * in the first health-start-period after ready do not count, until a
 * check passes (which ends the start period); a missed watchdog makes it
 * unhealthy at once.  Zeroed when it becomes ready. */

#define LC_HEALTHS(X) \
	X(HEALTH_NONE,      "-",         "no health check or watchdog, or not ready") \
	X(HEALTH_CHECKING,  "checking",  "ready, no verdict yet (in the start period, or no check passed yet)") \
	X(HEALTH_HEALTHY,   "healthy",   "its last check passed, or fewer than health-retries failed since; the watchdog fed") \
	X(HEALTH_UNHEALTHY, "unhealthy", "health-retries checks failed in a row, or the watchdog missed")

#define LC_ENUM_(id, name, doc) id,
enum lc_health_state { LC_HEALTHS(LC_ENUM_) };
#undef LC_ENUM_

struct lc_health {
	unsigned fails;         /* failures in a row that count */
	bool passed;            /* a check passed since ready: no start period any more */
	bool pinged;            /* WATCHDOG=1 since ready */
	bool missed;            /* the watchdog missed, and no WATCHDOG=1 since */
};

/* What the service's checks are. */
struct lc_checks {
	bool check;             /* health-check, health-http or health-tcp */
	bool watchdog;
	unsigned retries;       /* health-retries */
	double start_period;
};

void lc_health_passed(struct lc_health *h);
/* A failed check, since_ready seconds after ready: true when it makes the
 * service unhealthy (it was not; a failure in the start period does not
 * count). */
bool lc_health_failed(struct lc_health *h, const struct lc_checks *k, double since_ready);
/* The watchdog missed: true when that makes it unhealthy (it was not). */
bool lc_health_missed(struct lc_health *h, const struct lc_checks *k);
void lc_health_pinged(struct lc_health *h);

enum lc_health_state lc_health_of(const struct lc_health *h, const struct lc_checks *k);
const char *lc_health_name(enum lc_health_state s);

/* The event being unhealthy is, by on-unhealthy. */
enum lc_event lc_unhealthy_event(enum on_unhealthy policy);

/* The event a re-evaluation of a service wanted down is.  held: it is
 * starting or ready, and a service going down that waits for it runs. */
enum lc_event lc_down_event(enum lc_goal g, bool held, bool shutting_down);

const char *svc_state_name(enum svc_state st);
const char *lc_goal_name(enum lc_goal g);
const char *lc_event_name(enum lc_event ev);
const char *lc_action_name(enum lc_action a);

/* Print doc/lifecycle.md: the states, goals, events, actions, the table,
 * and a Graphviz diagram of the state changes. */
void lc_dump(FILE *f);

#endif
