#!/bin/sh
# The sample pipeline on sample-data/: import the three exports, then each
# tool that exists in BIN joins the pipeline. Results go to out/.
bin=${1:-bin}
out=out
mkdir -p "$out"
run() {
	echo "\$ $*" | sed "s|$bin/||g"
	"$@"
	rc=$?
	if [ $rc -gt 1 ]; then
		echo "demo: '$1' failed with exit $rc" >&2
		exit $rc
	fi
}
run "$bin/mbr-import" --rejects "$out/import-rejects.csv" -o "$out/imported.csv" \
	--map mappings/pos.map sample-data/pos_legacy.csv \
	--map mappings/webshop.map sample-data/webshop.csv \
	--map mappings/crm.map sample-data/crm.tsv
stage="$out/imported.csv"
if [ -x "$bin/mbr-normalize" ]; then
	run "$bin/mbr-normalize" -o "$out/normalized.csv" "$stage"
	stage="$out/normalized.csv"
fi
if [ -x "$bin/mbr-validate" ]; then
	run "$bin/mbr-validate" --rules mappings/rules.ini \
		--rejects "$out/validate-rejects.csv" --report "$out/validate-report.csv" \
		-o "$out/valid.csv" "$stage"
	stage="$out/valid.csv"
fi
if [ -x "$bin/mbr-dedupe" ]; then
	run "$bin/mbr-dedupe" --pairs "$out/pairs.csv" --review "$out/review.csv" \
		-o "$out/clustered.csv" "$stage"
	stage="$out/clustered.csv"
fi
if [ -x "$bin/mbr-merge-id" ] && [ "$stage" = "$out/clustered.csv" ]; then
	run "$bin/mbr-merge-id" --xref "$out/xref.csv" --lineage "$out/lineage.csv" \
		-o "$out/masters.csv" "$stage"
	stage="$out/masters.csv"
fi
if [ -x "$bin/mbr-report" ] && [ -f "$out/clustered.csv" ]; then
	run "$bin/mbr-report" --pairs "$out/pairs.csv" \
		--rejected "$out/import-rejects.csv" --rejected "$out/validate-rejects.csv" \
		-o "$out/report.html" "$out/clustered.csv"
fi
run "$bin/mbr-export" --map mappings/newcrm-target.map \
	-o "$out/newcrm.csv" "$stage"
run "$bin/mbr-export" --mask mobile,id_number,email,name \
	-o "$out/masked.csv" "$stage"
echo
echo "demo: results in $out/:"
for f in "$out"/*; do printf "  %-28s %8s bytes\n" "${f#"$out"/}" "$(wc -c <"$f")"; done
