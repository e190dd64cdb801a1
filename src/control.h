/* The control socket: a UNIX stream socket served from the event loop.
 *
 * The protocol itself (requests, replies, versioning, limits) is declared
 * in control_proto.h, which musterctl shares; this header is the daemon's
 * side only.
 */
#ifndef MUSTER_CONTROL_H
#define MUSTER_CONTROL_H

#include <ev.h>
#include <stdbool.h>

#include "service.h"

struct control_hooks {
	/* `musterctl shutdown`: stop the run as SIGTERM would. */
	void (*shutdown)(const char *why);
	/* `musterctl reload` and SIGHUP: re-read the config file; on success
	 * *report (malloc'd) says what changed; on failure *report holds the
	 * FILE:LINE errors and -1 is returned. */
	int (*reload)(char **report);
};

/* The socket path: [muster] control-socket, else $MUSTER_SOCKET, else
 * /run/muster.sock for root and $XDG_RUNTIME_DIR/muster.sock otherwise
 * (/tmp/muster-UID.sock without XDG_RUNTIME_DIR).  malloc'd. */
char *control_socket_path(const char *configured);

/* Create the socket (mode 0600; a stale one is replaced, a live one is an
 * error) and start serving.  0, or -1 with the reason logged. */
int control_init(struct ev_loop *loop, struct supervisor *sup, const char *path,
		 const struct control_hooks *hooks);

/* A service changed state: answer the `wait`s it settles. */
void control_state_changed(struct service *svc);

/* Close every client, remove the socket file. */
void control_close(void);

#endif
