/* Unit tests for src/parse.c: durations, booleans, signals, sizes, umasks,
 * start limits, word splitting and environment variable names. */
#include <check.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "parse.h"

/* ---- durations ------------------------------------------------------- */

static double dur(const char *s)
{
	double d = -12345;
	ck_assert_msg(parse_duration(s, &d) == 0, "parse_duration(\"%s\") should succeed", s);
	return d;
}

static void dur_bad(const char *s)
{
	double d = -12345;
	ck_assert_msg(parse_duration(s, &d) == -1, "parse_duration(\"%s\") should fail", s);
	ck_assert_msg(d == -12345, "parse_duration(\"%s\") changed the output on error", s);
}

START_TEST(test_duration_units)
{
	ck_assert_double_eq_tol(dur("250ms"), 0.25, 1e-9);
	ck_assert_double_eq_tol(dur("10s"), 10, 1e-9);
	ck_assert_double_eq_tol(dur("2m"), 120, 1e-9);
	ck_assert_double_eq_tol(dur("1h"), 3600, 1e-9);
	ck_assert_double_eq_tol(dur("0s"), 0, 1e-9);
	ck_assert_double_eq_tol(dur("1ms"), 0.001, 1e-12);
	ck_assert_double_eq_tol(dur("1.5s"), 1.5, 1e-9);
	ck_assert_double_eq_tol(dur("0.5m"), 30, 1e-9);
}
END_TEST

START_TEST(test_duration_compound)
{
	ck_assert_double_eq_tol(dur("1m30s"), 90, 1e-9);
	ck_assert_double_eq_tol(dur("1h2m3s"), 3723, 1e-9);
	ck_assert_double_eq_tol(dur("1s500ms"), 1.5, 1e-9);
	ck_assert_double_eq_tol(dur("1h 30m"), 5400, 1e-9);
}
END_TEST

START_TEST(test_duration_bare_seconds)
{
	ck_assert_double_eq_tol(dur("5"), 5, 1e-9);
	ck_assert_double_eq_tol(dur("0"), 0, 1e-9);
	ck_assert_double_eq_tol(dur("1.5"), 1.5, 1e-9);
	ck_assert_double_eq_tol(dur(".25"), 0.25, 1e-9);
	ck_assert_double_eq_tol(dur("  7  "), 7, 1e-9);
	ck_assert_double_eq_tol(dur("10s "), 10, 1e-9);
}
END_TEST

START_TEST(test_duration_rejects)
{
	dur_bad("");
	dur_bad("   ");
	dur_bad("10x");
	dur_bad("-1");
	dur_bad("-1s");
	dur_bad("ms");
	dur_bad("s");
	dur_bad("1 2");
	dur_bad("1s 2");
	dur_bad("10 s");
	dur_bad("10S");
	dur_bad("1.5.5");
	dur_bad(".");
	dur_bad("abc");
	dur_bad("10sec");
	dur_bad("2000000000"); /* above the 1e9 s cap */
}
END_TEST

/* Only decimal numbers: strtod() alone would take hex and exponents. */
START_TEST(test_duration_rejects_hex_and_exponent)
{
	dur_bad("0x10");
	dur_bad("0x1p4s");
	dur_bad("1e3");
	dur_bad("1e-3s");
}
END_TEST

/* ---- booleans -------------------------------------------------------- */

static bool boolv(const char *s)
{
	bool b = false;
	ck_assert_msg(parse_bool(s, &b) == 0, "parse_bool(\"%s\") should succeed", s);
	return b;
}

START_TEST(test_bool)
{
	const char *yes[] = { "yes", "YES", "Yes", "true", "TRUE", "on", "On", "1" };
	const char *no[] = { "no", "NO", "false", "False", "off", "OFF", "0" };
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
		ck_assert_msg(boolv(yes[i]) == true, "%s", yes[i]);
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
		bool b = true;
		ck_assert_int_eq(parse_bool(no[i], &b), 0);
		ck_assert_msg(b == false, "%s", no[i]);
	}
	const char *bad[] = { "", "y", "n", "2", "yess", "maybe", " yes", "-1", "enabled" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		bool b = true;
		ck_assert_msg(parse_bool(bad[i], &b) == -1, "parse_bool(\"%s\") should fail", bad[i]);
		ck_assert(b == true);
	}
}
END_TEST

/* ---- signals --------------------------------------------------------- */

static int sig(const char *s)
{
	int v = -1;
	ck_assert_msg(parse_signal(s, &v) == 0, "parse_signal(\"%s\") should succeed", s);
	return v;
}

static void sig_bad(const char *s)
{
	int v = -77;
	ck_assert_msg(parse_signal(s, &v) == -1, "parse_signal(\"%s\") should fail", s);
	ck_assert_int_eq(v, -77);
}

START_TEST(test_signal_names)
{
	ck_assert_int_eq(sig("SIGTERM"), SIGTERM);
	ck_assert_int_eq(sig("TERM"), SIGTERM);
	ck_assert_int_eq(sig("sigterm"), SIGTERM);
	ck_assert_int_eq(sig("sigint"), SIGINT);
	ck_assert_int_eq(sig("INT"), SIGINT);
	ck_assert_int_eq(sig("SigQuit"), SIGQUIT);
	ck_assert_int_eq(sig("SIGKILL"), SIGKILL);
	ck_assert_int_eq(sig("HUP"), SIGHUP);
	ck_assert_int_eq(sig("SIGUSR1"), SIGUSR1);
	ck_assert_int_eq(sig("usr2"), SIGUSR2);
	ck_assert_int_eq(sig("SIGWINCH"), SIGWINCH);
	ck_assert_int_eq(sig("SIGCHLD"), SIGCHLD);
	ck_assert_int_eq(sig("SIGCONT"), SIGCONT);
	ck_assert_int_eq(sig("SIGSTOP"), SIGSTOP);
}
END_TEST

START_TEST(test_signal_numbers)
{
	ck_assert_int_eq(sig("9"), 9);
	ck_assert_int_eq(sig("15"), 15);
	ck_assert_int_eq(sig("1"), 1);
	ck_assert_int_eq(sig("64"), 64);
}
END_TEST

START_TEST(test_signal_ends_process)
{
	/* a stop-signal must end the process by its default action */
	const int ends[] = { SIGHUP, SIGINT, SIGQUIT, SIGILL, SIGABRT, SIGKILL, SIGUSR1,
			     SIGSEGV, SIGUSR2, SIGPIPE, SIGALRM, SIGTERM, SIGXCPU, SIGPWR,
			     SIGSYS, SIGRTMIN, SIGRTMAX };
	const int not[] = { SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU, SIGCONT, SIGCHLD, SIGURG,
			    SIGWINCH, 0, -1, NSIG };
	for (size_t i = 0; i < sizeof ends / sizeof ends[0]; i++)
		ck_assert_msg(signal_ends_process(ends[i]), "signal %d", ends[i]);
	for (size_t i = 0; i < sizeof not / sizeof not[0]; i++)
		ck_assert_msg(!signal_ends_process(not[i]), "signal %d", not[i]);
}
END_TEST

START_TEST(test_signal_rejects)
{
	sig_bad("0");
	sig_bad("65");
	sig_bad("100");
	sig_bad("-9");
	sig_bad("9x");
	sig_bad("SIGFOO");
	sig_bad("FOO");
	sig_bad("SIG");
	sig_bad("");
	sig_bad("SIGTERMX");
	sig_bad(" TERM");
}
END_TEST

START_TEST(test_signal_name)
{
	ck_assert_str_eq(signal_name(SIGTERM), "SIGTERM");
	ck_assert_str_eq(signal_name(SIGKILL), "SIGKILL");
	ck_assert_str_eq(signal_name(SIGINT), "SIGINT");
	ck_assert_str_eq(signal_name(SIGHUP), "SIGHUP");
	ck_assert_str_eq(signal_name(SIGUSR1), "SIGUSR1");
	/* an unknown number still names itself (parse.h says "SIG?") */
	const char *u = signal_name(99);
	ck_assert_str_eq(u, "SIG99");
	/* several results can be used at once (rotating buffers) */
	const char *a = signal_name(SIGTERM), *b = signal_name(SIGINT), *c = signal_name(SIGKILL);
	ck_assert_str_eq(a, "SIGTERM");
	ck_assert_str_eq(b, "SIGINT");
	ck_assert_str_eq(c, "SIGKILL");
	/* round trip for every name parse_signal knows */
	for (int s = 1; s < 32; s++) {
		int back = -1;
		ck_assert_msg(parse_signal(signal_name(s), &back) == 0, "signal %d: %s", s,
			      signal_name(s));
		ck_assert_int_eq(back, s);
	}
}
END_TEST

/* ---- sizes ----------------------------------------------------------- */

static uint64_t size(const char *s)
{
	uint64_t v = 12345;
	ck_assert_msg(parse_size(s, &v) == 0, "parse_size(\"%s\") should succeed", s);
	return v;
}

START_TEST(test_size)
{
	ck_assert_uint_eq(size("0"), 0);
	ck_assert_uint_eq(size("4096"), 4096);
	ck_assert_uint_eq(size("512K"), 512u * 1024);
	ck_assert_uint_eq(size("512k"), 512u * 1024);
	ck_assert_uint_eq(size("10M"), 10u * 1024 * 1024);
	ck_assert_uint_eq(size("1G"), 1024u * 1024 * 1024);
	ck_assert_uint_eq(size("2T"), 2ull << 40);
	ck_assert_uint_eq(size("10MB"), 10u * 1024 * 1024);
	ck_assert_uint_eq(size("10MiB"), 10u * 1024 * 1024);
	ck_assert_uint_eq(size("0K"), 0);
}
END_TEST

START_TEST(test_size_rejects)
{
	const char *bad[] = { "", " ", "-1", "M", "10X", "1.5M", "10 M", "10Mx", "K10",
			      "18446744073709551616", "17179869184G", "abc", "10B" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		uint64_t v = 77;
		ck_assert_msg(parse_size(bad[i], &v) == -1, "parse_size(\"%s\") should fail", bad[i]);
		ck_assert_uint_eq(v, 77);
	}
}
END_TEST

/* ---- umask ----------------------------------------------------------- */

START_TEST(test_umask)
{
	mode_t m = 0;
	ck_assert_int_eq(parse_umask("022", &m), 0);
	ck_assert_uint_eq(m, 022);
	ck_assert_int_eq(parse_umask("0777", &m), 0);
	ck_assert_uint_eq(m, 0777);
	ck_assert_int_eq(parse_umask("0027", &m), 0);
	ck_assert_uint_eq(m, 027);
	ck_assert_int_eq(parse_umask("0", &m), 0);
	ck_assert_uint_eq(m, 0);
	ck_assert_int_eq(parse_umask("77", &m), 0);
	ck_assert_uint_eq(m, 077);

	const char *bad[] = { "0800", "-1", "", "01000", "08", "abc", "+22", "022x", "0x12" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		mode_t v = 0123;
		ck_assert_msg(parse_umask(bad[i], &v) == -1, "parse_umask(\"%s\") should fail", bad[i]);
		ck_assert_uint_eq(v, 0123);
	}
}
END_TEST

/* ---- start-limit ----------------------------------------------------- */

START_TEST(test_start_limit)
{
	int burst = -1;
	double iv = -1;

	ck_assert_int_eq(parse_start_limit("5 in 60s", &burst, &iv), 0);
	ck_assert_int_eq(burst, 5);
	ck_assert_double_eq_tol(iv, 60, 1e-9);

	ck_assert_int_eq(parse_start_limit("10 in 1m30s", &burst, &iv), 0);
	ck_assert_int_eq(burst, 10);
	ck_assert_double_eq_tol(iv, 90, 1e-9);

	ck_assert_int_eq(parse_start_limit("3 in 500ms", &burst, &iv), 0);
	ck_assert_int_eq(burst, 3);
	ck_assert_double_eq_tol(iv, 0.5, 1e-9);

	ck_assert_int_eq(parse_start_limit("2\tin\t10", &burst, &iv), 0);
	ck_assert_int_eq(burst, 2);
	ck_assert_double_eq_tol(iv, 10, 1e-9);

	burst = 9, iv = 9;
	ck_assert_int_eq(parse_start_limit("none", &burst, &iv), 0);
	ck_assert_int_eq(burst, 0);

	burst = 9, iv = 9;
	ck_assert_int_eq(parse_start_limit("NONE", &burst, &iv), 0);
	ck_assert_int_eq(burst, 0);

	burst = 9, iv = 9;
	ck_assert_int_eq(parse_start_limit("0", &burst, &iv), 0);
	ck_assert_int_eq(burst, 0);
}
END_TEST

START_TEST(test_start_limit_rejects)
{
	const char *bad[] = { "5", "5 in", "5 in ", "x in 1s", "", "5 in 0s", "5 at 60s",
			      "-1 in 5s", "5 in 10x", "5 in 60s extra", "5 in60s", "in 5s", "1" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int burst = 42;
		double iv = 4.5;
		ck_assert_msg(parse_start_limit(bad[i], &burst, &iv) == -1,
			      "parse_start_limit(\"%s\") should fail", bad[i]);
		ck_assert_int_eq(burst, 42);
		ck_assert_double_eq(iv, 4.5);
	}
}
END_TEST

/* ---- split_words ----------------------------------------------------- */

/* Split s, expect success and exactly the n words given. */
static void split_ok(const char *s, int n, ...)
{
	char **w = NULL;
	int count = -1;
	const char *e = NULL;
	va_list ap;

	ck_assert_msg(split_words(s, &w, &count, &e) == 0, "split_words(%s) failed: %s", s,
		      e ? e : "?");
	ck_assert_msg(count == n, "split_words(%s): %d words, expected %d", s, count, n);
	va_start(ap, n);
	for (int i = 0; i < n; i++) {
		const char *want = va_arg(ap, const char *);
		ck_assert_ptr_nonnull(w[i]);
		ck_assert_msg(!strcmp(w[i], want), "split_words(%s): word %d is [%s], expected [%s]",
			      s, i, w[i], want);
	}
	va_end(ap);
	ck_assert_ptr_null(w[n]);
	words_free(w);
}

static void split_err(const char *s, const char *want)
{
	char **w = (char **)0x1;
	int count = -5;
	const char *e = NULL;

	ck_assert_msg(split_words(s, &w, &count, &e) == -1, "split_words(%s) should fail", s);
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(e, want);
	ck_assert_ptr_eq(w, (char **)0x1);
	ck_assert_int_eq(count, -5);
}

START_TEST(test_split_plain)
{
	split_ok("a", 1, "a");
	split_ok("/bin/echo hello world", 3, "/bin/echo", "hello", "world");
	split_ok("  a   b\t\tc  ", 3, "a", "b", "c");
	split_ok("a\nb\r\nc", 3, "a", "b", "c");
	split_ok("--port=8080 -x", 2, "--port=8080", "-x");
}
END_TEST

START_TEST(test_split_empty)
{
	split_ok("", 0);
	split_ok("   \t  ", 0);
	/* count may be NULL */
	char **w = NULL;
	ck_assert_int_eq(split_words("a b", &w, NULL, NULL), 0);
	ck_assert_str_eq(w[0], "a");
	ck_assert_str_eq(w[1], "b");
	ck_assert_ptr_null(w[2]);
	words_free(w);
	words_free(NULL);
}
END_TEST

START_TEST(test_split_single_quotes)
{
	split_ok("'a b'", 1, "a b");
	split_ok("x 'a  b' y", 3, "x", "a  b", "y");
	split_ok("'a\\b'", 1, "a\\b");
	split_ok("'a\\'", 1, "a\\");
	split_ok("'say \"hi\"'", 1, "say \"hi\"");
	split_ok("'$HOME'", 1, "$HOME");
	split_ok("sh -c 'echo a; echo b'", 3, "sh", "-c", "echo a; echo b");
}
END_TEST

START_TEST(test_split_double_quotes)
{
	split_ok("\"a b\"", 1, "a b");
	split_ok("\"a\\\"b\"", 1, "a\"b");
	split_ok("\"a\\\\b\"", 1, "a\\b");
	split_ok("\"\\$x \\`y\\`\"", 1, "$x `y`");
	/* other backslashes in double quotes are kept */
	split_ok("\"a\\nb\"", 1, "a\\nb");
	split_ok("\"it's\"", 1, "it's");
	split_ok("x \"\" y", 3, "x", "", "y");
}
END_TEST

START_TEST(test_split_backslash)
{
	split_ok("a\\ b", 1, "a b");
	split_ok("\\'x\\'", 1, "'x'");
	split_ok("\\\"", 1, "\"");
	split_ok("a\\\\b", 1, "a\\b");
	split_ok("\\n", 1, "n");
}
END_TEST

START_TEST(test_split_empty_word_and_adjacent)
{
	split_ok("''", 1, "");
	split_ok("\"\"", 1, "");
	split_ok("a '' b", 3, "a", "", "b");
	split_ok("a\"b c\"'d'", 1, "ab cd");
	split_ok("'a'\"b\"c d", 2, "abc", "d");
	split_ok("--name='x y'", 1, "--name=x y");
	split_ok("''a", 1, "a");
}
END_TEST

START_TEST(test_split_errors)
{
	split_err("'abc", "unterminated single quote");
	split_err("a 'b c", "unterminated single quote");
	split_err("\"abc", "unterminated double quote");
	split_err("a \"b\\\"", "unterminated double quote");
	split_err("\"a\\", "unterminated double quote");
	split_err("abc\\", "trailing backslash");
	split_err("\\", "trailing backslash");
	/* err may be NULL */
	char **w = NULL;
	ck_assert_int_eq(split_words("'x", &w, NULL, NULL), -1);
}
END_TEST

START_TEST(test_split_long)
{
	/* many words and a long word: the vectors grow */
	size_t n = 3000;
	char *s = malloc(n * 4 + 5000 + 1), *p = s;
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "w%zu ", i % 10);
	memset(p, 'x', 5000);
	p[5000] = '\0';
	char **w = NULL;
	int count = 0;
	ck_assert_int_eq(split_words(s, &w, &count, NULL), 0);
	ck_assert_int_eq(count, (int)n + 1);
	ck_assert_str_eq(w[0], "w0");
	ck_assert_str_eq(w[n - 1], "w9");
	ck_assert_uint_eq(strlen(w[n]), 5000);
	ck_assert_ptr_null(w[n + 1]);
	words_free(w);
	free(s);
}
END_TEST

/* ---- env names ------------------------------------------------------- */

START_TEST(test_env_name_valid)
{
	ck_assert(env_name_valid("FOO", 3));
	ck_assert(env_name_valid("_", 1));
	ck_assert(env_name_valid("_A1", 3));
	ck_assert(env_name_valid("path", 4));
	ck_assert(env_name_valid("A_B_2", 5));
	/* only len characters count */
	ck_assert(env_name_valid("FOO=bar", 3));
	ck_assert(!env_name_valid("FOO=bar", 4));
	ck_assert(!env_name_valid("", 0));
	ck_assert(!env_name_valid("1A", 2));
	ck_assert(!env_name_valid("A-B", 3));
	ck_assert(!env_name_valid("A B", 3));
	ck_assert(!env_name_valid("A.B", 3));
	ck_assert(!env_name_valid("\xc3\xa9", 2));
}
END_TEST


/* success-exit: statuses and signal names; a wait status matches by its
 * exit status or its signal, never the one for the other. */
static int exited(int code) { return (code & 0xff) << 8; }
static int killed(int sig) { return sig & 0x7f; }

START_TEST(test_exit_set)
{
	struct exit_set set;
	char bad[64], buf[128];

	ck_assert_int_eq(parse_exit_set("0 143 SIGTERM", &set, bad), 0);
	ck_assert(WIFEXITED(exited(143)) && WEXITSTATUS(exited(143)) == 143);
	ck_assert(WIFSIGNALED(killed(SIGTERM)) && WTERMSIG(killed(SIGTERM)) == SIGTERM);
	ck_assert(exit_set_match(&set, exited(0)));
	ck_assert(exit_set_match(&set, exited(143)));
	ck_assert(exit_set_match(&set, killed(SIGTERM)));
	ck_assert(!exit_set_match(&set, exited(1)));
	ck_assert(!exit_set_match(&set, exited(15)));   /* 15 the status, not SIGTERM */
	ck_assert(!exit_set_match(&set, killed(SIGKILL)));
	ck_assert_str_eq(exit_set_str(&set, buf, sizeof buf), "0 143 SIGTERM");

	/* names with or without SIG, any case; 255 and 0; repeated words */
	ck_assert_int_eq(parse_exit_set("  term hup 255\t255 ", &set, bad), 0);
	ck_assert(exit_set_match(&set, killed(SIGHUP)) && exit_set_match(&set, killed(SIGTERM)));
	ck_assert(exit_set_match(&set, exited(255)));
	ck_assert(!exit_set_match(&set, exited(0)));   /* 0 only when listed */
	ck_assert_str_eq(exit_set_str(&set, buf, sizeof buf), "255 SIGHUP SIGTERM");
	/* a short buffer is cut, never overrun */
	ck_assert_str_eq(exit_set_str(&set, buf, 6), "255 S");

	/* what is neither is named; nothing is changed */
	struct exit_set before = set;
	ck_assert_int_eq(parse_exit_set("0 SIGNOPE", &set, bad), -1);
	ck_assert_str_eq(bad, "SIGNOPE");
	ck_assert_int_eq(parse_exit_set("256", &set, bad), -1);
	ck_assert_str_eq(bad, "256");
	ck_assert_int_eq(parse_exit_set("-1", &set, bad), -1);
	ck_assert_str_eq(bad, "-1");
	ck_assert_int_eq(parse_exit_set("1x", &set, bad), -1);
	ck_assert_str_eq(bad, "1x");
	ck_assert_int_eq(parse_exit_set("0143", &set, bad), -1);
	ck_assert_int_eq(parse_exit_set("", &set, bad), -1);
	ck_assert_str_eq(bad, "");
	ck_assert_int_eq(parse_exit_set("   ", &set, bad), -1);
	ck_assert(!memcmp(&set, &before, sizeof set));
}
END_TEST

static Suite *parse_suite(void)
{
	Suite *s = suite_create("parse");
	TCase *tc;

	tc = tcase_create("duration");
	tcase_add_test(tc, test_duration_units);
	tcase_add_test(tc, test_duration_compound);
	tcase_add_test(tc, test_duration_bare_seconds);
	tcase_add_test(tc, test_duration_rejects);
	tcase_add_test(tc, test_duration_rejects_hex_and_exponent);
	suite_add_tcase(s, tc);

	tc = tcase_create("bool");
	tcase_add_test(tc, test_bool);
	suite_add_tcase(s, tc);

	tc = tcase_create("signal");
	tcase_add_test(tc, test_signal_names);
	tcase_add_test(tc, test_signal_numbers);
	tcase_add_test(tc, test_signal_rejects);
	tcase_add_test(tc, test_signal_ends_process);
	tcase_add_test(tc, test_signal_name);
	suite_add_tcase(s, tc);

	tc = tcase_create("size");
	tcase_add_test(tc, test_size);
	tcase_add_test(tc, test_size_rejects);
	suite_add_tcase(s, tc);

	tc = tcase_create("umask");
	tcase_add_test(tc, test_umask);
	suite_add_tcase(s, tc);

	tc = tcase_create("start-limit");
	tcase_add_test(tc, test_start_limit);
	tcase_add_test(tc, test_start_limit_rejects);
	suite_add_tcase(s, tc);

	tc = tcase_create("split_words");
	tcase_add_test(tc, test_split_plain);
	tcase_add_test(tc, test_split_empty);
	tcase_add_test(tc, test_split_single_quotes);
	tcase_add_test(tc, test_split_double_quotes);
	tcase_add_test(tc, test_split_backslash);
	tcase_add_test(tc, test_split_empty_word_and_adjacent);
	tcase_add_test(tc, test_split_errors);
	tcase_add_test(tc, test_split_long);
	suite_add_tcase(s, tc);

	tc = tcase_create("env");
	tcase_add_test(tc, test_env_name_valid);
	tcase_add_test(tc, test_exit_set);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(parse_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
