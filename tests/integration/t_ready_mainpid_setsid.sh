#!/usr/bin/env bash
# A notify service hands over to a main process in a session of its own
# (MAINPID= of a setsid'd child, as a self-daemonizing program does).
# Stopping it must reach that process, not only the first process group:
# muster stops it and exits, leaving nothing behind.
. "$(dirname "$0")/lib.sh"
command -v systemd-notify >/dev/null || skip "systemd-notify is not installed (package systemd)"
command -v setsid >/dev/null || skip "setsid is not installed (util-linux)"

cat >muster.ini <<INI
[muster]
control-socket = $TEST_DIR/ctl.sock
graceful-timeout = 20s
[service d]
type = notify
notify-access = all
stop-timeout = 15s
command = $(service d 'setsid sleep 1000 & echo $! >"$D/main.pid"; systemd-notify MAINPID=$! READY=1; exit 0')
INI
start_muster -c muster.ini
wait_file main.pid
main=$(cat main.pid)
wait_for "$ERR" "d: main process is now $main"
wait_for "$ERR" 'all 1 service up'
[ "$(stat_field "$main" 4)" = "$main" ] || fail "the new main process $main is not in a session of its own"
t0=$(now)
signal TERM
expect_exit 0 15
wait_gone "$main" 5 || fail "the main process $main outlived muster"
# it went with the stop-signal, not at the graceful-timeout's SIGKILL
assert_no_grep "$ERR" 'sending SIGKILL'
assert_le "$(elapsed "$t0")" 10 "seconds from SIGTERM to exit"
