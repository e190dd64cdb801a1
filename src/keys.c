/* The config keys: the [muster] and [service NAME] tables, and the value
 * types their rows use (parser, fields, reload comparison).  See keys.h.
 */
#include "keys.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <regex.h>
#include <sys/un.h>

#include "http.h"
#include "parse.h"

_Static_assert(sizeof(enum svc_type) == sizeof(int) &&
	       sizeof(enum restart_policy) == sizeof(int) &&
	       sizeof(enum notify_access) == sizeof(int) &&
	       sizeof(enum log_level) == sizeof(int) &&
	       sizeof(enum on_unhealthy) == sizeof(int) &&
	       sizeof(enum cgroups_mode) == sizeof(int),
	       "enum fields are set and compared as int");

/* The field at offset off of obj, of the type; CFIELD: its value, read
 * through a pointer type (obj is const). */
#define FIELD(obj, off, type) ((type *)((char *)(obj) + (off)))
#define CFIELD(obj, off, ptr) (*(ptr)((const char *)(obj) + (off)))

/* ---- allocation while loading ---------------------------------------- */

static unsigned long oom_count;

void keys_oom(void)
{
	oom_count++;
}

unsigned long keys_oom_count(void)
{
	return oom_count;
}

char *keys_strdup(const char *s)
{
	char *p = strdup(s);
	if (!p)
		keys_oom();
	return p;
}

void *keys_realloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		keys_oom();
	return q;
}

/* ---- helpers of the parsers ------------------------------------------ */

static void report(struct key_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void report(struct key_ctx *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	errlist_vadd(c->errs, c->file, c->line, fmt, ap);
	va_end(ap);
}

/* Replace the string *f with a copy of v. */
static int put_string(char **f, const char *v)
{
	char *s = keys_strdup(v);
	if (!s)
		return -2;
	free(*f);
	*f = s;
	return 0;
}

/* Split v into words; a quoting error is reported as "... in 'KEY'". */
static int split(const struct key *k, const char *v, char ***words, int *n, struct key_ctx *c)
{
	const char *e;
	if (!split_words(v, words, n, &e))
		return 0;
	if (!strcmp(e, "out of memory"))
		keys_oom();
	else
		report(c, "%s in '%s'", e, k->name);
	return -1;
}

static int parse_int(const char *v, long lo, long hi, long *out)
{
	char *end;
	errno = 0;
	long n = strtol(v, &end, 10);
	if (!*v || *end || errno || n < lo || n > hi)
		return -1;
	*out = n;
	return 0;
}

bool keys_name_valid(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > KEYS_MAX_NAME)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("-_.@", *s))
			return false;
	return true;
}

int env_add(struct svc_conf *s, const char *kv)
{
	const char *eq = strchr(kv, '=');
	if (!eq || !env_name_valid(kv, (size_t)(eq - kv)))
		return -1;
	char *copy = keys_strdup(kv);
	if (!copy)
		return 0;
	size_t n = 0, klen = (size_t)(eq - kv) + 1;
	for (; s->env && s->env[n]; n++)
		if (!strncmp(s->env[n], kv, klen)) {
			free(s->env[n]);
			s->env[n] = copy;
			return 0;
		}
	char **env = keys_realloc(s->env, (n + 2) * sizeof *env);
	if (!env) {
		free(copy);
		return 0;
	}
	env[n] = copy;
	env[n + 1] = NULL;
	s->env = env;
	return 0;
}

/* ---- value types: parsers -------------------------------------------- */

/* Each: 0 set, -1 invalid (key_set() says so), -2 reported or out of memory. */

static int set_string(const struct key *k, void *obj, const char *v, struct key_ctx *c)
{
	(void)c;
	return *v ? put_string(FIELD(obj, k->off, char *), v) : -1;
}

/* A relative env-file or log-file is relative to the config file's directory. */
static int set_path(const struct key *k, void *obj, const char *v, struct key_ctx *c)
{
	const char *slash = strrchr(c->file, '/');
	if (!*v)
		return -1;
	if (v[0] == '/' || !slash)
		return put_string(FIELD(obj, k->off, char *), v);
	char *path = NULL;
	if (asprintf(&path, "%.*s/%s", (int)(slash - c->file), c->file, v) < 0) {
		keys_oom();
		return -2;
	}
	int r = put_string(FIELD(obj, k->off, char *), path);
	free(path);
	return r;
}

/* command, as written; argv (off2) is made from it once the whole service
 * is known (shell = yes takes it as one word). */
static int set_command(const struct key *k, void *obj, const char *v, struct key_ctx *c)
{
	char **words;
	int n;
	if (split(k, v, &words, &n, c))
		return -2;
	words_free(words);
	if (n == 0) {
		report(c, "'%s' is empty", k->name);
		return -2;
	}
	return put_string(FIELD(obj, k->off, char *), v);
}

static int set_bool(const struct key *k, void *obj, const char *v, struct key_ctx *c)
{
	(void)c;
	return parse_bool(v, FIELD(obj, k->off, bool)) ? -1 : 0;
}

static int set_duration(const struct key *k, void *obj, const char *v, struct key_ctx *c)
{
	(void)c;
	return parse_duration(v, FIELD(obj, k->off, double)) ? -1 : 0;
}

/* A stop-signal: one whose default action ends the process, or a stop
 * would always wait out stop-timeout. */
static int set_stop_signal(const struct key *k, void *obj, const char *v, struct key_ctx *c)
{
	int sig;
	if (parse_signal(v, &sig))
		return -1;
	if (!signal_ends_process(sig)) {
		report(c, "'%s' for '%s' does not end a process (its default action is to stop, "
		       "continue or ignore it); use e.g. SIGTERM, SIGINT, SIGQUIT", v, k->name);
		return -2;
	}
	*FIELD(obj, k->off, int) = sig;
	return 0;
}

/* A signal any: reload-signal (by name or number; an unknown name is
 * rejected by name). */
static int set_signal(const struct key *k, void *obj, const char *v, struct key_ctx *c)
{
	int sig;
	(void)c;
	if (parse_signal(v, &sig))
		return -1;
	*FIELD(obj, k->off, int) = sig;
	return 0;
}

/* A hook: a command split into words like command, run directly. */
static int set_argv(const struct key *k, void *obj, const char *v, struct key_ctx *c)
{
	char **words;
	int n;
	if (split(k, v, &words, &n, c))
		return -2;
	if (n == 0) {
		words_free(words);
		report(c, "'%s' is empty", k->name);
		return -2;
	}
	char ***f = FIELD(obj, k->off, char **);
	words_free(*f);
	*f = words;
	return 0;
}

/* success-exit: statuses and signal names; the word that is neither is
 * named. */
static int set_exits(const struct key *k, void *obj, const char *v, struct key_ctx *c)
{
	char bad[64];
	if (!parse_exit_set(v, FIELD(obj, k->off, struct exit_set), bad))
		return 0;
	if (!*bad)
		return -1;
	report(c, "'%s' in '%s' is neither an exit status (0 to 255) nor a signal name "
	       "(e.g. 0 143 SIGTERM)", bad, k->name);
	return -2;
}

/* The control socket, and the notify socket made beside it as PATH.notify:
 * both must fit a UNIX socket address (108 bytes with the NUL). */
static int set_socket_path(const struct key *k, void *obj, const char *v, struct key_ctx *c)
{
	size_t room = sizeof(((struct sockaddr_un *)0)->sun_path) - 1;
	size_t max = room - strlen(".notify");
	if (strlen(v) > max) {
		report(c, "control-socket path is %zu bytes long; at most %zu fit (a UNIX socket "
		       "path holds %zu bytes, and the notify socket beside it adds '.notify')",
		       strlen(v), max, room);
		return -2;
	}
	return set_string(k, obj, v, c);
}

static int set_enum(const struct key *k, void *obj, const char *v, struct key_ctx *c)
{
	(void)c;
	for (int i = 0; k->type->words[i]; i++)
		if (!strcmp(v, k->type->words[i])) {
			*FIELD(obj, k->off, int) = i;
			return 0;
		}
	return -1;
}

static int set_int(const struct key *k, void *obj, const char *v, struct key_ctx *c)
{
	long n;
	(void)c;
	if (parse_int(v, k->type->min, k->type->max, &n))
		return -1;
	*FIELD(obj, k->off, int) = (int)n;
	return 0;
}

static int set_umask(const struct key *k, void *obj, const char *v, struct key_ctx *c)
{
	mode_t m;
	(void)c;
	if (parse_umask(v, &m))
		return -1;
	*FIELD(obj, k->off, int) = (int)m;
	return 0;
}

static int set_size(const struct key *k, void *obj, const char *v, struct key_ctx *c)
{
	(void)c;
	return parse_size(v, FIELD(obj, k->off, uint64_t)) ? -1 : 0;
}

/* "COUNT in DURATION": the count at off, the duration at off2. */
static int set_start_limit(const struct key *k, void *obj, const char *v, struct key_ctx *c)
{
	(void)c;
	return parse_start_limit(v, FIELD(obj, k->off, int), FIELD(obj, k->off2, double)) ? -1 : 0;
}

/* HOST:PORT, [IPV6]:PORT or PORT: the host at off, the port at off2.  A
 * host name is resolved by the probe, without blocking (resolve.c). */
static int set_tcp(const struct key *k, void *obj, const char *v, struct key_ctx *c)
{
	const char *host = "127.0.0.1", *port = v;
	char *h = NULL;
	long n;
	(void)c;

	const char *colon = strrchr(v, ':');
	if (colon) {
		port = colon + 1;
		if (v[0] == '[') {
			if (colon < v + 2 || colon[-1] != ']')
				return -1;
			h = strndup(v + 1, (size_t)(colon - v) - 2);
		} else {
			if (memchr(v, ':', (size_t)(colon - v)))
				return -1; /* IPv6 addresses need [brackets] */
			h = strndup(v, (size_t)(colon - v));
		}
		if (!h) {
			keys_oom();
			return -2;
		}
		host = h;
	}
	unsigned char addr[16];
	bool ok = v[0] == '[' ? inet_pton(AF_INET6, host, addr) == 1 : http_host_valid(host);
	if (parse_int(port, 1, 65535, &n) || !ok) {
		free(h);
		return -1;
	}
	char *nh = keys_strdup(host), *np = keys_strdup(port);
	free(h);
	if (!nh || !np) {
		free(nh);
		free(np);
		return -2;
	}
	char **fh = FIELD(obj, k->off, char *), **fp = FIELD(obj, k->off2, char *);
	free(*fh);
	free(*fp);
	*fh = nh;
	*fp = np;
	return 0;
}

/* A command run directly (ready-check, health-check): as written at off,
 * its words at off2 (split like command; never through a shell). */
static int set_argv_text(const struct key *k, void *obj, const char *v, struct key_ctx *c)
{
	char **words;
	int n;
	if (split(k, v, &words, &n, c))
		return -2;
	if (n == 0) {
		words_free(words);
		report(c, "'%s' is empty", k->name);
		return -2;
	}
	char *text = keys_strdup(v);
	if (!text) {
		words_free(words);
		return -2;
	}
	free(*FIELD(obj, k->off, char *));
	words_free(*FIELD(obj, k->off2, char **));
	*FIELD(obj, k->off, char *) = text;
	*FIELD(obj, k->off2, char **) = words;
	return 0;
}

/* http://HOST[:PORT][/PATH] (http.c says what is wrong). */
static int set_url(const struct key *k, void *obj, const char *v, struct key_ctx *c)
{
	struct http_url u;
	const char *e;
	if (http_url_parse(v, &u, &e)) {
		report(c, "invalid URL '%s' for '%s': %s (expected http://HOST[:PORT][/PATH])", v,
		       k->name, e);
		return -2;
	}
	return put_string(FIELD(obj, k->off, char *), v);
}

/* A POSIX extended regular expression, compiled here once to check it. */
static int set_regex(const struct key *k, void *obj, const char *v, struct key_ctx *c)
{
	regex_t re;
	int r = regcomp(&re, v, REG_EXTENDED | REG_NOSUB);
	if (r) {
		char msg[160];
		regerror(r, &re, msg, sizeof msg);
		if (r == REG_ESPACE)
			keys_oom();
		else
			report(c, "invalid regular expression '%s' for '%s': %s", v, k->name, msg);
		return -2;
	}
	regfree(&re);
	return put_string(FIELD(obj, k->off, char *), v);
}

/* A duration, 0 or none meaning none. */
static int set_duration_none(const struct key *k, void *obj, const char *v, struct key_ctx *c)
{
	(void)c;
	if (!strcmp(v, "none")) {
		*FIELD(obj, k->off, double) = 0;
		return 0;
	}
	return parse_duration(v, FIELD(obj, k->off, double)) ? -1 : 0;
}

/* Service names (depends, after): each occurrence and continuation line
 * appends; off2 keeps the line of the first, for later messages. */
static int set_names(const struct key *k, void *obj, const char *v, struct key_ctx *c)
{
	char **words;
	if (split(k, v, &words, NULL, c))
		return -2;
	size_t n = 0, m = 0;
	for (; words[m]; m++)
		if (!keys_name_valid(words[m])) {
			report(c, "invalid service name '%s' in '%s'", words[m], k->name);
			words_free(words);
			return -2;
		}
	char ***f = FIELD(obj, k->off, char **);
	while (*f && (*f)[n])
		n++;
	char **list = keys_realloc(*f, (n + m + 1) * sizeof *list);
	if (!list) {
		words_free(words);
		return -2;
	}
	memcpy(list + n, words, (m + 1) * sizeof *list);
	free(words);
	*f = list;
	int *line = FIELD(obj, k->off2, int);
	if (!*line)
		*line = c->line;
	return 0;
}

/* KEY=VALUE words, merged into the service's env (a later KEY wins). */
static int set_env(const struct key *k, void *obj, const char *v, struct key_ctx *c)
{
	char **words;
	if (split(k, v, &words, NULL, c))
		return -2;
	int r = 0;
	for (char **w = words; *w; w++)
		if (env_add(obj, *w)) {
			report(c, "invalid env entry '%s' (expected KEY=VALUE)", *w);
			r = -2;
		}
	words_free(words);
	return r;
}

/* ---- containment and limits ----------------------------------------- */

/* One side of a limit-*: "infinity" (or "unlimited"), or a number; with
 * K, M, G or T for the keys measured in bytes (type->min set). */
static int limit_value(const struct key *k, const char *v, size_t n, uint64_t *out)
{
	char buf[64];
	if (n == 0 || n >= sizeof buf)
		return -1;
	memcpy(buf, v, n);
	buf[n] = '\0';
	if (!strcmp(buf, "infinity") || !strcmp(buf, "unlimited")) {
		*out = SVC_LIMIT_INFINITY;
		return 0;
	}
	if (k->type->min) /* a size */
		return parse_size(buf, out) || *out == SVC_LIMIT_INFINITY ? -1 : 0;
	char *end;
	errno = 0;
	unsigned long long x = strtoull(buf, &end, 10);
	if (!isdigit((unsigned char)buf[0]) || *end || errno || x == SVC_LIMIT_INFINITY)
		return -1;
	*out = x;
	return 0;
}

/* SOFT or SOFT:HARD; a lone value sets both (as systemd's LimitNOFILE=N). */
static int set_rlimit(const struct key *k, void *obj, const char *v, struct key_ctx *c)
{
	struct svc_rlimit l = { .set = true };
	const char *colon = strchr(v, ':');
	size_t n = colon ? (size_t)(colon - v) : strlen(v);
	if (limit_value(k, v, n, &l.soft))
		return -1;
	l.hard = l.soft;
	if (colon && limit_value(k, colon + 1, strlen(colon + 1), &l.hard))
		return -1;
	if (l.soft > l.hard) {
		report(c, "'%s' for '%s': the soft limit is above the hard limit", v, k->name);
		return -2;
	}
	*FIELD(obj, k->off, struct svc_rlimit) = l;
	return 0;
}

/* memory-max (bytes, K/M/G/T) and pids-max (a count): "max" is no limit. */
static int set_cgroup_max(const struct key *k, void *obj, const char *v, struct key_ctx *c)
{
	uint64_t x;
	(void)c;
	if (!strcmp(v, "max") || !strcmp(v, "infinity")) {
		*FIELD(obj, k->off, uint64_t) = 0;
		return 0;
	}
	if (k->type->min) {
		if (parse_size(v, &x) || x == 0)
			return -1;
	} else {
		long n;
		if (parse_int(v, 1, 1L << 30, &n))
			return -1;
		x = (uint64_t)n;
	}
	*FIELD(obj, k->off, uint64_t) = x;
	return 0;
}

/* include: the files it names are read by layer.c, before the tables
 * are; here it has nothing left to set. */
static int set_nothing(const struct key *k, void *obj, const char *v, struct key_ctx *c)
{
	(void)k, (void)obj, (void)v, (void)c;
	return 0;
}

/* ---- value types ----------------------------------------------------- */

static const char *const svc_types[] = { "simple", "notify", "oneshot", NULL };
static const char *const notify_accesses[] = { "main", "all", NULL };
static const char *const restart_policies[] = { "no", "on-failure", "always", NULL };
static const char *const log_levels[] = { "error", "warning", "info", "debug", NULL };
static const char *const unhealthy_policies[] = { "restart", "stop", "ignore", NULL };
static const char *const cgroups_modes[] = { "auto", "yes", "no", NULL };

static const struct key_type
	t_string = { .parse = set_string, .field = F_STR },
	t_path = { .parse = set_path, .field = F_STR },
	t_command = { .parse = set_command, .field = F_TEXT, .field2 = F_STRV, .split = true },
	t_bool = { .parse = set_bool, .field = F_BOOL },
	t_duration = { .parse = set_duration, .field = F_DOUBLE, .what = "invalid duration",
		       .hint = "use e.g. 250ms, 10s, 2m, 1h, or seconds" },
	t_stop_signal = { .parse = set_stop_signal, .field = F_INT, .what = "unknown signal",
			  .hint = "use e.g. SIGTERM, SIGINT, SIGQUIT" },
	t_signal = { .parse = set_signal, .field = F_INT, .what = "unknown signal",
		     .hint = "use e.g. SIGHUP, HUP, USR1 or a number" },
	t_argv = { .parse = set_argv, .field = F_STRV, .split = true },
	t_exits = { .parse = set_exits, .field = F_EXITS,
		    .hint = "expected exit statuses and signal names, e.g. 0 143 SIGTERM" },
	t_socket = { .parse = set_socket_path, .field = F_STR },
	t_svc_type = { .parse = set_enum, .field = F_INT, .words = svc_types },
	t_notify_access = { .parse = set_enum, .field = F_INT, .words = notify_accesses },
	t_restart = { .parse = set_enum, .field = F_INT, .words = restart_policies },
	t_log_level = { .parse = set_enum, .field = F_INT, .words = log_levels },
	t_fd = { .parse = set_int, .field = F_INT, .min = 3, .max = 1023, .unset = -1 },
	t_count = { .parse = set_int, .field = F_INT, .min = 1, .max = 1000 },
	t_umask = { .parse = set_umask, .field = F_INT, .unset = -1 },
	t_size = { .parse = set_size, .field = F_U64 },
	t_start_limit = { .parse = set_start_limit, .field = F_INT, .field2 = F_DOUBLE },
	t_tcp = { .parse = set_tcp, .field = F_STR, .field2 = F_STR },
	t_argv_text = { .parse = set_argv_text, .field = F_TEXT, .field2 = F_STRV, .split = true },
	t_url = { .parse = set_url, .field = F_STR },
	t_regex = { .parse = set_regex, .field = F_STR },
	t_duration_none = { .parse = set_duration_none, .field = F_DOUBLE, .what = "invalid duration",
			    .hint = "use e.g. 250ms, 10s, 2m, 1h, seconds, or none" },
	t_retries = { .parse = set_int, .field = F_INT, .min = 1, .max = 1000 },
	t_on_unhealthy = { .parse = set_enum, .field = F_INT, .words = unhealthy_policies },
	t_names = { .parse = set_names, .field = F_STRV, .list = true, .split = true },
	t_env = { .parse = set_env, .field = F_STRV, .list = true, .split = true },
	/* containment and limits */
	t_rlimit = { .parse = set_rlimit, .field = F_LIMIT, .what = "invalid limit",
		     .hint = "expected SOFT or SOFT:HARD, each a number or infinity" },
	t_rlimit_size = { .parse = set_rlimit, .field = F_LIMIT, .what = "invalid limit", .min = 1,
			  .hint = "expected SOFT or SOFT:HARD, each bytes (with K, M or G) or infinity" },
	t_nice = { .parse = set_int, .field = F_INT, .min = -20, .max = 19, .unset = SVC_NICE_UNSET },
	t_oom_adjust = { .parse = set_int, .field = F_INT, .min = -1000, .max = 1000,
			 .unset = SVC_OOM_UNSET },
	t_memory_max = { .parse = set_cgroup_max, .field = F_U64, .min = 1 },
	t_pids_max = { .parse = set_cgroup_max, .field = F_U64 },
	t_cpu_weight = { .parse = set_int, .field = F_INT, .min = 1, .max = 10000 },
	t_cgroups = { .parse = set_enum, .field = F_INT, .words = cgroups_modes },
	t_include = { .parse = set_nothing, .field = F_NONE, .list = true, .split = true };

/* ---- the tables ------------------------------------------------------ */

#define S(f) offsetof(struct svc_conf, f)
#define M(f) offsetof(struct config, f)
#define RESTART RELOAD_RESTART
#define LIVE RELOAD_LIVE
#define DAEMON RELOAD_DAEMON

static const struct key service_rows[] = {
	/* name                type              field            field2              default       reload   hint */
	{ "command",           &t_command,       S(command),      S(argv),            NULL,         RESTART, NULL },
	{ "shell",             &t_bool,          S(shell),        0,                  "no",         RESTART, NULL },
	{ "type",              &t_svc_type,      S(type),         0,                  "simple",     RESTART, "expected simple, notify or oneshot" },
	{ "notify-access",     &t_notify_access, S(notify_access), 0,                 "main",       RESTART, "expected main or all" },
	{ "ready-fd",          &t_fd,            S(ready_fd),     0,                  NULL,         RESTART, "expected a descriptor number from 3 to 1023" },
	{ "ready-tcp",         &t_tcp,           S(ready_tcp_host), S(ready_tcp_port), NULL,        RESTART, "expected HOST:PORT, [IPV6]:PORT or PORT" },
	{ "ready-check",       &t_argv_text,     S(ready_check),  S(ready_check_argv), NULL,        RESTART, NULL },
	{ "ready-http",        &t_url,           S(ready_http),   0,                  NULL,         RESTART, NULL },
	{ "ready-log",         &t_regex,         S(ready_log),    0,                  NULL,         RESTART, NULL },
	{ "ready-interval",    &t_duration,      S(ready_interval), 0,                "100ms",      RESTART, NULL },
	{ "ready-timeout",     &t_duration,      S(ready_timeout), 0,                 "30s",        RESTART, NULL },
	{ "depends",           &t_names,         S(depends),      S(depends_line),    NULL,         RESTART, NULL },
	{ "after",             &t_names,         S(after),        S(after_line),      NULL,         RESTART, NULL },
	{ "restart",           &t_restart,       S(restart),      0,                  "on-failure", RESTART, "expected no, on-failure or always" },
	{ "restart-delay",     &t_duration,      S(restart_delay), 0,                 "100ms",      RESTART, NULL },
	/* when not set, raised to restart-delay if that is longer (config.c) */
	{ "restart-delay-max", &t_duration,      S(restart_delay_max), 0,             "30s",        RESTART, NULL },
	{ "start-limit",       &t_start_limit,   S(start_limit_burst), S(start_limit_interval), "5 in 60s", RESTART, "expected COUNT in DURATION, e.g. 5 in 60s, or none" },
	{ "critical",          &t_bool,          S(critical),     0,                  "no",         RESTART, NULL },
	{ "stop-signal",       &t_stop_signal,   S(stop_signal),  0,                  "SIGTERM",    RESTART, NULL },
	{ "stop-timeout",      &t_duration,      S(stop_timeout), 0,                  "10s",        RESTART, NULL },
	{ "env",               &t_env,           S(env),          0,                  NULL,         RESTART, NULL },
	{ "env-file",          &t_path,          S(env_file),     0,                  NULL,         RESTART, NULL },
	{ "directory",         &t_string,        S(directory),    0,                  NULL,         RESTART, NULL },
	{ "user",              &t_string,        S(user),         0,                  NULL,         RESTART, NULL },
	{ "group",             &t_string,        S(group),        0,                  NULL,         RESTART, NULL },
	{ "umask",             &t_umask,         S(umask),        0,                  NULL,         RESTART, "expected an octal mask such as 022" },
	{ "log-file",          &t_path,          S(log_file),     0,                  NULL,         RESTART, NULL },
	/* containment and limits: before exec (proc.c), the service's cgroup (cgroup.c) */
	{ "limit-nofile",      &t_rlimit,        S(limits[LIM_NOFILE]), 0,            NULL,         RESTART, NULL },
	{ "limit-nproc",       &t_rlimit,        S(limits[LIM_NPROC]), 0,             NULL,         RESTART, NULL },
	{ "limit-core",        &t_rlimit_size,   S(limits[LIM_CORE]), 0,              NULL,         RESTART, NULL },
	{ "limit-memlock",     &t_rlimit_size,   S(limits[LIM_MEMLOCK]), 0,           NULL,         RESTART, NULL },
	{ "limit-stack",       &t_rlimit_size,   S(limits[LIM_STACK]), 0,             NULL,         RESTART, NULL },
	{ "limit-as",          &t_rlimit_size,   S(limits[LIM_AS]), 0,                NULL,         RESTART, NULL },
	{ "limit-fsize",       &t_rlimit_size,   S(limits[LIM_FSIZE]), 0,             NULL,         RESTART, NULL },
	{ "limit-cpu",         &t_rlimit,        S(limits[LIM_CPU]), 0,               NULL,         RESTART, "expected SOFT or SOFT:HARD, each seconds or infinity" },
	{ "nice",              &t_nice,          S(nice),         0,                  NULL,         RESTART, "expected -20 to 19" },
	{ "oom-score-adjust",  &t_oom_adjust,    S(oom_score_adjust), 0,              NULL,         RESTART, "expected -1000 to 1000" },
	{ "no-new-privileges", &t_bool,          S(no_new_privileges), 0,             "no",         RESTART, NULL },
	{ "memory-max",        &t_memory_max,    S(memory_max),   0,                  NULL,         RESTART, "expected bytes, or with K, M, G or T, e.g. 512M, or max" },
	{ "pids-max",          &t_pids_max,      S(pids_max),     0,                  NULL,         RESTART, "expected a count of processes, or max" },
	{ "cpu-weight",        &t_cpu_weight,    S(cpu_weight),   0,                  NULL,         RESTART, "expected 1 to 10000 (100 is the kernel's default)" },
	/* hooks and exit statuses: read when used, so a reload changes them
	 * without a restart; enabled restarts (or stops) the service */
	{ "pre-start",         &t_argv,          S(pre_start),    0,                  NULL,         LIVE,    NULL },
	{ "post-start",        &t_argv,          S(post_start),   0,                  NULL,         LIVE,    NULL },
	{ "stop-command",      &t_argv,          S(stop_command), 0,                  NULL,         LIVE,    NULL },
	{ "post-stop",         &t_argv,          S(post_stop),    0,                  NULL,         LIVE,    NULL },
	{ "success-exit",      &t_exits,         S(success_exit), 0,                  "0",          LIVE,    NULL },
	{ "reload-signal",     &t_signal,        S(reload_signal), 0,                 NULL,         LIVE,    NULL },
	{ "enabled",           &t_bool,          S(enabled),      0,                  "yes",        RESTART, NULL },
	/* layered config (layer.c): NAME@1 ... NAME@N; a change adds or
	 * removes instances, and restarts none of the others */
	{ "instances",         &t_count,         S(instances),    0,                  "1",          LIVE,    "expected a count from 1 to 1000" },
	/* health after ready (probe.c) */
	{ "health-check",      &t_argv_text,     S(health_check), S(health_check_argv), NULL,       RESTART, NULL },
	{ "health-http",       &t_url,           S(health_http),  0,                  NULL,         RESTART, NULL },
	{ "health-tcp",        &t_tcp,           S(health_tcp_host), S(health_tcp_port), NULL,      RESTART, "expected HOST:PORT, [IPV6]:PORT or PORT" },
	{ "health-interval",   &t_duration,      S(health_interval), 0,               "10s",        RESTART, NULL },
	{ "health-timeout",    &t_duration,      S(health_timeout), 0,                "5s",         RESTART, NULL },
	{ "health-retries",    &t_retries,       S(health_retries), 0,                "3",          RESTART, "expected a count from 1 to 1000" },
	{ "health-start-period", &t_duration,    S(health_start_period), 0,           "0",          RESTART, NULL },
	{ "on-unhealthy",      &t_on_unhealthy,  S(on_unhealthy), 0,                  "restart",    RESTART, "expected restart, stop or ignore" },
	{ "watchdog",          &t_duration_none, S(watchdog),     0,                  NULL,         RESTART, NULL },
};

static const struct key muster_rows[] = {
	{ "graceful-timeout",  &t_duration,      M(graceful_timeout), 0,              "10s",        LIVE,    NULL },
	{ "control-socket",    &t_socket,        M(control_socket), 0,                NULL,         DAEMON,  NULL },
	{ "log-prefix",        &t_bool,          M(log_prefix),   0,                  "yes",        DAEMON,  NULL },
	{ "log-timestamps",    &t_bool,          M(log_timestamps), 0,                "no",         LIVE,    NULL },
	{ "log-level",         &t_log_level,     M(log_level),    0,                  "info",       LIVE,    "expected debug, info, warning or error" },
	{ "log-max-size",      &t_size,          M(log_max_size), 0,                  "0",          LIVE,    "expected bytes, or with K, M or G, e.g. 10M" },
	{ "log-max-files",     &t_count,         M(log_max_files), 0,                 "5",          LIVE,    "expected a count from 1 to 1000" },
	{ "cgroups",           &t_cgroups,       M(cgroups),      0,                  "auto",       DAEMON,  "expected auto, yes or no" },
	/* layered config (layer.c): the files are read before the tables */
	{ "include",           &t_include,       0,               0,                  NULL,         LIVE,    NULL },
};

const struct key_table keys_service = {
	"[service NAME]", service_rows, sizeof service_rows / sizeof service_rows[0],
};
const struct key_table keys_muster = {
	"[muster]", muster_rows, sizeof muster_rows / sizeof muster_rows[0],
};

/* ---- reading the tables ---------------------------------------------- */

const struct key *keys_find(const struct key_table *t, const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->rows[i].name, name))
			return &t->rows[i];
	return NULL;
}

const char *keys_where(const char *service, char *buf)
{
	if (!service)
		return "[muster]";
	snprintf(buf, KEYS_WHERE_MAX, "[service %s]", service);
	return buf;
}

int key_set(const struct key *k, void *obj, const char *v, struct key_ctx *c)
{
	int r = k->type->parse(k, obj, v, c);
	if (r != -1)
		return r ? -1 : 0;
	const char *hint = k->hint ? k->hint : k->type->hint;
	char buf[KEYS_WHERE_MAX];
	const char *where = keys_where(c->service, buf);
	if (k->type->what)
		report(c, "%s '%s' for '%s' (%s)", k->type->what, v, k->name, hint);
	else if (hint)
		report(c, "invalid %s '%s' in %s (%s)", k->name, v, where, hint);
	else
		report(c, "invalid %s '%s' in %s", k->name, v, where);
	return -1;
}

static bool strv_equal(char *const *a, char *const *b)
{
	for (; a && b && *a && *b; a++, b++)
		if (strcmp(*a, *b))
			return false;
	return (!a || !*a) == (!b || !*b);
}

static bool field_equal(enum key_field f, const void *a, const void *b, size_t off)
{
	switch (f) {
	case F_NONE:
	case F_TEXT:
		return true;
	case F_STR: {
		const char *x = CFIELD(a, off, char *const *), *y = CFIELD(b, off, char *const *);
		return x == y || (x && y && !strcmp(x, y));
	}
	case F_STRV:
		return strv_equal(CFIELD(a, off, char **const *), CFIELD(b, off, char **const *));
	case F_BOOL:
		return CFIELD(a, off, const bool *) == CFIELD(b, off, const bool *);
	case F_INT:
		return CFIELD(a, off, const int *) == CFIELD(b, off, const int *);
	case F_DOUBLE:
		return CFIELD(a, off, const double *) == CFIELD(b, off, const double *);
	case F_U64:
		return CFIELD(a, off, const uint64_t *) == CFIELD(b, off, const uint64_t *);
	case F_LIMIT: {
		const struct svc_rlimit *x = (const void *)((const char *)a + off);
		const struct svc_rlimit *y = (const void *)((const char *)b + off);
		return x->set == y->set && (!x->set || (x->soft == y->soft && x->hard == y->hard));
	}
	case F_EXITS:
		return !memcmp((const char *)a + off, (const char *)b + off, sizeof(struct exit_set));
	}
	return false;
}

bool key_equal(const struct key *k, const void *a, const void *b)
{
	return field_equal(k->type->field, a, b, k->off) &&
	       field_equal(k->type->field2, a, b, k->off2);
}

static int field_copy(enum key_field f, void *dst, const void *src, size_t off)
{
	switch (f) {
	case F_NONE:
		return 0;
	case F_TEXT:
	case F_STR: {
		const char *v = CFIELD(src, off, char *const *);
		char *copy = v ? strdup(v) : NULL;
		if (v && !copy)
			return -1;
		free(*FIELD(dst, off, char *));
		*FIELD(dst, off, char *) = copy;
		return 0;
	}
	case F_STRV: {
		char *const *v = CFIELD(src, off, char **const *);
		size_t n = 0;
		while (v && v[n])
			n++;
		char **copy = v ? calloc(n + 1, sizeof *copy) : NULL;
		if (v && !copy)
			return -1;
		for (size_t i = 0; i < n; i++)
			if (!(copy[i] = strdup(v[i]))) {
				words_free(copy);
				return -1;
			}
		words_free(*FIELD(dst, off, char **));
		*FIELD(dst, off, char **) = copy;
		return 0;
	}
	case F_BOOL:
		*FIELD(dst, off, bool) = CFIELD(src, off, const bool *);
		return 0;
	case F_INT:
		*FIELD(dst, off, int) = CFIELD(src, off, const int *);
		return 0;
	case F_DOUBLE:
		*FIELD(dst, off, double) = CFIELD(src, off, const double *);
		return 0;
	case F_U64:
		*FIELD(dst, off, uint64_t) = CFIELD(src, off, const uint64_t *);
		return 0;
	case F_LIMIT:
		*FIELD(dst, off, struct svc_rlimit) = CFIELD(src, off, const struct svc_rlimit *);
		return 0;
	case F_EXITS:
		*FIELD(dst, off, struct exit_set) = CFIELD(src, off, const struct exit_set *);
		return 0;
	}
	return -1;
}

int key_copy(const struct key *k, void *dst, const void *src)
{
	return field_copy(k->type->field, dst, src, k->off) ||
	       field_copy(k->type->field2, dst, src, k->off2) ? -1 : 0;
}

/* The reload diff: a service is restarted when a RESTART row differs (a
 * LIVE row reaches it with its new svc_conf). */
bool svc_conf_equal(const struct svc_conf *a, const struct svc_conf *b)
{
	if (strcmp(a->name, b->name))
		return false;
	for (size_t i = 0; i < keys_service.n; i++) {
		const struct key *k = &keys_service.rows[i];
		if (k->reload == RELOAD_RESTART && !key_equal(k, a, b))
			return false;
	}
	return true;
}

void keys_defaults(const struct key_table *t, void *obj, struct key_ctx *c)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct key *k = &t->rows[i];
		if (k->def)
			key_set(k, obj, k->def, c);
		else if (k->type->unset)
			*FIELD(obj, k->off, int) = k->type->unset;
	}
}

static void field_free(enum key_field f, void *obj, size_t off)
{
	if (f == F_TEXT || f == F_STR) {
		free(*FIELD(obj, off, char *));
		*FIELD(obj, off, char *) = NULL;
	} else if (f == F_STRV) {
		words_free(*FIELD(obj, off, char **));
		*FIELD(obj, off, char **) = NULL;
	}
}

void keys_free(const struct key_table *t, void *obj)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct key *k = &t->rows[i];
		field_free(k->type->field, obj, k->off);
		field_free(k->type->field2, obj, k->off2);
	}
}
