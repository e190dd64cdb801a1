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
#include "log.h"
#include "probe.h"

#define LINE_MAX_BYTES (64 * 1024) /* longer lines go out in pieces */
#define HIGH_WATER (1024 * 1024)
#define LOW_WATER (256 * 1024)

struct sink {
	int fd;                 /* what we write to */
	bool own_fd;            /* fd is our own non-blocking reopen */
	bool sock;              /* send(MSG_DONTWAIT) */
	bool dead;              /* write failed for good: discard */
	ev_io w;
	char *buf;
	size_t off, len, cap;
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
	bool prefix;            /* "name | " before each line on the sink */
	struct logfile *log;
	char *name;
	char head[128];         /* "name<pad> | " (with colour), built once */
	size_t headlen;
	int head_width;         /* the name width head was built for */
	char *buf;              /* the partial line; NULL when none */
	size_t len, cap;
	bool continued;         /* the current line was passed on in pieces */
	struct outpipe *next, **pprev; /* in pipes; pprev: what points at us */
};

static struct ev_loop *out_loop;
static struct sink sinks[2];
static struct outpipe *pipes;
static int name_width;
static bool timestamps;
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

static void sink_flush(struct sink *s)
{
	int stream = (int)(s - sinks) + 1;

	while (s->off < s->len && !s->dead) {
		ssize_t n = s->sock ? send(s->fd, s->buf + s->off, s->len - s->off,
					   MSG_DONTWAIT | MSG_NOSIGNAL)
				    : write(s->fd, s->buf + s->off, s->len - s->off);
		if (n > 0) {
			s->off += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (!ev_is_active(&s->w))
				ev_io_start(out_loop, &s->w);
			if (s->full && s->len - s->off < LOW_WATER) {
				s->full = false;
				resume_readers(stream);
			}
			return;
		}
		s->dead = true; /* EPIPE and the like: nobody reads any more */
	}
	if (s->dead)
		s->off = s->len;
	ev_io_stop(out_loop, &s->w);
	s->off = s->len = 0;
	if (s->full) {
		s->full = false;
		resume_readers(stream);
	}
}

static void sink_put(struct sink *s, const char *data, size_t len)
{
	if (s->dead || len == 0)
		return;
	if (s->len + len > s->cap) {
		if (s->off) {
			memmove(s->buf, s->buf + s->off, s->len - s->off);
			s->len -= s->off;
			s->off = 0;
		}
		if (s->len + len > s->cap) {
			size_t ncap = s->cap ? s->cap : 16384;
			while (ncap < s->len + len)
				ncap *= 2;
			char *p = realloc(s->buf, ncap);
			if (!p)
				return; /* out of memory: this line is lost */
			s->buf = p;
			s->cap = ncap;
		}
	}
	memcpy(s->buf + s->len, data, len);
	s->len += len;
}

/* Queued lines are written once per loop iteration, just before the loop
 * waits (one write for all the lines of an iteration, not one per line). */
static ev_prepare w_flush;

static void flush_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	(void)loop, (void)revents;
	for (int i = 0; i < 2; i++)
		if (sinks[i].len > sinks[i].off && !ev_is_active(&sinks[i].w))
			sink_flush(&sinks[i]);
	ev_prepare_stop(out_loop, w);
}

static void schedule_flush(void)
{
	if (!ev_is_active(&w_flush))
		ev_prepare_start(out_loop, &w_flush);
}

/* After queueing: have it written; pause the readers when over the mark. */
static void sink_kick(struct sink *s)
{
	int stream = (int)(s - sinks) + 1;
	if (!ev_is_active(&s->w))
		schedule_flush();
	if (s->len - s->off > HIGH_WATER && !s->full) {
		s->full = true;
		pause_readers(stream);
	} else if (s->full && s->len - s->off < LOW_WATER) {
		s->full = false;
		resume_readers(stream);
	}
}

static size_t stamp(char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	size_t n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	n += (size_t)snprintf(buf + n, len - n, ".%03ld", ts.tv_nsec / 1000000);
	char z[8];
	strftime(z, sizeof z, "%z", &tm); /* +0100 -> +01:00 */
	n += (size_t)snprintf(buf + n, len - n, "%.3s:%.2s ", z, z + 3);
	return n;
}

/* Queue one (piece of a) line as "[time ]name<pad> | text\n". */
/* One line, or one piece of a long line: cont says a piece went before it,
 * ends that it ends the line.  Each piece is a line of its own on the
 * sink; the log-file gets the line's bytes as the service wrote them. */
static void emit(struct outpipe *p, const char *text, size_t len, bool cont, bool ends)
{
	struct sink *s = &sinks[p->stream - 1];
	char ts[64];
	size_t tslen = timestamps ? stamp(ts, sizeof ts) : 0;

	if (p->log)
		logfile_write(p->log, ts, cont ? 0 : tslen, text, len, ends);
	sink_put(s, ts, tslen);
	if (p->prefix) {
		if (p->head_width != name_width) {
			const char *const *c = colors[p->stream - 1];
			int n = snprintf(p->head, sizeof p->head, "%s%-*s |%s ",
					 c[0] ? name_color(p->name) : "", name_width, p->name,
					 c[0] ? c[1] : "");
			p->headlen = n < 0 ? 0 : (size_t)n < sizeof p->head ? (size_t)n
									  : sizeof p->head - 1;
			p->head_width = name_width;
		}
		if (cont) {
			/* the same head with '+' for '|' */
			char *bar = memrchr(p->head, '|', p->headlen);
			size_t at = bar ? (size_t)(bar - p->head) : p->headlen;
			sink_put(s, p->head, at);
			sink_put(s, "+", bar != NULL);
			sink_put(s, p->head + at + (bar != NULL), p->headlen - at - (bar != NULL));
		} else {
			sink_put(s, p->head, p->headlen);
		}
	}
	sink_put(s, text, len);
	sink_put(s, "\n", 1);
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

/* The held partial line ends here (with text, up to its newline).  A
 * whole line also goes to ready-log (probe.c). */
static void finish_line(struct outpipe *p, const char *text, size_t len)
{
	if (p->len) {
		hold(p, text, len);
		emit(p, p->buf, p->len, p->continued, true);
		if (!p->continued)
			probe_output_line(p->name, p->buf, p->len);
		p->len = 0;
		/* an idle pipe holds no buffer */
		free(p->buf);
		p->buf = NULL;
		p->cap = 0;
	} else {
		emit(p, text, len, p->continued, true);
		if (!p->continued)
			probe_output_line(p->name, text, len);
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
	free(p->name);
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
		take(p, rbuf, (size_t)n);
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
		p->name = strdup(name);
	if (!p || !p->name) {
		free(p);
		close(fd);
		log_error("%s: out of memory: output discarded", name);
		return;
	}
	fcntl(fd, F_SETFL, O_NONBLOCK);
	p->stream = stream;
	p->prefix = prefix;
	p->head_width = -1;
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

static bool prefixing;

/* The daemon's messages: the services' layout under the name "muster". */
static void log_to_sink(const char *line, size_t len)
{
	struct sink *s = &sinks[1];
	char head[160];
	size_t n = timestamps ? stamp(head, sizeof head) : 0;
	if (prefixing)
		n += (size_t)snprintf(head + n, sizeof head - n, "%s%-*s |%s ",
				      colors[1][0] ? "\033[1m" : "", name_width, "muster",
				      colors[1][0] ? colors[1][1] : "");
	else
		n += (size_t)snprintf(head + n, sizeof head - n, "muster: ");
	if (n >= sizeof head)
		n = sizeof head - 1;
	sink_put(s, head, n);
	sink_put(s, line, len);
	sink_put(s, "\n", 1);
	if (!ev_is_active(&s->w))
		schedule_flush();
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
	output_configure(cfg);
	for (int i = 0; i < 2; i++) {
		sink_open(&sinks[i], i + 1);
		const char *nc = getenv("NO_COLOR");
		if (isatty(i + 1) && (!nc || !*nc) && strcmp(getenv("TERM") ? getenv("TERM") : "", "dumb")) {
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
}

size_t output_queued(void)
{
	return sinks[0].len - sinks[0].off + sinks[1].len - sinks[1].off;
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
			if (sinks[i].len > sinks[i].off && !sinks[i].dead)
				pfd[n++] = (struct pollfd){ .fd = sinks[i].fd, .events = POLLOUT };
		int ms = (int)((deadline - now_s()) * 1000) + 1;
		if (poll(pfd, n, ms) <= 0)
			break;
		/* the polled pipes only (a walk of every pipe for each of them
		 * was quadratic in a stop of 1000 services) */
		for (nfds_t i = 0; i < npipes; i++) {
			struct outpipe *p = polled[i];
			if (!pfd[i].revents ||
			    sinks[p->stream - 1].len - sinks[p->stream - 1].off > HIGH_WATER)
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
		while (s->len > s->off && !s->dead && now_s() < deadline) {
			struct pollfd pfd = { .fd = s->fd, .events = POLLOUT };
			int ms = (int)((deadline - now_s()) * 1000) + 1;
			if (poll(&pfd, 1, ms) <= 0)
				break;
			sink_flush(s);
		}
		ev_io_stop(out_loop, &s->w);
		if (s->own_fd)
			close(s->fd);
		free(s->buf);
		memset(s, 0, sizeof *s);
	}
}
