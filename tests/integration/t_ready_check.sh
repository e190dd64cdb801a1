#!/usr/bin/env bash
# ready-check: the service is ready when the check command exits 0; it is
# run again every ready-interval until then (and not after), with the
# service's environment and working directory; the dependent starts after
# the check passed.
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/flaky.sh"

D=$TEST_DIR
mkdir wd
# the service marks itself up after 400ms; the check (run in wd, with
# MODE from env) counts its runs and passes once the mark is there (shell
# syntax through sh -c: ready-check runs its command directly)
cat >muster.ini <<INI
[muster]
control-socket = $D/ctl.sock

[service c]
command = $FLAKY $D/wd/c.log sleep:400+stamp:up+pause
directory = $D/wd
env = MODE=prod
ready-check = sh -c 'echo "\$MODE \$(pwd)" >>$D/checks.log; grep -q "^up " ./c.log'
ready-interval = 100ms

[service d]
command = $FLAKY $D/d.log pause
depends = c
INI

start_muster -c muster.ini
wait_state d ready 30

t_start=$(awk '$1 == "start" { print $4 }' wd/c.log)
t_up=$(awk '$1 == "up" { print $3 }' wd/c.log)
t_d=$(awk '$1 == "start" { print $4 }' d.log)
[ -n "$t_start" ] && [ -n "$t_up" ] && [ -n "$t_d" ] || fail "missing stamps"
log "c started, up at +$(elapsed "$t_start" "$t_up")s, d started at +$(elapsed "$t_start" "$t_d")s; $(wc -l <checks.log) checks"
assert_lt "$t_up" "$t_d" "d started after c was up"
assert_order "$ERR" 'c: started' 'c: ready' 'd: started'

n=$(wc -l <checks.log)
[ "$n" -ge 2 ] || fail "the check ran $n times; it must have been retried (400ms, every 100ms)"
assert_eq "prod $D/wd" "$(sort -u checks.log)" "what the check saw: \$MODE and its directory"

# ready: no more checks
sleep 0.5
assert_eq "$n" "$(wc -l <checks.log)" "checks run after c was ready"

stop_muster 0
