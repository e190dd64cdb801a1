#!/usr/bin/env bash
# Only root and the daemon's own uid may use the socket: as nobody,
# musterctl cannot even connect (mode 0600: exit 3, "Permission denied");
# and when the file mode is opened up by hand, the daemon checks the peer's
# credentials (SO_PEERCRED) and refuses (exit 1, a clear message).
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/ctl.sh"

command -v setpriv >/dev/null || skip "setpriv (util-linux) is not installed"
[ "$(id -u)" = 0 ] || skip "needs root to run a client as nobody"
id nobody >/dev/null 2>&1 || skip "no user nobody"
group=$(id -gn nobody)

# the socket in a directory nobody can traverse (the test dir may not be)
SD=$(mktemp -d /tmp/muster-ctl-peer.XXXXXX) || fail "mktemp"
trap 'rc=$?; rm -rf "$SD"; (exit $rc); _cleanup' EXIT
chmod 0755 "$SD"
cp "$MUSTERCTL" "$SD/musterctl"
chmod 0755 "$SD/musterctl"
SOCK=$SD/ctl.sock

cat >muster.ini <<INI
[muster]
control-socket = $SOCK

[service web]
command = sleep 300
INI

as_nobody() {
	timeout -k 5 "$DEFAULT_WAIT" setpriv --reuid=nobody --regid="$group" --clear-groups \
		"$SD/musterctl" -s "$SOCK" "$@"
}

start_muster -c muster.ini
wait_socket
ctl wait web || fail "wait web: exit $?"

as_nobody status >out.txt 2>err.txt
rc=$?
cat err.txt >&2
assert_eq 3 "$rc" "nobody's musterctl on a 0600 socket"
assert_grep err.txt "$SOCK.*Permission denied" "nobody's message"

chmod 0666 "$SOCK"
as_nobody stop web >out.txt 2>err.txt
rc=$?
cat err.txt >&2
assert_eq 1 "$rc" "nobody's musterctl when the daemon refuses it"
assert_grep err.txt 'permission denied: uid [0-9]+ may not control this muster' "nobody's message"
assert_grep "$ERR" 'control: refused pid [0-9]+ of uid' "the daemon's log"
# and nothing was done
assert_eq ready "$(state_of web)" "web's state after nobody's stop"
ctl status >/dev/null || fail "status as root after the refusal: exit $?"
stop_muster 0
