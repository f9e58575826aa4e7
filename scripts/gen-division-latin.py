#!/usr/bin/env python3
"""Write data/divisions_latin.tsv: the Latin spellings of the current
GB/T 2260 divisions of data/divisions.csv, for division fields written in
pinyin or English ("Guangdong", "Shenzhen City", "Xi'an").

Each line is a key (lower-case ASCII letters only, the toneless pinyin of
the short name, or an English name) and a code. The pinyin comes from
data/pinyin.tsv (Unihan kMandarin, the first reading), with the readings
place names take where a character has several (重庆 chong, 成都 du, 长沙
chang, 厦门 xia ...), and a few English names (Inner Mongolia, Tibet, Hong
Kong, Macau, Shaanxi for 陕西, which pinyin spells like 山西).

Usage: python3 scripts/gen-division-latin.py   (standard library only)
"""
import csv
import os

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Readings in place names that differ from the character's first reading.
PLACE_READINGS = {"长": "chang", "都": "du", "重": "chong", "厦": "xia",
                  "蚌": "beng", "番": "pan", "六": "lu", "藏": "zang",
                  "单": "shan", "蔚": "yu", "行": "xing", "乐": "le",
                  "会": "hui", "曲": "qu", "解": "xie", "莞": "guan",
                  "堡": "bu", "泊": "bo", "洞": "dong", "阿": "a",
                  "沈": "shen", "朝": "chao", "兴": "xing", "华": "hua",
                  "济": "ji", "尉": "yu", "区": "qu", "大": "da",
                  "盛": "sheng", "车": "che", "石": "shi", "柏": "bai"}
# Names that are not the pinyin of the short name.
EXTRA = {"innermongolia": "150000", "tibet": "540000", "hongkong": "810000",
         "macau": "820000", "macao": "820000", "shaanxi": "610000",
         "peking": "110000", "canton": "440100", "lhasa": "540100",
         "urumqi": "650100", "hohhot": "150100", "harbin": "230100",
         "amoy": "350200"}
# Keys that the pinyin gives twice at province level: settled by EXTRA.
DROP = {("shanxi", "610000")}


def main():
    py = {}
    with open(os.path.join(TOP, "data", "pinyin.tsv"), encoding="utf-8") as f:
        for line in f:
            if line.startswith("#"):
                continue
            c = line.rstrip("\n").split("\t")
            py[c[0]] = c[1]
    py.update(PLACE_READINGS)
    rows = set()
    with open(os.path.join(TOP, "data", "divisions.csv"),
              encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["historical"] != "0" or not r["short_name"]:
                continue
            name = r["short_name"]
            if not all(ch in py for ch in name):
                continue
            key = "".join(py[ch] for ch in name).replace("v", "u")
            if (key, r["code"]) not in DROP:
                rows.add((key, r["code"]))
    rows |= set(EXTRA.items())
    out = os.path.join(TOP, "data", "divisions_latin.tsv")
    with open(out, "w", encoding="utf-8") as f:
        f.write("# Latin keys of the divisions of divisions.csv: key, code.\n"
                "# Made by scripts/gen-division-latin.py from divisions.csv"
                " and pinyin.tsv\n# (see divisions.SOURCE.md); do not edit."
                "\n")
        for key, code in sorted(rows):
            f.write("%s\t%s\n" % (key, code))
    print("%s: %d keys" % (out, len(rows)))


if __name__ == "__main__":
    main()
