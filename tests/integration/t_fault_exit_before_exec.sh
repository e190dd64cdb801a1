#!/usr/bin/env bash
# Fault: the child exits between fork and exec.
#   - with a word: an unknown user, an unknown group, a missing directory
#     (the child reports it on the exec-status pipe, then _exits): one
#     clear line naming the cause, a failed start;
#   - without a word: the failshim makes the child _exit(1) in its chdir()
#     to one directory, before it reaches exec, as a child killed there
#     would.  That must be
#     a failed start too: never "ready", what depends on it never started,
#     restarts up to the start limit.
# In every case muster stays up, keeps the other services, reaps every
# child and leaks no descriptor.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../fault/lib.sh"

build_shim
mkdir silentdir
nouser=nosuchuser_$$
nogroup=nosuchgroup_$$
getent passwd "$nouser" >/dev/null && skip "user $nouser exists"
getent group "$nogroup" >/dev/null && skip "group $nogroup exists"

{
	header
	cat <<INI
[service keep]
command = sleep 300

[service nouser]
command = sleep 300
user = $nouser
restart = no

[service nogroup]
command = sleep 300
group = $nogroup
restart = no

[service nodir]
command = sleep 300
directory = $TEST_DIR/nonexistent
restart = no

[service silent]
command = sleep 300
directory = $TEST_DIR/silentdir
restart-delay = 50ms
restart-delay-max = 100ms
start-limit = 3 in 60s

[service needs_silent]
command = sleep 300
depends = silent
INI
} >muster.ini

inject chdir match=silentdir exit=1
start_shimmed -c muster.ini
wait_for "$ERR" 'error: silent: failed: start limit hit'
wait_for "$ERR" 'needs_silent: failed'
keep=$(svc_pid keep)
[ -n "$keep" ] || fail "keep is not running: $(ctl status)"

# ---- with a word -----------------------------------------------------------
assert_count "$ERR" "error: nouser: unknown user '$nouser'\$" 1
assert_count "$ERR" "error: nogroup: unknown group '$nogroup'\$" 1
assert_count "$ERR" "error: nodir: cannot change directory to $TEST_DIR/nonexistent: No such file or directory\$" 1
for s in nouser nogroup nodir; do
	assert_eq failed "$(svc_state "$s")" "$s's state"
	assert_no_grep "$ERR" "$s: ready"
done

# ---- without a word: the robust part ---------------------------------------------
# start-limit 3 in 60s: four attempts, each child _exit(1)ed before exec
assert_eq 4 "$(grep -c '^chdir exit=1' "$SHIM/log")" "children that died before exec"
assert_count "$ERR" 'silent: exited with status 1' 4
assert_eq failed "$(svc_state silent)" "silent's state"
assert_alive
assert_same_pid keep "$keep"
assert_no_zombies "$MPID"
assert_idle "$MPID" 1 10
fds0=$(settled_fd_count "$MPID")
disarm chdir
ctl start needs_silent >/dev/null || fail "musterctl start needs_silent failed"
wait_state needs_silent ready
wait_state silent ready
ctl stop silent >/dev/null
wait_state needs_silent stopped
wait_state silent stopped
assert_fds "$MPID" "$fds0" "after silent and needs_silent ran and stopped"
stop_muster 0
assert_nothing_left
nready=$(count_lines "$ERR" '^muster +\| silent: ready$')
ndep=$(count_lines "$ERR" 'needs_silent: started')
result "unknown user/group, missing directory: one clear line each, failed, others kept; silent _exit before exec: 4 attempts, start limit, no zombie or leak; reported ready $((nready - 1)) times before an exec (needs_silent started $((ndep - 1)) times before its target ran)"

# ---- without a word: the start is a failed one, not "ready" ------------------------
# (the last start, with the shim disarmed, is a real one)
[ "$nready" = 1 ] || fail "silent was reported ready $((nready - 1)) times while its children died before exec"
[ "$ndep" = 1 ] || fail "needs_silent was started while silent had never exec'd"
