#!/usr/bin/env bash
# success-exit: a status or a signal it names is a clean exit, so
# restart = on-failure does not restart it; any other status still does.
# A critical service ending with one ends the run with status 0.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ctl.sh"

cat >muster.ini <<INI
[muster]
control-socket = $SOCK

[service three]
command = $(service three 'echo three ran >>"$D/three"; exit 3')
success-exit = 0 3

[service termed]
command = $(service termed 'echo termed ran >>"$D/termed"; kill -TERM $$')
success-exit = SIGTERM

[service four]
command = $(service four 'echo four ran >>"$D/four"; exit 4')
success-exit = 0 3
restart-delay = 50ms
start-limit = 2 in 60s
INI

start_muster -c muster.ini
wait_socket
wait_state three stopped
wait_state termed stopped
wait_state four failed
assert_count three 'ran' 1
assert_count termed 'ran' 1
assert_count four 'ran' 3
ctl status three termed >st.txt
assert_grep st.txt '^three +stopped .* 3 *$' "three: stopped, last exit 3"
stop_muster 0

cat >crit.ini <<INI
[muster]
control-socket = $SOCK

[service crit]
command = $(service crit 'exit 143')
critical = yes
restart = no
success-exit = 143
INI
start_muster -c crit.ini
expect_exit 0
