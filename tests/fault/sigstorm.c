/* sigstorm: send a storm of signals to one process, for muster's
 * fault-injection tests.
 *
 *   sigstorm PID COUNT SECONDS SIG...
 *
 * Sends COUNT signals to PID, the SIGs in turn (names such as HUP, USR1,
 * CHLD, or numbers), spread evenly over SECONDS (in batches, so the pace
 * holds on a loaded machine; as fast as kill() goes when behind).  Stops
 * early if PID is gone.  Prints "sent N in T s (failed F)" and exits 0
 * when all COUNT were sent, 1 otherwise, 2 on bad usage.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int signum(const char *s)
{
	static const struct { const char *name; int sig; } names[] = {
		{ "HUP", SIGHUP }, { "USR1", SIGUSR1 }, { "USR2", SIGUSR2 }, { "CHLD", SIGCHLD },
		{ "WINCH", SIGWINCH }, { "CONT", SIGCONT }, { "ALRM", SIGALRM }, { "URG", SIGURG },
	};
	if (!strncmp(s, "SIG", 3))
		s += 3;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (!strcmp(s, names[i].name))
			return names[i].sig;
	int n = atoi(s);
	return n > 0 && n < NSIG ? n : -1;
}

int main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: sigstorm PID COUNT SECONDS SIG...\n");
		return 2;
	}
	pid_t pid = (pid_t)atol(argv[1]);
	long count = atol(argv[2]);
	double secs = atof(argv[3]);
	int nsig = argc - 4, sigs[64];
	if (pid <= 1 || count <= 0 || secs < 0 || nsig > 64) {
		fprintf(stderr, "sigstorm: bad arguments\n");
		return 2;
	}
	for (int i = 0; i < nsig; i++)
		if ((sigs[i] = signum(argv[4 + i])) < 0) {
			fprintf(stderr, "sigstorm: unknown signal %s\n", argv[4 + i]);
			return 2;
		}

	const long batch = 500;
	double t0 = now();
	long sent = 0, failed = 0;
	while (sent < count) {
		/* where the pace says we should be */
		double due = secs > 0 ? t0 + secs * (double)sent / (double)count : 0;
		double wait = due - now();
		if (wait > 0) {
			struct timespec ts = { (time_t)wait, (long)((wait - (double)(time_t)wait) * 1e9) };
			nanosleep(&ts, NULL);
		}
		for (long i = 0; i < batch && sent < count; i++, sent++)
			if (kill(pid, sigs[sent % nsig]) < 0) {
				failed++;
				if (errno == ESRCH)
					goto out;
			}
	}
out:
	printf("sent %ld in %.3f s (failed %ld)\n", sent - failed, now() - t0, failed);
	return sent == count && failed == 0 ? 0 : 1;
}
