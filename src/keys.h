/* The config keys: one table per section, one row per key.
 * A row says all there is about a key; the parser, the reload diff, the
 * defaults, the `--check` hints and the man-page test read the tables.
 *
 * A row: the key's name; its value type (parser, the fields it fills, how
 * a reload compares them); its field in struct config or struct svc_conf
 * (offsetof); its default, written as in the file and parsed like a value;
 * what a reload does when it changed; the hint printed after a bad value.
 * Adding a key is adding a row (and its entry in muster.ini(5): the docs
 * test fails without one).
 *
 * keys.c is pure but for allocation: it reads no file and keeps no state
 * except the count of failed allocations (keys_oom_count()).
 */
#ifndef MUSTER_KEYS_H
#define MUSTER_KEYS_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

/* What a reload does when the key's value changed. */
enum key_reload {
	RELOAD_RESTART,         /* [service NAME]: the service is restarted */
	RELOAD_LIVE,            /* applies at once, nothing restarted */
	RELOAD_DAEMON,          /* [muster]: applies when muster starts again */
};

/* A field a value type fills, for the reload comparison and for freeing. */
enum key_field {
	F_NONE,                 /* no field, or one nobody compares (a line number) */
	F_TEXT,                 /* char *, as written: freed, not compared (another
				   field holds what it means, e.g. command's argv) */
	F_STR,                  /* char * */
	F_STRV,                 /* char **, NULL-terminated */
	F_BOOL,
	F_INT,                  /* int, or an enum */
	F_DOUBLE,
	F_U64,
	F_LIMIT,                /* struct svc_rlimit */
	F_EXITS,                /* struct exit_set */
};

struct key;

/* What a value parser is told besides the text. */
struct key_ctx {
	const char *file;       /* the config file: messages, relative paths */
	int line;               /* the key's line */
	const char *service;    /* the service's name; NULL in [muster] */
	struct errlist *errs;
};

struct key_type {
	/* Parse v into obj's fields: 0 when set; -1 when invalid (key_set()
	 * reports it with the row's hint); -2 when reported here, or when out
	 * of memory (counted, see keys_oom()). */
	int (*parse)(const struct key *k, void *obj, const char *v, struct key_ctx *c);
	enum key_field field, field2;  /* at the row's off and off2 */
	bool list;              /* a repeated key adds to the value */
	bool split;             /* the value is split into words or run by sh: a
				   ${VAR} in it is quoted to stay one word (layer.c) */
	const char *what;       /* set: a bad value reads "WHAT 'V' for 'KEY' (HINT)",
				   else "invalid KEY 'V' in SECTION (HINT)" */
	const char *hint;       /* for rows without a hint of their own */
	const char *const *words; /* enums: the values, in the enum's order */
	long min, max;          /* integers: the range */
	int unset;              /* integers: the value when nothing sets it */
};

struct key {
	const char *name;
	const struct key_type *type;
	size_t off;             /* the field */
	size_t off2;            /* the type's second field, if it has one */
	const char *def;        /* the default as in the file; NULL: none (0, NULL
				   or the type's unset value) */
	enum key_reload reload;
	const char *hint;       /* shown after a bad value, in brackets */
};

struct key_table {
	const char *section;    /* "[muster]", "[service NAME]" */
	const struct key *rows;
	size_t n;
};

extern const struct key_table keys_muster, keys_service;

/* The row called name, or NULL. */
const struct key *keys_find(const struct key_table *t, const char *name);

/* Set the key's field(s) in obj from the value v; a bad value is reported
 * in c->errs at c->line.  0 when set, -1 otherwise. */
int key_set(const struct key *k, void *obj, const char *v, struct key_ctx *c);

/* true when the key's fields are the same in a and b (see enum key_field). */
bool key_equal(const struct key *k, const void *a, const void *b);

/* Copy the key's fields from src into dst (what dst held is freed):
 * 0, or -1 when out of memory (dst then keeps its value). */
int key_copy(const struct key *k, void *dst, const void *src);

/* Every row's default into obj (zeroed first by the caller).  A default is
 * never a string or a list: obj owns no memory afterwards, and may be
 * copied as a template. */
void keys_defaults(const struct key_table *t, void *obj, struct key_ctx *c);

/* Free every field the rows fill in obj. */
void keys_free(const struct key_table *t, void *obj);

/* A service name: 1 to KEYS_MAX_NAME letters, digits and - _ . @ */
#define KEYS_MAX_NAME 64
bool keys_name_valid(const char *s);

/* Where a message says a key is: "[muster]" for service NULL, else
 * "[service NAME]", in buf (KEYS_WHERE_MAX bytes). */
#define KEYS_WHERE_MAX (KEYS_MAX_NAME + 12)
const char *keys_where(const char *service, char *buf);

/* Add one KEY=VALUE to s->env, replacing an earlier value of KEY: 0, or
 * -1 when kv is not KEY=VALUE.  Out of memory is counted, not returned
 * (the env-file reader has no way to report it). */
int env_add(struct svc_conf *s, const char *kv);

/* Allocation while a config is loaded.  A failure returns NULL and is
 * counted, so that config_load() fails with "out of memory" wherever it
 * happened, even in a function with no error to return.  keys_oom()
 * counts a failure seen elsewhere (libc, parse.c, graph.c). */
char *keys_strdup(const char *s);
void *keys_realloc(void *p, size_t n);
void keys_oom(void);
unsigned long keys_oom_count(void);

#endif
