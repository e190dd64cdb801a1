/* Fuzz target: config_load() on whole files, the graph and cycle checks
 * included.
 *
 * The input is written to DIR/muster.ini (DIR: a private directory under
 * $MUSTER_FUZZ_TMP, else /dev/shm, else /tmp) and loaded as the daemon loads
 * it.  When the input holds the line ";--env-file--", what follows that line
 * becomes DIR/env instead (so `env-file = env` reads fuzzed content);
 * otherwise DIR/env does not exist.  Likewise, what follows a line
 * ";--include--" (before any ";--env-file--") becomes DIR/inc.ini, for
 * `include = inc.ini` (or `*.ini`, which finds muster.ini too).
 *
 * Sandbox: src/config.c is compiled for this target with
 * -Dfopen=muster_fuzz_fopen, src/envfile.c with -Dopen=muster_fuzz_open and
 * src/layer.c with -Dglob=muster_fuzz_glob, and they answer EACCES (no
 * match, for a glob) for any path outside DIR (or with a "/.." in it),
 * so that the fuzzer reads no file of the machine's (envfile.c would refuse
 * /dev/zero or /dev/stdin anyway).  config.c opens files with fopen() only,
 * envfile.c with open() only (after a stat(), which opens nothing).
 *
 * After a load, the invariants that the rest of the daemon relies on are
 * checked: a config comes without errors and with a valid plan (levels that
 * respect every edge), argv for every service, values in range; a failed
 * load comes with at least one "FILE:..." message.  LeakSanitizer checks
 * that every path, the error ones included, frees what it took.
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "fuzz.h"
#include "parse.h"

static char dir[1024];
static char conf_path[1100];
static char env_path[1100];
static char inc_path[1100];
static bool env_exists, inc_exists;

FILE *muster_fuzz_fopen(const char *path, const char *mode);

FILE *muster_fuzz_fopen(const char *path, const char *mode)
{
	size_t n = strlen(dir);
	if (!n || strncmp(path, dir, n) || path[n] != '/' || strstr(path, "/..")) {
		errno = EACCES;
		return NULL;
	}
	return fopen(path, mode);
}

int muster_fuzz_open(const char *path, int flags, ...);

int muster_fuzz_open(const char *path, int flags, ...)
{
	size_t n = strlen(dir);
	if (!n || strncmp(path, dir, n) || path[n] != '/' || strstr(path, "/..")) {
		errno = EACCES;
		return -1;
	}
	return open(path, flags); /* envfile.c never creates a file */
}

int muster_fuzz_glob(const char *pattern, int flags, int (*errfunc)(const char *, int),
		     glob_t *pglob);

int muster_fuzz_glob(const char *pattern, int flags, int (*errfunc)(const char *, int),
		     glob_t *pglob)
{
	size_t n = strlen(dir);
	if (!n || strncmp(pattern, dir, n) || pattern[n] != '/' || strstr(pattern, "/.."))
		return GLOB_NOMATCH;
	return glob(pattern, flags, errfunc, pglob);
}

static void cleanup(void)
{
	unlink(conf_path);
	unlink(env_path);
	unlink(inc_path);
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	const char *base = getenv("MUSTER_FUZZ_TMP");
	if (!base || !*base)
		base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(dir, sizeof dir, "%s/muster-fuzz-config.XXXXXX", base);
	if (!mkdtemp(dir)) {
		perror("fuzz_config: mkdtemp");
		exit(1);
	}
	snprintf(conf_path, sizeof conf_path, "%s/muster.ini", dir);
	snprintf(env_path, sizeof env_path, "%s/env", dir);
	snprintf(inc_path, sizeof inc_path, "%s/inc.ini", dir);
	atexit(cleanup);
	return 0;
}

static void write_file(const char *path, const uint8_t *data, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		perror(path);
		abort();
	}
	while (n) {
		ssize_t w = write(fd, data, n);
		if (w <= 0) {
			perror(path);
			abort();
		}
		data += w, n -= (size_t)w;
	}
	close(fd);
}

static bool valid_name(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 64)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr("-_.@", *s)))
			return false;
	return true;
}

static void check_duration(double d)
{
	CHECK(isfinite(d) && d >= 0 && d <= 1e9);
}

static void check_config(const struct config *c)
{
	CHECK(c->file && !strcmp(c->file, conf_path));
	CHECK(c->files && c->files[0] && !strcmp(c->files[0], conf_path));
	for (char **f = c->files; *f; f++)
		CHECK(!strncmp(*f, dir, strlen(dir)) && (*f)[strlen(dir)] == '/');
	check_duration(c->graceful_timeout);
	CHECK(c->log_level >= LOG_ERROR && c->log_level <= LOG_DEBUG);
	CHECK(c->log_max_files >= 1 && c->log_max_files <= 1000);
	CHECK(c->graph.n == c->nservices);
	CHECK(c->nlevels >= 0);
	CHECK(c->nservices == 0 || c->nlevels >= 1);
	for (size_t i = 0; i < c->nservices; i++) {
		const struct svc_conf *s = &c->services[i];
		CHECK(s->name && valid_name(s->name));
		CHECK(config_find(c, s->name) == (long)i);
		CHECK(s->instance >= 1 && s->instance <= s->instances);
		if (s->base) {
			char inst[96];
			snprintf(inst, sizeof inst, "%s@%d", s->base, s->instance);
			CHECK(!strcmp(inst, s->name));
		}
		CHECK(s->command && *s->command);
		CHECK(s->argv && s->argv[0]);
		if (s->shell)
			CHECK(!strcmp(s->argv[0], "/bin/sh") && s->argv[2] && !s->argv[3]);
		CHECK(s->type >= TYPE_SIMPLE && s->type <= TYPE_ONESHOT);
		CHECK(s->restart >= RESTART_NO && s->restart <= RESTART_ALWAYS);
		CHECK(s->ready_fd == -1 || (s->ready_fd >= 3 && s->ready_fd <= 1023));
		CHECK(!s->ready_tcp_host == !s->ready_tcp_port);
		if (s->ready_tcp_host)
			CHECK(*s->ready_tcp_host && *s->ready_tcp_port);
		int probes = (s->ready_fd >= 0) + !!s->ready_tcp_host + !!s->ready_check;
		CHECK(probes <= 1);
		CHECK(s->type == TYPE_SIMPLE || probes == 0);
		check_duration(s->ready_interval);
		CHECK(s->ready_interval > 0);
		check_duration(s->ready_timeout);
		check_duration(s->restart_delay);
		check_duration(s->restart_delay_max);
		CHECK(s->restart_delay <= s->restart_delay_max);
		CHECK(s->start_limit_burst >= 0 && s->start_limit_burst <= 1000000);
		check_duration(s->start_limit_interval);
		CHECK(s->stop_signal >= 1 && s->stop_signal < NSIG);
		check_duration(s->stop_timeout);
		CHECK(s->umask >= -1 && s->umask <= 0777);
		for (size_t k = 0; s->env && s->env[k]; k++) {
			const char *eq = strchr(s->env[k], '=');
			CHECK(eq && env_name_valid(s->env[k], (size_t)(eq - s->env[k])));
			for (size_t m = 0; m < k; m++)
				CHECK(strncmp(s->env[m], s->env[k], (size_t)(eq - s->env[k]) + 1));
		}
		for (size_t k = 0; s->depends && s->depends[k]; k++)
			CHECK(valid_name(s->depends[k]));
		for (size_t k = 0; s->after && s->after[k]; k++)
			CHECK(valid_name(s->after[k]));
		/* levels: every edge goes down */
		CHECK(c->levels[i] >= 0 && c->levels[i] < c->nlevels);
		for (size_t k = 0; k < s->ndep; k++) {
			CHECK(s->dep_idx[k] < c->nservices);
			CHECK(c->levels[i] > c->levels[s->dep_idx[k]]);
		}
		for (size_t k = 0; k < s->nafter; k++) {
			CHECK(s->after_idx[k] < c->nservices);
			CHECK(c->levels[i] > c->levels[s->after_idx[k]]);
		}
		CHECK(svc_conf_equal(s, s));
	}
}

static void check_errors(const struct errlist *e)
{
	CHECK(e->n >= 1 && e->n <= e->cap && e->msgs && e->lines);
	size_t cl = strlen(conf_path), el = strlen(env_path);
	for (size_t i = 0; i < e->n; i++) {
		CHECK(e->msgs[i] && e->lines[i] >= 0);
		CHECK(!strncmp(e->msgs[i], conf_path, cl) || !strncmp(e->msgs[i], env_path, el) ||
		      !strncmp(e->msgs[i], dir, strlen(dir)));
	}
	/* line order among the config file's own messages between two messages
	 * of another file (config.c sorts within such runs) */
	for (size_t i = 1; i < e->n; i++)
		if (!strncmp(e->msgs[i], conf_path, cl) && e->msgs[i][cl] == ':' &&
		    !strncmp(e->msgs[i - 1], conf_path, cl) && e->msgs[i - 1][cl] == ':')
			CHECK(e->lines[i - 1] <= e->lines[i]);
}

/* Split off what follows marker in data[0..*size): written to path (or path
 * removed when there is no marker); *size is cut to what precedes it. */
static void split_off(const uint8_t *data, size_t *size, const char *marker, const char *path,
		      bool *exists)
{
	size_t ml = strlen(marker);
	const uint8_t *m = memmem(data, *size, marker, ml);
	if (m) {
		size_t clen = (size_t)(m - data) + 1; /* keep the config's last '\n' */
		size_t skip = clen + ml - 1;
		write_file(path, data + skip, *size - skip);
		*exists = true;
		*size = clen;
	} else {
		if (*exists)
			unlink(path);
		*exists = false;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!dir[0])
		LLVMFuzzerInitialize(NULL, NULL);
	split_off(data, &size, "\n;--env-file--\n", env_path, &env_exists);
	split_off(data, &size, "\n;--include--\n", inc_path, &inc_exists);
	write_file(conf_path, data, size);

	struct errlist errs = { 0 };
	struct config *c = config_load(conf_path, &errs);
	if (c) {
		CHECK(errs.n == 0);
		check_config(c);
		config_free(c);
	} else {
		check_errors(&errs);
	}
	errlist_free(&errs);
	return 0;
}
