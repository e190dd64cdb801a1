# Helpers for tests whose services are the flaky helper
# (tests/helpers/flaky.c) and that follow them through musterctl on
# $TEST_DIR/ctl.sock.  Sourced after lib.sh; sets FLAKY, the helper.

: "${HELPERS:=$(cd "$(dirname "$0")/../.." && pwd)/build/helpers}"
FLAKY=$HELPERS/flaky
[ -x "$FLAKY" ] || skip "helper $FLAKY not built (make integration builds it)"
[ -x "$MUSTERCTL" ] || skip "MUSTERCTL is not set to musterctl"

# state NAME: NAME's state, as musterctl status --json says
state() {
	"$MUSTERCTL" -s "$TEST_DIR/ctl.sock" status --json "$1" 2>/dev/null |
		sed -n 's/.*"state": "\([a-z]*\)".*/\1/p'
}

# wait_state NAME STATE [TIMEOUT]
wait_state() {
	local deadline=$(( $(date +%s%N) + ${3:-$DEFAULT_WAIT} * 1000000000 )) s
	while s=$(state "$1"); [ "$s" != "$2" ]; do
		[ "$(date +%s%N)" -gt "$deadline" ] &&
			fail "$1 is '$s' after ${3:-$DEFAULT_WAIT}s, expected '$2'"
		sleep 0.05
	done
}

# runs LOG: how many times a flaky service started
runs() {
	local n
	n=$(grep -c '^start ' "$1" 2>/dev/null)
	echo "${n:-0}"
}

# wait_runs LOG N [TIMEOUT]: until the service has started N times
wait_runs() {
	local deadline=$(( $(date +%s%N) + ${3:-$DEFAULT_WAIT} * 1000000000 ))
	while [ "$(runs "$1")" -lt "$2" ]; do
		[ "$(date +%s%N)" -gt "$deadline" ] &&
			fail "$(basename "$1" .log) started $(runs "$1") times in ${3:-$DEFAULT_WAIT}s, expected $2"
		sleep 0.02
	done
}
