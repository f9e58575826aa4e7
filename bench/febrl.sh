#!/bin/sh
# FEBRL benchmark for mbr-dedupe: the record-linkage test files of Febrl
# (made-up Australian people with planted duplicates), run through the
# real pipeline with the default rules and no labels:
#
#   mbr-import --map mappings/febrl.map | mbr-normalize | mbr-dedupe
#
# and scored against the truth in rec_id (rec-N-org, rec-N-dup-K: N is the
# person): pairwise precision, recall and F1, and B-cubed. dataset1-3 are
# deduplicated (untrained defaults, then --train: u from random pairs, m by
# EM, still no labels); dataset4b is linked --against dataset4a.
#
#   sh bench/febrl.sh            (after make)
#
# FEBRL_DIR overrides where the files are (default: ../shared/benchmarks/
# febrl beside the repository). The data are read in place and never
# copied into the repository. Not a test: make test does not run it.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${MBR_BIN:-$top/bin}
febrl=${FEBRL_DIR:-$top/../shared/benchmarks/febrl}
[ -f "$febrl/dataset1.csv" ] || {
	echo "febrl.sh: no FEBRL files in $febrl (set FEBRL_DIR)" >&2
	exit 2
}
if [ ! -x "$bin/mbr-import" ] || [ ! -x "$bin/mbr-dedupe" ]; then
	echo "febrl.sh: build first (make)" >&2
	exit 2
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export MBR_DATADIR="${MBR_DATADIR:-$top/data}"

# ok: exit 1 (some records flagged) is a finished run too.
ok() {
	"$@" || [ $? -eq 1 ]
}

# canon FILE OUT: import and, when it is built, normalise.
canon() {
	ok "$bin/mbr-import" -q --map "$top/mappings/febrl.map" "$1" >"$2.raw"
	if [ -x "$bin/mbr-normalize" ]; then
		ok "$bin/mbr-normalize" -q "$2.raw" >"$2"
	else
		mv "$2.raw" "$2"
	fi
}

score() {
	python3 "$top/bench/cluster-score.py" "$@"
}

# Fields of mbr-dedupe's summary line: records in, pairs compared, time.
summary() {
	tail -1 "$1" | awk -F', ' '{ n = $1; sub(/.*: /, "", n); sub(/ in/, "", n);
		c = $5; sub(/ pairs compared/, "", c);
		printf "%s\t%s\t%s", n, c, $NF }'
}

echo "| data | mode | records | pairs compared | precision | recall | F1 | B3 precision | B3 recall | B3 F1 | time |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
for d in 1 2 3; do
	canon "$febrl/dataset$d.csv" "$work/d$d.csv"
	for mode in default trained; do
		set -- "$work/d$d.csv"
		[ "$mode" = trained ] && set -- --train --model "$work/m$d.ini" "$@"
		ok "$bin/mbr-dedupe" "$@" >"$work/o$d.csv" 2>"$work/e$d.txt"
		s=$(summary "$work/e$d.txt")
		q=$(score --tsv "$work/o$d.csv")
		printf '%s\t%s\t%s\t%s\n' "dataset$d" "$mode" "$s" "$q" |
			awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
				$1, $2, $3, $4, $6, $7, $8, $9, $10, $11, $5 }'
	done
done
canon "$febrl/dataset4a.csv" "$work/a.csv"
canon "$febrl/dataset4b.csv" "$work/b.csv"
ok "$bin/mbr-dedupe" --link-only --against "$work/a.csv" "$work/b.csv" \
	>"$work/o4.csv" 2>"$work/e4.txt"
s=$(summary "$work/e4.txt")
q=$(score --link --tsv "$work/o4.csv")
printf '%s\t%s\n' "$s" "$q" | awk -F'\t' '{
	printf "| dataset4a+4b | link | 5000+%s | %s | %s | %s | %s | | | | %s |\n",
	$1, $2, $4, $5, $6, $3 }'
