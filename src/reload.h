/* The config file in the running daemon: read at the start or for --check,
 * read again on reload (SIGHUP, musterctl reload) and applied.
 *
 * What a reload changes in the services is sup_reload()'s (service.c);
 * this side reads the file, refuses what cannot be done now, tells systemd,
 * and applies what lies beyond the services: the log level, the output, the
 * notify socket.
 */
#ifndef MUSTER_RELOAD_H
#define MUSTER_RELOAD_H

#include <ev.h>
#include <stdbool.h>

#include "config.h"
#include "service.h"

#define EX_CONFIG_ 78   /* the exit status for a configuration error */

/* The config to start with: file's errors go to stderr, each as
 * FILE:LINE, then their count; NULL when it has any. */
struct config *reload_load(const char *file);

/* --check: validate file, print the files it was read from (when they are
 * more than file) and the start plan (the services of each level); 0, or
 * EX_CONFIG_ with the errors on stderr. */
int reload_check(const char *file);

/* --show-config: validate file, print the merged config (layer_print());
 * 0, or EX_CONFIG_ with the errors on stderr. */
int reload_show(const char *file);

/* What a reload re-reads (file NULL: there is no config to reload) and the
 * -v/-q count that shifts the file's log-level. */
void reload_init(struct ev_loop *loop, struct supervisor *sup, const char *file, int verbosity);

/* Re-read the config file and apply it.  On success *report (malloc'd)
 * says what changed, one line per service; on failure it holds the
 * FILE:LINE errors or why the reload was refused, and -1 is returned. */
int reload_run(char **report);

/* Has cfg a type = notify service (which needs the notify socket)? */
bool reload_wants_notify(const struct config *cfg);

/* Open the notify socket, "<control socket>.notify": 0, or -1 with the
 * reason logged. */
int reload_open_notify(const struct config *cfg);

#endif
