#!/usr/bin/env bash
# Every hook runs as the service's user and group, with its umask.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ctl.sh"

nobody_dir
ND=$NB
chmod 0777 "$ND" # the hooks write their records here, as nobody
SOCK=$ND/ctl.sock
script() { # NAME BODY
	printf '%s\n' "$2" >"$ND/$1.sh"
	chmod 755 "$ND/$1.sh"
	printf '/bin/sh %s' "$ND/$1.sh"
}
rec() { script "$1" "echo \"$1 \$(id -u) \$(id -g) \$(umask)\" >>$ND/ids"; }
cat >muster.ini <<INI
[muster]
control-socket = $SOCK

[service web]
command = $(script web "echo \"main \$(id -u) \$(id -g) \$(umask)\" >>$ND/ids; exec sleep 300")
user = nobody
umask = 027
pre-start = $(rec pre)
post-start = $(rec poststart)
; fails: the stop-signal follows
stop-command = $(script stopcmd "echo stopcmd \$(id -u) \$(id -g) \$(umask) >>$ND/ids; exit 1")
post-stop = $(rec poststop)
INI

start_muster -c muster.ini
wait_socket
ctl wait web || fail "web not ready"
wait_for "$ND/ids" '^poststart '
ctl stop web || fail "stop web: exit $?"
wait_for "$ND/ids" '^poststop '
uid=$(id -u nobody) gid=$(id -g nobody)
for h in main pre poststart stopcmd poststop; do
	assert_grep "$ND/ids" "^$h $uid $gid 0?027\$" "$h as nobody with umask 027"
done
stop_muster 0
