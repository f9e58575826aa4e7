# Sourced by the reconcile cases: the sample exports through the nightly
# pipeline into stage.db, and the masters loaded faithfully (target.map)
# into target.csv, as the target would export them.
cp "$TOP"/sample-data/pos_legacy.csv "$TOP"/sample-data/webshop.csv "$TOP"/sample-data/crm.tsv .
cp "$TOP"/mappings/pos.map "$TOP"/mappings/webshop.map "$TOP"/mappings/crm.map .
cp "$TOP"/tests/cli/reconcile/target.map "$TOP"/tests/cli/reconcile/target-export.map .
mbr import -q --db stage.db --map pos.map pos_legacy.csv \
	--map webshop.map webshop.csv --map crm.map crm.tsv 2>/dev/null
mbr normalize -q --db stage.db
mbr validate -q --db stage.db 2>/dev/null
mbr dedupe -q --db stage.db
mbr merge-id -q --db stage.db
mbr export -q --db stage.db --from masters --map target.map -o target.csv
