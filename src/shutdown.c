/* Ending the run, in order and each step bounded: the main command, then
 * the services (service.c), then leftover processes (the sweep).
 */
#include "shutdown.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "init.h"
#include "log.h"
#include "notify.h"
#include "proc.h"

static struct ev_loop *loop;
static struct supervisor *sup;
static ev_timer w_sweep;
static pid_t termed[1024];
static size_t ntermed;

/* ---- services first, then whatever children are left ----------------- */

static bool was_termed(pid_t pid)
{
	for (size_t i = 0; i < ntermed; i++)
		if (termed[i] == pid)
			return true;
	return false;
}

/* Children left once every service is down: orphans of services that left
 * their process group (setsid, double fork).  Each gets SIGTERM once, then
 * SIGKILL at the graceful-timeout; done when none is left.  As PID 1 of a
 * namespace whose /proc is not its own (unshare without --mount-proc),
 * everything but us is ours: kill(-1) reaches it.  The sweep is bounded:
 * a process that survives SIGKILL for 5 s (stuck in the kernel) is left. */
#define SWEEP_GIVE_UP 5.0

static bool has_children(void)
{
	siginfo_t si = { 0 };
	return waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) == 0;
}

static void sweep_cb(struct ev_loop *l, ev_timer *w, int revents)
{
	static bool termed_all;
	pid_t pids[256];
	(void)w, (void)revents;

	if (!has_children()) {
		ev_break(l, EVBREAK_ALL);
		return;
	}
	static ev_tstamp killed_at;
	ev_tstamp now = ev_now(l);
	bool kill_now = sup->killing || now >= sup->deadline; /* set by sup_shutdown() */
	if (kill_now && !killed_at)
		killed_at = now;
	if (killed_at && now >= killed_at + SWEEP_GIVE_UP) {
		log_error("leftover processes survive SIGKILL; exiting without them");
		ev_break(l, EVBREAK_ALL);
		return;
	}
	size_t n = proc_children(pids, 256);
	if (n == (size_t)-1) {
		/* no usable /proc: as PID 1 every process here is ours */
		if (getpid() != 1)
			return; /* they can only be waited for */
		if (kill_now) {
			kill(-1, SIGKILL);
		} else if (!termed_all) {
			log_info("stopping leftover processes (SIGTERM)");
			kill(-1, SIGTERM);
			kill(-1, SIGCONT);
			termed_all = true;
		}
		return;
	}
	if (n > 256)
		n = 256;
	for (size_t i = 0; i < n; i++) {
		if (kill_now) {
			kill(pids[i], SIGKILL);
		} else if (!was_termed(pids[i])) {
			log_info("stopping leftover process %ld (SIGTERM)", (long)pids[i]);
			kill(pids[i], SIGTERM);
			kill(pids[i], SIGCONT);
			if (ntermed < sizeof termed / sizeof termed[0])
				termed[ntermed++] = pids[i];
		}
	}
}

/* Everything got SIGKILL: a process that still does not go (stuck in the
 * kernel) must not keep muster from exiting for ever. */
static ev_timer w_giveup;

static void giveup_cb(struct ev_loop *l, ev_timer *w, int revents)
{
	(void)w, (void)revents;
	log_error("%zu service%s survive SIGKILL; exiting without them", sup_running(sup),
		  sup_running(sup) == 1 ? "" : "s");
	ev_break(l, EVBREAK_ALL);
}

void shutdown_killing(struct supervisor *s)
{
	(void)s;
	ev_timer_init(&w_giveup, giveup_cb, SWEEP_GIVE_UP, 0);
	ev_timer_start(loop, &w_giveup);
}

void shutdown_all_down(struct supervisor *s)
{
	(void)s;
	log_info("all services stopped");
	ev_timer_stop(loop, &w_giveup);
	ev_timer_set(&w_sweep, 0, 0.01);
	ev_timer_start(loop, &w_sweep);
}

/* ---- stopping the run: the main command first, then the services ------ */

void shutdown_init(struct ev_loop *l, struct supervisor *s)
{
	loop = l;
	sup = s;
	ev_timer_init(&w_sweep, sweep_cb, 0, 0.01);
}

static bool started(void)
{
	return sup->shutting_down || init_stopping();
}

void shutdown_now(const char *why)
{
	if (started())
		return;
	sup->deadline = ev_now(loop) + sup->cfg->graceful_timeout;
	notify_manager("STOPPING=1\nSTATUS=stopping (%s)", why);
	if (init_stop(why, sup->cfg->graceful_timeout))
		return; /* the services stop once it has exited */
	sup_shutdown(sup, why);
}

void shutdown_requested(struct supervisor *s, const char *why)
{
	(void)s;
	shutdown_now(why);
}

void shutdown_signal(const char *signame)
{
	if (!started()) {
		shutdown_now(signame);
		return;
	}
	log_warn("%s again: killing every process now", signame);
	init_kill();
	if (!sup->shutting_down)
		sup_shutdown(sup, "killing");
	sup_kill_all(sup);
}
