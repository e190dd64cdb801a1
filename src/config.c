/* The config file: physical lines -> inih -> keys -> struct config.
 *
 * Debian's libinih is built with a 200-byte line limit and without line
 * numbers for the handler, and it reports only the first syntax error.  So
 * inih reads through a reader of ours (ini_parse_stream) that sees every
 * physical line first: it counts lines, takes lines of any length, handles
 * section headers, continuation lines and syntax errors, and hands inih one
 * short canonical "k=v" line per setting.  inih then drives the handler,
 * which reads the real key, value and line number from the reader's state.
 *
 * Inline comments: a ';' preceded by a blank and outside quotes starts a
 * comment, so `command = sh -c "a ; b"` keeps its semicolon.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <arpa/inet.h>

#include "envfile.h"
#include "parse.h"

#define MAX_NAME 64

/* ---- error list ------------------------------------------------------ */

void errlist_add(struct errlist *e, const char *file, int line, const char *fmt, ...)
{
	char *msg = NULL, *full = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (!msg)
		return;
	int r = line > 0 ? asprintf(&full, "%s:%d: %s", file, line, msg)
			 : asprintf(&full, "%s: %s", file, msg);
	free(msg);
	if (r < 0)
		return;
	if (e->n == e->cap) {
		size_t ncap = e->cap ? e->cap * 2 : 8;
		char **p = realloc(e->msgs, ncap * sizeof *p);
		if (p)
			e->msgs = p;
		int *q = p ? realloc(e->lines, ncap * sizeof *q) : NULL;
		if (q)
			e->lines = q;
		if (!p || !q) {
			free(full);
			return;
		}
		e->cap = ncap;
	}
	e->lines[e->n] = line;
	e->msgs[e->n++] = full;
}

void errlist_free(struct errlist *e)
{
	for (size_t i = 0; i < e->n; i++)
		free(e->msgs[i]);
	free(e->msgs);
	free(e->lines);
	memset(e, 0, sizeof *e);
}

/* ---- key tables ------------------------------------------------------ */

struct loader;
typedef int (*setter)(struct loader *, void *obj, size_t off, const char *v);

struct keydef {
	const char *name;
	setter set;
	size_t off;
	bool list;      /* repeats append instead of being an error */
	const char *hint;
};

static int set_string(struct loader *, void *, size_t, const char *);
static int set_socket_path(struct loader *, void *, size_t, const char *);
static int set_bool(struct loader *, void *, size_t, const char *);
static int set_duration(struct loader *, void *, size_t, const char *);
static int set_signal(struct loader *, void *, size_t, const char *);
static int set_list(struct loader *, void *, size_t, const char *);
static int set_type(struct loader *, void *, size_t, const char *);
static int set_notify_access(struct loader *, void *, size_t, const char *);
static int set_restart(struct loader *, void *, size_t, const char *);
static int set_ready_fd(struct loader *, void *, size_t, const char *);
static int set_ready_tcp(struct loader *, void *, size_t, const char *);
static int set_start_limit(struct loader *, void *, size_t, const char *);
static int set_umask(struct loader *, void *, size_t, const char *);
static int set_env(struct loader *, void *, size_t, const char *);
static int set_path(struct loader *, void *, size_t, const char *);
static int set_command(struct loader *, void *, size_t, const char *);
static int set_log_level(struct loader *, void *, size_t, const char *);
static int set_size(struct loader *, void *, size_t, const char *);
static int set_count(struct loader *, void *, size_t, const char *);

#define S(f) offsetof(struct svc_conf, f)
#define M(f) offsetof(struct config, f)

static const struct keydef service_keys[] = {
	{ "command", set_command, S(command), false, NULL },
	{ "shell", set_bool, S(shell), false, NULL },
	{ "type", set_type, S(type), false, "simple, notify or oneshot" },
	{ "notify-access", set_notify_access, S(notify_access), false, "main or all" },
	{ "ready-fd", set_ready_fd, S(ready_fd), false, "a descriptor number from 3 to 1023" },
	{ "ready-tcp", set_ready_tcp, 0, false, "ADDRESS:PORT, [IPV6]:PORT or PORT; a host name other than localhost is not resolved" },
	{ "ready-check", set_string, S(ready_check), false, NULL },
	{ "ready-interval", set_duration, S(ready_interval), false, NULL },
	{ "ready-timeout", set_duration, S(ready_timeout), false, NULL },
	{ "depends", set_list, S(depends), true, NULL },
	{ "after", set_list, S(after), true, NULL },
	{ "restart", set_restart, S(restart), false, "no, on-failure or always" },
	{ "restart-delay", set_duration, S(restart_delay), false, NULL },
	{ "restart-delay-max", set_duration, S(restart_delay_max), false, NULL },
	{ "start-limit", set_start_limit, 0, false, "COUNT in DURATION, e.g. 5 in 60s, or none" },
	{ "critical", set_bool, S(critical), false, NULL },
	{ "stop-signal", set_signal, S(stop_signal), false, NULL },
	{ "stop-timeout", set_duration, S(stop_timeout), false, NULL },
	{ "env", set_env, 0, true, "KEY=VALUE pairs separated by blanks" },
	{ "env-file", set_path, S(env_file), false, NULL },
	{ "directory", set_string, S(directory), false, NULL },
	{ "user", set_string, S(user), false, NULL },
	{ "group", set_string, S(group), false, NULL },
	{ "umask", set_umask, S(umask), false, "an octal mask such as 022" },
	{ "log-file", set_path, S(log_file), false, NULL },
};

static const struct keydef muster_keys[] = {
	{ "graceful-timeout", set_duration, M(graceful_timeout), false, NULL },
	{ "control-socket", set_socket_path, M(control_socket), false, NULL },
	{ "log-prefix", set_bool, M(log_prefix), false, NULL },
	{ "log-timestamps", set_bool, M(log_timestamps), false, NULL },
	{ "log-level", set_log_level, M(log_level), false, "debug, info, warning or error" },
	{ "log-max-size", set_size, M(log_max_size), false, "bytes, or with K, M or G, e.g. 10M" },
	{ "log-max-files", set_count, M(log_max_files), false, "a count from 1 to 1000" },
};

#define NSERVICE_KEYS (sizeof service_keys / sizeof service_keys[0])
#define NMUSTER_KEYS (sizeof muster_keys / sizeof muster_keys[0])

const char *const config_service_keys[NSERVICE_KEYS + 1] = {
	"command", "shell", "type", "notify-access", "ready-fd", "ready-tcp",
	"ready-check", "ready-interval", "ready-timeout", "depends", "after",
	"restart", "restart-delay", "restart-delay-max", "start-limit",
	"critical", "stop-signal", "stop-timeout", "env", "env-file",
	"directory", "user", "group", "umask", "log-file", NULL,
};
const char *const config_muster_keys[NMUSTER_KEYS + 1] = {
	"graceful-timeout", "control-socket", "log-prefix", "log-timestamps",
	"log-level", "log-max-size", "log-max-files", NULL,
};

/* ---- the loader: reader state shared with the handler ----------------- */

enum section { SEC_NONE, SEC_MUSTER, SEC_SERVICE, SEC_BAD };

struct loader {
	const char *file;
	FILE *fp;
	struct config *cfg;
	struct errlist *errs;

	char *line;             /* the current physical line */
	size_t linecap;
	int lineno;

	/* the setting the reader hands to inih: key, value (continuation lines
	 * joined), line of the key; a setting is handed over once the next
	 * line shows it is complete */
	char *key, *value;
	int key_line;
	bool pending;           /* a setting is being gathered */
	bool pending_closed;    /* a blank line ended its continuations */
	bool held;              /* l->line is read but not yet looked at */
	const struct keydef *cur_def;

	enum section sec;
	struct svc_conf *svc;
	unsigned muster_seen;
	int muster_line[NMUSTER_KEYS];
	int muster_header_line;
	int (*svc_key_line)[NSERVICE_KEYS]; /* per service */
	size_t svc_cap;
};

static void err(struct loader *l, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void err(struct loader *l, int line, const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	errlist_add(l->errs, l->file, line, "%s", msg ? msg : "out of memory");
	free(msg);
}

static char *xstrdup(const char *s)
{
	char *p = strdup(s);
	if (!p) {
		fputs("muster: out of memory\n", stderr);
		exit(1);
	}
	return p;
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p) {
		fputs("muster: out of memory\n", stderr);
		exit(1);
	}
	return p;
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

/* Cut an inline comment: ';' after an unescaped blank, outside quotes. */
static void cut_comment(char *s)
{
	char quote = 0;
	bool blank = false; /* the last character was an unescaped blank */
	for (char *p = s; *p; p++) {
		if (quote) {
			if (*p == '\\' && quote == '"' && p[1])
				p++;
			else if (*p == quote)
				quote = 0;
			blank = false;
		} else if (*p == '\\' && p[1]) {
			p++;
			blank = false;
		} else if (*p == '\'' || *p == '"') {
			quote = *p;
			blank = false;
		} else if (*p == ';' && blank) {
			*p = '\0';
			return;
		} else {
			blank = *p == ' ' || *p == '\t';
		}
	}
}

static bool name_valid(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > MAX_NAME)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("-_.@", *s))
			return false;
	return true;
}

static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 40 || lb > 40)
		return 99;
	size_t d[41][41];
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			size_t c = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			if (d[i - 1][j] + 1 < c)
				c = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < c)
				c = d[i][j - 1] + 1;
			d[i][j] = c;
		}
	return d[la][lb];
}

/* The closest of names[] to s, when close enough to be a likely typo. */
static const char *suggest(const char *s, const char *const *names, size_t n)
{
	const char *best = NULL;
	size_t bestd = 3;
	size_t limit = strlen(s) / 2; /* "db2" may be "db"; "zz" is not "a" */
	for (size_t i = 0; i < n; i++) {
		size_t d = edit_distance(s, names[i]);
		if (d < bestd && d <= limit) {
			bestd = d;
			best = names[i];
		}
	}
	return best;
}

static struct svc_conf *add_service(struct loader *l, const char *name)
{
	struct config *c = l->cfg;
	if (c->nservices == l->svc_cap) {
		size_t ncap = l->svc_cap ? l->svc_cap * 2 : 16;
		c->services = xrealloc(c->services, ncap * sizeof *c->services);
		l->svc_key_line = xrealloc(l->svc_key_line, ncap * sizeof *l->svc_key_line);
		l->svc_cap = ncap;
	}
	size_t i = c->nservices++;
	struct svc_conf *s = &c->services[i];
	memset(s, 0, sizeof *s);
	memset(l->svc_key_line[i], 0, sizeof l->svc_key_line[i]);
	s->name = xstrdup(name);
	s->line = l->lineno;
	s->type = TYPE_SIMPLE;
	s->notify_access = NOTIFY_MAIN;
	s->ready_fd = -1;
	s->ready_interval = 0.1;
	s->ready_timeout = 30;
	s->restart = RESTART_ON_FAILURE;
	s->restart_delay = 0.1;
	s->restart_delay_max = 30;
	s->start_limit_burst = 5;
	s->start_limit_interval = 60;
	s->stop_signal = 15; /* SIGTERM */
	s->stop_timeout = 10;
	s->umask = -1;
	return s;
}

/* A section header: "[muster]" or "[service NAME]". */
static void section_header(struct loader *l, char *p)
{
	char *close = strchr(p, ']');
	l->sec = SEC_BAD;
	l->svc = NULL;
	if (!close) {
		err(l, l->lineno, "section header has no closing ']'");
		return;
	}
	*close = '\0';
	char *rest = close + 1;
	cut_comment(rest);
	if (*trim(rest)) {
		err(l, l->lineno, "unexpected text after section header: '%s'", trim(rest));
		return;
	}
	char *h = trim(p + 1);
	if (!strcmp(h, "muster")) {
		if (l->muster_header_line)
			err(l, l->lineno, "[muster] appears twice (the first is on line %d)",
			    l->muster_header_line);
		else
			l->muster_header_line = l->lineno;
		l->sec = SEC_MUSTER;
		return;
	}
	if (strncmp(h, "service", 7) || (h[7] != ' ' && h[7] != '\t')) {
		if (!strcmp(h, "service"))
			err(l, l->lineno, "[service] needs a name: [service NAME]");
		else
			err(l, l->lineno, "unknown section [%s]; expected [muster] or [service NAME]", h);
		return;
	}
	char *name = trim(h + 8);
	if (!name_valid(name)) {
		err(l, l->lineno,
		    "invalid service name '%s': use 1 to %d letters, digits and - _ . @",
		    name, MAX_NAME);
		return;
	}
	long dup = config_find(l->cfg, name);
	if (dup >= 0) {
		err(l, l->lineno, "duplicate service '%s' (first defined on line %d)", name,
		    l->cfg->services[dup].line);
		return;
	}
	l->svc = add_service(l, name);
	l->sec = SEC_SERVICE;
}

/* Reader for ini_parse_stream: physical lines in, one canonical "k=v\n"
 * line out per complete setting (its key, value and line are in l->key,
 * l->value, l->key_line); NULL at the end. */
static char *reader(char *str, int num, void *stream)
{
	struct loader *l = stream;

	if (num < 5)
		return NULL;
	for (;;) {
		if (!l->held) {
			ssize_t len = getline(&l->line, &l->linecap, l->fp);
			if (len < 0)
				break;
			l->lineno++;
			if (strlen(l->line) != (size_t)len) {
				err(l, l->lineno, "line contains a NUL byte");
				continue;
			}
			while (len && (l->line[len - 1] == '\n' || l->line[len - 1] == '\r'))
				l->line[--len] = '\0';
		}
		char *p = l->line;
		if (l->lineno == 1 && !strncmp(p, "\xEF\xBB\xBF", 3))
			p += 3;
		bool indented = *p == ' ' || *p == '\t';
		p = trim(p);
		if (!*p) {
			l->held = false;
			l->pending_closed = true; /* a blank line ends continuations */
			continue;
		}
		if (*p == ';' || *p == '#') {
			l->held = false;
			continue;
		}
		if (indented && l->pending && !l->pending_closed) {
			/* a continuation line: more of the value */
			l->held = false;
			cut_comment(p);
			p = trim(p);
			size_t n = strlen(l->value) + strlen(p) + 2;
			char *joined = xrealloc(NULL, n);
			snprintf(joined, n, "%s%s%s", l->value, *l->value ? " " : "", p);
			free(l->value);
			l->value = joined;
			continue;
		}
		if (l->pending) {
			/* this line ends the pending setting: hand that over first */
			l->held = true;
			l->pending = false;
			strcpy(str, "k=v\n");
			return str;
		}
		l->held = false;
		if (*p == '[') {
			section_header(l, p);
			continue;
		}
		char *eq = strpbrk(p, "=:");
		if (!eq) {
			err(l, l->lineno,
			    "expected 'key = value', '[section]' or a comment, got '%.40s%s'",
			    p, strlen(p) > 40 ? "..." : "");
			continue;
		}
		*eq = '\0';
		char *val = eq + 1;
		cut_comment(val);
		free(l->key);
		free(l->value);
		l->key = xstrdup(trim(p));
		l->value = xstrdup(trim(val));
		l->key_line = l->lineno;
		l->pending = true;
		l->pending_closed = false;
	}
	if (l->pending) {
		l->pending = false;
		strcpy(str, "k=v\n");
		return str;
	}
	return NULL;
}

static const struct keydef *find_key(const struct keydef *keys, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(keys[i].name, name))
			return &keys[i];
	return NULL;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct loader *l = user;
	(void)section, (void)name, (void)value;

	const struct keydef *keys;
	size_t nkeys;
	void *obj;
	unsigned *seen;
	int *lines;
	const char *where;
	char wherebuf[MAX_NAME + 16];

	switch (l->sec) {
	case SEC_NONE:
		err(l, l->key_line, "'%s' is outside any section; put it under [muster] or [service NAME]", l->key);
		return 1;
	case SEC_BAD:
		return 1; /* the header's error was reported */
	case SEC_MUSTER:
		keys = muster_keys, nkeys = NMUSTER_KEYS, obj = l->cfg;
		seen = &l->muster_seen, lines = l->muster_line;
		where = "[muster]";
		break;
	default: {
		size_t i = (size_t)(l->svc - l->cfg->services);
		keys = service_keys, nkeys = NSERVICE_KEYS, obj = l->svc;
		seen = &l->svc->seen[0], lines = l->svc_key_line[i];
		snprintf(wherebuf, sizeof wherebuf, "[service %s]", l->svc->name);
		where = wherebuf;
	}
	}

	const struct keydef *def = find_key(keys, nkeys, l->key);
	if (!def) {
		const char *names[NSERVICE_KEYS];
		for (size_t i = 0; i < nkeys; i++)
			names[i] = keys[i].name;
		const char *s = suggest(l->key, names, nkeys);
		const struct keydef *other = l->sec == SEC_MUSTER
			? find_key(service_keys, NSERVICE_KEYS, l->key)
			: find_key(muster_keys, NMUSTER_KEYS, l->key);
		if (s)
			err(l, l->key_line, "unknown key '%s' in %s (did you mean '%s'?)", l->key, where, s);
		else if (other)
			err(l, l->key_line, "key '%s' belongs in %s, not in %s", l->key,
			    l->sec == SEC_MUSTER ? "[service NAME]" : "[muster]", where);
		else
			err(l, l->key_line, "unknown key '%s' in %s", l->key, where);
		return 1;
	}
	size_t k = (size_t)(def - keys);
	unsigned bit = 1u << k;
	if ((*seen & bit) && !def->list) {
		err(l, l->key_line, "'%s' is set twice in %s (first on line %d)", def->name,
		    where, lines[k]);
		return 1;
	}
	if (!(*seen & bit))
		lines[k] = l->key_line;
	*seen |= bit;
	l->cur_def = def;
	if (def->set(l, obj, def->off, l->value) == -1) {
		if (def->hint)
			err(l, l->key_line, "invalid %s '%s' in %s (expected %s)", def->name,
			    l->value, where, def->hint);
		else
			err(l, l->key_line, "invalid %s '%s' in %s", def->name, l->value, where);
	}
	return 1;
}

/* ---- setters: 0 ok, -1 invalid (generic message), -2 reported --------- */

static int set_string(struct loader *l, void *obj, size_t off, const char *v)
{
	(void)l;
	char **f = (char **)((char *)obj + off);
	if (!*v)
		return -1;
	free(*f);
	*f = xstrdup(v);
	return 0;
}

/* The control socket, and the notify socket made beside it as PATH.notify:
 * both must fit a UNIX socket address (108 bytes with the NUL). */
static int set_socket_path(struct loader *l, void *obj, size_t off, const char *v)
{
	size_t max = sizeof(((struct sockaddr_un *)0)->sun_path) - 1 - strlen(".notify");
	if (strlen(v) > max) {
		err(l, l->key_line, "control-socket path is %zu bytes long; at most %zu fit (a UNIX "
		    "socket path holds %zu bytes, and the notify socket beside it adds '.notify')",
		    strlen(v), max, sizeof(((struct sockaddr_un *)0)->sun_path) - 1);
		return -2;
	}
	return set_string(l, obj, off, v);
}

static int set_bool(struct loader *l, void *obj, size_t off, const char *v)
{
	(void)l;
	return parse_bool(v, (bool *)((char *)obj + off)) ? -1 : 0;
}

static int set_duration(struct loader *l, void *obj, size_t off, const char *v)
{
	double d;
	if (parse_duration(v, &d)) {
		err(l, l->key_line,
		    "invalid duration '%s' for '%s' (use e.g. 250ms, 10s, 2m, 1h, or seconds)", v,
		    l->cur_def->name);
		return -2;
	}
	*(double *)((char *)obj + off) = d;
	return 0;
}

static int set_signal(struct loader *l, void *obj, size_t off, const char *v)
{
	int sig;
	if (parse_signal(v, &sig)) {
		err(l, l->key_line, "unknown signal '%s' for '%s' (use e.g. SIGTERM, SIGINT, SIGQUIT)",
		    v, l->cur_def->name);
		return -2;
	}
	if (!signal_ends_process(sig)) {
		err(l, l->key_line, "'%s' for '%s' does not end a process (its default action is to "
		    "stop, continue or ignore it); use e.g. SIGTERM, SIGINT, SIGQUIT", v,
		    l->cur_def->name);
		return -2;
	}
	*(int *)((char *)obj + off) = sig;
	return 0;
}

static char **list_append(char **list, char **more)
{
	size_t n = 0, m = 0;
	while (list && list[n])
		n++;
	while (more[m])
		m++;
	list = xrealloc(list, (n + m + 1) * sizeof *list);
	memcpy(list + n, more, (m + 1) * sizeof *list);
	free(more);
	return list;
}

/* List keys: a repeated key or a continuation line appends. */
static int set_list(struct loader *l, void *obj, size_t off, const char *v)
{
	char ***f = (char ***)((char *)obj + off);
	char **words;
	const char *e;
	struct svc_conf *s = obj;

	if (split_words(v, &words, NULL, &e)) {
		err(l, l->key_line, "%s in '%s'", e, l->cur_def->name);
		return -2;
	}
	for (char **w = words; *w; w++)
		if (!name_valid(*w)) {
			err(l, l->key_line, "invalid service name '%s' in '%s'", *w, l->cur_def->name);
			words_free(words);
			return -2;
		}
	*f = list_append(*f, words);
	int *line = off == S(depends) ? &s->depends_line : &s->after_line;
	if (!*line)
		*line = l->key_line;
	return 0;
}

static int set_enum(const char *v, const char *const *names, int n, int *out)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(v, names[i])) {
			*out = i;
			return 0;
		}
	return -1;
}

static int set_type(struct loader *l, void *obj, size_t off, const char *v)
{
	static const char *const names[] = { "simple", "notify", "oneshot" };
	int t;
	(void)l;
	if (set_enum(v, names, 3, &t))
		return -1;
	*(enum svc_type *)((char *)obj + off) = (enum svc_type)t;
	return 0;
}

static int set_notify_access(struct loader *l, void *obj, size_t off, const char *v)
{
	static const char *const names[] = { "main", "all" };
	int t;
	(void)l;
	if (set_enum(v, names, 2, &t))
		return -1;
	*(enum notify_access *)((char *)obj + off) = (enum notify_access)t;
	return 0;
}

static int set_restart(struct loader *l, void *obj, size_t off, const char *v)
{
	static const char *const names[] = { "no", "on-failure", "always" };
	int t;
	(void)l;
	if (set_enum(v, names, 3, &t))
		return -1;
	*(enum restart_policy *)((char *)obj + off) = (enum restart_policy)t;
	return 0;
}

static int set_log_level(struct loader *l, void *obj, size_t off, const char *v)
{
	static const char *const names[] = { "error", "warning", "info", "debug" };
	int t;
	(void)l;
	if (set_enum(v, names, 4, &t))
		return -1;
	*(enum log_level *)((char *)obj + off) = (enum log_level)t;
	((struct config *)obj)->log_level_set = true;
	return 0;
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

static int set_ready_fd(struct loader *l, void *obj, size_t off, const char *v)
{
	long n;
	(void)l;
	if (parse_int(v, 3, 1023, &n))
		return -1;
	*(int *)((char *)obj + off) = (int)n;
	return 0;
}

static int set_count(struct loader *l, void *obj, size_t off, const char *v)
{
	long n;
	(void)l;
	if (parse_int(v, 1, 1000, &n))
		return -1;
	*(int *)((char *)obj + off) = (int)n;
	return 0;
}

static int set_size(struct loader *l, void *obj, size_t off, const char *v)
{
	(void)l;
	return parse_size(v, (uint64_t *)((char *)obj + off)) ? -1 : 0;
}

static int set_umask(struct loader *l, void *obj, size_t off, const char *v)
{
	mode_t m;
	(void)l;
	if (parse_umask(v, &m))
		return -1;
	*(int *)((char *)obj + off) = (int)m;
	return 0;
}

static int set_start_limit(struct loader *l, void *obj, size_t off, const char *v)
{
	struct svc_conf *s = obj;
	(void)l, (void)off;
	return parse_start_limit(v, &s->start_limit_burst, &s->start_limit_interval) ? -1 : 0;
}

static int set_ready_tcp(struct loader *l, void *obj, size_t off, const char *v)
{
	struct svc_conf *s = obj;
	const char *host = "127.0.0.1", *port = v;
	char *h = NULL;
	long n;
	(void)l, (void)off;

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
		if (!h || !*h) {
			free(h);
			return -1;
		}
		host = h;
	}
	if (parse_int(port, 1, 65535, &n)) {
		free(h);
		return -1;
	}
	/* an address, not a name: the probe must never wait on DNS */
	unsigned char addr[16];
	if (strcmp(host, "localhost") && inet_pton(AF_INET, host, addr) != 1 &&
	    inet_pton(AF_INET6, host, addr) != 1) {
		free(h);
		return -1;
	}
	free(s->ready_tcp_host);
	free(s->ready_tcp_port);
	s->ready_tcp_host = xstrdup(host);
	s->ready_tcp_port = xstrdup(port);
	free(h);
	return 0;
}

/* Validate and add one KEY=VALUE to the env of s; where names the source. */
static int env_add(struct svc_conf *s, const char *kv)
{
	const char *eq = strchr(kv, '=');
	if (!eq || !env_name_valid(kv, (size_t)(eq - kv)))
		return -1;
	size_t n = 0, klen = (size_t)(eq - kv) + 1;
	for (; s->env && s->env[n]; n++)
		if (!strncmp(s->env[n], kv, klen)) {
			free(s->env[n]);
			s->env[n] = xstrdup(kv);
			return 0;
		}
	s->env = xrealloc(s->env, (n + 2) * sizeof *s->env);
	s->env[n] = xstrdup(kv);
	s->env[n + 1] = NULL;
	return 0;
}

static int set_env(struct loader *l, void *obj, size_t off, const char *v)
{
	char **words;
	const char *e;
	(void)off;

	if (split_words(v, &words, NULL, &e)) {
		err(l, l->key_line, "%s in 'env'", e);
		return -2;
	}
	int r = 0;
	for (char **w = words; *w; w++)
		if (env_add(obj, *w)) {
			err(l, l->key_line, "invalid env entry '%s' (expected KEY=VALUE)", *w);
			r = -2;
		}
	words_free(words);
	return r;
}

/* A relative env-file or log-file is relative to the config file's directory. */
static int set_path(struct loader *l, void *obj, size_t off, const char *v)
{
	const char *slash = strrchr(l->file, '/');
	if (!*v)
		return -1;
	if (v[0] == '/' || !slash)
		return set_string(l, obj, off, v);
	char *path = NULL;
	if (asprintf(&path, "%.*s/%s", (int)(slash - l->file), l->file, v) < 0)
		return -1;
	int r = set_string(l, obj, off, path);
	free(path);
	return r;
}

static int set_command(struct loader *l, void *obj, size_t off, const char *v)
{
	char **words;
	const char *e;
	int n;

	if (split_words(v, &words, &n, &e)) {
		err(l, l->key_line, "%s in 'command'", e);
		return -2;
	}
	words_free(words);
	if (n == 0) {
		err(l, l->key_line, "'command' is empty");
		return -2;
	}
	return set_string(l, obj, off, v);
}

/* ---- whole-config validation ----------------------------------------- */

static void resolve_names(struct loader *l, struct svc_conf *s, char **names, int line,
			  const char *key, size_t **idx, size_t *n)
{
	size_t count = 0;
	while (names && names[count])
		count++;
	*idx = xrealloc(NULL, count * sizeof **idx);
	*n = 0;
	for (size_t i = 0; i < count; i++) {
		long j = config_find(l->cfg, names[i]);
		if (j < 0) {
			const char **all = xrealloc(NULL, l->cfg->nservices * sizeof *all);
			for (size_t k = 0; k < l->cfg->nservices; k++)
				all[k] = l->cfg->services[k].name;
			const char *sug = suggest(names[i], all, l->cfg->nservices);
			if (sug)
				err(l, line, "service '%s' %s unknown service '%s' (did you mean '%s'?)",
				    s->name, !strcmp(key, "depends") ? "depends on" : "is after", names[i], sug);
			else
				err(l, line, "service '%s' %s unknown service '%s'", s->name,
				    !strcmp(key, "depends") ? "depends on" : "is after", names[i]);
			free(all);
			continue;
		}
		(*idx)[(*n)++] = (size_t)j;
	}
}

static void validate_service(struct loader *l, struct svc_conf *s, size_t i)
{
	int *lines = l->svc_key_line[i];
#define LINE_OF(key) (lines[find_key(service_keys, NSERVICE_KEYS, key) - service_keys] ?: s->line)

	if (!s->command) {
		if (!LINE_OF("command") || LINE_OF("command") == s->line)
			err(l, s->line, "service '%s' has no 'command'", s->name);
	} else if (s->shell) {
		s->argv = xrealloc(NULL, 4 * sizeof *s->argv);
		s->argv[0] = xstrdup("/bin/sh");
		s->argv[1] = xstrdup("-c");
		s->argv[2] = xstrdup(s->command);
		s->argv[3] = NULL;
	} else if (split_words(s->command, &s->argv, NULL, NULL)) {
		s->argv = NULL; /* reported when the key was set */
	}
	int probes = (s->ready_fd >= 0) + (s->ready_tcp_host != NULL) + (s->ready_check != NULL);
	if (s->type == TYPE_ONESHOT && probes)
		err(l, s->line, "service '%s': a oneshot is ready when it exits 0; it takes no "
		    "ready-fd, ready-tcp or ready-check", s->name);
	else if (s->type == TYPE_NOTIFY && probes)
		err(l, s->line, "service '%s': type = notify is ready on READY=1; it takes no "
		    "ready-fd, ready-tcp or ready-check", s->name);
	else if (probes > 1)
		err(l, s->line, "service '%s': choose one of ready-fd, ready-tcp and ready-check",
		    s->name);
	if (s->restart_delay_max < s->restart_delay)
		err(l, LINE_OF("restart-delay-max"),
		    "service '%s': restart-delay-max (%gs) is below restart-delay (%gs)", s->name,
		    s->restart_delay_max, s->restart_delay);
	if (s->ready_interval <= 0)
		err(l, LINE_OF("ready-interval"), "service '%s': ready-interval must be above 0",
		    s->name);
	if (s->env_file) /* env-file first, then env overrides */
		envfile_load(s->env_file, &s->env, l->errs, l->file, LINE_OF("env-file"), s->name);
	resolve_names(l, s, s->depends, s->depends_line, "depends", &s->dep_idx, &s->ndep);
	resolve_names(l, s, s->after, s->after_line, "after", &s->after_idx, &s->nafter);
#undef LINE_OF
}

static void check_graph(struct loader *l)
{
	struct config *c = l->cfg;
	size_t n = c->nservices;

	if (graph_init(&c->graph, n))
		goto oom;
	for (size_t i = 0; i < n; i++) {
		struct svc_conf *s = &c->services[i];
		for (size_t j = 0; j < s->ndep; j++)
			if (graph_add_edge(&c->graph, i, s->dep_idx[j]))
				goto oom;
		for (size_t j = 0; j < s->nafter; j++)
			if (graph_add_edge(&c->graph, i, s->after_idx[j]))
				goto oom;
	}
	c->levels = xrealloc(NULL, n * sizeof *c->levels);
	c->nlevels = graph_levels(&c->graph, c->levels);
	if (c->nlevels >= 0)
		return;

	unsigned char *done = calloc(n, 1);
	size_t *path = xrealloc(NULL, (n + 1) * sizeof *path);
	size_t len;
	while (done && (len = graph_find_cycle(&c->graph, done, path)) > 0) {
		size_t cap = 64, used = 0;
		char *msg = xrealloc(NULL, cap);
		msg[0] = '\0';
		for (size_t k = 0; k < len; k++) {
			const char *nm = c->services[path[k]].name;
			size_t need = used + strlen(nm) + 5;
			if (need > cap) {
				cap = need * 2;
				msg = xrealloc(msg, cap);
			}
			used += (size_t)sprintf(msg + used, "%s%s", k ? " -> " : "", nm);
			done[path[k]] = 1;
		}
		struct svc_conf *first = &c->services[path[0]];
		bool by_depends = false;
		for (size_t j = 0; j < first->ndep; j++)
			if (first->dep_idx[j] == path[1])
				by_depends = true;
		err(l, by_depends ? first->depends_line : first->after_line,
		    "dependency cycle: %s", msg);
		free(msg);
	}
	free(done);
	free(path);
	return;
oom:
	err(l, 0, "out of memory");
}

static struct config *config_new(void)
{
	struct config *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->graceful_timeout = 10;
	c->log_prefix = true;
	c->log_level = LOG_INFO;
	c->log_max_files = 5;
	return c;
}

struct config *config_empty(void)
{
	struct config *c = config_new();
	if (c) {
		c->file = xstrdup("(none)");
		graph_init(&c->graph, 0);
	}
	return c;
}

/* true when msg is "FILE:..." of this very file, not of "FILE.env" */
static bool of_file(const char *msg, const char *file, size_t fl)
{
	return !strncmp(msg, file, fl) && msg[fl] == ':';
}

struct config *config_load(const char *file, struct errlist *errs)
{
	struct loader l = { .file = file, .errs = errs };
	struct stat st;
	size_t before = errs->n;

	l.cfg = config_new();
	if (!l.cfg) {
		errlist_add(errs, file, 0, "out of memory");
		return NULL;
	}
	l.cfg->file = xstrdup(file);
	l.fp = fopen(file, "re");
	if (!l.fp) {
		errlist_add(errs, file, 0, "cannot read config: %s", strerror(errno));
		config_free(l.cfg);
		return NULL;
	}
	if (fstat(fileno(l.fp), &st) == 0 && S_ISDIR(st.st_mode)) {
		errlist_add(errs, file, 0, "cannot read config: %s", strerror(EISDIR));
		fclose(l.fp);
		config_free(l.cfg);
		return NULL;
	}
	ini_parse_stream(reader, &l, handler, &l);
	if (ferror(l.fp))
		errlist_add(errs, file, 0, "cannot read config: %s", strerror(errno));
	fclose(l.fp);

	for (size_t i = 0; i < l.cfg->nservices; i++)
		validate_service(&l, &l.cfg->services[i], i);
	check_graph(&l);

	/* report in line order, each file's messages among themselves (a
	 * stable insertion sort: lists are short) */
	size_t fl = strlen(file);
	for (size_t i = before + 1; i < errs->n; i++) {
		char *m = errs->msgs[i];
		int ln = errs->lines[i];
		size_t j = i;
		while (j > before && errs->lines[j - 1] > ln &&
		       of_file(errs->msgs[j - 1], file, fl) == of_file(m, file, fl)) {
			errs->msgs[j] = errs->msgs[j - 1];
			errs->lines[j] = errs->lines[j - 1];
			j--;
		}
		errs->msgs[j] = m;
		errs->lines[j] = ln;
	}
	free(l.line);
	free(l.key);
	free(l.value);
	free(l.svc_key_line);
	if (errs->n != before) {
		config_free(l.cfg);
		return NULL;
	}
	return l.cfg;
}

long config_find(const struct config *c, const char *name)
{
	for (size_t i = 0; i < c->nservices; i++)
		if (!strcmp(c->services[i].name, name))
			return (long)i;
	return -1;
}

static bool strv_equal(char **a, char **b)
{
	for (; a && b && *a && *b; a++, b++)
		if (strcmp(*a, *b))
			return false;
	return (!a || !*a) == (!b || !*b);
}

static bool str_equal(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

bool svc_conf_equal(const struct svc_conf *a, const struct svc_conf *b)
{
	return str_equal(a->name, b->name) && strv_equal(a->argv, b->argv) &&
	       a->shell == b->shell && a->type == b->type &&
	       a->notify_access == b->notify_access && a->ready_fd == b->ready_fd &&
	       str_equal(a->ready_tcp_host, b->ready_tcp_host) &&
	       str_equal(a->ready_tcp_port, b->ready_tcp_port) &&
	       str_equal(a->ready_check, b->ready_check) &&
	       a->ready_interval == b->ready_interval && a->ready_timeout == b->ready_timeout &&
	       strv_equal(a->depends, b->depends) && strv_equal(a->after, b->after) &&
	       a->restart == b->restart && a->restart_delay == b->restart_delay &&
	       a->restart_delay_max == b->restart_delay_max &&
	       a->start_limit_burst == b->start_limit_burst &&
	       a->start_limit_interval == b->start_limit_interval &&
	       a->critical == b->critical && a->stop_signal == b->stop_signal &&
	       a->stop_timeout == b->stop_timeout && strv_equal(a->env, b->env) &&
	       str_equal(a->env_file, b->env_file) && str_equal(a->directory, b->directory) &&
	       str_equal(a->user, b->user) && str_equal(a->group, b->group) &&
	       a->umask == b->umask && str_equal(a->log_file, b->log_file);
}

static void svc_conf_free(struct svc_conf *s)
{
	free(s->name);
	free(s->command);
	words_free(s->argv);
	free(s->ready_tcp_host);
	free(s->ready_tcp_port);
	free(s->ready_check);
	words_free(s->depends);
	words_free(s->after);
	free(s->dep_idx);
	free(s->after_idx);
	words_free(s->env);
	free(s->env_file);
	free(s->directory);
	free(s->user);
	free(s->group);
	free(s->log_file);
}

void config_free(struct config *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nservices; i++)
		svc_conf_free(&c->services[i]);
	free(c->services);
	free(c->file);
	free(c->control_socket);
	graph_free(&c->graph);
	free(c->levels);
	free(c);
}
