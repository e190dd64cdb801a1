/* Readiness probes and health checks, run from the event loop without
 * blocking it.
 *
 * Readiness, from spawn until ready (each attempt bounded by the longer
 * of ready-interval and 5s, retried every ready-interval):
 *   ready-fd     the service writes a newline to a pipe it gets as fd N
 *   ready-tcp    a non-blocking connect() to HOST:PORT succeeds
 *   ready-check  a command (split like command, run directly as the
 *                service's user, in its directory and environment) exits 0
 *   ready-http   a GET of the URL answers 2xx or 3xx (http.h)
 *   ready-log    a line the service prints matches a POSIX extended regex
 *
 * Health, while ready: one of health-check, health-http and health-tcp,
 * the same checks, health-interval after ready and after each check,
 * each bounded by health-timeout (a command is killed with its process
 * group); and the watchdog: WATCHDOG=1 at least every `watchdog`.  The
 * results go to sup_check_result() and sup_watchdog_missed(), which count
 * them (lifecycle.h).
 *
 * Host names are resolved on every attempt, without blocking (resolve.h).
 * Stopping a probe (the service left the state it runs in) cancels
 * whatever its check is doing at once: the command's group is killed (and
 * reaped as any child), sockets and pipes closed, a lookup killed.
 */
#ifndef MUSTER_PROBE_H
#define MUSTER_PROBE_H

#include <ev.h>
#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "service.h"

void probe_init(struct ev_loop *loop);

/* sys_ops: start/stop the readiness probes of svc (no-ops when it has none). */
void probe_start(struct service *svc);
void probe_stop(struct service *svc);

/* sys_ops: start/stop svc's health check and watchdog. */
void probe_health_start(struct service *svc);
void probe_health_stop(struct service *svc);

/* Watch the read end of svc's ready-fd pipe (ownership passes). */
void probe_watch_ready_fd(struct service *svc, int fd);

/* svc sent WATCHDOG=1 (notify.c, once the sender passed its checks). */
void probe_watchdog_ping(struct service *svc);

/* Does the line (len bytes, no newline, not NUL-terminated) match re? */
bool probe_line_matches(const regex_t *re, const char *line, size_t len);

/* A whole line the service called name printed (output.c): ready-log. */
void probe_output_line(const char *name, const char *line, size_t len);

/* A child was reaped: true when it was a check's (or a lookup's). */
bool probe_reaped(pid_t pid, int status);

#endif
