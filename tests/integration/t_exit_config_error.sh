#!/usr/bin/env bash
# A configuration error exits 78 (EX_CONFIG) with FILE:LINE messages and
# starts nothing; so does a config file that cannot be read.
. "$(dirname "$0")/lib.sh"

cmd=$(service s 'stamp s.start; exec sleep 300')
cat >bad.ini <<INI
[service s]
command = $cmd
bogus-key = 1
INI

run_muster -c bad.ini
assert_eq 78 $? "exit status for an unknown key"
assert_grep "$ERR" '(^|/)bad\.ini:3: .*bogus-key'
assert_no_grep "$ERR" ': started \(pid'
assert_no_file s.start

run_muster -c "$TEST_DIR/missing.ini"
assert_eq 78 $? "exit status for a missing config file"
assert_grep "$ERR" 'missing\.ini'

mkdir adir
run_muster -c adir
assert_eq 78 $? "exit status for a config that is a directory"
assert_grep "$ERR" 'adir'

cat >cycle.ini <<INI
[service a]
command = $cmd
depends = b

[service b]
command = $cmd
depends = a
INI
run_muster -c cycle.ini
assert_eq 78 $? "exit status for a dependency cycle"
assert_grep "$ERR" '(^|/)cycle\.ini:[0-9]+: .*cycle: (a -> b -> a|b -> a -> b)'
assert_no_file s.start

# MUSTER_CONFIG names the config when -c is not given
MUSTER_CONFIG=$TEST_DIR/bad.ini run_muster
assert_eq 78 $? "exit status for a bad \$MUSTER_CONFIG"
assert_grep "$ERR" 'bad\.ini:3: .*bogus-key'
