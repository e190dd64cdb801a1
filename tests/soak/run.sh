#!/usr/bin/env bash
# muster's chaos soak (make soak; CI runs it with 30 s):
#
#   tests/soak/run.sh [SECONDS]        default 60
#
# 50 services in a random graph; for SECONDS a driver kills services
# (SIGKILL, SIGTERM, SIGSTOP/SIGCONT, the whole group), runs random
# musterctl commands and reloads random config edits, while the ordering,
# zombie, process-tree, descriptor/RSS and liveness invariants are checked
# all along; then a clean shutdown (exit 0, nothing left).  The driver and
# the checks are tests/soak/soak.py (see its docstring).
#
# Environment: MUSTER, MUSTERCTL (default: build/), SOAK_SEED (replay a
# run), SOAK_STRICT=1 (no workaround for known daemon bugs), SOAK_KEEP=1
# (keep the directory; it is always kept on failure), TMPDIR.
#
# Prints the counts and "soak: N invariant checks passed"; exits 1 on any
# violation, 2 when it cannot run.
set -u

secs=${1:-60}
case $secs in
'' | *[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2 ;;
esac
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
: "${MUSTER:=$root/build/muster}"
: "${MUSTERCTL:=$root/build/musterctl}"
for b in "$MUSTER" "$MUSTERCTL"; do
	[ -x "$b" ] || { echo "soak: $b is not an executable; build it first (make)" >&2; exit 2; }
done
command -v python3 >/dev/null || { echo "soak: python3 is needed" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/muster-soak.XXXXXX") || exit 2
args=(--seconds "$secs" --muster "$MUSTER" --musterctl "$MUSTERCTL" --dir "$work")
[ -n "${SOAK_SEED:-}" ] && args+=(--seed "$SOAK_SEED")
[ "${SOAK_STRICT:-}" = 1 ] && args+=(--strict)

python3 "$here/soak.py" "${args[@]}"
rc=$?
if [ "$rc" = 0 ] && [ -z "${SOAK_KEEP:-}" ]; then
	rm -rf "$work"
else
	echo "soak: the run's files (config, muster.err with every state change) are in $work"
fi
exit "$rc"
