#!/usr/bin/env bash
# Unrelated services stop in parallel: two independent services that each
# take 2s to exit after SIGTERM both get SIGTERM before either has exited.
. "$(dirname "$0")/lib.sh"

body() { # NAME
	cat <<SH
trap 'stamp $1.term; sleep 2; stamp $1.exit; exit 0' TERM
stamp $1.up
while :; do sleep 0.05; done
SH
}

cat >muster.ini <<INI
[service left]
command = $(service left "$(body left)")

[service right]
command = $(service right "$(body right)")
INI

start_muster -c muster.ini
wait_for "$ERR" 'all 2 services up'
wait_file left.up; wait_file right.up

signal TERM
expect_exit 0

assert_ts_before left.term right.exit "left got SIGTERM before right exited"
assert_ts_before right.term left.exit "right got SIGTERM before left exited"
assert_order "$ERR" 'left: stopping' 'right: stopped'
assert_order "$ERR" 'right: stopping' 'left: stopped'
