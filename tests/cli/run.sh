#!/bin/sh
# End-to-end tests: every directory tests/cli/TOOL/CASE/ with a `cmd` file
# runs that command line (sh, binaries of $MBR_BIN first on PATH) in a
# scratch copy of the directory, with LC_ALL=C TZ=UTC MBR_TODAY=2026-01-15,
# and compares standard output, standard error (elapsed times masked as
# X.XX s) and the exit code with expected.out, expected.err, expected.rc.
# UPDATE=1 rewrites the expected files instead (review them in the diff).
# An argument limits the run to cases whose TOOL/CASE name starts with it.
# A case may hold `check`: a script run after cmd in the scratch directory
# that must exit 0 (for files the command wrote). MBR_SLOW (default 1)
# multiplies the few timeouts cases set: make asan sets it to 10.
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
bin=${MBR_BIN:-$top/bin}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
pass=0
fail=0
mask() {
	sed -E 's/[0-9]+\.[0-9]+ s$/X.XX s/'
}
for case in "$here"/*/*/; do
	[ -f "$case/cmd" ] || continue
	name=${case#"$here"/}
	name=${name%/}
	case $name in "${1:-}"*) ;; *) continue ;; esac
	work="$scratch/$name"
	mkdir -p "$work"
	cp -R "$case". "$work"
	(
		cd "$work" || exit 99
		PATH="$bin:$PATH" LC_ALL=C TZ=UTC MBR_TODAY=2026-01-15 \
		MBR_DATADIR="$top/data" TOP="$top" \
			sh ./cmd >actual.out 2>actual.err </dev/null
		echo $? >actual.rc
	)
	mask <"$work/actual.err" >"$work/actual.err.masked"
	if [ "${UPDATE:-0}" = 1 ]; then
		cp "$work/actual.out" "$case/expected.out"
		cp "$work/actual.err.masked" "$case/expected.err"
		cp "$work/actual.rc" "$case/expected.rc"
	fi
	ok=1
	for f in out err rc; do
		a="$work/actual.$f"
		[ "$f" = err ] && a="$work/actual.err.masked"
		if ! diff -u "$case/expected.$f" "$a" >"$work/diff.$f" 2>&1; then
			ok=0
			echo "--- $name: $f differs"
			head -40 "$work/diff.$f"
		fi
	done
	if [ $ok = 1 ] && [ -f "$case/check" ]; then
		if ! (cd "$work" && PATH="$bin:$PATH" TOP="$top" sh ./check) >"$work/check.log" 2>&1; then
			ok=0
			echo "--- $name: check failed"
			head -40 "$work/check.log"
		fi
	fi
	if [ $ok = 1 ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $name"
	fi
done
echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
