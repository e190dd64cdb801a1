#!/usr/bin/env bash
# muster -- CMD with no config forwards every signal another process can
# send it, one by one and in order, to CMD (the sigrecord helper, which
# records each with its sender: muster): 1 to 64 but SIGKILL and SIGSTOP
# (cannot be caught), SIGCHLD (muster's own: it reaps), SIGTERM (last: it
# kills CMD, 143) and the two real-time signals the C library keeps.
# SIGPIPE, SIGTTIN, SIGTTOU and a kill(2)'s SIGSEGV, SIGBUS, SIGFPE,
# SIGILL, SIGTRAP, SIGABRT and SIGSYS included, as tini and dumb-init do.
. "$(dirname "$0")/lib.sh"
: "${HELPERS:=$(cd "$(dirname "$0")/../.." && pwd)/build/helpers}"
. "$(dirname "$0")/signals.sh"

start_muster -- "$SIGREC" "$TEST_DIR/rec.txt"
wait_lines rec.txt 1
assert_grep rec.txt "^ready pid=[0-9]+ ppid=$MPID " "CMD's parent"
forward_every "$MPID" "$MPID"
signal TERM
expect_exit 143
assert_eq "SIGTERM from=$MPID" "$(tail -n 1 rec.txt)" "the last signal CMD received"
