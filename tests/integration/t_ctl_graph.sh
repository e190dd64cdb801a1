#!/usr/bin/env bash
# musterctl graph: the dependency graph in Graphviz dot, edges from a
# service to what it waits for (depends solid, after dashed), each node
# coloured by its current state.
. "$(dirname "$0")/lib.sh"

# ---- musterctl helpers (the same in every t_ctl_*.sh) ----
[ -x "${MUSTERCTL:-}" ] || skip "MUSTERCTL does not name an executable musterctl"
SOCK=$TEST_DIR/ctl.sock

# ctl ARG...: musterctl on this test's socket, bounded.
ctl() { timeout -k 5 "$DEFAULT_WAIT" "$MUSTERCTL" -s "$SOCK" "$@"; }

# wait_socket: until muster answers on $SOCK.
wait_socket() {
	local deadline=$(( $(date +%s) + DEFAULT_WAIT ))
	until [ -S "$SOCK" ] && "$MUSTERCTL" -s "$SOCK" status >/dev/null 2>&1; do
		muster_exited && fail "muster exited before its socket answered"
		[ "$(date +%s)" -gt "$deadline" ] && fail "no answer on $SOCK after ${DEFAULT_WAIT}s"
		sleep 0.02
	done
}

# state_of NAME: the STATE column of `musterctl status NAME`.
state_of() { ctl status "$1" 2>/dev/null | awk 'NR == 2 { print $2 }'; }

# wait_state NAME STATE: until NAME is in STATE (bounded).
wait_state() {
	local deadline=$(( $(date +%s) + DEFAULT_WAIT )) st
	while st=$(state_of "$1"); [ "$st" != "$2" ]; do
		[ "$(date +%s)" -gt "$deadline" ] &&
			fail "$1: expected state $2 within ${DEFAULT_WAIT}s, found '$st'"
		sleep 0.02
	done
}
# ----

cat >muster.ini <<INI
[muster]
control-socket = $SOCK

[service db]
command = sleep 300

[service cache]
command = sleep 300

[service migrate]
command = /bin/true
type = oneshot
depends = db

[service metrics]
command = $(service metrics 'exit 1')
restart = no

[service web]
command = sleep 300
depends = migrate cache
after = metrics
INI

start_muster -c muster.ini
wait_socket
ctl wait web || fail "wait web: exit $?"
wait_state metrics failed

ctl graph >g.dot || fail "graph: exit $?"
cat g.dot >&2
assert_grep g.dot '^digraph muster \{$' "the first line"
[ "$(tail -n 1 g.dot)" = "}" ] || fail "the last line is not }"
assert_grep g.dot '^	"web" -> "migrate";$' "web depends on migrate (solid)"
assert_grep g.dot '^	"web" -> "cache";$' "web depends on cache (solid)"
assert_grep g.dot '^	"web" -> "metrics" \[style=dashed\];$' "web after metrics (dashed)"
assert_grep g.dot '^	"migrate" -> "db";$' "migrate depends on db"
assert_count g.dot ' -> ' 4
assert_grep g.dot '^	"db" \[label="db\\nready", fillcolor="palegreen"\];$' "db's node"
assert_grep g.dot '^	"migrate" \[label="migrate\\ndone", fillcolor="lightblue"\];$' "migrate's node"
assert_grep g.dot '^	"metrics" \[label="metrics\\nfailed", fillcolor="salmon"\];$' "metrics' node"
# braces and quotes balance
[ "$(tr -cd '{' <g.dot | wc -c)" = "$(tr -cd '}' <g.dot | wc -c)" ] || fail "unbalanced braces"
[ $(( $(tr -cd '"' <g.dot | wc -c) % 2 )) = 0 ] || fail "unbalanced quotes"
if command -v dot >/dev/null; then
	dot -Tsvg g.dot >/dev/null || fail "dot rejects the graph"
fi

# colours follow the current state
ctl stop cache || fail "stop cache: exit $?"
wait_state cache stopped
ctl graph >g2.dot || fail "graph: exit $?"
assert_grep g2.dot '^	"cache" \[label="cache\\nstopped", fillcolor="lightgrey"\];$' "cache's node once stopped"
assert_grep g2.dot '^	"web" \[label="web\\nstopped", fillcolor="lightgrey"\];$' "web's node once stopped"

stop_muster 0
