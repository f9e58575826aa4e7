#!/bin/sh
# The Debian package, installed into a scratch root (dpkg-deb -x, as
# `dpkg --root` would unpack it): its control fields, its files, mbr-import
# --help, a mapping found by bare name in /usr/share/mbr/mappings, and the
# sample pipeline run from the installed /usr/share/mbr/.
#
#   sh scripts/check-deb.sh OUTDIR      (run by `make check-deb`)
# The closing line is "deb: N passed, M failed".
out=$1
deb=$(ls "$out"/mbr_*.deb 2>/dev/null | head -1)
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: deb: $*"; fail=$((fail + 1)); }
[ -f "$deb" ] || { bad "no package in $out"; echo "deb: 0 passed, 1 failed"; exit 1; }
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
dpkg-deb -x "$deb" "$root" && ok || bad "dpkg-deb -x failed"
dpkg-deb -f "$deb" Depends | grep -q 'libsqlite3-0' && ok || bad "Depends lacks libsqlite3-0"
for f in usr/bin/mbr usr/bin/mbr-import usr/share/man/man1/mbr-import.1.gz \
	usr/share/man/man5/mbr-mapping.5.gz usr/share/mbr/mappings/pos.map \
	usr/share/mbr/data/field-names.tsv usr/share/doc/mbr/fields.md \
	usr/share/bash-completion/completions/mbr usr/share/zsh/vendor-completions/_mbr; do
	[ -e "$root/$f" ] && ok || bad "missing /$f"
done
# Only the installed files: no source tree data through MBR_DATADIR.
unset MBR_DATADIR MBR_MAPPINGS
"$root/usr/bin/mbr-import" --help | grep -q '^usage: mbr-import' && ok ||
	bad "mbr-import --help from the package"
"$root/usr/bin/mbr" import --help >/dev/null && ok || bad "mbr import --help"
share="$root/usr/share/mbr"
work=$(mktemp -d)
trap 'rm -rf "$root" "$work"' EXIT
(
	cd "$share" || exit 9
	PATH="$root/usr/bin:$PATH"
	mbr import -q --rejects "$work/rejects.csv" \
		--map pos.map sample-data/pos_legacy.csv \
		--map webshop.map sample-data/webshop.csv \
		--map crm.map sample-data/crm.tsv |
		mbr normalize -q | mbr validate -q --rules rules.ini --rejects "$work/vrej.csv" |
		mbr dedupe -q | mbr merge-id -q --xref "$work/xref.csv" >"$work/masters.csv"
) 2>"$work/err"
n=$(wc -l <"$work/masters.csv" 2>/dev/null || echo 0)
if [ "$n" -gt 100 ] && [ -s "$work/xref.csv" ]; then ok; else
	bad "sample pipeline from /usr/share/mbr: $n lines of masters"
	cat "$work/err"
fi
man_out=$(groff -k -T utf8 -ww -z -man -t "$root/usr/share/man/man1/mbr-import.1.gz" 2>&1)
zcat "$root/usr/share/man/man1/mbr-import.1.gz" | groff -k -T utf8 -ww -z -man -t 2>&1 | grep -q . &&
	bad "installed mbr-import.1.gz has warnings" || ok
: "$man_out"
echo "deb: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
