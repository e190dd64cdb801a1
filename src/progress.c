/* The start-up as the log and systemd hear of it: STATUS=starting: N/M
 * ready as services come up, then "all N services up in Xs" and READY=1.
 */
#include "progress.h"

#include "log.h"
#include "notify.h"

static const struct supervisor *sup;
static ev_tstamp started_at;

void progress_start(const struct supervisor *s)
{
	sup = s;
	notify_manager("STATUS=starting: 0/%zu ready", sup->cfg->nservices);
	started_at = ev_time();
}

void progress_state_changed(const struct service *svc)
{
	static bool up_once;
	if (!up_once && !sup->shutting_down && (svc->state == ST_READY || svc->state == ST_DONE)) {
		size_t ready = 0;
		for (size_t i = 0; i < sup->n; i++)
			ready += sup->svcs[i]->state == ST_READY || sup->svcs[i]->state == ST_DONE;
		notify_manager("STATUS=starting: %zu/%zu ready", ready, sup->n);
		up_once = ready == sup->n;
	}
}

void progress_all_up(const struct supervisor *s)
{
	static bool said;
	size_t failed = 0;
	for (size_t i = 0; i < s->n; i++)
		failed += s->svcs[i]->state == ST_FAILED;
	if (!said && s->n && !failed)
		log_info("all %zu service%s up in %.3fs", s->n, s->n == 1 ? "" : "s",
			 ev_time() - started_at);
	else if (!said && failed)
		log_warn("started in %.3fs: %zu of %zu services up, %zu failed",
			 ev_time() - started_at, s->n - failed, s->n, failed);
	if (!said)
		notify_manager("READY=1\nSTATUS=running: %zu services%s", s->n - failed,
			       failed ? " (some failed: see musterctl status)" : "");
	said = true;
}
