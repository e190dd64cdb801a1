/* Readiness probes, run from the event loop without blocking it:
 *
 *   ready-fd     the service writes a newline to a pipe it gets as fd N
 *   ready-tcp    a non-blocking connect() to HOST:PORT succeeds
 *   ready-check  a command (/bin/sh -c, as the service's user, in its
 *                directory and environment) exits 0
 *
 * A probe starts when the service is spawned and reports with sup_ready();
 * a failed attempt is retried every ready-interval.  probe_stop() ends it
 * (the service became ready, exited, or is being stopped).  Each attempt is
 * bounded: a connect or a check gets max(ready-interval, 5s).
 */
#ifndef MUSTER_PROBE_H
#define MUSTER_PROBE_H

#include <ev.h>
#include <stdbool.h>
#include <sys/types.h>

#include "service.h"

void probe_init(struct ev_loop *loop);

/* sys_ops: start/stop the probes of svc (no-ops when it has none). */
void probe_start(struct service *svc);
void probe_stop(struct service *svc);

/* Watch the read end of svc's ready-fd pipe (ownership passes). */
void probe_watch_ready_fd(struct service *svc, int fd);

/* A child was reaped: true when it was a ready-check. */
bool probe_reaped(pid_t pid, int status);

#endif
