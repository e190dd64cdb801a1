#!/usr/bin/env bash
# Shutdown during backoff is immediate: services waiting out a long restart
# delay (60s) are not started again, and neither is what waits for them;
# muster exits at once (graceful-timeout and stop-timeout are 60s, so any
# wait for a timer would show).  A dependent of a service in backoff is
# still running, and is stopped normally; a service that waits (after =)
# for one in backoff never starts.
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/flaky.sh"

D=$TEST_DIR
cat >muster.ini <<INI
[muster]
control-socket = $D/ctl.sock
graceful-timeout = 60s

; ready, then crashes after 300ms: in backoff with its dependent running
[service db]
command = $FLAKY $D/db.log sleep:300+exit:1
restart-delay = 60s
restart-delay-max = 60s
stop-timeout = 60s

[service web]
command = $FLAKY $D/web.log pause
depends = db
stop-timeout = 60s

; fails before it was ready: in backoff, what waits for it still waiting
[service early]
command = $FLAKY $D/early.log exit:2
type = notify
restart-delay = 60s
restart-delay-max = 60s

[service late]
command = $FLAKY $D/late.log pause
after = early
INI

start_muster -c muster.ini
wait_for "$ERR" 'db: restarting in 60s' 30
wait_for "$ERR" 'early: restarting in 60s' 30
wait_state db backoff
wait_state web ready
wait_state early backoff
assert_eq waiting "$(state late)" "state of late (after = early)"
web=$(awk '$1 == "start" { print $3 }' web.log)

t0=$(now)
signal TERM
expect_exit 0 30
took=$(elapsed "$t0")
log "exit $took s after SIGTERM, with two services in a 60s backoff"
assert_lt "$took" 10 "time from SIGTERM to exit (the restart delays are 60s)"

assert_eq 1 "$(runs db.log)" "runs of db"
assert_eq 1 "$(runs early.log)" "runs of early"
assert_grep "$ERR" 'web: stopped \(signal 15\)'
wait_gone "$web" 5 || fail "web (pid $web) is still running"
assert_eq 0 "$(runs late.log)" "runs of late"
assert_no_grep "$ERR" 'late: started'
assert_grep "$ERR" 'all services stopped'
