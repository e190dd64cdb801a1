#!/usr/bin/env bash
# ready-log: the service is ready when a whole line it prints, on stdout or
# stderr, matches the POSIX extended regex; earlier lines do not; the
# matching line is still shown as usual; what depends on it starts after.
# It works with log-prefix = no too (muster reads the output for it).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ctl.sh"

D=$TEST_DIR
for prefix in yes no; do
	rm -f go
	cat >muster.ini <<INI
[muster]
control-socket = $SOCK
log-prefix = $prefix

[service app]
command = $(service app 'echo "listening on port soon"; echo "booting" >&2; while [ ! -e "$D/go" ]; do sleep 0.02; done; echo "server: listening on port 8080" >&2; exec sleep 300')
ready-log = listening on port [0-9]+$

[service after]
command = sleep 300
depends = app
INI
	start_muster -c muster.ini
	wait_socket
	wait_for "$ERR" 'booting'
	assert_eq starting "$(state_of app)" "app's state before the line (log-prefix = $prefix)"
	touch go
	wait_state after ready
	assert_order "$ERR" 'server: listening on port 8080' 'app: ready' 'after: started'
	if [ "$prefix" = yes ]; then
		assert_grep "$ERR" '^app +\| server: listening on port 8080$' "the line, shown as usual"
	else
		assert_grep "$ERR" '^server: listening on port 8080$' "the line, shown as usual"
	fi
	stop_muster 0
done
