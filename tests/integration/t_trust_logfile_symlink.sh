#!/usr/bin/env bash
# A `user = nobody` service whose log directory is nobody's cannot make a
# root muster write anywhere else by planting links there:
# 1. its log directory swapped for a link to a root-only directory: the
#    next rotation fails ("cannot rotate ... as user nobody"), nothing in
#    that directory is renamed or written;
# 2. its log file replaced by a link to a root-only 0600 file: SIGUSR1
#    refuses it ("is a symbolic link, not opened"), the file is unchanged;
# 3. links at the rotated names and then at the log file itself: rotation
#    renames the links and creates a new file, owned by nobody, without
#    following them.
# muster runs on throughout, the service too, its lines on stdout.
. "$(dirname "$0")/lib.sh"

# nobody must reach the files: a directory of our own ($NB)
nobody_dir

L=$NB/logs
LOG=$L/cur/app.log
# what the service must not reach: a root-only file, a root-only directory
printf 'root secret\n' >"$NB/secret"
chmod 0600 "$NB/secret"
mkdir -m 0700 "$NB/vault"
printf 'vault secret\n' >"$NB/vault/app.log"
chmod 0600 "$NB/vault/app.log"
mkdir -p "$L/cur"
chown -R nobody "$L"

# The service writes a line every 10 ms and runs, as nobody, the steps
# the test gives it ($L/stepN.sh), one after the other.
cat >"$NB/svc.sh" <<'SH'
L=$1
i=0 n=1
while :; do
	i=$((i + 1))
	echo "line $i ................................"
	if [ -e "$L/step$n.sh" ]; then
		if sh -e "$L/step$n.sh"; then : >"$L/step$n.done"; else : >"$L/step$n.failed"; fi
		n=$((n + 1))
	fi
	sleep 0.01
done
SH
chmod 0644 "$NB/svc.sh"

cat >muster.ini <<INI
[muster]
control-socket = $PWD/ctl.sock
log-max-size = 2K
log-max-files = 2

[service app]
command = /bin/sh $NB/svc.sh $L
user = nobody
log-file = $LOG
INI

steps=0
# step 'COMMANDS': the service runs COMMANDS (sh -e, as nobody)
step() {
	steps=$((steps + 1))
	printf '%s\n' "$1" >"$L/.step" && mv "$L/.step" "$L/step$steps.sh"
	local deadline=$(($(date +%s) + DEFAULT_WAIT))
	until [ -e "$L/step$steps.done" ]; do
		[ -e "$L/step$steps.failed" ] && fail "the service could not run step $steps: $1"
		[ "$(date +%s)" -gt "$deadline" ] && fail "the service did not run step $steps: $1"
		sleep 0.02
	done
}
# until COMMAND...: wait until COMMAND succeeds
until_true() {
	local deadline=$(($(date +%s) + DEFAULT_WAIT))
	until "$@"; do
		[ "$(date +%s)" -gt "$deadline" ] && fail "timed out waiting for: $*"
		sleep 0.02
	done
}
secrets_intact() {
	[ "$(cat "$NB/secret")" = "root secret" ] ||
		fail "the root-only file was written: $(head -c 300 "$NB/secret")"
	[ "$(ls -A "$NB/vault")" = app.log ] && [ "$(cat "$NB/vault/app.log")" = "vault secret" ] ||
		fail "the root-only directory was changed: $(ls -l "$NB/vault")"
}
# refused PATTERN: wait for muster's error line, the secrets intact meanwhile
refused() {
	local deadline=$(($(date +%s) + DEFAULT_WAIT))
	until grep -qE -- "$1" "$ERR"; do
		secrets_intact
		[ "$(date +%s)" -gt "$deadline" ] && fail "no error /$1/ after ${DEFAULT_WAIT}s"
		sleep 0.02
	done
}
regular() { [ -f "$1" ] && [ ! -L "$1" ]; }
more_lines() { # wait for 20 more of the service's lines on stdout
	local n
	n=$(grep -c '^app +| line ' "$OUT")
	wait_for "$OUT" "^app +\\| line $((n + 20)) "
}

start_muster -c muster.ini
wait_for "$ERR" 'all 1 service'
# rotation with nobody's rights works in nobody's directory
until_true regular "$LOG.1"

# 1. the directory of the log file becomes a link to root's directory
step "mv $L/cur $L/old; ln -s $NB/vault $L/cur"
refused "app: cannot rotate log-file $LOG as user nobody: .*Permission denied"
more_lines
secrets_intact

# 2. the log file becomes a link to a root-only file, then SIGUSR1
step "rm $L/cur; mv $L/old $L/cur; ln -sf $NB/secret $LOG"
signal USR1
refused "app: log-file $LOG: is a symbolic link, not opened"
more_lines
secrets_intact

# 3. links at both rotated names, a new file (SIGUSR1), rotations
step "rm $LOG; ln -sf $NB/secret $LOG.1; ln -sf $NB/secret $LOG.2"
signal USR1
until_true regular "$LOG"
assert_eq nobody "$(stat -c %U "$LOG")" "owner of the new log file"
until_true regular "$LOG.2"  # two rotations moved the links away
secrets_intact
# a link at the log file itself, while the file is open: the next
# rotation moves the link aside and makes a new file
step "ln -sf $NB/secret $LOG"
until_true regular "$LOG"
secrets_intact
more_lines
secrets_intact

assert_count "$ERR" 'app: started' 1
stop_muster 0
secrets_intact
exit 0
