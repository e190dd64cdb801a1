/* systemd's watchdog: WATCHDOG=1 from the event loop at half the interval
 * of $WATCHDOG_USEC, so that a hung loop is noticed.
 */
#ifndef MUSTER_WATCHDOG_H
#define MUSTER_WATCHDOG_H

#include <ev.h>

/* Start pinging when $WATCHDOG_USEC and $NOTIFY_SOCKET are set and
 * $WATCHDOG_PID is unset or ours; else nothing. */
void watchdog_start(struct ev_loop *loop);

#endif
