#!/bin/sh
# contrib/dask/mbr_dask.py on a local Dask cluster of 3 worker processes
# (127.0.0.1): normalize and validate mapped over 4 partitions, dedupe in
# 4 shards, the --from-pairs cluster step and merge-id give the crosswalk
# and the masters of the same tools run on one machine, byte for byte.
# Skipped, with a message, where python3-distributed is not installed.
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
bin=${MBR_BIN:-$top/bin}
py=""
for p in python3 /usr/bin/python3; do
	if "$p" -c 'import distributed' >/dev/null 2>&1; then
		py=$p
		break
	fi
done
if [ -z "$py" ]; then
	echo "dask: skipped: python3-distributed is not installed" \
		"(apt-get install python3-distributed)"
	exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
fail() {
	echo "--- dask: $1"
	[ -f dask.err ] && tail -20 dask.err
	echo "dask: 0 passed, 1 failed"
	exit 1
}
rules=$top/mappings/rules.ini
python3 "$top/bench/gen-members.py" 3000 >members.csv || fail "generator"
PATH="$bin:$PATH"
MBR_DATADIR=${MBR_DATADIR:-$top/data}
export PATH MBR_DATADIR
{ mbr-normalize -q members.csv | mbr-validate -q --rules "$rules" \
	--rejects rejects.csv | mbr-dedupe -q | mbr-merge-id -q \
	--xref xref.one.csv -o masters.one.csv; } 2>one.err ||
	[ -s masters.one.csv ] || fail "the one-machine pipeline failed"
"$py" "$top/contrib/dask/mbr_dask.py" --local 3 --bin "$bin" \
	--workdir dask --partitions 4 --shards 4 --validate-rules "$rules" \
	--xref xref.dask.csv -o masters.dask.csv members.csv 2>dask.err ||
	fail "mbr_dask.py failed"
[ "$(grep -c 'dedupe shard' dask.err)" = 4 ] || fail "not 4 dedupe shards"
cmp xref.one.csv xref.dask.csv || fail "crosswalks differ"
cmp masters.one.csv masters.dask.csv || fail "masters differ"
[ "$(wc -l <xref.dask.csv)" -gt 2000 ] || fail "crosswalk too short"
[ "$(stat -c %a dask)" = 700 ] || fail "workdir not 0700"
echo "dask: 1 passed, 0 failed"
