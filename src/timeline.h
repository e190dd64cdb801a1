/* The timeline: each service's last explicit start (waiting, starting,
 * ready) as `musterctl timeline` shows it, and its critical-path predecessor.
 */
#ifndef MUSTER_TIMELINE_H
#define MUSTER_TIMELINE_H

#include "service.h"

/* A service's last start as the timeline shows it: its waiting time (set
 * by every explicit start) and the first starting and ready after it, so
 * that automatic restarts since do not rewrite the story.  A time <= 0:
 * not reached. */
struct start_times {
	char *name;
	ev_tstamp waiting, starting, ready;
};

/* s changed state: note the times of its last start. */
void timeline_record(const struct service *s);

/* s's last start (name is s's own, not a copy). */
struct start_times timeline_of(const struct service *s);

/* The `depends` or `after` target of s that became ready last before s
 * started: s's predecessor on the critical path, or NULL. */
const struct service *timeline_pred(const struct supervisor *sup, const struct service *s);

/* Forget everything noted. */
void timeline_free(void);

#endif
