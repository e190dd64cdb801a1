#!/usr/bin/env bash
# A FIFO as env-file is refused without blocking, as "PATH: not a regular
# file" at the env-file line.  Added by a reload (musterctl reload or
# SIGHUP), the reload is refused and nothing changes: the daemon goes on
# answering musterctl and stops cleanly on SIGTERM.  At start and with
# --check it is a config error (exit 78), and nothing starts.  (An open()
# that waits for a writer froze the daemon in all three cases.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ctl.sh"

mkfifo env.fifo || skip "cannot make a FIFO here"
cmd=$(service a 'stamp a.start; exec sleep 1001')
write_config() { # [EXTRA LINES for service a]
	printf '[muster]\ncontrol-socket = %s\n[service a]\ncommand = %s\n%s\n' \
		"$SOCK" "$cmd" "${1:-}" >muster.ini
}

write_config
start_muster -c muster.ini
wait_socket
wait_for "$ERR" 'all 1 service up'
a=$(pid_of a)
[ -n "$a" ] && [ "$a" != - ] || fail "no pid for a"

# a reload that adds the FIFO (relative: next to the config file)
write_config 'env-file = env.fifo'
ctl reload >reload.out 2>reload.err
rc=$?
[ "$rc" = 124 ] && fail "musterctl reload got no answer in ${DEFAULT_WAIT}s: the daemon is blocked"
assert_eq 1 "$rc" "musterctl reload exit status with a FIFO as env-file"
assert_grep reload.err "muster\.ini:5: (.*/)?env\.fifo: not a regular file" \
	"the reload's answer"
ctl status >status.out 2>status.err || fail "musterctl status after the refused reload: $(cat status.err)"
assert_grep status.out '^a +ready ' "status after the refused reload"
assert_eq "$a" "$(pid_of a)" "a's pid after the refused reload"

# the same by SIGHUP
signal HUP
wait_for "$ERR" "reload: .*muster\.ini has 1 error; nothing changed"
wait_for "$ERR" "muster\.ini:5: (.*/)?env\.fifo: not a regular file"
ctl status >status.out 2>status.err || fail "musterctl status after SIGHUP: $(cat status.err)"
assert_eq "$a" "$(pid_of a)" "a's pid after the SIGHUP reload"

stop_muster 0
alive "$a" && fail "a (pid $a) still runs after muster stopped"

# at start, and with --check: a config error, nothing started
rm -f a.start
run_muster --check -c muster.ini
rc=$?
[ "$rc" = 124 ] && fail "muster --check did not finish in ${DEFAULT_WAIT}s: blocked on the FIFO"
assert_eq 78 "$rc" "muster --check exit status with a FIFO as env-file"
assert_grep "$ERR" "muster\.ini:5: (.*/)?env\.fifo: not a regular file"
assert_no_grep "$OUT" '^level'

start_muster -c muster.ini
expect_exit 78
assert_grep "$ERR" "muster\.ini:5: (.*/)?env\.fifo: not a regular file"
assert_no_file a.start
