#!/usr/bin/env python3
"""The exact-key baseline bench/match.sh scores beside mbr-dedupe: records
that agree exactly on any one of four keys are one person (and so, by
chaining, are their clusters):

  1. id_number (any non-empty value)
  2. email
  3. name + birth_date
  4. name + mobile

Names are compared lower-case without spaces or punctuation ("Zhang Wei"
= "zhangwei"), nothing else is folded. No blocking, no weights, no
thresholds: what a migration gets from a few GROUP BYs.

  exact-baseline.py CANONICAL.csv > CLUSTERED.csv

Writes the records with a cluster_id column (the smallest
source/source_id of the cluster), as mbr-dedupe does.
"""
import csv
import sys

KEYS = (("id_number",), ("email",), ("name", "birth_date"),
        ("name", "mobile"))


def find(parent, x):
    while parent[x] != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x


def folded(v):
    return "".join(c for c in v.lower() if c.isalnum())


def main():
    with open(sys.argv[1], newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    parent = list(range(len(rows)))
    for key in KEYS:
        first = {}
        for i, r in enumerate(rows):
            vals = tuple(folded(r[k]) if k == "name" else r[k].strip()
                         for k in key)
            if not all(vals):
                continue
            j = first.setdefault(vals, i)
            a, b = find(parent, i), find(parent, j)
            if a != b:
                parent[a] = b
    name = {}
    for i, r in enumerate(rows):
        root = find(parent, i)
        sid = r["source"] + "/" + r["source_id"]
        if root not in name or sid < name[root]:
            name[root] = sid
    out = csv.writer(sys.stdout, lineterminator="\n")
    head = list(rows[0].keys()) if rows else []
    out.writerow(head + ["cluster_id"])
    for i, r in enumerate(rows):
        out.writerow([r[k] for k in head] + [name[find(parent, i)]])


if __name__ == "__main__":
    main()
