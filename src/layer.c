/* Layered config: include, [override NAME], instances and ${VAR}: the files
 * of a config -> one merged set of sections for the key tables.  See
 * layer.h for the stages.
 *
 * Allocation goes through keys.h (a failure is counted, and the load ends
 * with "out of memory"), so that nothing here has an error path of its
 * own for it.
 */
#include "layer.h"

#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "keys.h"
#include "parse.h"

/* ---- sections, as the reader builds them ------------------------------ */

struct section *layer_section_add(struct sections *ss, enum section_kind kind, const char *name,
				  const char *file, int line)
{
	if (ss->n == ss->cap) {
		size_t ncap = ss->cap ? ss->cap * 2 : 8;
		struct section *v = keys_realloc(ss->v, ncap * sizeof *v);
		if (!v)
			return NULL;
		ss->v = v;
		ss->cap = ncap;
	}
	struct section *s = &ss->v[ss->n];
	memset(s, 0, sizeof *s);
	s->kind = kind;
	s->file = file;
	s->line = line;
	s->instance = 1;
	if (name && !(s->name = keys_strdup(name)))
		return NULL;
	ss->n++;
	return s;
}

static struct setting *setting_push(struct section *s)
{
	if (s->n == s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 8;
		struct setting *v = keys_realloc(s->set, ncap * sizeof *v);
		if (!v)
			return NULL;
		s->set = v;
		s->cap = ncap;
	}
	struct setting *t = &s->set[s->n++];
	memset(t, 0, sizeof *t);
	return t;
}

int layer_setting_add(struct section *s, const char *key, const char *value, const char *file,
		      int line)
{
	char *k = keys_strdup(key), *v = keys_strdup(value);
	struct setting *t = k && v ? setting_push(s) : NULL;
	if (!t) {
		free(k);
		free(v);
		return -1;
	}
	t->key = k;
	t->value = v;
	t->file = file;
	t->line = line;
	return 0;
}

/* Move setting t (which then owns nothing) to the end of s. */
static void setting_move(struct section *s, struct setting *t)
{
	struct setting *d = setting_push(s);
	if (d)
		*d = *t;
	else {
		free(t->key);
		free(t->value);
	}
	t->key = t->value = NULL;
}

static void setting_free(struct setting *t)
{
	free(t->key);
	free(t->value);
	t->key = t->value = NULL;
}

static void section_free(struct section *s)
{
	for (size_t i = 0; i < s->n; i++)
		setting_free(&s->set[i]);
	free(s->set);
	free(s->name);
	free(s->base);
	memset(s, 0, sizeof *s);
}

void layer_sections_free(struct sections *ss)
{
	for (size_t i = 0; i < ss->n; i++)
		section_free(&ss->v[i]);
	free(ss->v);
	memset(ss, 0, sizeof *ss);
}

void layer_free(struct layer *ly)
{
	for (size_t i = 0; i < ly->nfiles; i++)
		free(ly->files[i]);
	free(ly->files);
	section_free(&ly->muster);
	layer_sections_free(&ly->services);
	memset(ly, 0, sizeof *ly);
}

/* Remove the settings of s called key (from first on). */
static void remove_key(struct section *s, const char *key, size_t first)
{
	size_t j = first;
	for (size_t i = first; i < s->n; i++) {
		if (!strcmp(s->set[i].key, key))
			setting_free(&s->set[i]);
		else
			s->set[j++] = s->set[i];
	}
	s->n = j;
}

/* ---- a growing string ------------------------------------------------ */

struct buf {
	char *p;
	size_t n, cap;
	bool oom;
};

static void put(struct buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->n + n + 1 > b->cap) {
		size_t ncap = b->cap ? b->cap : 64;
		while (ncap < b->n + n + 1)
			ncap *= 2;
		char *p = realloc(b->p, ncap);
		if (!p) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = ncap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

static void putch(struct buf *b, char c)
{
	put(b, &c, 1);
}

/* ---- ${VAR} ---------------------------------------------------------- */

/* Where in a value split into words an expansion lands. */
enum quoting { Q_NONE, Q_SINGLE, Q_DOUBLE };

/* s inserted as one word of what split_words() (and sh) reads, in the
 * quoting it lands in: '...' outside quotes (a ' as '\''), the same
 * escape inside '...', a backslash before " \ $ ` inside "...". */
static void put_quoted(struct buf *b, const char *s, enum quoting q)
{
	if (q == Q_NONE)
		putch(b, '\'');
	for (; *s; s++) {
		if (q != Q_DOUBLE && *s == '\'')
			put(b, "'\\''", 4);
		else if (q == Q_DOUBLE && strchr("\"\\$`", *s)) {
			putch(b, '\\');
			putch(b, *s);
		} else
			putch(b, *s);
	}
	if (q == Q_NONE)
		putch(b, '\'');
}

#define MAX_NESTING 8   /* ${A:-${B:-${C}}} ... */

static int expand(struct buf *b, const char *v, size_t len, bool quote, const char *instance,
		  char *err, size_t errlen, int depth);

#define NOT_OURS ((size_t)-1)

/* The ${...} at v (v[0] == '$', v[1] == '{'), len bytes at most: its value
 * into b.  Returns the length it takes, 0 with err set, or NOT_OURS when
 * it is no ${VAR} or ${VAR:-DEFAULT} (kept as written, for a shell). */
static size_t expand_var(struct buf *b, const char *v, size_t len, bool quote, enum quoting q,
			 const char *instance, char *err, size_t errlen, int depth)
{
	size_t j = 2;
	if (j < len && (isalpha((unsigned char)v[j]) || v[j] == '_'))
		while (j < len && (isalnum((unsigned char)v[j]) || v[j] == '_'))
			j++;
	size_t nlen = j - 2;
	if (nlen && j == len) {
		snprintf(err, errlen, "unterminated '${%.*s' (no closing '}')",
			 (int)(nlen > 40 ? 40 : nlen), v + 2);
		return 0;
	}
	bool has_default = j + 1 < len && v[j] == ':' && v[j + 1] == '-';
	if (!nlen || (v[j] != '}' && !has_default))
		return NOT_OURS; /* ${1}, ${#X}, ${X-y}, ${X%.ini}: the shell's */
	char name[128];
	if (nlen >= sizeof name) {
		snprintf(err, errlen, "variable name too long in '${%.20s...'", v + 2);
		return 0;
	}
	memcpy(name, v + 2, nlen);
	name[nlen] = '\0';
	size_t end = j + 1, dstart = 0, dlen = 0;
	if (has_default) {
		/* the default ends at the '}' that closes this ${ */
		int open = 1;
		size_t k = j + 2;
		dstart = k;
		while (k < len && open) {
			if (v[k] == '$' && k + 1 < len && (v[k + 1] == '$' || v[k + 1] == '{')) {
				open += v[k + 1] == '{';
				k += 2;
				continue;
			}
			open -= v[k] == '}';
			k++;
		}
		if (open) {
			snprintf(err, errlen, "unterminated '${%s:-' (no closing '}')", name);
			return 0;
		}
		dlen = k - 1 - dstart;
		end = k;
	}
	const char *val = instance && !strcmp(name, "INSTANCE") ? instance : getenv(name);
	struct buf d = { 0 };
	if (has_default && (!val || !*val)) {
		if (depth >= MAX_NESTING) {
			snprintf(err, errlen, "defaults nested more than %d deep", MAX_NESTING);
			return 0;
		}
		if (expand(&d, v + dstart, dlen, false, instance, err, errlen, depth + 1) < 0) {
			free(d.p);
			return 0;
		}
		val = d.p ? d.p : "";
	} else if (!val) {
		snprintf(err, errlen, "${%s} is not set, and has no default (${%s:-DEFAULT} gives one)",
			 name, name);
		return 0;
	}
	if (d.oom)
		b->oom = true;
	else if (quote)
		put_quoted(b, val, q);
	else
		put(b, val, strlen(val));
	free(d.p);
	return end;
}

/* v[0..len) into b: 0, or -1 with err set. */
static int expand(struct buf *b, const char *v, size_t len, bool quote, const char *instance,
		  char *err, size_t errlen, int depth)
{
	enum quoting q = Q_NONE;
	for (size_t i = 0; i < len && !b->oom;) {
		char c = v[i];
		if (c == '$' && i + 1 < len && v[i + 1] == '$') {
			putch(b, '$');
			i += 2;
			continue;
		}
		if (c == '$' && i + 1 < len && v[i + 1] == '{') {
			size_t n = expand_var(b, v + i, len - i, quote, q, instance, err, errlen, depth);
			if (!n)
				return -1;
			if (n != NOT_OURS) {
				i += n;
				continue;
			}
			put(b, "${", 2);
			i += 2;
			continue;
		}
		/* the quoting, as split_words() reads it; a backslash-escaped
		 * character (a \$ too) is copied as it is */
		if (quote && c == '\\' && q != Q_SINGLE && i + 1 < len) {
			put(b, v + i, 2);
			i += 2;
			continue;
		}
		if (quote && c == '\'' && q != Q_DOUBLE)
			q = q == Q_SINGLE ? Q_NONE : Q_SINGLE;
		else if (quote && c == '"' && q != Q_SINGLE)
			q = q == Q_DOUBLE ? Q_NONE : Q_DOUBLE;
		putch(b, c);
		i++;
	}
	return 0;
}

char *layer_expand(const char *v, bool quote, const char *instance, char *err, size_t errlen)
{
	struct buf b = { 0 };
	if (expand(&b, v, strlen(v), quote, instance, err, errlen, 0) < 0) {
		free(b.p);
		return NULL;
	}
	if (b.oom || (!b.p && !(b.p = strdup("")))) {
		free(b.p);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	return b.p;
}

/* Expand t in place (a service's ${INSTANCE} is instance): 0, or -1 with
 * the error reported at its line and t marked bad. */
static int expand_setting(struct setting *t, const struct key_table *table, const char *instance,
			  struct errlist *errs)
{
	char err[200];
	if (t->expanded || t->bad)
		return t->bad ? -1 : 0;
	if (!strchr(t->value, '$')) {
		t->expanded = true; /* nothing to expand: as it is */
		return 0;
	}
	const struct key *k = keys_find(table, t->key);
	char *v = layer_expand(t->value, k && k->type->split, instance, err, sizeof err);
	if (!v) {
		if (!strcmp(err, "out of memory"))
			keys_oom();
		else
			errlist_add(errs, t->file, t->line, "'%s': %s", t->key, err);
		t->bad = true;
		return -1;
	}
	free(t->value);
	t->value = v;
	t->expanded = true;
	return 0;
}

/* ---- instances ------------------------------------------------------- */

int layer_instance_name(const char *base, int n, char *buf, size_t len)
{
	int r = snprintf(buf, len, "%s@%d", base, n);
	return r < 0 || (size_t)r >= len || r > KEYS_MAX_NAME ? -1 : 0;
}

/* ---- globs ----------------------------------------------------------- */

static int by_bytes(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int layer_glob(const char *pattern, const char *dir, char ***files)
{
	char *full = NULL;
	*files = NULL;
	if (dir && pattern[0] != '/') {
		if (asprintf(&full, "%s/%s", dir, pattern) < 0) {
			keys_oom();
			return -1;
		}
	} else if (!(full = keys_strdup(pattern))) {
		return -1;
	}
	if (!strpbrk(pattern, "*?[")) {
		char **v = keys_realloc(NULL, 2 * sizeof *v);
		if (!v) {
			free(full);
			return -1;
		}
		v[0] = full;
		v[1] = NULL;
		*files = v;
		return 0;
	}
	glob_t g;
	int r = glob(full, GLOB_NOSORT, NULL, &g);
	free(full);
	if (r == GLOB_NOSPACE) {
		keys_oom();
		return -1;
	}
	size_t n = r == 0 ? g.gl_pathc : 0, m = 0;
	char **v = keys_realloc(NULL, (n + 1) * sizeof *v);
	for (size_t i = 0; v && i < n; i++) {
		struct stat st;
		/* only regular files: a directory or a FIFO a glob happens to
		 * match is not a config file (and a FIFO would block) */
		if (stat(g.gl_pathv[i], &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		if (!(v[m] = keys_strdup(g.gl_pathv[i]))) {
			words_free((v[m] = NULL, v));
			v = NULL;
			break;
		}
		m++;
	}
	if (r == 0)
		globfree(&g);
	if (!v)
		return -1;
	v[m] = NULL;
	qsort(v, m, sizeof *v, by_bytes);
	*files = v;
	return 0;
}

/* ---- stage 1: the files ---------------------------------------------- */

struct reading {
	struct layer *ly;
	layer_read_fn *read;
	struct errlist *errs;
	struct sections all;    /* every section, in the order read */
	struct ident {
		dev_t dev;
		ino_t ino;
		bool open;      /* being read: on the include path */
	} *ids;                 /* of ly->files */
	size_t *path;           /* the include path: indices into ly->files */
	size_t depth;
};

/* "a.ini -> b.ini -> a.ini", the cycle that reading file k again closes */
static void report_cycle(struct reading *r, size_t k, const char *from, int line)
{
	struct buf b = { 0 };
	size_t i = 0;
	while (i < r->depth && r->path[i] != k)
		i++;
	for (; i < r->depth; i++) {
		put(&b, r->ly->files[r->path[i]], strlen(r->ly->files[r->path[i]]));
		put(&b, " -> ", 4);
	}
	put(&b, r->ly->files[k], strlen(r->ly->files[k]));
	if (b.oom)
		keys_oom();
	else
		errlist_add(r->errs, from, line, "include cycle: %s", b.p);
	free(b.p);
}

static void read_file(struct reading *r, const char *path, const char *from, int line);

/* The includes of the [muster] sections first..last of the file just
 * read: each read in turn, as written (several words and lines). */
static void read_includes(struct reading *r, size_t first, size_t last, const char *file)
{
	const char *slash = strrchr(file, '/');
	char *dir = slash ? strndup(file, (size_t)(slash - file) + (slash == file)) : NULL;
	if (slash && !dir) {
		keys_oom();
		return;
	}
	for (size_t i = first; i < last; i++) {
		if (r->all.v[i].kind != SECTION_MUSTER)
			continue;
		for (size_t j = 0; j < r->all.v[i].n; j++) {
			struct setting *t = &r->all.v[i].set[j];
			if (strcmp(t->key, "include") || expand_setting(t, &keys_muster, NULL, r->errs))
				continue;
			char **words;
			const char *e;
			if (split_words(t->value, &words, NULL, &e)) {
				if (!strcmp(e, "out of memory"))
					keys_oom();
				else
					errlist_add(r->errs, t->file, t->line, "%s in 'include'", e);
				t->bad = true;
				continue;
			}
			/* t is not to be used once reading may have grown r->all */
			const char *tfile = t->file;
			int tline = t->line;
			for (char **w = words; *w; w++) {
				char **files;
				if (layer_glob(*w, dir, &files))
					break;
				for (char **f = files; *f; f++)
					read_file(r, *f, tfile, tline);
				words_free(files);
			}
			words_free(words);
		}
	}
	free(dir);
}

/* Read path (included from FROM:LINE; from NULL: the main file), then
 * what it includes. */
static void read_file(struct reading *r, const char *path, const char *from, int line)
{
	struct layer *ly = r->ly;
	struct stat st;

	if (stat(path, &st) < 0) {
		if (from)
			errlist_add(r->errs, from, line, "cannot read included file '%s': %s", path,
				    strerror(errno));
		else
			errlist_add(r->errs, path, 0, "cannot read config: %s", strerror(errno));
		return;
	}
	for (size_t k = 0; k < ly->nfiles; k++) {
		if (r->ids[k].dev != st.st_dev || r->ids[k].ino != st.st_ino)
			continue;
		if (r->ids[k].open)
			report_cycle(r, k, from, line);
		return; /* read already: once is enough */
	}
	char **files = keys_realloc(ly->files, (ly->nfiles + 1) * sizeof *files);
	if (files)
		ly->files = files;
	struct ident *ids = files ? keys_realloc(r->ids, (ly->nfiles + 1) * sizeof *ids) : NULL;
	if (ids)
		r->ids = ids;
	size_t *p = ids ? keys_realloc(r->path, (r->depth + 1) * sizeof *p) : NULL;
	if (p)
		r->path = p;
	char *copy = p ? keys_strdup(path) : NULL;
	if (!copy)
		return;
	size_t k = ly->nfiles++;
	ly->files[k] = copy;
	r->ids[k] = (struct ident){ st.st_dev, st.st_ino, true };
	r->path[r->depth++] = k;

	size_t first = r->all.n;
	if (r->read(copy, &r->all, r->errs) < 0) {
		if (from)
			errlist_add(r->errs, from, line, "cannot read included file '%s': %s", path,
				    strerror(errno));
		else
			errlist_add(r->errs, path, 0, "cannot read config: %s", strerror(errno));
	} else {
		read_includes(r, first, r->all.n, copy);
	}
	r->depth--;
	r->ids[k].open = false;
}

/* ---- services by name ------------------------------------------------ */

struct names {
	size_t *slot;           /* index + 1 into the sections; 0: free */
	size_t cap;             /* a power of two */
};

static size_t name_hash(const char *s)
{
	size_t h = 14695981039346656037u; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

/* Index every section of ss by name: 0, or -1 when out of memory. */
static int names_index(struct names *nm, const struct sections *ss)
{
	free(nm->slot);
	nm->cap = 64;
	while (nm->cap < 4 * ss->n)
		nm->cap *= 2;
	nm->slot = keys_realloc(NULL, nm->cap * sizeof *nm->slot);
	if (!nm->slot)
		return -1;
	memset(nm->slot, 0, nm->cap * sizeof *nm->slot);
	for (size_t i = 0; i < ss->n; i++) {
		size_t h = name_hash(ss->v[i].name) & (nm->cap - 1);
		while (nm->slot[h])
			h = (h + 1) & (nm->cap - 1);
		nm->slot[h] = i + 1;
	}
	return 0;
}

static long names_find(const struct names *nm, const struct sections *ss, const char *name)
{
	size_t m = nm->cap - 1;
	for (size_t h = name_hash(name) & m; nm->slot[h]; h = (h + 1) & m)
		if (!strcmp(ss->v[nm->slot[h] - 1].name, name))
			return (long)(nm->slot[h] - 1);
	return -1;
}

/* Add ss->v[ss->n - 1] (index or not: a second with the name is left out). */
static int names_add(struct names *nm, const struct sections *ss)
{
	if (2 * ss->n > nm->cap)
		return names_index(nm, ss);
	size_t h = name_hash(ss->v[ss->n - 1].name) & (nm->cap - 1);
	while (nm->slot[h])
		h = (h + 1) & (nm->cap - 1);
	nm->slot[h] = ss->n;
	return 0;
}

/* where a duplicate's first definition is: "on line 3" in the same
 * file, else "at FILE:3" */
static const char *first_at(const struct section *s, const struct section *first, char *buf,
			    size_t len)
{
	if (!strcmp(s->file, first->file))
		snprintf(buf, len, "on line %d", first->line);
	else
		snprintf(buf, len, "at %s:%d", first->file, first->line);
	return buf;
}

static void dup_service(struct errlist *errs, const struct section *s, const struct section *first)
{
	char at[1100];
	errlist_add(errs, s->file, s->line, "duplicate service '%s' (first defined %s)", s->name,
		    first_at(s, first, at, sizeof at));
}

/* A name both an instance's and a service's (or two instances'). */
static void dup_instance(struct errlist *errs, const struct section *s, const struct section *first)
{
	char at[1100];
	if (s->base)
		errlist_add(errs, s->file, s->line, "duplicate service '%s': instance %d of '%s' "
			    "(first defined %s)", s->name, s->instance, s->base,
			    first_at(s, first, at, sizeof at));
	else
		errlist_add(errs, s->file, s->line, "duplicate service '%s' (first defined %s as "
			    "instance %d of '%s')", s->name, first_at(s, first, at, sizeof at),
			    first->instance, first->base);
}

/* ---- stage 2: merging ------------------------------------------------ */

/* A [muster] key of a later file replaces the earlier files' (a list key,
 * include, adds to them); within one file, config.c sees both. */
static void merge_muster(struct section *m, struct section *s)
{
	for (size_t i = 0; i < s->n; i++) {
		struct setting *t = &s->set[i];
		const struct key *k = keys_find(&keys_muster, t->key);
		if (k && !k->type->list)
			for (size_t j = 0; j < m->n; j++)
				if (!strcmp(m->set[j].key, t->key) && strcmp(m->set[j].file, t->file)) {
					remove_key(m, t->key, 0);
					break;
				}
		setting_move(m, t);
	}
}

/* KEY-add of a list key (depends-add, after-add, env-add): its row, else NULL. */
static const struct key *add_key(const char *key)
{
	size_t n = strlen(key);
	if (n < 5 || strcmp(key + n - 4, "-add"))
		return NULL;
	char base[64];
	if (n - 4 >= sizeof base)
		return NULL;
	memcpy(base, key, n - 4);
	base[n - 4] = '\0';
	const struct key *k = keys_find(&keys_service, base);
	return k && k->type->list ? k : NULL;
}

/* [override NAME]: each key it sets replaces the service's; KEY-add adds
 * to the service's KEY. */
static void apply_override(struct section *svc, struct section *ov, struct errlist *errs)
{
	for (size_t i = 0; i < ov->n; i++) {
		struct setting *t = &ov->set[i];
		if (add_key(t->key))
			continue;
		if (svc->base && !strcmp(t->key, "instances")) {
			errlist_add(errs, t->file, t->line, "[override %s] is of one instance of '%s'; "
				    "'instances' goes in [service %s] or [override %s]", ov->name,
				    svc->base, svc->base, svc->base);
			t->bad = true;
			continue;
		}
		remove_key(svc, t->key, 0);
	}
	for (size_t i = 0; i < ov->n; i++) {
		struct setting *t = &ov->set[i];
		const struct key *k = add_key(t->key);
		if (t->bad)
			continue;
		if (k) {
			char *name = keys_strdup(k->name);
			if (!name)
				continue;
			free(t->key);
			t->key = name;
		}
		setting_move(svc, t);
	}
}

/* KEY-add in [service NAME]: said to belong in an override, and dropped. */
static void check_service_keys(struct section *s, struct errlist *errs)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct key *k = add_key(s->set[i].key);
		if (!k)
			continue;
		errlist_add(errs, s->set[i].file, s->set[i].line,
			    "'%s' adds to a service in [override NAME]; in [service %s], repeat '%s'",
			    s->set[i].key, s->name, k->name);
		s->set[i].bad = true;
	}
}

/* ---- stage 3: instances ---------------------------------------------- */

/* The service's instance count: 1 unless `instances` says more (its value
 * expanded, checked by its row; a bad one is reported and counts 1). */
static int instance_count(struct section *s, struct errlist *errs)
{
	struct setting *t = NULL;
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->set[i].key, "instances") && !s->set[i].bad)
			t = &s->set[i];
	if (!t || expand_setting(t, &keys_service, NULL, errs))
		return 1;
	const struct key *k = keys_find(&keys_service, "instances");
	struct svc_conf scratch = { 0 };
	struct key_ctx c = { t->file, t->line, s->name, errs };
	if (key_set(k, &scratch, t->value, &c)) {
		t->bad = true;
		return 1;
	}
	return scratch.instances;
}

/* A copy of s as instance n: NULL when out of memory or the name is too
 * long (reported). */
static int add_instance(struct sections *out, const struct section *s, int n, struct errlist *errs)
{
	char name[KEYS_MAX_NAME + 1];
	if (layer_instance_name(s->name, n, name, sizeof name)) {
		const struct setting *t = NULL;
		for (size_t i = 0; i < s->n; i++)
			if (!strcmp(s->set[i].key, "instances"))
				t = &s->set[i];
		errlist_add(errs, t->file, t->line, "instance name '%s@%d' is longer than %d "
			    "characters", s->name, n, KEYS_MAX_NAME);
		return -1;
	}
	struct section *c = layer_section_add(out, SECTION_SERVICE, name, s->file, s->line);
	if (!c || !(c->base = keys_strdup(s->name)))
		return -1;
	c->instance = n;
	for (size_t i = 0; i < s->n; i++) {
		const struct setting *t = &s->set[i];
		if (layer_setting_add(c, t->key, t->value, t->file, t->line))
			return -1;
		c->set[c->n - 1].expanded = t->expanded;
		c->set[c->n - 1].bad = t->bad;
	}
	return 0;
}

/* Each service of more than one instance replaced by its instances. */
static void make_instances(struct layer *ly, struct errlist *errs)
{
	struct sections out = { 0 };
	for (size_t i = 0; i < ly->services.n; i++) {
		struct section *s = &ly->services.v[i];
		int n = instance_count(s, errs);
		if (n == 1) {
			struct section *d = layer_section_add(&out, SECTION_SERVICE, NULL, NULL, 0);
			if (d) {
				*d = *s;
				memset(s, 0, sizeof *s);
			}
			continue;
		}
		for (int k = 1; k <= n; k++)
			if (add_instance(&out, s, k, errs))
				break;
	}
	layer_sections_free(&ly->services);
	ly->services = out;
}

/* ---- the stages in order --------------------------------------------- */

int layer_load(struct layer *ly, const char *file, layer_read_fn *read, struct errlist *errs)
{
	struct reading r = { .ly = ly, .read = read, .errs = errs };
	struct names nm = { 0 };
	size_t before = errs->n;
	unsigned long oom = keys_oom_count();

	memset(ly, 0, sizeof *ly);
	ly->muster.kind = SECTION_MUSTER;
	ly->muster.instance = 1;

	/* 1: the files */
	read_file(&r, file, NULL, 0);
	free(r.ids);
	free(r.path);
	ly->muster.file = ly->nfiles ? ly->files[0] : NULL;

	/* 2: [muster] and the services merged, then the overrides */
	size_t *overrides = keys_realloc(NULL, (r.all.n + 1) * sizeof *overrides), nov = 0;
	if (!overrides || names_index(&nm, &ly->services))
		goto out;
	for (size_t i = 0; i < r.all.n && keys_oom_count() == oom; i++) {
		struct section *s = &r.all.v[i];
		if (s->kind == SECTION_MUSTER) {
			merge_muster(&ly->muster, s);
		} else if (s->kind == SECTION_OVERRIDE) {
			overrides[nov++] = i;
		} else {
			long d = names_find(&nm, &ly->services, s->name);
			if (d >= 0) {
				dup_service(errs, s, &ly->services.v[d]);
				continue;
			}
			check_service_keys(s, errs);
			struct section *m = layer_section_add(&ly->services, SECTION_SERVICE, NULL, NULL, 0);
			if (!m)
				break;
			*m = *s;
			memset(s, 0, sizeof *s);
			names_add(&nm, &ly->services);
		}
	}
	size_t pending = 0;
	for (size_t i = 0; i < nov && keys_oom_count() == oom; i++) {
		struct section *ov = &r.all.v[overrides[i]];
		long d = names_find(&nm, &ly->services, ov->name);
		if (d >= 0)
			apply_override(&ly->services.v[d], ov, errs);
		else
			overrides[pending++] = overrides[i]; /* perhaps of an instance */
	}
	if (keys_oom_count() != oom)
		goto out;

	/* 3: instances, their names checked, then the overrides of one */
	make_instances(ly, errs);
	struct sections kept = { 0 };
	if (keys_oom_count() != oom || names_index(&nm, &kept))
		goto out;
	for (size_t i = 0; i < ly->services.n; i++) {
		struct section *s = &ly->services.v[i];
		long d = names_find(&nm, &kept, s->name);
		if (d >= 0) {
			dup_instance(errs, s, &kept.v[d]);
			continue;
		}
		struct section *m = layer_section_add(&kept, SECTION_SERVICE, NULL, NULL, 0);
		if (!m)
			break;
		*m = *s;
		memset(s, 0, sizeof *s);
		names_add(&nm, &kept);
	}
	layer_sections_free(&ly->services);
	ly->services = kept;
	for (size_t i = 0; i < pending && keys_oom_count() == oom; i++) {
		struct section *ov = &r.all.v[overrides[i]];
		long d = names_find(&nm, &ly->services, ov->name);
		if (d >= 0)
			apply_override(&ly->services.v[d], ov, errs);
		else
			errlist_add(errs, ov->file, ov->line,
				    "[override %s] of an undefined service: there is no [service %s]",
				    ov->name, ov->name);
	}

	/* 4: every value expanded */
	for (size_t i = 0; i < ly->muster.n; i++)
		expand_setting(&ly->muster.set[i], &keys_muster, NULL, errs);
	for (size_t i = 0; i < ly->services.n; i++) {
		struct section *s = &ly->services.v[i];
		char num[16];
		snprintf(num, sizeof num, "%d", s->instance);
		for (size_t j = 0; j < s->n; j++)
			expand_setting(&s->set[j], &keys_service, num, errs);
	}
out:
	free(overrides);
	free(nm.slot);
	layer_sections_free(&r.all);
	return errs->n != before || keys_oom_count() != oom ? -1 : 0;
}

/* ---- the merged config, shown ---------------------------------------- */

static void print_section(const struct section *s, FILE *out)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct setting *t = &s->set[i];
		int w = fprintf(out, "%s = %s", t->key, t->value);
		fprintf(out, "%*s; %s:%d\n", w < 40 ? 40 - w : 1, "", t->file, t->line);
	}
}

void layer_print(const struct layer *ly, FILE *out)
{
	fprintf(out, "; the merged config, as read from:\n");
	for (size_t i = 0; i < ly->nfiles; i++)
		fprintf(out, ";   %s\n", ly->files[i]);
	if (ly->muster.n) {
		fprintf(out, "\n[muster]\n");
		print_section(&ly->muster, out);
	}
	for (size_t i = 0; i < ly->services.n; i++) {
		const struct section *s = &ly->services.v[i];
		int w = fprintf(out, "\n[service %s]", s->name);
		if (s->base)
			fprintf(out, "%*s; %s:%d, instance %d of %s\n", w < 41 ? 41 - w : 1, "",
				s->file, s->line, s->instance, s->base);
		else
			fprintf(out, "%*s; %s:%d\n", w < 41 ? 41 - w : 1, "", s->file, s->line);
		print_section(s, out);
	}
}
