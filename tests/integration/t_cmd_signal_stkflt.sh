#!/usr/bin/env bash
# With no config, muster -- CMD forwards every catchable signal (SPEC.md,
# "Signals to the daemon"), the rarely used SIGSTKFLT too: muster must not
# die of it and leave CMD behind, unsupervised.
. "$(dirname "$0")/lib.sh"
: "${HELPERS:=$(cd "$(dirname "$0")/../.." && pwd)/build/helpers}"
SIGREC=$HELPERS/sigrecord
[ -x "$SIGREC" ] || fail "helper $SIGREC is missing: build it with make integration"

start_muster -- "$SIGREC" "$TEST_DIR/rec.txt"
wait_file rec.txt
pid=$(sed -n 's/^ready pid=\([0-9]*\) .*/\1/p' rec.txt)
signal STKFLT
if ! poll_for rec.txt '^SIGSTKFLT ' 5; then
	if muster_exited || ! alive "$MPID"; then
		wait_exit "$MPID" 5
		rc=$?
		kill -KILL "$pid" 2>/dev/null
		fail "SIGSTKFLT killed muster (status $rc) instead of reaching CMD"
	fi
	fail "CMD did not receive SIGSTKFLT and muster is still running"
fi
assert_eq "SIGSTKFLT from=$MPID" "$(sed -n 2p rec.txt)" "what CMD received"
signal TERM
expect_exit 143
