#!/bin/bash
# Validate benchmark: records per second of mbr-validate with the built-in
# rules and with a rules file of 20 patterns, next to pass-through runs over
# the same file in the same run:
#
#   cat                           reading the bytes, nothing else (the floor)
#   mbr-normalize --fields none   our CSV reader and writer, no field touched
#   mbr-validate, empty rules     the same, plus mbr-validate's record loop
#
#   bench/validate.sh             1,000,000 records, best of 3 runs each
#   ROWS=100000 RUNS=5 bench/validate.sh
#
# Builds if needed (make -s). Writes, once, bench/out/canon-ROWS.csv: canonical
# records (all 27 columns and _issues, UTF-8) as mbr-normalize writes them,
# made up and deterministic, with about 3% bad values of every kind the
# built-in rules check and 0.3% duplicate keys. Then the rules files
# bench/out/rules-20.ini and bench/out/rules-empty.ini. The file is read from
# the page cache: this measures CPU, not the disk.
set -eu

cd "$(dirname "$0")/.."
rows=${ROWS:-1000000}
runs=${RUNS:-3}
file=bench/out/canon-$rows.csv
rules20=bench/out/rules-20.ini
empty=bench/out/rules-empty.ini
TIMEFORMAT=%R

if ! make -s; then
	echo "validate.sh: make failed" >&2
	[ -x bin/mbr-validate ] || exit 1
	echo "validate.sh: timing the bin/mbr-validate built before" >&2
fi
mkdir -p bench/out

# gen N: N canonical records on standard output. Bad values are planted by
# record number, so every run writes the same file.
gen() {
	awk -v n="$1" '
	BEGIN {
		split("王 李 张 刘 陈 杨 赵 黄 周 吴 徐 孙 胡 朱 高 林 何 郭 马 罗", fam)
		split("伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀英 霞 平", giv)
		split("上海 北京 广州 深圳 成都 杭州 南京 武汉", city)
		split("上海市 北京市 广东省 广东省 四川省 浙江省 江苏省 湖北省", prov)
		split("310104 110105 440106 440305 510107 330106 320102 420106", area)
		split("7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2", w)
		split("130 131 132 133 134 135 136 137 138 139 150 151 152 153 " \
		      "155 156 157 158 159 180 181 182 183 185 186 187 188 189 " \
		      "198 199", pre)
		split("pos web crm", src)
		split("POS WEB CRM", chan)
		cc = "10X98765432"
		print "source,source_id,source_row,name,family_name,given_name," \
		      "gender,birth_date,mobile,phone,email,id_type,id_number," \
		      "country,province,city,district,address,postal_code,tier," \
		      "points,registered_at,last_active_at,store,channel," \
		      "consent_marketing,status,_issues"
		for (i = 1; i <= n; i++)
			row(i)
	}
	function idnum(a, y, m, d, i,    s, k, id) {
		id = sprintf("%s%04d%02d%02d%03d", a, y, m, d, i % 1000)
		s = 0
		for (k = 1; k <= 17; k++)
			s += substr(id, k, 1) * w[k]
		return id substr(cc, s % 11 + 1, 1)
	}
	function row(i,    s, f, g, gen, y, m, d, bd, mob, mail, idt, id,
		     pts, tier, reg, last, k, c, iss, key) {
		c = i % 1000
		key = c >= 24 && c <= 26 ? i - 3 : i	# a duplicate key
		s = src[key % 3 + 1]
		f = fam[i % 20 + 1]
		g = giv[int(i / 20) % 20 + 1]
		gen = i % 2 ? "M" : "F"
		y = 1950 + i % 55; m = i % 12 + 1; d = i % 28 + 1
		bd = sprintf("%04d-%02d-%02d", y, m, d)
		mob = sprintf("+86%s%08d", pre[i % 30 + 1], i % 100000000)
		mail = sprintf("m%d@example.cn", i)
		idt = "CN_RIC"; k = i % 8 + 1
		id = idnum(area[k], y, m, d, i)
		pts = (i * 37) % 50000; tier = i % 4 + 1
		reg = sprintf("%04d-%02d-%02dT10:%02d:00+08:00", 2010 + i % 14,
			      m, d, i % 60)
		last = sprintf("2025-%02d-%02dT09:00:00+08:00", m, d)
		iss = ""
		if (i % 5 == 0) { idt = ""; id = "" }
		if (c == 11) bd = sprintf("%04d-02-30", y)
		if (c == 12) bd = "2031-01-01"
		if (c == 13) mob = substr(mob, 4)
		if (c == 14) mob = "+861012345678"
		if (c == 15) mail = "m" i "@@example.cn"
		if (c == 16) id = substr(id, 1, 17) (substr(id, 18) == "1" ? "2" : "1")
		if (c == 17) pts = -pts
		if (c == 18) pts = pts ".5"
		if (c == 19) tier = "金卡"
		if (c == 20) gen = "男"
		if (c == 21) reg = "1940-01-01T00:00:00+08:00"
		if (c == 22) last = "2025/01/01"
		if (c == 23) bd = "1960-01-01"	# not the date in the ID
		if (c == 27) iss = "name:trimmed"
		printf "%s,P%07d,%d,%s%s,%s,%s,%s,%s,%s,,%s,%s,%s,CN,%s,%s,,", \
		       s, key, i, f, g, f, g, gen, bd, mob, mail, idt, id,
		       prov[k], city[k]
		printf "%s路%d号,%06d,%s,%s,%s,%s,S%03d,%s,%s,active,%s\n", \
		       city[k], i % 999 + 1, 100000 + i % 900000, tier, pts,
		       reg, last, i % 300, chan[i % 3 + 1], i % 3 ? "Y" : "N", iss
	}'
}

if [ ! -s "$file" ]; then
	echo "validate.sh: writing $rows records to $file" >&2
	gen "$rows" >"$file.tmp"
	mv "$file.tmp" "$file"
fi

: >"$empty"
cat >"$rules20" <<'EOF'
# 20 pattern rules over 20 fields (bench/validate.sh)
[rule p01]
field = mobile
pattern = \+861[3-9][0-9]{9}
severity = flag
[rule p02]
field = phone
pattern = \+86[0-9]{9,12}
severity = flag
[rule p03]
field = email
pattern = [a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}
severity = flag
[rule p04]
field = id_number
pattern = [1-8][0-9]{16}[0-9X]
severity = flag
[rule p05]
field = birth_date
pattern = (19|20)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])
severity = flag
[rule p06]
field = registered_at
pattern = [0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2}([+-][0-9]{2}:[0-9]{2}|Z)?)?
severity = flag
[rule p07]
field = last_active_at
pattern = [0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2}([+-][0-9]{2}:[0-9]{2}|Z)?)?
severity = flag
[rule p08]
field = postal_code
pattern = [0-9]{6}
severity = flag
[rule p09]
field = name
pattern = \p{Han}{2,5}|[A-Za-z][A-Za-z .'-]{1,40}
severity = flag
[rule p10]
field = family_name
pattern = \p{Han}{1,2}|[A-Za-z]+
severity = flag
[rule p11]
field = given_name
pattern = \p{Han}{1,3}|[A-Za-z ]+
severity = flag
[rule p12]
field = gender
pattern = [MF]
severity = flag
[rule p13]
field = tier
pattern = [1-4]
severity = flag
[rule p14]
field = points
pattern = -?[0-9]{1,9}
severity = flag
[rule p15]
field = source_id
pattern = [A-Z][0-9]{7}
severity = flag
[rule p16]
field = store
pattern = S[0-9]{3}
severity = flag
[rule p17]
field = channel
pattern = POS|WEB|CRM
severity = flag
[rule p18]
field = consent_marketing
pattern = [YN]
severity = flag
[rule p19]
field = province
pattern = \p{Han}{2,8}
severity = flag
[rule p20]
field = city
pattern = \p{Han}{2,10}
severity = flag
EOF

# One untimed run of each: it warms the page cache and must finish (exit 0
# or 1); its summary line is shown below.
check() {
	local name=$1 rc=0

	shift
	"$@" 2>"bench/out/validate-$name.err" >/dev/null || rc=$?
	if [ "$rc" -gt 1 ]; then
		echo "validate.sh: $name failed (exit $rc):" >&2
		cat "bench/out/validate-$name.err" >&2
		exit 1
	fi
}

# best CMD...: the lowest wall-clock seconds of $runs runs of CMD.
best() {
	local t b=""

	for _ in $(seq "$runs"); do
		t=$( { time "$@" >/dev/null 2>/dev/null; } 2>&1 ) || true
		b=$(awk -v t="$t" -v b="$b" 'BEGIN { print (b == "" || t < b) ? t : b }')
	done
	echo "$b"
}

# Peak memory (KB) of one run, when /usr/bin/time is there.
peak() {
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -n 1
	else
		echo "?"
	fi
}

have_normalize=0
if [ -x bin/mbr-normalize ] &&
   head -n 2 "$file" | bin/mbr-normalize -q --fields none >/dev/null 2>&1; then
	have_normalize=1
fi
check empty bin/mbr-validate --rules "$empty" "$file"
check default bin/mbr-validate "$file"
check rules20 bin/mbr-validate --rules "$rules20" "$file"
cat "$file" >/dev/null

t_cat=$(best cat "$file")
t_norm=""
[ $have_normalize = 1 ] && t_norm=$(best bin/mbr-normalize --fields none "$file")
t_empty=$(best bin/mbr-validate --rules "$empty" "$file")
t_default=$(best bin/mbr-validate "$file")
t_rules20=$(best bin/mbr-validate --rules "$rules20" "$file")
m_default=$(peak bin/mbr-validate "$file")
bytes=$(stat -c %s "$file")

echo "input: $file, $rows records, $bytes bytes; best of $runs runs"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //') ($(nproc) cores)"
echo "built-in rules said: $(tail -n 1 bench/out/validate-default.err)"
echo "20 patterns said:    $(tail -n 1 bench/out/validate-rules20.err)"
echo "peak memory, built-in rules (uniqueness of source+source_id): $m_default KB"
awk -v b="$bytes" -v n="$rows" -v tc="$t_cat" -v tn="$t_norm" \
    -v te="$t_empty" -v td="$t_default" -v tr="$t_rules20" '
function line(name, t) {
	if (t == "")
		return
	if (t <= 0)
		t = 0.001
	printf "%-34s %8.2f %8.1f %10.0f\n", name, t, b / 1e6 / t, n / t
}
BEGIN {
	printf "%-34s %8s %8s %10s\n", "", "seconds", "MB/s", "records/s"
	line("cat (read only)", tc)
	line("mbr-normalize --fields none", tn)
	line("mbr-validate, empty rules file", te)
	line("mbr-validate, built-in rules (17)", td)
	line("mbr-validate, 20 patterns", tr)
	if (te > 0)
		printf "built-in rules: %.2fx, 20 patterns: %.2fx the time of " \
		       "the empty rules file\n", td / te, tr / te
}'
