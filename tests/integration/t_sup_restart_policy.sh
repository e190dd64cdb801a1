#!/usr/bin/env bash
# restart = on-failure (the default) vs always vs no: which exits bring a
# service back, and the state each ends in.
#
#   service       restart      exits with             runs  ends
#   onfail_err    on-failure   1, 1, then runs        3     ready
#   onfail_sig    (default)    SIGKILL, then runs     2     ready
#   onfail_ok     on-failure   0                      1     stopped
#   always_ok     always       0, 0, then runs        3     ready
#   always_err    always       3, then runs           2     ready
#   no_err        no           1                      1     failed
#   no_sig        no           SIGTERM                1     failed
#   no_ok         no           0                      1     stopped
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/flaky.sh"

D=$TEST_DIR
cat >muster.ini <<INI
[muster]
control-socket = $D/ctl.sock

[service onfail_err]
command = $FLAKY $D/onfail_err.log exit:1 exit:1 pause
restart = on-failure
restart-delay = 50ms

[service onfail_sig]
command = $FLAKY $D/onfail_sig.log sig:9 pause
restart-delay = 50ms

[service onfail_ok]
command = $FLAKY $D/onfail_ok.log exit:0 pause
restart = on-failure
restart-delay = 50ms

[service always_ok]
command = $FLAKY $D/always_ok.log exit:0 exit:0 pause
restart = always
restart-delay = 50ms

[service always_err]
command = $FLAKY $D/always_err.log exit:3 pause
restart = always
restart-delay = 50ms

[service no_err]
command = $FLAKY $D/no_err.log exit:1 pause
restart = no
restart-delay = 50ms

[service no_sig]
command = $FLAKY $D/no_sig.log sig:15 pause
restart = no
restart-delay = 50ms

[service no_ok]
command = $FLAKY $D/no_ok.log exit:0 pause
restart = no
restart-delay = 50ms
INI

start_muster -c muster.ini

wait_state onfail_err ready
wait_state onfail_sig ready
wait_state always_ok ready
wait_state always_err ready
wait_state onfail_ok stopped
wait_state no_ok stopped
wait_state no_err failed
wait_state no_sig failed
wait_runs onfail_err.log 3
wait_runs always_ok.log 3

# settle: a restart that should not happen would come 50ms after its exit
sleep 0.5

for s in onfail_err:3 onfail_sig:2 onfail_ok:1 always_ok:3 always_err:2 no_err:1 no_sig:1 no_ok:1; do
	assert_eq "${s#*:}" "$(runs "${s%%:*}.log")" "runs of ${s%%:*}"
done
for s in onfail_err:ready onfail_sig:ready onfail_ok:stopped always_ok:ready always_err:ready \
	no_err:failed no_sig:failed no_ok:stopped; do
	assert_eq "${s#*:}" "$(state "${s%%:*}")" "state of ${s%%:*}"
done

# what the daemon said
assert_count "$ERR" 'onfail_err: restarting in' 2
assert_grep "$ERR" 'warning: onfail_sig: exited with signal 9'
assert_count "$ERR" 'onfail_sig: restarting in' 1
assert_no_grep "$ERR" 'onfail_ok: restarting'
assert_count "$ERR" 'always_ok: restarting in' 2
assert_grep "$ERR" 'warning: always_err: exited with status 3'
assert_grep "$ERR" 'error: no_err: failed: exited with status 1'
assert_grep "$ERR" 'error: no_sig: failed: exited with signal 15'
assert_no_grep "$ERR" 'no_(err|sig|ok): restarting'
assert_no_grep "$ERR" 'no_ok: failed'

# the restart count and last exit, as musterctl shows them
json=$("$MUSTERCTL" -s ctl.sock status --json)
grep -q '"name": "onfail_err".*"restarts": 2, "last_exit": "1"' <<<"$json" ||
	fail "onfail_err: expected 2 restarts and last exit 1 in: $json"
grep -q '"name": "no_sig".*"last_exit": "signal 15"' <<<"$json" ||
	fail "no_sig: expected last exit 'signal 15' in: $json"

# muster keeps running with failed services (none is critical)
alive "$MPID" || fail "muster exited"
stop_muster 0
