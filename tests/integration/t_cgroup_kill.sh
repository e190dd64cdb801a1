#!/usr/bin/env bash
# With cgroups, a service runs in a cgroup of its own beside muster's
# leaf, placed before exec; grandchildren that setsid'd and ignore SIGTERM
# are all gone once `musterctl stop` returns, with muster still running
# (cgroup.kill after stop-timeout, no sweep); the service's cgroup is
# removed once empty, muster's own at exit.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ctl.sh"
. "$(dirname "$0")/cgroup.sh"
need_cgroup2

cat >muster.ini <<INI
[muster]
control-socket = $SOCK
cgroups = yes

[service forker]
command = $(service forker '
(setsid sh -c "trap \"\" TERM; echo \$\$ >$D/gc1.pid; while :; do sleep 0.05; done" &)
(setsid sh -c "trap \"\" TERM; echo \$\$ >$D/gc2.pid; while :; do sleep 0.05; done" &)
stamp forker.up
exec sleep 1000')
stop-timeout = 1s
INI

start_muster -c muster.ini
wait_socket
wait_for "$ERR" 'all 1 service up'
wait_file forker.up; wait_file gc1.pid; wait_file gc2.pid

mcg=$(cgroup_of "$MPID")
[ "$(basename "$mcg")" = muster ] || fail "muster is in $mcg, not a leaf called muster"
base=$(dirname "$mcg")
svcpid=$(pid_of forker)
for p in "$svcpid" "$(cat gc1.pid)" "$(cat gc2.pid)"; do
	assert_eq "$base/forker.service" "$(cgroup_of "$p")" "the cgroup of pid $p"
	[ "$(stat_field "$p" 4)" != "$(stat_field "$MPID" 4)" ] || fail "pid $p is in muster's session"
done
[ "$(stat_field "$(cat gc1.pid)" 4)" != "$(stat_field "$svcpid" 4)" ] || fail "gc1 did not setsid"

# status --json: the cgroup's process count (the service, 2 grandchildren, their sleeps)
ctl status --json forker >st.json || fail "status --json failed"
python3 - st.json <<'PY' || fail "status --json has no cgroup process count: $(cat st.json)"
import json, sys
o = json.load(open(sys.argv[1]))[0]
assert o["cgroup"]["procs"] >= 3, o
PY

ctl stop forker >/dev/null || fail "musterctl stop forker failed"
wait_state forker stopped
for g in gc1 gc2; do
	p=$(cat $g.pid)
	wait_gone "$p" 5 || fail "$g ($p) survived musterctl stop"
done
alive "$MPID" || fail "muster is gone"
assert_no_grep "$ERR" 'leftover' "a sweep"
wait_gone_dir() { local i; for i in $(seq 1 250); do [ -d "$1" ] || return 0; sleep 0.02; done; return 1; }
wait_gone_dir "$base/forker.service" || fail "$base/forker.service is still there after the stop"

# started again: a new cgroup; at exit, everything of ours goes
ctl start forker >/dev/null || fail "musterctl start forker failed"
wait_state forker ready
[ -d "$base/forker.service" ] || fail "no $base/forker.service after the start"
stop_muster
[ -d "$base/forker.service" ] && fail "$base/forker.service left after muster exited"
[ -d "$mcg" ] && fail "muster's leaf $mcg left after it exited"
if [ "$base" != "$CG_SELF" ]; then
	[ -d "$base" ] && fail "muster's base $base left after it exited"
fi
exit 0
