/* Processes: spawning a service, its ready-check and the main command with
 * their session, descriptors, ids, limits and environment; leftover children.
 *
 * A child is started with clone(CLONE_VM | CLONE_VFORK) (a plain fork()
 * under the sanitizers and valgrind) and makes system calls only.  It
 * reports on a close-on-exec pipe: a mark just before exec, or {stage,
 * errno} when a step fails, then _exit(127) (the main command: 126, or
 * 127 when not found, as shells do).  End-of-file after the mark alone
 * means exec succeeded; end-of-file with nothing, that the child died
 * before exec (a failed start too).
 */
#ifndef MUSTER_PROC_H
#define MUSTER_PROC_H

#include <stdbool.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "service.h"

/* Early, before anything opens descriptors: mark inherited descriptors
 * close-on-exec and reserve the descriptor slots spawning uses.  0 or -1. */
int proc_setup(void);

/* Remember the limits and settings every child gets, and where the read
 * end of a service's ready-fd pipe goes (the probes: probe_watch_ready_fd;
 * ownership passes). */
void proc_init(struct ev_loop *loop, rlim_t nofile_soft, bool prefix_output,
	       void (*ready_fd)(struct service *svc, int fd));

/* sys_ops for service.c */
pid_t proc_spawn(struct service *svc, int *exec_fd);
int proc_kill_group(pid_t pgid, int sig);

/* sys_ops for service.c: svc's cgroup (cgroup.c), when cgroups are on */
int proc_kill_cgroup(struct service *svc, int sig);
int proc_cgroup_populated(struct service *svc);
unsigned long proc_cgroup_oom_kills(struct service *svc);
void proc_cgroup_release(struct service *svc);
/* sys_ops.spawn_hook: one of svc's hooks (argv), as the service would
 * run, its output the service's, env added last. */
pid_t proc_spawn_hook(struct service *svc, char *const *argv, char *const *env, int *exec_fd);

/* After svc's hook (argv) exited: true with why in msg when it never ran
 * its program (the exec-status pipe says so), else false. */
bool proc_hook_result(struct service *svc, char *const *argv, char *msg, size_t len);

/* Run a check's argv (ready-check, health-check) as the service would
 * run, in a session of its own, its stdout and stderr to out (-1:
 * /dev/null).  Returns its pid, *exec_fd the exec-status pipe (read it
 * with proc_main_exec_failed() once it exited), or -1. */
pid_t proc_spawn_check(struct service *svc, char **argv, int out, int *exec_fd);

/* Start the main command (-- CMD) in a process group of its own, with the
 * daemon's stdin, stdout and stderr; when tty, it becomes the terminal's
 * foreground group.  Returns its pid, *errfd the exec-status pipe. */
pid_t proc_spawn_main(char **argv, bool tty, int *errfd);

/* After the main command exited: "cannot exec ..." when its exec failed
 * (written into msg), else false.  Closes errfd. */
bool proc_main_exec_failed(int errfd, char **argv, char *msg, size_t len);

/* Read what is left on svc's exec-status pipe (the child is gone) and
 * report it with sup_exec_result(). */
void proc_exec_drain(struct service *svc);

/* Does /proc show our own PID namespace?  (Not after `unshare --pid
 * --fork` without --mount-proc: the pids it lists are not ours.) */
bool proc_visible(void);

/* Our direct children, into pids[max]; returns how many (may be > max),
 * or (size_t)-1 when /proc does not show our PID namespace. */
size_t proc_children(pid_t *pids, size_t max);

/* Reset the daemon's ignored signals and its signal mask to what a fresh
 * process has (the daemon installs no handlers). */
void proc_reset_signals(void);

/* Close-on-exec on every descriptor from `from` up. */
void proc_cloexec_from(int from);

#endif
