/*
 * reconcile: the staging masters against the target's export, by a
 * sort-merge on the master ID (see reconcile.h).
 *
 * Each side's member becomes one "projected" record: its label (the
 * master ID, or the target's own key), then the values of the fields
 * packed (the compared ones, with tier and points for the totals), in
 * canonical order, normalised.
 */
#include "reconcile.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "csvio.h"
#include "extsort.h"
#include "hash.h"
#include "import.h"
#include "mask.h"
#include "normalize.h"
#include "stage.h"

#define MAX_TIERS 32	 /* tiers counted apiece; more go into "other" */
#define TIER_NAME_MAX 24 /* bytes of a tier name kept */

enum { STAGING, TARGET };

struct tier_total {
	char name[TIER_NAME_MAX + 1];
	unsigned long long n;
	long long points;
};

struct totals {
	unsigned long long n;
	long long points;
	struct tier_total tiers[MAX_TIERS + 1]; /* the last one: "other" */
	size_t n_tiers;
	uint64_t sum[CF_COUNT]; /* checksums of the compared fields */
};

struct rc {
	const struct reconcile_opts *o;
	struct stage *st;
	enum canon_field proj[CF_COUNT]; /* the fields packed, in order */
	size_t n_proj;
	bool compared[CF_COUNT];
	struct normalize *norm;	  /* owned */
	struct import_reader *ir; /* owned */
	struct rs_handler inner;  /* the import's handler */
	struct csvio_opts co;	  /* the target's read options */
	struct extsort *sort;	  /* owned: the target's records */
	int master_col;		  /* target's master_id column, or -1 */
	struct buf issues, key, val, m1, m2; /* owned scratch */
	struct buf mkey, tkey, prevt;	     /* owned: current keys */
	struct record mrec, trec, raw;	     /* owned: projected records */
	struct header mh;		     /* owned: the masters' columns */
	struct stage_cursor *cur;	     /* owned: the masters */
	struct totals tot[2];
	struct reconcile_result *res;
	FILE *report;
	struct csvio_writer *dw; /* owned: the difference list, or NULL */
	size_t shown;
};

bool reconcile_differs(const struct reconcile_result *r)
{
	return r->missing || r->extra || r->duplicate || r->changed ||
	       r->unreadable;
}

/*
 * Setting up
 */

static int choose_fields(struct rc *c, struct mbr_err *err)
{
	const struct reconcile_opts *o = c->o;

	for (int f = CF_NAME; f < CF_COUNT; f++) {
		bool has = mapping_has_canon(o->map, (enum canon_field)f);

		if (o->fields & (1u << f) && !has)
			return mbr_fail(err, MBR_ECONFIG,
					"--fields: the mapping '%s' gives '%s' "
					"no value (expected fields its "
					"[fields] fill)",
					mapping_info(o->map)->path,
					canon_name((enum canon_field)f));
		c->compared[f] = o->fields ? (o->fields & (1u << f)) != 0 : has;
	}
	for (int f = CF_NAME; f < CF_COUNT; f++)
		if (c->compared[f] || f == CF_TIER || f == CF_POINTS)
			c->proj[c->n_proj++] = (enum canon_field)f;
	for (size_t i = 0; i < c->n_proj; i++)
		if (c->compared[c->proj[i]])
			return 0;
	return mbr_fail(err, MBR_ECONFIG,
			"the mapping '%s' fills no field to compare (expected "
			"[fields] such as mobile = ...)",
			mapping_info(o->map)->path);
}

static int setup(struct rc *c, struct mbr_err *err)
{
	struct normalize_opts no = NORMALIZE_OPTS_INIT;

	if (choose_fields(c, err) < 0)
		return -1;
	/* Both sides through the same mappers, and nothing filled from
	 * another field: what is compared is what each side holds. */
	no.fields = 0;
	for (size_t i = 0; i < c->n_proj; i++)
		no.fields |= 1u << c->proj[i];
	no.derive = false;
	no.date_order = mapping_info(c->o->map)->date_order;
	c->norm = normalize_new(&no, err);
	if (!c->norm)
		return -1;
	c->ir = import_reader_new(c->o->map, c->o->strict, &c->inner, &c->co);
	c->master_col = header_find(import_reader_header(c->ir), "master_id");
	c->sort = extsort_new(c->o->memory, c->o->tmpdir);
	return 0;
}

/*
 * Totals
 */

static void add_tier(struct totals *t, struct strview tier, long long points)
{
	struct tier_total *x = NULL;

	if (tier.len > TIER_NAME_MAX)
		tier.len = TIER_NAME_MAX;
	for (size_t i = 0; i < t->n_tiers && !x; i++)
		if (sv_eqs(tier, t->tiers[i].name))
			x = &t->tiers[i];
	if (!x && t->n_tiers < MAX_TIERS) {
		x = &t->tiers[t->n_tiers++];
		memcpy(x->name, tier.p, tier.len);
		x->name[tier.len] = '\0';
	}
	if (!x) {
		x = &t->tiers[MAX_TIERS];
		strcpy(x->name, "(other)");
	}
	x->n++;
	x->points += points;
}

/* Count projected record rec (key: its master ID) into t. */
static void count(struct rc *c, struct totals *t, struct strview key,
		  const struct record *rec)
{
	struct strview tier = svn("", 0);
	long long points = 0;

	t->n++;
	for (size_t i = 0; i < c->n_proj; i++) {
		enum canon_field f = c->proj[i];
		struct strview v = record_field(rec, i + 1);

		if (f == CF_POINTS && v.len)
			points = strtoll(v.p, NULL, 10);
		if (f == CF_TIER)
			tier = v;
		if (c->compared[f])
			t->sum[f] += hash_pair(key, v);
	}
	t->points += points;
	add_tier(t, tier, points);
}

/*
 * The target: read, normalised, packed and sorted
 */

static int t_bind(void *ctx, const struct header *in, const char *name,
		  struct mbr_err *err)
{
	struct rc *c = ctx;

	return c->inner.bind(c->inner.ctx, in, name, err);
}

static const struct header *t_out_header(void *ctx)
{
	struct rc *c = ctx;

	return c->inner.out_header(c->inner.ctx);
}

static void t_locate(void *ctx, const struct csvio_reader *r,
		     struct reject_at *at)
{
	struct rc *c = ctx;

	c->inner.locate(c->inner.ctx, r, at);
}

/* The master ID the crosswalk gives (source, key); empty when none. */
static int xref_lookup(struct rc *c, struct strview source, struct strview key,
		       struct mbr_err *err)
{
	const char *binds[2];
	struct stage_cursor *q;
	char *s = sv_dup(source), *k = sv_dup(key);
	int rc;

	binds[0] = s;
	binds[1] = k;
	q = stage_query(c->st,
			"SELECT master_id FROM xref WHERE source = ?1 AND "
			"source_id = ?2",
			binds, 2, err);
	free(s);
	free(k);
	if (!q)
		return -1;
	rc = stage_cursor_next(q, &c->raw, err);
	if (rc > 0)
		buf_addsv(&c->key, record_field(&c->raw, 0));
	stage_cursor_free(q);
	return rc < 0 ? -1 : 0;
}

/* rec's values of the projected fields (header h), after its label. */
static int project(struct rc *c, const struct header *h,
		   const struct record *rec, struct strview label,
		   struct record *out)
{
	record_reset(out);
	if (record_addsv(out, label) < 0)
		return -1;
	for (size_t i = 0; i < c->n_proj; i++)
		if (record_addsv(out, record_canon(rec, h, c->proj[i])) < 0)
			return -1;
	return 0;
}

static int t_record(void *ctx, struct record *rec, enum rs_verdict *v,
		    struct rs_why *why, struct mbr_err *err)
{
	struct rc *c = ctx;
	const struct header *h = import_reader_header(c->ir);
	struct strview id;

	if (c->inner.record(c->inner.ctx, rec, v, why, err) < 0)
		return -1;
	if (*v == RS_REJECT)
		return 0;
	*v = RS_PASS; /* a mapper's _issues entry is no difference */
	buf_reset(&c->issues);
	buf_reset(&c->key);
	/* normalising rewrites rec: views into it are taken after */
	if (normalize_record(c->norm, h, rec, &c->issues) < 0 ||
	    project(c, h, rec, record_field(rec, CF_SOURCE_ID), &c->trec) < 0) {
		*v = RS_REJECT;
		why->reason = "a value is larger than 256 MB";
		return 0;
	}
	id = record_field(rec, CF_SOURCE_ID);
	if (c->o->by_xref) {
		if (xref_lookup(c, record_field(rec, CF_SOURCE), id, err) < 0)
			return -1;
	} else {
		buf_addsv(&c->key,
			  c->master_col >= 0
				  ? record_field(rec, (size_t)c->master_col)
				  : id);
	}
	buf_reset(&c->val);
	extsort_pack_record(&c->trec, &c->val);
	return extsort_add(c->sort, buf_view(&c->key), buf_view(&c->val), err);
}

static int read_target(struct rc *c, struct rs_tally *t, struct mbr_err *err)
{
	struct rs_handler h = {t_bind, t_out_header, t_record, t_locate,
			       c,      true,	     true,     NULL};
	struct rs_sink *k = rs_sink_rejects(NULL, NULL, "mbr-reconcile", true);
	int rc;

	rc = rs_run_files(c->o->files, c->o->n_files, &c->co, &h, k, t, err);
	if (rc == 0)
		rc = rs_finish(k, err);
	rs_sink_free(k);
	c->res->unreadable = t->rejected;
	if (rc == 0)
		rc = extsort_finish(c->sort, err);
	c->res->runs = extsort_n_runs(c->sort);
	return rc;
}

/*
 * The merge
 */

static int next_master(struct rc *c, bool *has, struct mbr_err *err)
{
	int col = header_find(&c->mh, "master_id");
	int rc = stage_cursor_next(c->cur, &c->raw, err);
	struct strview id;

	*has = rc > 0;
	if (rc <= 0)
		return rc;
	id = record_field(&c->raw, (size_t)col);
	if (c->mkey.len && sv_cmp(buf_view(&c->mkey), id) >= 0)
		return mbr_fail(err, MBR_EINTERNAL,
				"masters not in master_id order at '%.*s'",
				(int)id.len, id.p);
	buf_reset(&c->mkey);
	buf_addsv(&c->mkey, id);
	buf_reset(&c->issues);
	if (normalize_record(c->norm, &c->mh, &c->raw, &c->issues) < 0 ||
	    project(c, &c->mh, &c->raw, buf_view(&c->mkey), &c->mrec) < 0)
		return mbr_fail(err, MBR_EIO,
				"master '%s': a value over 256 MB", c->mkey.p);
	count(c, &c->tot[STAGING], buf_view(&c->mkey), &c->mrec);
	return 1;
}

static int next_target(struct rc *c, bool *has, struct mbr_err *err)
{
	struct strview k, v;
	int rc = extsort_next(c->sort, &k, &v, err);

	*has = rc > 0;
	if (rc <= 0)
		return rc;
	buf_reset(&c->tkey);
	buf_addsv(&c->tkey, k);
	if (extsort_unpack_record(v, &c->trec) < 0 ||
	    c->trec.n != c->n_proj + 1)
		return mbr_fail(err, MBR_EINTERNAL, "a sort entry is damaged");
	count(c, &c->tot[TARGET], k, &c->trec);
	return 1;
}

/* The value of field f as a message may show it, in out: masked when it
 * is personal data (a field mask.h masks, or a part of one: name, mobile,
 * phone, email, id_number, address and their parts); as it is for tier,
 * points, status, dates of membership, places no finer than a district. */
static const char *masked(enum canon_field f, struct strview v, struct buf *out)
{
	static const char *const personal[] = {"name",	"mobile",    "phone",
					       "email", "id_number", "address"};
	const char *name = canon_name(f);
	bool hide = mask_parent(name) != NULL;

	for (size_t i = 0; !hide && i < sizeof(personal) / sizeof(*personal);
	     i++)
		hide = !strcmp(name, personal[i]);
	buf_reset(out);
	if (hide)
		mask_value(name, v, out);
	else
		buf_addsv(out, v);
	return out->p;
}

/* One difference: to the list, and to the report while under o->show. */
static void difference(struct rc *c, const char *kind, struct strview id,
		       struct strview tkey, int field, struct strview a,
		       struct strview b)
{
	const char *fname =
		field >= 0 ? canon_name((enum canon_field)field) : "";
	struct strview row[6] = {id, tkey, sv(kind), sv(fname), a, b};

	if (field >= 0) {
		row[4] = sv(masked((enum canon_field)field, a, &c->m1));
		row[5] = sv(masked((enum canon_field)field, b, &c->m2));
	}
	if (c->dw)
		csvio_write_fields(c->dw, row, 6);
	if (c->shown++ >= c->o->show)
		return;
	if (id.len == 0)
		fprintf(c->report,
			"  %-9s (target key %.*s: not in the crosswalk)", kind,
			(int)tkey.len, tkey.p);
	else
		fprintf(c->report, "  %-9s %.*s", kind, (int)id.len, id.p);
	if (id.len && tkey.len && !sv_eq(tkey, id))
		fprintf(c->report, " (target key %.*s)", (int)tkey.len, tkey.p);
	if (field >= 0)
		fprintf(c->report, "  %s: '%s' -> '%s'%s", fname, c->m1.p,
			c->m2.p,
			strcmp(c->m1.p, c->m2.p) ? ""
						 : " (differs under the mask)");
	fputc('\n', c->report);
}

static void compare(struct rc *c)
{
	bool any = false;

	for (size_t i = 0; i < c->n_proj; i++) {
		struct strview a = record_field(&c->mrec, i + 1);
		struct strview b = record_field(&c->trec, i + 1);

		if (!c->compared[c->proj[i]] || sv_eq(a, b))
			continue;
		difference(c, "changed", buf_view(&c->mkey),
			   record_field(&c->trec, 0), (int)c->proj[i], a, b);
		c->res->field_diffs++;
		any = true;
	}
	if (any)
		c->res->changed++;
}

static int merge(struct rc *c, struct mbr_err *err)
{
	bool mh = false, th = false;

	if (next_master(c, &mh, err) < 0 || next_target(c, &th, err) < 0)
		return -1;
	while (mh || th) {
		int d;

		if (th && c->prevt.len &&
		    sv_eq(buf_view(&c->tkey), buf_view(&c->prevt))) {
			c->res->duplicate++;
			difference(c, "duplicate", buf_view(&c->tkey),
				   record_field(&c->trec, 0), -1, svn("", 0),
				   svn("", 0));
			if (next_target(c, &th, err) < 0)
				return -1;
			continue;
		}
		d = !mh	  ? 1
		    : !th ? -1
			  : sv_cmp(buf_view(&c->mkey), buf_view(&c->tkey));
		if (d < 0) {
			c->res->missing++;
			difference(c, "missing", buf_view(&c->mkey), svn("", 0),
				   -1, svn("", 0), svn("", 0));
		} else if (d > 0) {
			c->res->extra++;
			difference(c, "extra", buf_view(&c->tkey),
				   record_field(&c->trec, 0), -1, svn("", 0),
				   svn("", 0));
		} else {
			compare(c);
		}
		if (d >= 0) {
			buf_reset(&c->prevt);
			buf_addsv(&c->prevt, buf_view(&c->tkey));
			if (next_target(c, &th, err) < 0)
				return -1;
		}
		if (d <= 0 && next_master(c, &mh, err) < 0)
			return -1;
	}
	return 0;
}

/*
 * The report
 */

static void total_line(FILE *f, const char *what, long long a, long long b)
{
	fprintf(f, "%-28s %16lld %16lld%s\n", what, a, b,
		a == b ? "" : "  DIFFERS");
}

static const struct tier_total *tier_of(const struct totals *t,
					const char *name)
{
	for (size_t i = 0; i <= MAX_TIERS; i++)
		if (t->tiers[i].n && !strcmp(t->tiers[i].name, name))
			return &t->tiers[i];
	return NULL;
}

static int tier_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Points per tier: the tiers of both sides, in name order. */
static void tier_lines(struct rc *c)
{
	const char *names[2 * (MAX_TIERS + 1)];
	size_t n = 0;

	for (int s = 0; s < 2; s++)
		for (size_t i = 0; i <= MAX_TIERS; i++) {
			const struct tier_total *x = &c->tot[s].tiers[i];

			if (x->n && (s == 0 || !tier_of(&c->tot[0], x->name)))
				names[n++] = x->name;
		}
	xqsort(names, n, sizeof(names[0]), tier_cmp);
	for (size_t i = 0; i < n; i++) {
		const struct tier_total *a = tier_of(&c->tot[0], names[i]);
		const struct tier_total *b = tier_of(&c->tot[1], names[i]);
		char what[64];

		snprintf(what, sizeof(what), "members, tier '%s'", names[i]);
		total_line(c->report, what, a ? (long long)a->n : 0,
			   b ? (long long)b->n : 0);
		if (!c->compared[CF_POINTS])
			continue;
		snprintf(what, sizeof(what), "points, tier '%s'", names[i]);
		total_line(c->report, what, a ? a->points : 0,
			   b ? b->points : 0);
	}
}

static void report_totals(struct rc *c)
{
	FILE *f = c->report;

	fprintf(f, "%-28s %16s %16s\n", "", "staging", "target");
	total_line(f, "members", (long long)c->tot[0].n,
		   (long long)c->tot[1].n);
	if (c->compared[CF_POINTS])
		total_line(f, "points", c->tot[0].points, c->tot[1].points);
	if (c->compared[CF_TIER])
		tier_lines(c);
	for (int fld = 0; fld < CF_COUNT; fld++) {
		char what[64];

		if (!c->compared[fld])
			continue;
		snprintf(what, sizeof(what), "checksum %s",
			 canon_name((enum canon_field)fld));
		fprintf(f, "%-28s %016" PRIx64 " %016" PRIx64 "%s\n", what,
			c->tot[0].sum[fld], c->tot[1].sum[fld],
			c->tot[0].sum[fld] == c->tot[1].sum[fld] ? ""
								 : "  DIFFERS");
	}
}

static void report_result(struct rc *c)
{
	const struct reconcile_result *r = c->res;

	if (!reconcile_differs(r)) {
		fprintf(c->report,
			"reconciled: %llu members, every compared "
			"field equal\n",
			r->n_staging);
		return;
	}
	fprintf(c->report,
		"NOT reconciled: %llu missing in the target, %llu extra, %llu "
		"duplicate, %llu changed (%llu field differences), %llu "
		"unreadable target rows\n",
		r->missing, r->extra, r->duplicate, r->changed, r->field_diffs,
		r->unreadable);
}

static void rc_release(struct rc *c)
{
	stage_cursor_free(c->cur);
	header_release(&c->mh);
	record_release(&c->mrec);
	record_release(&c->trec);
	record_release(&c->raw);
	buf_release(&c->issues);
	buf_release(&c->key);
	buf_release(&c->val);
	buf_release(&c->m1);
	buf_release(&c->m2);
	buf_release(&c->mkey);
	buf_release(&c->tkey);
	buf_release(&c->prevt);
	extsort_free(c->sort);
	import_reader_free(c->ir);
	normalize_free(c->norm);
	csvio_writer_free(c->dw);
}

/* The masters are read once, in order: SQLite's cache need not hold
 * them (the default 256 MiB would fill as the scan goes). */
#define SCAN_CACHE ((size_t)8 << 20)

static int open_masters(struct rc *c, struct mbr_err *err)
{
	if (stage_set_cache(c->st, SCAN_CACHE, err) < 0)
		return -1;
	c->cur = stage_read_masters(c->st, err);
	if (!c->cur || stage_cursor_header(c->cur, &c->mh) < 0)
		return -1;
	if (header_find(&c->mh, "master_id") < 0)
		return mbr_fail(err, MBR_EINTERNAL,
				"masters without master_id");
	return 0;
}

int reconcile_run(struct stage *st, const struct reconcile_opts *o,
		  FILE *report, FILE *diff, struct rs_tally *t,
		  struct reconcile_result *res, struct mbr_err *err)
{
	static const char *const cols[6] = {"master_id",  "target_key",
					    "difference", "field",
					    "staging",	  "target"};
	struct rc c;
	int rc = -1;

	memset(&c, 0, sizeof(c));
	memset(res, 0, sizeof(*res));
	c.o = o;
	c.st = st;
	c.res = res;
	c.report = report;
	header_init(&c.mh);
	record_init(&c.mrec);
	record_init(&c.trec);
	record_init(&c.raw);
	buf_init(&c.issues, RECORD_MAX_BYTES);
	buf_init(&c.key, BUF_NOLIMIT);
	buf_init(&c.val, BUF_NOLIMIT);
	buf_init(&c.m1, BUF_NOLIMIT);
	buf_init(&c.m2, BUF_NOLIMIT);
	buf_init(&c.mkey, BUF_NOLIMIT);
	buf_init(&c.tkey, BUF_NOLIMIT);
	buf_init(&c.prevt, BUF_NOLIMIT);
	if (setup(&c, err) < 0 || read_target(&c, t, err) < 0 ||
	    open_masters(&c, err) < 0)
		goto done;
	if (diff) {
		struct strview h[6];

		c.dw = csvio_writer_new(diff, ',');
		for (int i = 0; i < 6; i++)
			h[i] = sv(cols[i]);
		csvio_write_fields(c.dw, h, 6);
	}
	fprintf(report, "differences:\n");
	if (merge(&c, err) < 0)
		goto done;
	if (c.shown == 0)
		fprintf(report, "  none\n");
	if (c.shown > o->show)
		fprintf(report,
			"  ... %zu more (the difference list has them "
			"all)\n",
			c.shown - o->show);
	res->n_staging = c.tot[STAGING].n;
	res->n_target = c.tot[TARGET].n;
	report_totals(&c);
	report_result(&c);
	rc = c.dw ? csvio_writer_flush(c.dw, err) : 0;
done:
	rc_release(&c);
	return rc;
}
