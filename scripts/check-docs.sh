#!/bin/sh
# Every document a message or usage text names (docs/NAME.md, man pages
# as "man mbr-NAME") must ship: exists in docs/ (or man/). Prints what is
# missing; exit 1 when anything is.
cd "$(dirname "$0")/.." || exit 2
status=0
missing=$(grep -ho 'docs/[A-Za-z0-9_-]*\.md' lib/*.c lib/*/*.c cmd/*.c | sort -u |
	while read -r d; do [ -f "$d" ] || echo "$d"; done)
if [ -n "$missing" ]; then
	echo "check-docs: named in the code but not shipped: $missing" >&2
	status=1
fi
if grep -n 'DESIGN\.md\|\.\./shared' lib/*.c lib/*/*.c cmd/*.c | grep '"' >&2; then
	echo "check-docs: a message names a document outside the repository" >&2
	status=1
fi
[ $status -eq 0 ] && echo "check-docs: every document named ships"
exit $status
