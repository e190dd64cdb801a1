#!/usr/bin/env bash
# On a terminal the service names are coloured (an ANSI colour before the
# name, a reset after the "|"), on stdout and stderr; the line itself is
# untouched.  NO_COLOR (non-empty) or TERM=dumb: no colour.  Not a
# terminal: no colour (the other output tests check files byte for byte).
. "$(dirname "$0")/lib.sh"
export LC_ALL=C   # byte semantics for grep/sed/sort on binary and long lines

command -v python3 >/dev/null || skip "python3 is needed for the pseudo-terminal"

cat >muster.ini <<INI
[muster]
control-socket = $PWD/ctl.sock

[service web]
command = $(service web 'echo "hello out"; echo "hello err" >&2; exec sleep 300')
INI

# run.py ENV...: muster with stdout and stderr on a pseudo-terminal, until
# both lines are out, then SIGTERM; everything read goes to tty.out.
cat >run.py <<'PY'
import os, pty, select, signal, subprocess, sys, time
env = dict(os.environ, MUSTER_IT_TAG=os.environ["IT_TAG"])
env.pop("NO_COLOR", None)
for kv in sys.argv[2:]:
    k, v = kv.split("=", 1)
    env[k] = v
master, slave = pty.openpty()
with open(os.devnull, "rb") as null:
    p = subprocess.Popen([sys.argv[1], "-c", "muster.ini"], stdin=null, stdout=slave,
                         stderr=slave, env=env)
os.close(slave)
data, deadline, termed = b"", time.time() + 20, False
while time.time() < deadline:
    if not termed and b"hello out" in data and b"hello err" in data:
        p.send_signal(signal.SIGTERM)
        termed = True
        deadline = min(deadline, time.time() + 10)
    r, _, _ = select.select([master], [], [], 0.1)
    if r:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: every writer is gone
            break
        if not chunk:
            break
        data += chunk
    elif p.poll() is not None and termed:
        break
if p.poll() is None:
    p.kill()
open("tty.out", "wb").write(data)
sys.exit(0 if termed else 1)
PY

# lines LINE_TEXT: the line(s) of tty.out that hold LINE_TEXT, escapes shown
show() { grep -a "$1" tty.out | cat -v; }

python3 run.py "$MUSTER" TERM=xterm || fail "muster on a terminal: the lines did not come: $(cat -v tty.out | head -n 20)"
ESC=$'\033'
for t in "hello out" "hello err"; do
	grep -aqE "^${ESC}\[[0-9;]+mweb +\|${ESC}\[0?m $t"$'\r?$' tty.out ||
		fail "on a terminal, expected the name coloured: found '$(show "$t")'"
done

for envset in NO_COLOR=1 TERM=dumb; do
	python3 run.py "$MUSTER" TERM=xterm "$envset" || fail "muster on a terminal ($envset): the lines did not come"
	for t in "hello out" "hello err"; do
		grep -aqE "^web +\| $t"$'\r?$' tty.out || fail "with $envset: expected 'web | $t' plainly: found '$(show "$t")'"
	done
	! grep -aq "$ESC" tty.out || fail "with $envset: escape sequences in the output: $(grep -a "$ESC" tty.out | head -n 3 | cat -v)"
done
exit 0
