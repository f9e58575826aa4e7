#!/bin/bash
# Stream benchmark: every stream tool against a bare libcsv parse of the
# same file, in the same run (issue 16's yardstick: each tool within 3x the
# parse, the piped pipeline within 4x). Times are CPU seconds (user + system,
# best of RUNS), steadier than wall time on a busy machine; peak RSS from
# /usr/bin/time when it is installed. The piped pipeline is given twice: its
# CPU summed over the four processes, and its wall time (best of RUNS),
# each against the parse's CPU seconds.
#
#   bench/stream.sh                1,000,000 rows, best of 3 runs each
#   ROWS=100000 RUNS=5 bench/stream.sh
#   BASE=/path/to/old/bin bench/stream.sh
#       also the piped pipeline of an older build's binaries (its CPU and
#       wall time, run in turn with this build's), and its output compared
#       with this build's (cmp)
#
# Builds if needed (make -s) and bench/out/csvparse (bench/csvparse.c, libcsv
# only). Writes, once, bench/out/pos-ROWS.csv (bench/gen-pos.py: a GB18030
# POS export) and bench/out/canonical-ROWS.csv (bench/gen-canonical.py).
# Files are read from the page cache: this measures CPU, not the disk.
set -eu

cd "$(dirname "$0")/.."
rows=${ROWS:-1000000}
runs=${RUNS:-3}
pos=bench/out/pos-$rows.csv
canon=bench/out/canonical-$rows.csv
parse=bench/out/csvparse
TIMEFORMAT="%U %S"

make -s
mkdir -p bench/out
cc -O2 -o "$parse" bench/csvparse.c -lcsv
[ -s "$pos" ] || python3 bench/gen-pos.py "$rows" "$pos"
if [ ! -s "$canon" ]; then
	python3 bench/gen-canonical.py "$rows" >"$canon.tmp"
	mv "$canon.tmp" "$canon"
fi
# The tools' own inputs, made once by the tools before them.
normal=bench/out/stream-normal-$rows.csv
bin/mbr-normalize -q "$canon" >"$normal" 2>/dev/null || true

# cpu CMD...: the smallest user + system seconds of $runs runs of CMD
# (standard output discarded; exit 0 or 1 both count as a run).
cpu() {
	local t best=""

	for _ in $(seq "$runs"); do
		t=$( { time "$@" >/dev/null 2>/dev/null; } 2>&1 ) || true
		best=$(awk -v t="$t" -v b="$best" 'BEGIN {
			split(t, x, " "); s = x[1] + x[2]
			if (b == "" || s < b) printf "%.3f", s; else print b }')
	done
	echo "$best"
}

# wall CMD...: the smallest elapsed seconds of $runs runs of CMD (the piped
# pipeline's four processes share the two cores: its wall time is what a
# user waits for).
wall() {
	local t best=""

	for _ in $(seq "$runs"); do
		t=$( { TIMEFORMAT=%R; time "$@" >/dev/null 2>/dev/null; } 2>&1 ) || true
		best=$(awk -v t="$t" -v b="$best" 'BEGIN {
			if (b == "" || t + 0 < b + 0) printf "%.3f", t; else print b }')
	done
	echo "$best"
}

# rss CMD...: peak resident set of one run, in MB ("-" without GNU time).
rss() {
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1 |
			awk '{ printf "%d", $1 / 1024 }'
	else
		echo -
	fi
}

# pipeline [BIN]: import | normalize | validate | export of the POS file,
# with the binaries of BIN (default bin).
pipeline() {
	local b=${1:-bin}

	"$b/mbr-import" -q --map mappings/pos.map "$pos" 2>/dev/null |
		"$b/mbr-normalize" -q 2>/dev/null |
		"$b/mbr-validate" -q 2>/dev/null |
		"$b/mbr-export" -q 2>/dev/null
}

row() { # name floor cpu rss
	awk -v n="$1" -v f="$2" -v c="$3" -v r="$4" 'BEGIN {
		printf "| %s | %.2f | %.2f | %.1fx | %s |\n", n, c, f, c / f, r }'
}

floor_pos=$(cpu "$parse" "$pos")
floor_canon=$(cpu "$parse" "$canon")
floor_normal=$(cpu "$parse" "$normal")
echo "$rows rows; CPU seconds, best of $runs; the parse is bench/csvparse.c"
echo
echo "| tool | cpu s | parse s | ratio | peak RSS MB |"
echo "|---|---|---|---|---|"
row "mbr-import (GB18030)" "$floor_pos" \
	"$(cpu bin/mbr-import -q --map mappings/pos.map "$pos")" \
	"$(rss bin/mbr-import -q --map mappings/pos.map "$pos")"
row mbr-normalize "$floor_canon" "$(cpu bin/mbr-normalize -q "$canon")" \
	"$(rss bin/mbr-normalize -q "$canon")"
row mbr-validate "$floor_normal" "$(cpu bin/mbr-validate -q "$normal")" \
	"$(rss bin/mbr-validate -q "$normal")"
row mbr-export "$floor_normal" "$(cpu bin/mbr-export -q "$normal")" \
	"$(rss bin/mbr-export -q "$normal")"
row "pipeline (piped, summed)" "$floor_pos" "$(cpu pipeline)" -
row "pipeline (piped, wall s)" "$floor_pos" "$(wall pipeline)" -
if [ -n "${BASE:-}" ]; then
	row "BASE pipeline (piped, summed)" "$floor_pos" "$(cpu pipeline "$BASE")" -
	row "BASE pipeline (piped, wall s)" "$floor_pos" \
		"$(wall pipeline "$BASE")" -
	pipeline >bench/out/stream-pipeline.csv
	pipeline "$BASE" >bench/out/stream-pipeline-base.csv
	if cmp -s bench/out/stream-pipeline.csv bench/out/stream-pipeline-base.csv
	then
		echo; echo "BASE's pipeline output is this build's (cmp)"
	else
		echo; echo "BASE's pipeline output DIFFERS from this build's"
	fi
fi
