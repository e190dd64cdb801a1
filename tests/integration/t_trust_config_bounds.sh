#!/usr/bin/env bash
# Values that 0.1 accepted and then failed on at run time:
# - a stop-signal whose default action does not end a process (SIGSTOP:
#   every stop waited out stop-timeout) is a config error, each at its line;
#   the signals that end a process are accepted;
# - a control-socket path too long for the notify socket made beside it
#   ("PATH.notify") passed --check and failed at start: --check rejects
#   101 bytes and more, and a path of exactly 100 bytes really works.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ctl.sh"

{
	i=0
	for sig in SIGSTOP TSTP sigttin SIGTTOU SIGCONT SIGCHLD SIGURG SIGWINCH 19; do
		i=$((i + 1))
		printf '[service bad%d]\ncommand = sleep 1\nstop-signal = %s\n' "$i" "$sig"
	done
	for sig in SIGTERM SIGINT SIGQUIT SIGHUP SIGUSR1 SIGUSR2 SIGKILL SIGALRM SIGPWR 15; do
		i=$((i + 1))
		printf '[service good%d]\ncommand = sleep 1\nstop-signal = %s\n' "$i" "$sig"
	done
} >signals.ini
run_muster --check -c signals.ini
assert_eq 78 "$?" "exit status of --check"
assert_count "$ERR" 'does not end a process' 9
for n in 3 6 9 12 15 18 21 24 27; do
	assert_grep "$ERR" "^signals.ini:$n: '[^']*' for 'stop-signal' does not end a process"
done
assert_no_grep "$ERR" 'signals.ini:(30|33|36|39|42|45|48|51|54|57):'

# a directory whose socket path is exactly 100 bytes (the most that leaves
# room for ".notify" in a UNIX socket address of 108 bytes with its NUL)
base=$(mktemp -d /tmp/muster-sock.XXXXXX)
trap 'r=$?; rm -rf "$base"; (exit $r); _cleanup' EXIT
dir=$base/$(printf 'd%.0s' $(seq 1 $((100 - ${#base} - 1 - 6 - 1))))
mkdir -p "$dir"
ok=$dir/a.sock          # 100 bytes
long=$dir/ab.sock       # 101 bytes
assert_eq 100 "${#ok}" "length of the test's socket path"
printf '[muster]\ncontrol-socket = %s\n[service s]\ncommand = sleep 1000\n' "$long" >long.ini
run_muster --check -c long.ini
assert_eq 78 "$?" "exit status of --check with a 101-byte control-socket"
assert_grep "$ERR" "^long.ini:2: control-socket path is 101 bytes long; at most 100 fit"

printf '[muster]\ncontrol-socket = %s\n[service s]\ncommand = sleep 1000\n' "$ok" >ok.ini
run_muster --check -c ok.ini
assert_eq 0 "$?" "exit status of --check with a 100-byte control-socket"
start_muster -c ok.ini
wait_for "$ERR" 'all 1 service up'
[ -S "$ok" ] && [ -S "$ok.notify" ] || fail "the control and notify sockets are not both there"
SOCK=$ok
assert_eq ready "$(state_of s)" "the service's state, through the 100-byte socket"
stop_muster 0
