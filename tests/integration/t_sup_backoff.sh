#!/usr/bin/env bash
# The restart delay grows and caps: restart-delay = 250ms doubling up to
# restart-delay-max = 500ms gives 0.25, 0.5, 0.5, ...; a run that stayed
# ready longer than restart-delay-max starts the backoff over at 0.25.
# The delays muster announces are checked exactly; the gaps measured
# between one run's exit and the next run's start (CLOCK_MONOTONIC, taken
# by the service itself) are never shorter than the delay, and the capped
# ones stay far below what doubling would give (4s, 8s).
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/flaky.sh"

D=$TEST_DIR
# runs 0-5 exit at once; run 6 stays up 1.2s (> restart-delay-max), then
# exits; run 7 exits at once; run 8 stays
cat >muster.ini <<INI
[muster]
control-socket = $D/ctl.sock

[service crashy]
command = $FLAKY $D/crashy.log exit:1 exit:1 exit:1 exit:1 exit:1 exit:1 sleep:1200+exit:1 exit:1 pause
restart-delay = 250ms
restart-delay-max = 500ms
start-limit = none
INI

start_muster -c muster.ini
wait_runs crashy.log 9 30
wait_state crashy ready

delays=$(sed -n 's/.*crashy: restarting in \([0-9.]*\)s$/\1/p' "$ERR" | tr '\n' ' ')
assert_eq "0.25 0.5 0.5 0.5 0.5 0.5 0.25 0.5 " "$delays" "announced restart delays"

# gap k: from run k's exit to run k+1's start
gaps=$(awk '$1 == "exit" { e[$2] = $3 } $1 == "start" { s[$2] = $4 }
	END { for (k = 0; k < 8; k++) printf "%.3f ", s[k + 1] - e[k] }' crashy.log)
log "measured gaps (s): $gaps"
read -r -a gap <<<"$gaps"
want=(0.25 0.5 0.5 0.5 0.5 0.5 0.25 0.5)
for k in 0 1 2 3 4 5 6 7; do
	g=${gap[k]}
	# never early (1ms for rounding of the printed figures)
	assert_le "${want[k]}" "$(awk -v g="$g" 'BEGIN { print g + 0.001 }')" \
		"gap $k (exit of run $k to start of run $((k + 1)))"
done
# capped: without the cap, gaps 4 and 5 would be 4s and 8s (the bounds
# leave seconds for a loaded machine)
assert_lt "${gap[4]}" 3.5 "gap 4 (capped at 0.5s; uncapped it would be 4s)"
assert_lt "${gap[5]}" 7.5 "gap 5 (capped at 0.5s; uncapped it would be 8s)"

stop_muster 0
