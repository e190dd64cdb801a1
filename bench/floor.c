/* floor: the least a supervisor has to do, as the benchmark's baseline.
 *
 *   floor [-n N] [-r] [-c -f FD] -- CMD [ARG...]
 *   floor -i -- CMD [ARG...]
 *
 * Supervisor mode: spawn N copies of CMD (posix_spawn, i.e. vfork + exec,
 * signal mask reset), then wait for signals.  On SIGTERM
 * or SIGINT: SIGTERM (+ SIGCONT) to every child, reap them all, exit 0.
 * The ready bytes the children write go to the harness, which reads them
 * the same way for every supervisor; the floor itself never looks at them,
 * except in chain mode.
 *
 *   -r      respawn a child the moment it exits (restart latency)
 *   -c      chain: start child i+1 only once child i wrote a newline on
 *           descriptor FD (-f, default 3), the s6 ready-fd protocol
 *
 * Init mode (-i): the smallest PID 1 for one command: spawn CMD, forward
 * SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 to it, reap every
 * child (orphans included), exit with CMD's status (128+N for signal N)
 * once CMD has exited.  Not PID 1, it is a child subreaper.
 *
 * It does nothing else: no output handling, no config, no control socket.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static posix_spawnattr_t attr;

static pid_t spawn(char **cmd, int ready_w, int fd)
{
	posix_spawn_file_actions_t fa, *fap = NULL;
	pid_t pid;
	if (ready_w >= 0) {
		posix_spawn_file_actions_init(&fa);
		posix_spawn_file_actions_adddup2(&fa, ready_w, fd);
		fap = &fa;
	}
	int e = posix_spawnp(&pid, cmd[0], fap, &attr, cmd, environ);
	if (fap)
		posix_spawn_file_actions_destroy(fap);
	if (e) {
		fprintf(stderr, "floor: %s: %s\n", cmd[0], strerror(e));
		return -1;
	}
	return pid;
}

static int usage(void)
{
	fprintf(stderr, "usage: floor [-n N] [-r] [-c -f FD] -- CMD [ARG...]\n"
			"       floor -i -- CMD [ARG...]\n");
	return 2;
}

int main(int argc, char **argv)
{
	long n = 1;
	int respawn = 0, chain = 0, init = 0, fd = 3, c;

	while ((c = getopt(argc, argv, "+n:rcf:i")) != -1) {
		switch (c) {
		case 'n': n = atol(optarg); break;
		case 'r': respawn = 1; break;
		case 'c': chain = 1; break;
		case 'f': fd = atoi(optarg); break;
		case 'i': init = 1; break;
		default: return usage();
		}
	}
	if (optind >= argc || n < 1)
		return usage();
	char **cmd = &argv[optind];

	/* signals are taken synchronously; children get a clean slate */
	sigset_t all, none;
	sigfillset(&all);
	sigemptyset(&none);
	sigprocmask(SIG_BLOCK, &all, NULL);
	/* no handler is installed, so the dispositions are the defaults
	 * already: only the mask needs resetting in the child */
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);

	if (init) {
		if (getpid() != 1)
			prctl(PR_SET_CHILD_SUBREAPER, 1);
		pid_t child = spawn(cmd, -1, 0);
		if (child < 0)
			return 127;
		for (;;) {
			siginfo_t si;
			int sig = sigwaitinfo(&all, &si);
			if (sig == SIGCHLD) {
				int st;
				pid_t p;
				while ((p = waitpid(-1, &st, WNOHANG)) > 0)
					if (p == child)
						return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
			} else if (sig == SIGTERM || sig == SIGINT || sig == SIGHUP || sig == SIGQUIT ||
				   sig == SIGUSR1 || sig == SIGUSR2) {
				kill(child, sig);
			}
		}
	}

	pid_t *pids = calloc((size_t)n, sizeof *pids);
	if (!pids)
		return 1;
	for (long i = 0; i < n; i++) {
		int p[2] = { -1, -1 };
		if (chain && pipe2(p, O_CLOEXEC) < 0) {
			perror("floor: pipe");
			return 1;
		}
		pids[i] = spawn(cmd, p[1], fd);
		if (pids[i] < 0)
			return 1;
		if (chain) {
			char b;
			close(p[1]);
			while (read(p[0], &b, 1) < 0 && errno == EINTR)
				;
			close(p[0]);
		}
	}

	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(&all, &si);
		if (sig == SIGCHLD) {
			int st;
			pid_t p;
			while ((p = waitpid(-1, &st, WNOHANG)) > 0)
				for (long i = 0; i < n; i++)
					if (pids[i] == p)
						pids[i] = respawn ? spawn(cmd, -1, 0) : 0;
		} else if (sig == SIGTERM || sig == SIGINT) {
			break;
		}
	}
	for (long i = 0; i < n; i++)
		if (pids[i] > 0) {
			kill(pids[i], SIGTERM);
			kill(pids[i], SIGCONT);
		}
	while (wait(NULL) > 0 || errno == EINTR)
		;
	return 0;
}
