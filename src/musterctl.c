/* musterctl: the control client.  main() reads as the whole story: parse the
 * command line, send one request, read the reply, print it the way the
 * command wants, exit with what the daemon said.
 *
 * The daemon sends data (rows) and decisions; the look of the output --
 * tables, JSON, Graphviz -- is decided here.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "control_proto.h"
#include "version.h"

#define EX_NO 1                 /* the daemon said no; a wait failed */
#define EX_USAGE_ 2
#define EX_UNREACHABLE 3        /* no daemon on the socket */
#define EX_TIMEOUT 124          /* start, stop, restart: --timeout passed (as timeout(1)) */

#define REPLY_TIMEOUT 30        /* seconds, for every command but wait */
#define MAX_REPLY (64 * 1024 * 1024)

static const char usage_text[] =
	"usage: musterctl [-s SOCKET] COMMAND [ARG...]\n"
	"\n"
	"Control a running muster through its socket.\n"
	"\n"
	"  status [NAME...] [--json]   state, pid, uptime, restarts, last exit, status text, health\n"
	"  start [--no-block] [--timeout D] NAME...\n"
	"                              start services and what they depend on; wait\n"
	"                              until each is ready or done\n"
	"  stop [--no-block] [--timeout D] NAME...\n"
	"                              stop services, and first what depends on them;\n"
	"                              wait until each is stopped\n"
	"  restart [--no-block] [--timeout D] NAME...\n"
	"                              stop services and start them again; wait\n"
	"  signal NAME SIGNAL          send SIGNAL (SIGUSR1, USR1, 10) to NAME's process group\n"
	"  wait [--timeout D] NAME...  until every NAME is ready or done (D: 500ms, 10s, 2m)\n"
	"  ready                       exit 0 iff every service that should be up is ready or done\n"
	"  reload                      re-read the config file; print what changed\n"
	"  reload NAME...              send each service its reload-signal\n"
	"  shutdown                    stop every service; muster exits\n"
	"  timeline                    the last start: each service's times, the critical chain\n"
	"  graph                       the dependency graph in Graphviz dot, states as colours\n"
	"\n"
	"  -s, --socket SOCKET  muster's socket (default: $MUSTER_SOCKET, else\n"
	"                       /run/muster.sock for root, $XDG_RUNTIME_DIR/muster.sock\n"
	"                       for others)\n"
	"  -h, --help           this help\n"
	"  -V, --version        the version\n"
	"\n"
	"Exit status: 0 done; 1 muster said no, or a service waited for failed (or,\n"
	"for wait, timed out); 2 usage; 3 muster cannot be reached; 124 start, stop\n"
	"or restart timed out (the service carries on).  See musterctl(8).\n";

/* A request: the command, the words that go to the daemon, and how to
 * print what comes back. */
struct request {
	const char *cmd;
	char **args;
	size_t nargs;
	bool json;
	bool no_deadline;       /* wait: as long as the daemon takes */
	char *timeout_arg;      /* "timeout=D", owned */
	bool no_block;          /* start, stop, restart: return once accepted */
};

static const char *sock_path;
static char *sock_path_owned;   /* the default, when -s was not given */

static void usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void usage_error(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "musterctl: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see musterctl --help)\n");
	exit(EX_USAGE_);
}

static void unreachable(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void unreachable(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "musterctl: %s: ", sock_path);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EX_UNREACHABLE);
}

/* ---- the command line ------------------------------------------------------- */

static void add_arg(struct request *r, char *a)
{
	r->args[r->nargs++] = a;
}

/* The words after the command: names, and the command's own options. */
static void parse_command(int argc, char **argv, struct request *r)
{
	static const char *const no_args[] = { "ready", "shutdown", "timeline", "graph" };
	static const char *const names_needed[] = { "start", "stop", "restart", "wait" };
	bool opts = true;

	r->cmd = argv[0];
	r->args = calloc((size_t)argc + 1, sizeof *r->args);
	if (!r->args)
		exit(EX_NO);
	bool known = !strcmp(r->cmd, "status") || !strcmp(r->cmd, "reload") ||
		     !strcmp(r->cmd, "signal");
	bool blocking = !strcmp(r->cmd, "start") || !strcmp(r->cmd, "stop") ||
			!strcmp(r->cmd, "restart");
	for (size_t i = 0; i < sizeof no_args / sizeof no_args[0]; i++)
		known |= !strcmp(r->cmd, no_args[i]);
	for (size_t i = 0; i < sizeof names_needed / sizeof names_needed[0]; i++)
		known |= !strcmp(r->cmd, names_needed[i]);
	if (!known)
		usage_error("unknown command '%s'", r->cmd);

	for (int i = 1; i < argc; i++) {
		char *a = argv[i];
		if (opts && !strcmp(a, "--")) {
			opts = false;
		} else if (opts && !strcmp(r->cmd, "status") && (!strcmp(a, "--json") || !strcmp(a, "-j"))) {
			r->json = true;
		} else if (opts && blocking && !strcmp(a, "--no-block")) {
			r->no_block = true;
		} else if (opts && (blocking || !strcmp(r->cmd, "wait")) &&
			   (!strcmp(a, "--timeout") || !strcmp(a, "-t") || !strncmp(a, "--timeout=", 10))) {
			const char *d = !strncmp(a, "--timeout=", 10) ? a + 10 : NULL;
			if (!d) {
				if (i + 1 >= argc)
					usage_error("%s needs a duration", a);
				d = argv[++i];
			}
			if (!*d || strchr(d, '='))
				usage_error("bad timeout '%s'", d);
			free(r->timeout_arg);
			if (asprintf(&r->timeout_arg, "timeout=%s", d) < 0)
				exit(EX_NO);
		} else if (opts && a[0] == '-' && a[1] && strcmp(r->cmd, "signal")) {
			usage_error("%s: unknown option '%s'", r->cmd, a);
		} else {
			if (strchr(a, '=') || !*a)
				usage_error("'%s' is not a service name", a);
			add_arg(r, a);
		}
	}
	if (!strcmp(r->cmd, "signal") && r->nargs != 2)
		usage_error("signal needs a service name and a signal");
	if (r->timeout_arg && r->no_block)
		usage_error("%s: --no-block and --timeout do not go together", r->cmd);
	if (r->timeout_arg)
		add_arg(r, r->timeout_arg);
	if (r->no_block)
		add_arg(r, "block=no");
	bool has_name = false;
	for (size_t i = 0; i < r->nargs; i++)
		has_name |= !strchr(r->args[i], '=');
	for (size_t i = 0; i < sizeof no_args / sizeof no_args[0]; i++)
		if (!strcmp(r->cmd, no_args[i]) && r->nargs)
			usage_error("%s takes no arguments", r->cmd);
	for (size_t i = 0; i < sizeof names_needed / sizeof names_needed[0]; i++)
		if (!strcmp(r->cmd, names_needed[i]) && !has_name)
			usage_error("%s needs at least one service name", r->cmd);
	/* a wait takes as long as the daemon says (it bounds it itself) */
	r->no_deadline = !strcmp(r->cmd, "wait") || (blocking && !r->no_block);
}

static void parse_options(int argc, char **argv, struct request *r)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:s:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 's': sock_path = optarg; break;
		case 'h': fputs(usage_text, stdout); exit(0);
		case 'V': printf("musterctl %s (protocol %d)\n", MUSTER_VERSION, PROTO_VERSION); exit(0);
		case ':': usage_error("option '%s' needs an argument", argv[optind - 1]);
		default: usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		usage_error("no command given");
	parse_command(argc - optind, argv + optind, r);
	if (!sock_path || !*sock_path)
		sock_path = sock_path_owned = proto_socket_path(NULL);
	if (!sock_path)
		exit(EX_NO);
}

/* ---- talking to the daemon ----------------------------------------------------- */

static int connect_daemon(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	/* a daemon that does not accept (stopped, overloaded) must not hang us */
	struct timeval tv = { .tv_sec = REPLY_TIMEOUT };

	if (strlen(sock_path) >= sizeof sun.sun_path)
		unreachable("path too long for a socket (at most %zu bytes)", sizeof sun.sun_path - 1);
	strcpy(sun.sun_path, sock_path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		unreachable("socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) < 0) {
		int e = errno;
		if (e == ENOENT || e == ECONNREFUSED)
			unreachable("cannot connect: %s (is muster running? -s names its socket)",
				    strerror(e));
		if (e == EACCES || e == EPERM)
			unreachable("cannot connect: %s (only root and muster's own user may)",
				    strerror(e));
		if (e == EAGAIN)
			unreachable("cannot connect: muster is not accepting connections");
		unreachable("cannot connect: %s", strerror(e));
	}
	return fd;
}

static void send_request(int fd, const struct request *r)
{
	struct pbuf b = { 0 };

	if (proto_request(&b, r->cmd, r->args, r->nargs) < 0)
		usage_error("request too long (at most %d bytes, %d arguments)", PROTO_MAX_REQUEST,
			    PROTO_MAX_ARGS);
	for (size_t off = 0; off < b.len;) {
		ssize_t n = send(fd, b.data + off, b.len - off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			unreachable("cannot send the request: %s", strerror(errno));
		off += (size_t)n;
	}
	pbuf_free(&b);
}

/* Everything the daemon says, until it closes. */
static void read_reply(int fd, const struct request *r, struct pbuf *reply)
{
	time_t deadline = time(NULL) + REPLY_TIMEOUT;
	char buf[65536];

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int timeout = r->no_deadline ? -1 : (int)(deadline - time(NULL)) * 1000;
		if (!r->no_deadline && timeout <= 0)
			unreachable("no answer within %ds", REPLY_TIMEOUT);
		int pr = poll(&p, 1, timeout);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr < 0)
			unreachable("poll: %s", strerror(errno));
		if (pr == 0)
			continue;
		ssize_t n = recv(fd, buf, sizeof buf, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			unreachable("connection lost: %s", strerror(errno));
		if (n == 0)
			return;
		if (reply->len + (size_t)n > MAX_REPLY) {
			fprintf(stderr, "musterctl: %s: the reply is too long\n", sock_path);
			exit(EX_NO);
		}
		pbuf_add(reply, buf, (size_t)n);
	}
}

/* ---- printing ------------------------------------------------------------------ */

struct rows {
	struct proto_reply *v;
	size_t n;
};

static const char *field_or(const struct proto_reply *r, const char *key, const char *dflt)
{
	const char *v = proto_field(r, key);
	return v ? v : dflt;
}

/* Control bytes of a service's text must not reach the terminal. */
static char *printable(const char *s)
{
	char *p = strdup(s ? s : "");
	for (char *q = p; q && *q; q++)
		if ((unsigned char)*q < 0x20 || *q == 0x7f)
			*q = '?';
	return p;
}

static void fmt_uptime(const char *v, char *buf, size_t len)
{
	if (!v) {
		snprintf(buf, len, "-");
		return;
	}
	double s = strtod(v, NULL);
	long t = (long)s;
	if (s < 10)
		snprintf(buf, len, "%.1fs", s);
	else if (t < 60)
		snprintf(buf, len, "%lds", t);
	else if (t < 3600)
		snprintf(buf, len, "%ldm%02lds", t / 60, t % 60);
	else if (t < 86400)
		snprintf(buf, len, "%ldh%02ldm", t / 3600, t % 3600 / 60);
	else
		snprintf(buf, len, "%ldd%02ldh", t / 86400, t % 86400 / 3600);
}

static void fmt_last_exit(const struct proto_reply *r, char *buf, size_t len)
{
	const char *sig = proto_field(r, "signal"), *code = proto_field(r, "exit");
	if (sig)
		snprintf(buf, len, "signal %s", sig);
	else if (code)
		snprintf(buf, len, "%s", code);
	else
		buf[0] = '\0';
}

/* The free-text column: what the service said (STATUS=), else why it
 * failed, or why its last health check failed. */
static const char *note_of(const struct proto_reply *r)
{
	const char *text = proto_field(r, "text"), *state = field_or(r, "state", "");
	const char *health = field_or(r, "health", "-");
	if (text && *text)
		return text;
	if (proto_field(r, "hook"))
		return NULL; /* said by the caller */
	if (!strcmp(state, "failed") || !strcmp(state, "backoff") ||
	    !strcmp(health, "unhealthy") || !strcmp(health, "checking") ||
	    !strcmp(health, "healthy"))
		return proto_field(r, "reason");
	return NULL;
}

/* HEALTH is last (`awk '{ print $NF }'` reads it whatever STATUS says),
 * and shown when a service listed has a health check or a watchdog (the
 * daemon sends "health" for those only). */
#define NCOLS 8

static void print_status_table(const struct rows *rows)
{
	static const char *const heads[NCOLS] = { "NAME", "STATE", "PID", "UPTIME", "RESTARTS",
						  "LAST EXIT", "STATUS", "HEALTH" };
	char *cells[NCOLS];
	int w[NCOLS];
	char tmp[64];

	for (int c = 0; c < NCOLS; c++)
		w[c] = (int)strlen(heads[c]);
	char **all = calloc(rows->n * NCOLS + 1, sizeof *all);
	if (!all)
		exit(EX_NO);
	for (size_t i = 0; i < rows->n; i++) {
		const struct proto_reply *r = &rows->v[i];
		char **row = all + i * NCOLS;
		row[0] = printable(field_or(r, "name", "?"));
		row[1] = printable(field_or(r, "state", "?"));
		row[2] = printable(field_or(r, "pid", "-"));
		fmt_uptime(proto_field(r, "uptime"), tmp, sizeof tmp);
		row[3] = strdup(tmp);
		row[4] = printable(field_or(r, "restarts", "0"));
		fmt_last_exit(r, tmp, sizeof tmp);
		row[5] = strdup(*tmp ? tmp : "-");
		if (proto_field(r, "hook") && !note_of(r)) {
			snprintf(tmp, sizeof tmp, "%.20s running (pid %.12s)", proto_field(r, "hook"),
				 field_or(r, "hook_pid", "?"));
			row[6] = printable(tmp);
		} else {
			row[6] = printable(note_of(r));
		}
		row[7] = printable(field_or(r, "health", "-"));
		for (int c = 0; c < NCOLS; c++)
			if (row[c] && (int)strlen(row[c]) > w[c])
				w[c] = (int)strlen(row[c]);
	}
	for (int c = 0; c < NCOLS; c++)
		cells[c] = (char *)heads[c];
	int ncols = NCOLS - 1;
	for (size_t i = 0; i < rows->n; i++)
		if (proto_field(&rows->v[i], "health"))
			ncols = NCOLS;
	for (size_t i = 0; i <= rows->n; i++) {
		char **row = i == 0 ? cells : all + (i - 1) * NCOLS;
		int last = ncols - 1;
		while (last > 0 && (!row[last] || !*row[last]))
			last--;
		for (int c = 0; c <= last; c++)
			printf("%-*s%s", c == last ? 0 : w[c], row[c] ? row[c] : "",
			       c == last ? "\n" : "  ");
	}
	for (size_t i = 0; i < rows->n * NCOLS; i++)
		free(all[i]);
	free(all);
}

/* A number from the daemon, as JSON (null unless it is one). */
static void json_number(struct pbuf *b, const char *v)
{
	char *end;
	if (v && *v) {
		double d = strtod(v, &end);
		if (!*end && isfinite(d)) {
			pbuf_addstr(b, v);
			return;
		}
	}
	pbuf_addstr(b, "null");
}

static void json_string_or_null(struct pbuf *b, const char *v)
{
	if (v)
		proto_json_string(b, v);
	else
		pbuf_addstr(b, "null");
}

static void print_status_json(const struct rows *rows)
{
	struct pbuf b = { 0 };
	char tmp[64];

	pbuf_addstr(&b, "[");
	for (size_t i = 0; i < rows->n; i++) {
		const struct proto_reply *r = &rows->v[i];
		pbuf_addstr(&b, i ? ",\n  {" : "\n  {");
		pbuf_addstr(&b, "\"name\": ");
		proto_json_string(&b, field_or(r, "name", ""));
		pbuf_addstr(&b, ", \"state\": ");
		proto_json_string(&b, field_or(r, "state", ""));
		pbuf_addstr(&b, ", \"pid\": ");
		json_number(&b, proto_field(r, "pid"));
		pbuf_addstr(&b, ", \"uptime\": ");
		json_number(&b, proto_field(r, "uptime"));
		pbuf_addstr(&b, ", \"restarts\": ");
		json_number(&b, field_or(r, "restarts", "0"));
		pbuf_addstr(&b, ", \"last_exit\": ");
		fmt_last_exit(r, tmp, sizeof tmp);
		json_string_or_null(&b, *tmp ? tmp : NULL);
		pbuf_addstr(&b, ", \"status\": ");
		json_string_or_null(&b, proto_field(r, "text"));
		pbuf_addstr(&b, ", \"reason\": ");
		json_string_or_null(&b, proto_field(r, "reason"));
		/* with cgroups: its cgroup's process count and memory.current */
		if (proto_field(r, "cgroup_procs")) {
			pbuf_addstr(&b, ", \"cgroup\": {\"procs\": ");
			json_number(&b, proto_field(r, "cgroup_procs"));
			pbuf_addstr(&b, ", \"memory\": ");
			json_number(&b, proto_field(r, "cgroup_memory"));
			pbuf_addstr(&b, "}");
		} else {
			pbuf_addstr(&b, ", \"cgroup\": null");
		}
		pbuf_addstr(&b, ", \"hook\": ");
		json_string_or_null(&b, proto_field(r, "hook"));
		pbuf_addstr(&b, ", \"health\": "); /* null: no check */
		const char *health = field_or(r, "health", "-");
		json_string_or_null(&b, strcmp(health, "-") ? health : NULL);
		pbuf_addstr(&b, "}");
	}
	pbuf_addstr(&b, rows->n ? "\n]\n" : "]\n");
	fputs(b.data, stdout);
	pbuf_free(&b);
}

static double time_of(const struct proto_reply *r, const char *key)
{
	const char *v = proto_field(r, key);
	return v ? strtod(v, NULL) : -1;
}

static void fmt_time(double t, char *buf, size_t len)
{
	if (t < 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.3fs", t);
}

static const struct proto_reply *row_named(const struct rows *rows, const char *name)
{
	for (size_t i = 0; name && i < rows->n; i++)
		if (!strcmp(field_or(&rows->v[i], "name", ""), name))
			return &rows->v[i];
	return NULL;
}

/* The table of the last start, then the critical chain: from the service
 * that became ready last, back through each one's predecessor (the target
 * that became ready last before it started), like systemd-analyze
 * critical-chain. */
static void print_timeline(const struct rows *rows)
{
	char a[32], b[32], c[32], d[32];
	int w = 4;

	for (size_t i = 0; i < rows->n; i++)
		if ((int)strlen(field_or(&rows->v[i], "name", "")) > w)
			w = (int)strlen(field_or(&rows->v[i], "name", ""));
	printf("%-*s  %-9s  %-9s  %-9s  %s\n", w, "NAME", "WAITING", "STARTING", "READY", "TOOK");
	const struct proto_reply *last = NULL;
	for (size_t i = 0; i < rows->n; i++) {
		const struct proto_reply *r = &rows->v[i];
		double tw = time_of(r, "waiting"), ts = time_of(r, "starting"), tr = time_of(r, "ready");
		char *name = printable(field_or(r, "name", "?"));
		fmt_time(tw, a, sizeof a);
		fmt_time(ts, b, sizeof b);
		fmt_time(tr, c, sizeof c);
		fmt_time(tr >= 0 && ts >= 0 ? tr - ts : -1, d, sizeof d);
		printf("%-*s  %-9s  %-9s  %-9s  %s\n", w, name, a, b, c, d);
		free(name);
		/* the last ready; on a tie (a service ready the moment it starts,
		 * after the one it waits for), the one that started later */
		if (tr >= 0 && (!last || tr > time_of(last, "ready") ||
				(tr == time_of(last, "ready") && ts > time_of(last, "starting"))))
			last = r;
	}
	if (!last) {
		printf("\nno service became ready in the last start\n");
		return;
	}
	fmt_time(time_of(last, "ready"), a, sizeof a);
	printf("\ncritical chain (everything ready at %s):\n", a);
	size_t depth = 0;
	for (const struct proto_reply *r = last; r && depth <= rows->n; depth++) {
		double ts = time_of(r, "starting"), tr = time_of(r, "ready");
		char *name = printable(field_or(r, "name", "?"));
		fmt_time(ts, a, sizeof a);
		fmt_time(tr >= 0 && ts >= 0 ? tr - ts : -1, b, sizeof b);
		printf("%*s%s%s @%s +%s\n", depth ? (int)(2 * depth - 2) : 0, "",
		       depth ? "\u2514\u2500" : "", name, a, b);
		free(name);
		r = row_named(rows, proto_field(r, "pred"));
	}
}

static const char *state_colour(const char *state)
{
	static const struct {
		const char *state, *colour;
	} colours[] = {
		{ "ready", "palegreen" },   { "done", "lightblue" },   { "starting", "khaki" },
		{ "waiting", "lightyellow" }, { "stopping", "orange" }, { "backoff", "orange" },
		{ "failed", "salmon" },     { "stopped", "lightgrey" },
		{ "pre-start", "khaki" },   { "post-stop", "orange" },  { "disabled", "white" },
	};
	for (size_t i = 0; i < sizeof colours / sizeof colours[0]; i++)
		if (!strcmp(state, colours[i].state))
			return colours[i].colour;
	return "white";
}

/* A Graphviz double-quoted string's contents. */
static void dot_escape(const char *s)
{
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			putchar('\\');
		putchar((unsigned char)*s < 0x20 ? '?' : *s);
	}
}

static void dot_id(const char *s)
{
	putchar('"');
	dot_escape(s);
	putchar('"');
}

/* Edges point from a service to what it waits for: depends solid, after dashed. */
static void print_graph(const struct rows *rows)
{
	printf("digraph muster {\n");
	printf("\t// an edge points from a service to what it waits for:\n");
	printf("\t// solid: depends, dashed: after; colours: the current states\n");
	printf("\tnode [shape=box, style=\"rounded,filled\", fontname=\"sans-serif\"];\n");
	for (size_t i = 0; i < rows->n; i++) {
		const struct proto_reply *r = &rows->v[i];
		const char *node = proto_field(r, "node");
		if (!node)
			continue;
		const char *state = field_or(r, "state", "?");
		printf("\t");
		dot_id(node);
		printf(" [label=\"");
		dot_escape(node);
		printf("\\n");
		dot_escape(state);
		printf("\", fillcolor=\"%s\"];\n", state_colour(state));
	}
	for (size_t i = 0; i < rows->n; i++) {
		const struct proto_reply *r = &rows->v[i];
		const char *from = proto_field(r, "from"), *to = proto_field(r, "to");
		if (!from || !to)
			continue;
		printf("\t");
		dot_id(from);
		printf(" -> ");
		dot_id(to);
		printf("%s;\n", !strcmp(field_or(r, "edge", ""), "after") ? " [style=dashed]" : "");
	}
	printf("}\n");
}

/* ---- main --------------------------------------------------------------------- */

/* Print the reply; returns the exit status. */
static int print_reply(const struct request *req, struct pbuf *reply)
{
	struct rows rows = { 0 };
	const struct proto_reply *final = NULL;
	size_t cap = 0;
	char *p = reply->data ? reply->data : (char *)"";
	char *end = p + reply->len;

	while (p < end && !final) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			break;
		*nl = '\0';
		if (rows.n == cap) {
			cap = cap ? cap * 2 : 16;
			rows.v = realloc(rows.v, cap * sizeof *rows.v);
			if (!rows.v)
				exit(EX_NO);
		}
		struct proto_reply *r = &rows.v[rows.n];
		if ((size_t)(nl - p) > PROTO_MAX_REPLY_LINE || proto_parse_reply(p, (size_t)(nl - p), r) < 0) {
			fprintf(stderr, "musterctl: %s: not a muster reply (is something else listening?)\n",
				sock_path);
			free(rows.v);
			return EX_NO;
		}
		p = nl + 1;
		if (r->kind == PK_OUT)
			printf("%s\n", r->text);
		else if (r->kind == PK_ERR)
			fprintf(stderr, "%s\n", r->text);
		else if (r->kind == PK_ROW)
			rows.n++;
		else
			final = r;
	}
	if (!final) {
		free(rows.v);
		unreachable("the connection closed before the answer was complete");
	}

	int status = 0;
	switch (final->kind) {
	case PK_OK:
		if (!strcmp(req->cmd, "status"))
			req->json ? print_status_json(&rows) : print_status_table(&rows);
		else if (!strcmp(req->cmd, "timeline"))
			print_timeline(&rows);
		else if (!strcmp(req->cmd, "graph"))
			print_graph(&rows);
		if (*final->text)
			printf("%s\n", final->text);
		break;
	case PK_USAGE:
		fprintf(stderr, "musterctl: %s\n", final->text);
		status = EX_USAGE_;
		break;
	case PK_TIMEOUT:
		fprintf(stderr, "musterctl: %s\n", final->text);
		status = EX_TIMEOUT;
		break;
	case PK_ERROR:
		fprintf(stderr, "musterctl: muster refused the request: %s\n", final->text);
		status = EX_NO;
		break;
	default:
		fprintf(stderr, "musterctl: %s\n", final->text);
		status = EX_NO;
		break;
	}
	free(rows.v);
	return status;
}

int main(int argc, char **argv)
{
	struct request req = { 0 };
	struct pbuf reply = { 0 };

	parse_options(argc, argv, &req);
	int fd = connect_daemon();
	send_request(fd, &req);
	read_reply(fd, &req, &reply);
	close(fd);
	int status = print_reply(&req, &reply);
	pbuf_free(&reply);
	free(req.args);
	free(req.timeout_arg);
	free(sock_path_owned);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "musterctl: cannot write the output: %s\n", strerror(errno));
		return EX_NO;
	}
	return status;
}
