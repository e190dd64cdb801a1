#!/usr/bin/env bash
# musterctl graph: the dependency graph in Graphviz dot, edges from a
# service to what it waits for (depends solid, after dashed), each node
# coloured by its current state.
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/ctl.sh"

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
