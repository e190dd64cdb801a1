#!/usr/bin/env bash
# 50 followers that read slowly (`musterctl logs -f` into a reader taking
# 4 KiB every 100 ms) while a service floods 20 MB: the flood keeps its
# pace (measured against the same flood with no follower; loosely
# bounded), every line still reaches muster's output whole and in order,
# muster's memory stays bounded, and each follower, once it reads again,
# is told how many lines it skipped; all of them end when muster exits.
# Measured (reported): the flood's time and muster's CPU with and without
# the followers.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ctl.sh"
export LC_ALL=C

: "${HELPERS:=$(cd "$(dirname "$0")/../.." && pwd)/build/helpers}"
LINEGEN=$HELPERS/linegen SLOWREAD=$HELPERS/slowread
[ -x "$LINEGEN" ] && [ -x "$SLOWREAD" ] || fail "no $LINEGEN or $SLOWREAD: build the helpers (make integration)"

N=200000
cat >muster.ini <<INI
[muster]
control-socket = $SOCK

[service alone]
command = $LINEGEN -n $N -l 100 -t a -T $PWD/alone.t
type = oneshot
restart = no

[service followed]
command = /bin/sh -c 'echo hello; until [ -e $PWD/go ]; do sleep 0.01; done; exec $LINEGEN -n $N -l 100 -t f -T $PWD/followed.t'
type = oneshot
restart = no
INI
start_muster -c muster.ini
wait_socket
wait_for "$ERR" 'alone: done' 60
wait_for "$OUT" '^followed +\| hello$'
cpu() { awk '{ print $14 + $15 }' "/proc/$MPID/stat"; }

# 50 followers, each into a slow reader; each has its "hello" before the flood
for i in $(seq 1 50); do
	( MUSTER_IT_TAG=$IT_TAG "$MUSTERCTL" -s "$SOCK" logs -f -n 1 followed 2>"f$i.err";
	  echo $? >"f$i.rc" ) | MUSTER_IT_TAG=$IT_TAG "$SLOWREAD" "f$i.out" 4096 100000 "$PWD/fast" &
done
for i in $(seq 1 50); do
	wait_for "f$i.out" '^followed +\| hello$'
done
cpu0=$(cpu)
: >go
wait_for "$ERR" 'followed: done' 60
cpu1=$(cpu)
hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$MPID/status")
took() { awk '{ printf "%.3f", $2 - $1 }' "$1"; }
log "measure: flood of $N lines alone: $(took alone.t)s; with 50 slow followers: $(took followed.t)s"
log "measure: muster CPU (ticks): start and the flood alone $cpu0, the flood with the followers $((cpu1 - cpu0)); peak RSS ${hwm} kB"
awk -v a="$(took alone.t)" -v f="$(took followed.t)" 'BEGIN { exit !(f <= 3 * a + 5) }' ||
	fail "the flood took $(took followed.t)s with 50 slow followers, $(took alone.t)s alone"
[ "$hwm" -lt $((64 * 1024)) ] || fail "muster's peak RSS is ${hwm} kB with 50 followers"

# muster's own output has every line, whole, in order
$LINEGEN -n $N -l 100 -t f >exp.out
grep -aE '^followed +\| f ' "$OUT" | sed -E 's/^followed +\| //' | cmp -s - exp.out ||
	fail "muster's output lost or changed lines of the followed flood"

# the followers read fast again: each says it skipped, then muster exits
: >fast
for i in $(seq 1 50); do
	wait_for "f$i.out" '^muster +\| warning: [0-9]+ lines? skipped' 60
	wait_for "f$i.out" "^followed +\\| f $((N - 1)) " 60
done
stop_muster 0
for i in $(seq 1 50); do
	wait_file "f$i.rc" 30
	assert_eq 0 "$(cat "f$i.rc")" "exit status of follower $i"
done
# what a follower did get is lines of the flood, whole
bad=$(grep -avE "^(followed +\| (f [0-9]+ [a-z]+|hello)|muster +\| warning: [0-9]+ lines? skipped .*)\$" f1.out | head -n 2)
[ -z "$bad" ] || fail "follower 1 got lines that are not the flood's: $(printf '%s' "$bad" | cut -c1-120)"
skipped=$(sed -nE 's/^muster +\| warning: ([0-9]+) lines? skipped.*/\1/p' f1.out | awk '{ s += $1 } END { print s + 0 }')
got=$(grep -c '^followed ' f1.out)
log "measure: follower 1 got $got lines and was told $skipped were skipped"
[ $((got + skipped)) -ge $N ] || fail "follower 1: $got lines + $skipped skipped < $N"
exit 0
