#!/usr/bin/env bash
# As PID 1 (a new PID namespace), muster -- CMD forwards every signal sent
# to it from outside, as t_cmd_signals_every does: each of 1 to 64 but
# SIGKILL, SIGSTOP, SIGCHLD, SIGTERM (last) and the C library's two
# reaches CMD, sent by muster (pid 1), SIGPIPE included.  A PID 1 has no
# default actions: a signal muster did not take would be lost, and the
# test would wait for it in vain.
. "$(dirname "$0")/lib.sh"
: "${HELPERS:=$(cd "$(dirname "$0")/../.." && pwd)/build/helpers}"
. "$(dirname "$0")/signals.sh"
. "$(dirname "$0")/pid1.sh"

start_pid1 -- "$SIGREC" "$TEST_DIR/rec.txt"
wait_lines rec.txt 1
assert_grep rec.txt '^ready pid=[0-9]+ ppid=1 ' "CMD's parent (muster, PID 1)"
forward_every "$M1" 1
signal1 TERM
expect_exit 143
assert_eq "SIGTERM from=1" "$(tail -n 1 rec.txt)" "the last signal CMD received"
