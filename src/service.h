/* The lifecycle of services: the state machine, start and stop ordering by
 * the graph, restarts with backoff and start limits, and shutdown.
 *
 * A service has a state (enum svc_state: what `musterctl status` shows)
 * and a goal (enum lc_goal: up, or down and what then).  What it does on
 * each event in each state is the table in lifecycle.c, printed in
 * doc/lifecycle.md; service.c runs it.  Requests (sup_start() ...) change
 * goals; a work queue then re-evaluates services in the graph's order, so
 * that a service starts once what it `depends` on is ready or done (and
 * what it comes `after` has settled), and stops only once what depends on
 * it and is going down has stopped.
 *
 * This layer decides; it never forks, kills or reads a pipe itself.  Those
 * go through struct sys_ops (proc.c in the daemon, a fake in the unit
 * tests), and the daemon reports back what happened with sup_exec_result()
 * and sup_service_exited() (init.c's reaper finds the service with
 * sup_find_pid()).  Timers are libev timers on sup->loop.
 *
 * struct service and struct supervisor are written here only (notify.c
 * keeps its rate-limit fields, probe.c its probes); other files read them
 * and ask for changes through the functions below.
 */
#ifndef MUSTER_SERVICE_H
#define MUSTER_SERVICE_H

#include <ev.h>
#include <stdbool.h>
#include <sys/types.h>

#include "config.h"
#include "lifecycle.h"

struct service;
struct supervisor;

/* A service's hooks: at most one runs at a time. */
enum hook_kind { HOOK_NONE, HOOK_PRE_START, HOOK_POST_START, HOOK_STOP_COMMAND, HOOK_POST_STOP };

/* "pre-start" ... as the keys name them; "-" for HOOK_NONE. */
const char *hook_name(enum hook_kind k);

struct sys_ops {
	/* Start svc's process in its own session.  Returns the pid, with
	 * *exec_fd the read end of the exec-status pipe (or -1 when the
	 * result is known at once); -1 with errno when nothing was started. */
	pid_t (*spawn)(struct service *svc, int *exec_fd);
	/* Signal a whole process group; 0 or -1 with errno. */
	int (*kill_group)(pid_t pgid, int sig);
	/* Signal one process (a main process moved out of its group by
	 * MAINPID=); may be NULL. */
	int (*kill_pid)(pid_t pid, int sig);
	/* Start and stop svc's readiness probes (may be NULL). */
	void (*start_probe)(struct service *svc);
	void (*stop_probe)(struct service *svc);
	/* Start and stop svc's health checks and watchdog: started when it
	 * becomes ready, stopped (a running check cancelled at once) when it
	 * leaves ready (may be NULL). */
	void (*start_health)(struct service *svc);
	void (*stop_health)(struct service *svc);

	/* The service's cgroup (cgroup.c); each may be NULL: none.  Signal
	 * every process in it (SIGKILL: cgroup.kill): 0, or -1 when it has
	 * none (then its process group is signalled). */
	int (*kill_cgroup)(struct service *svc, int sig);
	/* 1 while a process is in it, 0 when empty, -1 when it has none. */
	int (*cgroup_populated)(struct service *svc);
	/* Its count of OOM kills (memory.events oom_kill). */
	unsigned long (*cgroup_oom_kills)(struct service *svc);
	/* It is empty and its exit delivered: remove it. */
	void (*cgroup_release)(struct service *svc);
	/* Start one of svc's hooks as svc's process would be started, in a
	 * session of its own, with the extra KEY=VALUE entries of env (may be
	 * NULL) last.  Returns the pid, with *exec_fd the read end of its
	 * exec-status pipe (or -1); -1 with errno when nothing was started.
	 * May be NULL: no hook runs (each fails at once). */
	pid_t (*spawn_hook)(struct service *svc, char *const *argv, char *const *env, int *exec_fd);
};

struct service {            /* read-only outside service.c: see the top */
	struct svc_conf *conf;
	struct supervisor *sup;
	size_t idx;

	enum svc_state state;
	enum lc_goal goal;      /* what is wanted of it */
	char *goal_why;         /* GOAL_FAIL: "dependency NAME failed" */
	pid_t pid;              /* main process; 0 when none */
	int exec_fd;            /* exec-status pipe, -1 when none */
	ev_io w_exec;
	unsigned char exec_buf[16]; /* what it said so far */
	size_t exec_len;
	char *reason;           /* why it last failed or stopped, or NULL */
	char *status_text;      /* the last STATUS= it sent, or NULL */
	pid_t pgid;             /* its process group (the first pid) */

	int status;             /* last wait status; -1: never exited */
	unsigned restarts;      /* automatic restarts since the last manual start */
	double delay;           /* the next restart delay */
	ev_tstamp *fail_times;  /* ring of the last start_limit_burst failure times */
	size_t fail_cap;        /* its size (it may be an older limit's after a reload) */
	unsigned nfail;

	ev_tstamp t_state;      /* when it entered its state */
	ev_tstamp t_waiting, t_starting, t_ready; /* of the last start */

	ev_timer w_stop_timer;    /* stop-timeout: then SIGKILL */
	ev_timer w_restart_timer; /* backoff delay */
	ev_timer w_ready_timer;   /* ready-timeout */
	struct probe *probe;      /* its readiness probes (probe.c) */
	struct probe *health_probe; /* its health check and watchdog, while ready */
	struct lc_health health;  /* the count of its checks since ready */

	size_t *waiters;        /* services that wait for this one */
	size_t nwaiters;

	/* With a cgroup, an exit counts once the main process was reaped and
	 * the cgroup is empty: until then the exit is held (draining), and
	 * stop-timeout ends what is left with cgroup.kill. */
	bool draining;
	unsigned long oom_seen; /* OOM kills counted so far */
	bool oom_killed;        /* one happened since its start */
	/* its hook, while one runs */
	enum hook_kind hook;    /* HOOK_NONE: none */
	pid_t hook_pid;         /* also its process group */
	int hook_exec_fd;       /* its exec-status pipe, -1 when none */
	bool hook_timed_out;    /* killed for running past its bound */
	ev_timer w_hook_timer;  /* its bound */

	ev_tstamp notify_warned;    /* the last warning about its notify messages */
	unsigned notify_suppressed; /* warnings held back since */
};

struct supervisor {
	struct ev_loop *loop;
	struct config *cfg;
	const struct sys_ops *ops;
	struct service **svcs;  /* in config order */
	size_t n;
	size_t nrunning;        /* services with a process */

	bool shutting_down;
	bool killing;           /* second signal or graceful-timeout passed: every stop is SIGKILL */
	int exit_status;        /* set by a critical service, else 0 */
	bool exit_status_set;
	ev_tstamp deadline;     /* of the graceful shutdown; 0: from sup_shutdown() */
	ev_timer w_graceful;

	size_t *queue;          /* services to re-evaluate */
	size_t qhead, qlen;
	unsigned char *queued;
	bool running_queue;
	bool down_notified;
	struct config *pending;  /* a reload waiting for services to stop */

	/* pid -> service for the reaper: open addressing of indices into svcs
	 * (+1; 0 is empty), filled at each new pid, checked at each lookup (a
	 * reload moves services: a stale entry is skipped), rebuilt at half
	 * full.  A stop of N services reaps N pids: a walk for each was
	 * quadratic. */
	size_t *pid_slot;
	size_t pid_cap, pid_used;

	/* called when every service is down after sup_shutdown() */
	void (*on_all_down)(struct supervisor *);
	/* called when a service changed state (may be NULL) */
	void (*on_state)(struct service *, enum svc_state old);
	/* a reload removed the service (called before it is freed) */
	void (*on_removed)(struct service *);
	/* called when every wanted service is ready or done (may be NULL) */
	void (*on_all_up)(struct supervisor *);
	/* SIGKILL goes to everything (graceful-timeout, second signal) */
	void (*on_killing)(struct supervisor *);
	/* a critical service ended: how to shut down (NULL: sup_shutdown) */
	void (*request_shutdown)(struct supervisor *, const char *why);
};

int sup_init(struct supervisor *sup, struct ev_loop *loop, struct config *cfg,
	     const struct sys_ops *ops);
void sup_free(struct supervisor *sup);

/* Want every service up, and start what can start. */
void sup_start_all(struct supervisor *sup);

/* Graceful shutdown: cancel pending work, stop in reverse order within
 * the graceful timeout (until sup->deadline when the caller set one). */
void sup_shutdown(struct supervisor *sup, const char *why);

/* Stop waiting: SIGKILL every process group still running. */
void sup_kill_all(struct supervisor *sup);

/* The exec-status pipe said: exec succeeded (msg NULL) or failed (msg). */
void sup_exec_result(struct service *svc, const char *msg);

/* svc says it is ready (READY=1, ready-fd, a probe passed). */
void sup_ready(struct service *svc, const char *how);

/* svc's health check passed or failed (why: its last output line, "HTTP
 * 503", "connection refused", "timed out after 5s"). */
void sup_check_result(struct service *svc, bool passed, const char *why);

/* svc sent WATCHDOG=1; its watchdog missed (no WATCHDOG=1 in time). */
void sup_watchdog_ping(struct service *svc);
void sup_watchdog_missed(struct service *svc);

/* What `musterctl status` shows as its HEALTH. */
enum lc_health_state sup_health(const struct service *svc);

/* svc's main process was reaped with this wait status. */
void sup_service_exited(struct service *svc, int status);

/* Something changed in svc's cgroup (cgroup.events, memory.events): an
 * OOM kill is reported, a held exit delivered once it is empty. */
void sup_cgroup_changed(struct service *svc);

/* A child was reaped.  Returns the service whose main process it was, or
 * NULL for any other process (an orphan). */
struct service *sup_child_exited(struct supervisor *sup, pid_t pid, int status);

/* One of svc's hooks ended with this wait status; msg: why it could not
 * run its program (the exec-status pipe), or NULL. */
void sup_hook_exited(struct service *svc, int status, const char *msg);

/* The command (words) of hook k in c, or NULL. */
char **sup_hook_argv(const struct svc_conf *c, enum hook_kind k);

/* The service whose hook is pid, or NULL. */
struct service *sup_find_hook(struct supervisor *sup, pid_t pid);

/* The service whose main process is pid, or NULL. */
struct service *sup_find_pid(struct supervisor *sup, pid_t pid);

/* svc's main process is now pid (a MAINPID= that notify.c validated). */
void sup_set_main_pid(struct service *svc, pid_t pid);

/* The STATUS= text svc sent last (copied; NULL clears it). */
void sup_set_status_text(struct service *svc, const char *text);

/* Wanted up, now or once it is down (a restart or a reload under way). */
bool sup_is_wanted(const struct service *svc);

/* true when no service has a process (all stopped, failed, done, waiting). */
bool sup_all_down(const struct supervisor *sup);

/* Number of services that have a process. */
size_t sup_running(const struct supervisor *sup);

/* ---- operations (the control socket) --------------------------------
 * Each returns 0, or -1 with a one-line reason in err[len]. */

struct service *sup_find(struct supervisor *sup, const char *name);

/* Want svc up, with everything it `depends` on (transitively); a done
 * oneshot runs again; start limits and backoff start over. */
int sup_start(struct supervisor *sup, struct service *svc, char *err, size_t len);

/* Want svc down, and first everything that `depends` on it; it stays down
 * (no automatic restart) until started again. */
int sup_stop(struct supervisor *sup, struct service *svc, char *err, size_t len);

/* Stop svc (its dependents keep running) and start it again. */
int sup_restart(struct supervisor *sup, struct service *svc, char *err, size_t len);

/* Send sig to svc's process group (and its main process, when MAINPID=
 * moved it out); an error when it has no main process. */
int sup_signal(struct supervisor *sup, struct service *svc, int sig, char *err, size_t len);

/* Send svc's reload-signal to its main process; an error without one. */
int sup_reload_one(struct supervisor *sup, struct service *svc, char *err, size_t len);

/* Apply a new, valid config (ownership passes): removed and changed
 * services stop (in the old graph's order), then added and changed ones
 * start (in the new graph's order); unchanged ones are not touched.  The
 * report, one line per service ("NAME: added" ...), is malloc'd into
 * *report.  Fails when a reload is in progress or shutting down. */
int sup_reload(struct supervisor *sup, struct config *cfg, char **report, char *err, size_t len);

/* Format a wait status: "status 3", "signal 9". */
const char *wait_status_str(int status, char *buf, size_t len);

/* The exit status a command-line user sees for a wait status (128+N). */
int wait_status_code(int status);

#endif
