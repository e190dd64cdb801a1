/* Being an init: the main command (-- CMD), started once every service is
 * up and stopped first; signals forwarded to it; every child reaped.
 */
#include "init.h"

#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "notify.h"
#include "parse.h"
#include "probe.h"
#include "proc.h"

static struct ev_loop *loop;
static struct supervisor *sup;
static bool zero_config;        /* no config file: muster is only CMD's init */

/* The main command (-- CMD): started once every service is up; its exit
 * ends the run.  It is stopped first, before any service. */
static struct {
	char **argv;            /* NULL: there is none */
	pid_t pid;              /* 0: not running */
	int errfd;
	bool started, exited, tty;
	int status;
	bool failed_start;      /* a service failed before it could start */
	ev_timer w_kill;        /* graceful-timeout: SIGKILL */
} cmd = { .errfd = -1 };

static void cmd_kill_cb(struct ev_loop *l, ev_timer *w, int revents)
{
	(void)l, (void)w, (void)revents;
	if (cmd.pid) {
		log_warn("main command still running at the graceful-timeout: sending SIGKILL");
		kill(-cmd.pid, SIGKILL);
	}
}

void init_setup(struct ev_loop *l, struct supervisor *s, char **argv, bool zero)
{
	loop = l;
	sup = s;
	zero_config = zero;
	cmd.argv = argv;
	ev_timer_init(&cmd.w_kill, cmd_kill_cb, 0, 0);
}

void init_start(void)
{
	if (!cmd.argv || cmd.started || sup->shutting_down)
		return;
	cmd.started = true;
	cmd.tty = isatty(STDIN_FILENO) && tcgetpgrp(STDIN_FILENO) == getpgrp();
	cmd.pid = proc_spawn_main(cmd.argv, cmd.tty, &cmd.errfd);
	if (cmd.pid < 0) {
		log_error_errno("cannot start %s", cmd.argv[0]);
		cmd.pid = 0;
		cmd.exited = true;
		cmd.status = 127 << 8;
		sup->request_shutdown(sup, "the main command could not start");
		return;
	}
	log_info("main command started: %s (pid %ld)", cmd.argv[0], (long)cmd.pid);
}

static void cmd_exited(int status)
{
	char msg[600], st[32];

	cmd.pid = 0;
	cmd.exited = true;
	cmd.status = status;
	ev_timer_stop(loop, &cmd.w_kill);
	if (cmd.tty)
		tcsetpgrp(STDIN_FILENO, getpgrp()); /* take the terminal back */
	if (cmd.errfd >= 0 && proc_main_exec_failed(cmd.errfd, cmd.argv, msg, sizeof msg))
		log_error("%s", msg);
	cmd.errfd = -1;
	log_info("main command exited with %s", wait_status_str(status, st, sizeof st));
	sup_shutdown(sup, "main command exited");
}

void init_state_changed(const struct service *svc)
{
	if (cmd.argv && !cmd.started && svc->state == ST_FAILED && !sup->shutting_down) {
		log_error("%s failed to start (%s): not running %s", svc->conf->name,
			  svc->reason ? svc->reason : "failed", cmd.argv[0]);
		cmd.failed_start = true;
		sup->request_shutdown(sup, "a service failed to start");
	}
}

void init_forward(int sig)
{
	if (cmd.pid) {
		log_debug("forwarding %s to the main command", signal_name(sig));
		kill(-cmd.pid, sig);
	}
}

bool init_signal(int sig)
{
	if (!zero_config || !cmd.pid)
		return false;
	init_forward(sig);
	return true;
}

bool init_stop(const char *why, double timeout)
{
	if (!cmd.pid)
		return false;
	log_info("stopping the main command (%s; SIGTERM to process group %ld)", why,
		 (long)cmd.pid);
	kill(-cmd.pid, SIGTERM);
	kill(-cmd.pid, SIGCONT);
	ev_timer_set(&cmd.w_kill, timeout, 0);
	ev_timer_start(loop, &cmd.w_kill);
	return true;
}

bool init_stopping(void)
{
	return ev_is_active(&cmd.w_kill);
}

void init_kill(void)
{
	if (cmd.pid)
		kill(-cmd.pid, SIGKILL);
}

void init_reap(void)
{
	int status;
	pid_t pid;

	notify_read_pending();
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		struct service *svc = sup_find_pid(sup, pid);
		if (svc) {
			proc_exec_drain(svc);
			sup_service_exited(svc, status);
		} else if ((svc = sup_find_hook(sup, pid))) {
			char msg[4200];
			char *const *argv = sup_hook_argv(svc->conf, svc->hook);
			bool failed = proc_hook_result(svc, argv, msg, sizeof msg);
			sup_hook_exited(svc, status, failed ? msg : NULL);
		} else if (probe_reaped(pid, status)) {
			continue;
		} else if (pid == cmd.pid) {
			cmd_exited(status);
		} else {
			log_debug("reaped process %ld", (long)pid);
		}
	}
}

int init_status(void)
{
	if (!cmd.argv)
		return 0;
	if (cmd.failed_start)
		return 1;
	return cmd.started ? wait_status_code(cmd.status) : 0;
}
