#!/usr/bin/env bash
# A limit the kernel refuses fails the start, with the step and the error
# from the child's report: a hard RLIMIT_NOFILE above muster's, and an
# oom score below muster's, without CAP_SYS_RESOURCE.
. "$(dirname "$0")/lib.sh"

hard=$(ulimit -Hn)
[ "$hard" != unlimited ] || skip "the hard RLIMIT_NOFILE is unlimited"
above=$((hard + 1))
if sh -c "ulimit -Hn $above" 2>/dev/null; then
	skip "this shell may raise its hard RLIMIT_NOFILE (CAP_SYS_RESOURCE): nothing is refused"
fi

cat >muster.ini <<INI
[service web]
command = sleep 1000
limit-nofile = 64:$above
restart = no

[service low]
command = sleep 1000
oom-score-adjust = -999
restart = no
INI
start_muster -c muster.ini
wait_for "$ERR" 'web: cannot exec: setrlimit\(RLIMIT_NOFILE\): Operation not permitted'
wait_for "$ERR" 'web: failed'
if [ "$(cat /proc/self/oom_score_adj)" -le -999 ]; then
	log "skip (part): our oom score is already -999 or lower"
else
	wait_for "$ERR" 'low: cannot exec: oom_score_adj: (Permission denied|Operation not permitted)'
	wait_for "$ERR" 'low: failed'
fi
stop_muster
