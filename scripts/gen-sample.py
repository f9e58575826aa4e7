#!/usr/bin/env python3
"""Write mbr's sample data: sample-data/{pos_legacy.csv, webshop.csv,
crm.tsv, truth.csv, README.md}.

Three exports of the members of one fictional retailer (鸿运百货,
"Hongyun Department Stores"), with the same people in two or three systems
under different spellings, format variants that normalise cleanly, dirty
values that must be flagged, and a few rows that cannot be parsed at all.
Every person, ID number, mobile and e-mail address is made up.

The output is deterministic: a fixed seed and our own PRNG (not `random`,
whose algorithms may change between Python versions), so rerunning gives
identical bytes. Standard library only.

usage: python3 scripts/gen-sample.py [OUTDIR]   (default: sample-data)
"""

import datetime
import os
import sys

SEED = 0x6D62722D73616D70  # "mbr-samp"
M64 = (1 << 64) - 1

N_POS, N_WEB, N_CRM = 150, 120, 100
GROUPS = [  # (sources, people)
    ("PWC", 20), ("PW", 25), ("PC", 20), ("WC", 15),
    ("P", 83), ("W", 59), ("C", 45),
]
DATE_MAX = datetime.date(2024, 6, 30)  # the exports were taken then


class Rng:
    """splitmix64: small, fast, and the same on every Python."""

    def __init__(self, seed):
        self.s = seed & M64

    def next(self):
        self.s = (self.s + 0x9E3779B97F4A7C15) & M64
        z = self.s
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
        return z ^ (z >> 31)

    def below(self, n):
        return self.next() % n

    def chance(self, p):
        return self.next() < int(p * (1 << 64))

    def choice(self, seq):
        return seq[self.below(len(seq))]

    def pick(self, weighted):
        """weighted: [(weight, value), ...]"""
        r = self.below(sum(w for w, _ in weighted))
        for w, v in weighted:
            if r < w:
                return v
            r -= w
        raise AssertionError

    def shuffle(self, xs):
        for i in range(len(xs) - 1, 0, -1):
            j = self.below(i + 1)
            xs[i], xs[j] = xs[j], xs[i]

    def date(self, lo, hi):
        return lo + datetime.timedelta(days=self.below((hi - lo).days + 1))


# --- facts ---------------------------------------------------------------

# (simplified, traditional, pinyin)
SURNAMES = [
    ("王", "王", "Wang"), ("李", "李", "Li"), ("张", "張", "Zhang"),
    ("刘", "劉", "Liu"), ("陈", "陳", "Chen"), ("杨", "楊", "Yang"),
    ("黄", "黃", "Huang"), ("赵", "趙", "Zhao"), ("吴", "吳", "Wu"),
    ("周", "周", "Zhou"), ("徐", "徐", "Xu"), ("孙", "孫", "Sun"),
    ("马", "馬", "Ma"), ("朱", "朱", "Zhu"), ("胡", "胡", "Hu"),
    ("郭", "郭", "Guo"), ("何", "何", "He"), ("林", "林", "Lin"),
    ("罗", "羅", "Luo"), ("高", "高", "Gao"), ("郑", "鄭", "Zheng"),
    ("梁", "梁", "Liang"), ("谢", "謝", "Xie"), ("宋", "宋", "Song"),
    ("唐", "唐", "Tang"), ("许", "許", "Xu"), ("韩", "韓", "Han"),
    ("冯", "馮", "Feng"), ("邓", "鄧", "Deng"), ("曹", "曹", "Cao"),
    ("彭", "彭", "Peng"), ("曾", "曾", "Zeng"), ("肖", "肖", "Xiao"),
    ("田", "田", "Tian"), ("董", "董", "Dong"), ("潘", "潘", "Pan"),
    ("袁", "袁", "Yuan"), ("蔡", "蔡", "Cai"), ("蒋", "蔣", "Jiang"),
    ("余", "余", "Yu"), ("杜", "杜", "Du"), ("叶", "葉", "Ye"),
    ("程", "程", "Cheng"), ("魏", "魏", "Wei"), ("苏", "蘇", "Su"),
    ("吕", "呂", "Lyu"), ("丁", "丁", "Ding"), ("任", "任", "Ren"),
    ("卢", "盧", "Lu"), ("姚", "姚", "Yao"), ("沈", "沈", "Shen"),
    ("钟", "鍾", "Zhong"), ("崔", "崔", "Cui"), ("谭", "譚", "Tan"),
    ("陆", "陸", "Lu"), ("范", "范", "Fan"), ("廖", "廖", "Liao"),
    ("石", "石", "Shi"), ("金", "金", "Jin"), ("贾", "賈", "Jia"),
    ("夏", "夏", "Xia"), ("方", "方", "Fang"), ("白", "白", "Bai"),
    ("邹", "鄒", "Zou"), ("孟", "孟", "Meng"), ("熊", "熊", "Xiong"),
    ("秦", "秦", "Qin"), ("邱", "邱", "Qiu"), ("薛", "薛", "Xue"),
]
COMPOUND_SURNAMES = [("欧阳", "歐陽", "Ouyang"), ("司马", "司馬", "Sima")]

GIVEN_M = [
    ("伟", "偉", "Wei"), ("强", "強", "Qiang"), ("磊", "磊", "Lei"),
    ("军", "軍", "Jun"), ("洋", "洋", "Yang"), ("勇", "勇", "Yong"),
    ("杰", "傑", "Jie"), ("涛", "濤", "Tao"), ("明", "明", "Ming"),
    ("超", "超", "Chao"), ("刚", "剛", "Gang"), ("鹏", "鵬", "Peng"),
    ("辉", "輝", "Hui"), ("斌", "斌", "Bin"), ("龙", "龍", "Long"),
    ("博", "博", "Bo"), ("晨", "晨", "Chen"), ("建华", "建華", "Jianhua"),
    ("志强", "志強", "Zhiqiang"), ("晓东", "曉東", "Xiaodong"),
    ("文博", "文博", "Wenbo"), ("浩然", "浩然", "Haoran"),
    ("俊杰", "俊傑", "Junjie"), ("宇航", "宇航", "Yuhang"),
    ("国庆", "國慶", "Guoqing"), ("建国", "建國", "Jianguo"),
    ("云飞", "雲飛", "Yunfei"), ("振华", "振華", "Zhenhua"),
    ("子轩", "子軒", "Zixuan"), ("一鸣", "一鳴", "Yiming"),
]
GIVEN_F = [
    ("芳", "芳", "Fang"), ("娜", "娜", "Na"), ("敏", "敏", "Min"),
    ("静", "靜", "Jing"), ("丽", "麗", "Li"), ("艳", "艷", "Yan"),
    ("娟", "娟", "Juan"), ("霞", "霞", "Xia"), ("玲", "玲", "Ling"),
    ("琳", "琳", "Lin"), ("慧", "慧", "Hui"), ("颖", "穎", "Ying"),
    ("丹", "丹", "Dan"), ("秀英", "秀英", "Xiuying"),
    ("秀兰", "秀蘭", "Xiulan"), ("桂英", "桂英", "Guiying"),
    ("海燕", "海燕", "Haiyan"), ("雪梅", "雪梅", "Xuemei"),
    ("子涵", "子涵", "Zihan"), ("欣怡", "欣怡", "Xinyi"),
    ("思琪", "思琪", "Siqi"), ("佳怡", "佳怡", "Jiayi"),
    ("梓萱", "梓萱", "Zixuan"), ("红梅", "紅梅", "Hongmei"),
    ("丽华", "麗華", "Lihua"), ("凤英", "鳳英", "Fengying"),
    ("婷婷", "婷婷", "Tingting"), ("嘉欣", "嘉欣", "Jiaxin"),
    ("晓燕", "曉燕", "Xiaoyan"), ("美玲", "美玲", "Meiling"),
]


class Area:
    def __init__(self, code, prov, prov_short, prov_en, city, city_short,
                 city_en, dist, dist_en, postcode, store, streets):
        self.code = code
        self.prov, self.prov_short, self.prov_en = prov, prov_short, prov_en
        self.city, self.city_short, self.city_en = city, city_short, city_en
        self.dist, self.dist_en = dist, dist_en
        self.postcode, self.store, self.streets = postcode, store, streets

    @property
    def municipality(self):
        return self.prov == self.city


# GB/T 2260 codes with their real names; the streets are real streets of
# each district, the house numbers and compounds are made up.
AREAS = [
    Area("110105", "北京市", "北京", "Beijing", "北京市", "北京", "Beijing",
         "朝阳区", "Chaoyang District", "100020", "北京朝阳大悦城店",
         [("建国路", "Jianguo Road"), ("朝阳北路", "Chaoyang North Road"),
          ("望京街", "Wangjing Street"), ("酒仙桥路", "Jiuxianqiao Road")]),
    Area("110108", "北京市", "北京", "Beijing", "北京市", "北京", "Beijing",
         "海淀区", "Haidian District", "100080", "北京中关村店",
         [("中关村大街", "Zhongguancun Street"),
          ("学院路", "Xueyuan Road"), ("知春路", "Zhichun Road")]),
    Area("310104", "上海市", "上海", "Shanghai", "上海市", "上海", "Shanghai",
         "徐汇区", "Xuhui District", "200030", "上海徐家汇店",
         [("漕溪北路", "North Caoxi Road"), ("肇嘉浜路", "Zhaojiabang Road"),
          ("天钥桥路", "Tianyaoqiao Road")]),
    Area("310115", "上海市", "上海", "Shanghai", "上海市", "上海", "Shanghai",
         "浦东新区", "Pudong New Area", "200120", "上海陆家嘴店",
         [("世纪大道", "Century Avenue"), ("张杨路", "Zhangyang Road"),
          ("锦绣路", "Jinxiu Road")]),
    Area("440106", "广东省", "广东", "Guangdong", "广州市", "广州",
         "Guangzhou", "天河区", "Tianhe District", "510630", "广州天河城店",
         [("体育西路", "Tiyu West Road"), ("天河路", "Tianhe Road"),
          ("林和西路", "Linhe West Road")]),
    Area("440305", "广东省", "广东", "Guangdong", "深圳市", "深圳",
         "Shenzhen", "南山区", "Nanshan District", "518052", "深圳海岸城店",
         [("科技园路", "Kejiyuan Road"), ("南海大道", "Nanhai Avenue"),
          ("后海大道", "Houhai Avenue")]),
    Area("330106", "浙江省", "浙江", "Zhejiang", "杭州市", "杭州",
         "Hangzhou", "西湖区", "Xihu District", "310012", "杭州西湖银泰店",
         [("文三路", "Wensan Road"), ("天目山路", "Tianmushan Road"),
          ("教工路", "Jiaogong Road")]),
    Area("510107", "四川省", "四川", "Sichuan", "成都市", "成都", "Chengdu",
         "武侯区", "Wuhou District", "610041", "成都武侯店",
         [("人民南路", "South Renmin Road"), ("科华北路", "North Kehua Road"),
          ("高升桥路", "Gaoshengqiao Road")]),
    Area("420106", "湖北省", "湖北", "Hubei", "武汉市", "武汉", "Wuhan",
         "武昌区", "Wuchang District", "430061", "武汉中南店",
         [("中南路", "Zhongnan Road"), ("武珞路", "Wuluo Road"),
          ("中北路", "Zhongbei Road")]),
    Area("320106", "江苏省", "江苏", "Jiangsu", "南京市", "南京", "Nanjing",
         "鼓楼区", "Gulou District", "210008", "南京鼓楼店",
         [("中山北路", "North Zhongshan Road"), ("湖南路", "Hunan Road")]),
    Area("500103", "重庆市", "重庆", "Chongqing", "重庆市", "重庆",
         "Chongqing", "渝中区", "Yuzhong District", "400010", "重庆解放碑店",
         [("民权路", "Minquan Road"), ("中山三路", "Zhongshan 3rd Road")]),
    Area("610113", "陕西省", "陕西", "Shaanxi", "西安市", "西安", "Xi'an",
         "雁塔区", "Yanta District", "710061", "西安小寨店",
         [("小寨东路", "Xiaozhai East Road"), ("长安南路", "South Chang'an Road")]),
]
AREA = {a.code: a for a in AREAS}
AREA_WEIGHTS = [(14, AREAS[0]), (8, AREAS[1]), (10, AREAS[2]),
                (10, AREAS[3]), (12, AREAS[4]), (12, AREAS[5]),
                (8, AREAS[6]), (7, AREAS[7]), (6, AREAS[8]), (5, AREAS[9]),
                (4, AREAS[10]), (4, AREAS[11])]

COMPOUNDS = [("阳光花园", "Sunshine Garden"), ("金地名苑", "Jindi Mingyuan"),
             ("万科城市花园", "Vanke City Garden"), ("碧桂园", "Biguiyuan"),
             ("华润城", "China Resources City"), ("绿地世纪城", "Greenland Century City"),
             ("翠苑小区", "Cuiyuan Estate"), ("锦绣家园", "Jinxiu Homes")]

MOBILE_PREFIXES = ["138", "139", "135", "136", "137", "150", "151", "158",
                   "159", "182", "186", "185", "131", "132", "155", "177",
                   "176", "173", "180", "181", "189", "133", "153", "199",
                   "198", "166", "188", "187", "147"]
MAIL_DOMAINS = [(20, "qq.com"), (16, "163.com"), (8, "126.com"),
                (5, "sina.com"), (5, "gmail.com"), (4, "outlook.com"),
                (4, "foxmail.com"), (3, "hotmail.com"), (2, "sohu.com"),
                (2, "yeah.net"), (2, "139.com")]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
          "Oct", "Nov", "Dec"]

POS_TIERS = ["普通", "银卡", "金卡", "钻石"]
CRM_TIERS = ["普通会员", "银卡会员", "金卡会员", "钻石会员"]

CNID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CNID_CHECK = "10X98765432"


def cnid_check(first17):
    """GB 11643-1999: weighted sum of the first 17 digits, mod 11, indexes
    "10X98765432"."""
    s = sum(int(c) * w for c, w in zip(first17, CNID_WEIGHTS))
    return CNID_CHECK[s % 11]


def fullwidth(s):
    return "".join(chr(ord(c) + 0xFEE0) if "0" <= c <= "9" else c
                   for c in s)


def tier_of(points):
    return 0 if points < 2000 else 1 if points < 10000 else \
        2 if points < 50000 else 3


# --- people --------------------------------------------------------------

class Person:
    pass


class World:
    def __init__(self, rng):
        self.rng = rng
        self.ids, self.mobiles, self.mails = set(), set(), set()
        self.people = []

    def new_id(self, area, birth, male, want_x=False):
        while True:
            seq = self.rng.below(500) * 2 + (1 if male else 0)
            first17 = "%s%04d%02d%02d%03d" % (area.code, birth.year,
                                             birth.month, birth.day, seq)
            cnid = first17 + cnid_check(first17)
            if cnid in self.ids or (want_x and cnid[-1] != "X"):
                continue
            self.ids.add(cnid)
            return cnid

    def new_mobile(self):
        while True:
            m = self.rng.choice(MOBILE_PREFIXES) + "%08d" % \
                self.rng.below(100000000)
            if m not in self.mobiles:
                self.mobiles.add(m)
                return m

    def new_mail(self, p):
        rng = self.rng
        while True:
            dom = rng.pick(MAIL_DOMAINS)
            if dom == "139.com":
                local = p.mobile
            elif dom == "qq.com" and rng.chance(0.6):
                local = str(10000 + rng.below(2999990000))
            else:
                fam, giv = p.fam[2].lower(), p.given[2].lower()
                local = rng.choice([
                    fam + giv, giv + "." + fam, fam + "_" + giv,
                    fam + giv + "%02d" % (p.birth.year % 100),
                    giv + fam + str(rng.below(1000)),
                    fam[0] + giv + "%02d%02d" % (p.birth.month,
                                                   p.birth.day)])
            m = local + "@" + dom
            if m not in self.mails:
                self.mails.add(m)
                return m

    def person(self, groups, **force):
        rng = self.rng
        p = Person()
        p.pid = "p%04d" % (len(self.people) + 1)
        p.groups = groups
        p.male = force.get("male", rng.chance(0.48))
        p.fam = force.get("fam") or (rng.choice(COMPOUND_SURNAMES)
                                     if rng.chance(0.01)
                                     else rng.choice(SURNAMES))
        p.given = force.get("given") or rng.choice(GIVEN_M if p.male
                                                   else GIVEN_F)
        p.birth = force.get("birth") or rng.date(datetime.date(1950, 1, 1),
                                                 datetime.date(2004, 12, 31))
        p.area = force.get("area") or rng.pick(AREA_WEIGHTS)
        p.cnid = self.new_id(p.area, p.birth, p.male, force.get("want_x"))
        p.mobile = force.get("mobile") or self.new_mobile()
        p.mobile2 = self.new_mobile()  # the number used in another system
        p.mail = self.new_mail(p)
        street = rng.choice(p.area.streets)
        comp = rng.choice(COMPOUNDS)
        p.addr = force.get("addr") or dict(
            street=street, num=1 + rng.below(300), comp=comp,
            bld=1 + rng.below(12), unit=1 + rng.below(4),
            room=(1 + rng.below(30)) * 100 + 1 + rng.below(6))
        p.special = force.get("special", "")
        self.people.append(p)
        return p

    def build(self):
        """The people of every group, then the look-alikes: different
        people that a careless match would merge."""
        rng = self.rng
        d = datetime.date
        zhang, wei = SURNAMES[2], GIVEN_M[0]
        wang, jianguo = SURNAMES[0], GIVEN_M[25]
        # the showcase: 张伟 / 張偉 / Zhang Wei in all three systems
        self.person("PWC", male=True, fam=zhang, given=wei,
                    birth=d(1985, 3, 7), area=AREA["110105"],
                    mobile="13812345678", special="showcase")
        # damaged by Excel in the CRM: must live in 440106
        self.person("PC", area=AREA["440106"], special="excel")
        # mistyped check digit in the POS, correct in the CRM
        self.person("PC", special="pos_badcheck")
        # 15-digit ID in the POS, 18-digit in nothing else
        self.person("PW", birth=d(1972, 11, 23), special="pos_id15")
        for groups, n in GROUPS:
            have = sum(1 for p in self.people if p.groups == groups)
            for _ in range(n - have - self.lookalikes(groups)):
                self.person(groups)
        # two more 张伟, one of them "Zhang Wei" in the webshop too
        self.person("P", male=True, fam=zhang, given=wei,
                    birth=d(1991, 8, 14), special="namesake")
        self.person("W", male=True, fam=zhang, given=wei,
                    birth=d(1979, 1, 26), special="namesake")
        # twins: same birth, address and (their mother's) mobile
        twin_birth, twin_area = d(2001, 5, 19), AREA["330106"]
        a = self.person("P", male=False, fam=SURNAMES[1],
                        given=GIVEN_F[20], birth=twin_birth,
                        area=twin_area, special="twin")
        self.person("P", male=False, fam=SURNAMES[1], given=GIVEN_F[21],
                    birth=twin_birth, area=twin_area, mobile=a.mobile,
                    addr=a.addr, special="twin")
        # father and son, both 王建国, same address
        f = self.person("P", male=True, fam=wang, given=jianguo,
                        birth=d(1958, 10, 1), area=AREA["420106"],
                        special="father")
        self.person("W", male=True, fam=wang, given=jianguo,
                    birth=d(1986, 4, 12), area=AREA["420106"],
                    addr=f.addr, special="son")
        # spouses sharing one mobile
        h = self.person("P", male=True, special="spouse")
        self.person("C", male=False, fam=rng.choice(SURNAMES),
                    mobile=h.mobile, area=h.area, addr=h.addr,
                    special="spouse")
        # the clerk's placeholder mobile, for customers who gave none
        for _ in range(3):
            self.person("P", mobile="13800138000", special="placeholder")
        # a Hong Kong customer of the webshop
        self.person("W", area=AREA["440305"], special="hk")
        # a lowercase x check character in the POS
        self.person("P", want_x=True, special="lower_x")
        # other identity documents in the CRM
        for s in ("passport", "passport", "hkmo"):
            self.person("C", special=s)
        # two people with two POS cards, one with two webshop accounts
        for _ in range(2):
            self.person("P", special="two_cards")
        self.person("W", special="two_accounts")

    @staticmethod
    def lookalikes(groups):
        """People of a group that build() adds after the plain ones."""
        return {"P": 1 + 2 + 1 + 1 + 3 + 1 + 2, "W": 1 + 1 + 1 + 1,
                "C": 1 + 3}.get(groups, 0)


# --- rows ----------------------------------------------------------------

class Row:
    def __init__(self, source, person, cols):
        self.source, self.p, self.cols = source, person, cols
        self.planted, self.variants = [], []
        self.raw = {}  # column -> text written as is (no quoting)

    def var(self, tag):
        self.variants.append(tag)

    def plant(self, tag):
        """A dirty value replaces the field's format variant, if any."""
        field = tag.split(":")[0] + ":"
        self.variants = [v for v in self.variants if not v.startswith(field)]
        self.planted.append(tag)


def zh_name(rng, row, p, col, trad_p, allow_pinyin):
    fam, giv = p.fam, p.given
    kind = rng.pick([(100, "simp"), (trad_p, "trad"), (6, "space"),
                     (3, "ideo_space"), (4, "trailing"),
                     (2 if allow_pinyin else 0, "pinyin")])
    if kind == "trad":
        s = fam[1] + giv[1]
        if s == fam[0] + giv[0]:
            kind = "simp"  # no traditional form differs
    elif kind == "space":
        s = fam[0] + " " + giv[0]
    elif kind == "ideo_space":
        s = fam[0] + "\u3000" + giv[0]
    elif kind == "trailing":
        s = fam[0] + giv[0] + "  "
    elif kind == "pinyin":
        s = fam[2] + " " + giv[2]
    else:
        s = fam[0] + giv[0]
    if kind != "simp":
        row.var("%s:%s" % (col, kind))
    return s


def mobile_text(rng, row, m, weights):
    kind = rng.pick(weights)
    f = {
        "plain": lambda: m,
        "spaces": lambda: "%s %s %s" % (m[:3], m[3:7], m[7:]),
        "dashes": lambda: "%s-%s-%s" % (m[:3], m[3:7], m[7:]),
        "plus86": lambda: "+86" + m,
        "plus86_spaces": lambda: "+86 %s %s %s" % (m[:3], m[3:7], m[7:]),
        "plus86_dash": lambda: "+86-" + m,
        "paren86": lambda: "(+86) %s-%s-%s" % (m[:3], m[3:7], m[7:]),
        "0086": lambda: "0086 " + m,
        "fullwidth": lambda: fullwidth(m),
        "empty": lambda: "",
    }[kind]
    if kind != "plain":
        row.var("mobile:" + kind)
    return f()


def zh_address(p, with_city):
    a, ad = p.area, p.addr
    s = ""
    if with_city:
        s = a.prov + ("" if a.municipality else a.city)
    return "%s%s%s%d号%s%d栋%d单元%d室" % (
        s, a.dist, ad["street"][0], ad["num"], ad["comp"][0], ad["bld"],
        ad["unit"], ad["room"])


def en_address(p):
    ad = p.addr
    return "Room %d, Building %d, %s, %d %s, %s" % (
        ad["room"], ad["bld"], ad["comp"][1], ad["num"], ad["street"][1],
        p.area.dist_en)


def points_and_tier(rng):
    # most members have few points: about half 普通, one in ten 钻石
    pts = int((rng.below(10000) / 10000.0) ** 5 * 80000)
    return pts, tier_of(pts)


def pos_row(w, p, opened, second_card=False):
    rng = w.rng
    r = Row("pos_legacy", p, {})
    c = r.cols
    c["姓名"] = zh_name(rng, r, p, "name", 12, True)
    g = rng.pick([(70, "word"), (20, "digit"), (10, "empty")])
    c["性别"] = {"word": "男" if p.male else "女",
               "digit": "1" if p.male else "2", "empty": ""}[g]
    if g != "word":
        r.var("gender:" + g)
    b = p.birth
    bf = rng.pick([(50, "slash"), (25, "compact"), (15, "chinese"),
                   (10, "empty")])
    c["生日"] = {"slash": "%d/%d/%d" % (b.year, b.month, b.day),
               "compact": "%04d%02d%02d" % (b.year, b.month, b.day),
               "chinese": "%d年%d月%d日" % (b.year, b.month, b.day),
               "empty": ""}[bf]
    r.var("birth_date:" + bf)
    m = p.mobile2 if second_card else p.mobile
    if p.special in ("twin", "spouse", "placeholder"):
        c["手机"] = p.mobile
    else:
        c["手机"] = mobile_text(rng, r, m, [
            (70, "plain"), (10, "spaces"), (8, "dashes"), (4, "plus86"),
            (4, "fullwidth"), (4, "empty")])
    has_id = p.special in ("excel", "pos_badcheck", "pos_id15",
                           "lower_x", "two_cards") or rng.chance(0.8)
    c["身份证号"] = p.cnid if has_id else ""
    if not has_id:
        r.var("id_number:empty")
    elif p.cnid.endswith("X"):
        r.var("id_number:check_X")
    pts, tier = points_and_tier(rng)
    c["会员等级"] = POS_TIERS[tier]
    if pts >= 1000 and rng.chance(0.5):
        c["积分"] = "{:,}".format(pts)
        r.var("points:thousands")
    else:
        c["积分"] = str(pts)
    if opened.day % 3:
        c["开卡日期"] = "%d/%d/%d" % (opened.year, opened.month, opened.day)
    else:
        c["开卡日期"] = opened.isoformat()
        r.var("registered_at:iso")
    c["门店"] = p.area.store if rng.chance(0.9) else rng.choice(AREAS).store
    af = rng.pick([(55, "full"), (30, "district"), (15, "empty")])
    c["地址"] = "" if af == "empty" else zh_address(p, af == "full")
    if af != "full":
        r.var("address:" + af)
    r.opened = opened
    return r


def web_row(w, p, created, second_account=False):
    rng = w.rng
    r = Row("webshop", p, {})
    c = r.cols
    nk = rng.pick([(55, "pinyin"), (35, "chinese"), (5, "upper"),
                   (5, "swapped")])
    fam, giv = p.fam, p.given
    c["first_name"], c["last_name"] = {
        "pinyin": (giv[2], fam[2]), "chinese": (giv[0], fam[0]),
        "upper": (giv[2].upper(), fam[2].upper()),
        "swapped": (fam[2], giv[2])}[nk]
    r.var("name:" + nk)
    mail = w.new_mail(p) if second_account else p.mail
    ek = rng.pick([(85, "lower"), (8, "upper"), (5, "mixed"), (2, "spaces")])
    c["email"] = {"lower": mail, "upper": mail.upper(),
                  "mixed": mail[0].upper() + mail[1:],
                  "spaces": " " + mail + " "}[ek]
    if ek != "lower":
        r.var("email:" + ek)
    if p.special == "son":
        c["phone"] = p.mobile
    else:
        c["phone"] = mobile_text(rng, r, p.mobile, [
            (50, "plain"), (20, "plus86_spaces"), (10, "plus86_dash"),
            (5, "0086"), (5, "paren86"), (10, "empty")])
    b = p.birth
    bk = rng.pick([(55, "iso"), (25, "dmy"), (20, "empty")])
    c["birthday"] = {"iso": b.isoformat(),
                     "dmy": "%02d/%02d/%04d" % (b.day, b.month, b.year),
                     "empty": ""}[bk]
    r.var("birth_date:" + bk)
    gk = rng.pick([(50, "word"), (25, "letter"), (25, "empty")])
    c["gender"] = {"word": "male" if p.male else "female",
                   "letter": "M" if p.male else "F", "empty": ""}[gk]
    if gk != "word":
        r.var("gender:" + gk)
    a = p.area
    lk = rng.pick([(45, "zh"), (40, "en"), (15, "short")])
    c["country"] = {"zh": "中国", "en": "China", "short": "CN"}[lk]
    c["province"] = {"zh": a.prov, "en": a.prov_en, "short": a.prov_short}[lk]
    c["city"] = {"zh": a.city, "en": a.city_en, "short": a.city_short}[lk]
    if lk == "en":
        c["address"] = en_address(p)
        r.var("address:english")
    else:
        c["address"] = zh_address(p, False)
    c["zip"] = a.postcode if rng.chance(0.9) else ""
    t = datetime.datetime.combine(created, datetime.time(
        rng.below(24), rng.below(60), rng.below(60)))
    if rng.chance(0.75):
        c["created_at"] = t.strftime("%Y-%m-%dT%H:%M:%S+08:00")
    else:
        c["created_at"] = t.strftime("%Y-%m-%d %H:%M:%S")
        r.var("registered_at:no_zone")
    c["newsletter"] = "yes" if rng.chance(0.4) else "no"
    c["status"] = rng.pick([(85, "active"), (10, "inactive"), (5, "closed")])
    r.created = t
    return r


def crm_row(w, p, registered):
    rng = w.rng
    r = Row("crm", p, {})
    c = r.cols
    c["客户姓名"] = zh_name(rng, r, p, "name", 10, False)
    mob = p.mobile if p.special == "spouse" or rng.chance(0.85) else p.mobile2
    c["Mobile"] = mobile_text(rng, r, mob, [
        (60, "plain"), (15, "spaces"), (10, "fullwidth"),
        (5, "plus86_spaces"), (10, "empty")])
    has_id = p.special in ("excel", "pos_badcheck", "showcase") or \
        rng.chance(0.85)
    c["证件类型"] = "身份证" if has_id else ""
    c["证件号码"] = p.cnid if has_id else ""
    if not has_id:
        r.var("id_number:empty")
    elif p.cnid.endswith("X"):
        r.var("id_number:check_X")
    ek = rng.pick([(60, "lower"), (15, "upper"), (25, "empty")])
    c["Email"] = {"lower": p.mail, "upper": p.mail.upper(), "empty": ""}[ek]
    if ek != "lower":
        r.var("email:" + ek)
    b = p.birth
    bk = rng.pick([(50, "dmony"), (40, "dotted"), (10, "empty")])
    c["出生日期"] = {"dmony": "%02d-%s-%04d" % (b.day, MONTHS[b.month - 1],
                                             b.year),
                 "dotted": "%04d.%02d.%02d" % (b.year, b.month, b.day),
                 "empty": ""}[bk]
    r.var("birth_date:" + bk)
    pts, tier = points_and_tier(rng)
    c["等级"] = CRM_TIERS[tier]
    c["积分"] = str(pts)
    t = datetime.datetime.combine(registered, datetime.time(
        8 + rng.below(13), rng.below(60)))
    c["注册时间"] = "%d/%d/%d %d:%02d" % (t.year, t.month, t.day, t.hour,
                                       t.minute)
    if rng.chance(0.9):
        last = rng.date(registered, DATE_MAX)
        c["最后消费"] = "%d/%d/%d" % (last.year, last.month, last.day)
    else:
        c["最后消费"] = ""
        r.var("last_active_at:empty")
    c["营销同意"] = rng.pick([(45, "是"), (40, "否"), (15, "")])
    c["备注"] = rng.pick([(85, ""), (6, "VIP客户"), (5, "已回访"),
                        (4, "生日当月双倍积分")])
    r.registered = t
    return r


# --- planting ------------------------------------------------------------

def choose(rng, rows, ok, n, near=None):
    """n rows satisfying ok(row), not yet planted; near: row index to start
    from (the nearest eligible row at or after it)."""
    free = [i for i, r in enumerate(rows) if not r.planted and ok(r)]
    if near is not None:
        after = [i for i in free if i >= near]
        assert after, "no eligible row"
        return [rows[after[0]]]
    assert len(free) >= n, "only %d eligible rows" % len(free)
    got = []
    while len(got) < n:
        i = free.pop(rng.below(len(free)))
        got.append(rows[i])
    return got


def plain(r):
    """A row of someone in this one file with no role of their own."""
    return len(r.p.groups) == 1 and not r.p.special


def has_id(r):
    return plain(r) and len(r.cols["身份证号"]) == 18


def has_mobile(r):
    m = r.cols["手机"]
    return plain(r) and m.isascii() and m.isdigit()


def has_birth(r):
    return plain(r) and "/" in r.cols["生日"]


def can_swap(r):
    """Day and month can be swapped into another valid date."""
    b = r.p.birth
    return has_birth(r) and r.cols["身份证号"] and b.day <= 12 and \
        b.day != b.month


def plant_pos(rng, rows):
    mid = len(rows) // 2
    # broken rows: wrong field count, unterminated quote, invalid bytes
    for near, tag in ((len(rows) // 4, "broken:field_count"),
                      (mid - 1, "broken:unterminated_quote"),
                      (3 * len(rows) // 4, "broken:invalid_bytes")):
        r = choose(rng, rows, lambda r: plain(r) and r.cols["地址"] and
                   "," not in r.cols["积分"], 1, near)[0]
        r.plant(tag)
        r.variants = []
        a = r.cols["地址"]
        cut = a.index("号") + 1
        if tag == "broken:field_count":
            r.raw["地址"] = a[:cut] + "," + a[cut:]
        elif tag == "broken:unterminated_quote":
            r.raw["地址"] = '"' + a
        else:
            # a GB18030 lead byte 0x81 whose trail byte was lost: 0x81 0x20
            r.raw["地址"] = a[:cut] + "\x00INVALID\x00 " + a[cut:]
    for r in rows:
        if r.p.special == "pos_badcheck":
            r.cols["身份证号"] = bad_check(r.p.cnid)
            r.plant("id_number:bad_checksum")
        if r.p.special == "pos_id15":
            r.cols["身份证号"] = id15(r.p.cnid)
            r.var("id_number:old_15_digit")
        if r.p.special == "lower_x":
            r.cols["身份证号"] = r.p.cnid.lower()
            r.var("id_number:lowercase_x")
        if r.p.special == "placeholder":
            r.plant("mobile:placeholder")
    r = choose(rng, rows, has_id, 1)[0]
    r.cols["身份证号"] = bad_check(r.p.cnid)
    r.plant("id_number:bad_checksum")
    r = choose(rng, rows, has_id, 1)[0]
    r.cols["身份证号"] = fullwidth(r.p.cnid)
    r.var("id_number:fullwidth")
    r = choose(rng, rows, has_mobile, 1)[0]
    r.cols["手机"] = r.cols["手机"][:5] + r.cols["手机"][6:]
    r.plant("mobile:too_short")
    r = choose(rng, rows, has_mobile, 1)[0]
    r.cols["手机"] = "021-6438%04d" % rng.below(10000)
    r.plant("mobile:landline")
    r = choose(rng, rows, has_birth, 1)[0]
    r.cols["生日"] = "%d/2/30" % r.p.birth.year
    r.plant("birth_date:impossible")
    r = choose(rng, rows, has_birth, 1)[0]
    r.cols["生日"] = "1900/1/1"
    r.plant("birth_date:placeholder")
    r = choose(rng, rows, can_swap, 1)[0]
    b = r.p.birth
    r.cols["生日"] = "%d/%d/%d" % (b.year, b.day, b.month)
    r.plant("birth_date:id_mismatch")
    r = choose(rng, rows, lambda r: plain(r) and r.cols["性别"], 1)[0]
    r.cols["性别"] = "未知"
    r.plant("gender:unknown_value")
    r = choose(rng, rows, plain, 1)[0]
    r.cols["会员等级"] = "白金"
    r.plant("tier:unknown_value")
    r = choose(rng, rows, lambda r: plain(r) and
               r.cols["积分"].isdigit(), 1)[0]
    r.cols["积分"] = "-%d" % (50 + rng.below(400))
    r.plant("points:negative")


def plant_web(rng, rows):
    r = choose(rng, rows, lambda r: plain(r) and
               r.cols["address"].startswith("Room"), 1, len(rows) // 3)[0]
    r.raw["address"] = r.cols["address"]
    r.plant("broken:field_count")
    r.variants = []
    r = choose(rng, rows, lambda r: plain(r) and
               not r.cols["address"].startswith("Room"), 1, len(rows) // 2)[0]
    a = r.cols["address"]
    cut = a.index("号") + 1
    r.cols["address"] = a[:cut] + "\n" + a[cut:]
    r.var("address:newline")
    for r in rows:
        if r.p.special == "hk":
            r.cols.update(country="HK", province="", city="Hong Kong",
                          zip="", address='Flat 12B, "Golden Tower", '
                          '88 Nathan Road, Tsim Sha Tsui',
                          phone="+852 9%03d %04d" % (rng.below(1000),
                                                     rng.below(10000)))
            r.variants = [v for v in r.variants if not v.startswith(
                ("mobile", "address"))]
            r.var("address:quotes")
            r.var("mobile:hong_kong")
    for r in choose(rng, rows, lambda r: plain(r) and r.cols["birthday"], 2):
        r.cols["birthday"] = "0000-00-00"
        r.plant("birth_date:zero_date")
    r1, r2 = choose(rng, rows, lambda r: plain(r) and
                    "@" in r.cols["email"] and
                    r.cols["email"] == r.cols["email"].lower(), 2)
    r1.cols["email"] = r1.cols["email"].replace("@", ".")
    r1.plant("email:no_at")
    r2.cols["email"] = r2.cols["email"].rsplit(".", 1)[0]
    r2.plant("email:no_dot_in_domain")


def plant_crm(rng, rows):
    for r in rows:
        sp = r.p.special
        if sp == "excel":
            # Excel "General" shows 6 significant digits: 4.40106E+17
            r.cols["证件号码"] = "%.5E" % int(r.p.cnid)
            r.plant("id_number:excel_float")
        elif sp == "showcase":
            r.cols["证件号码"] = id15(r.p.cnid)
            r.var("id_number:old_15_digit")
        elif sp in ("passport", "hkmo"):
            r.cols["证件类型"] = "护照" if sp == "passport" else "港澳通行证"
            r.cols["证件号码"] = ("E" if sp == "passport" else "C") + \
                "%08d" % rng.below(100000000)
            r.variants = [v for v in r.variants
                          if not v.startswith("id_number")]
            r.var("id_type:" + sp)
    r = choose(rng, rows, lambda r: plain(r) and
               len(r.cols["证件号码"]) == 18, 1)[0]
    r.cols["证件号码"] = bad_check(r.p.cnid)
    r.plant("id_number:bad_checksum")
    r = choose(rng, rows, lambda r: not r.cols["备注"], 1, len(rows) // 3)[0]
    r.cols["备注"] = '客户要求"不要短信"'
    r.var("remark:quotes")
    r = choose(rng, rows, lambda r: not r.cols["备注"], 1,
               2 * len(rows) // 3)[0]
    r.cols["备注"] = "地址已变更\n新地址待确认"
    r.var("remark:newline")


def bad_check(cnid):
    good = cnid[-1]
    return cnid[:17] + CNID_CHECK[(CNID_CHECK.index(good) + 3) % 11]


def id15(cnid):
    """The 15-digit form (GB 11643-1989) of a 19xx birth: no century, no
    check character."""
    assert cnid[6:8] == "19"
    return cnid[:6] + cnid[8:17]


# --- the showcase person, spelled three ways -----------------------------

def showcase(rows):
    for r in rows:
        if r.p.special != "showcase":
            continue
        c = r.cols
        r.variants = [v for v in r.variants
                      if not v.split(":")[0] in ("name", "mobile", "email")]
        if r.source == "pos_legacy":
            c.update({"姓名": "張偉", "手机": "138 1234 5678",
                      "性别": "男", "生日": "1985/3/7"})
            r.variants = [v for v in r.variants if not v.startswith(
                ("gender", "birth_date", "id_number"))]
            c["身份证号"] = r.p.cnid
            r.var("name:trad")
            r.var("mobile:spaces")
            r.var("birth_date:slash")
        elif r.source == "webshop":
            c.update(first_name="Wei", last_name="Zhang",
                     email=r.p.mail.upper(), phone="+86 138-1234-5678",
                     birthday="07/03/1985", gender="M")
            r.variants = [v for v in r.variants if not v.startswith(
                ("gender", "birth_date"))]
            r.var("name:pinyin")
            r.var("email:upper")
            r.var("mobile:plus86_dashes")
            r.var("birth_date:dmy")
            r.var("gender:letter")
        else:
            c.update({"客户姓名": "张伟", "Mobile": fullwidth("13812345678"),
                      "Email": r.p.mail, "出生日期": "07-Mar-1985"})
            r.variants = [v for v in r.variants if not v.startswith(
                "birth_date")]
            r.var("mobile:fullwidth")
            r.var("birth_date:dmony")


# --- writing -------------------------------------------------------------

POS_COLS = ["会员卡号", "姓名", "性别", "生日", "手机", "身份证号", "会员等级",
            "积分", "开卡日期", "门店", "地址"]
WEB_COLS = ["customer_id", "first_name", "last_name", "email", "phone",
            "birthday", "gender", "country", "province", "city", "address",
            "zip", "created_at", "newsletter", "status"]
CRM_COLS = ["客户编号", "客户姓名", "Mobile", "证件类型", "证件号码", "Email",
            "出生日期", "等级", "积分", "注册时间", "最后消费", "营销同意", "备注"]


def quote(v, delim):
    if any(ch in v for ch in (delim, '"', "\n", "\r")):
        return '"' + v.replace('"', '""') + '"'
    return v


def line_of(r, cols, delim):
    return delim.join(r.raw[k] if k in r.raw else quote(r.cols[k], delim)
                      for k in cols)


def write_pos(path, rows):
    out = [",".join(POS_COLS).encode("gb18030")]
    for r in rows:
        parts = line_of(r, POS_COLS, ",").split("\x00INVALID\x00")
        out.append(b"\x81".join(p.encode("gb18030") for p in parts))
    with open(path, "wb") as f:
        f.write(b"\r\n".join(out) + b"\r\n")


def write_web(path, rows):
    text = ",".join(WEB_COLS) + "\n" + "".join(
        line_of(r, WEB_COLS, ",") + "\n" for r in rows)
    with open(path, "wb") as f:
        f.write(b"\xef\xbb\xbf" + text.encode("utf-8"))


def write_crm(path, rows):
    # Excel's "Unicode text": UTF-16LE with BOM, tabs, CRLF between rows,
    # a bare LF for a line break inside a cell.
    text = "\t".join(CRM_COLS) + "\r\n" + "".join(
        line_of(r, CRM_COLS, "\t") + "\r\n" for r in rows)
    with open(path, "wb") as f:
        f.write(b"\xff\xfe" + text.encode("utf-16-le"))


def number_rows(rows, cols, delim, key, keys):
    """Give rows their ids, record numbers and first physical lines."""
    line = 2
    for i, r in enumerate(rows):
        r.cols[key] = keys[i]
        r.row, r.line = i + 1, line
        line += 1 + line_of(r, cols, delim).count("\n")


def write_truth(path, files):
    out = ["source,source_row,line,source_id,person,planted,variants"]
    for rows, key in files:
        for r in rows:
            out.append(",".join([r.source, str(r.row), str(r.line),
                                 r.cols[key], r.p.pid,
                                 ";".join(r.planted),
                                 ";".join(sorted(set(r.variants)))]))
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(out) + "\n")


# --- assembling ----------------------------------------------------------

def adult(p, lo):
    """Members sign up from 16 on."""
    b = p.birth
    return max(lo, datetime.date(b.year + 16, b.month, min(b.day, 28)))


def make_rows(w):
    rng = w.rng
    pos, web, crm = [], [], []
    for p in w.people:
        if "P" in p.groups:
            opened = rng.date(adult(p, datetime.date(2008, 1, 1)),
                              datetime.date(2023, 12, 31))
            pos.append(pos_row(w, p, opened))
            if p.special == "two_cards":
                later = rng.date(opened + datetime.timedelta(days=200),
                                 datetime.date(2024, 5, 31))
                pos.append(pos_row(w, p, later, second_card=True))
        if "W" in p.groups:
            created = rng.date(adult(p, datetime.date(2015, 3, 1)),
                               datetime.date(2024, 6, 20))
            web.append(web_row(w, p, created))
            if p.special == "two_accounts":
                later = rng.date(created + datetime.timedelta(days=30),
                                 datetime.date(2024, 6, 25))
                web.append(web_row(w, p, later, second_account=True))
        if "C" in p.groups:
            reg = rng.date(adult(p, datetime.date(2012, 1, 1)),
                           datetime.date(2024, 6, 1))
            crm.append(crm_row(w, p, reg))
    pos.sort(key=lambda r: (r.opened, r.p.pid))
    web.sort(key=lambda r: (r.created, r.p.pid))
    crm.sort(key=lambda r: (r.registered, r.p.pid))
    assert (len(pos), len(web), len(crm)) == (N_POS, N_WEB, N_CRM), \
        (len(pos), len(web), len(crm))
    return pos, web, crm


def serial(rng, start, n, fmt):
    out, k = [], start
    for _ in range(n):
        k += 1 + rng.below(40)
        out.append(fmt % k)
    return out


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else "sample-data"
    rng = Rng(SEED)
    w = World(rng)
    w.build()
    pos, web, crm = make_rows(w)
    showcase(pos + web + crm)
    plant_pos(rng, pos)
    plant_web(rng, web)
    plant_crm(rng, crm)
    number_rows(pos, POS_COLS, ",", "会员卡号",
                serial(rng, 8800010000, N_POS, "%d"))
    number_rows(web, WEB_COLS, ",", "customer_id",
                serial(rng, 100000, N_WEB, "%d"))
    number_rows(crm, CRM_COLS, "\t", "客户编号",
                serial(rng, 200000, N_CRM, "C%d"))
    check_unterminated_quote(pos)
    os.makedirs(outdir, exist_ok=True)
    write_pos(os.path.join(outdir, "pos_legacy.csv"), pos)
    write_web(os.path.join(outdir, "webshop.csv"), web)
    write_crm(os.path.join(outdir, "crm.tsv"), crm)
    write_truth(os.path.join(outdir, "truth.csv"),
                [(pos, "会员卡号"), (web, "customer_id"), (crm, "客户编号")])
    write_readme(os.path.join(outdir, "README.md"), w, pos, web, crm)


def check_unterminated_quote(rows):
    """The broken quote swallows text up to the next quote. That quote must
    open a points field (8th of 11), so that the swallowed row has 14
    fields, not 11, and is rejected rather than read as one record."""
    i = next(i for i, r in enumerate(rows)
             if "broken:unterminated_quote" in r.planted)
    for r in rows[i + 1:]:
        text = line_of(r, POS_COLS, ",")
        if '"' in text:
            assert r.cols["积分"].count(",") and \
                text.index('"') == text.index('"' + r.cols["积分"]), \
                "next quote is not a points field"
            assert text.count('"') == 2
            return
    raise AssertionError("no quote after the unterminated one")


# --- README --------------------------------------------------------------

def counts(rows, attr, prefix=""):
    out = {}
    for r in rows:
        for t in getattr(r, attr):
            if t.startswith(prefix):
                out[t] = out.get(t, 0) + 1
    return out


def table(rows, attr):
    c = counts(rows, attr)
    lines = ["| %s | rows |" % ("problem" if attr == "planted" else
                                "variant"), "|---|---|"]
    for k in sorted(c):
        lines.append("| `%s` | %d |" % (k, c[k]))
    return "\n".join(lines)


def describe(rows, tag):
    r = [r for r in rows if tag in r.planted]
    return ", ".join("record %d (line %d)" % (x.row, x.line) for x in r)


def write_readme(path, w, pos, web, crm):
    groups = {}
    for p in w.people:
        groups[p.groups] = groups.get(p.groups, 0) + 1
    n_rec = len(pos) + len(web) + len(crm)
    n_broken = sum(1 for r in pos + web + crm
                   if any(t.startswith("broken:") for t in r.planted))
    by_person = {}
    for r in pos + web + crm:
        by_person.setdefault(r.p.pid, []).append(r)
    pairs = sum(len(v) * (len(v) - 1) // 2 for v in by_person.values())
    multi = sum(1 for v in by_person.values() if len(v) > 1)
    show = [p for p in w.people if p.special == "showcase"][0]
    web_multi = [r for r in web if "address:newline" in r.variants][0]
    crm_multi = [r for r in crm if "remark:newline" in r.variants][0]
    text = README % dict(
        n_pos=len(pos), n_web=len(web), n_crm=len(crm), n_rec=n_rec,
        n_people=len(w.people), n_ok=n_rec - n_broken, n_broken=n_broken,
        g_pwc=groups["PWC"], g_pw=groups["PW"], g_pc=groups["PC"],
        g_wc=groups["WC"], g_p=groups["P"], g_w=groups["W"],
        g_c=groups["C"], pairs=pairs, multi=multi,
        show=show.pid,
        pos_fc=describe(pos, "broken:field_count"),
        pos_uq=describe(pos, "broken:unterminated_quote"),
        pos_ib=describe(pos, "broken:invalid_bytes"),
        web_fc=describe(web, "broken:field_count"),
        web_nf=len(WEB_COLS) + [r.raw["address"] for r in web
                                if "address" in r.raw][0].count(","),
        pos_lines=len(pos) + 1, web_lines=len(web) + 2,
        crm_lines=len(crm) + 2,
        web_ml="record %d (lines %d-%d)" % (web_multi.row, web_multi.line,
                                             web_multi.line + 1),
        crm_ml="record %d (lines %d-%d)" % (crm_multi.row, crm_multi.line,
                                             crm_multi.line + 1),
        pos_planted=table(pos, "planted"), web_planted=table(web, "planted"),
        crm_planted=table(crm, "planted"),
        pos_var=table(pos, "variants"), web_var=table(web, "variants"),
        crm_var=table(crm, "variants"),
        lookalikes=lookalikes(w))
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def lookalikes(w):
    def ids(special):
        return ", ".join(p.pid for p in w.people if p.special == special)
    return "\n".join([
        "- two more people named 张伟 besides the showcase one (%s): one in "
        "the POS, born 1991, and one in the webshop, born 1979, where he "
        "too may be spelled `Zhang Wei`" % ids("namesake"),
        "- twin sisters (%s): same surname, birth date, address and mobile "
        "(their mother's), different given names and ID numbers" %
        ids("twin"),
        "- father and son, both 王建国 (%s): same address, born 1958 and "
        "1986, one in the POS, one in the webshop" % ", ".join(
            [ids("father"), ids("son")]),
        "- a married couple sharing one mobile (%s), one in the POS, one in "
        "the CRM" % ids("spouse"),
        "- three POS customers with the clerks' placeholder mobile "
        "13800138000 (%s)" % ids("placeholder"),
    ])


README = """\
# Sample data

Three exports of the members of one fictional retailer, 鸿运百货 (Hongyun
Department Stores), as a go-live migration would receive them. All people,
ID numbers, mobiles and addresses are made up (the area codes, districts
and streets are real places; the ID check characters follow GB 11643).

Do not edit these files by hand: they are written by
`python3 scripts/gen-sample.py` (deterministic: rerunning it gives the same
bytes), and this README with them, so every count below is exact.

| file | records | encoding | dialect |
|---|---|---|---|
| `pos_legacy.csv` | %(n_pos)d | GB18030 | comma, CRLF, Chinese headers |
| `webshop.csv` | %(n_web)d | UTF-8 with BOM | comma, LF, English headers |
| `crm.tsv` | %(n_crm)d | UTF-16LE with BOM | tab, CRLF (Excel "Unicode text") |
| `truth.csv` | %(n_rec)d | UTF-8 | comma, LF: the answer key |

Mappings for them: `mappings/pos.map`, `mappings/webshop.map`,
`mappings/crm.map`.

## Who is who

%(n_rec)d records of %(n_people)d people. %(n_ok)d records can be parsed;
the other %(n_broken)d are broken rows (below), all of people who appear
in one file only.

| people | in |
|---|---|
| %(g_pwc)d | all three files |
| %(g_pw)d | POS and webshop |
| %(g_pc)d | POS and CRM |
| %(g_wc)d | webshop and CRM |
| %(g_p)d | POS only (2 of them with two POS cards) |
| %(g_w)d | webshop only (1 of them with two webshop accounts) |
| %(g_c)d | CRM only |

So %(multi)d people have more than one record, and there are %(pairs)d true
duplicate pairs (all pairs within a person's records). `truth.csv` has one
line per record: `source` (the mapping's name), `source_row` (1-based record
number in its file), `line` (the physical line it starts on, header = 1),
`source_id`, `person` (the same person has the same id), `planted` (dirty
values and breakage planted in that record, `field:problem;...`) and
`variants` (format variants that should normalise cleanly).

The showcase person, %(show)s, is 张伟 born 1985-03-07, in all three files:

| file | name | mobile | ID | other |
|---|---|---|---|---|
| POS | `張偉` (traditional) | `138 1234 5678` | 18 digits | birthday `1985/3/7` |
| webshop | `Wei` / `Zhang` | `+86 138-1234-5678` | (none) | e-mail in upper case, birthday `07/03/1985` |
| CRM | `张伟` | full-width `１３８１２３４５６７８` | the old 15-digit form | birthday `07-Mar-1985` |

Other overlaps: a person whose CRM ID number Excel turned into
`4.40106E+17` (the POS has the full number); a person whose POS ID number
has a mistyped check character while the CRM has the right one; a person
with the 15-digit ID in the POS. About one in seven people in two systems
gave a different mobile to each.

Look-alikes, different people a careless match would merge:

%(lookalikes)s

## pos_legacy.csv

A legacy store till system. GB18030, comma separated, CRLF line ends, one
header row, %(n_pos)d records on %(pos_lines)d lines (no field spans lines),
a final CRLF. Columns: 会员卡号 (card number, the key), 姓名, 性别, 生日,
手机, 身份证号, 会员等级, 积分, 开卡日期, 门店, 地址. Quotes appear only around
积分 values written with thousands separators (`"12,345"`).

Formats mixed in one column: gender 男/女 or 1/2; birthdays `1985/3/7`,
`19850307` and `1985年3月7日`; card dates `2012/5/18` or `2012-05-18`; tiers
普通/银卡/金卡/钻石.

Broken rows (3):

- wrong field count (12 instead of 11, an unquoted comma in 地址):
  %(pos_fc)s
- unterminated quote (地址 opens a quote that never closes; the next quote
  in the file opens a 积分 field a few lines later, so read as RFC 4180 the
  swallowed lines make one row of 14 fields): %(pos_uq)s
- invalid GB18030 (a lead byte 0x81 followed by 0x20 inside 地址):
  %(pos_ib)s

Planted dirty values:

%(pos_planted)s

Format variants (records written in a shape that should normalise cleanly;
broken rows and planted values are not counted here):

%(pos_var)s

## webshop.csv

An online shop's customer export. UTF-8 with a BOM, comma separated, LF
line ends, one header row, %(n_web)d records on %(web_lines)d lines, a
final LF. One address holds a line break: %(web_ml)s.
Columns: customer_id (the key), first_name, last_name, email, phone, birthday, gender, country,
province, city, address, zip, created_at, newsletter, status. Fields with
commas, quotes or a line break are quoted (RFC 4180).

Formats: names in pinyin, Chinese, upper case, or given and family name
swapped; birthdays ISO `1985-03-07` or `07/03/1985` (day first, so
`date_order = DMY`); gender male/female or M/F; country, province and city
in Chinese, English or short form (`中国`/`China`/`CN`); addresses in
Chinese or English; created_at `2019-03-07T14:22:05+08:00` or
`2019-03-07 14:22:05`; newsletter yes/no; status active/inactive/closed.

Broken rows (1):

- wrong field count (%(web_nf)d instead of 15: an English address with
  commas, not quoted): %(web_fc)s

Planted dirty values:

%(web_planted)s

Format variants:

%(web_var)s

## crm.tsv

A CRM export saved from Excel as "Unicode text": UTF-16LE with a BOM, tab
separated, CRLF between rows, a bare LF for a line break inside a cell, one
header row, %(n_crm)d records on %(crm_lines)d lines, a final CRLF. One
remark holds a line break: %(crm_ml)s. Excel quotes a cell that holds a tab,
quote or line break. Columns: 客户编号 (the key), 客户姓名, Mobile, 证件类型,
证件号码, Email, 出生日期, 等级, 积分, 注册时间, 最后消费, 营销同意, 备注.
No broken rows.

Formats: birthdays `07-Mar-1985` or `1985.03.07`; registration
`2018/6/5 14:03`; last purchase `2024/1/15`; tiers 普通会员/银卡会员/金卡会员/
钻石会员; consent 是/否/empty; ID types 身份证, 护照 (passport), 港澳通行证
(Hong Kong and Macau permit).

Planted dirty values:

%(crm_planted)s

Format variants:

%(crm_var)s
"""

if __name__ == "__main__":
    main()
