#!/bin/bash
# Memory benchmark: peak RSS and CPU seconds of each stream tool at several
# sizes, to see which hold constant memory (issue 16: the peak at 10M within
# 10% of the peak at 1M), and mbr-validate with a --memory budget that moves
# its unique keys to disk.
#
#   bench/memory.sh                  1,000,000 and 5,000,000 rows, one run
#   SIZES="100000 1000000" bench/memory.sh
#   VMEM=16M bench/memory.sh         the budget of the bounded validate run
#
# Builds if needed (make -s). Writes, once per size, bench/out/pos-ROWS.csv
# (bench/gen-pos.py), bench/out/canonical-ROWS.csv (bench/gen-canonical.py)
# and bench/out/stream-normal-ROWS.csv (mbr-normalize of the canonical file),
# all mode 0600. Needs GNU time (/usr/bin/time). One run each: CPU is
# user + system seconds, and varies by a few percent between runs.
set -eu

cd "$(dirname "$0")/.."
sizes=${SIZES:-1000000 5000000}
vmem=${VMEM:-16M}
umask 077

make -s
mkdir -p bench/out
for rows in $sizes; do
	[ -s "bench/out/pos-$rows.csv" ] ||
		python3 bench/gen-pos.py "$rows" "bench/out/pos-$rows.csv"
	canon=bench/out/canonical-$rows.csv
	if [ ! -s "$canon" ]; then
		python3 bench/gen-canonical.py "$rows" >"$canon.tmp"
		mv "$canon.tmp" "$canon"
	fi
	normal=bench/out/stream-normal-$rows.csv
	[ -s "$normal" ] ||
		bin/mbr-normalize -q "$canon" >"$normal" 2>/dev/null || true
done

# measure CMD...: "peak-MB cpu-s" of one run (output discarded; exit 0 or
# 1 both count as a run).
measure() {
	/usr/bin/time -f "%M %U %S" "$@" 2>&1 >/dev/null | tail -1 |
		awk '{ printf "%d %.2f", $1 / 1024, $2 + $3 }'
}

echo "peak RSS MB / CPU s; validate --memory $vmem moves its keys to disk"
echo
printf "| tool |"
for rows in $sizes; do printf " %s rows |" "$rows"; done
printf "\n|---|"
for rows in $sizes; do printf -- "---|"; done
echo
line() { # name cmd-template (ROWS replaced)
	local name=$1 m
	shift
	printf "| %s |" "$name"
	for rows in $sizes; do
		m=$(measure "${@//ROWS/$rows}")
		printf " %s MB / %s s |" "${m% *}" "${m#* }"
	done
	echo
}
line "mbr-import (GB18030)" bin/mbr-import -q --map mappings/pos.map \
	bench/out/pos-ROWS.csv
line mbr-normalize bin/mbr-normalize -q bench/out/canonical-ROWS.csv
line mbr-validate bin/mbr-validate -q bench/out/stream-normal-ROWS.csv
line "mbr-validate --memory $vmem" bin/mbr-validate -q --memory "$vmem" \
	bench/out/stream-normal-ROWS.csv
line mbr-export bin/mbr-export -q bench/out/stream-normal-ROWS.csv
