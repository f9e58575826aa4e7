#!/bin/sh
# mbr-merge-id, two builds compared byte for byte over randomized
# multi-run scenarios: the guard for a rewrite of master-ID assignment.
#
#   bench/mergeid-diff.sh [--quick] [--keep] [--mask-sort-runs]
#                         [--unordered-rejects] [--only PREFIX] OLD [NEW]
#
# OLD and NEW are mbr-merge-id binaries (OLD is required: an older build,
# e.g. from a worktree of an earlier commit; NEW defaults to
# bin/mbr-merge-id; also from $OLD and $NEW). OLD_ARGS and NEW_ARGS add
# options to one side only (to see a difference caught, e.g.
# NEW_ARGS=--id-format=N%d). --quick: fewer, smaller scenarios (under a
# minute); --keep: leave the work directory (bench/out/mergeid-diff/, or
# $MERGEID_DIFF_WORK); --only PREFIX: the scenarios named so;
# --mask-sort-runs: drop ", N sort runs on disk" from standard error
# before comparing (a rewrite may spill differently); --unordered-rejects:
# compare the rejects files sorted, and standard error without the
# rejected records it names (since the merge-id of stop 25 finds repeated
# keys after the other rejects, and lists them last).
#
# Each scenario is written by bench/gen-mergeid-runs.py (fixed seeds), then
# for each --memory (1K, 64K, none) both binaries go through the same runs,
# each run reading the crosswalk the run before wrote (--xref). After every
# run these are compared: golden records (-o, or standard output every
# other run), --xref, --changes, --lineage, --rejects (or the default
# rejects file), standard error (elapsed times masked), exit code, and the
# files left in TMPDIR. The --db scenarios load each run's records and
# clusters into a staging database with sqlite3 (as mbr-import and
# mbr-dedupe would; records missing from a run are marked deleted at
# source), run merge-id --dry-run=FILE and then merge-id --db, and compare
# the tables masters, xref, retired, rejects and runs (dumped in a fixed
# order, times left out) besides the files above. The pipeline scenarios
# go the whole way instead: the nightly source exports of
# `gen-mergeid-runs.py --nightly` (from bench/gen-members.py) through
# mbr-import --snapshot, mbr-normalize and mbr-dedupe --db (the binaries
# next to OLD, or in $PIPE_BIN; the same for both sides), which decide the
# clusters, then merge-id --db as above.
#
# Prints one line per scenario and memory: OK, or DIFF with the files that
# differ (and the first lines of the first diff); exits 1 on any DIFF.
# After each scenario, what OLD's runs did (default memory, summed over
# the runs): exit codes, changes by kind, rejects by reason.
# Under the same memory OLD against OLD must be all OK. As information
# only, "note:" lines say when OLD's files (standard error aside) differ
# between memory budgets.
set -u

cd "$(dirname "$0")/.." || exit 2
top=$(pwd)
quick=0
only=
keep=0
masksort=0
unordered=0
while [ $# -gt 0 ]; do
	case $1 in
	--quick) quick=1 ;;
	--keep) keep=1 ;;
	--mask-sort-runs) masksort=1 ;;
	--unordered-rejects) unordered=1 ;;
	--only)
		only=${2:-}
		shift
		;;
	-h | --help)
		sed -n '2,/^set -u/p' "$0" | sed 's/^# \{0,1\}//; /^set -u/d'
		exit 0
		;;
	-*)
		echo "mergeid-diff.sh: unknown option $1" >&2
		exit 2
		;;
	*) break ;;
	esac
	shift
done
OLD=${1:-${OLD:-}}
if [ -z "$OLD" ]; then
	echo "mergeid-diff.sh: give OLD, the build to compare with (see --help)" >&2
	exit 2
fi
NEW=${2:-${NEW:-bin/mbr-merge-id}}
OLD_ARGS=${OLD_ARGS:-}
NEW_ARGS=${NEW_ARGS:-}
abs() {
	case $1 in
	/*) echo "$1" ;;
	*) echo "$top/$1" ;;
	esac
}
OLD=$(abs "$OLD")
NEW=$(abs "$NEW")
for b in "$OLD" "$NEW"; do
	if [ ! -x "$b" ]; then
		echo "mergeid-diff.sh: $b: not an executable" >&2
		exit 2
	fi
done
command -v sqlite3 >/dev/null || {
	echo "mergeid-diff.sh: sqlite3 not found" >&2
	exit 2
}
export LC_ALL=C TZ=UTC MBR_TODAY=2026-01-15
export MBR_DATADIR="${MBR_DATADIR:-$top/data}"
umask 077
work=${MERGEID_DIFF_WORK:-$top/bench/out/mergeid-diff}
rm -rf "$work"
mkdir -p "$work"
[ "$keep" = 1 ] || trap 'rm -rf "$work"' EXIT
fails=0
count=0

mask() {
	if [ "$unordered" = 1 ]; then
		# the rejected records named on standard error depend on
		# their order: the summary lines stay
		grep -v -E ': record [0-9]+: |: more rejected records: ' |
			mask_times
	else
		mask_times
	fi
}

mask_times() {
	if [ "$masksort" = 1 ]; then
		sed -E 's/[0-9]+\.[0-9]+ s$/X.XX s/; s/, [0-9]+ sort runs on disk//'
	else
		sed -E 's/[0-9]+\.[0-9]+ s$/X.XX s/'
	fi
}

# keep_rejects FILE DEST: FILE into DEST, its lines sorted (header first)
# under --unordered-rejects (a quoted newline splits a row: the same way
# on both sides).
keep_rejects() {
	if [ "$unordered" = 1 ]; then
		{
			head -n 1 "$1"
			tail -n +2 "$1" | LC_ALL=C sort
		} >"$2"
		rm -f "$1"
	else
		mv "$1" "$2"
	fi
}

# one_run DIR K BIN EXTRA MEM FMT DB ARGS...: run K of a sequence in DIR/run,
# its outputs saved in DIR/out with suffix K.
one_run() {
	d=$1 k=$2 bin=$3 extra=$4 mem=$5 fmt=$6 db=$7
	shift 7
	in=/dev/null
	rej="--rejects rejects.csv"
	[ -z "$db" ] || rej= # under --db rejects go to its table
	files=
	for a in "$@"; do
		case $a in
		NOREJECTS) rej= ;;
		"<"*) in=${a#<} ;;
		*) files="$files $a" ;;
		esac
	done
	(
		cd "$d/run" || exit 2
		rm -f golden.csv changes.csv lineage.csv rejects.csv \
			mbr-merge-id.rejects.csv dry.csv
		set --
		[ "$mem" = default ] || set -- "$@" --memory "$mem"
		[ -z "$fmt" ] || set -- "$@" --id-format "$fmt"
		if [ -n "$db" ]; then
			# what it would do, then do it
			# shellcheck disable=SC2086
			TMPDIR=../tmp "$bin" "$@" $extra --db stage.db \
				--changes changes.csv --lineage lineage.csv \
				--dry-run=dry.csv $rej >"../out/drystdout-$k" \
				2>"../out/dryerr-$k.raw"
			echo $? >"../out/dryrc-$k"
			mask <"../out/dryerr-$k.raw" >"../out/dryerr-$k"
			rm -f "../out/dryerr-$k.raw"
			for f in dry changes lineage; do
				[ -f "$f.csv" ] && mv "$f.csv" "../out/dry-$f-$k.csv"
			done
			[ -f rejects.csv ] &&
				keep_rejects rejects.csv "../out/dry-rejects-$k.csv"
			set -- "$@" --db stage.db
		else
			set -- "$@" --xref xref.csv
			[ $((k % 2)) = 1 ] && set -- "$@" -o golden.csv
		fi
		# shellcheck disable=SC2086
		TMPDIR=../tmp "$bin" "$@" $extra --changes changes.csv \
			--lineage lineage.csv $rej $files <"$in" \
			>"../out/stdout-$k" 2>"../out/err-$k.raw"
		echo $? >"../out/rc-$k"
		mask <"../out/err-$k.raw" >"../out/err-$k"
		rm -f "../out/err-$k.raw"
		for f in golden changes lineage; do
			[ -f "$f.csv" ] && mv "$f.csv" "../out/$f-$k.csv"
		done
		for f in rejects mbr-merge-id.rejects; do
			[ -f "$f.csv" ] && keep_rejects "$f.csv" "../out/$f-$k.csv"
		done
		[ -f xref.csv ] && cp xref.csv "../out/xref-$k.csv"
		find ../tmp -type f | wc -l | tr -d ' ' >"../out/tmpleft-$k"
		if [ -n "$db" ]; then
			sqlite3 -header -csv stage.db "
SELECT * FROM masters ORDER BY master_id;
SELECT * FROM xref ORDER BY source, source_id;
SELECT * FROM retired ORDER BY master_id;
SELECT run_id, tool, n_in, n_out, n_rejected, n_flagged, status FROM runs
  ORDER BY run_id;
SELECT run_id, tool, source, source_id, source_row, field, reason, record,
  source_line FROM rejects ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9;" \
				>"../out/tables-$k.csv" 2>&1
		fi
	)
}

# load_db DB K FILES...: run K's records and clusters into the staging
# database, as mbr-import and mbr-dedupe would; records not in this run
# are deleted at source (deleted_run), those back are not.
load_db() {
	db=$1 k=$2
	shift 2
	cols=source,source_id,name,gender,birth_date,mobile,email,city,address,tier,points,registered_at,last_active_at,status
	upd=$(echo "$cols" | tr ',' '\n' | sed '1,2d; s/.*/&=excluded.&/' | paste -sd, -)
	{
		echo ".mode csv"
		skip=
		for f in "$@"; do
			echo ".import $skip $f tmp_in"
			skip="--skip 1"
		done
		cat <<SQL
INSERT INTO runs (tool, status) VALUES ('mbr-import', 'ok');
INSERT INTO records ($cols, run_id)
  SELECT $cols, (SELECT max(run_id) FROM runs) FROM tmp_in WHERE true
  ON CONFLICT (source, source_id) DO UPDATE SET $upd, deleted_run = NULL;
UPDATE records SET deleted_run = (SELECT max(run_id) FROM runs)
  WHERE deleted_run IS NULL AND NOT EXISTS (SELECT 1 FROM tmp_in t
    WHERE t.source = records.source AND t.source_id = records.source_id);
INSERT INTO runs (tool, status) VALUES ('mbr-dedupe', 'ok');
INSERT INTO clusters (run_id, source, source_id, cluster_id)
  SELECT (SELECT max(run_id) FROM runs), source, source_id, cluster_id
  FROM tmp_in;
DROP TABLE tmp_in;
SQL
	} | sqlite3 "$db"
}

# compare NAME MEM: OLD's outputs against NEW's.
compare() {
	name=$1 mem=$2
	base=$work/$name/$mem
	count=$((count + 1))
	if diff -rq "$base/old/out" "$base/new/out" >"$base/diff" 2>&1; then
		printf 'OK    %-22s --memory %-7s %s\n' "$name" "$mem" \
			"$(find "$base/old/out" -type f | wc -l | tr -d ' ') files"
		return
	fi
	fails=$((fails + 1))
	printf 'DIFF  %-22s --memory %-7s %s\n' "$name" "$mem" \
		"$(sed -E 's,^Files .*/out/([^ ]*) and .*,\1,; s,^Only in .*/(old|new)/out: (.*),\2 only in \1,' "$base/diff" |
			head -8 | paste -sd' ' -)"
	first=$(sed -n 's/^Files \(.*\) and \(.*\) differ$/\1 \2/p' "$base/diff" | head -1)
	if [ -n "$first" ]; then
		# shellcheck disable=SC2086
		diff -u $first | sed -n '1,14s/^/      /p'
	fi
}

# memvar NAME: OLD's outputs (standard error aside) under each memory
# against the default budget's; a note, not a failure.
memvar() {
	name=$1
	shift
	for mem in "$@"; do
		[ "$mem" = default ] && continue
		[ -d "$work/$name/default" ] || continue
		if ! diff -rq -x 'err-*' -x 'dryerr-*' -x 'tmpleft-*' \
			"$work/$name/default/old/out" "$work/$name/$mem/old/out" \
			>"$work/$name/memvar" 2>&1; then
			echo "note: $name: OLD's outputs under --memory $mem differ from the default's: $(sed -E 's,^Files .*/out/([^ ]*) and .*,\1,; s,^Only in .*/(default|[0-9]+K)/old/out: (.*),\2 only in \1,' "$work/$name/memvar" | head -6 | paste -sd' ' -)"
		fi
	done
}

# coverage NAME: what OLD did over the runs, from its files.
coverage() {
	o=$work/$1/default/old/out
	[ -d "$o" ] || o=$work/$1/1K/old/out
	printf '      rc %s;' "$(cat "$o"/rc-* | sort | uniq -c |
		awk '{ printf " %s: %d", $2, $1 }')"
	cat "$o"/changes-*.csv 2>/dev/null | awk -F, '
		$1 != "change" { n[$1]++ }
		END { printf " new %d, merged %d, moved %d, added %d;", n["new"],
			n["merged"], n["moved"], n["added"] }'
	cat "$o"/rejects-*.csv "$o"/mbr-merge-id.rejects-*.csv 2>/dev/null |
		awk -F, 'NF >= 3 && $NF != "reject_reason" &&
			$(NF - 2) == "mbr-merge-id" {
			n[$(NF - 1) " " $NF]++ }
		END { printf " rejects:"; for (r in n) printf " %s %d,", r, n[r] }' |
		sed 's/,$//'
	cat "$o"/tables-*.csv 2>/dev/null | grep -c 'deleted at source"*$' |
		awk '$1 > 0 { printf "; deleted at source: %d rows of retired (summed over the runs)", $1 }'
	echo
}

# side_start NAME MEM SIDE PATTERN: one side's directory ($d: run/ with
# links to the inputs matching PATTERN, out/, tmp/), its binary ($bin)
# and its extra options ($extra).
side_start() {
	d=$work/$1/$2/$3
	mkdir -p "$d/run" "$d/out" "$d/tmp"
	for f in "$work/$1/in"/$4; do
		ln -s "../../../in/${f##*/}" "$d/run/${f##*/}"
	done
	if [ "$3" = old ]; then
		bin=$OLD extra=$OLD_ARGS
	else
		bin=$NEW extra=$NEW_ARGS
	fi
}

# scenario NAME FMT DB GENARGS...: generate, run both sides under every
# memory, compare.
scenario() {
	name=$1 fmt=$2 db=$3
	shift 3
	case $name in "$only"*) ;; *) return ;; esac
	mkdir -p "$work/$name/in"
	if ! python3 bench/gen-mergeid-runs.py "$@" "$work/$name/in"; then
		echo "ERROR $name: the generator failed"
		fails=$((fails + 1))
		return
	fi
	for mem in $mems; do
		for side in old new; do
			side_start "$name" "$mem" "$side" 'run*'
			if [ -n "$db" ]; then
				# the schema, as the first call makes it
				(cd "$d/run" && "$bin" -q --db stage.db </dev/null \
					>/dev/null 2>&1)
			fi
			k=0
			while read -r _ args; do
				k=$((k + 1))
				if [ -n "$db" ]; then
					# shellcheck disable=SC2086,SC2046
					(cd "$d/run" && load_db stage.db "$k" \
						$(echo $args | tr ' ' '\n' |
							grep -v '^NOREJECTS$'))
					case $args in
					NOREJECTS*) args=NOREJECTS ;;
					*) args= ;;
					esac
				fi
				# shellcheck disable=SC2086
				one_run "$d" "$k" "$bin" "$extra" "$mem" "$fmt" \
					"$db" $args
			done <"$work/$name/in/plan"
		done
		compare "$name" "$mem"
	done
	# shellcheck disable=SC2086
	memvar "$name" $mems
	coverage "$name"
}

# pipeline NAME N SEED NIGHTS: N generated members' nightly exports
# through import, normalize and dedupe, then merge-id --db, both sides.
pipeline() {
	name=$1 n=$2 seed=$3 nights=$4
	case $name in "$only"*) ;; *) return ;; esac
	mkdir -p "$work/$name/in"
	if ! python3 bench/gen-members.py "$n" --seed "$seed" \
		>"$work/$name/members.csv" ||
		! python3 bench/gen-mergeid-runs.py --nightly \
			"$work/$name/members.csv" --seed "$seed" --runs "$nights" \
			"$work/$name/in"; then
		echo "ERROR $name: the generators failed"
		fails=$((fails + 1))
		return
	fi
	for mem in $mems; do
		for side in old new; do
			side_start "$name" "$mem" "$side" '*'
			k=0
			while read -r _ args; do
				k=$((k + 1))
				# shellcheck disable=SC2086
				(
					cd "$d/run" &&
						"$pipe/mbr-import" -q --db stage.db --snapshot $args
					echo "import rc=$?"
					"$pipe/mbr-normalize" -q --db stage.db
					echo "normalize rc=$?"
					"$pipe/mbr-dedupe" -q --db stage.db
					echo "dedupe rc=$?"
				) </dev/null 2>&1 | mask >"$d/out/pipe-$k"
				one_run "$d" "$k" "$bin" "$extra" "$mem" "" db
			done <"$work/$name/in/plan"
		done
		compare "$name" "$mem"
	done
	# shellcheck disable=SC2086
	memvar "$name" $mems
	coverage "$name"
}

pipe=${PIPE_BIN:-$(dirname "$OLD")}
[ -x "$pipe/mbr-dedupe" ] || pipe=$top/bin
start=$(date +%s)
echo "OLD $OLD${OLD_ARGS:+ $OLD_ARGS}"
echo "NEW $NEW${NEW_ARGS:+ $NEW_ARGS}"
echo "(import, normalize, dedupe: $pipe)"
if [ "$quick" = 1 ]; then
	mems="1K default"
	scenario tiny "" "" --seed 1 --records 12 --runs 4
	scenario empty "" "" --seed 2 --records 20 --runs 4 --kind empty
	scenario headers "" "" --seed 3 --records 30 --runs 3 --kind headers
	scenario stdin "" "" --seed 4 --records 40 --runs 3 --kind stdin
	scenario ties "M%d" "" --seed 5 --records 300 --runs 4 --kind ties
	scenario chains "X%05d-Z" "" --seed 6 --records 500 --runs 5 \
		--kind chains --files 3
	mems="1K 64K default"
	scenario mixed-3k "" "" --seed 7 --records 3000 --runs 4 --files 3
	mems="1K default"
	scenario db-200 "" db --seed 8 --records 200 --runs 4 --no-rejects
	pipeline pipeline-600 600 5 4
else
	mems="1K 64K default"
	scenario tiny "" "" --seed 1 --records 12 --runs 4
	scenario one "" "" --seed 11 --records 1 --runs 3
	scenario empty "" "" --seed 2 --records 20 --runs 4 --kind empty
	scenario empty-big "P%%%04d" "" --seed 12 --records 2000 --runs 5 \
		--kind empty
	scenario headers "" "" --seed 3 --records 30 --runs 3 --kind headers
	scenario stdin "" "" --seed 4 --records 400 --runs 3 --kind stdin
	scenario ties "M%d" "" --seed 5 --records 300 --runs 4 --kind ties
	scenario ties-5k "" "" --seed 15 --records 5000 --runs 5 --kind ties
	scenario chains "X%05d-Z" "" --seed 6 --records 500 --runs 6 \
		--kind chains --files 3
	scenario chains-10k "" "" --seed 16 --records 10000 --runs 5 \
		--kind chains
	scenario mixed-3k "" "" --seed 7 --records 3000 --runs 4 --files 3
	scenario mixed-20k "ID-%08d" "" --seed 17 --records 20000 --runs 4 \
		--files 4
	# at 1K or 4K the old binary's second and third runs fail with "cannot
	# create a sort run: Too many open files" (ulimit -n 20000): some
	# 25,000 sort runs with --lineage
	mems="8K 64K default"
	scenario mixed-50k "" "" --seed 27 --records 50000 --runs 3 --files 2
	mems="1K 64K default"
	scenario db-200 "" db --seed 8 --records 200 --runs 4 --no-rejects
	scenario db-ties "M%d" db --seed 18 --records 1000 --runs 4 \
		--no-rejects --kind ties
	scenario db-5k "" db --seed 28 --records 5000 --runs 4 --no-rejects \
		--kind chains
	pipeline pipeline-600 600 5 4
	pipeline pipeline-5k 5000 25 5
fi
echo "$count compared, $fails differ, $(($(date +%s) - start)) s"
[ "$fails" = 0 ]
