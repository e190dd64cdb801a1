#!/usr/bin/env bash
# A layered config as images and packages ship it: a base file including
# an /etc/muster.d-style directory (its *.ini in byte order; a README and
# a directory that matches are left out) and a local file of overrides.
# --check lists the files read, --show-config shows each value with the
# FILE:LINE it came from, the services run with the overrides applied, and
# an error in an included file is reported at that file's line.
. "$(dirname "$0")/lib.sh"

mkdir -p etc/muster.d/sub.ini
cat >etc/muster.ini <<INI
[muster]
include = muster.d/*.ini
  local.ini

[service db]
command = $(service db 'stamp db.up; exec sleep 300')
INI
cat >etc/muster.d/20-web.ini <<INI
[service web]
command = $(service web 'echo "web mode=$MODE"; stamp web.up; exec sleep 300')
env = MODE=base
depends = cache
INI
cat >etc/muster.d/10-cache.ini <<INI
[service cache]
command = $(service cache 'echo "cache arg=$1"; stamp cache.up; exec sleep 300') old
depends = db
INI
echo 'not a config file' >etc/muster.d/README
cat >etc/local.ini <<INI
[override web]
env-add = MODE=local

[override cache]
command = /bin/sh $TEST_DIR/cache.sh new
INI

run_muster --check -c etc/muster.ini
assert_eq 0 $? "muster --check exit status"
assert_eq "file: etc/muster.ini
file: etc/muster.d/10-cache.ini
file: etc/muster.d/20-web.ini
file: etc/local.ini
level 0: db
level 1: cache
level 2: web" "$(cat "$OUT")" "muster --check output: the files read, then the plan"

run_muster --show-config -c etc/muster.ini
assert_eq 0 $? "muster --show-config exit status"
assert_grep "$OUT" '^\[service web\] +; etc/muster\.d/20-web\.ini:1$' "web's header and its place"
assert_grep "$OUT" '^env = MODE=base +; etc/muster\.d/20-web\.ini:3$' "web's own env"
assert_grep "$OUT" '^env = MODE=local +; etc/local\.ini:2$' "the env the override adds"
assert_grep "$OUT" "^command = /bin/sh .*/cache\.sh new +; etc/local\.ini:5$" "cache's command, overridden"
assert_no_grep "$OUT" 'cache\.sh old' "the replaced command"

start_muster -c etc/muster.ini
wait_for "$ERR" 'all 3 services up'
wait_for "$OUT" 'web mode=local'
wait_for "$OUT" 'cache arg=new'
assert_order "$ERR" 'db: ready' 'cache: started' 'cache: ready' 'web: started'
stop_muster 0

# errors are at their own file's lines, in the order read
printf 'restart = sometimes\n' >>etc/muster.d/20-web.ini
printf '[override nosuch]\nstop-timeout = 1s\n' >>etc/local.ini
run_muster --check -c etc/muster.ini
assert_eq 78 $? "muster --check exit status with errors in included files"
assert_eq "etc/muster.d/20-web.ini:5: invalid restart 'sometimes' in [service web] (expected no, on-failure or always)
etc/local.ini:6: [override nosuch] of an undefined service: there is no [service nosuch]
muster: etc/muster.ini: 2 errors" "$(cat "$ERR")" "the errors, at FILE:LINE of the included files"
