/* Layered config: the files a config is made of -> one merged set of
 * sections, values expanded, instances made; what the key tables read.
 *
 * Config loading goes in stages, each of its own:
 *   1. files: config.c's reader turns one file into sections of settings
 *      (key, value, FILE:LINE); layer.c reads the main file, then the
 *      files each `include` of its [muster] names, in order, each after
 *      the file that includes it (depth first, globs in byte order);
 *   2. merged sections: one [muster] (a key of a later file replaces an
 *      earlier file's), the [service NAME] sections in the order read
 *      (a name defined twice is an error naming both places), and each
 *      [override NAME] applied to its service in the order read;
 *   3. instances: a service with `instances = N` (N > 1) becomes N
 *      services NAME@1 ... NAME@N; then the overrides of single instances
 *      ([override NAME@2]) are applied;
 *   4. expanded values: ${VAR}, ${VAR:-default} and $$ in every value,
 *      ${INSTANCE} being the service's instance number.
 * config.c then sets the key tables' fields from the merged sections, and
 * validates.  Nothing after config.c knows that a config had several
 * files: the reload diff compares merged results.
 *
 * Every error is "FILE:LINE: message" of the file and line it is about.
 * Pure but for reading: stat() and glob() here, the reader's fopen().
 */
#ifndef MUSTER_LAYER_H
#define MUSTER_LAYER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "config.h"

/* key = value as written, and where. */
struct setting {
	char *key;
	char *value;
	const char *file;       /* one of struct layer's files */
	int line;
	bool expanded;          /* value is expanded already (include, instances) */
	bool bad;               /* its error is reported: the key counts as set,
				   its value is not applied */
};

enum section_kind { SECTION_MUSTER, SECTION_SERVICE, SECTION_OVERRIDE };

struct section {
	enum section_kind kind;
	char *name;             /* the service's; NULL for [muster] */
	const char *file;
	int line;               /* of the header (0: [muster] of no header) */
	struct setting *set;
	size_t n, cap;
	char *base;             /* an instance: the name it was made from; else NULL */
	int instance;           /* its number (${INSTANCE}); 1 for a service of one */
};

struct sections {
	struct section *v;
	size_t n, cap;
};

/* Read one file into out (appending sections; their file is the file
 * argument as given).  0, with the file's own errors in errs; -1 with
 * errno when it cannot be opened or read at all (nothing reported: the
 * caller says who wanted the file). */
typedef int layer_read_fn(const char *file, struct sections *out, struct errlist *errs);

struct layer {
	char **files;           /* every file read, in the order read */
	size_t nfiles;
	struct section muster;  /* the merged [muster] */
	struct sections services; /* the merged services, instances made */
};

/* Read file and what it includes, merge, make instances, expand.  0, or -1
 * with every error in errs (the layer is still filled as far as it went,
 * and must be freed either way). */
int layer_load(struct layer *ly, const char *file, layer_read_fn *read, struct errlist *errs);
void layer_free(struct layer *ly);

/* Section building, for the reader: a new section (NULL when out of
 * memory, counted), a setting appended to it (-1 when out of memory). */
struct section *layer_section_add(struct sections *ss, enum section_kind kind, const char *name,
				  const char *file, int line);
int layer_setting_add(struct section *s, const char *key, const char *value, const char *file,
		      int line);
void layer_sections_free(struct sections *ss);

/* The merged config as the key tables read it: each section, each value
 * expanded, with "; FILE:LINE" of where it was set. */
void layer_print(const struct layer *ly, FILE *out);

/* The files pattern names, relative to dir (NULL: as written): a pattern
 * with * ? or [ is a glob (its regular files, in byte order; none is
 * fine); another names one file.  0 with a malloc'd NULL-terminated
 * *files; -1 when out of memory. */
int layer_glob(const char *pattern, const char *dir, char ***files);

/* Expand ${VAR}, ${VAR:-default} and $$ in v, VAR from the environment but
 * INSTANCE (when instance is not NULL).  A '$' followed by anything else,
 * and a ${...} of another form (${1}, ${X-y}, ${#X}), is kept as written,
 * for a shell (`sh -c 'echo $1'` stays as it was).  quote: v is
 * split into words (or run by sh), so each expansion is inserted quoted,
 * to stay one word whatever it holds.  The malloc'd result, or NULL with
 * the reason in err (out of memory: "out of memory"). */
char *layer_expand(const char *v, bool quote, const char *instance, char *err, size_t errlen);

/* NAME@N for an instance, in buf (KEYS_MAX_NAME + 1 bytes): 0, or -1 when
 * it would be longer than a service name may be. */
int layer_instance_name(const char *base, int n, char *buf, size_t len);

#endif
