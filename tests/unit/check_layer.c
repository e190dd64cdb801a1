/* Unit tests for src/layer.c: ${VAR} expansion and its quoting, glob
 * order, instance names; and, through config_load() on a directory of
 * files, include, [override NAME], instances and their FILE:LINE errors. */
#include <check.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "keys.h"
#include "layer.h"
#include "parse.h"

/* ---- helpers --------------------------------------------------------- */

static char dir[64];

static void make_dir(void)
{
	strcpy(dir, "/tmp/muster-check-layer-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void rm_tree(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* DIR/NAME holds text (directories on the way are made). */
static void put_file(const char *name, const char *text)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	for (char *p = path + strlen(dir) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(path, 0700);
		*p = '/';
	}
	FILE *f = fopen(path, "w");
	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	fputs(text, f);
	fclose(f);
}

static char *path_of(const char *name)
{
	static char path[256];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	return path;
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

static struct config *load_ok(const char *name)
{
	struct errlist errs = { 0 };
	struct config *c = config_load(path_of(name), &errs);
	ck_assert_msg(c != NULL, "config should be valid:%s", dump(&errs));
	errlist_free(&errs);
	return c;
}

/* Load NAME, which must fail with exactly these errors (in this order);
 * each is "FILE:LINE: message" with FILE relative to the directory. */
static void expect_errs_v(const char *name, const char *const *want)
{
	struct errlist errs = { 0 };
	struct config *c = config_load(path_of(name), &errs);
	ck_assert_msg(c == NULL, "config should be invalid");
	size_t n = 0;
	for (; want[n]; n++) {
		char full[1024];
		snprintf(full, sizeof full, "%s/%s", dir, want[n]);
		ck_assert_msg(n < errs.n && !strcmp(errs.msgs[n], full), "error %zu: want\n  %s\ngot:%s",
			      n, full, dump(&errs));
	}
	ck_assert_msg(errs.n == n, "expected %zu errors, got:%s", n, dump(&errs));
	errlist_free(&errs);
}
#define EXPECT_ERRS(name, ...) expect_errs_v((name), (const char *const[]){ __VA_ARGS__, NULL })

static const struct svc_conf *svc(const struct config *c, const char *name)
{
	long i = config_find(c, name);
	ck_assert_msg(i >= 0, "no service '%s'", name);
	return &c->services[i];
}

static void expect_words(const char *v, ...)
{
	char **words;
	const char *e = NULL;
	va_list ap;
	ck_assert_msg(split_words(v, &words, NULL, &e) == 0, "'%s': %s", v, e);
	va_start(ap, v);
	size_t i = 0;
	for (const char *w; (w = va_arg(ap, const char *)); i++) {
		ck_assert_msg(words[i] != NULL, "'%s': word %zu missing", v, i);
		ck_assert_str_eq(words[i], w);
	}
	va_end(ap);
	ck_assert_msg(words[i] == NULL, "'%s': more than %zu words", v, i);
	words_free(words);
}

static char *expand_ok(const char *v, bool quote, const char *instance)
{
	char err[200];
	char *r = layer_expand(v, quote, instance, err, sizeof err);
	ck_assert_msg(r != NULL, "'%s': %s", v, err);
	return r;
}

static void expect_expand(const char *v, bool quote, const char *want)
{
	char *r = expand_ok(v, quote, NULL);
	ck_assert_str_eq(r, want);
	free(r);
}

static void expect_expand_err(const char *v, const char *want)
{
	char err[200];
	char *r = layer_expand(v, true, NULL, err, sizeof err);
	ck_assert_msg(r == NULL, "'%s' expanded to '%s'", v, r);
	ck_assert_str_eq(err, want);
}

/* ---- expansion -------------------------------------------------------- */

START_TEST(test_expand_values)
{
	setenv("MT_A", "one", 1);
	setenv("MT_EMPTY", "", 1);
	unsetenv("MT_UNSET");
	expect_expand("plain text", false, "plain text");
	expect_expand("${MT_A}", false, "one");
	expect_expand("x${MT_A}y ${MT_A}", false, "xoney one");
	/* $$ is a literal $; a $ before anything but { or $ is kept */
	expect_expand("$$", false, "$");
	expect_expand("$${MT_A}", false, "${MT_A}");
	expect_expand("$$$$ $1 $x $(date) $((1+1)) $", false, "$$ $1 $x $(date) $((1+1)) $");
	/* other forms of ${...} are the shell's: kept (a ${VAR} in them is ours) */
	expect_expand("${} ${1} ${#X} ${X-y} ${X:?e} ${X%.ini} ${", false,
		      "${} ${1} ${#X} ${X-y} ${X:?e} ${X%.ini} ${");
	expect_expand("${X-${MT_A}}", false, "${X-one}");
	expect_expand("'${X-y}'", true, "'${X-y}'");
	/* defaults: for unset and for empty */
	expect_expand("${MT_UNSET:-d}", false, "d");
	expect_expand("${MT_EMPTY:-d}", false, "d");
	expect_expand("${MT_A:-d}", false, "one");
	expect_expand("${MT_EMPTY}", false, "");
	expect_expand("${MT_UNSET:-}", false, "");
	expect_expand("${MT_UNSET:-a b:c}", false, "a b:c");
	expect_expand("${MT_UNSET:-${MT_A}}", false, "one");
	expect_expand("${MT_UNSET:-${MT_UNSET:-x}y}z", false, "xyz");
	expect_expand("${MT_UNSET:-$$}", false, "$");
	/* INSTANCE: the instance's number, not the environment's */
	setenv("INSTANCE", "env", 1);
	char *r = expand_ok("w${INSTANCE}", false, "3");
	ck_assert_str_eq(r, "w3");
	free(r);
	r = expand_ok("w${INSTANCE}", false, NULL);
	ck_assert_str_eq(r, "wenv");
	free(r);
	unsetenv("INSTANCE");
}
END_TEST

START_TEST(test_expand_errors)
{
	unsetenv("MT_UNSET");
	expect_expand_err("a ${MT_UNSET} b",
			  "${MT_UNSET} is not set, and has no default (${MT_UNSET:-DEFAULT} gives one)");
	expect_expand_err("${MT_UNSET:-${MT_UNSET}}",
			  "${MT_UNSET} is not set, and has no default (${MT_UNSET:-DEFAULT} gives one)");
	expect_expand_err("x ${MT_A", "unterminated '${MT_A' (no closing '}')");
	expect_expand_err("${MT_UNSET:-${X}", "unterminated '${MT_UNSET:-' (no closing '}')");
	expect_expand_err("${A:-${B:-${C:-${D:-${E:-${F:-${G:-${H:-${I:-x}}}}}}}}}",
			  "defaults nested more than 8 deep");
}
END_TEST

/* In a value split into words, an expansion stays one word, whatever it
 * holds and wherever it lands. */
START_TEST(test_expand_quoting)
{
	setenv("MT_SP", "two words", 1);
	setenv("MT_Q", "it's \"q\" $HOME `x` \\", 1);
	unsetenv("MT_UNSET");
	char *r;

	r = expand_ok("prog ${MT_SP} end", true, NULL);
	ck_assert_str_eq(r, "prog 'two words' end");
	expect_words(r, "prog", "two words", "end", NULL);
	free(r);
	r = expand_ok("prog --opt=${MT_SP}x", true, NULL);
	expect_words(r, "prog", "--opt=two wordsx", NULL);
	free(r);
	r = expand_ok("prog ${MT_Q}", true, NULL);
	expect_words(r, "prog", "it's \"q\" $HOME `x` \\", NULL);
	free(r);
	r = expand_ok("prog \"a ${MT_Q} b\"", true, NULL);
	expect_words(r, "prog", "a it's \"q\" $HOME `x` \\ b", NULL);
	free(r);
	r = expand_ok("prog 'a ${MT_Q} b'", true, NULL);
	expect_words(r, "prog", "a it's \"q\" $HOME `x` \\ b", NULL);
	free(r);
	/* an empty expansion is an empty word, as "$X" is in sh */
	r = expand_ok("prog ${MT_UNSET:-} end", true, NULL);
	expect_words(r, "prog", "", "end", NULL);
	free(r);
	/* a default is one word too */
	r = expand_ok("prog ${MT_UNSET:-a b}", true, NULL);
	expect_words(r, "prog", "a b", NULL);
	free(r);
	/* escaped: \$ is literal where words are split, as in sh; $$ too */
	r = expand_ok("echo \\${MT_SP} $${MT_SP} \"\\${MT_SP}\"", true, NULL);
	expect_words(r, "echo", "${MT_SP}", "${MT_SP}", "${MT_SP}", NULL);
	free(r);
	/* not split: inserted as it is */
	expect_expand("/srv/${MT_SP}", false, "/srv/two words");
}
END_TEST

/* What is quoted for split_words() is quoted for sh -c too. */
START_TEST(test_expand_quoting_sh)
{
	setenv("MT_Q", "it's \"q\" $HOME `x` \\ *", 1);
	const char *forms[] = { "printf %s ${MT_Q}", "printf %s \"${MT_Q}\"", "printf %s '${MT_Q}'" };
	for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
		char *r = expand_ok(forms[i], true, NULL);
		char *cmd = NULL;
		ck_assert_int_ge(asprintf(&cmd, "cd / && %s", r), 0);
		FILE *p = popen(cmd, "r");
		ck_assert_ptr_nonnull(p);
		char out[256] = "";
		size_t n = fread(out, 1, sizeof out - 1, p);
		out[n] = '\0';
		pclose(p);
		ck_assert_str_eq(out, "it's \"q\" $HOME `x` \\ *");
		free(cmd);
		free(r);
	}
}
END_TEST

/* ---- globs and names -------------------------------------------------- */

START_TEST(test_glob_order)
{
	make_dir();
	const char *names[] = { "d/b.ini", "d/a.ini", "d/10-x.ini", "d/9-y.ini", "d/B.ini",
				"d/a.ini~", "d/.hidden.ini", "d/sub.ini/x" };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		put_file(names[i], "");
	char **files;
	ck_assert_int_eq(layer_glob("d/*.ini", dir, &files), 0);
	const char *want[] = { "d/10-x.ini", "d/9-y.ini", "d/B.ini", "d/a.ini", "d/b.ini" };
	size_t n = 0;
	for (; files[n]; n++) {
		ck_assert_uint_lt(n, 5);
		char full[256];
		snprintf(full, sizeof full, "%s/%s", dir, want[n]);
		ck_assert_str_eq(files[n], full); /* byte order; the directory left out */
	}
	ck_assert_uint_eq(n, 5);
	words_free(files);
	/* nothing matches: none */
	ck_assert_int_eq(layer_glob("d/*.conf", dir, &files), 0);
	ck_assert_ptr_null(files[0]);
	words_free(files);
	/* a name, not a glob: itself (whether or not it exists) */
	ck_assert_int_eq(layer_glob("nothere.ini", dir, &files), 0);
	ck_assert_str_eq(files[0], path_of("nothere.ini"));
	ck_assert_ptr_null(files[1]);
	words_free(files);
	/* absolute: not relative to dir */
	ck_assert_int_eq(layer_glob("/etc/x.ini", dir, &files), 0);
	ck_assert_str_eq(files[0], "/etc/x.ini");
	words_free(files);
	rm_tree();
}
END_TEST

START_TEST(test_instance_names)
{
	char buf[KEYS_MAX_NAME + 1];
	ck_assert_int_eq(layer_instance_name("worker", 2, buf, sizeof buf), 0);
	ck_assert_str_eq(buf, "worker@2");
	ck_assert(keys_name_valid(buf));
	char base[KEYS_MAX_NAME + 1];
	memset(base, 'a', KEYS_MAX_NAME - 2);
	base[KEYS_MAX_NAME - 2] = '\0';
	ck_assert_int_eq(layer_instance_name(base, 9, buf, sizeof buf), 0);
	ck_assert_int_eq(layer_instance_name(base, 10, buf, sizeof buf), -1);
}
END_TEST

/* ---- include ---------------------------------------------------------- */

START_TEST(test_include_order)
{
	make_dir();
	/* relative to the including file; read in order after it, depth first */
	put_file("main.ini", "[muster]\ninclude = conf.d/*.ini\ninclude = extra/last.ini\n"
			     "[service base]\ncommand = /bin/true\n");
	put_file("conf.d/20-b.ini", "[service b]\ncommand = /bin/true\n");
	put_file("conf.d/10-a.ini", "[muster]\ninclude = ../more/*.ini\n[service a]\ncommand = /bin/true\n");
	put_file("more/x.ini", "[service x]\ncommand = /bin/true\n");
	put_file("extra/last.ini", "[service last]\ncommand = /bin/true\n");
	struct config *c = load_ok("main.ini");
	const char *files[] = { "main.ini", "conf.d/10-a.ini", "conf.d/../more/x.ini",
				"conf.d/20-b.ini", "extra/last.ini" };
	size_t n = 0;
	for (; c->files[n]; n++) {
		ck_assert_uint_lt(n, 5);
		ck_assert_str_eq(c->files[n], path_of(files[n]));
	}
	ck_assert_uint_eq(n, 5);
	const char *order[] = { "base", "a", "x", "b", "last" };
	ck_assert_uint_eq(c->nservices, 5);
	for (size_t i = 0; i < 5; i++)
		ck_assert_str_eq(c->services[i].name, order[i]);
	config_free(c);

	/* several words on a line, and a glob that matches nothing */
	put_file("two.ini", "[muster]\ninclude = extra/last.ini more/x.ini none/*.ini\n");
	c = load_ok("two.ini");
	ck_assert_uint_eq(c->nservices, 2);
	config_free(c);
	rm_tree();
}
END_TEST

START_TEST(test_include_errors)
{
	make_dir();
	/* a cycle names its files; a missing file is an error at its include */
	put_file("a.ini", "[muster]\ninclude = b.ini\n");
	put_file("b.ini", "; b\n[muster]\ninclude = c.ini\n");
	put_file("c.ini", "[muster]\ninclude = missing.ini a.ini\n");
	char want[3][512];
	snprintf(want[0], sizeof want[0], "c.ini:2: cannot read included file '%s': No such file or directory",
		 path_of("missing.ini"));
	snprintf(want[1], sizeof want[1], "c.ini:2: include cycle: %s -> %s/b.ini -> %s/c.ini -> %s/a.ini",
		 path_of("a.ini"), dir, dir, dir);
	EXPECT_ERRS("a.ini", want[0], want[1]);

	/* errors in included files are at their own FILE:LINE */
	put_file("main.ini", "[muster]\ninclude = d/*.ini\n[service a]\ncommand = /bin/true\n"
			     "depends = nosuch\n");
	put_file("d/1.ini", "\n[service b]\ncommand = /bin/true\nrestart = sometimes\n");
	put_file("d/2.ini", "[service c]\ncomand = x\n");
	EXPECT_ERRS("main.ini", "main.ini:5: service 'a' depends on unknown service 'nosuch'",
		    "d/1.ini:4: invalid restart 'sometimes' in [service b] (expected no, on-failure or always)",
		    "d/2.ini:1: service 'c' has no 'command'",
		    "d/2.ini:2: unknown key 'comand' in [service c] (did you mean 'command'?)");
	rm_tree();
}
END_TEST

START_TEST(test_include_error_places)
{
	make_dir();
	put_file("main.ini", "[muster]\ninclude = d/*.ini\n[service a]\ncommand = /bin/true\n");
	put_file("d/2.ini", "[service a]\ncommand = y\n");
	char want[512];
	snprintf(want, sizeof want, "d/2.ini:1: duplicate service 'a' (first defined at %s:3)",
		 path_of("main.ini"));
	EXPECT_ERRS("main.ini", want);
	/* include belongs in [muster]; a directory named is an error */
	put_file("sub/x", "");
	put_file("m2.ini", "[service a]\ncommand = y\ninclude = d/2.ini\n[muster]\ninclude = sub\n");
	snprintf(want, sizeof want, "m2.ini:5: cannot read included file '%s': Is a directory",
		 path_of("sub"));
	EXPECT_ERRS("m2.ini", "m2.ini:3: key 'include' belongs in [muster], not in [service a]", want);
	rm_tree();
}
END_TEST

/* ---- overrides -------------------------------------------------------- */

START_TEST(test_override_merging)
{
	make_dir();
	put_file("main.ini", "[muster]\ngraceful-timeout = 3s\ninclude = d/*.ini\n"
			     "[service db]\ncommand = /bin/db\n"
			     "[service web]\ncommand = /bin/web --old\nrestart = always\n"
			     "depends = db\nenv = A=1 B=2\nstop-timeout = 5s\n");
	put_file("d/10.ini", "[override web]\ncommand = /bin/web --new\ndepends-add = cache\n"
			     "env-add = B=3 C=4\n[service cache]\ncommand = /bin/cache\n"
			     "[muster]\ngraceful-timeout = 4s\n");
	put_file("d/20.ini", "[override web]\nstop-timeout = 7s\nafter-add = db\n");
	struct config *c = load_ok("main.ini");
	const struct svc_conf *w = svc(c, "web");
	ck_assert_str_eq(w->command, "/bin/web --new");
	ck_assert_int_eq(w->restart, RESTART_ALWAYS);  /* not overridden: kept */
	ck_assert_double_eq(w->stop_timeout, 7);        /* the later override wins */
	ck_assert_str_eq(w->depends[0], "db");
	ck_assert_str_eq(w->depends[1], "cache");
	ck_assert_ptr_null(w->depends[2]);
	ck_assert_str_eq(w->after[0], "db");
	ck_assert_str_eq(w->env[0], "A=1");
	ck_assert_str_eq(w->env[1], "B=3");
	ck_assert_str_eq(w->env[2], "C=4");
	ck_assert_ptr_null(w->env[3]);
	ck_assert_double_eq(c->graceful_timeout, 4);    /* a later file's [muster] */
	config_free(c);

	/* a plain key replaces every line of a list key */
	put_file("d/30.ini", "[override web]\ndepends = cache\nenv = Z=1\n");
	c = load_ok("main.ini");
	w = svc(c, "web");
	ck_assert_str_eq(w->depends[0], "cache");
	ck_assert_ptr_null(w->depends[1]);
	ck_assert_str_eq(w->env[0], "Z=1");
	ck_assert_ptr_null(w->env[1]);
	config_free(c);

	/* an override before the service it changes (in the order read) */
	put_file("first.ini", "[muster]\ninclude = svc.ini\n[override s]\ncommand = /bin/new\n");
	put_file("svc.ini", "[service s]\ncommand = /bin/old\n");
	c = load_ok("first.ini");
	ck_assert_str_eq(svc(c, "s")->command, "/bin/new");
	config_free(c);
	rm_tree();
}
END_TEST

START_TEST(test_override_errors)
{
	make_dir();
	put_file("main.ini", "[service a]\ncommand = x\ndepends-add = b\n[service b]\ncommand = y\n"
			     "[override nosuch]\ncommand = z\n[override a]\ncommand-add = q\n"
			     "[override]\n");
	EXPECT_ERRS("main.ini",
		    "main.ini:3: 'depends-add' adds to a service in [override NAME]; in [service a], repeat 'depends'",
		    "main.ini:6: [override nosuch] of an undefined service: there is no [service nosuch]",
		    "main.ini:9: unknown key 'command-add' in [service a]",
		    "main.ini:10: [override] needs a name: [override NAME]");
	rm_tree();
}
END_TEST

/* A changed override changes its service only: the reload diff. */
START_TEST(test_override_reload_diff)
{
	make_dir();
	put_file("main.ini", "[muster]\ninclude = d/*.ini\n[service a]\ncommand = /bin/a\n"
			     "[service b]\ncommand = /bin/b\n");
	put_file("d/o.ini", "[override a]\nstop-timeout = 3s\n");
	struct config *c1 = load_ok("main.ini");
	put_file("d/o.ini", "[override a]\nstop-timeout = 4s\n");
	struct config *c2 = load_ok("main.ini");
	ck_assert(!svc_conf_equal(svc(c1, "a"), svc(c2, "a")));
	ck_assert(svc_conf_equal(svc(c1, "b"), svc(c2, "b")));
	/* a file added under the glob: its service is there */
	put_file("d/p.ini", "[service new]\ncommand = /bin/new\n");
	struct config *c3 = load_ok("main.ini");
	ck_assert_int_ge(config_find(c3, "new"), 0);
	ck_assert(svc_conf_equal(svc(c2, "a"), svc(c3, "a")));
	config_free(c1);
	config_free(c2);
	config_free(c3);
	rm_tree();
}
END_TEST

/* ---- expansion in the config ----------------------------------------- */

START_TEST(test_config_expansion)
{
	make_dir();
	setenv("MT_PORT", "9090", 1);
	setenv("MT_ARGS", "a b", 1);
	setenv("MT_DIR", "d", 1);
	unsetenv("MT_UNSET");
	put_file("d/inc.ini", "[service inc]\ncommand = /bin/true\n");
	put_file("main.ini", "[muster]\ninclude = ${MT_DIR}/*.ini\ngraceful-timeout = ${MT_UNSET:-2s}\n"
			     "[service a]\ncommand = /bin/echo ${MT_ARGS} $1 \"$$x\"\n"
			     "env = V=${MT_ARGS}\n"
			     "directory = /srv/${MT_ARGS}\n"
			     "ready-check = test ${MT_ARGS} = 'a b'\n"
			     "[service b]\ncommand = /bin/true\nready-tcp = ${MT_PORT}\n");
	struct config *c = load_ok("main.ini");
	const struct svc_conf *a = svc(c, "a");
	ck_assert_str_eq(a->argv[0], "/bin/echo");
	ck_assert_str_eq(a->argv[1], "a b");
	ck_assert_str_eq(a->argv[2], "$1");
	ck_assert_str_eq(a->argv[3], "$x");
	ck_assert_ptr_null(a->argv[4]);
	ck_assert_str_eq(svc(c, "b")->ready_tcp_port, "9090");
	ck_assert_str_eq(a->env[0], "V=a b");
	ck_assert_str_eq(a->directory, "/srv/a b");
	ck_assert_str_eq(a->ready_check, "test 'a b' = 'a b'");
	ck_assert_double_eq(c->graceful_timeout, 2);
	ck_assert_int_ge(config_find(c, "inc"), 0);
	config_free(c);

	put_file("bad.ini", "[service a]\ncommand = /bin/echo\n  ${MT_UNSET}\nready-tcp = ${MT_UNSET:-x}\n");
	EXPECT_ERRS("bad.ini",
		    "bad.ini:2: 'command': ${MT_UNSET} is not set, and has no default (${MT_UNSET:-DEFAULT} gives one)",
		    "bad.ini:4: invalid ready-tcp 'x' in [service a] (expected HOST:PORT, [IPV6]:PORT or PORT)");
	rm_tree();
}
END_TEST

/* ---- instances -------------------------------------------------------- */

START_TEST(test_instances)
{
	make_dir();
	put_file("main.ini", "[service worker]\ninstances = 4\ncommand = /bin/w --id ${INSTANCE}\n"
			     "[service web]\ncommand = /bin/web\ndepends = worker\n"
			     "[service one]\ninstances = 1\ncommand = /bin/one ${INSTANCE}\n"
			     "[override worker@2]\ncommand = /bin/special\n");
	struct config *c = load_ok("main.ini");
	ck_assert_uint_eq(c->nservices, 6);
	ck_assert_int_lt(config_find(c, "worker"), 0);
	for (int i = 1; i <= 4; i++) {
		char name[16], id[4];
		snprintf(name, sizeof name, "worker@%d", i);
		snprintf(id, sizeof id, "%d", i);
		const struct svc_conf *w = svc(c, name);
		ck_assert_str_eq(w->base, "worker");
		ck_assert_int_eq(w->instance, i);
		ck_assert_int_eq(w->instances, 4);
		if (i == 2) {
			ck_assert_str_eq(w->argv[0], "/bin/special");
		} else {
			ck_assert_str_eq(w->argv[2], id);
		}
	}
	size_t n;
	ck_assert_int_eq(config_instances(c, "worker", &n), config_find(c, "worker@1"));
	ck_assert_uint_eq(n, 4);
	ck_assert_int_lt(config_instances(c, "web", &n), 0);
	/* depends = worker: waits for all four */
	const struct svc_conf *web = svc(c, "web");
	ck_assert_uint_eq(web->ndep, 4);
	for (size_t i = 0; i < 4; i++)
		ck_assert_str_eq(c->services[web->dep_idx[i]].base, "worker");
	ck_assert_int_eq(c->levels[config_find(c, "web")], 1);
	/* instances = 1 (the default too): the plain name, ${INSTANCE} is 1 */
	const struct svc_conf *one = svc(c, "one");
	ck_assert_ptr_null(one->base);
	ck_assert_str_eq(one->argv[1], "1");
	config_free(c);

	/* a count from the environment, and an override changing it */
	setenv("MT_N", "3", 1);
	put_file("env.ini", "[service w]\ninstances = ${MT_N}\ncommand = /bin/w\n"
			    "[override w]\ninstances = 2\n");
	c = load_ok("env.ini");
	ck_assert_uint_eq(c->nservices, 2);
	config_free(c);
	rm_tree();
}
END_TEST

START_TEST(test_instance_errors)
{
	make_dir();
	char longname[80];
	memset(longname, 'n', 62);
	longname[62] = '\0';
	char text[512], want[256];
	snprintf(text, sizeof text, "[service w]\ninstances = 0\ncommand = x\n"
		 "[service v]\ninstances = 3\ncommand = x\n[service v@2]\ncommand = y\n"
		 "[override v@3]\ninstances = 2\n"
		 "[service %s]\ninstances = 10\ncommand = x\n", longname);
	put_file("main.ini", text);
	snprintf(want, sizeof want, "main.ini:12: instance name '%s@10' is longer than 64 characters",
		 longname);
	EXPECT_ERRS("main.ini",
		    "main.ini:2: invalid instances '0' in [service w] (expected a count from 1 to 1000)",
		    "main.ini:7: duplicate service 'v@2' (first defined on line 4 as instance 2 of 'v')",
		    "main.ini:10: [override v@3] is of one instance of 'v'; 'instances' goes in [service v] or [override v]",
		    want);
	rm_tree();
}
END_TEST

static Suite *layer_suite(void)
{
	Suite *s = suite_create("layer");
	TCase *tc = tcase_create("expand");
	tcase_add_test(tc, test_expand_values);
	tcase_add_test(tc, test_expand_errors);
	tcase_add_test(tc, test_expand_quoting);
	tcase_add_test(tc, test_expand_quoting_sh);
	suite_add_tcase(s, tc);
	tc = tcase_create("files");
	tcase_add_test(tc, test_glob_order);
	tcase_add_test(tc, test_instance_names);
	tcase_add_test(tc, test_include_order);
	tcase_add_test(tc, test_include_errors);
	tcase_add_test(tc, test_include_error_places);
	suite_add_tcase(s, tc);
	tc = tcase_create("merge");
	tcase_add_test(tc, test_override_merging);
	tcase_add_test(tc, test_override_errors);
	tcase_add_test(tc, test_override_reload_diff);
	tcase_add_test(tc, test_config_expansion);
	tcase_add_test(tc, test_instances);
	tcase_add_test(tc, test_instance_errors);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(layer_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
