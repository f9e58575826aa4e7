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
# and prints wall-clock and CPU (user + system) seconds, records/s (wall),
# peak resident memory (MB) and the peak disk the run took on $TMPDIR's
# file system (its sort runs, and its outputs when they are there too:
# df sampled every 0.1 s, so other writers on that disk count too).
#
#   MEMORY=64M bench/merge-id.sh      pass --memory 64M
#   FILE=clustered.csv bench/merge-id.sh
#       another clustered file (bench/scale.sh's, say) instead
#   LINEAGE=0 bench/merge-id.sh       no lineage run (its file is four
#       times the input)
#   BASE=/path/mbr-merge-id bench/merge-id.sh
#       each run with BASE (an older build) first, then bin/mbr-merge-id,
#       in the same minute; their outputs must be the same byte for byte
#       (rejects aside: their order may differ), and a last line gives
#       the ratios new / base
set -eu

cd "$(dirname "$0")/.."
rows=${ROWS:-1000000}
file=${FILE:-bench/out/clustered-$rows.csv}
[ -z "${FILE:-}" ] || rows=$(($(wc -l <"$file") - 1))
work=bench/out/merge-id
bin=bin/mbr-merge-id
base=${BASE:-}
mem=${MEMORY:+--memory $MEMORY}
tmpfs=${TMPDIR:-/tmp}

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
rm -f "$work/xref.csv" "$work"/*.err

# disk_used: MB used on $TMPDIR's file system.
disk_used() {
	df -P -m "$tmpfs" | awk 'NR == 2 { print $3 }'
}

# timed NAME BIN ARGS...: run BIN under GNU time, print one line.
timed() {
	name=$1
	prog=$2
	shift 2
	rc=0
	before=$(disk_used)
	# shellcheck disable=SC2086
	/usr/bin/time -v "$prog" $mem "$@" "$file" >"$work/golden-$name.csv" \
		2>"$work/$name.err" &
	pid=$!
	peak=$before
	while kill -0 "$pid" 2>/dev/null; do
		now=$(disk_used)
		[ "$now" -gt "$peak" ] && peak=$now
		sleep 0.1
	done
	wait "$pid" || rc=$?
	if [ "$rc" -gt 1 ]; then
		echo "merge-id.sh: $name: $prog failed (exit $rc):" >&2
		cat "$work/$name.err" >&2
		exit 1
	fi
	awk -v name="$name" -v n="$rows" -v disk=$((peak - before)) '
	/Elapsed \(wall clock\)/ {
		k = split($NF, t, ":")
		s = t[k] + (k > 1 ? 60 * t[k - 1] : 0) + (k > 2 ? 3600 * t[k - 2] : 0)
	}
	/User time \(seconds\)|System time \(seconds\)/ { cpu += $NF }
	/Maximum resident set size/ { mb = $NF / 1024 }
	END {
		printf "%-14s %8.2f %8.2f %10.0f %8.0f %8d\n", name, s, cpu,
		    n / (s > 0 ? s : 0.01), mb, disk
	}' "$work/$name.err" | tee -a "$work/table"
}

# runs SUFFIX BIN: the three runs with one binary.
runs() {
	rm -f "$work/xref$1.csv"
	timed "first$1" "$2" --xref "$work/xref$1.csv" \
		--changes "$work/changes$1.csv"
	timed "rerun$1" "$2" --xref "$work/xref$1.csv"
	[ "${LINEAGE:-1}" = 0 ] ||
		timed "lineage$1" "$2" --xref "$work/xref$1.csv" \
			--lineage "$work/lineage$1.csv"
	if ! cmp -s "$work/golden-first$1.csv" "$work/golden-rerun$1.csv"; then
		echo "merge-id.sh: the rerun changed the golden records" >&2
		exit 1
	fi
}

echo "input: $file, $rows records, $(stat -c %s "$file") bytes${MEMORY:+, --memory $MEMORY}"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //') ($(nproc) cores)"
printf "%-14s %8s %8s %10s %8s %8s\n" run seconds "cpu s" records/s "peak MB" "disk MB"
: >"$work/table"
[ -z "$base" ] || runs -base "$base"
runs "" "$bin"
echo "rerun over the crosswalk: golden records identical"
if [ -n "$base" ]; then
	for f in first rerun; do
		cmp "$work/golden-$f-base.csv" "$work/golden-$f.csv"
	done
	cmp "$work/xref-base.csv" "$work/xref.csv"
	cmp "$work/changes-base.csv" "$work/changes.csv"
	if [ "${LINEAGE:-1}" != 0 ]; then
		cmp "$work/golden-lineage-base.csv" "$work/golden-lineage.csv"
		cmp "$work/lineage-base.csv" "$work/lineage.csv"
	fi
	echo "base and new: golden, crosswalk, changes and lineage identical"
	awk '{ v[$1] = $0; t[$1] = $2; c[$1] = $3; m[$1] = $5 }
	END {
		n = split("first rerun lineage", r, " ")
		for (i = 1; i <= n; i++) {
			b = r[i] "-base"
			if (b in t)
				printf "%-14s wall x%.2f  cpu x%.2f  peak x%.2f\n",
				    r[i] " new/base", t[r[i]] / t[b],
				    c[r[i]] / c[b], m[r[i]] / m[b]
		}
	}' "$work/table"
fi
for name in first rerun lineage; do
	[ ! -s "$work/$name.err" ] || grep '^mbr-merge-id:' "$work/$name.err"
done
