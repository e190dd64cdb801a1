#!/usr/bin/env bash
# musterctl signal NAME SIGNAL sends SIGNAL to the service's whole process
# group (its main process and a child both get it), by name with or
# without SIG, or by number; an unknown signal is a usage error named; a
# service without a process is an error.  musterctl reload NAME sends its
# reload-signal to the main process alone; one without reload-signal is an
# error, and `musterctl reload` alone still reloads the config.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ctl.sh"

SR=$HELPERS/sigrecord
[ -x "$SR" ] || skip "helper $SR not built"
# the main process records its signals, and so does a child in its group
cat >muster.ini <<INI
[muster]
control-socket = $SOCK

[service web]
command = $(service web "$SR -x SIGTERM \"\$D/child.log\" & exec $SR -x SIGTERM \"\$D/main.log\"")
reload-signal = HUP

[service nohup]
command = sleep 300

[service off]
command = sleep 300
enabled = no
INI

start_muster -c muster.ini
wait_socket
ctl wait web nohup || fail "not ready"
wait_for main.log '^ready'
wait_for child.log '^ready'

ctl signal web SIGUSR1 || fail "signal web SIGUSR1: exit $?"
ctl signal web USR2 || fail "signal web USR2: exit $?"
ctl signal web 10 || fail "signal web 10: exit $?"
wait_for main.log '^SIGUSR2'
wait_for child.log '^SIGUSR2'
assert_count main.log '^SIGUSR1' 2
assert_count child.log '^SIGUSR1' 2

ctl signal web SIGNOPE 2>err.txt
assert_eq 2 "$?" "an unknown signal"
assert_grep err.txt "unknown signal 'SIGNOPE'" "the message names it"
ctl signal off HUP 2>err.txt
assert_eq 1 "$?" "signal to a service without a process"
assert_grep err.txt 'off is disabled: no process to signal' "the message"

# reload NAME: its reload-signal, to the main process only
ctl reload web || fail "reload web: exit $?"
wait_for main.log '^SIGHUP'
assert_no_grep child.log '^SIGHUP' "reload-signal goes to the main process only"
ctl reload nohup 2>err.txt
assert_eq 1 "$?" "reload of a service without reload-signal"
assert_grep err.txt 'nohup has no reload-signal' "the message"
ctl reload >out.txt || fail "reload of the config: exit $?"
assert_grep out.txt 'web: unchanged' "reload without a name reloads the config"
stop_muster 0
