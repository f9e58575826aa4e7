#!/bin/sh
# Build every fuzz target tests/fuzz/fuzz_*.c with libFuzzer, ASan and UBSan
# and run each for SECONDS (default 60) on its corpus. Seeds come from
# tests/fuzz/corpus/<target>/ and are copied into build/fuzz/corpus-<target>/
# (which keeps what earlier runs found), so the repository is not touched.
# A crash, leak or timeout fails the target; libFuzzer writes the input
# that did it to build/fuzz/crash-<target>-*, and the path is printed.
# The closing line is "fuzz: N passed, M failed"; the exit status is 1
# when any target failed (or did not build).
#
#   sh tests/fuzz/run.sh 60            every target, 60 s each
#   sh tests/fuzz/run.sh 300 csvio     one target
#   FUZZ_JOBS=4 sh tests/fuzz/run.sh   build with 4 compilers
set -u
seconds=${1:-60}
[ $# -gt 0 ] && shift
only="$*"
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
out=build/fuzz
CC=${FUZZ_CC:-clang}
PKGS="sqlite3 libpcre2-8 libutf8proc opencc libcrypto"
# What the Makefile passes with -D, as a header: no quotes inside FLAGS.
defs=$out/defs.h
# shellcheck disable=SC2086 # PKGS is a list
FLAGS="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Ilib -include $defs $(pkg-config --cflags $PKGS)"
# shellcheck disable=SC2086
LIBS="$(pkg-config --libs $PKGS) -lcsv -lm -lstdc++"
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}

if ! command -v "$CC" >/dev/null 2>&1; then
	echo "fuzz: $CC not found (apt-get install clang libclang-rt-14-dev)" >&2
	echo "fuzz: 0 passed, 1 failed"
	exit 1
fi
mkdir -p "$out/obj"
printf '#define MBR_VERSION "fuzz"\n#define MBR_DATADIR "/usr/local/share/mbr"\n' \
	>"$defs.tmp"
# Rewrite it only when it changed, so that objects stay up to date.
if cmp -s "$defs.tmp" "$defs"; then rm -f "$defs.tmp"; else mv "$defs.tmp" "$defs"; fi

# The library, compiled once for every target. A file that does not
# compile is left out with a warning: the targets that need it then fail
# to link, the others still run.
build_lib() {
	# shellcheck disable=SC2016 # expanded by the inner sh
	find lib -name '*.c' | sort | while read -r src; do
		obj="$out/obj/$(echo "$src" | tr / _ | sed 's/\.c$/.o/')"
		printf '%s %s\n' "$src" "$obj"
	done | xargs -P "$jobs" -n 2 sh -c '
		src=$1 obj=$2
		if [ "$obj" -nt "$src" ] && [ "$obj" -nt "$out/defs.h" ] &&
			[ -z "$(find lib -name "*.h" -newer "$obj")" ]; then
			exit 0
		fi
		# shellcheck disable=SC2086
		$CC $FLAGS -c -o "$obj.tmp" "$src" 2>"$obj.log" &&
			mv "$obj.tmp" "$obj" && exit 0
		rm -f "$obj" "$obj.tmp"
		echo "fuzz: warning: $src does not compile, left out:" >&2
		head -5 "$obj.log" >&2
	' sh
	rm -f "$out/libmbr-fuzz.a"
	# Objects of sources that no longer exist stay out of the archive.
	for src in $(find lib -name '*.c' | sort); do
		obj="$out/obj/$(echo "$src" | tr / _ | sed 's/\.c$/.o/')"
		[ -f "$obj" ] && echo "$obj"
	done | xargs ar rcs "$out/libmbr-fuzz.a"
}
export CC FLAGS out
build_lib

pass=0
fail=0
failed=""
for src in tests/fuzz/fuzz_*.c; do
	target=$(basename "$src" .c)
	name=${target#fuzz_}
	if [ -n "$only" ] && ! echo " $only " | grep -q " $name "; then
		continue
	fi
	bin="$out/$target"
	log="$out/$target.log"
	# shellcheck disable=SC2086
	if ! $CC $FLAGS -o "$bin" "$src" "$out/libmbr-fuzz.a" $LIBS \
		>"$out/$target.build.log" 2>&1; then
		echo "fuzz: $target does not build:"
		head -20 "$out/$target.build.log"
		fail=$((fail + 1))
		failed="$failed $target"
		continue
	fi
	corpus="$out/corpus-$name"
	mkdir -p "$corpus"
	if [ -d "tests/fuzz/corpus/$name" ]; then
		cp tests/fuzz/corpus/"$name"/* "$corpus"/ 2>/dev/null
	fi
	rm -f "$out/crash-$name-"* "$out/leak-$name-"* "$out/timeout-$name-"*
	"$bin" "$corpus" -max_len=65536 -timeout=10 \
		-max_total_time="$seconds" -print_final_stats=1 \
		-artifact_prefix="$out/crash-$name-" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
	if [ $rc -eq 0 ]; then
		pass=$((pass + 1))
		echo "fuzz: $target ok: ${runs:-?} runs, ${rate:-?} exec/s, ${cov:-cov: ?}, $(find "$corpus" -type f | wc -l) inputs in $corpus"
	else
		fail=$((fail + 1))
		failed="$failed $target"
		echo "fuzz: $target FAILED (exit $rc), log $log:"
		grep -E 'ERROR|SUMMARY|fuzz_[a-z]+:|==[0-9]+==|#[0-9] ' "$log" | head -30
		for f in "$out/crash-$name-"*; do
			[ -f "$f" ] && echo "fuzz: input that failed: $f"
		done
	fi
done
[ -n "$failed" ] && echo "fuzz: failed:$failed"
echo "fuzz: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
