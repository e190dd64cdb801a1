#!/usr/bin/env bash
# Fuzz muster's parsers with libFuzzer: `make fuzz` (FUZZ_SECONDS=60), or
#
#   tests/fuzz/run.sh [SECONDS] [TARGET...]      targets: config values control notify
#
# Each target is built with clang -fsanitize=fuzzer,address,undefined into
# build/fuzz/ and run for SECONDS (-max_total_time).  It starts from the
# committed seeds in tests/fuzz/corpus/TARGET/ (read only) plus the working
# corpus build/fuzz/corpus/TARGET/, where libFuzzer writes what it finds
# (kept between runs; FUZZ_FRESH=1 empties it first).  A crash, leak, UB
# report, timeout or out-of-memory stops that target, leaves its input in
# build/fuzz/artifacts/TARGET/ and makes this script exit 1 once every
# target has run.  Logs: build/fuzz/logs/TARGET.log.
#
# libFuzzer runs with -use_value_profile=1 (comparisons guide it: it finds
# "exactly 512 bytes" quickly), a dictionary per target (tests/fuzz/dict/)
# and -max_len just past each parser's limit.
#
# Environment: FUZZ_CC (clang), FUZZ_ARGS (more libFuzzer flags, after ours,
# e.g. -only_ascii=1), FUZZ_FRESH=1, FUZZ_TIMEOUT (seconds per input, 25).
#
# What it needs: clang, libFuzzer's runtime for that clang (Debian:
# libclang-rt-N-dev), libinih-dev, libev-dev, pkg-config.  As root it
# installs what is missing; otherwise it prints the apt-get line and exits 2.
# shellcheck disable=SC2086,SC2015  # $missing is a list of words
set -u
cd "$(dirname "$0")/../.." || exit 2
# shellcheck source=tests/fuzz/lib.sh
. tests/fuzz/lib.sh

SECS=${1:-60}
shift 2>/dev/null
TARGETS=${*:-$FUZZ_TARGETS}
CC=${FUZZ_CC:-clang}
case $SECS in ''|*[!0-9]*) echo "usage: $0 [SECONDS] [TARGET...]" >&2; exit 2 ;; esac

# ---- dependencies --------------------------------------------------------------

# true when $CC links a libFuzzer target
have_libfuzzer() {
	local d
	d=$(mktemp -d) || return 1
	printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
		'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }' \
		> "$d/t.c"
	"$CC" -fsanitize=fuzzer,address,undefined -o "$d/t" "$d/t.c" >/dev/null 2>&1
	local r=$?
	rm -rf "$d"
	return $r
}

missing_packages() {
	local pkgs="" ver
	command -v "$CC" >/dev/null 2>&1 || pkgs="$pkgs clang"
	command -v pkg-config >/dev/null 2>&1 || pkgs="$pkgs pkg-config"
	[ -f /usr/include/ini.h ] || pkg-config --exists inih 2>/dev/null || pkgs="$pkgs libinih-dev"
	[ -f /usr/include/ev.h ] || pkgs="$pkgs libev-dev"
	if command -v "$CC" >/dev/null 2>&1 && ! have_libfuzzer; then
		ver=$("$CC" -dumpversion 2>/dev/null | cut -d. -f1)
		pkgs="$pkgs libclang-rt-${ver:-14}-dev"
	fi
	echo "$pkgs"
}

missing=$(missing_packages)
if [ -n "$missing" ]; then
	if [ "$(id -u)" = 0 ]; then
		echo "fuzz: installing:$missing"
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null ||
			{ echo "fuzz: apt-get install$missing failed" >&2; exit 2; }
		# clang was just installed: now its libFuzzer runtime may be missing
		missing=$(missing_packages)
		if [ -n "$missing" ]; then
			echo "fuzz: installing:$missing"
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null ||
				{ echo "fuzz: apt-get install$missing failed" >&2; exit 2; }
		fi
		have_libfuzzer || { echo "fuzz: $CC still cannot link -fsanitize=fuzzer" >&2; exit 2; }
	else
		echo "fuzz: missing Debian packages; run:" >&2
		echo "  sudo apt-get update && sudo apt-get install -y$missing" >&2
		exit 2
	fi
fi

# ---- build ---------------------------------------------------------------------

mkdir -p build/fuzz/logs
for t in $TARGETS; do
	echo "fuzz: building fuzz_$t"
	fuzz_build fuzz "$t" "$CC" > "build/fuzz/logs/$t.build.log" 2>&1 ||
		{ cat "build/fuzz/logs/$t.build.log" >&2; echo "fuzz: build of $t failed" >&2; exit 2; }
done

# ---- run -----------------------------------------------------------------------

max_len() {
	case $1 in
	config)  echo 8192 ;;  # example.ini is 4.5 KB; room for long lines
	control) echo 4200 ;;  # just past PROTO_MAX_REQUEST (4096)
	notify)  echo 4608 ;;  # past NOTIFY_MAX (4096)
	values)  echo 1024 ;;
	esac
}

TMPD=$(mktemp -d "${FUZZ_TMP_BASE:-/dev/shm}/muster-fuzz.XXXXXX" 2>/dev/null || mktemp -d)
trap 'rm -rf "$TMPD"' EXIT

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

status=0
total_cpu=0
summary=""
for t in $TARGETS; do
	work=build/fuzz/corpus/$t
	arts=build/fuzz/artifacts/$t
	log=build/fuzz/logs/$t.log
	[ "${FUZZ_FRESH:-0}" = 1 ] && rm -rf "$work"
	mkdir -p "$work" "$arts"
	rm -f "$arts"/crash-* "$arts"/leak-* "$arts"/timeout-* "$arts"/oom-* "$arts"/slow-unit-*
	dict=""
	[ -f "tests/fuzz/dict/$t.dict" ] && dict="-dict=tests/fuzz/dict/$t.dict"
	echo "fuzz: running fuzz_$t for ${SECS}s (log: $log)"
	TIMEFORMAT='%U %S'
	# shellcheck disable=SC2086
	cpu=$( { time MUSTER_FUZZ_TMP="$TMPD" "build/fuzz/fuzz_$t" \
		-max_total_time="$SECS" -print_final_stats=1 -timeout="${FUZZ_TIMEOUT:-25}" \
		-rss_limit_mb=2048 -max_len="$(max_len "$t")" -use_value_profile=1 $dict \
		-artifact_prefix="$arts/" ${FUZZ_ARGS:-} \
		"$work" "tests/fuzz/corpus/$t" > "$log" 2>&1; echo "rc=$?" >> "$log"; } 2>&1 )
	rc=$(sed -n 's/^rc=//p' "$log" | tail -n 1)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
	newu=$(sed -n 's/^stat::new_units_added: *//p' "$log" | tail -n 1)
	cov0=$(grep -m1 'INITED' "$log" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
	cov1=$(grep ' cov: ' "$log" | tail -n 1 | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
	crashes=$(find "$arts" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' \
		-o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
	reports=$(grep -cE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|invariant broken' "$log")
	cpu_s=$(echo "$cpu" | tail -n 1 | awk '{ printf "%.1f", $1 + $2 }')
	total_cpu=$(awk -v a="$total_cpu" -v b="$cpu_s" 'BEGIN { printf "%.1f", a + b }')
	verdict=ok
	if [ "${rc:-1}" != 0 ] || [ "$crashes" != 0 ] || [ "$reports" != 0 ]; then
		verdict=FAILED
		status=1
		grep -m1 -E 'SUMMARY:|ERROR:|invariant broken' "$log" | sed 's/^/    /'
		for a in "$arts"/*; do [ -f "$a" ] && echo "    input: $a"; done
	fi
	line=$(printf '%-8s execs %-9s exec/s %-6s cov %s -> %s  new units %-5s corpus %-5s crashes %s  cpu %ss  %s' \
		"$t" "${execs:-?}" "${eps:-?}" "${cov0:-?}" "${cov1:-?}" "${newu:-?}" \
		"$(find "$work" -type f | wc -l)" "$crashes" "$cpu_s" "$verdict")
	echo "fuzz: $line"
	summary="$summary$line"$'\n'
done

echo
echo "fuzz summary (${SECS}s per target):"
printf '%s' "$summary"
echo "total CPU: ${total_cpu}s ($(awk -v s="$total_cpu" 'BEGIN { printf "%.1f", s / 60 }') min)"
[ $status = 0 ] && echo "fuzz: no crash, leak or UB" ||
	echo "fuzz: FAILED: see the inputs above; keep each as tests/fuzz/regress/TARGET/NAME"
exit $status
