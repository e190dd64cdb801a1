/* Being an init: the main command (-- CMD), started once every service is
 * up and stopped first; signals forwarded to it; every child reaped.
 *
 * The main command's exit ends the run, and its status is the run's.  With
 * no config (`muster -- CMD`), muster is only its init: every catchable
 * signal goes to it.
 */
#ifndef MUSTER_INIT_H
#define MUSTER_INIT_H

#include <stdbool.h>
#include <sys/types.h>

#include "service.h"

/* Remember the main command (argv NULL: there is none); zero_config: there
 * is no config file, so muster is only its init.  To stop the run, init.c
 * calls sup->request_shutdown (which must be set by the time services
 * start). */
void init_setup(struct ev_loop *loop, struct supervisor *sup, char **argv, bool zero_config);

/* Every service is up: start the main command (once; not while shutting
 * down).  If it cannot start, the run stops with status 127. */
void init_start(void);

/* svc changed state: a service that failed before the main command
 * started means it never will, and the run stops (status 1). */
void init_state_changed(const struct service *svc);

/* A signal arrived: with no config, the running main command takes every
 * signal.  true when sig was forwarded (there is nothing else to do). */
bool init_signal(int sig);

/* Send sig to the main command's process group, when it runs. */
void init_forward(int sig);

/* The first step of a shutdown: SIGTERM to the main command, SIGKILL after
 * timeout seconds.  false when it is not running (nothing to wait for);
 * true: the services stop once it has exited. */
bool init_stop(const char *why, double timeout);

/* The main command is being stopped (init_stop() has sent SIGTERM). */
bool init_stopping(void);

/* SIGKILL to the main command's process group, now. */
void init_kill(void);

/* Reap every child that has exited, each to its owner: a service, a
 * ready-check, the main command; orphans are reaped and forgotten. */
void init_reap(void);

/* The run's exit status as the main command makes it: its own (128+N for
 * signal N), 1 when a service failed before it started, 0 without one. */
int init_status(void);

#endif
