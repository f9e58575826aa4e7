#!/bin/sh
# How far blocking can go: Splink's fake_20000 through mbr-dedupe with the
# default keys and with ever wider ones, and per row the blocking recall
# (the share of true pairs compared at all), pairs compared per record and
# the pairwise F1 of the clusters. The last rows compare every pair that
# shares a name part, a birth year or a city, with no block limits; the
# "evidence" line counts the true pairs whose records share no similar
# name (difflib ratio >= 0.6) and no similar e-mail local part: the pairs
# no name- or e-mail-based key can ever put in one block.
#
#   sh bench/blocking.sh          (after make)
#
# SPLINK_DIR says where fake_20000.csv is (default
# ../shared/benchmarks/splink-fake beside the repository; read in place).
# Not a test: make test does not run it.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${MBR_BIN:-$top/bin}
splink=${SPLINK_DIR:-$top/../shared/benchmarks/splink-fake}
for b in mbr-import mbr-normalize mbr-dedupe; do
	if [ ! -x "$bin/$b" ]; then
		echo "blocking.sh: build first (make)" >&2
		exit 2
	fi
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export MBR_DATADIR="${MBR_DATADIR:-$top/data}"
truth="--truth-file $splink/fake_20000.csv --truth-key unique_id --truth-col cluster"

"$bin/mbr-import" -q --map "$top/mappings/splink-fake.map" \
	"$splink/fake_20000.csv" >"$work/raw.csv" || [ $? -eq 1 ]
"$bin/mbr-normalize" -q "$work/raw.csv" >"$work/fake.csv" || [ $? -eq 1 ]
n=$(($(wc -l <"$work/fake.csv") - 1))
# The default keys, as match.ini writes them out.
awk '/^\[blocking\]/ { p = 1; next } /^\[/ { p = 0 } p && /^[a-z]/' \
	"$top/mappings/match.ini" >"$work/keys"

# row LABEL EXTRA_KEYS LIMITS: one table row.
row() {
	{
		printf '[blocking]\n'
		cat "$work/keys"
		printf '%b' "$2"
		printf '%b' "$3"
	} >"$work/rules.ini"
	{
		cat "$work/rules.ini"
		printf '[thresholds]\npairs = 1e-300\n'
	} >"$work/all.ini"
	"$bin/mbr-dedupe" -q --rules "$work/all.ini" --pairs "$work/pairs.csv" \
		"$work/fake.csv" >/dev/null || [ $? -eq 1 ]
	"$bin/mbr-dedupe" --rules "$work/rules.ini" "$work/fake.csv" \
		>"$work/out.csv" 2>"$work/log" || [ $? -eq 1 ]
	pairs=$(awk -F', ' '/^mbr-dedupe:/ { c = $5; sub(/ pairs compared/, "", c) }
		END { print c + 0 }' "$work/log")
	# shellcheck disable=SC2086
	python3 "$top/bench/cluster-score.py" --tsv $truth \
		--pairs "$work/pairs.csv" "$work/out.csv" |
		awk -F'\t' -v l="$1" -v p="$pairs" -v n="$n" '{
			printf "| %s | %.4f | %d | %.1f | %.4f |\n",
				l, $7, p, p / n, $3 }'
}

echo "| keys | blocking recall | pairs compared | pairs/record | F1 |"
echo "|---|---|---|---|---|"
row "default" "" ""
row "+ name part + city (max 50)" \
	"pl_city = name_part_lo + city | max 50\nph_city = name_part_hi + city | max 50\n" ""
row "+ name part alone (max 60)" \
	"pl_city = name_part_lo + city | max 50\nph_city = name_part_hi + city | max 50\npl = name_part_lo | max 60\nph = name_part_hi | max 60\n" ""
row "+ name part alone (max 300)" \
	"pl_city = name_part_lo + city | max 300\nph_city = name_part_hi + city | max 300\npl = name_part_lo | max 300\nph = name_part_hi | max 300\n" ""
row "+ any name part, birth year or city (no limit)" \
	"y = birth_year\npl = name_part_lo\nph = name_part_hi\nc = city\n" \
	"[limits]\nmax_block_pairs = 300000000\nmax_pairs_per_record = 100000\n"
python3 - "$splink/fake_20000.csv" <<'EOF'
import collections, csv, difflib, itertools, sys

rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
by = collections.defaultdict(list)
for r in rows:
    by[r["cluster"]].append(r)


def sim(a, b):
    return difflib.SequenceMatcher(None, a, b).ratio()


total = none = 0
for people in by.values():
    for a, b in itertools.combinations(people, 2):
        total += 1
        na = [x.lower() for x in (a["first_name"], a["surname"]) if x]
        nb = [x.lower() for x in (b["first_name"], b["surname"]) if x]
        ea = a["email"].split("@")[0].lower()
        eb = b["email"].split("@")[0].lower()
        if max([sim(x, y) for x in na for y in nb] or [0]) >= 0.6:
            continue
        if ea and eb and sim(ea, eb) >= 0.6:
            continue
        none += 1
print()
print("evidence: %d of %d true pairs (%.1f %%) share no similar name and no"
      " similar e-mail: blocking recall above %.3f needs keys on birth date"
      " or city alone" % (none, total, 100.0 * none / total,
                          1 - none / total))
EOF
