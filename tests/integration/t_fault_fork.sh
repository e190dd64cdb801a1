#!/usr/bin/env bash
# Fault: fork fails.  muster starts services, ready-checks and the main
# command (-- CMD) with the glibc clone() wrapper; the failshim (an LD_PRELOAD
# library, tests/fault/failshim.c) makes them fail with EAGAIN on demand,
# and a run as an unprivileged user under RLIMIT_NPROC makes the kernel
# refuse for real.  In every case: one clear "NAME: cannot start: Resource
# temporarily unavailable" line per attempt, the failed start counts as a
# failure (restart with backoff, then the start limit), the other services
# keep their processes, no zombie, no descriptor leak, no spinning; the
# main command that cannot be forked ends the run with status 127.
# (cgroups = no: in a service cgroup a service is started by a clone3
# system call, which no LD_PRELOAD library sees.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../fault/lib.sh"

build_shim

{
	header 'cgroups = no'
	cat <<INI
[service keep]
command = sleep 300

[service victim]
command = sleep 300
restart-delay = 100ms
restart-delay-max = 200ms
start-limit = 10 in 60s

[service after_victim]
command = sleep 300
depends = victim
INI
} >muster.ini

# ---- 1: victim crashes; clone fails twice, the third start works -----------
start_shimmed -c muster.ini
wait_for "$ERR" 'all 3 services up'
keep=$(svc_pid keep)
dep=$(svc_pid after_victim)
[ -n "$keep" ] && [ -n "$dep" ] || fail "no pids in status: $(ctl status)"
fds0=$(settled_fd_count "$MPID")

inject clone errno=EAGAIN count=2
vpid=$(svc_pid victim)
kill -KILL "$vpid"
wait_for "$ERR" 'victim: cannot start: Resource temporarily unavailable'
wait_state victim ready
assert_eq 2 "$(injected clone)" "clone failures injected"
assert_count "$ERR" 'error: victim: cannot start: Resource temporarily unavailable' 2
assert_count "$ERR" 'victim: restarting in' 3
assert_same_pid keep "$keep"
# a depends target restarted after a crash leaves its dependents running
assert_same_pid after_victim "$dep"
assert_no_zombies "$MPID"
assert_fds "$MPID" "$fds0" "after two failed forks and a good one"
disarm clone

# ---- 2: clone keeps failing: the start limit, then a manual start ------------
ctl stop victim >/dev/null || fail "musterctl stop victim failed"
wait_state after_victim stopped
wait_state victim stopped
n0=$(injected clone)
inject clone errno=EAGAIN
# (a start waits for the outcome: victim fails for good, so does it)
ctl start after_victim >/dev/null 2>start.err
assert_eq 1 "$?" "exit status of a start that fails"
assert_grep start.err 'after_victim failed: dependency victim failed' "the reason"
wait_state victim failed
assert_grep "$ERR" 'victim: failed: start limit hit: .*cannot start: Resource temporarily unavailable'
wait_state after_victim failed
assert_grep "$ERR" 'after_victim: failed: dependency victim failed'
# start-limit = 10 in 60s: the 11th failure is one too many
assert_eq 11 "$(( $(injected clone) - n0 ))" "clone failures injected (start-limit = 10 in 60s)"
assert_alive "after the start limit"
assert_same_pid keep "$keep"
assert_idle "$MPID" 1 10 "muster with a failed service"
assert_no_zombies "$MPID"
# victim and after_victim hold no pipes now: 4 descriptors fewer
assert_fds "$MPID" $((fds0 - 4)) "with victim and after_victim failed"
disarm clone
ctl start after_victim >/dev/null || fail "musterctl start after_victim failed"
wait_state after_victim ready
wait_state victim ready
assert_fds "$MPID" "$fds0" "after the manual start"

# ---- 3: a ready-check that cannot be forked ------------------------------------
# (the probe retries; it is not a failed start until ready-timeout)
cat >>muster.ini <<INI

[service checked]
command = sleep 300
ready-check = true
ready-interval = 200ms
ready-timeout = 20s
INI
inject clone errno=EAGAIN skip=1
ctl reload >/dev/null || fail "reload failed"
wait_for "$ERR" 'checked: started'
wait_for "$ERR" 'warning: checked: cannot run ready-check: Resource temporarily unavailable'
sleep 1
disarm clone
wait_state checked ready
nwarn=$(count_lines "$ERR" 'checked: cannot run ready-check')
assert_same_pid keep "$keep"
assert_no_zombies "$MPID"

stop_muster 0
assert_nothing_left
result "clone EAGAIN x2 after a crash: 2 'cannot start' lines, restarted, dependent kept; forever: start limit -> failed, dependents failed, others kept; ready-check fork failure: $nwarn warnings (one per attempt), then ready"

# ---- 4: the main command cannot be started -------------------------------------
# one service, no probe: the second clone() is the main command's
{ header 'cgroups = no'; printf '[service keep]\ncommand = sleep 300\n'; } >cmd.ini
inject clone errno=EAGAIN skip=1 count=1
start_shimmed -c cmd.ini -- /bin/echo never
expect_exit 127
assert_count "$ERR" 'error: cannot start /bin/echo: Resource temporarily unavailable' 1
assert_grep "$ERR" 'all services stopped'
assert_no_grep "$OUT" 'never'
assert_nothing_left
disarm clone
result "clone of -- CMD EAGAIN: one line, services stopped, exit 127"

# ---- 5: for real: RLIMIT_NPROC for an unprivileged muster -----------------------
# (a uid of its own, with no passwd entry and no process: the count is ours)
if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null || ! command -v prlimit >/dev/null; then
	result "RLIMIT_NPROC part not run (needs root to drop privileges, setpriv, prlimit)"
	exit 0
fi
uid=""
for u in $(seq $((61000 + $$ % 500)) 61999); do
	getent passwd "$u" >/dev/null && continue
	[ -n "$(ps -L -u "$u" --no-headers 2>/dev/null)" ] && continue
	uid=$u
	break
done
[ -n "$uid" ] || { result "RLIMIT_NPROC part not run (no free uid)"; exit 0; }
# a directory that uid can reach (the test's own is private to root)
NPDIR=$(mktemp -d "${TMPDIR:-/tmp}/muster-fault-np.XXXXXX") || fail "mktemp"
trap 'rc=$?; rm -rf "$NPDIR"; (exit $rc); _cleanup' EXIT
chmod 0777 "$NPDIR"
CTL="$NPDIR/ctl.sock"
{
	header 'cgroups = no'
	for i in 1 2 3 4 5; do
		printf '[service s%d]\ncommand = sleep 300\nrestart = no\n\n' "$i"
	done
} >"$NPDIR/muster.ini"
chmod 0644 "$NPDIR/muster.ini"
# muster itself and three services: the fourth and fifth clone get EAGAIN
start_wrapped prlimit --nproc=4:4 \
	setpriv --reuid="$uid" --regid="$uid" --clear-groups -- -c "$NPDIR/muster.ini"
wait_for "$ERR" 's5: failed'
assert_count "$ERR" 'error: s[45]: cannot start: Resource temporarily unavailable' 2
running=$(ctl status | awk '$2 == "ready"' | wc -l)
failed=$(ctl status | awk '$2 == "failed"' | wc -l)
assert_eq "3 2" "$running $failed" "ready and failed services under RLIMIT_NPROC"
assert_idle "$MPID" 1 10 "muster under RLIMIT_NPROC"
assert_no_zombies "$MPID"
stop_muster 0
assert_nothing_left
result "RLIMIT_NPROC (uid $uid, nproc 4): 3 ready, 2 failed with 'cannot start: Resource temporarily unavailable', exit 0"
