/* sd_notify: the datagram socket services of type = notify report to, and
 * the messages the daemon itself sends to its own manager (systemd).
 *
 * Messages are "KEY=VALUE" lines.  The sender is known from SO_PASSCRED;
 * a message counts only when it comes from the service's main process (or,
 * with notify-access = all, from any process of the service's session).
 * Datagrams from processes that are no service's are dropped without a
 * word (the socket is open to every local user); warnings about what a
 * service sends are limited to one line per service per second.
 * Descriptors passed with a message (SCM_RIGHTS, as BARRIER=1 does) are
 * closed at once.
 */
#ifndef MUSTER_NOTIFY_H
#define MUSTER_NOTIFY_H

#include <ev.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "service.h"

#define NOTIFY_MAX 4096         /* a longer datagram is ignored */
#define NOTIFY_STATUS_MAX 512

struct notify_msg {
	bool ready, stopping, reloading, watchdog, barrier;
	bool has_status, has_mainpid, has_errno;
	char status[NOTIFY_STATUS_MAX];
	pid_t mainpid;
	int errnum;
	int unknown;            /* fields not understood (ignored) */
};

/* Parse one datagram.  Returns the number of fields understood, or -1 when
 * it is not a notify message at all (empty, NUL bytes, no KEY=VALUE). */
int notify_parse(const char *buf, size_t len, struct notify_msg *m);

/* The one gate a MAINPID= passes (as systemd checks it): NULL when pid may
 * become svc's main process, else why not.  pid must be alive, a
 * descendant of muster (its services and their orphans), not muster, not
 * PID 1, not another service's main process, and one the sender (uid)
 * could signal itself; with service cgroups, in svc's cgroup. */
const char *notify_mainpid_refusal(struct supervisor *sup, const struct service *svc,
				   pid_t pid, uid_t sender);

/* Bind the socket at path (mode 0666, SO_PASSCRED) and serve it. */
int notify_init(struct ev_loop *loop, struct supervisor *sup, const char *path);
const char *notify_socket_path(void);   /* NULL when there is none */

/* Read every message already waiting: called before exits are handled, so
 * that a READY=1 sent just before a process exits counts (as systemd does). */
void notify_read_pending(void);
void notify_close(void);

/* To the daemon's own manager ($NOTIFY_SOCKET of muster): a no-op when
 * there is none.  Example: notify_manager("READY=1\nSTATUS=%s", text). */
void notify_manager(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
