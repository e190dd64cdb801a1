#!/usr/bin/env bash
# Reload, through `musterctl reload` and SIGHUP: an added service starts (by
# the graph), a removed one stops (dependents first), a changed one restarts
# with its new settings, an unchanged one keeps its process; the answer
# says so, one line per service.  A broken file is rejected with its
# FILE:LINE errors and nothing running changes.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ctl.sh"

write_config() { # the [service] sections after [muster]
	{ printf '[muster]\ncontrol-socket = %s\n' "$SOCK"; cat; } >muster.ini
}

write_config <<INI
[service db]
command = sleep 1001
[service cache]
command = sleep 1002
[service old]
command = $(service old 'trap "stamp old.term; exit 0" TERM; while :; do sleep 0.05; done')
[service oldchild]
command = $(service oldchild 'trap "stamp oldchild.term; sleep 0.2; stamp oldchild.exit; exit 0" TERM; while :; do sleep 0.05; done')
depends = old
[service web]
command = sleep 1003
depends = db
INI
start_muster -c muster.ini
wait_socket
wait_for "$ERR" 'all 5 services up'
db=$(pid_of db); cache=$(pid_of cache); web=$(pid_of web)
[ -n "$db" ] && [ "$db" != - ] || fail "no pid for db"

# a broken file: rejected with FILE:LINE, nothing changes
cp muster.ini good.ini
printf '[service db]\ncommand = sleep 1\n[service bad]\ncomand = x\n' >>muster.ini
ctl reload >reload.out 2>reload.err
rc=$?
assert_eq 1 "$rc" "musterctl reload exit status for a broken file"
assert_grep reload.err 'muster.ini:[0-9]+: duplicate service .db.' "the duplicate named with its line"
assert_grep reload.err "muster.ini:[0-9]+: unknown key 'comand'" "the unknown key named with its line"
assert_eq "$db" "$(pid_of db)" "db's pid after a rejected reload"
assert_eq ready "$(state_of old)" "old still runs after a rejected reload"
cp good.ini muster.ini

# the four cases: db unchanged, web changed, old+oldchild removed, new added
write_config <<INI
[service db]
command = sleep 1001
[service cache]
command = sleep 1002
[service web]
command = sleep 1004
depends = db
[service new]
command = $(service new 'stamp new.up; exec sleep 1005')
depends = web
INI
ctl reload >reload.out 2>reload.err || fail "musterctl reload failed: $(cat reload.err)"
assert_grep reload.out '^db: unchanged$' "the report for db"
assert_grep reload.out '^cache: unchanged$' "the report for cache"
assert_grep reload.out '^web: changed, restarting$' "the report for web"
assert_grep reload.out '^old: removed, stopping$' "the report for old"
assert_grep reload.out '^oldchild: removed, stopping$' "the report for oldchild"
assert_grep reload.out '^new: added, starting$' "the report for new"
assert_eq 6 "$(wc -l <reload.out)" "lines in the reload report (one per service)"

wait_state new ready
wait_state web ready
assert_eq "$db" "$(pid_of db)" "unchanged db keeps its process"
assert_eq "$cache" "$(pid_of cache)" "unchanged cache keeps its process"
[ "$(pid_of web)" != "$web" ] || fail "changed web still has its old process $web"
ps -o args= -p "$(pid_of web)" | grep -q 'sleep 1004' || fail "web does not run its new command"
# removed: gone from status, stopped dependents first
ctl status old >/dev/null 2>&1 && fail "old is still known after the reload"
wait_file old.term; wait_file oldchild.exit
assert_ts_before oldchild.exit old.term "old got its SIGTERM after its dependent oldchild exited"
# new started after web (its dependency) was ready again
assert_order "$ERR" 'web: ready' 'new: started'

# SIGHUP does the same: change cache, add nothing
sed -i 's/sleep 1002/sleep 1006/' muster.ini
signal HUP
wait_for "$ERR" 'reload: cache: changed, restarting'
deadline=$(( $(date +%s) + DEFAULT_WAIT ))
until ps -o args= -p "$(pid_of cache)" 2>/dev/null | grep -q 'sleep 1006'; do
	[ "$(date +%s)" -gt "$deadline" ] && fail "cache did not restart with its new command after SIGHUP"
	sleep 0.05
done
assert_eq "$db" "$(pid_of db)" "db untouched by the SIGHUP reload"

stop_muster 0
