/* Signals: every signal muster acts on, blocked and read from one
 * signalfd, and what each one does.
 */
#ifndef MUSTER_SIGNALS_H
#define MUSTER_SIGNALS_H

#include <ev.h>
#include <stdbool.h>

#include "service.h"

/* Ignore SIGPIPE, SIGTTIN and SIGTTOU, block the rest and read them from
 * the loop.  main_cmd: there is a main command (-- CMD), which takes
 * Ctrl-Z and the real-time signals.  0, or -1 with the reason logged. */
int signals_init(struct ev_loop *loop, struct supervisor *sup, bool main_cmd);

#endif
