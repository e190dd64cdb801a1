#!/usr/bin/env bash
# As PID 1 (a new PID namespace), muster -- CMD passes CMD's exit status
# through: 0, 42, 128+N when signal N killed it (143 for SIGTERM, 137 for
# SIGKILL), 127 for a command that cannot be found.  A PID 1 gets no
# default signal actions, yet SIGTERM or SIGINT sent to it from outside
# stop it: forwarded to CMD, which dies of it (143, 130).
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/pid1.sh"

run_pid1 -- /bin/sh -c 'echo "ppid=$PPID"; exit 0'
assert_eq 0 $? "exit status of CMD 'exit 0'"
assert_grep "$OUT" '^ppid=1$' "CMD's parent as seen by CMD (muster, PID 1)"

run_pid1 -- /bin/sh -c 'exit 42'
assert_eq 42 $? "exit status of CMD 'exit 42'"

run_pid1 -- /bin/sh -c 'kill -TERM $$; sleep 5'
assert_eq 143 $? "exit status of a CMD killed by SIGTERM"

run_pid1 -- /bin/sh -c 'kill -KILL $$; sleep 5'
assert_eq 137 $? "exit status of a CMD killed by SIGKILL"

run_pid1 -- /nonexistent/program
assert_eq 127 $? "exit status of a CMD that does not exist"
assert_grep "$ERR" 'cannot exec /nonexistent/program: No such file or directory'

# a signal from outside: PID 1 must still act on it
for sig in TERM INT; do
	rm -f cmd.pid
	start_pid1 -- /bin/sh -c 'echo $$ >cmd.pid; exec sleep 300'
	wait_file cmd.pid
	signal1 $sig
	case $sig in TERM) want=143 ;; INT) want=130 ;; esac
	expect_exit $want
done
