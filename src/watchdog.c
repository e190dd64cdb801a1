/* systemd's watchdog: WATCHDOG=1 from the event loop at half the interval
 * of $WATCHDOG_USEC, so that a hung loop is noticed.
 */
#include "watchdog.h"

#include <stdlib.h>
#include <unistd.h>

#include "log.h"
#include "notify.h"

static ev_timer w_watchdog;

static void watchdog_cb(struct ev_loop *l, ev_timer *w, int revents)
{
	(void)l, (void)w, (void)revents;
	notify_manager("WATCHDOG=1");
}

void watchdog_start(struct ev_loop *loop)
{
	const char *usec = getenv("WATCHDOG_USEC"), *wpid = getenv("WATCHDOG_PID");
	if (!usec || !getenv("NOTIFY_SOCKET") || (wpid && atol(wpid) != (long)getpid()))
		return;
	double interval = atof(usec) / 1e6 / 2;
	if (interval <= 0)
		return;
	ev_timer_init(&w_watchdog, watchdog_cb, interval, interval);
	ev_timer_start(loop, &w_watchdog);
	log_debug("watchdog: pinging every %gs", interval);
}
