#!/usr/bin/env bash
# env, env-file, directory and umask are applied to the child; the
# daemon's own environment is inherited.
. "$(dirname "$0")/lib.sh"

mkdir -p wd/sub
cat >vars.env <<'ENV'
# a comment, then blank
  
FROMFILE=file-value
export EXPORTED='quoted value'
DQ="double quoted"
ENV

cat >muster.ini <<INI
[service probe]
command = $(service probe '
{
	echo "PLAIN=$PLAIN"
	echo "SPACED=$SPACED"
	echo "FROMFILE=$FROMFILE"
	echo "EXPORTED=$EXPORTED"
	echo "DQ=$DQ"
	echo "INHERITED=$INHERITED"
	echo "PWD=$(pwd -P)"
	echo "UMASK=$(umask)"
	touch newfile
	mkdir newdir
	echo "FILEMODE=$(stat -c %a newfile)"
	echo "DIRMODE=$(stat -c %a newdir)"
} >"$D/probe.txt"')
type = oneshot
env = PLAIN=plain-value "SPACED=a b  c"
env-file = $TEST_DIR/vars.env
directory = $TEST_DIR/wd/sub
umask = 027
INI

INHERITED=from-daemon start_muster -c muster.ini
wait_for "$ERR" 'probe: done'
stop_muster 0

get() { sed -n "s/^$1=//p" probe.txt; }
assert_eq "plain-value" "$(get PLAIN)" "env PLAIN"
assert_eq "a b  c" "$(get SPACED)" "env SPACED (quoted, with blanks)"
assert_eq "file-value" "$(get FROMFILE)" "env-file FROMFILE"
assert_eq "quoted value" "$(get EXPORTED)" "env-file 'export EXPORTED=...'"
assert_eq "double quoted" "$(get DQ)" "env-file DQ"
assert_eq "from-daemon" "$(get INHERITED)" "the daemon's environment"
assert_eq "$(cd wd/sub && pwd -P)" "$(get PWD)" "directory"
assert_eq "0027" "$(get UMASK)" "umask"
assert_eq "640" "$(get FILEMODE)" "mode of a file created under umask 027"
assert_eq "750" "$(get DIRMODE)" "mode of a directory created under umask 027"
assert_file wd/sub/newfile
