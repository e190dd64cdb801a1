/* Shared by the fuzz targets (tests/fuzz/fuzz_*.c) and the standalone
 * replay driver (tests/fuzz/standalone.c).
 *
 * A target is a libFuzzer entry point: built with -fsanitize=fuzzer it is
 * fuzzed (tests/fuzz/run.sh); linked with standalone.c instead it replays
 * files (tests/fuzz/regress.sh).  CHECK() turns a broken invariant into an
 * abort, which both count as a crash.
 */
#ifndef MUSTER_FUZZ_H
#define MUSTER_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define CHECK(cond)                                                                 \
	do {                                                                        \
		if (!(cond)) {                                                      \
			fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, \
				__LINE__, #cond);                                   \
			abort();                                                    \
		}                                                                   \
	} while (0)

/* A NUL-terminated heap copy of data[0..n) in a block of exactly n + 1
 * bytes, so that ASan sees any read past the terminator. */
static inline char *fuzz_strndup(const uint8_t *data, size_t n)
{
	char *s = malloc(n + 1);
	if (!s)
		abort();
	for (size_t i = 0; i < n; i++)
		s[i] = (char)data[i];
	s[n] = '\0';
	return s;
}

#endif
