#!/usr/bin/env bash
# No file descriptor of the daemon leaks into a child: a service sees only
# 0 (/dev/null), 1 and 2 (the daemon's pipes), plus the directory ls opens
# to list /proc/self/fd.  Even a descriptor muster inherited (fd 7 here)
# must not reach the services.
. "$(dirname "$0")/lib.sh"

cat >muster.ini <<INI
[service fdlist]
command = ls -l /proc/self/fd
type = oneshot

[service fdlist2]
command = ls -l /proc/self/fd
type = oneshot
depends = fdlist

[service holder]
command = sleep 300
depends = fdlist2
INI

exec 7>"$TEST_DIR/inherited"
start_muster -c muster.ini
exec 7>&-
wait_for "$ERR" 'all 3 services up'
stop_muster 0

for svc in fdlist fdlist2; do
	# "fdlist | lr-x------ 1 root root 64 Jan 1 00:00 3 -> /proc/123/fd"
	lines=$(sed -n "s/^$svc  *| .* \([0-9][0-9]*\) -> \(.*\)\$/\1 \2/p" "$OUT")
	[ -n "$lines" ] || fail "no 'ls -l /proc/self/fd' output of $svc on stdout"
	fds=$(echo "$lines" | awk '{print $1}' | sort -n | tr '\n' ' ')
	leaks=$(echo "$lines" | awk '$1 > 2 && $2 !~ /^\/proc\/[0-9]+\/fd$/' | tr '\n' ';')
	[ -z "$leaks" ] || fail "$svc: descriptors leaked into the child: $leaks (all: $fds)"
	assert_eq "/dev/null" "$(echo "$lines" | awk '$1 == 0 {print $2}')" "$svc: fd 0"
	echo "$lines" | awk '$1 == 1' | grep -q 'pipe:' || fail "$svc: fd 1 is not a pipe: $lines"
	echo "$lines" | awk '$1 == 2' | grep -q 'pipe:' || fail "$svc: fd 2 is not a pipe: $lines"
	# 0, 1, 2 and at most ls's own directory
	n=$(echo "$lines" | wc -l)
	[ "$n" -le 4 ] || fail "$svc: expected at most 4 descriptors, found $n: $fds"
done
