#!/bin/sh
# Matching quality benchmark for mbr-dedupe: every labelled set we have,
# through the real pipeline (import with its mapping, normalize, dedupe)
# with the default rules and no labels, scored against the truth.
#
#   sh bench/match.sh            (after make)
#   sh bench/match.sh --large    (also 1,000,000 generated people)
#
# Sets: FEBRL dataset1-3 (mappings/febrl.map), Splink's fake_20000
# (mappings/splink-fake.map), and generated Chinese members from three
# systems (bench/gen-members.py --people 100000: twins, families sharing a
# mobile and an address, pinyin and Hong Kong spellings, Traditional
# characters, typos, year-only dates, swapped day and month; written once
# to bench/out/). Per set, three rows:
#
#   exact    the exact-key baseline (bench/exact-baseline.py)
#   default  mbr-dedupe with the built-in rules
#   trained  mbr-dedupe --train (u from random pairs, m by EM; no labels)
#
# and per row: pairwise precision, recall and F1, B-cubed F1, blocking
# recall (the share of true pairs compared at all: a second run keeps
# every compared pair), pairs compared (and per record), wall time and
# peak RSS of the matching step (/usr/bin/time), and for the generated
# set the share of pairs of records of different people of one household
# (twins, parent and child, spouses) put in one cluster.
#
# FEBRL_DIR and SPLINK_DIR say where the files are (default:
# ../shared/benchmarks/febrl and .../splink-fake beside the repository);
# they are read in place, never copied into the repository. MBR_BIN runs
# other binaries (an older build, for a before/after table). Not a test:
# make test does not run it.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${MBR_BIN:-$top/bin}
shared=$top/../shared/benchmarks
febrl=${FEBRL_DIR:-$shared/febrl}
splink=${SPLINK_DIR:-$shared/splink-fake}
out=$top/bench/out
large=0
[ "${1:-}" = --large ] && large=1
for b in mbr-import mbr-normalize mbr-dedupe; do
	if [ ! -x "$bin/$b" ]; then
		echo "match.sh: build first (make)" >&2
		exit 2
	fi
done
if [ ! -x /usr/bin/time ]; then
	echo "match.sh: needs /usr/bin/time (Debian package time)" >&2
	exit 2
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
export MBR_DATADIR="${MBR_DATADIR:-$top/data}"
# Every compared pair into --pairs: a pairs floor of almost nothing.
printf '[thresholds]\npairs = 1e-300\n' >"$work/all-pairs.ini"

# ok: exit 1 (some records flagged) is a finished run too.
ok() {
	"$@" || [ $? -eq 1 ]
}

# timed LOG CMD...: run CMD under /usr/bin/time -v, its stderr in LOG.
timed() {
	log=$1
	shift
	/usr/bin/time -v "$@" 2>"$log" || [ $? -eq 1 ]
}

# usage LOG: wall seconds and peak RSS in MB from /usr/bin/time -v.
usage() {
	awk -F': ' '/Elapsed \(wall clock\)/ { k = split($2, t, ":"); w = 0;
			for (i = 1; i <= k; i++) w = w * 60 + t[i] }
		/Maximum resident/ { r = $2 / 1024 }
		END { printf "%.2f\t%.0f", w, r }' "$1"
}

# compared LOG: pairs compared, from mbr-dedupe's summary line.
compared() {
	awk -F', ' '/^mbr-dedupe:/ { c = $5; sub(/ pairs compared/, "", c) }
		END { print c + 0 }' "$1"
}

# row SET METHOD RECORDS SCORES PAIRS USAGE: one line of the table.
row() {
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$@" | awk -F'\t' '{
		split($4, q, " ");
		pr = ($5 == "-" || $3 == 0) ? "-" : sprintf("%.1f", $5 / $3);
		printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
			$1, $2, $3, q[1], q[2], q[3], q[4], q[5], $5, pr,
			$6, $7, q[6] }'
}

# bench SET CANON SCORE_ARGS...: the three rows for one set.
bench() {
	set_name=$1
	canon=$2
	shift 2
	n=$(($(wc -l <"$canon") - 1))
	timed "$work/t.exact" python3 "$top/bench/exact-baseline.py" "$canon" \
		>"$work/o.exact"
	q=$(python3 "$top/bench/cluster-score.py" --tsv "$@" "$work/o.exact")
	row "$set_name" exact "$n" "$(score_cols "$q" "")" - \
		"$(usage "$work/t.exact")"
	# Every compared pair, for the blocking recall (not at a million
	# records: that file would be several GB).
	if [ "$n" -le 300000 ]; then
		ok "$bin/mbr-dedupe" -q --rules "$work/all-pairs.ini" \
			--pairs "$work/pairs.csv" "$canon" >/dev/null
		set -- --pairs "$work/pairs.csv" "$@"
	fi
	for mode in default trained; do
		if [ "$mode" = trained ]; then
			timed "$work/t.$mode" "$bin/mbr-dedupe" --train \
				--model "$work/model.ini" "$canon" >"$work/o.$mode"
		else
			timed "$work/t.$mode" "$bin/mbr-dedupe" "$canon" \
				>"$work/o.$mode"
		fi
		q=$(python3 "$top/bench/cluster-score.py" --tsv "$@" \
			"$work/o.$mode")
		row "$set_name" "$mode" "$n" "$(score_cols "$q" x)" \
			"$(compared "$work/t.$mode")" "$(usage "$work/t.$mode")"
	done
	rm -f "$work/pairs.csv"
}

# score_cols TSV BLOCKING: "P R F1 B3F1 blocking household" from
# cluster-score's --tsv line (blocking left out for the baseline).
score_cols() {
	printf '%s\n' "$1" | awk -F'\t' -v b="$2" '{
		printf "%s %s %s %s %s %s", $1, $2, $3, $6,
			(b == "" || $7 == "") ? "-" : $7, $8 == "" ? "-" : $8 }'
}

# canon MAP FILE OUT: import and normalise.
canon() {
	ok "$bin/mbr-import" -q --map "$1" "$2" >"$3.raw"
	ok "$bin/mbr-normalize" -q "$3.raw" >"$3"
}

echo "| set | method | records | precision | recall | F1 | B3 F1 | blocking recall | pairs compared | pairs/record | wall s | peak RSS MB | household merged |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
for d in 1 2 3; do
	canon "$top/mappings/febrl.map" "$febrl/dataset$d.csv" "$work/febrl$d.csv"
	bench "febrl$d" "$work/febrl$d.csv"
done
canon "$top/mappings/splink-fake.map" "$splink/fake_20000.csv" "$work/fake.csv"
bench fake_20000 "$work/fake.csv" --truth-file "$splink/fake_20000.csv" \
	--truth-key unique_id --truth-col cluster
sizes=100000
[ $large = 1 ] && sizes="100000 1000000"
for n in $sizes; do
	gen=$out/people-$n.csv
	[ -s "$gen" ] || python3 "$top/bench/gen-members.py" --people "$n" >"$gen"
	ok "$bin/mbr-normalize" -q "$gen" >"$work/cn.csv"
	bench "chinese-${n%000}k" "$work/cn.csv" --truth-col person_id \
		--household-col household_id
done
