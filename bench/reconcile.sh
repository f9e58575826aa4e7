#!/bin/sh
# mbr-reconcile benchmark: time and peak memory (GNU time -v) of the
# staging masters against a faithful target export of them.
#
#   bench/reconcile.sh                1,000,000 members
#   ROWS=100000 bench/reconcile.sh
#
# Builds if needed (make -s). bench/gen-canonical.py writes
# bench/out/canonical-ROWS.csv once; each record becomes one golden master
# (master ID M0000000001...) of a new staging database: normalised by
# mbr-normalize, as masters are, and loaded with sqlite3. mbr-export writes the masters through
# tests/cli/reconcile/target.map as the target's export, and mbr-reconcile
# reads it back through tests/cli/reconcile/target-export.map, twice:
#
#   default   the default sort budget (RAM/8, at most 1 GiB)
#   64M, 16M  --memory 64M, 16M: the target's records sorted in runs on disk
#
# and prints wall-clock and CPU seconds, members/s (wall), peak resident
# memory (MB) and the sort runs written. Both must reconcile (exit 0).
set -eu

cd "$(dirname "$0")/.."
rows=${ROWS:-1000000}
file=bench/out/canonical-$rows.csv
work=bench/out/reconcile
bin=bin/mbr-reconcile

make -s all
mkdir -p bench/out "$work"
if [ ! -s "$file" ]; then
	echo "reconcile.sh: writing $rows records to $file" >&2
	python3 bench/gen-canonical.py "$rows" >"$file.tmp"
	mv "$file.tmp" "$file"
fi
rm -f "$work"/stage.db*
bin/mbr-normalize -q -o "$work/normal.csv" "$file" || [ $? -eq 1 ]
bin/mbr-normalize -q --db "$work/stage.db" # the schema, no records
cols="name, family_name, given_name, gender, birth_date, mobile, phone,
	email, id_type, id_number, country, province, city, district, address,
	postal_code, tier, points, registered_at, last_active_at, store,
	channel, consent_marketing, status"
sqlite3 "$work/stage.db" <<SQL
.mode csv
.import $work/normal.csv canon
INSERT INTO masters (master_id, source, source_id, source_row, $cols,
	member_count, sources)
SELECT printf('M%010d', rowid), 'master', printf('M%010d', rowid), '',
	$cols, 1, source FROM canon ORDER BY rowid;
DROP TABLE canon;
SQL
bin/mbr-export -q --db "$work/stage.db" --from masters \
	--map tests/cli/reconcile/target.map -o "$work/target.csv"

# timed NAME ARGS...: run mbr-reconcile under GNU time, print one line.
timed() {
	name=$1
	shift
	rc=0
	/usr/bin/time -v "$bin" --db "$work/stage.db" \
		--map tests/cli/reconcile/target-export.map \
		--target "$work/target.csv" --tmpdir "$work" "$@" \
		>"$work/$name.out" 2>"$work/$name.err" || rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "reconcile.sh: $name: mbr-reconcile exit $rc:" >&2
		tail -3 "$work/$name.err" >&2
		exit 1
	fi
	runs=$(sed -n 's/.* \([0-9]*\) sort runs on disk.*/\1/p' "$work/$name.err")
	awk -v name="$name" -v n="$rows" -v runs="${runs:-0}" '
	/Elapsed \(wall clock\)/ {
		k = split($NF, t, ":")
		s = t[k] + (k > 1 ? 60 * t[k - 1] : 0) + (k > 2 ? 3600 * t[k - 2] : 0)
	}
	/User time \(seconds\)|System time \(seconds\)/ { cpu += $NF }
	/Maximum resident set size/ { mb = $NF / 1024 }
	END {
		printf "%-8s %8.2f %8.2f %10.0f %8.0f %6d\n", name, s, cpu,
		    n / s, mb, runs
	}' "$work/$name.err"
}

echo "mbr-reconcile, $rows members"
printf '%-8s %8s %8s %10s %8s %6s\n' run wall_s cpu_s members/s peak_MB runs
timed default
timed 64M --memory 64M
timed 16M --memory 16M
