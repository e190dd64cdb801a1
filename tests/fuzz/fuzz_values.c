/* Fuzz target: the value parsers of src/parse.c and command-word splitting.
 *
 * The input, up to its first NUL, is one value as config.c hands it over;
 * every parser sees it.  Checked beyond memory safety and UB:
 *   - a parser that fails leaves its output untouched (parse.h's promise);
 *   - results are in range: durations finite in [0, 1e9], signals in
 *     [1, NSIG), umasks <= 0777, start limits in range;
 *   - signal_name() of a parsed signal parses back to it;
 *   - split_words(): the vector is NULL-terminated with *count words, and
 *     quoting the words back (each in '...', a ' as '\'') splits back to the
 *     same words;
 *   - env_name_valid() agrees with a reference ([A-Za-z_][A-Za-z0-9_]*).
 */
#include <ctype.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "fuzz.h"
#include "parse.h"

static bool env_name_ref(const char *s, size_t len)
{
	if (len == 0 || (s[0] >= '0' && s[0] <= '9'))
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_'))
			return false;
	}
	return true;
}

/* Quote each word for split_words: '...' with ' written as '\''. */
static char *requote(char **words)
{
	size_t n = 1;
	for (char **w = words; *w; w++)
		n += 4 * strlen(*w) + 3;
	char *s = malloc(n), *p = s;
	CHECK(s);
	for (char **w = words; *w; w++) {
		if (w != words)
			*p++ = ' ';
		*p++ = '\'';
		for (const char *c = *w; *c; c++) {
			if (*c == '\'') {
				memcpy(p, "'\\''", 4);
				p += 4;
			} else {
				*p++ = *c;
			}
		}
		*p++ = '\'';
	}
	*p = '\0';
	return s;
}

static void fuzz_split(const char *s)
{
	char **words = (char **)&words; /* sentinel: must stay on failure */
	int count = -7;
	const char *err = NULL;

	if (split_words(s, &words, &count, &err) < 0) {
		CHECK(err && *err);
		CHECK(words == (char **)&words && count == -7);
		return;
	}
	CHECK(words && count >= 0);
	for (int i = 0; i < count; i++)
		CHECK(words[i]);
	CHECK(words[count] == NULL);

	char *q = requote(words);
	char **again = NULL;
	int n2 = -1;
	CHECK(split_words(q, &again, &n2, &err) == 0);
	CHECK(n2 == count);
	for (int i = 0; i < count; i++)
		CHECK(!strcmp(words[i], again[i]));
	words_free(again);
	free(q);

	/* the same, counting only */
	CHECK(split_words(s, &again, NULL, NULL) == 0);
	words_free(again);
	words_free(words);
}

static void fuzz_scalars(const char *s)
{
	double d = -7;
	if (parse_duration(s, &d) == 0)
		CHECK(isfinite(d) && d >= 0 && d <= 1e9);
	else
		CHECK(d == -7);

	bool b = true;
	if (parse_bool(s, &b) != 0)
		CHECK(b == true);

	int sig = -7;
	if (parse_signal(s, &sig) == 0) {
		CHECK(sig >= 1 && sig < NSIG);
		const char *name = signal_name(sig);
		CHECK(name && !strncmp(name, "SIG", 3));
		int back = -1;
		if (!isdigit((unsigned char)name[3]) && name[3] != '-') {
			CHECK(parse_signal(name, &back) == 0 && back == sig);
			CHECK(parse_signal(name + 3, &back) == 0 && back == sig);
		}
	} else {
		CHECK(sig == -7);
	}

	uint64_t size = 7;
	if (parse_size(s, &size) != 0)
		CHECK(size == 7);

	mode_t m = 01000;
	if (parse_umask(s, &m) == 0)
		CHECK(m <= 0777);
	else
		CHECK(m == 01000);

	int burst = -7;
	double iv = -7;
	if (parse_start_limit(s, &burst, &iv) == 0) {
		CHECK(burst >= 0 && burst <= 1000000);
		CHECK(isfinite(iv) && iv >= 0 && iv <= 1e9);
		CHECK(burst == 0 || iv > 0);
	} else {
		CHECK(burst == -7 && iv == -7);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* env_name_valid takes a length: give it the raw bytes, NULs and all */
	char *raw = malloc(size ? size : 1);
	CHECK(raw);
	memcpy(raw, data, size);
	CHECK(env_name_valid(raw, size) == env_name_ref(raw, size));
	free(raw);

	const uint8_t *nul = memchr(data, '\0', size);
	size_t n = nul ? (size_t)(nul - data) : size;
	char *s = fuzz_strndup(data, n);

	fuzz_scalars(s);
	fuzz_split(s);
	/* an arbitrary number for signal_name (never NULL, always "SIG...") */
	int x = 0;
	memcpy(&x, data, size < sizeof x ? size : sizeof x);
	const char *name = signal_name(x);
	CHECK(name && !strncmp(name, "SIG", 3));

	free(s);
	return 0;
}
