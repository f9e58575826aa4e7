"""Compare two canonical CSV files cell by cell (column channel set aside)."""
import csv
import sys

name, a_path, b_path = sys.argv[1:4]
with open(a_path, newline="", encoding="utf-8") as f:
    a = list(csv.DictReader(f))
with open(b_path, newline="", encoding="utf-8") as f:
    b = list(csv.DictReader(f))
diffs = []
if len(a) != len(b):
    diffs.append(f"{len(a)} records against {len(b)}")
for ra, rb in zip(a, b):
    for col in ra:
        if col == "channel":
            continue
        if ra[col] != rb.get(col):
            diffs.append(f"row {ra['source_row']} {col}: {ra[col]!r} against {rb.get(col)!r}")
print(f"{name}: {len(a)} records, {len(diffs)} differences")
for d in diffs:
    print("  " + d)
