# Servers for the tests of ready-http, ready-tcp and the health checks,
# started by the test itself.  Sourced after lib.sh and ctl.sh:
#   . "$(dirname "$0")/probes.sh"
# They carry MUSTER_IT_TAG, so the cleanup kills them with everything else.

command -v python3 >/dev/null 2>&1 ||
	skip "python3 is missing (it serves the HTTP and TCP ends of these tests)"

# http_server NAME: an HTTP server on 127.0.0.1, its port in $TEST_DIR/NAME.port,
# its pid in $TEST_DIR/NAME.pid.  Each GET is answered with the status in
# $TEST_DIR/NAME.status (200 without the file) and logged as "GET PATH" in
# $TEST_DIR/NAME.log.
http_server() {
	local name=$1
	MUSTER_IT_TAG=$IT_TAG python3 - "$TEST_DIR/$name" <<'PY' >/dev/null 2>&1 &
import http.server, os, sys
base = sys.argv[1]
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        try:
            code = int(open(base + ".status").read().strip() or 200)
        except (OSError, ValueError):
            code = 200
        with open(base + ".log", "a") as f:
            f.write("GET %s\n" % self.path)
        self.send_response(code)
        self.send_header("Content-Length", "3")
        self.end_headers()
        self.wfile.write(b"ok\n")
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
with open(base + ".pid", "w") as f:
    f.write("%d\n" % os.getpid())
with open(base + ".port.tmp", "w") as f:
    f.write("%d\n" % s.server_address[1])
os.rename(base + ".port.tmp", base + ".port")
s.serve_forever()
PY
	wait_file "$TEST_DIR/$name.port"
}

# tcp_listener NAME: accepts connections on 127.0.0.1 (port in
# $TEST_DIR/NAME.port, pid in $TEST_DIR/NAME.pid) and closes each at once.
tcp_listener() {
	local name=$1
	MUSTER_IT_TAG=$IT_TAG python3 - "$TEST_DIR/$name" <<'PY' >/dev/null 2>&1 &
import os, socket, sys
base = sys.argv[1]
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(64)
with open(base + ".pid", "w") as f:
    f.write("%d\n" % os.getpid())
with open(base + ".port.tmp", "w") as f:
    f.write("%d\n" % s.getsockname()[1])
os.rename(base + ".port.tmp", base + ".port")
while True:
    c, _ = s.accept()
    c.close()
PY
	wait_file "$TEST_DIR/$name.port"
}

# server_stop NAME: kill the server NAME and wait until it is gone.
server_stop() {
	local pid
	pid=$(cat "$TEST_DIR/$1.pid")
	kill -KILL "$pid" 2>/dev/null
	wait_gone "$pid" || fail "server $1 (pid $pid) would not die"
}

# health_of NAME: the HEALTH column (the last) of `musterctl status NAME`.
health_of() { ctl status "$1" 2>/dev/null | awk 'NR == 2 { print $NF }'; }

# wait_health NAME HEALTH [SECONDS]: until NAME's health is HEALTH.
wait_health() {
	local deadline=$(( $(date +%s) + ${3:-$DEFAULT_WAIT} )) h
	while h=$(health_of "$1"); [ "$h" != "$2" ]; do
		[ "$(date +%s)" -gt "$deadline" ] &&
			fail "$1: expected health $2 within ${3:-$DEFAULT_WAIT}s, found '$h'"
		sleep 0.02
	done
}

# json_field NAME KEY: KEY of NAME in `musterctl status --json NAME`.
json_field() {
	ctl status --json "$1" | python3 -c 'import json, sys; v = json.load(sys.stdin)[0][sys.argv[1]]; print("null" if v is None else v)' "$2"
}

# count_lines FILE ERE: how many lines of FILE match.
count_lines() { grep -cE -- "$2" "$1" 2>/dev/null || true; }
