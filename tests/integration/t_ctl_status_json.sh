#!/usr/bin/env bash
# musterctl status --json: the same as the table, as a JSON array of
# objects {name, state, pid, uptime, restarts, last_exit, status, reason};
# texts are escaped (quotes, backslashes, tabs, UTF-8) and null stands for
# the table's "-".
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/ctl.sh"

cat >muster.ini <<INI
[muster]
control-socket = $SOCK

[service web]
command = $(service web 'exec sleep 300')

[service once]
command = /bin/true
type = oneshot

[service killed]
command = $(service killed 'kill -9 $$')
restart = no

[service notified]
command = $(service notified 'exec python3 -c "
import os, socket, time
a = os.environ[\"NOTIFY_SOCKET\"]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(\"READY=1\nSTATUS=say \\\"hi\\\" \\\\ caf\u00e9\tnow\".encode(), \"\0\" + a[1:] if a[0] == \"@\" else a)
time.sleep(300)
"')
type = notify
INI

start_muster -c muster.ini
wait_socket
ctl wait web once notified || fail "web, once and notified should become ready or done"
wait_state killed failed

ctl status --json >status.json || fail "status --json: exit $?"
cat status.json >&2
python3 - status.json <<'PY' || fail "the JSON of status --json is not as expected (above)"
import json, sys
d = json.load(open(sys.argv[1]))
assert isinstance(d, list), "not an array"
assert [o["name"] for o in d] == ["web", "once", "killed", "notified"], "names/order"
keys = {"name", "state", "pid", "uptime", "restarts", "last_exit", "status", "reason", "hook", "cgroup", "health"}
for o in d:
    assert set(o) == keys, ("keys", o)
    assert isinstance(o["restarts"], int), o
    # with cgroups, a running service's cgroup: its process count, its memory
    c = o["cgroup"]
    assert c is None or (set(c) == {"procs", "memory"} and isinstance(c["procs"], int)), o
    assert c is None or o["pid"] is not None, o
by = {o["name"]: o for o in d}
w = by["web"]
assert w["state"] == "ready" and isinstance(w["pid"], int) and w["pid"] > 1, w
assert isinstance(w["uptime"], (int, float)) and 0 <= w["uptime"] < 600, w
assert w["last_exit"] is None and w["status"] is None and w["restarts"] == 0, w
assert w["health"] is None, w  # no health check
o = by["once"]
assert o["state"] == "done" and o["pid"] is None and o["uptime"] is None, o
assert o["last_exit"] == "0", o
k = by["killed"]
assert k["state"] == "failed" and k["last_exit"] == "signal 9", k
assert isinstance(k["reason"], str) and k["reason"], k
n = by["notified"]
assert n["state"] == "ready", n
assert n["status"] == 'say "hi" \\ caf\u00e9\tnow', repr(n["status"])
PY

# the table shows the same text, with the tab made harmless
ctl status notified >table.txt || fail "status notified: exit $?"
assert_grep table.txt 'say "hi" \\ café\?now$' "notified's STATUS column"
grep -q "$(printf '\t')" table.txt && fail "a raw tab reached the table"

# with names: only those; an empty array shape is still an array
ctl status --json once >one.json || fail "status --json once: exit $?"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert [o["name"] for o in d] == ["once"], d' one.json ||
	fail "status --json once: $(cat one.json)"

stop_muster 0
