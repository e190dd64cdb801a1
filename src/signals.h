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
 * Ctrl-Z and the real-time signals.  zero_config (with main_cmd): muster
 * is only its init, and every signal another process can send it is read
 * and goes to the main command, SIGPIPE, SIGTTIN, SIGTTOU and kill(2)'s
 * SIGSEGV & co. included.  0, or -1 with the reason logged. */
int signals_init(struct ev_loop *loop, struct supervisor *sup, bool main_cmd, bool zero_config);

#endif
