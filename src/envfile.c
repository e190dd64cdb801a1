/* Environment vectors: env-files and KEY=VALUE merges (see envfile.h).
 *
 * An env-file is looked at with stat() first, so that a device is never
 * opened (opening some has effects of its own), then opened with
 * O_NONBLOCK (a FIFO opens at once instead of waiting for a writer) and
 * checked again with fstat() on what was opened.  It is read whole, at most
 * ENVFILE_MAX_SIZE bytes, into one buffer and parsed there; keys are
 * matched through a hash table, so loading is linear in the file's size.
 */
#include "envfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "parse.h"

#define MAX_LINE_ERRORS 20 /* per file; the rest are counted in one line */

void *(*envfile_realloc)(void *p, size_t n) = realloc;
unsigned long envfile_probes;

static void *alloc(void *p, size_t n)
{
	return envfile_realloc(p, n ? n : 1);
}

/* ---- the hash table ---------------------------------------------------- */

/* The bytes compared for kv's key: the name and the '=' (or the NUL) after
 * it, so that "A" and "A=1" are not the same key. */
static size_t key_len(const char *kv)
{
	return strcspn(kv, "=") + 1;
}

/* FNV-1a over the name */
static size_t key_hash(const char *kv, size_t klen)
{
	uint64_t h = 14695981039346656037ull;
	for (size_t i = 0; i + 1 < klen; i++) {
		h ^= (unsigned char)kv[i];
		h *= 1099511628211ull;
	}
	return (size_t)(h ^ (h >> 32));
}

/* The slot holding kv's key, or the empty slot where it would go. */
static size_t *find_slot(size_t *slots, size_t nslots, char *const *v, const char *kv,
			 size_t klen)
{
	size_t mask = nslots - 1;
	for (size_t i = key_hash(kv, klen) & mask;; i = (i + 1) & mask) {
		envfile_probes++;
		if (!slots[i] || !strncmp(v[slots[i] - 1], kv, klen))
			return &slots[i];
	}
}

int envmap_reserve(struct envmap *m, size_t n)
{
	if (n > SIZE_MAX / 4 / sizeof *m->slots)
		return -1;
	if (n + 1 > m->cap) {
		size_t cap = m->cap * 2 > n + 1 ? m->cap * 2 : n + 1;
		char **v = alloc(m->v, cap * sizeof *v);
		if (!v)
			return -1;
		v[m->n] = NULL;
		m->v = v;
		m->cap = cap;
	}
	if (2 * n <= m->nslots)
		return 0;
	size_t nslots = m->nslots ? m->nslots : 16;
	while (nslots < 2 * n)
		nslots *= 2;
	size_t *slots = alloc(NULL, nslots * sizeof *slots);
	if (!slots)
		return -1;
	memset(slots, 0, nslots * sizeof *slots);
	for (size_t i = 0; i < m->n; i++)
		*find_slot(slots, nslots, m->v, m->v[i], key_len(m->v[i])) = i + 1;
	free(m->slots);
	m->slots = slots;
	m->nslots = nslots;
	return 0;
}

int envmap_put(struct envmap *m, char *kv, char **old)
{
	size_t klen = key_len(kv);

	if (envmap_reserve(m, m->n + 1))
		return -1;
	size_t *slot = find_slot(m->slots, m->nslots, m->v, kv, klen);
	if (old)
		*old = *slot ? m->v[*slot - 1] : NULL;
	if (*slot) {
		m->v[*slot - 1] = kv;
		return 0;
	}
	*slot = m->n + 1;
	m->v[m->n++] = kv;
	m->v[m->n] = NULL;
	return 0;
}

void envmap_free(struct envmap *m)
{
	free(m->v);
	free(m->slots);
	memset(m, 0, sizeof *m);
}

/* ---- reading the file -------------------------------------------------- */

/* Where problems with the file as a whole are reported. */
struct where {
	const char *path, *cfgfile, *service;
	int line;
	struct errlist *errs;
};

static void cannot_open(const struct where *w, int e)
{
	errlist_add(w->errs, w->cfgfile, w->line, "env-file '%s' of service '%s': %s", w->path,
		    w->service, strerror(e));
}

static void not_regular(const struct where *w)
{
	errlist_add(w->errs, w->cfgfile, w->line, "%s: not a regular file", w->path);
}

static void too_large(const struct where *w)
{
	errlist_add(w->errs, w->cfgfile, w->line, "%s: larger than 1 MiB", w->path);
}

static void out_of_memory(const struct where *w)
{
	errlist_add(w->errs, w->cfgfile, w->line, "%s: out of memory", w->path);
}

/* The whole file into *buf (NUL-terminated, *len bytes before the NUL).
 * 0, or -1 with the problem reported. */
static int read_whole(const struct where *w, char **buf, size_t *len)
{
	struct stat st;

	/* not even opened when it is plainly not a regular file */
	if (stat(w->path, &st) == 0 && !S_ISREG(st.st_mode)) {
		not_regular(w);
		return -1;
	}
	int fd = open(w->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		cannot_open(w, errno);
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		cannot_open(w, errno);
		close(fd);
		return -1;
	}
	/* what was opened, which may have been swapped in since the stat */
	if (!S_ISREG(st.st_mode)) {
		not_regular(w);
		close(fd);
		return -1;
	}
	if (st.st_size > ENVFILE_MAX_SIZE) {
		too_large(w);
		close(fd);
		return -1;
	}
	/* room for the size seen, and one byte more to find a file that grew
	 * past the limit since */
	size_t cap = (size_t)st.st_size + 2, n = 0;
	if (cap < 4096)
		cap = 4096;
	if (cap > ENVFILE_MAX_SIZE + 2)
		cap = ENVFILE_MAX_SIZE + 2;
	char *b = alloc(NULL, cap);
	if (!b) {
		out_of_memory(w);
		close(fd);
		return -1;
	}
	for (;;) {
		if (n + 1 == cap) {
			size_t ncap = cap * 2 < ENVFILE_MAX_SIZE + 2 ? cap * 2 : ENVFILE_MAX_SIZE + 2;
			char *nb = alloc(b, ncap);
			if (!nb) {
				out_of_memory(w);
				goto fail;
			}
			b = nb;
			cap = ncap;
		}
		ssize_t r = read(fd, b + n, cap - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			errlist_add(w->errs, w->cfgfile, w->line, "env-file '%s': %s", w->path,
				    strerror(errno));
			goto fail;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > ENVFILE_MAX_SIZE) {
			too_large(w);
			goto fail;
		}
	}
	close(fd);
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
fail:
	free(b);
	close(fd);
	return -1;
}

/* ---- parsing ------------------------------------------------------------- */

/* Line errors: the first MAX_LINE_ERRORS, then how many more. */
struct bad_lines {
	int count, first_hidden;
};

/* Count a bad line: true when it is to be reported. */
static bool report_bad_line(struct bad_lines *b, int lineno)
{
	if (++b->count <= MAX_LINE_ERRORS)
		return true;
	if (!b->first_hidden)
		b->first_hidden = lineno;
	return false;
}

/* One line, NUL-terminated in place: NULL when it holds no setting, else
 * the KEY=VALUE text (its quotes removed) with *eq at its '=' (NULL: none). */
static char *parse_line(char *p, char **eq)
{
	p[strcspn(p, "\r")] = '\0';
	p = str_trim(p);
	if (!*p || *p == '#')
		return NULL;
	if (!strncmp(p, "export ", 7))
		p = str_trim(p + 7);
	*eq = strchr(p, '=');
	if (*eq) {
		char *val = *eq + 1;
		size_t vl = strlen(val);
		if (vl >= 2 && (val[0] == '"' || val[0] == '\'') && val[vl - 1] == val[0]) {
			memmove(val, val + 1, vl - 2);
			val[vl - 2] = '\0';
		}
	}
	return p;
}

static char *dup_string(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = alloc(NULL, n);
	if (d)
		memcpy(d, s, n);
	return d;
}

int envfile_load(const char *path, char ***env, struct errlist *errs, const char *cfgfile,
		 int line, const char *service)
{
	const struct where w = { path, cfgfile, service, line, errs };
	struct bad_lines bad = { 0, 0 };
	struct envmap m = { 0 };
	char *buf, *kv = NULL, *old;
	size_t len;

	if (read_whole(&w, &buf, &len))
		return -1;
	int lineno = 0;
	for (char *p = buf, *end = buf + len, *next; p < end; p = next) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		char *eol = nl ? nl : end;
		next = nl ? nl + 1 : end;
		*eol = '\0';
		lineno++;
		if (eol - p > ENVFILE_MAX_LINE) {
			if (report_bad_line(&bad, lineno))
				errlist_add(errs, path, lineno, "line longer than 64 KiB");
			continue;
		}
		char *eq, *s = parse_line(p, &eq);
		if (!s)
			continue;
		if (!eq || !env_name_valid(s, (size_t)(eq - s))) {
			if (report_bad_line(&bad, lineno))
				errlist_add(errs, path, lineno, "expected KEY=VALUE, got '%.40s'", s);
			continue;
		}
		if (!(kv = dup_string(s)) || envmap_put(&m, kv, &old))
			goto oom;
		free(old);
		kv = NULL;
	}
	if (bad.first_hidden)
		errlist_add(errs, path, bad.first_hidden, "%d more bad lines from here on, not shown",
			    bad.count - MAX_LINE_ERRORS);

	/* then what *env held, over the file's: room first, so that no string
	 * changes hands before the last allocation has succeeded */
	size_t more = 0;
	while (*env && (*env)[more])
		more++;
	if (envmap_reserve(&m, m.n + more))
		goto oom;
	for (size_t i = 0; i < more; i++) {
		envmap_put(&m, (*env)[i], &old);
		free(old);
	}
	free(*env);
	*env = m.n ? m.v : NULL;
	if (!m.n)
		free(m.v);
	free(m.slots);
	free(buf);
	return bad.count ? -1 : 0;
oom:
	free(kv);
	for (size_t i = 0; i < m.n; i++)
		free(m.v[i]);
	envmap_free(&m);
	free(buf);
	out_of_memory(&w);
	return -1;
}
