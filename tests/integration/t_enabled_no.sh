#!/usr/bin/env bash
# enabled = no: the service is loaded (and validated), shown disabled, not
# started; one that depends on it fails with "dependency off is
# disabled", one that comes after it starts.  `musterctl start off`
# starts it, and then its dependent can start too.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ctl.sh"

cat >muster.ini <<INI
[muster]
control-socket = $SOCK

[service off]
command = $(service off 'echo ran >"$D/off-ran"; exec sleep 300')
enabled = no

[service needs]
command = sleep 300
depends = off

[service later]
command = sleep 300
after = off
INI

"$MUSTER" --check -c muster.ini >check.txt 2>&1 || fail "--check: exit $? ($(cat check.txt))"
printf '[service x]\ncommand = true\nenabled = maybe\n' >bad.ini
"$MUSTER" --check -c bad.ini >check.txt 2>&1
assert_eq 78 "$?" "--check of a bad enabled"
assert_grep check.txt 'bad.ini:3: .*enabled' "FILE:LINE of a bad enabled"

start_muster -c muster.ini
wait_socket
ctl wait later || fail "later not ready"
wait_state needs failed
assert_eq disabled "$(state_of off)" "off's state"
ctl status needs >st.txt
assert_grep st.txt 'dependency off is disabled' "needs' reason"
assert_no_file off-ran

ctl start off || fail "start off: exit $?"
assert_eq ready "$(state_of off)" "off once started"
wait_file off-ran
ctl start needs || fail "start needs: exit $?"
assert_eq ready "$(state_of needs)" "needs once off runs"
stop_muster 0
