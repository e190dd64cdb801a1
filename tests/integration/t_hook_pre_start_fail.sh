#!/usr/bin/env bash
# A pre-start that exits non-zero is a failed start: with restart = no the
# service is failed with the hook's reason and its main process never
# runs, and a blocking `musterctl start` says so with exit 1.  One that
# runs past ready-timeout is killed with its whole process group (a child
# it started too), which is a failed start as well.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ctl.sh"

cat >muster.ini <<INI
[muster]
control-socket = $SOCK

[service migrate]
command = $(service main 'touch "$D/main-ran"; exec sleep 300')
pre-start = $(service pre 'echo migrating; exit 3')
restart = no

[service hang]
command = $(service hangmain 'touch "$D/hang-main-ran"; exec sleep 300')
pre-start = $(service hangpre 'sleep 300 & echo $! >"$D/child.pid"; echo $$ >"$D/pre.pid"; wait')
ready-timeout = 1s
restart = no
INI

start_muster -c muster.ini
wait_socket
wait_state migrate failed
ctl status migrate >st.txt
assert_grep st.txt 'pre-start exited with status 3' "the reason in status"
assert_no_file main-ran
assert_grep "$OUT" '^migrate +\| migrating' "the hook's output"

# a blocking start of it fails with the reason
ctl start migrate >out.txt 2>err.txt
assert_eq 1 "$?" "exit status of start of a service whose pre-start fails"
assert_grep err.txt 'migrate failed: pre-start exited with status 3' "the reason given"
assert_no_file main-ran

# the hanging one: killed after ready-timeout, with its child
wait_state hang failed
ctl status hang >st.txt
assert_grep st.txt 'pre-start not done within 1s' "the reason of a pre-start past ready-timeout"
wait_gone "$(cat child.pid)" || fail "the pre-start's child outlived it"
wait_gone "$(cat pre.pid)" || fail "the pre-start outlived its bound"
assert_no_file hang-main-ran
stop_muster 0
