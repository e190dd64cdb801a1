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
		else
			on_signal((int)si[i].ssi_signo);
	}
	if (chld)
		init_reap();
}

int signals_init(struct ev_loop *loop, struct supervisor *s, bool cmd)
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

	sup = s;
	main_cmd = cmd;
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	for (size_t i = 0; i < sizeof handled / sizeof handled[0]; i++)
		if (handled[i] != SIGTSTP || main_cmd) /* Ctrl-Z without CMD stops us */
			sigaddset(&set, handled[i]);
	if (main_cmd)
		for (int sig = SIGRTMIN; sig <= SIGRTMAX; sig++)
			sigaddset(&set, sig);
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
