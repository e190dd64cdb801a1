/* Unit tests for the arithmetic of supervision in src/service.c: the
 * restart backoff (restart-delay doubling up to restart-delay-max, starting
 * over after a long enough ready spell) and the start limit ("more than N
 * failures within D", only failures counting), through the state machine
 * with a fake struct sys_ops (as tests/unit/check_service.c does).
 *
 * Time is fake too: this program defines clock_gettime() and
 * gettimeofday(), which libev calls through the C library, so that time
 * moves only when a test says so.  advance() moves it a millisecond at a
 * time and runs the loop without blocking at each step, so timers fire in
 * order and at the exact millisecond: the tests measure delays with no
 * sleep and no dependence on the machine's load.
 */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "service.h"

/* ---- the fake clock ---------------------------------------------------- */

/* From setup() on, CLOCK_MONOTONIC (and its variants) reads as its real
 * value at setup() plus what advance() added, CLOCK_REALTIME likewise:
 * the fake clocks never run behind the real ones, so that what Check
 * measures with them stays sane. */
static int fake_clock;                   /* 0: the real clocks */
static int64_t fake_mono_base, fake_real_base, fake_ns;

static int64_t ns_of(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
}

static void fake_clock_start(void)
{
	struct timespec ts;
	fake_clock = 0;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	fake_mono_base = ns_of(&ts);
	clock_gettime(CLOCK_REALTIME, &ts);
	fake_real_base = ns_of(&ts);
	fake_ns = 0;
	fake_clock = 1;
}

int clock_gettime(clockid_t id, struct timespec *ts)
{
	if (!fake_clock)
		return (int)syscall(SYS_clock_gettime, id, ts);
	bool real = id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE;
	int64_t t = (real ? fake_real_base : fake_mono_base) + fake_ns;
	ts->tv_sec = (time_t)(t / 1000000000);
	ts->tv_nsec = (long)(t % 1000000000);
	return 0;
}

int gettimeofday(struct timeval *tv, void *tz)
{
	struct timespec ts;
	(void)tz;
	clock_gettime(CLOCK_REALTIME, &ts);
	tv->tv_sec = ts.tv_sec;
	tv->tv_usec = ts.tv_nsec / 1000;
	return 0;
}

/* ---- the fake system ------------------------------------------------- */

enum ev_kind { E_SPAWN, E_KILL, E_EXIT };

struct event {
	enum ev_kind kind;
	char name[32];
	pid_t pid;
	int sig;
	double t;               /* fake seconds since setup() */
};

#define MAX_EVENTS 20000
static struct event *events;
static size_t nevents;
static pid_t next_pid;
static const char *spawn_fails;  /* spawn of this service fails (ENOENT) */
static struct ev_loop *loop;
static struct config *cfg;
static struct supervisor sup;
static int64_t t0_ns;

static double T(void)
{
	return (double)(fake_ns - t0_ns) / 1e9;
}

static void record(enum ev_kind kind, const char *name, pid_t pid, int sig)
{
	ck_assert_uint_lt(nevents, MAX_EVENTS);
	struct event *e = &events[nevents++];
	e->kind = kind;
	snprintf(e->name, sizeof e->name, "%s", name);
	e->pid = pid;
	e->sig = sig;
	e->t = T();
}

static pid_t fake_spawn(struct service *svc, int *exec_fd)
{
	*exec_fd = -1;
	if (spawn_fails && !strcmp(spawn_fails, svc->conf->name)) {
		errno = ENOENT;
		return -1;
	}
	pid_t pid = next_pid++;
	record(E_SPAWN, svc->conf->name, pid, 0);
	return pid;
}

static int fake_kill(pid_t pgid, int sig)
{
	const char *name = "?";
	for (size_t i = 0; i < nevents; i++)
		if (events[i].kind == E_SPAWN && events[i].pid == pgid)
			name = events[i].name;
	record(E_KILL, name, pgid, sig);
	return 0;
}

static const struct sys_ops fake_ops = { .spawn = fake_spawn, .kill_group = fake_kill };

/* The daemon's messages, kept for a few assertions. */
static char logbuf[1 << 20];
static size_t loglen;

static void capture(enum log_level level, const char *line, size_t len)
{
	/* as the text output writes them: the level's word first */
	const char *lv = level == LOG_ERROR ? "error: " : level == LOG_WARNING ? "warning: " : "";
	if (loglen + strlen(lv) + len + 2 < sizeof logbuf) {
		memcpy(logbuf + loglen, lv, strlen(lv));
		loglen += strlen(lv);
		memcpy(logbuf + loglen, line, len);
		loglen += len;
		logbuf[loglen++] = '\n';
		logbuf[loglen] = '\0';
	}
}

static size_t log_count(const char *needle)
{
	size_t n = 0;
	for (const char *p = logbuf; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* ---- the fixture ----------------------------------------------------- */

static void setup(const char *text)
{
	char path[] = "/tmp/muster-check-supervise-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	size_t len = strlen(text);
	ck_assert_int_eq(write(fd, text, len), (ssize_t)len);
	close(fd);
	struct errlist errs = { 0 };
	cfg = config_load(path, &errs);
	unlink(path);
	ck_assert_msg(cfg != NULL, "config: %s", errs.n ? errs.msgs[0] : "?");
	errlist_free(&errs);

	if (!events)
		events = calloc(MAX_EVENTS, sizeof *events);
	ck_assert_ptr_nonnull(events);
	nevents = 0;
	next_pid = 1000;
	spawn_fails = NULL;
	loglen = 0;
	logbuf[0] = '\0';
	log_sink = capture;
	log_threshold = LOG_INFO;

	fake_clock_start();
	t0_ns = fake_ns;
	loop = ev_loop_new(0);
	ck_assert_ptr_nonnull(loop);
	ck_assert_int_eq(sup_init(&sup, loop, cfg, &fake_ops), 0);
}

static void teardown(void)
{
	sup_free(&sup);
	config_free(cfg);
	ev_loop_destroy(loop);
	cfg = NULL;
	loop = NULL;
	fake_clock = 0;
}

static struct service *S(const char *name)
{
	struct service *s = sup_find(&sup, name);
	ck_assert_msg(s != NULL, "no service %s", name);
	return s;
}

#define ck_assert_state(name, st)                                                       \
	ck_assert_msg(S(name)->state == (st), "%s is %s at t=%.3f, expected %s", (name),    \
		      svc_state_name(S(name)->state), T(), svc_state_name(st))

static size_t count(enum ev_kind kind, const char *name, int sig)
{
	size_t n = 0;
	for (size_t i = 0; i < nevents; i++)
		n += events[i].kind == kind && !strcmp(events[i].name, name) &&
		     (sig <= 0 || events[i].sig == sig);
	return n;
}

#define spawns(name) count(E_SPAWN, (name), 0)

/* Move the fake clock ms milliseconds, one at a time, running the loop
 * (without blocking) at each. */
static void advance_ms(long ms)
{
	for (long i = 0; i < ms; i++) {
		fake_ns += 1000000;
		ev_run(loop, EVRUN_NOWAIT);
	}
}

static void advance(double seconds)
{
	advance_ms((long)(seconds * 1000 + 0.5));
}

/* A timer runs once its time has passed, not at that very instant: to see
 * what is due in `seconds`, go one millisecond further. */
static void advance_past(double seconds)
{
	advance_ms((long)(seconds * 1000 + 0.5) + 1);
}

/* Run (a millisecond at a time) until name is spawned again; returns the
 * fake seconds that took.  Fails after max_s. */
static double until_respawn(const char *name, double max_s)
{
	size_t before = spawns(name);
	double start = T();
	for (long i = 0; spawns(name) == before; i++) {
		ck_assert_msg(i < (long)(max_s * 1000), "%s not restarted within %gs (it is %s)", name,
			      max_s, svc_state_name(S(name)->state));
		advance_ms(1);
	}
	return T() - start;
}

/* The daemon's side: exec succeeded. */
static void exec_ok(const char *name)
{
	ck_assert_msg(S(name)->pid > 0, "%s has no process", name);
	sup_exec_result(S(name), NULL);
}

/* The daemon's side: name's main process was reaped with status. */
static void reap(const char *name, int status)
{
	struct service *s = S(name);
	ck_assert_msg(s->pid > 0, "%s (%s) has no process to reap", name, svc_state_name(s->state));
	record(E_EXIT, name, s->pid, status);
	ck_assert_ptr_eq(sup_child_exited(&sup, s->pid, status), s);
}

#define EXIT_CODE(c) ((c) << 8)
#define KILLED_BY(sig) (sig)

/* Exit with status, then wait for the restart: returns the delay. */
static double fail_and_wait(const char *name, int status, double max_s)
{
	reap(name, status);
	ck_assert_state(name, ST_BACKOFF);
	double d = until_respawn(name, max_s);
	exec_ok(name);
	return d;
}

/* libev runs a timer once its time has passed (not at the same instant): on
 * the millisecond grid of advance() a delay shows as itself plus 1ms */
#define ck_assert_delay(got, want)                                                      \
	do {                                                                            \
		double got_ = (got), want_ = (want);                                    \
		ck_assert_msg(got_ > want_ - 0.0005 && got_ < want_ + 0.0015,           \
			      "restart delay %.3fs, expected %.3fs", got_, want_);      \
	} while (0)

/* ---- backoff ----------------------------------------------------------- */

START_TEST(test_backoff_doubles_to_cap)
{
	setup("[service a]\ncommand = /bin/a\nrestart-delay = 100ms\nrestart-delay-max = 2s\n"
	      "start-limit = none\n");
	sup_start_all(&sup);
	exec_ok("a");
	const double want[] = { 0.1, 0.2, 0.4, 0.8, 1.6, 2, 2, 2, 2 };
	for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
		/* stay ready a while, shorter than restart-delay-max */
		advance(0.5);
		double d = fail_and_wait("a", EXIT_CODE(1), 10);
		ck_assert_delay(d, want[i]);
	}
	ck_assert_uint_eq(S("a")->restarts, 9);
	ck_assert_uint_eq(log_count("a: restarting in 0.1s"), 1);
	ck_assert_uint_eq(log_count("a: restarting in 1.6s"), 1);
	ck_assert_uint_eq(log_count("a: restarting in 2s"), 4);
	teardown();
}
END_TEST

START_TEST(test_backoff_not_early)
{
	/* the restart comes once the delay has passed, not a millisecond before */
	setup("[service a]\ncommand = /bin/a\nrestart-delay = 250ms\nrestart-delay-max = 1s\n");
	sup_start_all(&sup);
	exec_ok("a");
	reap("a", EXIT_CODE(1));
	advance_ms(250);
	ck_assert_state("a", ST_BACKOFF);
	ck_assert_uint_eq(spawns("a"), 1);
	advance_ms(1);
	ck_assert_uint_eq(spawns("a"), 2);
	ck_assert_state("a", ST_STARTING);
	exec_ok("a");
	reap("a", EXIT_CODE(1));
	advance_ms(500);
	ck_assert_uint_eq(spawns("a"), 2);
	advance_ms(1);
	ck_assert_uint_eq(spawns("a"), 3);
	teardown();
}
END_TEST

START_TEST(test_backoff_cap_not_power_of_two)
{
	/* 0.3, 0.6, then the cap (1s), never 1.2 */
	setup("[service a]\ncommand = /bin/a\nrestart-delay = 300ms\nrestart-delay-max = 1s\n"
	      "start-limit = none\n");
	sup_start_all(&sup);
	exec_ok("a");
	const double want[] = { 0.3, 0.6, 1, 1, 1 };
	for (size_t i = 0; i < sizeof want / sizeof *want; i++)
		ck_assert_delay(fail_and_wait("a", EXIT_CODE(2), 10), want[i]);
	teardown();
}
END_TEST

START_TEST(test_backoff_delay_equals_max)
{
	setup("[service a]\ncommand = /bin/a\nrestart-delay = 1s\nrestart-delay-max = 1s\n"
	      "start-limit = none\n");
	sup_start_all(&sup);
	exec_ok("a");
	for (int i = 0; i < 5; i++)
		ck_assert_delay(fail_and_wait("a", KILLED_BY(SIGKILL), 10), 1.0);
	teardown();
}
END_TEST

START_TEST(test_backoff_zero_delay)
{
	/* restart-delay = 0: restarted at once, and it stays 0 (0 doubled) */
	setup("[service a]\ncommand = /bin/a\nrestart-delay = 0\nstart-limit = none\n");
	sup_start_all(&sup);
	exec_ok("a");
	for (int i = 0; i < 1000; i++) {
		reap("a", EXIT_CODE(1));
		advance_ms(1); /* the next loop iteration */
		ck_assert_msg(spawns("a") == (size_t)i + 2, "restart %d did not come at once", i + 1);
		exec_ok("a");
	}
	ck_assert_double_eq(S("a")->delay, 0);
	ck_assert_uint_eq(S("a")->restarts, 1000);
	ck_assert_state("a", ST_READY);
	teardown();
}
END_TEST

START_TEST(test_backoff_default_values)
{
	/* the defaults: 100ms doubling to 30s */
	setup("[service a]\ncommand = /bin/a\nstart-limit = none\n");
	sup_start_all(&sup);
	exec_ok("a");
	const double want[] = { 0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 12.8, 25.6, 30, 30 };
	for (size_t i = 0; i < sizeof want / sizeof *want; i++)
		ck_assert_delay(fail_and_wait("a", EXIT_CODE(1), 40), want[i]);
	teardown();
}
END_TEST

START_TEST(test_backoff_resets_after_long_ready)
{
	/* ready for longer than restart-delay-max: the next delay is the first */
	setup("[service a]\ncommand = /bin/a\nrestart-delay = 100ms\nrestart-delay-max = 1s\n"
	      "start-limit = none\n");
	sup_start_all(&sup);
	exec_ok("a");
	ck_assert_delay(fail_and_wait("a", EXIT_CODE(1), 5), 0.1);
	ck_assert_delay(fail_and_wait("a", EXIT_CODE(1), 5), 0.2);
	ck_assert_delay(fail_and_wait("a", EXIT_CODE(1), 5), 0.4);
	advance(1.002);
	ck_assert_delay(fail_and_wait("a", EXIT_CODE(1), 5), 0.1);
	ck_assert_delay(fail_and_wait("a", EXIT_CODE(1), 5), 0.2);
	/* ready a little under restart-delay-max: the backoff goes on */
	advance(0.998);
	ck_assert_delay(fail_and_wait("a", EXIT_CODE(1), 5), 0.4);
	ck_assert_delay(fail_and_wait("a", EXIT_CODE(1), 5), 0.8);
	/* at the cap, a long run starts over as well */
	ck_assert_delay(fail_and_wait("a", EXIT_CODE(1), 5), 1.0);
	advance(5);
	ck_assert_delay(fail_and_wait("a", EXIT_CODE(1), 5), 0.1);
	teardown();
}
END_TEST

START_TEST(test_backoff_ready_time_not_start_time)
{
	/* what counts is how long it was ready, not how long it ran: a notify
	 * service 5s in starting and 0.5s ready does not start over */
	setup("[service n]\ncommand = /bin/n\ntype = notify\nrestart-delay = 100ms\n"
	      "restart-delay-max = 1s\nstart-limit = none\nready-timeout = 1m\n");
	sup_start_all(&sup);
	double want[] = { 0.1, 0.2, 0.4 };
	for (size_t i = 0; i < 3; i++) {
		advance(5);
		sup_ready(S("n"), "test");
		ck_assert_state("n", ST_READY);
		advance(0.5);
		reap("n", EXIT_CODE(1));
		ck_assert_delay(until_respawn("n", 5), want[i]);
	}
	teardown();
}
END_TEST

START_TEST(test_backoff_never_ready_does_not_reset)
{
	/* failing in starting for longer than restart-delay-max (ready-timeout
	 * 2s > 1s) is not a good run: the delay keeps doubling */
	setup("[service n]\ncommand = /bin/n\ntype = notify\nrestart-delay = 100ms\n"
	      "restart-delay-max = 1s\nstart-limit = none\nready-timeout = 2s\n");
	sup_start_all(&sup);
	const double want[] = { 0.1, 0.2, 0.4, 0.8, 1 };
	for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
		size_t kills = count(E_KILL, "n", SIGTERM);
		advance_past(2);
		ck_assert_uint_eq(count(E_KILL, "n", SIGTERM), kills + 1);
		reap("n", KILLED_BY(SIGTERM));
		ck_assert_state("n", ST_BACKOFF);
		ck_assert_delay(until_respawn("n", 5), want[i]);
	}
	teardown();
}
END_TEST

START_TEST(test_backoff_always_clean_exits)
{
	/* restart = always: a clean exit restarts too, with the same backoff
	 * (muster.ini(5): "It doubles with each consecutive restart") */
	setup("[service a]\ncommand = /bin/a\nrestart = always\nrestart-delay = 100ms\n"
	      "restart-delay-max = 400ms\n");
	sup_start_all(&sup);
	exec_ok("a");
	const double want[] = { 0.1, 0.2, 0.4, 0.4 };
	for (size_t i = 0; i < sizeof want / sizeof *want; i++)
		ck_assert_delay(fail_and_wait("a", EXIT_CODE(0), 5), want[i]);
	teardown();
}
END_TEST

START_TEST(test_backoff_manual_start_resets)
{
	/* musterctl start of a service in backoff: at once, and the backoff
	 * starts over */
	setup("[service a]\ncommand = /bin/a\nrestart-delay = 100ms\nrestart-delay-max = 10s\n"
	      "start-limit = none\n");
	sup_start_all(&sup);
	exec_ok("a");
	for (int i = 0; i < 4; i++)
		fail_and_wait("a", EXIT_CODE(1), 5);
	reap("a", EXIT_CODE(1)); /* the next delay would be 1.6s */
	ck_assert_state("a", ST_BACKOFF);
	char err[128];
	ck_assert_int_eq(sup_start(&sup, S("a"), err, sizeof err), 0);
	ck_assert_uint_eq(spawns("a"), 6);
	exec_ok("a");
	ck_assert_delay(fail_and_wait("a", EXIT_CODE(1), 5), 0.1);
	/* the old timer does not bring it back a second time */
	advance(3);
	ck_assert_uint_eq(spawns("a"), 7);
	teardown();
}
END_TEST

START_TEST(test_backoff_per_service)
{
	/* each service has its own backoff */
	setup("[service a]\ncommand = /bin/a\nrestart-delay = 100ms\nstart-limit = none\n"
	      "[service b]\ncommand = /bin/b\nrestart-delay = 100ms\nstart-limit = none\n");
	sup_start_all(&sup);
	exec_ok("a");
	exec_ok("b");
	for (int i = 0; i < 3; i++)
		fail_and_wait("a", EXIT_CODE(1), 5);
	ck_assert_delay(fail_and_wait("b", EXIT_CODE(1), 5), 0.1);
	ck_assert_delay(fail_and_wait("a", EXIT_CODE(1), 5), 0.8);
	teardown();
}
END_TEST

/* ---- start limit ----------------------------------------------------- */

START_TEST(test_limit_default_five_in_60s)
{
	setup("[service a]\ncommand = /bin/a\nrestart-delay = 1s\nrestart-delay-max = 1s\n");
	sup_start_all(&sup);
	exec_ok("a");
	/* five failures in a few seconds: still restarted */
	for (int i = 0; i < 5; i++)
		fail_and_wait("a", EXIT_CODE(1), 5);
	ck_assert_uint_eq(spawns("a"), 6);
	/* the sixth within 60s: failed for good */
	reap("a", EXIT_CODE(1));
	ck_assert_state("a", ST_FAILED);
	ck_assert_str_eq(S("a")->reason,
			 "start limit hit: more than 5 failures in 60s (last: status 1)");
	ck_assert(!lc_wanted_up(S("a")->goal));
	ck_assert(!ev_is_active(&S("a")->w_restart_timer));
	advance(120);
	ck_assert_uint_eq(spawns("a"), 6);
	ck_assert_uint_eq(log_count("error: a: failed: start limit hit"), 1);
	teardown();
}
END_TEST

START_TEST(test_limit_burst_one)
{
	setup("[service a]\ncommand = /bin/a\nstart-limit = 1 in 10s\nrestart-delay = 100ms\n");
	sup_start_all(&sup);
	exec_ok("a");
	fail_and_wait("a", KILLED_BY(SIGSEGV), 5);
	reap("a", KILLED_BY(SIGSEGV));
	ck_assert_state("a", ST_FAILED);
	ck_assert_str_eq(S("a")->reason,
			 "start limit hit: more than 1 failures in 10s (last: signal 11)");
	teardown();
}
END_TEST

START_TEST(test_limit_window_slides)
{
	/* 3 in 10s: failures at 0, 4, 8 and 10.5 are never more than 3 within
	 * 10s (the one at 0 has left the window); one more at 11 makes 4 */
	setup("[service a]\ncommand = /bin/a\nstart-limit = 3 in 10s\nrestart-delay = 100ms\n"
	      "restart-delay-max = 100ms\n");
	sup_start_all(&sup);
	exec_ok("a");
	const double at[] = { 0, 4, 8, 10.5 };
	double start = T();
	for (size_t i = 0; i < 4; i++) {
		advance(start + at[i] - T());
		reap("a", EXIT_CODE(1));
		ck_assert_msg(S("a")->state == ST_BACKOFF, "failure %zu at %.1fs: %s (%s)", i + 1,
			      at[i], svc_state_name(S("a")->state), S("a")->reason);
		until_respawn("a", 1);
		exec_ok("a");
	}
	advance(start + 11 - T());
	reap("a", EXIT_CODE(1));
	ck_assert_state("a", ST_FAILED);
	teardown();
}
END_TEST

START_TEST(test_limit_spread_out_never_trips)
{
	/* failures always 4s apart never make more than 3 in 10s, however many
	 * there are (the ring of failure times wraps many times) */
	setup("[service a]\ncommand = /bin/a\nstart-limit = 3 in 10s\nrestart-delay = 100ms\n"
	      "restart-delay-max = 100ms\n");
	sup_start_all(&sup);
	exec_ok("a");
	for (int i = 0; i < 40; i++) {
		advance(3.9);
		reap("a", EXIT_CODE(1));
		ck_assert_msg(S("a")->state == ST_BACKOFF, "failure %d: %s", i + 1,
			      svc_state_name(S("a")->state));
		until_respawn("a", 1);
		exec_ok("a");
	}
	/* 6.5s on, only the last of them is within 10s: with two quick
	 * failures that makes 3, still fine; a third quick one makes 4 */
	advance(6.5);
	for (int i = 0; i < 2; i++)
		fail_and_wait("a", EXIT_CODE(1), 1);
	reap("a", EXIT_CODE(1));
	ck_assert_state("a", ST_FAILED);
	teardown();
}
END_TEST

START_TEST(test_limit_only_failures_count)
{
	/* restart = always: clean exits restart without counting */
	setup("[service a]\ncommand = /bin/a\nrestart = always\nstart-limit = 2 in 60s\n"
	      "restart-delay = 100ms\nrestart-delay-max = 100ms\n");
	sup_start_all(&sup);
	exec_ok("a");
	for (int i = 0; i < 20; i++)
		fail_and_wait("a", EXIT_CODE(0), 1);
	ck_assert_uint_eq(spawns("a"), 21);
	/* failures interleaved with clean exits: the third failure trips it,
	 * clean exits neither count nor forgive */
	fail_and_wait("a", EXIT_CODE(1), 1);
	fail_and_wait("a", EXIT_CODE(0), 1);
	fail_and_wait("a", KILLED_BY(SIGABRT), 1);
	fail_and_wait("a", EXIT_CODE(0), 1);
	reap("a", EXIT_CODE(3));
	ck_assert_state("a", ST_FAILED);
	ck_assert_str_eq(S("a")->reason,
			 "start limit hit: more than 2 failures in 60s (last: status 3)");
	teardown();
}
END_TEST

START_TEST(test_limit_counts_ready_timeouts)
{
	/* not ready in time is a failure: it counts, and is the last reason */
	setup("[service n]\ncommand = /bin/n\ntype = notify\nready-timeout = 500ms\n"
	      "start-limit = 2 in 60s\nrestart-delay = 100ms\n");
	sup_start_all(&sup);
	for (int i = 0; i < 3; i++) {
		advance(0.499);
		ck_assert_state("n", ST_STARTING);
		advance_past(0.001);
		ck_assert_state("n", ST_STOPPING);
		reap("n", KILLED_BY(SIGTERM));
		if (i < 2) {
			ck_assert_state("n", ST_BACKOFF);
			until_respawn("n", 5);
		}
	}
	ck_assert_state("n", ST_FAILED);
	ck_assert_str_eq(S("n")->reason,
			 "start limit hit: more than 2 failures in 60s (last: not ready within 0.5s)");
	ck_assert_uint_eq(log_count("n: not ready within 0.5s: stopping it"), 3);
	teardown();
}
END_TEST

START_TEST(test_limit_counts_spawn_failures)
{
	/* nothing could be started (fork failed, say): a failure like any other */
	setup("[service a]\ncommand = /bin/a\nstart-limit = 2 in 60s\nrestart-delay = 100ms\n");
	spawn_fails = "a";
	sup_start_all(&sup);
	ck_assert_state("a", ST_BACKOFF);
	advance_past(0.1);
	ck_assert_state("a", ST_BACKOFF);
	ck_assert_uint_eq(log_count("a: restarting in 0.2s"), 1);
	advance_past(0.2);
	ck_assert_state("a", ST_FAILED);
	ck_assert_str_eq(S("a")->reason, "start limit hit: more than 2 failures in 60s "
					 "(last: cannot start: No such file or directory)");
	teardown();
}
END_TEST

START_TEST(test_limit_none)
{
	setup("[service a]\ncommand = /bin/a\nstart-limit = none\nrestart-delay = 0\n"
	      "[service b]\ncommand = /bin/b\nstart-limit = 0\nrestart-delay = 0\n");
	sup_start_all(&sup);
	exec_ok("a");
	exec_ok("b");
	for (int i = 0; i < 500; i++) {
		reap("a", EXIT_CODE(1));
		reap("b", KILLED_BY(SIGKILL));
		advance_ms(1);
		exec_ok("a");
		exec_ok("b");
	}
	ck_assert_state("a", ST_READY);
	ck_assert_state("b", ST_READY);
	ck_assert_uint_eq(spawns("a"), 501);
	teardown();
}
END_TEST

START_TEST(test_limit_manual_start_resets)
{
	/* after failing for good, musterctl start gives it a fresh limit */
	setup("[service a]\ncommand = /bin/a\nstart-limit = 2 in 60s\nrestart-delay = 100ms\n");
	sup_start_all(&sup);
	exec_ok("a");
	fail_and_wait("a", EXIT_CODE(1), 5);
	fail_and_wait("a", EXIT_CODE(1), 5);
	reap("a", EXIT_CODE(1));
	ck_assert_state("a", ST_FAILED);
	char err[128];
	ck_assert_int_eq(sup_start(&sup, S("a"), err, sizeof err), 0);
	ck_assert_state("a", ST_STARTING);
	exec_ok("a");
	ck_assert_delay(fail_and_wait("a", EXIT_CODE(1), 5), 0.1);
	ck_assert_delay(fail_and_wait("a", EXIT_CODE(1), 5), 0.2);
	reap("a", EXIT_CODE(1));
	ck_assert_state("a", ST_FAILED);
	teardown();
}
END_TEST

START_TEST(test_limit_restart_no_fails_at_once)
{
	/* restart = no: the first failure is final; the limit plays no part */
	setup("[service a]\ncommand = /bin/a\nrestart = no\nstart-limit = 5 in 60s\n");
	sup_start_all(&sup);
	exec_ok("a");
	reap("a", EXIT_CODE(4));
	ck_assert_state("a", ST_FAILED);
	ck_assert_str_eq(S("a")->reason, "exited with status 4");
	teardown();
}
END_TEST

/* ---- dependencies ---------------------------------------------------- */

START_TEST(test_dependents_survive_backoff_then_fail_with_it)
{
	/* a `depends` target in backoff leaves its dependents running; when it
	 * hits its limit, they are stopped first and end failed */
	setup("[service db]\ncommand = /bin/db\nstart-limit = 1 in 60s\nrestart-delay = 1s\n"
	      "[service web]\ncommand = /bin/web\ndepends = db\n"
	      "[service log]\ncommand = /bin/log\nafter = db\n");
	sup_start_all(&sup);
	exec_ok("db");
	exec_ok("web");
	exec_ok("log");
	pid_t web = S("web")->pid;
	reap("db", EXIT_CODE(1));
	ck_assert_state("db", ST_BACKOFF);
	advance(0.5);
	ck_assert_state("web", ST_READY);
	ck_assert_uint_eq(count(E_KILL, "web", 0), 0);
	advance_past(0.5);
	ck_assert_uint_eq(spawns("db"), 2);
	exec_ok("db");
	ck_assert_int_eq(S("web")->pid, web);

	reap("db", EXIT_CODE(1));
	ck_assert_state("db", ST_FAILED);
	ck_assert_state("web", ST_STOPPING);
	ck_assert_uint_eq(count(E_KILL, "web", SIGTERM), 1);
	reap("web", KILLED_BY(SIGTERM));
	ck_assert_state("web", ST_FAILED);
	ck_assert_str_eq(S("web")->reason, "dependency db failed");
	/* `after` is ordering only: it keeps running */
	ck_assert_state("log", ST_READY);
	advance(10);
	ck_assert_uint_eq(spawns("web"), 1);
	teardown();
}
END_TEST

/* ---- regressions ----------------------------------------------------------
 * The stop-timeout timer of a service stopped for not being ready in time
 * once stayed armed across its restart, so the next attempt that also timed
 * out was SIGKILLed early, at the old deadline. */

START_TEST(bug_stop_timer_after_ready_timeout)
{
	/* ready-timeout 1s, stop-timeout 10s, restart-delay 100ms.  Attempt 1
	 * times out at 1s (SIGTERM, stop timer to 11s) and exits at once;
	 * attempt 2 starts at 1.1s, times out at 2.1s (SIGTERM) and ignores
	 * it: its SIGKILL is due at 12.1s, not at 11s. */
	setup("[service n]\ncommand = /bin/n\ntype = notify\nready-timeout = 1s\n"
	      "stop-timeout = 10s\nrestart-delay = 100ms\n");
	sup_start_all(&sup);
	advance_past(1);
	ck_assert_uint_eq(count(E_KILL, "n", SIGTERM), 1);
	reap("n", KILLED_BY(SIGTERM));
	ck_assert_state("n", ST_BACKOFF);
	ck_assert_msg(!ev_is_active(&S("n")->w_stop_timer),
		      "the stop timer of the exited process is still armed");
	until_respawn("n", 1);
	pid_t second = S("n")->pid;
	advance_past(1);
	ck_assert_state("n", ST_STOPPING);
	size_t kills_before = count(E_KILL, "n", SIGKILL);
	advance(9.95); /* t = 12.05 */
	ck_assert_msg(count(E_KILL, "n", SIGKILL) == kills_before,
		      "attempt 2 (pid %d) got SIGKILL %.2fs after its SIGTERM; stop-timeout is 10s",
		      (int)second, events[nevents - 1].t - 2.1);
	advance(0.1);
	ck_assert_uint_eq(count(E_KILL, "n", SIGKILL), kills_before + 1);
	teardown();
}
END_TEST

static Suite *supervise_suite(void)
{
	Suite *s = suite_create("supervise");
	TCase *tc;

	tc = tcase_create("backoff");
	tcase_add_test(tc, test_backoff_doubles_to_cap);
	tcase_add_test(tc, test_backoff_not_early);
	tcase_add_test(tc, test_backoff_cap_not_power_of_two);
	tcase_add_test(tc, test_backoff_delay_equals_max);
	tcase_add_test(tc, test_backoff_zero_delay);
	tcase_add_test(tc, test_backoff_default_values);
	tcase_add_test(tc, test_backoff_resets_after_long_ready);
	tcase_add_test(tc, test_backoff_ready_time_not_start_time);
	tcase_add_test(tc, test_backoff_never_ready_does_not_reset);
	tcase_add_test(tc, test_backoff_always_clean_exits);
	tcase_add_test(tc, test_backoff_manual_start_resets);
	tcase_add_test(tc, test_backoff_per_service);
	suite_add_tcase(s, tc);

	tc = tcase_create("start-limit");
	tcase_add_test(tc, test_limit_default_five_in_60s);
	tcase_add_test(tc, test_limit_burst_one);
	tcase_add_test(tc, test_limit_window_slides);
	tcase_add_test(tc, test_limit_spread_out_never_trips);
	tcase_add_test(tc, test_limit_only_failures_count);
	tcase_add_test(tc, test_limit_counts_ready_timeouts);
	tcase_add_test(tc, test_limit_counts_spawn_failures);
	tcase_add_test(tc, test_limit_none);
	tcase_add_test(tc, test_limit_manual_start_resets);
	tcase_add_test(tc, test_limit_restart_no_fails_at_once);
	suite_add_tcase(s, tc);

	tc = tcase_create("dependencies");
	tcase_add_test(tc, test_dependents_survive_backoff_then_fail_with_it);
	suite_add_tcase(s, tc);

	tc = tcase_create("regressions");
	tcase_add_test(tc, bug_stop_timer_after_ready_timeout);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(supervise_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
