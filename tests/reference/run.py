#!/usr/bin/env python3
"""mbr-normalize held against third-party test suites and reference data.

Reads every tests/reference/cases/*.tsv (columns: field, input, expect,
note; '#' lines are the file's header naming its source and licence), puts
each case into one record, runs $MBR_BIN/mbr-normalize over all of them
once, and compares what mbr wrote with what the reference expects. Prints
the agreement per field, every disagreement with its reason from
known.tsv, and the closing line

    reference: N passed, M failed, K skipped

N cases agree; M disagree with no reason in known.tsv; K disagree with a
reason (listed). Exit status 1 when M > 0 or when agreement on the cases
where the reference is beyond argument (known.tsv kind "arguable" marks
the others) is under 99.5 %.

known.tsv: field, a regular expression matched against the whole input
(or against input, a tab and the case's note),
kind (arguable: the reference is not beyond argument; differs: mbr decides
otherwise on purpose), reason.
"""
import csv
import glob
import io
import os
import re
import subprocess
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
THRESHOLD = 99.5
COLUMNS = ["source", "source_id", "source_row", "name", "gender",
           "birth_date", "mobile", "phone", "email", "id_type", "id_number",
           "country", "province", "city", "district", "address"]


def unescape(s):
    return s.replace("\\t", "\t").replace("\\\\", "\\")


def load_cases():
    cases = []
    for path in sorted(glob.glob(os.path.join(HERE, "cases", "*.tsv"))):
        name = os.path.basename(path)
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.rstrip("\n")
                if not line or line.startswith("#"):
                    continue
                field, inp, expect, note = (line.split("\t") + [""] * 4)[:4]
                cases.append({"file": name, "field": field,
                              "input": unescape(inp), "expect": expect,
                              "note": note})
    return cases


def load_known():
    known = []
    with open(os.path.join(HERE, "known.tsv"), encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            field, rx, kind, reason = line.split("\t")
            known.append((field, re.compile(rx), kind, reason))
    return known


def record_of(c):
    """The record a case becomes, and the fields it is judged on."""
    r = dict.fromkeys(COLUMNS, "")
    f, v = c["field"], c["input"]
    if f.startswith("id_"):
        r["id_type"] = "CN_RIC"
        r["id_number"] = v
    elif f == "email":
        r["email"] = v
    elif f == "name":
        r["name"] = v
    elif f == "address":
        r["address"] = v
    elif f == "phone":
        region, nsn = v.split("|")
        r["country"] = region
        r["phone"] = nsn
        r["mobile"] = nsn
    elif f == "phone_intl":
        r["phone"] = v
        r["mobile"] = v
    return r


def issues_of(rec, field):
    return [e.split(":", 1)[1] for e in rec["_issues"].split(";")
            if e.startswith(field + ":")]


def is_cjk(ch):
    cp = ord(ch)
    return (0x2E80 <= cp <= 0x9FFF or 0xF900 <= cp <= 0xFAFF or
            0x20000 <= cp <= 0x3FFFF or 0x3040 <= cp <= 0x30FF or
            0x3100 <= cp <= 0x312F)


def as_name(s):
    """A text as mbr's name canon writes it: NFKC, single spaces, none
    between CJK characters."""
    s = " ".join(unicodedata.normalize("NFKC", s).split())
    out = []
    for i, ch in enumerate(s):
        if (ch == " " and 0 < i < len(s) - 1 and is_cjk(s[i - 1]) and
                is_cjk(s[i + 1])):
            continue
        out.append(ch)
    return "".join(out)


def judge(c, rec):
    """(agrees, what mbr said) for one case."""
    f, exp = c["field"], c["expect"]
    if f == "id_number":
        bad = issues_of(rec, "id_number")
        got = "invalid" if bad else "valid"
        return got == exp, got + (" (" + ",".join(bad) + ")" if bad else "")
    if f == "id_birth":
        return rec["birth_date"] == exp, rec["birth_date"] or "(none)"
    if f == "id_gender":
        return rec["gender"] == exp, rec["gender"] or "(none)"
    if f == "id_upgrade":
        return rec["id_number"] == exp, rec["id_number"]
    if f == "email":
        # A typo-domain note ("domain qq.con, did you mean ...") is a hint
        # about a well-formed address, not a verdict on its syntax.
        bad = [e for e in issues_of(rec, "email")
               if not e.startswith("domain ")]
        got = "invalid" if bad else "valid"
        return got == exp, got + (" (" + ",".join(bad) + ")" if bad else "")
    if f == "name":
        want = as_name(exp)
        bad = issues_of(rec, "name")
        return rec["name"] == want and not bad, rec["name"] + (
            " (" + ",".join(bad) + ")" if bad else "")
    if f == "address":
        got = "|".join([rec["province"], rec["city"], rec["district"]])
        return got == exp, got
    if f in ("phone", "phone_intl"):
        return judge_phone(exp, rec)
    return False, "unknown field"


def judge_phone(exp, rec):
    """exp is "valid TYPE +E164". The phone column must hold +E164 with no
    flag; the mobile column must take mobiles (and the numbers that may be
    either) and flag the rest."""
    _, typ, e164 = exp.split()
    pbad = issues_of(rec, "phone")
    mbad = issues_of(rec, "mobile")
    ok = rec["phone"] == e164 and not pbad
    if typ in ("mobile", "fixed_or_mobile"):
        ok = ok and rec["mobile"] == e164 and not mbad
    else:
        ok = ok and bool(mbad)
    got = "phone %s%s, mobile %s%s" % (
        rec["phone"], " (" + ",".join(pbad) + ")" if pbad else "",
        rec["mobile"], " (" + ",".join(mbad) + ")" if mbad else "")
    return ok, got


def with_intl(cases):
    """Every phone case again, written +CC NSN with no country."""
    more = []
    for c in cases:
        if c["field"] == "phone":
            e164 = c["expect"].split()[2]
            d = dict(c)
            d["field"] = "phone_intl"
            d["input"] = e164
            more.append(d)
    return cases + more


def run_mbr(cases):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    for i, c in enumerate(cases):
        r = record_of(c)
        r["source"], r["source_id"], r["source_row"] = "ref", str(i), str(i)
        w.writerow([r[k] for k in COLUMNS])
    binary = os.path.join(os.environ.get("MBR_BIN", os.path.join(TOP, "bin")),
                          "mbr-normalize")
    env = dict(os.environ, LC_ALL="C", TZ="UTC", MBR_TODAY="2026-01-15")
    env.setdefault("MBR_DATADIR", os.path.join(TOP, "data"))
    p = subprocess.run([binary, "-q"], input=buf.getvalue().encode(),
                       capture_output=True, env=env)
    if p.returncode not in (0, 1):
        sys.exit("reference: mbr-normalize failed (%d): %s" %
                 (p.returncode, p.stderr.decode(errors="replace")))
    return list(csv.DictReader(io.StringIO(p.stdout.decode("utf-8"))))


def known_reason(known, c):
    for field, rx, kind, reason in known:
        if field == c["field"] and (rx.fullmatch(c["input"]) or
                                    rx.fullmatch(c["input"] + "\t" +
                                                 c["note"])):
            return kind, reason
    return None, None


def main():
    cases = with_intl(load_cases())
    known = load_known()
    out = run_mbr(cases)
    if len(out) != len(cases):
        sys.exit("reference: %d records in, %d out" % (len(cases), len(out)))
    stats = {}
    listed = []
    unexplained = 0
    for c, rec in zip(cases, out):
        ok, got = judge(c, rec)
        kind, reason = known_reason(known, c)
        s = stats.setdefault(c["field"], [0, 0, 0, 0])  # all, ok, firm, firm ok
        s[0] += 1
        s[1] += ok
        if kind != "arguable":
            s[2] += 1
            s[3] += ok
        if ok:
            continue
        if reason is None:
            unexplained += 1
            reason = "NO REASON KNOWN"
        listed.append((c["field"], kind or "-", c["input"], c["expect"], got,
                       reason, c["file"], c["note"]))
    print("%-11s %6s %6s %7s %6s %9s" % ("field", "cases", "agree", "firm",
                                         "agree", "agreement"))
    tot = [0, 0, 0, 0]
    for field in sorted(stats):
        s = stats[field]
        tot = [a + b for a, b in zip(tot, s)]
        print("%-11s %6d %6d %7d %6d %8.1f%%" % (field, s[0], s[1], s[2], s[3],
                                                 100.0 * s[3] / max(s[2], 1)))
    pct = 100.0 * tot[3] / max(tot[2], 1)
    print("%-11s %6d %6d %7d %6d %8.1f%%" % ("total", tot[0], tot[1], tot[2],
                                             tot[3], pct))
    print("(firm: cases where the reference is beyond argument)")
    if listed:
        print("\ndisagreements (field, kind, input -> expected / mbr: reason):")
    for f, kind, inp, exp, got, reason, fname, note in listed:
        print("  %s %s %r -> %s / %s: %s [%s %s]" % (f, kind, inp, exp, got,
                                                    reason, fname, note))
    explained = len(listed) - unexplained
    print("reference: %d passed, %d failed, %d skipped" % (tot[1], unexplained,
                                                           explained))
    if unexplained or pct < THRESHOLD:
        if pct < THRESHOLD:
            print("reference: agreement %.2f%% is under %.1f%%" %
                  (pct, THRESHOLD))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
