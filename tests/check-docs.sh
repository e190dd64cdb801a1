#!/usr/bin/env bash
# The man pages are clean under mandoc's linter, and they document every
# option that `muster --help` and every command that `musterctl --help` name
# (taken from the programs' own help, so a new option needs its docs).
set -u
cd "$(dirname "$0")/.."
fail=0

if command -v mandoc >/dev/null; then
	if mandoc -Tlint -Wwarning man/*.[58]; then
		echo "docs: mandoc -Tlint clean ($(ls man/*.[58] | wc -l) pages)"
	else
		fail=1
	fi
else
	echo "docs: mandoc not installed: lint skipped"
fi

# "--config" is written ".Fl -config" or ".Fl \-config"; "-c" is ".Fl c"
has_flag() {
	local page=$1 flag=$2 name=${2#-}
	name=${name#-}
	if [[ $flag == --* ]]; then
		grep -Eq "Fl (\\\\)?-$name\b" "$page"
	else
		grep -Eq "Fl $name\b" "$page"
	fi
}

opts=$(./muster --help | grep -oE '(^|[ ,[])--?[a-zA-Z][a-z-]*' | grep -oE -- '--?[a-zA-Z][a-z-]*' | sort -u)
[ -n "$opts" ] || { echo "docs: no options found in muster --help"; fail=1; }
for o in $opts; do
	has_flag man/muster.8 "$o" || { echo "docs: man/muster.8 does not document $o"; fail=1; }
done
echo "docs: $(echo "$opts" | wc -w) muster options checked against man/muster.8"

if [ -x ./musterctl ] && [ -f man/musterctl.8 ]; then
	# the command lines of the help: two blanks, then the command's name
	cmds=$(./musterctl --help | sed -n 's/^  \([a-z][a-z]*\) .*/\1/p' | sort -u)
	[ -n "$cmds" ] || { echo "docs: no commands found in musterctl --help"; fail=1; }
	for c in $cmds; do
		grep -Eq "^\.It Cm $c\b|Cm $c\b" man/musterctl.8 ||
			{ echo "docs: man/musterctl.8 does not document '$c'"; fail=1; }
	done
	copts=$(./musterctl --help | grep -oE '(^|[ ,[])--?[a-zA-Z][a-z-]*' | grep -oE -- '--?[a-zA-Z][a-z-]*' | sort -u)
	for o in $copts; do
		has_flag man/musterctl.8 "$o" || { echo "docs: man/musterctl.8 does not document $o"; fail=1; }
	done
	echo "docs: $(echo "$cmds" | wc -w) musterctl commands, $(echo "$copts" | wc -w) options checked"
fi
exit $fail
