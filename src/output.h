/* Children's output: pipes -> whole prefixed lines -> the daemon's stdout
 * and stderr, with back-pressure.
 *
 * Each destination ("sink": fd 1 or fd 2) has one queue and is written only
 * by the event loop, without blocking: lines are queued whole, so they never
 * interleave.  When a sink's queue passes its high-water mark the pipes that
 * feed it are no longer read (the children block on their pipes) until it
 * drains: nothing is dropped and memory stays bounded.
 */
#ifndef MUSTER_OUTPUT_H
#define MUSTER_OUTPUT_H

#include <ev.h>
#include <stdbool.h>
#include <stddef.h>
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

#endif
