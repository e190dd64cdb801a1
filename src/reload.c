/* The config file in the running daemon: read at the start or for --check,
 * read again on reload (SIGHUP, musterctl reload) and applied.
 */
#include "reload.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "control.h"
#include "layer.h"
#include "log.h"
#include "notify.h"
#include "output.h"

static struct ev_loop *loop;
static struct supervisor *sup;
static const char *config_file;     /* NULL: none */
static int verbosity;               /* -v minus -q */

static struct config *load(const char *file, bool check, struct layer *ly)
{
	struct errlist errs = { 0 };
	struct config *cfg = ly ? config_load_layer(file, &errs, ly) : config_load(file, &errs);
	for (size_t i = 0; i < errs.n; i++)
		fprintf(stderr, "%s\n", errs.msgs[i]);
	if (!cfg)
		fprintf(stderr, "muster: %s: %zu error%s%s\n", file, errs.n, errs.n == 1 ? "" : "s",
			check ? "" : "; nothing started");
	errlist_free(&errs);
	return cfg;
}

struct config *reload_load(const char *file)
{
	return load(file, false, NULL);
}

int reload_check(const char *file)
{
	struct config *cfg = load(file, true, NULL);
	if (!cfg)
		return EX_CONFIG_;
	/* the files read, when there is more than the one named */
	bool several = cfg->files && cfg->files[0] && cfg->files[1];
	for (char **f = cfg->files; several && *f; f++)
		printf("file: %s\n", *f);
	for (int lv = 0; lv < cfg->nlevels; lv++) {
		printf("level %d:", lv);
		for (size_t i = 0; i < cfg->nservices; i++)
			if (cfg->levels[i] == lv)
				printf(" %s", cfg->services[i].name);
		putchar('\n');
	}
	config_free(cfg);
	return 0;
}

int reload_show(const char *file)
{
	struct layer ly;
	struct config *cfg = load(file, true, &ly);
	int r = cfg ? 0 : EX_CONFIG_;
	if (cfg)
		layer_print(&ly, stdout);
	layer_free(&ly);
	config_free(cfg);
	return r;
}

void reload_init(struct ev_loop *l, struct supervisor *s, const char *file, int v)
{
	loop = l;
	sup = s;
	config_file = file;
	verbosity = v;
}

int reload_run(char **report)
{
	struct errlist errs = { 0 };
	char err[160];
	size_t len = 0;

	*report = NULL;
	if (!config_file) {
		*report = strdup("there is no config file to reload\n");
		return -1;
	}
	if (sup->shutting_down || sup->pending) {
		*report = strdup(sup->shutting_down ? "reload refused: shutting down\n"
						    : "reload refused: a reload is in progress\n");
		return -1;
	}
	struct config *ncfg = config_load(config_file, &errs);
	if (!ncfg) {
		log_error("reload: %s has %zu error%s; nothing changed", config_file, errs.n,
			  errs.n == 1 ? "" : "s");
		for (size_t i = 0; i < errs.n; i++) {
			log_error("%s", errs.msgs[i]);
			size_t n = strlen(errs.msgs[i]);
			char *p = realloc(*report, len + n + 2);
			if (!p)
				break;
			memcpy(p + len, errs.msgs[i], n);
			p[len + n] = '\n';
			p[len + n + 1] = '\0';
			len += n + 1;
			*report = p;
		}
		errlist_free(&errs);
		return -1;
	}
	errlist_free(&errs);
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	notify_manager("RELOADING=1\nMONOTONIC_USEC=%llu",
		       (unsigned long long)ts.tv_sec * 1000000ull + (unsigned long long)ts.tv_nsec / 1000);
	int lv = (ncfg->log_level_set ? (int)ncfg->log_level : LOG_INFO) + verbosity;
	if (reload_wants_notify(ncfg) && !notify_socket_path() && reload_open_notify(ncfg) < 0)
		log_error("reload: no notify socket: type = notify services cannot report");
	if (sup_reload(sup, ncfg, report, err, sizeof err) < 0) {
		log_error("reload refused: %s", err);
		free(*report);
		if (asprintf(report, "reload refused: %s\n", err) < 0)
			*report = NULL;
		notify_manager("READY=1");
		return -1;
	}
	log_threshold = lv < LOG_ERROR ? LOG_ERROR : lv > LOG_DEBUG ? LOG_DEBUG : (enum log_level)lv;
	output_configure(sup->cfg);
	for (char *line = *report, *nl; line && *line; line = nl + 1) {
		nl = strchrnul(line, '\n');
		log_info("reload: %.*s", (int)(nl - line), line);
		if (!*nl)
			break;
	}
	notify_manager("READY=1\nSTATUS=running: %zu services", sup->n);
	return 0;
}

bool reload_wants_notify(const struct config *cfg)
{
	for (size_t i = 0; i < cfg->nservices; i++)
		if (cfg->services[i].type == TYPE_NOTIFY || cfg->services[i].watchdog > 0)
			return true;
	return false;
}

/* Services of type = notify (and those with a watchdog) report to
 * "<control socket>.notify". */
int reload_open_notify(const struct config *cfg)
{
	char *ctl = control_socket_path(cfg->control_socket), *path = NULL;
	if (!ctl || asprintf(&path, "%s.notify", ctl) < 0) {
		free(ctl);
		log_error("out of memory");
		return -1;
	}
	int r = notify_init(loop, sup, path);
	free(ctl);
	free(path);
	return r;
}
