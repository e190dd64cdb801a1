/* Signals: every signal muster acts on, blocked and read from one
 * signalfd, and what each one does.
 */
#include "signals.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "init.h"
#include "log.h"
#include "output.h"
#include "parse.h"
#include "reload.h"
#include "shutdown.h"

static struct supervisor *sup;
static bool main_cmd;           /* there is a main command (-- CMD) */
static bool zero_config;        /* -- CMD without a config: only its init */
static pid_t self;              /* our pid, to tell our own signals apart */
static ev_io w_signals;         /* the signalfd */

/* Zero-config init (-- CMD without a config): every catchable signal goes
 * to the main command.  With a config: SIGTERM and SIGINT stop the run,
 * SIGHUP reloads, SIGUSR1 reopens log files (without CMD), and the rest go
 * to the main command's process group when there is one. */
static void on_signal(int sig)
{
	if (init_signal(sig))
		return;
	switch (sig) {
	case SIGTERM:
	case SIGINT:
		shutdown_signal(signal_name(sig));
		return;
	case SIGHUP: {
		char *report = NULL;
		log_info("SIGHUP: reloading %s", sup->cfg->file);
		reload_run(&report);
		free(report);
		return;
	}
	case SIGUSR1:
		if (!main_cmd) {
			log_info("SIGUSR1: reopening log files");
			output_reopen_logs();
			return;
		}
		break;
	}
	init_forward(sig);
}

/* Every signal muster acts on is blocked and read from one signalfd: no
 * handler ever runs (so a child, even one sharing our memory before its
 * exec, never runs one), and a storm is read in batches. */
static void signalfd_cb(struct ev_loop *l, ev_io *w, int revents)
{
	struct signalfd_siginfo si[32];
	(void)revents;

	ssize_t n = read(w->fd, si, sizeof si);
	if (n <= 0)
		return;
	bool chld = false;
	for (size_t i = 0; i < (size_t)n / sizeof si[0]; i++) {
		if (si[i].ssi_signo == SIGCHLD)
			chld = true;
		else if (zero_config && (pid_t)si[i].ssi_pid == self &&
			 (si[i].ssi_code == SI_USER || si[i].ssi_code == SI_TKILL))
			continue; /* ours: a write's SIGPIPE or SIGXFSZ (it failed) */
		else
			on_signal((int)si[i].ssi_signo);
	}
	if (chld)
		init_reap();
}

/* Zero-config init: every signal another process can send us is blocked
 * and read, to go to the main command as it came, SIGPIPE, SIGTTIN and
 * SIGTTOU included (blocked, they are also ignored: our own writes fail
 * with EPIPE and our own tcsetpgrp() is let through), and the signals of a
 * fault too: one sent by kill(2) is read, one of a real fault is forced
 * on us by the kernel, blocked or not.  SIGKILL and SIGSTOP cannot be
 * caught; the C library keeps two real-time signals (sigaddset refuses
 * them). */
static void zero_config_set(sigset_t *set)
{
	sigemptyset(set);
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaddset(set, sig);
}

/* With a config, or without CMD: the signals muster acts on or forwards
 * are blocked; SIGPIPE, SIGTTIN and SIGTTOU are ignored. */
static void supervisor_set(sigset_t *set)
{
	static const int handled[] = {
		SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGALRM, SIGWINCH,
		SIGCONT, SIGTSTP, SIGURG, SIGVTALRM, SIGPROF, SIGXCPU, SIGXFSZ, SIGIO,
		SIGPWR, SIGSTKFLT,
	};
	/* Not handled: SIGKILL, SIGSTOP (cannot be); SIGCHLD (ours); SIGSEGV,
	 * SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGABRT, SIGSYS (faults of our own);
	 * SIGPIPE (ignored: our writes to a closed reader must fail with EPIPE,
	 * not kill us); SIGTTIN, SIGTTOU (ignored, below). */
	struct sigaction ign = { .sa_handler = SIG_IGN };
	sigemptyset(&ign.sa_mask);
	sigaction(SIGPIPE, &ign, NULL);
	/* giving the terminal to the main command and back must not stop us */
	sigaction(SIGTTIN, &ign, NULL);
	sigaction(SIGTTOU, &ign, NULL);

	sigemptyset(set);
	sigaddset(set, SIGCHLD);
	for (size_t i = 0; i < sizeof handled / sizeof handled[0]; i++)
		if (handled[i] != SIGTSTP || main_cmd) /* Ctrl-Z without CMD stops us */
			sigaddset(set, handled[i]);
	if (main_cmd)
		for (int sig = SIGRTMIN; sig <= SIGRTMAX; sig++)
			sigaddset(set, sig);
}

int signals_init(struct ev_loop *loop, struct supervisor *s, bool cmd, bool zero)
{
	sigset_t set;

	sup = s;
	main_cmd = cmd;
	zero_config = zero && cmd;
	self = getpid();
	if (zero_config)
		zero_config_set(&set);
	else
		supervisor_set(&set);
	sigprocmask(SIG_BLOCK, &set, NULL);
	int fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0) {
		log_error_errno("cannot create a signalfd");
		return -1;
	}
	ev_io_init(&w_signals, signalfd_cb, fd, EV_READ);
	ev_io_start(loop, &w_signals);
	return 0;
}
