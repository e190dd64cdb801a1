/* Children's output: pipes -> whole lines -> each service's ring -> the
 * daemon's stdout and stderr, the log-files, and `musterctl logs`.
 * See output.h.
 */
#include "output.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdint.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "control_proto.h"
#include "log.h"
#include "logfmt.h"
#include "ring.h"
#include "probe.h"

#define LINE_MAX_BYTES (64 * 1024) /* longer lines go out in pieces */
#define HIGH_WATER (1024 * 1024)   /* a sink's queue: its readers pause above */
#define LOW_WATER (256 * 1024)     /* ... and resume below */
#define RING_GROWTH (16 * 1024 * 1024) /* a ring's room past log-buffer for held lines */
#define SINK_BATCH (64 * 1024)     /* bytes laid out from the rings per write */
#define FOLLOW_INDEX 65536         /* the followers' order of lines (a power of 2) */

/* A service's lines: its ring, kept across its restarts and the reloads
 * that keep it (the key is the name), and how its lines are headed. */
struct svclog {
	char *name;
	struct ring ring;
	bool own;               /* muster's own messages */
	bool prefix;            /* "name | " before each line on the sinks */
	bool configured;        /* a service of the running config */
	int pipes;              /* pipes attached */
	size_t queued;          /* its lines waiting in the sinks */
	char head[2][2][128];   /* [stream - 1][piece after the first]: "name<pad> | " */
	size_t headlen[2][2];
	int head_width;         /* the name width the heads were built for */
	struct svclog *next;
};

/* A line waiting in a sink: where it is held; its size as written. */
struct entry {
	struct svclog *l;
	uint64_t pos;
	uint32_t cost;
	bool ts;                /* with log-timestamps' stamp */
};

struct sink {
	int fd;                 /* what we write to */
	bool own_fd;            /* fd is our own non-blocking reopen */
	bool sock;              /* send(MSG_DONTWAIT) */
	bool dead;              /* write failed for good: discard */
	ev_io w;
	struct entry *q;        /* the lines to write, in order (circular) */
	size_t qhead, qlen, qcap; /* qcap: 0 or a power of two */
	size_t skip;            /* bytes of the first line already written */
	struct pbuf enc;        /* json: encoded, not yet written from encoff */
	size_t encoff;
	size_t queued;          /* bytes of the queued lines, about as written */
	bool full;              /* over the high-water mark: readers paused */
};

/* A service's log-file, shared by its stdout and stderr pipes (and by
 * other services naming the same path), with the rights of the service
 * that opened it first. */
#define OWNER_GROUPS_MAX 64
struct logfile {
	char *path;
	int fd;                 /* -1: not open */
	uint64_t size;
	bool failing;           /* the last open or write failed: said once */
	bool refused;           /* a link or not a regular file: not tried
				 * again before SIGUSR1 */
	bool no_rotate;         /* a rotation failed: none before SIGUSR1 */
	char *svc;              /* the service that opened it, for messages */
	char *who;              /* "user nobody", "group adm": whose rights;
				 * NULL: muster's own */
	uid_t uid;
	gid_t gid;
	gid_t groups[OWNER_GROUPS_MAX];
	int ngroups;
	int refs;
	struct logfile *next;
};

struct outpipe {
	ev_io w;
	int stream;
	struct svclog *l;
	struct logfile *log;
	char *buf;              /* the partial line; NULL when none */
	size_t len, cap;
	bool continued;         /* the current line was passed on in pieces */
	struct outpipe *next, **pprev; /* in pipes; pprev: what points at us */
};

static struct ev_loop *out_loop;
static struct sink sinks[2];
static struct outpipe *pipes;
static struct svclog *svclogs;  /* the services', then muster's own last */
static struct svclog *own_log;
static uint64_t line_order;     /* the order of every line pushed */
static int64_t read_ns;         /* the time of the read being taken apart (0: none) */
static int name_width;
static bool timestamps;
static bool json;               /* log-format = json */
static bool prefixing;          /* log-prefix */
static size_t keep_bytes = 256 * 1024; /* log-buffer */
static struct logfile *logfiles;
static uint64_t log_max_size;
static int log_max_files = 5;
static const char *colors[2][2]; /* [stream][0: start, 1: end] when a tty */

/* ANSI colours for names, as compose tools do: stable per name. */
static const char *const palette[] = {
	"\033[36m", "\033[33m", "\033[32m", "\033[35m", "\033[34m",
	"\033[96m", "\033[93m", "\033[92m", "\033[95m", "\033[94m",
};

static const char *name_color(const char *name)
{
	unsigned h = 5381;
	for (const char *c = name; *c; c++)
		h = h * 33 + (unsigned char)*c;
	return palette[h % (sizeof palette / sizeof palette[0])];
}

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- a service's rights ----------------------------------------------
 *
 * A root muster opens, creates, reopens and rotates the log-file of a
 * service that has user = or group = with that service's filesystem
 * identity: fsuid, fsgid and the service's supplementary groups, the
 * credentials the service itself runs with (not none: a directory the
 * service may write through one of its groups is its log directory too;
 * never muster's own groups).  The kernel then checks the
 * rights the service has, so no link it plants (at the last component, on
 * a directory of the path, or a hard link) can make muster write, create
 * or rename where the service could not itself.  setfsuid() and
 * setfsgid() change only the ids used for file access, not the real,
 * effective or saved ones, so muster keeps the right to switch back.
 * muster is single-threaded: nothing else runs with the borrowed identity
 * in between, and it is held only around open(), lstat() and rename().
 * A muster that is not root opens every file with its own rights.
 */

static gid_t *daemon_groups;    /* muster's own supplementary groups */
static int daemon_ngroups = -1; /* -1: not saved yet */

static void owner_leave(void);

/* Take lf's owner's identity.  0: taken, or nothing to take (muster's
 * own rights); -1 with errno: not taken, nothing changed. */
static int owner_enter(const struct logfile *lf)
{
	if (!lf->who)
		return 0;
	if (daemon_ngroups < 0) {
		/* muster never changes its groups: saved once */
		int n = getgroups(0, NULL);
		gid_t *g = n < 0 ? NULL : calloc((size_t)n + 1, sizeof *g);
		if (!g)
			return -1;
		if ((n = getgroups(n, g)) < 0) {
			free(g);
			return -1;
		}
		daemon_groups = g;
		daemon_ngroups = n;
	}
	if (setgroups((size_t)lf->ngroups, lf->groups) < 0)
		return -1;
	/* setfsgid()/setfsuid() return the old id even when refused: asking
	 * with an invalid id (-1) tells the one in force */
	setfsgid(lf->gid);
	if ((gid_t)setfsgid((gid_t)-1) == lf->gid) {
		setfsuid(lf->uid);
		if ((uid_t)setfsuid((uid_t)-1) == lf->uid)
			return 0;
	}
	owner_leave();
	errno = EPERM;
	return -1;
}

/* Back to muster's own identity (fsuid and fsgid those of its euid and
 * egid, its saved groups), after owner_enter() or a part of it.  If that
 * ever failed, muster would go on with credentials nobody configured: its
 * next files (control socket, env-files, other services' logs) opened
 * with a service's rights, a service's groups inherited by the next root
 * service it starts.  That is not safe to run with, so it is fatal.  It
 * does not happen to a root process: the calls are undone with the very
 * capabilities that made them (CAP_SETUID and CAP_SETGID are not dropped
 * with the fsuid). */
static void owner_leave(void)
{
	uid_t uid = geteuid();
	gid_t gid = getegid();

	setfsuid(uid);
	setfsgid(gid);
	errno = EPERM;
	if ((uid_t)setfsuid((uid_t)-1) == uid && (gid_t)setfsgid((gid_t)-1) == gid &&
	    (daemon_ngroups < 0 || setgroups((size_t)daemon_ngroups, daemon_groups) == 0))
		return;
	log_sink = NULL; /* straight to fd 2: the queue would die with us */
	log_error_errno("cannot restore muster's own credentials after a log-file operation: aborting");
	abort();
}

/* ---- log files ------------------------------------------------------- */

/* The one way a service's log-file is opened: at start, when a restarted
 * (or reloaded) service attaches, at SIGUSR1 and after a rotation.  With
 * the owner's rights (above); O_NOFOLLOW: never through a symbolic link
 * at the last component; O_NONBLOCK: a FIFO (without a reader: ENXIO) or
 * a device cannot block the loop in open(); then only a regular file is
 * kept (fstat() of what was opened: no race with a rename).  Returns the
 * descriptor, *st its status, or -1 with the error line in msg and
 * *refused set when the file is of the wrong kind (not worth trying again
 * before SIGUSR1). */
static int open_service_file(const struct logfile *lf, struct stat *st, bool *refused,
			     char *msg, size_t len)
{
	const char *svc = lf->svc, *path = lf->path;
	const char *as = lf->who ? " as " : "", *who = lf->who ? lf->who : "";
	struct stat lst;

	*refused = false;
	if (owner_enter(lf) < 0) {
		snprintf(msg, len, "%s: cannot open log-file %s%s%s: cannot take its rights: %s",
			 svc, path, as, who, strerror(errno));
		return -1;
	}
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOCTTY | O_CLOEXEC | O_NONBLOCK |
		      O_NOFOLLOW, 0644);
	int err = errno;
	/* what is there, for the message only (as the owner: it says no more
	 * than the service could find out itself) */
	bool there = fd < 0 && lstat(path, &lst) == 0;
	owner_leave();

	const char *kind = NULL;
	if (fd >= 0) {
		if (fstat(fd, st) == 0 && S_ISREG(st->st_mode)) {
			/* O_NONBLOCK was for the open only: the appends go on as
			 * they always did (a regular file does not wait for
			 * readers, and a filesystem that answered EAGAIN instead
			 * of writing would make us lose lines) */
			int fl = fcntl(fd, F_GETFL);
			if (fl >= 0)
				fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
			return fd;
		}
		close(fd);
		kind = "not a regular file";
	} else if (there && S_ISLNK(lst.st_mode) && err == ELOOP) {
		kind = "is a symbolic link, not opened";
	} else if (there && !S_ISREG(lst.st_mode) && !S_ISLNK(lst.st_mode)) {
		kind = "not a regular file"; /* ENXIO, EISDIR and the like */
	}
	if (kind) {
		*refused = true;
		snprintf(msg, len, "%s: log-file %s: %s; skipped (SIGUSR1 tries again), "
			 "the lines still go to muster's output", svc, path, kind);
	} else {
		snprintf(msg, len, "%s: cannot open log-file %s%s%s: %s", svc, path, as, who,
			 strerror(err));
	}
	return -1;
}

static void logfile_open(struct logfile *lf)
{
	char msg[PATH_MAX + 256];
	struct stat st;

	lf->fd = open_service_file(lf, &st, &lf->refused, msg, sizeof msg);
	if (lf->fd < 0) {
		if (!lf->failing)
			log_error("%s", msg);
		lf->failing = true;
		return;
	}
	lf->size = (uint64_t)st.st_size;
}

/* "user nobody", "user nobody, group adm", "group adm" */
static char *owner_name(const struct file_owner *o)
{
	char *s = NULL;
	int n;
	if (o->user && o->group)
		n = asprintf(&s, "user %s, group %s", o->user, o->group);
	else if (o->user)
		n = asprintf(&s, "user %s", o->user);
	else
		n = asprintf(&s, "group %s", o->group ? o->group : "?");
	return n < 0 ? NULL : s;
}

static struct logfile *logfile_get(const char *path, const char *svc, const struct file_owner *o)
{
	for (struct logfile *lf = logfiles; lf; lf = lf->next)
		if (!strcmp(lf->path, path)) {
			lf->refs++;
			return lf;
		}
	struct logfile *lf = calloc(1, sizeof *lf);
	if (!lf || !(lf->path = strdup(path)) || !(lf->svc = strdup(svc)))
		goto fail;
	if (o && o->as_service && geteuid() == 0) {
		if (!(lf->who = owner_name(o)))
			goto fail;
		lf->uid = o->uid;
		lf->gid = o->gid;
		lf->ngroups = o->ngroups < OWNER_GROUPS_MAX ? o->ngroups : OWNER_GROUPS_MAX;
		if (lf->ngroups > 0)
			memcpy(lf->groups, o->groups, (size_t)lf->ngroups * sizeof lf->groups[0]);
	}
	lf->refs = 1;
	logfile_open(lf);
	lf->next = logfiles;
	logfiles = lf;
	return lf;
fail:
	if (lf) {
		free(lf->path);
		free(lf->svc);
	}
	free(lf);
	log_error("%s: out of memory: log-file %s not opened", svc, path);
	return NULL;
}

static void logfile_put(struct logfile *lf)
{
	if (!lf || --lf->refs > 0)
		return;
	struct logfile **pp = &logfiles;
	while (*pp && *pp != lf)
		pp = &(*pp)->next;
	if (*pp)
		*pp = lf->next;
	if (lf->fd >= 0)
		close(lf->fd);
	free(lf->path);
	free(lf->svc);
	free(lf->who);
	free(lf);
}

/* file -> file.1 -> ... -> file.N (the old file.N is replaced), then a
 * new file.  rename() follows no link at either name, and it runs with
 * the owner's rights, as the open does.  When a rename fails (the
 * service's user cannot write the directory, say), nothing more is moved,
 * so nothing is overwritten: the file is written on, one warning, and no
 * rotation is tried again before SIGUSR1. */
static void logfile_rotate(struct logfile *lf)
{
	char from[PATH_MAX + 16], to[PATH_MAX + 16];
	int err = 0;

	snprintf(from, sizeof from, "%s", lf->path);
	if (owner_enter(lf) < 0) {
		err = errno;
	} else {
		for (int i = log_max_files; i >= 1 && !err; i--) {
			if (i == 1)
				snprintf(from, sizeof from, "%s", lf->path);
			else
				snprintf(from, sizeof from, "%s.%d", lf->path, i - 1);
			snprintf(to, sizeof to, "%s.%d", lf->path, i);
			if (rename(from, to) < 0 && errno != ENOENT)
				err = errno;
		}
		owner_leave();
	}
	if (err) {
		log_warn("%s: cannot rotate log-file %s%s%s: %s: %s; not rotated before SIGUSR1",
			 lf->svc, lf->path, lf->who ? " as " : "", lf->who ? lf->who : "", from,
			 strerror(err));
		lf->no_rotate = true;
		return;
	}
	close(lf->fd);
	logfile_open(lf);
}

static void logfile_write(struct logfile *lf, const char *head, size_t hlen, const char *text,
			  size_t len, bool ends)
{
	if (lf->fd < 0 && !lf->refused)
		logfile_open(lf); /* try again: the directory may exist now */
	if (lf->fd < 0)
		return;
	if (log_max_size && !lf->no_rotate && lf->size > 0 &&
	    lf->size + hlen + len + 1 > log_max_size)
		logfile_rotate(lf);
	if (lf->fd < 0)
		return; /* the new file was refused */
	struct iovec iov[3] = {
		{ (void *)head, hlen }, { (void *)text, len }, { (void *)"\n", ends },
	};
	ssize_t n = writev(lf->fd, iov, 3);
	if (n < 0) {
		if (!lf->failing)
			log_error_errno("log-file %s (further errors not shown until it works again)",
					lf->path);
		lf->failing = true;
		return;
	}
	if (lf->failing)
		log_info("log-file %s: writing again", lf->path);
	lf->failing = false;
	lf->size += (uint64_t)n;
}

void output_reopen_logs(void)
{
	for (struct logfile *lf = logfiles; lf; lf = lf->next) {
		if (lf->fd >= 0)
			close(lf->fd);
		lf->refused = lf->no_rotate = false;
		logfile_open(lf);
	}
}

/* ---- services' rings ------------------------------------------------- */

static void reader_forget(struct svclog *l);
static size_t ring_keep(void);

static struct svclog *svclog_find(const char *name)
{
	for (struct svclog *l = svclogs; l; l = l->next)
		if (!l->own && !strcmp(l->name, name))
			return l;
	return NULL;
}

static struct svclog *svclog_get(const char *name, bool own)
{
	struct svclog *l = own ? own_log : svclog_find(name);
	if (l)
		return l;
	l = calloc(1, sizeof *l);
	if (!l || !(l->name = strdup(name))) {
		free(l);
		return NULL;
	}
	l->own = own;
	l->head_width = -1;
	ring_init(&l->ring, ring_keep(), keep_bytes + RING_GROWTH);
	/* muster's own ring last: the services' names are looked up first */
	struct svclog **pp = &svclogs;
	while (*pp)
		pp = &(*pp)->next;
	if (own) {
		*pp = l;
		own_log = l;
	} else if (own_log) {
		struct svclog **q = &svclogs;
		while (*q != own_log)
			q = &(*q)->next;
		l->next = own_log;
		*q = l;
	} else {
		*pp = l;
	}
	return l;
}

/* A service gone from the config, its pipes closed, its lines written:
 * its ring goes. */
static void svclog_maybe_free(struct svclog *l)
{
	if (l->own || l->configured || l->pipes || l->queued)
		return;
	struct svclog **pp = &svclogs;
	while (*pp && *pp != l)
		pp = &(*pp)->next;
	if (*pp)
		*pp = l->next;
	reader_forget(l);
	ring_free(&l->ring);
	free(l->name);
	free(l);
}

void output_service_gone(const char *name)
{
	struct svclog *l = svclog_find(name);
	if (l) {
		l->configured = false;
		svclog_maybe_free(l);
	}
}

/* "name<pad> | " for each stream (with its colour when a terminal) and
 * "name<pad> + " for the pieces after the first of a long line; muster's
 * own lines: the same, bold, or "muster: " without log-prefix. */
static void build_heads(struct svclog *l)
{
	for (int st = 0; st < 2; st++)
		for (int cont = 0; cont < 2; cont++) {
			const char *const *c = colors[st];
			char *h = l->head[st][cont];
			int n;
			if (l->own && !prefixing)
				n = snprintf(h, sizeof l->head[0][0], "muster: ");
			else if (!l->own && !l->prefix)
				n = 0, h[0] = '\0';
			else
				n = snprintf(h, sizeof l->head[0][0], "%s%-*s %s%s ",
					     !c[0] ? "" : l->own ? "\033[1m" : name_color(l->name),
					     name_width, l->name, cont ? "+" : "|", c[0] ? c[1] : "");
			l->headlen[st][cont] = n < 0 ? 0 : (size_t)n < sizeof l->head[0][0]
						? (size_t)n : sizeof l->head[0][0] - 1;
		}
	l->head_width = name_width;
}

static const char *level_text(unsigned flags)
{
	int lv = RING_LEVEL(flags);
	return lv == LOG_ERROR ? "error: " : lv == LOG_WARNING ? "warning: " : "";
}

/* ---- sinks ------------------------------------------------------------ */

static void sink_flush(struct sink *s);

static void sink_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop, (void)revents;
	sink_flush(w->data);
}

static void resume_readers(int stream)
{
	for (struct outpipe *p = pipes; p; p = p->next)
		if (p->stream == stream && !ev_is_active(&p->w))
			ev_io_start(out_loop, &p->w);
}

static void pause_readers(int stream)
{
	for (struct outpipe *p = pipes; p; p = p->next)
		if (p->stream == stream)
			ev_io_stop(out_loop, &p->w);
}

static int sink_push(struct sink *s, struct svclog *l, uint64_t pos, uint32_t cost)
{
	if (s->qlen == s->qcap) {
		size_t ncap = s->qcap ? s->qcap * 2 : 1024;
		struct entry *q = malloc(ncap * sizeof *q);
		if (!q)
			return -1;
		for (size_t i = 0; i < s->qlen; i++)
			q[i] = s->q[(s->qhead + i) & (s->qcap - 1)];
		free(s->q);
		s->q = q;
		s->qcap = ncap;
		s->qhead = 0;
	}
	s->q[(s->qhead + s->qlen) & (s->qcap - 1)] = (struct entry){ l, pos, cost, timestamps };
	s->qlen++;
	s->queued += cost;
	l->queued++;
	return 0;
}

/* The first line of the queue is written: its ring may let it go. */
static void sink_pop(struct sink *s)
{
	struct entry *e = &s->q[s->qhead];
	ring_release(&e->l->ring, e->pos);
	s->queued -= e->cost;
	s->qhead = (s->qhead + 1) & (s->qcap - 1);
	s->qlen--;
	s->skip = 0;
	struct svclog *l = e->l;
	l->queued--;
	svclog_maybe_free(l);
}

/* A line as the sink writes it in text: [stamp ]head[level: ]text\n. */
static void text_line(struct pbuf *b, const struct entry *e, int stream, const struct ring_line *ln)
{
	struct svclog *l = e->l;
	if (l->head_width != name_width)
		build_heads(l);
	bool cont = ln->flags & RING_CONT;
	size_t tl = 0, hl = l->headlen[stream - 1][cont];
	const char *lv = l->own ? level_text(ln->flags) : "";
	size_t ll = strlen(lv);
	char *o = pbuf_space(b, 48 + hl + ll + ln->len + 1);
	if (e->ts && !cont)
		tl = logfmt_stamp(o, 48, ln->time_ns);
	memcpy(o + tl, l->head[stream - 1][cont], hl);
	memcpy(o + tl + hl, lv, ll);
	memcpy(o + tl + hl + ll, ln->text, ln->len);
	o[tl + hl + ll + ln->len] = '\n';
	b->len += tl + hl + ll + ln->len + 1;
	b->data[b->len] = '\0';
}

/* A line as one JSON object. */
static void json_line(struct pbuf *b, const struct svclog *l, const struct ring_line *ln)
{
	logfmt_json_line(b, ln->time_ns, l->own ? "muster" : l->name, (int)RING_STREAM(ln->flags),
			 l->own ? RING_LEVEL(ln->flags) : -1, ln->flags & RING_PART, ln->text, ln->len);
}

static ssize_t sink_write(struct sink *s, const char *p, size_t n)
{
	if (!s->sock)
		return write(s->fd, p, n);
	return send(s->fd, p, n, MSG_DONTWAIT | MSG_NOSIGNAL);
}

/* Write what the sink holds, as far as it goes without blocking: the
 * queued lines are read from their rings and laid out (text or json)
 * SINK_BATCH bytes at a time, just before each write, so that a line
 * lives in its ring until the write that takes it.  0 when it is all
 * written; 1 when the fd is full; -1 when it failed for good. */
static int sink_write_some(struct sink *s, int stream)
{
	for (;;) {
		if (s->encoff == s->enc.len) {
			s->enc.len = s->encoff = 0;
			while (s->qlen && s->enc.len < SINK_BATCH) {
				struct entry *e = &s->q[s->qhead];
				struct ring_line ln;
				uint64_t pos = e->pos;
				if (ring_read(&e->l->ring, &pos, &ln) == 1) {
					if (json)
						json_line(&s->enc, e->l, &ln);
					else
						text_line(&s->enc, e, stream, &ln);
				}
				sink_pop(s);
			}
			if (!s->enc.len)
				return 0;
		}
		ssize_t n = sink_write(s, s->enc.data + s->encoff, s->enc.len - s->encoff);
		if (n > 0) {
			s->encoff += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) ? 1 : -1;
	}
}

/* Bytes waiting: queued, and laid out but not written yet. */
static size_t sink_waiting(const struct sink *s)
{
	return s->queued + (s->enc.len - s->encoff);
}

static size_t sink_pending(const struct sink *s)
{
	return s->qlen + (s->enc.len - s->encoff);
}

static void sink_flush(struct sink *s)
{
	int stream = (int)(s - sinks) + 1;
	int r = s->dead ? -1 : sink_write_some(s, stream);

	if (r == 1) {
		if (!ev_is_active(&s->w))
			ev_io_start(out_loop, &s->w);
		if (s->full && sink_waiting(s) < LOW_WATER) {
			s->full = false;
			resume_readers(stream);
		}
		return;
	}
	if (r < 0) {
		s->dead = true; /* EPIPE and the like: nobody reads any more */
		while (s->qlen)
			sink_pop(s);
		s->enc.len = s->encoff = 0;
	}
	ev_io_stop(out_loop, &s->w);
	if (s->full) {
		s->full = false;
		resume_readers(stream);
	}
}


/* ---- followers' order --------------------------------------------------
 *
 * While someone follows, every line pushed is noted (service, position)
 * in one circular index: a follower's place is a number in it.  Nothing
 * waits for a follower: a follower more than FOLLOW_INDEX lines behind,
 * or whose line its ring evicted, skips (and is told how many).
 */

struct fentry {
	struct svclog *l;
	uint64_t pos;
};

struct output_reader {
	struct svclog **only;   /* the services asked for; NULL: every one */
	size_t nonly;
	bool json;
	struct ring_cursor *cur; /* the newest lines, merged; NULL when done */
	size_t ncur;
	uint64_t skip;          /* of the merged lines, the oldest to leave out */
	bool follow;
	uint64_t at;            /* a follower's place in the index */
	uint64_t lost;          /* lines it missed, not said yet */
	void (*wake)(void *arg);
	void *arg;
	struct output_reader *next;
};

static struct {
	struct fentry *v;       /* FOLLOW_INDEX entries; NULL without followers */
	uint64_t head;          /* entries ever noted */
	uint64_t woken;         /* head when the followers were last woken */
	struct output_reader *readers;
} fidx;

static void schedule_flush(void);

/* What a ring keeps: log-buffer; with log-buffer = 0 while someone
 * follows, what a follower needs to read a line once it is written (the
 * history readers are shown none of it). */
static size_t ring_keep(void)
{
	return keep_bytes || !fidx.v ? keep_bytes : RING_MIN;
}

static void set_keep_all(void)
{
	for (struct svclog *l = svclogs; l; l = l->next)
		ring_set_keep(&l->ring, ring_keep());
}

static void follow_note(struct svclog *l, uint64_t pos)
{
	if (!fidx.v)
		return;
	fidx.v[fidx.head++ & (FOLLOW_INDEX - 1)] = (struct fentry){ l, pos };
	schedule_flush();
}

static void wake_followers(void)
{
	if (fidx.woken == fidx.head)
		return;
	fidx.woken = fidx.head;
	for (struct output_reader *r = fidx.readers; r; r = r->next)
		if (r->follow && r->wake)
			r->wake(r->arg);
}

/* A ring going away: no reader may point into it. */
static void reader_forget(struct svclog *l)
{
	if (fidx.v)
		for (size_t i = 0; i < FOLLOW_INDEX; i++)
			if (fidx.v[i].l == l)
				fidx.v[i].l = NULL;
	for (struct output_reader *r = fidx.readers; r; r = r->next) {
		for (size_t i = 0; i < r->nonly; i++)
			if (r->only[i] == l)
				r->only[i] = NULL;
		for (size_t i = 0; r->cur && i < r->ncur; i++)
			if (r->cur[i].r == &l->ring) {
				r->cur[i] = r->cur[--r->ncur];
				i--;
			}
	}
}

static bool wanted(const struct output_reader *r, const struct svclog *l)
{
	if (!r->only)
		return !l->own;
	for (size_t i = 0; i < r->nonly; i++)
		if (r->only[i] == l)
			return true;
	return false;
}

struct output_reader *output_reader_new(char *const *names, size_t n, uint64_t lines, bool follow,
					bool as_json, void (*wake)(void *), void *arg)
{
	struct output_reader *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->json = as_json;
	r->follow = follow;
	r->wake = wake;
	r->arg = arg;
	if (n) {
		if (!(r->only = calloc(n, sizeof *r->only)))
			goto fail;
		r->nonly = n;
		for (size_t i = 0; i < n; i++) {
			bool own = !strcmp(names[i], "muster") && !svclog_find("muster");
			if (!(r->only[i] = svclog_get(names[i], own)))
				goto fail;
			if (!own && !r->only[i]->configured && !r->only[i]->pipes)
				r->only[i]->configured = true; /* named: a configured service */
		}
	}
	size_t nl = 0;
	for (struct svclog *l = svclogs; l; l = l->next)
		nl++;
	if (!(r->cur = calloc(nl ? nl : 1, sizeof *r->cur)))
		goto fail;
	uint64_t total = 0;
	for (struct svclog *l = svclogs; l; l = l->next)
		if (wanted(r, l)) {
			total += ring_cursor_last(&r->cur[r->ncur], &l->ring, lines);
			r->cur[r->ncur++].until = line_order;
		}
	r->skip = total > lines ? total - lines : 0;
	if (!keep_bytes)
		r->ncur = 0; /* log-buffer = 0: no history, whatever a follower left */
	if (follow) {
		if (!fidx.v) {
			if (!(fidx.v = calloc(FOLLOW_INDEX, sizeof *fidx.v)))
				goto fail;
			set_keep_all();
		}
		r->at = fidx.head;
	}
	r->next = fidx.readers;
	fidx.readers = r;
	return r;
fail:
	free(r->only);
	free(r->cur);
	free(r);
	return NULL;
}

void output_reader_free(struct output_reader *r)
{
	if (!r)
		return;
	struct output_reader **pp = &fidx.readers;
	while (*pp && *pp != r)
		pp = &(*pp)->next;
	if (*pp)
		*pp = r->next;
	bool followers = false;
	for (struct output_reader *o = fidx.readers; o; o = o->next)
		followers |= o->follow;
	if (!followers && fidx.v) {
		free(fidx.v);
		fidx.v = NULL;
		set_keep_all();
	}
	free(r->only);
	free(r->cur);
	free(r);
}

/* A line for `musterctl logs`: as live output shows it, without colours,
 * always with the name; NUL bytes as "^@" (the protocol carries no NUL). */
static void reader_line(const struct output_reader *r, struct pbuf *b, const struct svclog *l,
			const struct ring_line *ln)
{
	if (r->json) {
		json_line(b, l, ln);
		return;
	}
	const char *name = l->own ? "muster" : l->name;
	const char *lv = l->own ? level_text(ln->flags) : "";
	size_t nl = strlen(name), w = (size_t)name_width > nl ? (size_t)name_width : nl, ll = strlen(lv);
	char *o = pbuf_space(b, 48 + w + 3 + ll + ln->len * 2 + 1), *start = o;
	if (timestamps && !(ln->flags & RING_CONT))
		o += logfmt_stamp(o, 48, ln->time_ns);
	memcpy(o, name, nl);
	memset(o + nl, ' ', w - nl);
	o += w;
	memcpy(o, ln->flags & RING_CONT ? " + " : " | ", 3);
	o += 3;
	memcpy(o, lv, ll);
	o += ll;
	for (const char *p = ln->text, *end = ln->text + ln->len; p < end;) {
		const char *z = memchr(p, '\0', (size_t)(end - p));
		size_t n = (size_t)((z ? z : end) - p);
		memcpy(o, p, n);
		o += n;
		if (!z)
			break;
		memcpy(o, "^@", 2);
		o += 2;
		p = z + 1;
	}
	*o++ = '\n';
	b->len += (size_t)(o - start);
	b->data[b->len] = '\0';
}

static void reader_skipped(struct output_reader *r, struct pbuf *b)
{
	char msg[96];
	int n = snprintf(msg, sizeof msg, "%llu line%s skipped (this reader fell a buffer behind)",
			 (unsigned long long)r->lost, r->lost == 1 ? "" : "s");
	struct ring_line ln = { msg, (size_t)n, now_ns(), 0, 2 | (unsigned)(LOG_WARNING + 1) << RING_LEVEL_SHIFT };
	struct svclog tmp = { .name = "muster", .own = true };
	reader_line(r, b, &tmp, &ln);
	r->lost = 0;
}

int output_reader_next(struct output_reader *r, struct pbuf *out)
{
	struct ring_line ln;

	while (r->cur) {
		long k = ring_merge_next(r->cur, r->ncur, &ln);
		for (size_t i = 0; i < r->ncur; i++) {
			r->lost += r->cur[i].lost;
			r->cur[i].lost = 0;
		}
		if (k < 0) {
			free(r->cur);
			r->cur = NULL;
			break;
		}
		if (r->skip) {
			r->skip--;
			continue;
		}
		if (r->lost)
			reader_skipped(r, out);
		const struct ring *rg = r->cur[k].r;
		struct svclog *l = svclogs;
		while (l && &l->ring != rg)
			l = l->next;
		if (l)
			reader_line(r, out, l, &ln);
		return 1;
	}
	if (!r->follow)
		return -1;
	if (fidx.head - r->at > FOLLOW_INDEX) {
		r->lost += fidx.head - FOLLOW_INDEX - r->at;
		r->at = fidx.head - FOLLOW_INDEX;
	}
	while (r->at < fidx.head) {
		struct fentry e = fidx.v[r->at++ & (FOLLOW_INDEX - 1)];
		if (!e.l || !wanted(r, e.l))
			continue;
		if (ring_read(&e.l->ring, &e.pos, &ln) != 1) {
			r->lost++;
			continue;
		}
		if (r->lost)
			reader_skipped(r, out);
		reader_line(r, out, e.l, &ln);
		return 1;
	}
	if (r->lost) {
		reader_skipped(r, out);
		return 1;
	}
	return 0;
}

/* ---- lines in --------------------------------------------------------- */

/* Queued lines are written once per loop iteration, just before the loop
 * waits (one write for all the lines of an iteration, not one per line). */
static ev_prepare w_flush;

static void flush_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	(void)loop, (void)revents;
	for (int i = 0; i < 2; i++)
		if (sink_pending(&sinks[i]) && !ev_is_active(&sinks[i].w))
			sink_flush(&sinks[i]);
	wake_followers();
	ev_prepare_stop(out_loop, w);
}

static void schedule_flush(void)
{
	if (out_loop && !ev_is_active(&w_flush))
		ev_prepare_start(out_loop, &w_flush);
}

/* After queueing: have it written; pause the readers when over the mark. */
static void sink_kick(struct sink *s)
{
	int stream = (int)(s - sinks) + 1;
	if (!ev_is_active(&s->w))
		schedule_flush();
	if (sink_waiting(s) > HIGH_WATER && !s->full) {
		s->full = true;
		pause_readers(stream);
	} else if (s->full && sink_waiting(s) < LOW_WATER) {
		s->full = false;
		resume_readers(stream);
	}
}

/* One line, or one piece of a long line, into its service's ring; from
 * there to ready-log (a whole line), the log-file (the service's bytes as
 * it wrote them), the sink (queued, held in the ring until written) and
 * the followers.  cont: a
 * piece went before it; ends: it ends the line. */
static void push_line(struct svclog *l, int stream, struct logfile *lf, const char *text,
		      size_t len, unsigned flags)
{
	struct sink *s = &sinks[stream - 1];
	struct ring_line ln = { text, len, read_ns ? read_ns : now_ns(), ++line_order,
				(unsigned)stream | flags };
	bool held = !s->dead && out_loop;
	uint64_t pos = ring_push(&l->ring, &ln, held);
	bool whole = !(flags & (RING_CONT | RING_PART));
	if (pos == UINT64_MAX) {
		/* no memory for it: the log-file and ready-log still get it */
		if (lf)
			logfile_write(lf, "", 0, text, len, !(flags & RING_PART));
		if (whole && !l->own)
			probe_output_line(l->name, text, len);
		return;
	}
	/* ln (text, len, time) is what the ring now holds: no read back */
	if (lf) {
		char ts[48];
		size_t tslen = timestamps && !(flags & RING_CONT) ? logfmt_stamp(ts, sizeof ts, ln.time_ns) : 0;
		logfile_write(lf, ts, tslen, ln.text, ln.len, !(flags & RING_PART));
	}
	if (held) {
		size_t cost = len + 1 + (l->headlen[stream - 1][0] ? l->headlen[stream - 1][0] : 16);
		if (sink_push(s, l, pos, (uint32_t)cost) < 0)
			ring_release(&l->ring, pos); /* no memory to queue it: not written */
	}
	follow_note(l, pos);
	/* ready-log (probe.c), once the line is queued: what it says of the
	 * line ("web: ready") comes after the line */
	if (whole && !l->own)
		probe_output_line(l->name, ln.text, ln.len);
}

static void emit(struct outpipe *p, const char *text, size_t len, bool cont, bool ends)
{
	push_line(p->l, p->stream, p->log, text, len, (cont ? RING_CONT : 0) | (ends ? 0 : RING_PART));
}
/* Keep text as (part of) the pending partial line.  A line longer than
 * LINE_MAX_BYTES goes out in pieces: a full buffer is passed on when more
 * of the line arrives (so a line of exactly the limit stays whole), the
 * pieces after the first marked '+'. */
static void hold(struct outpipe *p, const char *text, size_t len)
{
	while (len) {
		if (p->len == LINE_MAX_BYTES) {
			emit(p, p->buf, p->len, p->continued, false);
			p->continued = true;
			p->len = 0;
		}
		size_t room = LINE_MAX_BYTES - p->len;
		size_t n = len < room ? len : room;
		if (p->len + n > p->cap) {
			size_t ncap = p->cap ? p->cap : 256;
			while (ncap < p->len + n)
				ncap *= 2;
			if (ncap > LINE_MAX_BYTES)
				ncap = LINE_MAX_BYTES;
			char *b = realloc(p->buf, ncap);
			if (!b) {
				/* no memory for the partial line: pass it on as a piece */
				if (p->len) {
					emit(p, p->buf, p->len, p->continued, false);
					p->continued = true;
					p->len = 0;
				}
				emit(p, text, len, p->continued, false);
				p->continued = true;
				return;
			}
			p->buf = b;
			p->cap = ncap;
		}
		memcpy(p->buf + p->len, text, n);
		p->len += n;
		text += n;
		len -= n;
	}
}

/* The held partial line ends here (with text, up to its newline). */
static void finish_line(struct outpipe *p, const char *text, size_t len)
{
	if (p->len) {
		hold(p, text, len);
		emit(p, p->buf, p->len, p->continued, true);
		p->len = 0;
		/* an idle pipe holds no buffer */
		free(p->buf);
		p->buf = NULL;
		p->cap = 0;
	} else {
		emit(p, text, len, p->continued, true);
	}
	p->continued = false;
}

/* New bytes from the pipe: whole lines out, the tail held. */
static void take(struct outpipe *p, const char *data, size_t len)
{
	while (len) {
		const char *nl = memchr(data, '\n', len);
		if (!nl) {
			hold(p, data, len);
			return;
		}
		size_t n = (size_t)(nl - data);
		if (p->len || n <= LINE_MAX_BYTES) {
			finish_line(p, data, n);
		} else {
			hold(p, data, n); /* pieces of a long line */
			finish_line(p, NULL, 0);
		}
		data += n + 1;
		len -= n + 1;
	}
}

static void flush_partial(struct outpipe *p)
{
	if (p->len || p->continued)
		finish_line(p, NULL, 0);
}

/* Unlinked in constant time: every service's two pipes end in a stop of
 * 1000 services, and a walk of the list for each was quadratic. */
static void outpipe_free(struct outpipe *p)
{
	*p->pprev = p->next;
	if (p->next)
		p->next->pprev = p->pprev;
	ev_io_stop(out_loop, &p->w);
	close(p->w.fd);
	logfile_put(p->log);
	p->l->pipes--;
	svclog_maybe_free(p->l);
	free(p->buf);
	free(p);
}

/* Read once; returns false when the pipe is finished (EOF or error). */
static bool outpipe_read(struct outpipe *p)
{
	static char rbuf[LINE_MAX_BYTES];
	ssize_t n = read(p->w.fd, rbuf, sizeof rbuf);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return true;
	if (n > 0) {
		read_ns = now_ns(); /* the lines of one read arrived together */
		take(p, rbuf, (size_t)n);
		read_ns = 0;
		return true;
	}
	flush_partial(p);
	return false;
}

static void pipe_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct outpipe *p = w->data;
	(void)loop, (void)revents;
	bool more = outpipe_read(p);
	sink_kick(&sinks[p->stream - 1]);
	if (!more)
		outpipe_free(p);
}

void output_attach(const char *name, int fd, int stream, bool prefix, const char *log_file,
		   const struct file_owner *owner)
{
	struct outpipe *p = calloc(1, sizeof *p);
	if (p)
		p->l = svclog_get(name, false);
	if (!p || !p->l) {
		free(p);
		close(fd);
		log_error("%s: out of memory: output discarded", name);
		return;
	}
	fcntl(fd, F_SETFL, O_NONBLOCK);
	p->l->configured = true;
	p->l->pipes++;
	if (p->l->prefix != prefix) {
		p->l->prefix = prefix;
		p->l->head_width = -1;
	}
	p->stream = stream;
	p->log = log_file ? logfile_get(log_file, name, owner) : NULL;
	/* EV_WRITE too, which a pipe's read end never is: libev takes the
	 * EPOLLHUP of a writer's exit for EV_READ | EV_WRITE, and re-arms a
	 * watcher that did not ask for both with one epoll_ctl() more per pipe
	 * (two per service in a stop of them all); pipe_cb reads either way */
	ev_io_init(&p->w, pipe_cb, fd, EV_READ | EV_WRITE);
	p->w.data = p;
	p->next = pipes;
	p->pprev = &pipes;
	if (pipes)
		pipes->pprev = &p->next;
	pipes = p;
	if (!sinks[stream - 1].full)
		ev_io_start(out_loop, &p->w);
}

void output_set_width(int width)
{
	name_width = width > 40 ? 40 : width;
}

/* The daemon's messages: the services' layout under the name "muster",
 * through muster's own ring to the stderr sink. */
static void log_to_sink(enum log_level level, const char *line, size_t len)
{
	static bool inside; /* a message about a message is not written */
	struct svclog *l = own_log ? own_log : svclog_get("muster", true);
	if (!l || inside)
		return;
	inside = true;
	push_line(l, 2, NULL, line, len, (unsigned)(level + 1) << RING_LEVEL_SHIFT);
	if (!ev_is_active(&sinks[1].w))
		schedule_flush();
	inside = false;
}

/* Our own descriptor for fd, non-blocking, so that the loop never blocks
 * and the shared file description (a terminal, a pipe the children of
 * `log-prefix = no` also use) is left as it was. */
static void sink_open(struct sink *s, int fd)
{
	struct stat st;
	s->fd = fd;
	ev_io_init(&s->w, sink_cb, fd, EV_WRITE);
	s->w.data = s;
	if (fstat(fd, &st) < 0)
		return;
	if (S_ISSOCK(st.st_mode)) {
		s->sock = true;
	} else if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode)) {
		char path[32];
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
		int nfd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
		if (nfd >= 0) {
			s->fd = nfd;
			s->own_fd = true;
			ev_io_set(&s->w, nfd, EV_WRITE);
		}
	}
}

int output_init(struct ev_loop *loop, const struct config *cfg)
{
	out_loop = loop;
	ev_prepare_init(&w_flush, flush_cb);
	json = cfg->log_format == LOG_FORMAT_JSON;
	output_configure(cfg);
	for (int i = 0; i < 2; i++) {
		sink_open(&sinks[i], i + 1);
		const char *nc = getenv("NO_COLOR");
		if (!json && isatty(i + 1) && (!nc || !*nc) &&
		    strcmp(getenv("TERM") ? getenv("TERM") : "", "dumb")) {
			colors[i][0] = "color";
			colors[i][1] = "\033[0m";
		}
	}
	log_sink = log_to_sink;
	return 0;
}

void output_configure(const struct config *cfg)
{
	prefixing = cfg->log_prefix;
	timestamps = cfg->log_timestamps;
	log_max_size = cfg->log_max_size;
	log_max_files = cfg->log_max_files;
	if (keep_bytes != cfg->log_buffer) {
		keep_bytes = (size_t)cfg->log_buffer;
		set_keep_all();
	}
	for (struct svclog *l = svclogs; l; l = l->next)
		l->head_width = -1;
}

size_t output_queued(void)
{
	return sink_waiting(&sinks[0]) + sink_waiting(&sinks[1]);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void output_finish(double timeout)
{
	if (!out_loop)
		return; /* output_init() never ran: nothing of ours to finish */
	double deadline = now_s() + timeout;

	/* read the pipes to EOF, flushing the sinks as we go */
	while (pipes && now_s() < deadline) {
		struct pollfd pfd[64 + 2];
		struct outpipe *polled[64]; /* pfd[i]'s pipe */
		nfds_t n = 0, npipes;
		for (struct outpipe *p = pipes; p && n < 64; p = p->next) {
			polled[n] = p;
			pfd[n++] = (struct pollfd){ .fd = p->w.fd, .events = POLLIN };
		}
		npipes = n;
		for (int i = 0; i < 2; i++)
			if (sink_pending(&sinks[i]) && !sinks[i].dead)
				pfd[n++] = (struct pollfd){ .fd = sinks[i].fd, .events = POLLOUT };
		int ms = (int)((deadline - now_s()) * 1000) + 1;
		if (poll(pfd, n, ms) <= 0)
			break;
		/* the polled pipes only (a walk of every pipe for each of them
		 * was quadratic in a stop of 1000 services) */
		for (nfds_t i = 0; i < npipes; i++) {
			struct outpipe *p = polled[i];
			if (!pfd[i].revents || sink_waiting(&sinks[p->stream - 1]) > HIGH_WATER)
				continue;
			if (!outpipe_read(p))
				outpipe_free(p);
		}
		for (int i = 0; i < 2; i++)
			sink_flush(&sinks[i]);
	}
	while (pipes) {
		flush_partial(pipes);
		outpipe_free(pipes);
	}
	log_sink = NULL;
	ev_prepare_stop(out_loop, &w_flush);
	free(daemon_groups);
	daemon_groups = NULL;
	daemon_ngroups = -1;
	for (int i = 0; i < 2; i++) {
		struct sink *s = &sinks[i];
		while (sink_pending(s) && !s->dead && now_s() < deadline) {
			struct pollfd pfd = { .fd = s->fd, .events = POLLOUT };
			int ms = (int)((deadline - now_s()) * 1000) + 1;
			if (poll(&pfd, 1, ms) <= 0)
				break;
			sink_flush(s);
		}
		ev_io_stop(out_loop, &s->w);
		if (s->own_fd)
			close(s->fd);
		s->dead = true;
		while (s->qlen)
			sink_pop(s);
		free(s->q);
		pbuf_free(&s->enc);
		memset(s, 0, sizeof *s);
		s->dead = true;
	}
}

void output_free(void)
{
	while (fidx.readers)
		output_reader_free(fidx.readers);
	while (svclogs) {
		struct svclog *l = svclogs;
		svclogs = l->next;
		ring_free(&l->ring);
		free(l->name);
		free(l);
	}
	own_log = NULL;
}
