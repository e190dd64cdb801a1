/* muster: start a graph of services in order, keep them running, stop them
 * in reverse order.  main() is the table of contents: options, start-up in
 * order, the loop, exit; each step's work is in the file named for it.
 */
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cgroup.h"
#include "commands.h"
#include "config.h"
#include "control.h"
#include "init.h"
#include "log.h"
#include "notify.h"
#include "output.h"
#include "probe.h"
#include "progress.h"
#include "proc.h"
#include "reload.h"
#include "service.h"
#include "shutdown.h"
#include "signals.h"
#include "version.h"
#include "watchdog.h"

#define EX_USAGE_ 2

struct options {
	const char *config;     /* NULL: none */
	bool check;
	bool show_config;
	int verbosity;          /* -v minus -q */
	char **cmd;             /* after "--" */
};

static struct options opt;
static struct supervisor sup;
static struct ev_loop *loop;

static const char usage_text[] =
	"usage: muster [-c FILE] [-v|-q] [-- CMD [ARG...]]\n"
	"       muster --check | --show-config [-c FILE]\n"
	"       muster --help | --version\n"
	"\n"
	"Supervise the services of FILE: start them in dependency order, keep\n"
	"them running, stop them in reverse order on SIGTERM or SIGINT.\n"
	"\n"
	"  -c, --config FILE  the config (default: $MUSTER_CONFIG, else\n"
	"                     /etc/muster.ini; with -- CMD and neither, none)\n"
	"      --check        validate FILE, print the files read and the start\n"
	"                     plan, exit\n"
	"      --show-config  validate FILE, print the merged config (includes\n"
	"                     and overrides applied, values expanded), each\n"
	"                     value with the FILE:LINE it came from, exit\n"
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
		{ "show-config", no_argument, NULL, 'S' },
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
		case 'S': o->show_config = true; break;
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
	if (o->check && o->show_config)
		usage_error("%s", "--check and --show-config: choose one");
	if ((o->check || o->show_config) && o->cmd)
		usage_error("%s", o->check ? "--check takes no command" : "--show-config takes no command");
	if (!o->config)
		o->config = getenv("MUSTER_CONFIG");
	if (o->config && !*o->config)
		o->config = NULL;
	if (!o->config && !o->cmd)
		o->config = "/etc/muster.ini";
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

/* Zero-config init (-- CMD without a config): muster is only its init. */
static bool zero_config(void)
{
	return opt.cmd && !opt.config;
}

/* ---- what the supervisor reports --------------------------------- */

static void all_up(struct supervisor *s)
{
	progress_all_up(s);
	init_start();
}

static void state_changed(struct service *svc, enum svc_state old)
{
	(void)old;
	progress_state_changed(svc);
	commands_state_changed(svc);
	init_state_changed(svc);
}

static void service_removed(struct service *svc)
{
	output_service_gone(svc->conf->name);
}

/* ---- containment --------------------------------------------------- */

static void cgroup_changed(const char *name)
{
	struct service *svc = sup_find(&sup, name);
	if (svc)
		sup_cgroup_changed(svc);
}

/* cgroups = yes without a usable hierarchy, or with a limit whose
 * controller is missing: an error; auto: one line each.  0 or -1. */
static int setup_cgroups(const struct config *cfg)
{
	char err[PATH_MAX + 128];
	enum cgroups_mode mode = zero_config() && !getenv("MUSTER_CGROUP_ROOT") ? CGROUPS_NO
										: cfg->cgroups;
	if (cgroup_setup(mode, err, sizeof err) < 0) {
		log_error("cgroups = yes: %s", err);
		return -1;
	}
	if (err[0])
		log_info("cgroups: not used (%s); services run in process groups", err);
	else if (cgroup_enabled())
		log_debug("cgroups: services run in cgroups below %s", cgroup_base());
	int bad = 0;
	for (size_t i = 0; i < cfg->nservices; i++) {
		const struct svc_conf *c = &cfg->services[i];
		if (cgroup_check_limits(c, err, sizeof err) == 0)
			continue;
		if (mode == CGROUPS_YES) {
			log_error("%s: %s", c->name, err);
			bad++;
		} else {
			log_warn("%s: %s; the limit is not applied", c->name, err);
		}
	}
	return bad ? -1 : 0;
}

/* Startup failed after the output was set up: write what was said. */
static int fail_early(void)
{
	output_finish(1);
	cgroup_teardown();
	return 1;
}

static int final_status(void)
{
	if (sup.exit_status_set)
		return sup.exit_status; /* a critical service ended the run */
	return init_status();
}

int main(int argc, char **argv)
{
	static const struct sys_ops ops = {
		.spawn = proc_spawn,
		.kill_group = proc_kill_group,
		.kill_pid = kill,
		.start_probe = probe_start,
		.stop_probe = probe_stop,
		.start_health = probe_health_start,
		.stop_health = probe_health_stop,
		.kill_cgroup = proc_kill_cgroup,
		.cgroup_populated = proc_cgroup_populated,
		.cgroup_oom_kills = proc_cgroup_oom_kills,
		.cgroup_release = proc_cgroup_release,
		.spawn_hook = proc_spawn_hook,
	};

	parse_options(argc, argv, &opt);
	if (opt.check)
		return reload_check(opt.config);
	if (opt.show_config)
		return reload_show(opt.config);

	struct config *cfg = opt.config ? reload_load(opt.config) : config_empty();
	if (!cfg)
		return EX_CONFIG_;
	/* a tiny init is quiet unless asked: warnings and errors only */
	int base = cfg->log_level_set ? (int)cfg->log_level : zero_config() ? LOG_WARNING : LOG_INFO;
	int lv = base + opt.verbosity;
	log_threshold = lv < LOG_ERROR ? LOG_ERROR : lv > LOG_DEBUG ? LOG_DEBUG : (enum log_level)lv;
	log_json = cfg->log_format == LOG_FORMAT_JSON;

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
	init_setup(loop, &sup, opt.cmd, zero_config());
	shutdown_init(loop, &sup);
	if (signals_init(loop, &sup, opt.cmd != NULL, zero_config()) < 0)
		return 1;
	if (zero_config())
		cfg->log_prefix = false; /* a tiny init: the child's output is its own */
	if (!zero_config()) /* a tiny init has no output of its own to carry */
		output_init(loop, cfg);
	output_set_width(name_width(cfg));
	/* json: every line is muster's to write, whatever log-prefix says */
	proc_init(loop, nofile, cfg->log_prefix || cfg->log_format == LOG_FORMAT_JSON,
		  probe_watch_ready_fd);
	if (setup_cgroups(cfg) < 0) {
		fail_early();
		config_free(cfg);
		ev_loop_destroy(loop);
		return EX_CONFIG_;
	}
	cgroup_watch_init(loop, cgroup_changed);
	if (sup_init(&sup, loop, cfg, &ops) < 0) {
		log_error("out of memory");
		return fail_early();
	}
	/* control socket: first, so that a live muster on it stops us here */
	if (!zero_config() || getenv("MUSTER_SOCKET")) {
		static const struct command_hooks hooks = {
			.shutdown = shutdown_now,
			.reload = reload_run,
		};
		char *sock = control_socket_path(cfg->control_socket);
		if (!sock || control_init(loop, sock, command_table) < 0)
			return fail_early();
		free(sock);
		commands_init(loop, &sup, &hooks);
	}
	probe_init(loop);
	reload_init(loop, &sup, opt.config, opt.verbosity);
	/* the notify socket goes with the control socket (a reload may add a
	 * type = notify service at any time) */
	if ((!zero_config() || getenv("MUSTER_SOCKET") || reload_wants_notify(cfg)) &&
	    reload_open_notify(cfg) < 0) {
		control_close();
		return fail_early();
	}
	sup.on_all_down = shutdown_all_down;
	sup.on_killing = shutdown_killing;
	sup.on_all_up = all_up;
	sup.on_state = state_changed;
	sup.on_removed = service_removed;
	sup.request_shutdown = shutdown_requested;

	if (!zero_config())
		log_info("starting %zu service%s from %s", cfg->nservices,
			 cfg->nservices == 1 ? "" : "s", cfg->file);
	watchdog_start(loop);
	progress_start(&sup);
	sup_start_all(&sup);
	ev_run(loop, 0);

	int status = final_status();
	cfg = sup.cfg; /* a reload may have replaced it */
	notify_close();
	output_finish(cfg->graceful_timeout > 5 ? cfg->graceful_timeout : 5);
	control_close();
	commands_close();
	output_free();
	cgroup_teardown();
	/* The memory goes with the process: the services, their configs and
	 * the loop stay reachable from sup and loop to the end (no leak to a
	 * checker), and are not freed one block at a time (in a stop of 1000
	 * services that was 6% of the time from SIGTERM to our exit). */
	return status;
}
