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
TIMEFORMAT="%R %U %S"

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

# best CMD...: "wall cpu" seconds of the fastest (by wall clock) of $runs
# runs of CMD; cpu is user + system time, steadier on a busy machine.
best() {
	local t b=""

	for _ in $(seq "$runs"); do
		t=$( { time "$@" >/dev/null 2>/dev/null; } 2>&1 ) || true
		b=$(awk -v t="$t" -v b="$b" 'BEGIN {
			split(t, x, " ")
			split(b, y, " ")
			if (b == "" || x[1] < y[1])
				printf "%s %.3f\n", x[1], x[2] + x[3]
			else
				print b
		}')
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
echo "wall: seconds, best run; cpu: user + system seconds of that run;"
echo "us/rec: CPU microseconds per record on top of --fields none"
# line NAME "WALL CPU": one row of the table; the cost per record is
# taken from CPU time against --fields none's.
line() {
	awk -v name="$1" -v t="$2" -v b="$bytes" -v n="$rows" -v t0="$t_none" '
	BEGIN {
		split(t, x, " ")
		split(t0, z, " ")
		w = x[1] > 0 ? x[1] : 0.001
		printf "%-28s %7.2f %7.2f %7.1f %10.0f", name, x[1], x[2],
		       b / 1e6 / w, n / w
		if (name !~ /none/)
			printf " %+8.2f", (x[2] - z[2]) * 1e6 / n
		printf "\n"
	}'
}
printf "%-28s %7s %7s %7s %10s %8s\n" "" wall cpu MB/s records/s "us/rec"
line "--fields none" "$t_none"
line "all fields" "$t_all"
awk -v a="$t_all" -v z="$t_none" 'BEGIN {
	split(a, x, " ")
	split(z, y, " ")
	if (y[1] > 0)
		printf "all fields take %.2fx the wall time of --fields none " \
		       "(%.2fx the CPU time)\n", x[1] / y[1], x[2] / y[2]
}'
[ "$by_field" = 1 ] || exit 0

# Each group of fields alone: what it adds to the floor (us/rec, CPU).
while read -r label fields; do
	line "  $label" "$(best bin/mbr-normalize --fields "$fields" "$file")"
done <<'EOF'
names name,family_name,given_name
address country,province,city,district,address,postal_code
phones mobile,phone
email email
id,birth,gender id_number,birth_date,gender
timestamps registered_at,last_active_at
values tier,points,consent_marketing,status
EOF
