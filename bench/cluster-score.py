#!/usr/bin/env python3
"""Score mbr-dedupe's clusters against the truth: a regex on source_id
(FEBRL: rec-N-org, rec-N-dup-K: N is the person), a column of the records
(bench/gen-members.py: person_id), or a column of another file joined on
source_id (Splink's fake_20000.csv: cluster by unique_id).

  cluster-score.py CLUSTERED.csv [--truth REGEX | --truth-col COL |
                   --truth-file FILE --truth-key COL --truth-col COL]
                   [--pairs PAIRS.csv] [--household-col COL]
  cluster-score.py --link NEW_CLUSTERED.csv   (FEBRL dataset4a+4b)

Prints pairwise precision, recall, F1 and B-cubed precision, recall, F1.
With --pairs, also the share of true pairs that were scored at all
(blocking recall: every compared pair when the pairs floor is tiny). With
--household-col, the share of pairs of records of different people of one
household (twins, parent and child, spouses) put in one cluster.
"""
import argparse
import csv
import re
import sys
from collections import defaultdict


def truth_of(source_id, rx):
    m = rx.search(source_id)
    return m.group(1) if m else source_id


def pairs_of(groups):
    n = 0
    for k in groups.values():
        n += k * (k - 1) // 2
    return n


def pairwise(rows):
    """rows: (truth, cluster) per record."""
    by_cluster, by_truth, both = (defaultdict(int) for _ in range(3))
    for t, c in rows:
        by_cluster[c] += 1
        by_truth[t] += 1
        both[(t, c)] += 1
    tp = pairs_of(both)
    found = pairs_of(by_cluster)
    true = pairs_of(by_truth)
    p = tp / found if found else 1.0
    r = tp / true if true else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return tp, found, true, p, r, f


def bcubed(rows):
    csize, tsize, both = defaultdict(int), defaultdict(int), defaultdict(int)
    for t, c in rows:
        csize[c] += 1
        tsize[t] += 1
        both[(t, c)] += 1
    n = len(rows)
    p = sum(both[(t, c)] / csize[c] for t, c in rows) / n
    r = sum(both[(t, c)] / tsize[t] for t, c in rows) / n
    return p, r, 2 * p * r / (p + r)


def read(path, keep=None):
    """The records of a CSV file as dicts; with keep, only those columns
    (ten million records fit in a few GB)."""
    with open(path, newline="", encoding="utf-8") as f:
        rows = csv.reader(f)
        head = next(rows)
        cols = [(i, h) for i, h in enumerate(head)
                if keep is None or h in keep]
        return [{h: row[i] for i, h in cols} for row in rows]


def truth_of_records(a, recs):
    """Truth per record, keyed by (source, source_id)."""
    if a.truth_file:
        by_key = {r[a.truth_key]: r[a.truth_col] for r in read(a.truth_file)}
        return [by_key[r["source_id"]] for r in recs]
    if a.truth_col:
        return [r[a.truth_col] for r in recs]
    rx = re.compile(a.truth)
    return [truth_of(r["source_id"], rx) for r in recs]


def blocking_recall(path, truth, true):
    """Share of true pairs that are in the pairs file at all."""
    seen = set()
    with open(path, newline="", encoding="utf-8") as f:
        rows = csv.reader(f)
        head = next(rows)
        ia = (head.index("a_source"), head.index("a_source_id"))
        ib = (head.index("b_source"), head.index("b_source_id"))
        for row in rows:
            a = (row[ia[0]], row[ia[1]])
            b = (row[ib[0]], row[ib[1]])
            if truth.get(a, a) == truth.get(b, b):
                seen.add((a, b) if a < b else (b, a))
    return len(seen), len(seen) / true if true else 1.0


def household_merged(recs, truth, col):
    """Pairs of records of different people of one household in one
    cluster, and all such pairs."""
    by_house = defaultdict(list)
    for r, t in zip(recs, truth):
        by_house[r[col]].append((t, r["cluster_id"]))
    merged = pairs = 0
    for members in by_house.values():
        for i, (ta, ca) in enumerate(members):
            for tb, cb in members[i + 1:]:
                if ta != tb:
                    pairs += 1
                    merged += ca == cb
    return merged, pairs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("clustered")
    ap.add_argument("--truth", default=r"rec-(\d+)-")
    ap.add_argument("--truth-col", help="a column holding the truth "
                    "(bench/gen-members.py: person_id)")
    ap.add_argument("--truth-file", help="read --truth-col from this file, "
                    "joined on source_id = its --truth-key column")
    ap.add_argument("--truth-key", default="unique_id")
    ap.add_argument("--pairs")
    ap.add_argument("--household-col", help="a column naming each "
                    "record's household (bench/gen-members.py: "
                    "household_id)")
    ap.add_argument("--link", action="store_true",
                    help="records are new ones linked to masters: a link "
                         "is right when cluster_id names the same person")
    ap.add_argument("--label", default="")
    ap.add_argument("--tsv", action="store_true",
                    help="print only the numbers, tab-separated: precision, "
                         "recall, F1 (and B-cubed precision, recall, F1)")
    a = ap.parse_args()
    rx = re.compile(a.truth)
    recs = read(a.clustered, {"source", "source_id", "cluster_id",
                              a.truth_col, a.household_col})
    if a.link:
        linked = [r for r in recs
                  if r["cluster_id"] != r["source"] + "/" + r["source_id"]]
        right = sum(1 for r in linked
                    if truth_of(r["cluster_id"].split("/", 1)[-1], rx) ==
                    truth_of(r["source_id"], rx))
        linked = len(linked)
        p = right / linked if linked else 1.0
        rc = right / len(recs)
        f = 2 * p * rc / (p + rc) if p + rc else 0.0
        if a.tsv:
            print("%.4f\t%.4f\t%.4f" % (p, rc, f))
            return
        print("%s links: %d right of %d made, %d true; precision %.4f "
              "recall %.4f F1 %.4f" % (a.label, right, linked, len(recs),
                                        p, rc, f))
        return
    truth = truth_of_records(a, recs)
    rows = [(t, r["cluster_id"]) for t, r in zip(truth, recs)]
    tp, found, true, p, r, f = pairwise(rows)
    bp, br, bf = bcubed(rows)
    extra = ["", ""]
    if a.pairs:
        by_rec = {(x["source"], x["source_id"]): t
                  for x, t in zip(recs, truth)}
        seen, share = blocking_recall(a.pairs, by_rec, true)
        extra[0] = "%.4f" % share
    if a.household_col:
        merged, pairs = household_merged(recs, truth, a.household_col)
        extra[1] = "%.4f" % (merged / pairs if pairs else 0.0)
    if a.tsv:
        print("%.4f\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f\t%s\t%s"
              % (p, r, f, bp, br, bf, extra[0], extra[1]))
        return
    print("%s pairwise: %d right of %d found, %d true; precision %.4f "
          "recall %.4f F1 %.4f; B-cubed precision %.4f recall %.4f F1 %.4f"
          % (a.label, tp, found, true, p, r, f, bp, br, bf))
    if a.pairs:
        print("%s true pairs compared (in the pairs file): %d of %d (%s)"
              % (a.label, seen, true, extra[0]))
    if a.household_col:
        print("%s pairs of people of one household merged: %d of %d (%s)"
              % (a.label, merged, pairs, extra[1]))

if __name__ == "__main__":
    sys.exit(main())
