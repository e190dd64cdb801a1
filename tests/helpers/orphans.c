/* orphans: make N orphans that exit at once, then count the zombies left.
 *
 *   orphans N FILE [MS]
 *
 * Run as a child of the reaper under test (muster as PID 1 or as a
 * subreaper).  A "creator" child forks N processes that block reading a
 * pipe, then exits: the N become orphans, reparented to the reaper (our
 * parent).  Once each of them is seen with the reaper as its parent, we
 * close the pipe's last write end and they all exit at once.  When none of
 * them is running any more, we wait MS milliseconds (default 100) and count
 * the zombies whose parent is the reaper.  FILE gets "key value" lines:
 *
 *   created N          orphans forked
 *   reparented N       of them with the reaper as parent before the release
 *   exit_ms T          release -> none of them running
 *   zombies_at_exit Z  zombies (reaper's children) at that moment
 *   zombies Z          zombies MS milliseconds later
 *   reaped_ms T        release -> first count of no zombie (-1: not within
 *                      10 s); at most exit_ms when zombies_at_exit is 0
 *
 * Exit status 0 when created = reparented = N and zombies = 0, else 1;
 * 2 on a usage or system error.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* State letter and parent of PID from /proc/PID/stat; 0 when gone. */
static char proc_state(const char *pid, long *ppid)
{
	char path[64], buf[512];
	snprintf(path, sizeof path, "/proc/%s/stat", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	char *p = strrchr(buf, ')');
	char st;
	if (!p || sscanf(p + 1, " %c %ld", &st, ppid) != 2)
		return 0;
	return st;
}

static char pid_state(pid_t pid, long *ppid)
{
	char s[24];
	snprintf(s, sizeof s, "%ld", (long)pid);
	return proc_state(s, ppid);
}

/* Zombies anywhere in /proc whose parent is REAPER. */
static long zombies_of(long reaper)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	long z = 0, ppid;
	if (!d) {
		perror("orphans: /proc");
		exit(2);
	}
	while ((e = readdir(d)))
		if (e->d_name[0] >= '1' && e->d_name[0] <= '9' &&
		    proc_state(e->d_name, &ppid) == 'Z' && ppid == reaper)
			z++;
	closedir(d);
	return z;
}

int main(int argc, char **argv)
{
	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: orphans N FILE [MS]\n");
		return 2;
	}
	long n = atol(argv[1]);
	double wait_s = (argc > 3 ? atol(argv[3]) : 100) / 1000.0;
	long reaper = (long)getppid();
	if (n <= 0) {
		fprintf(stderr, "orphans: bad N\n");
		return 2;
	}
	FILE *out = fopen(argv[2], "w");
	if (!out) {
		perror(argv[2]);
		return 2;
	}

	/* the creator writes the pids here; we read them once it is gone */
	size_t size = sizeof(long) + (size_t)n * sizeof(pid_t);
	long *created = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (created == MAP_FAILED) {
		perror("orphans: mmap");
		return 2;
	}
	pid_t *pids = (pid_t *)(created + 1);
	int gate[2];
	if (pipe(gate) < 0) {
		perror("orphans: pipe");
		return 2;
	}

	pid_t creator = fork();
	if (creator < 0) {
		perror("orphans: fork");
		return 2;
	}
	if (creator == 0) {
		double give_up = now() + 30; /* pids may run short for a while */
		for (long i = 0; i < n; i++) {
			pid_t p = fork();
			while (p < 0 && errno == EAGAIN && now() < give_up) {
				usleep(10000);
				p = fork();
			}
			if (p == 0) {
				char b;
				close(gate[1]);
				while (read(gate[0], &b, 1) < 0 && errno == EINTR)
					;
				_exit(0);
			}
			if (p < 0) {
				perror("orphans: fork (creator)");
				break;
			}
			pids[i] = p;
			*created = i + 1;
		}
		_exit(0);
	}
	close(gate[0]);
	int st;
	while (waitpid(creator, &st, 0) < 0 && errno == EINTR)
		;

	/* the creator is gone: its children must now be the reaper's */
	long ok = 0, ppid;
	double deadline = now() + 30;
	for (long i = 0; i < *created; i++) {
		char s;
		while ((s = pid_state(pids[i], &ppid)) && ppid != reaper && now() < deadline)
			usleep(1000);
		ok += s && s != 'Z' && ppid == reaper;
	}

	double t0 = now();
	close(gate[1]); /* release: every orphan's read() returns 0, it exits */

	double t_exit = -1;
	long zombies_at_exit = -1;
	deadline = t0 + 60;
	while (now() < deadline) {
		long running = 0;
		for (long i = 0; i < *created; i++) {
			char s = pid_state(pids[i], &ppid);
			running += s && s != 'Z' && ppid == reaper;
		}
		if (running == 0) {
			t_exit = now();
			zombies_at_exit = zombies_of(reaper);
			break;
		}
		usleep(2000);
	}
	long zombies = -1;
	double reaped = -1;
	if (t_exit > 0) {
		double until = t_exit + wait_s;
		while (now() < until)
			usleep((useconds_t)((until - now()) * 1e6) + 1);
		zombies = zombies_of(reaper);
		/* for the record: how long until none was left */
		if (zombies_at_exit == 0)
			reaped = t_exit - t0;
		while (reaped < 0 && now() < t0 + 10) {
			if (zombies_of(reaper) == 0) {
				reaped = now() - t0;
				break;
			}
			usleep(2000);
		}
	}
	fprintf(out, "created %ld\nreparented %ld\nexit_ms %.0f\nzombies_at_exit %ld\n"
		"zombies %ld\nreaped_ms %.0f\n",
		*created, ok, t_exit > 0 ? (t_exit - t0) * 1000 : -1, zombies_at_exit, zombies,
		reaped >= 0 ? reaped * 1000 : -1);
	if (fclose(out) != 0) {
		perror(argv[2]);
		return 2;
	}
	return *created == n && ok == n && zombies == 0 ? 0 : 1;
}
