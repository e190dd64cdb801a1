# shellcheck shell=bash disable=SC2034,SC2046,SC2086,SC2012
# Shared by tests/fuzz/run.sh and tests/fuzz/regress.sh (sourced, bash):
# which src/*.c files each target needs, and how they are compiled.
#
#   fuzz_build MODE TARGET CC
#     MODE fuzz:   clang -fsanitize=fuzzer,address,undefined -> build/fuzz/fuzz_TARGET
#     MODE replay: CC -fsanitize=address,undefined + standalone.c
#                  -> build/fuzz/replay/TARGET
#
# Objects are kept per mode and compiler under build/fuzz/obj-MODE-CC/
# (gcc's and clang's sanitizer runtimes do not mix) and rebuilt when their
# source, any src/*.h or this file is newer.

FUZZ_TARGETS="config values control notify"

# The src/*.c files (without .c) a target links.  notify.c calls into the
# supervisor (sup_ready), so that target links the daemon's whole core, as
# the Makefile's CORE does: every src/*.c but main.c and musterctl.c.
fuzz_srcs() {
	case $1 in
	config)  echo "config.sandbox layer.sandbox envfile.sandbox keys parse graph http" ;;
	values)  echo "parse" ;;
	control) echo "control_proto" ;;
	notify)
		local f out=""
		for f in src/*.c; do
			f=${f#src/}; f=${f%.c}
			case $f in main|musterctl) ;; *) out="$out $f" ;; esac
		done
		echo "$out" ;;
	*) echo "unknown fuzz target: $1" >&2; return 1 ;;
	esac
}

fuzz_libs() {
	local inih
	inih=$(pkg-config --libs inih 2>/dev/null || echo -linih)
	case $1 in
	config)  echo "$inih" ;;
	notify)  echo "-lev $inih -lm" ;;
	*)       echo "" ;;
	esac
}

FUZZ_CFLAGS="-g -O1 -fno-omit-frame-pointer -std=gnu11 -D_GNU_SOURCE -Isrc -Itests/fuzz"
FUZZ_SAN="-fsanitize=address,undefined -fno-sanitize-recover=all"

# newest of src/*.h and the build scripts: objects older than it are stale
_fuzz_stamp() {
	ls -t src/*.h tests/fuzz/lib.sh tests/fuzz/fuzz.h 2>/dev/null | head -n 1
}

_fuzz_objdir() {
	echo "build/fuzz/obj-$1-$(basename "$2")"
}

# fuzz_obj MODE CC NAME: compile src/NAME.c (config.sandbox: config.c with
# fopen redirected to the harness's sandboxed fopen; envfile.sandbox:
# envfile.c with open redirected likewise; layer.sandbox: layer.c with glob
# redirected likewise) unless up to date.
fuzz_obj() {
	local mode=$1 cc=$2 name=$3 src obj extra="" cov=""
	src=src/${name%.sandbox}.c
	obj=$(_fuzz_objdir "$mode" "$cc")/$name.o
	[ "$name" = config.sandbox ] && extra="-Dfopen=muster_fuzz_fopen"
	[ "$name" = envfile.sandbox ] && extra="-Dopen=muster_fuzz_open"
	[ "$name" = layer.sandbox ] && extra="-Dglob=muster_fuzz_glob"
	[ "$mode" = fuzz ] && cov="-fsanitize=fuzzer-no-link"
	if [ -f "$obj" ] && [ "$obj" -nt "$src" ] && [ "$obj" -nt "$(_fuzz_stamp)" ]; then
		return 0
	fi
	mkdir -p "$(_fuzz_objdir "$mode" "$cc")"
	# shellcheck disable=SC2086
	$cc $FUZZ_CFLAGS $FUZZ_SAN $cov $extra $(pkg-config --cflags inih 2>/dev/null) \
		-c -o "$obj" "$src"
}

fuzz_build() {
	local mode=$1 t=$2 cc=$3 objs="" n out
	for n in $(fuzz_srcs "$t"); do
		fuzz_obj "$mode" "$cc" "$n" || return 1
		objs="$objs $(_fuzz_objdir "$mode" "$cc")/$n.o"
	done
	if [ "$mode" = fuzz ]; then
		out=build/fuzz/fuzz_$t
		# shellcheck disable=SC2086
		$cc $FUZZ_CFLAGS $FUZZ_SAN -fsanitize=fuzzer -o "$out" \
			"tests/fuzz/fuzz_$t.c" $objs $(fuzz_libs "$t")
	else
		out=build/fuzz/replay/$t
		mkdir -p build/fuzz/replay
		# shellcheck disable=SC2086
		$cc $FUZZ_CFLAGS $FUZZ_SAN -o "$out" \
			"tests/fuzz/fuzz_$t.c" tests/fuzz/standalone.c $objs $(fuzz_libs "$t")
	fi
}
