/* Unit tests for src/envfile.c: envfile_load() on files of every kind (a
 * FIFO must be refused without blocking: its test case has a short
 * timeout), the size and line limits, the merge rules, the line syntax, out
 * of memory at every allocation, and the scaling counted in hash probes
 * (never in time: that is the bench's job); envmap on its own. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "envfile.h"
#include "parse.h"

#define CFG "muster.ini" /* the config file named in whole-file errors */
#define KEYLINE 7        /* ... and the line of its env-file key */

/* ---- helpers --------------------------------------------------------- */

static char dir[64];

static void setup(void)
{
	strcpy(dir, "/tmp/muster-check-envfile-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* dir/name, in a static buffer (one of a few) */
static const char *at(const char *name)
{
	static char bufs[4][256];
	static int k;
	char *b = bufs[k++ % 4];
	snprintf(b, sizeof bufs[0], "%s/%s", dir, name);
	return b;
}

static const char *write_file(const char *name, const char *text, size_t len)
{
	const char *path = at(name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert_msg(fd >= 0, "%s: %s", path, strerror(errno));
	for (size_t off = 0; off < len;) {
		ssize_t w = write(fd, text + off, len - off);
		ck_assert_msg(w > 0, "write: %s", strerror(errno));
		off += (size_t)w;
	}
	close(fd);
	return path;
}

static const char *write_str(const char *name, const char *text)
{
	return write_file(name, text, strlen(text));
}

static char **vec(const char *first, ...)
{
	char **v = calloc(32, sizeof *v);
	va_list ap;
	size_t n = 0;
	ck_assert_ptr_nonnull(v);
	va_start(ap, first);
	for (const char *s = first; s; s = va_arg(ap, const char *))
		ck_assert_ptr_nonnull(v[n++] = strdup(s));
	va_end(ap);
	return v;
}

static size_t vlen(char **v)
{
	size_t n = 0;
	while (v && v[n])
		n++;
	return n;
}

static const char *dump(const struct errlist *e)
{
	static char buf[8192];
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < e->n && used < sizeof buf - 1; i++)
		used += (size_t)snprintf(buf + used, sizeof buf - used, "\n  [%zu] %s", i, e->msgs[i]);
	return buf;
}

static int load(const char *path, char ***env, struct errlist *errs)
{
	memset(errs, 0, sizeof *errs);
	return envfile_load(path, env, errs, CFG, KEYLINE, "svc");
}

/* Expect exactly one error, printf-formatted. */
static void expect_one_error(const struct errlist *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void expect_one_error(const struct errlist *e, const char *fmt, ...)
{
	char *want = NULL;
	va_list ap;
	va_start(ap, fmt);
	ck_assert_int_ge(vasprintf(&want, fmt, ap), 0);
	va_end(ap);
	ck_assert_msg(e->n == 1, "expected the one error '%s', got %zu:%s", want, e->n, dump(e));
	ck_assert_str_eq(e->msgs[0], want);
	free(want);
}

/* The file must be refused as not a regular file, *env untouched. */
static void expect_not_regular(const char *path)
{
	struct errlist errs;
	char **env = vec("A=1", NULL), **before = env;
	ck_assert_int_eq(load(path, &env, &errs), -1);
	expect_one_error(&errs, CFG ":%d: %s: not a regular file", KEYLINE, path);
	ck_assert_ptr_eq(env, before);
	ck_assert_str_eq(env[0], "A=1");
	ck_assert_ptr_null(env[1]);
	words_free(env);
	errlist_free(&errs);
}

/* ---- kinds of files ---------------------------------------------------- */

START_TEST(test_regular_file)
{
	const char *path = write_str("env", "A=1\nB=two\n");
	struct errlist errs;
	char **env = NULL;
	ck_assert_int_eq(load(path, &env, &errs), 0);
	ck_assert_msg(errs.n == 0, "%s", dump(&errs));
	ck_assert_uint_eq(vlen(env), 2);
	ck_assert_str_eq(env[0], "A=1");
	ck_assert_str_eq(env[1], "B=two");
	words_free(env);
}
END_TEST

/* no line at all: no entry, and no vector when there was none */
START_TEST(test_empty_file)
{
	const char *path = write_str("env", "");
	struct errlist errs;
	char **env = NULL;
	ck_assert_int_eq(load(path, &env, &errs), 0);
	ck_assert_ptr_null(env);
	path = write_str("env2", "\n# nothing\n\n");
	ck_assert_int_eq(load(path, &env, &errs), 0);
	ck_assert_ptr_null(env);
}
END_TEST

/* a FIFO nobody writes to: refused at once (a blocking open would hang
 * here until the test case's timeout) */
START_TEST(test_fifo_refused)
{
	const char *path = at("fifo");
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	expect_not_regular(path);
}
END_TEST

START_TEST(test_directory_refused)
{
	const char *path = at("sub");
	ck_assert_int_eq(mkdir(path, 0700), 0);
	expect_not_regular(path);
}
END_TEST

/* a device without end: refused before a byte is read */
START_TEST(test_dev_zero_refused)
{
	expect_not_regular("/dev/zero");
	expect_not_regular("/dev/null");
}
END_TEST

/* links are followed (Kubernetes mounts ConfigMaps as chains of them) to
 * what they end at, which must be a regular file */
START_TEST(test_symlinks)
{
	write_str("real", "A=linked\n");
	ck_assert_int_eq(symlink("real", at("link1")), 0);
	ck_assert_int_eq(symlink("link1", at("link2")), 0);
	struct errlist errs;
	char **env = NULL;
	ck_assert_int_eq(load(at("link2"), &env, &errs), 0);
	ck_assert_msg(errs.n == 0, "%s", dump(&errs));
	ck_assert_uint_eq(vlen(env), 1);
	ck_assert_str_eq(env[0], "A=linked");
	words_free(env);

	ck_assert_int_eq(mkfifo(at("fifo"), 0600), 0);
	ck_assert_int_eq(symlink("fifo", at("to-fifo")), 0);
	expect_not_regular(at("to-fifo"));
	ck_assert_int_eq(symlink("/dev/zero", at("to-zero")), 0);
	expect_not_regular(at("to-zero"));

	/* a dangling link: the message of a missing file, as before */
	ck_assert_int_eq(symlink("nowhere", at("dangling")), 0);
	env = NULL;
	ck_assert_int_eq(load(at("dangling"), &env, &errs), -1);
	expect_one_error(&errs, CFG ":%d: env-file '%s' of service 'svc': %s", KEYLINE,
			 at("dangling"), strerror(ENOENT));
	ck_assert_ptr_null(env);
	errlist_free(&errs);
}
END_TEST

/* a file the daemon may not read: the open error, as before */
START_TEST(test_unreadable)
{
	if (geteuid() == 0)
		return; /* root reads it anyway */
	const char *path = write_str("env", "A=1\n");
	ck_assert_int_eq(chmod(path, 0), 0);
	struct errlist errs;
	char **env = NULL;
	ck_assert_int_eq(load(path, &env, &errs), -1);
	expect_one_error(&errs, CFG ":%d: env-file '%s' of service 'svc': %s", KEYLINE, path,
			 strerror(EACCES));
	errlist_free(&errs);
}
END_TEST

/* ---- limits -------------------------------------------------------------- */

/* A file of exactly size bytes: one A=... line, then comment lines. */
static const char *file_of_size(const char *name, size_t size)
{
	char *text = malloc(size);
	ck_assert_ptr_nonnull(text);
	memset(text, '#', size);
	memcpy(text, "A=1\n", 4);
	for (size_t i = 1000; i < size; i += 1000)
		text[i] = '\n';
	const char *path = write_file(name, text, size);
	free(text);
	return path;
}

START_TEST(test_size_limit)
{
	struct errlist errs;
	char **env = NULL;
	const char *path = file_of_size("max", ENVFILE_MAX_SIZE);
	ck_assert_int_eq(load(path, &env, &errs), 0);
	ck_assert_msg(errs.n == 0, "%s", dump(&errs));
	ck_assert_uint_eq(vlen(env), 1);
	ck_assert_str_eq(env[0], "A=1");

	path = file_of_size("over", ENVFILE_MAX_SIZE + 1);
	char **before = env;
	ck_assert_int_eq(load(path, &env, &errs), -1);
	expect_one_error(&errs, CFG ":%d: %s: larger than 1 MiB", KEYLINE, path);
	ck_assert_ptr_eq(env, before);
	ck_assert_uint_eq(vlen(env), 1);
	words_free(env);
	errlist_free(&errs);
}
END_TEST

/* A line of exactly ENVFILE_MAX_LINE bytes is taken, one byte more is an
 * error naming the file and the line; the other lines are still read. */
START_TEST(test_line_limit)
{
	size_t max = ENVFILE_MAX_LINE, len = 2 * max + 64;
	char *text = malloc(len), *p = text;
	ck_assert_ptr_nonnull(text);
	p += sprintf(p, "A=1\nLONG=");
	memset(p, 'x', max - 5);
	p += max - 5;
	p += sprintf(p, "\n# next: too long\nTOOLONG=");
	memset(p, 'y', max - 7);
	p += max - 7;
	p += sprintf(p, "\nB=2\n");
	const char *path = write_file("env", text, (size_t)(p - text));
	free(text);

	struct errlist errs;
	char **env = NULL;
	ck_assert_int_eq(load(path, &env, &errs), -1);
	expect_one_error(&errs, "%s:4: line longer than 64 KiB", path);
	ck_assert_uint_eq(vlen(env), 3);
	ck_assert_str_eq(env[0], "A=1");
	ck_assert_uint_eq(strlen(env[1]), max);
	ck_assert(!strncmp(env[1], "LONG=xxx", 8));
	ck_assert_str_eq(env[2], "B=2");
	words_free(env);
	errlist_free(&errs);
}
END_TEST

/* ---- merging --------------------------------------------------------------- */

/* Within the file the last value wins, in the place of the first; the
 * entries already there (env =) override the file's; new ones go last. */
START_TEST(test_later_wins)
{
	const char *path = write_str("env", "A=file1\nB=file\nA=file2\nC=file\nD=file\nC=file3\n");
	struct errlist errs;
	char **env = vec("D=env", "E=env", "B=env", NULL);
	ck_assert_int_eq(load(path, &env, &errs), 0);
	ck_assert_msg(errs.n == 0, "%s", dump(&errs));
	const char *want[] = { "A=file2", "B=env", "C=file3", "D=env", "E=env" };
	ck_assert_uint_eq(vlen(env), 5);
	for (size_t i = 0; i < 5; i++)
		ck_assert_str_eq(env[i], want[i]);
	words_free(env);
}
END_TEST

/* a key is the text before '=': AB is not A, and A= (empty) is a value */
START_TEST(test_keys_exact)
{
	const char *path = write_str("env", "AB=1\nA=2\nA_=3\nA=\n");
	struct errlist errs;
	char **env = NULL;
	ck_assert_int_eq(load(path, &env, &errs), 0);
	ck_assert_uint_eq(vlen(env), 3);
	ck_assert_str_eq(env[0], "AB=1");
	ck_assert_str_eq(env[1], "A=");
	ck_assert_str_eq(env[2], "A_=3");
	words_free(env);
}
END_TEST

/* ---- the line syntax, as it has always been ----------------------------------- */

START_TEST(test_syntax)
{
	const char *path = write_str("env",
				     "# a comment\n"
				     "   # an indented comment\n"
				     "\n"
				     " \t \n"
				     "PLAIN=value with blanks  \n"
				     "export EXPORTED=1\n"
				     "export   SPACED = no\n"          /* key "SPACED " */
				     "SQ='single quoted'\n"
				     "DQ=\"double # not a comment\"\n"
				     "HALF='not closed\n"
				     "MIXED='x\"\n"
				     "INNER=a'b'c\n"
				     "ONE='\n"
				     "EMPTY=\n"
				     "QEMPTY=\"\"\n"
				     "CRLF=dos\r\n"
				     "EQ=a=b=c\n"
				     "  LEAD=trimmed\t\n"
				     "\xef\xbb\xbf" "BOM=1\n"
				     "noeq\n"
				     "1X=digit first\n"
				     "=nokey\n"
				     "LAST=no newline");
	struct errlist errs;
	char **env = NULL;
	ck_assert_int_eq(load(path, &env, &errs), -1);
	const char *want[] = {
		"PLAIN=value with blanks", "EXPORTED=1", "SQ=single quoted",
		"DQ=double # not a comment", "HALF='not closed", "MIXED='x\"", "INNER=a'b'c",
		"ONE='", "EMPTY=", "QEMPTY=", "CRLF=dos", "EQ=a=b=c", "LEAD=trimmed",
		"LAST=no newline",
	};
	size_t n = sizeof want / sizeof want[0];
	ck_assert_msg(vlen(env) == n, "%zu entries, expected %zu", vlen(env), n);
	for (size_t i = 0; i < n; i++)
		ck_assert_str_eq(env[i], want[i]);
	const char *errors[] = {
		":7: expected KEY=VALUE, got 'SPACED = no'",
		":19: expected KEY=VALUE, got '\xef\xbb\xbf" "BOM=1'",
		":20: expected KEY=VALUE, got 'noeq'",
		":21: expected KEY=VALUE, got '1X=digit first'",
		":22: expected KEY=VALUE, got '=nokey'",
	};
	ck_assert_msg(errs.n == 5, "%s", dump(&errs));
	for (size_t i = 0; i < 5; i++) {
		char *w = NULL;
		ck_assert_int_ge(asprintf(&w, "%s%s", path, errors[i]), 0);
		ck_assert_str_eq(errs.msgs[i], w);
		free(w);
	}
	words_free(env);
	errlist_free(&errs);
}
END_TEST

/* a value is cut at a NUL byte or a lone CR, as a C string would be */
START_TEST(test_nul_and_cr)
{
	const char text[] = "A=before\0after\nB=x\ry\nC=3\n";
	const char *path = write_file("env", text, sizeof text - 1);
	struct errlist errs;
	char **env = NULL;
	ck_assert_int_eq(load(path, &env, &errs), 0);
	ck_assert_uint_eq(vlen(env), 3);
	ck_assert_str_eq(env[0], "A=before");
	ck_assert_str_eq(env[1], "B=x");
	ck_assert_str_eq(env[2], "C=3");
	words_free(env);
}
END_TEST

/* a long error text is cut at 40 characters; after 20 bad lines one more
 * line says how many followed, from the first not shown */
START_TEST(test_many_bad_lines)
{
	char text[4096], *p = text;
	p += sprintf(p, "0123456789012345678901234567890123456789TAIL\n");
	for (int i = 2; i <= 30; i++)
		p += sprintf(p, i == 10 ? "OK=1\n" : "bad%d\n", i);
	const char *path = write_str("env", text);
	struct errlist errs;
	char **env = NULL;
	ck_assert_int_eq(load(path, &env, &errs), -1);
	ck_assert_msg(errs.n == 21, "%s", dump(&errs));
	char *w = NULL;
	ck_assert_int_ge(asprintf(&w, "%s:1: expected KEY=VALUE, got '0123456789012345678901234567890123456789'", path), 0);
	ck_assert_str_eq(errs.msgs[0], w);
	free(w);
	ck_assert_int_ge(asprintf(&w, "%s:20: expected KEY=VALUE, got 'bad20'", path), 0);
	ck_assert_str_eq(errs.msgs[18], w);
	free(w);
	ck_assert_int_ge(asprintf(&w, "%s:22: 9 more bad lines from here on, not shown", path), 0);
	ck_assert_str_eq(errs.msgs[20], w);
	free(w);
	ck_assert_uint_eq(vlen(env), 1);
	words_free(env);
	errlist_free(&errs);
}
END_TEST

/* ---- scaling, counted in hash-table probes ---------------------------------- */

static unsigned long probes_for(size_t lines, int duplicates)
{
	size_t cap = lines * 16 + 1;
	char *text = malloc(cap), *p = text;
	ck_assert_ptr_nonnull(text);
	for (size_t i = 0; i < lines; i++)
		p += sprintf(p, "K%zu=%zu\n", duplicates ? i % 100 : i, i);
	const char *path = write_file("big", text, (size_t)(p - text));
	free(text);
	struct errlist errs;
	char **env = vec("K1=env", "NEW=env", NULL);
	unsigned long before = envfile_probes;
	ck_assert_int_eq(load(path, &env, &errs), 0);
	unsigned long probes = envfile_probes - before;
	ck_assert_uint_eq(vlen(env), (duplicates ? 100 : lines) + 1);
	ck_assert_str_eq(env[1], "K1=env");
	words_free(env);
	return probes;
}

/* A quadratic merge would look at about lines^2/2 entries (3.2e9 for 80k);
 * a hash table at a few per line (about 3.6 here), whatever the count. */
START_TEST(test_linear)
{
	for (int dup = 0; dup <= 1; dup++) {
		unsigned long p20 = probes_for(20000, dup), p80 = probes_for(80000, dup);
		ck_assert_msg(p20 <= 8 * 20000, "%lu probes for 20000 lines", p20);
		ck_assert_msg(p80 <= 8 * 80000, "%lu probes for 80000 lines", p80);
		ck_assert_msg(p80 <= 5 * p20, "%lu probes for 80000 lines, %lu for 20000", p80, p20);
	}
}
END_TEST

/* ---- out of memory ------------------------------------------------------------ */

static long fail_at = -1, allocs;

/* the allocation numbered fail_at (from 0) and every one after it fail */
static void *failing_realloc(void *p, size_t n)
{
	if (fail_at >= 0 && allocs++ >= fail_at)
		return NULL;
	return realloc(p, n);
}

/* Fail every allocation in turn: each time -1, the one error "out of
 * memory", *env as it was, nothing leaked (the sanitizer build checks). */
START_TEST(test_out_of_memory)
{
	char text[8192], *p = text;
	for (int i = 0; i < 300; i++)
		p += sprintf(p, "K%d=%d\n", i % 200, i);
	const char *path = write_str("env", text);
	envfile_realloc = failing_realloc;
	long k;
	for (k = 0;; k++) {
		struct errlist errs;
		char **env = vec("K1=env", "NEW=env", NULL), **before = env;
		fail_at = k;
		allocs = 0;
		int r = load(path, &env, &errs);
		fail_at = -1;
		if (r == 0) {
			ck_assert_uint_eq(vlen(env), 201);
			words_free(env);
			errlist_free(&errs);
			break;
		}
		expect_one_error(&errs, CFG ":%d: %s: out of memory", KEYLINE, path);
		ck_assert_ptr_eq(env, before);
		ck_assert_uint_eq(vlen(env), 2);
		ck_assert_str_eq(env[0], "K1=env");
		words_free(env);
		errlist_free(&errs);
	}
	envfile_realloc = realloc;
	ck_assert_msg(k > 200, "only %ld allocations were failed", k);
}
END_TEST

/* Through config_load: out of memory in an env-file makes the config
 * invalid (so a reload keeps the old one), never "valid" with less. */
START_TEST(test_out_of_memory_config)
{
	const char *envpath = write_str("env", "A=1\nB=2\n");
	char ini[512];
	snprintf(ini, sizeof ini, "[service a]\ncommand = /bin/true\nenv = C=3\nenv-file = %s\n",
		 envpath);
	const char *cfg = write_str("muster.ini", ini);
	struct errlist errs = { 0 };
	envfile_realloc = failing_realloc;
	fail_at = 0;
	allocs = 0;
	struct config *c = config_load(cfg, &errs);
	fail_at = -1;
	envfile_realloc = realloc;
	ck_assert_ptr_null(c);
	char *want = NULL;
	ck_assert_int_ge(asprintf(&want, "%s:4: %s: out of memory", cfg, envpath), 0);
	ck_assert_msg(errs.n == 1 && !strcmp(errs.msgs[0], want), "expected '%s':%s", want, dump(&errs));
	free(want);
	errlist_free(&errs);

	/* and with memory, the same config loads */
	c = config_load(cfg, &errs);
	ck_assert_msg(c != NULL, "%s", dump(&errs));
	ck_assert_uint_eq(vlen(c->services[0].env), 3);
	config_free(c);
}
END_TEST

/* ---- envmap on its own ------------------------------------------------------ */

START_TEST(test_envmap)
{
	struct envmap m = { 0 };
	char a1[] = "A=1", a2[] = "A=2", b[] = "B=1", bare[] = "A", ab[] = "AB=x";
	char *old = a1;

	ck_assert_int_eq(envmap_reserve(&m, 0), 0);
	ck_assert_ptr_null(m.v[0]); /* NULL-terminated once allocated */
	ck_assert_int_eq(envmap_put(&m, a1, &old), 0);
	ck_assert_ptr_null(old);
	ck_assert_int_eq(envmap_put(&m, b, NULL), 0);
	ck_assert_int_eq(envmap_put(&m, bare, &old), 0); /* "A" is not "A=..." */
	ck_assert_ptr_null(old);
	ck_assert_int_eq(envmap_put(&m, ab, &old), 0);
	ck_assert_int_eq(envmap_put(&m, a2, &old), 0);
	ck_assert_ptr_eq(old, a1);
	ck_assert_uint_eq(m.n, 4);
	ck_assert_ptr_eq(m.v[0], a2);
	ck_assert_ptr_eq(m.v[1], b);
	ck_assert_ptr_eq(m.v[2], bare);
	ck_assert_ptr_eq(m.v[3], ab);
	ck_assert_ptr_null(m.v[4]);

	/* after a reservation, puts allocate nothing */
	ck_assert_int_eq(envmap_reserve(&m, 1000), 0);
	envfile_realloc = failing_realloc;
	fail_at = 0;
	allocs = 0;
	char keys[996][16];
	for (int i = 0; i < 996; i++) {
		snprintf(keys[i], sizeof keys[i], "K%d=", i);
		ck_assert_int_eq(envmap_put(&m, keys[i], NULL), 0);
	}
	/* ... and beyond it, a failed allocation leaves the map as it was */
	char more[] = "MORE=1";
	ck_assert_int_eq(envmap_put(&m, more, NULL), -1);
	fail_at = -1;
	envfile_realloc = realloc;
	ck_assert_uint_eq(m.n, 1000);
	ck_assert_ptr_eq(m.v[999], keys[995]);
	ck_assert_ptr_null(m.v[1000]);
	envmap_free(&m);
}
END_TEST

static Suite *envfile_suite(void)
{
	Suite *s = suite_create("envfile");
	TCase *tc = tcase_create("files");
	tcase_add_checked_fixture(tc, setup, teardown);
	/* a FIFO must not block: a few seconds are plenty for everything here */
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_regular_file);
	tcase_add_test(tc, test_empty_file);
	tcase_add_test(tc, test_fifo_refused);
	tcase_add_test(tc, test_directory_refused);
	tcase_add_test(tc, test_dev_zero_refused);
	tcase_add_test(tc, test_symlinks);
	tcase_add_test(tc, test_unreadable);
	tcase_add_test(tc, test_size_limit);
	tcase_add_test(tc, test_line_limit);
	tcase_add_test(tc, test_later_wins);
	tcase_add_test(tc, test_keys_exact);
	tcase_add_test(tc, test_syntax);
	tcase_add_test(tc, test_nul_and_cr);
	tcase_add_test(tc, test_many_bad_lines);
	tcase_add_test(tc, test_linear);
	tcase_add_test(tc, test_out_of_memory);
	tcase_add_test(tc, test_out_of_memory_config);
	tcase_add_test(tc, test_envmap);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(envfile_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
