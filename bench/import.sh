#!/bin/bash
# Import benchmark: mbr-import on a GB18030 POS export, against plain iconv
# decoding the same file (the floor: every byte must be decoded anyway).
#
#   bench/import.sh              1,000,000 rows, best of 3 runs each
#   ROWS=100000 RUNS=5 bench/import.sh
#
# Builds if needed (make -s), writes bench/out/pos-ROWS.csv once with
# bench/gen-pos.py (bench/out/ is git-ignored), then times both commands in
# the same run and prints MB/s, rows/s and the ratio.
set -eu

cd "$(dirname "$0")/.."
rows=${ROWS:-1000000}
runs=${RUNS:-3}
file=bench/out/pos-$rows.csv
map=mappings/pos.map
TIMEFORMAT=%R

if ! make -s; then
	echo "import.sh: make failed" >&2
	[ -x bin/mbr-import ] || exit 1
	echo "import.sh: timing the bin/mbr-import built before" >&2
fi
if [ ! -x bin/mbr-import ]; then
	echo "import.sh: bin/mbr-import is not built yet" >&2
	exit 1
fi
mkdir -p bench/out
if [ ! -s "$file" ]; then
	echo "import.sh: writing $rows rows to $file" >&2
	python3 bench/gen-pos.py "$rows" "$file.tmp"
	mv "$file.tmp" "$file"
fi

# One untimed run: it warms the page cache and must finish (exit 0 or 1).
rc=0
bin/mbr-import --map "$map" "$file" 2>bench/out/import.err >/dev/null || rc=$?
if [ "$rc" -gt 1 ]; then
	echo "import.sh: mbr-import failed (exit $rc):" >&2
	cat bench/out/import.err >&2
	exit 1
fi
iconv -f GB18030 -t UTF-8 "$file" >/dev/null

# best CMD...: the lowest wall-clock seconds of $runs runs of CMD.
best() {
	local t b=""

	for _ in $(seq "$runs"); do
		t=$( { time "$@" >/dev/null 2>/dev/null; } 2>&1 ) || true
		b=$(awk -v t="$t" -v b="$b" 'BEGIN { print (b == "" || t < b) ? t : b }')
	done
	echo "$b"
}

t_iconv=$(best iconv -f GB18030 -t UTF-8 "$file")
t_import=$(best bin/mbr-import --map "$map" "$file")
bytes=$(stat -c %s "$file")

echo "input: $file, $rows rows, $bytes bytes; best of $runs runs"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //') ($(nproc) cores)"
echo "mbr-import said: $(tail -n 1 bench/out/import.err)"
awk -v b="$bytes" -v n="$rows" -v ti="$t_iconv" -v tm="$t_import" 'BEGIN {
	if (ti <= 0) ti = 0.001
	if (tm <= 0) tm = 0.001
	printf "%-11s %8s %8s %10s\n", "", "seconds", "MB/s", "rows/s"
	printf "%-11s %8.2f %8.1f %10.0f\n", "iconv", ti, b / 1e6 / ti, n / ti
	printf "%-11s %8.2f %8.1f %10.0f\n", "mbr-import", tm, b / 1e6 / tm,
	       n / tm
	printf "mbr-import takes %.1fx the time of iconv\n", tm / ti
}'
