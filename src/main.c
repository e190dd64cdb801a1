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
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "output.h"
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

static struct supervisor sup;
static struct ev_loop *loop;
static ev_signal w_sigterm, w_sigint, w_sighup, w_sigusr1, w_sigchld;
static ev_timer w_sweep;
static ev_tstamp shutdown_started;
static int exit_code;
static pid_t termed[1024];
static size_t ntermed;

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
		fprintf(stderr, "muster: %s: %zu error%s; nothing started\n", file, errs.n,
			errs.n == 1 ? "" : "s");
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
 * their process group (setsid, double fork).  SIGTERM each once, SIGKILL
 * after the graceful timeout; done when none is left. */
static void sweep_cb(struct ev_loop *l, ev_timer *w, int revents)
{
	pid_t pids[256];
	(void)w, (void)revents;
	size_t n = proc_children(pids, 256);

	if (n == 0) {
		ev_break(l, EVBREAK_ALL);
		return;
	}
	if (n > 256)
		n = 256;
	bool kill_now = sup.killing ||
			ev_now(l) >= shutdown_started + sup.cfg->graceful_timeout;
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

static void all_down(struct supervisor *s)
{
	(void)s;
	log_info("all services stopped");
	ev_timer_set(&w_sweep, 0, 0.01);
	ev_timer_start(loop, &w_sweep);
}

static ev_tstamp started_at;

static void all_up(struct supervisor *s)
{
	static bool said;
	if (!said && s->n)
		log_info("all %zu service%s up in %.3fs", s->n, s->n == 1 ? "" : "s",
			 ev_time() - started_at);
	said = true;
}

static void shutdown_now(const char *why)
{
	if (!sup.shutting_down)
		shutdown_started = ev_now(loop);
	sup_shutdown(&sup, why);
}

/* ---- signals ------------------------------------------------------- */

static void sigterm_cb(struct ev_loop *l, ev_signal *w, int revents)
{
	(void)l, (void)revents;
	const char *name = w->signum == SIGINT ? "SIGINT" : "SIGTERM";
	if (!sup.shutting_down) {
		char why[32];
		snprintf(why, sizeof why, "%s", name);
		shutdown_now(why);
		return;
	}
	log_warn("%s again: killing every process now", name);
	sup_kill_all(&sup);
}

static void sighup_cb(struct ev_loop *l, ev_signal *w, int revents)
{
	(void)l, (void)w, (void)revents;
	log_warn("SIGHUP: reload is not available in this version; nothing changed");
}

static void sigusr1_cb(struct ev_loop *l, ev_signal *w, int revents)
{
	(void)l, (void)w, (void)revents;
}

static void sigchld_cb(struct ev_loop *l, ev_signal *w, int revents)
{
	int status;
	pid_t pid;
	(void)l, (void)w, (void)revents;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		struct service *svc = sup_find_pid(&sup, pid);
		if (svc) {
			proc_exec_drain(svc);
			sup_child_exited(&sup, pid, status);
		} else {
			log_debug("reaped process %ld", (long)pid);
		}
	}
}

static void setup_signals(void)
{
	struct sigaction ign = { .sa_handler = SIG_IGN };
	sigemptyset(&ign.sa_mask);
	sigaction(SIGPIPE, &ign, NULL);

	ev_signal_init(&w_sigterm, sigterm_cb, SIGTERM);
	ev_signal_init(&w_sigint, sigterm_cb, SIGINT);
	ev_signal_init(&w_sighup, sighup_cb, SIGHUP);
	ev_signal_init(&w_sigusr1, sigusr1_cb, SIGUSR1);
	ev_signal_init(&w_sigchld, sigchld_cb, SIGCHLD);
	ev_signal_start(loop, &w_sigterm);
	ev_signal_start(loop, &w_sigint);
	ev_signal_start(loop, &w_sighup);
	ev_signal_start(loop, &w_sigusr1);
	ev_signal_start(loop, &w_sigchld);
	ev_timer_init(&w_sweep, sweep_cb, 0, 0.01);
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
	int w = 0;
	for (size_t i = 0; i < cfg->nservices; i++)
		if ((int)strlen(cfg->services[i].name) > w)
			w = (int)strlen(cfg->services[i].name);
	return w;
}

int main(int argc, char **argv)
{
	struct options opt = { 0 };
	static const struct sys_ops ops = {
		.spawn = proc_spawn,
		.kill_group = proc_kill_group,
	};

	parse_options(argc, argv, &opt);
	if (opt.check)
		return check(opt.config);

	struct config *cfg = opt.config ? load(opt.config) : config_empty();
	if (!cfg)
		return EX_CONFIG_;
	if (opt.cmd) {
		fprintf(stderr, "muster: running a main command (-- CMD) is not available in this "
				"version\n");
		config_free(cfg);
		return 1;
	}
	int lv = (cfg->log_level_set ? (int)cfg->log_level : LOG_INFO) + opt.verbosity;
	log_threshold = lv < LOG_ERROR ? LOG_ERROR : lv > LOG_DEBUG ? LOG_DEBUG : (enum log_level)lv;

	ensure_stdio();
	rlim_t nofile = raise_nofile();
	loop = ev_loop_new(EVFLAG_AUTO);
	if (!loop) {
		log_error("cannot create the event loop");
		return 1;
	}
	if (getpid() != 1 && prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		log_warn_errno("cannot become a child subreaper; orphans go to init");
	setup_signals();
	output_init(loop, cfg);
	output_set_width(name_width(cfg));
	proc_init(loop, nofile, cfg->log_prefix);
	if (sup_init(&sup, loop, cfg, &ops) < 0) {
		log_error("out of memory");
		return 1;
	}
	sup.on_all_down = all_down;
	sup.on_all_up = all_up;

	log_info("starting %zu service%s from %s", cfg->nservices,
		 cfg->nservices == 1 ? "" : "s", cfg->file);
	started_at = ev_time();
	sup_start_all(&sup);
	ev_run(loop, 0);

	exit_code = sup.exit_status;
	output_finish(cfg->graceful_timeout > 5 ? cfg->graceful_timeout : 5);
	sup_free(&sup);
	config_free(cfg);
	ev_loop_destroy(loop);
	return exit_code;
}
