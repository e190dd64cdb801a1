/* Host names for the probes, resolved without blocking the event loop.
 *
 * getaddrinfo() may wait as long as the system's resolver likes (a DNS
 * server that never answers: seconds, times attempts, times servers).  A
 * lookup of a name therefore runs in a child process of its own, which
 * writes the addresses on a pipe the loop watches and exits; cancelling it
 * (the probe's timeout, the service stopping) kills the child and closes
 * the pipe at once.  The child is reaped as any other orphan child.  An
 * address (IPv4, IPv6) needs no lookup: resolve_numeric() answers at once.
 * Each attempt of a probe resolves again: a container's address changes
 * when it restarts.
 */
#ifndef MUSTER_RESOLVE_H
#define MUSTER_RESOLVE_H

#include <ev.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/types.h>

#define RESOLVE_MAX 8           /* addresses kept of one name */

struct resolve_addr {
	socklen_t len;
	struct sockaddr_storage sa;
};

struct resolve_result {
	int gai_err;            /* 0, or getaddrinfo()'s error */
	int sys_err;            /* with EAI_SYSTEM, or when the lookup could not run */
	int n;
	struct resolve_addr a[RESOLVE_MAX];
};

struct resolve;

/* Called once with the answer; the lookup is over (do not cancel it). */
typedef void (*resolve_cb)(void *arg, const struct resolve_result *r);

/* host as an address: 0 with r filled, -1 when it is a name. */
int resolve_numeric(const char *host, const char *port, struct resolve_result *r);

/* Start looking host up; NULL (errno set) when no child could start. */
struct resolve *resolve_start(struct ev_loop *loop, const char *host, const char *port,
			      resolve_cb cb, void *arg);

/* Stop a lookup under way: its child killed, its pipe closed, cb never
 * called. */
void resolve_cancel(struct resolve *r);

/* A child was reaped: true when it was a lookup's (which then is never
 * signalled again). */
bool resolve_reaped(pid_t pid);

/* What went wrong, for a message ("Name or service not known"). */
const char *resolve_error(const struct resolve_result *r);

/* Lookups started (children forked), for the benchmark. */
extern unsigned long resolve_children;

#endif
