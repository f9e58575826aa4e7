#!/bin/bash
# Normalize benchmark: records per second of mbr-normalize with every field,
# next to mbr-normalize --fields none (our CSV reader and writer, no field
# touched: the floor) over the same file in the same run, and the cost of
# each group of fields on its own.
#
#   bench/normalize.sh             1,000,000 records, best of 3 runs each
#   ROWS=100000 RUNS=5 bench/normalize.sh
#   BY_FIELD=0 bench/normalize.sh  skip the per-group timings
#
# Builds if needed (make -s). Writes, once, bench/out/canonical-ROWS.csv
# with bench/gen-canonical.py: canonical columns as mbr-import leaves them,
# a third of the values still in source shapes, about 3% bad. The file is
# read from the page cache: this measures CPU, not the disk.
set -eu

cd "$(dirname "$0")/.."
rows=${ROWS:-1000000}
runs=${RUNS:-3}
by_field=${BY_FIELD:-1}
file=bench/out/canonical-$rows.csv
TIMEFORMAT=%R

if ! make -s bin/mbr-normalize; then
	echo "normalize.sh: make failed" >&2
	[ -x bin/mbr-normalize ] || exit 1
	echo "normalize.sh: timing the bin/mbr-normalize built before" >&2
fi
mkdir -p bench/out
if [ ! -s "$file" ]; then
	echo "normalize.sh: writing $rows records to $file" >&2
	python3 bench/gen-canonical.py "$rows" >"$file.tmp"
	mv "$file.tmp" "$file"
fi

# One untimed run: it warms the page cache and must finish (exit 0 or 1);
# its summary line is shown below.
rc=0
bin/mbr-normalize "$file" 2>bench/out/normalize.err >/dev/null || rc=$?
if [ "$rc" -gt 1 ]; then
	echo "normalize.sh: mbr-normalize failed (exit $rc):" >&2
	cat bench/out/normalize.err >&2
	exit 1
fi

# best CMD...: the lowest wall-clock seconds of $runs runs of CMD.
best() {
	local t b=""

	for _ in $(seq "$runs"); do
		t=$( { time "$@" >/dev/null 2>/dev/null; } 2>&1 ) || true
		b=$(awk -v t="$t" -v b="$b" 'BEGIN { print (b == "" || t < b) ? t : b }')
	done
	echo "$b"
}

# Peak memory (KB) of one run, when /usr/bin/time is there.
peak() {
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -n 1
	else
		echo "?"
	fi
}

t_none=$(best bin/mbr-normalize --fields none "$file")
t_all=$(best bin/mbr-normalize "$file")
m_all=$(peak bin/mbr-normalize "$file")
bytes=$(stat -c %s "$file")

echo "input: $file, $rows records, $bytes bytes; best of $runs runs"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //') ($(nproc) cores)"
echo "mbr-normalize said: $(tail -n 1 bench/out/normalize.err)"
echo "peak memory, all fields: $m_all KB"
line() {
	awk -v name="$1" -v t="$2" -v b="$bytes" -v n="$rows" -v t0="$t_none" '
	BEGIN {
		if (t <= 0)
			t = 0.001
		printf "%-40s %8.2f %8.1f %10.0f", name, t, b / 1e6 / t, n / t
		if (t0 > 0 && name !~ /none/)
			printf "   +%.2f us/record", (t - t0) * 1e6 / n
		printf "\n"
	}'
}
printf "%-40s %8s %8s %10s\n" "" seconds MB/s records/s
line "mbr-normalize --fields none" "$t_none"
line "mbr-normalize (all fields)" "$t_all"
awk -v a="$t_all" -v z="$t_none" 'BEGIN {
	if (z > 0)
		printf "all fields take %.2fx the time of --fields none\n", a / z
}'
[ "$by_field" = 1 ] || exit 0

# Each group alone: what it adds to the floor.
for g in name,family_name,given_name \
	 country,province,city,district,address,postal_code \
	 mobile,phone email id_number,birth_date,gender \
	 registered_at,last_active_at tier,points,consent_marketing,status; do
	line "  --fields $g" "$(best bin/mbr-normalize --fields "$g" "$file")"
done
