#!/usr/bin/env python3
"""Write a randomized multi-run scenario for mbr-merge-id (bench/mergeid-diff.sh).

usage: python3 bench/gen-mergeid-runs.py [options] OUTDIR

  --seed S        random seed (default 1); the same seed and options give
                  the same files, byte for byte
  --records N     records alive in a run, about (default 200)
  --runs R        successive runs (default 4)
  --files K       at most K input files per run, same header (default 2)
  --kind KIND     mixed (default), ties (small clusters, equal splits),
                  chains (merges of merges), empty (header-only and empty
                  inputs), headers (one run whose files differ in column
                  order: an error), stdin (inputs on standard input)
  --no-rejects    no rejected rows (for --db, where the database holds one
                  row per (source, source_id))

       python3 bench/gen-mergeid-runs.py --nightly MEMBERS.csv [--seed S]
                  [--runs R] OUTDIR

OUTDIR gets run1-a.csv, run1-b.csv, ... and `plan`, one line per run:

  run ARG...      the arguments of that run's mbr-merge-id call after the
                  options the driver adds (--xref, -o, --changes, ...):
                  input files; "<FILE" means FILE on standard input;
                  NOREJECTS means no --rejects (merge-id picks its default
                  file).

Between runs the clusters evolve as mbr-dedupe's would over nightly loads:
new records (alone, as new people, or joining a cluster); clusters split
in two or three (sometimes in equal halves: ties); two or three clusters
merged (a new record bridging members); single records moving; records
leaving the input (carried by the crosswalk) and coming back elsewhere.
Cluster IDs are renamed every run (dedupe's are arbitrary). Each run adds
rows to reject: empty cluster_id, source or source_id (or only blanks), a
(source, source_id) repeated in the same or another cluster, points that
are not integers. Values include non-ASCII text, commas, quotes, newlines
and CRLF line ends; column order changes from run to run. All made up.

--nightly: the source exports of R nights, for mbr-import --snapshot
through mbr-normalize and mbr-dedupe (which then decide the clusters),
from canonical records with duplicates planted (bench/gen-members.py).
OUTDIR gets one map per source (SOURCE.map) and runK-SOURCE.csv, each
night's full state of that source: night 1 has about 70% of the records;
every later night adds about 10% more, drops about 3% (deleted at source;
some come back later) and changes about 5%: a mobile, e-mail or ID number
taken from another record (dedupe may bridge two members) or blanked (it
may split one), a name retyped, points changed. `plan` has one line per
night: "run --map MAP FILE --map MAP FILE ...".
"""

import argparse
import csv
import os
import random

SOURCES = ["pos_legacy", "webshop", "crm", "app", "ñandú-crm", "src,comma",
           'q"uote', "会员系统"]
NAMES = ["王伟", "李娜", "张敏", "刘洋", "陈静", "Zoë Smith", "O'Brien, Pat",
         'Li "Lee" Na', "Ann\nMarie", "José Ñúñez", "山田 太郎", "x", "",
         "  spaced  ", "Müller;Grüß", "Renée", "陈,静", "=SUM(A1)"]
CITIES = ["上海市", "北京市", "Zürich", "São Paulo", "", "广州市", "New\nYork"]
STATUS = ["active", "inactive", "", "suspended"]
BAD_POINTS = ["1.5", "abc", "1e3", "0x10", "12 apples", "--3", "½", "+",
              "99999999999999999999999"]
COLUMNS = ["source", "source_id", "cluster_id", "name", "gender",
           "birth_date", "mobile", "email", "city", "address", "tier",
           "points", "registered_at", "last_active_at", "status", "_issues",
           "note"]
ISSUES = ["", "", "", "", "mobile:invalid", "email:typo;birth_date:guessed",
          "name:pinyin"]


class Gen:
    def __init__(self, rng, kind):
        self.rng = rng
        self.kind = kind
        self.next_gid = 1
        self.group = {}  # key -> gid (the current cluster)
        self.alive = set()  # keys in the input this run
        self.gone = set()  # keys seen earlier, out of the input now
        self.values = {}  # key -> dict of stable values
        self.used_ids = {}  # source -> count

    def new_gid(self):
        self.next_gid += 1
        return self.next_gid - 1

    def new_key(self):
        rng = self.rng
        src = rng.choice(SOURCES[:3]) if rng.random() < 0.85 else \
            rng.choice(SOURCES)
        n = self.used_ids.get(src, 0) + 1
        self.used_ids[src] = n
        style = rng.random()
        if style < 0.6:
            sid = str(n * 7 + rng.randint(0, 6))  # "10" sorts before "9"
        elif style < 0.75:
            sid = "%08d" % (n * 13)  # leading zeros
        elif style < 0.85:
            sid = "K-%x" % (n * 31)
        elif style < 0.92:
            sid = "号%d" % n
        elif style < 0.96:
            sid = "id,%d\"q" % n
        else:
            sid = "%d " % n if rng.random() < 0.5 else " %d" % n
        key = (src, sid)
        if key in self.group:
            return self.new_key()
        return key

    def person(self):
        rng = self.rng
        return {
            "name": rng.choice(NAMES),
            "gender": rng.choice("MF "),
            "birth_date": "%04d-%02d-%02d" % (rng.randint(1940, 2010),
                                              rng.randint(1, 12),
                                              rng.randint(1, 28)),
            "city": rng.choice(CITIES),
        }

    def add_record(self, key, gid, person):
        rng = self.rng
        v = dict(person)
        if rng.random() < 0.3:
            v["name"] = rng.choice(NAMES)
        v["mobile"] = "+8613%09d" % rng.randint(0, 10**9 - 1) \
            if rng.random() < 0.8 else "13%d" % rng.randint(0, 999)
        v["email"] = "m%d@example.cn" % rng.randint(1, 10**6) \
            if rng.random() < 0.7 else ""
        v["address"] = "%s路%d号" % (rng.choice(["人民", "建国", "Main, St"]),
                                    rng.randint(1, 300))
        v["registered_at"] = "20%02d-%02d-%02d" % (rng.randint(5, 25),
                                                 rng.randint(1, 12),
                                                 rng.randint(1, 28))
        self.values[key] = v
        self.group[key] = gid
        self.alive.add(key)

    def groups(self):
        g = {}
        for k in self.alive:
            g.setdefault(self.group[k], []).append(k)
        for members in g.values():
            members.sort()
        return g

    def first_run(self, n):
        while len(self.alive) < n:
            self.new_person()

    def new_person(self):
        rng = self.rng
        if self.kind == "ties":
            size = rng.choice([1, 2, 2, 4, 4, 6])
        else:
            size = rng.choice([1] * 6 + [2] * 3 + [3, 3, 4, 5, 8])
        gid = self.new_gid()
        p = self.person()
        for _ in range(size):
            self.add_record(self.new_key(), gid, p)

    def evolve(self, n):
        rng = self.rng
        ops = max(1, n // 12)
        g = self.groups()
        # splits
        big = [x for x in sorted(g) if len(g[x]) >= 2]
        rng.shuffle(big)
        for x in big[:ops]:
            members = list(g.pop(x))
            rng.shuffle(members)
            parts = 3 if len(members) >= 3 and rng.random() < 0.3 else 2
            if self.kind == "ties" or rng.random() < 0.3:
                cuts = [len(members) * i // parts for i in range(parts + 1)]
            else:
                cuts = [0] + sorted(rng.sample(range(1, len(members)),
                                               parts - 1)) + [len(members)]
            for i in range(parts):
                part = members[cuts[i]:cuts[i + 1]]
                if not part:
                    continue
                y = x if i == 0 and rng.random() < 0.5 else self.new_gid()
                for k in part:
                    self.group[k] = y
                g[y] = part
        # bridge merges of two or three clusters (sometimes by a new
        # record); a merged cluster may be merged again (chains)
        merges = ops * (3 if self.kind == "chains" else 1)
        live = sorted(g)
        for _ in range(merges):
            if len(live) < 3:
                break
            want = 3 if rng.random() < 0.3 else 2
            xs = []
            for _ in range(want):
                i = rng.randrange(len(live))
                live[i], live[-1] = live[-1], live[i]
                xs.append(live.pop())
            into = xs[0] if rng.random() < 0.5 else self.new_gid()
            merged = []
            for x in xs:
                merged += g.pop(x)
            if rng.random() < 0.5:
                k = self.new_key()
                self.add_record(k, into, self.values[merged[0]])
                merged.append(k)
            for k in merged:
                self.group[k] = into
            g[into] = merged
            if self.kind == "chains" or rng.random() < 0.3:
                live.append(into)
        # single records moving to another cluster
        keys = sorted(self.alive)
        for _ in range(ops):
            if len(keys) < 2:
                break
            k = rng.choice(keys)
            other = self.group[rng.choice(keys)]
            self.group[k] = other if rng.random() < 0.7 else self.new_gid()
        # records leaving the input (carried), whole clusters too
        g = self.groups()
        for _ in range(ops):
            if not keys:
                break
            k = rng.choice(keys)
            if k not in self.alive:
                continue
            leaving = [k]
            if rng.random() < 0.3:
                leaving = g.get(self.group[k], [k])
            for x in leaving:
                self.alive.discard(x)
                self.gone.add(x)
        # records coming back, in their old cluster or another
        back = sorted(self.gone)
        rng.shuffle(back)
        keys = sorted(self.alive)
        for k in back[:ops // 2 + 1]:
            self.gone.discard(k)
            self.alive.add(k)
            if rng.random() < 0.5 and keys:
                self.group[k] = self.group[rng.choice(keys)]
        # new people and new members of existing clusters
        while len(self.alive) < n:
            if rng.random() < 0.3 and keys:
                other = rng.choice(keys)
                self.add_record(self.new_key(), self.group[other],
                                self.values[other])
            else:
                self.new_person()

    def label(self, gid, run, style):
        rng = self.rng
        if style == 0:
            return "c%d" % rng.randint(1, 10**9)
        if style == 1:
            return "%d" % (gid * 1000 + run)
        if style == 2:
            return "簇-%d-%d" % (run, gid)
        return '%d,"%d"' % (run, gid)

    def rows(self, run, rejects):
        rng = self.rng
        style = rng.randint(0, 3)
        labels, seen = {}, set()
        for gid in sorted({self.group[k] for k in self.alive}):
            lab = self.label(gid, run, style)
            while lab in seen:
                lab += "x"
            seen.add(lab)
            labels[gid] = lab
        out = []
        for k in sorted(self.alive):
            v = self.values[k]
            row = dict(v)
            row["source"], row["source_id"] = k
            row["cluster_id"] = labels[self.group[k]]
            row["tier"] = str(rng.randint(0, 5)) if rng.random() < 0.9 \
                else rng.choice(["", "gold"])
            r = rng.random()
            if r < 0.05:
                row["points"] = ""
            elif r < 0.07:
                row["points"] = str(rng.randint(-500, -1))
            elif r < 0.0725:
                # past 10^12: rejected as out of range
                row["points"] = str(rng.randint(10**12 + 1, 10**15))
            elif r < 0.075:
                # in range, but several summed may not be
                row["points"] = str(rng.randint(9 * 10**11, 10**12))
            elif r < 0.08:
                row["points"] = " %d " % rng.randint(0, 99)
            else:
                row["points"] = str(rng.randint(0, 20000))
            row["last_active_at"] = "2025-%02d-%02d" % (rng.randint(1, 12),
                                                       rng.randint(1, 28)) \
                if rng.random() < 0.8 else ""
            row["status"] = rng.choice(STATUS)
            row["_issues"] = rng.choice(ISSUES)
            row["note"] = rng.choice(["", "pass,through", "n\"q"])
            out.append(row)
        if rejects and out:
            nbad = max(2, len(out) // 50)
            for _ in range(nbad):
                base = dict(rng.choice(out))
                what = rng.randint(0, 7)
                if what == 0:
                    base["cluster_id"] = rng.choice(["", "  "])
                elif what == 1:
                    base["source"] = rng.choice(["", " "])
                elif what == 2:
                    base["source_id"] = rng.choice(["", "\t"])
                elif what == 3:
                    base["points"] = rng.choice(BAD_POINTS)
                    base["source_id"] = self.new_key()[1]
                elif what in (4, 5):
                    # the same record again: same cluster or another
                    if what == 5:
                        base["cluster_id"] = rng.choice(out)["cluster_id"]
                    base["points"] = str(rng.randint(0, 9))
                elif what == 6:
                    # a record the crosswalk knows, now rejected: carried
                    idx = rng.randrange(len(out))
                    out[idx] = dict(out[idx])
                    out[idx]["points"] = rng.choice(BAD_POINTS)
                    continue
                else:
                    base["cluster_id"] = ""
                    base["source_id"] = self.new_key()[1]
                out.append(base)
        rng.shuffle(out)
        return out


def write_csv(path, cols, rows, rng):
    crlf = rng.random() < 0.15
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\r\n" if crlf else "\n")
        w.writerow(cols)
        for r in rows:
            w.writerow([r.get(c, "") for c in cols])


NIGHT_FIELDS = ["name", "family_name", "given_name", "gender", "birth_date",
                "mobile", "phone", "email", "id_type", "id_number", "country",
                "province", "city", "district", "address", "postal_code",
                "tier", "points", "registered_at", "last_active_at", "store",
                "channel", "consent_marketing", "status"]


def nightly(a):
    rng = random.Random("nightly/%d" % a.seed)
    with open(a.nightly, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    os.makedirs(a.outdir, exist_ok=True)
    sources = sorted({r["source"] for r in rows})
    for src in sources:
        with open(os.path.join(a.outdir, src + ".map"), "w") as f:
            f.write("[source]\nname = %s\nkey = source_id\n[fields]\n" % src)
            for c in NIGHT_FIELDS:
                f.write("%s = %s\n" % (c, c))
    order = list(range(len(rows)))
    rng.shuffle(order)
    alive = set(order[:len(order) * 7 // 10])
    waiting = order[len(order) * 7 // 10:]
    gone = []
    plan = []
    for run in range(1, a.runs + 1):
        if run > 1:
            add = len(rows) // 10
            alive.update(waiting[:add])
            waiting = waiting[add:]
            for i in sorted(alive):
                if rng.random() < 0.03:
                    alive.discard(i)
                    gone.append(i)
            for i in list(gone):
                if rng.random() < 0.3:
                    gone.remove(i)
                    alive.add(i)
            live = sorted(alive)
            for i in live:
                if rng.random() >= 0.05:
                    continue
                r = rows[i] = dict(rows[i])
                what = rng.randint(0, 4)
                if what == 0:
                    other = rows[rng.choice(live)]
                    for c in ("mobile", "email", "id_number"):
                        r[c] = other[c]
                elif what == 1:
                    for c in ("mobile", "email", "id_number"):
                        r[c] = ""
                elif what == 2:
                    r["name"] = r["name"][::-1]
                    r["given_name"] = r["given_name"][::-1]
                else:
                    r["points"] = str(rng.randint(0, 50000))
        args = []
        for src in sources:
            name = "run%d-%s.csv" % (run, src)
            with open(os.path.join(a.outdir, name), "w", newline="",
                      encoding="utf-8") as f:
                w = csv.writer(f, lineterminator="\n")
                w.writerow(["source_id"] + NIGHT_FIELDS)
                for i in sorted(alive):
                    r = rows[i]
                    if r["source"] == src:
                        w.writerow([r["source_id"]] +
                                   [r.get(c, "") for c in NIGHT_FIELDS])
            args += ["--map", src + ".map", name]
        plan.append("run " + " ".join(args))
    with open(os.path.join(a.outdir, "plan"), "w") as f:
        f.write("\n".join(plan) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--records", type=int, default=200)
    ap.add_argument("--runs", type=int, default=4)
    ap.add_argument("--files", type=int, default=2)
    ap.add_argument("--kind", default="mixed",
                    choices=["mixed", "ties", "chains", "empty", "headers",
                             "stdin"])
    ap.add_argument("--no-rejects", action="store_true")
    ap.add_argument("--nightly", metavar="MEMBERS")
    ap.add_argument("outdir")
    a = ap.parse_args()
    if a.nightly:
        nightly(a)
        return
    rng = random.Random("%d/%s/%d" % (a.seed, a.kind, a.records))
    os.makedirs(a.outdir, exist_ok=True)
    g = Gen(rng, a.kind)
    plan = []
    for run in range(1, a.runs + 1):
        if run == 1:
            g.first_run(a.records)
        else:
            g.evolve(a.records)
        rows = g.rows(run, not a.no_rejects)
        # the same columns, another order, each run; `note` and `_issues`
        # sometimes left out
        cols = list(COLUMNS)
        rng.shuffle(cols)
        if rng.random() < 0.3:
            cols.remove("note")
        if rng.random() < 0.2:
            cols.remove("_issues")
        args = []
        if a.kind == "empty" and run % 2 == 1:
            # header-only input: every record of the crosswalk carried
            rows = []
        nfiles = rng.randint(1, max(1, a.files)) if rows else 1
        cut = sorted(rng.sample(range(len(rows) + 1), nfiles - 1)) \
            if nfiles > 1 else []
        bounds = [0] + cut + [len(rows)]
        for i in range(nfiles):
            name = "run%d-%s.csv" % (run, "abcdefgh"[i])
            fcols = cols
            if a.kind == "headers" and run == 2 and i == 1:
                fcols = list(reversed(cols))
            write_csv(os.path.join(a.outdir, name), fcols,
                      rows[bounds[i]:bounds[i + 1]], rng)
            args.append(name)
        if a.kind == "stdin" and len(args) == 1:
            args = ["<" + args[0]]
        elif a.kind == "stdin":
            # "-" among the files: the first file on standard input
            args = ["-"] + args[1:] + ["<" + args[0]]
        if a.kind == "empty" and run == a.runs:
            # an empty file (no header): an error, nothing written
            open(os.path.join(a.outdir, "run%d-z.csv" % run), "w").close()
            args = ["run%d-z.csv" % run]
        if rng.random() < 0.1:
            args.insert(0, "NOREJECTS")
        plan.append("run " + " ".join(args))
    with open(os.path.join(a.outdir, "plan"), "w") as f:
        f.write("\n".join(plan) + "\n")


if __name__ == "__main__":
    main()
