#!/usr/bin/env bash
# The systemd units pass `systemd-analyze verify` (when systemd-analyze is
# there), checked with ExecStart pointing at the binary just built.
set -u
cd "$(dirname "$0")/.."
if ! command -v systemd-analyze >/dev/null; then
	echo "units: systemd-analyze not installed: skipped"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sed "s|/usr/local/bin/muster|$PWD/muster|" systemd/muster.service > "$tmp/muster.service"
sed "s|/usr/local/bin/muster|$PWD/muster|" systemd/muster@.service > "$tmp/muster@demo.service"
if out=$(systemd-analyze verify --man=no "$tmp/muster.service" "$tmp/muster@demo.service" 2>&1); then
	echo "units: systemd-analyze verify clean (muster.service, muster@.service)"
else
	echo "$out"; echo "units: systemd-analyze verify failed"; exit 1
fi
