#!/usr/bin/env bash
# instances = 4: worker@1 ... worker@4, each with its ${INSTANCE}, start in
# parallel (each starts before any is ready, they take 1s to be), and
# `depends = worker` waits for all four.  musterctl: `worker` names all
# four (status lists each), `worker@2` one.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ctl.sh"

D=$TEST_DIR
cat >muster.ini <<INI
[muster]
control-socket = $SOCK

[service worker]
instances = 4
command = $(service worker 'stamp w$1.start; sleep 1; stamp w$1.ready; exec sleep 300') \${INSTANCE}
ready-check = test -e $D/w\${INSTANCE}.ready
ready-interval = 50ms

[service web]
command = $(service web 'stamp web.start; exec sleep 300')
depends = worker
INI

start_muster -c muster.ini
wait_socket
wait_for "$ERR" 'all 5 services up'
for i in 1 2 3 4; do
	assert_file "w$i.ready"
	assert_ts_before "w$i.ready" web.start "web started after worker@$i was ready"
	for j in 1 2 3 4; do
		assert_ts_before "w$i.start" "w$j.ready" "worker@$i started before worker@$j was ready (parallel)"
	done
done

# status: each instance; by NAME all four, by NAME@2 one
ctl status >status.out || fail "musterctl status failed"
assert_eq "worker@1 worker@2 worker@3 worker@4 web" \
	"$(awk 'NR > 1 { printf "%s%s", sep, $1; sep = " " }' status.out)" "status lists each instance"
ctl status worker >status.out || fail "musterctl status worker failed"
assert_eq "worker@1 worker@2 worker@3 worker@4" \
	"$(awk 'NR > 1 { printf "%s%s", sep, $1; sep = " " }' status.out)" "status worker: all four"
assert_eq ready "$(state_of worker@2)" "status worker@2"

# restart worker@2: that one only
p1=$(pid_of worker@1) p2=$(pid_of worker@2)
ctl restart worker@2 || fail "musterctl restart worker@2 failed"
wait_state worker@2 ready
[ "$(pid_of worker@2)" != "$p2" ] || fail "worker@2 kept its process after a restart"
assert_eq "$p1" "$(pid_of worker@1)" "worker@1 untouched by restart worker@2"

# stop worker: all four (and web, which depends on them)
ctl stop worker || fail "musterctl stop worker failed"
for i in 1 2 3 4; do wait_state "worker@$i" stopped; done
wait_state web stopped
ctl start web || fail "musterctl start web failed"
ctl wait --timeout 30s web worker >wait.out 2>&1 || fail "musterctl wait web worker: $(cat wait.out)"
for i in 1 2 3 4; do assert_eq ready "$(state_of "worker@$i")" "worker@$i started again for web"; done
ctl status nosuch >/dev/null 2>&1 && fail "status of an unknown name succeeded"
stop_muster 0
