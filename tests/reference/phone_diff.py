#!/usr/bin/env python3
"""Differential test: mbr-normalize's phone numbers against Debian's
python3-phonenumbers (Google's libphonenumber in Python).

Makes a fixed pseudo-random set of numbers for the regions mbr's members
come from (libphonenumber's example numbers with their tails replaced,
lengths one shorter and longer, and numbers with prefixes of other types),
writes each one nationally (with the record's country) and as +CC NSN, runs
them through $MBR_BIN/mbr-normalize once, and compares:

  valid   the phone column is written as E.164 (and the same E.164 as
          libphonenumber's format) exactly when is_valid_number() says so;
  type    the mobile column takes a valid number exactly when
          number_type() is MOBILE or FIXED_LINE_OR_MOBILE.

Debian 12's python3-phonenumbers is libphonenumber 8.12.57 (2022); mbr's
data/phone_metadata.tsv is newer. A case where the two metadata versions
themselves disagree (the number's type patterns, evaluated with Python's
re from both) is not counted: it is listed as "metadata version". Closes
with "phone-diff: N passed, M failed" and fails under 99 % agreement.
Without python3-phonenumbers it says so and passes.
"""
import csv
import io
import os
import random
import re
import subprocess
import sys

try:
    import phonenumbers as pn
    from phonenumbers import PhoneNumberType as T
except ImportError:
    print("phone-diff: skipped: python3-phonenumbers is not installed "
          "(apt-get install python3-phonenumbers)")
    sys.exit(0)

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
REGIONS = ["CN", "HK", "MO", "TW", "SG", "MY", "JP", "KR", "US", "CA", "GB",
           "AU", "TH", "NZ"]
PER_REGION = 160
THRESHOLD = 99.0
MOBILE = (T.MOBILE, T.FIXED_LINE_OR_MOBILE)


def load_new_meta():
    """data/phone_metadata.tsv as {cc: [region dict]} for the version
    check."""
    meta = {}
    path = os.path.join(os.environ.get("MBR_DATADIR",
                                       os.path.join(TOP, "data")),
                        "phone_metadata.tsv")
    last = None
    for line in open(path, encoding="utf-8"):
        f = line.rstrip("\n").split("\t")
        if f[0] == "R":
            lens = {int(x) for x in f[8].split(",")}
            last = {"code": f[1], "lens": lens,
                    "general": re.compile("(?:%s)\\Z" % f[9]), "types": {}}
            meta.setdefault(int(f[2]), []).append(last)
        elif f[0] == "T":
            lens = ({int(x) for x in f[3].split(",")} if f[3] != "-"
                    else last["lens"])
            last["types"][f[2]] = (lens, re.compile("(?:%s)\\Z" % f[4]))
    return meta


def new_kind(meta, cc, nsn):
    """'mobile', 'fixed', 'other' or None by the shipped metadata."""
    for r in meta.get(cc, []):
        if len(nsn) not in r["lens"] or not r["general"].match(nsn):
            continue
        t = r["types"]
        for k in t:
            if k not in ("fixed", "mobile") and len(nsn) in t[k][0] and \
                    t[k][1].match(nsn):
                return "other"
        fx = "fixed" in t and len(nsn) in t["fixed"][0] and \
            t["fixed"][1].match(nsn)
        mo = "mobile" in t and len(nsn) in t["mobile"][0] and \
            t["mobile"][1].match(nsn)
        if fx:
            return "mobile" if mo else "fixed"
        if mo:
            return "mobile"
    return None


def old_kind(n):
    if not pn.is_valid_number(n):
        return None
    t = pn.number_type(n)
    if t in MOBILE:
        return "mobile"
    return "fixed" if t == T.FIXED_LINE else "other"


def make_numbers():
    rnd = random.Random(15)
    out = []
    types = [T.FIXED_LINE, T.MOBILE, T.TOLL_FREE, T.PREMIUM_RATE,
             T.SHARED_COST, T.VOIP, T.PAGER, T.UAN, T.PERSONAL_NUMBER]
    for region in REGIONS:
        seeds = [pn.national_significant_number(e) for e in
                 (pn.example_number_for_type(region, t) for t in types) if e]
        for i in range(PER_REGION):
            s = rnd.choice(seeds)
            keep = rnd.randint(1, max(1, len(s) - 2))
            length = len(s) + rnd.choice([0, 0, 0, 0, -1, 1])
            nsn = s[:keep] + "".join(rnd.choice("0123456789")
                                     for _ in range(max(0, length - keep)))
            out.append((region, nsn))
    return out


def main():
    numbers = make_numbers()
    meta = load_new_meta()
    rows = []
    for region, nsn in numbers:
        cc = pn.country_code_for_region(region)
        rows.append((region, nsn, region, nsn))
        rows.append((region, nsn, "", "+%d %s" % (cc, nsn)))
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["source", "source_id", "source_row", "country", "mobile",
                "phone"])
    for i, (_, _, country, text) in enumerate(rows):
        w.writerow(["diff", i, i, country, text, text])
    binary = os.path.join(os.environ.get("MBR_BIN", os.path.join(TOP, "bin")),
                          "mbr-normalize")
    env = dict(os.environ, LC_ALL="C", TZ="UTC")
    env.setdefault("MBR_DATADIR", os.path.join(TOP, "data"))
    p = subprocess.run([binary, "-q"], input=buf.getvalue().encode(),
                       capture_output=True, env=env)
    if p.returncode not in (0, 1):
        sys.exit("phone-diff: mbr-normalize failed: " + p.stderr.decode())
    out = list(csv.DictReader(io.StringIO(p.stdout.decode())))
    agree = firm = version = 0
    per = {}
    bad = []
    for (region, nsn, country, text), rec in zip(rows, out):
        try:
            n = pn.parse(text, region)
        except pn.NumberParseException:
            n = None
        ok_old = old_kind(n) if n else None
        e164 = pn.format_number(n, pn.PhoneNumberFormat.E164) if n else ""
        nat = pn.national_significant_number(n) if n else nsn
        ok_new = new_kind(meta, n.country_code if n else 0, nat)
        issues = rec["_issues"]
        got_valid = "phone:" not in issues
        got_kind = None
        if got_valid:
            got_kind = "mobile" if "mobile:" not in issues else "fixed"
        want_kind = None
        if ok_old:
            want_kind = "mobile" if ok_old == "mobile" else "fixed"
        if ok_old != ok_new:
            version += 1
            continue
        firm += 1
        s = per.setdefault(region, [0, 0])
        s[0] += 1
        good = (got_valid == bool(ok_old) and got_kind == want_kind and
                (not got_valid or rec["phone"] == e164))
        if good:
            agree += 1
            s[1] += 1
        else:
            bad.append("  %s %r: libphonenumber %s %s, mbr %s %s %s" % (
                region, text, ok_old or "invalid", e164, rec["phone"],
                rec["mobile"], issues))
    for region in REGIONS:
        s = per.get(region, [0, 0])
        print("phone-diff %s: %d/%d agree" % (region, s[1], s[0]))
    pct = 100.0 * agree / max(firm, 1)
    print("phone-diff: %.2f%% agreement on %d numbers; %d more where "
          "libphonenumber 8.12.57 and the shipped metadata disagree "
          "(metadata version, not counted)" % (pct, firm, version))
    for line in bad:
        print(line)
    print("phone-diff: %d passed, %d failed" % (agree, firm - agree))
    return 0 if pct >= THRESHOLD else 1


if __name__ == "__main__":
    sys.exit(main())
