#!/usr/bin/env bash
# A name lookup that hangs never holds up muster: in a private mount
# namespace, resolv.conf points at a DNS server that never answers (a
# local UDP socket that reads and never replies).  The health check of a
# service whose health-tcp names a host in DNS times out at health-timeout
# ("timed out after 1s"), the lookup's child killed with it, while
# `musterctl status` keeps answering at once; a readiness probe of such a
# name only waits.  The name is resolved again on every attempt: a name of
# /etc/hosts changed meanwhile is found at its new address.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ctl.sh"
. "$(dirname "$0")/probes.sh"

command -v unshare >/dev/null || skip "unshare is missing"
unshare --mount true 2>/dev/null || skip "cannot make a mount namespace here (unshare --mount needs CAP_SYS_ADMIN)"

D=$TEST_DIR
# a DNS server that never answers, on an address of its own
dns=127.$((RANDOM % 200 + 20)).$((RANDOM % 250 + 1)).53
MUSTER_IT_TAG=$IT_TAG python3 - "$dns" "$D/dns.pid" "$D/dns.queries" <<'PY' >/dev/null 2>&1 &
import os, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 53))
open(sys.argv[2], "w").write("%d\n" % os.getpid())
while True:
    s.recvfrom(4096)
    with open(sys.argv[3], "a") as f:
        f.write("query\n")
PY
wait_file dns.pid
printf 'nameserver %s\noptions timeout:30 attempts:1\n' "$dns" >resolv.conf
printf 'hosts: files dns\n' >nsswitch.conf
printf '127.0.0.1 localhost\n127.0.0.1 moving.test\n' >hosts

tcp_listener db
port=$(cat db.port)
cat >muster.ini <<INI
[muster]
control-socket = $SOCK

[service hung]
command = sleep 300
health-tcp = never.answers.test:$port
health-interval = 100ms
health-timeout = 1s
health-retries = 1000
on-unhealthy = ignore

[service waiting]
command = sleep 300
ready-tcp = never.answers.test:$port
ready-interval = 100ms
ready-timeout = 5m

[service moving]
command = sleep 300
health-tcp = moving.test:$port
health-interval = 100ms
on-unhealthy = ignore
INI
cat >ns.sh <<SH
mount --bind $D/resolv.conf /etc/resolv.conf &&
mount --bind $D/nsswitch.conf /etc/nsswitch.conf &&
mount --bind $D/hosts /etc/hosts &&
exec "\$@"
SH
MUSTER_WRAPPER="unshare --mount sh $D/ns.sh" start_muster -c muster.ini
wait_socket
wait_state hung ready
wait_for "$ERR" 'warning: hung: health check failed \(1 of 1000 in a row\): timed out after 1s' 10
wait_file dns.queries
wait_health moving healthy

# status answers at once, every time, while lookups hang
worst=0
for i in $(seq 1 20); do
	t0=$(now)
	ctl status >/dev/null || fail "status failed while lookups hang"
	t=$(elapsed "$t0")
	worst=$(awk -v a="$worst" -v b="$t" 'BEGIN { print (b > a ? b : a) }')
done
log "20 status calls while lookups hang: the slowest took ${worst}s"
assert_lt "$worst" 10 "the slowest status (a lookup in the loop would block it for 30s)"
assert_eq "timed out after 1s" "$(json_field hung reason)" "hung's reason"
assert_eq starting "$(state_of waiting)" "waiting's state"

# no lookup child piles up: each was killed with its check
wait_for "$ERR" 'hung: health check failed \(3 of 1000' 10
kids=$(ps -o pid= --ppid "$MPID" | wc -l)
log "muster's children now: $kids"
[ "$kids" -le 8 ] || fail "muster has $kids children: lookups pile up"

# a name moved in /etc/hosts: found at its new address at the next check
printf '127.0.0.1 localhost\n127.0.0.9 moving.test\n' >hosts.new
cat hosts.new >hosts
wait_health moving unhealthy
assert_eq "connection refused" "$(json_field moving reason)" "moving's reason at 127.0.0.9"

t0=$(now)
stop_muster 0
log "shutdown with hanging lookups took $(elapsed "$t0")s"
