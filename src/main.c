/* muster: start a graph of services in order, keep them running, stop them
 * in reverse order.  main() is the table of contents: options, config,
 * limits, the loop and its signals, start, run, shut down, exit.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "control.h"
#include "log.h"
#include "notify.h"
#include "output.h"
#include "parse.h"
#include "probe.h"
#include "proc.h"
#include "service.h"
#include "version.h"

#define EX_USAGE_ 2
#define EX_CONFIG_ 78

struct options {
	const char *config;     /* NULL: none */
	bool check;
	int verbosity;          /* -v minus -q */
	char **cmd;             /* after "--" */
};

static struct options opt;
static ev_tstamp started_at;
static struct supervisor sup;
static struct ev_loop *loop;
static ev_io w_signals;           /* the signalfd */
static ev_timer w_sweep;
static pid_t termed[1024];
static size_t ntermed;

/* The main command (-- CMD): started once every service is up; its exit
 * ends the run.  It is stopped first, before any service. */
static struct {
	pid_t pid;              /* 0: not running */
	int errfd;
	bool started, exited, tty;
	int status;
	bool failed_start;      /* a service failed before it could start */
	ev_timer w_kill;        /* graceful-timeout: SIGKILL */
} cmd = { .errfd = -1 };

static const char usage_text[] =
	"usage: muster [-c FILE] [-v|-q] [-- CMD [ARG...]]\n"
	"       muster --check [-c FILE]\n"
	"       muster --help | --version\n"
	"\n"
	"Supervise the services of FILE: start them in dependency order, keep\n"
	"them running, stop them in reverse order on SIGTERM or SIGINT.\n"
	"\n"
	"  -c, --config FILE  the config (default: $MUSTER_CONFIG, else\n"
	"                     /etc/muster.ini; with -- CMD and neither, none)\n"
	"      --check        validate FILE, print the start plan, exit\n"
	"  -v, --verbose      more messages (debug)\n"
	"  -q, --quiet        fewer messages (warnings and errors only; -qq errors)\n"
	"  -h, --help         this help\n"
	"  -V, --version      the version\n"
	"  -- CMD [ARG...]    run CMD once every service is ready; exit with its status\n"
	"\n"
	"Exit status: 0 stopped on request; CMD's or a critical service's status;\n"
	"1 failure; 2 usage; 78 configuration error.  See muster(8), muster.ini(5).\n";

static void usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "muster: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (see muster --help)\n");
	exit(EX_USAGE_);
}

static void parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, 'C' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:c:vqhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': o->config = optarg; break;
		case 'C': o->check = true; break;
		case 'v': o->verbosity++; break;
		case 'q': o->verbosity--; break;
		case 'h': fputs(usage_text, stdout); exit(0);
		case 'V': printf("muster %s\n", MUSTER_VERSION); exit(0);
		case ':': usage_error("option '%s' needs an argument", argv[optind - 1]); break;
		default:
			usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc) {
		if (strcmp(argv[optind - 1], "--"))
			usage_error("unexpected argument '%s'; a command goes after --", argv[optind]);
		o->cmd = &argv[optind];
	} else if (optind > 0 && !strcmp(argv[optind - 1], "--")) {
		usage_error("%s", "-- must be followed by a command");
	}
	if (o->check && o->cmd)
		usage_error("%s", "--check takes no command");
	if (!o->config)
		o->config = getenv("MUSTER_CONFIG");
	if (o->config && !*o->config)
		o->config = NULL;
	if (!o->config && !o->cmd)
		o->config = "/etc/muster.ini";
}

static struct config *load(const char *file)
{
	struct errlist errs = { 0 };
	struct config *cfg = config_load(file, &errs);
	for (size_t i = 0; i < errs.n; i++)
		fprintf(stderr, "%s\n", errs.msgs[i]);
	if (!cfg)
		fprintf(stderr, "muster: %s: %zu error%s%s\n", file, errs.n, errs.n == 1 ? "" : "s",
			opt.check ? "" : "; nothing started");
	errlist_free(&errs);
	return cfg;
}

static int check(const char *file)
{
	struct config *cfg = load(file);
	if (!cfg)
		return EX_CONFIG_;
	for (int lv = 0; lv < cfg->nlevels; lv++) {
		printf("level %d:", lv);
		for (size_t i = 0; i < cfg->nservices; i++)
			if (cfg->levels[i] == lv)
				printf(" %s", cfg->services[i].name);
		putchar('\n');
	}
	config_free(cfg);
	return 0;
}

/* ---- shutdown: services first, then whatever children are left -------- */

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
	bool kill_now = sup.killing || now >= sup.deadline; /* set by sup_shutdown() */
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
	log_error("%zu service%s survive SIGKILL; exiting without them", sup_running(&sup),
		  sup_running(&sup) == 1 ? "" : "s");
	ev_break(l, EVBREAK_ALL);
}

static void killing(struct supervisor *s)
{
	(void)s;
	ev_timer_init(&w_giveup, giveup_cb, SWEEP_GIVE_UP, 0);
	ev_timer_start(loop, &w_giveup);
}

static void all_down(struct supervisor *s)
{
	(void)s;
	log_info("all services stopped");
	ev_timer_stop(loop, &w_giveup);
	ev_timer_set(&w_sweep, 0, 0.01);
	ev_timer_start(loop, &w_sweep);
}


static void cmd_kill_cb(struct ev_loop *l, ev_timer *w, int revents)
{
	(void)l, (void)w, (void)revents;
	if (cmd.pid) {
		log_warn("main command still running at the graceful-timeout: sending SIGKILL");
		kill(-cmd.pid, SIGKILL);
	}
}

/* Stop the run: the main command first, then the services. */
static void shutdown_now(const char *why)
{
	if (sup.shutting_down || ev_is_active(&cmd.w_kill))
		return;
	sup.deadline = ev_now(loop) + sup.cfg->graceful_timeout;
	notify_manager("STOPPING=1\nSTATUS=stopping (%s)", why);
	if (cmd.pid) {
		log_info("stopping the main command (%s; SIGTERM to process group %ld)", why,
			 (long)cmd.pid);
		kill(-cmd.pid, SIGTERM);
		kill(-cmd.pid, SIGCONT);
		ev_timer_set(&cmd.w_kill, sup.cfg->graceful_timeout, 0);
		ev_timer_start(loop, &cmd.w_kill);
		return; /* the services stop once it has exited */
	}
	sup_shutdown(&sup, why);
}

static void request_shutdown(struct supervisor *s, const char *why)
{
	(void)s;
	shutdown_now(why);
}

static void start_cmd(void)
{
	cmd.started = true;
	cmd.tty = isatty(STDIN_FILENO) && tcgetpgrp(STDIN_FILENO) == getpgrp();
	cmd.pid = proc_spawn_main(opt.cmd, cmd.tty, &cmd.errfd);
	if (cmd.pid < 0) {
		log_error_errno("cannot start %s", opt.cmd[0]);
		cmd.pid = 0;
		cmd.exited = true;
		cmd.status = 127 << 8;
		shutdown_now("the main command could not start");
		return;
	}
	log_info("main command started: %s (pid %ld)", opt.cmd[0], (long)cmd.pid);
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
	if (cmd.errfd >= 0 && proc_main_exec_failed(cmd.errfd, opt.cmd, msg, sizeof msg))
		log_error("%s", msg);
	cmd.errfd = -1;
	log_info("main command exited with %s", wait_status_str(status, st, sizeof st));
	sup_shutdown(&sup, "main command exited");
}

static void all_up(struct supervisor *s)
{
	static bool said;
	size_t failed = 0;
	for (size_t i = 0; i < s->n; i++)
		failed += s->svcs[i]->state == ST_FAILED;
	if (!said && s->n && !failed)
		log_info("all %zu service%s up in %.3fs", s->n, s->n == 1 ? "" : "s",
			 ev_time() - started_at);
	else if (!said && failed)
		log_warn("started in %.3fs: %zu of %zu services up, %zu failed",
			 ev_time() - started_at, s->n - failed, s->n, failed);
	if (!said)
		notify_manager("READY=1\nSTATUS=running: %zu services%s", s->n - failed,
			       failed ? " (some failed: see musterctl status)" : "");
	said = true;
	if (opt.cmd && !cmd.started && !s->shutting_down)
		start_cmd();
}

static void state_changed(struct service *svc, enum svc_state old)
{
	static bool up_once;
	(void)old;
	if (!up_once && !sup.shutting_down && (svc->state == ST_READY || svc->state == ST_DONE)) {
		size_t ready = 0;
		for (size_t i = 0; i < sup.n; i++)
			ready += sup.svcs[i]->state == ST_READY || sup.svcs[i]->state == ST_DONE;
		notify_manager("STATUS=starting: %zu/%zu ready", ready, sup.n);
		up_once = ready == sup.n;
	}
	control_state_changed(svc);
	if (opt.cmd && !cmd.started && svc->state == ST_FAILED && !sup.shutting_down) {
		log_error("%s failed to start (%s): not running %s", svc->conf->name,
			  svc->reason ? svc->reason : "failed", opt.cmd[0]);
		cmd.failed_start = true;
		shutdown_now("a service failed to start");
	}
}

/* ---- signals ------------------------------------------------------- */

static bool needs_notify_socket(const struct config *cfg);
static int start_notify_socket(const struct config *cfg);

/* Re-read the config file and apply it.  On success *report says what
 * changed, one line per service; on failure it holds the errors. */
static int do_reload(char **report)
{
	struct errlist errs = { 0 };
	char err[160];
	size_t len = 0;

	*report = NULL;
	if (!opt.config) {
		*report = strdup("there is no config file to reload\n");
		return -1;
	}
	if (sup.shutting_down || sup.pending) {
		*report = strdup(sup.shutting_down ? "reload refused: shutting down\n"
						   : "reload refused: a reload is in progress\n");
		return -1;
	}
	struct config *ncfg = config_load(opt.config, &errs);
	if (!ncfg) {
		log_error("reload: %s has %zu error%s; nothing changed", opt.config, errs.n,
			  errs.n == 1 ? "" : "s");
		for (size_t i = 0; i < errs.n; i++) {
			log_error("%s", errs.msgs[i]);
			size_t n = strlen(errs.msgs[i]);
			char *p = realloc(*report, len + n + 2);
			if (!p)
				break;
			memcpy(p + len, errs.msgs[i], n);
			p[len + n] = '\n';
			p[len + n + 1] = '\0';
			len += n + 1;
			*report = p;
		}
		errlist_free(&errs);
		return -1;
	}
	errlist_free(&errs);
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	notify_manager("RELOADING=1\nMONOTONIC_USEC=%llu",
		       (unsigned long long)ts.tv_sec * 1000000ull + (unsigned long long)ts.tv_nsec / 1000);
	int lv = (ncfg->log_level_set ? (int)ncfg->log_level : LOG_INFO) + opt.verbosity;
	if (needs_notify_socket(ncfg) && !notify_socket_path() && start_notify_socket(ncfg) < 0)
		log_error("reload: no notify socket: type = notify services cannot report");
	if (sup_reload(&sup, ncfg, report, err, sizeof err) < 0) {
		log_error("reload refused: %s", err);
		free(*report);
		if (asprintf(report, "reload refused: %s\n", err) < 0)
			*report = NULL;
		notify_manager("READY=1");
		return -1;
	}
	log_threshold = lv < LOG_ERROR ? LOG_ERROR : lv > LOG_DEBUG ? LOG_DEBUG : (enum log_level)lv;
	output_configure(sup.cfg);
	for (char *line = *report, *nl; line && *line; line = nl + 1) {
		nl = strchrnul(line, '\n');
		log_info("reload: %.*s", (int)(nl - line), line);
		if (!*nl)
			break;
	}
	notify_manager("READY=1\nSTATUS=running: %zu services", sup.n);
	return 0;
}

/* Zero-config init (-- CMD without a config): every catchable signal goes
 * to the main command.  With a config: SIGTERM and SIGINT stop the run,
 * SIGHUP reloads, SIGUSR1 reopens log files (without CMD), and the rest go
 * to the main command's process group when there is one. */
static bool zero_config(void)
{
	return opt.cmd && !opt.config;
}

static void forward(int sig)
{
	if (cmd.pid) {
		log_debug("forwarding %s to the main command", signal_name(sig));
		kill(-cmd.pid, sig);
	}
}

static void on_signal(struct ev_loop *l, int sig)
{
	if (zero_config() && cmd.pid) {
		forward(sig);
		return;
	}
	switch (sig) {
	case SIGTERM:
	case SIGINT:
		if (!sup.shutting_down && !ev_is_active(&cmd.w_kill)) {
			shutdown_now(signal_name(sig));
			return;
		}
		log_warn("%s again: killing every process now", signal_name(sig));
		if (cmd.pid)
			kill(-cmd.pid, SIGKILL);
		if (!sup.shutting_down)
			sup_shutdown(&sup, "killing");
		sup_kill_all(&sup);
		return;
	case SIGHUP: {
		char *report = NULL;
		log_info("SIGHUP: reloading %s", sup.cfg->file);
		do_reload(&report);
		free(report);
		return;
	}
	case SIGUSR1:
		if (!opt.cmd) {
			log_info("SIGUSR1: reopening log files");
			output_reopen_logs();
			return;
		}
		break;
	}
	forward(sig);
}

static void reap_children(void)
{
	int status;
	pid_t pid;

	notify_read_pending();
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		struct service *svc = sup_find_pid(&sup, pid);
		if (svc) {
			proc_exec_drain(svc);
			sup_service_exited(svc, status);
		} else if (probe_reaped(pid, status)) {
			continue;
		} else if (pid == cmd.pid) {
			cmd_exited(status);
		} else {
			log_debug("reaped process %ld", (long)pid);
		}
	}
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
			on_signal(l, (int)si[i].ssi_signo);
	}
	if (chld)
		reap_children();
}

static void setup_signals(void)
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

	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	for (size_t i = 0; i < sizeof handled / sizeof handled[0]; i++)
		if (handled[i] != SIGTSTP || opt.cmd) /* Ctrl-Z without CMD stops us */
			sigaddset(&set, handled[i]);
	if (opt.cmd)
		for (int sig = SIGRTMIN; sig <= SIGRTMAX; sig++)
			sigaddset(&set, sig);
	sigprocmask(SIG_BLOCK, &set, NULL);
	int fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0) {
		log_error_errno("cannot create a signalfd");
		exit(1);
	}
	ev_io_init(&w_signals, signalfd_cb, fd, EV_READ);
	ev_io_start(loop, &w_signals);
	ev_timer_init(&w_sweep, sweep_cb, 0, 0.01);
	ev_timer_init(&cmd.w_kill, cmd_kill_cb, 0, 0);
}

/* ---- process setup ------------------------------------------------- */

/* Descriptors 0-2 must exist, or our pipes would take their numbers. */
static void ensure_stdio(void)
{
	for (int fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0) {
			int n = open("/dev/null", fd ? O_WRONLY : O_RDONLY);
			if (n >= 0 && n != fd) {
				dup2(n, fd);
				close(n);
			}
		}
}

/* Raise the soft RLIMIT_NOFILE to the hard limit; returns the old soft. */
static rlim_t raise_nofile(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return RLIM_INFINITY;
	rlim_t soft = rl.rlim_cur;
	if (rl.rlim_cur != rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			log_warn_errno("cannot raise the descriptor limit");
	}
	return soft;
}

static int name_width(const struct config *cfg)
{
	int w = cfg->log_prefix ? (int)strlen("muster") : 0;
	for (size_t i = 0; i < cfg->nservices; i++)
		if ((int)strlen(cfg->services[i].name) > w)
			w = (int)strlen(cfg->services[i].name);
	return w;
}

static ev_timer w_watchdog;

static void watchdog_cb(struct ev_loop *l, ev_timer *w, int revents)
{
	(void)l, (void)w, (void)revents;
	notify_manager("WATCHDOG=1");
}

/* $WATCHDOG_USEC (for us: $WATCHDOG_PID unset or ours): ping at half the
 * interval from the loop, so that a hung loop is noticed. */
static void start_watchdog(void)
{
	const char *usec = getenv("WATCHDOG_USEC"), *wpid = getenv("WATCHDOG_PID");
	if (!usec || !getenv("NOTIFY_SOCKET") || (wpid && atol(wpid) != (long)getpid()))
		return;
	double interval = atof(usec) / 1e6 / 2;
	if (interval <= 0)
		return;
	ev_timer_init(&w_watchdog, watchdog_cb, interval, interval);
	ev_timer_start(loop, &w_watchdog);
	log_debug("watchdog: pinging every %gs", interval);
}

static bool needs_notify_socket(const struct config *cfg)
{
	for (size_t i = 0; i < cfg->nservices; i++)
		if (cfg->services[i].type == TYPE_NOTIFY)
			return true;
	return false;
}

/* Services of type = notify report to "<control socket>.notify". */
static int start_notify_socket(const struct config *cfg)
{
	char *ctl = control_socket_path(cfg->control_socket), *path = NULL;
	if (!ctl || asprintf(&path, "%s.notify", ctl) < 0) {
		free(ctl);
		log_error("out of memory");
		return -1;
	}
	int r = notify_init(loop, &sup, path);
	free(ctl);
	free(path);
	return r;
}

/* Startup failed after the output was set up: write what was said. */
static int fail_early(void)
{
	output_finish(1);
	return 1;
}

static int final_status(void)
{
	if (sup.exit_status_set)
		return sup.exit_status; /* a critical service ended the run */
	if (!opt.cmd)
		return 0;
	if (cmd.failed_start)
		return 1;
	return cmd.started ? wait_status_code(cmd.status) : 0;
}

int main(int argc, char **argv)
{
	static const struct sys_ops ops = {
		.spawn = proc_spawn,
		.kill_group = proc_kill_group,
		.kill_pid = kill,
		.start_probe = probe_start,
		.stop_probe = probe_stop,
	};

	parse_options(argc, argv, &opt);
	if (opt.check)
		return check(opt.config);

	struct config *cfg = opt.config ? load(opt.config) : config_empty();
	if (!cfg)
		return EX_CONFIG_;
	/* a tiny init is quiet unless asked: warnings and errors only */
	int base = cfg->log_level_set ? (int)cfg->log_level : zero_config() ? LOG_WARNING : LOG_INFO;
	int lv = base + opt.verbosity;
	log_threshold = lv < LOG_ERROR ? LOG_ERROR : lv > LOG_DEBUG ? LOG_DEBUG : (enum log_level)lv;

	ensure_stdio();
	if (proc_setup() < 0) {
		log_error_errno("cannot reserve descriptors");
		return 1;
	}
	rlim_t nofile = raise_nofile();
	loop = ev_loop_new(EVFLAG_AUTO);
	if (!loop) {
		log_error("cannot create the event loop");
		return 1;
	}
	if (getpid() != 1 && prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		log_warn_errno("cannot become a child subreaper; orphans go to init");
	setup_signals();
	if (zero_config())
		cfg->log_prefix = false; /* a tiny init: the child's output is its own */
	if (!zero_config()) /* a tiny init has no output of its own to carry */
		output_init(loop, cfg);
	output_set_width(name_width(cfg));
	proc_init(loop, nofile, cfg->log_prefix);
	if (sup_init(&sup, loop, cfg, &ops) < 0) {
		log_error("out of memory");
		return fail_early();
	}
	/* control socket: first, so that a live muster on it stops us here */
	if (!zero_config() || getenv("MUSTER_SOCKET")) {
		static const struct control_hooks hooks = {
			.shutdown = shutdown_now,
			.reload = do_reload,
		};
		char *sock = control_socket_path(cfg->control_socket);
		if (!sock || control_init(loop, &sup, sock, &hooks) < 0)
			return fail_early();
		free(sock);
	}
	probe_init(loop);
	/* the notify socket goes with the control socket (a reload may add a
	 * type = notify service at any time) */
	if ((!zero_config() || getenv("MUSTER_SOCKET") || needs_notify_socket(cfg)) &&
	    start_notify_socket(cfg) < 0) {
		control_close();
		return fail_early();
	}
	sup.on_all_down = all_down;
	sup.on_killing = killing;
	sup.on_all_up = all_up;
	sup.on_state = state_changed;
	sup.request_shutdown = request_shutdown;

	if (!zero_config())
		log_info("starting %zu service%s from %s", cfg->nservices,
			 cfg->nservices == 1 ? "" : "s", cfg->file);
	start_watchdog();
	notify_manager("STATUS=starting: 0/%zu ready", cfg->nservices);
	started_at = ev_time();
	sup_start_all(&sup);
	ev_run(loop, 0);

	int status = final_status();
	cfg = sup.cfg; /* a reload may have replaced it */
	notify_close();
	output_finish(cfg->graceful_timeout > 5 ? cfg->graceful_timeout : 5);
	control_close();
	sup_free(&sup);
	config_free(cfg);
	ev_loop_destroy(loop);
	return status;
}
