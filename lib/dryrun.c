/*
 * dryrun: counts and the change list of a run that commits nothing.
 */
#include "dryrun.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "csvio.h"

enum kind { K_REJECT, K_FLAG, K_UPDATE };

static const char *const kind_names[] = {"rejected", "flagged", "changed"};

struct reason {
	enum kind kind;
	char *key; /* owned: "mobile: too short" */
	unsigned long long n;
};

/* A master's changes, for the largest ones. */
struct master_change {
	char id[64];
	bool is_new;
	unsigned long long merged, moved, added;
};

struct dryrun {
	struct csvio_writer *w; /* owned, on the list file, or NULL */
	struct reason reasons[DRYRUN_MAX_REASONS];
	size_t n_reasons;
	unsigned long long other[3]; /* past DRYRUN_MAX_REASONS, per kind */
	unsigned long long updated;  /* records with a field changed */
	unsigned long long field_changes[CF_COUNT];
	struct record before; /* the record before the handler */
	bool have_before;
	struct buf key; /* scratch */
	/* mbr-merge-id */
	bool masters;
	unsigned long long issued, merged, moved;
	struct master_change cur; /* the master whose rows are coming */
	struct master_change largest[DRYRUN_LARGEST];
	size_t n_largest;
	/* tables */
	struct stage_count before_t[DRYRUN_MAX_TABLES];
	struct stage_count after_t[DRYRUN_MAX_TABLES];
	size_t n_before_t, n_after_t;
};

static const char *const list_cols[] = {"change",    "source", "source_id",
					"master_id", "field",  "detail"};

struct dryrun *dryrun_new(FILE *list)
{
	struct dryrun *d = xcalloc(1, sizeof(*d));
	struct strview h[6];

	record_init(&d->before);
	buf_init(&d->key, 4096);
	if (list) {
		d->w = csvio_writer_new(list, ',');
		for (int i = 0; i < 6; i++)
			h[i] = sv(list_cols[i]);
		csvio_write_fields(d->w, h, 6);
	}
	return d;
}

void dryrun_free(struct dryrun *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n_reasons; i++)
		free(d->reasons[i].key);
	csvio_writer_free(d->w);
	record_release(&d->before);
	buf_release(&d->key);
	free(d);
}

static void list_row(struct dryrun *d, struct strview change,
		     struct strview source, struct strview source_id,
		     struct strview master_id, struct strview field,
		     struct strview detail)
{
	struct strview f[6] = {change,	  source, source_id,
			       master_id, field,  detail};

	if (d->w)
		csvio_write_fields(d->w, f, 6);
}

/* Count one reason: "field: reason" (either may be empty). */
static void count(struct dryrun *d, enum kind k, struct strview field,
		  struct strview reason)
{
	struct buf *key = &d->key;

	buf_reset(key);
	buf_add(key, field.p, field.len);
	if (field.len && reason.len)
		buf_adds(key, ": ");
	buf_add(key, reason.p, reason.len);
	for (size_t i = 0; i < d->n_reasons; i++)
		if (d->reasons[i].kind == k &&
		    !strcmp(d->reasons[i].key, key->p)) {
			d->reasons[i].n++;
			return;
		}
	if (d->n_reasons == DRYRUN_MAX_REASONS) {
		d->other[k]++;
		return;
	}
	d->reasons[d->n_reasons++] = (struct reason){k, xstrdup(key->p), 1};
}

void dryrun_before(struct dryrun *d, const struct record *rec)
{
	d->have_before = record_copy(&d->before, rec) == 0;
}

/* Is entry (of a ';' list) one of list's? */
static bool in_list(struct strview list, struct strview entry)
{
	while (list.len) {
		size_t n = 0;

		while (n < list.len && list.p[n] != ';')
			n++;
		if (sv_eq(svn(list.p, n), entry))
			return true;
		list.p += n + (n < list.len);
		list.len -= n + (n < list.len);
	}
	return false;
}

static void new_issues(struct dryrun *d, struct strview old, struct strview now,
		       struct strview source, struct strview source_id)
{
	while (now.len) {
		size_t n = 0, colon;
		struct strview e;

		while (n < now.len && now.p[n] != ';')
			n++;
		e = svn(now.p, n);
		now.p += n + (n < now.len);
		now.len -= n + (n < now.len);
		if (!e.len || in_list(old, e))
			continue;
		for (colon = 0; colon < e.len && e.p[colon] != ':'; colon++)
			;
		if (colon == e.len) {
			count(d, K_FLAG, svn("", 0), e);
			list_row(d, sv("flag"), source, source_id, svn("", 0),
				 svn("", 0), e);
			continue;
		}
		count(d, K_FLAG, svn(e.p, colon),
		      svn(e.p + colon + 1, e.len - colon - 1));
		list_row(d, sv("flag"), source, source_id, svn("", 0),
			 svn(e.p, colon),
			 svn(e.p + colon + 1, e.len - colon - 1));
	}
}

void dryrun_kept(struct dryrun *d, const struct header *in,
		 const struct header *h, const struct record *rec)
{
	struct strview source = record_canon(rec, h, CF_SOURCE);
	struct strview source_id = record_canon(rec, h, CF_SOURCE_ID);
	int ic = header_find(h, COL_ISSUES), old_ic = -1;
	struct strview old = svn("", 0);
	bool changed = false;

	if (d->have_before && (old_ic = header_find(in, COL_ISSUES)) >= 0)
		old = record_field(&d->before, (size_t)old_ic);
	if (ic >= 0)
		new_issues(d, old, record_field(rec, (size_t)ic), source,
			   source_id);
	for (int f = 0; d->have_before && f < CF_COUNT; f++) {
		if (in->canon[f] < 0 || h->canon[f] < 0 ||
		    sv_eq(record_field(&d->before, (size_t)in->canon[f]),
			  record_field(rec, (size_t)h->canon[f])))
			continue;
		changed = true;
		d->field_changes[f]++;
		list_row(d, sv("update"), source, source_id, svn("", 0),
			 sv(canon_name(f)), svn("", 0));
	}
	d->updated += changed;
	d->have_before = false;
}

void dryrun_rejected(struct dryrun *d, const struct header *h,
		     const struct record *rec, const char *field,
		     const char *reason)
{
	struct strview source = record_canon(rec, h, CF_SOURCE);
	struct strview source_id = record_canon(rec, h, CF_SOURCE_ID);

	d->have_before = false;
	while (*field || *reason) {
		size_t f = strcspn(field, ";"), r = strcspn(reason, ";");

		count(d, K_REJECT, svn(field, f), svn(reason, r));
		list_row(d, sv("reject"), source, source_id, svn("", 0),
			 svn(field, f), svn(reason, r));
		field += f + (field[f] == ';');
		reason += r + (reason[r] == ';');
	}
}

void dryrun_bad_row(struct dryrun *d, const struct reject_at *at,
		    const char *reason)
{
	d->have_before = false;
	count(d, K_REJECT, svn("", 0), sv("unreadable row"));
	list_row(d, sv("reject"), at->source, at->source_id, svn("", 0),
		 svn("", 0), sv(reason));
}

/*
 * Masters
 */

static unsigned long long change_size(const struct master_change *c)
{
	return c->merged + c->moved + c->added;
}

/* The master whose rows just ended: one of the largest? */
static void close_master(struct dryrun *d)
{
	struct master_change *c = &d->cur;
	size_t i;

	if (!c->id[0] || !change_size(c))
		return;
	for (i = d->n_largest; i > 0; i--)
		if (change_size(&d->largest[i - 1]) >= change_size(c))
			break;
	if (i == DRYRUN_LARGEST)
		return;
	if (d->n_largest < DRYRUN_LARGEST)
		d->n_largest++;
	memmove(&d->largest[i + 1], &d->largest[i],
		(d->n_largest - 1 - i) * sizeof(*c));
	d->largest[i] = *c;
}

int dryrun_master_row(void *ctx, const struct strview *f, size_t n,
		      struct mbr_err *err)
{
	struct dryrun *d = ctx;
	struct master_change *c = &d->cur;

	(void)err;
	if (n < 5 || sv_eqs(f[0], "change")) /* the header row */
		return 0;
	d->masters = true;
	list_row(d, f[0], f[2], f[3], f[1], svn("", 0), f[4]);
	if (!sv_eqs(f[1], c->id)) {
		close_master(d);
		memset(c, 0, sizeof(*c));
		snprintf(c->id, sizeof(c->id), "%.*s", (int)f[1].len, f[1].p);
	}
	if (sv_eqs(f[0], "new"))
		c->is_new = true;
	else if (sv_eqs(f[0], "merged"))
		c->merged++;
	else if (sv_eqs(f[0], "moved"))
		c->moved++;
	else if (sv_eqs(f[0], "added"))
		c->added++;
	return 0;
}

void dryrun_masters(struct dryrun *d, unsigned long long issued,
		    unsigned long long merged, unsigned long long moved)
{
	close_master(d);
	memset(&d->cur, 0, sizeof(d->cur));
	d->masters = true;
	d->issued = issued;
	d->merged = merged;
	d->moved = moved;
}

/*
 * Tables and the report
 */

void dryrun_tables(struct dryrun *d, bool after, const struct stage_count *t,
		   size_t n)
{
	if (n > DRYRUN_MAX_TABLES)
		n = DRYRUN_MAX_TABLES;
	memcpy(after ? d->after_t : d->before_t, t, n * sizeof(*t));
	*(after ? &d->n_after_t : &d->n_before_t) = n;
}

int dryrun_flush(struct dryrun *d, struct mbr_err *err)
{
	if (d->w && csvio_writer_flush(d->w, err) < 0)
		return mbr_prefix(err, "--dry-run list: ");
	return 0;
}

static long long rows_of(const struct stage_count *t, size_t n,
			 const char *name, bool *found)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(t[i].name, name)) {
			*found = true;
			return t[i].rows;
		}
	*found = false;
	return 0;
}

static int reason_cmp(const void *a, const void *b)
{
	const struct reason *x = a, *y = b;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->key, y->key);
}

static void report_reasons(const struct dryrun *d, FILE *out)
{
	struct reason *r = xmalloc((d->n_reasons + 1) * sizeof(*r));

	memcpy(r, d->reasons, d->n_reasons * sizeof(*r));
	xqsort(r, d->n_reasons, sizeof(*r), reason_cmp);
	for (size_t i = 0; i < d->n_reasons; i++)
		fprintf(out, "  %-9s %10llu  %s\n", kind_names[r[i].kind],
			r[i].n, r[i].key);
	for (int k = 0; k < 2; k++)
		if (d->other[k])
			fprintf(out, "  %-9s %10llu  %s\n", kind_names[k],
				d->other[k], "(other reasons)");
	for (int f = 0; f < CF_COUNT; f++)
		if (d->field_changes[f])
			fprintf(out, "  %-9s %10llu  %s\n", "changed",
				d->field_changes[f], canon_name(f));
	free(r);
}

static void report_masters(const struct dryrun *d, FILE *out)
{
	bool found;
	long long before = rows_of(d->before_t, d->n_before_t, "retired",
				   &found),
		  after = rows_of(d->after_t, d->n_after_t, "retired", &found);
	long long retired = after - before - (long long)d->merged;

	fprintf(out,
		"  masters:  %llu new, %llu merged, %llu records moved, "
		"%lld retired\n",
		d->issued, d->merged, d->moved, retired > 0 ? retired : 0);
	if (!d->n_largest)
		return;
	fprintf(out, "  largest changes (records added or moved, IDs "
		     "merged in):\n");
	for (size_t i = 0; i < d->n_largest; i++) {
		const struct master_change *c = &d->largest[i];

		fprintf(out, "    %-16s %10llu  %s", c->id, change_size(c),
			c->is_new ? "new" : "kept");
		if (c->added)
			fprintf(out, ", %llu added", c->added);
		if (c->moved)
			fprintf(out, ", %llu moved in", c->moved);
		if (c->merged)
			fprintf(out, ", %llu merged in", c->merged);
		fputc('\n', out);
	}
}

static void report_tables(const struct dryrun *d, FILE *out)
{
	bool any = false, found;

	for (size_t i = 0; i < d->n_after_t; i++) {
		const struct stage_count *a = &d->after_t[i];
		long long b =
			rows_of(d->before_t, d->n_before_t, a->name, &found);

		if (found && b == a->rows)
			continue;
		if (!any)
			fprintf(out, "  tables (rows before -> after):\n");
		any = true;
		fprintf(out, "    %-16s %10lld -> %lld (%+lld)\n", a->name, b,
			a->rows, a->rows - b);
	}
	if (!any)
		fprintf(out, "  tables: no rows added or removed\n");
}

void dryrun_report(const struct dryrun *d, const char *prog,
		   const struct rs_tally *t, FILE *out)
{
	fprintf(out,
		"%s: dry run: nothing was written. The run would "
		"change:\n",
		prog);
	fprintf(out,
		"  records:  %llu in, %llu out, %llu rejected, %llu flagged, "
		"%llu changed\n",
		t->in, t->out, t->rejected, t->flagged, d->updated);
	report_reasons(d, out);
	if (d->masters)
		report_masters(d, out);
	report_tables(d, out);
}
