#!/usr/bin/env bash
# Reload reads every included file again: a file added under the include
# glob adds its service (started; the others keep their processes), and a
# changed [override NAME] restarts that service only.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ctl.sh"

mkdir muster.d
cat >muster.ini <<INI
[muster]
control-socket = $SOCK
include = muster.d/*.ini

[service a]
command = sleep 2001
INI
printf '[service b]\ncommand = sleep 2002\n' >muster.d/10-b.ini
printf '[override a]\nstop-timeout = 3s\n' >muster.d/90-local.ini

start_muster -c muster.ini
wait_socket
wait_for "$ERR" 'all 2 services up'
a=$(pid_of a); b=$(pid_of b)

# a file added under the glob
printf '[service c]\ncommand = sleep 2003\ndepends = b\n' >muster.d/20-c.ini
ctl reload >reload.out 2>reload.err || fail "musterctl reload failed: $(cat reload.err)"
assert_eq "a: unchanged
b: unchanged
c: added, starting" "$(sort reload.out)" "the report of the reload that adds a file"
wait_state c ready
assert_eq "$a" "$(pid_of a)" "a keeps its process"
assert_eq "$b" "$(pid_of b)" "b keeps its process"
c=$(pid_of c)

# a changed override: its service restarts, no other
printf '[override a]\nstop-timeout = 4s\n' >muster.d/90-local.ini
ctl reload >reload.out 2>reload.err || fail "musterctl reload failed: $(cat reload.err)"
assert_eq "a: changed, restarting
b: unchanged
c: unchanged" "$(sort reload.out)" "the report of the reload that changes an override"
wait_for "$ERR" 'a: started.*' 
wait_state a ready
[ "$(pid_of a)" != "$a" ] || fail "a kept its process $a after its override changed"
assert_eq "$b" "$(pid_of b)" "b keeps its process"
assert_eq "$c" "$(pid_of c)" "c keeps its process"

# a broken included file: rejected at its FILE:LINE, nothing changes
printf '[service d]\ncomand = x\n' >muster.d/30-d.ini
ctl reload >reload.out 2>reload.err && fail "a reload of a broken included file succeeded"
assert_grep reload.err "muster\.d/30-d\.ini:2: unknown key 'comand'" "the error at the included file's line"
assert_eq "$b" "$(pid_of b)" "b keeps its process after a rejected reload"
stop_muster 0
