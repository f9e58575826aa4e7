#!/bin/sh
# mbr-dedupe in N shards (--shard I/N --pairs-only) and the --from-pairs
# cluster step against one whole run, on generated records
# (bench/gen-members.py): wall time and peak RSS of each, pairs compared,
# and whether the outputs are identical (they must be, byte for byte).
#
#   sh bench/shard.sh [RECORDS [SHARDS]]    (after make; default 1000000 4)
#
# The shards run one after another here; on a cluster they run at once,
# so a shard's time is the wall time of that step. Files are kept in
# SCALE_DIR (default /tmp/mbr-scale). Not a test: make test runs 100k.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${MBR_BIN:-$top/bin}
dir=${SCALE_DIR:-/tmp/mbr-scale}
n=${1:-1000000}
shards=${2:-4}
if [ ! -x "$bin/mbr-dedupe" ] || [ ! -x /usr/bin/time ]; then
	echo "shard.sh: needs make and /usr/bin/time (Debian package time)" >&2
	exit 2
fi
mkdir -p "$dir"
in="$dir/members-$n.csv"
[ -s "$in" ] || python3 "$top/bench/gen-members.py" "$n" >"$in"
row() { # label, time -v output
	awk -F': ' -v l="$1" '
		/Elapsed \(wall clock\)/ {
			k = split($2, t, ":"); w = 0;
			for (i = 1; i <= k; i++) w = w * 60 + t[i] }
		/User time/ { u = $2 } /System time/ { s = $2 }
		/Maximum resident/ { r = $2 }
		/pairs compared/ { match($0, /[0-9]+ pairs compared/);
			p = substr($0, RSTART, RLENGTH - 15) }
		END { printf "| %s | %.1f | %.1f | %d | %s |\n", l, w, u + s,
			r / 1024, p }' "$2"
}
echo "| $n records | wall s | CPU s | peak RSS MB | pairs compared |"
echo "|---|---|---|---|---|"
/usr/bin/time -v "$bin/mbr-dedupe" -o "$dir/one-$n.csv" "$in" \
	2>"$dir/time-one.txt" || [ $? -eq 1 ]
row "one run" "$dir/time-one.txt"
list=""
i=0
while [ "$i" -lt "$shards" ]; do
	/usr/bin/time -v "$bin/mbr-dedupe" --shard "$i/$shards" --pairs-only \
		-o "$dir/pairs-$n.$i.csv" "$in" 2>"$dir/time-shard.txt"
	row "shard $i/$shards" "$dir/time-shard.txt"
	list="$list${list:+,}$dir/pairs-$n.$i.csv"
	i=$((i + 1))
done
/usr/bin/time -v "$bin/mbr-dedupe" --from-pairs "$list" \
	-o "$dir/sharded-$n.csv" "$in" 2>"$dir/time-from.txt" || [ $? -eq 1 ]
row "--from-pairs" "$dir/time-from.txt"
if cmp -s "$dir/one-$n.csv" "$dir/sharded-$n.csv"; then
	echo "identical: yes"
else
	echo "identical: NO"
	exit 1
fi
