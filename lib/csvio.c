/*
 * csvio: the record stream on libcsv.
 *
 * Reading is three stages: bytes from the file, decoded to UTF-8 text
 * (encoding.c), cut into physical lines here, and fed line by line to
 * libcsv, whose callbacks collect fields. Feeding whole lines lets a row
 * that went wrong (a broken quote that swallowed the lines after it) be
 * rejected alone and the lines after its first read again.
 */
#define _GNU_SOURCE /* F_SETPIPE_SZ */
#include "csvio.h"

#include <csv.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "encoding.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define CHUNK (64 * 1024)
/* A row (all its lines) larger than this is a reject; a line larger than
 * this is skipped to its end. */
#define ROW_MAX ((size_t)64 << 20)

/* A field of a one-line row whose doubled quotes split_quoted made one:
 * its text in unquote. */
struct span {
	size_t off, len; /* in unquote */
	size_t field;	 /* which field of the row */
};

struct csvio_reader {
	const char *const *paths; /* borrowed: the files to read */
	size_t n_paths;
	size_t i_path; /* index of the current file */
	struct csvio_opts opts;
	FILE *f;	  /* current file; NULL between files */
	const char *name; /* current file's name for messages */
	struct encoding_decoder *dec;
	struct csv_parser p;
	bool parser_live;	      /* csv_init done */
	char *chunk;		      /* owned: raw input buffer */
	struct buf text;	      /* owned: decoded text not yet fed */
	size_t text_pos;	      /* first unfed byte of text */
	unsigned long long text_base; /* stream offset of text.p[0] */
	bool in_eof;	       /* the file is read and the decoder flushed */
	struct record cur;     /* fields of the row being parsed */
	struct record *target; /* where callbacks put fields */
	bool row_done;	       /* libcsv ended a row */
	bool row_clean;	       /* split_plain cut it: its quotes are clean */
	bool discard;	       /* ignore callbacks (parser reset) */
	struct buf row_raw;    /* owned: the lines of the current row */
	size_t first_line_len; /* bytes of its first line in row_raw */
	unsigned n_lines;      /* lines fed for the current row */
	bool too_long;	       /* the row passed ROW_MAX */
	bool quote_open;       /* the file ended inside the row's quote */
	unsigned long long row_start; /* stream offset of the row */
	unsigned long row_line;	      /* line the row starts on */
	unsigned long line;	      /* lines taken from the current file */
	unsigned long row;	      /* rows returned from the current file */
	struct header header;	      /* of the first file */
	bool have_header;	      /* header (of the first file) is known */
	bool file_header;      /* the current file's header row is read */
	bool header_only;      /* csvio_read stops after the header */
	struct record stash;   /* a first row read early (CSVIO_NO_HEADER) */
	int stash_status;      /* its status; CSVIO_EOF when none */
	struct buf bad_reason; /* owned: why the last CSVIO_BAD row is bad */
	struct buf bad_raw;    /* owned: its bytes */
	unsigned long bad_row;
	unsigned long bad_line;
	struct record bad_rec; /* owned: its fields, as far as they were cut */
	size_t bad_cols;       /* its first fields that are where they belong */
	struct buf note;       /* owned: about the last CSVIO_ROW, or empty */
	struct buf unquote; /* owned: quoted fields, their quotes undoubled */
	struct span *spans; /* owned: split_quoted's fields */
	struct strview *views; /* owned: the same as views */
	size_t cap_spans;
	uint64_t *marks; /* owned: split_quoted's delimiters and quotes */
	size_t cap_marks;
	size_t note_col;		/* the column note is about */
	unsigned long long done, total; /* bytes read, and to read */
};

static int never_space(unsigned char c)
{
	(void)c;
	return 0;
}

static void cb_field(void *s, size_t len, void *data)
{
	struct csvio_reader *r = data;

	if (r->discard || r->too_long)
		return;
	if (record_add(&r->cur, s ? s : "", s ? len : 0) < 0)
		r->too_long = true;
}

static void cb_row(int c, void *data)
{
	struct csvio_reader *r = data;

	(void)c;
	if (!r->discard)
		r->row_done = true;
}

static void parser_reset(struct csvio_reader *r)
{
	if (r->parser_live) {
		r->discard = true;
		csv_fini(&r->p, cb_field, cb_row, r);
		r->discard = false;
		return;
	}
	csv_init(&r->p, 0);
	csv_set_delim(&r->p, (unsigned char)r->opts.delim);
	/* libcsv trims spaces around unquoted fields by default; a record
	 * stream passes values through untouched. */
	csv_set_space_func(&r->p, never_space);
	/* libcsv grows a field by blk_size bytes at a time (128 by default):
	 * a 10 MB field would be 80,000 reallocations. */
	csv_set_blk_size(&r->p, 1 << 20);
	r->parser_live = true;
}

static void row_begin(struct csvio_reader *r)
{
	record_reset(&r->cur);
	buf_reset(&r->row_raw);
	r->first_line_len = 0;
	r->n_lines = 0;
	r->too_long = false;
	r->row_done = false;
	r->row_clean = false;
}

void csvio_pipe_grow(int fd)
{
#ifdef F_SETPIPE_SZ
	(void)fcntl(fd, F_SETPIPE_SZ, 1 << 20);
#else
	(void)fd;
#endif
}

static int open_file(struct csvio_reader *r, struct mbr_err *err)
{
	const char *path = r->n_paths ? r->paths[r->i_path] : "-";

	if (!strcmp(path, "-")) {
		r->f = stdin;
		csvio_pipe_grow(0);
		r->name = "<stdin>";
	} else {
		r->f = fopen(path, "rb");
		r->name = path;
		if (!r->f)
			return mbr_fail(err, MBR_EIO, "cannot open '%s': %s",
					path, strerror(errno));
	}
	encoding_close(r->dec);
	r->dec = encoding_open(r->opts.encoding, err);
	if (!r->dec)
		return -1;
	buf_reset(&r->text);
	r->text_pos = 0;
	r->text_base = 0;
	r->in_eof = false;
	r->line = 0;
	r->row = 0;
	r->file_header = r->have_header && (r->opts.flags & CSVIO_NO_HEADER);
	parser_reset(r);
	row_begin(r);
	return 0;
}

static void close_file(struct csvio_reader *r)
{
	if (r->f && r->f != stdin)
		fclose(r->f);
	r->f = NULL;
}

/* Read and decode the next chunk of the current file into text. */
static int fill(struct csvio_reader *r, struct mbr_err *err)
{
	size_t n;

	if (r->text_pos > 0 && r->text_pos >= r->text.len / 2) {
		/* Drop fed text so the buffer stays about one chunk. */
		memmove(r->text.p, r->text.p + r->text_pos,
			r->text.len - r->text_pos + 1);
		r->text.len -= r->text_pos;
		r->text_base += r->text_pos;
		r->text_pos = 0;
	}
	n = fread(r->chunk, 1, CHUNK, r->f);
	if (n == 0 && ferror(r->f))
		return mbr_fail(err, MBR_EIO, "cannot read '%s': %s", r->name,
				strerror(errno));
	r->done += n;
	if (encoding_decode(r->dec, r->chunk, n, n == 0, &r->text, err) < 0)
		return mbr_prefix(err, "%s: ", r->name);
	if (n == 0)
		r->in_eof = true;
	return 0;
}

enum line_status { LINE_EOF, LINE_OK, LINE_TOO_LONG };

/* Length of the line at text_pos including its terminator (\n, \r\n or a
 * lone \r), or 0 when more text is needed to tell. */
static size_t line_len(const struct csvio_reader *r, size_t *scanned)
{
	const char *s = r->text.p + r->text_pos;
	size_t avail = r->text.len - r->text_pos;
	size_t i = *scanned + strcspn(s + *scanned, "\r\n");

	if (i >= avail) {
		*scanned = avail;
		return r->in_eof ? avail : 0;
	}
	if (s[i] == '\n')
		return i + 1;
	if (i + 1 < avail)
		return s[i + 1] == '\n' ? i + 2 : i + 1;
	*scanned = i;
	return r->in_eof ? i + 1 : 0;
}

/* Skip the rest of an over-long line. */
static int skip_line(struct csvio_reader *r, struct mbr_err *err)
{
	for (;;) {
		size_t scanned = 0, n;

		r->text_base += r->text.len;
		buf_reset(&r->text);
		r->text_pos = 0;
		if (r->in_eof)
			return 0;
		if (fill(r, err) < 0)
			return -1;
		n = line_len(r, &scanned);
		if (n) {
			r->text_pos = n;
			return 0;
		}
	}
}

static int next_line(struct csvio_reader *r, struct strview *line,
		     struct mbr_err *err)
{
	size_t scanned = 0, n;

	for (;;) {
		n = line_len(r, &scanned);
		if (n)
			break;
		if (r->in_eof)
			return LINE_EOF;
		if (r->text.len - r->text_pos > ROW_MAX) {
			if (skip_line(r, err) < 0)
				return -1;
			r->line++;
			return LINE_TOO_LONG;
		}
		if (fill(r, err) < 0)
			return -1;
	}
	*line = svn(r->text.p + r->text_pos, n);
	r->text_pos += n;
	r->line++;
	return LINE_OK;
}

/* Append the text of a quoted field (between its quotes, p, len) with each
 * doubled quote made one to r->unquote, as span s. */
static int unquote(struct csvio_reader *r, const char *p, size_t len,
		   struct span *s)
{
	s->off = r->unquote.len;
	for (size_t i = 0; i < len; i++)
		if (buf_addc(&r->unquote, p[i]) < 0)
			return -1;
		else if (p[i] == '"')
			i++;
	s->len = r->unquote.len - s->off;
	return 0;
}

/* Bit i % 64 of r->marks[i / 64]: p[i] is the delimiter or a quote, for
 * the line p (len bytes) that split_quoted cuts; the bits past len are 0.
 * Sixteen bytes a step with SSE2 (every x86-64), else a byte a step. */
static void mark(struct csvio_reader *r, const char *p, size_t len)
{
	const size_t words = len / 64 + 1;
	size_t i = 0;

	if (words > r->cap_marks) {
		r->cap_marks = words * 2;
		r->marks = xrealloc(r->marks, r->cap_marks * sizeof(*r->marks));
	}
	memset(r->marks, 0, words * sizeof(*r->marks));
#ifdef __SSE2__
	{
		const __m128i vd = _mm_set1_epi8(r->opts.delim);
		const __m128i vq = _mm_set1_epi8('"');

		for (; i + 16 <= len; i += 16) {
			__m128i w = _mm_loadu_si128(
				(const __m128i *)(const void *)(p + i));
			unsigned m = (unsigned)_mm_movemask_epi8(_mm_or_si128(
				_mm_cmpeq_epi8(w, vd), _mm_cmpeq_epi8(w, vq)));

			r->marks[i / 64] |= (uint64_t)m << (i % 64);
		}
	}
#endif
	for (; i < len; i++)
		if (p[i] == r->opts.delim || p[i] == '"')
			r->marks[i / 64] |= (uint64_t)1 << (i % 64);
}

/* Index of the first delimiter or quote in p[i, len), or len, from
 * r->marks. */
static size_t next_mark(const struct csvio_reader *r, size_t i, size_t len)
{
	size_t w = i / 64;
	uint64_t m;

	if (i >= len)
		return len;
	m = r->marks[w] & (~(uint64_t)0 << (i % 64));
	while (!m) {
		if (++w * 64 >= len)
			return len;
		m = r->marks[w];
	}
	i = w * 64 + (size_t)__builtin_ctzll(m);
	return i < len ? i : len;
}

/*
 * A one-line row with quotes (p, len without the line end), when every
 * quote is where RFC 4180 puts one: a field that starts with a quote ends
 * with one before a delimiter or the line end, doubling the quotes inside;
 * no other field has a quote. Then its fields are added to r->cur, as
 * libcsv would give them. false (r->cur untouched) for any other shape,
 * which libcsv reads.
 */
static bool split_quoted(struct csvio_reader *r, const char *p, size_t len)
{
	const char delim = r->opts.delim;
	size_t i = 0, n = 0, n_spans = 0;

	buf_reset(&r->unquote);
	mark(r, p, len);
	for (;; n++) {
		if (n == r->cap_spans) {
			r->cap_spans = r->cap_spans ? 2 * r->cap_spans : 64;
			r->spans = xrealloc(r->spans,
					    r->cap_spans * sizeof(*r->spans));
			r->views = xrealloc(r->views,
					    r->cap_spans * sizeof(*r->views));
		}
		if (i < len && p[i] == '"') {
			size_t start = ++i;
			bool doubled = false;
			const char *q;

			for (;;) {
				q = memchr(p + i, '"', len - i);
				if (!q)
					return false; /* runs past the line */
				i = (size_t)(q - p) + 1;
				if (i < len && p[i] == '"') {
					doubled = true;
					i++;
					continue;
				}
				break;
			}
			if (i < len && p[i] != delim)
				return false; /* text after the closing quote */
			r->views[n] = svn(p + start, i - 1 - start);
			if (doubled) {
				r->spans[n_spans].field = n;
				if (unquote(r, p + start, i - 1 - start,
					    &r->spans[n_spans++]) < 0)
					return false;
			}
		} else {
			size_t end = next_mark(r, i, len);

			if (end < len && p[end] == '"')
				return false; /* a quote inside the field */
			r->views[n] = svn(p + i, end - i);
			i = end;
		}
		if (i == len)
			break;
		i++; /* the delimiter */
	}
	n++;
	/* unquote is done growing: its fields can point into it now */
	for (size_t k = 0; k < n_spans; k++)
		r->views[r->spans[k].field] =
			svn(r->unquote.p + r->spans[k].off, r->spans[k].len);
	/* Without a doubled quote every field lies in the line: one copy. */
	if ((n_spans ? record_add_views(&r->cur, r->views, n)
		     : record_add_within(&r->cur, p, len, r->views, n)) < 0)
		r->too_long = true;
	return true;
}

/*
 * The common row: one line, with its line end, and no quote (or quotes
 * only as split_quoted takes them). libcsv, at the start of a row, would
 * cut it at each delimiter into fields as they are (no trimming) and end
 * the row at the line end: do that here, in one copy when there is no
 * quote, and leave libcsv where it is, between rows.
 */
static bool split_plain(struct csvio_reader *r, struct strview line)
{
	size_t len = line.len;

	if (!len || (line.p[len - 1] != '\n' && line.p[len - 1] != '\r'))
		return false; /* the last line, without its end: libcsv */
	len--;
	if (len && line.p[len - 1] == '\r')
		len--;
	/* line_len cut the line at its first \r or \n: none before len. */
	if (memchr(line.p, '"', len)) {
		if (!split_quoted(r, line.p, len))
			return false;
	} else if (record_split(&r->cur, line.p, len, r->opts.delim) < 0) {
		r->too_long = true;
	}
	r->row_done = true;
	r->row_clean = true;
	return true;
}

/* Feed one line to libcsv as part of the current row. */
static void feed(struct csvio_reader *r, struct strview line)
{
	if (r->n_lines == 0) {
		r->row_start = r->text_base + (r->text_pos - line.len);
		r->row_line = r->line;
		r->first_line_len = line.len;
	}
	r->n_lines++;
	if (buf_add(&r->row_raw, line.p, line.len) < 0)
		r->too_long = true;
	if (r->n_lines == 1 && !r->too_long && split_plain(r, line))
		return;
	csv_parse(&r->p, line.p, line.len, cb_field, cb_row, r);
}

/* Describe the first bad-byte event before end in why; drop the others.
 * Returns whether there was one. */
static bool take_bad_bytes(struct csvio_reader *r, unsigned long long end,
			   struct buf *why)
{
	struct encoding_bad ev;
	bool any = false;

	while (encoding_take_bad(r->dec, end, &ev)) {
		if (any)
			continue;
		any = true;
		if (ev.nul)
			buf_addf(why, "NUL byte at byte offset %llu",
				 ev.in_off);
		else if (ev.truncated)
			buf_addf(why,
				 "incomplete %s sequence at the end of the "
				 "file (byte offset %llu)",
				 encoding_name(r->dec), ev.in_off);
		else
			buf_addf(why,
				 "invalid %s byte 0x%02X at byte offset %llu",
				 encoding_name(r->dec), ev.byte, ev.in_off);
	}
	return any;
}

/* The current row's bytes without its line end, as bad_raw. */
static void set_bad_raw(struct csvio_reader *r, size_t len)
{
	while (len &&
	       (r->row_raw.p[len - 1] == '\n' || r->row_raw.p[len - 1] == '\r'))
		len--;
	buf_reset(&r->bad_raw);
	buf_add(&r->bad_raw, r->row_raw.p, len);
}

/* A multi-line row with the wrong field count: reject its first line and
 * put the other lines back in front of the unfed text. */
static void resync(struct csvio_reader *r)
{
	struct strview rest = svn(r->row_raw.p + r->first_line_len,
				  r->row_raw.len - r->first_line_len);
	struct buf text;

	buf_init(&text, BUF_NOLIMIT);
	buf_addsv(&text, rest);
	buf_add(&text, r->text.p + r->text_pos, r->text.len - r->text_pos);
	buf_release(&r->text);
	r->text = text;
	r->text_pos = 0;
	r->text_base = r->row_start + r->first_line_len;
	r->line = r->row_line;
	set_bad_raw(r, r->first_line_len);
	parser_reset(r);
}

enum { ROW_HEADER = 3 }; /* internal: the row was a header */

static void warn_folded(const struct csvio_reader *r)
{
	for (int f = 0; f < CF_COUNT; f++)
		if (r->header.folded & ((uint32_t)1 << f))
			mbr_warn(
				"%s: column '%s' read as '%s' (canonical names "
				"are lower case)",
				r->name,
				record_field(&r->header.names,
					     (size_t)r->header.canon[f])
					.p,
				canon_name(f));
}

static int take_header(struct csvio_reader *r, bool bad, struct mbr_err *err)
{
	struct header h;

	if (bad || r->too_long)
		return mbr_fail(err, MBR_EIO, "%s: header row: %s", r->name,
				r->too_long ? "longer than 64 MB"
					    : r->bad_reason.p);
	if (r->opts.flags & CSVIO_NO_HEADER) {
		header_init(&r->header);
		for (size_t i = 0; i < r->cur.n; i++) {
			char name[32];

			snprintf(name, sizeof(name), "$%zu", i + 1);
			header_add(&r->header, name);
		}
		r->have_header = true;
		return CSVIO_ROW;
	}
	if (!r->have_header) {
		header_set(&r->header, &r->cur);
		r->have_header = true;
		if (!(r->opts.flags & CSVIO_SOURCE))
			warn_folded(r);
		return ROW_HEADER;
	}
	header_init(&h);
	header_set(&h, &r->cur);
	if (!header_equal(&h, &r->header)) {
		header_release(&h);
		return mbr_fail(err, MBR_EIO,
				"%s: header differs from the first file's "
				"(expected the same columns in the same order)",
				r->name);
	}
	header_release(&h);
	return ROW_HEADER;
}

enum quote_shape {
	QUOTES_CLEAN,  /* none, or only around whole fields */
	QUOTES_STRAY,  /* a quote inside an unquoted field: a literal one */
	QUOTES_BROKEN, /* a quoted field that never closes, or whose
			  closing quote is followed by text */
};

#define NEVER_CLOSES ((size_t)-1)

/* Skip the quoted field that starts at p[i] (its opening quote); return the
 * index after its closing quote, or NEVER_CLOSES. */
static size_t skip_quoted(const char *p, size_t i, size_t len)
{
	for (i++; i < len; i++) {
		if (p[i] != '"')
			continue;
		if (i + 1 < len && p[i + 1] == '"')
			i++; /* "" is one quote inside the field */
		else
			return i + 1;
	}
	return NEVER_CLOSES;
}

static bool ends_field(char c, char delim)
{
	return c == delim || c == '\n' || c == '\r';
}

/* How many delim bytes p[from, to) holds. */
static size_t count_delims(const char *p, size_t from, size_t to, char delim)
{
	size_t n = 0;

	for (size_t i = from; i < to; i++)
		n += p[i] == delim;
	return n;
}

/* How the quotes of a row's text sit, as RFC 4180 readers that forgive
 * (Python's csv module, Excel) see them: a quote opens a quoted field only
 * at the start of a field; anywhere else it is a literal character. *col
 * is the 0-based column of the first quote that is not clean: the
 * delimiters before it that are not inside a quoted field, counted only
 * when there is one to report (the text between quotes is skipped with
 * memchr). */
static enum quote_shape quote_shape(struct strview row, char delim, size_t *col)
{
	enum quote_shape shape = QUOTES_CLEAN;
	bool start = true;
	size_t inner = 0; /* delimiters inside the quoted fields skipped */

	for (size_t i = 0; i < row.len;) {
		if (row.p[i] != '"') {
			const char *q = memchr(row.p + i, '"', row.len - i);

			if (!q)
				break;
			i = (size_t)(q - row.p);
			start = ends_field(row.p[i - 1], delim);
		}
		if (start) {
			size_t end = skip_quoted(row.p, i, row.len);

			if (end == NEVER_CLOSES ||
			    (end < row.len && !ends_field(row.p[end], delim))) {
				*col = count_delims(row.p, 0, i, delim) - inner;
				return QUOTES_BROKEN;
			}
			inner += count_delims(row.p, i, end, delim);
			i = end;
			start = false;
			continue;
		}
		if (shape == QUOTES_CLEAN) {
			shape = QUOTES_STRAY;
			*col = count_delims(row.p, 0, i, delim) - inner;
		}
		i++; /* a literal quote: not the start of a field */
	}
	return shape;
}

/* A multi-line row whose quote broke: its lines after the first were
 * swallowed and are read again. */
static void reject_first_line(struct csvio_reader *r, bool open, size_t col)
{
	take_bad_bytes(r, r->row_start + r->first_line_len, &r->bad_reason);
	buf_reset(&r->bad_reason);
	buf_addf(&r->bad_reason,
		 "unclosed quote in field %zu: the row ran over %u lines %s "
		 "(the lines after its first are read again)",
		 col + 1, r->n_lines,
		 open ? "to the end of the file"
		      : "to a quote followed by text");
	r->bad_cols = col;
	resync(r);
}

/* Why a row that was cut where it should be is bad, in bad_reason (left
 * empty when it is good). */
static void judge_row(struct csvio_reader *r, bool bad_bytes, bool open)
{
	size_t want = header_count(&r->header);
	bool fixed = r->have_header && (r->opts.flags & CSVIO_FIXED_COLS);

	r->bad_cols = r->cur.n;
	if (r->too_long) {
		buf_reset(&r->bad_reason);
		buf_adds(&r->bad_reason, "row larger than 64 MB");
		r->bad_cols = 0;
	} else if (!bad_bytes && open) {
		buf_adds(&r->bad_reason,
			 "unclosed quote at the end of the file");
	} else if (!bad_bytes && fixed && r->cur.n != want) {
		buf_addf(&r->bad_reason, "%zu fields, expected %zu", r->cur.n,
			 want);
		if (r->n_lines > 1)
			buf_addf(&r->bad_reason,
				 " (quoted line breaks: the row runs over %u "
				 "lines)",
				 r->n_lines);
		r->bad_cols = r->cur.n < want ? r->cur.n : want;
	}
	if (r->bad_reason.len)
		set_bad_raw(r, r->row_raw.len);
}

/* A good row with a quote where RFC 4180 has none: say so in note. */
static void note_quotes(struct csvio_reader *r, enum quote_shape shape,
			size_t col)
{
	if (shape == QUOTES_CLEAN)
		return;
	r->note_col = col;
	if (shape == QUOTES_STRAY)
		buf_addf(&r->note,
			 "quote inside unquoted field %zu (read as a literal "
			 "quote)",
			 col + 1);
	else
		buf_addf(&r->note,
			 "quote followed by text in quoted field %zu (read as "
			 "a literal quote)",
			 col + 1);
}

static int finish_row(struct csvio_reader *r, struct record *rec,
		      struct mbr_err *err)
{
	unsigned long long end = r->text_base + r->text_pos;
	bool open = r->quote_open && r->file_header;
	enum quote_shape shape = QUOTES_CLEAN;
	size_t col = 0;
	bool bad;

	buf_reset(&r->bad_reason);
	buf_reset(&r->note);
	/* A row split_plain cut has its quotes where RFC 4180 puts them. */
	if (!r->too_long && r->file_header && !r->row_clean &&
	    memchr(r->row_raw.p, '"', r->row_raw.len))
		shape = quote_shape(buf_view(&r->row_raw), r->opts.delim, &col);
	if (!r->too_long && r->n_lines > 1 &&
	    (open || shape == QUOTES_BROKEN)) {
		reject_first_line(r, open, col);
	} else {
		bad = take_bad_bytes(r, end, &r->bad_reason);
		if (!r->file_header) {
			int st = take_header(r, bad, err);

			r->file_header = true;
			if (st != CSVIO_ROW)
				return st;
		}
		judge_row(r, bad, open);
	}
	r->row++;
	if (r->bad_reason.len == 0) {
		note_quotes(r, shape, col);
		record_swap(rec, &r->cur);
		rec->note = r->note.len ? r->note.p : NULL;
		rec->note_col = r->note_col;
		rec->row = r->row;
		rec->line = r->row_line;
		return CSVIO_ROW;
	}
	r->bad_row = r->row;
	r->bad_line = r->row_line;
	record_swap(&r->bad_rec, &r->cur);
	if (r->opts.flags & CSVIO_STRICT)
		return mbr_fail(err, MBR_EIO, "%s:%lu: record %lu: %s", r->name,
				r->row_line, r->row, r->bad_reason.p);
	return CSVIO_BAD;
}

/* End of the current file: flush libcsv's last row, if any. A quote still
 * open there never closes, so its row is bad whatever its field count:
 * with CSV_STRICT_FINI, csv_fini says so and flushes nothing; the second
 * call flushes (or does nothing when the first one did). */
static int finish_file(struct csvio_reader *r, struct record *rec,
		       struct mbr_err *err)
{
	int st = CSVIO_EOF;

	csv_set_opts(&r->p, CSV_STRICT | CSV_STRICT_FINI);
	r->quote_open = csv_fini(&r->p, cb_field, cb_row, r) < 0;
	csv_set_opts(&r->p, 0);
	csv_fini(&r->p, cb_field, cb_row, r);
	if (r->row_done)
		st = finish_row(r, rec, err);
	r->quote_open = false;
	row_begin(r);
	if (st == ROW_HEADER)
		st = CSVIO_EOF;
	if (st == CSVIO_EOF && !r->file_header)
		return mbr_fail(err, MBR_EIO,
				"%s: empty file (expected a header row)",
				r->name);
	return st;
}

enum csvio_status csvio_read(struct csvio_reader *r, struct record *rec,
			     struct mbr_err *err)
{
	struct strview line;
	int st;

	if (r->stash_status != CSVIO_EOF) {
		struct record tmp = *rec;

		*rec = r->stash;
		r->stash = tmp;
		st = r->stash_status;
		r->stash_status = CSVIO_EOF;
		return st;
	}
	for (;;) {
		if (!r->f) {
			if (r->i_path >= (r->n_paths ? r->n_paths : 1))
				return CSVIO_EOF;
			if (open_file(r, err) < 0)
				return CSVIO_ERROR;
		}
		st = next_line(r, &line, err);
		if (st < 0)
			return CSVIO_ERROR;
		if (st == LINE_EOF) {
			st = finish_file(r, rec, err);
			if (st == CSVIO_EOF || st == CSVIO_ERROR) {
				close_file(r);
				r->i_path++;
			}
			if (st == CSVIO_EOF)
				continue;
			return st;
		}
		if (st == LINE_TOO_LONG) {
			if (r->n_lines == 0) {
				r->row_start = r->text_base + r->text_pos;
				r->row_line = r->line;
			}
			r->too_long = true;
			r->row_done = true;
			parser_reset(r);
		} else if (r->n_lines == 0 &&
			   (line.p[0] == '\n' || line.p[0] == '\r')) {
			continue; /* a blank line (only its line end) */
		} else {
			feed(r, line);
		}
		if (!r->row_done)
			continue;
		st = finish_row(r, rec, err);
		row_begin(r);
		if (st != ROW_HEADER || r->header_only)
			return st;
	}
}

struct csvio_reader *csvio_open(const char *const *paths, size_t n,
				const struct csvio_opts *opts,
				struct mbr_err *err)
{
	struct csvio_reader *r = xcalloc(1, sizeof(*r));
	int st;

	r->paths = paths;
	r->n_paths = n;
	r->opts = *opts;
	if (!r->opts.delim)
		r->opts.delim = ',';
	r->chunk = xmalloc(CHUNK);
	buf_init(&r->text, BUF_NOLIMIT);
	buf_init(&r->row_raw, ROW_MAX);
	buf_init(&r->bad_reason, 4096);
	buf_init(&r->bad_raw, ROW_MAX);
	buf_init(&r->note, 4096);
	buf_init(&r->unquote, ROW_MAX);
	record_init(&r->cur);
	record_init(&r->bad_rec);
	header_init(&r->header);
	for (size_t i = 0; i < n; i++) {
		struct stat st_;

		if (strcmp(paths[i], "-") && !stat(paths[i], &st_) &&
		    S_ISREG(st_.st_mode))
			r->total += (unsigned long long)st_.st_size;
	}
	record_init(&r->stash);
	r->stash_status = CSVIO_EOF;
	/* Read up to the header so that csvio_header works at once; without
	 * a header row, the first row names the columns and waits. */
	if (r->opts.flags & CSVIO_NO_HEADER) {
		st = csvio_read(r, &r->stash, err);
		if (st == CSVIO_ERROR)
			goto fail;
		r->stash_status = st;
		return r;
	}
	r->header_only = true;
	st = csvio_read(r, &r->stash, err);
	r->header_only = false;
	if (st == CSVIO_ERROR)
		goto fail;
	return r;
fail:
	csvio_close(r);
	return NULL;
}

void csvio_close(struct csvio_reader *r)
{
	if (!r)
		return;
	close_file(r);
	if (r->parser_live)
		csv_free(&r->p);
	encoding_close(r->dec);
	free(r->chunk);
	buf_release(&r->text);
	buf_release(&r->row_raw);
	buf_release(&r->bad_reason);
	buf_release(&r->bad_raw);
	buf_release(&r->note);
	buf_release(&r->unquote);
	free(r->spans);
	free(r->views);
	free(r->marks);
	record_release(&r->cur);
	record_release(&r->bad_rec);
	record_release(&r->stash);
	header_release(&r->header);
	free(r);
}

const struct header *csvio_header(const struct csvio_reader *r)
{
	return &r->header;
}

const char *csvio_bad_reason(const struct csvio_reader *r)
{
	return r->bad_reason.p;
}

struct strview csvio_bad_raw(const struct csvio_reader *r)
{
	return buf_view(&r->bad_raw);
}

unsigned long csvio_bad_row(const struct csvio_reader *r)
{
	return r->bad_row;
}

unsigned long csvio_bad_line(const struct csvio_reader *r)
{
	return r->bad_line;
}

/* Does v hold U+FFFD, the mark of an undecodable byte? Such a value is
 * not what the source holds, so it cannot name the row. */
static bool has_replacement(struct strview v)
{
	for (const char *p = v.p, *end = v.p + v.len;
	     (p = memchr(p, 0xef, (size_t)(end - p))) != NULL; p++)
		if (end - p >= 3 && !memcmp(p, "\xef\xbf\xbd", 3))
			return true;
	return false;
}

bool csvio_bad_field(const struct csvio_reader *r, size_t col,
		     struct strview *v)
{
	if (col >= r->bad_cols || col >= r->bad_rec.n)
		return false;
	*v = record_field(&r->bad_rec, col);
	return !has_replacement(*v);
}

const char *csvio_row_note(const struct csvio_reader *r, size_t *col)
{
	*col = r->note_col;
	return r->note.p;
}

const char *csvio_name(const struct csvio_reader *r)
{
	return r->name ? r->name : "<stdin>";
}

void csvio_progress(const struct csvio_reader *r, unsigned long long *done,
		    unsigned long long *total)
{
	*done = r->done;
	*total = r->total;
}

/* The writer: fields are appended to one buffer and written in large
 * blocks; a field is quoted only when it holds the separator, a quote or
 * a line end (RFC 4180). */
#define WBUF (256 * 1024)

struct csvio_writer {
	FILE *out; /* borrowed */
	char delim;
	struct buf b; /* owned: pending output */
	bool failed;  /* a write failed; reported at flush */
	int err_no;
};

struct csvio_writer *csvio_writer_new(FILE *out, char delim)
{
	struct csvio_writer *w = xcalloc(1, sizeof(*w));

	w->out = out;
	w->delim = delim ? delim : ',';
	buf_init(&w->b, BUF_NOLIMIT);
	buf_grow(&w->b, WBUF);
	return w;
}

int csvio_quote(struct buf *out, struct strview v, char delim)
{
	size_t i;

	for (i = 0; i < v.len; i++) {
		char c = v.p[i];

		if (c == delim || c == '"' || c == '\n' || c == '\r')
			break;
	}
	if (i == v.len)
		return buf_addsv(out, v);
	if (buf_grow(out, v.len * 2 + 2) < 0)
		return -1;
	out->p[out->len++] = '"';
	for (i = 0; i < v.len; i++) {
		if (v.p[i] == '"')
			out->p[out->len++] = '"';
		out->p[out->len++] = v.p[i];
	}
	out->p[out->len++] = '"';
	out->p[out->len] = '\0';
	return 0;
}

static void spill(struct csvio_writer *w)
{
	if (w->b.len < WBUF)
		return;
	if (!w->failed && fwrite(w->b.p, 1, w->b.len, w->out) != w->b.len) {
		w->failed = true;
		w->err_no = errno;
	}
	buf_reset(&w->b);
}

void csvio_write_fields(struct csvio_writer *w, const struct strview *f,
			size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_addc(&w->b, w->delim);
		csvio_quote(&w->b, f[i], w->delim);
	}
	/* One empty field alone would be a blank line, which readers skip. */
	if (n == 1 && f[0].len == 0)
		buf_adds(&w->b, "\"\"");
	buf_addc(&w->b, '\n');
	spill(w);
}

static bool is_special(char c, char delim)
{
	return c == delim || c == '"' || c == '\n' || c == '\r';
}

/* Is there a zero byte in x? */
static uint64_t has_zero_byte(uint64_t x)
{
	return (x - 0x0101010101010101ULL) & ~x & 0x8080808080808080ULL;
}

/* Does v hold delim, a quote or a line break? Sixteen bytes at a time
 * where SSE2 is (every x86-64), then eight, a block with none of them
 * being the common case. */
static bool needs_quotes(struct strview v, char delim)
{
	const uint64_t ones = 0x0101010101010101ULL;
	const uint64_t d = ones * (unsigned char)delim;
	size_t i = 0;

#ifdef __SSE2__
	const __m128i vd = _mm_set1_epi8(delim), vq = _mm_set1_epi8('"');
	const __m128i vn = _mm_set1_epi8('\n'), vr = _mm_set1_epi8('\r');

	for (; i + 16 <= v.len; i += 16) {
		__m128i w = _mm_loadu_si128(
			(const __m128i *)(const void *)(v.p + i));
		__m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(w, vd),
						      _mm_cmpeq_epi8(w, vq)),
					 _mm_or_si128(_mm_cmpeq_epi8(w, vn),
						      _mm_cmpeq_epi8(w, vr)));

		if (_mm_movemask_epi8(m))
			return true;
	}
#endif

	for (; i + 8 <= v.len; i += 8) {
		uint64_t w;

		memcpy(&w, v.p + i, 8);
		if (!(has_zero_byte(w ^ d) | has_zero_byte(w ^ (ones * '"')) |
		      has_zero_byte(w ^ (ones * '\n')) |
		      has_zero_byte(w ^ (ones * '\r'))))
			continue;
		for (size_t k = 0; k < 8; k++)
			if (is_special(v.p[i + k], delim))
				return true;
	}
	for (; i < v.len; i++)
		if (is_special(v.p[i], delim))
			return true;
	return false;
}

/* The common record: no field needs quotes. Its fields all lie in its
 * data (with NULs and, after record_set, old values between them), so one
 * look at the data clears them all; then they are copied straight into
 * the output. False when the record needs the field by field path. */
static bool write_plain(struct csvio_writer *w, const struct record *rec)
{
	size_t need = rec->n; /* the delimiters and the newline */
	char *o;

	if (rec->n == 0 || (rec->n == 1 && rec->len[0] == 0) ||
	    needs_quotes(buf_view(&rec->data), w->delim))
		return false;
	for (size_t i = 0; i < rec->n; i++)
		need += rec->len[i];
	if (buf_grow(&w->b, need) < 0)
		return false;
	o = w->b.p + w->b.len;
	for (size_t i = 0; i < rec->n; i++) {
		if (i)
			*o++ = w->delim;
		mem_copy(o, rec->data.p + rec->off[i], rec->len[i]);
		o += rec->len[i];
	}
	*o++ = '\n';
	w->b.len = (size_t)(o - w->b.p);
	w->b.p[w->b.len] = '\0';
	return true;
}

void csvio_write(struct csvio_writer *w, const struct record *rec)
{
	if (write_plain(w, rec)) {
		spill(w);
		return;
	}
	for (size_t i = 0; i < rec->n; i++) {
		if (i)
			buf_addc(&w->b, w->delim);
		csvio_quote(&w->b, record_field(rec, i), w->delim);
	}
	if (rec->n == 1 && rec->len[0] == 0)
		buf_adds(&w->b, "\"\"");
	buf_addc(&w->b, '\n');
	spill(w);
}

void csvio_write_header(struct csvio_writer *w, const struct header *h)
{
	csvio_write(w, &h->names);
}

int csvio_writer_flush(struct csvio_writer *w, struct mbr_err *err)
{
	if (!w->failed && w->b.len &&
	    fwrite(w->b.p, 1, w->b.len, w->out) != w->b.len) {
		w->failed = true;
		w->err_no = errno;
	}
	buf_reset(&w->b);
	if (!w->failed && fflush(w->out) != 0) {
		w->failed = true;
		w->err_no = errno;
	}
	if (w->failed)
		return mbr_fail(err, MBR_EIO, "write error: %s",
				strerror(w->err_no));
	return 0;
}

void csvio_writer_free(struct csvio_writer *w)
{
	if (!w)
		return;
	buf_release(&w->b);
	free(w);
}
