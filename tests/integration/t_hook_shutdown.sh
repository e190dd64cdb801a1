#!/usr/bin/env bash
# Shutdown cancels a pre-start that hangs (SIGTERM to its group; its main
# process never starts), runs post-stop after the main process of another
# service (MUSTER_EXIT_CODE=killed, MUSTER_EXIT_STATUS=TERM), and bounds a
# post-stop that hangs by stop-timeout: SIGKILL to its group.  No process
# of a hook is left behind, and muster exits 0 well before graceful-timeout.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ctl.sh"

cat >muster.ini <<INI
[muster]
control-socket = $SOCK
graceful-timeout = 60s

[service slowpre]
command = $(service slowmain 'touch "$D/slowmain-ran"; exec sleep 300')
pre-start = $(service slowpre 'echo $$ >"$D/slowpre.pid"; sleep 300 & echo $! >"$D/slowpre-child.pid"; wait')

[service web]
command = sleep 300
post-stop = $(service webpost 'echo "$MUSTER_EXIT_CODE $MUSTER_EXIT_STATUS" >"$D/webpost"')

[service stuck]
command = sleep 300
stop-timeout = 1s
post-stop = $(service stuckpost 'echo $$ >"$D/stuckpost.pid"; trap "" TERM; sleep 300 & echo $! >"$D/stuckpost-child.pid"; wait; wait')
INI

start_muster -c muster.ini
wait_socket
wait_file slowpre-child.pid
ctl wait web stuck || fail "web and stuck not ready"
assert_eq pre-start "$(state_of slowpre)" "the state while pre-start runs"
ctl status slowpre >st.txt
assert_grep st.txt 'pre-start running \(pid [0-9]+\)' "status names the running hook"
t0=$(now)
signal TERM
wait_file stuckpost-child.pid
expect_exit 0 30
assert_lt "$(elapsed "$t0")" 20 "shutdown time with a hanging post-stop (stop-timeout 1s)"
assert_eq "killed TERM" "$(cat webpost)" "post-stop's MUSTER_EXIT_CODE and MUSTER_EXIT_STATUS"
assert_no_file slowmain-ran
for f in slowpre slowpre-child stuckpost stuckpost-child; do
	wait_gone "$(cat $f.pid)" 5 || fail "$f outlived the shutdown"
done
assert_grep "$ERR" 'stuck: post-stop still running after 1s: sending SIGKILL' "the bound of post-stop"
assert_grep "$ERR" 'slowpre: cancelling pre-start' "the pre-start cancelled"
