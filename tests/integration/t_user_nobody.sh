#!/usr/bin/env bash
# user = nobody (daemon running as root): the child runs with nobody's
# uid, primary gid and supplementary groups (none of root's), and HOME,
# USER, LOGNAME are nobody's; group = overrides the gid.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || skip "needs root to switch users (running as uid $(id -u))"
id nobody >/dev/null 2>&1 || skip "no user 'nobody' on this system"
nuid=$(id -u nobody)
ngid=$(id -g nobody)
# a group other than nobody's primary, for group =
ogrp=$(getent group | awk -F: -v g="$ngid" '$3 != g && $3 != 0 { print $1; exit }')
[ -n "$ogrp" ] || skip "no group other than root and nobody's to test group ="
ogid=$(getent group "$ogrp" | cut -d: -f3)

body='echo "uid=$(id -u) gid=$(id -g) groups=$(id -G) user=$USER logname=$LOGNAME home=$HOME"'
cat >muster.ini <<INI
[service who]
command = /bin/sh -c '$body'
type = oneshot
user = nobody

[service whog]
command = /bin/sh -c '$body'
type = oneshot
user = nobody
group = $ogrp
INI

# give the daemon supplementary groups (root's 0, and 4) when setpriv can,
# so that keeping them in the child would show
if command -v setpriv >/dev/null && setpriv --groups 0,4 true 2>/dev/null; then
	REAL_MUSTER=$MUSTER
	cat >wrap.sh <<SH
#!/bin/sh
exec setpriv --groups 0,4 "$REAL_MUSTER" "\$@"
SH
	chmod +x wrap.sh
	MUSTER=$TEST_DIR/wrap.sh
	supp="0 4"
else
	supp=""
	log "note: setpriv unavailable; the daemon has no supplementary groups to leak"
fi
start_muster -c muster.ini
wait_for "$ERR" 'who: (done|failed)'
wait_for "$ERR" 'whog: (done|failed)'
if [ -n "$supp" ]; then
	dg=$(sed -n 's/^Groups:[[:space:]]*//p' "/proc/$MPID/status" | xargs)
	assert_eq "$supp" "$dg" "the daemon's own supplementary groups (test setup)"
fi
stop_muster 0

line=$(sed -n 's/^who  *| //p' "$OUT")
[ -n "$line" ] || fail "no output from service 'who'"
home=$(getent passwd nobody | cut -d: -f6)
assert_eq "uid=$nuid gid=$ngid" "$(echo "$line" | grep -o 'uid=[0-9]* gid=[0-9]*')" "who: uid and gid"
groups=$(echo "$line" | sed -n 's/.*groups=\([0-9 ]*\) user=.*/\1/p')
for g in $groups; do
	[ "$g" != 0 ] || fail "who: the child kept root's group 0 among its groups ($groups)"
	[ "$g" != 4 ] || fail "who: the child kept the daemon's supplementary group 4 ($groups)"
done
assert_eq "user=nobody logname=nobody home=$home" "$(echo "$line" | grep -o 'user=.*')" "who: USER, LOGNAME, HOME"

line=$(sed -n 's/^whog  *| //p' "$OUT")
[ -n "$line" ] || fail "no output from service 'whog'"
assert_eq "uid=$nuid gid=$ogid" "$(echo "$line" | grep -o 'uid=[0-9]* gid=[0-9]*')" "whog: uid and gid (group = $ogrp)"
