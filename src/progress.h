/* The start-up as the log and systemd hear of it: STATUS=starting: N/M
 * ready as services come up, then "all N services up in Xs" and READY=1.
 */
#ifndef MUSTER_PROGRESS_H
#define MUSTER_PROGRESS_H

#include "service.h"

/* sup's services are about to start: STATUS=starting: 0/N ready, and the
 * clock starts for "up in Xs". */
void progress_start(const struct supervisor *sup);

/* A service changed state: until every service has been ready once, the
 * count of those ready or done. */
void progress_state_changed(const struct service *svc);

/* Every wanted service is ready or done (struct supervisor's on_all_up):
 * said once, with how long it took and how many failed. */
void progress_all_up(const struct supervisor *sup);

#endif
