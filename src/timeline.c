/* The timeline: each service's last explicit start (waiting, starting,
 * ready) as `musterctl timeline` shows it, and its critical-path predecessor.
 */
#include "timeline.h"

#include <stdlib.h>
#include <string.h>

static struct start_times *times;   /* by name: services come and go on reload */
static size_t ntimes;

static struct start_times *times_entry(const struct service *s, bool create)
{
	/* entries are made in config order at the start: try the index first */
	if (s->idx < ntimes && !strcmp(times[s->idx].name, s->conf->name))
		return &times[s->idx];
	for (size_t i = 0; i < ntimes; i++)
		if (!strcmp(times[i].name, s->conf->name))
			return &times[i];
	if (!create)
		return NULL;
	struct start_times *t = realloc(times, (ntimes + 1) * sizeof *t);
	if (!t)
		return NULL;
	times = t;
	t = &times[ntimes];
	if (!(t->name = strdup(s->conf->name)))
		return NULL;
	ntimes++;
	t->waiting = -1;
	t->starting = t->ready = 0;
	return t;
}

void timeline_record(const struct service *s)
{
	struct start_times *t = times_entry(s, true);
	if (!t)
		return;
	if (t->waiting != s->t_waiting) {
		t->waiting = s->t_waiting;
		t->starting = t->ready = 0;
	}
	if (s->state == ST_STARTING && t->starting <= 0)
		t->starting = s->t_starting;
	if ((s->state == ST_READY || s->state == ST_DONE) && t->ready <= 0)
		t->ready = s->t_ready;
}

struct start_times timeline_of(const struct service *s)
{
	const struct start_times *t = times_entry(s, false);
	if (t && t->waiting == s->t_waiting)
		return *t;
	return (struct start_times){ s->conf->name, s->t_waiting, s->t_starting, s->t_ready };
}

const struct service *timeline_pred(const struct supervisor *sup, const struct service *s)
{
	const struct service *best = NULL;
	ev_tstamp best_ready = 0, started = timeline_of(s).starting;
	const size_t *lists[2] = { s->conf->dep_idx, s->conf->after_idx };
	size_t counts[2] = { s->conf->ndep, s->conf->nafter };

	if (started <= 0)
		return NULL;
	for (int l = 0; l < 2; l++)
		for (size_t i = 0; i < counts[l]; i++) {
			const struct service *d = sup->svcs[lists[l][i]];
			ev_tstamp r = timeline_of(d).ready;
			if (r <= 0 || r > started)
				continue;
			if (!best || r > best_ready) {
				best = d;
				best_ready = r;
			}
		}
	return best;
}

void timeline_free(void)
{
	for (size_t i = 0; i < ntimes; i++)
		free(times[i].name);
	free(times);
	times = NULL;
	ntimes = 0;
}
