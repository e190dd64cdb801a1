#!/usr/bin/env bash
# A health check runs only while its service is ready: stopping the
# service, restarting it, a reload that changes it and shutting down each
# cancel a check under way at once (its process group killed, long before
# its 60s health-timeout), leaving no process, zombie or descriptor behind.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ctl.sh"
. "$(dirname "$0")/probes.sh"

D=$TEST_DIR
write_config() {
	cat >muster.ini <<INI
[muster]
control-socket = $SOCK
graceful-timeout = 60s

[service app]
command = sleep 300
env = GEN=$1
health-check = sh -c 'echo \$\$\$\$ >$D/check.pid; sleep 300 & echo \$! >$D/grandchild.pid; wait'
health-interval = 100ms
health-timeout = 60s
INI
}
# running_check: wait for a check to run, print its pid and its grandchild's
running_check() {
	rm -f check.pid grandchild.pid
	wait_file check.pid
	wait_file grandchild.pid
	echo "$(cat check.pid) $(cat grandchild.pid)"
}
gone_at_once() { # WHAT PIDS...
	local what=$1 p
	shift
	for p in "$@"; do
		wait_gone "$p" 5 || fail "$what: check process $p still there"
	done
}
nfds() { ls "/proc/$MPID/fd" | wc -l; }

write_config 1
start_muster -c muster.ini
wait_socket
wait_state app ready

read -r c g < <(running_check)
ctl stop app || fail "stop app"
gone_at_once "stop" $c $g
fds=$(nfds)

for i in 1 2 3; do
	ctl start app >/dev/null || fail "start app"
	read -r c g < <(running_check)
	ctl stop app || fail "stop app ($i)"
	gone_at_once "stop ($i)" $c $g
done
assert_eq "$fds" "$(nfds)" "muster's descriptors after 3 cancelled checks"

ctl start app >/dev/null || fail "start app"
read -r c g < <(running_check)
ctl restart app >/dev/null || fail "restart app"
gone_at_once "restart" $c $g

read -r c g < <(running_check)
write_config 2
ctl reload >/dev/null || fail "reload"
gone_at_once "reload" $c $g

read -r c g < <(running_check)
t0=$(now)
stop_muster 0
gone_at_once "shutdown" $c $g
log "shutdown took $(elapsed "$t0")s with a check running"
