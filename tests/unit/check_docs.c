/* Every key the parser accepts is documented: the comparison comes from
 * the parser's own tables (config_muster_keys, config_service_keys), so a
 * new key without a man page entry fails here. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

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

/* ".It Cm KEY" at the start of a line, exactly that key */
static int documented(const char *page, const char *key)
{
	char want[128];
	snprintf(want, sizeof want, "\n.It Cm %s", key);
	for (const char *p = strstr(page, want); p; p = strstr(p + 1, want)) {
		char after = p[strlen(want)];
		if (after == '\n' || after == ' ')
			return 1;
	}
	return 0;
}

START_TEST(every_service_key_documented)
{
	char *page = slurp("man/muster.ini.5");
	int missing = 0;
	for (const char *const *k = config_service_keys; *k; k++)
		if (!documented(page, *k)) {
			fprintf(stderr, "man/muster.ini.5 lacks \".It Cm %s\"\n", *k);
			missing++;
		}
	free(page);
	ck_assert_int_eq(missing, 0);
}
END_TEST

START_TEST(every_muster_key_documented)
{
	char *page = slurp("man/muster.ini.5");
	int missing = 0;
	for (const char *const *k = config_muster_keys; *k; k++)
		if (!documented(page, *k)) {
			fprintf(stderr, "man/muster.ini.5 lacks \".It Cm %s\"\n", *k);
			missing++;
		}
	free(page);
	ck_assert_int_eq(missing, 0);
}
END_TEST

/* The tables are what the parser accepts: every table key is known to it
 * (its value may be wrong, but it is never an "unknown key"), and a key not
 * in the tables is unknown. */
START_TEST(tables_match_the_parser)
{
	char path[] = "/tmp/muster-docs-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	FILE *f = fdopen(fd, "w");
	fprintf(f, "[muster]\n");
	for (const char *const *k = config_muster_keys; *k; k++)
		fprintf(f, "%s = x\n", *k);
	fprintf(f, "no-such-key = 1\n[service s]\n");
	for (const char *const *k = config_service_keys; *k; k++)
		fprintf(f, "%s = x\n", *k);
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
	tcase_add_test(tc, every_service_key_documented);
	tcase_add_test(tc, every_muster_key_documented);
	tcase_add_test(tc, tables_match_the_parser);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
