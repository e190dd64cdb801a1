# Helpers for tests of service cgroups.  Sourced after lib.sh.
# need_cgroup2: skip unless a writable cgroup v2 hierarchy holds our
# cgroup; sets CG_MOUNT (its mount point) and CG_SELF (our cgroup's dir).
need_cgroup2() {
	local rel
	rel=$(sed -n 's/^0:://p' /proc/self/cgroup)
	[ -n "$rel" ] || skip "no cgroup v2 line in /proc/self/cgroup"
	CG_MOUNT=$(awk '{ for (i = 1; i <= NF; i++) if ($i == "-") break; if ($(i + 1) == "cgroup2") { print $5; exit } }' /proc/self/mountinfo)
	[ -n "$CG_MOUNT" ] || skip "no cgroup v2 hierarchy mounted"
	CG_SELF=$CG_MOUNT${rel%/}
	[ -w "$CG_SELF/cgroup.procs" ] || skip "the cgroup v2 hierarchy at $CG_SELF is not writable"
}

# cgroup_of PID: the directory of PID's cgroup v2.
cgroup_of() { echo "$CG_MOUNT$(sed -n 's/^0:://p' "/proc/$1/cgroup" 2>/dev/null)"; }
