/* cgroup v2: muster's own cgroup and one per service; limits, kill, events.
 * Every path below the base is made here.  See cgroup.h.
 */
#include "cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "log.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

static char *test_root;         /* cgroup_set_root() */
static char base[PATH_MAX];     /* "" when not enabled */
static char made_base[PATH_MAX]; /* BASE/muster-PID when we made it, else "" */
static char parent_of_made[PATH_MAX];
static bool enabled, fake;      /* fake: a plain directory tree */
static enum cgroups_mode mode_ = CGROUPS_NO;
static unsigned enabled_ctl;    /* controllers we enabled in base's subtree_control */
static bool memory_on;          /* the services' cgroups have memory.events */

static const char *const controllers[] = { "memory", "pids", "cpu" };
enum { CTL_MEMORY = 1, CTL_PIDS = 2, CTL_CPU = 4 };

void cgroup_set_root(const char *dir)
{
	free(test_root);
	test_root = dir ? strdup(dir) : NULL;
}

bool cgroup_enabled(void)
{
	return enabled;
}

enum cgroups_mode cgroup_mode(void)
{
	return mode_;
}

const char *cgroup_base(void)
{
	return base;
}

/* ---- files ----------------------------------------------------------- */

/* DIR/NAME[.service]/FILE into buf; NULL name: the base itself. */
static const char *path_of(char *buf, size_t len, const char *name, const char *file)
{
	int n = name ? snprintf(buf, len, "%s/%s.service%s%s", base, name, file ? "/" : "",
				file ? file : "")
		     : snprintf(buf, len, "%s%s%s", base, file ? "/" : "", file ? file : "");
	if (n < 0 || (size_t)n >= len) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	return buf;
}

static int write_file(const char *path, const char *text)
{
	/* a fake tree has no kernel to make the interface files */
	int fd = open(path, O_WRONLY | O_CLOEXEC | (fake ? O_CREAT | O_APPEND : 0), 0644);
	if (fd < 0)
		return -1;
	size_t len = strlen(text);
	ssize_t w = write(fd, text, len);
	int e = errno;
	close(fd);
	if (w != (ssize_t)len) {
		errno = w < 0 ? e : EIO;
		return -1;
	}
	return 0;
}

/* The file's first len - 1 bytes, NUL-terminated; its length or -1. */
static ssize_t read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t got = 0;
	while (got < len - 1) {
		size_t want = len - 1 - got;
		ssize_t n = read(fd, buf + got, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
		if ((size_t)n < want)
			break; /* a short read of a regular file is its end: no read more for EOF */
	}
	close(fd);
	buf[got] = '\0';
	return (ssize_t)got;
}

/* The value of "KEY N" in a flat-keyed file (cgroup.events, memory.events). */
static long keyed_value(const char *path, const char *key)
{
	char buf[1024];
	if (read_file(path, buf, sizeof buf) < 0)
		return -1;
	size_t klen = strlen(key);
	for (char *p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, key, klen) && p[klen] == ' ')
			return strtol(p + klen + 1, NULL, 10);
	return -1;
}

/* Each pid in a cgroup.procs file, to fn; returns how many. */
static long each_pid(const char *path, int (*fn)(pid_t pid, void *arg), void *arg)
{
	/* read(2) straight into a buffer: no stdio (an fstat and a buffer a
	 * call), as this is read at every stop of every service */
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	char buf[4096];
	long n = 0, pid = -1;
	bool stop = false;
	for (ssize_t got; !stop;) {
		got = read(fd, buf, sizeof buf);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		for (ssize_t i = 0; i < got && !stop; i++) {
			if (buf[i] >= '0' && buf[i] <= '9') {
				pid = (pid < 0 ? 0 : pid * 10) + (buf[i] - '0');
			} else if (pid >= 0) {
				n++;
				stop = fn && fn((pid_t)pid, arg);
				pid = -1;
			}
		}
	}
	if (!stop && pid >= 0) {
		n++;
		if (fn)
			fn((pid_t)pid, arg);
	}
	close(fd);
	return n;
}

/* ---- discovery ------------------------------------------------------- */

/* "0::PATH" of /proc/self/cgroup into buf. */
static int own_cgroup(char *buf, size_t len)
{
	char line[PATH_MAX + 16];
	FILE *f = fopen("/proc/self/cgroup", "re");
	int r = -1;
	if (!f)
		return -1;
	while (fgets(line, sizeof line, f))
		if (!strncmp(line, "0::", 3)) {
			size_t n = strcspn(line + 3, "\n");
			if (n >= len)
				break;
			memcpy(buf, line + 3, n);
			buf[n] = '\0';
			r = 0;
			break;
		}
	fclose(f);
	return r;
}

/* The directory of our cgroup: the cgroup2 mount whose root holds it, and
 * the rest of the path below that root.  (mountinfo: ID PARENT DEV ROOT
 * MOUNTPOINT OPTIONS [TAGS] - FSTYPE SOURCE SUPEROPTIONS.) */
static int find_own_dir(char *dir, size_t len, char *why, size_t wlen)
{
	char cg[PATH_MAX], line[2 * PATH_MAX];
	if (own_cgroup(cg, sizeof cg) < 0) {
		snprintf(why, wlen, "/proc/self/cgroup names no cgroup v2 path");
		return -1;
	}
	FILE *f = fopen("/proc/self/mountinfo", "re");
	if (!f) {
		snprintf(why, wlen, "cannot read /proc/self/mountinfo: %s", strerror(errno));
		return -1;
	}
	int found = -1;
	while (found < 0 && fgets(line, sizeof line, f)) {
		char root[PATH_MAX], mnt[PATH_MAX];
		const char *sep = strstr(line, " - ");
		if (!sep || strncmp(sep, " - cgroup2 ", 11))
			continue;
		if (sscanf(line, "%*s %*s %*s %4095s %4095s", root, mnt) != 2)
			continue;
		size_t rl = strcmp(root, "/") ? strlen(root) : 0;
		if (strncmp(cg, root, rl) || (cg[rl] != '/' && cg[rl] != '\0'))
			continue; /* our cgroup is not below this mount's root */
		int n = snprintf(dir, len, "%s%s", mnt, cg + rl);
		if (n > 0 && (size_t)n < len) {
			size_t dl = strlen(dir);
			if (dl > 1 && dir[dl - 1] == '/')
				dir[dl - 1] = '\0';
			found = 0;
		}
	}
	fclose(f);
	if (found < 0)
		snprintf(why, wlen, "no cgroup v2 hierarchy is mounted that holds muster's cgroup %s",
			 cg);
	return found;
}

static int other_pid(pid_t pid, void *arg)
{
	(void)arg;
	return pid != getpid();
}

/* Does the cgroup at dir hold processes other than us? */
static bool shared_cgroup(const char *dir)
{
	char p[PATH_MAX + 16];
	snprintf(p, sizeof p, "%s/cgroup.procs", dir);
	FILE *f = fopen(p, "re");
	long pid;
	bool other = false;
	if (!f)
		return false;
	while (!other && fscanf(f, "%ld", &pid) == 1)
		other = other_pid((pid_t)pid, NULL);
	fclose(f);
	return other;
}

static int enable_controller(unsigned bit, const char *name)
{
	char p[PATH_MAX], text[32];
	if (enabled_ctl & bit)
		return 0;
	if (!path_of(p, sizeof p, NULL, "cgroup.subtree_control"))
		return -1;
	snprintf(text, sizeof text, "+%s", name);
	if (write_file(p, text) < 0)
		return -1;
	enabled_ctl |= bit;
	memory_on |= bit == CTL_MEMORY;
	return 0;
}

/* Is the memory controller on for the base's children (so that they
 * have memory.events)?  Read once: it is muster's base, and muster
 * enables what it needs itself. */
static bool subtree_has_memory(void)
{
	char p[PATH_MAX], buf[512];
	if (!path_of(p, sizeof p, NULL, "cgroup.subtree_control") || read_file(p, buf, sizeof buf) < 0)
		return false;
	for (char *w = strtok(buf, " +\n"); w; w = strtok(NULL, " +\n"))
		if (!strcmp(w, "memory"))
			return true;
	return false;
}

bool cgroup_has_controller(const char *name)
{
	char p[PATH_MAX], buf[512];
	if (!enabled || !path_of(p, sizeof p, NULL, "cgroup.controllers") ||
	    read_file(p, buf, sizeof buf) < 0)
		return false;
	size_t n = strlen(name);
	for (char *w = strtok(buf, " \n"); w; w = strtok(NULL, " \n"))
		if (strlen(w) == n && !strncmp(w, name, n))
			return true;
	return false;
}

static int remove_dir(const char *dir);

/* The bases muster-PID of musters that died without removing them (killed
 * by SIGKILL): a live muster never leaves its leaf, so an empty leaf means
 * its owner is gone; what is empty below it is removed, then the base. */
static void remove_stale(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[PATH_MAX + 300], q[2 * PATH_MAX];
	while (d && (e = readdir(d))) {
		if (e->d_type != DT_DIR || strncmp(e->d_name, "muster-", 7))
			continue;
		snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
		snprintf(q, sizeof q, "%s/muster/cgroup.procs", p);
		char buf[16];
		if (read_file(q, buf, sizeof buf) != 0)
			continue; /* its muster lives (or it is no base of ours) */
		DIR *sub = opendir(p);
		struct dirent *f;
		while (sub && (f = readdir(sub)))
			if (f->d_type == DT_DIR && f->d_name[0] != '.') {
				snprintf(q, sizeof q, "%s/%s", p, f->d_name);
				remove_dir(q);
			}
		if (sub)
			closedir(sub);
		remove_dir(p);
	}
	if (d)
		closedir(d);
}

int cgroup_setup(enum cgroups_mode mode, char *err, size_t len)
{
	char dir[PATH_MAX], p[PATH_MAX + 32];
	struct statfs sf;

	mode_ = mode;
	err[0] = '\0';
	if (mode == CGROUPS_NO)
		return 0;
	const char *env = getenv("MUSTER_CGROUP_ROOT");
	if (test_root || (env && *env)) {
		snprintf(dir, sizeof dir, "%s", test_root ? test_root : env);
	} else if (find_own_dir(dir, sizeof dir, err, len) < 0) {
		return mode == CGROUPS_YES ? -1 : 0;
	}
	if (statfs(dir, &sf) < 0) {
		snprintf(err, len, "%s: %s", dir, strerror(errno));
		return mode == CGROUPS_YES ? -1 : 0;
	}
	/* only a root we were pointed at may be a plain directory tree */
	fake = sf.f_type != CGROUP2_SUPER_MAGIC;
	bool pointed = test_root || (env && *env);
	if (fake && !pointed) {
		snprintf(err, len, "%s is not a cgroup v2 hierarchy (another file system is mounted "
			 "over it)", dir);
		return mode == CGROUPS_YES ? -1 : 0;
	}
	snprintf(p, sizeof p, "%s/cgroup.procs", dir);
	if (!fake && access(p, W_OK) < 0) {
		snprintf(err, len, "the cgroup v2 hierarchy at %s is not writable (%s)", dir,
			 strerror(errno));
		return mode == CGROUPS_YES ? -1 : 0;
	}
	/* not delegated to us alone: a base of our own below it */
	if (shared_cgroup(dir)) {
		remove_stale(dir);
		snprintf(parent_of_made, sizeof parent_of_made, "%s", dir);
		/* a name nobody holds (PIDs repeat across PID namespaces) */
		int n = -1, r = -1;
		for (int i = 0; r < 0 && i < 1000; i++) {
			n = i ? snprintf(made_base, sizeof made_base, "%s/muster-%ld.%d", dir,
					 (long)getpid(), i)
			      : snprintf(made_base, sizeof made_base, "%s/muster-%ld", dir, (long)getpid());
			if (n < 0 || (size_t)n >= sizeof made_base)
				break;
			r = mkdir(made_base, 0755);
			if (r < 0 && errno != EEXIST)
				break;
		}
		if (r < 0) {
			snprintf(err, len, "cannot make a cgroup below %s: %s", dir, strerror(errno));
			made_base[0] = '\0';
			return mode == CGROUPS_YES ? -1 : 0;
		}
		snprintf(dir, sizeof dir, "%s", made_base);
	}
	snprintf(base, sizeof base, "%s", dir);
	char self[32];
	snprintf(self, sizeof self, "%ld", (long)getpid());
	snprintf(p, sizeof p, "%s/muster", base);
	if ((mkdir(p, 0755) < 0 && errno != EEXIST) ||
	    (snprintf(p, sizeof p, "%s/muster/cgroup.procs", base), write_file(p, self) < 0)) {
		snprintf(err, len, "cannot move muster into %s/muster: %s", base, strerror(errno));
		int e = errno;
		if (made_base[0])
			rmdir(made_base), made_base[0] = '\0';
		base[0] = '\0';
		errno = e;
		return mode == CGROUPS_YES ? -1 : 0;
	}
	enabled = true;
	memory_on = subtree_has_memory();
	return 0;
}

/* ---- a service's cgroup --------------------------------------------- */

static const struct {
	const char *key, *controller, *file;
	unsigned bit;
} limits[] = {
	{ "memory-max", "memory", "memory.max", CTL_MEMORY },
	{ "pids-max", "pids", "pids.max", CTL_PIDS },
	{ "cpu-weight", "cpu", "cpu.weight", CTL_CPU },
};

static uint64_t limit_value(const struct svc_conf *c, size_t i)
{
	return i == 0 ? c->memory_max : i == 1 ? c->pids_max : (uint64_t)c->cpu_weight;
}

int cgroup_check_limits(const struct svc_conf *c, char *err, size_t len)
{
	for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++)
		if (limit_value(c, i) && !cgroup_has_controller(limits[i].controller)) {
			snprintf(err, len, "%s needs the %s controller, which %s", limits[i].key,
				 limits[i].controller,
				 enabled ? "muster's cgroup does not have" : "cannot be used without cgroups");
			return -1;
		}
	return 0;
}

static void watch_add(const char *name);

int cgroup_create(const struct svc_conf *c, char *err, size_t len)
{
	char p[PATH_MAX], v[32];

	err[0] = '\0';
	if (!path_of(p, sizeof p, c->name, NULL) || (mkdir(p, 0755) < 0 && errno != EEXIST)) {
		snprintf(err, len, "cannot make its cgroup: %s", strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++) {
		uint64_t x = limit_value(c, i);
		if (!x)
			continue;
		if (!cgroup_has_controller(limits[i].controller)) {
			char why[200];
			cgroup_check_limits(c, why, sizeof why);
			if (mode_ == CGROUPS_YES) {
				snprintf(err, len, "%s", why);
				return -1;
			}
			continue; /* auto: warned about once, at start or reload */
		}
		snprintf(v, sizeof v, "%llu", (unsigned long long)x);
		if (enable_controller(limits[i].bit, limits[i].controller) < 0 ||
		    !path_of(p, sizeof p, c->name, limits[i].file) || write_file(p, v) < 0) {
			snprintf(err, len, "cannot set %s: %s", limits[i].key, strerror(errno));
			return -1;
		}
	}
	if (!path_of(p, sizeof p, c->name, NULL))
		return -1;
	int fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, len, "cannot open its cgroup: %s", strerror(errno));
		return -1;
	}
	watch_add(c->name);
	return fd;
}

const char *cgroup_procs_path(const char *name, char *buf, size_t len)
{
	return path_of(buf, len, name, "cgroup.procs");
}

static int signal_pid(pid_t pid, void *arg)
{
	if (pid > 1)
		kill(pid, *(int *)arg);
	return 0;
}

int cgroup_signal(const char *name, int sig)
{
	char p[PATH_MAX];
	if (!enabled) {
		errno = ENOENT;
		return -1;
	}
	if (sig == SIGKILL) {
		if (path_of(p, sizeof p, name, "cgroup.kill") && access(p, F_OK) == 0)
			return write_file(p, "1");
		/* no cgroup.kill: frozen, nothing forks while it is killed */
		char fr[PATH_MAX];
		if (!path_of(fr, sizeof fr, name, "cgroup.freeze") ||
		    !path_of(p, sizeof p, name, "cgroup.procs"))
			return -1;
		for (int pass = 0; pass < 100; pass++) {
			write_file(fr, "1");
			long n = each_pid(p, signal_pid, &sig);
			write_file(fr, "0");
			if (n <= 0)
				return n < 0 ? -1 : 0;
		}
		return 0;
	}
	if (!path_of(p, sizeof p, name, "cgroup.procs"))
		return -1;
	return each_pid(p, signal_pid, &sig) < 0 ? -1 : 0;
}

int cgroup_populated(const char *name)
{
	char p[PATH_MAX];
	if (!enabled || !path_of(p, sizeof p, name, "cgroup.events"))
		return -1;
	long v = keyed_value(p, "populated");
	return v < 0 ? -1 : v > 0;
}

struct pid_match {
	pid_t pid;
	bool found;
};

static int is_pid(pid_t pid, void *arg)
{
	struct pid_match *m = arg;
	return m->found = pid == m->pid;
}

bool cgroup_has_pid(const char *name, pid_t pid)
{
	char p[PATH_MAX];
	struct pid_match m = { pid, false };
	if (!enabled || !path_of(p, sizeof p, name, "cgroup.procs"))
		return false;
	each_pid(p, is_pid, &m);
	return m.found;
}

unsigned long cgroup_oom_kills(const char *name)
{
	char p[PATH_MAX];
	if (!enabled || !memory_on || !path_of(p, sizeof p, name, "memory.events"))
		return 0;
	long v = keyed_value(p, "oom_kill");
	return v > 0 ? (unsigned long)v : 0;
}

void cgroup_stats(const char *name, long *procs, int64_t *memory)
{
	char p[PATH_MAX], buf[64];
	*procs = -1;
	*memory = -1;
	if (!enabled)
		return;
	if (path_of(p, sizeof p, name, "cgroup.procs"))
		*procs = each_pid(p, NULL, NULL);
	if (path_of(p, sizeof p, name, "memory.current") && read_file(p, buf, sizeof buf) > 0)
		*memory = strtoll(buf, NULL, 10);
}

/* A fake tree's directory holds the files we made in it. */
static int remove_dir(const char *dir)
{
	if (fake) {
		DIR *d = opendir(dir);
		struct dirent *e;
		while (d && (e = readdir(d)))
			if (e->d_type == DT_REG)
				unlinkat(dirfd(d), e->d_name, 0);
		if (d)
			closedir(d);
	}
	return rmdir(dir);
}

int cgroup_remove(const char *name)
{
	char p[PATH_MAX];
	if (!enabled || !path_of(p, sizeof p, name, NULL))
		return -1;
	return remove_dir(p);
}

/* ---- events ---------------------------------------------------------- */

struct watch {
	int wd;
	char *name;
};

static struct ev_loop *watch_loop;
static ev_io w_inotify;
static int inotify_fd = -1;
static struct watch *watches;
static size_t nwatches, watches_cap;
static void (*on_change)(const char *name);

static void watch_drop(size_t i)
{
	free(watches[i].name);
	watches[i] = watches[--nwatches];
}

static void inotify_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	(void)loop, (void)revents;
	ssize_t n = read(w->fd, buf, sizeof buf);
	for (char *p = buf; n > 0 && p < buf + n;) {
		const struct inotify_event *e = (const void *)p;
		p += sizeof *e + e->len;
		for (size_t i = 0; i < nwatches; i++) {
			if (watches[i].wd != e->wd)
				continue;
			if (e->mask & IN_IGNORED) {
				watch_drop(i);
			} else {
				char *name = strdup(watches[i].name);
				if (name && on_change)
					on_change(name); /* may add or drop watches */
				free(name);
			}
			break;
		}
	}
}

void cgroup_watch_init(struct ev_loop *loop, void (*changed)(const char *name))
{
	watch_loop = loop;
	on_change = changed;
	if (!enabled || inotify_fd >= 0)
		return;
	inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (inotify_fd < 0) {
		log_warn_errno("cannot watch the services' cgroups");
		return;
	}
	ev_io_init(&w_inotify, inotify_cb, inotify_fd, EV_READ);
	ev_io_start(loop, &w_inotify);
}

static void watch_file(const char *name, const char *file)
{
	char p[PATH_MAX];
	if (inotify_fd < 0 || !path_of(p, sizeof p, name, file))
		return;
	int wd = inotify_add_watch(inotify_fd, p, IN_MODIFY);
	if (wd < 0)
		return;
	for (size_t i = 0; i < nwatches; i++)
		if (watches[i].wd == wd)
			return; /* one watch per file: inotify gives the same wd */
	if (nwatches == watches_cap) {
		size_t cap = watches_cap ? 2 * watches_cap : 16;
		struct watch *nw = realloc(watches, cap * sizeof *nw);
		if (!nw)
			return;
		watches = nw;
		watches_cap = cap;
	}
	char *copy = strdup(name);
	if (!copy)
		return;
	watches[nwatches].wd = wd;
	watches[nwatches++].name = copy;
}

static void watch_add(const char *name)
{
	if (fake) {
		/* the files a kernel would have, for the watches to see */
		char p[PATH_MAX];
		if (path_of(p, sizeof p, name, "cgroup.events") && access(p, F_OK) < 0)
			write_file(p, "populated 0\nfrozen 0\n");
		if (path_of(p, sizeof p, name, "cgroup.procs"))
			write_file(p, "");
	}
	watch_file(name, "cgroup.events");
	if (memory_on)
		watch_file(name, "memory.events");
}

void cgroup_teardown(void)
{
	char p[PATH_MAX + 32], self[32];
	if (!enabled)
		return;
	if (inotify_fd >= 0) {
		if (watch_loop)
			ev_io_stop(watch_loop, &w_inotify);
		close(inotify_fd);
		inotify_fd = -1;
	}
	while (nwatches)
		watch_drop(nwatches - 1);
	free(watches);
	watches = NULL;
	watches_cap = 0;
	/* services' cgroups left (empty ones go; a populated one stays) */
	DIR *d = opendir(base);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (e->d_type == DT_DIR && n > 8 && !strcmp(e->d_name + n - 8, ".service") &&
		    snprintf(p, sizeof p, "%s/%s", base, e->d_name) < (int)sizeof p)
			remove_dir(p);
	}
	if (d)
		closedir(d);
	/* muster back into the base's parent (or the base), then its leaf goes */
	for (size_t i = 0; i < sizeof controllers / sizeof controllers[0]; i++)
		if (enabled_ctl & (1u << i)) {
			char text[32];
			snprintf(text, sizeof text, "-%s", controllers[i]);
			if (path_of(p, sizeof p, NULL, "cgroup.subtree_control"))
				write_file(p, text);
		}
	enabled_ctl = 0;
	memory_on = false;
	snprintf(self, sizeof self, "%ld", (long)getpid());
	const char *to = made_base[0] ? parent_of_made : base;
	snprintf(p, sizeof p, "%s/cgroup.procs", to);
	if (!fake)
		write_file(p, self);
	snprintf(p, sizeof p, "%s/muster", base);
	remove_dir(p);
	if (made_base[0])
		remove_dir(made_base);
	made_base[0] = '\0';
	base[0] = '\0';
	enabled = false;
}
