#!/bin/sh
# Install the Debian packages named as arguments that are not installed yet:
# as root directly, else with sudo, else print the exact command and fail.
missing=""
for p in "$@"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0
echo "mbr: installing missing packages:$missing" >&2
if [ "$(id -u)" = 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
	SUDO="sudo"
else
	echo "mbr: please run as root: apt-get install -y$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null || exit 1
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq $missing >/dev/null || {
	echo "mbr: failed: apt-get install -y$missing" >&2
	exit 1
}
