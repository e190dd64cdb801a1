/* muster.ini(5) documents exactly the keys of the tables (src/keys.c): each
 * row has its entry, ".It Cm KEY No = ...", in its section's list, with
 * the row's default; the man page has no entry for a key the table lacks.
 * So a new key without its man page entry, or a stale entry, fails here. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "keys.h"

struct entry {
	char name[64];
	char *text;     /* the entry's lines, up to the next entry */
};

struct section {
	struct entry e[100];
	size_t n;
};

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	ck_assert_msg(f != NULL, "cannot open %s (run from the top of the tree)", path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	rewind(f);
	char *buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(fread(buf, 1, (size_t)n, f), n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* The key entries of the list under ".Sh TITLE": the ".It Cm KEY No ="
 * items at its outer level (a nested list, such as type's values, is part
 * of an entry's text). */
static void read_section(const char *page, const char *title, struct section *sec)
{
	char want[128];
	snprintf(want, sizeof want, "\n.Sh %s\n", title);
	const char *p = strstr(page, want);
	ck_assert_msg(p != NULL, "man/muster.ini.5 has no section \"%s\"", title);
	p += strlen(want);
	const char *end = strstr(p, "\n.Sh ");
	ck_assert_ptr_nonnull(end);

	int depth = 0;
	struct entry *cur = NULL;
	const char *cur_start = NULL;
	sec->n = 0;
	for (const char *line = p; line < end; line = strchr(line, '\n') + 1) {
		size_t len = (size_t)(strchr(line, '\n') - line);
		bool item = depth == 1 && !strncmp(line, ".It ", 4);
		bool close = !strncmp(line, ".El", 3) && depth == 1;
		if ((item || close) && cur) {
			cur->text = strndup(cur_start, (size_t)(line - cur_start));
			cur = NULL;
		}
		if (!strncmp(line, ".Bl", 3))
			depth++;
		else if (!strncmp(line, ".El", 3))
			depth--;
		char name[64];
		int used = 0;
		if (item && sscanf(line, ".It Cm %63s No =%n", name, &used) == 1 && used > 0 &&
		    (size_t)used <= len) {
			ck_assert_uint_lt(sec->n, sizeof sec->e / sizeof sec->e[0]);
			cur = &sec->e[sec->n++];
			snprintf(cur->name, sizeof cur->name, "%s", name);
			cur_start = line;
		}
	}
	ck_assert_msg(cur == NULL, "the list under \"%s\" is not closed", title);
}

static void free_section(struct section *sec)
{
	for (size_t i = 0; i < sec->n; i++)
		free(sec->e[i].text);
}

static const struct entry *entry_of(const struct section *sec, const char *name)
{
	for (size_t i = 0; i < sec->n; i++)
		if (!strcmp(sec->e[i].name, name))
			return &sec->e[i];
	return NULL;
}

/* Every row has an entry with its default; every entry is a row. */
static void check_table(const struct key_table *t, const char *title)
{
	char *page = slurp("man/muster.ini.5");
	struct section sec;
	int bad = 0;

	read_section(page, title, &sec);
	for (size_t i = 0; i < t->n; i++) {
		const struct key *k = &t->rows[i];
		const struct entry *e = entry_of(&sec, k->name);
		if (!e) {
			fprintf(stderr, "man/muster.ini.5, %s: no \".It Cm %s No = ...\"\n", title, k->name);
			bad++;
			continue;
		}
		if (!k->def)
			continue;
		char want[128];
		snprintf(want, sizeof want, "Default: %s", k->def);
		const char *d = strstr(e->text, want);
		if (!d || (d[strlen(want)] != '.' && d[strlen(want)] != ',')) {
			fprintf(stderr, "man/muster.ini.5: %s does not say \"%s.\"\n", k->name, want);
			bad++;
		}
	}
	for (size_t i = 0; i < sec.n; i++)
		if (!keys_find(t, sec.e[i].name)) {
			fprintf(stderr, "man/muster.ini.5, %s: \"%s\" is no key of %s\n", title,
				sec.e[i].name, t->section);
			bad++;
		}
	ck_assert_uint_eq(sec.n, t->n);
	free_section(&sec);
	free(page);
	ck_assert_int_eq(bad, 0);
}

START_TEST(service_keys_documented)
{
	check_table(&keys_service, "SERVICE SECTIONS");
}
END_TEST

START_TEST(muster_keys_documented)
{
	check_table(&keys_muster, "THE [muster] SECTION");
}
END_TEST

/* The tables are what the parser accepts: every row is known to it (its
 * value may be wrong, but it is never an "unknown key"), and a key not in
 * the tables is unknown. */
START_TEST(tables_match_the_parser)
{
	char path[] = "/tmp/muster-docs-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	FILE *f = fdopen(fd, "w");
	fprintf(f, "[muster]\n");
	for (size_t i = 0; i < keys_muster.n; i++)
		fprintf(f, "%s = x\n", keys_muster.rows[i].name);
	fprintf(f, "no-such-key = 1\n[service s]\n");
	for (size_t i = 0; i < keys_service.n; i++)
		fprintf(f, "%s = x\n", keys_service.rows[i].name);
	fclose(f);
	struct errlist errs = { 0 };
	struct config *c = config_load(path, &errs);
	unlink(path);
	ck_assert_ptr_null(c);
	int unknown = 0;
	for (size_t i = 0; i < errs.n; i++)
		if (strstr(errs.msgs[i], "unknown key")) {
			unknown++;
			ck_assert_msg(strstr(errs.msgs[i], "'no-such-key'"), "%s", errs.msgs[i]);
		}
	ck_assert_int_eq(unknown, 1);
	errlist_free(&errs);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("docs");
	TCase *tc = tcase_create("keys");
	tcase_add_test(tc, service_keys_documented);
	tcase_add_test(tc, muster_keys_documented);
	tcase_add_test(tc, tables_match_the_parser);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
