#!/usr/bin/env bash
# Every hook runs as the service's user and group, with its umask.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ctl.sh"

[ "$(id -u)" = 0 ] || skip "needs root to run a service as nobody (running as uid $(id -u))"
id nobody >/dev/null 2>&1 || skip "no user 'nobody' on this system"
# nobody must reach the scripts and write its records: a directory of its own
ND=$(mktemp -d /tmp/muster-hooks.XXXXXX)
chmod 777 "$ND"
trap 'r=$?; rm -rf "$ND"; (exit $r); _cleanup' EXIT
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
command = $(script web "$(rec main | sed 's/^\/bin\/sh //' ) ; exec sleep 300")
user = nobody
umask = 027
pre-start = $(rec pre)
post-start = $(rec poststart)
stop-command = $(script stopcmd "echo stopcmd \$(id -u) \$(id -g) \$(umask) >>$ND/ids; kill \$(cat $ND/none 2>/dev/null) 2>/dev/null; exit 1")
post-stop = $(rec poststop)
INI
cat "$ND/web.sh" >&2

start_muster -c muster.ini
wait_socket
ctl wait web || fail "web not ready"
wait_for "$ND/ids" '^poststart '
ctl stop web || fail "stop web: exit $?"
wait_for "$ND/ids" '^poststop '
uid=$(id -u nobody) gid=$(id -g nobody)
for h in pre poststart stopcmd poststop; do
	assert_grep "$ND/ids" "^$h $uid $gid 0?027\$" "$h as nobody with umask 027"
done
stop_muster 0
