#!/usr/bin/env bash
# muster --check: on success prints the start plan, one line per level,
# and exits 0; on error prints every error as FILE:LINE: message (all of
# them) and exits 78.  Either way nothing is started.
. "$(dirname "$0")/lib.sh"

cmd=$(service s 'stamp s.start; exec sleep 300')
cat >good.ini <<INI
[service db]
command = $cmd

[service cache]
command = $cmd

[service migrate]
command = $cmd
type = oneshot
depends = db

[service web]
command = $cmd
depends = migrate cache
INI

run_muster --check -c good.ini
assert_eq 0 $? "muster --check exit status for a good config"
assert_eq "level 0: db cache
level 1: migrate
level 2: web" "$(cat "$OUT")" "muster --check output"
assert_no_file s.start

cat >bad.ini <<INI
[muster]
graceful-timeout = soon

[service a]
command = $cmd
depends = nosuch

[service b]
command = $cmd
restart = sometimes

[service a]
command = $cmd
INI
run_muster --check -c bad.ini
assert_eq 78 $? "muster --check exit status for a bad config"
assert_grep "$ERR" '(^|/)bad\.ini:2: .*soon'
assert_grep "$ERR" '(^|/)bad\.ini:6: .*nosuch'
assert_grep "$ERR" '(^|/)bad\.ini:10: .*sometimes'
assert_grep "$ERR" '(^|/)bad\.ini:12: .*(duplicate|twice).*'
assert_no_grep "$OUT" '^level'
assert_no_file s.start
