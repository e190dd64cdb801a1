/* Environment vectors: env-files read for a service, and KEY=VALUE sets
 * merged in time linear in their size.
 *
 * muster reads a service's env-file as root (as systemd reads
 * EnvironmentFile=), at start and at every reload, inside the event loop:
 * the file is opened without blocking, must end at a regular file (it may
 * be reached through symbolic links), and is bounded in size, so that no
 * path can freeze or exhaust the daemon.  Out of memory is an error
 * reported like any other, never an exit.
 */
#ifndef MUSTER_ENVFILE_H
#define MUSTER_ENVFILE_H

#include <stddef.h>

struct errlist;

#define ENVFILE_MAX_SIZE (1024 * 1024) /* bytes in one env-file */
#define ENVFILE_MAX_LINE (64 * 1024)   /* bytes in one line, without its newline */

/* Read the KEY=VALUE lines of the env-file path into *env, a NULL-terminated
 * vector of malloc'd strings (or NULL; freed with words_free).  The file
 * comes first: a key it repeats takes its last value, in the place of its
 * first; then the entries *env held before override the file's (as `env =`
 * overrides env-file), and the new ones go last.
 *
 * Blank lines and lines starting with '#' are skipped, "export " before a
 * key is allowed, and a value wholly in '...' or "..." loses the quotes.
 *
 * Problems go to errs: about the file as a whole (cannot open it, not a
 * regular file, too large, out of memory) at cfgfile:line, the line of the
 * env-file key of the service; about one line at path:N.  Returns 0, or -1
 * when it added an error; after a problem with the file as a whole *env is
 * as it was. */
int envfile_load(const char *path, char ***env, struct errlist *errs, const char *cfgfile,
		 int line, const char *service);

/* KEY=VALUE strings (not copied) keyed by KEY, in the order their keys came
 * first: a merge of environments with duplicates found by a hash table.
 * Start from { 0 }. */
struct envmap {
	char **v;               /* NULL-terminated once allocated */
	size_t n, cap;          /* entries; room in v, the NULL included */
	size_t *slots;          /* 0: empty, else an index into v plus 1 */
	size_t nslots;          /* a power of two, at least twice n */
};

/* Room for n entries in all: envmap_put() of that many cannot fail.  0, or
 * -1 when out of memory (m unchanged). */
int envmap_reserve(struct envmap *m, size_t n);

/* kv replaces the entry with the same KEY (the text before the first '=',
 * or all of kv without one) in its place, or goes last.  *old, when old is
 * not NULL, gets the string replaced (or NULL).  0, or -1 when out of
 * memory (m unchanged). */
int envmap_put(struct envmap *m, char *kv, char **old);

/* Free the vector and the table, not the strings. */
void envmap_free(struct envmap *m);

/* For the unit tests: every allocation here goes through this hook
 * (default: realloc; realloc(p, 0) is never asked for), and the slots of
 * the hash table looked at so far are counted. */
extern void *(*envfile_realloc)(void *p, size_t n);
extern unsigned long envfile_probes;

#endif
