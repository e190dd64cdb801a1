#!/usr/bin/env bash
# musterctl without a daemon: exit 3 with the socket path in the message;
# --help and --version; usage errors exit 2 (without needing a daemon).
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/ctl.sh"

# no daemon
ctl status >/dev/null 2>err.txt
assert_eq 3 "$?" "status with no daemon"
assert_grep err.txt "$SOCK" "the message names the socket"
MUSTER_SOCKET=$TEST_DIR/env.sock timeout 10 "$MUSTERCTL" ready 2>err.txt
assert_eq 3 "$?" "ready with no daemon"
assert_grep err.txt "$TEST_DIR/env.sock" "the message names \$MUSTER_SOCKET's path"
: >plain
"$MUSTERCTL" -s "$TEST_DIR/plain" status 2>err.txt
assert_eq 3 "$?" "a regular file as the socket"
assert_grep err.txt "$TEST_DIR/plain" "the message names the path"
"$MUSTERCTL" -s "$TEST_DIR/$(printf 'x%.0s' $(seq 1 120))" status 2>err.txt
assert_eq 3 "$?" "a path too long for a socket"

# --help: short and complete
"$MUSTERCTL" --help >help.txt || fail "--help: exit $?"
for w in status start stop restart wait ready reload shutdown timeline graph -s --json --timeout; do
	grep -qe "$w" help.txt || fail "--help does not mention $w"
done
[ "$(wc -l <help.txt)" -le 40 ] || fail "--help is $(wc -l <help.txt) lines long"
"$MUSTERCTL" -h | cmp -s - help.txt || fail "-h differs from --help"

# --version: MUSTER_VERSION of src/version.h
want=$(sed -n 's/^#define MUSTER_VERSION "\(.*\)"/\1/p' "$(dirname "$0")/../../src/version.h")
[ -n "$want" ] || skip "cannot read src/version.h"
"$MUSTERCTL" --version >v.txt || fail "--version: exit $?"
assert_grep v.txt "^musterctl $want( |\$)" "--version"

# usage errors: 2, before any connection
for args in "" "frob" "start" "stop" "restart" "wait" "wait --timeout" "status --bogus" \
	"-x status" "-s" "ready now" "shutdown now" "graph x" "timeline x" "signal x" "signal" "start --no-block --timeout 1s x" "start a=b"; do
	# shellcheck disable=SC2086
	ctl $args >/dev/null 2>err.txt
	rc=$?
	[ "$rc" = 2 ] || fail "musterctl $args: exit $rc, expected 2 ($(cat err.txt))"
	[ -s err.txt ] || fail "musterctl $args: no message"
done
