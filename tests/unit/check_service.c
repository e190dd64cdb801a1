/* Unit tests for src/service.c: the lifecycle state machine, driven
 * through a fake struct sys_ops (nothing is forked or killed) on a private
 * libev loop.  The test plays the daemon: it reports exec results with
 * sup_exec_result() and exits with sup_child_exited(). */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "service.h"

/* ---- the fake system ------------------------------------------------- */

enum ev_kind { E_SPAWN, E_KILL, E_EXIT };

struct event {
	enum ev_kind kind;
	char name[64];
	pid_t pid;
	int sig;
};

#define MAX_EVENTS 4096
static struct event events[MAX_EVENTS];
static size_t nevents;

#define MAX_PIDS 1024
static struct {
	pid_t pid;
	char name[64];
} pids[MAX_PIDS];
static size_t npids;
static pid_t next_pid = 1000;

/* spawn of a service named here fails with ENOENT */
static const char *spawn_fails;

static void record(enum ev_kind kind, const char *name, pid_t pid, int sig)
{
	ck_assert_uint_lt(nevents, MAX_EVENTS);
	struct event *e = &events[nevents++];
	e->kind = kind;
	snprintf(e->name, sizeof e->name, "%s", name);
	e->pid = pid;
	e->sig = sig;
}

static const char *pid_name(pid_t pid)
{
	for (size_t i = 0; i < npids; i++)
		if (pids[i].pid == pid)
			return pids[i].name;
	return "?";
}

static pid_t fake_spawn(struct service *svc, int *exec_fd)
{
	*exec_fd = -1;
	if (spawn_fails && !strcmp(spawn_fails, svc->conf->name)) {
		errno = ENOENT;
		return -1;
	}
	pid_t pid = next_pid++;
	ck_assert_uint_lt(npids, MAX_PIDS);
	pids[npids].pid = pid;
	snprintf(pids[npids].name, sizeof pids[npids].name, "%s", svc->conf->name);
	npids++;
	record(E_SPAWN, svc->conf->name, pid, 0);
	return pid;
}

static int fake_kill(pid_t pgid, int sig)
{
	record(E_KILL, pid_name(pgid), pgid, sig);
	return 0;
}

static const struct sys_ops fake_ops = {
	.spawn = fake_spawn,
	.kill_group = fake_kill,
};

/* The same with a cgroup per service: signals to it are recorded as
 * kills of pid 0; whether it is populated and its OOM kills are set by
 * the test. */
static int cg_populated;
static unsigned long cg_oom;
static unsigned cg_released;

static int fake_kill_cgroup(struct service *svc, int sig)
{
	record(E_KILL, svc->conf->name, 0, sig);
	return 0;
}

static int fake_populated(struct service *svc)
{
	(void)svc;
	return cg_populated;
}

static unsigned long fake_oom(struct service *svc)
{
	(void)svc;
	return cg_oom;
}

static void fake_release(struct service *svc)
{
	(void)svc;
	cg_released++;
}

static const struct sys_ops fake_cgroup_ops = {
	.spawn = fake_spawn,
	.kill_group = fake_kill,
	.kill_cgroup = fake_kill_cgroup,
	.cgroup_populated = fake_populated,
	.cgroup_oom_kills = fake_oom,
	.cgroup_release = fake_release,
};
static const struct sys_ops *ops_in_use = &fake_ops;

/* ---- the fixture ----------------------------------------------------- */

static struct ev_loop *loop;
static struct config *cfg;
static struct supervisor sup;
static int all_down_calls, all_up_calls;

static void on_all_down(struct supervisor *s)
{
	ck_assert_ptr_eq(s, &sup);
	all_down_calls++;
}

static void on_all_up(struct supervisor *s)
{
	ck_assert_ptr_eq(s, &sup);
	all_up_calls++;
}

static void quiet(enum log_level level, const char *line, size_t len)
{
	(void)line, (void)len;
}

static struct config *load_text(const char *text)
{
	char path[] = "/tmp/muster-check-service-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	size_t len = strlen(text);
	ck_assert_int_eq(write(fd, text, len), (ssize_t)len);
	close(fd);
	struct errlist errs = { 0 };
	struct config *c = config_load(path, &errs);
	unlink(path);
	ck_assert_msg(c != NULL, "config: %s", errs.n ? errs.msgs[0] : "?");
	errlist_free(&errs);
	return c;
}

/* Load the config text and set up a supervisor on a new loop. */
static void setup(const char *text)
{
	cfg = load_text(text);

	nevents = npids = 0;
	spawn_fails = NULL;
	all_down_calls = all_up_calls = 0;
	loop = ev_loop_new(0);
	ck_assert_ptr_nonnull(loop);
	ck_assert_int_eq(sup_init(&sup, loop, cfg, ops_in_use), 0);
	sup.on_all_down = on_all_down;
	sup.on_all_up = on_all_up;
}

static void teardown(void)
{
	sup_free(&sup);
	config_free(cfg);
	ev_loop_destroy(loop);
	cfg = NULL;
	loop = NULL;
	ops_in_use = &fake_ops;
}

static struct service *S(const char *name)
{
	struct service *s = sup_find(&sup, name);
	ck_assert_msg(s != NULL, "no service %s", name);
	return s;
}

#define ck_assert_state(name, st)                                                       \
	ck_assert_msg(S(name)->state == (st), "%s is %s, expected %s", (name),              \
		      svc_state_name(S(name)->state), svc_state_name(st))

/* Index of the first event from index `from` matching kind, name and (for
 * kills, when sig > 0) signal; -1 when none. */
static long find_event(size_t from, enum ev_kind kind, const char *name, int sig)
{
	for (size_t i = from; i < nevents; i++)
		if (events[i].kind == kind && !strcmp(events[i].name, name) &&
		    (kind != E_KILL || sig <= 0 || events[i].sig == sig))
			return (long)i;
	return -1;
}

static size_t count_events(enum ev_kind kind, const char *name, int sig)
{
	size_t n = 0;
	for (size_t i = 0; i < nevents; i++)
		if (events[i].kind == kind && !strcmp(events[i].name, name) &&
		    (kind != E_KILL || sig <= 0 || events[i].sig == sig))
			n++;
	return n;
}

#define spawns(name) count_events(E_SPAWN, (name), 0)
#define kills(name, sig) count_events(E_KILL, (name), (sig))

/* The daemon's side: exec succeeded. */
static void exec_ok(const char *name)
{
	struct service *s = S(name);
	ck_assert_msg(s->pid > 0, "%s has no process to report on", name);
	sup_exec_result(s, NULL);
}

/* The daemon's side: the main process of name was reaped with status. */
static void reap(const char *name, int status)
{
	struct service *s = S(name);
	pid_t pid = s->pid;
	ck_assert_msg(pid > 0, "%s (%s) has no process to reap", name, svc_state_name(s->state));
	record(E_EXIT, name, pid, 0);
	ck_assert_ptr_eq(sup_child_exited(&sup, pid, status), s);
	ck_assert_int_eq(s->pid, 0);
	ck_assert_int_eq(s->status, status);
}

#define EXIT_CODE(c) ((c) << 8)
#define KILLED_BY(sig) (sig)

/* Run the loop one event at a time until cond holds, at most n times. */
#define RUN_UNTIL(cond, n)                                                              \
	do {                                                                            \
		for (int run_i_ = 0; !(cond) && run_i_ < (n); run_i_++)                 \
			ev_run(loop, EVRUN_ONCE);                                       \
		ck_assert_msg((cond), "still not true after running the loop: %s", #cond); \
	} while (0)

/* ---- helpers' own sanity --------------------------------------------- */

START_TEST(test_wait_status_helpers)
{
	char buf[32];
	ck_assert_str_eq(wait_status_str(EXIT_CODE(0), buf, sizeof buf), "status 0");
	ck_assert_str_eq(wait_status_str(EXIT_CODE(3), buf, sizeof buf), "status 3");
	ck_assert_str_eq(wait_status_str(KILLED_BY(SIGKILL), buf, sizeof buf), "signal 9");
	ck_assert_int_eq(wait_status_code(EXIT_CODE(0)), 0);
	ck_assert_int_eq(wait_status_code(EXIT_CODE(42)), 42);
	ck_assert_int_eq(wait_status_code(KILLED_BY(SIGTERM)), 143);
	ck_assert_int_eq(wait_status_code(KILLED_BY(SIGKILL)), 137);
	ck_assert_str_eq(svc_state_name(ST_WAITING), "waiting");
	ck_assert_str_eq(svc_state_name(ST_BACKOFF), "backoff");
	ck_assert_str_eq(svc_state_name(ST_DONE), "done");
	ck_assert_str_eq(svc_state_name(ST_FAILED), "failed");
}
END_TEST

/* ---- starting -------------------------------------------------------- */

START_TEST(test_start_order)
{
	setup("[service a]\ncommand = /bin/a\ndepends = b\n"
	      "[service b]\ncommand = /bin/b\n"
	      "[service c]\ncommand = /bin/c\n");
	sup_start_all(&sup);
	/* b and c start at once, in parallel; a waits for b */
	ck_assert_uint_eq(spawns("b"), 1);
	ck_assert_uint_eq(spawns("c"), 1);
	ck_assert_uint_eq(spawns("a"), 0);
	ck_assert_state("a", ST_WAITING);
	ck_assert_state("b", ST_STARTING);
	ck_assert_ptr_eq(sup_find_pid(&sup, S("b")->pid), S("b"));

	/* c being ready does not release a */
	exec_ok("c");
	ck_assert_state("c", ST_READY);
	ck_assert_uint_eq(spawns("a"), 0);
	ck_assert_int_eq(all_up_calls, 0);

	exec_ok("b");
	ck_assert_state("b", ST_READY);
	ck_assert_uint_eq(spawns("a"), 1);
	ck_assert_state("a", ST_STARTING);
	ck_assert_int_gt(find_event(0, E_SPAWN, "a", 0), find_event(0, E_SPAWN, "b", 0));

	exec_ok("a");
	ck_assert_state("a", ST_READY);
	ck_assert_int_eq(all_up_calls, 1);
	ck_assert_uint_eq(sup_running(&sup), 3);
	ck_assert(!sup_all_down(&sup));
	/* no signal was sent to anyone */
	for (size_t i = 0; i < nevents; i++)
		ck_assert_int_ne(events[i].kind, E_KILL);
	teardown();
}
END_TEST

START_TEST(test_notify_ready)
{
	setup("[service n]\ncommand = /bin/n\ntype = notify\n"
	      "[service w]\ncommand = /bin/w\ndepends = n\n");
	sup_start_all(&sup);
	ck_assert_state("n", ST_STARTING);
	/* a notify service is not ready when exec succeeds */
	exec_ok("n");
	ck_assert_state("n", ST_STARTING);
	ck_assert_uint_eq(spawns("w"), 0);
	sup_ready(S("n"), "READY=1");
	ck_assert_state("n", ST_READY);
	ck_assert_uint_eq(spawns("w"), 1);
	teardown();
}
END_TEST

START_TEST(test_ready_timeout)
{
	setup("[service n]\ncommand = /bin/n\ntype = notify\nready-timeout = 10ms\n"
	      "restart = no\n");
	sup_start_all(&sup);
	exec_ok("n");
	RUN_UNTIL(kills("n", SIGTERM) == 1, 50);
	ck_assert_state("n", ST_STOPPING);
	reap("n", KILLED_BY(SIGTERM));
	ck_assert_state("n", ST_FAILED);
	ck_assert_ptr_nonnull(S("n")->reason);
	ck_assert_str_eq(S("n")->reason, "not ready within 0.01s");
	teardown();
}
END_TEST

START_TEST(test_oneshot_done_unblocks)
{
	setup("[service migrate]\ncommand = /bin/migrate\ntype = oneshot\n"
	      "[service web]\ncommand = /bin/web\ndepends = migrate\n");
	sup_start_all(&sup);
	ck_assert_uint_eq(spawns("migrate"), 1);
	/* a oneshot is not ready when its exec succeeds, only when it exits 0 */
	exec_ok("migrate");
	ck_assert_state("migrate", ST_STARTING);
	ck_assert_uint_eq(spawns("web"), 0);
	reap("migrate", EXIT_CODE(0));
	ck_assert_state("migrate", ST_DONE);
	ck_assert_uint_eq(spawns("web"), 1);
	ck_assert_int_gt(find_event(0, E_SPAWN, "web", 0), find_event(0, E_EXIT, "migrate", 0));
	exec_ok("web");
	ck_assert_int_eq(all_up_calls, 1);
	/* a done oneshot is not running and is not restarted */
	ck_assert_uint_eq(sup_running(&sup), 1);
	ev_run(loop, EVRUN_NOWAIT);
	ck_assert_uint_eq(spawns("migrate"), 1);
	teardown();
}
END_TEST

START_TEST(test_oneshot_failure_fails_dependents)
{
	setup("[service migrate]\ncommand = /bin/migrate\ntype = oneshot\nrestart = no\n"
	      "[service web]\ncommand = /bin/web\ndepends = migrate\n"
	      "[service report]\ncommand = /bin/report\ndepends = web\n"
	      "[service other]\ncommand = /bin/other\n");
	sup_start_all(&sup);
	exec_ok("other");
	reap("migrate", EXIT_CODE(2));
	ck_assert_state("migrate", ST_FAILED);
	ck_assert_str_eq(S("migrate")->reason, "exited with status 2");
	ck_assert_state("web", ST_FAILED);
	ck_assert_str_eq(S("web")->reason, "dependency migrate failed");
	ck_assert_state("report", ST_FAILED);
	ck_assert_str_eq(S("report")->reason, "dependency web failed");
	ck_assert_uint_eq(spawns("web"), 0);
	ck_assert_uint_eq(spawns("report"), 0);
	/* an unrelated service is not touched */
	ck_assert_state("other", ST_READY);
	ck_assert_uint_eq(kills("other", 0), 0);
	ck_assert(!sup.shutting_down);
	teardown();
}
END_TEST

START_TEST(test_after_proceeds_on_failure)
{
	setup("[service b]\ncommand = /bin/b\nrestart = no\n"
	      "[service a]\ncommand = /bin/a\nafter = b\n");
	sup_start_all(&sup);
	/* `after` waits for b to settle ... */
	ck_assert_uint_eq(spawns("a"), 0);
	ck_assert_state("a", ST_WAITING);
	/* ... and starts regardless of how */
	reap("b", EXIT_CODE(1));
	ck_assert_state("b", ST_FAILED);
	ck_assert_uint_eq(spawns("a"), 1);
	ck_assert_state("a", ST_STARTING);
	exec_ok("a");
	ck_assert_state("a", ST_READY);
	teardown();
}
END_TEST

START_TEST(test_after_waits_for_ready)
{
	setup("[service b]\ncommand = /bin/b\n"
	      "[service a]\ncommand = /bin/a\nafter = b\n");
	sup_start_all(&sup);
	ck_assert_uint_eq(spawns("a"), 0);
	exec_ok("b");
	ck_assert_uint_eq(spawns("a"), 1);
	teardown();
}
END_TEST

START_TEST(test_spawn_failure)
{
	setup("[service missing]\ncommand = /nonexistent\nrestart = no\n"
	      "[service dep]\ncommand = /bin/dep\ndepends = missing\n");
	spawn_fails = "missing";
	sup_start_all(&sup);
	ck_assert_state("missing", ST_FAILED);
	ck_assert_str_eq(S("missing")->reason, "cannot start: No such file or directory");
	ck_assert_int_eq(S("missing")->status, EXIT_CODE(127));
	ck_assert_state("dep", ST_FAILED);
	ck_assert_str_eq(S("dep")->reason, "dependency missing failed");
	ck_assert_uint_eq(spawns("dep"), 0);
	teardown();
}
END_TEST

START_TEST(test_exec_failure_reason)
{
	setup("[service web]\ncommand = /app/bin/server\nrestart = no\n");
	sup_start_all(&sup);
	sup_exec_result(S("web"), "cannot exec /app/bin/server: No such file or directory");
	ck_assert_state("web", ST_STARTING);
	reap("web", EXIT_CODE(127));
	ck_assert_state("web", ST_FAILED);
	ck_assert_str_eq(S("web")->reason, "cannot exec /app/bin/server: No such file or directory");
	teardown();
}
END_TEST

/* ---- exits and restarts ---------------------------------------------- */

START_TEST(test_restart_no)
{
	setup("[service bad]\ncommand = x\nrestart = no\n"
	      "[service good]\ncommand = x\nrestart = no\n"
	      "[service killed]\ncommand = x\nrestart = no\n"
	      "[service clean]\ncommand = x\n");
	sup_start_all(&sup);
	exec_ok("bad");
	exec_ok("good");
	exec_ok("killed");
	exec_ok("clean");
	reap("bad", EXIT_CODE(3));
	ck_assert_state("bad", ST_FAILED);
	ck_assert_str_eq(S("bad")->reason, "exited with status 3");
	reap("good", EXIT_CODE(0));
	ck_assert_state("good", ST_STOPPED);
	reap("killed", KILLED_BY(SIGKILL));
	ck_assert_state("killed", ST_FAILED);
	ck_assert_str_eq(S("killed")->reason, "exited with signal 9");
	/* on-failure (the default) and exit 0: stopped, not restarted */
	reap("clean", EXIT_CODE(0));
	ck_assert_state("clean", ST_STOPPED);
	/* nothing comes back */
	ev_run(loop, EVRUN_NOWAIT);
	ck_assert_uint_eq(spawns("bad"), 1);
	ck_assert_uint_eq(spawns("good"), 1);
	ck_assert_uint_eq(spawns("killed"), 1);
	ck_assert_uint_eq(spawns("clean"), 1);
	ck_assert(!sup.shutting_down);
	teardown();
}
END_TEST

START_TEST(test_restart_on_failure_backoff)
{
	setup("[service a]\ncommand = /bin/a\nrestart-delay = 10ms\nrestart-delay-max = 40ms\n"
	      "[service w]\ncommand = /bin/w\ndepends = a\n");
	sup_start_all(&sup);
	ck_assert_uint_eq(spawns("w"), 0);
	reap("a", EXIT_CODE(1));
	ck_assert_state("a", ST_BACKOFF);
	ck_assert_str_eq(S("a")->reason ? S("a")->reason : "(null)", "(null)");
	/* the next delay doubles */
	ck_assert_double_eq_tol(S("a")->delay, 0.02, 1e-9);
	/* what waits for it keeps waiting */
	ck_assert_state("w", ST_WAITING);

	ev_now_update(loop);
	ev_tstamp t0 = ev_now(loop);
	RUN_UNTIL(spawns("a") == 2, 50);
	ck_assert_double_ge(ev_now(loop) - t0, 0.009);
	ck_assert_state("a", ST_STARTING);
	ck_assert_uint_eq(S("a")->restarts, 1);

	/* killed by a signal is a failure too */
	reap("a", KILLED_BY(SIGSEGV));
	ck_assert_state("a", ST_BACKOFF);
	ck_assert_double_eq_tol(S("a")->delay, 0.04, 1e-9);
	RUN_UNTIL(spawns("a") == 3, 50);
	reap("a", EXIT_CODE(1));
	/* capped at restart-delay-max */
	ck_assert_double_eq_tol(S("a")->delay, 0.04, 1e-9);
	RUN_UNTIL(spawns("a") == 4, 50);
	exec_ok("a");
	ck_assert_state("a", ST_READY);
	ck_assert_uint_eq(spawns("w"), 1);
	ck_assert_uint_eq(S("a")->restarts, 3);
	teardown();
}
END_TEST

START_TEST(test_restart_always_after_clean_exit)
{
	setup("[service a]\ncommand = /bin/a\nrestart = always\nrestart-delay = 5ms\n");
	sup_start_all(&sup);
	exec_ok("a");
	reap("a", EXIT_CODE(0));
	ck_assert_state("a", ST_BACKOFF);
	RUN_UNTIL(spawns("a") == 2, 50);
	ck_assert_state("a", ST_STARTING);
	teardown();
}
END_TEST

START_TEST(test_dependent_survives_restart_of_dependency)
{
	setup("[service db]\ncommand = /bin/db\nrestart-delay = 5ms\n"
	      "[service web]\ncommand = /bin/web\ndepends = db\n");
	sup_start_all(&sup);
	exec_ok("db");
	exec_ok("web");
	reap("db", EXIT_CODE(1));
	ck_assert_state("db", ST_BACKOFF);
	/* a crash with a restart coming leaves the dependents running */
	ck_assert_state("web", ST_READY);
	ck_assert_uint_eq(kills("web", 0), 0);
	RUN_UNTIL(spawns("db") == 2, 50);
	exec_ok("db");
	ck_assert_state("db", ST_READY);
	ck_assert_state("web", ST_READY);
	ck_assert_uint_eq(spawns("web"), 1);
	teardown();
}
END_TEST

START_TEST(test_dependency_failing_for_good_stops_dependents)
{
	setup("[service db]\ncommand = /bin/db\nrestart = no\n"
	      "[service web]\ncommand = /bin/web\ndepends = db\n");
	sup_start_all(&sup);
	exec_ok("db");
	exec_ok("web");
	reap("db", EXIT_CODE(1));
	ck_assert_state("db", ST_FAILED);
	/* web is stopped, and ends as failed with the reason */
	ck_assert_uint_eq(kills("web", SIGTERM), 1);
	ck_assert_state("web", ST_STOPPING);
	reap("web", KILLED_BY(SIGTERM));
	ck_assert_state("web", ST_FAILED);
	ck_assert_str_eq(S("web")->reason, "dependency db failed");
	ck_assert_uint_eq(spawns("web"), 1);
	teardown();
}
END_TEST

START_TEST(test_start_limit)
{
	setup("[service a]\ncommand = /bin/a\nstart-limit = 2 in 60s\nrestart-delay = 1ms\n"
	      "[service w]\ncommand = /bin/w\ndepends = a\n");
	sup_start_all(&sup);
	reap("a", EXIT_CODE(1));
	ck_assert_state("a", ST_BACKOFF);
	RUN_UNTIL(spawns("a") == 2, 50);
	reap("a", EXIT_CODE(1));
	ck_assert_state("a", ST_BACKOFF);
	RUN_UNTIL(spawns("a") == 3, 50);
	/* the third failure within 60s is more than 2 */
	reap("a", EXIT_CODE(1));
	ck_assert_state("a", ST_FAILED);
	ck_assert_str_eq(S("a")->reason, "start limit hit: more than 2 failures in 60s (last: status 1)");
	ck_assert_state("w", ST_FAILED);
	ck_assert_str_eq(S("w")->reason, "dependency a failed");
	/* for good: no timer brings it back */
	ck_assert(!ev_is_active(&S("a")->w_restart_timer));
	ev_run(loop, EVRUN_NOWAIT);
	ck_assert_uint_eq(spawns("a"), 3);
	ck_assert_uint_eq(spawns("w"), 0);
	teardown();
}
END_TEST

START_TEST(test_start_limit_none)
{
	setup("[service a]\ncommand = /bin/a\nstart-limit = none\nrestart-delay = 1ms\n"
	      "restart-delay-max = 1ms\n");
	sup_start_all(&sup);
	for (int i = 1; i <= 8; i++) {
		reap("a", EXIT_CODE(1));
		ck_assert_state("a", ST_BACKOFF);
		RUN_UNTIL(spawns("a") == (size_t)i + 1, 50);
	}
	ck_assert_state("a", ST_STARTING);
	teardown();
}
END_TEST

START_TEST(test_start_limit_window)
{
	/* 1 failure allowed in 20ms; failures 30ms apart never hit it */
	setup("[service a]\ncommand = /bin/a\nstart-limit = 1 in 20ms\nrestart-delay = 30ms\n"
	      "restart-delay-max = 30ms\n");
	sup_start_all(&sup);
	for (int i = 1; i <= 3; i++) {
		reap("a", EXIT_CODE(1));
		ck_assert_state("a", ST_BACKOFF);
		RUN_UNTIL(spawns("a") == (size_t)i + 1, 50);
	}
	teardown();
	/* two failures within the window: more than 1 */
	setup("[service a]\ncommand = /bin/a\nstart-limit = 1 in 10s\nrestart-delay = 1ms\n");
	sup_start_all(&sup);
	reap("a", EXIT_CODE(1));
	RUN_UNTIL(spawns("a") == 2, 50);
	reap("a", EXIT_CODE(1));
	ck_assert_state("a", ST_FAILED);
	teardown();
}
END_TEST

START_TEST(test_backoff_resets_after_long_ready)
{
	setup("[service a]\ncommand = /bin/a\nrestart-delay = 5ms\nrestart-delay-max = 20ms\n");
	sup_start_all(&sup);
	reap("a", EXIT_CODE(1));                 /* waits 5ms, next 10ms */
	ck_assert_double_eq_tol(S("a")->delay, 0.01, 1e-9);
	RUN_UNTIL(spawns("a") == 2, 50);
	reap("a", EXIT_CODE(1));                 /* waits 10ms, next 20ms */
	ck_assert_double_eq_tol(S("a")->delay, 0.02, 1e-9);
	RUN_UNTIL(spawns("a") == 3, 50);
	exec_ok("a");
	ck_assert_state("a", ST_READY);
	/* ready for longer than restart-delay-max: the backoff starts over */
	usleep(30 * 1000);
	ev_now_update(loop);
	reap("a", EXIT_CODE(1));                 /* waits 5ms again, next 10ms */
	ck_assert_state("a", ST_BACKOFF);
	ck_assert_double_eq_tol(S("a")->delay, 0.01, 1e-9);
	teardown();
}
END_TEST

/* ---- critical services ----------------------------------------------- */

static int request_calls;
static char request_why[128];

static void request_shutdown(struct supervisor *s, const char *why)
{
	request_calls++;
	snprintf(request_why, sizeof request_why, "%s", why);
	sup_shutdown(s, why);
}

START_TEST(test_critical_exit_starts_shutdown)
{
	setup("[service crit]\ncommand = /bin/crit\ncritical = yes\nrestart = no\n"
	      "[service other]\ncommand = /bin/other\n");
	request_calls = 0;
	sup.request_shutdown = request_shutdown;
	sup_start_all(&sup);
	exec_ok("crit");
	exec_ok("other");
	reap("crit", EXIT_CODE(3));
	ck_assert_state("crit", ST_FAILED);
	ck_assert(sup.exit_status_set);
	ck_assert_int_eq(sup.exit_status, 3);
	ck_assert_int_eq(request_calls, 1);
	ck_assert_str_eq(request_why, "critical service crit ended");
	ck_assert(sup.shutting_down);
	ck_assert_uint_eq(kills("other", SIGTERM), 1);
	reap("other", KILLED_BY(SIGTERM));
	ck_assert(sup_all_down(&sup));
	ck_assert_int_eq(all_down_calls, 1);
	/* the status stays the critical service's */
	ck_assert_int_eq(sup.exit_status, 3);
	teardown();
}
END_TEST

START_TEST(test_critical_killed_by_signal)
{
	setup("[service crit]\ncommand = /bin/crit\ncritical = yes\nrestart = no\n");
	sup_start_all(&sup);
	exec_ok("crit");
	reap("crit", KILLED_BY(SIGKILL));
	ck_assert(sup.exit_status_set);
	ck_assert_int_eq(sup.exit_status, 137);
	ck_assert(sup.shutting_down);
	teardown();
}
END_TEST

START_TEST(test_critical_clean_exit)
{
	setup("[service crit]\ncommand = /bin/crit\ncritical = yes\nrestart = no\n"
	      "[service other]\ncommand = /bin/other\n");
	sup_start_all(&sup);
	exec_ok("crit");
	exec_ok("other");
	reap("crit", EXIT_CODE(0));
	ck_assert_state("crit", ST_STOPPED);
	ck_assert(sup.exit_status_set);
	ck_assert_int_eq(sup.exit_status, 0);
	ck_assert(sup.shutting_down);
	ck_assert_uint_eq(kills("other", SIGTERM), 1);
	teardown();
}
END_TEST

START_TEST(test_critical_start_limit)
{
	setup("[service crit]\ncommand = /bin/crit\ncritical = yes\nstart-limit = 1 in 60s\n"
	      "restart-delay = 1ms\n");
	sup_start_all(&sup);
	reap("crit", EXIT_CODE(4));
	ck_assert_state("crit", ST_BACKOFF);
	ck_assert(!sup.shutting_down);
	RUN_UNTIL(spawns("crit") == 2, 50);
	reap("crit", EXIT_CODE(5));
	ck_assert_state("crit", ST_FAILED);
	ck_assert(sup.shutting_down);
	ck_assert_int_eq(sup.exit_status, 5);
	teardown();
}
END_TEST

START_TEST(test_critical_restarting_does_not_end_run)
{
	setup("[service crit]\ncommand = /bin/crit\ncritical = yes\nrestart-delay = 1ms\n");
	sup_start_all(&sup);
	exec_ok("crit");
	reap("crit", EXIT_CODE(1));
	ck_assert_state("crit", ST_BACKOFF);
	ck_assert(!sup.shutting_down);
	ck_assert(!sup.exit_status_set);
	teardown();
}
END_TEST

START_TEST(test_critical_failed_dependency)
{
	setup("[service db]\ncommand = /bin/db\nrestart = no\n"
	      "[service web]\ncommand = /bin/web\ndepends = db\ncritical = yes\n");
	sup_start_all(&sup);
	reap("db", EXIT_CODE(2));
	ck_assert_state("web", ST_FAILED);
	/* a critical service failed for good: the run ends */
	ck_assert(sup.shutting_down);
	ck_assert(sup.exit_status_set);
	ck_assert_int_ne(sup.exit_status, 0);
	teardown();
}
END_TEST

/* ---- shutdown -------------------------------------------------------- */

START_TEST(test_shutdown_stop_order)
{
	setup("[service b]\ncommand = /bin/b\nstop-signal = SIGINT\n"
	      "[service a]\ncommand = /bin/a\ndepends = b\n"
	      "[service lone]\ncommand = /bin/lone\nstop-signal = QUIT\n");
	sup_start_all(&sup);
	exec_ok("b");
	exec_ok("a");
	exec_ok("lone");
	size_t mark = nevents;
	sup_shutdown(&sup, "test");
	ck_assert(sup.shutting_down);
	/* the dependent and the unrelated one are signalled at once */
	ck_assert_int_ge(find_event(mark, E_KILL, "a", SIGTERM), 0);
	ck_assert_int_ge(find_event(mark, E_KILL, "lone", SIGQUIT), 0);
	ck_assert_state("a", ST_STOPPING);
	/* the dependency is not, while its dependent runs */
	ck_assert_uint_eq(kills("b", 0), 0);
	ck_assert_state("b", ST_READY);
	ck_assert_int_eq(all_down_calls, 0);

	reap("lone", KILLED_BY(SIGQUIT));
	ck_assert_uint_eq(kills("b", 0), 0);

	reap("a", KILLED_BY(SIGTERM));
	ck_assert_state("a", ST_STOPPED);
	long exit_a = find_event(0, E_EXIT, "a", 0);
	long kill_b = find_event(0, E_KILL, "b", SIGINT);
	ck_assert_int_ge(kill_b, 0);
	ck_assert_int_gt(kill_b, exit_a);
	/* every signal to b is its stop-signal (and SIGCONT to wake it) */
	for (size_t i = 0; i < nevents; i++)
		if (events[i].kind == E_KILL && !strcmp(events[i].name, "b"))
			ck_assert(events[i].sig == SIGINT || events[i].sig == SIGCONT);
	ck_assert_state("b", ST_STOPPING);
	ck_assert_int_eq(all_down_calls, 0);

	reap("b", EXIT_CODE(0));
	ck_assert_state("b", ST_STOPPED);
	ck_assert(sup_all_down(&sup));
	ck_assert_int_eq(all_down_calls, 1);
	ck_assert(!sup.exit_status_set);
	/* nothing restarts during or after a shutdown */
	ck_assert_uint_eq(spawns("a"), 1);
	ck_assert_uint_eq(spawns("b"), 1);
	teardown();
}
END_TEST

START_TEST(test_shutdown_chain_order)
{
	/* c depends on b depends on a: stops c, then b, then a */
	setup("[service a]\ncommand = /bin/a\n"
	      "[service b]\ncommand = /bin/b\ndepends = a\n"
	      "[service c]\ncommand = /bin/c\ndepends = b\n");
	sup_start_all(&sup);
	exec_ok("a");
	exec_ok("b");
	exec_ok("c");
	sup_shutdown(&sup, "test");
	ck_assert_uint_eq(kills("c", SIGTERM), 1);
	ck_assert_uint_eq(kills("b", 0), 0);
	ck_assert_uint_eq(kills("a", 0), 0);
	reap("c", KILLED_BY(SIGTERM));
	ck_assert_uint_eq(kills("b", SIGTERM), 1);
	ck_assert_uint_eq(kills("a", 0), 0);
	reap("b", KILLED_BY(SIGTERM));
	ck_assert_uint_eq(kills("a", SIGTERM), 1);
	reap("a", KILLED_BY(SIGTERM));
	ck_assert_int_eq(all_down_calls, 1);
	teardown();
}
END_TEST

START_TEST(test_shutdown_done_oneshot_keeps_order)
{
	setup("[service db]\ncommand = /bin/db\n"
	      "[service migrate]\ncommand = /bin/migrate\ntype = oneshot\ndepends = db\n"
	      "[service web]\ncommand = /bin/web\ndepends = migrate\n");
	sup_start_all(&sup);
	exec_ok("db");
	ck_assert_uint_eq(spawns("migrate"), 1);
	reap("migrate", EXIT_CODE(0));
	ck_assert_state("migrate", ST_DONE);
	exec_ok("web");

	size_t mark = nevents;
	sup_shutdown(&sup, "test");
	ck_assert_uint_eq(kills("web", SIGTERM), 1);
	/* db waits for web, through the done oneshot between them */
	ck_assert_uint_eq(kills("db", 0), 0);
	ck_assert_state("db", ST_READY);
	reap("web", KILLED_BY(SIGTERM));
	ck_assert_uint_eq(kills("db", SIGTERM), 1);
	ck_assert_int_gt(find_event(0, E_KILL, "db", SIGTERM), find_event(0, E_EXIT, "web", 0));
	/* the done oneshot has no process: it is not signalled again */
	ck_assert_int_lt(find_event(mark, E_KILL, "migrate", 0), 0);
	ck_assert_int_ne(S("migrate")->state, ST_DONE);
	reap("db", KILLED_BY(SIGTERM));
	ck_assert(sup_all_down(&sup));
	ck_assert_int_eq(all_down_calls, 1);
	teardown();
}
END_TEST

START_TEST(test_shutdown_cancels_waiting)
{
	setup("[service b]\ncommand = /bin/b\n"
	      "[service a]\ncommand = /bin/a\ndepends = b\n"
	      "[service c]\ncommand = /bin/c\nafter = b\n");
	sup_start_all(&sup);
	ck_assert_state("b", ST_STARTING);
	ck_assert_state("a", ST_WAITING);
	ck_assert_state("c", ST_WAITING);
	sup_shutdown(&sup, "test");
	/* waiting services never start */
	ck_assert_state("a", ST_STOPPED);
	ck_assert_state("c", ST_STOPPED);
	/* a service still starting is stopped at once */
	ck_assert_uint_eq(kills("b", SIGTERM), 1);
	ck_assert_state("b", ST_STOPPING);
	/* even when it becomes ready late, nothing else starts */
	exec_ok("b");
	reap("b", KILLED_BY(SIGTERM));
	ck_assert_state("b", ST_STOPPED);
	ev_run(loop, EVRUN_NOWAIT);
	ck_assert_uint_eq(spawns("a"), 0);
	ck_assert_uint_eq(spawns("c"), 0);
	ck_assert_int_eq(all_down_calls, 1);
	teardown();
}
END_TEST

START_TEST(test_shutdown_cancels_backoff)
{
	setup("[service a]\ncommand = /bin/a\nrestart-delay = 10ms\n"
	      "[service keep]\ncommand = /bin/keep\n");
	sup_start_all(&sup);
	exec_ok("keep");
	reap("a", EXIT_CODE(1));
	ck_assert_state("a", ST_BACKOFF);
	ck_assert(ev_is_active(&S("a")->w_restart_timer));
	sup_shutdown(&sup, "test");
	ck_assert_state("a", ST_STOPPED);
	ck_assert(!ev_is_active(&S("a")->w_restart_timer));
	reap("keep", KILLED_BY(SIGTERM));
	/* the old delay passing changes nothing */
	usleep(15 * 1000);
	ev_run(loop, EVRUN_NOWAIT);
	ck_assert_uint_eq(spawns("a"), 1);
	ck_assert_int_eq(all_down_calls, 1);
	teardown();
}
END_TEST

START_TEST(test_exit_during_shutdown_not_restarted)
{
	setup("[service a]\ncommand = /bin/a\nrestart = always\nrestart-delay = 1ms\n");
	sup_start_all(&sup);
	exec_ok("a");
	sup_shutdown(&sup, "test");
	reap("a", EXIT_CODE(1));
	ck_assert_state("a", ST_STOPPED);
	ev_run(loop, EVRUN_NOWAIT);
	ck_assert_uint_eq(spawns("a"), 1);
	teardown();
}
END_TEST

START_TEST(test_shutdown_twice_and_empty)
{
	setup("[service a]\ncommand = /bin/a\n");
	sup_start_all(&sup);
	exec_ok("a");
	sup_shutdown(&sup, "one");
	sup_shutdown(&sup, "two");
	ck_assert_uint_eq(kills("a", SIGTERM), 1);
	reap("a", EXIT_CODE(0));
	ck_assert_int_eq(all_down_calls, 1);
	teardown();

	/* no services: all down at once */
	setup("");
	sup_start_all(&sup);
	sup_shutdown(&sup, "empty");
	ck_assert(sup_all_down(&sup));
	ck_assert_int_eq(all_down_calls, 1);
	teardown();
}
END_TEST

START_TEST(test_stop_timeout_sigkill)
{
	setup("[service a]\ncommand = /bin/a\nstop-timeout = 10ms\n"
	      "[service patient]\ncommand = /bin/p\nstop-timeout = 10s\n");
	sup_start_all(&sup);
	exec_ok("a");
	exec_ok("patient");
	pid_t pid = S("a")->pid;
	sup_shutdown(&sup, "test");
	ck_assert_uint_eq(kills("a", SIGTERM), 1);
	ck_assert_uint_eq(kills("a", SIGKILL), 0);
	RUN_UNTIL(kills("a", SIGKILL) == 1, 50);
	long k = find_event(0, E_KILL, "a", SIGKILL);
	ck_assert_int_eq(events[k].pid, pid); /* its process group */
	/* the other one's stop-timeout has not passed */
	ck_assert_uint_eq(kills("patient", SIGKILL), 0);
	ck_assert(!sup.killing);
	reap("a", KILLED_BY(SIGKILL));
	ck_assert_state("a", ST_STOPPED);
	reap("patient", KILLED_BY(SIGTERM));
	ck_assert_int_eq(all_down_calls, 1);
	teardown();
}
END_TEST

START_TEST(test_graceful_timeout_kills_all)
{
	setup("[muster]\ngraceful-timeout = 20ms\n"
	      "[service db]\ncommand = /bin/db\nstop-timeout = 10s\n"
	      "[service web]\ncommand = /bin/web\ndepends = db\nstop-timeout = 10s\n"
	      "[service lone]\ncommand = /bin/lone\nstop-timeout = 10s\n");
	sup_start_all(&sup);
	exec_ok("db");
	exec_ok("web");
	exec_ok("lone");
	sup_shutdown(&sup, "test");
	ck_assert_uint_eq(kills("web", SIGTERM), 1);
	ck_assert_uint_eq(kills("lone", SIGTERM), 1);
	ck_assert_uint_eq(kills("db", 0), 0);
	RUN_UNTIL(sup.killing, 50);
	/* past the budget: SIGKILL every group still running, db included */
	ck_assert_uint_eq(kills("web", SIGKILL), 1);
	ck_assert_uint_eq(kills("lone", SIGKILL), 1);
	ck_assert_uint_eq(kills("db", SIGKILL), 1);
	ck_assert_state("db", ST_STOPPING);
	reap("web", KILLED_BY(SIGKILL));
	reap("db", KILLED_BY(SIGKILL));
	reap("lone", KILLED_BY(SIGKILL));
	ck_assert(sup_all_down(&sup));
	ck_assert_int_eq(all_down_calls, 1);
	teardown();
}
END_TEST

START_TEST(test_kill_all)
{
	setup("[service db]\ncommand = /bin/db\n"
	      "[service web]\ncommand = /bin/web\ndepends = db\n"
	      "[service late]\ncommand = /bin/late\ndepends = web\n"
	      "[service lone]\ncommand = /bin/lone\nrestart-delay = 1ms\n");
	sup_start_all(&sup);
	exec_ok("db");
	ck_assert_state("web", ST_STARTING);
	ck_assert_state("late", ST_WAITING);
	exec_ok("lone");
	size_t mark = nevents;
	sup_kill_all(&sup);
	ck_assert(sup.killing);
	/* every process group gets SIGKILL at once, whatever the order */
	ck_assert_int_ge(find_event(mark, E_KILL, "db", SIGKILL), 0);
	ck_assert_int_ge(find_event(mark, E_KILL, "web", SIGKILL), 0);
	ck_assert_int_ge(find_event(mark, E_KILL, "lone", SIGKILL), 0);
	ck_assert_uint_eq(kills("db", SIGTERM), 0);
	ck_assert_state("db", ST_STOPPING);
	ck_assert_state("web", ST_STOPPING);
	ck_assert_state("late", ST_STOPPED);
	reap("db", KILLED_BY(SIGKILL));
	reap("web", KILLED_BY(SIGKILL));
	reap("lone", KILLED_BY(SIGKILL));
	ck_assert(sup_all_down(&sup));
	/* nothing restarts */
	usleep(5 * 1000);
	ev_run(loop, EVRUN_NOWAIT);
	ck_assert_uint_eq(spawns("lone"), 1);
	ck_assert_uint_eq(spawns("late"), 0);
	teardown();
}
END_TEST

START_TEST(test_unknown_pid)
{
	setup("[service a]\ncommand = /bin/a\n");
	sup_start_all(&sup);
	ck_assert_ptr_null(sup_child_exited(&sup, 99999, EXIT_CODE(0)));
	ck_assert_ptr_null(sup_find_pid(&sup, 99999));
	ck_assert_state("a", ST_STARTING);
	teardown();
}
END_TEST

/* ---- operations ------------------------------------------------------ */

START_TEST(test_stop_stops_dependents_first)
{
	setup("[service db]\ncommand = /bin/db\n"
	      "[service web]\ncommand = /bin/web\ndepends = db\n"
	      "[service lone]\ncommand = /bin/lone\n");
	sup_start_all(&sup);
	exec_ok("db");
	exec_ok("web");
	exec_ok("lone");
	char err[128] = "";
	ck_assert_int_eq(sup_stop(&sup, S("db"), err, sizeof err), 0);
	ck_assert_uint_eq(kills("web", SIGTERM), 1);
	ck_assert_uint_eq(kills("db", 0), 0);
	reap("web", KILLED_BY(SIGTERM));
	ck_assert_state("web", ST_STOPPED);
	ck_assert_uint_eq(kills("db", SIGTERM), 1);
	reap("db", KILLED_BY(SIGTERM));
	ck_assert_state("db", ST_STOPPED);
	ck_assert_state("lone", ST_READY);
	ck_assert(!sup.shutting_down);

	/* start web: db comes first */
	ck_assert_int_eq(sup_start(&sup, S("web"), err, sizeof err), 0);
	ck_assert_uint_eq(spawns("db"), 2);
	ck_assert_uint_eq(spawns("web"), 1);
	exec_ok("db");
	ck_assert_uint_eq(spawns("web"), 2);
	teardown();
}
END_TEST

/* ---- bugs ------------------------------------------------------------ */

/* Regression (step()): the
 * stop order only looks at direct waiters.  A service between two others
 * that is down without a process (here in backoff after a crash, which
 * leaves its dependents running) no longer holds the order: db is stopped
 * while web, which depends on it through mid, still runs. */
START_TEST(bug_stop_order_through_backoff)
{
	setup("[service db]\ncommand = /bin/db\n"
	      "[service mid]\ncommand = /bin/mid\ndepends = db\nrestart-delay = 10s\n"
	      "[service web]\ncommand = /bin/web\ndepends = mid\n");
	sup_start_all(&sup);
	exec_ok("db");
	exec_ok("mid");
	exec_ok("web");
	reap("mid", EXIT_CODE(1));
	ck_assert_state("mid", ST_BACKOFF);
	ck_assert_state("web", ST_READY);
	sup_shutdown(&sup, "test");
	ck_assert_uint_eq(kills("web", SIGTERM), 1);
	ck_assert_msg(kills("db", SIGTERM) == 0, "db was stopped while web still runs");
	reap("web", KILLED_BY(SIGTERM));
	ck_assert_uint_eq(kills("db", SIGTERM), 1);
	teardown();
}
END_TEST

/* Regression (same place): the same with the service between them stopped after
 * a clean exit (restart = on-failure leaves web running). */
START_TEST(bug_stop_order_through_stopped)
{
	setup("[service db]\ncommand = /bin/db\n"
	      "[service mid]\ncommand = /bin/mid\ndepends = db\n"
	      "[service web]\ncommand = /bin/web\ndepends = mid\n");
	sup_start_all(&sup);
	exec_ok("db");
	exec_ok("mid");
	exec_ok("web");
	reap("mid", EXIT_CODE(0));
	ck_assert_state("mid", ST_STOPPED);
	ck_assert_state("web", ST_READY);
	sup_shutdown(&sup, "test");
	ck_assert_uint_eq(kills("web", SIGTERM), 1);
	ck_assert_msg(kills("db", SIGTERM) == 0, "db was stopped while web still runs");
	reap("web", KILLED_BY(SIGTERM));
	ck_assert_uint_eq(kills("db", SIGTERM), 1);
	teardown();
}
END_TEST

/* Regression (found by the soak): a stop held through a service without a
 * process (a done oneshot) is re-evaluated when the holder goes.  Here a
 * reload changes db and removes web; web waited for db through the done
 * oneshot migrate, so db's restart waited for web, and nothing stepped db
 * again when web stopped: the reload was never applied. */
START_TEST(bug_reload_hold_through_done)
{
	setup("[service db]\ncommand = /bin/db\n"
	      "[service migrate]\ncommand = /bin/migrate\ntype = oneshot\ndepends = db\n"
	      "[service web]\ncommand = /bin/web\ndepends = migrate\n");
	sup_start_all(&sup);
	exec_ok("db");
	exec_ok("migrate");
	reap("migrate", EXIT_CODE(0));
	ck_assert_state("migrate", ST_DONE);
	exec_ok("web");
	ck_assert_state("web", ST_READY);

	struct config *ncfg = load_text("[service db]\ncommand = /bin/db --new\n"
					"[service migrate]\ncommand = /bin/migrate\ntype = oneshot\n"
					"depends = db\n");
	char *report = NULL, err[256];
	ck_assert_int_eq(sup_reload(&sup, ncfg, &report, err, sizeof err), 0);
	free(report);
	/* web goes first; db waits for it */
	ck_assert_uint_eq(kills("web", SIGTERM), 1);
	ck_assert_msg(kills("db", SIGTERM) == 0, "db was stopped while web still runs");
	reap("web", KILLED_BY(SIGTERM));
	ck_assert_uint_eq(kills("db", SIGTERM), 1);
	ck_assert_ptr_eq(sup_child_exited(&sup, S("db")->pid, KILLED_BY(SIGTERM)), S("db"));
	/* applied: web is gone, db started again with its new command */
	ck_assert_ptr_null(sup_find(&sup, "web"));
	ck_assert_ptr_null(sup.pending);
	ck_assert_uint_eq(spawns("db"), 2);
	ck_assert_str_eq(S("db")->conf->argv[1], "--new");
	cfg = ncfg; /* the old one was freed when the reload applied */
	teardown();
}
END_TEST

/* ---- with cgroups ---------------------------------------------------- */

/* A stop signals the whole cgroup; the exit counts only once the cgroup
 * is empty: until then it stays stopping, and stop-timeout sends SIGKILL
 * (cgroup.kill) to what is left. */
START_TEST(test_cgroup_exit_waits_for_empty)
{
	char err[128];
	ops_in_use = &fake_cgroup_ops;
	cg_populated = 1, cg_oom = 0, cg_released = 0;
	setup("[service web]\ncommand = /bin/web\nstop-timeout = 50ms\n");
	sup_start_all(&sup);
	exec_ok("web");
	ck_assert_state("web", ST_READY);
	ck_assert_int_eq(sup_stop(&sup, S("web"), err, sizeof err), 0);
	ck_assert_int_ge(find_event(0, E_KILL, "web", SIGTERM), 0);
	ck_assert_int_eq(events[find_event(0, E_KILL, "web", SIGTERM)].pid, 0); /* the cgroup */
	reap("web", KILLED_BY(SIGTERM));
	ck_assert_state("web", ST_STOPPING); /* grandchildren left */
	RUN_UNTIL(kills("web", SIGKILL) == 1, 100);
	ck_assert_state("web", ST_STOPPING);
	cg_populated = 0;
	sup_cgroup_changed(S("web"));
	ck_assert_state("web", ST_STOPPED);
	ck_assert_uint_eq(cg_released, 1);
	teardown();
}
END_TEST

/* An OOM kill in its cgroup is the reason it failed. */
START_TEST(test_cgroup_oom_reason)
{
	ops_in_use = &fake_cgroup_ops;
	cg_populated = 0, cg_oom = 3, cg_released = 0;
	setup("[service worker]\ncommand = /bin/worker\nrestart = no\n");
	sup_start_all(&sup);
	exec_ok("worker");
	cg_oom = 4;
	reap("worker", KILLED_BY(SIGKILL));
	ck_assert_state("worker", ST_FAILED);
	ck_assert_str_eq(S("worker")->reason, "killed by the OOM killer");
	teardown();
}
END_TEST

static Suite *service_suite(void)
{
	Suite *s = suite_create("service");
	TCase *tc;

	tc = tcase_create("start");
	tcase_add_test(tc, test_wait_status_helpers);
	tcase_add_test(tc, test_start_order);
	tcase_add_test(tc, test_notify_ready);
	tcase_add_test(tc, test_ready_timeout);
	tcase_add_test(tc, test_oneshot_done_unblocks);
	tcase_add_test(tc, test_oneshot_failure_fails_dependents);
	tcase_add_test(tc, test_after_proceeds_on_failure);
	tcase_add_test(tc, test_after_waits_for_ready);
	tcase_add_test(tc, test_spawn_failure);
	tcase_add_test(tc, test_exec_failure_reason);
	suite_add_tcase(s, tc);

	tc = tcase_create("restart");
	tcase_add_test(tc, test_restart_no);
	tcase_add_test(tc, test_restart_on_failure_backoff);
	tcase_add_test(tc, test_restart_always_after_clean_exit);
	tcase_add_test(tc, test_dependent_survives_restart_of_dependency);
	tcase_add_test(tc, test_dependency_failing_for_good_stops_dependents);
	tcase_add_test(tc, test_start_limit);
	tcase_add_test(tc, test_start_limit_none);
	tcase_add_test(tc, test_start_limit_window);
	tcase_add_test(tc, test_backoff_resets_after_long_ready);
	suite_add_tcase(s, tc);

	tc = tcase_create("critical");
	tcase_add_test(tc, test_critical_exit_starts_shutdown);
	tcase_add_test(tc, test_critical_killed_by_signal);
	tcase_add_test(tc, test_critical_clean_exit);
	tcase_add_test(tc, test_critical_start_limit);
	tcase_add_test(tc, test_critical_restarting_does_not_end_run);
	tcase_add_test(tc, test_critical_failed_dependency);
	suite_add_tcase(s, tc);

	tc = tcase_create("shutdown");
	tcase_add_test(tc, test_shutdown_stop_order);
	tcase_add_test(tc, test_shutdown_chain_order);
	tcase_add_test(tc, test_shutdown_done_oneshot_keeps_order);
	tcase_add_test(tc, test_shutdown_cancels_waiting);
	tcase_add_test(tc, test_shutdown_cancels_backoff);
	tcase_add_test(tc, test_exit_during_shutdown_not_restarted);
	tcase_add_test(tc, test_shutdown_twice_and_empty);
	tcase_add_test(tc, test_stop_timeout_sigkill);
	tcase_add_test(tc, test_graceful_timeout_kills_all);
	tcase_add_test(tc, test_kill_all);
	tcase_add_test(tc, test_unknown_pid);
	suite_add_tcase(s, tc);

	tc = tcase_create("operations");
	tcase_add_test(tc, test_stop_stops_dependents_first);
	suite_add_tcase(s, tc);

	tc = tcase_create("cgroups");
	tcase_add_test(tc, test_cgroup_exit_waits_for_empty);
	tcase_add_test(tc, test_cgroup_oom_reason);
	suite_add_tcase(s, tc);

	tc = tcase_create("bugs");
	tcase_add_test(tc, bug_stop_order_through_backoff);
	tcase_add_test(tc, bug_stop_order_through_stopped);
	tcase_add_test(tc, bug_reload_hold_through_done);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	log_sink = quiet; /* the daemon's messages are not what is tested */
	SRunner *sr = srunner_create(service_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
