/* The control commands: one handler per musterctl verb, in the table that
 * control.c dispatches through; what each does is the supervisor's.
 */
#ifndef MUSTER_COMMANDS_H
#define MUSTER_COMMANDS_H

#include <ev.h>

#include "control.h"
#include "service.h"

struct command_hooks {
	/* `musterctl shutdown`: stop the run as SIGTERM would. */
	void (*shutdown)(const char *why);
	/* `musterctl reload` and SIGHUP: re-read the config file; on success
	 * *report (malloc'd) says what changed; on failure *report holds the
	 * FILE:LINE errors and -1 is returned. */
	int (*reload)(char **report);
};

/* status, start, stop, restart, wait, ready, shutdown, reload, timeline,
 * graph, signal; the last entry's name is NULL.  For control_init().
 * start, stop and restart hold the request until the outcome is known
 * (or their timeout= passes), as wait does. */
extern const struct control_command command_table[];

/* Serve sup (once the control socket is up); the timeline counts from now. */
void commands_init(struct ev_loop *loop, struct supervisor *sup, const struct command_hooks *hooks);

/* A service changed state: the timeline notes it, and the `wait`s it
 * settles are answered. */
void commands_state_changed(const struct service *svc);

/* The socket is closed: forget the timeline. */
void commands_close(void);

#endif
