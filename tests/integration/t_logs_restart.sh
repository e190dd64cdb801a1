#!/usr/bin/env bash
# A service's lines are kept across its restarts and across a reload
# that keeps it (changed or not); a reload that removes it drops them
# (added again, it starts from nothing).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ctl.sh"

cat >say.sh <<'SH'
n=$(cat "$1.count" 2>/dev/null || echo 0); n=$((n + 1)); echo $n >"$1.count"
echo "$1 run $n"
exec sleep 300
SH
config() {
	cat >muster.ini <<INI
[muster]
control-socket = $SOCK

[service keep]
command = /bin/sh $PWD/say.sh keep $1

[service gone]
command = /bin/sh $PWD/say.sh gone
INI
	[ "${2:-}" = without_gone ] && sed -i '/^\[service gone\]/,$d' muster.ini
	return 0
}
config ""
start_muster -c muster.ini
wait_socket
wait_for "$OUT" '^gone +\| gone run 1$'
wait_for "$OUT" '^keep +\| keep run 1$'

ctl restart keep gone >/dev/null || fail "restart: exit $?"
wait_for "$OUT" '^keep +\| keep run 2$'
wait_for "$OUT" '^gone +\| gone run 2$'
ctl logs keep >k.out || fail "logs keep: exit $?"
printf 'keep   | keep run 1\nkeep   | keep run 2\n' | cmp -s - k.out || fail "after a restart: $(cat k.out)"

# a reload that changes keep (restarts it) and removes gone
config "changed" without_gone
ctl reload >reload.out || fail "reload: exit $?"
wait_for "$OUT" '^keep +\| keep run 3$'
ctl logs keep >k.out || fail "logs keep: exit $?"
printf 'keep   | keep run 1\nkeep   | keep run 2\nkeep   | keep run 3\n' | cmp -s - k.out ||
	fail "after a reload that changed it: $(cat k.out)"
ctl logs gone >g.out 2>g.err && fail "logs of a removed service: $(cat g.out)"
# an unchanged reload keeps everything
ctl reload >/dev/null || fail "reload: exit $?"
ctl logs >all.out || fail "logs: exit $?"
assert_eq 3 "$(wc -l <all.out)" "lines after an unchanged reload"

# added again: its ring starts empty
config "changed"
ctl reload >/dev/null || fail "reload: exit $?"
wait_for "$OUT" '^gone +\| gone run 3$'
ctl logs gone >g.out || fail "logs gone: exit $?"
printf 'gone   | gone run 3\n' | cmp -s - g.out || fail "a service added again: $(cat g.out)"
stop_muster 0
exit 0
