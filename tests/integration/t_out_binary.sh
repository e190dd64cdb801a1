#!/usr/bin/env bash
# Binary output: lines holding every byte value but '\n' (NUL bytes,
# invalid UTF-8, escape and control characters, '\r') pass through
# unchanged, on stdout and on stderr, to the daemon's streams and to the
# log-files.
. "$(dirname "$0")/lib.sh"
export LC_ALL=C   # byte semantics for grep/sed/sort on binary and long lines

: "${HELPERS:=$(cd "$(dirname "$0")/../.." && pwd)/build/helpers}"
LINEGEN=$HELPERS/linegen
[ -x "$LINEGEN" ] || fail "no $LINEGEN: build the helpers (make integration)"
command -v python3 >/dev/null || skip "python3 is needed to compare binary lines"

BOUT="$LINEGEN -b -n 3000 -l 300 -t bo"
BERR="$LINEGEN -b -E -n 1000 -l 200 -t be"

cat >muster.ini <<INI
[muster]
control-socket = $PWD/ctl.sock

[service binout]
command = $BOUT
type = oneshot
restart = no
log-file = $PWD/binout.log

[service binerr]
command = $BERR
type = oneshot
restart = no
log-file = $PWD/binerr.log

[service holder]
command = sleep 300
depends = binout binerr
INI

start_muster -c muster.ini
wait_for "$ERR" 'all 3 services up'
stop_muster 0

$BOUT >exp.out
$BERR 2>exp.err
# the oracle really is binary: NUL bytes and bytes that are not UTF-8
python3 -c '
import sys
d = open("exp.out", "rb").read()
assert b"\0" in d and b"\xff" in d and b"\x80" in d and b"\r" in d
try:
    d.decode("utf-8")
    sys.exit("the test data is valid UTF-8")
except UnicodeDecodeError:
    pass' || fail "linegen -b does not produce the bytes this test needs"

cat >strip.py <<'PY'
import re, sys
src, name, dst = sys.argv[1], sys.argv[2].encode(), sys.argv[3]
pat = re.compile(rb"^" + name + rb" +\| (.*)$", re.S)
out = []
for raw in open(src, "rb").read().split(b"\n")[:-1]:
    m = pat.match(raw)
    if m:
        out.append(m.group(1) + b"\n")
open(dst, "wb").write(b"".join(out))
PY
python3 strip.py "$OUT" binout got.out
python3 strip.py "$ERR" binerr got.err
cmp -s exp.out got.out || fail "binout on stdout: $(cmp exp.out got.out 2>&1 | head -n 1) ($(wc -l <got.out) lines, expected 3000)"
cmp -s exp.err got.err || fail "binerr on stderr: $(cmp exp.err got.err 2>&1 | head -n 1) ($(wc -l <got.err) lines, expected 1000)"
cmp -s exp.out binout.log || fail "binout.log: $(cmp exp.out binout.log 2>&1 | head -n 1)"
cmp -s exp.err binerr.log || fail "binerr.log: $(cmp exp.err binerr.log 2>&1 | head -n 1)"
# and nothing crossed over
python3 strip.py "$ERR" binout cross.1
python3 strip.py "$OUT" binerr cross.2
[ ! -s cross.1 ] && [ ! -s cross.2 ] || fail "binary lines on the wrong stream"
exit 0
