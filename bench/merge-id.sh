#!/bin/sh
# mbr-merge-id benchmark: time and peak memory (GNU time -v) on clustered
# records, as mbr-dedupe writes them.
#
#   bench/merge-id.sh                 1,000,000 records
#   ROWS=100000 bench/merge-id.sh
#
# Builds if needed (make -s), writes bench/out/clustered-ROWS.csv once with
# bench/gen-clustered.py (bench/out/ is git-ignored), then times three runs:
#
#   first     no crosswalk yet: every cluster gets a new master ID
#             (--xref and --changes written)
#   rerun     the same input over that crosswalk: the nightly case, every
#             ID kept (its golden output must equal the first run's)
#   lineage   the rerun again with --lineage (one row per golden value)
#
# and prints wall-clock and CPU (user + system) seconds, records/s (wall)
# and peak resident memory (MB).
set -eu

cd "$(dirname "$0")/.."
rows=${ROWS:-1000000}
file=bench/out/clustered-$rows.csv
work=bench/out/merge-id
bin=bin/mbr-merge-id

if ! make -s "$bin"; then
	echo "merge-id.sh: make failed" >&2
	[ -x "$bin" ] || exit 1
	echo "merge-id.sh: timing the $bin built before" >&2
fi
mkdir -p bench/out "$work"
if [ ! -s "$file" ]; then
	echo "merge-id.sh: writing $rows records to $file" >&2
	python3 bench/gen-clustered.py "$rows" "$file.tmp"
	mv "$file.tmp" "$file"
fi
rm -f "$work/xref.csv"

# timed NAME ARGS...: run mbr-merge-id under GNU time, print one line.
timed() {
	name=$1
	shift
	rc=0
	/usr/bin/time -v "$bin" "$@" "$file" >"$work/golden-$name.csv" \
		2>"$work/$name.err" || rc=$?
	if [ "$rc" -gt 1 ]; then
		echo "merge-id.sh: $name: mbr-merge-id failed (exit $rc):" >&2
		cat "$work/$name.err" >&2
		exit 1
	fi
	awk -v name="$name" -v n="$rows" '
	/Elapsed \(wall clock\)/ {
		k = split($NF, t, ":")
		s = t[k] + (k > 1 ? 60 * t[k - 1] : 0) + (k > 2 ? 3600 * t[k - 2] : 0)
	}
	/User time \(seconds\)|System time \(seconds\)/ { cpu += $NF }
	/Maximum resident set size/ { mb = $NF / 1024 }
	END {
		printf "%-8s %8.2f %8.2f %10.0f %8.0f\n", name, s, cpu,
		    n / (s > 0 ? s : 0.01), mb
	}' "$work/$name.err"
}

echo "input: $file, $rows records, $(stat -c %s "$file") bytes"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //') ($(nproc) cores)"
printf "%-8s %8s %8s %10s %8s\n" run seconds "cpu s" records/s "peak MB"
timed first --xref "$work/xref.csv" --changes "$work/changes.csv"
timed rerun --xref "$work/xref.csv"
timed lineage --xref "$work/xref.csv" --lineage "$work/lineage.csv"
if ! cmp -s "$work/golden-first.csv" "$work/golden-rerun.csv"; then
	echo "merge-id.sh: the rerun changed the golden records" >&2
	exit 1
fi
echo "rerun over the crosswalk: golden records identical"
for name in first rerun lineage; do
	grep '^mbr-merge-id:' "$work/$name.err"
done
