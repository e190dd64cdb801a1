/* Unit tests for src/config.c: config_load() on temporary files, with the
 * exact "FILE:LINE: message" of every error. */
#include <check.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "keys.h"

/* ---- helpers --------------------------------------------------------- */

/* Write text to a new file under /tmp; returns its malloc'd path. */
static char *tmp_write(const char *text, size_t len)
{
	char *path = strdup("/tmp/muster-check-config-XXXXXX");
	ck_assert_ptr_nonnull(path);
	int fd = mkstemp(path);
	ck_assert_msg(fd >= 0, "mkstemp: %s", strerror(errno));
	size_t off = 0;
	while (off < len) {
		ssize_t w = write(fd, text + off, len - off);
		ck_assert_msg(w > 0, "write: %s", strerror(errno));
		off += (size_t)w;
	}
	close(fd);
	return path;
}

/* Load text as a config file.  The file is removed before returning, so
 * nothing is left in /tmp even when an assertion fails later; *path keeps
 * its name for the expected messages. */
static struct config *load_n(const char *text, size_t len, struct errlist *errs, char **path)
{
	memset(errs, 0, sizeof *errs);
	*path = tmp_write(text, len);
	struct config *c = config_load(*path, errs);
	unlink(*path);
	if (c)
		ck_assert_msg(errs->n == 0, "config loaded, but with %zu errors (first: %s)", errs->n,
			      errs->msgs[0]);
	else
		ck_assert_msg(errs->n > 0, "config_load returned NULL without an error");
	return c;
}

static struct config *load(const char *text, struct errlist *errs, char **path)
{
	return load_n(text, strlen(text), errs, path);
}

/* All the errors, one a line, for failure messages. */
static const char *dump(const struct errlist *e)
{
	static char buf[8192];
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < e->n && used < sizeof buf - 1; i++)
		used += (size_t)snprintf(buf + used, sizeof buf - used, "\n  [%zu] %s", i, e->msgs[i]);
	return buf;
}

/* Expect exactly these errors (each once, in any order); each expected
 * entry is what follows the file name, e.g. ":3: unknown key ...". */
static void expect_errs_v(const struct errlist *e, const char *path, const char *const *want)
{
	size_t n = 0;
	while (want[n])
		n++;
	unsigned char *used = calloc(e->n + 1, 1);
	ck_assert_ptr_nonnull(used);
	for (size_t i = 0; i < n; i++) {
		char *full = NULL;
		ck_assert_int_ge(asprintf(&full, "%s%s", path, want[i]), 0);
		size_t j = 0;
		while (j < e->n && (used[j] || strcmp(e->msgs[j], full)))
			j++;
		ck_assert_msg(j < e->n, "missing error:\n  %s\ngot:%s", full, dump(e));
		used[j] = 1;
		free(full);
	}
	ck_assert_msg(e->n == n, "expected %zu errors, got %zu:%s", n, e->n, dump(e));
	free(used);
}
#define EXPECT_ERRS(e, path, ...) expect_errs_v((e), (path), (const char *const[]){ __VA_ARGS__, NULL })

/* Load text that must be valid. */
static struct config *load_ok(const char *text)
{
	struct errlist errs;
	char *path;
	struct config *c = load(text, &errs, &path);
	ck_assert_msg(c != NULL, "config should be valid:%s", dump(&errs));
	ck_assert_str_eq(c->file, path);
	free(path);
	errlist_free(&errs);
	return c;
}

static const struct svc_conf *svc(const struct config *c, const char *name)
{
	long i = config_find(c, name);
	ck_assert_msg(i >= 0, "no service '%s'", name);
	return &c->services[i];
}

static void expect_argv(char **argv, ...)
{
	va_list ap;
	size_t i = 0;
	const char *w;

	ck_assert_ptr_nonnull(argv);
	va_start(ap, argv);
	while ((w = va_arg(ap, const char *))) {
		ck_assert_msg(argv[i] != NULL, "argv has %zu words, expected more", i);
		ck_assert_str_eq(argv[i], w);
		i++;
	}
	va_end(ap);
	ck_assert_msg(argv[i] == NULL, "argv has more than %zu words: next [%s]", i, argv[i]);
}

static const char *env_get(const struct svc_conf *s, const char *key)
{
	size_t kl = strlen(key);
	for (char **e = s->env; e && *e; e++)
		if (!strncmp(*e, key, kl) && (*e)[kl] == '=')
			return *e + kl + 1;
	return NULL;
}

static size_t strv_len(char **v)
{
	size_t n = 0;
	while (v && v[n])
		n++;
	return n;
}

/* ---- valid configs: values ------------------------------------------- */

START_TEST(test_empty_file)
{
	struct config *c = load_ok("");
	ck_assert_uint_eq(c->nservices, 0);
	ck_assert_int_eq(c->nlevels, 0);
	ck_assert_double_eq(c->graceful_timeout, 10);
	ck_assert(c->log_prefix);
	ck_assert(!c->log_timestamps);
	ck_assert_int_eq(c->log_level, LOG_INFO);
	ck_assert(!c->log_level_set);
	ck_assert_uint_eq(c->log_max_size, 0);
	ck_assert_int_eq(c->log_max_files, 5);
	ck_assert_ptr_null(c->control_socket);
	config_free(c);

	c = load_ok("; only comments\n# here\n\n   \n[muster]\n");
	ck_assert_uint_eq(c->nservices, 0);
	ck_assert_int_eq(c->nlevels, 0);
	config_free(c);
}
END_TEST

START_TEST(test_muster_section)
{
	struct config *c = load_ok("[muster]\n"
				   "graceful-timeout = 250ms\n"
				   "control-socket = /tmp/m.sock\n"
				   "log-prefix = no\n"
				   "log-timestamps = yes\n"
				   "log-level = debug\n"
				   "log-max-size = 10M\n"
				   "log-max-files = 3\n");
	ck_assert_double_eq_tol(c->graceful_timeout, 0.25, 1e-9);
	ck_assert_str_eq(c->control_socket, "/tmp/m.sock");
	ck_assert(!c->log_prefix);
	ck_assert(c->log_timestamps);
	ck_assert_int_eq(c->log_level, LOG_DEBUG);
	ck_assert(c->log_level_set);
	ck_assert_uint_eq(c->log_max_size, 10u << 20);
	ck_assert_int_eq(c->log_max_files, 3);
	config_free(c);
}
END_TEST

START_TEST(test_service_defaults)
{
	struct config *c = load_ok("[service a]\ncommand = /bin/true\n");
	ck_assert_uint_eq(c->nservices, 1);
	const struct svc_conf *s = svc(c, "a");
	ck_assert_str_eq(s->name, "a");
	ck_assert_int_eq(s->line, 1);
	ck_assert_str_eq(s->command, "/bin/true");
	expect_argv(s->argv, "/bin/true", NULL);
	ck_assert(!s->shell);
	ck_assert_int_eq(s->type, TYPE_SIMPLE);
	ck_assert_int_eq(s->notify_access, NOTIFY_MAIN);
	ck_assert_int_eq(s->ready_fd, -1);
	ck_assert_ptr_null(s->ready_tcp_host);
	ck_assert_ptr_null(s->ready_check);
	ck_assert_double_eq_tol(s->ready_interval, 0.1, 1e-9);
	ck_assert_double_eq_tol(s->ready_timeout, 30, 1e-9);
	ck_assert_ptr_null(s->depends);
	ck_assert_ptr_null(s->after);
	ck_assert_uint_eq(s->ndep, 0);
	ck_assert_uint_eq(s->nafter, 0);
	ck_assert_int_eq(s->restart, RESTART_ON_FAILURE);
	ck_assert_double_eq_tol(s->restart_delay, 0.1, 1e-9);
	ck_assert_double_eq_tol(s->restart_delay_max, 30, 1e-9);
	ck_assert_int_eq(s->start_limit_burst, 5);
	ck_assert_double_eq_tol(s->start_limit_interval, 60, 1e-9);
	ck_assert(!s->critical);
	ck_assert_int_eq(s->stop_signal, SIGTERM);
	ck_assert_double_eq_tol(s->stop_timeout, 10, 1e-9);
	ck_assert_ptr_null(s->env);
	ck_assert_int_eq(s->umask, -1);
	ck_assert_ptr_null(s->directory);
	ck_assert_ptr_null(s->user);
	ck_assert_ptr_null(s->log_file);
	ck_assert_int_eq(c->nlevels, 1);
	ck_assert_int_eq(c->levels[0], 0);
	config_free(c);
}
END_TEST

START_TEST(test_service_all_keys)
{
	struct config *c = load_ok("[service web-1.x@y_z]\n"
				   "command = /app/server --port 8080\n"
				   "type = notify\n"
				   "notify-access = all\n"
				   "ready-interval = 50ms\n"
				   "ready-timeout = 1m\n"
				   "restart = always\n"
				   "restart-delay = 1s\n"
				   "restart-delay-max = 2m\n"
				   "start-limit = 3 in 10s\n"
				   "critical = yes\n"
				   "stop-signal = SIGINT\n"
				   "stop-timeout = 20s\n"
				   "directory = /srv\n"
				   "user = nobody\n"
				   "group = nogroup\n"
				   "umask = 027\n"
				   "log-file = /var/log/web.log\n"
				   "[service t]\n"
				   "command = x\n"
				   "ready-tcp = 127.0.0.2:6379\n"
				   "[service u]\n"
				   "command = x\n"
				   "ready-tcp: 8080\n"
				   "[service f]\n"
				   "command = x\n"
				   "ready-fd = 3\n"
				   "[service k]\n"
				   "command = x\n"
				   "ready-check = test -e /tmp/x\n"
				   "[service v6]\n"
				   "command = x\n"
				   "ready-tcp = [::1]:80\n");
	/* a host name is taken (0.2): the probe resolves it without blocking */
	struct config *named = load_ok("[service d]\ncommand = /bin/d\nready-tcp = db.example:5432\n");
	ck_assert_str_eq(svc(named, "d")->ready_tcp_host, "db.example");
	ck_assert_str_eq(svc(named, "d")->ready_tcp_port, "5432");
	config_free(named);
	/* ready-check is split like command, never run through a shell (0.2) */
	expect_argv(svc(c, "k")->ready_check_argv, "test", "-e", "/tmp/x", NULL);
	const struct svc_conf *s = svc(c, "web-1.x@y_z");
	expect_argv(s->argv, "/app/server", "--port", "8080", NULL);
	ck_assert_int_eq(s->type, TYPE_NOTIFY);
	ck_assert_int_eq(s->notify_access, NOTIFY_ALL);
	ck_assert_double_eq_tol(s->ready_interval, 0.05, 1e-9);
	ck_assert_double_eq_tol(s->ready_timeout, 60, 1e-9);
	ck_assert_int_eq(s->restart, RESTART_ALWAYS);
	ck_assert_double_eq_tol(s->restart_delay, 1, 1e-9);
	ck_assert_double_eq_tol(s->restart_delay_max, 120, 1e-9);
	ck_assert_int_eq(s->start_limit_burst, 3);
	ck_assert_double_eq_tol(s->start_limit_interval, 10, 1e-9);
	ck_assert(s->critical);
	ck_assert_int_eq(s->stop_signal, SIGINT);
	ck_assert_double_eq_tol(s->stop_timeout, 20, 1e-9);
	ck_assert_str_eq(s->directory, "/srv");
	ck_assert_str_eq(s->user, "nobody");
	ck_assert_str_eq(s->group, "nogroup");
	ck_assert_int_eq(s->umask, 027);
	ck_assert_str_eq(s->log_file, "/var/log/web.log");

	s = svc(c, "t");
	ck_assert_str_eq(s->ready_tcp_host, "127.0.0.2");
	ck_assert_str_eq(s->ready_tcp_port, "6379");
	s = svc(c, "u");
	ck_assert_str_eq(s->ready_tcp_host, "127.0.0.1");
	ck_assert_str_eq(s->ready_tcp_port, "8080");
	s = svc(c, "f");
	ck_assert_int_eq(s->ready_fd, 3);
	s = svc(c, "k");
	ck_assert_str_eq(s->ready_check, "test -e /tmp/x");
	s = svc(c, "v6");
	ck_assert_str_eq(s->ready_tcp_host, "::1");
	ck_assert_str_eq(s->ready_tcp_port, "80");
	config_free(c);
}
END_TEST

START_TEST(test_shell_yes)
{
	struct config *c = load_ok("[service a]\n"
				   "shell = yes\n"
				   "command = echo \"$HOME\" | tr a-z A-Z\n"
				   "[service b]\n"
				   "command = echo \"$HOME\" | tr a-z A-Z\n"
				   "shell = no\n");
	const struct svc_conf *a = svc(c, "a");
	ck_assert(a->shell);
	expect_argv(a->argv, "/bin/sh", "-c", "echo \"$HOME\" | tr a-z A-Z", NULL);
	const struct svc_conf *b = svc(c, "b");
	ck_assert(!b->shell);
	expect_argv(b->argv, "echo", "$HOME", "|", "tr", "a-z", "A-Z", NULL);
	config_free(c);
}
END_TEST

START_TEST(test_command_quotes)
{
	struct config *c = load_ok("[service a]\n"
				   "command = /bin/printf '%s\\n' \"a \\\"b\\\"\" c\\ d ''\n");
	expect_argv(svc(c, "a")->argv, "/bin/printf", "%s\\n", "a \"b\"", "c d", "", NULL);
	config_free(c);
}
END_TEST

START_TEST(test_colon_separator_crlf_bom)
{
	struct config *c = load_ok("\xEF\xBB\xBF[service a]\r\n"
				   "command: /bin/echo x=y\r\n"
				   "restart : no\r\n"
				   "\r\n"
				   "[service b]\r\n"
				   "command=/bin/true\r\n");
	const struct svc_conf *a = svc(c, "a");
	expect_argv(a->argv, "/bin/echo", "x=y", NULL);
	ck_assert_int_eq(a->restart, RESTART_NO);
	ck_assert_int_eq(svc(c, "b")->line, 5);
	config_free(c);
}
END_TEST

START_TEST(test_depends_repeated_appends)
{
	struct config *c = load_ok("[service a]\n"
				   "command = /bin/true\n"
				   "depends = b\n"
				   "depends = c d\n"
				   "after = d\n"
				   "after = b\n"
				   "[service b]\ncommand = /bin/true\n"
				   "[service c]\ncommand = /bin/true\n"
				   "[service d]\ncommand = /bin/true\n");
	const struct svc_conf *a = svc(c, "a");
	ck_assert_uint_eq(strv_len(a->depends), 3);
	ck_assert_str_eq(a->depends[0], "b");
	ck_assert_str_eq(a->depends[1], "c");
	ck_assert_str_eq(a->depends[2], "d");
	ck_assert_uint_eq(a->ndep, 3);
	ck_assert_uint_eq(a->dep_idx[0], (size_t)config_find(c, "b"));
	ck_assert_uint_eq(a->dep_idx[1], (size_t)config_find(c, "c"));
	ck_assert_uint_eq(a->dep_idx[2], (size_t)config_find(c, "d"));
	ck_assert_int_eq(a->depends_line, 3);
	ck_assert_uint_eq(strv_len(a->after), 2);
	ck_assert_str_eq(a->after[0], "d");
	ck_assert_str_eq(a->after[1], "b");
	ck_assert_uint_eq(a->nafter, 2);
	ck_assert_int_eq(a->after_line, 5);
	ck_assert_int_eq(c->nlevels, 2);
	ck_assert_int_eq(c->levels[config_find(c, "a")], 1);
	ck_assert_int_eq(c->levels[config_find(c, "d")], 0);
	/* the graph has each edge once */
	ck_assert_uint_eq(c->graph.nout[config_find(c, "a")], 3);
	config_free(c);
}
END_TEST

START_TEST(test_env_repeated_merges)
{
	struct config *c = load_ok("[service a]\n"
				   "command = /bin/true\n"
				   "env = A=1 B='two words'\n"
				   "env = A=2 C=\"x y\" EMPTY=\n");
	const struct svc_conf *a = svc(c, "a");
	ck_assert_uint_eq(strv_len(a->env), 4);
	ck_assert_str_eq(env_get(a, "A"), "2");
	ck_assert_str_eq(env_get(a, "B"), "two words");
	ck_assert_str_eq(env_get(a, "C"), "x y");
	ck_assert_str_eq(env_get(a, "EMPTY"), "");
	config_free(c);
}
END_TEST

START_TEST(test_env_file_merging)
{
	const char *envtext = "# a comment\n"
			      "A=file\n"
			      "B=file\n"
			      "\n"
			      "export C='quoted value'\n"
			      "  D=\"dq\"  \n"
			      "E=file\r\n";
	char *envpath = tmp_write(envtext, strlen(envtext));
	char *text = NULL;
	ck_assert_int_ge(asprintf(&text, "[service a]\n"
				  "command = /bin/true\n"
				  "env = A=env F=env\n"
				  "env-file = %s\n"
				  "env = E=env\n", envpath), 0);
	struct errlist errs;
	char *path;
	struct config *c = load(text, &errs, &path);
	unlink(envpath);
	ck_assert_msg(c != NULL, "%s", dump(&errs));
	const struct svc_conf *a = svc(c, "a");
	ck_assert_str_eq(a->env_file, envpath);
	ck_assert_uint_eq(strv_len(a->env), 6);
	/* env overrides env-file */
	ck_assert_str_eq(env_get(a, "A"), "env");
	ck_assert_str_eq(env_get(a, "B"), "file");
	ck_assert_str_eq(env_get(a, "C"), "quoted value");
	ck_assert_str_eq(env_get(a, "D"), "dq");
	ck_assert_str_eq(env_get(a, "E"), "env");
	ck_assert_str_eq(env_get(a, "F"), "env");
	config_free(c);
	free(text);
	free(path);
	free(envpath);
}
END_TEST

START_TEST(test_env_file_errors)
{
	const char *envtext = "A=1\nBAD LINE\n1X=2\nOK=3\n";
	char *envpath = tmp_write(envtext, strlen(envtext));
	char *text = NULL;
	ck_assert_int_ge(asprintf(&text, "[service a]\n"
				  "command = /bin/true\n"
				  "env-file = %s\n"
				  "[service b]\n"
				  "command = /bin/true\n"
				  "\n"
				  "env-file = /nonexistent/muster-env\n", envpath), 0);
	struct errlist errs;
	char *path;
	struct config *c = load(text, &errs, &path);
	unlink(envpath);
	ck_assert_ptr_null(c);
	ck_assert_uint_eq(errs.n, 3);
	char *want = NULL;
	ck_assert_int_ge(asprintf(&want, "%s:2: expected KEY=VALUE, got 'BAD LINE'", envpath), 0);
	ck_assert_str_eq(errs.msgs[0], want);
	free(want);
	ck_assert_int_ge(asprintf(&want, "%s:3: expected KEY=VALUE, got '1X=2'", envpath), 0);
	ck_assert_str_eq(errs.msgs[1], want);
	free(want);
	ck_assert_int_ge(asprintf(&want, "%s:7: env-file '/nonexistent/muster-env' of service 'b': "
				  "No such file or directory", path), 0);
	ck_assert_str_eq(errs.msgs[2], want);
	free(want);
	errlist_free(&errs);
	free(text);
	free(path);
	free(envpath);
}
END_TEST

/* Errors are in line order, each file's among themselves: an env-file
 * whose name starts with the config's ("a.ini.env") is not mixed in. */
START_TEST(test_error_order_by_file)
{
	char dir[] = "/tmp/muster-order-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char *ini = NULL, *env = NULL;
	ck_assert_int_ge(asprintf(&ini, "%s/a.ini", dir), 0);
	ck_assert_int_ge(asprintf(&env, "%s/a.ini.env", dir), 0);
	FILE *f = fopen(env, "w");
	ck_assert_ptr_nonnull(f);
	fputs("A=1\nbad line\nB=2\nworse\n", f);
	fclose(f);
	f = fopen(ini, "w");
	ck_assert_ptr_nonnull(f);
	fputs("bad1\n[service a]\ncommand = x\nenv-file = a.ini.env\n\n\n\n\n\nbad2\n", f);
	fclose(f);
	struct errlist errs = { 0 };
	struct config *c = config_load(ini, &errs);
	unlink(ini);
	unlink(env);
	rmdir(dir);
	ck_assert_ptr_null(c);
	ck_assert_uint_eq(errs.n, 4);
	char *want[4];
	ck_assert_int_ge(asprintf(&want[0], "%s:1:", ini), 0);
	ck_assert_int_ge(asprintf(&want[1], "%s:10:", ini), 0);
	ck_assert_int_ge(asprintf(&want[2], "%s:2:", env), 0);
	ck_assert_int_ge(asprintf(&want[3], "%s:4:", env), 0);
	for (int i = 0; i < 4; i++) {
		ck_assert_msg(!strncmp(errs.msgs[i], want[i], strlen(want[i])),
			      "error %d: expected '%s...', got '%s'", i, want[i], errs.msgs[i]);
		free(want[i]);
	}
	errlist_free(&errs);
	free(ini);
	free(env);
}
END_TEST

START_TEST(test_levels)
{
	struct config *c = load_ok("[service db]\ncommand = /bin/db\n"
				   "[service cache]\ncommand = /bin/cache\n"
				   "[service migrate]\ncommand = /bin/migrate\ntype = oneshot\ndepends = db\n"
				   "[service web]\ncommand = /bin/web\ndepends = migrate cache\n"
				   "after = metrics\n"
				   "[service metrics]\ncommand = /bin/metrics\n"
				   "[service report]\ncommand = /bin/report\nafter = web\n");
	ck_assert_int_eq(c->nlevels, 4);
	ck_assert_int_eq(c->levels[config_find(c, "db")], 0);
	ck_assert_int_eq(c->levels[config_find(c, "cache")], 0);
	ck_assert_int_eq(c->levels[config_find(c, "metrics")], 0);
	ck_assert_int_eq(c->levels[config_find(c, "migrate")], 1);
	ck_assert_int_eq(c->levels[config_find(c, "web")], 2);
	ck_assert_int_eq(c->levels[config_find(c, "report")], 3);
	config_free(c);

	c = load_ok("[service x]\ncommand = a\n[service y]\ncommand = b\n[service z]\ncommand = c\n");
	ck_assert_int_eq(c->nlevels, 1);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(c->levels[i], 0);
	config_free(c);
}
END_TEST

START_TEST(test_config_find_and_equal)
{
	const char *text = "[service a]\ncommand = /bin/a x\n[service b]\ncommand = /bin/b\n";
	struct config *c1 = load_ok(text), *c2 = load_ok(text);
	struct config *c3 = load_ok("[service a]\ncommand = /bin/a  y\n[service b]\n"
				    "command = /bin/b\nstop-timeout = 9s\n");
	ck_assert_int_eq(config_find(c1, "a"), 0);
	ck_assert_int_eq(config_find(c1, "b"), 1);
	ck_assert_int_eq(config_find(c1, "c"), -1);
	ck_assert(svc_conf_equal(&c1->services[0], &c2->services[0]));
	ck_assert(svc_conf_equal(&c1->services[1], &c2->services[1]));
	ck_assert(!svc_conf_equal(&c1->services[0], &c3->services[0]));
	ck_assert(!svc_conf_equal(&c1->services[1], &c3->services[1]));
	ck_assert(!svc_conf_equal(&c1->services[0], &c1->services[1]));
	config_free(c1);
	config_free(c2);
	config_free(c3);

	/* whitespace differences in command do not matter: argv is compared */
	c1 = load_ok("[service a]\ncommand = /bin/a x\n");
	c2 = load_ok("[service a]\ncommand =   /bin/a    x  \n");
	ck_assert(svc_conf_equal(&c1->services[0], &c2->services[0]));
	config_free(c1);
	config_free(c2);
}
END_TEST

START_TEST(test_key_tables)
{
	/* every key of the tables is known to the parser, in its own section
	 * (whatever its value does) */
	const struct key_table *tables[2] = { &keys_service, &keys_muster };
	for (int t = 0; t < 2; t++) {
		size_t n = 0;
		for (const struct key *k = tables[t]->rows; k < tables[t]->rows + tables[t]->n; k++, n++) {
			char *text = NULL;
			ck_assert_int_ge(asprintf(&text, "%s\n%s = 1\n",
						  t == 0 ? "[service a]" : "[muster]", k->name), 0);
			struct errlist errs;
			char *path;
			struct config *c = load(text, &errs, &path);
			for (size_t i = 0; i < errs.n; i++)
				ck_assert_msg(!strstr(errs.msgs[i], "unknown key") &&
					      !strstr(errs.msgs[i], "belongs in"),
					      "key '%s': %s", k->name, errs.msgs[i]);
			config_free(c);
			errlist_free(&errs);
			free(path);
			free(text);
		}
		ck_assert_uint_ge(n, t == 0 ? 25 : 7);
	}
}
END_TEST

/* ---- continuation lines and comments --------------------------------- */

START_TEST(test_continuation_lines)
{
	struct config *c = load_ok("[service a]\n"
				   "command = /bin/echo one\n"
				   "    two \"three four\"\n"
				   "\tfive ; a comment\n"
				   "env = A=1\n"
				   "  B=2\n"
				   "depends = b\n"
				   "  c\n"
				   "[service b]\n"
				   "command = /bin/true\n"
				   "[service c]\n"
				   "command = /bin/true\n"
				   "stop-timeout = 1m\n"
				   "  30s\n");
	const struct svc_conf *a = svc(c, "a");
	ck_assert_str_eq(a->command, "/bin/echo one two \"three four\" five");
	expect_argv(a->argv, "/bin/echo", "one", "two", "three four", "five", NULL);
	ck_assert_str_eq(env_get(a, "A"), "1");
	ck_assert_str_eq(env_get(a, "B"), "2");
	ck_assert_uint_eq(strv_len(a->env), 2);
	ck_assert_uint_eq(strv_len(a->depends), 2);
	ck_assert_str_eq(a->depends[0], "b");
	ck_assert_str_eq(a->depends[1], "c");
	ck_assert_uint_eq(a->ndep, 2);
	ck_assert_double_eq_tol(svc(c, "c")->stop_timeout, 90, 1e-9);
	/* the section header after a continuation is a header again */
	ck_assert_int_eq(svc(c, "b")->line, 9);
	config_free(c);
}
END_TEST

START_TEST(test_continuation_error_line)
{
	struct errlist errs;
	char *path;
	struct config *c = load("[service a]\n"
				"command = /bin/true\n"
				"stop-timeout = 1m\n"
				"  30x\n"
				"depends = b\n"
				"  c!\n"
				"[service b]\n"
				"command = /bin/true\n",
				&errs, &path);
	ck_assert_ptr_null(c);
	EXPECT_ERRS(&errs, path,
		    ":3: invalid duration '1m 30x' for 'stop-timeout' (use e.g. 250ms, 10s, 2m, 1h, or seconds)",
		    ":5: invalid service name 'c!' in 'depends'");
	errlist_free(&errs);
	free(path);
}
END_TEST

/* A setting with its continuation lines is one value: it is checked once,
 * and reported once, at the key's line. */
START_TEST(test_continuation_value_error_once)
{
	struct errlist errs;
	char *path;
	struct config *c = load("[service a]\n"
				"command = /bin/true\n"
				"stop-timeout = 10x\n"
				"  5s\n"
				"  ; a comment inside\n"
				"  6s\n"
				"restart = no\n",
				&errs, &path);
	ck_assert_ptr_null(c);
	EXPECT_ERRS(&errs, path,
		    ":3: invalid duration '10x 5s 6s' for 'stop-timeout' (use e.g. 250ms, 10s, 2m, 1h, or seconds)");
	errlist_free(&errs);
	free(path);
}
END_TEST

/* Quotes may span continuation lines (the demo config relies on it); a
 * comment line does not end the value, a blank line does. */
START_TEST(test_continuation_quotes_comments_blank)
{
	struct config *c = load_ok("[service a]\n"
				   "command = sh -c 'echo one;\n"
				   "  ; a comment line between\n"
				   "  echo \"two ; three\"'\n"
				   "[service b]\n"
				   "command = /bin/echo b\n"
				   "\n"
				   "  restart = no\n"
				   "[service c]\n"
				   "command = /bin/echo c\n"
				   "   \t\n"
				   "\tstop-signal = INT\n"
				   "[service d]\n"
				   "command =\n"
				   "    /bin/echo\n"
				   "    d\n");
	expect_argv(svc(c, "a")->argv, "sh", "-c", "echo one; echo \"two ; three\"", NULL);
	const struct svc_conf *b = svc(c, "b");
	expect_argv(b->argv, "/bin/echo", "b", NULL);
	ck_assert_int_eq(b->restart, RESTART_NO);
	const struct svc_conf *cc = svc(c, "c");
	expect_argv(cc->argv, "/bin/echo", "c", NULL);
	ck_assert_int_eq(cc->stop_signal, SIGINT);
	/* an empty first line: the value starts on the next one */
	ck_assert_str_eq(svc(c, "d")->command, "/bin/echo d");
	config_free(c);
}
END_TEST

START_TEST(test_inline_comments)
{
	struct config *c = load_ok("[service a] ; header comment\n"
				   "command = /bin/echo hi ; a comment\n"
				   "restart = no\t; tab comment\n"
				   "[service b]\n"
				   "command = /bin/sh -c 'echo a ; echo b' ; real comment\n"
				   "[service c]\n"
				   "command = /bin/echo \"x ; y\" z;w\n"
				   "# full comment\n"
				   "; another\n"
				   "   ; indented comment\n"
				   "[service d]\n"
				   "command = /bin/echo \"it's ; here\" 'say \"a ; b\"'\n");
	const struct svc_conf *a = svc(c, "a");
	ck_assert_str_eq(a->command, "/bin/echo hi");
	ck_assert_int_eq(a->restart, RESTART_NO);
	expect_argv(svc(c, "b")->argv, "/bin/sh", "-c", "echo a ; echo b", NULL);
	expect_argv(svc(c, "c")->argv, "/bin/echo", "x ; y", "z;w", NULL);
	expect_argv(svc(c, "d")->argv, "/bin/echo", "it's ; here", "say \"a ; b\"", NULL);
	ck_assert_int_eq(svc(c, "d")->line, 11);
	config_free(c);
}
END_TEST

/* ---- long lines ------------------------------------------------------ */

START_TEST(test_long_command_line)
{
	size_t xs = 6000;
	char *big = malloc(xs + 1);
	memset(big, 'x', xs);
	big[xs] = '\0';
	char *text = NULL;
	ck_assert_int_ge(asprintf(&text, "; %s\n"        /* 1: a long comment */
				  "[service a]\n"          /* 2 */
				  "command = /bin/echo %s end ; comment\n" /* 3 */
				  "[service b]\n"          /* 4 */
				  "command = /bin/true\n"  /* 5 */
				  "env = K=%s\n",          /* 6 */
				  big, big, big), 0);
	struct config *c = load_ok(text);
	const struct svc_conf *a = svc(c, "a");
	ck_assert_uint_eq(strlen(a->command), strlen("/bin/echo ") + xs + strlen(" end"));
	ck_assert_uint_eq(strv_len(a->argv), 3);
	ck_assert_str_eq(a->argv[1], big);
	ck_assert_str_eq(a->argv[2], "end");
	ck_assert_int_eq(a->line, 2);
	const struct svc_conf *b = svc(c, "b");
	ck_assert_int_eq(b->line, 4);
	ck_assert_str_eq(env_get(b, "K"), big);
	config_free(c);
	free(text);
	free(big);
}
END_TEST

START_TEST(test_long_line_error_lines)
{
	size_t xs = 5000;
	char *big = malloc(xs + 1);
	memset(big, 'y', xs);
	big[xs] = '\0';
	char *text = NULL;
	ck_assert_int_ge(asprintf(&text, "[service a]\n"            /* 1 */
				  "type = bogus\n"                 /* 2 */
				  "command = /bin/echo %s\n"       /* 3 */
				  "stop-signal = NOPE\n"           /* 4 */
				  "command = /bin/echo %s %s\n"    /* 5 */
				  "\n"                             /* 6 */
				  "[service b]\n"                  /* 7 */
				  "comand = /bin/true\n",          /* 8 */
				  big, big, big), 0);
	struct errlist errs;
	char *path;
	struct config *c = load(text, &errs, &path);
	ck_assert_ptr_null(c);
	EXPECT_ERRS(&errs, path,
		    ":2: invalid type 'bogus' in [service a] (expected simple, notify or oneshot)",
		    ":4: unknown signal 'NOPE' for 'stop-signal' (use e.g. SIGTERM, SIGINT, SIGQUIT)",
		    ":5: 'command' is set twice in [service a] (first on line 3)",
		    ":8: unknown key 'comand' in [service b] (did you mean 'command'?)",
		    ":7: service 'b' has no 'command'");
	errlist_free(&errs);
	free(path);
	free(text);
	free(big);
}
END_TEST

/* ---- errors ---------------------------------------------------------- */

START_TEST(test_unknown_keys)
{
	struct errlist errs;
	char *path;
	struct config *c = load("[service a]\n"
				"command = /bin/true\n"
				"restrat = always\n"
				"frobnicate = 1\n"
				"graceful-timeout = 5s\n"
				"[muster]\n"
				"log-levl = debug\n"
				"command = x\n"
				"wibble = 2\n",
				&errs, &path);
	ck_assert_ptr_null(c);
	EXPECT_ERRS(&errs, path,
		    ":3: unknown key 'restrat' in [service a] (did you mean 'restart'?)",
		    ":4: unknown key 'frobnicate' in [service a]",
		    ":5: key 'graceful-timeout' belongs in [muster], not in [service a]",
		    ":7: unknown key 'log-levl' in [muster] (did you mean 'log-level'?)",
		    ":8: key 'command' belongs in [service NAME], not in [muster]",
		    ":9: unknown key 'wibble' in [muster]");
	errlist_free(&errs);
	free(path);
}
END_TEST

START_TEST(test_unknown_sections)
{
	struct errlist errs;
	char *path;
	struct config *c = load("[services a]\n"          /* 1 */
				"command = x\n"           /* 2: ignored */
				"[foo]\n"                 /* 3 */
				"[service]\n"             /* 4 */
				"[service a]\n"           /* 5 */
				"command = /bin/true\n"   /* 6 */
				"[service bad name!]\n"   /* 7 */
				"[service ok] trailing\n" /* 8 */
				"[muster]\n"              /* 9 */
				"[muster]\n"              /* 10 */
				"[muster\n"               /* 11 */
				"garbage line\n",         /* 12 */
				&errs, &path);
	ck_assert_ptr_null(c);
	EXPECT_ERRS(&errs, path,
		    ":1: unknown section [services a]; expected [muster], [service NAME] or [override NAME]",
		    ":3: unknown section [foo]; expected [muster], [service NAME] or [override NAME]",
		    ":4: [service] needs a name: [service NAME]",
		    ":7: invalid service name 'bad name!': use 1 to 64 letters, digits and - _ . @",
		    ":8: unexpected text after section header: 'trailing'",
		    ":10: [muster] appears twice (the first is on line 9)",
		    ":11: section header has no closing ']'",
		    ":12: expected 'key = value', '[section]' or a comment, got 'garbage line'");
	errlist_free(&errs);
	free(path);
}
END_TEST

START_TEST(test_key_outside_section)
{
	struct errlist errs;
	char *path;
	struct config *c = load("; comment\n"
				"command = /bin/true\n"
				"log-level = info\n"
				"[service a]\n"
				"command = /bin/true\n",
				&errs, &path);
	ck_assert_ptr_null(c);
	EXPECT_ERRS(&errs, path,
		    ":2: 'command' is outside any section; put it under [muster] or [service NAME]",
		    ":3: 'log-level' is outside any section; put it under [muster] or [service NAME]");
	errlist_free(&errs);
	free(path);
}
END_TEST

START_TEST(test_missing_command)
{
	struct errlist errs;
	char *path;
	struct config *c = load("[service a]\n"
				"type = simple\n"
				"[service ok]\n"
				"command = /bin/true\n"
				"[service b]\n"
				"restart = no\n",
				&errs, &path);
	ck_assert_ptr_null(c);
	EXPECT_ERRS(&errs, path,
		    ":1: service 'a' has no 'command'",
		    ":5: service 'b' has no 'command'");
	errlist_free(&errs);
	free(path);
}
END_TEST

START_TEST(test_duplicate_service)
{
	struct errlist errs;
	char *path;
	struct config *c = load("[service a]\n"
				"command = /bin/true\n"
				"\n"
				"[service a]\n"
				"command = /bin/false\n"
				"bogus = 1\n"
				"[service b]\n"
				"command = /bin/true\n"
				"[service b]\n",
				&errs, &path);
	ck_assert_ptr_null(c);
	EXPECT_ERRS(&errs, path,
		    ":4: duplicate service 'a' (first defined on line 1)",
		    ":9: duplicate service 'b' (first defined on line 7)");
	errlist_free(&errs);
	free(path);
}
END_TEST

START_TEST(test_duplicate_scalar_key)
{
	struct errlist errs;
	char *path;
	struct config *c = load("[muster]\n"
				"log-prefix = yes\n"
				"log-prefix = no\n"
				"[service a]\n"
				"command = /bin/true\n"
				"restart = no\n"
				"restart = always\n"
				"command = /bin/false\n"
				"[service b]\n"
				"restart = no\n"
				"command = /bin/true\n",
				&errs, &path);
	ck_assert_ptr_null(c);
	EXPECT_ERRS(&errs, path,
		    ":3: 'log-prefix' is set twice in [muster] (first on line 2)",
		    ":7: 'restart' is set twice in [service a] (first on line 6)",
		    ":8: 'command' is set twice in [service a] (first on line 5)");
	errlist_free(&errs);
	free(path);
}
END_TEST

START_TEST(test_bad_values)
{
	struct errlist errs;
	char *path;
	struct config *c = load("[muster]\n"                    /* 1 */
				"graceful-timeout = soon\n"     /* 2 */
				"log-level = loud\n"            /* 3 */
				"log-max-size = 10X\n"          /* 4 */
				"log-max-files = 0\n"           /* 5 */
				"[service a]\n"                 /* 6 */
				"command = /bin/true\n"         /* 7 */
				"stop-timeout = 10x\n"          /* 8 */
				"stop-signal = SIGFOO\n"        /* 9 */
				"critical = maybe\n"            /* 10 */
				"umask = 0800\n"                /* 11 */
				"start-limit = 5\n"             /* 12 */
				"type = forking\n"              /* 13 */
				"restart = sometimes\n"         /* 14 */
				"ready-interval = -1\n"         /* 15 */
				"shell = 2\n"                   /* 16 */
				"notify-access = none\n"        /* 17 */
				"ready-fd = 2\n"                /* 18 */
				"ready-tcp = host:99999\n"      /* 19 */
				"directory =\n"                 /* 20 */
				"log-prefix = yes\n",           /* 21 */
				&errs, &path);
	ck_assert_ptr_null(c);
	EXPECT_ERRS(&errs, path,
		    ":2: invalid duration 'soon' for 'graceful-timeout' (use e.g. 250ms, 10s, 2m, 1h, or seconds)",
		    ":3: invalid log-level 'loud' in [muster] (expected debug, info, warning or error)",
		    ":4: invalid log-max-size '10X' in [muster] (expected bytes, or with K, M or G, e.g. 10M)",
		    ":5: invalid log-max-files '0' in [muster] (expected a count from 1 to 1000)",
		    ":8: invalid duration '10x' for 'stop-timeout' (use e.g. 250ms, 10s, 2m, 1h, or seconds)",
		    ":9: unknown signal 'SIGFOO' for 'stop-signal' (use e.g. SIGTERM, SIGINT, SIGQUIT)",
		    ":10: invalid critical 'maybe' in [service a]",
		    ":11: invalid umask '0800' in [service a] (expected an octal mask such as 022)",
		    ":12: invalid start-limit '5' in [service a] (expected COUNT in DURATION, e.g. 5 in 60s, or none)",
		    ":13: invalid type 'forking' in [service a] (expected simple, notify or oneshot)",
		    ":14: invalid restart 'sometimes' in [service a] (expected no, on-failure or always)",
		    ":15: invalid duration '-1' for 'ready-interval' (use e.g. 250ms, 10s, 2m, 1h, or seconds)",
		    ":16: invalid shell '2' in [service a]",
		    ":17: invalid notify-access 'none' in [service a] (expected main or all)",
		    ":18: invalid ready-fd '2' in [service a] (expected a descriptor number from 3 to 1023)",
		    ":19: invalid ready-tcp 'host:99999' in [service a] (expected HOST:PORT, [IPV6]:PORT or PORT)",
		    ":20: invalid directory '' in [service a]",
		    ":21: key 'log-prefix' belongs in [muster], not in [service a]");
	errlist_free(&errs);
	free(path);
}
END_TEST

START_TEST(test_bad_lists_and_env)
{
	struct errlist errs;
	char *path;
	struct config *c = load("[service a]\n"                 /* 1 */
				"command = /bin/true\n"         /* 2 */
				"depends = 'b\n"                /* 3 */
				"after = b!\n"                  /* 4 */
				"env = A='x\n"                  /* 5 */
				"env = 1A=x NOEQ B=ok\n"        /* 6 */
				"[service b]\n"                 /* 7 */
				"command = /bin/true\n",        /* 8 */
				&errs, &path);
	ck_assert_ptr_null(c);
	EXPECT_ERRS(&errs, path,
		    ":3: unterminated single quote in 'depends'",
		    ":4: invalid service name 'b!' in 'after'",
		    ":5: unterminated single quote in 'env'",
		    ":6: invalid env entry '1A=x' (expected KEY=VALUE)",
		    ":6: invalid env entry 'NOEQ' (expected KEY=VALUE)");
	errlist_free(&errs);
	free(path);
}
END_TEST

START_TEST(test_semantic_checks)
{
	struct errlist errs;
	char *path;
	struct config *c = load("[service a]\n"                 /* 1 */
				"command = /bin/true\n"         /* 2 */
				"restart-delay = 10s\n"         /* 3 */
				"restart-delay-max = 5s\n"      /* 4 */
				"ready-interval = 0\n"          /* 5 */
				"[service b]\n"                 /* 6 */
				"command = /bin/true\n"         /* 7 */
				"type = oneshot\n"              /* 8 */
				"ready-tcp = 8080\n"            /* 9 */
				"[service c]\n"                 /* 10 */
				"command = x\n"                 /* 11 */
				"ready-tcp = 8080\n"            /* 12 */
				"ready-fd = 3\n"                /* 13 */
				"[service d]\n"                 /* 14 */
				"command = x\n"                 /* 15 */
				"type = notify\n"               /* 16 */
				"ready-check = true\n",         /* 17 */
				&errs, &path);
	ck_assert_ptr_null(c);
	EXPECT_ERRS(&errs, path,
		    ":4: service 'a': restart-delay-max (5s) is below restart-delay (10s)",
		    ":5: service 'a': ready-interval must be above 0",
		    ":6: service 'b': a oneshot is ready when it exits 0; it takes no ready-fd, ready-tcp, ready-check, ready-http or ready-log",
		    ":10: service 'c': choose one of ready-fd, ready-tcp, ready-check, ready-http and ready-log",
		    ":14: service 'd': type = notify is ready on READY=1; it takes no ready-fd, ready-tcp, ready-check, ready-http or ready-log");
	errlist_free(&errs);
	free(path);
}
END_TEST

/* The health keys: bad values and combinations, each at its line. */
START_TEST(test_health_keys)
{
	struct errlist errs;
	char *path;
	struct config *c = load("[service a]\n"                       /* 1 */
				"command = /bin/true\n"               /* 2 */
				"health-http = https://web/\n"        /* 3 */
				"ready-http = http://web:99999/\n"    /* 4 */
				"ready-log = listening (on\n"         /* 5 */
				"on-unhealthy = reboot\n"             /* 6 */
				"health-retries = 0\n"                /* 7 */
				"watchdog = often\n"                  /* 8 */
				"health-check = 'unterminated\n"      /* 9 */
				"health-tcp = db:http\n"              /* 10 */
				"health-interval = 0\n"               /* 11 */
				"[service b]\n"                       /* 12 */
				"command = /bin/true\n"               /* 13 */
				"type = oneshot\n"                    /* 14 */
				"watchdog = 5s\n"                     /* 15 */
				"[service c]\n"                       /* 16 */
				"command = /bin/true\n"               /* 17 */
				"health-tcp = db:5432\n"              /* 18 */
				"health-http = http://db/\n"          /* 19 */
				"health-timeout = 0\n",               /* 20 */
				&errs, &path);
	ck_assert_ptr_null(c);
	EXPECT_ERRS(&errs, path,
		    ":3: invalid URL 'https://web/' for 'health-http': https is not supported (expected http://HOST[:PORT][/PATH])",
		    ":4: invalid URL 'http://web:99999/' for 'ready-http': the port is not from 1 to 65535 (expected http://HOST[:PORT][/PATH])",
		    ":5: invalid regular expression 'listening (on' for 'ready-log': Unmatched ( or \\(",
		    ":6: invalid on-unhealthy 'reboot' in [service a] (expected restart, stop or ignore)",
		    ":7: invalid health-retries '0' in [service a] (expected a count from 1 to 1000)",
		    ":8: invalid duration 'often' for 'watchdog' (use e.g. 250ms, 10s, 2m, 1h, seconds, or none)",
		    ":9: unterminated single quote in 'health-check'",
		    ":10: invalid health-tcp 'db:http' in [service a] (expected HOST:PORT, [IPV6]:PORT or PORT)",
		    ":11: service 'a': health-interval must be above 0",
		    ":12: service 'b': a oneshot is never ready, so never checked; it takes no health-check, health-http, health-tcp or watchdog",
		    ":16: service 'c': choose one of health-check, health-http and health-tcp",
		    ":20: service 'c': health-timeout must be above 0");
	errlist_free(&errs);
	free(path);

	/* the defaults, and values that are fine */
	c = load_ok("[service d]\ncommand = /bin/d\n"
		    "health-check = curl -fs 'http://localhost/a b'\n"
		    "watchdog = none\n"
		    "[service e]\ncommand = /bin/e\nwatchdog = 2s\nhealth-tcp = [::1]:80\n"
		    "on-unhealthy = ignore\nready-log = ^ready$\n");
	const struct svc_conf *d = svc(c, "d"), *e = svc(c, "e");
	expect_argv(d->health_check_argv, "curl", "-fs", "http://localhost/a b", NULL);
	ck_assert_double_eq_tol(d->health_interval, 10, 1e-9);
	ck_assert_double_eq_tol(d->health_timeout, 5, 1e-9);
	ck_assert_int_eq(d->health_retries, 3);
	ck_assert_double_eq_tol(d->health_start_period, 0, 1e-9);
	ck_assert_int_eq(d->on_unhealthy, UNHEALTHY_RESTART);
	ck_assert_double_eq_tol(d->watchdog, 0, 1e-9);
	ck_assert_double_eq_tol(e->watchdog, 2, 1e-9);
	ck_assert_str_eq(e->health_tcp_host, "::1");
	ck_assert_int_eq(e->on_unhealthy, UNHEALTHY_IGNORE);
	ck_assert_str_eq(e->ready_log, "^ready$");
	config_free(c);
}
END_TEST

START_TEST(test_unknown_dependency)
{
	struct errlist errs;
	char *path;
	struct config *c = load("[service db]\n"                /* 1 */
				"command = /bin/true\n"         /* 2 */
				"[service web]\n"               /* 3 */
				"command = /bin/true\n"         /* 4 */
				"depends = dbb\n"               /* 5 */
				"after = zzz\n"                 /* 6 */
				"[service x]\n"                 /* 7 */
				"command = /bin/true\n"         /* 8 */
				"depends = web\n"               /* 9 */
				"  nothing-like-it\n"           /* 10 */
				"after = webb\n",               /* 11 */
				&errs, &path);
	ck_assert_ptr_null(c);
	EXPECT_ERRS(&errs, path,
		    ":5: service 'web' depends on unknown service 'dbb' (did you mean 'db'?)",
		    ":6: service 'web' is after unknown service 'zzz'",
		    ":9: service 'x' depends on unknown service 'nothing-like-it'",
		    ":11: service 'x' is after unknown service 'webb' (did you mean 'web'?)");
	errlist_free(&errs);
	free(path);
}
END_TEST

START_TEST(test_self_dependency)
{
	struct errlist errs;
	char *path;
	struct config *c = load("[service a]\n"
				"command = /bin/true\n"
				"depends = a\n",
				&errs, &path);
	ck_assert_ptr_null(c);
	EXPECT_ERRS(&errs, path, ":3: dependency cycle: a -> a");
	errlist_free(&errs);
	free(path);
}
END_TEST

START_TEST(test_cycles)
{
	struct errlist errs;
	char *path;
	struct config *c = load("[service d]\n"                /* 1 */
				"command = /bin/true\n"         /* 2 */
				"depends = a\n"                 /* 3 */
				"[service a]\n"                 /* 4 */
				"command = /bin/true\n"         /* 5 */
				"depends = b\n"                 /* 6 */
				"[service b]\n"                 /* 7 */
				"command = /bin/true\n"         /* 8 */
				"depends = c\n"                 /* 9 */
				"[service c]\n"                 /* 10 */
				"command = /bin/true\n"         /* 11 */
				"depends = a\n"                 /* 12 */
				"[service s]\n"                 /* 13 */
				"command = /bin/true\n"         /* 14 */
				"after = s\n"                   /* 15 */
				"[service x]\n"                 /* 16 */
				"command = /bin/true\n"         /* 17 */
				"after = y\n"                   /* 18 */
				"[service y]\n"                 /* 19 */
				"command = /bin/true\n"         /* 20 */
				"depends = x\n",                /* 21 */
				&errs, &path);
	ck_assert_ptr_null(c);
	/* d only leads into a -> b -> c -> a and is not part of the path;
	 * every cycle is reported, at the line of the edge that opens it
	 * (a `depends` or an `after` line) */
	EXPECT_ERRS(&errs, path,
		    ":6: dependency cycle: a -> b -> c -> a",
		    ":15: dependency cycle: s -> s",
		    ":18: dependency cycle: x -> y -> x");
	errlist_free(&errs);
	free(path);
}
END_TEST

START_TEST(test_three_cycle)
{
	struct errlist errs;
	char *path;
	struct config *c = load("[service a]\n"                 /* 1 */
				"command = /bin/true\n"         /* 2 */
				"depends = b\n"                 /* 3 */
				"[service b]\n"                 /* 4 */
				"command = /bin/true\n"         /* 5 */
				"depends = c\n"                 /* 6 */
				"[service c]\n"                 /* 7 */
				"command = /bin/true\n"         /* 8 */
				"depends = a\n"                 /* 9 */
				"[service ok]\n"                /* 10 */
				"command = /bin/true\n"         /* 11 */
				"depends = a\n",                /* 12 */
				&errs, &path);
	ck_assert_ptr_null(c);
	EXPECT_ERRS(&errs, path, ":3: dependency cycle: a -> b -> c -> a");
	errlist_free(&errs);
	free(path);
}
END_TEST

START_TEST(test_unterminated_quote_in_command)
{
	struct errlist errs;
	char *path;
	struct config *c = load("[service a]\n"
				"command = sh -c 'echo hi\n"
				"[service b]\n"
				"command = /bin/echo \"abc\n"
				"[service c]\n"
				"command = /bin/echo abc\\\n",
				&errs, &path);
	ck_assert_ptr_null(c);
	ck_assert_msg(errs.n >= 3, "%s", dump(&errs));
	char *want = NULL;
	ck_assert_int_ge(asprintf(&want, "%s:2: unterminated single quote in 'command'", path), 0);
	ck_assert_str_eq(errs.msgs[0], want);
	free(want);
	ck_assert_int_ge(asprintf(&want, "%s:4: unterminated double quote in 'command'", path), 0);
	ck_assert_str_eq(errs.msgs[1], want);
	free(want);
	ck_assert_int_ge(asprintf(&want, "%s:6: trailing backslash in 'command'", path), 0);
	ck_assert_str_eq(errs.msgs[2], want);
	free(want);
	errlist_free(&errs);
	free(path);
}
END_TEST

START_TEST(test_nul_byte)
{
	struct errlist errs;
	char *path;
	static const char text[] = "[service a]\ncommand = /bin/tr\0ue\nrestart = nope\n";
	struct config *c = load_n(text, sizeof text - 1, &errs, &path);
	ck_assert_ptr_null(c);
	EXPECT_ERRS(&errs, path,
		    ":2: line contains a NUL byte",
		    ":3: invalid restart 'nope' in [service a] (expected no, on-failure or always)",
		    ":1: service 'a' has no 'command'");
	errlist_free(&errs);
	free(path);
}
END_TEST

START_TEST(test_missing_file)
{
	char path[] = "/tmp/muster-check-missing-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	unlink(path);

	struct errlist errs = { 0 };
	struct config *c = config_load(path, &errs);
	ck_assert_ptr_null(c);
	EXPECT_ERRS(&errs, path, ": cannot read config: No such file or directory");
	errlist_free(&errs);
}
END_TEST

START_TEST(test_directory_as_config)
{
	char dir[] = "/tmp/muster-check-dir-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	struct errlist errs = { 0 };
	struct config *c = config_load(dir, &errs);
	rmdir(dir);
	ck_assert_ptr_null(c);
	EXPECT_ERRS(&errs, dir, ": cannot read config: Is a directory");
	errlist_free(&errs);
}
END_TEST

START_TEST(test_errlist_appends)
{
	/* errors of a second load are appended to the same list */
	struct errlist errs = { 0 };
	errlist_add(&errs, "f.ini", 3, "x %d", 1);
	errlist_add(&errs, "f.ini", 0, "whole file");
	ck_assert_uint_eq(errs.n, 2);
	ck_assert_str_eq(errs.msgs[0], "f.ini:3: x 1");
	ck_assert_str_eq(errs.msgs[1], "f.ini: whole file");
	for (int i = 0; i < 20; i++)
		errlist_add(&errs, "g", i + 1, "m");
	ck_assert_uint_eq(errs.n, 22);
	ck_assert_str_eq(errs.msgs[21], "g:20: m");
	errlist_free(&errs);
	ck_assert_uint_eq(errs.n, 0);
	ck_assert_ptr_null(errs.msgs);
}
END_TEST

START_TEST(test_config_empty)
{
	struct config *c = config_empty();
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(c->nservices, 0);
	ck_assert_str_eq(c->file, "(none)");
	ck_assert_double_eq(c->graceful_timeout, 10);
	config_free(c);
	config_free(NULL);
}
END_TEST

/* Errors come in line order, whichever check found them (parser,
 * per-service validation, graph). */
START_TEST(test_errors_in_line_order)
{
	struct errlist errs;
	char *path;
	struct config *c = load("[service a]\n"              /* 1: no command */
				"depends = b\n"               /* 2: cycle */
				"[service b]\n"               /* 3 */
				"command = /bin/true\n"       /* 4 */
				"depends = a zz\n"            /* 5: unknown */
				"stop-timeout = x\n"          /* 6: bad value */
				"[bogus]\n",                  /* 7: section */
				&errs, &path);
	ck_assert_ptr_null(c);
	ck_assert_msg(errs.n == 5, "%s", dump(&errs));
	int prev = 0;
	for (size_t i = 0; i < errs.n; i++) {
		ck_assert_msg(!strncmp(errs.msgs[i], path, strlen(path)), "%s", errs.msgs[i]);
		int ln = atoi(errs.msgs[i] + strlen(path) + 1);
		ck_assert_msg(ln >= prev, "not in line order:%s", dump(&errs));
		prev = ln;
	}
	EXPECT_ERRS(&errs, path,
		    ":1: service 'a' has no 'command'",
		    ":2: dependency cycle: a -> b -> a",
		    ":5: service 'b' depends on unknown service 'zz'",
		    ":6: invalid duration 'x' for 'stop-timeout' (use e.g. 250ms, 10s, 2m, 1h, or seconds)",
		    ":7: unknown section [bogus]; expected [muster], [service NAME] or [override NAME]");
	errlist_free(&errs);
	free(path);
}
END_TEST

/* ---- bugs ------------------------------------------------------------ */


/* A cycle is reported even when the file has other errors. */
START_TEST(test_cycle_reported_with_other_errors)
{
	struct errlist errs;
	char *path;
	struct config *c = load("[service a]\n"
				"command = /bin/true\n"
				"depends = b\n"
				"restrat = no\n"
				"[service b]\n"
				"command = /bin/true\n"
				"depends = a\n",
				&errs, &path);
	ck_assert_ptr_null(c);
	EXPECT_ERRS(&errs, path,
		    ":4: unknown key 'restrat' in [service a] (did you mean 'restart'?)",
		    ":3: dependency cycle: a -> b -> a");
	errlist_free(&errs);
	free(path);
}
END_TEST

/* An invalid or empty `command` is one error, not also "no 'command'". */
START_TEST(test_invalid_command_reported_once)
{
	struct errlist errs;
	char *path;
	struct config *c = load("[service a]\n"
				"command = sh -c 'echo hi\n"
				"[service b]\n"
				"command =\n",
				&errs, &path);
	ck_assert_ptr_null(c);
	EXPECT_ERRS(&errs, path,
		    ":2: unterminated single quote in 'command'",
		    ":4: 'command' is empty");
	errlist_free(&errs);
	free(path);
}
END_TEST

/* An unknown or duplicate key and its continuation lines are one error. */
START_TEST(test_continuation_of_bad_key)
{
	struct errlist errs;
	char *path;
	struct config *c = load("[service a]\n"
				"command = /bin/true\n"
				"frobnicate = one\n"
				"  two three\n"
				"restart = no\n"
				"restart = always\n"
				"  on-failure\n",
				&errs, &path);
	ck_assert_ptr_null(c);
	EXPECT_ERRS(&errs, path,
		    ":3: unknown key 'frobnicate' in [service a]",
		    ":6: 'restart' is set twice in [service a] (first on line 5)");
	errlist_free(&errs);
	free(path);
}
END_TEST

/* Regression (cut_comment()): it once looked at the character before ";"
 * without knowing it was escaped, so "a\ ;b" (one word "a ;b" for a shell)
 * is cut after "a\ " and then fails as a trailing backslash. */
START_TEST(bug_escaped_blank_before_semicolon)
{
	struct config *c = load_ok("[service a]\n"
				   "command = /bin/echo a\\ ;b\n");
	expect_argv(svc(c, "a")->argv, "/bin/echo", "a ;b", NULL);
	config_free(c);
}
END_TEST

/* Regression: restart-delay alone above 30s was rejected ("restart-delay-max
 * (30s) is below restart-delay"); the default maximum is the longer of 30s
 * and restart-delay, and only a maximum set below the delay is an error. */
START_TEST(bug_restart_delay_max_default)
{
	struct config *c = load_ok("[service a]\ncommand = x\nrestart-delay = 2m\n"
				   "[service b]\ncommand = x\nrestart-delay = 1s\n"
				   "[service c]\ncommand = x\nrestart-delay = 2m\nrestart-delay-max = 2m\n"
				   "[service d]\ncommand = x\nrestart-delay-max = 0\nrestart-delay = 0\n");
	ck_assert_double_eq_tol(svc(c, "a")->restart_delay_max, 120, 1e-9);
	ck_assert_double_eq_tol(svc(c, "b")->restart_delay_max, 30, 1e-9);
	ck_assert_double_eq_tol(svc(c, "c")->restart_delay_max, 120, 1e-9);
	ck_assert_double_eq_tol(svc(c, "d")->restart_delay_max, 0, 1e-9);
	config_free(c);

	struct errlist errs;
	char *path;
	c = load("[service a]\n"
		 "command = x\n"
		 "restart-delay = 2m\n"
		 "restart-delay-max = 30s\n", &errs, &path);
	ck_assert_ptr_null(c);
	EXPECT_ERRS(&errs, path, ":4: service 'a': restart-delay-max (30s) is below restart-delay (120s)");
	errlist_free(&errs);
	free(path);
}
END_TEST

/* inih reads the lines (config.c): a service name too long for its section
 * buffer, a header padded past it, a key line past its line buffer with a
 * continuation, all keep their text and lines. */
START_TEST(test_inih_long_names_and_lines)
{
	char name[65], pad[300];
	memset(name, 'n', 64);
	name[64] = '\0';
	memset(pad, ' ', sizeof pad - 1);
	pad[sizeof pad - 1] = '\0';
	char *text = NULL;
	ck_assert_int_ge(asprintf(&text, "[service %s]\n"                  /* 1 */
				  "command = /bin/echo %s%s x ; c\n"      /* 2 */
				  "  \"%s\" y\n"                          /* 3 */
				  "[%sservice%sb%s]   ; b\n"              /* 4 */
				  "command = /bin/true\n"                 /* 5 */
				  "depends = %s\n"                        /* 6 */
				  "stop-timeout = x\n",                   /* 7 */
				  name, name, pad, pad, pad, pad, pad, name), 0);
	struct errlist errs;
	char *path;
	struct config *c = load(text, &errs, &path);
	ck_assert_ptr_null(c);
	EXPECT_ERRS(&errs, path,
		    ":7: invalid duration 'x' for 'stop-timeout' (use e.g. 250ms, 10s, 2m, 1h, or seconds)");
	errlist_free(&errs);
	free(path);
	/* the same, valid */
	char *ok = strstr(text, "stop-timeout = x");
	memcpy(ok, "stop-timeout = 1", 16);
	c = load_ok(text);
	const struct svc_conf *a = svc(c, name);
	ck_assert_int_eq(a->line, 1);
	expect_argv(a->argv, "/bin/echo", name, "x", pad, "y", NULL);
	const struct svc_conf *b = svc(c, "b");
	ck_assert_int_eq(b->line, 4);
	ck_assert_str_eq(b->depends[0], name);
	ck_assert_int_eq(b->depends_line, 6);
	ck_assert_double_eq_tol(b->stop_timeout, 1, 1e-9);
	config_free(c);
	free(text);
}
END_TEST

/* What going through inih changed in the format (config.c's header): lines
 * that are errors either way, and characters no one writes. */
START_TEST(test_inih_format_changes)
{
	char key[201];
	memset(key, 'k', 200);
	key[200] = '\0';
	char *text = NULL;
	ck_assert_int_ge(asprintf(&text, "[service a]\n"          /* 1 */
				  "command = /bin/true\n"  /* 2 */
				  "%s = 1\n"               /* 3: a key past inih's buffer */
				  "foo ;x = 1\n"           /* 4: a key with " ;" */
				  "= v\n"                  /* 5: no key */
				  "  more\n",              /* 6: inih continues no empty key */
				  key), 0);
	struct errlist errs;
	char *path;
	struct config *c = load(text, &errs, &path);
	ck_assert_ptr_null(c);
	EXPECT_ERRS(&errs, path,
		    ":3: expected 'key = value', '[section]' or a comment, got "
		    "'kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk...'",
		    ":4: expected 'key = value', '[section]' or a comment, got 'foo ;x = 1'",
		    ":5: unknown key '' in [service a]",
		    ":6: expected 'key = value', '[section]' or a comment, got 'more'");
	errlist_free(&errs);
	free(path);
	free(text);

	/* a form feed, vertical tab or carriage return is a blank: around a
	 * key or value, and as an indentation */
	c = load_ok("[service a]\n\fcommand = /bin/echo x\v\n\v  y\n\n\rrestart = no\n");
	ck_assert_str_eq(svc(c, "a")->command, "/bin/echo x y");
	ck_assert_int_eq(svc(c, "a")->restart, RESTART_NO);
	config_free(c);
}
END_TEST

/* limit-*: SOFT or SOFT:HARD, a lone value sets both, infinity, sizes
 * for the keys in bytes; nice and oom-score-adjust inherited unless set;
 * the cgroup limits; a bad value names the key. */
START_TEST(test_limits)
{
	struct config *c = load_ok("[muster]\ncgroups = yes\n[service a]\ncommand = /bin/true\n"
				   "limit-nofile = 1024\nlimit-nproc = 10:infinity\n"
				   "limit-core = 0:1G\nlimit-stack = 8M\nnice = -5\n"
				   "oom-score-adjust = -1000\nmemory-max = 1G\npids-max = 64\n"
				   "cpu-weight = 200\n[service b]\ncommand = /bin/true\n");
	const struct svc_conf *a = svc(c, "a"), *b = svc(c, "b");
	ck_assert_int_eq(c->cgroups, CGROUPS_YES);
	ck_assert(a->limits[LIM_NOFILE].set);
	ck_assert_uint_eq(a->limits[LIM_NOFILE].soft, 1024);
	ck_assert_uint_eq(a->limits[LIM_NOFILE].hard, 1024);
	ck_assert_uint_eq(a->limits[LIM_NPROC].soft, 10);
	ck_assert_uint_eq(a->limits[LIM_NPROC].hard, SVC_LIMIT_INFINITY);
	ck_assert_uint_eq(a->limits[LIM_CORE].soft, 0);
	ck_assert_uint_eq(a->limits[LIM_CORE].hard, 1ull << 30);
	ck_assert_uint_eq(a->limits[LIM_STACK].soft, 8ull << 20);
	ck_assert(!a->limits[LIM_AS].set);
	ck_assert_int_eq(a->nice, -5);
	ck_assert_int_eq(a->oom_score_adjust, -1000);
	ck_assert_uint_eq(a->memory_max, 1ull << 30);
	ck_assert_uint_eq(a->pids_max, 64);
	ck_assert_int_eq(a->cpu_weight, 200);
	ck_assert(!b->limits[LIM_NOFILE].set);
	ck_assert_int_eq(b->nice, SVC_NICE_UNSET);
	ck_assert_int_eq(b->oom_score_adjust, SVC_OOM_UNSET);
	ck_assert(!b->no_new_privileges);
	ck_assert_uint_eq(b->memory_max, 0);
	config_free(c);

	static const char *const bad[][2] = {
		{ "limit-nofile = 20:10", "'20:10' for 'limit-nofile': the soft limit is above the hard limit" },
		{ "limit-nofile = 1K", "invalid limit '1K' for 'limit-nofile' (expected SOFT or SOFT:HARD, each a number or infinity)" },
		{ "limit-core = x", "invalid limit 'x' for 'limit-core' (expected SOFT or SOFT:HARD, each bytes (with K, M or G) or infinity)" },
		{ "limit-cpu = 1:", "invalid limit '1:' for 'limit-cpu' (expected SOFT or SOFT:HARD, each seconds or infinity)" },
		{ "nice = 20", "invalid nice '20' in [service a] (expected -20 to 19)" },
		{ "oom-score-adjust = -1001", "invalid oom-score-adjust '-1001' in [service a] (expected -1000 to 1000)" },
		{ "memory-max = 0", "invalid memory-max '0' in [service a] (expected bytes, or with K, M, G or T, e.g. 512M, or max)" },
		{ "cpu-weight = 0", "invalid cpu-weight '0' in [service a] (expected 1 to 10000 (100 is the kernel's default))" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *text = NULL, *path;
		struct errlist errs;
		ck_assert_int_ge(asprintf(&text, "[service a]\ncommand = /bin/true\n%s\n", bad[i][0]), 0);
		ck_assert_ptr_null(load(text, &errs, &path));
		ck_assert_uint_eq(errs.n, 1);
		ck_assert_msg(strstr(errs.msgs[0], bad[i][1]), "%s: got %s", bad[i][0], errs.msgs[0]);
		errlist_free(&errs);
		free(path);
		free(text);
	}
}
END_TEST

/* The reload diff follows each row's rule: a change of any [service] key
 * restarts the service; the [muster] rules are what sup_reload() applies. */
START_TEST(test_reload_rules)
{
	char *envpath = tmp_write("X=1\n", 4);
	static const char *const samples[][2] = {
		{ "command", "/bin/false" }, { "shell", "yes" }, { "type", "notify" },
		{ "notify-access", "all" }, { "ready-fd", "4" }, { "ready-tcp", "8080" },
		{ "ready-check", "true" }, { "ready-interval", "1s" }, { "ready-timeout", "1m" },
		{ "depends", "b" }, { "after", "b" }, { "restart", "always" },
		{ "restart-delay", "1s" }, { "restart-delay-max", "1m" },
		{ "start-limit", "3 in 10s" }, { "critical", "yes" }, { "stop-signal", "SIGINT" },
		{ "stop-timeout", "1s" }, { "env", "A=1" }, { "env-file", NULL },
		{ "directory", "/tmp" }, { "user", "nobody" }, { "group", "nogroup" },
		{ "umask", "027" }, { "log-file", "/tmp/x.log" },
		{ "ready-http", "http://localhost:8080/ready" }, { "ready-log", "listening on" },
		{ "health-check", "curl -f http://localhost/" }, { "health-http", "http://[::1]/" },
		{ "health-tcp", "db:5432" }, { "health-interval", "1s" }, { "health-timeout", "1s" },
		{ "health-retries", "5" }, { "health-start-period", "30s" },
		{ "on-unhealthy", "stop" }, { "watchdog", "10s" },
		{ "graceful-timeout", "1s" }, { "control-socket", "/tmp/s.sock" },
		{ "log-prefix", "no" }, { "log-timestamps", "yes" }, { "log-level", "debug" },
		{ "log-max-size", "1M" }, { "log-max-files", "2" },
		/* containment and limits */
		{ "limit-nofile", "100" }, { "limit-nproc", "10:20" }, { "limit-core", "0" },
		{ "limit-memlock", "64K" }, { "limit-stack", "8M:infinity" }, { "limit-as", "1G" },
		{ "limit-fsize", "infinity" }, { "limit-cpu", "60" }, { "nice", "5" },
		{ "oom-score-adjust", "500" }, { "no-new-privileges", "yes" },
		{ "memory-max", "512M" }, { "pids-max", "100" }, { "cpu-weight", "50" },
		{ "cgroups", "no" },
		{ "pre-start", "/bin/true x" }, { "post-start", "/bin/true x" },
		{ "stop-command", "/bin/true x" }, { "post-stop", "/bin/true x" },
		{ "success-exit", "0 143 SIGTERM" }, { "reload-signal", "HUP" }, { "enabled", "no" },
		{ "include", "/nonexistent/*.ini" }, { "instances", NULL },
	};
	const char *base_text = "[service b]\ncommand = /bin/true\n[service a]\ncommand = /bin/true\n";
	struct config *base = load_ok(base_text), *again = load_ok(base_text);
	ck_assert(svc_conf_equal(svc(base, "a"), svc(again, "a")));
	config_free(again);

	const struct key_table *tables[2] = { &keys_service, &keys_muster };
	for (int t = 0; t < 2; t++)
		for (size_t i = 0; i < tables[t]->n; i++) {
			const struct key *k = &tables[t]->rows[i];
			size_t j = 0;
			while (j < sizeof samples / sizeof samples[0] && strcmp(samples[j][0], k->name))
				j++;
			ck_assert_msg(j < sizeof samples / sizeof samples[0],
				      "no sample value for key '%s': add one here", k->name);
			if (!strcmp(k->name, "instances"))
				continue; /* test_instances_reload */
			const char *v = samples[j][1] ? samples[j][1] : envpath;
			char *text = NULL;
			if (t == 1)
				ck_assert_int_ge(asprintf(&text, "[muster]\n%s = %s\n%s", k->name, v, base_text), 0);
			else if (!strcmp(k->name, "command"))
				ck_assert_int_ge(asprintf(&text, "[service b]\ncommand = /bin/true\n"
							  "[service a]\ncommand = %s\n", v), 0);
			else
				ck_assert_int_ge(asprintf(&text, "%s%s = %s\n", base_text, k->name, v), 0);
			struct config *c = load_ok(text);
			ck_assert_msg(k->type->field == F_NONE ||
				      !key_equal(k, t ? (void *)base : (void *)svc(base, "a"),
						 t ? (void *)c : (void *)svc(c, "a")),
				      "key '%s': the sample is the default", k->name);
			/* hooks and exit statuses are read when used: live */
			bool live = !strcmp(k->name, "pre-start") || !strcmp(k->name, "post-start") ||
				    !strcmp(k->name, "stop-command") || !strcmp(k->name, "post-stop") ||
				    !strcmp(k->name, "success-exit") || !strcmp(k->name, "reload-signal");
			if (t == 0 && live) {
				ck_assert_int_eq(k->reload, RELOAD_LIVE);
				ck_assert_msg(svc_conf_equal(svc(base, "a"), svc(c, "a")),
					      "changing '%s' restarts the service", k->name);
			} else if (t == 0) {
				ck_assert_int_eq(k->reload, RELOAD_RESTART);
				ck_assert_msg(!svc_conf_equal(svc(base, "a"), svc(c, "a")),
					      "changing '%s' does not restart the service", k->name);
				ck_assert(svc_conf_equal(svc(base, "b"), svc(c, "b")));
			} else {
				bool daemon = !strcmp(k->name, "log-prefix") ||
					      !strcmp(k->name, "control-socket") ||
					      !strcmp(k->name, "cgroups");
				ck_assert_int_eq(k->reload, daemon ? RELOAD_DAEMON : RELOAD_LIVE);
			}
			config_free(c);
			free(text);
		}
	config_free(base);
	unlink(envpath);
	free(envpath);
}
END_TEST

/* Every default is a value as the file would write it, parsed like one,
 * and owns no memory (a new service is a copy of them). */
START_TEST(test_key_defaults)
{
	const struct key_table *tables[2] = { &keys_service, &keys_muster };
	for (int t = 0; t < 2; t++)
		for (size_t i = 0; i < tables[t]->n; i++) {
			const struct key *k = &tables[t]->rows[i];
			struct svc_conf s;
			struct config m;
			void *obj = t ? (void *)&m : (void *)&s;
			memset(&s, 0, sizeof s);
			memset(&m, 0, sizeof m);
			struct errlist errs = { 0 };
			struct key_ctx ctx = { "defaults", 1, t ? NULL : "here", &errs };
			if (k->def) {
				ck_assert_msg(key_set(k, obj, k->def, &ctx) == 0, "default of '%s': %s",
					      k->name, errs.n ? errs.msgs[0] : "");
				ck_assert_msg(k->type->field != F_STR && k->type->field != F_STRV &&
					      k->type->field != F_TEXT,
					      "'%s': a default that allocates", k->name);
			}
			errlist_free(&errs);
		}
}
END_TEST

/* ---- out of memory --------------------------------------------------- */

/* The Makefile links this program with -Wl,--wrap= for the allocators (and
 * getline, whose ENOMEM reads like an end of file): while fail_at is set,
 * the fail_at-th call from then on fails. */
static long alloc_calls, fail_at;
static bool fail_getline = true;

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t m);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
int __real_vasprintf(char **p, const char *fmt, va_list ap);
ssize_t __real___getdelim(char **p, size_t *n, int delim, FILE *f);
ssize_t __real_getline(char **p, size_t *n, FILE *f);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t m);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);
int __wrap_vasprintf(char **p, const char *fmt, va_list ap);
int __wrap_asprintf(char **p, const char *fmt, ...);
ssize_t __wrap___getdelim(char **p, size_t *n, int delim, FILE *f);
ssize_t __wrap_getline(char **p, size_t *n, FILE *f);

static bool fail_now(void)
{
	if (!fail_at || ++alloc_calls != fail_at)
		return false;
	errno = ENOMEM;
	return true;
}

void *__wrap_malloc(size_t n) { return fail_now() ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t n, size_t m) { return fail_now() ? NULL : __real_calloc(n, m); }
void *__wrap_realloc(void *p, size_t n) { return fail_now() ? NULL : __real_realloc(p, n); }
char *__wrap_strdup(const char *s) { return fail_now() ? NULL : __real_strdup(s); }
char *__wrap_strndup(const char *s, size_t n) { return fail_now() ? NULL : __real_strndup(s, n); }
int __wrap_vasprintf(char **p, const char *fmt, va_list ap)
{
	return fail_now() ? -1 : __real_vasprintf(p, fmt, ap);
}
int __wrap_asprintf(char **p, const char *fmt, ...)
{
	if (fail_now())
		return -1;
	va_list ap;
	va_start(ap, fmt);
	int r = __real_vasprintf(p, fmt, ap);
	va_end(ap);
	return r;
}
ssize_t __wrap___getdelim(char **p, size_t *n, int delim, FILE *f)
{
	return fail_getline && fail_now() ? -1 : __real___getdelim(p, n, delim, f);
}
ssize_t __wrap_getline(char **p, size_t *n, FILE *f)
{
	return fail_getline && fail_now() ? -1 : __real_getline(p, n, f);
}

/* Load text with each allocation in turn failing: each such load fails
 * with the one error "FILE: out of memory" (or, where the failure changed
 * nothing, as the load without one does: a cycle search that fails after
 * the cycle was found), never exits and leaks nothing (ASan, in `make
 * sanitize`), until a load where nothing failed; that one loads as
 * want_valid says.  Returns the number of allocations of a load. */
static long load_failing_each(const char *text, bool want_valid)
{
	char *path = tmp_write(text, strlen(text));
	char *oom = NULL;
	ck_assert_int_ge(asprintf(&oom, "%s: out of memory", path), 0);
	struct errlist clean = { 0 };
	struct config *c = config_load(path, &clean);
	ck_assert_msg((c != NULL) == want_valid, "%s", dump(&clean));
	config_free(c);
	long n;
	for (n = 1;; n++) {
		struct errlist errs = { 0 };
		alloc_calls = 0;
		fail_at = n;
		c = config_load(path, &errs);
		bool failed = alloc_calls >= n;
		fail_at = 0;
		if (!failed) {
			ck_assert((c != NULL) == want_valid);
			config_free(c);
			errlist_free(&errs);
			break;
		}
		ck_assert_msg(c == NULL, "allocation %ld failed, yet the config loaded", n);
		bool same = errs.n == clean.n;
		for (size_t i = 0; same && i < errs.n; i++)
			same = !strcmp(errs.msgs[i], clean.msgs[i]);
		/* the env-file loader says which file it was reading */
		size_t ml = errs.n == 1 ? strlen(errs.msgs[0]) : 0;
		bool env_oom = ml > 15 && !strcmp(errs.msgs[0] + ml - 15, ": out of memory") &&
			       strstr(errs.msgs[0], path) == errs.msgs[0];
		ck_assert_msg((errs.n == 1 && !strcmp(errs.msgs[0], oom)) || env_oom ||
				      (same && !want_valid),
			      "allocation %ld failed:%s", n, dump(&errs));
		errlist_free(&errs);
	}
	errlist_free(&clean);
	unlink(path);
	free(path);
	free(oom);
	return n - 1;
}

START_TEST(test_out_of_memory)
{
	char big[600];
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	char *text = NULL;
	ck_assert_int_ge(asprintf(&text, "\xEF\xBB\xBF; every kind of line and value\n"
				  "[muster]\n"
				  "graceful-timeout = 5s\ncontrol-socket = /tmp/x.sock\nlog-level = debug\n"
				  "[service db]\n"
				  "command = /bin/echo %s \"a ; b\" ; comment\n"
				  "  more words\n"
				  "env = A=1 B='two words'\n"
				  "env = A=2\n"
				  "ready-tcp = [::1]:5432\n"
				  "start-limit = 3 in 10s\n"
				  "log-file = db.log\n"
				  "[service web]\n"
				  "shell = yes\n"
				  "command = exec /bin/true\n"
				  "depends = db\n"
				  "after = db\n"
				  "  db\n"
				  "umask = 027\n"
				  "stop-signal = INT\n", big), 0);
	long n = load_failing_each(text, true);
	ck_assert_msg(n > 50, "only %ld allocations", n);
	free(text);

	/* a file with errors: they are dropped for the one that matters */
	n = load_failing_each("[service a]\ncommand = x\ndepend = b\nrestart = sometimes\n"
			      "depends = b zz\n[service b]\ncommand = y\ndepends = a\n"
			      "[bogus]\ngarbage\n", false);
	ck_assert_msg(n > 20, "only %ld allocations", n);
}
END_TEST

/* A layered config's allocations: an include, an override, instances and
 * ${VAR}s. */
START_TEST(test_out_of_memory_layered)
{
	setenv("MT_OOM_PORT", "8080", 1);
	char *inc = tmp_write("[override web]\ndepends-add = worker\nenv-add = B=2\n"
			      "[service worker]\ninstances = 3\ncommand = /bin/w ${INSTANCE}\n"
			      "[override worker@2]\ncommand = /bin/w2\n", 148);
	char *text = NULL;
	ck_assert_int_ge(asprintf(&text, "[muster]\ninclude = %s /nonexistent/*.ini\n"
				  "[service web]\ncommand = /bin/web '${MT_OOM_PORT}' ${X:-a b}\n"
				  "env = A=1\n", inc), 0);
	long n = load_failing_each(text, true);
	ck_assert_msg(n > 50, "only %ld allocations", n);
	unlink(inc);
	free(inc);
	free(text);
}
END_TEST

/* An env-file's allocations (getline's is read_env_file's, which reads its
 * ENOMEM as the end of the file: not failed here). */
START_TEST(test_out_of_memory_env_file)
{
	char *envpath = tmp_write("A=1\nB=2\nexport C='x y'\n", 24);
	char *text = NULL;
	ck_assert_int_ge(asprintf(&text, "[service a]\ncommand = /bin/true\nenv = B=3\n"
				  "env-file = %s\n", envpath), 0);
	fail_getline = false;
	long n = load_failing_each(text, true);
	fail_getline = true;
	ck_assert_msg(n > 10, "only %ld allocations", n);
	unlink(envpath);
	free(envpath);
	free(text);
}
END_TEST

static Suite *config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc;

	tc = tcase_create("valid");
	tcase_add_test(tc, test_empty_file);
	tcase_add_test(tc, test_muster_section);
	tcase_add_test(tc, test_service_defaults);
	tcase_add_test(tc, test_service_all_keys);
	tcase_add_test(tc, test_shell_yes);
	tcase_add_test(tc, test_command_quotes);
	tcase_add_test(tc, test_colon_separator_crlf_bom);
	tcase_add_test(tc, test_depends_repeated_appends);
	tcase_add_test(tc, test_env_repeated_merges);
	tcase_add_test(tc, test_env_file_merging);
	tcase_add_test(tc, test_levels);
	tcase_add_test(tc, test_config_find_and_equal);
	tcase_add_test(tc, test_key_tables);
	tcase_add_test(tc, test_key_defaults);
	tcase_add_test(tc, test_reload_rules);
	tcase_add_test(tc, test_limits);
	tcase_add_test(tc, test_config_empty);
	suite_add_tcase(s, tc);

	tc = tcase_create("syntax");
	tcase_add_test(tc, test_continuation_lines);
	tcase_add_test(tc, test_continuation_error_line);
	tcase_add_test(tc, test_continuation_value_error_once);
	tcase_add_test(tc, test_continuation_quotes_comments_blank);
	tcase_add_test(tc, test_continuation_of_bad_key);
	tcase_add_test(tc, test_inline_comments);
	tcase_add_test(tc, test_long_command_line);
	tcase_add_test(tc, test_long_line_error_lines);
	tcase_add_test(tc, test_nul_byte);
	tcase_add_test(tc, test_inih_long_names_and_lines);
	tcase_add_test(tc, test_inih_format_changes);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_test(tc, test_unknown_keys);
	tcase_add_test(tc, test_unknown_sections);
	tcase_add_test(tc, test_key_outside_section);
	tcase_add_test(tc, test_missing_command);
	tcase_add_test(tc, test_duplicate_service);
	tcase_add_test(tc, test_duplicate_scalar_key);
	tcase_add_test(tc, test_bad_values);
	tcase_add_test(tc, test_bad_lists_and_env);
	tcase_add_test(tc, test_semantic_checks);
	tcase_add_test(tc, test_health_keys);
	tcase_add_test(tc, test_unknown_dependency);
	tcase_add_test(tc, test_self_dependency);
	tcase_add_test(tc, test_cycles);
	tcase_add_test(tc, test_three_cycle);
	tcase_add_test(tc, test_unterminated_quote_in_command);
	tcase_add_test(tc, test_env_file_errors);
	tcase_add_test(tc, test_error_order_by_file);
	tcase_add_test(tc, test_missing_file);
	tcase_add_test(tc, test_directory_as_config);
	tcase_add_test(tc, test_errlist_appends);
	tcase_add_test(tc, test_cycle_reported_with_other_errors);
	tcase_add_test(tc, test_invalid_command_reported_once);
	tcase_add_test(tc, test_errors_in_line_order);
	suite_add_tcase(s, tc);

	tc = tcase_create("bugs");
	tcase_add_test(tc, bug_escaped_blank_before_semicolon);
	tcase_add_test(tc, bug_restart_delay_max_default);
	suite_add_tcase(s, tc);

	tc = tcase_create("oom");
	tcase_add_test(tc, test_out_of_memory);
	tcase_add_test(tc, test_out_of_memory_env_file);
	tcase_add_test(tc, test_out_of_memory_layered);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(config_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
