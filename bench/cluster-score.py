#!/usr/bin/env python3
"""Score mbr-dedupe's clusters against the truth a regex pulls out of
source_id (FEBRL: rec-N-org, rec-N-dup-K: N is the person).

  cluster-score.py CLUSTERED.csv [--truth REGEX | --truth-col COL]
                   [--pairs PAIRS.csv]
  cluster-score.py --link NEW_CLUSTERED.csv   (FEBRL dataset4a+4b)

Prints pairwise precision, recall, F1 and B-cubed precision, recall, F1.
With --pairs, also the share of true pairs that were scored at all
(blocking recall above the pairs floor).
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
    for members in groups.values():
        k = len(members)
        n += k * (k - 1) // 2
    return n


def pairwise(rows):
    """rows: (truth, cluster) per record."""
    by_cluster, by_truth, both = (defaultdict(list) for _ in range(3))
    for i, (t, c) in enumerate(rows):
        by_cluster[c].append(i)
        by_truth[t].append(i)
        both[(t, c)].append(i)
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


def read(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("clustered")
    ap.add_argument("--truth", default=r"rec-(\d+)-")
    ap.add_argument("--truth-col", help="a column holding the truth "
                    "(bench/gen-members.py: person_id)")
    ap.add_argument("--pairs")
    ap.add_argument("--link", action="store_true",
                    help="records are new ones linked to masters: a link "
                         "is right when cluster_id names the same person")
    ap.add_argument("--label", default="")
    ap.add_argument("--tsv", action="store_true",
                    help="print only the numbers, tab-separated: precision, "
                         "recall, F1 (and B-cubed precision, recall, F1)")
    a = ap.parse_args()
    rx = re.compile(a.truth)
    recs = read(a.clustered)
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
    if a.truth_col:
        rows = [(r[a.truth_col], r["cluster_id"]) for r in recs]
    else:
        rows = [(truth_of(r["source_id"], rx), r["cluster_id"]) for r in recs]
    tp, found, true, p, r, f = pairwise(rows)
    bp, br, bf = bcubed(rows)
    if a.tsv:
        print("%.4f\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f" % (p, r, f, bp, br, bf))
        return
    print("%s pairwise: %d right of %d found, %d true; precision %.4f "
          "recall %.4f F1 %.4f; B-cubed precision %.4f recall %.4f F1 %.4f"
          % (a.label, tp, found, true, p, r, f, bp, br, bf))
    if a.pairs:
        seen = set()
        for row in read(a.pairs):
            ta = truth_of(row["a_source_id"], rx)
            tb = truth_of(row["b_source_id"], rx)
            if ta == tb:
                seen.add(tuple(sorted((row["a_source_id"],
                                       row["b_source_id"]))))
        print("%s true pairs scored above the pairs floor: %d of %d (%.4f)"
              % (a.label, len(seen), true, len(seen) / true if true else 1))


if __name__ == "__main__":
    sys.exit(main())
