#!/usr/bin/env bash
# Bad command-line usage exits 2 with a message on stderr, starting nothing.
. "$(dirname "$0")/lib.sh"

printf '[service s]\ncommand = %s\n' "$(service s 'stamp s.start; exec sleep 300')" >ok.ini

check_usage() { # DESCRIPTION ARG...
	local what=$1 rc
	shift
	run_muster "$@"
	rc=$?
	[ "$rc" = 2 ] || fail "$what (muster $*): expected exit status 2, found $rc"
	[ -s "$ERR" ] || fail "$what (muster $*): no message on stderr"
	grep -q '^muster: ' "$ERR" || fail "$what (muster $*): the message does not start with 'muster: ': $(head -n 1 "$ERR")"
	[ ! -e s.start ] || fail "$what (muster $*): a service was started"
}

check_usage "unknown long option" -c ok.ini --no-such-option
assert_grep "$ERR" 'no-such-option'
check_usage "unknown short option" -c ok.ini -Z
check_usage "-c without its argument" -c
check_usage "a stray argument" -c ok.ini stray
check_usage "-- without a command" -c ok.ini --

# and the good cases, for contrast
run_muster --help; assert_eq 0 $? "muster --help exit status"
assert_grep "$OUT" '^usage: muster'
run_muster --version; assert_eq 0 $? "muster --version exit status"
assert_grep "$OUT" '^muster [0-9]'
