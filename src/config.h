/* The config file: inih -> struct config, with every validation.
 *
 * config_load() reads one file and reports every error it finds (not just
 * the first) as "FILE:LINE: message" entries of a struct errlist.  It makes
 * no system call but reading the file (and the env-files it names), so the
 * daemon, `muster --check`, reload and the unit tests share it as is.  Out
 * of memory is one more error: it never exits.  The keys themselves are the
 * tables of keys.h.
 */
#ifndef MUSTER_CONFIG_H
#define MUSTER_CONFIG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "graph.h"
#include "parse.h"

enum svc_type { TYPE_SIMPLE, TYPE_NOTIFY, TYPE_ONESHOT };
enum restart_policy { RESTART_NO, RESTART_ON_FAILURE, RESTART_ALWAYS };
enum notify_access { NOTIFY_MAIN, NOTIFY_ALL };
enum log_level { LOG_ERROR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
enum on_unhealthy { UNHEALTHY_RESTART, UNHEALTHY_STOP, UNHEALTHY_IGNORE };
enum cgroups_mode { CGROUPS_AUTO, CGROUPS_YES, CGROUPS_NO };

/* ---- containment and limits: the limit-* keys, in proc.c's order ---- */
enum svc_limit {
	LIM_NOFILE, LIM_NPROC, LIM_CORE, LIM_MEMLOCK, LIM_STACK, LIM_AS, LIM_FSIZE, LIM_CPU,
	SVC_NLIMITS
};
#define SVC_LIMIT_INFINITY UINT64_MAX
struct svc_rlimit {
	bool set;               /* false: inherited from muster */
	uint64_t soft, hard;    /* SVC_LIMIT_INFINITY: infinity */
};
#define SVC_NICE_UNSET 100      /* nice: inherited */
#define SVC_OOM_UNSET 10000     /* oom-score-adjust: inherited */

struct svc_conf {
	char *name;
	int line;               /* line of the [service NAME] header */

	char *command;          /* as written */
	char **argv;            /* split (or sh -c command when shell) */
	bool shell;
	enum svc_type type;
	enum notify_access notify_access;
	int ready_fd;           /* -1: none */
	char *ready_tcp_host;   /* NULL: none */
	char *ready_tcp_port;
	char *ready_check;      /* as written */
	char **ready_check_argv; /* split like command, run directly */
	char *ready_http;       /* http://HOST[:PORT][/PATH] (http.h checked it) */
	char *ready_log;        /* a POSIX extended regex (checked by regcomp) */
	double ready_interval;
	double ready_timeout;

	/* health after ready */
	char *health_check;     /* as written */
	char **health_check_argv; /* split like command, run directly */
	char *health_http;
	char *health_tcp_host;  /* NULL: none */
	char *health_tcp_port;
	double health_interval;
	double health_timeout;
	int health_retries;
	double health_start_period;
	enum on_unhealthy on_unhealthy;
	double watchdog;        /* 0: none */

	char **depends;         /* names, NULL-terminated */
	char **after;
	int depends_line, after_line;
	size_t *dep_idx, ndep;  /* resolved: indices into config.services */
	size_t *after_idx, nafter;

	enum restart_policy restart;
	double restart_delay;
	double restart_delay_max; /* default: the longer of 30s and restart_delay */
	int start_limit_burst;  /* 0: no limit */
	double start_limit_interval;
	bool critical;
	int stop_signal;
	double stop_timeout;

	char **env;             /* KEY=VALUE, NULL-terminated: env-file, then env */
	char *env_file;
	char *directory;
	char *user, *group;
	int umask;              /* -1: inherit */
	char *log_file;

	/* containment and limits (proc.c before exec, cgroup.c) */
	struct svc_rlimit limits[SVC_NLIMITS];
	int nice;               /* SVC_NICE_UNSET: inherited */
	int oom_score_adjust;   /* SVC_OOM_UNSET: inherited */
	bool no_new_privileges;
	uint64_t memory_max;    /* 0: none */
	uint64_t pids_max;      /* 0: none */
	int cpu_weight;         /* 0: none */
	/* hooks and exit statuses: each hook split into words, NULL: none */
	char **pre_start, **post_start, **stop_command, **post_stop;
	struct exit_set success_exit;
	int reload_signal;      /* 0: none */
	bool enabled;

	/* layered config (layer.c) */
	int instances;          /* the `instances` key: N */
	char *base;             /* one of N instances: the name they share; else NULL */
	int instance;           /* its number, 1 to N (1 for a service of one) */
};

struct config {
	char *file;
	char **files;           /* every file read (file first), NULL-terminated */
	double graceful_timeout;
	char *control_socket;   /* NULL: the default */
	bool log_prefix;
	bool log_timestamps;
	enum log_level log_level;
	bool log_level_set;
	uint64_t log_max_size;
	int log_max_files;
	enum cgroups_mode cgroups;

	struct svc_conf *services;
	size_t nservices;
	size_t *by_name;        /* config_find()'s hash table: index + 1, 0: free */
	size_t by_name_cap;     /* a power of two, or 0: no table */
	struct graph graph;     /* edges: service -> what it waits for */
	int *levels;
	int nlevels;
};

struct errlist {
	char **msgs;            /* "FILE:LINE: message" */
	int *lines;             /* the LINE of each (0: none) */
	size_t n, cap;
};

void errlist_add(struct errlist *e, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void errlist_vadd(struct errlist *e, const char *file, int line, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));
void errlist_free(struct errlist *e);

/* Load and validate FILE.  Returns the config, or NULL with every problem in
 * errs (at least one entry, unless even that could not be allocated); out
 * of memory is the one entry "FILE: out of memory". */
struct config *config_load(const char *file, struct errlist *errs);

/* The same, with the merged sections it was made of kept in *layers (to be
 * freed with layer_free(), whatever the result), for `--show-config`. */
struct layer;
struct config *config_load_layer(const char *file, struct errlist *errs, struct layer *layers);
void config_free(struct config *c);

/* An empty config (no file): defaults only, used by `muster -- CMD`. */
struct config *config_empty(void);

/* Index of the service called name, or -1. */
long config_find(const struct config *c, const char *name);

/* The instances NAME@1 ... NAME@N of name (`instances = N`): the index of
 * the first, with *n = N, or -1 when name has none. */
long config_instances(const struct config *c, const char *name, size_t *n);

/* The reload diff: true when a and b name the same service and no key whose
 * change restarts it differs (keys.h: each row's reload rule). */
bool svc_conf_equal(const struct svc_conf *a, const struct svc_conf *b);

#endif
