/*
 * test_mergeid: master ID assignment (new, keep, join, bridge-merge,
 * split, carried records, reruns), rejects, golden records and lineage.
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

#include "mergeid.h"
#include "mergeid/mergeid_int.h" /* skey_put, skey_get */

/* Split a line at commas into at most max views (no quoting in tests). */
static size_t split(const char *line, struct strview *f, size_t max)
{
	size_t n = 0;
	const char *p = line;

	for (;;) {
		const char *c = strchr(p, ',');
		size_t len = c ? (size_t)(c - p) : strlen(p);

		assert_true(n < max);
		f[n++] = svn(p, len);
		if (!c)
			return n;
		p = c + 1;
	}
}

/* Feed crosswalk lines "source,source_id,master_id,merged_into". */
static int feed_xref(struct mergeid *m, const char *const *rows,
		     struct mbr_err *err)
{
	for (size_t i = 0; rows && rows[i]; i++) {
		struct strview f[4];
		char where[32];

		assert_int_equal(split(rows[i], f, 4), 4);
		snprintf(where, sizeof(where), "x.csv:%zu", i + 2);
		if (mergeid_add_xref(m, f[0], f[1], f[2], f[3], where, err) < 0)
			return -1;
	}
	return 0;
}

/* Header of the test records: "cluster_id,source,source_id,points". */
static void test_header(struct header *h, const char *cols)
{
	struct strview f[16];
	size_t n = split(cols, f, 16);

	header_init(h);
	for (size_t i = 0; i < n; i++) {
		char *s = sv_dup(f[i]);

		header_add(h, s);
		free(s);
	}
}

/* Feed records; list the rejected ones in why as "row:field:reason;". */
static void feed_records(struct mergeid *m, const char *const *rows,
			 char *why, size_t why_len)
{
	struct record rec;

	record_init(&rec);
	why[0] = '\0';
	for (size_t i = 0; rows[i]; i++) {
		struct strview f[16];
		size_t n = split(rows[i], f, 16);
		const char *field, *reason;

		record_reset(&rec);
		rec.row = i;
		for (size_t j = 0; j < n; j++)
			record_addsv(&rec, f[j]);
		if (mergeid_add(m, &rec, &field, &reason) == 1) {
			size_t used = strlen(why);

			snprintf(why + used, why_len - used, "%zu:%s:%s;", i,
				 field, reason);
		}
	}
	record_release(&rec);
}

/* Repeats rejected by mergeid_assign, appended to the list in ctx as
 * feed_records lists the others. */
static int note_reject(void *ctx, const struct mergeid_reject *r,
		       struct mbr_err *err)
{
	char *why = ctx;
	size_t used = strlen(why);

	(void)err;
	snprintf(why + used, 512 - used, "%lu:%s:%s;", r->rec->row, r->field,
		 r->reason);
	return 0;
}

typedef int (*writer)(struct mergeid *, FILE *, struct mbr_err *);

static int write_xref(struct mergeid *m, FILE *f, struct mbr_err *err)
{
	struct mergeid_out o = { f, "xref" };

	return mergeid_write_xref(m, &o, err);
}

static int write_changes(struct mergeid *m, FILE *f, struct mbr_err *err)
{
	struct mergeid_out o = { f, "changes" };

	return mergeid_write_changes(m, &o, err);
}

static char *capture(struct mergeid *m, writer w)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	struct mbr_err err = MBR_ERR_INIT;

	assert_non_null(f);
	if (w(m, f, &err) < 0)
		fail_msg("write: %s", err.msg);
	fclose(f);
	return text;
}

#define MAX_ROWS 16
#define COLS "cluster_id,source,source_id,points"

struct assign_case {
	const char *xref[MAX_ROWS];	/* the earlier crosswalk */
	const char *recs[MAX_ROWS];	/* cluster_id,source,source_id,points */
	const char *want;		/* the crosswalk written */
	unsigned issued, kept, merged, moved, added, carried;
	const char *why;
};

#define H "source,source_id,master_id,merged_into\n"

static const struct assign_case assign_cases[] = {
	{ { NULL },
	  { "c9,pos,2,", "c9,crm,7,", "c1,web,1,", "c5,pos,1,", NULL },
	  H "crm,7,M0000000001,\n"
	    "pos,1,M0000000002,\n"
	    "pos,2,M0000000001,\n"
	    "web,1,M0000000003,\n",
	  3, 0, 0, 0, 4, 0,
	  "first run: IDs by each cluster's smallest key, not by cluster_id" },
	{ { "crm,7,M0000000001,", "pos,2,M0000000001,",
	    "pos,1,M0000000003,", "web,1,M0000000002,", NULL },
	  { "x,pos,2,", "x,crm,7,", "y,web,1,", "z,pos,1,", NULL },
	  H "crm,7,M0000000001,\n"
	    "pos,1,M0000000003,\n"
	    "pos,2,M0000000001,\n"
	    "web,1,M0000000002,\n",
	  0, 3, 0, 0, 0, 0,
	  "keep: other cluster_id values, same members, same IDs" },
	{ { "crm,7,M0000000001,", "pos,2,M0000000001,",
	    "web,1,M0000000002,", NULL },
	  { "a,pos,2,", "a,crm,7,", "a,app,5,", "b,web,1,", "c,app,1,",
	    NULL },
	  H "app,1,M0000000003,\n"
	    "app,5,M0000000001,\n"
	    "crm,7,M0000000001,\n"
	    "pos,2,M0000000001,\n"
	    "web,1,M0000000002,\n",
	  1, 2, 0, 0, 2, 0,
	  "join: a new record joins a master; another is a new master" },
	{ { "crm,7,M0000000005,", "pos,2,M0000000005,",
	    "pos,3,M0000000005,", "web,1,M0000000003,", NULL },
	  { "a,crm,7,", "a,pos,2,", "a,pos,3,", "a,web,1,", "a,app,9,",
	    NULL },
	  H "app,9,M0000000003,\n"
	    "crm,7,M0000000003,\n"
	    "pos,2,M0000000003,\n"
	    "pos,3,M0000000003,\n"
	    "web,1,M0000000003,\n"
	    ",,M0000000005,M0000000003\n",
	  0, 1, 1, 0, 1, 0,
	  "bridge: the older (lower) ID survives, even with fewer records" },
	{ { "crm,7,M0000000001,", "pos,2,M0000000001,",
	    "pos,3,M0000000001,", "web,1,M0000000001,",
	    "web,2,M0000000001,", NULL },
	  { "a,crm,7,", "a,pos,2,", "b,pos,3,", "b,web,1,", "b,web,2,",
	    NULL },
	  H "crm,7,M0000000002,\n"
	    "pos,2,M0000000002,\n"
	    "pos,3,M0000000001,\n"
	    "web,1,M0000000001,\n"
	    "web,2,M0000000001,\n",
	  1, 1, 0, 2, 0, 0,
	  "split 2/3: the part with more records keeps the ID" },
	{ { "crm,7,M0000000001,", "pos,2,M0000000001,",
	    "pos,3,M0000000001,", "web,1,M0000000001,", NULL },
	  { "b,crm,7,", "a,pos,2,", "a,pos,3,", "b,web,1,", NULL },
	  H "crm,7,M0000000001,\n"
	    "pos,2,M0000000002,\n"
	    "pos,3,M0000000002,\n"
	    "web,1,M0000000001,\n",
	  1, 1, 0, 2, 0, 0,
	  "split 2/2: the part with the smallest key (crm,7) keeps it" },
	{ { "a,1,M0000000001,", "a,2,M0000000001,", "a,3,M0000000001,",
	    "b,1,M0000000002,", "b,2,M0000000002,", "b,3,M0000000002,",
	    NULL },
	  { "x,a,1,", "x,a,2,", "x,b,1,", "x,b,2,", "x,b,3,", "y,a,3,",
	    NULL },
	  H "a,1,M0000000001,\n"
	    "a,2,M0000000001,\n"
	    "a,3,M0000000003,\n"
	    "b,1,M0000000001,\n"
	    "b,2,M0000000001,\n"
	    "b,3,M0000000001,\n"
	    ",,M0000000002,M0000000001\n",
	  1, 1, 1, 1, 0, 0,
	  "split and merge: M1's bigger part absorbs M2; its rest is new" },
	{ { "a,1,M0000000001,", "a,2,M0000000001,", "a,3,M0000000001,",
	    "b,1,M0000000002,", "b,2,M0000000002,", "b,3,M0000000002,",
	    NULL },
	  { "x,a,1,", "x,b,1,", "x,b,2,", "x,b,3,", "y,a,2,", "y,a,3,",
	    NULL },
	  H "a,1,M0000000002,\n"
	    "a,2,M0000000001,\n"
	    "a,3,M0000000001,\n"
	    "b,1,M0000000002,\n"
	    "b,2,M0000000002,\n"
	    "b,3,M0000000002,\n",
	  0, 2, 0, 1, 0, 0,
	  "a record moves from one master to another: no merge" },
	{ { "a,1,M0000000002,", ",,M0000000007,M0000000002",
	    ",,M0000000004,M0000000002", NULL },
	  { "x,a,1,", "y,b,1,", NULL },
	  H "a,1,M0000000002,\n"
	    "b,1,M0000000008,\n"
	    ",,M0000000004,M0000000002\n"
	    ",,M0000000007,M0000000002\n",
	  1, 1, 0, 0, 1, 0,
	  "new IDs continue past the highest, retired ones included" },
	{ { "a,1,M0000000001,", "a,2,M0000000001,", "b,1,M0000000002,",
	    "z,9,M0000000002,", NULL },
	  { "x,a,1,", "x,b,1,", NULL },
	  H "a,1,M0000000001,\n"
	    "a,2,M0000000001,\n"
	    "b,1,M0000000001,\n"
	    "z,9,M0000000001,\n"
	    ",,M0000000002,M0000000001\n",
	  0, 1, 1, 0, 0, 2,
	  "carried: records not in the input keep a row, follow a merge" },
	{ { "a,1,M0000000001,", ",,M0000000001,M0000000002",
	    ",,M0000000002,M0000000003", NULL },
	  { "x,a,1,", NULL },
	  H "a,1,M0000000003,\n"
	    ",,M0000000001,M0000000003\n"
	    ",,M0000000002,M0000000003\n",
	  0, 1, 0, 0, 0, 0,
	  "a stale row on a retired ID follows the chain to the live one" },
	{ { "a,1,M0000000001,", NULL },
	  { NULL },
	  H "a,1,M0000000001,\n",
	  0, 0, 0, 0, 0, 1, "empty input: the crosswalk stays" },
	{ { NULL },
	  { "c,甲,１２,", "c,甲,12,", "d,\xff,x,", NULL },
	  H "甲,12,M0000000001,\n"
	    "甲,１２,M0000000001,\n"
	    "\xff,x,M0000000002,\n",
	  2, 0, 0, 0, 3, 0,
	  "non-ASCII keys: byte order; full-width '１２' is another key" },
};

/* A merger whose sorts share memory bytes (0: the default). */
static struct mergeid *new_merger_mem(const char *fmt, size_t memory)
{
	struct mergeid_opts o = { fmt, NULL, memory, NULL, true, NULL, NULL };
	struct mbr_err err = MBR_ERR_INIT;
	struct mergeid *m = mergeid_new(&o, &err);

	if (!m)
		fail_msg("new: %s", err.msg);
	return m;
}

static struct mergeid *new_merger(const char *fmt)
{
	return new_merger_mem(fmt, 0);
}

/* Run xref + records; return the crosswalk written. */
static char *run(struct mergeid *m, const char *const *xref,
		 const char *const *recs)
{
	struct header h;
	struct mbr_err err = MBR_ERR_INIT;
	char why[512];

	test_header(&h, COLS);
	if (feed_xref(m, xref, &err) < 0 || mergeid_bind(m, &h, "t", &err) < 0)
		fail_msg("setup: %s", err.msg);
	feed_records(m, recs, why, sizeof(why));
	if (why[0])
		fail_msg("rejected: %s", why);
	if (mergeid_assign(m, note_reject, why, &err) < 0)
		fail_msg("assign: %s", err.msg);
	if (why[0])
		fail_msg("rejected: %s", why);
	header_release(&h);
	return capture(m, write_xref);
}

static void check_stats(const struct assign_case *c,
			const struct mergeid_stats *s)
{
	if (s->issued != c->issued || s->kept != c->kept ||
	    s->merged != c->merged || s->moved != c->moved ||
	    s->added != c->added || s->carried != c->carried)
		fail_msg("%s: issued %llu kept %llu merged %llu moved %llu added %llu carried %llu",
			 c->why, s->issued, s->kept, s->merged, s->moved,
			 s->added, s->carried);
}

/* Lines of a crosswalk, header skipped, as xref rows to feed back. */
static size_t xref_lines(char *text, const char **rows, size_t max)
{
	size_t n = 0;
	char *save = NULL;

	strtok_r(text, "\n", &save);
	for (char *l = strtok_r(NULL, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save)) {
		assert_true(n + 1 < max);
		rows[n++] = l;
	}
	rows[n] = NULL;
	return n;
}

static void test_assign(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(assign_cases) / sizeof(assign_cases[0]);
	     i++) {
		const struct assign_case *c = &assign_cases[i];
		struct mergeid *m = new_merger(NULL);
		char *got = run(m, c->xref, c->recs), *again;
		const char *rows[64];

		if (strcmp(got, c->want))
			fail_msg("%s: got\n%s", c->why, got);
		check_stats(c, mergeid_stats(m));
		mergeid_free(m);
		/* Every step on disk (1K: the least a sort holds): the same. */
		m = new_merger_mem(NULL, 1);
		again = run(m, c->xref, c->recs);
		if (strcmp(again, c->want))
			fail_msg("%s: in 1K of memory, got\n%s", c->why, again);
		check_stats(c, mergeid_stats(m));
		free(again);
		mergeid_free(m);
		/* Rerun on what it wrote: nothing changes, byte for byte. */
		xref_lines(got, rows, 64);
		m = new_merger(NULL);
		again = run(m, rows, c->recs);
		if (strcmp(again, c->want))
			fail_msg("%s: rerun changed it:\n%s", c->why, again);
		assert_int_equal(mergeid_stats(m)->issued, 0);
		assert_int_equal(mergeid_stats(m)->moved, 0);
		assert_int_equal(mergeid_stats(m)->merged, 0);
		free(again);
		free(got);
		mergeid_free(m);
	}
}

/* The input order changes nothing. */
static void test_order_independent(void **state)
{
	static const char *const fwd[] = {
		"k1,pos,1,", "k1,crm,1,", "k2,web,3,", "k3,pos,2,",
		"k2,web,4,", "k4,app,1,", NULL
	};
	static const char *const rev[] = {
		"k4,app,1,", "k2,web,4,", "k3,pos,2,", "k2,web,3,",
		"k1,crm,1,", "k1,pos,1,", NULL
	};
	struct mergeid *a = new_merger(NULL), *b = new_merger(NULL);
	char *x = run(a, NULL, fwd), *y = run(b, NULL, rev);

	(void)state;
	assert_string_equal(x, y);
	free(x);
	free(y);
	mergeid_free(a);
	mergeid_free(b);
}

static void test_changes(void **state)
{
	static const char *const xref[] = {
		"a,1,M0000000001,", "a,2,M0000000001,", "b,1,M0000000002,",
		"c,1,M0000000003,", "c,2,M0000000003,", NULL
	};
	static const char *const recs[] = {
		"x,a,1,", "x,b,1,", "x,n,1,", "y,a,2,", "z,c,1,", "z,c,2,",
		"w,n,2,", NULL
	};
	struct mergeid *m = new_merger(NULL);
	char *x = run(m, xref, recs), *ch = capture(m, write_changes);

	(void)state;
	assert_string_equal(
		ch,
		"change,master_id,source,source_id,previous_master_id\n"
		"merged,M0000000001,,,M0000000002\n"
		"added,M0000000001,n,1,\n"
		"new,M0000000004,,,\n"
		"moved,M0000000004,a,2,M0000000001\n"
		"new,M0000000005,,,\n"
		"added,M0000000005,n,2,\n");
	free(x);
	free(ch);
	mergeid_free(m);
}

static void test_id_format(void **state)
{
	static const char *const recs[] = { "a,s,1,", "b,s,2,", NULL };
	static const char *const xref[] = { "s,1,C-000041%,", NULL };
	struct mergeid *m = new_merger("C-%06d%%");
	char *x = run(m, xref, recs);

	(void)state;
	assert_string_equal(x, H "s,1,C-000041%,\ns,2,C-000042%,\n");
	free(x);
	mergeid_free(m);
	m = new_merger("%d");
	x = run(m, NULL, recs);
	assert_string_equal(x, H "s,1,1,\ns,2,2,\n");
	free(x);
	mergeid_free(m);
}

static const struct {
	const char *fmt;
	const char *why;
} bad_formats[] = {
	{ "M", "no number" },
	{ "M%d%d", "two numbers" },
	{ "M%10d", "space padding" },
	{ "M%0d", "zero width" },
	{ "M%021d", "too wide" },
	{ "M%s", "not a number" },
	{ "M%", "a lone percent" },
	{ "", "empty" },
};

static void test_bad_format(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_formats) / sizeof(bad_formats[0]);
	     i++) {
		struct mergeid_opts o = { bad_formats[i].fmt, NULL, 0,
					  NULL, false, NULL, NULL };
		struct mbr_err err = MBR_ERR_INIT;
		struct mergeid *m = mergeid_new(&o, &err);
		char want[200];

		if (m)
			fail_msg("%s: accepted", bad_formats[i].why);
		snprintf(want, sizeof(want),
			 "--id-format '%s': expected text with one %%d or %%0Nd (N up to 20), e.g. M%%010d",
			 bad_formats[i].fmt);
		assert_int_equal(err.status, MBR_ECONFIG);
		assert_string_equal(err.msg, want);
	}
}

static const struct {
	const char *xref[4];
	enum mbr_status status;
	const char *msg, *why;
} xref_errors[] = {
	{ { "a,1,M1,", NULL }, MBR_ECONFIG,
	  "x.csv:2: master ID 'M1' is not what --id-format 'M%010d' gives (expected the format of earlier runs)",
	  "an ID in another format" },
	{ { "a,1,M0000000000,", NULL }, MBR_ECONFIG,
	  "x.csv:2: master ID 'M0000000000' is not what --id-format 'M%010d' gives (expected the format of earlier runs)",
	  "sequence 0 is never issued" },
	{ { "a,1,M0000000001,", "a,1,M0000000002,", NULL }, MBR_EIO,
	  "x.csv:3: the record 'a' / '1' has a row already (expected one row per record)",
	  "a record twice" },
	{ { "a,1,,", NULL }, MBR_EIO, "x.csv:2: empty master_id",
	  "no master" },
	{ { ",,M0000000001,", NULL }, MBR_EIO,
	  "x.csv:2: neither a record (source, source_id) nor a retired ID (merged_into)",
	  "a row with nothing" },
	{ { "a,,M0000000001,", NULL }, MBR_EIO,
	  "x.csv:2: a record row needs source and source_id and no merged_into",
	  "no source_id" },
	{ { "a,1,M0000000001,M0000000002", NULL }, MBR_EIO,
	  "x.csv:2: a record row needs source and source_id and no merged_into",
	  "a record with merged_into" },
	{ { ",,M0000000001,M0000000001", NULL }, MBR_EIO,
	  "x.csv:2: 'M0000000001' is merged into itself", "self merge" },
	{ { ",,M0000000001,M0000000002", ",,M0000000001,M0000000003", NULL },
	  MBR_EIO, "x.csv:3: 'M0000000001' is merged into two masters",
	  "retired twice" },
};

static void test_xref_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(xref_errors) / sizeof(xref_errors[0]);
	     i++) {
		struct mergeid *m = new_merger(NULL);
		struct mbr_err err = MBR_ERR_INIT;

		if (feed_xref(m, xref_errors[i].xref, &err) == 0 &&
		    mergeid_assign(m, NULL, NULL, &err) == 0)
			fail_msg("%s: accepted", xref_errors[i].why);
		if (err.status != xref_errors[i].status ||
		    strcmp(err.msg, xref_errors[i].msg))
			fail_msg("%s: got %d '%s'", xref_errors[i].why,
				 err.status, err.msg);
		mergeid_free(m);
	}
}

/* A record's crosswalk row twice is found at mergeid_assign, and named
 * by the second row's where, whatever that looks like. */
static void test_xref_twice_where(void **state)
{
	static const char *const wheres[] = { "db: xref row 007", "no number",
					     "x.csv:0", "x.csv:10",
					     "ends in 18446744073709551615" };
	(void)state;
	for (size_t i = 0; i < sizeof(wheres) / sizeof(wheres[0]); i++) {
		struct mergeid *m = new_merger(NULL);
		struct mbr_err err = MBR_ERR_INIT;
		char want[200];

		assert_int_equal(mergeid_add_xref(m, sv("a"), sv("123456"),
						  sv("M0000000001"), sv(""),
						  "first.csv:2", &err),
				 0);
		assert_int_equal(mergeid_add_xref(m, sv("a"), sv("123456"),
						  sv("M0000000002"), sv(""),
						  wheres[i], &err),
				 0);
		assert_int_equal(mergeid_assign(m, NULL, NULL, &err), -1);
		snprintf(want, sizeof(want),
			 "%s: the record 'a' / '1234' has a row already "
			 "(expected one row per record)",
			 wheres[i]);
		assert_int_equal(err.status, MBR_EIO);
		assert_string_equal(err.msg, want);
		mergeid_free(m);
	}
}

static void test_cycle(void **state)
{
	static const char *const xref[] = { ",,M0000000001,M0000000002",
					    ",,M0000000002,M0000000001", NULL };
	struct mergeid *m = new_merger(NULL);
	struct mbr_err err = MBR_ERR_INIT;

	(void)state;
	assert_int_equal(feed_xref(m, xref, &err), 0);
	assert_int_equal(mergeid_assign(m, NULL, NULL, &err), -1);
	assert_int_equal(err.status, MBR_EIO);
	assert_string_equal(err.msg,
			    "crosswalk: retired IDs are merged into each other in a circle ('M0000000001')");
	mergeid_free(m);
}

static void test_rejects(void **state)
{
	static const char *const recs[] = {
		"a,s,1,10", ",s,2,5", "a,s,1,7", "b,,3,1", "b,s,4,1.5",
		"b,s,5,", "c, ,6,", "  ,s,7,", "a,s,8,-3", NULL
	};
	struct mergeid *m = new_merger(NULL);
	struct header h;
	struct mbr_err err = MBR_ERR_INIT;
	char why[512];

	(void)state;
	test_header(&h, COLS);
	assert_int_equal(mergeid_bind(m, &h, "t", &err), 0);
	feed_records(m, recs, why, sizeof(why));
	assert_string_equal(why,
			    "1:cluster_id:missing;3:source:missing;"
			    "4:points:not an integer;6:source:missing;"
			    "7:cluster_id:missing;");
	/* a repeated key is found once the records are sorted by key */
	assert_int_equal(mergeid_assign(m, note_reject, why, &err), 0);
	assert_string_equal(why,
			    "1:cluster_id:missing;3:source:missing;"
			    "4:points:not an integer;6:source:missing;"
			    "7:cluster_id:missing;2:source_id:duplicate;");
	assert_int_equal(mergeid_stats(m)->records, 3);
	assert_int_equal(mergeid_stats(m)->points_in, 7);
	header_release(&h);
	mergeid_free(m);
}

static void test_bind(void **state)
{
	static const struct {
		const char *cols, *msg;
	} cases[] = {
		{ "source,source_id",
		  "in.csv: no 'cluster_id' column (expected the output of mbr-dedupe)" },
		{ "cluster_id,source",
		  "in.csv: no 'source_id' column (expected canonical records)" },
		{ "cluster_id,source_id",
		  "in.csv: no 'source' column (expected canonical records)" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mergeid *m = new_merger(NULL);
		struct header h;
		struct mbr_err err = MBR_ERR_INIT;

		test_header(&h, cases[i].cols);
		assert_int_equal(mergeid_bind(m, &h, "in.csv", &err), -1);
		assert_int_equal(err.status, MBR_EIO);
		assert_string_equal(err.msg, cases[i].msg);
		header_release(&h);
		mergeid_free(m);
	}
}

static int write_golden_only(struct mergeid *m, FILE *f, struct mbr_err *e)
{
	struct mergeid_out o = { f, "golden" };

	return mergeid_write_golden(m, &o, NULL, e);
}

static FILE *lineage_file;

static int write_golden_lineage(struct mergeid *m, FILE *f,
				struct mbr_err *e)
{
	struct mergeid_out o = { f, "golden" }, l = { lineage_file, "l" };

	return mergeid_write_golden(m, &o, &l, e);
}

#define GOLDEN_HEADER                                                      \
	"source,source_id,source_row,name,family_name,given_name,gender,"  \
	"birth_date,mobile,phone,email,id_type,id_number,country,"         \
	"province,city,district,address,postal_code,tier,points,"          \
	"registered_at,last_active_at,store,channel,consent_marketing,"    \
	"status,master_id,member_count,sources\n"

static void test_golden(void **state)
{
	static const char *const recs[] = {
		"c1,pos,9,李雷,2,100,2019-01-01,2023-05-01,Y",
		"c1,crm,3,李雷,3,250,2020-06-01,2024-01-02,",
		"c1,pos,1,李蕾,1,-50,2018-03-01,,N",
		"c2,web,5,韩梅梅,,,,,",
		NULL
	};
	struct mergeid *m = new_merger(NULL);
	struct header h;
	struct mbr_err err = MBR_ERR_INIT;
	char why[64], *golden, *lineage = NULL;
	size_t len = 0;

	(void)state;
	test_header(&h, "cluster_id,source,source_id,name,tier,points,"
			"registered_at,last_active_at,consent_marketing");
	assert_int_equal(mergeid_bind(m, &h, "t", &err), 0);
	feed_records(m, recs, why, sizeof(why));
	assert_string_equal(why, "");
	assert_int_equal(mergeid_assign(m, NULL, NULL, &err), 0);
	lineage_file = open_memstream(&lineage, &len);
	golden = capture(m, write_golden_lineage);
	fclose(lineage_file);
	assert_string_equal(
		golden,
		GOLDEN_HEADER
		"master,M0000000001,1,李雷,,,,,,,,,,,,,,,,3,300,2018-03-01,"
		"2024-01-02,,,Y,,M0000000001,3,crm;pos\n"
		"master,M0000000002,2,韩梅梅,,,,,,,,,,,,,,,,,,,,,,,,"
		"M0000000002,1,web\n");
	assert_string_equal(
		lineage,
		"master_id,field,value,source,source_id,rule\n"
		"M0000000001,name,李雷,crm,3,most_frequent\n"
		"M0000000001,tier,3,crm,3,max\n"
		"M0000000001,points,300,,,sum\n"
		"M0000000001,registered_at,2018-03-01,pos,1,min\n"
		"M0000000001,last_active_at,2024-01-02,crm,3,max\n"
		"M0000000001,consent_marketing,Y,pos,9,"
		"\"most_recent(last_active_at, registered_at)\"\n"
		"M0000000002,name,韩梅梅,web,5,most_frequent\n");
	assert_int_equal(mergeid_stats(m)->points_in, 300);
	assert_int_equal(mergeid_stats(m)->points_out, 300);
	free(golden);
	free(lineage);
	header_release(&h);
	mergeid_free(m);
	(void)write_golden_only;
}

/* Many records, clusters of 1..4, then a rerun: every ID is kept. */
static void test_many(void **state)
{
	enum { N = 20000 };
	struct mergeid *m = new_merger(NULL);
	struct header h;
	struct record rec;
	struct mbr_err err = MBR_ERR_INIT;
	char c[32], id[32];
	const char *field, *reason;

	(void)state;
	test_header(&h, "cluster_id,source,source_id,points");
	record_init(&rec);
	assert_int_equal(mergeid_bind(m, &h, "t", &err), 0);
	for (unsigned i = 0; i < N; i++) {
		snprintf(c, sizeof(c), "c%u", (i * 7919u) % (N / 2));
		snprintf(id, sizeof(id), "%u", i);
		record_reset(&rec);
		record_addsv(&rec, sv(c));
		record_addsv(&rec, sv(i % 3 ? "pos" : "crm"));
		record_addsv(&rec, sv(id));
		record_addsv(&rec, sv("10"));
		assert_int_equal(mergeid_add(m, &rec, &field, &reason), 0);
	}
	assert_int_equal(mergeid_assign(m, NULL, NULL, &err), 0);
	assert_int_equal(mergeid_stats(m)->masters, N / 2);
	assert_int_equal(mergeid_stats(m)->issued, N / 2);
	free(capture(m, write_golden_only));
	assert_int_equal(mergeid_stats(m)->points_out, 10 * N);
	record_release(&rec);
	header_release(&h);
	mergeid_free(m);
}

static char *temp_file(const char *text)
{
	static char path[64];
	int fd;
	FILE *f;

	strcpy(path, "/tmp/test_mergeid.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

static void test_load_xref(void **state)
{
	static const char *const recs[] = { "a,s,1,", "b,\"t\",2,", NULL };
	struct mergeid *m = new_merger(NULL);
	struct mbr_err err = MBR_ERR_INIT;
	char *path, *x;

	(void)state;
	assert_int_equal(mergeid_load_xref(m, "/nonexistent/x.csv", &err), 0);
	path = temp_file("master_id,source,source_id,merged_into,extra\n"
			 "M0000000004,s,1,,\n"
			 "M0000000009,,,M0000000004,note\n");
	assert_int_equal(mergeid_load_xref(m, path, &err), 0);
	x = run(m, NULL, recs);
	assert_string_equal(x, H "\"\"\"t\"\"\",2,M0000000010,\n"
			       "s,1,M0000000004,\n"
			       ",,M0000000009,M0000000004\n");
	free(x);
	mergeid_free(m);
	unlink(path);

	m = new_merger(NULL);
	path = temp_file("source,source_id,master\nM1,s,1\n");
	assert_int_equal(mergeid_load_xref(m, path, &err), -1);
	assert_int_equal(err.status, MBR_EIO);
	assert_non_null(strstr(err.msg, ": no 'master_id' column (expected "
					"source,source_id,master_id,merged_into)"));
	mergeid_free(m);
	unlink(path);

	m = new_merger(NULL);
	path = temp_file("source,source_id,master_id,merged_into\n"
			 "s,1,M0000000001,\ns,2,X,\n");
	assert_int_equal(mergeid_load_xref(m, path, &err), -1);
	assert_int_equal(err.status, MBR_ECONFIG);
	assert_non_null(strstr(err.msg, ":3: master ID 'X' is not what"));
	mergeid_free(m);
	unlink(path);

	m = new_merger(NULL);
	path = temp_file("");
	assert_int_equal(mergeid_load_xref(m, path, &err), 0);
	mergeid_free(m);
	unlink(path);
}

/* Sort keys: memcmp of two (a, b) keys orders them as sv_cmp does a,
 * then b, whatever bytes they hold (0, 1 and 0xff included); and each
 * part reads back. */
static void test_skey(void **state)
{
	static const char bytes[] = { 0, 1, 2, 'a', (char)0xfe, (char)0xff };
	struct buf x, y, back;
	unsigned seed = 12345;

	(void)state;
	buf_init(&x, BUF_NOLIMIT);
	buf_init(&y, BUF_NOLIMIT);
	buf_init(&back, BUF_NOLIMIT);
	for (int t = 0; t < 20000; t++) {
		char v[4][4];
		size_t len[4];
		struct strview sv4[4], k;
		int want, got;

		for (int i = 0; i < 4; i++) {
			len[i] = (seed = seed * 1103515245 + 12345) >> 16 & 3;
			for (size_t j = 0; j < len[i]; j++)
				v[i][j] = bytes[((seed = seed * 1103515245 +
							 12345) >>
						 16) %
						sizeof(bytes)];
			sv4[i] = svn(v[i], len[i]);
		}
		buf_reset(&x);
		buf_reset(&y);
		skey_put(&x, sv4[0]);
		skey_put(&x, sv4[1]);
		skey_put(&y, sv4[2]);
		skey_put(&y, sv4[3]);
		want = sv_cmp(sv4[0], sv4[2]);
		if (!want)
			want = sv_cmp(sv4[1], sv4[3]);
		got = sv_cmp(buf_view(&x), buf_view(&y));
		if ((want > 0) != (got > 0) || (want < 0) != (got < 0))
			fail_msg("case %d: order %d, keys say %d", t, want,
				 got);
		k = buf_view(&x);
		assert_int_equal(skey_len(k),
				 x.len - skey_len(svn(x.p + skey_len(k),
						      x.len - skey_len(k))));
		skey_get(&k, &back);
		assert_true(sv_eq(buf_view(&back), sv4[0]));
		skey_get(&k, &back);
		assert_true(sv_eq(buf_view(&back), sv4[1]));
		assert_int_equal(k.len, 0);
	}
	buf_release(&x);
	buf_release(&y);
	buf_release(&back);
}

/* One merger's outputs, as text. */
struct outputs {
	char *golden, *xref, *changes, *why;
	struct mergeid_stats stats;
};

static char *xref_text;

static void feed_text_xref(struct mergeid *m)
{
	struct mbr_err err = MBR_ERR_INIT;
	char *path, *copy;

	if (!xref_text)
		return;
	copy = strdup(xref_text);
	path = temp_file(copy);
	if (mergeid_load_xref(m, path, &err) < 0)
		fail_msg("xref: %s", err.msg);
	unlink(path);
	free(copy);
}

/* Run n records "c<cluster>,<source>,<id>,<points>" made by gen. */
static void run_generated(size_t memory, size_t n,
			  void (*gen)(size_t i, char *line, size_t size),
			  struct outputs *o)
{
	struct mergeid *m = new_merger_mem(NULL, memory);
	struct header h;
	struct mbr_err err = MBR_ERR_INIT;
	struct record rec;
	char line[96];

	o->why = calloc(1, 512);
	test_header(&h, COLS);
	feed_text_xref(m);
	assert_int_equal(mergeid_bind(m, &h, "t", &err), 0);
	record_init(&rec);
	for (size_t i = 0; i < n; i++) {
		struct strview f[4];
		const char *field, *reason;

		gen(i, line, sizeof(line));
		record_reset(&rec);
		rec.row = i;
		for (size_t j = 0, k = split(line, f, 4); j < k; j++)
			record_addsv(&rec, f[j]);
		assert_int_equal(mergeid_add(m, &rec, &field, &reason), 0);
	}
	if (mergeid_assign(m, note_reject, o->why, &err) < 0)
		fail_msg("assign: %s", err.msg);
	o->golden = capture(m, write_golden_only);
	o->xref = capture(m, write_xref);
	o->changes = capture(m, write_changes);
	o->stats = *mergeid_stats(m);
	record_release(&rec);
	header_release(&h);
	mergeid_free(m);
}

static void outputs_free(struct outputs *o)
{
	free(o->golden);
	free(o->xref);
	free(o->changes);
	free(o->why);
}

enum { GEN_N = 6000 };

/* First run: clusters of 1 to 3 records from two sources. */
static void gen_first(size_t i, char *line, size_t size)
{
	snprintf(line, size, "c%zu,%s,%zu,%zu", i / 3 + (i % 7 == 0),
		 i % 2 ? "pos" : "crm", i, i % 50);
}

/* Second run: a few records leave (carried), move to the cluster of the
 * record before them (bridging two masters) or to a cluster of their
 * own (splitting one), and one key comes twice. */
static void gen_second(size_t i, char *line, size_t size)
{
	size_t c = i / 3 + (i % 7 == 0), r = i;

	if (i % 97 == 5)
		c = (i - 3) / 3; /* joins the cluster before: a bridge */
	else if (i % 89 == 7)
		c = 100000 + i; /* alone: a split */
	if (i % 101 == 50)
		r = i + 1000000; /* the old record left; a new one came */
	if (i == 10)
		r = 12; /* row 12 repeats this key: rejected */
	snprintf(line, size, "c%zu,%s,%zu,%zu", c, i % 2 ? "pos" : "crm", r,
		 i % 50);
}

/* The same two nightly runs in 1K (every step on disk) and in the
 * default budget: the same outputs, byte for byte, and the same counts. */
static void test_budget(void **state)
{
	struct outputs big, small;

	(void)state;
	xref_text = NULL;
	run_generated(0, GEN_N, gen_first, &big);
	run_generated(1, GEN_N, gen_first, &small);
	assert_string_equal(big.golden, small.golden);
	assert_string_equal(big.xref, small.xref);
	assert_int_equal(big.stats.sort_runs, 0);
	assert_true(small.stats.sort_runs > 100);
	xref_text = strdup(big.xref);
	outputs_free(&big);
	outputs_free(&small);
	run_generated(0, GEN_N, gen_second, &big);
	run_generated(1, GEN_N, gen_second, &small);
	assert_string_equal(big.golden, small.golden);
	assert_string_equal(big.xref, small.xref);
	assert_string_equal(big.changes, small.changes);
	assert_string_equal(big.why, small.why);
	assert_string_equal(big.why, "12:source_id:duplicate;");
	assert_true(big.stats.merged > 0 && big.stats.moved > 0 &&
		    big.stats.carried > 0 && big.stats.added > 0 &&
		    big.stats.issued > 0);
	assert_true(big.stats.merged == small.stats.merged &&
		    big.stats.moved == small.stats.moved &&
		    big.stats.carried == small.stats.carried &&
		    big.stats.added == small.stats.added &&
		    big.stats.issued == small.stats.issued &&
		    big.stats.points_out == small.stats.points_out);
	assert_int_equal(big.stats.records, GEN_N - 1);
	free(xref_text);
	xref_text = NULL;
	outputs_free(&big);
	outputs_free(&small);
}

/* What the progress callback heard: each pass's name once, in order,
 * with done counting up to at most its total. */
struct heard {
	char names[512];
	const char *last;
	unsigned long long done, calls;
};

static void hear(void *ctx, const char *what, unsigned long long done,
		 unsigned long long total)
{
	struct heard *h = ctx;

	if (h->last != what) {
		size_t used = strlen(h->names);

		snprintf(h->names + used, sizeof(h->names) - used, "%s;",
			 what);
		h->last = what;
	} else if (done <= h->done) {
		fail_msg("%s: %llu after %llu", what, done, h->done);
	}
	if (done > total)
		fail_msg("%s: %llu of %llu", what, done, total);
	h->done = done;
	h->calls++;
}

/* The passes after the reading report how far they are. */
static void test_progress(void **state)
{
	struct mergeid_opts o = { NULL, NULL, 0, NULL, false, hear, NULL };
	struct heard heard = { "", NULL, 0, 0 };
	struct mbr_err err = MBR_ERR_INIT;
	struct mergeid *m;
	struct header h;
	struct record rec;
	char line[96];

	(void)state;
	o.progress_ctx = &heard;
	m = mergeid_new(&o, &err);
	assert_non_null(m);
	test_header(&h, COLS);
	assert_int_equal(mergeid_bind(m, &h, "t", &err), 0);
	record_init(&rec);
	for (size_t i = 0; i < 300; i++) {
		struct strview f[4];
		const char *field, *reason;

		gen_first(i, line, sizeof(line));
		record_reset(&rec);
		for (size_t j = 0, k = split(line, f, 4); j < k; j++)
			record_addsv(&rec, f[j]);
		assert_int_equal(mergeid_add(m, &rec, &field, &reason), 0);
	}
	assert_int_equal(mergeid_assign(m, NULL, NULL, &err), 0);
	free(capture(m, write_golden_only));
	free(capture(m, write_xref));
	assert_string_equal(heard.names,
			    "records by key;golden records;master IDs;"
			    "crosswalk and changes;writing golden records;"
			    "writing the crosswalk;");
	assert_true(heard.calls > 1000);
	record_release(&rec);
	header_release(&h);
	mergeid_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_assign),
		cmocka_unit_test(test_order_independent),
		cmocka_unit_test(test_changes),
		cmocka_unit_test(test_id_format),
		cmocka_unit_test(test_bad_format),
		cmocka_unit_test(test_xref_errors),
		cmocka_unit_test(test_xref_twice_where),
		cmocka_unit_test(test_cycle),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_bind),
		cmocka_unit_test(test_golden),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_load_xref),
		cmocka_unit_test(test_skey),
		cmocka_unit_test(test_budget),
		cmocka_unit_test(test_progress),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
