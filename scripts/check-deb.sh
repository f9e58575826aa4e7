#!/bin/sh
# The Debian package, installed into a scratch root with dpkg --root (an
# empty dpkg database there; its Depends are checked against this
# machine's packages instead): its control fields, its files, mbr-import
# --help, mappings found by bare name in /usr/share/mbr/mappings, and the
# sample pipeline run from the installed /usr/share/mbr/.
#
#   sh scripts/check-deb.sh OUTDIR      (run by `make check-deb`)
# The closing line is "deb: N passed, M failed".
out=$1
pass=0
fail=0
# check "what" COMMAND...: counts COMMAND's success.
check() {
	what=$1
	shift
	if "$@"; then pass=$((pass + 1)); else
		echo "FAIL: deb: $what"
		fail=$((fail + 1))
	fi
}
deb=
for f in "$out"/mbr_*.deb; do [ -f "$f" ] && deb=$f; done
if [ -z "$deb" ]; then
	echo "FAIL: deb: no package in $out"
	echo "deb: 0 passed, 1 failed"
	exit 1
fi
root=$(mktemp -d)
work=$(mktemp -d)
trap 'rm -rf "$root" "$work"' EXIT
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates"
: >"$root/var/lib/dpkg/status"
: >"$root/var/lib/dpkg/available"
check "dpkg --root -i" dpkg --root="$root" --force-depends --force-not-root \
	--force-script-chrootless --log=/dev/null -i "$deb" >"$work/dpkg" 2>&1
dpkg --root="$root" -s mbr 2>/dev/null | grep -q '^Status: install ok installed' ||
	cat "$work/dpkg"
check "dpkg --root -s: installed" grep -q 'Setting up mbr' "$work/dpkg"
dpkg-deb -f "$deb" Depends >"$work/depends"
check "Depends names libsqlite3-0" grep -q 'libsqlite3-0' "$work/depends"
# Every package Depends names is a real one: this machine has it.
for p in $(tr ',' '\n' <"$work/depends" | sed 's/(.*//; s/ //g'); do
	check "Depends: $p is installed here" dpkg -s "$p" >/dev/null 2>&1
done
for f in usr/bin/mbr usr/bin/mbr-import usr/share/man/man1/mbr-import.1.gz \
	usr/share/man/man5/mbr-mapping.5.gz usr/share/mbr/mappings/pos.map \
	usr/share/mbr/data/field-names.tsv usr/share/doc/mbr/fields.md \
	usr/share/bash-completion/completions/mbr \
	usr/share/zsh/vendor-completions/_mbr; do
	check "/$f is in the package" test -e "$root/$f"
done
# Only the installed files: no source tree data through the environment.
unset MBR_DATADIR MBR_MAPPINGS
"$root/usr/bin/mbr-import" --help >"$work/help"
check "mbr-import --help from the package" grep -q '^usage: mbr-import' "$work/help"
check "mbr import --help" "$root/usr/bin/mbr" import --help >/dev/null
(
	cd "$root/usr/share/mbr" || exit 9
	PATH="$root/usr/bin:$PATH"
	mbr import -q --rejects "$work/rejects.csv" \
		--map pos.map sample-data/pos_legacy.csv \
		--map webshop.map sample-data/webshop.csv \
		--map crm.map sample-data/crm.tsv |
		mbr normalize -q |
		mbr validate -q --rules rules.ini --rejects "$work/vrej.csv" |
		mbr dedupe -q | mbr merge-id -q --xref "$work/xref.csv" >"$work/masters.csv"
) 2>"$work/err"
n=$(wc -l <"$work/masters.csv")
check "sample pipeline from /usr/share/mbr ($n lines of masters)" \
	test "$n" -gt 100 -a -s "$work/xref.csv"
[ "$fail" -eq 0 ] || cat "$work/err"
zcat "$root/usr/share/man/man1/mbr-import.1.gz" |
	groff -k -T utf8 -ww -z -man -t >"$work/groff" 2>&1
check "installed mbr-import.1.gz renders without warnings" test ! -s "$work/groff"
echo "deb: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
