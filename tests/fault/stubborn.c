/* stubborn: a service that ignores every signal it can, with two children
 * that leave its process group and ignore every signal too, for muster's
 * fault-injection tests.
 *
 *   stubborn DIR
 *
 * The main process ignores every catchable signal, then forks:
 *   - a child that moves to a process group of its own (setpgid),
 *   - a child that moves to a session of its own (setsid),
 * each of which writes its pid to DIR/pgrp.PID or DIR/sess.PID (PID: the
 * main process's), then waits forever.  The main process writes DIR/main.PID
 * once both files exist and waits forever.  Only SIGKILL ends any of them.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void write_pid(const char *dir, const char *kind, pid_t owner)
{
	char path[4096], tmp[4200], buf[32];
	snprintf(path, sizeof path, "%s/%s.%ld", dir, kind, (long)owner);
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	int n = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, buf, (size_t)n) != n || close(fd) < 0 || rename(tmp, path) < 0) {
		perror("stubborn: cannot write a pid file");
		exit(2);
	}
}

static void wait_forever(void)
{
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: stubborn DIR\n");
		return 2;
	}
	struct sigaction ign = { .sa_handler = SIG_IGN };
	sigemptyset(&ign.sa_mask);
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP && sig != SIGCHLD)
			sigaction(sig, &ign, NULL); /* 32, 33: fail harmlessly */
	pid_t self = getpid();

	pid_t a = fork();
	if (a == 0) {
		if (setpgid(0, 0) < 0) {
			perror("stubborn: setpgid");
			_exit(2);
		}
		write_pid(argv[1], "pgrp", self);
		wait_forever();
	}
	pid_t b = fork();
	if (b == 0) {
		if (setsid() < 0) {
			perror("stubborn: setsid");
			_exit(2);
		}
		write_pid(argv[1], "sess", self);
		wait_forever();
	}
	if (a < 0 || b < 0) {
		perror("stubborn: fork");
		return 2;
	}
	char p1[4096], p2[4096];
	snprintf(p1, sizeof p1, "%s/pgrp.%ld", argv[1], (long)self);
	snprintf(p2, sizeof p2, "%s/sess.%ld", argv[1], (long)self);
	struct stat st;
	while (stat(p1, &st) < 0 || stat(p2, &st) < 0)
		usleep(10000);
	printf("children %ld (own group) and %ld (own session) ignore every signal\n", (long)a,
	       (long)b);
	fflush(stdout);
	write_pid(argv[1], "main", self);
	wait_forever();
}
