#!/bin/sh
# Scale benchmark for mbr-dedupe on generated Chinese member data with
# planted duplicates (bench/gen-members.py): wall time, CPU time, peak RSS
# and pairs compared at 100k, 1M and 2M records, and the quality against
# the generator's person_id.
#
#   sh bench/dedupe-scale.sh [SIZES...]     (after make; default 100000
#                                            1000000 2000000)
#
# Targets on a 2-core machine: 1M records in under 30 s and 2 GB; 2M at
# most 2.3 times 1M. The generated files are kept in SCALE_DIR (default
# /tmp/mbr-scale) for the next run. Not a test: make test does not run it.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${MBR_BIN:-$top/bin}
dir=${SCALE_DIR:-/tmp/mbr-scale}
if [ ! -x "$bin/mbr-dedupe" ]; then
	echo "dedupe-scale.sh: build first (make)" >&2
	exit 2
fi
if [ ! -x /usr/bin/time ]; then
	echo "dedupe-scale.sh: needs /usr/bin/time (Debian package time)" >&2
	exit 2
fi
[ $# -gt 0 ] || set -- 100000 1000000 2000000
mkdir -p "$dir"

echo "| records | wall s | CPU s (user+sys) | peak RSS MB | pairs compared | clusters | pairwise F1 | B3 F1 |"
echo "|---|---|---|---|---|---|---|---|"
for n in "$@"; do
	in="$dir/members-$n.csv"
	[ -s "$in" ] || python3 "$top/bench/gen-members.py" "$n" >"$in"
	/usr/bin/time -v "$bin/mbr-dedupe" "$in" >"$dir/out-$n.csv" \
		2>"$dir/time-$n.txt" || [ $? -eq 1 ]
	q=$(python3 "$top/bench/cluster-score.py" --tsv --truth-col person_id \
		"$dir/out-$n.csv")
	awk -F': ' -v n="$n" -v q="$q" '
		/Elapsed \(wall clock\)/ {
			k = split($2, t, ":"); w = 0;
			for (i = 1; i <= k; i++) w = w * 60 + t[i] }
		/User time/ { u = $2 }
		/System time/ { s = $2 }
		/Maximum resident/ { r = $2 / 1024 }
		/^mbr-dedupe:/ {
			split($0, f, ", "); c = f[5]; sub(/ pairs compared/, "", c);
			cl = f[4]; sub(/ clusters/, "", cl) }
		END {
			split(q, x, "\t");
			printf "| %d | %.1f | %.1f | %.0f | %s | %s | %s | %s |\n",
				n, w, u + s, r, c, cl, x[3], x[6] }' "$dir/time-$n.txt"
done
