/* The control socket: accepting musterctl's connections, one request line
 * each, dispatched by name through the commands' table; limits, timeouts.
 *
 * The protocol itself (requests, replies, versioning, limits) is declared
 * in control_proto.h, which musterctl shares; what each command does is
 * commands.c's.  This header is the daemon's side of the socket, and what
 * a command handler may do with its client.
 */
#ifndef MUSTER_CONTROL_H
#define MUSTER_CONTROL_H

#include <ev.h>
#include <stdbool.h>
#include <sys/types.h>

#include "control_proto.h"

struct client;  /* one connection and its one request: control.c's */

/* A command: run() answers req with control_finish() (at once, or later
 * for a held request) after any data lines it put in control_reply(). */
struct control_command {
	const char *name;
	void (*run)(struct client *c, struct proto_request *req);
};

/* The socket path: [muster] control-socket, else $MUSTER_SOCKET, else
 * /run/muster.sock for root and $XDG_RUNTIME_DIR/muster.sock otherwise
 * (/tmp/muster-UID.sock without XDG_RUNTIME_DIR).  malloc'd. */
char *control_socket_path(const char *configured);

/* Create the socket (mode 0600; a stale one is replaced, a live one is an
 * error) and start serving the commands of the table (which ends with a
 * NULL name).  0, or -1 with the reason logged. */
int control_init(struct ev_loop *loop, const char *path, const struct control_command *commands);

/* Close every client (a held request is told that muster is shutting
 * down), remove the socket file. */
void control_close(void);

/* ---- for the command handlers ------------------------------------------ */

/* Where the reply's data lines go, before the final line. */
struct pbuf *control_reply(struct client *c);

/* End the reply with its final line ("ok", "fail", "usage", "error") and
 * send it. */
void control_finish(struct client *c, const char *kind, const char *text);
void control_finishf(struct client *c, const char *kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Who sent the request (SO_PEERCRED). */
uid_t control_peer_uid(const struct client *c);
pid_t control_peer_pid(const struct client *c);

/* A held request: answered later, when check() (called at every
 * control_recheck()) finishes it, or by expired() when its timeout passes
 * first; either may finish the reply, neither frees the client.  free(arg)
 * when the client is gone, answered or not. */
struct control_hold {
	void (*check)(struct client *c, void *arg);
	void (*expired)(struct client *c, void *arg);
	void (*free)(void *arg);
};

/* Hold c's request (ownership of arg passes); timeout < 0: none. */
void control_hold(struct client *c, const struct control_hold *hold, void *arg, double timeout);

/* Something changed (a service's state): check every held request. */
void control_recheck(void);

/* A streamed answer (`logs`): data lines as they come, for as long as it
 * takes.  fill() is called whenever all that went before is sent (and once
 * at the start): it appends data lines to out, nothing when it has none
 * for now (then control_stream_more() says when it has), or ends the
 * answer with control_finish().  A client that reads slowly is simply
 * filled less often.  free(arg) when the client is gone (it hung up, or
 * muster exits: then what fill() still gives within a second is sent,
 * then "ok"). */
struct control_stream {
	void (*fill)(struct client *c, void *arg, struct pbuf *out);
	void (*free)(void *arg);
};

/* Stream c's answer (ownership of arg passes). */
void control_stream(struct client *c, const struct control_stream *stream, void *arg);

/* c's stream has more: fill it when its socket takes it.  Nothing after
 * the answer ended. */
void control_stream_more(struct client *c);

#endif
