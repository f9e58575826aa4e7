#!/usr/bin/env python3
"""Write an N-row POS member export for the import benchmark.

usage: python3 bench/gen-pos.py N OUT     (OUT "-" is standard output)

Same shape as sample-data/pos_legacy.csv: GB18030, CRLF, comma separated,
the same eleven Chinese headers, the same mix of formats (birthdays
1985/3/7, 19850307 and 1985年3月7日; gender 男/女/1/2; mobiles with spaces,
dashes, +86 or full-width digits; points "12,345" quoted), valid GB 11643 ID
numbers on real area codes. No broken rows: this measures the normal path.
All data are made up. Deterministic (fixed seed) for a given N.

Fast enough for millions of rows: values come from pools built once, each
chunk of rows is drawn with random.choices and encoded in one call.
"""

import datetime
import random
import sys

SEED = 20240611
CHUNK = 20000

HEADER = "会员卡号,姓名,性别,生日,手机,身份证号,会员等级,积分,开卡日期,门店,地址\r\n"

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖"
            "田董潘袁蔡蒋余杜叶程魏苏吕丁任卢姚沈钟崔谭陆范廖石金贾夏方白邹孟熊秦邱薛")
GIVEN_M = ["伟", "强", "磊", "军", "洋", "勇", "杰", "涛", "明", "超", "刚", "鹏",
           "辉", "斌", "龙", "博", "晨", "建华", "志强", "晓东", "文博", "浩然",
           "俊杰", "宇航", "国庆", "建国", "云飞", "振华", "子轩", "一鸣"]
GIVEN_F = ["芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "玲", "琳", "慧", "颖",
           "丹", "秀英", "秀兰", "桂英", "海燕", "雪梅", "子涵", "欣怡", "思琪",
           "佳怡", "梓萱", "红梅", "丽华", "凤英", "婷婷", "嘉欣", "晓燕", "美玲"]
# GB/T 2260 code, province + city, district, streets, store
AREAS = [
    ("110105", "北京市", "朝阳区", ["建国路", "朝阳北路", "望京街"], "北京朝阳大悦城店"),
    ("110108", "北京市", "海淀区", ["中关村大街", "学院路", "知春路"], "北京中关村店"),
    ("310104", "上海市", "徐汇区", ["漕溪北路", "肇嘉浜路", "天钥桥路"], "上海徐家汇店"),
    ("310115", "上海市", "浦东新区", ["世纪大道", "张杨路", "锦绣路"], "上海陆家嘴店"),
    ("440106", "广东省广州市", "天河区", ["体育西路", "天河路", "林和西路"], "广州天河城店"),
    ("440305", "广东省深圳市", "南山区", ["科技园路", "南海大道", "后海大道"], "深圳海岸城店"),
    ("330106", "浙江省杭州市", "西湖区", ["文三路", "天目山路", "教工路"], "杭州西湖银泰店"),
    ("510107", "四川省成都市", "武侯区", ["人民南路", "科华北路", "高升桥路"], "成都武侯店"),
    ("420106", "湖北省武汉市", "武昌区", ["中南路", "武珞路", "中北路"], "武汉中南店"),
    ("320106", "江苏省南京市", "鼓楼区", ["中山北路", "湖南路"], "南京鼓楼店"),
    ("500103", "重庆市", "渝中区", ["民权路", "中山三路"], "重庆解放碑店"),
    ("610113", "陕西省西安市", "雁塔区", ["小寨东路", "长安南路"], "西安小寨店"),
]
COMPOUNDS = ["阳光花园", "金地名苑", "万科城市花园", "碧桂园", "华润城", "绿地世纪城",
             "翠苑小区", "锦绣家园"]
PREFIXES = ["138", "139", "135", "136", "137", "150", "151", "158", "159",
            "182", "186", "185", "131", "132", "155", "177", "176", "180",
            "181", "189", "133", "153", "199", "198", "166", "188", "187"]

# GB 11643-1999: weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2; the sum mod
# 11 indexes "10X98765432". The sum is split into area, date and sequence
# parts, each computed once per pool entry.
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK = "10X98765432"
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def wsum(digits, offset):
    return sum(int(c) * WEIGHTS[offset + i] for i, c in enumerate(digits))


def birth_pool():
    """(birthday as written, YYYYMMDD, its weighted sum) for 1950-2005."""
    out = []
    d, end = datetime.date(1950, 1, 1), datetime.date(2005, 12, 31)
    step = datetime.timedelta(days=1)
    forms = ["%d/%d/%d"] * 5 + ["%04d%02d%02d"] * 3 + ["%d年%d月%d日"] * 2
    i = 0
    while d <= end:
        ymd = "%04d%02d%02d" % (d.year, d.month, d.day)
        shown = forms[i % len(forms)] % (d.year, d.month, d.day)
        if i % 13 == 0:
            shown = ""
        out.append((shown, ymd, wsum(ymd, 6)))
        d += step
        i += 1
    return out


def person_pool(rng):
    """(name, gender as written, male) for a few thousand people."""
    out = []
    for _ in range(6000):
        male = rng.random() < 0.48
        name = rng.choice(SURNAMES) + rng.choice(GIVEN_M if male else GIVEN_F)
        g = rng.choice(["男", "男", "男", "1", ""] if male
                       else ["女", "女", "女", "2", ""])
        out.append((name, g, male))
    return out


def area_pool(rng):
    """(area code, its weighted sum, store, address) combinations."""
    out = []
    for code, prov, dist, streets, store in AREAS:
        s = wsum(code, 0)
        for _ in range(400):
            a = "%s%s%s%d号%s%d栋%d单元%d室" % (
                prov if rng.random() < 0.6 else "", dist,
                rng.choice(streets), 1 + rng.randrange(300),
                rng.choice(COMPOUNDS), 1 + rng.randrange(12),
                1 + rng.randrange(4), 100 * (1 + rng.randrange(30)) +
                1 + rng.randrange(6))
            out.append((code, s, store, a if rng.random() < 0.85 else ""))
    return out


def mobile_pool(rng):
    """Mobile number shapes, as format functions of 11 digits."""
    return ([lambda m: m] * 70 +
            [lambda m: "%s %s %s" % (m[:3], m[3:7], m[7:])] * 10 +
            [lambda m: "%s-%s-%s" % (m[:3], m[3:7], m[7:])] * 8 +
            [lambda m: "+86" + m] * 4 +
            [lambda m: m.translate(FULLWIDTH)] * 4 + [lambda m: ""] * 4)


def open_date_pool():
    out = []
    d, end = datetime.date(2008, 1, 1), datetime.date(2024, 6, 30)
    while d <= end:
        out.append("%d/%d/%d" % (d.year, d.month, d.day) if d.day % 3
                   else d.isoformat())
        d += datetime.timedelta(days=1)
    return out


def points_pool(rng):
    """(tier, points as written): most members have few points."""
    out = []
    for _ in range(5000):
        p = int(rng.random() ** 5 * 80000)
        tier = "普通" if p < 2000 else "银卡" if p < 10000 else \
            "金卡" if p < 50000 else "钻石"
        out.append((tier, '"{:,}"'.format(p) if p >= 1000 and
                    rng.random() < 0.5 else str(p)))
    return out


def chunk(rng, pools, first, n):
    births, people, areas, mobiles, opened, points = pools
    seq = [rng.randrange(500) for _ in range(n)]
    tails = [rng.randrange(100000000) for _ in range(n)]
    lines = []
    for i, (b, p, a, mf, od, pt, pre, has_id) in enumerate(zip(
            rng.choices(births, k=n), rng.choices(people, k=n),
            rng.choices(areas, k=n), rng.choices(mobiles, k=n),
            rng.choices(opened, k=n), rng.choices(points, k=n),
            rng.choices(PREFIXES, k=n),
            rng.choices((True, True, True, True, False), k=n))):
        cnid = ""
        if has_id:
            s = "%03d" % (seq[i] * 2 + p[2])  # odd for men
            cnid = a[0] + b[1] + s + CHECK[(a[1] + b[2] + wsum(s, 14)) % 11]
        lines.append("%d,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\r\n" % (
            first + i, p[0], p[1], b[0], mf(pre + "%08d" % tails[i]), cnid,
            pt[0], pt[1], od, a[2], a[3]))
    return "".join(lines).encode("gb18030")


def main():
    if len(sys.argv) != 3 or not sys.argv[1].isdigit():
        sys.stderr.write("usage: gen-pos.py N OUT\n")
        return 2
    n, path = int(sys.argv[1]), sys.argv[2]
    rng = random.Random(SEED)
    pools = (birth_pool(), person_pool(rng), area_pool(rng),
             mobile_pool(rng), open_date_pool(), points_pool(rng))
    out = sys.stdout.buffer if path == "-" else open(path, "wb")
    out.write(HEADER.encode("gb18030"))
    done = 0
    while done < n:
        k = min(CHUNK, n - done)
        out.write(chunk(rng, pools, 8800000001 + done, k))
        done += k
    if out is not sys.stdout.buffer:
        out.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
