#!/usr/bin/env bash
# A real sd_notify client, systemd-notify(1), called from a service's shell
# script.  systemd-notify speaks for its parent process (as root it puts
# its parent's pid in the message's credentials); here its parent is a
# second shell, a child of the service's main process:
# - notify-access = all: READY=1 and STATUS= count; the dependent starts
#   after; the status shows in musterctl status;
# - notify-access = main (the default): the message is not from the main
#   process and is ignored; the service is stopped at its ready-timeout;
# - (as root) systemd-notify called by the main shell itself speaks for the
#   main process: it counts under notify-access = main.
# In every case systemd-notify's BARRIER=1 completes (muster closes the
# descriptor passed with it), so systemd-notify exits 0 rather than 1.
. "$(dirname "$0")/lib.sh"

command -v systemd-notify >/dev/null || skip "systemd-notify not installed (Debian package systemd)"
[ -x "$MUSTERCTL" ] || skip "MUSTERCTL is not set to musterctl"

state() {
	"$MUSTERCTL" -s "$TEST_DIR/ctl.sock" status --json "$1" 2>/dev/null |
		sed -n 's/.*"state": "\([a-z]*\)".*/\1/p'
}

D=$TEST_DIR
root=no
[ "$(id -u)" = 0 ] && root=yes
cat >muster.ini <<INI
[muster]
control-socket = $D/ctl.sock

[service all]
command = $(service all 'stamp all.start
sleep 0.5
stamp all.notify
sh -c '\''systemd-notify --ready --status="up via systemd-notify"; echo $? >"$0"'\'' "$D/all.rc"
exec sleep 300')
type = notify
notify-access = all

[service dep]
command = $(service dep 'stamp dep.start; exec sleep 300')
depends = all

[service main]
command = $(service main 'sh -c '\''systemd-notify --ready; echo $? >"$0"'\'' "$D/main.rc"
exec sleep 300')
type = notify
ready-timeout = 8s
restart = no
INI
if [ $root = yes ]; then
	cat >>muster.ini <<INI

[service direct]
command = $(service direct 'systemd-notify --ready; echo $? >"$D/direct.rc"; exec sleep 300')
type = notify
ready-timeout = 30s
INI
fi

start_muster -c muster.ini

# notify-access = all
wait_for "$ERR" 'all: ready' 30
wait_file all.rc
assert_eq 0 "$(cat all.rc)" "exit status of systemd-notify (all)"
wait_file dep.start
assert_ts_before all.notify dep.start "dep started after systemd-notify --ready"
assert_le 0.5 "$(elapsed "$(ts all.start)" "$(ts dep.start)")" "dep started 0.5s or more after all"
assert_order "$ERR" 'all: ready' 'dep: started'
json=$("$MUSTERCTL" -s ctl.sock status --json all)
grep -q '"status": "up via systemd-notify"' <<<"$json" || fail "all: status text missing in: $json"

# notify-access = main, from a child of the main process
wait_file main.rc
assert_eq 0 "$(cat main.rc)" "exit status of systemd-notify (main)"
# its barrier came back, so its READY=1 has been read: and ignored
assert_eq starting "$(state main)" "state of main after systemd-notify --ready from a child"
wait_for "$ERR" 'error: main: not ready within 8s: stopping it' 30
wait_for "$ERR" 'error: main: failed: not ready within 8s' 30
assert_no_grep "$ERR" 'main: ready'

if [ $root = yes ]; then
	wait_for "$ERR" 'direct: ready' 30
	wait_file direct.rc
	assert_eq 0 "$(cat direct.rc)" "exit status of systemd-notify (direct)"
fi

stop_muster 0
