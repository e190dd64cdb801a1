#!/usr/bin/env bash
# log-format = json: every line muster writes, on stdout and stderr, its
# own and the services', is one JSON object {"time","service","stream",
# "line"} (muster's own with "level"); quotes, backslashes, control
# characters are escaped and bytes that are not UTF-8 become U+FFFD; the
# pieces of a line over 64 KiB carry "partial": true.  The log-file keeps
# the service's bytes; `musterctl logs --json` gives the same objects.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ctl.sh"
export LC_ALL=C
command -v python3 >/dev/null || skip "python3 is needed to read JSON"

# what the service prints (its own oracle: run again outside muster)
cat >gen.py <<'PY'
import sys
o, e = sys.stdout.buffer, sys.stderr.buffer
e.write(b'on stderr\n')
e.flush()
o.write(b'plain line\n')
o.write(b'quotes " and \\ backslash \t tab\n')
o.write(bytes(range(0, 32)).replace(b'\n', b'') + b'\x7f end\n')
o.write(b'bad utf-8: \xff \xc0\xaf \xed\xa0\x80 \xe2\x82 ok \xc3\xa9\n')
o.write(b'x' * (65536 * 2 + 10) + b'\n')
o.write(b'the end\n')
o.flush()
PY
cat >muster.ini <<INI
[muster]
control-socket = $SOCK
log-format = json
log-timestamps = yes

[service gen]
command = /bin/sh -c 'python3 $PWD/gen.py; exec sleep 300'
log-file = $PWD/gen.log
INI
start_muster -c muster.ini
wait_socket
wait_for "$ERR" '"line":"on stderr"'
wait_for "$OUT" '"line":"the end"'
wait_for "$ERR" '"line":"all 1 service up'
ctl logs --json gen >logs.json || fail "logs --json: exit $?"
ctl logs gen >logs.txt || fail "logs: exit $?"
stop_muster 0
python3 gen.py >exp.out 2>exp.err

python3 - "$OUT" "$ERR" exp.out exp.err logs.json <<'PY' || fail "$(cat check.err)"
import json, re, sys
out, err, exp_out, exp_err, logs = sys.argv[1:]
problems = []
def objects(path, stream):
    objs = []
    for n, raw in enumerate(open(path, 'rb').read().split(b'\n')[:-1], 1):
        try:
            text = raw.decode('utf-8')          # strictly valid UTF-8
            o = json.loads(text)
        except Exception as ex:
            problems.append('%s:%d: not a JSON line (%s): %r' % (path, n, ex, raw[:80]))
            continue
        if any(ord(c) < 0x20 for c in text):
            problems.append('%s:%d: a raw control character' % (path, n))
        keys = list(o)
        want = ['time', 'service', 'stream'] + (['level'] if o.get('service') == 'muster' else []) \
               + (['partial'] if 'partial' in o else []) + ['line']
        if keys != want:
            problems.append('%s:%d: keys %s, expected %s' % (path, n, keys, want))
        if not re.match(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$', o.get('time', '')):
            problems.append('%s:%d: time %r' % (path, n, o.get('time')))
        if stream and o.get('stream') != stream:
            problems.append('%s:%d: stream %r' % (path, n, o.get('stream')))
        objs.append(o)
    return objs
oo, eo, lo = objects(out, 'stdout'), objects(err, 'stderr'), objects(logs, None)
def lines_of(objs, stream):
    # pieces put back together
    res, cur = [], None
    for o in objs:
        if o['service'] != 'gen' or o['stream'] != stream:
            continue
        cur = (cur or '') + o['line']
        if not o.get('partial'):
            res.append(cur)
            cur = None
    return res
want_out = [l.decode('utf-8', 'replace') for l in open(exp_out, 'rb').read().split(b'\n')[:-1]]
want_err = [l.decode('utf-8', 'replace') for l in open(exp_err, 'rb').read().split(b'\n')[:-1]]
# Python's 'replace' makes one U+FFFD per maximal bad sequence; muster one per byte
def norm(s): return re.sub('\ufffd+', '\ufffd', s)
for name, got, want in (('stdout', lines_of(oo, 'stdout'), want_out), ('stderr', lines_of(eo, 'stderr'), want_err),
                        ('logs --json stdout', lines_of(lo, 'stdout'), want_out),
                        ('logs --json stderr', lines_of(lo, 'stderr'), want_err)):
    if [norm(x) for x in got] != [norm(x) for x in want]:
        problems.append('%s: %r, expected %r' % (name, [g[:60] for g in got], [w[:60] for w in want]))
big = [o for o in oo if o['service'] == 'gen' and o['line'].startswith('xxx')]
if [len(o['line']) for o in big] != [65536, 65536, 10] or [o.get('partial', False) for o in big] != [True, True, False]:
    problems.append('the long line: pieces %s' % [(len(o['line']), o.get('partial')) for o in big])
own = [o for o in eo if o['service'] == 'muster']
if not own or any(o.get('level') not in ('info', 'warning', 'error', 'debug') for o in own):
    problems.append("muster's own lines: %r" % own[:3])
if not any(o['line'].startswith('all 1 service up') and o['level'] == 'info' for o in own):
    problems.append("no 'all 1 service up' at level info")
if any(o['service'] != 'gen' for o in oo):
    problems.append('stdout has lines of %r' % {o['service'] for o in oo})
# logs --json: the same objects as live output
live = [o for o in oo + eo if o['service'] == 'gen']
if sorted(map(json.dumps, live)) != sorted(map(json.dumps, lo)):
    problems.append('logs --json differs from live output')
open('check.err', 'w').write('\n'.join(problems[:8]))
sys.exit(1 if problems else 0)
PY
# the log-file: the service's bytes, as 0.1 writes them (stamped, whatever the format)
python3 - gen.log exp.out exp.err <<'PY' || fail "the log-file is not the service's bytes, each line stamped"
import re, sys
log, out, err = (open(f, 'rb').read().split(b'\n')[:-1] for f in sys.argv[1:])
stamp = re.compile(rb'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d ')
sys.exit(0 if all(stamp.match(l) for l in log) and
         sorted(stamp.sub(b'', l) for l in log) == sorted(out + err) else 1)
PY
# logs in text: the same lines, prefixed
grep -qE '^[0-9-]+T[0-9:.+-]+ gen +\| plain line$' logs.txt || fail "logs (text): $(head -2 logs.txt)"
exit 0
