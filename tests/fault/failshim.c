/* failshim: an LD_PRELOAD library that makes system calls fail on demand,
 * for muster's fault-injection tests (tests/integration/t_fault_*.sh).
 *
 * It lives here, not in tests/helpers/ (where every NAME.c is built into an
 * executable); the tests build it themselves, into their own directory:
 *
 *   cc -shared -fPIC -O2 -Wall -Wextra -Werror -D_GNU_SOURCE \
 *      -o failshim.so tests/fault/failshim.c -ldl
 *
 * and start muster as  env LD_PRELOAD=.../failshim.so FAILSHIM_DIR=DIR muster ...
 *
 * Environment:
 *
 *   FAILSHIM_DIR    a directory of control files; without it the shim does
 *                   nothing
 *   FAILSHIM_PROG   act only in a process whose executable has this base
 *                   name (default: muster); in that process LD_PRELOAD is
 *                   removed from the environment, so that the services it
 *                   starts run without the shim
 *
 * A control file is named after the call it breaks:
 *
 *   clone     the glibc clone() wrapper (muster's services and ready-checks)
 *   fork      fork() (muster's main command, -- CMD)
 *   pipe2     pipe2() and pipe()
 *   socket    socket()
 *   accept4   accept4() and accept()
 *   execve    execve() (called in the child, before the program runs)
 *   chdir     chdir() (called in the child while it sets itself up)
 *
 * While the file exists, the call fails (returns -1 with errno set) and
 * does nothing else.  Its content, optional, is words:
 *
 *   errno=E    the error: a number or one of EAGAIN EMFILE ENFILE ENOMEM
 *              EACCES ENOENT EPERM ENOBUFS EINVAL ENOSYS (default: EAGAIN
 *              for clone and fork, EMFILE for the others)
 *   skip=N     let N calls through first
 *   count=N    then fail N calls, and let the rest through (default: every
 *              call fails)
 *   match=W    execve and chdir: only when the program's (directory's)
 *              base name is W
 *   exit=N     execve and chdir: do not return; _exit(N) at once, without
 *              a word to anybody -- with chdir, a child that dies between
 *              fork and exec (as a signal would kill it)
 *
 * skip and count are counted from the moment the file appeared or last
 * changed (inode, size or mtime): write a new file and rename it over the
 * old one (add a word such as serial=K, which is ignored) to re-arm it.
 *
 * Every injected failure appends a line "CALL errno=E pid=P" (or "execve
 * exit=N pid=P") to DIR/log, so that a test can count them.
 *
 * The execve wrapper runs in muster's child, which shares the daemon's
 * memory (clone with CLONE_VM): everything here that can run there makes
 * system calls only -- no allocation, no stdio.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

struct ctl {
	const char *file;
	int default_err;
	/* the control file as last seen */
	bool present;
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	/* its settings */
	int err;
	long skip, count; /* count < 0: every call */
	char match[128];
	int exitcode;     /* < 0: none */
	long calls;       /* since it appeared or changed */
};

enum { C_CLONE, C_FORK, C_PIPE2, C_SOCKET, C_ACCEPT4, C_EXECVE, C_CHDIR, C_N };

static struct ctl ctls[C_N] = {
	[C_CLONE] = { .file = "clone", .default_err = EAGAIN },
	[C_FORK] = { .file = "fork", .default_err = EAGAIN },
	[C_PIPE2] = { .file = "pipe2", .default_err = EMFILE },
	[C_SOCKET] = { .file = "socket", .default_err = EMFILE },
	[C_ACCEPT4] = { .file = "accept4", .default_err = EMFILE },
	[C_EXECVE] = { .file = "execve", .default_err = EACCES },
	[C_CHDIR] = { .file = "chdir", .default_err = ENOENT },
};

static bool active;
static char dir[PATH_MAX - 64];

static int (*real_clone)(int (*)(void *), void *, int, void *, ...);
static pid_t (*real_fork)(void);
static int (*real_pipe2)(int[2], int);
static int (*real_pipe)(int[2]);
static int (*real_socket)(int, int, int);
static int (*real_accept4)(int, struct sockaddr *, socklen_t *, int);
static int (*real_accept)(int, struct sockaddr *, socklen_t *);
static int (*real_execve)(const char *, char *const[], char *const[]);
static int (*real_chdir)(const char *);

/* ---- no allocation, no stdio below: this may run in a CLONE_VM child ---- */

static size_t cat(char *buf, size_t len, size_t at, const char *s)
{
	while (*s && at + 1 < len)
		buf[at++] = *s++;
	buf[at] = '\0';
	return at;
}

static size_t cat_long(char *buf, size_t len, size_t at, long v)
{
	char tmp[24];
	int n = 0;
	unsigned long u = v < 0 ? (unsigned long)-v : (unsigned long)v;
	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		tmp[n++] = '-';
	while (n && at + 1 < len)
		buf[at++] = tmp[--n];
	buf[at] = '\0';
	return at;
}

static int errno_named(const char *w, size_t n, int dflt)
{
	static const struct { const char *name; int val; } names[] = {
		{ "EAGAIN", EAGAIN }, { "EMFILE", EMFILE }, { "ENFILE", ENFILE },
		{ "ENOMEM", ENOMEM }, { "EACCES", EACCES }, { "ENOENT", ENOENT },
		{ "EPERM", EPERM },   { "ENOBUFS", ENOBUFS }, { "EINVAL", EINVAL },
		{ "ENOSYS", ENOSYS },
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strlen(names[i].name) == n && !strncmp(names[i].name, w, n))
			return names[i].val;
	if (n && w[0] >= '0' && w[0] <= '9')
		return atoi(w);
	return dflt;
}

static long number(const char *w, size_t n)
{
	long v = 0;
	for (size_t i = 0; i < n && w[i] >= '0' && w[i] <= '9'; i++)
		v = v * 10 + (w[i] - '0');
	return v;
}

static void parse(struct ctl *c, const char *text)
{
	c->err = c->default_err;
	c->skip = 0;
	c->count = -1;
	c->match[0] = '\0';
	c->exitcode = -1;
	for (const char *p = text; *p;) {
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		const char *w = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\n')
			p++;
		size_t n = (size_t)(p - w);
		const char *eq = memchr(w, '=', n);
		if (!eq)
			continue;
		size_t k = (size_t)(eq - w), vn = n - k - 1;
		const char *v = eq + 1;
		if (k == 5 && !strncmp(w, "errno", 5))
			c->err = errno_named(v, vn, c->default_err);
		else if (k == 4 && !strncmp(w, "skip", 4))
			c->skip = number(v, vn);
		else if (k == 5 && !strncmp(w, "count", 5))
			c->count = number(v, vn);
		else if (k == 4 && !strncmp(w, "exit", 4))
			c->exitcode = (int)number(v, vn);
		else if (k == 5 && !strncmp(w, "match", 5) && vn < sizeof c->match) {
			memcpy(c->match, v, vn);
			c->match[vn] = '\0';
		}
	}
}

static void ctl_path(char *buf, size_t len, const char *file)
{
	size_t at = cat(buf, len, 0, dir);
	at = cat(buf, len, at, "/");
	cat(buf, len, at, file);
}

/* Is the control file there?  (Re)reads it when it is new or changed. */
static bool armed(struct ctl *c)
{
	char path[PATH_MAX];
	struct stat st;

	ctl_path(path, sizeof path, c->file);
	if (stat(path, &st) < 0) {
		c->present = false;
		return false;
	}
	if (!c->present || st.st_dev != c->dev || st.st_ino != c->ino || st.st_size != c->size ||
	    st.st_mtim.tv_sec != c->mtime.tv_sec || st.st_mtim.tv_nsec != c->mtime.tv_nsec) {
		char text[512];
		ssize_t n = 0;
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			n = read(fd, text, sizeof text - 1);
			close(fd);
		}
		text[n > 0 ? n : 0] = '\0';
		parse(c, text);
		c->present = true;
		c->dev = st.st_dev;
		c->ino = st.st_ino;
		c->size = st.st_size;
		c->mtime = st.st_mtim;
		c->calls = 0;
	}
	return true;
}

static void note(const char *what, const char *key, long val)
{
	char path[PATH_MAX], line[256];
	size_t at;

	ctl_path(path, sizeof path, "log");
	at = cat(line, sizeof line, 0, what);
	at = cat(line, sizeof line, at, " ");
	at = cat(line, sizeof line, at, key);
	at = cat(line, sizeof line, at, "=");
	at = cat_long(line, sizeof line, at, val);
	at = cat(line, sizeof line, at, " pid=");
	at = cat_long(line, sizeof line, at, (long)getpid());
	at = cat(line, sizeof line, at, "\n");
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0) {
		ssize_t w = write(fd, line, at);
		(void)w;
		close(fd);
	}
}

/* 0: let the call through; else the errno to fail it with. */
static int inject(int which)
{
	struct ctl *c = &ctls[which];
	int saved = errno;

	if (!active || !armed(c)) {
		errno = saved;
		return 0;
	}
	long k = c->calls++;
	errno = saved;
	if (k < c->skip || (c->count >= 0 && k >= c->skip + c->count))
		return 0;
	note(c->file, "errno", c->err);
	return c->err;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/* ---- the wrappers -------------------------------------------------------- */

int clone(int (*fn)(void *), void *stack, int flags, void *arg, ...)
{
	va_list ap;
	va_start(ap, arg);
	pid_t *ptid = va_arg(ap, pid_t *);
	void *tls = va_arg(ap, void *);
	pid_t *ctid = va_arg(ap, pid_t *);
	va_end(ap);
	int e = inject(C_CLONE);
	if (e) {
		errno = e;
		return -1;
	}
	return real_clone(fn, stack, flags, arg, ptid, tls, ctid);
}

pid_t fork(void)
{
	int e = inject(C_FORK);
	if (e) {
		errno = e;
		return -1;
	}
	return real_fork();
}

int pipe2(int fds[2], int flags)
{
	int e = inject(C_PIPE2);
	if (e) {
		errno = e;
		return -1;
	}
	return real_pipe2(fds, flags);
}

int pipe(int fds[2])
{
	int e = inject(C_PIPE2);
	if (e) {
		errno = e;
		return -1;
	}
	return real_pipe(fds);
}

int socket(int domain, int type, int protocol)
{
	int e = inject(C_SOCKET);
	if (e) {
		errno = e;
		return -1;
	}
	return real_socket(domain, type, protocol);
}

int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags)
{
	int e = inject(C_ACCEPT4);
	if (e) {
		errno = e;
		return -1;
	}
	return real_accept4(fd, addr, len, flags);
}

int accept(int fd, struct sockaddr *addr, socklen_t *len)
{
	int e = inject(C_ACCEPT4);
	if (e) {
		errno = e;
		return -1;
	}
	return real_accept(fd, addr, len);
}

int execve(const char *path, char *const argv[], char *const envp[])
{
	struct ctl *c = &ctls[C_EXECVE];
	int saved = errno;

	if (active && armed(c) && (!c->match[0] || !strcmp(base_name(path), c->match))) {
		long k = c->calls++;
		if (k >= c->skip && (c->count < 0 || k < c->skip + c->count)) {
			if (c->exitcode >= 0) {
				note("execve", "exit", c->exitcode);
				_exit(c->exitcode);
			}
			note("execve", "errno", c->err);
			errno = c->err;
			return -1;
		}
	}
	errno = saved;
	return real_execve(path, argv, envp);
}

int chdir(const char *path)
{
	struct ctl *c = &ctls[C_CHDIR];
	int saved = errno;

	if (active && armed(c) && (!c->match[0] || !strcmp(base_name(path), c->match))) {
		long k = c->calls++;
		if (k >= c->skip && (c->count < 0 || k < c->skip + c->count)) {
			if (c->exitcode >= 0) {
				note("chdir", "exit", c->exitcode);
				_exit(c->exitcode);
			}
			note("chdir", "errno", c->err);
			errno = c->err;
			return -1;
		}
	}
	errno = saved;
	return real_chdir(path);
}

/* ---- setup ------------------------------------------------------------------ */

static void *next(const char *name)
{
	void *f = dlsym(RTLD_NEXT, name);
	if (!f) {
		static const char msg[] = "failshim: a libc function is missing\n";
		ssize_t w = write(2, msg, sizeof msg - 1);
		(void)w;
		_exit(120);
	}
	return f;
}

__attribute__((constructor)) static void failshim_init(void)
{
	real_clone = (int (*)(int (*)(void *), void *, int, void *, ...))next("clone");
	real_fork = (pid_t(*)(void))next("fork");
	real_pipe2 = (int (*)(int[2], int))next("pipe2");
	real_pipe = (int (*)(int[2]))next("pipe");
	real_socket = (int (*)(int, int, int))next("socket");
	real_accept4 = (int (*)(int, struct sockaddr *, socklen_t *, int))next("accept4");
	real_accept = (int (*)(int, struct sockaddr *, socklen_t *))next("accept");
	real_execve = (int (*)(const char *, char *const[], char *const[]))next("execve");
	real_chdir = (int (*)(const char *))next("chdir");

	const char *d = getenv("FAILSHIM_DIR");
	const char *prog = getenv("FAILSHIM_PROG");
	char exe[PATH_MAX];
	if (!d || !*d || strlen(d) >= sizeof dir)
		return;
	if (!prog || !*prog)
		prog = "muster";
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0)
		return;
	exe[n] = '\0';
	if (strcmp(base_name(exe), prog))
		return;
	strcpy(dir, d);
	active = true;
	unsetenv("LD_PRELOAD"); /* the services run without us */
}
