#!/usr/bin/env bash
# ${VAR} from muster's environment: the same config listens on the port
# that PORT names, and is ready when that port answers; without PORT, on
# its ${PORT:-DEFAULT}.  An unset ${VAR} without a default is an error
# naming it at its FILE:LINE.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/flaky.sh"

D=$TEST_DIR
p1=$("$FLAKY" --free-port) && p2=$("$FLAKY" --free-port) || fail "no free port"
[ "$p1" != "$p2" ] || p2=$("$FLAKY" --free-port)
cat >muster.ini <<INI
[muster]
control-socket = $D/ctl.sock

[service srv]
command = $FLAKY $D/srv-\${PORT:-$p2}.log listen:\${PORT:-$p2}+pause
ready-tcp = 127.0.0.1:\${PORT:-$p2}
ready-interval = 50ms

[service cli]
command = $FLAKY $D/cli.log pause
depends = srv
INI

PORT=$p1 start_muster -c muster.ini
wait_state cli ready 30
assert_grep "$D/srv-$p1.log" '^listening' "srv listens on PORT ($p1)"
assert_no_file "$D/srv-$p2.log"
stop_muster 0

env -u PORT "$MUSTER" --show-config -c muster.ini >show.out 2>show.err ||
	fail "muster --show-config failed: $(cat show.err)"
assert_grep show.out "^ready-tcp = 127\.0\.0\.1:$p2 +; muster\.ini:6$" "the default port, shown"
unset PORT
start_muster -c muster.ini
wait_state cli ready 30
assert_grep "$D/srv-$p2.log" '^listening' "srv listens on the default port ($p2)"
stop_muster 0

printf '[service x]\ncommand = /bin/true\nready-tcp = ${NO_SUCH_PORT}\n' >bad.ini
run_muster --check -c bad.ini
assert_eq 78 $? "muster --check exit status with an unset variable"
assert_grep "$ERR" "^bad\.ini:3: 'ready-tcp': \\\$\\{NO_SUCH_PORT\\} is not set" "the unset variable named at its line"
