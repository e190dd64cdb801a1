#!/usr/bin/env bash
# Back-pressure: muster's stdout is a FIFO whose reader stops reading for
# at least 2 s.  Meanwhile the service that floods stdout must block (its
# writes stop: muster stops reading its pipe once about 1 MiB is queued),
# muster's memory stays bounded, the daemon still answers
# `musterctl status`, and stderr (another sink) keeps flowing.  When the
# reader resumes, every line arrives, whole, once, in order.
# Measured (reported, not asserted beyond a loose bound): muster's RSS
# while the reader is paused.
. "$(dirname "$0")/lib.sh"
export LC_ALL=C   # byte semantics for grep/sed/sort on binary and long lines

: "${HELPERS:=$(cd "$(dirname "$0")/../.." && pwd)/build/helpers}"
LINEGEN=$HELPERS/linegen
[ -x "$LINEGEN" ] || fail "no $LINEGEN: build the helpers (make integration)"
command -v python3 >/dev/null || skip "python3 is needed for the FIFO reader"

N=200000   # 200,000 lines of 100 bytes: 20 MB, far more than any buffer
FLOOD="$LINEGEN -n $N -l 100 -t f"
TOTAL=$((N * 101))

cat >muster.ini <<INI
[muster]
control-socket = $PWD/ctl.sock

[service flood]
command = $FLOOD
type = oneshot
restart = no

[service ticker]
command = $LINEGEN -E -n 100000 -l 20 -t tick -d 100000
INI

# The reader: copies the FIFO to a file; after the first 256 KiB it stops
# reading, writes "paused" (the bytes read so far), waits until "go"
# exists and at least 2 s have passed (30 s at most), then reads to EOF.
cat >reader.py <<'PY'
import os, sys, time
fifo, out = sys.argv[1], sys.argv[2]
fd = os.open(fifo, os.O_RDONLY)
total, paused = 0, False
with open(out, "wb") as f:
    while True:
        if not paused and total >= 256 * 1024:
            paused = True
            f.flush()
            t0 = time.time()
            with open("paused.tmp", "w") as p:
                p.write("%d\n" % total)
            os.rename("paused.tmp", "paused")
            while True:
                el = time.time() - t0
                if (el >= 2 and os.path.exists("go")) or el >= 30:
                    break
                time.sleep(0.02)
            with open("resumed", "w") as p:
                p.write("%.3f\n" % el)
        b = os.read(fd, 65536)
        if not b:
            break
        f.write(b)
        total += len(b)
PY

mkfifo stdout.fifo
MUSTER_IT_TAG=$IT_TAG python3 reader.py stdout.fifo got.out &   # tagged: the cleanup kills it
RPID=$!

# start_muster, but with stdout into the FIFO (same bookkeeping: MPID,
# .rc.PID for expect_exit)
OUT=$PWD/got.out
pidfile=$PWD/.mpid
(
	MUSTER_IT_TAG=$IT_TAG "$MUSTER" -c muster.ini </dev/null >stdout.fifo 2>"$ERR" &
	echo $! >"$pidfile"
	wait $!
	echo $? >"$TEST_DIR/.rc.$!"
) 2>/dev/null &
for i in $(seq 1 500); do [ -s "$pidfile" ] && break; sleep 0.01; done
MPID=$(cat "$pidfile" 2>/dev/null)
[ -n "$MPID" ] || fail "muster did not start"

wait_file paused
read_bytes=$(cat paused)
# muster writes through a non-blocking descriptor of its own: the file
# description of its fd 1, which others may share, stays blocking
flags=$(sed -n 's/^flags:[[:space:]]*//p' "/proc/$MPID/fdinfo/1")
[ -n "$flags" ] || fail "cannot read /proc/$MPID/fdinfo/1"
[ $((8#$flags & 8#4000)) = 0 ] || fail "muster set O_NONBLOCK on its inherited stdout (flags $flags)"
wait_for "$ERR" 'flood: started \(pid [0-9]+\)'
FPID=$(sed -n 's/.*flood: started (pid \([0-9]*\)).*/\1/p' "$ERR" | head -n 1)

wchar() { sed -n 's/^wchar: //p' "/proc/$1/io" 2>/dev/null; }
[ -n "$(wchar "$FPID")" ] || fail "cannot read /proc/$FPID/io (flood's pid $FPID)"

# The flood must come to a halt: no byte written for 0.6 s, with about
# 1 MiB held between it and the reader (a stall with less may be a busy
# machine, not back-pressure: wait on).
deadline=$(($(date +%s) + 15))
prev=-1 same=0
while :; do
	w=$(wchar "$FPID")
	[ -n "$w" ] || fail "flood (pid $FPID) exited while the reader was paused: nothing held it back"
	if [ "$w" = "$prev" ]; then
		same=$((same + 1))
		[ "$same" -ge 3 ] && [ $((w - read_bytes)) -ge 1000000 ] && break
	else
		same=0
	fi
	prev=$w
	[ "$(date +%s)" -gt "$deadline" ] &&
		fail "flood never blocked with about 1 MiB held (wrote $w bytes, the reader got $read_bytes)"
	sleep 0.2
done
[ "$w" -lt "$TOTAL" ] || fail "flood wrote all its $TOTAL bytes: no back-pressure"
# what the flood wrote beyond what the reader got sits in buffers: its
# pipe, muster's queue (high-water mark 1 MiB, plus one read), the FIFO
held=$((w - read_bytes))
log "flood blocked after writing $w bytes; reader got $read_bytes; held in between: $held"
[ "$held" -lt $((4 * 1024 * 1024)) ] ||
	fail "muster held $held bytes of output for a paused reader (expected about 1 MiB)"

rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$MPID/status")
log "measure: muster RSS while the reader is paused: ${rss} kB"
[ "$rss" -lt $((64 * 1024)) ] || fail "muster's RSS is ${rss} kB while the reader is paused"

# the daemon answers while its stdout is blocked
if [ -x "$MUSTERCTL" ]; then
	t0=$(now)
	timeout 5 "$MUSTERCTL" -s "$PWD/ctl.sock" status >status.out 2>&1 ||
		fail "musterctl status failed while stdout was paused: $(cat status.out)"
	log "measure: musterctl status took $(elapsed "$t0")s while stdout was paused"
	grep -qE '^flood +(ready|starting) ' status.out || fail "status while paused: $(cat status.out)"
	grep -qE '^ticker +ready ' status.out || fail "status while paused: $(cat status.out)"
else
	log "no musterctl (MUSTERCTL=$MUSTERCTL): the ticker's lines on stderr show the loop runs"
fi

# stderr is another sink: its lines keep coming (the event loop runs)
t1=$(grep -cE '^ticker +\| tick ' "$ERR")
sleep 1
t2=$(grep -cE '^ticker +\| tick ' "$ERR")
[ "$((t2 - t1))" -ge 3 ] || fail "stderr stalled with stdout: $((t2 - t1)) tick lines in 1 s"
[ -e resumed ] && fail "the reader resumed before the checks were done (test too slow?)"
[ "$(wchar "$FPID")" = "$w" ] || fail "flood wrote on while the reader was paused"

touch go
wait_for "$ERR" 'flood: done' 30
hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$MPID/status")
log "measure: muster peak RSS over the run (VmHWM): ${hwm} kB; the reader paused $(cat resumed)s"
stop_muster 0
wait_gone "$RPID" 10 || fail "the FIFO reader did not see EOF after muster exited"

$FLOOD >exp.out
grep -aE '^flood +\| ' got.out | sed -E 's/^flood +\| //' >flood.out
if ! cmp -s exp.out flood.out; then
	log "first difference: $(cmp exp.out flood.out 2>&1 | head -n 1)"
	fail "flood's lines: expected $N, found $(wc -l <flood.out), not exactly as written"
fi
stray=$(grep -avnE '^flood +\| f [0-9]+ [a-z]+$' got.out | head -n 3)
[ -z "$stray" ] || fail "unexpected lines on stdout: $stray"
exit 0
