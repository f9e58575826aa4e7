/*
 * test_csvio: the record stream. Quoting, line ends, blank lines, the
 * header, bad rows (field count, broken quotes, invalid bytes, NUL) with
 * their reasons and bytes, --strict, big fields and wide rows, several
 * files as one stream, chunk boundaries inside multi-byte sequences, and
 * the writer (quoting only when needed, reader(writer(x)) == x).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csvio.h"
#include "encoding.h"

/* Temporary files, removed at the end of each test. */
static char tmp_paths[8][32];
static size_t n_tmp;

static const char *write_tmp(const void *p, size_t len)
{
	char *path = tmp_paths[n_tmp++];
	FILE *f;
	int fd;

	snprintf(path, sizeof(tmp_paths[0]), "/tmp/test_csvio_XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	return path;
}

static int remove_tmp(void **state)
{
	(void)state;
	while (n_tmp)
		unlink(tmp_paths[--n_tmp]);
	return 0;
}

/* Replace each path of a temporary file in s with "IN" (or "IN2"). */
static void mask_paths(struct buf *out, const char *s)
{
	while (*s) {
		size_t i, n = 0;

		for (i = 0; i < n_tmp; i++) {
			n = strlen(tmp_paths[i]);
			if (!strncmp(s, tmp_paths[i], n))
				break;
		}
		if (i < n_tmp) {
			buf_adds(out, i ? "IN2" : "IN");
			s += n;
		} else {
			buf_addc(out, *s++);
		}
	}
}

static void describe_fields(struct buf *out, const struct record *rec)
{
	for (size_t i = 0; i < rec->n; i++) {
		struct strview v = record_field(rec, i);

		buf_addc(out, '[');
		buf_addsv(out, v);
		buf_addc(out, ']');
	}
	buf_addc(out, '\n');
}

struct counts {
	unsigned long good, bad;
};

/* Read everything: "H:[a][b]" for the header, "R<row>@<line>:[f]..." for
 * a good row, "B<row>:<reason>:[raw]" for a bad one, "E:<message>" for an
 * error (which ends the reading). */
static void read_all(const char *const *paths, size_t n,
		     const struct csvio_opts *opts, struct buf *out,
		     struct counts *c)
{
	struct mbr_err err = MBR_ERR_INIT;
	struct csvio_reader *r = csvio_open(paths, n, opts, &err);
	struct record rec;
	enum csvio_status st;

	buf_reset(out);
	memset(c, 0, sizeof(*c));
	if (!r) {
		buf_adds(out, "E:");
		mask_paths(out, err.msg);
		buf_addc(out, '\n');
		return;
	}
	buf_adds(out, "H:");
	describe_fields(out, &csvio_header(r)->names);
	record_init(&rec);
	while ((st = csvio_read(r, &rec, &err)) > 0) {
		struct strview raw = csvio_bad_raw(r);

		if (st == CSVIO_ROW) {
			c->good++;
			size_t col;
			const char *note = csvio_row_note(r, &col);

			buf_addf(out, "R%lu@%lu:", rec.row, rec.line);
			if (*note)
				buf_addf(out, "(%zu:%s)", col, note);
			describe_fields(out, &rec);
			continue;
		}
		c->bad++;
		buf_addf(out, "B%lu@%lu:%s:[%.*s]\n", csvio_bad_row(r),
			 csvio_bad_line(r), csvio_bad_reason(r), (int)raw.len,
			 raw.p);
	}
	if (st == CSVIO_ERROR) {
		buf_adds(out, "E:");
		mask_paths(out, err.msg);
		buf_addc(out, '\n');
	}
	record_release(&rec);
	csvio_close(r);
}

#define S(lit) lit, sizeof(lit) - 1
#define FIXED CSVIO_FIXED_COLS

static const struct {
	const char *in;
	size_t len;
	enum csvio_flags flags;
	char delim;
	const char *enc;
	const char *want, *why;
} cases[] = {
	{ S("a,b\n1,2\n"), FIXED, 0, NULL, "H:[a][b]\nR1@2:[1][2]\n", "plain" },
	{ S("a,b\n1,\"x,\"\"y\"\"\nz\"\n2,3\n"), FIXED, 0, NULL,
	  "H:[a][b]\nR1@2:[1][x,\"y\"\nz]\nR2@4:[2][3]\n",
	  "quoted comma, doubled quotes and a newline" },
	{ S("a,b\n\"1\r\n2\",3\n"), FIXED, 0, NULL,
	  "H:[a][b]\nR1@2:[1\r\n2][3]\n", "CRLF inside quotes is kept" },
	{ S("a,b\r\n1,2\r\n3,4\r\n"), FIXED, 0, NULL,
	  "H:[a][b]\nR1@2:[1][2]\nR2@3:[3][4]\n", "CRLF line ends" },
	{ S("a,b\r1,2\r3,4"), FIXED, 0, NULL,
	  "H:[a][b]\nR1@2:[1][2]\nR2@3:[3][4]\n", "CR-only line ends" },
	{ S("a,b\n1,2\r\n3,4\r5,6"), FIXED, 0, NULL,
	  "H:[a][b]\nR1@2:[1][2]\nR2@3:[3][4]\nR3@4:[5][6]\n",
	  "mixed line ends" },
	{ S("a,b\n1,2"), FIXED, 0, NULL, "H:[a][b]\nR1@2:[1][2]\n",
	  "no newline at the end" },
	{ S("a,b\n\n\n1,2\n\n3,4\n\n"), FIXED, 0, NULL,
	  "H:[a][b]\nR1@4:[1][2]\nR2@6:[3][4]\n",
	  "blank lines skipped, line numbers kept" },
	{ S("a,b\r\n\r\n\r\n1,2\r\n\r\n"), FIXED, 0, NULL,
	  "H:[a][b]\nR1@4:[1][2]\n", "CRLF blank lines (regression)" },
	{ S("a,b\n\n\n1\n2,3\n"), FIXED, 0, NULL,
	  "H:[a][b]\nB1@4:1 fields, expected 2:[1]\nR2@5:[2][3]\n",
	  "a short row after blank lines is one bad row (regression)" },
	{ S("\xef\xbb\xbf a ,b \n1,2\n"), FIXED, 0, NULL,
	  "H:[a][b]\nR1@2:[1][2]\n", "header with BOM and spaces" },
	{ S("a,b\n 1 , 2 \n"), FIXED, 0, NULL, "H:[a][b]\nR1@2:[ 1 ][ 2 ]\n",
	  "spaces around unquoted fields are preserved" },
	{ S("a,b\n\" x \",\xe3\x80\x80y\n"), FIXED, 0, NULL,
	  "H:[a][b]\nR1@2:[ x ][\xe3\x80\x80y]\n",
	  "spaces inside quotes and ideographic spaces kept" },
	{ S("a,b\n1,\n,\n"), FIXED, 0, NULL, "H:[a][b]\nR1@2:[1][]\nR2@3:[][]\n",
	  "empty fields" },
	{ S("a\n\"\"\n"), FIXED, 0, NULL, "H:[a]\nR1@2:[]\n",
	  "one empty quoted field" },
	{ S("a,b\n1,2,3\n4,5\n"), FIXED, 0, NULL,
	  "H:[a][b]\nB1@2:3 fields, expected 2:[1,2,3]\nR2@3:[4][5]\n",
	  "too many fields" },
	{ S("a,b\n1\r\n4,5\n"), FIXED, 0, NULL,
	  "H:[a][b]\nB1@2:1 fields, expected 2:[1]\nR2@3:[4][5]\n",
	  "too few fields; raw without its line end" },
	{ S("a,b\n1,2,3\n"), 0, 0, NULL, "H:[a][b]\nR1@2:[1][2][3]\n",
	  "without CSVIO_FIXED_COLS any count is fine" },
	/* Rows of one line without a quote are cut without libcsv: the
	 * same fields as libcsv gives, whatever the line end. */
	{ S("a,b\n1,2,\n,1,2\n,,\r\n,\r"), 0, 0, NULL,
	  "H:[a][b]\nR1@2:[1][2][]\nR2@3:[][1][2]\nR3@4:[][][]\nR4@5:[][]\n",
	  "delimiters first, last and only, each line end" },
	{ S("a\nx\r\n\ty \r\n\xef\xbc\x91\xef\xbc\x92\n"), 0, 0, NULL,
	  "H:[a]\nR1@2:[x]\nR2@3:[\ty ]\nR3@4:[\xef\xbc\x91\xef\xbc\x92]\n",
	  "one field: tab and spaces kept, full-width digits" },
	{ S("a,b\n1,\"x\ny\"\n\xe5\xbc\xb5,\xe5\x81\x89\r\n3,\"\"\n4,5"), 0, 0,
	  NULL,
	  "H:[a][b]\nR1@2:[1][x\ny]\nR2@4:[\xe5\xbc\xb5][\xe5\x81\x89]\nR3@5:[3][]\nR4@6:[4][5]\n",
	  "plain rows between quoted ones and a last line without its end" },
	{ S("a,b,c\n\"1\",\"x,y\",\"\"\r\n\"\"\"\",\"a\"\"b\"\"\",\n2,\"\xe5\xbc\xb5\",\r"),
	  FIXED, 0, NULL,
	  "H:[a][b][c]\nR1@2:[1][x,y][]\nR2@3:[\"][a\"b\"][]\nR3@4:[2][\xe5\xbc\xb5][]\n",
	  "one-line rows with quotes as RFC 4180 has them" },
	{ S("a,b,c\n\"a\"\"b\",x,\"c\"\"\"\"d\"\n"), FIXED, 0, NULL,
	  "H:[a][b][c]\nR1@2:[a\"b][x][c\"\"d]\n",
	  "two fields with doubled quotes in one row" },
	{ S("a,b\n\"1\",x\"y\n\"2\"z,w\n\"3,\"\"\n\"4\",\"5\"\" \n"), 0, 0,
	  NULL,
	  "H:[a][b]\nR1@2:(1:quote inside unquoted field 2 (read as a literal quote))[1][x\"y]\n"
	  "B2@3:unclosed quote in field 1: the row ran over 3 lines to the end of the file (the lines after its first are read again):[\"2\"z,w]\n"
	  "B3@4:unclosed quote in field 1: the row ran over 2 lines to the end of the file (the lines after its first are read again):[\"3,\"\"]\n"
	  "B4@5:unclosed quote at the end of the file:[\"4\",\"5\"\" ]\n",
	  "quotes elsewhere: libcsv reads the row" },
	{ S("a;b\n1,2;3\r\n"), FIXED, ';', NULL,
	  "H:[a][b]\nR1@2:[1,2][3]\n", "another delimiter: a comma is text" },
	{ S("a,b\n"), FIXED, 0, NULL, "H:[a][b]\n", "header only" },
	{ S("a,b"), FIXED, 0, NULL, "H:[a][b]\n",
	  "header only, no newline" },
	{ S(""), FIXED, 0, NULL, "E:IN: empty file (expected a header row)\n",
	  "empty file" },
	{ S("\n\r\n\n"), FIXED, 0, NULL,
	  "E:IN: empty file (expected a header row)\n", "only blank lines" },
	{ S("a,b\n1,x\"y\n2,z\n"), FIXED, 0, NULL,
	  "H:[a][b]\nR1@2:(1:quote inside unquoted field 2 (read as a literal quote))[1][x\"y]\nR2@3:[2][z]\n",
	  "a quote inside an unquoted field is a literal (Python csv, Excel)" },
	{ S("a\tb\tc\n1\t\xe5\x90\xb4\"x\t\"L1\nL2\"\n2\tok\tz\n3\tp\tq\n"), FIXED, '\t',
	  NULL,
	  "H:[a][b][c]\nR1@2:(1:quote inside unquoted field 2 (read as a literal quote))[1][\xe5\x90\xb4\"x][L1\nL2]\nR2@4:[2][ok][z]\nR3@5:[3][p][q]\n",
	  "stray quote and a quoted line break in one row: it loads, rows after "
	  "keep their numbers (issue 11)" },
	{ S("a,b\n1,\"x\ny\",3\n2,z\n4,w\n"), FIXED, 0, NULL,
	  "H:[a][b]\nB1@2:3 fields, expected 2 (quoted line breaks: the row runs over 2 lines):[1,\"x\ny\",3]\nR2@4:[2][z]\nR3@5:[4][w]\n",
	  "a well-quoted multi-line row with the wrong count is one bad row "
	  "holding all its lines" },
	{ S("a,b\n1,\"x\"y\"\n2,z\n"), FIXED, 0, NULL,
	  "H:[a][b]\nR1@2:(1:quote followed by text in quoted field 2 (read as a literal quote))[1][x\"y]\nR2@3:[2][z]\n",
	  "text after a closing quote on one line: read as libcsv does, noted" },
	{ S("a,b\n\"1\",\"\"\n\"\",\"2\"\"\"\n"), FIXED, 0, NULL,
	  "H:[a][b]\nR1@2:[1][]\nR2@3:[][2\"]\n",
	  "empty quoted fields and doubled quotes are clean" },
	{ S("a,b\n1,\"x\n2,y\n3,z\n"), FIXED, 0, NULL,
	  "H:[a][b]\nB1@2:unclosed quote in field 2: the row ran over 3 lines to the end of the file (the lines after its first are read again):[1,\"x]\nR2@3:[2][y]\nR3@4:[3][z]\n",
	  "broken quote in the last column runs to the end (regression)" },
	{ S("a,b,c\n1,\"x\n2,y,z\n3,y,z\n"), FIXED, 0, NULL,
	  "H:[a][b][c]\nB1@2:unclosed quote in field 2: the row ran over 3 lines to the end of the file (the lines after its first are read again):[1,\"x]\nR2@3:[2][y][z]\nR3@4:[3][y][z]\n",
	  "broken quote in the middle column" },
	{ S("a,b\n1,\"x\n2,\"y\"\n3,w\n"), FIXED, 0, NULL,
	  "H:[a][b]\nB1@2:unclosed quote in field 2: the row ran over 2 lines to a quote followed by text (the lines after its first are read again):[1,\"x]\nR2@3:[2][y]\nR3@4:[3][w]\n",
	  "broken quote closed by a later quote (regression)" },
	{ S("a,b\n1,\"x\n2,\"y\n3,w\n"), FIXED, 0, NULL,
	  "H:[a][b]\nB1@2:unclosed quote in field 2: the row ran over 3 lines to the end of the file (the lines after its first are read again):[1,\"x]\nB2@3:unclosed quote in field 2: the row ran over 2 lines to the end of the file (the lines after its first are read again):[2,\"y]\nR3@4:[3][w]\n",
	  "two broken quotes: two bad rows, the rest read" },
	{ S("a,b\n1,\"x\n"), FIXED, 0, NULL,
	  "H:[a][b]\nB1@2:unclosed quote at the end of the file:[1,\"x]\n",
	  "unclosed quote on the last line (regression)" },
	{ S("a,b\n1,\"x\"y\n"), FIXED, 0, NULL,
	  "H:[a][b]\nB1@2:unclosed quote at the end of the file:[1,\"x\"y]\n",
	  "text after a closing quote reopens it to the end" },
	{ S("a,b\n1,x\0y\n2,3\n"), FIXED, 0, NULL,
	  "H:[a][b]\nB1@2:NUL byte at byte offset 7:[1,x\xef\xbf\xbdy]\nR2@3:[2][3]\n",
	  "NUL byte" },
	{ S("a,b\n1,\xff\n2,3\n"), FIXED, 0, NULL,
	  "H:[a][b]\nB1@2:invalid UTF-8 byte 0xFF at byte offset 6:[1,\xef\xbf\xbd]\nR2@3:[2][3]\n",
	  "invalid UTF-8 byte" },
	{ S("a,b\n1,\xe5\xbc"), FIXED, 0, NULL,
	  "H:[a][b]\nB1@2:incomplete UTF-8 sequence at the end of the file (byte offset 6):[1,\xef\xbf\xbd\xef\xbf\xbd]\n",
	  "sequence cut by the end of the file" },
	{ S("a,\xff\n1,2\n"), FIXED, 0, NULL,
	  "E:IN: header row: invalid UTF-8 byte 0xFF at byte offset 2\n",
	  "bad byte in the header is an error" },
	{ S("a\tb\n1,2\t3\n"), FIXED, '\t', NULL, "H:[a][b]\nR1@2:[1,2][3]\n",
	  "TSV" },
	{ S("a;b\n\"1;2\";3\n"), FIXED, ';', NULL, "H:[a][b]\nR1@2:[1;2][3]\n",
	  "semicolon" },
	{ S("1,2\n3,4\n"), CSVIO_NO_HEADER | FIXED, 0, NULL,
	  "H:[$1][$2]\nR1@1:[1][2]\nR2@2:[3][4]\n",
	  "no header: $1..$n, first row is data" },
	{ S("1,2\n3\n"), CSVIO_NO_HEADER | FIXED, 0, NULL,
	  "H:[$1][$2]\nR1@1:[1][2]\nB2@2:1 fields, expected 2:[3]\n",
	  "no header: the first row fixes the count" },
	{ S("1\n2,3\n"), CSVIO_NO_HEADER, 0, NULL,
	  "H:[$1]\nR1@1:[1]\nR2@2:[2][3]\n", "no header, any count" },
	{ S("a,b\n1,2\n1,2,3\n4,5\n"), CSVIO_STRICT | FIXED, 0, NULL,
	  "H:[a][b]\nR1@2:[1][2]\nE:IN:3: record 2: 3 fields, expected 2\n",
	  "strict: a bad row is an error naming file:line" },
	{ S("a,b\n1,\xff\n"), CSVIO_STRICT | FIXED, 0, NULL,
	  "H:[a][b]\nE:IN:2: record 1: invalid UTF-8 byte 0xFF at byte offset 6\n",
	  "strict: invalid byte" },
	{ S("\xd0\xd5\xc3\xfb,\xca\xd6\xbb\xfa\r\n\xd5\xc5\xce\xb0,138\r\n"),
	  FIXED, 0, "GB18030", "H:[姓名][手机]\nR1@2:[张伟][138]\n",
	  "GB18030 with CRLF" },
	{ S("a,b\r\n1,\xd5\xc5\r\n2,\x80x\r\n3,\xce\xb0\r\n"), FIXED, 0,
	  "GBK",
	  "H:[a][b]\nR1@2:[1][张]\nB2@3:invalid GB18030 byte 0x80 at byte offset 13:[2,\xef\xbf\xbdx]\nR3@4:[3][伟]\n",
	  "invalid GB18030 byte: only its row is bad" },
	{ S("a,b\n1,\xd5\0b\n2,c\n"), FIXED, 0, "GB18030",
	  "H:[a][b]\nB1@2:invalid GB18030 byte 0xD5 at byte offset 6:[1,\xef\xbf\xbd\xef\xbf\xbd" "b]\nR2@3:[2][c]\n",
	  "a GB18030 sequence cut by a NUL (regression)" },
	{ S("a,b\n1,\xd5\xc5\n"), FIXED, 0, "auto",
	  "H:[a][b]\nR1@2:[1][张]\n", "auto: GB18030" },
	{ S("\xff\xfe" "a\0,\0b\0\r\0\n\0" "1\0,\0\x20\x5f\r\0\n\0"), FIXED, 0,
	  "auto", "H:[a][b]\nR1@2:[1][张]\n", "auto: UTF-16LE with BOM" },
	{ S("a\0,\0b\0\n\0" "1\0,\0\x3d\xd8\x00\xde\n\0"), FIXED, 0,
	  "UTF-16LE", "H:[a][b]\nR1@2:[1][\xf0\x9f\x98\x80]\n",
	  "UTF-16LE surrogate pair" },
};

static void test_csvio_cases(void **state)
{
	struct buf got;
	struct counts c;
	int failed = 0;

	(void)state;
	buf_init(&got, BUF_NOLIMIT);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *path = write_tmp(cases[i].in, cases[i].len);
		struct csvio_opts o = CSVIO_OPTS_INIT;

		o.flags = cases[i].flags;
		o.delim = cases[i].delim;
		o.encoding = cases[i].enc;
		read_all(&path, 1, &o, &got, &c);
		if (strcmp(got.p, cases[i].want)) {
			print_error("%s:\n got: %s\nwant: %s\n", cases[i].why,
				    got.p, cases[i].want);
			failed++;
		}
		remove_tmp(NULL);
	}
	buf_release(&got);
	if (failed)
		fail_msg("%d cases failed", failed);
}

/* One-line rows are cut without libcsv when their quotes are clean; a
 * last line without its line end goes to libcsv. Each row of pairs of
 * ugly fields, read both ways, must give the same fields and note
 * whenever libcsv reads it as a good row. */
static void test_csvio_split_agrees(void **state)
{
	static const char *const fields[] = {
		"", "a", "\"\"", "\"x,y\"", "\"a\"\"b\"", "x\"y", "\"x\"y", "ab\"",
		" \"q\"", "\"q\" ", "\"\"\"\"", "\"长,\"\"字\"", "长字段长字段",
		"\"0123456789,abcdef\"", "0123456789abcdef", "\t", "\"", "\"a",
		"\xe2\x80\x9c", "\x80\x81", "x", "xxxxxxx", "xxxxxxxx", "xxxxxxxxx",
		"xxxxxxxxxxxxxxx\"", "xxxxxxxxxxxxxxxx", "\"xxxxxxxxxxxxxxx\"",
		/* past 64 bytes: the marks of split_quoted run over words */
		"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
		"\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx,\"",
		"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"x",
		"\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx,\"\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"",
	};
	const size_t n = sizeof(fields) / sizeof(fields[0]);
	struct csvio_opts o = CSVIO_OPTS_INIT;
	struct buf row, a, b;
	struct counts c;
	size_t compared = 0;

	(void)state;
	o.flags = 0; /* any field count */
	buf_init(&row, BUF_NOLIMIT);
	buf_init(&a, BUF_NOLIMIT);
	buf_init(&b, BUF_NOLIMIT);
	for (size_t i = 0; i < n * n; i++) {
		const char *path;

		buf_reset(&row);
		buf_addf(&row, "h\n%s,%s,%s", fields[i / n], fields[i % n],
			 fields[(i * 7) % n]);
		path = write_tmp(row.p, row.len); /* libcsv */
		read_all(&path, 1, &o, &b, &c);
		buf_addc(&row, '\n');
		path = write_tmp(row.p, row.len); /* cut here when clean */
		read_all(&path, 1, &o, &a, &c);
		remove_tmp(NULL);
		if (!strstr(b.p, "\nR1@2:"))
			continue; /* not a good row for libcsv either */
		compared++;
		if (strcmp(a.p, b.p))
			fail_msg("row '%s': with a line end %s, without %s",
				 row.p + 2, a.p, b.p);
	}
	assert_true(compared > n * n / 2);
	buf_release(&row);
	buf_release(&a);
	buf_release(&b);
}

/* A 1000-row file with one broken quote near the start: exactly one bad
 * row (its first line), every other row read as written. */
static void check_broken_quote(const char *broken, const char *enc)
{
	struct csvio_opts o = CSVIO_OPTS_INIT;
	struct mbr_err err = MBR_ERR_INIT;
	struct csvio_reader *r;
	struct record rec;
	struct buf in, want;
	const char *path;
	unsigned long good = 0, bad = 0;
	enum csvio_status st;

	buf_init(&in, BUF_NOLIMIT);
	buf_init(&want, BUF_NOLIMIT);
	buf_adds(&in, "id,name,city\n");
	for (int i = 1; i <= 1000; i++) {
		if (i == 3)
			buf_addf(&in, "%s\n", broken);
		else if (i == 500)
			buf_adds(&in, "500,\"Wang, Fang\",广州\n");
		else
			buf_addf(&in, "%d,name %d,城市%d\n", i, i, i);
	}
	path = write_tmp(in.p, in.len);
	o.encoding = enc;
	r = csvio_open(&path, 1, &o, &err);
	assert_non_null(r);
	record_init(&rec);
	while ((st = csvio_read(r, &rec, &err)) > 0) {
		if (st == CSVIO_BAD) {
			bad++;
			assert_int_equal(csvio_bad_row(r), 3);
			assert_true(sv_eqs(csvio_bad_raw(r), broken));
			continue;
		}
		good++;
		buf_reset(&want);
		if (rec.row == 500)
			buf_adds(&want, "[500][Wang, Fang][广州]\n");
		else
			buf_addf(&want, "[%lu][name %lu][城市%lu]\n", rec.row,
				 rec.row, rec.row);
		buf_reset(&in);
		describe_fields(&in, &rec);
		if (strcmp(in.p, want.p) || rec.line != rec.row + 1)
			fail_msg("%s: row %lu line %lu: %s", broken, rec.row,
				 rec.line, in.p);
	}
	assert_int_equal(st, CSVIO_EOF);
	/* why: records in = good + bad, and only the broken row is bad */
	assert_int_equal(bad, 1);
	assert_int_equal(good, 999);
	record_release(&rec);
	csvio_close(r);
	buf_release(&in);
	buf_release(&want);
	remove_tmp(NULL);
}

static void test_csvio_broken_quote(void **state)
{
	(void)state;
	check_broken_quote("3,\"name 3,城市3", NULL);
	check_broken_quote("3,name 3,\"城市3", NULL);
	check_broken_quote("3,\"name\" 3,城市3", NULL);
	check_broken_quote("3,\"name 3,城市3", "auto");
}

static void test_csvio_big(void **state)
{
	struct csvio_opts o = CSVIO_OPTS_INIT;
	struct mbr_err err = MBR_ERR_INIT;
	struct csvio_reader *r;
	struct record rec;
	struct buf in;
	const char *path;
	size_t big = (size_t)10 << 20;

	(void)state;
	/* why: a 10 MB field (several read chunks) is read intact */
	buf_init(&in, BUF_NOLIMIT);
	buf_adds(&in, "id,note\n1,\"");
	for (size_t i = 0; i < big; i++)
		buf_addc(&in, i % 1000 == 999 ? '\n' : (char)('a' + i % 26));
	buf_adds(&in, "\"\n2,x\n");
	path = write_tmp(in.p, in.len);
	r = csvio_open(&path, 1, &o, &err);
	assert_non_null(r);
	record_init(&rec);
	assert_int_equal(csvio_read(r, &rec, &err), CSVIO_ROW);
	assert_int_equal(rec.n, 2);
	assert_int_equal(record_field(&rec, 1).len, big);
	assert_memory_equal(record_field(&rec, 1).p, in.p + 11, big);
	assert_int_equal(csvio_read(r, &rec, &err), CSVIO_ROW);
	assert_true(sv_eqs(record_field(&rec, 1), "x"));
	assert_int_equal(rec.line, 2 + big / 1000 + 1);
	assert_int_equal(csvio_read(r, &rec, &err), CSVIO_EOF);
	csvio_close(r);
	remove_tmp(NULL);

	/* why: 10,000 columns */
	buf_reset(&in);
	for (int row = 0; row < 3; row++)
		for (int i = 0; i < 10000; i++)
			buf_addf(&in, "%s%c%d%c", row ? "v" : "c", 'a' + row, i,
				 i == 9999 ? '\n' : ',');
	path = write_tmp(in.p, in.len);
	r = csvio_open(&path, 1, &o, &err);
	assert_non_null(r);
	assert_int_equal(header_count(csvio_header(r)), 10000);
	assert_true(sv_eqs(record_field(&csvio_header(r)->names, 9999),
			   "ca9999"));
	assert_int_equal(csvio_read(r, &rec, &err), CSVIO_ROW);
	assert_int_equal(rec.n, 10000);
	assert_true(sv_eqs(record_field(&rec, 0), "vb0"));
	assert_true(sv_eqs(record_field(&rec, 9999), "vb9999"));
	assert_int_equal(csvio_read(r, &rec, &err), CSVIO_ROW);
	assert_true(sv_eqs(record_field(&rec, 5000), "vc5000"));
	assert_int_equal(csvio_read(r, &rec, &err), CSVIO_EOF);
	csvio_close(r);
	record_release(&rec);
	buf_release(&in);
	remove_tmp(NULL);
}

static void test_csvio_files(void **state)
{
	struct csvio_opts o = CSVIO_OPTS_INIT;
	const char *paths[2];
	struct buf got;
	struct counts c;

	(void)state;
	buf_init(&got, BUF_NOLIMIT);
	/* why: two files with the same header read as one stream, rows
	 * numbered per file; the second header may have a BOM and CRLF */
	paths[0] = write_tmp(S("a,b\n1,2\n3,4\n"));
	paths[1] = write_tmp(S("\xef\xbb\xbf" "a,b\r\n5,6\r\n"));
	read_all(paths, 2, &o, &got, &c);
	assert_string_equal(got.p, "H:[a][b]\nR1@2:[1][2]\nR2@3:[3][4]\n"
				   "R1@2:[5][6]\n");
	remove_tmp(NULL);
	/* why: a header-only or empty-bodied file in the middle is fine */
	paths[0] = write_tmp(S("a,b\n"));
	paths[1] = write_tmp(S("a,b\n7,8"));
	read_all(paths, 2, &o, &got, &c);
	assert_string_equal(got.p, "H:[a][b]\nR1@2:[7][8]\n");
	remove_tmp(NULL);
	/* why: different headers are an error naming the second file */
	paths[0] = write_tmp(S("a,b\n1,2\n"));
	paths[1] = write_tmp(S("a,c\n3,4\n"));
	read_all(paths, 2, &o, &got, &c);
	assert_string_equal(got.p, "H:[a][b]\nR1@2:[1][2]\n"
				   "E:IN2: header differs from the first file's (expected the same columns in the same order)\n");
	remove_tmp(NULL);
	/* why: an empty second file is an error too */
	paths[0] = write_tmp(S("a,b\n1,2\n"));
	paths[1] = write_tmp(S(""));
	read_all(paths, 2, &o, &got, &c);
	assert_string_equal(got.p, "H:[a][b]\nR1@2:[1][2]\n"
				   "E:IN2: empty file (expected a header row)\n");
	remove_tmp(NULL);
	/* why: without a header, every file's rows are data */
	o.flags |= CSVIO_NO_HEADER;
	paths[0] = write_tmp(S("1,2\n"));
	paths[1] = write_tmp(S("3,4\n"));
	read_all(paths, 2, &o, &got, &c);
	assert_string_equal(got.p, "H:[$1][$2]\nR1@1:[1][2]\nR1@1:[3][4]\n");
	remove_tmp(NULL);
	/* why: a missing file is an I/O error naming it */
	{
		struct mbr_err err = MBR_ERR_INIT;
		const char *nope = "/nonexistent/dir/in.csv";

		o.flags = CSVIO_FIXED_COLS;
		assert_null(csvio_open(&nope, 1, &o, &err));
		assert_int_equal(err.status, MBR_EIO);
		assert_non_null(strstr(err.msg, "cannot open '/nonexistent/"));
	}
	buf_release(&got);
}

/* Rows whose multi-byte characters, CRLF pairs and surrogate pairs fall
 * on every offset around the 64 KB read chunk: the padding moves the
 * boundary a byte at a time. */
static void test_csvio_chunk_boundaries(void **state)
{
	static const char *const encs[] = { "UTF-8", "GB18030", "UTF-16LE",
					    "BIG5" };
	static const char *const vals[] = { "張偉", "a張b", "偉" };
	struct buf text, bytes, got, want;
	struct mbr_err err = MBR_ERR_INIT;
	struct counts c;

	(void)state;
	buf_init(&text, BUF_NOLIMIT);
	buf_init(&bytes, BUF_NOLIMIT);
	buf_init(&got, BUF_NOLIMIT);
	buf_init(&want, BUF_NOLIMIT);
	for (size_t e = 0; e < sizeof(encs) / sizeof(encs[0]); e++) {
		for (size_t pad = 0; pad < 16; pad++) {
			struct encoding_encoder *enc;
			struct csvio_opts o = CSVIO_OPTS_INIT;
			const char *path;
			bool wide = !strcmp(encs[e], "UTF-16LE");

			buf_reset(&text);
			buf_reset(&want);
			buf_adds(&text, "id,v\r\n");
			buf_adds(&want, "H:[id][v]\n");
			for (int i = 1; i <= 9000; i++) {
				const char *v = vals[i % 3];

				if (i == 1) {
					buf_addf(&text, "1,%.*s\r\n", (int)pad,
						 "xxxxxxxxxxxxxxxx");
					buf_addf(&want, "R1@2:[1][%.*s]\n",
						 (int)pad, "xxxxxxxxxxxxxxxx");
					continue;
				}
				if (wide && i % 3 == 0)
					v = "\xf0\xa0\x80\x80偉";
				buf_addf(&text, "%d,%s\r\n", i, v);
				buf_addf(&want, "R%d@%d:[%d][%s]\n", i, i + 1,
					 i, v);
			}
			buf_reset(&bytes);
			enc = encoding_encoder_open(encs[e], &err);
			assert_int_equal(encoding_encode(enc, buf_view(&text),
							 &bytes, &err), 0);
			encoding_encoder_close(enc);
			path = write_tmp(bytes.p, bytes.len);
			o.encoding = encs[e];
			read_all(&path, 1, &o, &got, &c);
			if (strcmp(got.p, want.p))
				fail_msg("%s pad %zu: differs", encs[e], pad);
			remove_tmp(NULL);
		}
	}
	buf_release(&text);
	buf_release(&bytes);
	buf_release(&got);
	buf_release(&want);
}

static const struct {
	const char *in, *want, *why;
} quote_cases[] = {
	{ "", "", "empty is not quoted" },
	{ "abc", "abc", "plain" },
	{ " a b ", " a b ", "spaces need no quotes" },
	{ "张伟", "张伟", "Han" },
	{ "a,b", "\"a,b\"", "separator" },
	{ "a\"b", "\"a\"\"b\"", "quote doubled" },
	{ "\"", "\"\"\"\"", "a lone quote" },
	{ "a\nb", "\"a\nb\"", "newline" },
	{ "a\rb", "\"a\rb\"", "carriage return" },
	{ "a\tb", "a\tb", "tab is not special with ','" },
	{ "a;b", "a;b", "';' is not special with ','" },
};

static void test_csvio_quote(void **state)
{
	struct buf out;

	(void)state;
	buf_init(&out, BUF_NOLIMIT);
	for (size_t i = 0; i < sizeof(quote_cases) / sizeof(quote_cases[0]);
	     i++) {
		buf_reset(&out);
		assert_int_equal(csvio_quote(&out, sv(quote_cases[i].in), ','),
				 0);
		if (strcmp(out.p, quote_cases[i].want))
			fail_msg("%s: got '%s'", quote_cases[i].why, out.p);
	}
	/* why: with tab as separator, the tab is what needs quotes */
	buf_reset(&out);
	csvio_quote(&out, sv("a\tb,c"), '\t');
	assert_string_equal(out.p, "\"a\tb,c\"");
	/* why: a full buffer is -1 */
	buf_release(&out);
	buf_init(&out, 4);
	assert_int_equal(csvio_quote(&out, sv("a,bcd"), ','), -1);
	buf_release(&out);
}

/* reader(writer(x)) == x for values that need every kind of quoting. */
static void test_csvio_round_trip(void **state)
{
	static const char *const values[][3] = {
		{ "id", "name", "note" },
		{ "1", "张伟", "plain" },
		{ "2", "a,b", "comma" },
		{ "3", "say \"hi\"", "quotes" },
		{ "4", "line\nbreak", "newline" },
		{ "5", "cr\r\nlf", "CRLF inside" },
		{ "6", "", "empty" },
		{ "7", " padded ", "spaces" },
		{ "8", "\"", "a lone quote" },
		{ "9", "\xef\xbb\xbf" "bom", "a BOM inside a value" },
		{ "10", ",\",\n", "everything" },
	};
	size_t n = sizeof(values) / sizeof(values[0]);
	struct mbr_err err = MBR_ERR_INIT;
	struct csvio_opts o = CSVIO_OPTS_INIT;
	struct csvio_writer *w;
	struct csvio_reader *r;
	struct record rec;
	char path[] = "/tmp/test_csvio_rt_XXXXXX";
	FILE *f;
	const char *p = path;

	(void)state;
	for (int delim = 0; delim < 2; delim++) {
		o.delim = delim ? '\t' : ',';
		f = fdopen(mkstemp(path), "wb");
		assert_non_null(f);
		w = csvio_writer_new(f, o.delim);
		for (size_t i = 0; i < n; i++) {
			struct strview fv[3];

			for (int j = 0; j < 3; j++)
				fv[j] = sv(values[i][j]);
			csvio_write_fields(w, fv, 3);
		}
		/* why: one empty field alone must not become a blank line */
		{
			struct strview one = sv("");

			csvio_write_fields(w, &one, 1);
		}
		assert_int_equal(csvio_writer_flush(w, &err), 0);
		csvio_writer_free(w);
		fclose(f);
		o.flags = 0;
		r = csvio_open(&p, 1, &o, &err);
		assert_non_null(r);
		record_init(&rec);
		for (size_t i = 1; i < n; i++) {
			assert_int_equal(csvio_read(r, &rec, &err), CSVIO_ROW);
			assert_int_equal(rec.n, 3);
			for (size_t j = 0; j < 3; j++) {
				struct strview v = record_field(&rec, j);

				if (!sv_eqs(v, values[i][j]))
					fail_msg("row %zu field %zu: '%s'", i,
						 j, v.p);
			}
		}
		assert_int_equal(csvio_read(r, &rec, &err), CSVIO_ROW);
		assert_int_equal(rec.n, 1);
		assert_int_equal(record_field(&rec, 0).len, 0);
		assert_int_equal(csvio_read(r, &rec, &err), CSVIO_EOF);
		csvio_close(r);
		record_release(&rec);
		unlink(path);
		strcpy(path, "/tmp/test_csvio_rt_XXXXXX");
	}
}

static void test_csvio_writer_record(void **state)
{
	struct mbr_err err = MBR_ERR_INIT;
	struct csvio_writer *w;
	struct record rec;
	struct header h;
	char *mem = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&mem, &len);

	(void)state;
	record_init(&rec);
	header_init(&h);
	header_add(&h, "name");
	header_add(&h, "mobile");
	w = csvio_writer_new(f, 0);
	csvio_write_header(w, &h);
	record_add(&rec, "Li, Na", 6);
	record_add(&rec, "138", 3);
	csvio_write(w, &rec);
	record_reset(&rec);
	record_add(&rec, "", 0);
	csvio_write(w, &rec);
	assert_int_equal(csvio_writer_flush(w, &err), 0);
	csvio_writer_free(w);
	csvio_writer_free(NULL);
	fclose(f);
	/* why: default separator ',', \n line ends, quotes only when needed */
	assert_string_equal(mem, "name,mobile\n\"Li, Na\",138\n\"\"\n");
	free(mem);
	record_release(&rec);
	header_release(&h);
	/* why: a write error surfaces at flush */
	f = fopen("/dev/full", "w");
	if (f) {
		w = csvio_writer_new(f, ',');
		csvio_write_fields(w, &(struct strview){ "x", 1 }, 1);
		assert_int_equal(csvio_writer_flush(w, &err), -1);
		assert_int_equal(err.status, MBR_EIO);
		csvio_writer_free(w);
		fclose(f);
	}
}

/* csvio_write takes a record whose fields need no quotes in one look at
 * its data; csvio_write_fields quotes field by field. Each special byte
 * at each place of a long field (and one record that needs none) must
 * come out the same both ways. */
static void test_csvio_writer_agrees(void **state)
{
	static const char specials[] = ",\"\n\r;";
	char *mem[2] = {NULL, NULL};
	size_t len[2] = {0, 0};
	struct record rec;

	(void)state;
	record_init(&rec);
	for (int how = 0; how < 2; how++) {
		FILE *f = open_memstream(&mem[how], &len[how]);
		struct csvio_writer *w = csvio_writer_new(f, ',');
		struct mbr_err err = MBR_ERR_INIT;

		for (size_t at = 0; at < 40; at++)
			for (size_t k = 0; k <= sizeof(specials) - 1; k++) {
				char field[41];
				struct strview fv[3];

				memset(field, 'x', 40);
				field[40] = '\0';
				if (k < sizeof(specials) - 1)
					field[at] = specials[k];
				fv[0] = sv("\xe5\xbc\xb5");
				fv[1] = svn(field, 40);
				fv[2] = svn(field, at);
				if (how == 1) {
					csvio_write_fields(w, fv, 3);
					continue;
				}
				record_reset(&rec);
				for (size_t i = 0; i < 3; i++)
					record_addsv(&rec, fv[i]);
				csvio_write(w, &rec);
			}
		assert_int_equal(csvio_writer_flush(w, &err), 0);
		csvio_writer_free(w);
		fclose(f);
	}
	assert_int_equal(len[0], len[1]);
	assert_memory_equal(mem[0], mem[1], len[0]);
	free(mem[0]);
	free(mem[1]);
	record_release(&rec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csvio_writer_agrees),
		cmocka_unit_test_teardown(test_csvio_cases, remove_tmp),
		cmocka_unit_test_teardown(test_csvio_split_agrees, remove_tmp),
		cmocka_unit_test_teardown(test_csvio_broken_quote, remove_tmp),
		cmocka_unit_test_teardown(test_csvio_big, remove_tmp),
		cmocka_unit_test_teardown(test_csvio_files, remove_tmp),
		cmocka_unit_test_teardown(test_csvio_chunk_boundaries,
					  remove_tmp),
		cmocka_unit_test(test_csvio_quote),
		cmocka_unit_test(test_csvio_round_trip),
		cmocka_unit_test(test_csvio_writer_record),
	};

	/* TEST_FILTER=test_csvio_big runs one test. */
	if (getenv("TEST_FILTER"))
		cmocka_set_test_filter(getenv("TEST_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
