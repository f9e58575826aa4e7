#!/bin/sh
# Every binary has a man page, and every page renders without a warning
# (groff -ww: all warnings; -k: the pages are UTF-8).
#
#   sh scripts/check-man.sh MANDIR BIN...
# The closing line is "man: N passed, M failed".
mandir=$1
shift
pass=0
fail=0
for b in "$@"; do
	page="$mandir/$(basename "$b").1"
	if [ ! -f "$page" ]; then
		echo "FAIL: $(basename "$b") has no man page ($page)"
		fail=$((fail + 1))
	fi
done
for page in "$mandir"/*.[1-8]; do
	out=$(groff -k -T utf8 -ww -z -man -t "$page" 2>&1)
	if [ -n "$out" ] || ! grep -q '^\.SH NAME' "$page"; then
		echo "FAIL: $page:"
		echo "$out"
		fail=$((fail + 1))
	else
		pass=$((pass + 1))
	fi
done
echo "man: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
