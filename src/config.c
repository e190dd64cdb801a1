/* The config file: physical lines -> our reader -> inih -> sections of
 * settings; layer.c merges the sections of every file the config includes
 * (and makes instances, and expands values); the merged sections -> the key
 * tables (keys.c) -> struct config; then each service and the graph are
 * checked.
 *
 * inih (Debian's libinih, as Debian builds it) does the INI parsing: it
 * splits a setting into key and value at the first '=' or ':' and trims
 * both, skips comment and blank lines, hands each continuation line to the
 * handler with the key above it, and tells the handler which section a key
 * is in.  Our reader (through ini_parse_stream) sees every physical line
 * first, and does only what that build cannot (INI_MAX_LINE 200, no
 * INI_HANDLER_LINENO in its ini.h, a return value that names the first
 * error only) or does otherwise than muster's format:
 *
 *  - line numbers: ini.h's handler is not told them (the library as built
 *    does pass one, as a fifth argument ini.h does not declare: nothing to
 *    rely on), so the reader counts, and hands inih exactly one line per
 *    physical line;
 *  - every syntax error: inih calls nothing for a line without '=' or ':'
 *    and returns only the first such line; the reader notes a setting line
 *    that did not reach the handler, and reports it;
 *  - long lines: inih's buffer holds 199 bytes and would parse the rest as
 *    a line of its own; the reader hands it the first 199, and the handler
 *    takes the end of the value from the reader's copy of the line;
 *  - inline comments: inih's "';' after a blank" knows no quotes, so
 *    `command = sh -c "a ; b"` would lose "; b"; the reader cuts comments
 *    the way muster always has, and when a ';' after a blank is left in the
 *    value the handler takes the value's end from the reader's copy too;
 *  - section headers: inih calls no handler for them (a section without a
 *    key, and the line of any header, would go unseen), keeps 49 bytes of a
 *    name ("[service NAME]" takes up to 73) and ignores text after the ']';
 *    the reader checks each header and hands inih a short label instead,
 *    "[m]", "[s12]" (the 13th service) or "[x]" (a bad header), which the
 *    handler reads back from the section inih passes;
 *  - continuation lines: for inih a blank line does not end them, for
 *    muster it does; the reader hands inih an indented line that continues
 *    nothing without its indentation;
 *  - the byte order mark: inih skips it, but the reader has to look past
 *    it too, to see what the first line is;
 *  - a NUL byte: inih takes C strings; the reader reports the line.
 *
 * What of muster's format changed by going through inih (lines that are
 * errors either way, or characters no one writes; check_config.c's
 * test_inih_format_changes): a key of 198 bytes or more, or one holding a
 * blank and a ';' (no key does), is a syntax error instead of an unknown
 * key, and an indented line after it is a line of its own, as after
 * "= value" (a setting without a key: inih continues only a named one); a
 * form feed, vertical tab or carriage return is a blank wherever inih trims
 * (around a line, a key, a value), and so can indent a line.
 *
 * Out of memory anywhere in a load is one error, "FILE: out of memory"
 * (keys.h counts failed allocations): never an exit, and at reload the
 * running config stays.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "envfile.h"
#include "keys.h"
#include "layer.h"
#include "parse.h"

/* ---- error list ------------------------------------------------------ */

void errlist_vadd(struct errlist *e, const char *file, int line, const char *fmt, va_list ap)
{
	char *msg = NULL, *full = NULL;

	if (vasprintf(&msg, fmt, ap) < 0) {
		keys_oom();
		return;
	}
	int r = line > 0 ? asprintf(&full, "%s:%d: %s", file, line, msg)
			 : asprintf(&full, "%s: %s", file, msg);
	free(msg);
	if (r < 0) {
		keys_oom();
		return;
	}
	if (e->n == e->cap) {
		size_t ncap = e->cap ? e->cap * 2 : 8;
		char **p = realloc(e->msgs, ncap * sizeof *p);
		if (p)
			e->msgs = p;
		int *q = p ? realloc(e->lines, ncap * sizeof *q) : NULL;
		if (q)
			e->lines = q;
		if (!p || !q) {
			keys_oom();
			free(full);
			return;
		}
		e->cap = ncap;
	}
	e->lines[e->n] = line;
	e->msgs[e->n++] = full;
}

void errlist_add(struct errlist *e, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	errlist_vadd(e, file, line, fmt, ap);
	va_end(ap);
}

void errlist_free(struct errlist *e)
{
	for (size_t i = 0; i < e->n; i++)
		free(e->msgs[i]);
	free(e->msgs);
	free(e->lines);
	memset(e, 0, sizeof *e);
}

/* ---- the reader: one file -> sections --------------------------------- */

enum key_section { SEC_NONE, SEC_SECTION, SEC_BAD };

struct loader {
	const char *file;
	FILE *fp;
	struct sections *out;   /* the sections read (layer.h) */
	size_t first;           /* this file's first section in out */
	struct errlist *errs;

	/* the reader */
	char *line;             /* the current physical line */
	size_t linecap;
	int lineno;
	char *text;             /* the line from its first non-blank, for messages */
	char *handed;           /* the text handed to inih (in line) ... */
	const char *inih_buf;   /* ... and inih's copy: its line buffer */
	char *cut_at;           /* where an inline comment was cut off, or NULL */
	bool cut;               /* inih cannot hold the value, or will cut it */
	bool cont;              /* handed as a continuation line */
	bool expect;            /* handed a setting: the handler must see it */
	bool handled;           /* ... and did */
	bool open;              /* a setting is open: an indented line continues it */
	char label[32];         /* the section header handed to inih */

	/* the setting being gathered, complete when a line that does not
	 * continue it comes: key, value (continuation lines joined), line */
	bool pending;
	char *key, *value;
	int key_line;
	enum key_section key_sec;
	size_t key_idx;         /* its section: out->v[first + key_idx] */

	int muster_header_line;
};

static void err(struct loader *l, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void err(struct loader *l, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	errlist_vadd(l->errs, l->file, line, fmt, ap);
	va_end(ap);
}

/* Cut an inline comment: ';' after an unescaped blank, outside quotes.
 * Returns where it cut (the ';' is now a NUL), or NULL. */
static char *cut_comment(char *s)
{
	char quote = 0;
	bool blank = false; /* the last character was an unescaped blank */
	for (char *p = s; *p; p++) {
		if (quote) {
			if (*p == '\\' && quote == '"' && p[1])
				p++;
			else if (*p == quote)
				quote = 0;
			blank = false;
		} else if (*p == '\\' && p[1]) {
			p++;
			blank = false;
		} else if (*p == '\'' || *p == '"') {
			quote = *p;
			blank = false;
		} else if (*p == ';' && blank) {
			*p = '\0';
			return p;
		} else {
			blank = *p == ' ' || *p == '\t';
		}
	}
	return NULL;
}

/* The section the header starts, and the label inih gets for it: "[s3]"
 * for the file's fourth section. */
static void new_section(struct loader *l, enum section_kind kind, const char *name)
{
	if (layer_section_add(l->out, kind, name, l->file, l->lineno))
		snprintf(l->label, sizeof l->label, "[s%zu]", l->out->n - 1 - l->first);
}

/* A section header, "[muster]", "[service NAME]" or "[override NAME]":
 * checked, and its section started. */
static void section_header(struct loader *l, char *p)
{
	char *close = strchr(p, ']');
	strcpy(l->label, "[x]");
	if (!close) {
		err(l, l->lineno, "section header has no closing ']'");
		return;
	}
	*close = '\0';
	char *rest = close + 1;
	cut_comment(rest);
	if (*str_trim(rest)) {
		err(l, l->lineno, "unexpected text after section header: '%s'", str_trim(rest));
		return;
	}
	char *h = str_trim(p + 1);
	if (!strcmp(h, "muster")) {
		if (l->muster_header_line) /* reported; its keys are still read */
			err(l, l->lineno, "[muster] appears twice (the first is on line %d)",
			    l->muster_header_line);
		else
			l->muster_header_line = l->lineno;
		new_section(l, SECTION_MUSTER, NULL);
		return;
	}
	size_t kw = !strncmp(h, "service", 7) ? 7 : !strncmp(h, "override", 8) ? 8 : 0;
	if (!kw || (h[kw] != ' ' && h[kw] != '\t')) {
		if (!strcmp(h, "service") || !strcmp(h, "override"))
			err(l, l->lineno, "[%s] needs a name: [%s NAME]", h, h);
		else
			err(l, l->lineno, "unknown section [%s]; expected [muster], [service NAME] or "
			    "[override NAME]", h);
		return;
	}
	char *name = str_trim(h + kw + 1);
	if (!keys_name_valid(name)) {
		err(l, l->lineno,
		    "invalid service name '%s': use 1 to %d letters, digits and - _ . @",
		    name, KEYS_MAX_NAME);
		return;
	}
	new_section(l, kw == 7 ? SECTION_SERVICE : SECTION_OVERRIDE, name);
}

/* ---- settings: gathered by the handler, kept when complete ----------- */

/* The complete setting: into its section. */
static void apply_setting(struct loader *l)
{
	switch (l->key_sec) {
	case SEC_NONE:
		err(l, l->key_line, "'%s' is outside any section; put it under [muster] or [service NAME]", l->key);
		return;
	case SEC_BAD:
		return; /* the header's error was reported */
	case SEC_SECTION:
		layer_setting_add(&l->out->v[l->first + l->key_idx], l->key, l->value, l->file,
				  l->key_line);
	}
}

static void finish_setting(struct loader *l)
{
	if (!l->pending)
		return;
	l->pending = false;
	apply_setting(l);
}

/* A key line: the setting starts; section is the label inih passes. */
static void start_setting(struct loader *l, const char *section, const char *name,
			  const char *value)
{
	free(l->key);
	free(l->value);
	l->key = keys_strdup(name);
	l->value = keys_strdup(value);
	l->pending = l->key && l->value;
	l->key_line = l->lineno;
	/* the label the reader handed inih for the section */
	char *end;
	l->key_sec = SEC_BAD;
	if (!section[0]) {
		l->key_sec = SEC_NONE;
	} else if (section[0] == 's' && isdigit((unsigned char)section[1])) {
		l->key_idx = strtoul(section + 1, &end, 10);
		if (!*end && l->first + l->key_idx < l->out->n)
			l->key_sec = SEC_SECTION;
	}
}

/* A continuation line: its text joins the value after one space. */
static void continue_setting(struct loader *l, const char *text)
{
	if (!l->pending)
		return;
	size_t n = strlen(l->value) + strlen(text) + 2;
	char *joined = keys_realloc(NULL, n);
	if (!joined) {
		l->pending = false;
		return;
	}
	snprintf(joined, n, "%s%s%s", l->value, *l->value ? " " : "", text);
	free(l->value);
	l->value = joined;
}

/* ---- the reader and the handler -------------------------------------- */

/* Hand text to inih as one line (at most num - 1 bytes, as fgets would). */
static char *hand(struct loader *l, char *str, int num, char *text)
{
	size_t n = strlen(text), max = (size_t)num - 1;

	l->handed = text;
	l->inih_buf = str;
	l->cut = n > max;
	for (const char *p = text; *p && !l->cut; p++)
		l->cut = *p == ';' && p > text && isspace((unsigned char)p[-1]);
	if (n > max)
		n = max;
	memcpy(str, text, n);
	str[n] = '\0';
	return str;
}

/* inih holds the start of the value: its end is in the reader's copy.  The
 * value is trimmed as inih trims (isspace). */
static const char *value_end(struct loader *l, const char *value)
{
	char *v = l->handed + (value - l->inih_buf);
	while (isspace((unsigned char)*v))
		v++;
	size_t n = strlen(v);
	while (n && isspace((unsigned char)v[n - 1]))
		v[--n] = '\0';
	return v;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct loader *l = user;

	l->handled = true;
	if (l->cut)
		value = value_end(l, value);
	if (l->cont) {
		continue_setting(l, value);
	} else {
		finish_setting(l);
		start_setting(l, section, name, value);
		l->open = *name != '\0'; /* inih continues only a named key */
	}
	return 1;
}

/* Reader for ini_parse_stream: one physical line per call, as inih should
 * see it; NULL at the end. */
static char *reader(char *str, int num, void *stream)
{
	struct loader *l = stream;

	if (l->expect && !l->handled) {
		/* inih found no '=' or ':' in the line (see the message's text
		 * as written: put back what the comment cut took) */
		if (l->cut_at)
			*l->cut_at = ';';
		err(l, l->lineno, "expected 'key = value', '[section]' or a comment, got '%.40s%s'",
		    l->text, strlen(l->text) > 40 ? "..." : "");
		l->open = false;
	}
	l->expect = l->handled = l->cut = l->cont = false;
	l->cut_at = NULL;
	if (num < 2)
		return NULL;

	ssize_t len = getline(&l->line, &l->linecap, l->fp);
	if (len < 0) {
		if (!feof(l->fp) && !ferror(l->fp))
			keys_oom(); /* getline's ENOMEM sets neither */
		finish_setting(l);
		return NULL;
	}
	l->lineno++;
	if (strlen(l->line) != (size_t)len) {
		err(l, l->lineno, "line contains a NUL byte");
		l->line[0] = '\0'; /* a blank line for inih */
		return hand(l, str, num, l->line);
	}
	while (len && (l->line[len - 1] == '\n' || l->line[len - 1] == '\r'))
		l->line[--len] = '\0';
	char *p = l->line;
	if (l->lineno == 1 && !strncmp(p, "\xEF\xBB\xBF", 3))
		p += 3;
	/* blanks are what inih takes for them, isspace(): so inih sees the
	 * same start of a line (an indentation, a '[', a comment) as we do */
	bool indented = isspace((unsigned char)*p);
	while (isspace((unsigned char)*p))
		p++;
	for (char *e = p + strlen(p); e > p && isspace((unsigned char)e[-1]);)
		*--e = '\0';
	l->text = p;
	if (!*p) {
		finish_setting(l); /* a blank line ends continuations */
		l->open = false;
		return hand(l, str, num, p);
	}
	if (*p == ';' || *p == '#')
		return hand(l, str, num, p); /* a comment: inih skips it */
	if (indented && l->open) {
		/* a continuation line: handed indented (p[-1] is a blank) */
		l->cut_at = cut_comment(p);
		l->cont = l->expect = true;
		return hand(l, str, num, p - 1);
	}
	if (*p == '[') {
		finish_setting(l);
		l->open = false;
		section_header(l, p);
		return hand(l, str, num, l->label);
	}
	/* a setting: handed without its indentation, but line 1 as read, so
	 * that inih skips the byte order mark (and only one at the start) */
	l->cut_at = cut_comment(p);
	l->expect = true;
	return hand(l, str, num, l->lineno == 1 ? l->line : p);
}

/* ---- the builder: merged sections -> struct config -------------------- */

/* Where a key was set: the first setting of it, or { NULL, 0 }. */
struct origin {
	const char *file;
	int line;
};

struct builder {
	struct config *cfg;
	struct errlist *errs;
	struct svc_conf tmpl;   /* a new service: the defaults */
	struct origin *muster_at; /* per [muster] key */
	struct origin *svc_at;  /* per service: keys_service.n keys, then its header */
	size_t svc_cap;
};

static void err_at(struct builder *b, struct origin at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void err_at(struct builder *b, struct origin at, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	errlist_vadd(b->errs, at.file ? at.file : b->cfg->file, at.line, fmt, ap);
	va_end(ap);
}

static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 40 || lb > 40)
		return 99;
	size_t d[41][41];
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			size_t c = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			if (d[i - 1][j] + 1 < c)
				c = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < c)
				c = d[i][j - 1] + 1;
			d[i][j] = c;
		}
	return d[la][lb];
}

/* The closest of n names to s, when close enough to be a likely typo; the
 * names are the char * at first, first + stride, ... (a member of each
 * element of an array: key rows, services). */
static const char *suggest(const char *s, const void *first, size_t n, size_t stride)
{
	const char *best = NULL;
	size_t bestd = 3;
	size_t limit = strlen(s) / 2; /* "db2" may be "db"; "zz" is not "a" */
	for (size_t i = 0; i < n; i++) {
		const char *name = *(const char *const *)((const char *)first + i * stride);
		size_t d = edit_distance(s, name);
		if (d < bestd && d <= limit) {
			bestd = d;
			best = name;
		}
	}
	return best;
}

static size_t key_index(const struct key_table *t, const char *name)
{
	return (size_t)(keys_find(t, name) - t->rows);
}

/* Service i's origins: of each key, then (at keys_service.n) of its header. */
static struct origin *svc_at(struct builder *b, size_t i)
{
	return &b->svc_at[i * (keys_service.n + 1)];
}

/* ---- services by name ------------------------------------------------ */

static size_t name_hash(const char *s)
{
	size_t h = 14695981039346656037u; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

static void by_name_put(struct config *c, size_t i)
{
	size_t m = c->by_name_cap - 1, h = name_hash(c->services[i].name) & m;
	while (c->by_name[h])
		h = (h + 1) & m;
	c->by_name[h] = i + 1;
}

/* Index the last service added; without memory for the table, there is
 * none (config_find() then looks through the list). */
static void by_name_add(struct config *c)
{
	if (c->by_name && 2 * c->nservices <= c->by_name_cap) {
		by_name_put(c, c->nservices - 1);
		return;
	}
	free(c->by_name);
	c->by_name_cap = 64;
	while (c->by_name_cap < 4 * c->nservices)
		c->by_name_cap *= 2;
	c->by_name = calloc(c->by_name_cap, sizeof *c->by_name);
	if (!c->by_name) {
		c->by_name_cap = 0;
		keys_oom();
		return;
	}
	for (size_t i = 0; i < c->nservices; i++)
		by_name_put(c, i);
}

long config_find(const struct config *c, const char *name)
{
	if (!c->by_name) {
		for (size_t i = 0; i < c->nservices; i++)
			if (!strcmp(c->services[i].name, name))
				return (long)i;
		return -1;
	}
	size_t m = c->by_name_cap - 1;
	for (size_t h = name_hash(name) & m; c->by_name[h]; h = (h + 1) & m)
		if (!strcmp(c->services[c->by_name[h] - 1].name, name))
			return (long)(c->by_name[h] - 1);
	return -1;
}

/* The n services that are the instances of name (contiguous, as layer.c
 * makes them): the index of the first, or -1. */
long config_instances(const struct config *c, const char *name, size_t *n)
{
	char first[KEYS_MAX_NAME + 1];
	*n = 0;
	if (layer_instance_name(name, 1, first, sizeof first))
		return -1;
	long i = config_find(c, first);
	if (i < 0 || !c->services[i].base || strcmp(c->services[i].base, name))
		return -1;
	size_t k = (size_t)i;
	while (k < c->nservices && c->services[k].base && !strcmp(c->services[k].base, name))
		k++;
	*n = k - (size_t)i;
	return i;
}

static struct svc_conf *add_service(struct builder *b, const struct section *sec)
{
	struct config *c = b->cfg;
	size_t nk = keys_service.n + 1;
	if (c->nservices == b->svc_cap) {
		size_t ncap = b->svc_cap ? b->svc_cap * 2 : 16;
		struct svc_conf *s = keys_realloc(c->services, ncap * sizeof *s);
		if (!s)
			return NULL;
		c->services = s;
		struct origin *at = keys_realloc(b->svc_at, ncap * nk * sizeof *at);
		if (!at)
			return NULL;
		b->svc_at = at;
		b->svc_cap = ncap;
	}
	char *copy = keys_strdup(sec->name);
	char *base = sec->base ? keys_strdup(sec->base) : NULL;
	if (!copy || (sec->base && !base)) {
		free(copy);
		free(base);
		return NULL;
	}
	size_t i = c->nservices++;
	struct svc_conf *s = &c->services[i];
	*s = b->tmpl;
	s->name = copy;
	s->base = base;
	s->instance = sec->instance;
	s->line = sec->line;
	memset(svc_at(b, i), 0, nk * sizeof *b->svc_at);
	svc_at(b, i)[keys_service.n] = (struct origin){ sec->file, sec->line };
	by_name_add(c);
	return s;
}

/* One merged setting: its row found, its field set. */
static void apply_setting_to(struct builder *b, const struct key_table *t,
			     const struct key_table *other, void *obj, struct origin *at,
			     const char *service, const struct setting *set)
{
	char where[KEYS_WHERE_MAX];
	struct origin here = { set->file, set->line };
	const struct key *k = keys_find(t, set->key);
	if (!k && set->bad)
		return; /* reported by layer.c */
	if (!k) {
		const char *s = suggest(set->key, &t->rows[0].name, t->n, sizeof t->rows[0]);
		if (s)
			err_at(b, here, "unknown key '%s' in %s (did you mean '%s'?)", set->key,
			       keys_where(service, where), s);
		else if (keys_find(other, set->key))
			err_at(b, here, "key '%s' belongs in %s, not in %s", set->key, other->section,
			       keys_where(service, where));
		else
			err_at(b, here, "unknown key '%s' in %s", set->key, keys_where(service, where));
		return;
	}
	size_t i = (size_t)(k - t->rows);
	if (at[i].line && !k->type->list) {
		if (!strcmp(at[i].file, set->file))
			err_at(b, here, "'%s' is set twice in %s (first on line %d)", k->name,
			       keys_where(service, where), at[i].line);
		else
			err_at(b, here, "'%s' is set twice in %s (first at %s:%d)", k->name,
			       keys_where(service, where), at[i].file, at[i].line);
		return;
	}
	if (!at[i].line)
		at[i] = here;
	if (set->bad)
		return; /* reported by layer.c */
	struct key_ctx c = { set->file, set->line, service, b->errs };
	key_set(k, obj, set->value, &c);
}

static void apply_sections(struct builder *b, const struct layer *ly)
{
	for (size_t i = 0; i < ly->muster.n; i++)
		apply_setting_to(b, &keys_muster, &keys_service, b->cfg, b->muster_at, NULL,
				 &ly->muster.set[i]);
	for (size_t i = 0; i < ly->services.n; i++) {
		const struct section *sec = &ly->services.v[i];
		struct svc_conf *s = add_service(b, sec);
		if (!s)
			return;
		size_t k = b->cfg->nservices - 1;
		for (size_t j = 0; j < sec->n; j++)
			apply_setting_to(b, &keys_service, &keys_muster, s, svc_at(b, k), s->name,
					 &sec->set[j]);
	}
}

/* ---- whole-config validation ----------------------------------------- */

/* Each name of every depends and after setting is a service, or the name
 * of instances: reported at the setting that names it. */
static void check_names(struct builder *b, const struct layer *ly)
{
	const struct config *c = b->cfg;
	for (size_t i = 0; i < ly->services.n; i++) {
		const struct section *sec = &ly->services.v[i];
		for (size_t j = 0; j < sec->n; j++) {
			const struct setting *t = &sec->set[j];
			bool dep = !strcmp(t->key, "depends");
			char **words;
			const char *e;
			if ((!dep && strcmp(t->key, "after")) || t->bad)
				continue;
			if (split_words(t->value, &words, NULL, &e)) {
				if (!strcmp(e, "out of memory"))
					keys_oom();
				continue; /* else reported when the key was set */
			}
			bool valid = true;
			for (char **w = words; *w; w++)
				valid = valid && keys_name_valid(*w);
			for (char **w = words; valid && *w; w++) {
				size_t n;
				if (config_find(c, *w) >= 0 || config_instances(c, *w, &n) >= 0)
					continue;
				const char *sug = !c->nservices ? NULL :
						  suggest(*w, &c->services[0].name, c->nservices,
							  sizeof c->services[0]);
				struct origin at = { t->file, t->line };
				if (sug)
					err_at(b, at, "service '%s' %s unknown service '%s' (did you mean '%s'?)",
					       sec->name, dep ? "depends on" : "is after", *w, sug);
				else
					err_at(b, at, "service '%s' %s unknown service '%s'", sec->name,
					       dep ? "depends on" : "is after", *w);
			}
			words_free(words);
		}
	}
}

/* names -> indices; a name of instances is each of them (unknown names
 * are check_names()'s to report). */
static void resolve_names(const struct config *c, char **names, size_t **idx, size_t *n)
{
	size_t count = 0;
	for (size_t i = 0; names && names[i]; i++) {
		size_t m = 1;
		if (config_find(c, names[i]) < 0 && config_instances(c, names[i], &m) < 0)
			m = 0;
		count += m;
	}
	*n = 0;
	*idx = keys_realloc(NULL, count * sizeof **idx);
	if (!*idx)
		return;
	for (size_t i = 0; names && names[i]; i++) {
		long j = config_find(c, names[i]);
		size_t m = 1;
		if (j < 0)
			j = config_instances(c, names[i], &m);
		for (size_t k = 0; j >= 0 && k < m; k++)
			(*idx)[(*n)++] = (size_t)j + k;
	}
}

/* The shell's argv: /bin/sh -c COMMAND. */
static char **shell_argv(const char *command)
{
	char **argv = keys_realloc(NULL, 4 * sizeof *argv);
	if (!argv)
		return NULL;
	argv[0] = keys_strdup("/bin/sh");
	argv[1] = keys_strdup("-c");
	argv[2] = keys_strdup(command);
	argv[3] = NULL;
	if (!argv[0] || !argv[1] || !argv[2]) {
		free(argv[0]), free(argv[1]), free(argv[2]), free(argv);
		return NULL;
	}
	return argv;
}

static void validate_service(struct builder *b, struct svc_conf *s, size_t i)
{
	struct origin *at = svc_at(b, i), header = at[keys_service.n];
#define AT(key) at[key_index(&keys_service, key)]
#define AT_OR_HEADER(key) (AT(key).line ? AT(key) : header)
	const char *e;

	if (!s->command) {
		if (!AT("command").line) /* else its error was reported */
			err_at(b, header, "service '%s' has no 'command'", s->name);
	} else if (s->shell) {
		s->argv = shell_argv(s->command);
	} else if (split_words(s->command, &s->argv, NULL, &e)) {
		s->argv = NULL; /* reported when the key was set */
		if (!strcmp(e, "out of memory"))
			keys_oom();
	}
	int probes = (s->ready_fd >= 0) + (s->ready_tcp_host != NULL) +
		     (s->ready_check != NULL) + (s->ready_http != NULL) + (s->ready_log != NULL);
	if (s->type == TYPE_ONESHOT && probes)
		err_at(b, header, "service '%s': a oneshot is ready when it exits 0; it takes no "
		       "ready-fd, ready-tcp, ready-check, ready-http or ready-log", s->name);
	else if (s->type == TYPE_NOTIFY && probes)
		err_at(b, header, "service '%s': type = notify is ready on READY=1; it takes no "
		       "ready-fd, ready-tcp, ready-check, ready-http or ready-log", s->name);
	else if (probes > 1)
		err_at(b, header, "service '%s': choose one of ready-fd, ready-tcp, ready-check, "
		       "ready-http and ready-log", s->name);
	int checks = (s->health_check != NULL) + (s->health_http != NULL) +
		     (s->health_tcp_host != NULL);
	if (s->type == TYPE_ONESHOT && (checks || s->watchdog > 0))
		err_at(b, header, "service '%s': a oneshot is never ready, so never checked; it takes "
		       "no health-check, health-http, health-tcp or watchdog", s->name);
	else if (checks > 1)
		err_at(b, header, "service '%s': choose one of health-check, health-http and "
		       "health-tcp", s->name);
	if (s->health_interval <= 0)
		err_at(b, AT_OR_HEADER("health-interval"),
		       "service '%s': health-interval must be above 0", s->name);
	if (s->health_timeout <= 0)
		err_at(b, AT_OR_HEADER("health-timeout"),
		       "service '%s': health-timeout must be above 0", s->name);
	/* restart-delay-max: by default the longer of its default and
	 * restart-delay; set below restart-delay, an error */
	if (!AT("restart-delay-max").line) {
		if (s->restart_delay_max < s->restart_delay)
			s->restart_delay_max = s->restart_delay;
	} else if (s->restart_delay_max < s->restart_delay) {
		err_at(b, AT("restart-delay-max"),
		       "service '%s': restart-delay-max (%gs) is below restart-delay (%gs)", s->name,
		       s->restart_delay_max, s->restart_delay);
	}
	if (s->ready_interval <= 0)
		err_at(b, AT_OR_HEADER("ready-interval"), "service '%s': ready-interval must be above 0",
		       s->name);
	if (s->env_file) { /* env-file first, then env overrides */
		struct origin ef = AT_OR_HEADER("env-file");
		envfile_load(s->env_file, &s->env, b->errs, ef.file, ef.line, s->name);
	}
	resolve_names(b->cfg, s->depends, &s->dep_idx, &s->ndep);
	resolve_names(b->cfg, s->after, &s->after_idx, &s->nafter);
#undef AT_OR_HEADER
#undef AT
}

static void check_graph(struct builder *b)
{
	struct config *c = b->cfg;
	size_t n = c->nservices;

	if (graph_init(&c->graph, n)) {
		keys_oom();
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct svc_conf *s = &c->services[i];
		for (size_t j = 0; j < s->ndep; j++)
			if (graph_add_edge(&c->graph, i, s->dep_idx[j])) {
				keys_oom();
				return;
			}
		for (size_t j = 0; j < s->nafter; j++)
			if (graph_add_edge(&c->graph, i, s->after_idx[j])) {
				keys_oom();
				return;
			}
	}
	c->levels = keys_realloc(NULL, n * sizeof *c->levels);
	if (!c->levels)
		return;
	c->nlevels = graph_levels(&c->graph, c->levels);
	if (c->nlevels >= 0)
		return;

	/* a cycle, or out of memory (graph_levels and graph_find_cycle tell
	 * neither apart): each cycle once, by its path */
	unsigned char *done = calloc(n, 1);
	size_t *path = keys_realloc(NULL, (n + 1) * sizeof *path);
	size_t len, cycles = 0;
	while (done && path && (len = graph_find_cycle(&c->graph, done, path)) > 0) {
		size_t cap = 64, used = 0;
		char *msg = keys_realloc(NULL, cap);
		for (size_t k = 0; msg && k < len; k++) {
			const char *nm = c->services[path[k]].name;
			size_t need = used + strlen(nm) + 5;
			if (need > cap) {
				cap = need * 2;
				char *more = keys_realloc(msg, cap);
				if (!more) {
					free(msg);
					msg = NULL;
					break;
				}
				msg = more;
			}
			used += (size_t)sprintf(msg + used, "%s%s", k ? " -> " : "", nm);
		}
		for (size_t k = 0; k < len; k++)
			done[path[k]] = 1;
		if (!msg)
			break;
		struct svc_conf *first = &c->services[path[0]];
		bool by_depends = false;
		for (size_t j = 0; j < first->ndep; j++)
			if (first->dep_idx[j] == path[1])
				by_depends = true;
		err_at(b, svc_at(b, path[0])[key_index(&keys_service, by_depends ? "depends" : "after")],
		       "dependency cycle: %s", msg);
		free(msg);
		cycles++;
	}
	if (!cycles)
		keys_oom();
	free(done);
	free(path);
}

/* A config with the [muster] defaults; NULL when out of memory. */
static struct config *config_new(struct errlist *errs)
{
	struct config *c = calloc(1, sizeof *c);
	if (!c) {
		keys_oom();
		return NULL;
	}
	struct key_ctx dc = { "(defaults)", 0, NULL, errs };
	keys_defaults(&keys_muster, c, &dc);
	return c;
}

struct config *config_empty(void)
{
	struct errlist errs = { 0 };
	unsigned long oom = keys_oom_count();
	struct config *c = config_new(&errs);
	if (c)
		c->file = keys_strdup("(none)");
	if (c && (errs.n || keys_oom_count() != oom || graph_init(&c->graph, 0))) {
		config_free(c);
		c = NULL;
	}
	errlist_free(&errs);
	return c;
}

/* The file a message is about: the index of its file in files (the
 * longest that is followed by ':'), or -1 (an env-file's). */
static long file_of(const char *msg, char *const *files, size_t nfiles)
{
	long best = -1;
	size_t bl = 0;
	for (size_t i = 0; i < nfiles; i++) {
		size_t fl = strlen(files[i]);
		if (fl > bl && !strncmp(msg, files[i], fl) && msg[fl] == ':') {
			best = (long)i;
			bl = fl;
		}
	}
	return best;
}

/* Report in the order the files were read, each file's in line order (a
 * stable insertion sort: lists are short); a message of no file read
 * stays where it is. */
static void sort_errors(struct errlist *errs, size_t before, char *const *files, size_t nfiles)
{
	if (errs->n - before < 2)
		return;
	long *of = keys_realloc(NULL, (errs->n - before) * sizeof *of);
	if (!of)
		return;
	for (size_t i = before; i < errs->n; i++)
		of[i - before] = file_of(errs->msgs[i], files, nfiles);
	for (size_t i = before + 1; i < errs->n; i++) {
		char *m = errs->msgs[i];
		int ln = errs->lines[i];
		long f = of[i - before];
		size_t j = i;
		long g;
		while (j > before && f >= 0 && (g = of[j - 1 - before]) >= 0 &&
		       (g > f || (g == f && errs->lines[j - 1] > ln))) {
			errs->msgs[j] = errs->msgs[j - 1];
			errs->lines[j] = errs->lines[j - 1];
			of[j - before] = of[j - 1 - before];
			j--;
		}
		errs->msgs[j] = m;
		errs->lines[j] = ln;
		of[j - before] = f;
	}
	free(of);
}

/* Read and parse the file: every line through the reader, inih and the
 * handler.  0, or -1 with errno when the file cannot be opened (as
 * layer_read_fn: the caller reports it). */
static int parse_file(struct loader *l)
{
	struct stat st;

	l->fp = fopen(l->file, "re");
	if (!l->fp)
		return -1;
	if (fstat(fileno(l->fp), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(l->fp);
		errno = EISDIR;
		return -1;
	}
	/* inih's return value, the line of its first error, adds nothing: the
	 * reader reported that line and every other */
	ini_parse_stream(reader, l, handler, l);
	if (ferror(l->fp))
		errlist_add(l->errs, l->file, 0, "cannot read config: %s", strerror(errno));
	fclose(l->fp);
	return 0;
}

/* layer.c's reader: file -> sections (see layer_read_fn). */
static int read_sections(const char *file, struct sections *out, struct errlist *errs)
{
	struct loader l = { .file = file, .out = out, .first = out->n, .errs = errs };
	int r = parse_file(&l);
	free(l.line);
	free(l.key);
	free(l.value);
	return r;
}

struct config *config_load(const char *file, struct errlist *errs)
{
	return config_load_layer(file, errs, NULL);
}

struct config *config_load_layer(const char *file, struct errlist *errs, struct layer *keep)
{
	struct layer ly;
	struct builder b = { .errs = errs };
	size_t before = errs->n;
	unsigned long oom = keys_oom_count();
	struct key_ctx dc = { "(defaults)", 0, "NAME", errs };

	keys_defaults(&keys_service, &b.tmpl, &dc);
	b.cfg = config_new(errs);
	b.muster_at = calloc(keys_muster.n, sizeof *b.muster_at);
	if (b.cfg)
		b.cfg->file = keys_strdup(file);
	if (!b.muster_at)
		keys_oom();
	memset(&ly, 0, sizeof ly);
	if (keys_oom_count() == oom)
		layer_load(&ly, file, read_sections, errs);
	if (keys_oom_count() == oom && b.cfg->file) {
		b.cfg->files = keys_realloc(NULL, (ly.nfiles + 1) * sizeof *b.cfg->files);
		for (size_t i = 0; b.cfg->files && i <= ly.nfiles; i++)
			if (!(b.cfg->files[i] = i < ly.nfiles ? keys_strdup(ly.files[i]) : NULL))
				break;
	}
	if (keys_oom_count() == oom) {
		apply_sections(&b, &ly);
		check_names(&b, &ly);
	}
	if (keys_oom_count() == oom) {
		for (size_t i = 0; i < b.cfg->nservices; i++)
			validate_service(&b, &b.cfg->services[i], i);
		check_graph(&b);
		b.cfg->log_level_set = b.muster_at[key_index(&keys_muster, "log-level")].line != 0;
	}
	sort_errors(errs, before, ly.files, ly.nfiles);
	if (keys_oom_count() != oom) {
		/* what else was found may only be what the failure left undone */
		for (size_t i = before; i < errs->n; i++)
			free(errs->msgs[i]);
		errs->n = before;
		errlist_add(errs, file, 0, "out of memory");
	}
	free(b.muster_at);
	free(b.svc_at);
	if (keep)
		*keep = ly;
	else
		layer_free(&ly);
	if (errs->n != before || keys_oom_count() != oom) {
		config_free(b.cfg);
		return NULL;
	}
	return b.cfg;
}

static void svc_conf_free(struct svc_conf *s)
{
	free(s->name);
	free(s->base);
	free(s->dep_idx);
	free(s->after_idx);
	keys_free(&keys_service, s);
}

void config_free(struct config *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nservices; i++)
		svc_conf_free(&c->services[i]);
	free(c->services);
	free(c->by_name);
	free(c->file);
	for (size_t i = 0; c->files && c->files[i]; i++)
		free(c->files[i]);
	free(c->files);
	keys_free(&keys_muster, c);
	graph_free(&c->graph);
	free(c->levels);
	free(c);
}
