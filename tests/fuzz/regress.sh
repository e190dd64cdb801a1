#!/usr/bin/env bash
# Replay the fuzzers' inputs without libFuzzer, as regression tests:
#
#   tests/fuzz/regress.sh [TARGET...]       targets: config values control notify
#
# Each target (tests/fuzz/fuzz_TARGET.c) is linked with the standalone
# driver tests/fuzz/standalone.c under ASan+UBSan (-fno-sanitize-recover)
# into build/fuzz/replay/TARGET, and run once per file of
#   tests/fuzz/regress/TARGET/*   inputs that once crashed (one per bug)
#   tests/fuzz/corpus/TARGET/*    the seed corpus, as a smoke test
# A file passes when the replay exits 0: no memory error, leak, UB or
# broken invariant.  Exits 1 when any file fails.
#
# Compiler: $FUZZ_REGRESS_CC, else clang, else gcc (no libFuzzer needed).
# Needs libinih-dev and libev-dev, which `make deps` installs.
set -u
cd "$(dirname "$0")/../.." || exit 2
# shellcheck source=tests/fuzz/lib.sh
. tests/fuzz/lib.sh

TARGETS=${*:-$FUZZ_TARGETS}
CC=${FUZZ_REGRESS_CC:-}
if [ -z "$CC" ]; then
	if command -v clang >/dev/null 2>&1; then CC=clang; else CC=gcc; fi
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
TMPD=$(mktemp -d "${FUZZ_TMP_BASE:-/dev/shm}/muster-fuzz-regress.XXXXXX" 2>/dev/null || mktemp -d)
trap 'rm -rf "$TMPD"' EXIT
export MUSTER_FUZZ_TMP=$TMPD

mkdir -p build/fuzz/logs
passed=0
failed=0
for t in $TARGETS; do
	if ! fuzz_build replay "$t" "$CC" > "build/fuzz/logs/$t.replay-build.log" 2>&1; then
		cat "build/fuzz/logs/$t.replay-build.log" >&2
		echo "fuzz-regress: build of $t failed"
		failed=$((failed + 1))
		continue
	fi
	for f in tests/fuzz/regress/"$t"/* tests/fuzz/corpus/"$t"/*; do
		[ -f "$f" ] || continue
		out=$(timeout 120 "build/fuzz/replay/$t" "$f" 2>&1)
		rc=$?
		if [ $rc = 0 ]; then
			passed=$((passed + 1))
		else
			failed=$((failed + 1))
			echo "FAIL: $t $f (exit $rc)"
			printf '%s\n' "$out" | grep -m3 -E 'SUMMARY|ERROR|runtime error|invariant broken' |
				sed 's/^/    /'
		fi
	done
done
echo "fuzz-regress: $passed passed, $failed failed"
[ $failed = 0 ]
