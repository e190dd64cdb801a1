#!/usr/bin/env bash
# Every limit key, read back from /proc/PID of the running service: the
# eight rlimits (soft and hard, a lone value setting both, infinity),
# nice, oom_score_adj and NoNewPrivs; on the first start, after a
# restart, and for a user = nobody service.  Only lowering: root here
# may lack CAP_SYS_RESOURCE.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ctl.sh"

limits='limit-nofile = 256:512
limit-nproc = 4000
limit-core = 0:1M
limit-memlock = 64K:128K
limit-stack = 4M:infinity
limit-as = 4G:infinity
limit-fsize = 1G
limit-cpu = 3600:7200
nice = 7
oom-score-adjust = 321
no-new-privileges = yes'
cat >muster.ini <<INI
[muster]
control-socket = $SOCK

[service lim]
command = sleep 1000
$limits

[service plain]
command = sleep 1000
INI
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	printf '\n[service nob]\ncommand = sleep 1000\nuser = nobody\n%s\n' "$limits" >>muster.ini
	users="lim nob"
else
	log "skip (part): the user = nobody service needs root and a user nobody"
	users="lim"
fi

start_muster -c muster.ini
wait_socket
wait_for "$ERR" 'all [0-9]+ services? up'

# limit NAME PID: "SOFT HARD" of the line NAME in /proc/PID/limits
limit() { awk -v n="$1" 'index($0, n) == 1 { s = substr($0, 27); split(s, f, " "); print f[1], f[2] }' "/proc/$2/limits"; }

check() { # PID WHAT
	local p=$1 w=$2
	assert_eq "256 512" "$(limit 'Max open files' "$p")" "$w: limit-nofile"
	assert_eq "4000 4000" "$(limit 'Max processes' "$p")" "$w: limit-nproc (one value sets both)"
	assert_eq "0 1048576" "$(limit 'Max core file size' "$p")" "$w: limit-core"
	assert_eq "65536 131072" "$(limit 'Max locked memory' "$p")" "$w: limit-memlock"
	assert_eq "4194304 unlimited" "$(limit 'Max stack size' "$p")" "$w: limit-stack"
	assert_eq "4294967296 unlimited" "$(limit 'Max address space' "$p")" "$w: limit-as"
	assert_eq "1073741824 1073741824" "$(limit 'Max file size' "$p")" "$w: limit-fsize"
	assert_eq "3600 7200" "$(limit 'Max cpu time' "$p")" "$w: limit-cpu"
	assert_eq 7 "$(stat_field "$p" 17)" "$w: nice (stat field 19)"
	assert_eq 321 "$(cat /proc/$p/oom_score_adj)" "$w: oom-score-adjust"
	assert_eq 1 "$(awk '/^NoNewPrivs:/ { print $2 }' /proc/$p/status)" "$w: no-new-privileges"
}

for s in $users; do
	p=$(pid_of "$s")
	[ -n "$p" ] || fail "$s has no pid"
	check "$p" "$s"
done
# nob really runs as nobody
if [ "$users" != lim ]; then
	assert_eq "$(id -u nobody)" "$(awk '/^Uid:/ { print $2 }' /proc/$(pid_of nob)/status)" "nob's uid"
fi

# a service without the keys has muster's
p=$(pid_of plain)
assert_eq "$(cat /proc/$MPID/oom_score_adj)" "$(cat /proc/$p/oom_score_adj)" "plain: oom score inherited"
assert_eq 0 "$(awk '/^NoNewPrivs:/ { print $2 }' /proc/$p/status)" "plain: no-new-privileges"
assert_eq "$(stat_field "$MPID" 17)" "$(stat_field "$p" 17)" "plain: nice inherited"

# again after a restart, on the new process
old=$(pid_of lim)
ctl restart lim >/dev/null || fail "musterctl restart lim failed"
wait_state lim ready
new=$(pid_of lim)
[ "$new" != "$old" ] || fail "lim was not restarted (pid $old)"
check "$new" "lim after restart"

stop_muster
