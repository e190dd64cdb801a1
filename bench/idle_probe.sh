#!/bin/sh
# idle_probe.sh SECONDS OUTFILE: the syscalls and context switches of the
# processes in $BENCH_PIDS (a supervisor's own tree, set by drive -H) over
# SECONDS.  Syscalls are counted with perf's raw_syscalls:sys_enter
# tracepoint, which does not stop or wake the process; without perf, with
# strace -c (whose attach and detach can add a call or two per process).
# Context switches: voluntary + involuntary, from /proc/PID/task/*/status,
# before and after.  OUTFILE gets "idle_syscalls N", "idle_ctxsw N",
# "idle_tool perf|strace".
set -u
secs=$1 out=$2
pids=${BENCH_PIDS:?}

ctxsw() {
	for p in $pids; do cat /proc/"$p"/task/*/status 2>/dev/null; done |
		awk '/^(non)?voluntary_ctxt_switches:/ { n += $2 } END { print n + 0 }'
}

c0=$(ctxsw)
if perf stat -e raw_syscalls:sys_enter -- true >/dev/null 2>&1; then
	tool=perf
	perf stat -x, -e raw_syscalls:sys_enter -o "$out.perf" \
		-p "$(echo $pids | tr ' ' ,)" -- sleep "$secs" >/dev/null 2>&1
	calls=$(awk -F, '/raw_syscalls:sys_enter/ { print $1 }' "$out.perf")
	rm -f "$out.perf"
elif command -v strace >/dev/null 2>&1; then
	tool=strace
	args=""
	for p in $pids; do args="$args -p $p"; done
	# shellcheck disable=SC2086
	timeout -s INT -k 5 "$secs" strace -c -q -o "$out.strace" $args >/dev/null 2>&1
	calls=$(awk '$NF == "total" { print $4 }' "$out.strace")
	rm -f "$out.strace"
else
	echo "idle_probe: neither perf nor strace" >&2
	exit 1
fi
c1=$(ctxsw)
# perf says "<not counted>" when the processes never ran in the window: no
# syscall at all (the context switch count must then be 0 too)
case $calls in "<not counted>"*) [ $((c1 - c0)) -eq 0 ] && calls=0 ;; esac
case $calls in ''|*[!0-9]*) echo "idle_probe: no syscall count from $tool" >&2; exit 1 ;; esac
printf 'idle_syscalls %s\nidle_ctxsw %s\nidle_tool %s\n' "$calls" $((c1 - c0)) "$tool" >"$out"
