# Every column of every table of the database, and its raw bytes: none
# may hold a value of the erased member. Usage: scan.py DB VALUE...
import sqlite3
import sys

db, needles = sys.argv[1], sys.argv[2:]
found = 0
con = sqlite3.connect(db)
tables = [r[0] for r in con.execute(
    "SELECT name FROM sqlite_master WHERE type = 'table'")]
for t in tables:
    cols = [r[0] for r in con.execute("SELECT name FROM pragma_table_info(?)", (t,))]
    for row in con.execute('SELECT * FROM "%s"' % t.replace('"', '""')):
        for c, v in zip(cols, row):
            text = v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)
            for n in needles:
                if n in text:
                    print("found %r in %s.%s" % (n, t, c))
                    found += 1
con.close()
raw = open(db, "rb").read()
for n in needles:
    if n.encode() in raw:
        print("found %r in the file's bytes" % n)
        found += 1
print("%d tables scanned, %d hits" % (len(tables), found))
sys.exit(1 if found else 0)
