#!/usr/bin/env python3
"""Every record accounted for, no masked value leaked (issue 11).

check.py files OUTDIR      the pipeline's files in OUTDIR
check.py db STAGE.DB OUTDIR  the same pipeline under --db

Reads mbr's outputs with Python's csv module (not mbr's reader) and checks:
 1. mbr-import's records and rejects number each source's records 1..N,
    every number once;
 2. every one of those records ends in exactly one place: the crosswalk
    (through the records merge-id took) or one rejects file/table;
 3. the points of the records merge-id took add up to the masters' points;
 4. no masked output holds a clear value of a masked field or of a column
    derived from it (family_name, given_name of name; birth_date of
    id_number).
"""
import csv
import glob
import os
import sqlite3
import sys

csv.field_size_limit(1 << 30)


def rows(path):
    with open(path, newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def check_numbering(imported, import_rejects):
    seen = {}
    for r in imported + import_rejects:
        key = (r["source"], int(r["source_row"]))
        if key in seen:
            fail(f"{key} twice in mbr-import's output and rejects")
        seen[key] = True
    for src in sorted({s for s, _ in seen}):
        n = max(k for s, k in seen if s == src)
        got = sum(1 for s, _ in seen if s == src)
        if got != n:
            fail(f"{src}: {got} records numbered up to {n}")
        print(f"{src}: records 1..{n}, each once")
    return seen


def check_places(seen, kept, rejected):
    place = {}
    for key in kept:
        place.setdefault(key, []).append("crosswalk")
    for key, tool in rejected:
        place.setdefault(key, []).append(tool)
    for key in seen:
        if len(place.get(key, [])) != 1:
            fail(f"{key} is in {place.get(key, [])}, expected one place")
    extra = set(place) - set(seen)
    if extra:
        fail(f"records from nowhere: {sorted(extra)[:5]}")
    tools = {}
    for key, p in place.items():
        tools[p[0]] = tools.get(p[0], 0) + 1
    print("every record in exactly one place:",
          ", ".join(f"{t} {n}" for t, n in sorted(tools.items())))


def points(records):
    return sum(int(r["points"]) for r in records if r.get("points", "").strip())


LEAKS = {"name": ["name", "family_name", "given_name"],
         "mobile": ["mobile"], "email": ["email"],
         "id_number": ["id_number", "birth_date"]}


def check_masks(clear_rows, masked_files):
    secrets = set()
    for r in clear_rows:
        for cols in LEAKS.values():
            for c in cols:
                v = r.get(c, "").strip()
                # one-character values (a surname) may occur by chance
                if len(v) >= 2:
                    secrets.add(v)
    for path in masked_files:
        with open(path, encoding="utf-8-sig", errors="replace") as f:
            text = f.read()
        cells = set()
        for row in csv.reader(text.splitlines()):
            cells.update(x.strip() for x in row)
        leaked = sorted(secrets & cells)
        if leaked:
            fail(f"{os.path.basename(path)} holds {len(leaked)} clear values")
    print(f"masked outputs hold none of {len(secrets)} clear values")


def files_mode(out):
    imported = rows(f"{out}/imported.csv")
    import_rejects = rows(f"{out}/import-rejects.csv")
    seen = check_numbering(imported, import_rejects)
    rejected = [((r["source"], int(r["source_row"])), "mbr-import")
                for r in import_rejects]
    for tool in ("normalize", "validate", "dedupe", "merge-id"):
        path = f"{out}/{tool}-rejects.csv"
        if os.path.exists(path):
            rejected += [((r["source"], int(r["source_row"])), "mbr-" + tool)
                         for r in rows(path)]
    clustered = rows(f"{out}/clustered.csv")
    xref = {(r["source"], r["source_id"]) for r in rows(f"{out}/xref.csv")
            if r["source"]}
    took = [r for r in clustered if (r["source"], r["source_id"]) in xref]
    if len(took) != len(xref):
        fail(f"{len(xref)} crosswalk rows, {len(took)} records behind them")
    kept = [(r["source"], int(r["source_row"])) for r in took]
    check_places(seen, kept, rejected)
    masters = rows(f"{out}/masters.csv")
    if points(took) != points(masters):
        fail(f"points {points(took)} in, {points(masters)} out")
    print(f"points {points(took)} in = {points(masters)} out")
    check_masks(masters, [f"{out}/masked.csv", f"{out}/newcrm-masked.csv"])


def db_mode(db, out):
    con = sqlite3.connect(db)
    q = con.execute
    runs = dict(q("SELECT tool, run_id FROM runs WHERE tool = 'mbr-import'"))
    imp = runs["mbr-import"]
    recs = [dict(source=s, source_row=r) for s, r in
            q("SELECT source, source_row FROM records WHERE run_id = ? OR "
              "run_id > ?", (imp, imp))]
    rej = list(q("SELECT source, source_row, tool FROM rejects"))
    imp_rej = [dict(source=s, source_row=r) for s, r, t in rej
               if t == "mbr-import"]
    n_in = q("SELECT n_in FROM runs WHERE run_id = ?", (imp,)).fetchone()[0]
    seen = check_numbering(recs + [dict(source=s, source_row=r)
                                   for s, r, t in rej if t != "mbr-import"],
                           imp_rej)
    if len(seen) != n_in:
        fail(f"mbr-import read {n_in}, {len(seen)} accounted for")
    rejected = [((s, int(r)), t) for s, r, t in rej]
    kept = [(s, int(r)) for s, r in
            q("SELECT r.source, r.source_row FROM records r JOIN xref x "
              "ON x.source = r.source AND x.source_id = r.source_id")]
    n_xref = q("SELECT count(*) FROM xref").fetchone()[0]
    if n_xref != len(kept):
        fail(f"{n_xref} crosswalk rows, {len(kept)} records behind them")
    check_places(seen, kept, rejected)
    p_in = q("SELECT total(CAST(points AS INTEGER)) FROM records "
             "WHERE points != ''").fetchone()[0]
    p_out = q("SELECT total(CAST(points AS INTEGER)) FROM masters "
              "WHERE points != ''").fetchone()[0]
    if p_in != p_out:
        fail(f"points {p_in} in, {p_out} out")
    print(f"points {int(p_in)} in = {int(p_out)} out")
    cols = [d[0] for d in q("SELECT * FROM masters LIMIT 0").description]
    masters = [dict(zip(cols, r)) for r in q("SELECT * FROM masters")]
    check_masks(masters, [f"{out}/masked.csv", f"{out}/newcrm-masked.csv"])


if sys.argv[1] == "files":
    files_mode(sys.argv[2])
else:
    db_mode(sys.argv[2], sys.argv[3])
