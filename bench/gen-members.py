#!/usr/bin/env python3
"""Generate realistic Chinese member records with planted duplicates, as
canonical CSV (the columns mbr-normalize writes), for mbr-dedupe's
benchmarks (bench/dedupe-scale.sh, bench/match.sh).

  bench/gen-members.py N [--people] [--seed S] [--dup-rate R] > members.csv

N records in all (with --people: N people, each with all their records).
About R of the people (default 0.15) have one to three more records in
other systems (pos, web, crm), each with the slips such exports have:
Traditional characters, the name in pinyin ("Wei Zhang", "ZHANG Wei",
"zhangwei") or with a Hong Kong surname spelling (Chan, Wong), a homophone
or a look-alike character in the name, a dropped given-name character,
day and month swapped, one digit of the birth date wrong, a year-only
birth date ("1985" on the web shop, "1985-01-01" in the CRM, which stores
a year as 1 January), a mobile changed or mistyped, an ID or e-mail typo,
a missing e-mail, ID or birth date, a shortened address.

The hard negatives are planted too: twins (same family name, birth date,
address and often mobile; another given name, often sharing a character
with the twin's), children and spouses sharing the mobile and address, a
son with his father's full name, and people with the same name and
birthday, not rare at this scale. About a third of the records carry no
ID number, so IDs cannot settle these alone.

The last three columns are the truth (mbr-dedupe passes them through):
person_id, household_id (people living together), relation (self, twin,
child, spouse, junior).

Names, places and numbers are made up: no real person's data.
"""
import argparse
import csv
import os
import random
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")

# Family names with rough shares (per mille) of the mainland population.
FAMILY = ("王71 李70 张68 刘53 陈45 杨31 黄22 赵22 吴21 周21 徐17 孙15 马15 "
          "朱14 胡13 郭12 何12 高11 林11 罗10 郑10 梁9 谢8 宋8 唐7 许7 韩7 "
          "冯7 邓7 曹6 彭6 曾6 肖6 田6 董5 袁5 潘5 于5 蒋5 蔡5 余5 杜5 叶5 "
          "程5 苏4 魏4 吕4 丁4 任4 沈4 姚4 卢4 姜4 崔4 钟3 谭3 陆3 汪3 范3 "
          "金3 石3 廖3 贾3 夏3 韦3 付3 方3 白3 邹3 孟3 熊3 秦3 邱3 江3 尹3 "
          "薛2 闫2 段2 雷2 侯2 龙2 史2 陶2 黎2 贺2 顾2 毛2 郝2 龚2 邵2 万2 "
          "钱2 严2 覃2 武2 戴2 莫2 孔2 向2 汤2 欧阳1 司马1 上官1 诸葛1")
GIVEN = ("伟 芳 娜 秀英 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀兰 霞 平 刚 "
         "桂英 华 建华 玉兰 萍 红 建国 文 辉 力 鹏 宇 浩 欣怡 子涵 梓涵 一诺 "
         "俊杰 晓明 婷 雪 琳 颖 佳 慧 倩 晨 阳 宁 凯 斌 波 飞 龙 林 峰 鑫 "
         "志强 海燕 春梅 小红 丹 玲 燕 蕾 楠 璐 瑶 琪 博 昊 然 睿 轩 泽 "
         "嘉怡 思远 子轩 浩然 雨萱 欣然 诗涵 梦琪 一鸣 天宇 家豪 志伟 国强")
# Homophones a clerk may type instead (same pinyin, another character).
HOMOPHONE = {"伟": "玮", "芳": "方", "娜": "那", "敏": "民", "静": "婧",
             "丽": "莉", "强": "蔷", "磊": "蕾", "军": "君", "杰": "洁",
             "明": "铭", "华": "桦", "红": "虹", "文": "雯", "宇": "雨",
             "浩": "昊", "晨": "辰", "阳": "杨", "宁": "凝", "峰": "锋"}
TRAD = {"张": "張", "陈": "陳", "刘": "劉", "杨": "楊", "黄": "黃", "赵": "趙",
        "吴": "吳", "孙": "孫", "马": "馬", "郑": "鄭", "罗": "羅", "谢": "謝",
        "许": "許", "韩": "韓", "冯": "馮", "邓": "鄧", "伟": "偉", "丽": "麗",
        "强": "強", "军": "軍", "杰": "傑", "娟": "娟", "涛": "濤", "华": "華",
        "红": "紅", "国": "國", "辉": "輝", "鹏": "鵬", "浩": "浩", "婷": "婷",
        "颖": "穎", "欧": "歐", "阳": "陽", "龙": "龍", "凯": "凱", "飞": "飛"}
CITIES = [
    ("上海市", "上海市", "3101", "200", ["黄浦区", "徐汇区", "长宁区", "静安区",
                                   "普陀区", "虹口区", "杨浦区", "浦东新区",
                                   "闵行区", "宝山区"]),
    ("北京市", "北京市", "1101", "100", ["东城区", "西城区", "朝阳区", "丰台区",
                                   "海淀区", "通州区", "昌平区", "大兴区"]),
    ("广东省", "广州市", "4401", "510", ["越秀区", "海珠区", "天河区", "白云区",
                                   "番禺区", "黄埔区"]),
    ("广东省", "深圳市", "4403", "518", ["福田区", "罗湖区", "南山区", "宝安区",
                                   "龙岗区"]),
    ("浙江省", "杭州市", "3301", "310", ["上城区", "拱墅区", "西湖区", "滨江区",
                                   "萧山区", "余杭区"]),
    ("江苏省", "南京市", "3201", "210", ["玄武区", "秦淮区", "鼓楼区", "建邺区",
                                   "江宁区"]),
    ("四川省", "成都市", "5101", "610", ["锦江区", "青羊区", "金牛区", "武侯区",
                                   "成华区"]),
    ("湖北省", "武汉市", "4201", "430", ["江岸区", "江汉区", "武昌区", "洪山区"]),
]
ROADS = ("人民路 解放路 中山路 建设路 和平路 新华路 长江路 黄河路 南京路 "
         "青年路 文化路 胜利路 光明路 友谊路 东风路 建国路 朝阳路 花园路 "
         "学府路 科技路").split()
ESTATES = ("阳光 幸福 锦绣 金色 绿地 万科 碧桂园 滨江 翠湖 枫林 春天 和谐 "
           "御景 东方 星河 天悦").split()
DOMAINS = ["qq.com"] * 5 + ["163.com"] * 3 + ["126.com", "gmail.com",
                                                "sina.com", "outlook.com"]
MOBILE_PREFIX = ("130 131 132 133 135 136 137 138 139 150 151 152 155 156 "
                 "157 158 159 166 176 177 180 181 182 183 185 186 187 188 "
                 "189 198 199").split()
COLUMNS = ("source,source_id,source_row,name,family_name,given_name,gender,"
           "birth_date,mobile,phone,email,id_type,id_number,country,province,"
           "city,district,address,postal_code,tier,points,registered_at,"
           "last_active_at,store,channel,consent_marketing,status,person_id,"
           "household_id,relation")
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
# GB/T 2260 province codes (the first two digits of an ID).
PROVINCES = (11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37,
             41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65)
# Hong Kong (Cantonese) spellings of family names.
HK = {"陈": "Chan", "黄": "Wong", "王": "Wong", "张": "Cheung", "李": "Lee",
      "刘": "Lau", "吴": "Ng", "何": "Ho", "梁": "Leung", "林": "Lam",
      "郑": "Cheng", "周": "Chow", "谢": "Tse", "杨": "Yeung", "郭": "Kwok",
      "罗": "Law", "朱": "Chu", "徐": "Tsui", "曾": "Tsang", "邓": "Tang",
      "冯": "Fung", "许": "Hui", "蔡": "Choi", "叶": "Yip", "卢": "Lo",
      "袁": "Yuen", "潘": "Poon", "钟": "Chung", "莫": "Mok"}
# Characters a clerk (or OCR) takes for one another.
LOOKALIKE = {"王": "玉", "李": "季", "刘": "浏", "陈": "阵", "杨": "扬",
             "赵": "越", "伟": "韦", "芳": "方", "明": "朋", "军": "车",
             "丽": "励", "晨": "晟", "宇": "字", "洋": "样", "静": "净",
             "辉": "晖", "鹏": "朋", "婷": "亭", "琳": "淋", "颖": "颍"}
# Share of each system's records with an ID number, and year-only dates.
ID_SHARE = {"pos": 0.7, "web": 0.35, "crm": 0.8}


def load_pinyin():
    py = {}
    with open(os.path.join(ROOT, "data", "pinyin.tsv"), encoding="utf-8") as f:
        for line in f:
            if not line.startswith("#"):
                c = line.rstrip("\n").split("\t")
                py[c[0]] = c[1]
    return py


def weighted(spec):
    items, weights = [], []
    for tok in spec.split():
        i = len(tok.rstrip("0123456789"))
        items.append(tok[:i])
        weights.append(int(tok[i:]))
    return items, weights


def check_char(body):
    s = sum(int(d) * w for d, w in zip(body, WEIGHTS))
    return "10X98765432"[s % 11]


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.py = load_pinyin()
        self.fam, self.famw = weighted(FAMILY)
        self.giv = GIVEN.split()
        self.cum = []
        acc = 0
        for w in self.famw:
            acc += w
            self.cum.append(acc)

    def pinyin(self, s):
        return "".join(self.py.get(c, "") for c in s)

    def mobile(self):
        r = self.r
        return "+86%s%08d" % (r.choice(MOBILE_PREFIX), r.randrange(10 ** 8))

    def given(self):
        r = self.r
        giv = r.choice(self.giv)
        if len(giv) == 1 and r.random() < 0.5:
            giv += r.choice(self.giv)[0]
        return giv

    def id_number(self, p, region):
        seq = self.r.randrange(0, 500) * 2 + (1 if p["gender"] == "M" else 0)
        body = "%s%s%03d" % (region, p["birth"].replace("-", ""), seq % 1000)
        return body + check_char(body)

    def person(self, pid, family=None):
        r = self.r
        fam = family or r.choices(self.fam, cum_weights=self.cum)[0]
        y = r.randrange(1950, 2006)
        m, d = r.randrange(1, 13), r.randrange(1, 29)
        prov, city, code, post, dists = r.choice(CITIES)
        di = r.randrange(len(dists))
        p = {
            "pid": pid, "hh": pid, "rel": "self", "family": fam,
            "given": self.given(), "gender": r.choice("MF"),
            "birth": "%04d-%02d-%02d" % (y, m, d),
            "mobile": self.mobile(),
            "province": prov, "city": city, "district": dists[di],
            "postal": "%s%03d" % (post, di * 10 + r.randrange(10)),
            "address": "%s%s%d号%s花园%d栋%d单元%d室" % (
                dists[di], r.choice(ROADS), r.randrange(1, 999),
                r.choice(ESTATES), r.randrange(1, 30), r.randrange(1, 6),
                r.randrange(101, 3300)),
            "tier": str(r.randrange(1, 5)),
            "points": str(r.randrange(0, 20000)),
        }
        # The ID's region is where the person was registered at birth:
        # often the city they live in, else anywhere in the country.
        p["region"] = ("%s%02d" % (code, di + 1) if r.random() < 0.6 else
                       "%02d%02d%02d" % (r.choice(PROVINCES),
                                         r.randrange(1, 30),
                                         r.randrange(1, 30)))
        p["id"] = self.id_number(p, p["region"])
        p["email"] = ("%s%d@%s" % (self.pinyin(fam + p["given"]),
                                   r.randrange(100), r.choice(DOMAINS))
                      if r.random() < 0.45 else "")
        return p

    def relative(self, head, pid, rel):
        """Someone living with head: same address, often the mobile."""
        r = self.r
        c = self.person(pid, None if rel == "spouse" else head["family"])
        for k in ("address", "district", "postal", "city", "province"):
            c[k] = head[k]
        c["hh"], c["rel"], c["email"] = head["hh"], rel, ""
        if rel != "spouse" or r.random() < 0.3:
            c["mobile"] = head["mobile"]
        if rel == "twin":
            c["birth"], c["region"] = head["birth"], head["region"]
            if r.random() < 0.5 and len(head["given"]) == 2:
                # 子涵 and 子轩: twins often share a character
                c["given"] = head["given"][0] + r.choice(self.giv)[-1]
            while c["given"] == head["given"]:
                c["given"] = self.given()
        elif rel == "junior":   # the son has his father's full name
            c["given"], c["gender"] = head["given"], "M"
            c["birth"] = "%04d%s" % (min(int(head["birth"][:4]) +
                                         r.randrange(20, 36), 2010),
                                     c["birth"][4:])
        elif rel == "spouse":
            c["birth"] = "%04d%s" % (int(head["birth"][:4]) +
                                     r.randrange(-5, 6), c["birth"][4:])
        elif rel == "child":
            c["birth"] = "%04d%s" % (min(int(head["birth"][:4]) +
                                         r.randrange(20, 36), 2012),
                                     c["birth"][4:])
        c["id"] = self.id_number(c, c["region"])
        return c

    def household(self, p, pid):
        """p and the people living with p (pid: the next free ids)."""
        r = self.r
        people = [p]
        for rel, share in (("twin", 0.03), ("child", 0.06),
                           ("spouse", 0.04), ("junior", 0.01)):
            if r.random() < share:
                pid += 1
                people.append(self.relative(p, pid, rel))
        return people

    def latin_name(self, v):
        """The name as a web shop or an overseas system spells it."""
        r = self.r
        fam = self.pinyin(v["family"]).title()
        if r.random() < 0.15 and v["family"] in HK:
            fam = HK[v["family"]]
        giv = self.pinyin(v["given"]).title()
        return r.choice(["%s %s" % (giv, fam), "%s %s" % (fam.upper(), giv),
                         "%s %s" % (fam, giv), "%s, %s" % (fam, giv),
                         (fam + giv).lower()])

    def one_digit(self, date):
        """date with one digit changed, still a date."""
        r = self.r
        for _ in range(20):
            i = r.choice([2, 3, 5, 6, 8, 9])
            s = date[:i] + str(r.randrange(10)) + date[i + 1:]
            if (s != date and "01" <= s[5:7] <= "12" and
                    "01" <= s[8:] <= "28" and s[:4] <= "2010"):
                return s
        return date

    def name_slip(self, v):
        r = self.r
        k = r.randrange(3)
        if k == 0:      # homophone in the given name
            v["given"] = "".join(HOMOPHONE.get(c, c) for c in v["given"])
        elif k == 1:    # a look-alike character
            s = v["family"] + v["given"]
            i = r.randrange(len(s))
            s = s[:i] + LOOKALIKE.get(s[i], s[i]) + s[i + 1:]
            v["family"], v["given"] = s[:len(v["family"])], \
                s[len(v["family"]):]
        elif len(v["given"]) == 2:  # a given-name character dropped
            v["given"] = v["given"][r.randrange(2)]

    def typo(self, s, start):
        """One character of s from start on replaced or swapped."""
        r = self.r
        if len(s) <= start + 1:
            return s
        i = r.randrange(start, len(s) - 1)
        if r.random() < 0.5:
            return s[:i] + s[i + 1] + s[i] + s[i + 2:]
        return s[:i] + r.choice("0123456789") + s[i + 1:]

    def variant(self, p, src):
        """A copy of p as another system holds it: a few slips."""
        r = self.r
        v = dict(p)
        slips = r.sample(range(14), r.randrange(1, 4))
        if 0 in slips:      # Traditional characters
            v["family"] = "".join(TRAD.get(c, c) for c in v["family"])
            v["given"] = "".join(TRAD.get(c, c) for c in v["given"])
        if 1 in slips:
            self.name_slip(v)
        if 2 in slips and int(v["birth"][8:]) <= 12:    # day/month swapped
            v["birth"] = "%s-%s-%s" % (v["birth"][:4], v["birth"][8:],
                                       v["birth"][5:7])
        if 3 in slips:      # a new mobile
            v["mobile"] = self.mobile()
        if 4 in slips:      # a mistyped mobile
            m = list(v["mobile"])
            i = r.randrange(5, len(m))
            m[i] = str((int(m[i]) + 1) % 10)
            v["mobile"] = "".join(m)
        if 5 in slips:
            v["email"] = ""
        if 6 in slips:
            v["id"] = ""
        if 7 in slips:      # address without the district and room
            v["address"] = v["address"].replace(v["district"], "")
            v["address"] = v["address"][:v["address"].find("栋") + 1]
        if 8 in slips:
            v["birth"] = ""
        if 9 in slips and v["birth"]:
            v["birth"] = self.one_digit(v["birth"])
        if 10 in slips and v["id"]:
            v["id"] = self.typo(v["id"], 6)
        if 11 in slips and v["email"]:
            v["email"] = self.typo(v["email"], 1)
        if 12 in slips and v["birth"]:     # a year only
            v["birth"] = v["birth"][:4] + ("-01-01" if src == "crm" else "")
        if 13 in slips and v["mobile"] != p["mobile"]:
            v["mobile"] = ""
        v["name"] = v["family"] + v["given"]
        if r.random() < (0.3 if src == "web" else 0.03):
            v["name"] = self.latin_name(v)
            v["family"] = v["given"] = ""
        return v

    def as_kept(self, p, src):
        """What a system keeps of p: not every record has an ID, the CRM
        writes a year as 1 January and the web shop keeps only a year."""
        r = self.r
        v = dict(p)
        if r.random() > ID_SHARE[src]:
            v["id"] = ""
        if v["birth"] and r.random() < 0.03:
            v["birth"] = v["birth"][:4] + ("-01-01" if src == "crm" else
                                           "" if src == "web" else
                                           v["birth"][4:])
        v.setdefault("name", v["family"] + v["given"])
        return v


def row(p, source, sid, n):
    name = p.get("name") or p["family"] + p["given"]
    return [
        source, sid, str(n), name, p["family"], p["given"], p["gender"],
        p["birth"], p["mobile"], "", p["email"],
        "CN_RIC" if p["id"] else "", p["id"], "CN", p["province"],
        p["city"], p["district"], p["address"], p["postal"], p["tier"],
        p["points"], "", "", "", source.upper(), "", "", str(p["pid"]),
        str(p["hh"]), p["rel"]]


def records_of(g, p, dup_rate):
    """The records one person leaves in the three systems."""
    r = g.r
    src = r.choice(["pos", "pos", "web", "crm"])
    out = [(src, g.as_kept(p, src))]
    if r.random() < dup_rate:
        for other in r.sample(["web", "crm", "pos"], r.randrange(1, 4)):
            out.append((other, g.as_kept(g.variant(p, other), other)))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int)
    ap.add_argument("--people", action="store_true",
                    help="N is the number of people, not of records")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--dup-rate", type=float, default=0.15)
    a = ap.parse_args()
    g = Gen(a.seed)
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(COLUMNS.split(","))
    written, people, pid, rows = 0, 0, 0, {"pos": 0, "web": 0, "crm": 0}
    while (people if a.people else written) < a.n:
        pid += 1
        house = g.household(g.person(pid), pid)
        pid += len(house) - 1
        for p in house:
            if a.people and people == a.n:
                break
            people += 1
            for src, q in records_of(g, p, a.dup_rate):
                if not a.people and written == a.n:
                    break
                rows[src] += 1
                out.writerow(row(q, src, "%s%08d" % (src[0].upper(),
                                                     rows[src]), rows[src]))
                written += 1


if __name__ == "__main__":
    main()
