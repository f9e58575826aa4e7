#!/bin/sh
# Build mbr_VERSION_ARCH.deb with dpkg-deb from `make install` into a
# staging root: binaries, data, example mappings, sample data, man pages
# (gzipped), docs, bash and zsh completion. Depends is computed from the
# binaries with dpkg-shlibdeps.
#
#   sh scripts/deb.sh VERSION OUTDIR     (run by `make deb`)
set -eu
version=$1
out=$2
arch=$(dpkg --print-architecture)
root=$out/root
rm -rf "$root"
mkdir -p "$root/DEBIAN" "$out/debian"
make --no-print-directory -s install DESTDIR="$(cd "$out" && pwd)/root" PREFIX=/usr >/dev/null
gzip -9n "$root"/usr/share/man/man*/*
# dpkg-shlibdeps wants a debian/control to sit beside it.
printf 'Source: mbr\n\nPackage: mbr\nArchitecture: any\n' >"$out/debian/control"
depends=$(cd "$out" && dpkg-shlibdeps -O root/usr/bin/* 2>/dev/null |
	sed -n 's/^shlibs:Depends=//p')
[ -n "$depends" ] || { echo "deb: dpkg-shlibdeps found no dependencies" >&2; exit 1; }
size=$(du -sk "$root/usr" | cut -f1)
cat >"$root/DEBIAN/control" <<CONTROL
Package: mbr
Version: $version
Architecture: $arch
Maintainer: mbr developers <mbr@localhost>
Installed-Size: $size
Depends: $depends
Section: utils
Priority: optional
Homepage: https://example.invalid/mbr
Description: member data migration and cleansing toolkit
 Command-line tools that import loyalty-member exports in any encoding
 (GB18030, UTF-16, Big5, UTF-8) through mapping files, normalise and
 validate them, find duplicates, build golden master records with a
 stable crosswalk, and export them to a target system.
CONTROL
deb="$out/mbr_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "deb: $deb ($(wc -c <"$deb") bytes; Depends: $depends)"
