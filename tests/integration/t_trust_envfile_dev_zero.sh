#!/usr/bin/env bash
# env-file = /dev/zero (a device that never ends) is refused before a byte
# is read: "/dev/zero: not a regular file" at the env-file line, exit 78
# from --check and at start, under a memory limit too.  (Read as one
# endless line it grew muster's memory without bound, and once an
# allocation failed, --check said the config was valid.)  A link planted
# at the env-file's name and pointing at the device is refused the same
# way.
. "$(dirname "$0")/lib.sh"

[ -c /dev/zero ] || skip "no /dev/zero"
cmd=$(service a 'stamp a.start; exec sleep 300')
printf '[service a]\ncommand = %s\nenv-file = /dev/zero\n' "$cmd" >zero.ini
ln -s /dev/zero linked.env
printf '[service a]\ncommand = %s\nenv-file = linked.env\n' "$cmd" >link.ini

# Every run is bounded in memory too, so that a muster that reads the
# device cannot take the machine's: an address-space limit (ulimit -v),
# or, for an ASan build (which reserves terabytes of address space at
# start), the sanitizer allocator's own limit.
if ldd "$MUSTER" 2>/dev/null | grep -q libasan; then
	limited() {
		ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}allocator_may_return_null=1:max_allocation_size_mb=64 "$@"
	}
else
	limited() { (ulimit -v 131072 && "$@"); }
fi

for ini in zero.ini link.ini; do
	limited run_muster --check -c "$ini"
	rc=$?
	assert_eq 78 "$rc" "muster --check -c $ini exit status (0 is 'valid')"
	assert_grep "$ERR" "(^|/)$ini:3: (/dev/zero|(.*/)?linked\.env): not a regular file" \
		"muster --check -c $ini"
	assert_no_grep "$OUT" '^level'

	limited run_muster -c "$ini"
	assert_eq 78 $? "muster -c $ini exit status"
	assert_grep "$ERR" "(^|/)$ini:3: .*: not a regular file" "muster -c $ini"
	assert_no_file a.start
done
