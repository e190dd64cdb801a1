/* Ending the run, in order and each step bounded: the main command, then
 * the services (service.c), then leftover processes (the sweep).
 *
 * The loop ends once no child is left, or when what is left survives
 * SIGKILL for 5 s (stuck in the kernel).
 */
#ifndef MUSTER_SHUTDOWN_H
#define MUSTER_SHUTDOWN_H

#include <ev.h>

#include "service.h"

void shutdown_init(struct ev_loop *loop, struct supervisor *sup);

/* Stop the run (SIGTERM, musterctl shutdown, a critical service, the main
 * command's end): the main command first, then the services, within the
 * graceful-timeout.  A no-op once a shutdown is under way. */
void shutdown_now(const char *why);

/* SIGTERM or SIGINT (named signame): the first stops the run as
 * shutdown_now() does, another kills every process at once. */
void shutdown_signal(const char *signame);

/* struct supervisor's callbacks: request_shutdown, on_killing (SIGKILL
 * went to every service: give up after a while), on_all_down (sweep the
 * leftovers, then end the loop). */
void shutdown_requested(struct supervisor *sup, const char *why);
void shutdown_killing(struct supervisor *sup);
void shutdown_all_down(struct supervisor *sup);

#endif
