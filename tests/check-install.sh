#!/usr/bin/env bash
# `make install` with DESTDIR puts exactly the expected files in place, with
# the unit files pointing at the installed binary; `make uninstall` removes
# them all again.
set -u
cd "$(dirname "$0")/.."
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
make -s install DESTDIR="$dest" PREFIX=/usr >/dev/null || { echo "install: make install failed"; exit 1; }
expected="/usr/bin/muster
/usr/bin/musterctl
/usr/lib/systemd/system/muster.service
/usr/lib/systemd/system/muster@.service
/usr/share/doc/muster/example.ini
/usr/share/man/man5/muster.ini.5
/usr/share/man/man8/muster.8
/usr/share/man/man8/musterctl.8"
got=$(cd "$dest" && find . -type f | sed 's|^\.||' | sort)
if [ "$got" != "$expected" ]; then
	echo "install: unexpected file set"; diff <(echo "$expected") <(echo "$got"); exit 1
fi
grep -q '^ExecStart=/usr/bin/muster -c /etc/muster.ini$' "$dest/usr/lib/systemd/system/muster.service" ||
	{ echo "install: muster.service does not run /usr/bin/muster"; exit 1; }
[ -x "$dest/usr/bin/muster" ] && "$dest/usr/bin/muster" --version | grep -q '^muster ' ||
	{ echo "install: the installed muster does not run"; exit 1; }
make -s uninstall DESTDIR="$dest" PREFIX=/usr >/dev/null
left=$(cd "$dest" && find . -type f | wc -l)
[ "$left" -eq 0 ] || { echo "install: uninstall left $left files"; exit 1; }
echo "install: $(echo "$expected" | wc -l) files installed as expected, uninstall removes them"
