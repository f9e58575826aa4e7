#!/bin/sh
# Browser test of mbr-report (issue 13): the sample pipeline into a
# staging database, its report opened in headless Chromium (tests/browser/
# cdp.js over the DevTools protocol, no downloads): every chart drawn, no
# network request, no console error, review decisions clicked, kept and
# downloaded; the downloaded CSV then goes to mbr-dedupe --db --decisions,
# and the pair marked match must end in one cluster.
# Skipped, with a message, where Chromium or Node is missing (CI installs
# Debian's chromium and nodejs: make deps-test).
# SCREENSHOT=FILE also writes a screenshot of the report (docs/report.png).
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
bin=${MBR_BIN:-$top/bin}
chrome=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$chrome" ]; then
	echo "browser: skipped: no Chromium (apt-get install chromium)"
	exit 0
fi
if ! command -v node >/dev/null 2>&1 ||
	! node --experimental-websocket -e 'new WebSocket("ws://127.0.0.1:9")' >/dev/null 2>&1; then
	echo "browser: skipped: no Node with a WebSocket client (apt-get install nodejs)"
	exit 0
fi
scratch=$(mktemp -d)
chrome_pid=""
cleanup() {
	[ -n "$chrome_pid" ] && kill "$chrome_pid" 2>/dev/null && wait "$chrome_pid" 2>/dev/null
	rm -rf "$scratch"
}
trap cleanup EXIT
pass=0
fail=0
ok() {
	echo "ok $1"
	pass=$((pass + 1))
}
bad() {
	echo "FAIL $1"
	fail=$((fail + 1))
}
cd "$scratch" || exit 1
PATH="$bin:$PATH"
export PATH LC_ALL=C TZ=UTC MBR_DATADIR="$top/data"
db=s.db
mbr-import -q --db $db --map "$top"/mappings/pos.map "$top"/sample-data/pos_legacy.csv \
	--map "$top"/mappings/webshop.map "$top"/sample-data/webshop.csv \
	--map "$top"/mappings/crm.map "$top"/sample-data/crm.tsv 2>/dev/null
for t in normalize validate dedupe merge-id; do
	mbr-$t -q --db $db 2>/dev/null
	[ $? -le 1 ] || bad "mbr-$t --db failed"
done
if mbr-report -q --db $db -o report.html; then ok "mbr-report --db"; else bad "mbr-report --db"; fi

# Nothing in the file can reach the network.
ext=$(grep -Eo '(src|href|action)="[^#"][^"]*"|url\(|https?://|@import' report.html | head -3)
if [ -z "$ext" ]; then ok "no external URL in the file"; else bad "external reference: $ext"; fi
if grep -q "Content-Security-Policy\" content=\"default-src 'none'" report.html; then
	ok "Content-Security-Policy default-src 'none'"
else
	bad "no Content-Security-Policy"
fi

"$chrome" --headless --no-sandbox --disable-gpu --no-first-run --no-default-browser-check \
	--host-resolver-rules="MAP * ~NOTFOUND" --remote-debugging-port=0 \
	--user-data-dir="$scratch/profile" about:blank >chrome.log 2>&1 &
chrome_pid=$!
i=0
while [ ! -s profile/DevToolsActivePort ] && [ $i -lt 100 ]; do
	sleep 0.2
	i=$((i + 1))
done
if [ ! -s profile/DevToolsActivePort ]; then
	bad "Chromium did not start (its log: $(tail -3 chrome.log))"
	echo "browser: $pass passed, $fail failed"
	exit 1
fi
ws="ws://127.0.0.1:$(sed -n 1p profile/DevToolsActivePort)$(sed -n 2p profile/DevToolsActivePort)"
shot=""
[ -n "${SCREENSHOT:-}" ] && shot=$(cd "$OLDPWD" && mkdir -p "$(dirname "$SCREENSHOT")" &&
	cd "$(dirname "$SCREENSHOT")" && pwd)/$(basename "$SCREENSHOT")
node --experimental-websocket "$here/cdp.js" "$ws" report.html "$scratch" ${shot:+"$shot"} >cdp.log 2>&1
cat cdp.log
pass=$((pass + $(grep -c '^ok ' cdp.log)))
fail=$((fail + $(grep -c '^FAIL ' cdp.log)))

# The downloaded decisions, as mbr-dedupe --decisions reads them.
if [ -f decisions.csv ]; then
	if head -1 decisions.csv | grep -qx 'a_source,a_source_id,b_source,b_source_id,decision'; then
		ok "decisions.csv header"
	else
		bad "decisions.csv header: $(head -1 decisions.csv)"
	fi
	if mbr-dedupe -q --db $db --decisions decisions.csv; then
		ok "mbr-dedupe --db --decisions decisions.csv"
	else
		bad "mbr-dedupe --db --decisions decisions.csv: exit $?"
	fi
	# The pairs marked match are one cluster and those marked no-match
	# apart, in the latest run's clusters ($1 says which run).
	check_clusters() {
		same=$(python3 - "$db" <<'EOF'
import csv, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
run = db.execute("select max(run_id) from clusters").fetchone()[0]
def cluster(s, i):
    r = db.execute("select cluster_id from clusters where run_id = ? and source = ? and source_id = ?",
                   (run, s, i)).fetchone()
    return r[0] if r else None
for row in csv.DictReader(open("decisions.csv")):
    a = cluster(row["a_source"], row["a_source_id"])
    b = cluster(row["b_source"], row["b_source_id"])
    print(row["decision"], "same" if a is not None and a == b else "apart")
EOF
	)
		if echo "$same" | grep -qx 'match same'; then
			ok "the pair marked match is one cluster$1"
		else
			bad "the pair marked match is not one cluster$1: $same"
		fi
		if echo "$same" | grep -q '^no-match'; then
			if echo "$same" | grep -qx 'no-match apart'; then
				ok "the pair marked no-match is apart$1"
			else
				bad "the pair marked no-match is one cluster$1: $same"
			fi
		fi
	}
	check_clusters ""
	# Decisions that last: the next run, without --decisions, keeps them.
	if mbr-dedupe -q --db $db; then
		ok "mbr-dedupe --db without --decisions"
	else
		bad "mbr-dedupe --db without --decisions: exit $?"
	fi
	check_clusters " on the next run"
	# Decided pairs leave the report's review list.
	mbr-report -q --db $db -o report2.html
	left=$(python3 - <<'EOF2'
import csv, html, re
page = open("report2.html", encoding="utf-8").read()
listed = set()
for m in re.finditer(r'data-as="([^"]*)" data-aid="([^"]*)" data-bs="([^"]*)" data-bid="([^"]*)"', page):
    a, b = (html.unescape(m[1]), html.unescape(m[2])), (html.unescape(m[3]), html.unescape(m[4]))
    listed.add(frozenset([a, b]))
n = 0
for row in csv.DictReader(open("decisions.csv")):
    n += frozenset([(row["a_source"], row["a_source_id"]), (row["b_source"], row["b_source_id"])]) in listed
print(n)
EOF2
)
	if [ "$left" = 0 ]; then
		ok "decided pairs leave the report's review list"
	else
		bad "$left decided pairs still listed for review"
	fi
else
	bad "no decisions.csv downloaded"
fi
echo "browser: $pass passed, $fail failed"
[ "$fail" = 0 ]
