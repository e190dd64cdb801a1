#!/usr/bin/env bash
# A service's environment is muster's own, then its env-file, then its env:
# each later KEY=VALUE replaces the earlier one of the same name (within
# the file too, the last wins), and each name is there once.  With 20000
# names in the file.
. "$(dirname "$0")/lib.sh"

{
	echo 'INHERITED=file'
	echo 'DUP=first'
	awk 'BEGIN { for (i = 1; i <= 20000; i++) printf "K%d=file%d\n", i, i }'
	echo 'SHARED=file'
	echo 'DUP=last'
} >big.env

cat >muster.ini <<INI
[service probe]
command = $(service probe '
{
	echo "INHERITED=$INHERITED"
	echo "KEEP=$KEEP"
	echo "K5=$K5"
	echo "K20000=$K20000"
	echo "DUP=$DUP"
	echo "SHARED=$SHARED"
	echo "KCOUNT=$(env | grep -c "^K[0-9]*=")"
	echo "ONCE=$(env | grep -c "^INHERITED=")$(env | grep -c "^DUP=")$(env | grep -c "^SHARED=")"
} >"$D/probe.tmp" && mv "$D/probe.tmp" "$D/probe.txt"')
type = oneshot
env = SHARED=env
env-file = big.env
INI

INHERITED=daemon KEEP=daemon K5=daemon start_muster -c muster.ini
wait_for "$ERR" 'probe: done'
stop_muster 0

get() { sed -n "s/^$1=//p" probe.txt; }
assert_eq "file" "$(get INHERITED)" "env-file over the daemon's environment"
assert_eq "daemon" "$(get KEEP)" "the daemon's environment"
assert_eq "file5" "$(get K5)" "env-file over the daemon's environment (K5)"
assert_eq "file20000" "$(get K20000)" "the last name of the env-file"
assert_eq "last" "$(get DUP)" "the env-file's last DUP="
assert_eq "env" "$(get SHARED)" "env over env-file"
assert_eq 20000 "$(get KCOUNT)" "names K1..K20000 in the service's environment"
assert_eq 111 "$(get ONCE)" "INHERITED, DUP and SHARED once each"
