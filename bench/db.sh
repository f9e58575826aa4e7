#!/bin/sh
# The whole pipeline with --db next to the stream pipeline, tool by tool:
# the nightly cron job must not be slower by more than a small factor than
# the same work on files.
#
#   bench/db.sh                   100,000 and 1,000,000 POS rows
#   SIZES=100000 bench/db.sh
#
# For each size: bench/gen-pos.py writes bench/out/pos-N.csv once (a
# GB18030 export, mappings/pos.map). Stream mode runs each tool on the
# previous tool's output file; --db mode runs the same tools on a new
# staging database. Prints wall seconds per tool, the ratio db / stream
# (the target is at most 3), the database's size and peak memory.
set -eu

cd "$(dirname "$0")/.."
sizes=${SIZES:-100000 1000000}
work=bench/out/db
make -s all
mkdir -p "$work"

# secs FILE: wall seconds from GNU time -v output
secs() {
	awk '/Elapsed \(wall clock\)/ {
		k = split($NF, t, ":")
		printf "%.2f", t[k] + (k > 1 ? 60 * t[k - 1] : 0) + (k > 2 ? 3600 * t[k - 2] : 0)
	}' "$1"
}
peak() {
	awk '/Maximum resident set size/ { printf "%.0f", $NF / 1024 }' "$1"
}

# run TAG TOOL ARGS...: time one tool; exit 0 or 1 is success
run() {
	tag=$1
	shift
	rc=0
	/usr/bin/time -v "$@" >"$work/$tag.out" 2>"$work/$tag.err" || rc=$?
	if [ "$rc" -gt 1 ]; then
		echo "db.sh: $tag failed (exit $rc):" >&2
		tail -5 "$work/$tag.err" >&2
		exit 1
	fi
}

for n in $sizes; do
	src=bench/out/pos-$n.csv
	if [ ! -s "$src" ]; then
		echo "db.sh: writing $n rows to $src" >&2
		python3 bench/gen-pos.py "$n" "$src.tmp"
		mv "$src.tmp" "$src"
	fi
	s=$work/s
	db=$work/stage-$n.db
	rm -f "$db" "$db-wal" "$db-shm" "$s".*
	run s-import bin/mbr-import -q --rejects "$s.rj1" --map mappings/pos.map "$src"
	mv "$work/s-import.out" "$s.1"
	run s-normalize bin/mbr-normalize -q --rejects "$s.rj2" "$s.1"
	mv "$work/s-normalize.out" "$s.2"
	run s-validate bin/mbr-validate -q --rejects "$s.rj3" "$s.2"
	mv "$work/s-validate.out" "$s.3"
	run s-dedupe bin/mbr-dedupe -q --rejects "$s.rj4" "$s.3"
	mv "$work/s-dedupe.out" "$s.4"
	run s-merge-id bin/mbr-merge-id -q --rejects "$s.rj5" "$s.4"
	run d-import bin/mbr-import -q --db "$db" --map mappings/pos.map "$src"
	run d-normalize bin/mbr-normalize -q --db "$db"
	run d-validate bin/mbr-validate -q --db "$db"
	run d-dedupe bin/mbr-dedupe -q --db "$db"
	run d-merge-id bin/mbr-merge-id -q --db "$db"
	echo
	echo "$n rows ($(stat -c %s "$src") bytes); database $(($(stat -c %s "$db") / 1048576)) MB"
	printf "%-10s %9s %9s %7s %10s %10s\n" tool "stream s" "--db s" ratio \
		"stream MB" "--db MB"
	for t in import normalize validate dedupe merge-id; do
		a=$(secs "$work/s-$t.err")
		b=$(secs "$work/d-$t.err")
		printf "%-10s %9s %9s %7s %10s %10s\n" "$t" "$a" "$b" \
			"$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.1f", b / (a > 0 ? a : 0.01) }')" \
			"$(peak "$work/s-$t.err")" "$(peak "$work/d-$t.err")"
	done
done
