/*
 * export: formats, masking, Excel safety and encoding of the output.
 */
#include "export.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csvio.h"
#include "encoding.h"
#include "json.h"
#include "mask.h"
#include "db.h"
#include "utf8.h"

/* How one input column is protected. */
enum protection { PROTECT_MASK, PROTECT_PSEUDO };

struct guard {
	size_t col;
	enum protection how;
	const char *kind; /* borrowed: the column's name, for mask_value */
};

struct export_writer {
	struct export_opts *o;	      /* borrowed */
	FILE *out;		      /* borrowed */
	struct encoding_encoder *enc; /* owned */
	struct guard *guards;	      /* owned: the input columns to protect */
	size_t n_guards;
	struct record work;   /* masked copy of the input */
	struct record mapped; /* after the target mapping */
	struct buf issues, cell, line, bytes, tmp;
	const char **names; /* owned array: output column names */
	size_t n_names;
	struct db *db;	       /* sqlite format: the target database */
	char *insert_sql;      /* owned: the INSERT for sqlite */
	struct strview *binds; /* owned */
	struct strview *segs;  /* owned: sql: one value's segments */
	size_t n_segs, cap_segs;
	unsigned long long n; /* records written */
};

static const char *const format_names[] = {"csv", "tsv", "jsonl", "sql",
					   "sqlite"};

void export_opts_init(struct export_opts *o)
{
	memset(o, 0, sizeof(*o));
	buf_init(&o->key, 4096);
}

void export_opts_release(struct export_opts *o)
{
	mapping_free(o->map);
	for (size_t i = 0; i < o->n_mask; i++)
		free(o->mask[i]);
	for (size_t i = 0; i < o->n_pseudo; i++)
		free(o->pseudo[i]);
	free(o->mask);
	free(o->pseudo);
	buf_release(&o->key);
	export_opts_init(o);
}

int export_parse_format(const char *s, enum export_format *f)
{
	for (int i = 0; i <= EXPORT_SQLITE; i++)
		if (!strcmp(s, format_names[i])) {
			*f = (enum export_format)i;
			return 0;
		}
	return -1;
}

/* Why name cannot be an SQL table or column name in our output, or NULL
 * when it can. A quote is legal inside a quoted identifier, but names are
 * written into scripts other systems load, where it is a trap; a control
 * character does not survive line-based readers (sqlite3 drops a CR). */
static const char *ident_problem(const char *name)
{
	if (!*name)
		return "is empty";
	if (!utf8_is_valid(sv(name)))
		return "is not valid UTF-8";
	for (const char *p = name; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return "holds a control character";
	if (strpbrk(name, "\"'`"))
		return "holds a quote";
	return NULL;
}

static int check_table(const char *table, struct mbr_err *err)
{
	const char *why = ident_problem(table);

	if (why)
		return mbr_fail(err, MBR_ECONFIG,
				"the table name %s (expected a name such as "
				"members)",
				why);
	/* SQLite refuses to create these ("reserved for internal use"). */
	if (!strncasecmp(table, "sqlite_", 7))
		return mbr_fail(err, MBR_ECONFIG,
				"table '%s' is reserved by SQLite (expected a "
				"name that does not start with sqlite_)",
				table);
	return 0;
}

static bool in_list(char *const *list, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcasecmp(list[i], name))
			return true;
	return false;
}

int export_check_opts(const struct export_opts *o, struct mbr_err *err)
{
	bool tables = o->format == EXPORT_SQL || o->format == EXPORT_SQLITE;

	if (o->excel && o->format != EXPORT_CSV && o->format != EXPORT_TSV)
		return mbr_fail(err, MBR_ECONFIG,
				"--excel with --format %s (expected csv or "
				"tsv, the formats Excel opens)",
				format_names[o->format]);
	for (size_t i = 0; i < o->n_mask; i++)
		if (in_list(o->pseudo, o->n_pseudo, o->mask[i]))
			return mbr_fail(err, MBR_ECONFIG,
					"--mask and --pseudonymize both name "
					"'%s' (expected one or the other)",
					o->mask[i]);
	if (o->table_set && !tables)
		return mbr_fail(err, MBR_ECONFIG,
				"--table with --format %s (expected --format "
				"sql or sqlite, which write a table)",
				format_names[o->format]);
	if (tables && check_table(o->table, err) < 0)
		return -1;
	return 0;
}

size_t export_add_fields(char ***list, size_t *n, const char *csv)
{
	const char *p = csv;
	size_t before = *n;

	while (*p) {
		size_t len = strcspn(p, ",");
		struct strview v = sv_trim(svn(p, len));

		if (v.len) {
			*list = xrealloc(*list, (*n + 1) * sizeof(char *));
			(*list)[(*n)++] = sv_dup(v);
		}
		p += len;
		if (*p == ',')
			p++;
	}
	return *n - before;
}

#define KEY_MIN 32   /* bytes: HMAC-SHA256 wants 256 bits of secret */
#define KEY_MAX 4096 /* bytes: more is a data file, not a key */

/* What a key must be: KEY_MIN to KEY_MAX bytes. */
#define KEY_EXPECTED                                                     \
	"32 to 4096 secret bytes, e.g. from 'head -c 32 /dev/urandom | " \
	"base64'"

/* A weak key is an error, or with EXPORT_KEY_FORCE a warning. */
static int key_weak(enum export_key_flags flags, struct mbr_err *err,
		    const char *path, const char *what, const char *expected)
{
	if (flags & EXPORT_KEY_FORCE) {
		mbr_warn("key file '%s' %s (used: --force)", path, what);
		return 0;
	}
	return mbr_fail(err, MBR_ECONFIG,
			"key file '%s' %s (expected %s; --force uses it "
			"anyway)",
			path, what, expected);
}

/* What kind of file it is, and who may read it. */
static int check_key_file(const char *path, const struct stat *st,
			  enum export_key_flags flags, struct mbr_err *err)
{
	if (S_ISDIR(st->st_mode))
		return mbr_fail(err, MBR_ECONFIG,
				"key file '%s' is a directory (expected a file "
				"holding the key)",
				path);
	/* A pipe is how a key comes from a secret store without touching
	 * the disk: --key-file <(secret-tool lookup ...). A device is not
	 * a key: /dev/zero is 4096 zero bytes, /dev/urandom another key
	 * on every run. */
	if (!S_ISREG(st->st_mode) && !S_ISFIFO(st->st_mode))
		return key_weak(flags, err, path,
				"is not a regular file or a pipe",
				"a file or a pipe holding the key");
	if (!S_ISREG(st->st_mode) || !(st->st_mode & (S_IRGRP | S_IROTH)))
		return 0;
	if (flags & EXPORT_KEY_STRICT)
		return mbr_fail(err, MBR_ECONFIG,
				"key file '%s' is readable by group or others "
				"(expected mode 0600 under --strict: chmod 600 "
				"'%s')",
				path, path);
	mbr_warn("key file '%s' is readable by group or others (expected mode "
		 "0600: chmod 600 '%s')",
		 path, path);
	return 0;
}

/* Read up to KEY_MAX + 1 bytes of fd into key; returns the count or -1. */
static ssize_t read_key(int fd, char *key)
{
	size_t n = 0;
	ssize_t r;

	while (n < KEY_MAX + 1) {
		r = read(fd, key + n, KEY_MAX + 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		n += (size_t)r;
	}
	return (ssize_t)n;
}

static bool is_one_byte(struct strview v)
{
	for (size_t i = 1; i < v.len; i++)
		if (v.p[i] != v.p[0])
			return false;
	return true;
}

/* The key's length and variety. */
static int check_key(struct strview k, size_t n_read, const char *path,
		     enum export_key_flags flags, struct mbr_err *err)
{
	char what[64];

	if (k.len == 0)
		return mbr_fail(err, MBR_ECONFIG,
				"key file '%s' is empty (expected " KEY_EXPECTED
				")",
				path);
	if (n_read > KEY_MAX)
		return key_weak(flags, err, path, "holds more than 4096 bytes",
				KEY_EXPECTED);
	if (k.len < KEY_MIN) {
		snprintf(what, sizeof(what), "holds %zu bytes", k.len);
		return key_weak(flags, err, path, what, KEY_EXPECTED);
	}
	if (is_one_byte(k))
		return key_weak(flags, err, path, "holds one byte repeated",
				KEY_EXPECTED);
	return 0;
}

int export_load_key(struct export_opts *o, const char *path,
		    enum export_key_flags flags, struct mbr_err *err)
{
	char key[KEY_MAX + 1];
	struct stat st;
	ssize_t n = 0;
	size_t len;
	int rc = -1, fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return mbr_fail(err, MBR_ECONFIG,
				"cannot open key file '%s': %s", path,
				strerror(errno));
	if (fstat(fd, &st) < 0)
		goto unreadable;
	if (check_key_file(path, &st, flags, err) < 0)
		goto out;
	n = read_key(fd, key);
	if (n < 0)
		goto unreadable;
	len = (size_t)n > KEY_MAX ? KEY_MAX : (size_t)n;
	while (len && (key[len - 1] == '\n' || key[len - 1] == '\r'))
		len--;
	if (check_key(svn(key, len), (size_t)n, path, flags, err) < 0)
		goto out;
	buf_reset(&o->key);
	rc = buf_add(&o->key, key, len);
	goto out;
unreadable:
	mbr_fail(err, MBR_ECONFIG, "cannot read key file '%s': %s", path,
		 strerror(errno));
out:
	close(fd);
	explicit_bzero(key, sizeof(key));
	return rc;
}

/* Every name in list is a column of h (in any case): a name that is not
 * must not leave the field it meant in clear. */
static int check_listed(const struct header *h, char *const *list, size_t n,
			const char *opt, struct mbr_err *err)
{
	for (size_t i = 0; i < n; i++) {
		size_t c = 0;

		while (c < header_count(h) &&
		       strcasecmp(record_field(&h->names, c).p, list[i]))
			c++;
		if (c == header_count(h))
			return mbr_fail(err, MBR_ECONFIG,
					"%s: no column '%s' in the input", opt,
					list[i]);
	}
	return 0;
}

/* Whether column name is masked, pseudonymised or neither (-1): named
 * itself, or a part of a field that is (mask_parent), unless named
 * itself. Every column of that name, whatever its case. */
static int protection_of(const struct export_opts *o, const char *name)
{
	const char *parent = mask_parent(name);

	if (in_list(o->mask, o->n_mask, name))
		return PROTECT_MASK;
	if (in_list(o->pseudo, o->n_pseudo, name))
		return PROTECT_PSEUDO;
	if (parent && in_list(o->mask, o->n_mask, parent))
		return PROTECT_MASK;
	if (parent && in_list(o->pseudo, o->n_pseudo, parent))
		return PROTECT_PSEUDO;
	return -1;
}

static int setup_guards(struct export_writer *w, const struct header *h,
			struct mbr_err *err)
{
	const struct export_opts *o = w->o;

	if (check_listed(h, o->mask, o->n_mask, "--mask", err) < 0 ||
	    check_listed(h, o->pseudo, o->n_pseudo, "--pseudonymize", err) < 0)
		return -1;
	w->guards = xcalloc(header_count(h) + 1, sizeof(*w->guards));
	for (size_t c = 0; c < header_count(h); c++) {
		const char *name = record_field(&h->names, c).p;
		int how = protection_of(o, name);

		if (how < 0)
			continue;
		w->guards[w->n_guards].col = c;
		w->guards[w->n_guards].how = (enum protection)how;
		w->guards[w->n_guards++].kind = name;
	}
	return 0;
}

static bool is_number(struct strview v)
{
	size_t i = (v.len && (v.p[0] == '-' || v.p[0] == '+')) ? 1 : 0;

	if (i == v.len)
		return false;
	for (; i < v.len; i++)
		if (!((v.p[i] >= '0' && v.p[i] <= '9') || v.p[i] == '.'))
			return false;
	return true;
}

/* Excel: a cell starting with = + - @ (or a tab or CR) runs as a formula
 * (CSV injection): prefix a quote. A number of 12 or more digits loses
 * precision (and a mobile its +), and leading zeros vanish: write such
 * values as ="..." so that Excel keeps them as text. */
static void excel_cell(struct strview v, struct buf *out)
{
	size_t sign = v.len && (v.p[0] == '+' || v.p[0] == '-') ? 1 : 0;

	if (is_number(v) &&
	    (v.len - sign >= 12 || (v.len - sign > 1 && v.p[sign] == '0'))) {
		buf_adds(out, "=\"");
		buf_addsv(out, v);
		buf_addc(out, '"');
		return;
	}
	if (v.len && strchr("=+-@\t\r", v.p[0]) && !is_number(v))
		buf_addc(out, '\'');
	buf_addsv(out, v);
}

static void sql_ident(struct buf *out, const char *name)
{
	buf_addc(out, '"');
	for (const char *p = name; *p; p++) {
		if (*p == '"')
			buf_addc(out, '"');
		buf_addc(out, *p);
	}
	buf_addc(out, '"');
}

/* char() takes at most 127 arguments in SQLite's default build
 * (SQLITE_MAX_FUNCTION_ARG). */
#define SQL_CHAR_ARGS 100
/* Segments joined by || in one flat chain: SQLite refuses an expression
 * deeper than 1000 (SQLITE_MAX_EXPR_DEPTH); more go into a balanced tree. */
#define SQL_CHAIN 64

static bool is_control(char c)
{
	return (unsigned char)c < 0x20 || c == 0x7f;
}

/* Cut v into runs of control characters (at most SQL_CHAR_ARGS each) and
 * runs of other bytes, into w->segs. */
static void sql_segments(struct export_writer *w, struct strview v)
{
	w->n_segs = 0;
	for (size_t i = 0, j; i < v.len; i = j) {
		bool ctl = is_control(v.p[i]);

		for (j = i + 1; j < v.len && is_control(v.p[j]) == ctl; j++)
			if (ctl && j - i == SQL_CHAR_ARGS)
				break;
		if (w->n_segs == w->cap_segs) {
			w->cap_segs = w->cap_segs ? 2 * w->cap_segs : 16;
			w->segs = xrealloc(w->segs,
					   w->cap_segs * sizeof(*w->segs));
		}
		w->segs[w->n_segs++] = svn(v.p + i, j - i);
	}
}

/* A run of control characters as char(13,10), anything else as a string
 * literal with its quotes doubled. */
static void sql_segment(struct buf *out, struct strview s)
{
	if (is_control(s.p[0])) {
		buf_adds(out, "char(");
		for (size_t i = 0; i < s.len; i++)
			buf_addf(out, "%s%u", i ? "," : "",
				 (unsigned char)s.p[i]);
		buf_addc(out, ')');
		return;
	}
	buf_addc(out, '\'');
	for (size_t i = 0; i < s.len; i++) {
		if (s.p[i] == '\'')
			buf_addc(out, '\'');
		buf_addc(out, s.p[i]);
	}
	buf_addc(out, '\'');
}

static void sql_join(struct buf *out, const struct strview *seg, size_t n)
{
	size_t half = n / 2;

	if (n <= SQL_CHAIN) {
		for (size_t i = 0; i < n; i++) {
			if (i)
				buf_adds(out, " || ");
			sql_segment(out, seg[i]);
		}
		return;
	}
	buf_addc(out, '(');
	sql_join(out, seg, half);
	buf_adds(out, ") || (");
	sql_join(out, seg + half, n - half);
	buf_addc(out, ')');
}

/* A value as an SQL expression that gives back exactly its bytes. Control
 * characters stay out of string literals, as char(13,10): sqlite3 reads
 * a script by lines and drops the CR of a CR LF inside a literal, and a
 * script of one line per INSERT is easier on every tool. An empty value
 * is '' (as --format sqlite stores it), never NULL. */
static void sql_string(struct export_writer *w, struct buf *out,
		       struct strview v)
{
	if (v.len == 0) {
		buf_adds(out, "''");
		return;
	}
	sql_segments(w, v);
	sql_join(out, w->segs, w->n_segs);
}

/* A cell (data or header), made safe for Excel when asked. */
static struct strview safe_cell(struct export_writer *w, struct strview v)
{
	if (!w->o->excel)
		return v;
	buf_reset(&w->cell);
	excel_cell(v, &w->cell);
	return buf_view(&w->cell);
}

static void format_line(struct export_writer *w, const struct record *r)
{
	char delim = w->o->format == EXPORT_TSV ? '\t' : ',';

	buf_reset(&w->line);
	switch (w->o->format) {
	case EXPORT_CSV:
	case EXPORT_TSV:
		for (size_t i = 0; i < w->n_names; i++) {
			if (i)
				buf_addc(&w->line, delim);
			csvio_quote(&w->line, safe_cell(w, record_field(r, i)),
				    delim);
		}
		buf_addc(&w->line, '\n');
		break;
	case EXPORT_JSONL:
		buf_addc(&w->line, '{');
		for (size_t i = 0; i < w->n_names; i++) {
			if (i)
				buf_addc(&w->line, ',');
			json_str(&w->line, sv(w->names[i]));
			buf_addc(&w->line, ':');
			json_str(&w->line, record_field(r, i));
		}
		buf_adds(&w->line, "}\n");
		break;
	case EXPORT_SQL:
		buf_adds(&w->line, "INSERT INTO ");
		sql_ident(&w->line, w->o->table);
		buf_adds(&w->line, " VALUES (");
		for (size_t i = 0; i < w->n_names; i++) {
			if (i)
				buf_adds(&w->line, ", ");
			sql_string(w, &w->line, record_field(r, i));
		}
		buf_adds(&w->line, ");\n");
		break;
	case EXPORT_SQLITE:
		break;
	}
}

/* Encode w->line into the output encoding and write it. */
static int emit(struct export_writer *w, struct mbr_err *err)
{
	buf_reset(&w->bytes);
	if (encoding_encode(w->enc, buf_view(&w->line), &w->bytes, err) < 0)
		return -1;
	if (fwrite(w->bytes.p, 1, w->bytes.len, w->out) != w->bytes.len)
		return mbr_fail(err, MBR_EIO, "write error: %s",
				strerror(errno));
	return 0;
}

/* The byte-order mark that makes Excel take a CSV file for Unicode, by
 * output encoding (upper case, without - and _). Excel reads any other
 * file in the system's code page (GBK on Chinese Windows, Big5 on
 * Taiwanese), where U+FEFF is garbage in the first cell and no valid GBK:
 * those get none. Plain UTF-16 gets its mark from iconv, and Excel does
 * not open UTF-32. */
static const struct {
	const char *encoding;
	const char *bom;
} excel_boms[] = {
	{"UTF8", "\xEF\xBB\xBF"},
	{"UTF16LE", "\xFF\xFE"},
	{"UTF16BE", "\xFE\xFF"},
};

static const char *excel_bom(const char *encoding)
{
	char key[16];
	size_t n = 0;

	if (!encoding || !*encoding)
		encoding = "UTF-8";
	for (const char *p = encoding; *p && n < sizeof(key) - 1; p++)
		if (*p != '-' && *p != '_')
			key[n++] = (char)toupper((unsigned char)*p);
	key[n] = '\0';
	for (size_t i = 0; i < sizeof(excel_boms) / sizeof(excel_boms[0]); i++)
		if (!strcmp(key, excel_boms[i].encoding))
			return excel_boms[i].bom;
	return "";
}

static int write_head(struct export_writer *w, struct mbr_err *err)
{
	char delim = w->o->format == EXPORT_TSV ? '\t' : ',';
	const char *bom = w->o->excel ? excel_bom(w->o->encoding) : "";

	/* The mark is bytes of the output encoding: past the encoder. */
	if (fputs(bom, w->out) == EOF)
		return mbr_fail(err, MBR_EIO, "write error: %s",
				strerror(errno));
	buf_reset(&w->line);
	switch (w->o->format) {
	case EXPORT_CSV:
	case EXPORT_TSV:
		for (size_t i = 0; i < w->n_names; i++) {
			if (i)
				buf_addc(&w->line, delim);
			csvio_quote(&w->line, safe_cell(w, sv(w->names[i])),
				    delim);
		}
		buf_addc(&w->line, '\n');
		break;
	case EXPORT_SQL:
		buf_adds(&w->line, "CREATE TABLE IF NOT EXISTS ");
		sql_ident(&w->line, w->o->table);
		buf_adds(&w->line, " (");
		for (size_t i = 0; i < w->n_names; i++) {
			if (i)
				buf_adds(&w->line, ", ");
			sql_ident(&w->line, w->names[i]);
			buf_adds(&w->line, " TEXT");
		}
		buf_adds(&w->line, ");\nBEGIN;\n");
		break;
	default:
		break;
	}
	return emit(w, err);
}

/* The sqlite format: a table in a database file, through db.h. */
static int open_db(struct export_writer *w, struct mbr_err *err)
{
	struct buf sql;

	buf_init(&sql, BUF_NOLIMIT);
	buf_adds(&sql, "CREATE TABLE ");
	sql_ident(&sql, w->o->table);
	buf_adds(&sql, " (");
	for (size_t i = 0; i < w->n_names; i++) {
		if (i)
			buf_adds(&sql, ", ");
		sql_ident(&sql, w->names[i]);
		buf_adds(&sql, " TEXT");
	}
	buf_adds(&sql, ")");
	if (db_script(w->db, sql.p, "cannot create the table", err) < 0) {
		buf_release(&sql);
		return -1;
	}
	buf_reset(&sql);
	buf_adds(&sql, "INSERT INTO ");
	sql_ident(&sql, w->o->table);
	buf_adds(&sql, " VALUES (");
	for (size_t i = 0; i < w->n_names; i++)
		buf_adds(&sql, i ? ", ?" : "?");
	buf_adds(&sql, ")");
	w->insert_sql = buf_detach(&sql);
	w->binds = xcalloc(w->n_names + 1, sizeof(*w->binds));
	return 0;
}

/* sql and sqlite: every column name one a table can have, none twice
 * (SQLite compares names without regard to ASCII case). */
static int check_columns(const struct export_writer *w, struct mbr_err *err)
{
	for (size_t i = 0; i < w->n_names; i++) {
		const char *why = ident_problem(w->names[i]);

		if (why)
			return mbr_fail(err, MBR_ECONFIG,
					"the name of column %zu %s (expected a "
					"column name: rename it in a target "
					"mapping, --map)",
					i + 1, why);
		for (size_t j = 0; j < i; j++)
			if (!strcasecmp(w->names[i], w->names[j]))
				return mbr_fail(
					err, MBR_ECONFIG,
					"columns %zu and %zu are both named "
					"'%s' (expected each name once in a "
					"table: rename one in a target "
					"mapping, "
					"--map)",
					j + 1, i + 1, w->names[i]);
	}
	return 0;
}

static int setup_columns(struct export_writer *w, const struct header *h,
			 const char *file, struct mbr_err *err)
{
	struct export_opts *o = w->o;

	if (setup_guards(w, h, err) < 0)
		return -1;
	if (o->map && mapping_bind(o->map, h, file, err) < 0)
		return -1;
	w->n_names = o->map ? mapping_n_out(o->map) : header_count(h);
	w->names = xcalloc(w->n_names + 1, sizeof(char *));
	for (size_t i = 0; i < w->n_names; i++)
		w->names[i] = o->map ? mapping_out_name(o->map, i)
				     : record_field(&h->names, i).p;
	if (o->format == EXPORT_SQL || o->format == EXPORT_SQLITE)
		return check_columns(w, err);
	return 0;
}

static void export_free(struct export_writer *w)
{
	if (!w)
		return;
	encoding_encoder_close(w->enc);
	free(w->guards);
	free(w->names);
	free(w->insert_sql);
	free(w->binds);
	free(w->segs);
	record_release(&w->work);
	record_release(&w->mapped);
	buf_release(&w->issues);
	buf_release(&w->cell);
	buf_release(&w->line);
	buf_release(&w->bytes);
	buf_release(&w->tmp);
	free(w);
}

static struct export_writer *export_open(struct export_opts *o,
					 const struct header *h,
					 const char *file, FILE *out,
					 struct mbr_err *err)
{
	struct export_writer *w = xcalloc(1, sizeof(*w));

	w->o = o;
	w->out = out;
	record_init(&w->work);
	record_init(&w->mapped);
	buf_init(&w->issues, RECORD_MAX_BYTES);
	buf_init(&w->cell, RECORD_MAX_BYTES);
	buf_init(&w->line, BUF_NOLIMIT);
	buf_init(&w->bytes, BUF_NOLIMIT);
	buf_init(&w->tmp, RECORD_MAX_BYTES);
	if (setup_columns(w, h, file, err) < 0)
		goto fail;
	w->enc = encoding_encoder_open(o->encoding, err);
	if (!w->enc)
		goto fail;
	if (o->format == EXPORT_SQLITE)
		return w; /* the caller opens the database: export_attach_db */
	if (write_head(w, err) < 0)
		goto fail;
	return w;
fail:
	export_free(w);
	return NULL;
}

static int export_attach_db(struct export_writer *w, struct db *db,
			    struct mbr_err *err)
{
	w->db = db;
	return open_db(w, err);
}

/* Copy rec into w->work with the --mask and --pseudonymize columns (and
 * the columns derived from them) replaced: whatever the target mapping
 * does next, it sees only protected values. */
static int protect(struct export_writer *w, const struct record *rec)
{
	struct strview key = buf_view(&w->o->key);

	if (record_copy(&w->work, rec) < 0)
		return -1;
	for (size_t i = 0; i < w->n_guards; i++) {
		const struct guard *g = &w->guards[i];
		struct strview v = record_field(rec, g->col);

		buf_reset(&w->tmp);
		if ((g->how == PROTECT_MASK
			     ? mask_value(g->kind, v, &w->tmp)
			     : mask_pseudonym(key, v, &w->tmp)) < 0 ||
		    record_set(&w->work, g->col, w->tmp.p, w->tmp.len) < 0)
			return -1;
	}
	return 0;
}

static int export_write(struct export_writer *w, const struct record *rec,
			struct mbr_err *err)
{
	const struct record *r = &w->work;

	if (protect(w, rec) < 0)
		return mbr_fail(err, MBR_EIO, "record %lu is too large",
				rec->row);
	if (w->o->map) {
		buf_reset(&w->issues);
		if (mapping_apply(w->o->map, &w->work, &w->mapped, &w->issues) <
		    0)
			return mbr_fail(err, MBR_EIO, "record %lu is too large",
					rec->row);
		r = &w->mapped;
	}
	w->n++;
	if (w->db) {
		for (size_t i = 0; i < w->n_names; i++)
			w->binds[i] = record_field(r, i);
		return db_exec(w->db, w->insert_sql, w->binds, w->n_names, err);
	}
	format_line(w, r);
	if (emit(w, err) < 0)
		return mbr_prefix(err, "record %lu: ", rec->row);
	return 0;
}

static int export_close(struct export_writer *w, struct mbr_err *err)
{
	if (w->o->format == EXPORT_SQL) {
		buf_reset(&w->line);
		buf_adds(&w->line, "COMMIT;\n");
		if (emit(w, err) < 0)
			return -1;
	}
	if (!w->db && fflush(w->out) != 0)
		return mbr_fail(err, MBR_EIO, "write error: %s",
				strerror(errno));
	return 0;
}

/*
 * The record handler: the writer is made when the input's header is known.
 */

static int run_bind(void *ctx, const struct header *in, const char *name,
		    struct mbr_err *err)
{
	struct export_run *r = ctx;

	if (r->w)
		return 0;
	if (header_set(&r->h, &in->names) < 0)
		return mbr_fail(err, MBR_EIO, "header larger than 256 MB");
	r->w = export_open(r->o, &r->h, name, r->out, err);
	if (!r->w)
		return -1;
	if (r->o->format != EXPORT_SQLITE)
		return 0;
	/* The output holds the target table only: no staging tables, and
	 * no journal beside the temporary (a signal removes it and with it
	 * every exported row). */
	r->db = db_open(r->db_path, r->db_name, DB_JOURNAL_MEMORY, err);
	if (!r->db || db_begin(r->db, err) < 0)
		return -1;
	return export_attach_db(r->w, r->db, err);
}

static int run_record(void *ctx, struct record *rec, enum rs_verdict *v,
		      struct rs_why *why, struct mbr_err *err)
{
	struct export_run *r = ctx;

	(void)why;
	*v = RS_PASS;
	return export_write(r->w, rec, err);
}

void export_handler(struct export_run *r, struct rs_handler *h)
{
	header_init(&r->h);
	*h = (struct rs_handler){
		.bind = run_bind, .record = run_record, .ctx = r};
}

int export_finish(struct export_run *r, struct mbr_err *err)
{
	if (!r->w)
		return 0;
	if (export_close(r->w, err) < 0)
		return -1;
	return r->db ? db_commit(r->db, err) : 0;
}

void export_run_release(struct export_run *r)
{
	db_close(r->db);
	export_free(r->w);
	header_release(&r->h);
	r->db = NULL;
	r->w = NULL;
}
