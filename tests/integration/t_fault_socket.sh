#!/usr/bin/env bash
# Fault: socket() and accept() fail (EMFILE, by the failshim).
#   1. the control socket cannot be made: muster exits 1 with one line,
#      having started nothing;
#   2. the notify socket cannot be made: the same;
#   3. accept() on the control socket fails for 2.5 s: muster pauses
#      accepting (a warning, not one per try; no spinning) and then answers
#      the client that was waiting; the services are untouched;
#   4. a ready-tcp probe cannot make its socket: the probe retries (a
#      warning per attempt) and the service is ready once it can.
# No descriptor leaked, no zombie, nothing left behind.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../fault/lib.sh"

: "${HELPERS:=$(cd "$(dirname "$0")/../.." && pwd)/build/helpers}"
FLAKY=$HELPERS/flaky
[ -x "$FLAKY" ] || fail "no $FLAKY: build the helpers (make integration)"
build_shim

# ---- 1: the control socket -------------------------------------------------------
{
	header
	printf '[service keep]\ncommand = sleep 300\n'
} >muster.ini
inject socket errno=EMFILE count=1
start_shimmed -c muster.ini
expect_exit 1
assert_count "$ERR" "error: control socket $CTL: socket: Too many open files" 1
assert_no_grep "$ERR" 'started'
assert_no_file "$CTL"
assert_nothing_left
disarm socket
result "control socket: socket() EMFILE at start: one line, nothing started, exit 1"

# ---- 2: the notify socket ------------------------------------------------------------
{
	header
	printf '[service keep]\ncommand = sleep 300\n\n'
	printf '[service n]\ncommand = sleep 300\ntype = notify\n'
} >notify.ini
inject socket errno=EMFILE skip=1 count=1   # the control socket's works
start_shimmed -c notify.ini
expect_exit 1
assert_count "$ERR" 'error: cannot create the notify socket: Too many open files' 1
assert_no_grep "$ERR" 'started'
assert_nothing_left
disarm socket
stale=no
[ -S "$CTL" ] && stale=yes
result "notify socket: socket() EMFILE at start: one line, nothing started, exit 1 (control socket file left behind: $stale)"
rm -f "$CTL"

# ---- 3: accept() fails for a while --------------------------------------------------
start_shimmed -c muster.ini
wait_for "$ERR" 'all 1 service up'
keep=$(svc_pid keep)
fds0=$(settled_fd_count "$MPID")
inject accept4 errno=EMFILE
t0=$(now)
ctl status >status.out 2>status.err &
client=$!
wait_for "$ERR" 'warning: control: cannot accept.*Too many open files'
ticks0=$(cpu_ticks "$MPID")
sleep 2.5
ticks=$(( $(cpu_ticks "$MPID") - ticks0 ))
[ "$ticks" -le 10 ] || fail "muster used $ticks CPU ticks in 2.5s while accept() failed: spinning"
disarm accept4
wait "$client" || fail "musterctl status failed after accept() worked again: $(cat status.err)"
took=$(elapsed "$t0")
grep -q '^keep  *ready' status.out || fail "status after the accept failures: $(cat status.out)"
# a warning per failure streak (or at most one a second), not one per try
nwarn=$(count_lines "$ERR" 'control: cannot accept')
[ "$nwarn" -ge 1 ] && [ "$nwarn" -le 5 ] ||
	fail "expected 1 to 5 'cannot accept' warnings in ~3s, found $nwarn"
assert_same_pid keep "$keep"
assert_fds "$MPID" "$fds0" "after the accept failures"

# ---- 4: a ready-tcp probe cannot make its socket ------------------------------------
port=$("$FLAKY" --free-port) || fail "no free port"
cat >>muster.ini <<INI

[service tcp]
command = $FLAKY $TEST_DIR/tcp.log listen:$port+pause
ready-tcp = 127.0.0.1:$port
ready-interval = 200ms
ready-timeout = 20s
INI
inject socket errno=EMFILE
ctl reload >/dev/null || fail "reload failed"
wait_for "$ERR" 'warning: tcp: ready-tcp: socket: Too many open files'
sleep 1
disarm socket
wait_state tcp ready
nprobe=$(count_lines "$ERR" 'tcp: ready-tcp: socket')
assert_same_pid keep "$keep"
assert_no_zombies "$MPID"
assert_alive
stop_muster 0
assert_nothing_left
result "accept() EMFILE for 2.5s: $nwarn warning(s), $ticks CPU ticks, client answered after ${took}s; ready-tcp socket() EMFILE for ~1s: $nprobe warnings (one per attempt), then ready"
