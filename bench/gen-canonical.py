#!/usr/bin/env python3
"""Write N canonical records as mbr-import leaves them: every canonical
column, UTF-8, but values still in the shapes the source systems used, for
mbr-normalize's benchmark (bench/normalize.sh).

  bench/gen-canonical.py N > canon.csv

About a third of the values need work: Traditional characters and spaces
in names, an honorific, five birthday shapes, mobiles with spaces, dashes,
+86 or full-width digits, upper-case e-mails, 15-digit and lower-case-x ID
numbers, short province and city names or none (the address has them),
full-width postal codes, Chinese consent and status words, timestamps
without the T. About 3% are bad (an impossible date, a short mobile, an
e-mail without @, a wrong ID check character, a five-digit postal code).
An unknown column, member_note, sits in the middle.

Names, places and numbers are made up; deterministic for a given N (no
random module: record i is a function of i). A million records take about
10 s and 330 MB.
"""
import sys

FAMILY = ("王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 高 林 罗 "
          "郑 梁 谢 宋 唐 许 韩 冯 邓 曹 欧阳 司马 上官 诸葛").split()
GIVEN = ("伟 芳 娜 秀英 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀兰 霞 "
         "平 刚 建华 玉兰 萍 红 建国 文 辉 力 鹏 宇 浩 欣怡 子涵").split()
TRAD = str.maketrans("张陈刘杨黄赵吴孙马郑罗谢许韩冯邓伟丽强军杰涛华红国辉鹏欧阳",
                     "張陳劉楊黃趙吳孫馬鄭羅謝許韓馮鄧偉麗強軍傑濤華紅國輝鵬歐陽")
PINYIN = {"王": "Wang", "李": "Li", "张": "Zhang", "刘": "Liu", "陈": "Chen",
          "杨": "Yang", "黄": "Huang", "赵": "Zhao", "吴": "Wu", "周": "Zhou"}
# province, short, city, short, district, area code of the ID, postal code
PLACES = [
    ("北京市", "北京", "北京市", "北京", "朝阳区", "110105", "100020"),
    ("上海市", "上海", "上海市", "上海", "徐汇区", "310104", "200030"),
    ("广东省", "广东", "深圳市", "深圳", "南山区", "440305", "518057"),
    ("广东省", "广东", "广州市", "广州", "天河区", "440106", "510630"),
    ("浙江省", "浙江", "杭州市", "杭州", "西湖区", "330106", "310013"),
    ("江苏省", "江苏", "南京市", "南京", "鼓楼区", "320106", "210008"),
    ("四川省", "四川", "成都市", "成都", "武侯区", "510107", "610041"),
    ("湖北省", "湖北", "武汉市", "武汉", "江汉区", "420103", "430022"),
    ("重庆市", "重庆", "重庆市", "重庆", "渝中区", "500103", "400010"),
    ("广西壮族自治区", "广西", "南宁市", "南宁", "青秀区", "450103", "530022"),
]
ROADS = "建国路 中山路 人民路 解放路 天河路 科技园路 长江路 和平街".split()
PREFIX = ("130 131 132 133 134 135 136 137 138 139 150 151 152 153 155 156 "
          "157 158 159 166 177 180 181 182 183 185 186 187 188 189 198 199"
          ).split()
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CONSENT = "Y N 是 否 yes no 同意 1 0".split() + [""]
STATUS = "active 正常 有效 inactive 停用 冻结 注销".split()
FULL = str.maketrans("0123456789", "０１２３４５６７８９")
COLUMNS = ("source,source_id,source_row,name,family_name,given_name,gender,"
           "birth_date,mobile,phone,email,id_type,id_number,member_note,"
           "country,province,city,district,address,postal_code,tier,points,"
           "registered_at,last_active_at,store,channel,consent_marketing,"
           "status")


def check_char(first17):
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, WEIGHTS)) % 11]


def name_of(i):
    fam = FAMILY[i % len(FAMILY)]
    giv = GIVEN[(i // 7) % len(GIVEN)]
    k = i % 20
    if k == 3:
        return (fam + giv).translate(TRAD), "", ""
    if k == 5:
        return fam + " " + giv, "", ""
    if k == 7:
        return fam + "先生", "", ""
    if k == 9 and fam in PINYIN:
        return "Mr. " + PINYIN[fam].upper() + " Wei", "", ""
    if k == 11:
        return "", fam, giv
    if i % 997 == 0:
        return fam + giv + "2", "", ""          # bad: a digit
    return fam + giv, "", ""


def birth_of(i, y, m, d):
    k = i % 10
    if i % 991 == 0:
        return "%d-02-30" % y                   # bad: no such date
    if k == 1:
        return "%d/%d/%d" % (y, m, d)
    if k == 2:
        return "%d%02d%02d" % (y, m, d)
    if k == 3:
        return "%d年%d月%d日" % (y, m, d)
    if k == 4:
        return "%d-%02d-%02d 00:00:00" % (y, m, d)
    if k == 5:
        return ""
    return "%d-%02d-%02d" % (y, m, d)


def mobile_of(i):
    n = PREFIX[i % len(PREFIX)] + "%08d" % (i * 7919 % 100000000)
    k = i % 8
    if i % 983 == 0:
        return n[:10]                           # bad: too short
    if k == 1:
        return n[:3] + " " + n[3:7] + " " + n[7:]
    if k == 2:
        return n[:3] + "-" + n[3:7] + "-" + n[7:]
    if k == 3:
        return "+86" + n
    if k == 4:
        return n.translate(FULL)
    return n


def id_of(i, area, y, m, d, male):
    if i % 4 == 0:
        return ""
    # GB 11643: the sequence number is odd for men.
    first17 = "%s%04d%02d%02d%03d" % (area, y, m, d, i % 500 * 2 + male)
    c = check_char(first17)
    if i % 977 == 0:                            # bad: check character
        c = "0" if c != "0" else "1"
    if i % 9 == 1 and 1900 <= y <= 1999:       # a 15-digit ID
        return first17[:6] + first17[8:17]
    return (first17 + c).lower()


def email_of(i, k):
    if i % 3 == 0:
        return ""
    if i % 971 == 0:
        return "user%d.qq.com" % i              # bad: no @
    e = "user%d@%s" % (i, ("qq.com", "163.com", "126.com", "sina.com")[k % 4])
    return e.upper() if i % 5 == 0 else e


def row(i):
    p = PLACES[i % len(PLACES)]
    y, m, d = 1950 + i % 55, 1 + i % 12, 1 + i % 28
    name, fam, giv = name_of(i)
    road = ROADS[i % len(ROADS)]
    k = i % 6
    if k == 0:
        prov, city, dist = p[0], p[2], p[4]
        addr = "%s%d号%d栋%d室" % (road, i % 300 + 1, i % 20 + 1, i % 2000 + 101)
    elif k == 1:
        prov, city, dist = p[1], p[3], ""
        addr = "%s%s%d号" % (p[4], road, i % 300 + 1)
    else:
        prov, city, dist = "", "", ""
        addr = "%s%s%s %s%d号" % (p[1], p[3], p[4], road, i % 300 + 1)
    postal = p[6]
    if i % 7 == 0:
        postal = postal.translate(FULL)
    if i % 967 == 0:
        postal = postal[:5]                     # bad: five digits
    gender = ("M", "F", "男", "女", "", "1")[i % 6]
    male = 1 if gender in ("M", "男", "1") or (not gender and i % 2) else 0
    reg = "%d-%02d-%02d %02d:%02d:%02d" % (2010 + i % 14, m, d, i % 24,
                                           i % 60, i * 7 % 60)
    last = "%d/%d/%d" % (2024, m, d) if i % 2 else ""
    return [("pos", "web", "crm")[i % 3], "M%08d" % i, str(i), name, fam,
            giv, gender, birth_of(i, y, m, d), mobile_of(i), "",
            email_of(i, k), "", id_of(i, p[5], y, m, d, male),
            "note %d" % (i % 50) if i % 10 == 0 else "",
            ("", "中国", "CN", "China")[i % 4], prov, city, dist, addr, postal,
            ("1", "2", "3", "４")[i % 4], "{:,}".format(i * 37 % 50000),
            reg, last, "S%03d" % (i % 300), ("POS", "WEB", "CRM")[i % 3],
            CONSENT[i % len(CONSENT)], STATUS[i % len(STATUS)]]


def quote(v):
    if any(c in v for c in ',"\n\r'):
        return '"' + v.replace('"', '""') + '"'
    return v


def main():
    if len(sys.argv) != 2 or not sys.argv[1].isdigit():
        sys.exit("usage: gen-canonical.py N > canon.csv")
    out = sys.stdout
    out.write(COLUMNS + "\n")
    lines = []
    for i in range(1, int(sys.argv[1]) + 1):
        lines.append(",".join(quote(v) for v in row(i)))
        if len(lines) == 10000:
            out.write("\n".join(lines) + "\n")
            lines = []
    if lines:
        out.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
