#!/usr/bin/env bash
# As PID 1 (a new PID namespace), muster -c FILE -- CMD: the services start
# first and CMD only once every one is ready; when CMD exits the services
# stop in reverse dependency order and muster exits with CMD's status.
# SIGTERM to muster stops CMD first (143 when it dies of it).  A service
# that fails to start means CMD never runs: muster exits 1, naming it.
. "$(dirname "$0")/lib.sh"
: "${HELPERS:=$(cd "$(dirname "$0")/../.." && pwd)/build/helpers}"
SIGREC=$HELPERS/sigrecord
[ -x "$SIGREC" ] || fail "helper $SIGREC is missing: build it with make integration"

# ---- muster as PID 1 of a new PID namespace (same block in every t_pid1_*) --
command -v unshare >/dev/null 2>&1 || skip "unshare(1) is not installed (util-linux): cannot run muster as PID 1"
if ! why=$(unshare --pid --fork --mount-proc --kill-child true 2>&1); then
	skip "the kernel refuses a new PID namespace here (unshare --pid --fork --mount-proc: ${why:-failed})"
fi
MUSTER_BIN=$MUSTER
M1=""   # muster's pid as seen from here; it is 1 in its namespace
MOUNT_PROC=--mount-proc   # empty: the namespace keeps our /proc

# start_pid1 ARG...: start_muster ARG..., with muster the PID 1 of a new PID
# namespace with its own /proc (unless MOUNT_PROC is empty).  MPID is
# unshare's pid (it exits with muster's status; killing it kills the
# namespace); M1 is muster's pid, or empty when muster exited before it was
# seen.
start_pid1() {
	MUSTER=unshare start_muster --pid --fork $MOUNT_PROC --kill-child "$MUSTER_BIN" "$@"
	local want kid ns deadline=$(($(date +%s) + DEFAULT_WAIT))
	want=$(readlink -f "$MUSTER_BIN")
	M1=""
	while [ -z "$M1" ]; do
		kid=$(cat "/proc/$MPID/task/$MPID/children" 2>/dev/null)
		kid=${kid%% *}
		if [ -n "$kid" ] && [ "$(readlink "/proc/$kid/exe" 2>/dev/null)" = "$want" ]; then
			M1=$kid
		elif muster_exited; then
			return 0
		elif [ "$(date +%s)" -gt "$deadline" ]; then
			fail "muster did not start as PID 1 under unshare (unshare pid $MPID)"
		else
			sleep 0.02
		fi
	done
	ns=$(awk '/^NSpid:/ { print $NF }' "/proc/$M1/status" 2>/dev/null)
	[ -z "$ns" ] || [ "$ns" = 1 ] || fail "muster (pid $M1) is pid $ns in its PID namespace, not 1"
}

# signal1 SIG: send SIG to muster, the PID 1 of start_pid1.
signal1() {
	[ -n "$M1" ] || fail "cannot send $1 to muster: it was not seen running as PID 1"
	signal "$1" "$M1"
}

# run_pid1 ARG...: run_muster ARG... as PID 1 of a new PID namespace, in the
# foreground; returns muster's exit status.
run_pid1() {
	MUSTER=unshare run_muster --pid --fork $MOUNT_PROC --kill-child "$MUSTER_BIN" "$@"
}
# ---------------------------------------------------------------------------

cat >muster.ini <<INI
[muster]
control-socket = $TEST_DIR/ctl.sock

[service db]
command = $(service db 'trap "stamp db.term; exit 0" TERM; sleep 0.5; stamp db.ready; while :; do sleep 0.05; done')
ready-check = test -s $TEST_DIR/db.ready

[service web]
command = $(service web 'trap "stamp web.term; exit 0" TERM; stamp web.start; while :; do sleep 0.05; done')
depends = db
ready-check = test -s $TEST_DIR/web.start
INI
service cmd 'stamp cmd.start
echo "ppid=$PPID"
for f in db.ready web.start; do [ -s "$D/$f" ] && echo "saw $f"; done
stamp cmd.end
exit 7' >/dev/null

start_pid1 -c muster.ini -- /bin/sh "$TEST_DIR/cmd.sh"
expect_exit 7
assert_grep "$OUT" '^ppid=1$' "CMD's parent as CMD sees it (muster, PID 1)"
assert_grep "$OUT" '^saw db.ready$' "CMD saw db ready when it started"
assert_grep "$OUT" '^saw web.start$' "CMD saw web started when it started"
assert_ts_before db.ready web.start "web started after db was ready"
assert_ts_before web.start cmd.start "CMD started after web"
assert_ts_before cmd.end web.term "web stopped after CMD exited"
assert_ts_before web.term db.term "web (the dependent) stopped before db"
assert_order "$ERR" 'all 2 services up' 'main command started' 'main command exited with status 7' \
	'web: stopping' 'db: stopping' 'all services stopped'

# SIGTERM to PID 1 while CMD runs: CMD gets it (from muster, pid 1), dies of
# it, then the services stop: 143
rm -f db.ready db.term web.start web.term rec.txt
start_pid1 -c muster.ini -- "$SIGREC" "$TEST_DIR/rec.txt"
wait_file rec.txt
wait_for "$ERR" 'main command started'
signal1 TERM
expect_exit 143
assert_eq "SIGTERM from=1" "$(tail -n 1 rec.txt)" "the signal CMD received last"
assert_file web.term
assert_file db.term

# a service fails to start: no CMD, status 1, the service named
cat >broken.ini <<INI
[muster]
control-socket = $TEST_DIR/ctl.sock

[service fine]
command = $(service fine 'stamp fine.up; exec sleep 300')

[service broken]
command = /nonexistent/broken
restart = no
INI
start_pid1 -c broken.ini -- /bin/sh -c "touch $TEST_DIR/cmd.ran"
expect_exit 1
assert_no_file cmd.ran
assert_grep "$ERR" 'error: broken failed to start .*not running'
assert_grep "$ERR" 'all services stopped'
