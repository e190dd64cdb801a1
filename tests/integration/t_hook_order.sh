#!/usr/bin/env bash
# The hooks of a service run in order, each as the service would run (its
# env and directory), their output prefixed like the service's:
# pre-start, the main process, post-start once ready; then a stop runs the
# stop-command instead of sending stop-signal, and post-stop runs after the
# main process is gone, with MUSTER_EXIT_CODE and MUSTER_EXIT_STATUS.  A
# crash runs post-stop too (exited, the status) before the restart's
# pre-start.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ctl.sh"

mkdir -p work
hook() { # NAME BODY: a hook script that logs its name, env and cwd
	service "$1" "echo \"$1 FOO=\$FOO cwd=\$(pwd) code=\${MUSTER_EXIT_CODE-} status=\${MUSTER_EXIT_STATUS-}\" >>\"\$D/order\"; echo \"$1 says hello\"; $2"
}
cat >muster.ini <<INI
[muster]
control-socket = $SOCK

[service web]
command = $(service web 'echo "main FOO=$FOO" >>"$D/order"
trap "echo main got TERM >>\"\$D/order\"; exit 9" TERM
n=0; [ -e "$D/crash" ] && { rm -f "$D/crash"; exit 7; }
while [ ! -e "$D/quit" ]; do sleep 0.02; done; rm -f "$D/quit"; exit 0')
env = FOO=bar
directory = $TEST_DIR/work
restart = on-failure
restart-delay = 0
pre-start = $(hook pre 'exit 0')
post-start = $(hook poststart 'exit 0')
stop-command = $(hook stopcmd 'touch "$D/quit"')
post-stop = $(hook poststop 'exit 0')
INI

start_muster -c muster.ini
wait_socket
ctl wait web || fail "web not ready"
wait_for order '^poststart '
ctl stop web || fail "stop web: exit $?"
wait_for order '^poststop '
assert_order order '^pre FOO=bar cwd=.*/work code= status=$' '^main FOO=bar' '^poststart FOO=bar' \
	'^stopcmd FOO=bar' '^poststop FOO=bar cwd=.*/work code=exited status=0$'
assert_no_grep order 'main got TERM' "stop-command replaces the stop-signal"
assert_grep "$OUT" '^web +\| pre says hello' "pre-start's output prefixed"
assert_grep "$OUT" '^web +\| poststop says hello' "post-stop's output prefixed"
assert_eq stopped "$(state_of web)" "web after the stop"

# a crash: post-stop with the exit status, then the restart's pre-start
: >order
touch crash
# (--no-block: whether the crash comes before web counts as ready is a
# race, and so is the blocking start's answer; a first post-start may run)
ctl start --no-block web || fail "start web: exit $?"
deadline=$(( $(date +%s) + DEFAULT_WAIT ))
until [ "$(grep -c '^main ' order)" = 2 ]; do
	[ "$(date +%s)" -gt "$deadline" ] && fail "web was not restarted after its crash"
	sleep 0.02
done
assert_eq "pre main poststop pre main" "$(awk '$1 != "poststart" { print $1 }' order | xargs)" \
	"the hooks around a crash"
assert_grep order '^poststop .*code=exited status=7$' "post-stop after the crash"
stop_muster 0
wait_for order 'poststop .*code=exited status=0$'
