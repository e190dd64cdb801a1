#!/usr/bin/env bash
# Throughput (measured and reported, not asserted): one service writes
# $OUT_MIB MiB (default 100) of 100-byte lines as fast as it can; once
# straight to a file, once through muster (prefixing every line) to a
# file.  Reports the ratio of the two throughputs (target: at least 0.5),
# the CPU time muster spends per MiB (utime + stime from /proc/PID/stat)
# and its peak RSS.  Asserted: every byte arrives, in order.
# OUT_BENCH_REPORT=FILE appends the figures to FILE as well.
. "$(dirname "$0")/lib.sh"
export LC_ALL=C   # byte semantics for grep/sed/sort on binary and long lines

: "${HELPERS:=$(cd "$(dirname "$0")/../.." && pwd)/build/helpers}"
LINEGEN=$HELPERS/linegen
[ -x "$LINEGEN" ] || fail "no $LINEGEN: build the helpers (make integration)"
command -v python3 >/dev/null || skip "python3 is needed for the measurement"

MIB=${OUT_MIB:-100}
N=$((MIB * 1024 * 1024 / 100))
GEN="$LINEGEN -n $N -l 99 -t x"

# direct: the writer alone
$GEN -T direct.t >direct.out || fail "linegen failed"
rm -f direct.out
$GEN -T direct.t >direct.out || fail "linegen failed"   # second run: warm
read -r d0 d1 <direct.t || fail "the direct writer left no times (direct.t)"

cat >muster.ini <<INI
[muster]
control-socket = $PWD/ctl.sock

[service x]
command = $GEN -T $PWD/muster.t
type = oneshot
restart = no
INI

# The driver: start muster (stdout to a file), wait until the file holds
# all N lines (polling its size), read muster's CPU time and peak RSS,
# stop it.  Prints "END_TIME CPU_SECONDS HWM_KB PREFIX_LEN".
cat >drive.py <<'PY'
import os, signal, subprocess, sys, time
muster, n, out, err = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
env = dict(os.environ, MUSTER_IT_TAG=os.environ["IT_TAG"])
with open(out, "wb") as o, open(err, "wb") as e, open(os.devnull, "rb") as i:
    p = subprocess.Popen([muster, "-c", "muster.ini"], stdin=i, stdout=o, stderr=e, env=env)
expected, deadline, end = None, time.time() + 60, None
while time.time() < deadline:
    size = os.stat(out).st_size
    if expected is None and size > 200:
        with open(out, "rb") as f:
            first = f.readline()
        prefix = len(first) - 100
        expected = n * (prefix + 100)
    if expected is not None and size >= expected:
        end = time.time()
        break
    if p.poll() is not None:
        break
    time.sleep(0.001)
if end is None:
    p.kill()
    sys.exit("muster's stdout has %d bytes, expected %s" % (os.stat(out).st_size, expected))
with open("/proc/%d/stat" % p.pid) as f:
    fields = f.read().rsplit(")", 1)[1].split()
cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
hwm = 0
with open("/proc/%d/status" % p.pid) as f:
    for line in f:
        if line.startswith("VmHWM:"):
            hwm = int(line.split()[1])
# the writer notes its times after its last write: wait for them
t = time.time() + 20
while time.time() < t and not (os.path.exists("muster.t") and os.path.getsize("muster.t") > 0):
    time.sleep(0.01)
p.send_signal(signal.SIGTERM)
try:
    rc = p.wait(20)
except subprocess.TimeoutExpired:
    p.kill()
    sys.exit("muster did not exit after SIGTERM")
if rc != 0:
    sys.exit("muster exited with %d" % rc)
print("%.6f %.3f %d %d" % (end, cpu, hwm, prefix))
PY
python3 drive.py "$MUSTER" "$N" "$OUT" "$ERR" >drive.out || fail "measurement failed: $(cat drive.out)"
read -r end cpu hwm prefix <drive.out
read -r m0 m1 <muster.t || fail "the writer under muster left no times (muster.t)"

# correctness: the same bytes as the direct run, after the prefix
cut -c$((prefix + 1))- "$OUT" | cmp -s - direct.out ||
	fail "muster's stdout, without the prefix, differs from the direct output"

report=$(awk -v mib="$MIB" -v d0="$d0" -v d1="$d1" -v m0="$m0" -v m1="$m1" -v end="$end" \
	-v cpu="$cpu" -v hwm="$hwm" 'BEGIN {
	dt = d1 - d0; mt = end - m0
	printf "throughput, %d MiB of 100-byte lines: direct to a file %.3fs (%.0f MiB/s); ", mib, dt, mib / dt
	printf "through muster to a file %.3fs (%.0f MiB/s; the writer itself finished after %.3fs); ", mt, mib / mt, m1 - m0
	printf "ratio %.2f (target >= 0.5); ", dt / mt
	printf "muster CPU %.3fs = %.1f ms/MiB; muster peak RSS %d kB", cpu, cpu * 1000 / mib, hwm
}')
log "measure: $report"
[ -n "${OUT_BENCH_REPORT:-}" ] && echo "$report" >>"$OUT_BENCH_REPORT"
rm -f direct.out "$OUT"
exit 0
