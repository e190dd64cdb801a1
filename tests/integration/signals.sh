# Helpers for the signal-forwarding tests (sourced after lib.sh, with
# HELPERS set): the sigrecord helper, and forward_every.
SIGREC=$HELPERS/sigrecord
[ -x "$SIGREC" ] || fail "helper $SIGREC is missing: build it with make integration"

# wait_lines FILE N: until FILE has N complete lines.
wait_lines() {
	local deadline=$(($(date +%s) + DEFAULT_WAIT)) n
	while :; do
		n=$(wc -l <"$1" 2>/dev/null)
		[ "${n:-0}" -ge "$2" ] && return 0
		[ "$(date +%s)" -gt "$deadline" ] &&
			fail "$(basename "$1"): expected $2 lines within ${DEFAULT_WAIT}s, found ${n:-0}: $(tr '\n' '|' <"$1")"
		sleep 0.02
	done
}

# sig_record_name N: how sigrecord names signal N (SIGRTMIN is 34 with the
# GNU C library, which keeps 32 and 33).
sig_record_name() {
	if [ "$1" -ge 34 ]; then
		echo "SIGRTMIN+$(($1 - 34))"
	elif [ "$1" = 29 ]; then
		echo SIGPOLL
	else
		echo "SIG$(kill -l "$1")"
	fi
}

# forward_every PID FROM: send PID (muster, whose CMD is sigrecord writing
# rec.txt after its ready line) every signal a process can be sent but
# SIGKILL, SIGSTOP, SIGCHLD, SIGTERM, 32 and 33, one at a time; each must
# be recorded by CMD, in order, as sent by FROM, and muster must live on.
forward_every() {
	local pid=$1 from=$2 sig n=1 want
	for sig in $(seq 1 64); do
		case $sig in 9 | 15 | 17 | 19 | 32 | 33) continue ;; esac
		want=$(sig_record_name "$sig")
		kill -s "$sig" "$pid" 2>/dev/null || fail "cannot send $want to muster (pid $pid): not running"
		n=$((n + 1))
		wait_lines rec.txt $n
		assert_eq "$want from=$from" "$(sed -n "${n}p" rec.txt)" "line $n of what CMD received after $want ($sig) to muster"
		alive "$pid" || fail "muster is gone after $want"
	done
}
