#!/usr/bin/env bash
# Independent services start in parallel: two oneshots that each take 1s
# overlap in time, and what depends on both starts once both are done.
. "$(dirname "$0")/lib.sh"

cat >muster.ini <<INI
[service a]
command = $(service a 'stamp a.start; sleep 1; stamp a.end')
type = oneshot

[service b]
command = $(service b 'stamp b.start; sleep 1; stamp b.end')
type = oneshot

[service c]
command = $(service c 'stamp c.start; exec sleep 300')
depends = a b
INI

start_muster -c muster.ini
wait_for "$ERR" 'all 3 services up'

# overlap: each started before the other finished
assert_ts_before a.start b.end "a started before b ended (parallel start)"
assert_ts_before b.start a.end "b started before a ended (parallel start)"
# c waited for both
assert_ts_before a.end c.start "c started after a finished"
assert_ts_before b.end c.start "c started after b finished"
# both oneshots had started before either was done, per the daemon's log
assert_order "$ERR" 'a: started' 'b: done'
assert_order "$ERR" 'b: started' 'a: done'

stop_muster 0
