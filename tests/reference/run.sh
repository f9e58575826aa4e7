#!/bin/sh
# The reference tests (tests/reference/README.md): mbr-normalize against
# third-party cases, then the phone differential test against Debian's
# python3-phonenumbers. MBR_BIN names the binaries' directory.
here=$(cd "$(dirname "$0")" && pwd)
status=0
python3 "$here/run.py" || status=1
# Debian's python3-phonenumbers is in the system Python, which may not be
# the python3 first on PATH.
py=python3
if [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import phonenumbers' 2>/dev/null; then
	py=/usr/bin/python3
fi
"$py" "$here/phone_diff.py" || status=1
exit $status
