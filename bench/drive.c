/* drive: run one supervisor once and time it, the same way for every tool.
 *
 *   drive -F FIFO [options] -- CMD [ARG...]
 *
 * drive makes itself a child subreaper, creates FIFO (the fake services
 * report there, see fake_service.c), starts CMD (the supervisor) and:
 *
 *   1. waits for what the mode asks:
 *        -n N         N ready reports (R) from the fake services
 *        -R SAMPLES   restart mode: SAMPLES pairs "a service exited (E) ->
 *                     the next one started (S)"
 *        -w FILE -X MARKER
 *                     output mode: once a service reported W, waits for
 *                     MARKER to be the end of FILE
 *   2. settles (-s MS), measures the supervisor's tree (-M: RSS and PSS of
 *      every process below CMD that is not a fake service, CMD included),
 *      runs a hook (-H 'shell command', with $BENCH_PIDS naming that tree);
 *   3. stops: sends -k SIG (default 15, TERM; 0: none) to CMD, runs -K
 *      'shell command' if given ($BENCH_SUPERVISOR is CMD's pid), and waits until CMD has exited and no
 *      process is left below drive at all: as a subreaper, drive inherits
 *      every orphan, so "waitpid says ECHILD" means the whole tree is gone.
 *
 * Every wait is bounded (-t SECS per phase, default 60); on a timeout or
 * an error everything below drive gets SIGKILL and drive reports the
 * failure.  Results, as "key value" lines, go to -O FILE (default stdout):
 *
 *   ok 1|0           error TEXT       exit STATUS of CMD
 *   ready_ms         the last R report, from CMD's spawn
 *   stop_ms          stop sent -> CMD exited and every process gone
 *   rss_kb pss_kb procs
 *   restart_ms A B ...     E -> next S, each sample
 *   write_ms         W report -> MARKER at the end of FILE
 *
 * CMD's stdout and stderr: -o FILE and -e FILE (default /dev/null).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int sfd = -1, fifo_fd = -1;
static pid_t cmd_pid;
static int cmd_status = -1;
static char error_text[512];
static FILE *out;

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void set_error(const char *fmt, ...)
{
	va_list ap;
	if (error_text[0])
		return; /* the first error is the one that matters */
	va_start(ap, fmt);
	vsnprintf(error_text, sizeof error_text, fmt, ap);
	va_end(ap);
}

/* ---- the process tree ------------------------------------------------- */

struct proc { pid_t pid, ppid; char comm[32]; };

static size_t read_procs(struct proc **ps)
{
	size_t n = 0, cap = 256;
	struct proc *p = malloc(cap * sizeof *p);
	DIR *d = opendir("/proc");
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		char path[300], buf[512];
		snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		ssize_t r = read(fd, buf, sizeof buf - 1);
		close(fd);
		if (r <= 0)
			continue;
		buf[r] = '\0';
		char *lp = strchr(buf, '('), *rp = strrchr(buf, ')');
		long ppid;
		char st;
		if (!lp || !rp || sscanf(rp + 1, " %c %ld", &st, &ppid) != 2)
			continue;
		if (n == cap)
			p = realloc(p, (cap *= 2) * sizeof *p);
		p[n].pid = (pid_t)atol(e->d_name);
		p[n].ppid = (pid_t)ppid;
		size_t len = (size_t)(rp - lp - 1);
		if (len >= sizeof p[n].comm)
			len = sizeof p[n].comm - 1;
		memcpy(p[n].comm, lp + 1, len);
		p[n].comm[len] = '\0';
		n++;
	}
	if (d)
		closedir(d);
	*ps = p;
	return n;
}


static int is_below(struct proc *ps, size_t n, pid_t pid, pid_t root)
{
	for (int depth = 0; depth < 64 && pid > 1; depth++) {
		if (pid == root)
			return 1;
		pid_t pp = 0;
		for (size_t i = 0; i < n; i++)
			if (ps[i].pid == pid) {
				pp = ps[i].ppid;
				break;
			}
		pid = pp;
	}
	return pid == root;
}

/* SIGKILL everything below us, until nothing is left (bounded). */
static void kill_tree(void)
{
	double until = now_ms() + 10000;
	while (now_ms() < until) {
		struct proc *ps;
		size_t n = read_procs(&ps);
		for (size_t i = 0; i < n; i++)
			if (ps[i].pid != getpid() && is_below(ps, n, ps[i].pid, getpid()))
				kill(ps[i].pid, SIGKILL);
		free(ps);
		int st;
		pid_t p;
		while ((p = waitpid(-1, &st, WNOHANG)) > 0)
			if (p == cmd_pid)
				cmd_status = st;
		if (p < 0 && errno == ECHILD)
			return;
		usleep(2000);
	}
	set_error("processes still left after SIGKILL");
}

/* Is PID a fake service?  By its executable: runit and s6 run it as ./run. */
static int is_fake(pid_t pid)
{
	char path[64], exe[4096];
	snprintf(path, sizeof path, "/proc/%ld/exe", (long)pid);
	ssize_t n = readlink(path, exe, sizeof exe - 1);
	if (n <= 0)
		return 0;
	exe[n] = '\0';
	const char *base = strrchr(exe, '/');
	return !strcmp(base ? base + 1 : exe, "fake_service");
}

/* The supervisor's own processes: CMD and every descendant that is not a
 * fake service. */
static size_t tree_pids(pid_t *pids, size_t max)
{
	struct proc *ps;
	size_t n = read_procs(&ps), k = 0;
	for (size_t i = 0; i < n && k < max; i++)
		if (is_below(ps, n, ps[i].pid, cmd_pid) && !is_fake(ps[i].pid))
			pids[k++] = ps[i].pid;
	free(ps);
	return k;
}

static long smaps_field(pid_t pid, const char *key)
{
	char path[64], line[256];
	snprintf(path, sizeof path, "/proc/%ld/smaps_rollup", (long)pid);
	FILE *f = fopen(path, "re");
	long v = 0;
	size_t kl = strlen(key);
	if (!f)
		return 0;
	while (fgets(line, sizeof line, f))
		if (!strncmp(line, key, kl)) {
			v = atol(line + kl);
			break;
		}
	fclose(f);
	return v;
}

/* ---- events ------------------------------------------------------------ */

/* A signal arrived: reap what can be reaped.  Returns 1 when there is no
 * child left at all, -1 on SIGTERM/SIGINT/SIGHUP to us. */
static int on_signal(void)
{
	struct signalfd_siginfo si;
	int stop = 0;
	while (read(sfd, &si, sizeof si) == sizeof si)
		if (si.ssi_signo != SIGCHLD)
			stop = 1;
	int st;
	pid_t p;
	while ((p = waitpid(-1, &st, WNOHANG)) > 0)
		if (p == cmd_pid)
			cmd_status = st;
	if (stop)
		return -1;
	return p < 0 && errno == ECHILD ? 1 : 0;
}

struct reports {
	char buf[65536];
	size_t len;
	long ready;
	double last_ready;       /* ms */
	double last_exit;        /* ms of the last E, -1 none */
	pid_t last_exit_pid;
	double *samples;
	long nsamples;
	double write_start;      /* ms of W, -1 none */
};

static double ns_to_ms(long long ns) { return ns / 1e6; }

static void read_reports(struct reports *r, long want_samples)
{
	for (;;) {
		ssize_t n = read(fifo_fd, r->buf + r->len, sizeof r->buf - 1 - r->len);
		if (n <= 0)
			break;
		r->len += (size_t)n;
		char *start = r->buf, *nl;
		while ((nl = memchr(start, '\n', (size_t)(r->buf + r->len - start)))) {
			char what;
			long pid;
			long long t;
			*nl = '\0';
			if (sscanf(start, "%c %ld %lld", &what, &pid, &t) == 3) {
				double ms = ns_to_ms(t);
				switch (what) {
				case 'R':
					r->ready++;
					if (ms > r->last_ready)
						r->last_ready = ms;
					break;
				case 'E':
					r->last_exit = ms;
					r->last_exit_pid = (pid_t)pid;
					break;
				case 'S':
					if (r->last_exit >= 0 && pid != r->last_exit_pid &&
					    r->nsamples < want_samples) {
						r->samples[r->nsamples++] = ms - r->last_exit;
						r->last_exit = -1;
					}
					break;
				case 'W':
					r->write_start = ms;
					break;
				}
			}
			start = nl + 1;
		}
		r->len = (size_t)(r->buf + r->len - start);
		memmove(r->buf, start, r->len);
	}
}

/* MARKER ends FILE? */
static int marker_at_end(const char *file, const char *marker, off_t *last_size)
{
	static int fd = -1;
	struct stat sb;
	if (fd < 0)
		fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &sb) < 0 || sb.st_size == *last_size)
		return 0;
	*last_size = sb.st_size;
	char tail[256];
	off_t off = sb.st_size > (off_t)sizeof tail - 1 ? sb.st_size - (off_t)sizeof tail + 1 : 0;
	ssize_t n = pread(fd, tail, sizeof tail - 1, off);
	if (n <= 0)
		return 0;
	tail[n] = '\0';
	char *m = strstr(tail, marker);
	return m && strchr(m, '\n') && strchr(m, '\n')[1] == '\0';
}

static pid_t spawn(char **argv, const char *outf, const char *errf, const sigset_t *unblock)
{
	pid_t p = fork();
	if (p != 0)
		return p;
	sigprocmask(SIG_UNBLOCK, unblock, NULL);
	int in = open("/dev/null", O_RDONLY);
	int o = open(outf ? outf : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	int e = errf && outf && !strcmp(errf, outf) ? dup(o)
		: open(errf ? errf : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (in < 0 || o < 0 || e < 0)
		_exit(126);
	dup2(in, 0);
	dup2(o, 1);
	dup2(e, 2);
	if (in > 2) close(in);
	if (o > 2) close(o);
	if (e > 2) close(e);
	execvp(argv[0], argv);
	fprintf(stderr, "drive: %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

static void status_str(int st, char *buf, size_t n)
{
	if (st < 0)
		snprintf(buf, n, "none");
	else if (WIFEXITED(st))
		snprintf(buf, n, "%d", WEXITSTATUS(st));
	else
		snprintf(buf, n, "signal-%d", WTERMSIG(st));
}

static int usage(void)
{
	fprintf(stderr, "usage: drive -F FIFO [-n N | -R SAMPLES | -w FILE -X MARKER] [-s MS] [-M]\n"
			"             [-H HOOK] [-k SIG] [-K STOPCMD] [-t SECS] [-o OUT] [-e ERR]\n"
			"             [-O RESULTS] -- CMD [ARG...]\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *fifo = NULL, *hook = NULL, *stopcmd = NULL, *outf = NULL, *errf = NULL;
	const char *watch = NULL, *marker = NULL, *results = NULL;
	long want_ready = 0, want_samples = 0, settle_ms = 0;
	int mem = 0, stopsig = SIGTERM, c;
	double timeout_ms = 60000;

	while ((c = getopt(argc, argv, "+F:n:R:w:X:s:MH:k:K:t:o:e:O:")) != -1) {
		switch (c) {
		case 'F': fifo = optarg; break;
		case 'n': want_ready = atol(optarg); break;
		case 'R': want_samples = atol(optarg); break;
		case 'w': watch = optarg; break;
		case 'X': marker = optarg; break;
		case 's': settle_ms = atol(optarg); break;
		case 'M': mem = 1; break;
		case 'H': hook = optarg; break;
		case 'k': stopsig = atoi(optarg); break;
		case 'K': stopcmd = optarg; break;
		case 't': timeout_ms = atof(optarg) * 1000; break;
		case 'o': outf = optarg; break;
		case 'e': errf = optarg; break;
		case 'O': results = optarg; break;
		default: return usage();
		}
	}
	if (!fifo || optind >= argc || (watch && !marker))
		return usage();
	out = results ? fopen(results, "w") : stdout;
	if (!out) {
		perror(results);
		return 2;
	}

	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	prctl(PR_SET_CHILD_SUBREAPER, 1);

	unlink(fifo);
	if (mkfifo(fifo, 0600) < 0 ||
	    (fifo_fd = open(fifo, O_RDWR | O_NONBLOCK | O_CLOEXEC)) < 0) {
		fprintf(stderr, "drive: %s: %s\n", fifo, strerror(errno));
		return 2;
	}
	fcntl(fifo_fd, F_SETPIPE_SZ, 1 << 20);

	struct reports r = { .last_exit = -1, .write_start = -1 };
	r.samples = calloc((size_t)want_samples + 1, sizeof *r.samples);
	double results_ready = -1, results_stop = -1, results_write = -1;
	long rss = 0, pss = 0, procs = 0;
	int aborted = 0;

	/* ---- 1. start and wait --------------------------------------- */
	double t0 = now_ms();
	cmd_pid = spawn(&argv[optind], outf, errf, &mask);
	if (cmd_pid < 0) {
		set_error("fork: %s", strerror(errno));
		goto kill;
	}
	double deadline = t0 + timeout_ms;
	off_t last_size = -1;
	for (;;) {
		read_reports(&r, want_samples);
		if (watch && r.write_start >= 0 && marker_at_end(watch, marker, &last_size)) {
			results_write = now_ms() - r.write_start;
			break;
		}
		if (!watch && r.ready >= want_ready && r.nsamples >= want_samples)
			break;
		if (cmd_status >= 0) {
			char s[32];
			status_str(cmd_status, s, sizeof s);
			set_error("the supervisor exited early (%s) after %ld ready", s, r.ready);
			goto kill;
		}
		double left = deadline - now_ms();
		if (left <= 0) {
			set_error("timed out: %ld of %ld ready, %ld of %ld samples", r.ready, want_ready,
				  r.nsamples, want_samples);
			goto kill;
		}
		struct pollfd pfd[2] = { { .fd = fifo_fd, .events = POLLIN },
					 { .fd = sfd, .events = POLLIN } };
		int wait = watch && r.write_start >= 0 ? 1 : (int)left + 1;
		poll(pfd, 2, wait);
		if (pfd[1].revents && on_signal() < 0) {
			aborted = 1;
			set_error("interrupted");
			goto kill;
		}
	}
	if (want_ready > 0)
		results_ready = r.last_ready - t0;

	/* ---- 2. settle, measure, hook -------------------------------- */
	if (settle_ms > 0) {
		double until = now_ms() + settle_ms;
		while (now_ms() < until) {
			struct pollfd pfd = { .fd = sfd, .events = POLLIN };
			poll(&pfd, 1, (int)(until - now_ms()) + 1);
			if (pfd.revents && on_signal() < 0) {
				aborted = 1;
				set_error("interrupted");
				goto kill;
			}
			read_reports(&r, want_samples);
		}
	}
	if (cmd_status >= 0) {
		set_error("the supervisor exited early");
		goto kill;
	}
	static pid_t pids[100000];
	size_t np = 0;
	if (mem || hook)
		np = tree_pids(pids, sizeof pids / sizeof pids[0]);
	if (mem) {
		for (size_t i = 0; i < np; i++) {
			rss += smaps_field(pids[i], "Rss:");
			pss += smaps_field(pids[i], "Pss:");
		}
		procs = (long)np;
	}
	if (hook) {
		size_t cap = np * 12 + 16;
		char *list = malloc(cap), *p = list;
		*p = '\0';
		for (size_t i = 0; i < np; i++)
			p += sprintf(p, "%s%ld", i ? " " : "", (long)pids[i]);
		setenv("BENCH_PIDS", list, 1);
		free(list);
		char *hargv[] = { "/bin/sh", "-c", (char *)hook, NULL };
		pid_t h = spawn(hargv, NULL, errf ? "/dev/stderr" : NULL, &mask);
		int st;
		double until = now_ms() + timeout_ms;
		for (;;) {
			pid_t w = waitpid(h, &st, WNOHANG);
			if (w == h) {
				if (!WIFEXITED(st) || WEXITSTATUS(st))
					set_error("the hook failed");
				break;
			}
			if (now_ms() > until) {
				kill(h, SIGKILL);
				set_error("the hook timed out");
				break;
			}
			read_reports(&r, want_samples);
			usleep(5000);
		}
		if (cmd_status >= 0 || error_text[0])
			goto kill;
	}

	/* ---- 3. stop ------------------------------------------------- */
	double t_stop = now_ms();
	if (stopsig > 0)
		kill(cmd_pid, stopsig);
	if (stopcmd) {
		/* with $BENCH_SUPERVISOR: the supervisor's pid */
		char pidbuf[24];
		snprintf(pidbuf, sizeof pidbuf, "%ld", (long)cmd_pid);
		setenv("BENCH_SUPERVISOR", pidbuf, 1);
		char *sv[] = { "/bin/sh", "-c", (char *)stopcmd, NULL };
		if (spawn(sv, NULL, errf ? "/dev/stderr" : NULL, &mask) < 0)
			set_error("cannot run the stop command");
	}
	deadline = t_stop + timeout_ms;
	for (;;) {
		int gone = on_signal();
		if (gone < 0) {
			aborted = 1;
			set_error("interrupted");
			goto kill;
		}
		if (gone > 0) {
			results_stop = now_ms() - t_stop;
			break;
		}
		double left = deadline - now_ms();
		if (left <= 0) {
			struct proc *ps;
			size_t n = read_procs(&ps), k = 0;
			for (size_t i = 0; i < n; i++)
				if (ps[i].pid != getpid() && is_below(ps, n, ps[i].pid, getpid())) {
					if (k++ < 10)
						fprintf(stderr, "drive: left: %ld (%s), parent %ld\n",
							(long)ps[i].pid, ps[i].comm, (long)ps[i].ppid);
				}
			free(ps);
			set_error("stop timed out: %zu processes left%s", k,
				  cmd_status < 0 ? ", the supervisor still running" : "");
			goto kill;
		}
		struct pollfd pfd = { .fd = sfd, .events = POLLIN };
		poll(&pfd, 1, (int)left + 1);
	}
	goto report;

kill:
	kill_tree();
report:
	read_reports(&r, want_samples);
	unlink(fifo);
	fprintf(out, "ok %d\n", error_text[0] ? 0 : 1);
	if (error_text[0])
		fprintf(out, "error %s\n", error_text);
	char s[32];
	status_str(cmd_status, s, sizeof s);
	fprintf(out, "exit %s\n", s);
	fprintf(out, "ready_count %ld\n", r.ready);
	if (results_ready >= 0)
		fprintf(out, "ready_ms %.3f\n", results_ready);
	if (results_stop >= 0)
		fprintf(out, "stop_ms %.3f\n", results_stop);
	if (results_write >= 0)
		fprintf(out, "write_ms %.3f\n", results_write);
	if (mem)
		fprintf(out, "rss_kb %ld\npss_kb %ld\nprocs %ld\n", rss, pss, procs);
	if (want_samples) {
		fprintf(out, "restart_ms");
		for (long i = 0; i < r.nsamples; i++)
			fprintf(out, " %.4f", r.samples[i]);
		fprintf(out, "\n");
	}
	fclose(out);
	return aborted ? 130 : error_text[0] ? 1 : 0;
}
