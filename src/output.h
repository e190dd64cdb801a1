/* Children's output: pipes -> whole lines -> each service's ring -> the
 * daemon's stdout and stderr, the log-files and `musterctl logs`, with
 * back-pressure.
 *
 * A line read from a pipe is put in its service's ring (ring.h) once,
 * with its time and stream; that is the only copy.  The log-file is
 * appended from there at once (the service's bytes as it wrote them);
 * the destination ("sink": fd 1 or fd 2) queues only where the line is
 * and writes it from the ring (text: writev() of the stamp, the head and
 * the line; json: one object each) when the loop is about to wait,
 * without blocking, lines whole, so they never interleave.  A queued line
 * is held in its ring: never evicted before it is written.  When a sink's
 * queue passes its high-water mark the pipes that feed it are no longer
 * read (the children block on their pipes) until it drains: nothing is
 * dropped and memory stays bounded.
 *
 * What is written stays in the ring as history, log-buffer bytes per
 * service (kept across the service's restarts and the reloads that keep
 * it), for output_reader_*(): `musterctl logs`.  Readers never hold a
 * line: one that falls a ring behind skips, and is told how many lines.
 * muster's own messages have a ring of their own (name "muster").
 */
#ifndef MUSTER_OUTPUT_H
#define MUSTER_OUTPUT_H

#include <ev.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct config;

/* Whose rights a service's log-file is opened, created, reopened and
 * rotated with: the service's own ids when it has user = or group = (and
 * muster runs as root), else muster's.  The pointers need only live for
 * the call that takes it. */
struct file_owner {
	bool as_service;        /* false: with muster's own rights */
	uid_t uid;
	gid_t gid;
	const gid_t *groups;    /* the service's supplementary groups */
	int ngroups;
	const char *user, *group; /* the names, for messages (may be NULL) */
};

/* Set up the sinks on fds 1 and 2 and route the daemon's log through the
 * stderr sink. */
int output_init(struct ev_loop *loop, const struct config *cfg);

/* Width of the name column: the longest service name (and "muster", whose
 * own lines share the column when names are prefixed). */
void output_set_width(int width);

/* Read lines from fd (the read end of a child's pipe; ownership passes)
 * and write them to sink 1 (stdout) or 2 (stderr) as "name | line" (just
 * "line" without prefix), and append them to log_file when not NULL,
 * opened with owner's rights (NULL: muster's).  A log-file already open
 * for another service is shared as it is, with the rights of the service
 * that opened it first. */
void output_attach(const char *name, int fd, int stream, bool prefix, const char *log_file,
		   const struct file_owner *owner);

/* Settings that a reload may change: timestamps, log-file rotation. */
void output_configure(const struct config *cfg);

/* SIGUSR1: reopen every log-file (after logrotate moved it). */
void output_reopen_logs(void);

/* At exit: read what the pipes still hold (until EOF or the deadline),
 * write partial last lines with a newline, flush the sinks, release all. */
void output_finish(double timeout);

/* Bytes queued in the sinks (for tests and status). */
size_t output_queued(void);

/* The service called name is gone from the config: its ring goes once
 * its pipes are closed and its lines written. */
void output_service_gone(const char *name);

/* After output_finish() and once no reader is left: free the rings. */
void output_free(void);

/* ---- `musterctl logs` -------------------------------------------------- */

struct pbuf;
struct output_reader;

/* A reader of the newest `lines` lines of the services named (n of them;
 * none: every service's; "muster", when no service has that name:
 * muster's own), merged in the order they came, then with follow the
 * lines that come after, as they come: wake(arg) is called (once per
 * loop iteration at most) when there are new ones.  as_json: each line a
 * JSON object as log-format = json writes it, else as live output shows
 * it, without colours.  NULL when out of memory. */
struct output_reader *output_reader_new(char *const *names, size_t n, uint64_t lines, bool follow,
					bool as_json, void (*wake)(void *), void *arg);

/* Append the reader's next line (with its newline; a "N lines skipped"
 * line before it when the reader fell behind) to out: 1; 0: none yet
 * (a follower); -1: no more (not following). */
int output_reader_next(struct output_reader *r, struct pbuf *out);

void output_reader_free(struct output_reader *r);

#endif
