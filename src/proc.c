/* Processes: spawning a service, its ready-check and the main command with
 * their session, descriptors, ids, limits and environment; leftover children.
 */
#include "proc.h"

#include <dirent.h>
#include <sched.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup.h"
#include "envfile.h"
#include "log.h"
#include "names.h"
#include "notify.h"
#include "output.h"

extern char **environ;

enum stage {
	STAGE_SETSID = 1, STAGE_STDIO, STAGE_RLIMIT, STAGE_CHDIR, STAGE_GROUP,
	STAGE_USER, STAGE_ENV, STAGE_EXEC, STAGE_NO_USER, STAGE_NO_GROUP,
	STAGE_NICE, STAGE_OOM, STAGE_NNP, STAGE_CGROUP,
	STAGE_LIMIT = 64,       /* + enum svc_limit: setrlimit of that limit */
};

struct report {
	int stage;
	int err;
};

/* What limits_apply() does in the child, resolved by limits_prepare(). */
struct limits {
	struct {
		int limit;      /* enum svc_limit */
		struct rlimit rl;
	} rl[SVC_NLIMITS];
	int nrl;
	bool nofile_set;        /* limit-nofile replaces muster's own reset */
	int nice;               /* SVC_NICE_UNSET: leave it */
	char oom[16];           /* "N\n" for oom_score_adj */
	size_t oom_len;         /* 0: leave it */
	bool nnp;
	int cgroup_fd;          /* the service's cgroup, for CLONE_INTO_CGROUP; -1 */
	char cgroup_procs[PATH_MAX]; /* its cgroup.procs; "": none */
	bool placed;            /* clone3 started the child in it: nothing to write */
};

static struct ev_loop *proc_loop;
static char child_stack[64 * 1024] __attribute__((aligned(16)));
/* The sanitizers and valgrind cannot follow a child on a borrowed stack
 * sharing our memory: there, services are started with a plain fork(). */
static bool spawn_by_fork;

static rlim_t child_nofile;
static bool prefix_output;
static void (*watch_ready_fd)(struct service *svc, int fd);

void proc_init(struct ev_loop *loop, rlim_t nofile_soft, bool prefix,
	       void (*ready_fd)(struct service *svc, int fd))
{
	const char *pre = getenv("LD_PRELOAD");
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
	spawn_by_fork = true;
#endif
	if (pre && strstr(pre, "/vgpreload_"))
		spawn_by_fork = true; /* running under valgrind */
	proc_loop = loop;
	child_nofile = nofile_soft;
	prefix_output = prefix;
	watch_ready_fd = ready_fd;
}

/* The daemon installs no signal handler (it reads a signalfd), so a child
 * has only the ignored signals to put back to their default, and the mask
 * to clear; exec resets nothing else that matters. */
void proc_reset_signals(void)
{
	static const int ignored[] = { SIGPIPE, SIGTTIN, SIGTTOU };
	struct sigaction sa = { .sa_handler = SIG_DFL };
	sigset_t none;

	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof ignored / sizeof ignored[0]; i++)
		sigaction(ignored[i], &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

void proc_cloexec_from(int from)
{
#ifdef CLOSE_RANGE_CLOEXEC
	if (close_range((unsigned)from, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return;
#endif
	DIR *d = opendir("/proc/self/fd");
	if (d) {
		int self = dirfd(d);
		struct dirent *e;
		while ((e = readdir(d))) {
			int fd = atoi(e->d_name);
			if (fd >= from && fd != self)
				fcntl(fd, F_SETFD, FD_CLOEXEC);
		}
		closedir(d);
		return;
	}
	struct rlimit rl;
	int max = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 65536 ? (int)rl.rlim_cur : 65536;
	for (int fd = from; fd < max; fd++)
		fcntl(fd, F_SETFD, FD_CLOEXEC);
}

/* ---- spawning --------------------------------------------------------
 *
 * A service is started with clone(CLONE_VM | CLONE_VFORK | CLONE_FILES):
 * no page tables are copied and the daemon waits only until the child has
 * exec'd.  Everything that allocates or reads files (environment, user and
 * groups) is prepared in the daemon first; the child makes system calls
 * only.  The child shares the daemon's descriptor table until its first
 * call, close_range(SLOT_END, ~0, CLOSE_RANGE_UNSHARE), which gives it a
 * table of its own holding only fds 0 to SLOT_END - 1: the cost does not
 * grow with the pipes the daemon holds for other services.  The pipes a
 * child needs are put into the reserved slots 3 to 6 just before the clone
 * (and /dev/null back just after).
 */

/* ---- containment and limits, in the child before exec ----------------
 *
 * limits_prepare() resolves in the daemon what limits_apply() does in the
 * child with system calls only: the service's cgroup (when clone3 did not
 * already start it there), its rlimits, nice, oom score and
 * no-new-privileges.  Every child made for a service (its process, its
 * ready-check, its hooks) goes through plan_prepare(), which calls
 * limits_prepare(): they all get the same.  Applied before the user
 * switch, as raising a limit or lowering a score needs the rights muster
 * has. */

static const struct {
	int resource;
	const char *name;
} rlimit_of[SVC_NLIMITS] = {
	[LIM_NOFILE] = { RLIMIT_NOFILE, "RLIMIT_NOFILE" },
	[LIM_NPROC] = { RLIMIT_NPROC, "RLIMIT_NPROC" },
	[LIM_CORE] = { RLIMIT_CORE, "RLIMIT_CORE" },
	[LIM_MEMLOCK] = { RLIMIT_MEMLOCK, "RLIMIT_MEMLOCK" },
	[LIM_STACK] = { RLIMIT_STACK, "RLIMIT_STACK" },
	[LIM_AS] = { RLIMIT_AS, "RLIMIT_AS" },
	[LIM_FSIZE] = { RLIMIT_FSIZE, "RLIMIT_FSIZE" },
	[LIM_CPU] = { RLIMIT_CPU, "RLIMIT_CPU" },
};

static rlim_t to_rlim(uint64_t v)
{
	return v == SVC_LIMIT_INFINITY ? RLIM_INFINITY : (rlim_t)v;
}

static void limits_prepare(struct limits *l, const struct svc_conf *c)
{
	memset(l, 0, sizeof *l);
	l->cgroup_fd = -1;
	for (int i = 0; i < SVC_NLIMITS; i++) {
		if (!c->limits[i].set)
			continue;
		l->rl[l->nrl].limit = i;
		l->rl[l->nrl].rl.rlim_cur = to_rlim(c->limits[i].soft);
		l->rl[l->nrl].rl.rlim_max = to_rlim(c->limits[i].hard);
		l->nrl++;
		if (i == LIM_NOFILE)
			l->nofile_set = true;
	}
	l->nice = c->nice;
	if (c->oom_score_adjust != SVC_OOM_UNSET)
		l->oom_len = (size_t)snprintf(l->oom, sizeof l->oom, "%d\n", c->oom_score_adjust);
	l->nnp = c->no_new_privileges;
}

/* Decimal pid into buf (no stdio in the child); returns the length. */
static size_t pid_text(pid_t pid, char *buf)
{
	char tmp[24];
	size_t n = 0, len = 0;
	unsigned long v = (unsigned long)pid;
	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10));
	while (n)
		buf[len++] = tmp[--n];
	buf[len++] = '\n';
	return len;
}

/* In the child: 0, or -1 with the stage that failed in *stage and errno. */
static int limits_apply(const struct limits *l, int *stage)
{
	if (l->cgroup_procs[0] && !l->placed) {
		char pid[24];
		size_t len = pid_text(getpid(), pid);
		int fd = open(l->cgroup_procs, O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, pid, len) != (ssize_t)len) {
			*stage = STAGE_CGROUP;
			return -1;
		}
		close(fd);
	}
	for (int i = 0; i < l->nrl; i++)
		if (setrlimit(rlimit_of[l->rl[i].limit].resource, &l->rl[i].rl) < 0) {
			*stage = STAGE_LIMIT + l->rl[i].limit;
			return -1;
		}
	if (l->nice != SVC_NICE_UNSET && setpriority(PRIO_PROCESS, 0, l->nice) < 0) {
		*stage = STAGE_NICE;
		return -1;
	}
	if (l->oom_len) {
		int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, l->oom, l->oom_len) != (ssize_t)l->oom_len) {
			*stage = STAGE_OOM;
			return -1;
		}
		close(fd);
	}
	if (l->nnp && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		*stage = STAGE_NNP;
		return -1;
	}
	return 0;
}

/* What the report of a failed stage says, or NULL when not a limit's. */
static const char *limits_stage(int stage, char *buf, size_t len)
{
	if (stage >= STAGE_LIMIT && stage < STAGE_LIMIT + SVC_NLIMITS)
		snprintf(buf, len, "setrlimit(%s)", rlimit_of[stage - STAGE_LIMIT].name);
	else if (stage == STAGE_NICE)
		snprintf(buf, len, "setpriority (nice)");
	else if (stage == STAGE_OOM)
		snprintf(buf, len, "oom_score_adj");
	else if (stage == STAGE_NNP)
		snprintf(buf, len, "prctl(PR_SET_NO_NEW_PRIVS)");
	else if (stage == STAGE_CGROUP)
		snprintf(buf, len, "its cgroup");
	else
		return NULL;
	return buf;
}

enum { SLOT_OUT = 3, SLOT_ERR, SLOT_EXEC, SLOT_READY, SLOT_END };
#define EXEC_MARK "x" 

struct plan {
	char **argv;
	char **envp;
	char *owned[8];         /* env strings made for this spawn */
	char *watchdog_pid;     /* "WATCHDOG_PID=" and room: the child writes its pid */
	bool out, err, ready;   /* the slots hold pipes for 1, 2, ready-fd */
	bool quiet;             /* 1 and 2 to /dev/null */
	bool main_cmd;          /* -- CMD: own process group, the daemon's stdio */
	bool tty;               /* ... and the terminal's foreground group */
	int ready_fd;
	bool set_ids;
	uid_t uid;
	gid_t gid;
	bool set_uid;
	gid_t groups[64];
	int ngroups;
	const char *dir;
	int umask;
	struct limits lim;
	int fail_stage, fail_err; /* known to fail before exec */
};

static int devnull = -1;

int proc_setup(void)
{
	/* nothing inherited reaches a service */
	proc_cloexec_from(3);
	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull < 0)
		return -1;
	for (int fd = SLOT_OUT; fd < SLOT_END; fd++) {
		if (fd == devnull || fcntl(fd, F_GETFD) >= 0) {
			int moved = fcntl(fd, F_DUPFD_CLOEXEC, SLOT_END);
			if (moved < 0)
				return -1;
			if (fd == devnull)
				devnull = moved;
			else
				close(fd);
		}
	}
	for (int fd = SLOT_OUT; fd < SLOT_END; fd++)
		if (dup3(devnull, fd, O_CLOEXEC) < 0)
			return -1;
	return 0;
}

static __attribute__((noreturn)) void child_fail(int fd, int stage, int err)
{
	struct report r = { stage, err };
	ssize_t w = write(fd, &r, sizeof r);
	(void)w;
	_exit(127);
}

/* execve argv[0], searching PATH (from env) when it has no '/'.  No
 * allocation: it may run in a child that shares the daemon's memory. */
static int exec_path(char **argv, char **env)
{
	if (strchr(argv[0], '/')) {
		execve(argv[0], argv, env);
		return errno;
	}
	const char *path = NULL;
	for (char **e = env; *e && !path; e++)
		if (!strncmp(*e, "PATH=", 5))
			path = *e + 5;
	if (!path)
		path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	int saved = ENOENT;
	char buf[PATH_MAX];
	for (const char *p = path;; p++) {
		const char *end = strchrnul(p, ':');
		int len = snprintf(buf, sizeof buf, "%.*s%s%s", (int)(end - p), p,
				   end == p ? "" : "/", argv[0]);
		if (len > 0 && (size_t)len < sizeof buf) {
			execve(buf, argv, env);
			if (errno != ENOENT && errno != ENOTDIR)
				saved = errno; /* e.g. EACCES: keep looking, report it */
		}
		if (!*end)
			break;
		p = end;
	}
	return saved;
}

/* In the child: its pid into "WATCHDOG_PID=", without libc's formatting. */
static void put_pid(char *s)
{
	char digits[24];
	int n = 0;
	unsigned long v = (unsigned long)getpid();
	do
		digits[n++] = (char)('0' + v % 10);
	while ((v /= 10) && n < (int)sizeof digits);
	s += strlen("WATCHDOG_PID=");
	while (n)
		*s++ = digits[--n];
	*s = '\0';
}

/* The child: system calls only (see above). */
static int child_main(void *arg)
{
	const struct plan *pl = arg;
	int errfd = -1, readyfd = -1;

	if (close_range(SLOT_END, ~0U, CLOSE_RANGE_UNSHARE) < 0)
		_exit(127);
	errfd = fcntl(SLOT_EXEC, F_DUPFD_CLOEXEC, SLOT_END);
	if (pl->ready && (readyfd = fcntl(SLOT_READY, F_DUPFD_CLOEXEC, SLOT_END)) < 0)
		child_fail(errfd, STAGE_STDIO, errno);
	proc_reset_signals();
	if (pl->main_cmd) {
		setpgid(0, 0);
		if (pl->tty) {
			/* take the terminal; SIGTTOU would stop a background group */
			sigset_t ttou, old;
			sigemptyset(&ttou);
			sigaddset(&ttou, SIGTTOU);
			sigprocmask(SIG_BLOCK, &ttou, &old);
			tcsetpgrp(STDIN_FILENO, getpid());
			sigprocmask(SIG_SETMASK, &old, NULL);
		}
	} else {
		if (setsid() < 0)
			child_fail(errfd, STAGE_SETSID, errno);
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (null < 0 || dup2(null, 0) < 0 ||
		    (pl->out && dup2(SLOT_OUT, 1) < 0) || (pl->err && dup2(SLOT_ERR, 2) < 0) ||
		    (pl->quiet && (dup2(null, 1) < 0 || dup2(null, 2) < 0)))
			child_fail(errfd, STAGE_STDIO, errno);
	}
	close_range(SLOT_OUT, SLOT_END - 1, 0);
	if (readyfd >= 0) {
		if (readyfd == pl->ready_fd ? fcntl(readyfd, F_SETFD, 0) < 0
					    : dup2(readyfd, pl->ready_fd) < 0)
			child_fail(errfd, STAGE_STDIO, errno);
	}
	if (pl->fail_stage)
		child_fail(errfd, pl->fail_stage, pl->fail_err);
	int stage;
	if (limits_apply(&pl->lim, &stage) < 0)
		child_fail(errfd, stage, errno);
	struct rlimit rl;
	if (!pl->lim.nofile_set && getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    rl.rlim_cur != child_nofile) {
		rl.rlim_cur = child_nofile;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			child_fail(errfd, STAGE_RLIMIT, errno);
	}
	if (pl->umask >= 0)
		umask((mode_t)pl->umask);
	if (pl->set_ids) {
		/* supplementary groups first, then the gid, then the uid */
		if (setgroups((size_t)pl->ngroups, pl->groups) < 0 &&
		    (getuid() == 0 || errno != EPERM))
			child_fail(errfd, STAGE_GROUP, errno);
		if (setgid(pl->gid) < 0)
			child_fail(errfd, STAGE_GROUP, errno);
		if (pl->set_uid && setuid(pl->uid) < 0)
			child_fail(errfd, STAGE_USER, errno);
	}
	if (pl->dir && chdir(pl->dir) < 0)
		child_fail(errfd, STAGE_CHDIR, errno);
	if (pl->watchdog_pid)
		put_pid(pl->watchdog_pid);
	/* "got this far": end-of-file without it means the child died before
	 * exec without a word (a signal, say), which is a failed start */
	if (write(errfd, EXEC_MARK, 1) != 1)
		child_fail(errfd, STAGE_STDIO, errno);
	int err = exec_path(pl->argv, pl->envp);
	if (pl->main_cmd) {
		/* the main command's status is the run's: as shells do */
		struct report r = { STAGE_EXEC, err };
		ssize_t w = write(errfd, &r, sizeof r);
		(void)w;
		_exit(err == ENOENT ? 127 : 126);
	}
	child_fail(errfd, STAGE_EXEC, err);
}

/* The daemon's environment (less what is meant for the daemon alone), the
 * user's HOME, USER and LOGNAME, NOTIFY_SOCKET for type = notify (and, for
 * the service's own process, with a watchdog: then WATCHDOG_USEC and
 * WATCHDOG_PID as systemd sets them), then the service's env, then more
 * (a hook's); a later KEY=VALUE replaces an earlier one, through a hash
 * table (an env-file may hold many thousands).  Strings made here go to
 * pl->owned. */
static char **child_env(struct plan *pl, const struct svc_conf *c, const struct passwd *pw,
			char *const *more, bool hook, bool main_process)
{
	struct envmap m = { 0 };
	char **owned = pl->owned;
	size_t n = 0, extra = 8, o = 0;
	bool dog = main_process && c->watchdog > 0;
	while (environ[n])
		n++;
	for (size_t i = 0; c->env && c->env[i]; i++)
		extra++;
	for (size_t i = 0; more && more[i]; i++)
		extra++;
	if (envmap_reserve(&m, n + extra)) /* then no envmap_put() fails */
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "NOTIFY_SOCKET=", 14) && strncmp(environ[i], "LISTEN_", 7) &&
		    strncmp(environ[i], "WATCHDOG_", 9) && strncmp(environ[i], "MUSTER_SOCKET=", 14))
			envmap_put(&m, environ[i], NULL);
	if (pw) {
		if (asprintf(&owned[o], "HOME=%s", pw->pw_dir) > 0)
			envmap_put(&m, owned[o++], NULL);
		if (asprintf(&owned[o], "USER=%s", pw->pw_name) > 0)
			envmap_put(&m, owned[o++], NULL);
		if (asprintf(&owned[o], "LOGNAME=%s", pw->pw_name) > 0)
			envmap_put(&m, owned[o++], NULL);
	}
	if ((c->type == TYPE_NOTIFY || dog) && !hook && notify_socket_path() &&
	    asprintf(&owned[o], "NOTIFY_SOCKET=%s", notify_socket_path()) > 0)
		envmap_put(&m, owned[o++], NULL);
	if (dog) {
		if (asprintf(&owned[o], "WATCHDOG_USEC=%llu",
			     (unsigned long long)(c->watchdog * 1e6 + 0.5)) > 0)
			envmap_put(&m, owned[o++], NULL);
		/* the pid is the child's: it writes it in before exec */
		if (asprintf(&owned[o], "WATCHDOG_PID=%-20s", "") > 0) {
			pl->watchdog_pid = owned[o];
			envmap_put(&m, owned[o++], NULL);
		}
	}
	for (size_t i = 0; c->env && c->env[i]; i++)
		envmap_put(&m, c->env[i], NULL);
	for (size_t i = 0; more && more[i]; i++)
		envmap_put(&m, more[i], NULL);
	char **env = m.v;
	free(m.slots);
	return env;
}

static void plan_free(struct plan *pl)
{
	if (pl->lim.cgroup_fd >= 0)
		close(pl->lim.cgroup_fd);
	pl->lim.cgroup_fd = -1;
	free(pl->envp);
	for (size_t i = 0; i < sizeof pl->owned / sizeof *pl->owned; i++)
		free(pl->owned[i]);
}

/* A service's children run in its cgroup (cgroup.c makes it).  When it
 * cannot be made: under cgroups = yes the child fails at that stage;
 * under auto it runs in muster's, with a warning. */
static void place_in_cgroup(struct plan *pl, const struct svc_conf *c)
{
	char err[256];
	int fd = cgroup_create(c, err, sizeof err);
	if (fd >= 0 && cgroup_procs_path(c->name, pl->lim.cgroup_procs, sizeof pl->lim.cgroup_procs)) {
		pl->lim.cgroup_fd = fd;
		return;
	}
	if (fd >= 0)
		close(fd);
	pl->lim.cgroup_procs[0] = '\0';
	if (cgroup_mode() == CGROUPS_YES) {
		log_error("%s: %s", c->name, err);
		pl->fail_stage = STAGE_CGROUP, pl->fail_err = errno ? errno : EPERM;
	} else {
		log_warn("%s: %s; it runs in muster's cgroup", c->name, err);
	}
}

/* Everything the child needs, resolved in the daemon.  A problem found
 * here (unknown user) is reported by the child, as any other failure. */
static int plan_prepare(struct plan *pl, const struct svc_conf *c, char **argv, char *const *more,
			bool hook, bool main_process)
{
	const struct passwd *pw = NULL;

	memset(pl, 0, sizeof *pl);
	pl->argv = argv;
	pl->dir = c->directory;
	pl->umask = c->umask;
	pl->ready_fd = c->ready_fd;
	limits_prepare(&pl->lim, c);
	if (c->name && cgroup_enabled())
		place_in_cgroup(pl, c);
	if (c->user) {
		errno = 0;
		pw = names_user(c->user);
		if (!pw) {
			pl->fail_stage = STAGE_NO_USER, pl->fail_err = errno;
		} else {
			pl->set_ids = pl->set_uid = true;
			pl->uid = pw->pw_uid;
			pl->gid = pw->pw_gid;
		}
	}
	if (c->group && !pl->fail_stage) {
		errno = 0;
		const struct group *gr = names_group(c->group);
		if (!gr) {
			pl->fail_stage = STAGE_NO_GROUP, pl->fail_err = errno;
		} else {
			pl->set_ids = true;
			pl->gid = gr->gr_gid;
		}
	}
	if (pl->set_ids && !pl->fail_stage) {
		pl->ngroups = 64;
		if (pw) {
			if (names_grouplist(pw->pw_name, pl->gid, pl->groups, &pl->ngroups) < 0)
				pl->ngroups = 64; /* more than 64: the first 64 */
		} else {
			pl->groups[0] = pl->gid;
			pl->ngroups = 1;
		}
	}
	pl->envp = child_env(pl, c, pw, more, hook, main_process);
	if (!pl->envp) {
		plan_free(pl);
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

/* ---- clone3 into the service's cgroup -------------------------------
 *
 * clone3(CLONE_INTO_CGROUP) starts the child in the service's cgroup, so
 * that not one instruction of it runs outside (without it, the child's
 * first step is writing its pid to cgroup.procs, still before exec).  It
 * shares our memory as clone(CLONE_VM | CLONE_VFORK) does; libc has no
 * clone3 that runs a function on another stack, so on x86-64 the child's
 * side is the few instructions below: call fn(arg) on the new stack, exit
 * with what it returns (it never returns: it execs or _exits).  Elsewhere,
 * or when the kernel refuses clone3, the cgroup.procs write it is. */

struct clone3_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
	uint64_t set_tid, set_tid_size, cgroup;
};
#define CLONE_INTO_CGROUP_ 0x200000000ULL

static bool clone3_refused;

#if defined(__x86_64__) && defined(SYS_clone3)
static long clone3_vm(struct clone3_args *ca, int (*fn)(void *), void *arg)
{
	long ret = SYS_clone3;
	register int (*r12)(void *) __asm__("r12") = fn;
	register void *r13 __asm__("r13") = arg;
	__asm__ volatile("syscall\n\t"
			 "test %%rax, %%rax\n\t"
			 "jnz 1f\n\t"
			 "xor %%ebp, %%ebp\n\t"
			 "mov %%r13, %%rdi\n\t"
			 "call *%%r12\n\t"
			 "mov %%eax, %%edi\n\t"
			 "mov $60, %%eax\n\t" /* SYS_exit */
			 "syscall\n\t"
			 "hlt\n"
			 "1:"
			 : "+a"(ret)
			 : "D"(ca), "S"(sizeof *ca), "r"(r12), "r"(r13)
			 : "rcx", "r11", "memory", "cc");
	return ret;
}

/* The child in its cgroup, or -1 with errno ENOSYS when clone3 cannot. */
static pid_t clone_into_cgroup(struct plan *pl)
{
	struct clone3_args ca = {
		.flags = CLONE_VM | CLONE_VFORK | CLONE_FILES | CLONE_INTO_CGROUP_,
		.exit_signal = SIGCHLD,
		.stack = (uint64_t)(uintptr_t)child_stack,
		.stack_size = sizeof child_stack,
		.cgroup = (uint64_t)pl->lim.cgroup_fd,
	};
	pl->lim.placed = true;
	long r = clone3_vm(&ca, child_main, pl);
	if (r >= 0)
		return (pid_t)r;
	pl->lim.placed = false;
	if (r == -ENOSYS || r == -E2BIG || r == -EINVAL)
		clone3_refused = true; /* no clone3 here: from now on, cgroup.procs */
	/* a failure clone would have too is one; another (the cgroup
	 * refused) is for the child's write to report */
	errno = r == -EAGAIN || r == -ENOMEM ? (int)-r : ENOSYS;
	return -1;
}
#else
static pid_t clone_into_cgroup(struct plan *pl)
{
	(void)pl;
	clone3_refused = true;
	errno = ENOSYS;
	return -1;
}
#endif

/* Put the pipes in their slots, clone, put /dev/null back. */
static pid_t plan_run(struct plan *pl, int out, int err, int execw, int ready)
{
	sigset_t all, old;

	if ((out >= 0 && dup2(out, SLOT_OUT) < 0) || (err >= 0 && dup2(err, SLOT_ERR) < 0) ||
	    (execw >= 0 && dup2(execw, SLOT_EXEC) < 0) ||
	    (ready >= 0 && dup2(ready, SLOT_READY) < 0))
		return -1;
	pl->out = out >= 0;
	pl->err = err >= 0;
	pl->ready = ready >= 0;
	/* no handler of ours may run in the child before it resets them */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	pid_t pid = -1;
	errno = ENOSYS;
	if (!spawn_by_fork && pl->lim.cgroup_fd >= 0 && !clone3_refused)
		pid = clone_into_cgroup(pl);
	if (pid >= 0 || errno != ENOSYS) {
		/* started in its cgroup, or clone3 failed as clone would */
	} else if (spawn_by_fork) {
		pid = fork();
		if (pid == 0)
			_exit(child_main(pl));
	} else {
		pid = clone(child_main, child_stack + sizeof child_stack,
			    CLONE_VM | CLONE_VFORK | CLONE_FILES | SIGCHLD, pl);
	}
	int e = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	for (int fd = SLOT_OUT; fd < SLOT_END; fd++)
		dup3(devnull, fd, O_CLOEXEC);
	errno = e;
	return pid;
}

/* ---- in the daemon --------------------------------------------------- */

static void exec_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop, (void)revents;
	struct service *svc = w->data;
	proc_exec_drain(svc);
}

/* What a child's report says, for a service c running prog. */
static void report_msg(const struct report *r, const struct svc_conf *c, const char *prog,
		       char *msg, size_t len)
{
	const char *e = strerror(r->err);
	char what[64];
	switch (r->stage) {
	case STAGE_EXEC:
		snprintf(msg, len, "cannot exec %s: %s", prog, e);
		break;
	case STAGE_CHDIR:
		snprintf(msg, len, "cannot change directory to %s: %s", c->directory, e);
		break;
	case STAGE_NO_USER:
		snprintf(msg, len, "unknown user '%s'%s%s", c->user, r->err ? ": " : "",
			 r->err ? e : "");
		break;
	case STAGE_NO_GROUP:
		snprintf(msg, len, "unknown group '%s'%s%s", c->group, r->err ? ": " : "",
			 r->err ? e : "");
		break;
	case STAGE_USER:
		snprintf(msg, len, "cannot switch to user %s: %s", c->user, e);
		break;
	case STAGE_GROUP:
		snprintf(msg, len, "cannot switch to group %s: %s", c->group ? c->group : c->user, e);
		break;
	default:
		if (limits_stage(r->stage, what, sizeof what)) {
			snprintf(msg, len, "cannot exec: %s: %s", what, e);
			break;
		}
		snprintf(msg, len, "cannot start: %s: %s",
			 r->stage == STAGE_SETSID ? "setsid" : r->stage == STAGE_STDIO ? "stdio" :
			 r->stage == STAGE_RLIMIT ? "setrlimit" : "environment", e);
	}
}

/* The exec-status pipe says, until end-of-file: nothing (the child died
 * before exec), the mark (it reached exec: success), or the mark and/or a
 * report (it failed at a stage).  Bytes are gathered until end-of-file. */
void proc_exec_drain(struct service *svc)
{
	struct report r;
	char msg[PATH_MAX + 128];
	const struct svc_conf *c = svc->conf;

	if (svc->exec_fd < 0)
		return;
	for (;;) {
		ssize_t n = read(svc->exec_fd, svc->exec_buf + svc->exec_len,
				 sizeof svc->exec_buf - svc->exec_len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return; /* more to come */
		if (n > 0 && svc->exec_len + (size_t)n < sizeof svc->exec_buf) {
			svc->exec_len += (size_t)n;
			continue;
		}
		break; /* end-of-file, an error, or more than any child says */
	}
	ev_io_stop(proc_loop, &svc->w_exec);
	close(svc->exec_fd);
	svc->exec_fd = -1;
	size_t len = svc->exec_len, off = len && svc->exec_buf[0] == EXEC_MARK[0];
	svc->exec_len = 0;
	if (len == 0) {
		sup_exec_result(svc, "died before it could run its program");
		return;
	}
	if (len - off != sizeof r) {
		sup_exec_result(svc, NULL); /* the mark alone: exec succeeded */
		return;
	}
	memcpy(&r, svc->exec_buf + off, sizeof r);
	report_msg(&r, c, c->argv[0], msg, sizeof msg);
	sup_exec_result(svc, msg);
}

static void close_pair(int p[2])
{
	for (int i = 0; i < 2; i++)
		if (p[i] >= 0) {
			close(p[i]);
			p[i] = -1;
		}
}

/* The child's ends of its output pipes are closed; the daemon's read as
 * the service's output. */
static void attach_output(const struct svc_conf *c, const struct plan *pl, int op[2], int xp[2])
{
	/* the log-file is the service's: opened with its rights; when its
	 * user or group is unknown it fails to start, and no file is opened
	 * for it */
	const struct file_owner owner = {
		.as_service = pl->set_ids, .uid = pl->set_uid ? pl->uid : geteuid(),
		.gid = pl->gid, .groups = pl->groups, .ngroups = pl->ngroups,
		.user = c->user, .group = c->group,
	};
	const char *log_file = pl->fail_stage == STAGE_NO_USER ||
			pl->fail_stage == STAGE_NO_GROUP ? NULL : c->log_file;
	close(op[1]);
	close(xp[1]);
	op[1] = xp[1] = -1;
	output_attach(c->name, op[0], 1, prefix_output, log_file, &owner);
	output_attach(c->name, xp[0], 2, prefix_output, log_file, &owner);
}

pid_t proc_spawn(struct service *svc, int *exec_fd)
{
	int ep[2] = { -1, -1 }, op[2] = { -1, -1 }, xp[2] = { -1, -1 }, rp[2] = { -1, -1 };
	const struct svc_conf *c = svc->conf;
	struct plan pl;

	*exec_fd = -1;
	if (!c->argv) {
		errno = EINVAL;
		return -1;
	}
	if (plan_prepare(&pl, c, c->argv, NULL, false, true) < 0)
		return -1;
	bool piped = prefix_output || c->log_file || c->ready_log; /* ready-log reads it */
	if (pipe2(ep, O_CLOEXEC) < 0 ||
	    (piped && (pipe2(op, O_CLOEXEC) < 0 || pipe2(xp, O_CLOEXEC) < 0)) ||
	    (c->ready_fd >= 0 && pipe2(rp, O_CLOEXEC) < 0))
		goto fail;
	pid_t pid = plan_run(&pl, op[1], xp[1], ep[1], rp[1]);
	if (pid < 0)
		goto fail;
	close(ep[1]);
	if (piped)
		attach_output(c, &pl, op, xp);
	plan_free(&pl);
	if (rp[0] >= 0) {
		close(rp[1]);
		fcntl(rp[0], F_SETFL, O_NONBLOCK);
		watch_ready_fd(svc, rp[0]);
	}
	fcntl(ep[0], F_SETFL, O_NONBLOCK);
	*exec_fd = ep[0];
	ev_io_init(&svc->w_exec, exec_cb, ep[0], EV_READ);
	svc->w_exec.data = svc;
	ev_io_start(proc_loop, &svc->w_exec);
	return pid;
fail:;
	int e = errno;
	plan_free(&pl);
	close_pair(ep), close_pair(op), close_pair(xp), close_pair(rp);
	errno = e;
	return -1;
}

/* A hook: as the service's own process (the same plan, the same output),
 * without its ready-fd and NOTIFY_SOCKET; its exec-status pipe is read
 * once it has exited (proc_hook_result). */
pid_t proc_spawn_hook(struct service *svc, char *const *argv, char *const *env, int *exec_fd)
{
	int ep[2] = { -1, -1 }, op[2] = { -1, -1 }, xp[2] = { -1, -1 };
	const struct svc_conf *c = svc->conf;
	struct plan pl;

	*exec_fd = -1;
	if (!argv || !argv[0]) {
		errno = EINVAL;
		return -1;
	}
	if (plan_prepare(&pl, c, (char **)argv, env, true, false) < 0)
		return -1;
	pl.ready_fd = -1;
	bool piped = prefix_output || c->log_file;
	if (pipe2(ep, O_CLOEXEC) < 0 ||
	    (piped && (pipe2(op, O_CLOEXEC) < 0 || pipe2(xp, O_CLOEXEC) < 0)))
		goto fail;
	pid_t pid = plan_run(&pl, op[1], xp[1], ep[1], -1);
	if (pid < 0)
		goto fail;
	close(ep[1]);
	if (piped)
		attach_output(c, &pl, op, xp);
	plan_free(&pl);
	fcntl(ep[0], F_SETFL, O_NONBLOCK);
	*exec_fd = ep[0];
	return pid;
fail:;
	int e = errno;
	plan_free(&pl);
	close_pair(ep), close_pair(op), close_pair(xp);
	errno = e;
	return -1;
}

bool proc_hook_result(struct service *svc, char *const *argv, char *msg, size_t len)
{
	unsigned char buf[16];
	struct report r;
	size_t n = 0;

	if (svc->hook_exec_fd < 0)
		return false;
	for (;;) {
		ssize_t k = read(svc->hook_exec_fd, buf + n, sizeof buf - n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0 || (n += (size_t)k) == sizeof buf)
			break;
	}
	size_t off = n && buf[0] == EXEC_MARK[0];
	if (n == 0) {
		snprintf(msg, len, "died before it could run its program");
		return true;
	}
	if (n - off != sizeof r)
		return false;
	memcpy(&r, buf + off, sizeof r);
	report_msg(&r, svc->conf, argv && argv[0] ? argv[0] : "?", msg, len);
	return true;
}

pid_t proc_spawn_check(struct service *svc, char **argv, int out, int *exec_fd)
{
	const struct svc_conf *c = svc->conf;
	struct plan pl;
	int ep[2];

	*exec_fd = -1;
	if (plan_prepare(&pl, c, argv, NULL, false, false) < 0)
		return -1;
	pl.quiet = out < 0;
	pl.ready_fd = -1;
	if (pipe2(ep, O_CLOEXEC) < 0) {
		plan_free(&pl);
		return -1;
	}
	pid_t pid = plan_run(&pl, out, out, ep[1], -1);
	int e = errno;
	plan_free(&pl);
	close(ep[1]);
	if (pid < 0) {
		close(ep[0]);
		errno = e;
		return -1;
	}
	*exec_fd = ep[0];
	return pid;
}

/* The main command keeps the daemon's session and stdio, in a process
 * group of its own (the terminal's foreground group when tty). */
pid_t proc_spawn_main(char **argv, bool tty, int *errfd)
{
	static const struct svc_conf none = {
		.umask = -1, .ready_fd = -1, .nice = SVC_NICE_UNSET, .oom_score_adjust = SVC_OOM_UNSET,
	};
	struct plan pl;
	int ep[2];

	if (plan_prepare(&pl, &none, argv, NULL, false, false) < 0)
		return -1;
	pl.main_cmd = true;
	pl.tty = tty;
	if (pipe2(ep, O_CLOEXEC) < 0) {
		plan_free(&pl);
		return -1;
	}
	pid_t pid = plan_run(&pl, -1, -1, ep[1], -1);
	int e = errno;
	plan_free(&pl);
	close(ep[1]);
	if (pid < 0) {
		close(ep[0]);
		errno = e;
		return -1;
	}
	setpgid(pid, pid); /* when forked: both sides, so neither races the other */
	*errfd = ep[0];
	return pid;
}

bool proc_main_exec_failed(int errfd, char **argv, char *msg, size_t len)
{
	unsigned char buf[16];
	struct report r;
	ssize_t n = read(errfd, buf, sizeof buf);
	close(errfd);
	size_t off = n > 0 && buf[0] == EXEC_MARK[0];
	if (n <= 0 || (size_t)n - off != sizeof r)
		return false;
	memcpy(&r, buf + off, sizeof r);
	snprintf(msg, len, "cannot exec %s: %s", argv[0], strerror(r.err));
	return true;
}

int proc_kill_group(pid_t pgid, int sig)
{
	if (pgid <= 1)
		return errno = EINVAL, -1;
	return kill(-pgid, sig);
}

int proc_kill_cgroup(struct service *svc, int sig)
{
	if (!cgroup_enabled())
		return errno = ENOENT, -1;
	return cgroup_signal(svc->conf->name, sig);
}

int proc_cgroup_populated(struct service *svc)
{
	return cgroup_enabled() ? cgroup_populated(svc->conf->name) : -1;
}

unsigned long proc_cgroup_oom_kills(struct service *svc)
{
	return cgroup_enabled() ? cgroup_oom_kills(svc->conf->name) : 0;
}

void proc_cgroup_release(struct service *svc)
{
	if (cgroup_enabled())
		cgroup_remove(svc->conf->name);
}

static size_t children_from_task(pid_t *pids, size_t max)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/self/task/%ld/children", (long)getpid());
	FILE *f = fopen(path, "re");
	if (!f)
		return (size_t)-1;
	size_t n = 0;
	long pid;
	while (fscanf(f, "%ld", &pid) == 1) {
		if (n < max)
			pids[n] = (pid_t)pid;
		n++;
	}
	fclose(f);
	return n;
}

bool proc_visible(void)
{
	char buf[32];
	ssize_t n = readlink("/proc/self", buf, sizeof buf - 1);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	return atol(buf) == (long)getpid();
}

size_t proc_children(pid_t *pids, size_t max)
{
	if (!proc_visible())
		return (size_t)-1;
	size_t n = children_from_task(pids, max);
	if (n != (size_t)-1)
		return n;
	/* no /proc/PID/task/TID/children: scan every process's parent */
	DIR *d = opendir("/proc");
	pid_t self = getpid();
	struct dirent *e;
	n = 0;
	while (d && (e = readdir(d))) {
		char path[300], buf[512];
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		ssize_t len = read(fd, buf, sizeof buf - 1);
		close(fd);
		if (len <= 0)
			continue;
		buf[len] = '\0';
		char *p = strrchr(buf, ')');
		long ppid;
		if (p && sscanf(p + 1, " %*c %ld", &ppid) == 1 && ppid == self) {
			if (n < max)
				pids[n] = (pid_t)atol(e->d_name);
			n++;
		}
	}
	if (d)
		closedir(d);
	return n;
}
