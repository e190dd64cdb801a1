#!/usr/bin/env bash
# ready-fd (s6 style): the service is ready when it writes a newline to the
# descriptor it was given; not on exec, not on a partial line; its
# dependent starts after.  A service that closes the descriptor without a
# newline never becomes ready: it fails at ready-timeout and its dependent
# never starts.
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/flaky.sh"

D=$TEST_DIR
cat >muster.ini <<INI
[muster]
control-socket = $D/ctl.sock

; "rea" at 300ms, "dy\n" at 500ms
[service s]
command = $FLAKY $D/s.log 'sleep:300+fdw:3:rea+sleep:200+stamp:newline+fdw:3:dy\n+pause'
ready-fd = 3

[service w]
command = $FLAKY $D/w.log pause
depends = s

; a high descriptor number works as well
[service hi]
command = $FLAKY $D/hi.log 'sleep:100+stamp:newline+fdw:200:ok\n+pause'
ready-fd = 200

[service closer]
command = $FLAKY $D/closer.log 'fdw:9:no newline+close:9+pause'
ready-fd = 9
ready-timeout = 1500ms
restart = no

[service w2]
command = $FLAKY $D/w2.log pause
depends = closer
INI

start_muster -c muster.ini
wait_state w ready 30
wait_state hi ready 30

t_start=$(awk '$1 == "start" { print $4 }' s.log)
t_nl=$(awk '$1 == "newline" { print $3 }' s.log)
t_w=$(awk '$1 == "start" { print $4 }' w.log)
[ -n "$t_start" ] && [ -n "$t_nl" ] && [ -n "$t_w" ] || fail "missing stamps"
log "s started, newline at +$(elapsed "$t_start" "$t_nl")s, w started at +$(elapsed "$t_start" "$t_w")s"
assert_lt "$t_nl" "$t_w" "w started after s wrote its newline"
assert_order "$ERR" 's: started' 's: ready' 'w: started'

wait_for "$ERR" 'error: closer: not ready within 1.5s: stopping it' 30
wait_state closer failed
wait_state w2 failed
assert_grep "$ERR" 'error: w2: failed: dependency closer failed'
assert_eq 0 "$(runs w2.log)" "runs of w2"
assert_no_grep "$ERR" 'closer: ready'

stop_muster 0
