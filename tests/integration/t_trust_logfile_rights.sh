#!/usr/bin/env bash
# A root muster opens and creates the log-file of a `user = nobody`
# service with nobody's rights: in a directory only root can write, the
# file is not created ("... as user nobody: Permission denied", once, also
# after SIGUSR1) and the service runs on, its lines on stdout; in a
# directory of nobody's the file is created owned by nobody; a file that
# nobody owns in root's directory (made by an admin) is written.  A
# service without user = (root) still creates its file in root's
# directory.
. "$(dirname "$0")/lib.sh"

# nobody must reach the files: a directory of our own ($NB)
nobody_dir

mkdir -m 0755 "$NB/rootonly" "$NB/mine"
chown nobody "$NB/mine"
: >"$NB/rootonly/pre.log"
chown nobody "$NB/rootonly/pre.log"

svc() { printf "/bin/sh -c 'echo \"%s line 1\"; exec sleep 300'" "$1"; }
cat >muster.ini <<INI
[muster]
control-socket = $PWD/ctl.sock

[service denied]
command = $(svc denied)
user = nobody
log-file = $NB/rootonly/denied.log

[service mine]
command = $(svc mine)
user = nobody
log-file = $NB/mine/mine.log

[service pre]
command = $(svc pre)
user = nobody
log-file = $NB/rootonly/pre.log

[service rootsvc]
command = $(svc rootsvc)
log-file = $NB/rootonly/root.log
INI

DENIED="denied: cannot open log-file $NB/rootonly/denied.log as user nobody: Permission denied"
start_muster -c muster.ini
wait_for "$ERR" 'all 4 services up'
for s in denied mine pre rootsvc; do
	wait_for "$OUT" "^$s +\\| $s line 1\$"
done
wait_file "$NB/mine/mine.log"
wait_file "$NB/rootonly/pre.log"
wait_file "$NB/rootonly/root.log"
assert_grep "$ERR" "$DENIED"
assert_no_file "$NB/rootonly/denied.log"

# SIGUSR1: tried again, still refused, not said again
signal USR1
wait_for "$ERR" 'reopening log files'
stop_muster 0
assert_no_file "$NB/rootonly/denied.log"
assert_count "$ERR" "cannot open log-file $NB/rootonly/denied.log" 1

assert_eq "mine line 1" "$(cat "$NB/mine/mine.log")" "mine.log"
assert_eq "pre line 1" "$(cat "$NB/rootonly/pre.log")" "pre.log"
assert_eq "rootsvc line 1" "$(cat "$NB/rootonly/root.log")" "root.log"
assert_eq nobody "$(stat -c %U "$NB/mine/mine.log")" "owner of mine.log (created by nobody's rights)"
assert_eq root "$(stat -c %U "$NB/rootonly/root.log")" "owner of root.log"
for s in denied mine pre rootsvc; do
	assert_count "$ERR" "$s: started" 1
done
exit 0
