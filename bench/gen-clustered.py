#!/usr/bin/env python3
"""Write N clustered canonical records for the mbr-merge-id benchmark.

usage: python3 bench/gen-clustered.py N OUT     (OUT "-" is standard output)

What mbr-dedupe writes: the canonical columns in DESIGN order, `_issues`,
then `cluster_id`. Members of one cluster share a person (name, gender,
birth date, most contact details) but differ per source (pos_legacy,
webshop, crm) in IDs, points, tiers, dates and consent, so every
survivorship rule has work to do. Cluster sizes: about 60% of people have
one record, 25% two, 10% three, 5% four to six. Rows are shuffled, as
dedupe leaves them in input order, not by cluster. All data are made up;
deterministic (fixed seed) for a given N.
"""

import random
import sys

SEED = 20240612

COLUMNS = ("source,source_id,source_row,name,family_name,given_name,gender,"
           "birth_date,mobile,phone,email,id_type,id_number,country,province,"
           "city,district,address,postal_code,tier,points,registered_at,"
           "last_active_at,store,channel,consent_marketing,status,_issues,"
           "cluster_id")

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余杜叶"
GIVEN = ["伟", "强", "磊", "军", "洋", "勇", "杰", "涛", "明", "超", "芳", "娜",
         "敏", "静", "丽", "艳", "建华", "志强", "晓东", "文博", "秀英", "海燕",
         "雪梅", "子涵", "欣怡", "思琪", "婷婷", "嘉欣", "晓燕", "美玲"]
CITIES = [("上海市", "上海市", "徐汇区", "200030", "上海徐家汇店"),
          ("北京市", "北京市", "朝阳区", "100020", "北京朝阳大悦城店"),
          ("广东省", "广州市", "天河区", "510630", "广州天河城店"),
          ("广东省", "深圳市", "南山区", "518054", "深圳海岸城店"),
          ("浙江省", "杭州市", "西湖区", "310012", "杭州西湖银泰店"),
          ("四川省", "成都市", "武侯区", "610041", "成都武侯店")]
STREETS = ["天钥桥路", "建国路", "体育西路", "科技园路", "文三路", "人民南路"]
SOURCES = [("pos_legacy", "POS"), ("webshop", "WEB"), ("crm", "CRM")]
SIZES = [1] * 60 + [2] * 25 + [3] * 10 + [4, 4, 5, 5, 6]


def day(rng, start_year, end_year):
    return "%04d-%02d-%02d" % (rng.randint(start_year, end_year),
                               rng.randint(1, 12), rng.randint(1, 28))


def person(rng, k):
    family, given = rng.choice(SURNAMES), rng.choice(GIVEN)
    province, city, district, postal, store = rng.choice(CITIES)
    return {
        "family": family, "given": given, "name": family + given,
        "gender": rng.choice("MF"), "birth": day(rng, 1950, 2005),
        "mobile": "+861%d%09d" % (rng.choice((3, 5, 8)), k),
        "email": "m%d@example.cn" % k,
        "id": "%s%s%04d" % (rng.choice(("310104", "110105", "440106")),
                            day(rng, 1950, 2005).replace("-", ""), k % 10000),
        "province": province, "city": city, "district": district,
        "postal": postal, "store": store,
        "address": "%s%s%d号" % (district, rng.choice(STREETS),
                                rng.randint(1, 300)),
    }


def record(rng, p, source, channel, key, cluster):
    reg = day(rng, 2008, 2024)
    last = "" if source == "pos_legacy" else \
        day(rng, 2020, 2025) + "T%02d:%02d:00+08:00" % (rng.randint(0, 23),
                                                        rng.randint(0, 59))
    email = "" if source == "pos_legacy" else p["email"]
    if rng.random() < 0.2:
        email = "old%d@example.com" % key  # an older address elsewhere
    fields = [
        source, "%s%08d" % (source[0].upper(), key), "", p["name"],
        p["family"], p["given"], p["gender"], p["birth"], p["mobile"], "",
        email, "CN_RIC" if source == "pos_legacy" else "",
        p["id"] if source == "pos_legacy" else "", "CN", p["province"],
        p["city"], p["district"], p["address"], p["postal"],
        str(rng.randint(1, 4)), str(rng.randint(0, 20000)), reg, last,
        p["store"] if source == "pos_legacy" else "", channel,
        "" if source == "pos_legacy" else rng.choice("YN"), "active", "",
        "C%08d" % cluster,
    ]
    return ",".join(fields)


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: gen-clustered.py N OUT")
    n, out = int(sys.argv[1]), sys.argv[2]
    rng = random.Random(SEED)
    rows, cluster, key = [], 0, 0
    while len(rows) < n:
        p = person(rng, cluster)
        for _ in range(min(rng.choice(SIZES), n - len(rows))):
            source, channel = rng.choice(SOURCES)
            key += 1
            rows.append(record(rng, p, source, channel, key, cluster))
        cluster += 1
    rng.shuffle(rows)
    f = sys.stdout if out == "-" else open(out, "w", encoding="utf-8")
    f.write(COLUMNS + "\n")
    for i in range(0, len(rows), 50000):
        f.write("\n".join(rows[i:i + 50000]) + "\n")
    if f is not sys.stdout:
        f.close()


if __name__ == "__main__":
    main()
