/* The lifecycle table, the goal and event rules, and doc/lifecycle.md.
 *
 * To change what a service does: change a cell (and its expectation in
 * tests/unit/check_lifecycle.c), then `make lifecycle-doc`.  A new event is
 * a row in lifecycle.h and a cell in every state below; a new action is a
 * row in lifecycle.h, its goal in lc_goal_after() and its function in
 * service.c's dispatch() (the compiler names any switch that misses one).
 */
#include "lifecycle.h"

#define LC_NAME_(id, name, doc) [id] = name,
#define LC_DOC_(id, name, doc) [id] = doc,
static const char *const state_names[] = { LC_STATES(LC_NAME_) };
static const char *const state_docs[] = { LC_STATES(LC_DOC_) };
static const char *const goal_names[] = { LC_GOALS(LC_NAME_) };
static const char *const goal_docs[] = { LC_GOALS(LC_DOC_) };
static const char *const event_names[] = { LC_EVENTS(LC_NAME_) };
static const char *const event_docs[] = { LC_EVENTS(LC_DOC_) };
static const char *const action_names[] = { LC_ACTIONS(LC_NAME_) };
static const char *const action_docs[] = { LC_ACTIONS(LC_DOC_) };

/* C(next, action): a cell; W(next, action, why): one whose state change
 * logs why.  A cell that keeps the state names it again: every cell is
 * written out, none is left to a default. */
#define C(next, action) { ST_##next, A_##action, NULL }
#define W(next, action, why) { ST_##next, A_##action, why }

static const struct lc_cell table[LC_NSTATES][LC_NEVENTS] = {
	[ST_STOPPED] = {
		[EV_BOOT]            = C(WAITING, START),
		[EV_START]           = W(WAITING, START, "start requested"),
		[EV_START_DEP]       = W(WAITING, START, "start requested"),
		[EV_STOP]            = C(STOPPED, WANT_STOP),
		[EV_RESTART]         = C(STOPPED, IMPOSSIBLE),
		[EV_RELOAD]          = C(STOPPED, WANT_RELOAD),
		[EV_RELOADED]        = W(WAITING, START, "changed by reload"),
		[EV_ADDED]           = W(WAITING, START, "added by reload"),
		[EV_SHUTDOWN]        = C(STOPPED, WANT_DOWN),
		[EV_KILL]            = C(STOPPED, WANT_DOWN),
		[EV_DEP_FAILED]      = C(STOPPED, IMPOSSIBLE),
		[EV_DEPS_READY]      = C(STOPPED, IMPOSSIBLE),
		[EV_DEPS_FAILED]     = C(STOPPED, IMPOSSIBLE),
		[EV_STOP_DUE]        = C(STOPPED, PASS_UP),
		[EV_SHUTDOWN_DUE]    = C(STOPPED, PASS_UP),
		[EV_FAIL_DUE]        = C(STOPPED, IMPOSSIBLE),
		[EV_HELD]            = C(STOPPED, IMPOSSIBLE),
		[EV_UP_AGAIN]        = W(WAITING, UP_AGAIN, "restart"),
		[EV_EXEC_OK]         = C(STOPPED, IGNORE),
		[EV_EXEC_FAILED]     = C(STOPPED, EXEC_FAILED),
		[EV_READY]           = C(STOPPED, IGNORE),
		[EV_EXIT_STOPPED]    = C(STOPPED, IMPOSSIBLE),
		[EV_EXIT_DEP_FAILED] = C(STOPPED, IMPOSSIBLE),
		[EV_EXIT_DONE]       = C(STOPPED, IMPOSSIBLE),
		[EV_EXIT_CLEAN]      = C(STOPPED, IMPOSSIBLE),
		[EV_EXIT_FAILED]     = C(STOPPED, IMPOSSIBLE),
		[EV_EXIT_RESTART]    = C(STOPPED, IMPOSSIBLE),
		[EV_EXIT_LIMIT]      = C(STOPPED, IMPOSSIBLE),
		[EV_RESTART_DELAY]   = C(STOPPED, IGNORE),
		[EV_READY_TIMEOUT]   = C(STOPPED, IGNORE),
		[EV_STOP_TIMEOUT]    = C(STOPPED, IGNORE),
		/* checks run only while ready: a late result */
		[EV_CHECK_PASSED]    = C(STOPPED, IGNORE),
		[EV_CHECK_FAILED]    = C(STOPPED, IGNORE),
		[EV_WATCHDOG_MISSED] = C(STOPPED, IGNORE),
		[EV_UNHEALTHY_RESTART] = C(STOPPED, IMPOSSIBLE),
		[EV_UNHEALTHY_STOP]  = C(STOPPED, IMPOSSIBLE),
		[EV_UNHEALTHY_IGNORE] = C(STOPPED, IMPOSSIBLE),
		[EV_DEPS_READY_PRE]  = C(STOPPED, IMPOSSIBLE),
		[EV_DISABLED]        = W(DISABLED, DISABLE, "enabled = no"),
		[EV_EXIT_POST_STOP]  = C(STOPPED, IMPOSSIBLE),
		[EV_HOOK_OK]         = C(STOPPED, IGNORE),
		[EV_HOOK_FAILED]     = C(STOPPED, IGNORE),
		[EV_HOOK_TIMEOUT]    = C(STOPPED, IGNORE),
	},
	[ST_WAITING] = {
		[EV_BOOT]            = C(WAITING, IMPOSSIBLE),
		[EV_START]           = C(WAITING, WANT_UP),
		[EV_START_DEP]       = C(WAITING, WANT_UP),
		[EV_STOP]            = C(WAITING, WANT_STOP),
		[EV_RESTART]         = C(WAITING, IMPOSSIBLE),
		[EV_RELOAD]          = C(WAITING, WANT_RELOAD),
		[EV_RELOADED]        = C(WAITING, IMPOSSIBLE),
		[EV_ADDED]           = C(WAITING, IMPOSSIBLE),
		[EV_SHUTDOWN]        = C(WAITING, WANT_DOWN),
		[EV_KILL]            = C(WAITING, WANT_DOWN),
		[EV_DEP_FAILED]      = C(WAITING, WANT_FAIL),
		[EV_DEPS_READY]      = C(STARTING, SPAWN),
		[EV_DEPS_FAILED]     = C(FAILED, FAIL),
		[EV_STOP_DUE]        = W(STOPPED, DOWN, "stop requested"),
		[EV_SHUTDOWN_DUE]    = W(STOPPED, DOWN, "start cancelled"),
		[EV_FAIL_DUE]        = C(FAILED, FAIL_DOWN),
		[EV_HELD]            = C(WAITING, IMPOSSIBLE),
		[EV_UP_AGAIN]        = C(WAITING, IMPOSSIBLE),
		[EV_EXEC_OK]         = C(WAITING, IGNORE),
		[EV_EXEC_FAILED]     = C(WAITING, EXEC_FAILED),
		[EV_READY]           = C(WAITING, IGNORE),
		[EV_EXIT_STOPPED]    = C(WAITING, IMPOSSIBLE),
		[EV_EXIT_DEP_FAILED] = C(WAITING, IMPOSSIBLE),
		[EV_EXIT_DONE]       = C(WAITING, IMPOSSIBLE),
		[EV_EXIT_CLEAN]      = C(WAITING, IMPOSSIBLE),
		[EV_EXIT_FAILED]     = C(WAITING, IMPOSSIBLE),
		[EV_EXIT_RESTART]    = C(WAITING, IMPOSSIBLE),
		[EV_EXIT_LIMIT]      = C(WAITING, IMPOSSIBLE),
		[EV_RESTART_DELAY]   = C(WAITING, IGNORE),
		[EV_READY_TIMEOUT]   = C(WAITING, IGNORE),
		[EV_STOP_TIMEOUT]    = C(WAITING, IGNORE),
		/* checks run only while ready: a late result */
		[EV_CHECK_PASSED]    = C(WAITING, IGNORE),
		[EV_CHECK_FAILED]    = C(WAITING, IGNORE),
		[EV_WATCHDOG_MISSED] = C(WAITING, IGNORE),
		[EV_UNHEALTHY_RESTART] = C(WAITING, IMPOSSIBLE),
		[EV_UNHEALTHY_STOP]  = C(WAITING, IMPOSSIBLE),
		[EV_UNHEALTHY_IGNORE] = C(WAITING, IMPOSSIBLE),
		[EV_DEPS_READY_PRE]  = C(PRE_START, PRE_START),
		[EV_DISABLED]        = C(WAITING, IMPOSSIBLE),
		[EV_EXIT_POST_STOP]  = C(WAITING, IMPOSSIBLE),
		[EV_HOOK_OK]         = C(WAITING, IGNORE),
		[EV_HOOK_FAILED]     = C(WAITING, IGNORE),
		[EV_HOOK_TIMEOUT]    = C(WAITING, IGNORE),
	},
	[ST_STARTING] = {
		[EV_BOOT]            = C(STARTING, IMPOSSIBLE),
		[EV_START]           = C(STARTING, WANT_UP),
		[EV_START_DEP]       = C(STARTING, WANT_UP),
		[EV_STOP]            = C(STARTING, WANT_STOP),
		[EV_RESTART]         = C(STARTING, WANT_RESTART),
		[EV_RELOAD]          = C(STARTING, WANT_RELOAD),
		[EV_RELOADED]        = C(STARTING, IMPOSSIBLE),
		[EV_ADDED]           = C(STARTING, IMPOSSIBLE),
		[EV_SHUTDOWN]        = C(STARTING, WANT_DOWN),
		[EV_KILL]            = W(STOPPING, KILL, "killed"),
		[EV_DEP_FAILED]      = C(STARTING, WANT_FAIL),
		[EV_DEPS_READY]      = C(STARTING, IGNORE),
		[EV_DEPS_FAILED]     = C(STARTING, IGNORE),
		[EV_STOP_DUE]        = C(STOPPING, SEND_STOP),
		[EV_SHUTDOWN_DUE]    = C(STOPPING, SEND_STOP),
		[EV_FAIL_DUE]        = C(STOPPING, SEND_STOP),
		[EV_HELD]            = C(STARTING, IGNORE),
		[EV_UP_AGAIN]        = C(STARTING, IMPOSSIBLE),
		[EV_EXEC_OK]         = C(READY, READY),
		[EV_EXEC_FAILED]     = C(STARTING, EXEC_FAILED),
		[EV_READY]           = C(READY, READY),
		[EV_EXIT_STOPPED]    = C(STOPPED, STOPPED),
		[EV_EXIT_DEP_FAILED] = C(FAILED, STOPPED_FAIL),
		[EV_EXIT_DONE]       = C(DONE, DONE),
		[EV_EXIT_CLEAN]      = W(STOPPED, EXIT_CLEAN, "exited with status 0"),
		[EV_EXIT_FAILED]     = C(FAILED, EXIT_FAIL),
		[EV_EXIT_RESTART]    = C(BACKOFF, EXIT_BACKOFF),
		[EV_EXIT_LIMIT]      = C(FAILED, EXIT_LIMIT),
		[EV_RESTART_DELAY]   = C(STARTING, IGNORE),
		[EV_READY_TIMEOUT]   = C(STOPPING, READY_TIMEOUT),
		[EV_STOP_TIMEOUT]    = C(STARTING, IGNORE),
		/* checks run only while ready: a late result */
		[EV_CHECK_PASSED]    = C(STARTING, IGNORE),
		[EV_CHECK_FAILED]    = C(STARTING, IGNORE),
		[EV_WATCHDOG_MISSED] = C(STARTING, IGNORE),
		[EV_UNHEALTHY_RESTART] = C(STARTING, IMPOSSIBLE),
		[EV_UNHEALTHY_STOP]  = C(STARTING, IMPOSSIBLE),
		[EV_UNHEALTHY_IGNORE] = C(STARTING, IMPOSSIBLE),
		[EV_DEPS_READY_PRE]  = C(STARTING, IGNORE),
		[EV_DISABLED]        = C(STARTING, IMPOSSIBLE),
		[EV_EXIT_POST_STOP]  = C(POST_STOP, POST_STOP),
		[EV_HOOK_OK]         = C(STARTING, IGNORE),
		[EV_HOOK_FAILED]     = C(STARTING, IGNORE),
		[EV_HOOK_TIMEOUT]    = C(STARTING, IGNORE),
	},
	[ST_READY] = {
		[EV_BOOT]            = C(READY, IMPOSSIBLE),
		[EV_START]           = C(READY, WANT_UP),
		[EV_START_DEP]       = C(READY, WANT_UP),
		[EV_STOP]            = C(READY, WANT_STOP),
		[EV_RESTART]         = C(READY, WANT_RESTART),
		[EV_RELOAD]          = C(READY, WANT_RELOAD),
		[EV_RELOADED]        = C(READY, IMPOSSIBLE),
		[EV_ADDED]           = C(READY, IMPOSSIBLE),
		[EV_SHUTDOWN]        = C(READY, WANT_DOWN),
		[EV_KILL]            = W(STOPPING, KILL, "killed"),
		[EV_DEP_FAILED]      = C(READY, WANT_FAIL),
		[EV_DEPS_READY]      = C(READY, IGNORE),
		[EV_DEPS_FAILED]     = C(READY, IGNORE),
		[EV_STOP_DUE]        = C(STOPPING, SEND_STOP),
		[EV_SHUTDOWN_DUE]    = C(STOPPING, SEND_STOP),
		[EV_FAIL_DUE]        = C(STOPPING, SEND_STOP),
		[EV_HELD]            = C(READY, IGNORE),
		[EV_UP_AGAIN]        = C(READY, IMPOSSIBLE),
		[EV_EXEC_OK]         = C(READY, IGNORE),
		[EV_EXEC_FAILED]     = C(READY, EXEC_FAILED),
		[EV_READY]           = C(READY, IGNORE),
		[EV_EXIT_STOPPED]    = C(STOPPED, STOPPED),
		[EV_EXIT_DEP_FAILED] = C(FAILED, STOPPED_FAIL),
		[EV_EXIT_DONE]       = C(READY, IMPOSSIBLE),   /* a oneshot is never ready */
		[EV_EXIT_CLEAN]      = W(STOPPED, EXIT_CLEAN, "exited with status 0"),
		[EV_EXIT_FAILED]     = C(FAILED, EXIT_FAIL),
		[EV_EXIT_RESTART]    = C(BACKOFF, EXIT_BACKOFF),
		[EV_EXIT_LIMIT]      = C(FAILED, EXIT_LIMIT),
		[EV_RESTART_DELAY]   = C(READY, IGNORE),
		[EV_READY_TIMEOUT]   = C(READY, IGNORE),
		[EV_STOP_TIMEOUT]    = C(READY, IGNORE),
		[EV_CHECK_PASSED]    = C(READY, CHECK_PASSED),
		[EV_CHECK_FAILED]    = C(READY, CHECK_FAILED),
		[EV_WATCHDOG_MISSED] = C(READY, WATCHDOG_MISSED),
		[EV_UNHEALTHY_RESTART] = W(STOPPING, UNHEALTHY_RESTART, "unhealthy"),
		[EV_UNHEALTHY_STOP]  = C(READY, UNHEALTHY_STOP),
		[EV_UNHEALTHY_IGNORE] = C(READY, UNHEALTHY_IGNORE),
		[EV_DEPS_READY_PRE]  = C(READY, IGNORE),
		[EV_DISABLED]        = C(READY, IMPOSSIBLE),
		[EV_EXIT_POST_STOP]  = C(POST_STOP, POST_STOP),
		[EV_HOOK_OK]         = C(READY, HOOK_ENDED),
		[EV_HOOK_FAILED]     = C(READY, HOOK_ENDED),
		[EV_HOOK_TIMEOUT]    = C(READY, HOOK_KILL),
	},
	[ST_STOPPING] = {
		[EV_BOOT]            = C(STOPPING, IMPOSSIBLE),
		[EV_START]           = C(STOPPING, WANT_RESTART), /* back once it is down */
		[EV_START_DEP]       = C(STOPPING, WANT_RESTART),
		[EV_STOP]            = C(STOPPING, WANT_STOP),
		[EV_RESTART]         = C(STOPPING, WANT_RESTART),
		[EV_RELOAD]          = C(STOPPING, WANT_RELOAD),
		[EV_RELOADED]        = C(STOPPING, IMPOSSIBLE),
		[EV_ADDED]           = C(STOPPING, IMPOSSIBLE),
		[EV_SHUTDOWN]        = C(STOPPING, WANT_DOWN),
		[EV_KILL]            = C(STOPPING, KILL),
		[EV_DEP_FAILED]      = C(STOPPING, WANT_FAIL), /* only with GOAL_RETRY */
		[EV_DEPS_READY]      = C(STOPPING, IGNORE),
		[EV_DEPS_FAILED]     = C(STOPPING, IGNORE),
		[EV_STOP_DUE]        = C(STOPPING, IGNORE),
		[EV_SHUTDOWN_DUE]    = C(STOPPING, IGNORE),
		[EV_FAIL_DUE]        = C(STOPPING, IGNORE),
		[EV_HELD]            = C(STOPPING, IMPOSSIBLE),
		[EV_UP_AGAIN]        = C(STOPPING, IMPOSSIBLE),
		[EV_EXEC_OK]         = C(STOPPING, IGNORE),
		[EV_EXEC_FAILED]     = C(STOPPING, EXEC_FAILED),
		[EV_READY]           = C(STOPPING, IGNORE),
		[EV_EXIT_STOPPED]    = C(STOPPED, STOPPED),
		[EV_EXIT_DEP_FAILED] = C(FAILED, STOPPED_FAIL),
		/* wanted up while stopping is GOAL_RETRY: its exit is a failure */
		[EV_EXIT_DONE]       = C(STOPPING, IMPOSSIBLE),
		[EV_EXIT_CLEAN]      = C(STOPPING, IMPOSSIBLE),
		[EV_EXIT_FAILED]     = C(FAILED, TIMEOUT_FAIL),
		[EV_EXIT_RESTART]    = C(BACKOFF, TIMEOUT_BACKOFF),
		[EV_EXIT_LIMIT]      = C(FAILED, TIMEOUT_LIMIT),
		[EV_RESTART_DELAY]   = C(STOPPING, IGNORE),
		[EV_READY_TIMEOUT]   = C(STOPPING, IGNORE),
		[EV_STOP_TIMEOUT]    = C(STOPPING, STOP_TIMEOUT),
		/* checks run only while ready: a late result */
		[EV_CHECK_PASSED]    = C(STOPPING, IGNORE),
		[EV_CHECK_FAILED]    = C(STOPPING, IGNORE),
		[EV_WATCHDOG_MISSED] = C(STOPPING, IGNORE),
		[EV_UNHEALTHY_RESTART] = C(STOPPING, IMPOSSIBLE),
		[EV_UNHEALTHY_STOP]  = C(STOPPING, IMPOSSIBLE),
		[EV_UNHEALTHY_IGNORE] = C(STOPPING, IMPOSSIBLE),
		[EV_DEPS_READY_PRE]  = C(STOPPING, IGNORE),
		[EV_DISABLED]        = C(STOPPING, IMPOSSIBLE),
		[EV_EXIT_POST_STOP]  = C(POST_STOP, POST_STOP),
		[EV_HOOK_OK]         = C(STOPPING, HOOK_ENDED),
		[EV_HOOK_FAILED]     = C(STOPPING, STOP_COMMAND_FAILED),
		[EV_HOOK_TIMEOUT]    = C(STOPPING, HOOK_KILL),
	},
	[ST_DONE] = {
		[EV_BOOT]            = C(DONE, IMPOSSIBLE),
		[EV_START]           = W(WAITING, START, "start requested"), /* runs again */
		[EV_START_DEP]       = C(DONE, WANT_UP),
		[EV_STOP]            = C(DONE, WANT_STOP),
		[EV_RESTART]         = C(DONE, IMPOSSIBLE),
		[EV_RELOAD]          = C(DONE, WANT_RELOAD),
		[EV_RELOADED]        = C(DONE, IMPOSSIBLE),
		[EV_ADDED]           = C(DONE, IMPOSSIBLE),
		[EV_SHUTDOWN]        = C(DONE, WANT_DOWN),
		[EV_KILL]            = C(DONE, WANT_DOWN),
		[EV_DEP_FAILED]      = C(DONE, WANT_FAIL),
		[EV_DEPS_READY]      = C(DONE, IGNORE),
		[EV_DEPS_FAILED]     = C(DONE, IGNORE),
		[EV_STOP_DUE]        = W(STOPPED, DOWN, "stop requested"),
		[EV_SHUTDOWN_DUE]    = W(STOPPED, DOWN, "stop requested"),
		[EV_FAIL_DUE]        = C(FAILED, FAIL_DOWN),
		[EV_HELD]            = C(DONE, IMPOSSIBLE),
		[EV_UP_AGAIN]        = C(DONE, IMPOSSIBLE),
		[EV_EXEC_OK]         = C(DONE, IGNORE),
		[EV_EXEC_FAILED]     = C(DONE, EXEC_FAILED),
		[EV_READY]           = C(DONE, IGNORE),
		[EV_EXIT_STOPPED]    = C(DONE, IMPOSSIBLE),
		[EV_EXIT_DEP_FAILED] = C(DONE, IMPOSSIBLE),
		[EV_EXIT_DONE]       = C(DONE, IMPOSSIBLE),
		[EV_EXIT_CLEAN]      = C(DONE, IMPOSSIBLE),
		[EV_EXIT_FAILED]     = C(DONE, IMPOSSIBLE),
		[EV_EXIT_RESTART]    = C(DONE, IMPOSSIBLE),
		[EV_EXIT_LIMIT]      = C(DONE, IMPOSSIBLE),
		[EV_RESTART_DELAY]   = C(DONE, IGNORE),
		[EV_READY_TIMEOUT]   = C(DONE, IGNORE),
		[EV_STOP_TIMEOUT]    = C(DONE, IGNORE),
		/* checks run only while ready: a late result */
		[EV_CHECK_PASSED]    = C(DONE, IGNORE),
		[EV_CHECK_FAILED]    = C(DONE, IGNORE),
		[EV_WATCHDOG_MISSED] = C(DONE, IGNORE),
		[EV_UNHEALTHY_RESTART] = C(DONE, IMPOSSIBLE),
		[EV_UNHEALTHY_STOP]  = C(DONE, IMPOSSIBLE),
		[EV_UNHEALTHY_IGNORE] = C(DONE, IMPOSSIBLE),
		[EV_DEPS_READY_PRE]  = C(DONE, IGNORE),
		[EV_DISABLED]        = C(DONE, IMPOSSIBLE),
		[EV_EXIT_POST_STOP]  = C(DONE, IMPOSSIBLE),
		[EV_HOOK_OK]         = C(DONE, IGNORE),
		[EV_HOOK_FAILED]     = C(DONE, IGNORE),
		[EV_HOOK_TIMEOUT]    = C(DONE, IGNORE),
	},
	[ST_BACKOFF] = {
		[EV_BOOT]            = C(BACKOFF, IMPOSSIBLE),
		[EV_START]           = W(WAITING, START, "start requested"),
		[EV_START_DEP]       = W(WAITING, START, "start requested"),
		[EV_STOP]            = C(BACKOFF, WANT_STOP),
		[EV_RESTART]         = C(BACKOFF, IMPOSSIBLE),
		[EV_RELOAD]          = C(BACKOFF, WANT_RELOAD),
		[EV_RELOADED]        = C(BACKOFF, IMPOSSIBLE),
		[EV_ADDED]           = C(BACKOFF, IMPOSSIBLE),
		[EV_SHUTDOWN]        = C(BACKOFF, WANT_DOWN),
		[EV_KILL]            = C(BACKOFF, WANT_DOWN),
		[EV_DEP_FAILED]      = C(BACKOFF, WANT_FAIL),
		[EV_DEPS_READY]      = C(BACKOFF, IGNORE),
		[EV_DEPS_FAILED]     = C(BACKOFF, IGNORE),
		[EV_STOP_DUE]        = W(STOPPED, DOWN, "restart cancelled"),
		[EV_SHUTDOWN_DUE]    = W(STOPPED, DOWN, "restart cancelled"),
		[EV_FAIL_DUE]        = C(FAILED, FAIL_DOWN),
		[EV_HELD]            = C(BACKOFF, IMPOSSIBLE),
		[EV_UP_AGAIN]        = C(BACKOFF, IMPOSSIBLE),
		[EV_EXEC_OK]         = C(BACKOFF, IGNORE),
		[EV_EXEC_FAILED]     = C(BACKOFF, EXEC_FAILED),
		[EV_READY]           = C(BACKOFF, IGNORE),
		[EV_EXIT_STOPPED]    = C(BACKOFF, IMPOSSIBLE),
		[EV_EXIT_DEP_FAILED] = C(BACKOFF, IMPOSSIBLE),
		[EV_EXIT_DONE]       = C(BACKOFF, IMPOSSIBLE),
		[EV_EXIT_CLEAN]      = C(BACKOFF, IMPOSSIBLE),
		[EV_EXIT_FAILED]     = C(BACKOFF, IMPOSSIBLE),
		[EV_EXIT_RESTART]    = C(BACKOFF, IMPOSSIBLE),
		[EV_EXIT_LIMIT]      = C(BACKOFF, IMPOSSIBLE),
		[EV_RESTART_DELAY]   = W(WAITING, RESTART_DELAY, "restart delay over"),
		[EV_READY_TIMEOUT]   = C(BACKOFF, IGNORE),
		[EV_STOP_TIMEOUT]    = C(BACKOFF, IGNORE),
		/* checks run only while ready: a late result */
		[EV_CHECK_PASSED]    = C(BACKOFF, IGNORE),
		[EV_CHECK_FAILED]    = C(BACKOFF, IGNORE),
		[EV_WATCHDOG_MISSED] = C(BACKOFF, IGNORE),
		[EV_UNHEALTHY_RESTART] = C(BACKOFF, IMPOSSIBLE),
		[EV_UNHEALTHY_STOP]  = C(BACKOFF, IMPOSSIBLE),
		[EV_UNHEALTHY_IGNORE] = C(BACKOFF, IMPOSSIBLE),
		[EV_DEPS_READY_PRE]  = C(BACKOFF, IGNORE),
		[EV_DISABLED]        = C(BACKOFF, IMPOSSIBLE),
		[EV_EXIT_POST_STOP]  = C(BACKOFF, IMPOSSIBLE),
		[EV_HOOK_OK]         = C(BACKOFF, IGNORE),
		[EV_HOOK_FAILED]     = C(BACKOFF, IGNORE),
		[EV_HOOK_TIMEOUT]    = C(BACKOFF, IGNORE),
	},
	[ST_FAILED] = {
		[EV_BOOT]            = C(FAILED, IMPOSSIBLE),
		[EV_START]           = W(WAITING, START, "start requested"),
		[EV_START_DEP]       = W(WAITING, START, "start requested"),
		[EV_STOP]            = C(FAILED, WANT_STOP),
		[EV_RESTART]         = C(FAILED, IMPOSSIBLE),
		[EV_RELOAD]          = C(FAILED, WANT_RELOAD),
		[EV_RELOADED]        = C(FAILED, IMPOSSIBLE),
		[EV_ADDED]           = C(FAILED, IMPOSSIBLE),
		[EV_SHUTDOWN]        = C(FAILED, WANT_DOWN),
		[EV_KILL]            = C(FAILED, WANT_DOWN),
		[EV_DEP_FAILED]      = C(FAILED, IMPOSSIBLE),
		[EV_DEPS_READY]      = C(FAILED, IMPOSSIBLE),
		[EV_DEPS_FAILED]     = C(FAILED, IMPOSSIBLE),
		[EV_STOP_DUE]        = C(FAILED, PASS_UP),
		[EV_SHUTDOWN_DUE]    = C(FAILED, PASS_UP),
		[EV_FAIL_DUE]        = C(FAILED, IMPOSSIBLE),
		[EV_HELD]            = C(FAILED, IMPOSSIBLE),
		[EV_UP_AGAIN]        = C(FAILED, IMPOSSIBLE),
		[EV_EXEC_OK]         = C(FAILED, IGNORE),
		[EV_EXEC_FAILED]     = C(FAILED, EXEC_FAILED),
		[EV_READY]           = C(FAILED, IGNORE),
		[EV_EXIT_STOPPED]    = C(FAILED, IMPOSSIBLE),
		[EV_EXIT_DEP_FAILED] = C(FAILED, IMPOSSIBLE),
		[EV_EXIT_DONE]       = C(FAILED, IMPOSSIBLE),
		[EV_EXIT_CLEAN]      = C(FAILED, IMPOSSIBLE),
		[EV_EXIT_FAILED]     = C(FAILED, IMPOSSIBLE),
		[EV_EXIT_RESTART]    = C(FAILED, IMPOSSIBLE),
		[EV_EXIT_LIMIT]      = C(FAILED, IMPOSSIBLE),
		[EV_RESTART_DELAY]   = C(FAILED, IGNORE),
		[EV_READY_TIMEOUT]   = C(FAILED, IGNORE),
		[EV_STOP_TIMEOUT]    = C(FAILED, IGNORE),
		/* checks run only while ready: a late result */
		[EV_CHECK_PASSED]    = C(FAILED, IGNORE),
		[EV_CHECK_FAILED]    = C(FAILED, IGNORE),
		[EV_WATCHDOG_MISSED] = C(FAILED, IGNORE),
		[EV_UNHEALTHY_RESTART] = C(FAILED, IMPOSSIBLE),
		[EV_UNHEALTHY_STOP]  = C(FAILED, IMPOSSIBLE),
		[EV_UNHEALTHY_IGNORE] = C(FAILED, IMPOSSIBLE),
		[EV_DEPS_READY_PRE]  = C(FAILED, IMPOSSIBLE),
		[EV_DISABLED]        = C(FAILED, IMPOSSIBLE),
		[EV_EXIT_POST_STOP]  = C(FAILED, IMPOSSIBLE),
		[EV_HOOK_OK]         = C(FAILED, IGNORE),
		[EV_HOOK_FAILED]     = C(FAILED, IGNORE),
		[EV_HOOK_TIMEOUT]    = C(FAILED, IGNORE),
	},
	[ST_PRE_START] = {
		[EV_BOOT]            = C(PRE_START, IMPOSSIBLE),
		[EV_START]           = C(PRE_START, WANT_UP),
		[EV_START_DEP]       = C(PRE_START, WANT_UP),
		[EV_STOP]            = C(PRE_START, WANT_STOP),
		[EV_RESTART]         = C(PRE_START, WANT_RESTART),
		[EV_RELOAD]          = C(PRE_START, WANT_RELOAD),
		[EV_RELOADED]        = C(PRE_START, IMPOSSIBLE),
		[EV_ADDED]           = C(PRE_START, IMPOSSIBLE),
		[EV_SHUTDOWN]        = C(PRE_START, WANT_DOWN),
		[EV_KILL]            = C(PRE_START, KILL_HOOK),
		[EV_DEP_FAILED]      = C(PRE_START, WANT_FAIL),
		[EV_DEPS_READY]      = C(PRE_START, IGNORE),
		[EV_DEPS_FAILED]     = C(PRE_START, IGNORE),
		[EV_STOP_DUE]        = C(PRE_START, STOP_HOOK),
		[EV_SHUTDOWN_DUE]    = C(PRE_START, STOP_HOOK),
		[EV_FAIL_DUE]        = C(PRE_START, STOP_HOOK),
		[EV_HELD]            = C(PRE_START, IMPOSSIBLE),
		[EV_UP_AGAIN]        = C(PRE_START, IMPOSSIBLE),
		[EV_EXEC_OK]         = C(PRE_START, IGNORE),
		[EV_EXEC_FAILED]     = C(PRE_START, IGNORE),
		[EV_READY]           = C(PRE_START, IGNORE),
		[EV_EXIT_STOPPED]    = W(STOPPED, STOPPED, "start cancelled"),
		[EV_EXIT_DEP_FAILED] = C(FAILED, STOPPED_FAIL),
		[EV_EXIT_DONE]       = C(PRE_START, IMPOSSIBLE),
		[EV_EXIT_CLEAN]      = C(PRE_START, IMPOSSIBLE),
		[EV_EXIT_FAILED]     = C(FAILED, EXIT_FAIL),
		[EV_EXIT_RESTART]    = C(BACKOFF, EXIT_BACKOFF),
		[EV_EXIT_LIMIT]      = C(FAILED, EXIT_LIMIT),
		[EV_RESTART_DELAY]   = C(PRE_START, IGNORE),
		[EV_READY_TIMEOUT]   = C(PRE_START, IGNORE),
		[EV_STOP_TIMEOUT]    = C(PRE_START, IGNORE),
		[EV_DEPS_READY_PRE]  = C(PRE_START, IGNORE),
		[EV_DISABLED]        = C(PRE_START, IMPOSSIBLE),
		[EV_EXIT_POST_STOP]  = C(PRE_START, IMPOSSIBLE),
		[EV_HOOK_OK]         = C(STARTING, SPAWN),
		[EV_HOOK_FAILED]     = C(PRE_START, PRE_START_FAILED),
		[EV_HOOK_TIMEOUT]    = C(PRE_START, HOOK_KILL),
		/* checks run only while ready: a late result */
		[EV_CHECK_PASSED]    = C(PRE_START, IGNORE),
		[EV_CHECK_FAILED]    = C(PRE_START, IGNORE),
		[EV_WATCHDOG_MISSED] = C(PRE_START, IGNORE),
		[EV_UNHEALTHY_RESTART] = C(PRE_START, IMPOSSIBLE),
		[EV_UNHEALTHY_STOP]  = C(PRE_START, IMPOSSIBLE),
		[EV_UNHEALTHY_IGNORE] = C(PRE_START, IMPOSSIBLE),
	},
	[ST_POST_STOP] = {
		[EV_BOOT]            = C(POST_STOP, IMPOSSIBLE),
		[EV_START]           = C(POST_STOP, WANT_RESTART),
		[EV_START_DEP]       = C(POST_STOP, WANT_RESTART),
		[EV_STOP]            = C(POST_STOP, WANT_STOP),
		[EV_RESTART]         = C(POST_STOP, WANT_RESTART),
		[EV_RELOAD]          = C(POST_STOP, WANT_RELOAD),
		[EV_RELOADED]        = C(POST_STOP, IMPOSSIBLE),
		[EV_ADDED]           = C(POST_STOP, IMPOSSIBLE),
		[EV_SHUTDOWN]        = C(POST_STOP, WANT_DOWN),
		[EV_KILL]            = C(POST_STOP, KILL_HOOK),
		[EV_DEP_FAILED]      = C(POST_STOP, WANT_FAIL),
		[EV_DEPS_READY]      = C(POST_STOP, IGNORE),
		[EV_DEPS_FAILED]     = C(POST_STOP, IGNORE),
		[EV_STOP_DUE]        = C(POST_STOP, IGNORE),
		[EV_SHUTDOWN_DUE]    = C(POST_STOP, IGNORE),
		[EV_FAIL_DUE]        = C(POST_STOP, IGNORE),
		[EV_HELD]            = C(POST_STOP, IMPOSSIBLE),
		[EV_UP_AGAIN]        = C(POST_STOP, IMPOSSIBLE),
		[EV_EXEC_OK]         = C(POST_STOP, IGNORE),
		[EV_EXEC_FAILED]     = C(POST_STOP, EXEC_FAILED),
		[EV_READY]           = C(POST_STOP, IGNORE),
		[EV_EXIT_STOPPED]    = C(STOPPED, STOPPED),
		[EV_EXIT_DEP_FAILED] = C(FAILED, STOPPED_FAIL),
		[EV_EXIT_DONE]       = C(DONE, DONE),
		[EV_EXIT_CLEAN]      = W(STOPPED, EXIT_CLEAN, "exited cleanly"),
		[EV_EXIT_FAILED]     = C(FAILED, EXIT_FAIL),
		[EV_EXIT_RESTART]    = C(BACKOFF, EXIT_BACKOFF),
		[EV_EXIT_LIMIT]      = C(FAILED, EXIT_LIMIT),
		[EV_RESTART_DELAY]   = C(POST_STOP, IGNORE),
		[EV_READY_TIMEOUT]   = C(POST_STOP, IGNORE),
		[EV_STOP_TIMEOUT]    = C(POST_STOP, IGNORE),
		[EV_DEPS_READY_PRE]  = C(POST_STOP, IGNORE),
		[EV_DISABLED]        = C(POST_STOP, IMPOSSIBLE),
		[EV_EXIT_POST_STOP]  = C(POST_STOP, IMPOSSIBLE),
		[EV_HOOK_OK]         = C(POST_STOP, POST_STOP_DONE),
		[EV_HOOK_FAILED]     = C(POST_STOP, POST_STOP_DONE),
		[EV_HOOK_TIMEOUT]    = C(POST_STOP, HOOK_KILL),
		/* checks run only while ready: a late result */
		[EV_CHECK_PASSED]    = C(POST_STOP, IGNORE),
		[EV_CHECK_FAILED]    = C(POST_STOP, IGNORE),
		[EV_WATCHDOG_MISSED] = C(POST_STOP, IGNORE),
		[EV_UNHEALTHY_RESTART] = C(POST_STOP, IMPOSSIBLE),
		[EV_UNHEALTHY_STOP]  = C(POST_STOP, IMPOSSIBLE),
		[EV_UNHEALTHY_IGNORE] = C(POST_STOP, IMPOSSIBLE),
	},
	[ST_DISABLED] = {
		[EV_BOOT]            = C(DISABLED, IMPOSSIBLE),
		[EV_START]           = W(WAITING, START, "start requested"),
		[EV_START_DEP]       = C(DISABLED, IGNORE),
		[EV_STOP]            = C(DISABLED, WANT_STOP),
		[EV_RESTART]         = C(DISABLED, IMPOSSIBLE),
		[EV_RELOAD]          = C(DISABLED, WANT_RELOAD),
		[EV_RELOADED]        = W(WAITING, START, "enabled by reload"),
		[EV_ADDED]           = C(DISABLED, IMPOSSIBLE),
		[EV_SHUTDOWN]        = C(DISABLED, WANT_DOWN),
		[EV_KILL]            = C(DISABLED, WANT_DOWN),
		[EV_DEP_FAILED]      = C(DISABLED, IMPOSSIBLE),
		[EV_DEPS_READY]      = C(DISABLED, IMPOSSIBLE),
		[EV_DEPS_FAILED]     = C(DISABLED, IMPOSSIBLE),
		[EV_STOP_DUE]        = C(DISABLED, PASS_UP),
		[EV_SHUTDOWN_DUE]    = C(DISABLED, PASS_UP),
		[EV_FAIL_DUE]        = C(DISABLED, IMPOSSIBLE),
		[EV_HELD]            = C(DISABLED, IMPOSSIBLE),
		[EV_UP_AGAIN]        = C(DISABLED, IMPOSSIBLE),
		[EV_EXEC_OK]         = C(DISABLED, IGNORE),
		[EV_EXEC_FAILED]     = C(DISABLED, IGNORE),
		[EV_READY]           = C(DISABLED, IGNORE),
		[EV_EXIT_STOPPED]    = C(DISABLED, IMPOSSIBLE),
		[EV_EXIT_DEP_FAILED] = C(DISABLED, IMPOSSIBLE),
		[EV_EXIT_DONE]       = C(DISABLED, IMPOSSIBLE),
		[EV_EXIT_CLEAN]      = C(DISABLED, IMPOSSIBLE),
		[EV_EXIT_FAILED]     = C(DISABLED, IMPOSSIBLE),
		[EV_EXIT_RESTART]    = C(DISABLED, IMPOSSIBLE),
		[EV_EXIT_LIMIT]      = C(DISABLED, IMPOSSIBLE),
		[EV_RESTART_DELAY]   = C(DISABLED, IGNORE),
		[EV_READY_TIMEOUT]   = C(DISABLED, IGNORE),
		[EV_STOP_TIMEOUT]    = C(DISABLED, IGNORE),
		[EV_DEPS_READY_PRE]  = C(DISABLED, IMPOSSIBLE),
		[EV_DISABLED]        = C(DISABLED, IGNORE),
		[EV_EXIT_POST_STOP]  = C(DISABLED, IMPOSSIBLE),
		[EV_HOOK_OK]         = C(DISABLED, IGNORE),
		[EV_HOOK_FAILED]     = C(DISABLED, IGNORE),
		[EV_HOOK_TIMEOUT]    = C(DISABLED, IGNORE),
		/* checks run only while ready: a late result */
		[EV_CHECK_PASSED]    = C(DISABLED, IGNORE),
		[EV_CHECK_FAILED]    = C(DISABLED, IGNORE),
		[EV_WATCHDOG_MISSED] = C(DISABLED, IGNORE),
		[EV_UNHEALTHY_RESTART] = C(DISABLED, IMPOSSIBLE),
		[EV_UNHEALTHY_STOP]  = C(DISABLED, IMPOSSIBLE),
		[EV_UNHEALTHY_IGNORE] = C(DISABLED, IMPOSSIBLE),
	},
};

static const struct lc_cell undefined = { ST_STOPPED, A_UNDEFINED, NULL };

const struct lc_cell *lc_cell(enum svc_state st, enum lc_event ev)
{
	if ((unsigned)st >= LC_NSTATES || (unsigned)ev >= LC_NEVENTS)
		return &undefined;
	return &table[st][ev];
}

enum lc_goal lc_goal_after(enum lc_action a, enum lc_goal g)
{
	switch (a) {
	case A_START:
	case A_WANT_UP:
	case A_UP_AGAIN:
	case A_TIMEOUT_BACKOFF:
		return GOAL_UP;
	case A_WANT_STOP:
		return g == GOAL_FAIL ? GOAL_FAIL : GOAL_DOWN;
	case A_WANT_DOWN:
	case A_KILL:
	case A_KILL_HOOK:
		return lc_wanted_up(g) ? GOAL_DOWN : g;
	case A_WANT_RESTART:
		return GOAL_RESTART;
	case A_WANT_RELOAD:
		return GOAL_RELOAD;
	case A_WANT_FAIL:
		return GOAL_FAIL;
	case A_READY_TIMEOUT:
	case A_UNHEALTHY_RESTART:
		return g == GOAL_UP ? GOAL_RETRY : g;
	case A_UNHEALTHY_STOP:
		return GOAL_FAIL;
	case A_FAIL:
	case A_FAIL_DOWN:
	case A_STOPPED_FAIL:
	case A_EXIT_CLEAN:
	case A_DISABLE:
	case A_EXIT_FAIL:
	case A_EXIT_LIMIT:
	case A_TIMEOUT_FAIL:
	case A_TIMEOUT_LIMIT:
		return GOAL_DOWN;
	case A_UNDEFINED:
	case A_IGNORE:
	case A_IMPOSSIBLE:
	case A_SPAWN:
	case A_DOWN:
	case A_PASS_UP:
	case A_SEND_STOP:
	case A_READY:
	case A_DONE:
	case A_EXEC_FAILED:
	case A_STOPPED:
	case A_EXIT_BACKOFF:
	case A_RESTART_DELAY:
	case A_STOP_TIMEOUT:
	case A_CHECK_PASSED:
	case A_CHECK_FAILED:
	case A_WATCHDOG_MISSED:
	case A_UNHEALTHY_IGNORE:
	case A_PRE_START:
	case A_PRE_START_FAILED:
	case A_POST_STOP:
	case A_POST_STOP_DONE:
	case A_HOOK_ENDED:
	case A_STOP_COMMAND_FAILED:
	case A_HOOK_KILL:
	case A_STOP_HOOK:
		break;
	}
	return g;
}

enum lc_event lc_exit_event(const struct lc_exit *x)
{
	if (x->post_stop)
		return EV_EXIT_POST_STOP;
	if (!lc_wanted_up(x->goal))
		return x->goal == GOAL_FAIL ? EV_EXIT_DEP_FAILED : EV_EXIT_STOPPED;
	/* not ready in time is a failed start, however it then exited */
	bool failed = !x->clean || x->goal == GOAL_RETRY;
	if (x->oneshot && !failed)
		return EV_EXIT_DONE;
	bool restart = x->restart == RESTART_ALWAYS || (x->restart == RESTART_ON_FAILURE && failed);
	if (!restart)
		return failed ? EV_EXIT_FAILED : EV_EXIT_CLEAN;
	if (failed && x->over_limit(x->arg))
		return EV_EXIT_LIMIT;
	return EV_EXIT_RESTART;
}

/* ---- health ---------------------------------------------------------- */

static bool unhealthy(const struct lc_health *h, const struct lc_checks *k)
{
	return h->missed || (k->check && h->fails >= k->retries);
}

void lc_health_passed(struct lc_health *h)
{
	h->fails = 0;
	h->passed = true;
}

bool lc_health_failed(struct lc_health *h, const struct lc_checks *k, double since_ready)
{
	if (!h->passed && since_ready < k->start_period)
		return false; /* the start period: not counted */
	bool was = unhealthy(h, k);
	if (h->fails < k->retries)
		h->fails++;
	return !was && unhealthy(h, k);
}

bool lc_health_missed(struct lc_health *h, const struct lc_checks *k)
{
	bool was = unhealthy(h, k);
	h->missed = true;
	return !was;
}

void lc_health_pinged(struct lc_health *h)
{
	h->pinged = true;
	h->missed = false;
}

enum lc_health_state lc_health_of(const struct lc_health *h, const struct lc_checks *k)
{
	if (!k->check && !k->watchdog)
		return HEALTH_NONE;
	if (unhealthy(h, k))
		return HEALTH_UNHEALTHY;
	if ((k->check && !h->passed) || (k->watchdog && !h->pinged))
		return HEALTH_CHECKING;
	return HEALTH_HEALTHY;
}

#define LC_NAME_H_(id, name, doc) [id] = name,
static const char *const health_names[] = { LC_HEALTHS(LC_NAME_H_) };
#undef LC_NAME_H_

const char *lc_health_name(enum lc_health_state s)
{
	return (unsigned)s < sizeof health_names / sizeof *health_names ? health_names[s] : "?";
}

enum lc_event lc_unhealthy_event(enum on_unhealthy policy)
{
	switch (policy) {
	case UNHEALTHY_STOP:
		return EV_UNHEALTHY_STOP;
	case UNHEALTHY_IGNORE:
		return EV_UNHEALTHY_IGNORE;
	case UNHEALTHY_RESTART:
		break;
	}
	return EV_UNHEALTHY_RESTART;
}

enum lc_event lc_hook_event(enum svc_state st, enum lc_goal g, bool ok)
{
	if (st == ST_PRE_START && !lc_wanted_up(g))
		return g == GOAL_FAIL ? EV_EXIT_DEP_FAILED : EV_EXIT_STOPPED;
	return ok ? EV_HOOK_OK : EV_HOOK_FAILED;
}

enum lc_event lc_ready_event(bool pre_start)
{
	return pre_start ? EV_DEPS_READY_PRE : EV_DEPS_READY;
}

enum lc_event lc_down_event(enum lc_goal g, bool held, bool shutting_down)
{
	if (held)
		return EV_HELD;
	if (g == GOAL_FAIL)
		return EV_FAIL_DUE;
	return shutting_down ? EV_SHUTDOWN_DUE : EV_STOP_DUE;
}

const char *svc_state_name(enum svc_state st)
{
	return (unsigned)st < LC_NSTATES ? state_names[st] : "?";
}

const char *lc_goal_name(enum lc_goal g)
{
	return (unsigned)g < LC_NGOALS ? goal_names[g] : "?";
}

const char *lc_event_name(enum lc_event ev)
{
	return (unsigned)ev < LC_NEVENTS ? event_names[ev] : "?";
}

const char *lc_action_name(enum lc_action a)
{
	return (unsigned)a < LC_NACTIONS ? action_names[a] : "?";
}

/* ---- doc/lifecycle.md ------------------------------------------------- */

static void dump_list(FILE *f, const char *what, const char *const *names,
		      const char *const *docs, int n)
{
	fprintf(f, "| %s | meaning |\n| --- | --- |\n", what);
	for (int i = 0; i < n; i++)
		fprintf(f, "| `%s` | %s |\n", names[i], docs[i]);
	fputc('\n', f);
}

static void dump_cell(FILE *f, enum svc_state st, const struct lc_cell *c)
{
	if (c->action == A_IGNORE || c->action == A_IMPOSSIBLE || c->next == st)
		fprintf(f, " %s", action_names[c->action]);
	else
		fprintf(f, " → **%s**, %s", state_names[c->next], action_names[c->action]);
	if (c->why)
		fprintf(f, " (\"%s\")", c->why);
	fputs(" |", f);
}

static void dump_dot(FILE *f)
{
	fputs("```dot\ndigraph lifecycle {\n\trankdir=LR;\n\tnode [shape=box, style=rounded];\n", f);
	for (int from = 0; from < LC_NSTATES; from++)
		for (int to = 0; to < LC_NSTATES; to++) {
			if (from == to)
				continue;
			const char *sep = "";
			for (int ev = 0; ev < LC_NEVENTS; ev++) {
				const struct lc_cell *c = &table[from][ev];
				if (c->next != to || c->action == A_IMPOSSIBLE)
					continue;
				if (!*sep)
					fprintf(f, "\t\"%s\" -> \"%s\" [label=\"", state_names[from],
						state_names[to]);
				fprintf(f, "%s%s", sep, event_names[ev]);
				sep = "\\n";
			}
			if (*sep)
				fputs("\"];\n", f);
		}
	fputs("}\n```\n", f);
}

void lc_dump(FILE *f)
{
	fputs("# The lifecycle of a service\n\n"
	      "Printed from the table in `src/lifecycle.c` by `make lifecycle-doc`;\n"
	      "`tests/unit/check_lifecycle.c` fails when this file and the table differ.\n\n"
	      "A service has a **state**, what it is doing (`musterctl status` shows it),\n"
	      "and a **goal**, what is wanted of it. Requests (start, stop, shutdown ...)\n"
	      "change the goal; the work queue then re-evaluates the service in the\n"
	      "dependency graph's order, and a *due* event carries the change out: a\n"
	      "stop waits until what waits for the service has stopped, a start until\n"
	      "what it depends on is ready. Facts about its process and its timers are\n"
	      "events too. For each state and event, the table names the next state\n"
	      "and the action; `ignore` means nothing happens, `impossible` that it\n"
	      "cannot happen (it is logged and ignored).\n\n", f);
	fputs("## States\n\n", f);
	dump_list(f, "state", state_names, state_docs, LC_NSTATES);
	fputs("## Goals\n\n", f);
	dump_list(f, "goal", goal_names, goal_docs, LC_NGOALS);
	fputs("## Events\n\n"
	      "An exit is one of the `exit-` events by its goal, its status, its type,\n"
	      "its restart policy and its start limit; a re-evaluation of a service\n"
	      "wanted up is `deps-ready` or `deps-failed` (or nothing: still waiting),\n"
	      "of one wanted down `held` or a `-due` event.\n\n", f);
	dump_list(f, "event", event_names, event_docs, LC_NEVENTS);
	fputs("## Actions\n\n", f);
	dump_list(f, "action", action_names + 1, action_docs + 1, LC_NACTIONS - 1);
	fputs("## The table\n\n"
	      "**state** marks a change of state; a reason in quotes is what the change\n"
	      "logs.\n\n| event |", f);
	for (int st = 0; st < LC_NSTATES; st++)
		fprintf(f, " %s |", state_names[st]);
	fputs("\n| --- |", f);
	for (int st = 0; st < LC_NSTATES; st++)
		fputs(" --- |", f);
	fputc('\n', f);
	for (int ev = 0; ev < LC_NEVENTS; ev++) {
		fprintf(f, "| `%s` |", event_names[ev]);
		for (int st = 0; st < LC_NSTATES; st++)
			dump_cell(f, (enum svc_state)st, &table[st][ev]);
		fputc('\n', f);
	}
	fputs("\n## Diagram\n\n"
	      "The state changes of the table (`dot -Tsvg`), each edge with its events.\n\n", f);
	dump_dot(f);
}
