/* cgroup v2: muster's own cgroup and one per service; limits, kill, events.
 *
 * Every cgroup path muster uses is made here, below one directory: the
 * base, muster's cgroup when it starts (found from /proc/self/cgroup and
 * the mount table: /sys/fs/cgroup in a container with its own cgroup
 * namespace, /sys/fs/cgroup/unified on a hybrid host, the unit's cgroup
 * under systemd with Delegate=yes).  When the base holds other processes
 * than muster (it was not delegated to muster alone), muster makes
 * BASE/muster-PID and takes that as its base instead.  Below the base:
 *
 *   BASE/muster         muster itself (the no-internal-processes rule:
 *                       a cgroup with controllers enabled for its
 *                       children holds no process itself)
 *   BASE/NAME.service   each service, created before its process starts,
 *                       removed once it is empty
 *
 * The seam: cgroup_set_root(DIR), or MUSTER_CGROUP_ROOT=DIR in the
 * environment, makes DIR the base, with no discovery.  DIR may be a real
 * cgroup (a test's own) or a plain directory tree, a fake cgroup
 * filesystem that the unit tests fill and read (files are then created
 * where the kernel would have made them).
 *
 * Functions return 0 or -1 with errno, unless said otherwise.  Nothing
 * here knows struct service: cgroups are named by the service's name.
 */
#ifndef MUSTER_CGROUP_H
#define MUSTER_CGROUP_H

#include <ev.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "config.h"

/* Test mode: DIR is the base (NULL: back to discovery).  Before setup. */
void cgroup_set_root(const char *dir);

/* Find and claim the hierarchy as cgroups = mode says: with it, muster
 * moves into BASE/muster and services get cgroups; without, under yes, -1
 * with the reason in err; under auto, 0 and the reason in err (the caller
 * logs the one line); under no, 0 at once.  Once, at start. */
int cgroup_setup(enum cgroups_mode mode, char *err, size_t len);

/* Services run in cgroups of their own. */
bool cgroup_enabled(void);

/* The mode cgroup_setup() was given. */
enum cgroups_mode cgroup_mode(void);

/* The base ("" when not enabled), for messages and tests. */
const char *cgroup_base(void);

/* Is the controller (memory, pids, cpu) available to services' cgroups? */
bool cgroup_has_controller(const char *name);

/* Check c's cgroup limits against the controllers there are: 0 when
 * fine; else the first problem in err ("memory-max needs the memory
 * controller, which this cgroup does not have") and -1. */
int cgroup_check_limits(const struct svc_conf *c, char *err, size_t len);

/* Make NAME.service (an existing one is reused), enable the controllers
 * its limits need and write the limits (one missing controller: a
 * warning under auto, an error under yes, in err), and start watching
 * its events.  Returns a descriptor of its directory (close-on-exec, for
 * CLONE_INTO_CGROUP; the caller closes it), or -1 with err. */
int cgroup_create(const struct svc_conf *c, char *err, size_t len);

/* The path of NAME.service/cgroup.procs into buf, for a child to write
 * its pid to; NULL when it does not fit. */
const char *cgroup_procs_path(const char *name, char *buf, size_t len);

/* Signal every process in NAME.service; SIGKILL goes through cgroup.kill
 * (or freeze, kill each, thaw, until none is left, without it). */
int cgroup_signal(const char *name, int sig);

/* 1 when NAME.service holds a process, 0 when not, -1 when it cannot be
 * read (no such cgroup). */
int cgroup_populated(const char *name);

/* Is pid in NAME.service? */
bool cgroup_has_pid(const char *name, pid_t pid);

/* memory.events' oom_kill of NAME.service (0 when none or unreadable). */
unsigned long cgroup_oom_kills(const char *name);

/* Processes in NAME.service and its memory.current (-1 when unknown). */
void cgroup_stats(const char *name, long *procs, int64_t *memory);

/* Remove NAME.service (when empty).  0 or -1. */
int cgroup_remove(const char *name);

/* Watch the services' cgroup.events and memory.events: changed(name) is
 * called on each change of NAME.service's (inotify through libev). */
void cgroup_watch_init(struct ev_loop *loop, void (*changed)(const char *name));

/* At exit: muster leaves its leaf, which is removed, and the base it made
 * (muster-PID); the services' cgroups still there are removed if empty. */
void cgroup_teardown(void);

#endif
