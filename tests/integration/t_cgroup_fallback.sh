#!/usr/bin/env bash
# With the cgroup v2 hierarchy hidden (a private mount namespace, a tmpfs
# over its mount point): cgroups = auto says so in one line and runs the
# services in process groups; cgroups = yes is an error at start (78);
# a memory-max under auto is one warning, and the service runs.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cgroup.sh"
need_cgroup2
command -v unshare >/dev/null || skip "no unshare"
unshare --mount true 2>/dev/null || skip "cannot make a mount namespace (unshare --mount)"

cat >hide.sh <<SH
#!/bin/sh
# a tmpfs over the cgroup v2 mount, in a mount namespace of our own
mount -t tmpfs none "$CG_MOUNT" || exit 99
exec "\$@"
SH
chmod +x hide.sh
unshare --mount ./hide.sh true || skip "cannot mount a tmpfs over $CG_MOUNT in a mount namespace"
MUSTER_WRAPPER="unshare --mount $TEST_DIR/hide.sh"

cat >auto.ini <<INI
[service web]
command = $(service web 'stamp web.up; exec sleep 1000')
memory-max = 64M
INI
start_muster -c auto.ini
wait_for "$ERR" 'all 1 service up'
wait_file web.up
assert_count "$ERR" 'cgroups: not used \(.*\); services run in process groups' 1
assert_count "$ERR" 'warning: web: memory-max needs the memory controller, which cannot be used without cgroups; the limit is not applied' 1
p=$(sed -n 's/.*web: started (pid \([0-9]*\)).*/\1/p' "$ERR")
assert_eq "$(cgroup_of "$MPID")" "$(cgroup_of "$p")" "web's cgroup (muster's: no cgroup of its own)"
stop_muster

printf '[muster]\ncgroups = yes\n' >yes.ini
cat auto.ini >>yes.ini
run_muster -c yes.ini
assert_eq 78 "$?" "the exit status of cgroups = yes without a hierarchy"
assert_grep "$ERR" 'error: cgroups = yes: '
assert_no_grep "$ERR" 'web: started'
