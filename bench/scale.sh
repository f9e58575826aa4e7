#!/bin/sh
# Scale benchmark (issue 16): generated member records (bench/gen-members.py,
# planted duplicates) through mbr-dedupe and then mbr-merge-id on its
# output, at 1M, 5M and 10M records (20M too with SCALE_MAX=20M): wall and
# CPU time, peak RSS, bytes per record, pairs compared, pairwise F1 of
# dedupe's clusters against the generator's person_id (so a faster
# blocking is seen to keep its quality at scale), and whether 10M keeps to
# the targets (dedupe <= 400 bytes a record, 10M <= 11 x the 1M time).
#
#   sh bench/scale.sh                 (after make)
#   SCALE_MAX=5M sh bench/scale.sh    stop at 5M
#   SCALE_SIZES="1000000 2000000" sh bench/scale.sh
#
# Generated files stay in SCALE_DIR (default /tmp/mbr-scale) for the next
# run; each step runs under nice -n 10 and GNU time. Prints a Markdown
# table (bench/RESULTS.md keeps the last one). Not a test: make test does
# not run it.
set -eu
# The outputs hold (generated) member records: owner only, as mbr's own files.
umask 077
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${MBR_BIN:-$top/bin}
dir=${SCALE_DIR:-/tmp/mbr-scale}
max=${SCALE_MAX:-10M}
for t in mbr-dedupe mbr-merge-id; do
	if [ ! -x "$bin/$t" ]; then
		echo "scale.sh: build first (make)" >&2
		exit 2
	fi
done
if [ ! -x /usr/bin/time ]; then
	echo "scale.sh: needs /usr/bin/time (Debian package time)" >&2
	exit 2
fi
case $max in
20M) sizes="1000000 5000000 10000000 20000000" ;;
10M) sizes="1000000 5000000 10000000" ;;
5M) sizes="1000000 5000000" ;;
1M) sizes="1000000" ;;
*)
	echo "scale.sh: SCALE_MAX is 1M, 5M, 10M or 20M" >&2
	exit 2
	;;
esac
sizes=${SCALE_SIZES:-$sizes}
mkdir -p "$dir"

# row TOOL N TIMEFILE PAIRS F1: one table row from GNU time's report.
row() {
	awk -F': ' -v tool="$1" -v n="$2" -v pairs="$4" -v f1="$5" '
		/Elapsed \(wall clock\)/ {
			k = split($2, t, ":"); w = 0;
			for (i = 1; i <= k; i++) w = w * 60 + t[i] }
		/User time/ { u = $2 }
		/System time/ { s = $2 }
		/Maximum resident/ { r = $2 * 1024 }
		END {
			printf "| %s | %d | %.1f | %.1f | %.0f | %.0f | %s | %s |\n",
				tool, n, w, u + s, r / 1048576, r / n, pairs, f1 }' "$3"
}

echo "| tool | records | wall s | CPU s | peak RSS MB | bytes/record | pairs compared | F1 |"
echo "|---|---|---|---|---|---|---|---|"
for n in $sizes; do
	in="$dir/members-$n.csv"
	if [ ! -s "$in" ]; then
		nice -n 10 python3 "$top/bench/gen-members.py" "$n" >"$in.tmp"
		mv "$in.tmp" "$in"
	fi
	nice -n 10 /usr/bin/time -v "$bin/mbr-dedupe" \
		--rejects "$dir/dedupe-rejects-$n.csv" "$in" \
		>"$dir/clustered-$n.csv" 2>"$dir/dedupe-$n.txt" || [ $? -eq 1 ]
	pairs=$(sed -n 's/^mbr-dedupe: .*, \([0-9]*\) pairs compared.*/\1/p' \
		"$dir/dedupe-$n.txt")
	f1=$(nice -n 10 python3 "$top/bench/cluster-score.py" --tsv \
		--truth-col person_id "$dir/clustered-$n.csv" | cut -f3)
	row dedupe "$n" "$dir/dedupe-$n.txt" "$pairs" "$f1"
	rm -f "$dir/xref-$n.csv"
	nice -n 10 /usr/bin/time -v "$bin/mbr-merge-id" \
		--rejects "$dir/merge-id-rejects-$n.csv" \
		--xref "$dir/xref-$n.csv" "$dir/clustered-$n.csv" \
		>"$dir/golden-$n.csv" 2>"$dir/merge-id-$n.txt" || [ $? -eq 1 ]
	row merge-id "$n" "$dir/merge-id-$n.txt" - -
done
