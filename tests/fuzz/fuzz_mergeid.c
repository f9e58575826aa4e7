/*
 * fuzz_mergeid: master ID assignment (lib/mergeid.h) on an arbitrary
 * earlier crosswalk and arbitrary records, in the least memory and in the
 * default budget.
 *
 * The input is lines. Those before a line "%%" are crosswalk rows
 * (source,source_id,master_id,merged_into, cut at commas), fed with
 * mergeid_add_xref; an ID of one to three digits stands for that
 * sequence number in the default format ("7" is M0000000007, "0" an ID
 * the format never gives), anything else is taken as it is. Without a
 * "%%" line every line is a record. The records are
 * cluster_id,source,source_id,points,name,tier,_issues, cut at commas; a
 * line "=COLUMNS" starts another input with the header COLUMNS
 * (mergeid_bind), "=" one with the first header and name (which the
 * merger takes as the same input); a line "!" makes the reject callback
 * stop at the first repeat.
 *
 * Every input runs twice, with memory 1 (every sort spills, runs of
 * about 1 KiB) and 0 (the default budget, nothing spills; the changes
 * row by row, with mergeid_each_change). The promises:
 *  - the two runs are the same: same error (status and message) at the
 *    same step, same rejects (mergeid_add's and the repeats
 *    mergeid_assign hands back, with every field), same stats (but
 *    sort_runs), same golden records, lineage, crosswalk and changes,
 *    byte for byte;
 *  - a reject callback that stops makes mergeid_assign fail with its
 *    error, at once;
 *  - no record is lost: records fed == taken + rejected;
 *  - points in == points out (the default rules sum points);
 *  - the counts agree with the outputs: issued + kept == masters, one
 *    golden row per master, one crosswalk row per record taken or
 *    carried, one change row of each kind per count;
 *  - the crosswalk and the counts are those of a model that follows
 *    mergeid.h's steps 1 to 4 in memory (homes by most records, then
 *    smallest key; the oldest ID kept; new IDs by smallest key; carried
 *    records and retired IDs follow their master, chains resolved);
 *  - a rerun over the same records and the crosswalk the first run wrote
 *    (read back by mergeid_load_xref, as mbr-merge-id reads it, when the
 *    input is valid UTF-8 without NUL or CR, which csvio reads back as
 *    it wrote; else fed row by row) succeeds and changes nothing: no ID
 *    issued, merged or moved, no record added, every master kept, the
 *    same rejects, golden records, lineage and crosswalk, byte for byte,
 *    and no change rows.
 * The sorts spill to $TMPDIR, or /dev/shm when TMPDIR is not set.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "buf.h"
#include "csvio.h"
#include "mergeid.h"
#include "record.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "fuzz_mergeid: %s:%d: %s\n", __FILE__, \
				__LINE__, #cond);                              \
			abort();                                               \
		}                                                              \
	} while (0)

#define DEFAULT_COLS "cluster_id,source,source_id,points,name,tier,_issues"
#define MAX_LINES 300 /* of each part: keeps a run well under a second */
#define MAX_FIELDS 16

/* The outputs of one run. */
enum { OUT_GOLDEN, OUT_LINEAGE, OUT_XREF, OUT_CHANGES, N_OUTS };

struct run {
	const char *step; /* where it failed, or NULL */
	struct mbr_err err;
	struct mergeid_stats st;
	struct buf rejects; /* each reject, every field */
	size_t fed, n_rejects, n_repeats;
	bool stop; /* the reject callback stops at the first repeat */
	/* What the merger was given, for the model: the crosswalk rows
	 * (4 values each) and the records taken (cluster_id, source,
	 * source_id), copies. */
	struct strview *xr, *rec;
	size_t n_xr, n_rec;
	char *out[N_OUTS];
	size_t len[N_OUTS];
};

static void run_init(struct run *r)
{
	memset(r, 0, sizeof(*r));
	r->err = (struct mbr_err)MBR_ERR_INIT;
	buf_init(&r->rejects, BUF_NOLIMIT);
}

static void keep(struct strview **v, size_t *n, const struct strview *f,
		 size_t k)
{
	*v = xrealloc(*v, (*n + k) * sizeof(**v));
	for (size_t i = 0; i < k; i++)
		(*v)[(*n)++] = svn(sv_dup(f[i]), f[i].len);
}

static void run_release(struct run *r)
{
	for (size_t i = 0; i < r->n_xr; i++)
		free((char *)r->xr[i].p);
	for (size_t i = 0; i < r->n_rec; i++)
		free((char *)r->rec[i].p);
	free(r->xr);
	free(r->rec);
	buf_release(&r->rejects);
	for (int i = 0; i < N_OUTS; i++)
		free(r->out[i]);
}

/* The next line of [*p, end), without its newline; false at the end. */
static bool next_line(const char **p, const char *end, struct strview *line)
{
	const char *nl;

	if (*p >= end)
		return false;
	nl = memchr(*p, '\n', (size_t)(end - *p));
	*line = svn(*p, nl ? (size_t)(nl - *p) : (size_t)(end - *p));
	*p = nl ? nl + 1 : end;
	return true;
}

/* Cut line at commas into at most MAX_FIELDS fields (the last one keeps
 * the rest). */
static size_t cut(struct strview line, struct strview *f)
{
	size_t n = 0;
	const char *p = line.p, *end = line.p + line.len;

	for (;;) {
		const char *c = n + 1 < MAX_FIELDS
					? memchr(p, ',', (size_t)(end - p))
					: NULL;

		f[n++] = svn(p, c ? (size_t)(c - p) : (size_t)(end - p));
		if (!c)
			return n;
		p = c + 1;
	}
}

/* An ID of the input: one to three digits for that sequence number. */
static struct strview master_id(struct strview v, char *tmp, size_t size)
{
	int seq = 0;

	if (v.len == 0 || v.len > 3)
		return v;
	for (size_t i = 0; i < v.len; i++) {
		if (v.p[i] < '0' || v.p[i] > '9')
			return v;
		seq = seq * 10 + (v.p[i] - '0');
	}
	snprintf(tmp, size, MERGEID_DEFAULT_FORMAT, seq);
	return sv(tmp);
}

static bool is_marker(struct strview line)
{
	return line.len == 2 && !memcmp(line.p, "%%", 2);
}

static void fail_at(struct run *r, const char *step)
{
	r->step = step;
	CHECK(r->err.status != MBR_OK);
	CHECK(r->err.msg[0] != '\0');
}

/* The crosswalk part of the input. */
static int feed_xref(struct mergeid *m, struct strview xref, struct run *r)
{
	const char *p = xref.p, *end = xref.p + xref.len;
	struct strview line;
	size_t n = 0;

	while (n < MAX_LINES && next_line(&p, end, &line)) {
		struct strview f[MAX_FIELDS];
		char where[32], a[32], b[32];

		for (size_t i = cut(line, f); i < 4; i++)
			f[i] = svn("", 0);
		snprintf(where, sizeof(where), "x.csv:%zu", ++n);
		f[2] = master_id(f[2], a, sizeof(a));
		f[3] = master_id(f[3], b, sizeof(b));
		if (mergeid_add_xref(m, f[0], f[1], f[2], f[3], where,
				     &r->err) < 0) {
			fail_at(r, "xref");
			return -1;
		}
		keep(&r->xr, &r->n_xr, f, 4);
	}
	return 0;
}

/*
 * A small CSV reader for the outputs (RFC 4180, as csvio writes them).
 */

/* The next row of [*p, end) into rec; false at the end. */
static bool csv_row(const char **p, const char *end, struct record *rec,
		    struct buf *field)
{
	const char *q = *p;

	if (q >= end)
		return false;
	record_reset(rec);
	for (;;) {
		buf_reset(field);
		if (q < end && *q == '"') {
			for (q++; q < end; q++) {
				if (*q == '"' && q + 1 < end && q[1] == '"')
					buf_addc(field, *q++);
				else if (*q == '"')
					break;
				else
					buf_addc(field, *q);
			}
			CHECK(q < end); /* the closing quote */
			q++;
		}
		while (q < end && *q != ',' && *q != '\n')
			buf_addc(field, *q++);
		CHECK(record_addsv(rec, buf_view(field)) == 0);
		CHECK(q < end); /* every row ends with a newline */
		if (*q++ == '\n')
			break;
	}
	*p = q;
	return true;
}

/* The crosswalk a run wrote, read back as mbr-merge-id reads it
 * (mergeid_load_xref), from a memory file. */
static int load_written_xref(struct mergeid *m, const char *text, size_t len,
			     struct run *r)
{
	static char path[64];
	static int fd = -1;

	if (fd < 0) {
		fd = memfd_create("fuzz_mergeid", 0);
		CHECK(fd >= 0);
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	CHECK(ftruncate(fd, 0) == 0);
	CHECK(pwrite(fd, text, len, 0) == (ssize_t)len);
	if (mergeid_load_xref(m, path, &r->err) < 0) {
		fail_at(r, "load xref");
		return -1;
	}
	return 0;
}

/* The crosswalk a run wrote, as the earlier crosswalk of another. */
static int feed_written_xref(struct mergeid *m, const char *text, size_t len,
			     struct run *r)
{
	const char *p = text, *end = text + len;
	struct record rec;
	struct buf field;
	size_t n = 0;
	int rc = 0;

	record_init(&rec);
	buf_init(&field, BUF_NOLIMIT);
	CHECK(csv_row(&p, end, &rec, &field)); /* the header */
	while (rc == 0 && csv_row(&p, end, &rec, &field)) {
		char where[32];

		CHECK(rec.n == 4);
		snprintf(where, sizeof(where), "xref.csv:%zu", ++n + 1);
		rc = mergeid_add_xref(m, record_field(&rec, 0),
				      record_field(&rec, 1),
				      record_field(&rec, 2),
				      record_field(&rec, 3), where, &r->err);
	}
	if (rc < 0)
		fail_at(r, "written xref");
	record_release(&rec);
	buf_release(&field);
	return rc;
}

static void note_fields(struct buf *b, const struct record *rec)
{
	for (size_t i = 0; i < rec->n; i++) {
		struct strview f = record_field(rec, i);

		buf_addf(b, ":%zu:", f.len);
		buf_addsv(b, f);
	}
	buf_addc(b, '\n');
}

static int note_repeat(void *ctx, const struct mergeid_reject *rj,
		       struct mbr_err *err)
{
	struct run *r = ctx;

	CHECK(rj->h && rj->name && rj->rec && rj->field && rj->reason);
	buf_addf(&r->rejects, "repeat %s %lu %lu %s %s %zu", rj->name,
		 rj->rec->row, rj->rec->line, rj->field, rj->reason,
		 header_count(rj->h));
	note_fields(&r->rejects, rj->rec);
	r->n_rejects++;
	r->n_repeats++;
	if (r->stop)
		return mbr_fail(err, MBR_EIO, "fuzz: stopped");
	return 0;
}

static void header_from(struct header *h, struct strview cols)
{
	struct strview f[MAX_FIELDS];
	size_t n = cut(cols, f);

	header_release(h);
	header_init(h);
	for (size_t i = 0; i < n; i++) {
		char *s = sv_dup(f[i]);

		header_add(h, s);
		free(s);
	}
}

/* The records part of the input. */
static int feed_records(struct mergeid *m, struct strview recs, struct run *r)
{
	const char *p = recs.p, *end = recs.p + recs.len;
	struct strview line;
	struct header h;
	struct record rec;
	size_t n = 0, inputs = 0;
	unsigned long row = 0;
	char name[32] = "";
	int rc = 0;

	header_init(&h);
	record_init(&rec);
	while (rc == 0 && n < MAX_LINES && next_line(&p, end, &line)) {
		struct strview f[MAX_FIELDS];
		const char *field = NULL, *reason = NULL;
		size_t nf;

		n++;
		if (line.len == 1 && line.p[0] == '!') {
			r->stop = true;
			continue;
		}
		if (line.len == 1 && line.p[0] == '=') {
			/* the same as the first: bound once */
			header_from(&h, sv(DEFAULT_COLS));
			snprintf(name, sizeof(name), "in");
			inputs++;
			row = 0;
			if ((rc = mergeid_bind(m, &h, name, &r->err)) < 0)
				fail_at(r, "bind");
			continue;
		}
		if (line.len && line.p[0] == '=') {
			header_from(&h, svn(line.p + 1, line.len - 1));
			snprintf(name, sizeof(name), "in%zu", ++inputs);
			row = 0;
			if ((rc = mergeid_bind(m, &h, name, &r->err)) < 0)
				fail_at(r, "bind");
			continue;
		}
		if (!inputs) {
			header_from(&h, sv(DEFAULT_COLS));
			snprintf(name, sizeof(name), "in");
			inputs++;
			CHECK(mergeid_bind(m, &h, name, &r->err) == 0);
		}
		nf = cut(line, f);
		record_reset(&rec);
		CHECK(record_add_views(&rec, f, nf) == 0);
		rec.row = ++row;
		rec.line = n;
		r->fed++;
		if (mergeid_add(m, &rec, &field, &reason) == 0) {
			struct strview k[3] = {
				record_field(&rec, (size_t)header_find(
							   &h, "cluster_id")),
				record_canon(&rec, &h, CF_SOURCE),
				record_canon(&rec, &h, CF_SOURCE_ID),
			};

			keep(&r->rec, &r->n_rec, k, 3);
			continue;
		}
		CHECK(field && reason);
		buf_addf(&r->rejects, "add %s %lu %s %s", name, rec.row, field,
			 reason);
		note_fields(&r->rejects, &rec);
		r->n_rejects++;
	}
	record_release(&rec);
	header_release(&h);
	return rc;
}

static int emit_row(void *ctx, const struct strview *f, size_t n,
		    struct mbr_err *err)
{
	(void)err;
	csvio_write_fields(ctx, f, n);
	return 0;
}

/* The changes as mbr-merge-id --dry-run gets them: row by row. */
static int each_change(struct mergeid *m, FILE *f, struct mbr_err *err)
{
	struct csvio_writer *w = csvio_writer_new(f, ',');
	int rc = mergeid_each_change(m, emit_row, w, err);

	if (rc == 0)
		rc = csvio_writer_flush(w, err);
	csvio_writer_free(w);
	return rc;
}

/* Every output into memory; the changes row by row when each. */
static void capture_outputs(struct mergeid *m, struct run *r, bool each)
{
	FILE *f[N_OUTS];
	struct mergeid_out o[N_OUTS];
	static const char *const names[N_OUTS] = {"golden", "lineage", "xref",
						  "changes"};

	for (int i = 0; i < N_OUTS; i++) {
		f[i] = open_memstream(&r->out[i], &r->len[i]);
		CHECK(f[i] != NULL);
		o[i] = (struct mergeid_out){f[i], names[i]};
	}
	CHECK(mergeid_write_golden(m, &o[OUT_GOLDEN], &o[OUT_LINEAGE],
				   &r->err) == 0);
	CHECK(mergeid_write_xref(m, &o[OUT_XREF], &r->err) == 0);
	if (each)
		CHECK(each_change(m, f[OUT_CHANGES], &r->err) == 0);
	else
		CHECK(mergeid_write_changes(m, &o[OUT_CHANGES], &r->err) == 0);
	for (int i = 0; i < N_OUTS; i++)
		CHECK(fclose(f[i]) == 0);
}

/* Where the sorts spill: $TMPDIR when set, else /dev/shm when there is
 * one (twice the runs per second of a disk), else /tmp. */
static const char *spill_dir(void)
{
	static const char *dir;
	static bool chosen;

	if (!chosen) {
		chosen = true;
		if (!getenv("TMPDIR") && access("/dev/shm", W_OK | X_OK) == 0)
			dir = "/dev/shm";
	}
	return dir;
}

/* How a run gets its earlier crosswalk. */
enum xref_from {
	XREF_INPUT,   /* the input's crosswalk part */
	XREF_WRITTEN, /* the one a run wrote, read here */
	XREF_FILE,    /* the same, read by mergeid_load_xref */
};

/* One run over the input's records, with its crosswalk part, or
 * written's crosswalk. */
static void run(enum xref_from from, struct strview xref,
		const struct run *written, struct strview recs, size_t memory,
		struct run *r)
{
	struct mergeid_opts o = {NULL, NULL, memory, spill_dir(), true,
				 NULL, NULL};
	struct mergeid *m = mergeid_new(&o, &r->err);

	CHECK(m != NULL);
	if (from == XREF_INPUT && feed_xref(m, xref, r) < 0)
		goto done;
	if (from == XREF_WRITTEN &&
	    feed_written_xref(m, written->out[OUT_XREF], written->len[OUT_XREF],
			      r) < 0)
		goto done;
	if (from == XREF_FILE &&
	    load_written_xref(m, written->out[OUT_XREF], written->len[OUT_XREF],
			      r) < 0)
		goto done;
	if (feed_records(m, recs, r) < 0)
		goto done;
	if (mergeid_assign(m, note_repeat, r, &r->err) < 0) {
		fail_at(r, "assign");
		goto done;
	}
	r->st = *mergeid_stats(m);
	capture_outputs(m, r, memory == 0);
done:
	mergeid_free(m);
}

static bool same_bytes(const char *a, size_t la, const char *b, size_t lb)
{
	return la == lb && (la == 0 || !memcmp(a, b, la));
}

static void same_stats(const struct mergeid_stats *a,
		       const struct mergeid_stats *b)
{
	CHECK(a->records == b->records);
	CHECK(a->masters == b->masters);
	CHECK(a->kept == b->kept);
	CHECK(a->issued == b->issued);
	CHECK(a->merged == b->merged);
	CHECK(a->moved == b->moved);
	CHECK(a->added == b->added);
	CHECK(a->carried == b->carried);
	CHECK(a->retired == b->retired);
	CHECK(a->back == b->back);
	CHECK(a->points_in == b->points_in);
	CHECK(a->points_out == b->points_out);
}

static void same_run(const struct run *a, const struct run *b)
{
	CHECK((a->step == NULL) == (b->step == NULL));
	CHECK(!a->step || !strcmp(a->step, b->step));
	CHECK(a->err.status == b->err.status);
	CHECK(!strcmp(a->err.msg, b->err.msg));
	CHECK(a->fed == b->fed);
	CHECK(a->n_rejects == b->n_rejects);
	CHECK(same_bytes(a->rejects.p, a->rejects.len, b->rejects.p,
			 b->rejects.len));
	if (a->step)
		return;
	same_stats(&a->st, &b->st);
	for (int i = 0; i < N_OUTS; i++)
		CHECK(same_bytes(a->out[i], a->len[i], b->out[i], b->len[i]));
}

/* Rows of a written CSV (header included), and of the crosswalk the
 * record rows (empty merged_into), and of the changes those of kind. */
static size_t count_rows(const char *text, size_t len, int col,
			 const char *value)
{
	const char *p = text, *end = text + len;
	struct record rec;
	struct buf field;
	size_t n = 0;

	record_init(&rec);
	buf_init(&field, BUF_NOLIMIT);
	while (csv_row(&p, end, &rec, &field))
		if (col < 0 || sv_eqs(record_field(&rec, (size_t)col), value))
			n++;
	record_release(&rec);
	buf_release(&field);
	return n;
}

static void check_counts(const struct run *r)
{
	const struct mergeid_stats *s = &r->st;
	const char *ch = r->out[OUT_CHANGES];
	size_t chl = r->len[OUT_CHANGES];

	CHECK(r->fed == s->records + r->n_rejects);
	CHECK(s->points_in == s->points_out);
	CHECK(s->issued + s->kept == s->masters);
	CHECK(count_rows(r->out[OUT_GOLDEN], r->len[OUT_GOLDEN], -1, NULL) ==
	      s->masters + 1);
	/* the header row too has a non-empty merged_into */
	CHECK(count_rows(r->out[OUT_XREF], r->len[OUT_XREF], 3, "") ==
	      s->records + s->carried);
	CHECK(count_rows(ch, chl, 0, "new") == s->issued);
	CHECK(count_rows(ch, chl, 0, "merged") == s->merged);
	CHECK(count_rows(ch, chl, 0, "moved") == s->moved);
	CHECK(count_rows(ch, chl, 0, "added") == s->added);
	CHECK(count_rows(ch, chl, -1, NULL) ==
	      1 + s->issued + s->merged + s->moved + s->added);
}

/* The rerun over the crosswalk the first run wrote. */
static void check_rerun(const struct run *a, const struct run *c)
{
	CHECK(c->step == NULL);
	CHECK(c->fed == a->fed);
	CHECK(c->n_rejects == a->n_rejects);
	CHECK(same_bytes(a->rejects.p, a->rejects.len, c->rejects.p,
			 c->rejects.len));
	CHECK(c->st.issued == 0);
	CHECK(c->st.merged == 0);
	CHECK(c->st.moved == 0);
	CHECK(c->st.added == 0);
	CHECK(c->st.records == a->st.records);
	CHECK(c->st.masters == a->st.masters);
	CHECK(c->st.kept == a->st.masters);
	CHECK(c->st.carried == a->st.carried);
	CHECK(c->st.points_in == a->st.points_in);
	CHECK(c->st.points_out == a->st.points_out);
	for (int i = OUT_GOLDEN; i <= OUT_XREF; i++)
		CHECK(same_bytes(a->out[i], a->len[i], c->out[i], c->len[i]));
	CHECK(count_rows(c->out[OUT_CHANGES], c->len[OUT_CHANGES], -1, NULL) ==
	      1);
}

/*
 * A model of the assignment (mergeid.h's steps, in memory, quadratic:
 * inputs are small), to check the crosswalk and counts against.
 */

struct model {
	const struct run *r;
	uint64_t (*ret)[2]; /* retired seq, into */
	size_t n_ret;
	size_t *first; /* each key's first record taken (index into rec) */
	size_t n;
	size_t *cl;	       /* per first record: its cluster */
	uint64_t *old;	       /* per first record: its live old master */
	size_t n_cl, *cl_min;  /* per cluster: its smallest record */
	uint64_t *master;      /* per cluster */
	uint64_t *olds, *home; /* each old master and its cluster */
	uint64_t *into;	       /* each old master: the one kept, or itself */
	size_t n_olds;
};

#define REC(md, i, f) ((md)->r->rec[3 * (i) + (f)]) /* f: 0 cluster */

static uint64_t id_seq(struct strview id)
{
	uint64_t n = 0;

	CHECK(id.len > 1 && id.p[0] == 'M');
	for (size_t i = 1; i < id.len; i++)
		n = n * 10 + (uint64_t)(id.p[i] - '0');
	return n;
}

static int key_cmp(struct strview s1, struct strview i1, struct strview s2,
		   struct strview i2)
{
	int c = sv_cmp(s1, s2);

	return c ? c : sv_cmp(i1, i2);
}

static int rec_cmp(const struct model *md, size_t a, size_t b)
{
	return key_cmp(REC(md, a, 1), REC(md, a, 2), REC(md, b, 1),
		       REC(md, b, 2));
}

static uint64_t live(const struct model *md, uint64_t seq)
{
	for (size_t steps = 0; steps <= md->n_ret; steps++) {
		size_t i = 0;

		while (i < md->n_ret && md->ret[i][0] != seq)
			i++;
		if (i == md->n_ret)
			return seq;
		seq = md->ret[i][1];
	}
	CHECK(!"retired IDs in a circle, yet the run succeeded");
	return 0;
}

/* The old master's keeper this run (itself when not merged). */
static uint64_t kept_as(const struct model *md, uint64_t old)
{
	for (size_t i = 0; i < md->n_olds; i++)
		if (md->olds[i] == old)
			return md->into[i];
	return old;
}

/* The crosswalk record row of key (source, source_id), or SIZE_MAX. */
static size_t xref_row(const struct model *md, struct strview s,
		       struct strview id)
{
	for (size_t i = 0; i < md->r->n_xr / 4; i++)
		if ((md->r->xr[4 * i].len || md->r->xr[4 * i + 1].len) &&
		    !key_cmp(md->r->xr[4 * i], md->r->xr[4 * i + 1], s, id))
			return i;
	return SIZE_MAX;
}

struct xrow {
	struct strview f[4];
	char id[2][32];
};

static int xrow_cmp(const void *a, const void *b)
{
	const struct xrow *x = a, *y = b;
	bool rx = !x->f[0].len && !x->f[1].len,
	     ry = !y->f[0].len && !y->f[1].len;

	if (rx != ry)
		return rx - ry; /* records first, then retired IDs */
	if (rx)
		return sv_cmp(x->f[2], y->f[2]);
	return key_cmp(x->f[0], x->f[1], y->f[0], y->f[1]);
}

static void xrow_set(struct xrow *x, struct strview s, struct strview id,
		     uint64_t master, uint64_t into)
{
	x->f[0] = s;
	x->f[1] = id;
	snprintf(x->id[0], sizeof(x->id[0]), "M%010llu",
		 (unsigned long long)master);
	x->f[2] = sv(x->id[0]);
	x->id[1][0] = '\0';
	if (into)
		snprintf(x->id[1], sizeof(x->id[1]), "M%010llu",
			 (unsigned long long)into);
	x->f[3] = sv(x->id[1]);
}

static void model_input(struct model *md, uint64_t *max_seq)
{
	const struct run *r = md->r;

	for (size_t i = 0; i < r->n_xr; i += 4) {
		uint64_t a = id_seq(r->xr[i + 2]);

		*max_seq = a > *max_seq ? a : *max_seq;
		if (r->xr[i].len || r->xr[i + 1].len)
			continue;
		md->ret = xrealloc(md->ret, (md->n_ret + 1) * sizeof(*md->ret));
		md->ret[md->n_ret][0] = a;
		md->ret[md->n_ret][1] = id_seq(r->xr[i + 3]);
		if (md->ret[md->n_ret][1] > *max_seq)
			*max_seq = md->ret[md->n_ret][1];
		md->n_ret++;
	}
	/* each key's first record; clusters */
	md->first = xcalloc(r->n_rec / 3 + 1, sizeof(*md->first));
	md->cl = xcalloc(r->n_rec / 3 + 1, sizeof(*md->cl));
	md->old = xcalloc(r->n_rec / 3 + 1, sizeof(*md->old));
	md->cl_min = xcalloc(r->n_rec / 3 + 1, sizeof(*md->cl_min));
	for (size_t i = 0; i < r->n_rec / 3; i++) {
		size_t j = 0, c = 0, x;

		while (j < md->n && rec_cmp(md, md->first[j], i))
			j++;
		if (j < md->n)
			continue; /* a repeat */
		while (c < md->n_cl &&
		       !sv_eq(REC(md, md->first[md->cl_min[c]], 0),
			      REC(md, i, 0)))
			c++;
		if (c == md->n_cl)
			md->cl_min[md->n_cl++] = md->n;
		else if (rec_cmp(md, i, md->first[md->cl_min[c]]) < 0)
			md->cl_min[c] = md->n;
		x = xref_row(md, REC(md, i, 1), REC(md, i, 2));
		md->old[md->n] =
			x == SIZE_MAX ? 0 : live(md, id_seq(r->xr[4 * x + 2]));
		md->cl[md->n] = c;
		md->first[md->n++] = i;
	}
}

/* Step 1: each old master's home. */
static void model_homes(struct model *md)
{
	md->olds = xcalloc(md->n + 1, sizeof(*md->olds));
	md->home = xcalloc(md->n + 1, sizeof(*md->home));
	md->into = xcalloc(md->n + 1, sizeof(*md->into));
	for (size_t i = 0; i < md->n; i++) {
		uint64_t o = md->old[i];
		size_t k = 0, best = SIZE_MAX, best_n = 0, best_min = 0;

		while (k < md->n_olds && md->olds[k] != o)
			k++;
		if (!o || k < md->n_olds)
			continue;
		for (size_t c = 0; c < md->n_cl; c++) {
			size_t n = 0, mn = SIZE_MAX;

			for (size_t j = 0; j < md->n; j++) {
				if (md->old[j] != o || md->cl[j] != c)
					continue;
				n++;
				if (mn == SIZE_MAX ||
				    rec_cmp(md, md->first[j], md->first[mn]) <
					    0)
					mn = j;
			}
			if (n && (best == SIZE_MAX || n > best_n ||
				  (n == best_n &&
				   rec_cmp(md, md->first[mn],
					   md->first[best_min]) < 0))) {
				best = c;
				best_n = n;
				best_min = mn;
			}
		}
		md->olds[md->n_olds] = o;
		md->home[md->n_olds++] = best;
	}
}

/* Steps 2 to 4, then the crosswalk and the counts against the run's. */
static void check_model(const struct run *r)
{
	struct model md = {.r = r};
	struct mergeid_stats st;
	uint64_t max_seq = 0;
	struct xrow *rows;
	size_t n_rows = 0, *order, n_new = 0;
	const char *p = r->out[OUT_XREF], *end = p + r->len[OUT_XREF];
	struct record rec;
	struct buf field;

	memset(&st, 0, sizeof(st));
	model_input(&md, &max_seq);
	model_homes(&md);
	md.master = xcalloc(md.n_cl + 1, sizeof(*md.master));
	for (size_t k = 0; k < md.n_olds; k++) {
		uint64_t *m = &md.master[md.home[k]];

		*m = !*m || md.olds[k] < *m ? md.olds[k] : *m;
	}
	for (size_t k = 0; k < md.n_olds; k++) {
		md.into[k] = md.master[md.home[k]];
		st.merged += md.into[k] != md.olds[k];
	}
	/* new IDs in order of the clusters' smallest keys */
	order = xcalloc(md.n_cl + 1, sizeof(*order));
	for (size_t c = 0; c < md.n_cl; c++) {
		size_t j = n_new;

		if (md.master[c]) {
			st.kept++;
			continue;
		}
		while (j > 0 &&
		       rec_cmp(&md, md.first[md.cl_min[c]],
			       md.first[md.cl_min[order[j - 1]]]) < 0) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = c;
		n_new++;
	}
	for (size_t j = 0; j < n_new; j++)
		md.master[order[j]] = ++max_seq;
	st.issued = n_new;
	/* the crosswalk */
	rows = xcalloc(md.n + r->n_xr / 4 + md.n_olds + 1, sizeof(*rows));
	for (size_t i = 0; i < md.n; i++) {
		uint64_t o = md.old[i];

		xrow_set(&rows[n_rows++], REC(&md, md.first[i], 1),
			 REC(&md, md.first[i], 2), md.master[md.cl[i]], 0);
		st.added += !o;
		st.moved += o && md.master[md.cl[i]] != kept_as(&md, o);
	}
	for (size_t i = 0; i < r->n_xr; i += 4) {
		const struct strview *f = &r->xr[i];
		size_t j = 0;

		if (!f[0].len && !f[1].len)
			continue;
		while (j < md.n && key_cmp(f[0], f[1], REC(&md, md.first[j], 1),
					   REC(&md, md.first[j], 2)))
			j++;
		if (j < md.n)
			continue;
		st.carried++;
		xrow_set(&rows[n_rows++], f[0], f[1],
			 kept_as(&md, live(&md, id_seq(f[2]))), 0);
	}
	for (size_t i = 0; i < md.n_ret; i++) {
		size_t j = 0;

		while (j < i && md.ret[j][0] != md.ret[i][0])
			j++;
		if (j == i) /* a row given twice is one ID */
			xrow_set(&rows[n_rows++], svn("", 0), svn("", 0),
				 md.ret[i][0],
				 kept_as(&md, live(&md, md.ret[i][0])));
	}
	for (size_t k = 0; k < md.n_olds; k++)
		if (md.into[k] != md.olds[k])
			xrow_set(&rows[n_rows++], svn("", 0), svn("", 0),
				 md.olds[k], md.into[k]);
	for (size_t i = 0; i < n_rows; i++) { /* views into the row itself */
		rows[i].f[2] = sv(rows[i].id[0]);
		rows[i].f[3] = sv(rows[i].id[1]);
	}
	qsort(rows, n_rows, sizeof(*rows), xrow_cmp);
	for (size_t i = 0; i < n_rows; i++) {
		rows[i].f[2] = sv(rows[i].id[0]);
		rows[i].f[3] = sv(rows[i].id[1]);
	}
	/* against the run */
	CHECK(r->st.records == md.n);
	CHECK(r->n_repeats == r->n_rec / 3 - md.n);
	CHECK(r->st.masters == md.n_cl);
	CHECK(r->st.issued == st.issued);
	CHECK(r->st.kept == st.kept);
	CHECK(r->st.merged == st.merged);
	CHECK(r->st.moved == st.moved);
	CHECK(r->st.added == st.added);
	CHECK(r->st.carried == st.carried);
	record_init(&rec);
	buf_init(&field, BUF_NOLIMIT);
	CHECK(csv_row(&p, end, &rec, &field)); /* the header */
	for (size_t i = 0; i < n_rows; i++) {
		CHECK(csv_row(&p, end, &rec, &field));
		for (size_t f = 0; f < 4; f++)
			CHECK(sv_eq(record_field(&rec, f), rows[i].f[f]));
	}
	CHECK(p == end);
	record_release(&rec);
	buf_release(&field);
	free(rows);
	free(order);
	free(md.ret);
	free(md.first);
	free(md.cl);
	free(md.old);
	free(md.cl_min);
	free(md.master);
	free(md.olds);
	free(md.home);
	free(md.into);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	struct strview xref = svn("", 0), recs = svn(p, size), line;
	struct run a, b, c;
	bool clean;

	while (next_line(&p, end, &line)) {
		if (is_marker(line)) {
			xref = svn((const char *)data,
				   (size_t)(line.p - (const char *)data));
			recs = svn(p, (size_t)(end - p));
			break;
		}
	}
	run_init(&a);
	run_init(&b);
	run(XREF_INPUT, xref, NULL, recs, 1, &a);
	run(XREF_INPUT, xref, NULL, recs, 0, &b);
	same_run(&a, &b);
	if (a.stop && a.n_repeats) {
		CHECK(a.n_repeats == 1);
		CHECK(a.step && !strcmp(a.step, "assign"));
		CHECK(!strcmp(a.err.msg, "fuzz: stopped"));
	}
	if (!a.step) {
		check_counts(&a);
		check_model(&a);
		run_init(&c);
		/* csvio reads back what it wrote when it is valid UTF-8
		 * without NUL or CR (fuzz_csvio), as records read by it are */
		clean = utf8_is_valid(svn((const char *)data, size)) &&
			!memchr(data, '\0', size) && !memchr(data, '\r', size);
		run(clean ? XREF_FILE : XREF_WRITTEN, xref, &a, recs, 1, &c);
		check_rerun(&a, &c);
		run_release(&c);
	}
	run_release(&a);
	run_release(&b);
	return 0;
}
