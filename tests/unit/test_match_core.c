/*
 * The matcher's core: interning, clustering with cannot-links, record
 * comparison levels, rules files and models, and whole runs on the hard
 * cases (two people with one name and birthday, a parent and child on one
 * mobile, 張偉 and 张伟, a swapped day and month, a changed mobile).
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

#include "match.h"
#include "match/match_int.h"

/* ---- intern ---- */

static void test_intern(void **state)
{
	struct intern t;
	uint32_t a, b;
	char s[32];

	(void)state;
	intern_init(&t);
	assert_int_equal(intern_add(&t, "", 0), 0);
	a = intern_add(&t, "张伟", strlen("张伟"));
	b = intern_add(&t, "張偉", strlen("張偉"));
	assert_int_not_equal(a, b);
	assert_int_equal(intern_add(&t, "张伟", strlen("张伟")), a);
	/* Enough strings to grow the table several times; ids stay. */
	for (int i = 0; i < 20000; i++) {
		snprintf(s, sizeof(s), "v%d", i);
		intern_add(&t, s, strlen(s));
	}
	assert_int_equal(intern_add(&t, "张伟", strlen("张伟")), a);
	assert_string_equal(intern_str(&t, b).p, "張偉");
	assert_int_equal(intern_str(&t, 0).len, 0);
	intern_release(&t);
}

/* intern_add in two steps gives the ids intern_add gives, also when the
 * table grows between the hash and the lookup (the slot asked for is
 * then stale) and when the table was sealed. */
static void test_intern_prefetch(void **state)
{
	struct intern t, u;
	uint64_t h[64];
	char s[64][16];

	(void)state;
	intern_init(&t);
	intern_init(&u);
	for (int round = 0; round < 400; round++) {
		for (int i = 0; i < 64; i++) {
			/* Repeats across rounds: found and new values. */
			snprintf(s[i], sizeof(s[i]), "v%d", (round * 64 + i) % 9000);
			h[i] = intern_prefetch(&t, s[i], strlen(s[i]));
			assert_true(h[i] == intern_hash(s[i], strlen(s[i]), 0));
		}
		for (int i = 0; i < 64; i++)
			assert_int_equal(
				intern_add_hashed(&t, s[i], strlen(s[i]), h[i]),
				intern_add(&u, s[i], strlen(s[i])));
		if (round == 200)
			intern_seal(&t);
	}
	assert_int_equal(t.n, u.n);
	h[0] = intern_prefetch(&t, "", 0);
	assert_int_equal(intern_add_hashed(&t, "", 0, h[0]), 0);
	intern_release(&t);
	intern_release(&u);
}

/* ---- pairs_run ---- */

struct pair_visits {
	unsigned *seen; /* shared: each pair's visits (one writer each) */
	size_t sum;	/* this thread's: of the record numbers */
	size_t calls;
};

static void visit_pair(void *arg, const struct mpair *p, size_t i)
{
	struct pair_visits *v = arg;

	v->seen[i]++;
	v->sum += p->a + p->b;
	v->calls++;
}

/* What a progress teller heard: the steps in order (each once however
 * often it was told), and whether done ever went past total or back
 * within a step. */
struct heard {
	char steps[4096];
	char last[48];
	unsigned long long done;
	size_t calls;
	bool bad;
};

static void hear(void *ctx, const char *what, unsigned long long done,
		 unsigned long long total)
{
	struct heard *h = ctx;

	h->calls++;
	if (done > total)
		h->bad = true;
	if (!strcmp(what, h->last)) {
		if (done < h->done)
			h->bad = true;
	} else {
		size_t at = strlen(h->steps);

		snprintf(h->last, sizeof(h->last), "%s", what);
		snprintf(h->steps + at, sizeof(h->steps) - at, "%s;", what);
	}
	h->done = done;
}

/* Every pair exactly once, whatever the number of threads and however
 * the pairs fall into chunks; each thread its own worker. The first
 * thread tells the progress how many pairs the threads have taken. */
static void test_pairs_run(void **state)
{
	enum { N = 10000, RECS = 500 };
	static const size_t sizes[] = {0, 1, 7, 4096, 4097, N};
	static const unsigned threads[] = {0, 1, 2, 3, 65};
	struct mrec *recs = calloc(RECS, sizeof(*recs));
	struct mpair *p = malloc(N * sizeof(*p));
	unsigned *seen = malloc(N * sizeof(*seen));
	struct cmp_ctx c = {0};
	struct progress told = {hear, NULL, NULL};
	size_t want = 0;

	(void)state;
	c.progress = &told;
	assert_non_null(recs);
	assert_non_null(p);
	assert_non_null(seen);
	c.recs = recs;
	for (size_t i = 0; i < N; i++)
		p[i] = (struct mpair){(uint32_t)(i * 7 % RECS),
				      (uint32_t)(i * 13 % RECS), 0.0f};
	for (size_t z = 0; z < sizeof(sizes) / sizeof(sizes[0]); z++) {
		size_t n = sizes[z];

		want = 0;
		for (size_t i = 0; i < n; i++)
			want += p[i].a + p[i].b;
		for (size_t k = 0; k < sizeof(threads) / sizeof(threads[0]);
		     k++) {
			struct pair_visits v[64];
			struct heard heard = {"", "", 0, 0, false};
			size_t sum = 0, calls = 0;

			told.ctx = &heard;
			memset(seen, 0, N * sizeof(*seen));
			for (int t = 0; t < 64; t++)
				v[t] = (struct pair_visits){seen, 0, 0};
			pairs_run(&c, p, n, threads[k], visit_pair, v,
				  sizeof(v[0]), "visiting");
			assert_false(heard.bad);
			assert_string_equal(heard.steps, "visiting;");
			assert_int_equal(heard.done, n); /* told at the end */
			if (threads[k] <= 1) /* one in PROGRESS_EVERY, the end */
				assert_int_equal(heard.calls,
						 (n + PROGRESS_EVERY - 1) /
								 PROGRESS_EVERY +
							 1);
			for (size_t i = 0; i < N; i++)
				assert_int_equal(seen[i], i < n ? 1 : 0);
			for (int t = 0; t < 64; t++) {
				sum += v[t].sum;
				calls += v[t].calls;
			}
			assert_int_equal(calls, n);
			assert_int_equal(sum, want);
		}
	}
	free(seen);
	free(p);
	free(recs);
}

/* ---- cluster ---- */

static void test_cluster_no_chaining(void **state)
{
	/* A and C have different valid IDs; B has none. A~B joins, then
	 * B~C must not, though B and C alone do not conflict. */
	uint32_t ids[4] = { 7, 0, 9, 0 };
	struct cluster c;

	(void)state;
	cluster_init(&c, 4, ids, NULL);
	assert_int_equal(cluster_join(&c, 0, 1, false), JOIN_YES);
	assert_int_equal(cluster_join(&c, 1, 2, false), JOIN_ID);
	assert_int_not_equal(cluster_find(&c, 0), cluster_find(&c, 2));
	/* D has no ID: it may join either side. */
	assert_int_equal(cluster_join(&c, 3, 2, false), JOIN_YES);
	assert_int_equal(cluster_join(&c, 3, 0, true), JOIN_ID);
	cluster_release(&c);
}

static void test_cluster_forbid(void **state)
{
	struct cluster c;

	(void)state;
	cluster_init(&c, 5, NULL, NULL);
	cluster_forbid(&c, 0, 4);	/* an analyst's no-match */
	assert_int_equal(cluster_join(&c, 0, 1, false), JOIN_YES);
	assert_int_equal(cluster_join(&c, 3, 4, false), JOIN_YES);
	assert_int_equal(cluster_join(&c, 1, 2, false), JOIN_YES);
	/* {0,1,2} and {3,4}: 0 and 4 may not meet, through any pair. */
	assert_int_equal(cluster_join(&c, 2, 3, false), JOIN_DECISION);
	assert_int_equal(cluster_join(&c, 4, 1, true), JOIN_DECISION);
	assert_int_equal(cluster_join(&c, 2, 2, false), JOIN_YES);
	cluster_release(&c);
}

static void test_cluster_birth_dates(void **state)
{
	/* A 1985-03-07 ~ B (no date) ~ C 1960-11-30: a weak B~C may not put
	 * the two dates in one cluster; a strong one may. D's date is A's
	 * with one digit off: no conflict. A year alone conflicts with
	 * nothing. */
	uint32_t births[5] = { 19850307, 0, 19601130, 19850317, 19600000 };
	struct cluster c;

	(void)state;
	cluster_init(&c, 5, NULL, births);
	assert_int_equal(cluster_join(&c, 0, 1, false), JOIN_YES);
	assert_int_equal(cluster_join(&c, 1, 2, false), JOIN_BIRTH);
	assert_int_equal(cluster_join(&c, 3, 1, false), JOIN_YES);
	assert_int_equal(cluster_join(&c, 4, 0, false), JOIN_YES);
	assert_int_equal(cluster_join(&c, 1, 2, true), JOIN_YES);
	assert_int_equal(cluster_find(&c, 0), cluster_find(&c, 2));
	cluster_release(&c);
}

static void test_cluster_birth_date_slips(void **state)
{
	/* One person's slips (generated Chinese set, 1M people): 1964-08-06,
	 * its day and month swapped 1964-06-08, and a year digit off
	 * 1924-08-06. The last two are two digits apart, yet both fit the
	 * first: the cluster takes all three. A father's 1938-02-17 fits
	 * none of them, nor does a cluster holding 1938-02-17 and
	 * 1938-02-18. */
	uint32_t births[6] = { 19640806, 19640608, 19240806,
			       19380217, 19380218, 0 };
	struct cluster c;

	(void)state;
	cluster_init(&c, 6, NULL, births);
	assert_int_equal(cluster_join(&c, 0, 1, false), JOIN_YES);
	assert_int_equal(cluster_join(&c, 2, 1, false), JOIN_YES);
	assert_int_equal(cluster_join(&c, 3, 4, false), JOIN_YES);
	assert_int_equal(cluster_join(&c, 5, 3, false), JOIN_YES);
	assert_int_equal(cluster_join(&c, 5, 0, false), JOIN_BIRTH);
	assert_int_equal(cluster_join(&c, 2, 4, false), JOIN_BIRTH);
	cluster_release(&c);
	/* Two slips with nothing between them still conflict. */
	cluster_init(&c, 6, NULL, births);
	assert_int_equal(cluster_join(&c, 1, 2, false), JOIN_BIRTH);
	cluster_release(&c);
}

/* ---- records ---- */

static const char *const columns[] = {
	"source", "source_id", "source_row", "name", "family_name",
	"given_name", "gender", "birth_date", "mobile", "email", "id_type",
	"id_number", "city", "district", "address", "postal_code",
};
#define N_COLS (sizeof(columns) / sizeof(columns[0]))

struct person {
	const char *v[N_COLS];
};

static void make_header(struct header *h)
{
	struct record names;

	record_init(&names);
	for (size_t i = 0; i < N_COLS; i++)
		record_add(&names, columns[i], strlen(columns[i]));
	header_init(h);
	assert_int_equal(header_set(h, &names), 0);
	record_release(&names);
}

static void make_record(struct record *r, const struct person *p)
{
	record_reset(r);
	for (size_t i = 0; i < N_COLS; i++)
		record_add(r, p->v[i] ? p->v[i] : "",
			   p->v[i] ? strlen(p->v[i]) : 0);
}

/* Valid mainland IDs (GB 11643 check characters). */
#define ID_A "110105199003040010"
#define ID_B "110105199003040037"

static const struct person people[] = {
	/* 0, 1: one person, Simplified and Traditional, a new mobile */
	{ { "pos", "1", "1", "张伟", NULL, NULL, "M", "1990-03-04",
	    "+8613812345678", NULL, "CN_RIC", ID_A, "北京市", "朝阳区",
	    "朝阳区建国路88号1栋101", "100020" } },
	{ { "web", "w1", "1", "張偉", NULL, NULL, "M", "1990-03-04",
	    "+8613900000001", "zhangwei@qq.com", NULL, NULL, "北京市",
	    "朝陽區", "朝陽區建國路88號1棟101", "100020" } },
	/* 2: same name and birthday, another valid ID: another person */
	{ { "crm", "c9", "1", "张伟", NULL, NULL, "M", "1990-03-04",
	    "+8613700000002", NULL, "CN_RIC", ID_B, "北京市", "海淀区",
	    "海淀区学院路1号", "100083" } },
	/* 3: day and month swapped, the same mobile as 0 */
	{ { "crm", "c1", "2", "张伟", NULL, NULL, "M", "1990-04-03",
	    "+8613812345678", NULL, NULL, NULL, "北京市", "朝阳区",
	    "朝阳区建国路88号1栋101", "100020" } },
	/* 4: 0's child: same family name, mobile and address */
	{ { "pos", "2", "2", "张小明", NULL, NULL, "M", "2015-06-01",
	    "+8613812345678", NULL, NULL, NULL, "北京市", "朝阳区",
	    "朝阳区建国路88号1栋101", "100020" } },
	/* 5: 0 in pinyin, given name first, family/given columns */
	{ { "web", "w2", "2", "Wei Zhang", "Zhang", "Wei", "M",
	    "1990-03-04", NULL, "zhangwei@qq.com", NULL, NULL, NULL, NULL,
	    NULL, NULL } },
};
#define N_PEOPLE (sizeof(people) / sizeof(people[0]))

/* Add the n people to m as new records. */
static void load_into(struct match *m, const struct person *p, size_t n)
{
	struct mbr_err err = MBR_ERR_INIT;
	struct header h;
	struct record rec;

	make_header(&h);
	record_init(&rec);
	assert_int_equal(match_begin(m, &h, MATCH_NEW, &err), 0);
	for (size_t i = 0; i < n; i++) {
		make_record(&rec, &p[i]);
		assert_int_equal(match_add(m, &rec, &err), 0);
	}
	record_release(&rec);
	header_release(&h);
}

static struct match *load(struct match_rules *r, const struct person *p,
			  size_t n)
{
	struct match *m = match_new(r, 0);

	load_into(m, p, n);
	return m;
}

static void cluster_ids(struct match *m, char ids[][64], size_t n)
{
	struct buf b;
	struct strview s, id;

	buf_init(&b, 256);
	for (size_t i = 0; i < n; i++) {
		buf_reset(&b);
		match_record_cluster(m, i, &s, &id, &b);
		snprintf(ids[i], 64, "%s", b.p);
	}
	buf_release(&b);
}

static void test_hard_cases(void **state)
{
	struct match_rules *r = match_rules_new();
	struct match *m = load(r, people, N_PEOPLE);
	struct mbr_err err = MBR_ERR_INIT;
	char ids[N_PEOPLE][64];

	(void)state;
	assert_int_equal(match_run(m, false, &err), 0);
	cluster_ids(m, ids, N_PEOPLE);
	assert_string_equal(ids[0], ids[1]);	/* 张伟 ~ 張偉 */
	assert_string_equal(ids[0], ids[3]);	/* swapped day and month */
	assert_string_equal(ids[0], ids[5]);	/* pinyin, swapped order */
	assert_string_not_equal(ids[0], ids[2]);	/* another valid ID */
	assert_string_not_equal(ids[0], ids[4]);	/* the child */
	/* The smallest source/source_id names the cluster. */
	assert_string_equal(ids[0], "crm/c1");
	assert_string_equal(ids[2], "crm/c9");
	match_free(m);
	match_rules_free(r);
}

/* match_set_progress hears every step of a run and of the writing, in
 * order, from the calling thread. */
static void test_progress(void **state)
{
	struct match_rules *r = match_rules_new();
	struct match *m = load(r, people, N_PEOPLE);
	struct heard heard = {"", "", 0, 0, false};
	struct mbr_err err = MBR_ERR_INIT;
	FILE *out = tmpfile();
	char want[4096] = "";

	(void)state;
	assert_non_null(out);
	match_set_progress(m, hear, &heard);
	assert_int_equal(match_run(m, false, &err), 0);
	assert_int_equal(match_write_records(m, out, &err), 0);
	for (unsigned k = 0; k < r->n_keys; k++) {
		size_t at = strlen(want);

		snprintf(want + at, sizeof(want) - at,
			 "comparing, key %u of %u;", k + 1, r->n_keys);
	}
	strcat(want, "comparing, windows;calibrating;checking birth dates;"
		     "clustering;writing;");
	assert_string_equal(heard.steps, want);
	assert_false(heard.bad);
	assert_int_equal(heard.done, N_PEOPLE); /* all written */
	fclose(out);
	match_free(m);
	match_rules_free(r);
}

/* --from-pairs: reading each pairs file is told too, by its bytes. */
static void test_progress_from_pairs(void **state)
{
	struct match_rules *r = match_rules_new();
	struct match *s = match_new(r, 0), *m;
	struct heard heard = {"", "", 0, 0, false};
	struct mbr_err err = MBR_ERR_INIT;
	char path[] = "/tmp/test_match_core.XXXXXX";
	const char *paths[1] = {path};
	FILE *f;
	int fd;

	(void)state;
	match_set_shard(s, 0, 1);
	load_into(s, people, N_PEOPLE);
	assert_int_equal(match_run(s, false, &err), 0);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	assert_int_equal(match_write_shard(s, f, &err), 0);
	fclose(f);
	m = load(r, people, N_PEOPLE);
	match_set_progress(m, hear, &heard);
	assert_int_equal(match_load_pairs(m, paths, 1, &err), 0);
	assert_int_equal(match_run(m, false, &err), 0);
	assert_true(!strncmp(heard.steps,
			     "reading pairs file 1 of 1, bytes;calibrating;",
			     strlen("reading pairs file 1 of 1, bytes;"
				    "calibrating;")));
	assert_false(heard.bad);
	unlink(path);
	match_free(s);
	match_free(m);
	match_rules_free(r);
}

static void test_levels(void **state)
{
	struct match_rules *r = match_rules_new();
	struct match *m = load(r, people, N_PEOPLE);
	struct mbr_err err = MBR_ERR_INIT;
	uint8_t level[MATCH_MAX_CMPS];
	int fam = -1, giv = -1, birth = -1, mob = -1, mail = -1;

	(void)state;
	assert_int_equal(match_run(m, false, &err), 0);
	for (unsigned i = 0; i < r->n_cmps; i++) {
		const char *n = r->cmp[i].name;

		fam = strcmp(n, "family_name") ? fam : (int)i;
		giv = strcmp(n, "given_name") ? giv : (int)i;
		birth = strcmp(n, "birth_date") ? birth : (int)i;
		mob = strcmp(n, "mobile") ? mob : (int)i;
		mail = strcmp(n, "email") ? mail : (int)i;
	}
	compare_records(&m->ctx, &m->recs[0], &m->recs[1], level);
	assert_int_equal(level[fam], 0);	/* exact after folding */
	assert_int_equal(level[giv], 0);
	assert_int_equal(level[birth], DATE_EXACT);
	assert_int_equal(level[mob], 3);	/* other */
	assert_int_equal(level[mail], LEVEL_NULL);	/* no evidence */
	compare_records(&m->ctx, &m->recs[0], &m->recs[3], level);
	assert_int_equal(level[birth], DATE_SWAPPED);
	compare_records(&m->ctx, &m->recs[0], &m->recs[5], level);
	/* 张伟 and "Wei Zhang": the same pinyin across scripts is as
	 * exact as two scripts can be. */
	assert_int_equal(level[fam], 0);
	assert_int_equal(level[giv], 0);
	assert_true(compare_cannot_link(&m->ctx, &m->recs[0], &m->recs[2]));
	assert_false(compare_cannot_link(&m->ctx, &m->recs[0], &m->recs[1]));
	match_free(m);
	match_rules_free(r);
}

/* Levels of the field comparators, pair by pair: each row is two records
 * differing in one field, and the level that field must get. */
static const struct {
	const char *field;	/* comparison name */
	int col;		/* column of columns[] that differs */
	const char *a, *b;
	int level;
	const char *why;
} field_cases[] = {
	{ "mobile", 8, "+8613812345678", "+8613812345678", 0, "exact" },
	{ "mobile", 8, "+8613812345678", "13812345678", 1, "last 8 digits" },
	{ "mobile", 8, "+8613812345678", "+8613812345687", 2,
	  "neighbours swapped" },
	{ "mobile", 8, "+8613812345678", "+8613812345679", 2,
	  "one digit changed (two odd bits flip)" },
	{ "mobile", 8, "+8613812345678", "+8613812345873", 3,
	  "two digits changed" },
	{ "mobile", 8, "+8613812345678", "+8613955554444", 3, "other" },
	{ "mobile", 8, "+8613812345678", "", LEVEL_NULL, "missing" },
	{ "email", 9, "zhangwei@qq.com", "zhangwei@163.com", 1, "local part" },
	{ "email", 9, "zhangwei@qq.com", "zhangwie@qq.com", 2, "one edit" },
	{ "email", 9, "zhangwei@qq.com", "zhangwel@qq.com", 2,
	  "one letter changed" },
	{ "email", 9, "zhangwei@qq.com", "zhangwei1@qq.com", 2,
	  "one letter added" },
	{ "email", 9, "zhangwei@qq.com", "ZhangWei@QQ.com", 0,
	  "case does not count" },
	{ "email", 9, "zhangwei@qq.com", "lina@163.com", 3, "other" },
	{ "id_number", 11, "110105199003040010", "110105199003040010", 0,
	  "exact" },
	{ "id_number", 11, "110105199003040010", "110105199003040100", 1,
	  "one edit (a typo: no longer valid)" },
	{ "id_number", 11, "110105199003040010", "310115198511200020", 2,
	  "other" },
	{ "address", 14, "朝阳区建国路88号1栋101", "朝陽區建國路88號1棟101", 0,
	  "exact after folding Traditional" },
	{ "address", 14, "朝阳区建国路88号1栋101", "朝阳区建国路88号1栋102", 1,
	  "one character off: Jaccard 0.82" },
	{ "address", 14, "朝阳区建国路88号1栋101", "建国路88号1栋101", 2,
	  "district left out: Jaccard 10/13" },
	{ "address", 14, "朝阳区建国路88号1栋101", "建国路88号1栋", 3,
	  "district and flat left out: Jaccard 7/13" },
	{ "address", 14, "朝阳区建国路88号1栋101", "建国路88号", 4,
	  "only the street: Jaccard 5/13, below 0.4" },
	{ "address", 14, "朝阳区建国路88号1栋101", "海淀区学院路1号", 4,
	  "another street" },
	{ "city", 12, "北京市", "北京", 2,
	  "the 市 left out: Jaro-Winkler 0.91, low" },
	{ "city", 12, "St. James", "st  james", 0,
	  "folded text: case, punctuation and spacing go" },
	{ "city", 12, "st james", "st jamse", 1, "Jaro-Winkler high" },
	{ "city", 12, "北京市", "上海市", 3, "other" },
	{ "given_name", 5, "伟", "玮", 1, "same pinyin: phonetic" },
	{ "given_name", 5, "catherine", "kathryn", 1, "same Metaphone" },
	{ "given_name", 5, "mitchell", "mitchel", 1,
	  "a letter dropped: same Metaphone" },
	{ "given_name", 5, "lachlan", "lahclan", 3,
	  "letters swapped: Metaphone differs, Jaro-Winkler high" },
	{ "given_name", 5, "lachlan", "", LEVEL_NULL, "missing" },
};

static void test_field_levels(void **state)
{
	struct match_rules *r = match_rules_new();
	struct person p[2] = { { { "a", "1", "1", NULL, "张", "伟", "M",
				    "1990-03-04" } },
			       { { "b", "2", "1", NULL, "张", "伟", "M",
				    "1990-03-04" } } };

	(void)state;
	for (size_t i = 0; i < sizeof(field_cases) / sizeof(field_cases[0]);
	     i++) {
		struct mbr_err err = MBR_ERR_INIT;
		uint8_t level[MATCH_MAX_CMPS];
		struct person q[2] = { p[0], p[1] };
		struct match *m;
		unsigned k = 0;

		q[0].v[field_cases[i].col] = field_cases[i].a;
		q[1].v[field_cases[i].col] = field_cases[i].b;
		m = load(r, q, 2);
		assert_int_equal(match_run(m, false, &err), 0);
		while (strcmp(r->cmp[k].name, field_cases[i].field))
			k++;
		compare_records(&m->ctx, &m->recs[0], &m->recs[1], level);
		if (level[k] != field_cases[i].level)
			fail_msg("%s '%s' / '%s' (%s): level %d, expected %d",
				 field_cases[i].field, field_cases[i].a,
				 field_cases[i].b, field_cases[i].why,
				 level[k], field_cases[i].level);
		match_free(m);
	}
	match_rules_free(r);
}

/* A common name matching counts for less than a rare one. */
static void test_term_frequency(void **state)
{
	/* 400 records: term frequencies are shrunk towards the built-in u
	 * as if 1,000 more had been seen, so a crowd of 40 says little. */
	static struct person crowd[400];
	struct match_rules *r = match_rules_new();
	struct match *m;
	struct mbr_err err = MBR_ERR_INIT;
	static char sid[400][16];
	uint8_t level[MATCH_MAX_CMPS];
	double common, rare;
	unsigned fam = 0;

	(void)state;
	for (int i = 0; i < 400; i++) {
		snprintf(sid[i], sizeof(sid[i]), "%d", i);
		crowd[i] = (struct person){ { "pos", sid[i], "1",
			i < 300 ? "王伟" : i < 302 ? "欧阳娜娜" : "李四" } };
	}
	m = load(r, crowd, 400);
	assert_int_equal(match_run(m, false, &err), 0);
	while (strcmp(r->cmp[fam].name, "family_name"))
		fam++;
	compare_records(&m->ctx, &m->recs[0], &m->recs[1], level);
	assert_int_equal(level[fam], 0);
	common = compare_weight(&m->ctx, fam, level, &m->recs[0], &m->recs[1]);
	compare_records(&m->ctx, &m->recs[300], &m->recs[301], level);
	assert_int_equal(level[fam], 0);
	rare = compare_weight(&m->ctx, fam, level, &m->recs[300],
			      &m->recs[301]);
	if (!(rare > common + 3))
		fail_msg("欧阳 %.2f should outweigh 王 %.2f", rare, common);
	match_free(m);
	match_rules_free(r);
}

/* ---- rules files and models ---- */

static char *write_temp(const char *text)
{
	char *path = strdup("/tmp/test_match_XXXXXX");
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static const struct {
	const char *text, *msg, *why;
} bad_rules[] = {
	{ "[blocking]\nk = name_key + shoe_size\n", ":2: unknown key part "
	  "'shoe_size'", "unknown key part" },
	{ "[compare]\ngiven_name = nmae(0.9)\n", ":2: unknown comparison "
	  "'nmae'", "typo in a comparison" },
	{ "[compare]\ngiven_name = name(0.9, 1.5)\n", ":2: threshold '1.5'",
	  "threshold out of range" },
	{ "[compare]\nshoe = name\n",
	  ":2: 'shoe' is not a canonical field: compare it with exact",
	  "a column outside the canon with a name comparison" },
	{ "[compare]\na = exact\nb = jaro\nc = exact\n",
	  ":4: more than 2 columns outside the canon ('c')",
	  "three columns outside the canon" },
	{ "[compare]\nbirth_year = exact\n",
	  ":2: 'birth_year' is a blocking key part",
	  "a key part compared" },
	{ "[blocking]\nk = name_key | max 1\n", ":2: unknown key option",
	  "a key max below 2" },
	{ "[blocking]\nk = name_key | window many\n",
	  ":2: unknown key option", "a key window not a number" },
	{ "[blocking]\nk = name_key | windows 50\n",
	  ":2: unknown key option", "a misspelt key option" },
	{ "[thresholds]\nmatch = 0.5\nreview = 0.9\n", ":3: review threshold",
	  "review above match" },
	{ "[thresholds]\nmatch = 1.5\n", ":2: match: '1.5' is not a "
	  "probability", "probability out of range" },
	{ "[blockng]\n", ":1: unknown section [blockng]", "section typo" },
	{ "[never]\nid_number = maybe\n", ":2: id_number: 'maybe'",
	  "never value" },
	{ "[compare]\ngiven_name = name | tff\n", ":2: unknown option 'tff'",
	  "option typo" },
};

static void test_rules_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_rules) / sizeof(bad_rules[0]); i++) {
		struct match_rules *r = match_rules_new();
		struct mbr_err err = MBR_ERR_INIT;
		char *path = write_temp(bad_rules[i].text);

		if (match_rules_load(r, path, &err) == 0 ||
		    err.status != MBR_ECONFIG ||
		    !strstr(err.msg, bad_rules[i].msg))
			fail_msg("%s: got '%s'", bad_rules[i].why, err.msg);
		unlink(path);
		free(path);
		match_rules_free(r);
	}
}

static void test_rules_replace(void **state)
{
	struct match_rules *r = match_rules_new();
	struct mbr_err err = MBR_ERR_INIT;
	char *path = write_temp(
		"# a section replaces the defaults of that section\n"
		"[blocking]\nmob = mobile\nny = name_key + birth_year\n"
		"[compare]\nname = name(0.9, 0.7) | tf\nbirth_date = date\n"
		"mobile = phone\naddress = bigram(0.7, 0.5, 0.3)\n"
		"[groups]\nhousehold = mobile, address\n"
		"[thresholds]\nmatch = 0.99\n[limits]\nthreads = 1\n");

	(void)state;
	assert_int_equal(match_rules_load(r, path, &err), 0);
	assert_int_equal(r->n_keys, 2);
	assert_int_equal(r->n_cmps, 4);
	assert_true(r->cmp[0].tf);
	assert_true(r->cmp[0].arg[1] == 0.7);
	assert_int_equal(r->cmp[2].group, r->cmp[3].group);
	assert_int_equal(r->cmp[1].group, -1);
	assert_true(r->match_p == 0.99);
	assert_true(r->review_p == 0.5);	/* default kept */
	assert_int_equal(r->threads, 1);
	unlink(path);
	free(path);
	match_rules_free(r);
}

/* --train's EM on a blocking pass leaves out what the pass blocked on:
 * every pair of a pass on the city agrees on the city, which would make
 * every pair look like a match (before: the EM ended with all of them
 * matches, and the e-mail's m said what strangers share). 400 people, two
 * records each, in 20 cities; only the city blocks. */
static void test_train_blind(void **state)
{
	static const char *const fam[] = {
		"Smith", "Jones", "Taylor", "Brown", "Wilson",
		"Evans", "Thomas", "Johnson", "Roberts", "Walker",
		"Wright", "Thompson", "White", "Hughes", "Edwards",
		"Green", "Hall", "Wood", "Harris", "Lewis"
	};
	static const char *const giv[] = {
		"Oliver", "George", "Harry", "Jack", "Jacob",
		"Noah", "Charlie", "Muhammad", "Thomas", "Oscar",
		"William", "James", "Henry", "Leo", "Alfie",
		"Joshua", "Freddie", "Archie", "Ethan", "Isaac"
	};
	enum { PEOPLE = 400 };
	struct match_rules *r = match_rules_new();
	struct mbr_err err = MBR_ERR_INIT;
	char *path = write_temp("[blocking]\ncity = city\n");
	struct person *p = calloc(2 * PEOPLE, sizeof(*p));
	char (*txt)[5][32] = calloc(2 * PEOPLE, sizeof(*txt));
	struct heard heard = {"", "", 0, 0, false};
	struct match *m;
	int email = -1;

	(void)state;
	assert_non_null(p);
	assert_non_null(txt);
	assert_int_equal(match_rules_load(r, path, &err), 0);
	for (int i = 0; i < 2 * PEOPLE; i++) {
		int who = i / 2;

		snprintf(txt[i][0], 32, "%d", i);
		snprintf(txt[i][1], 32, "%s %s", giv[who / 20], fam[who % 20]);
		snprintf(txt[i][2], 32, "19%02d-%02d-%02d", 40 + who % 60,
			 1 + who % 12, 1 + who % 28);
		snprintf(txt[i][3], 32, "p%03d@example.org", who);
		snprintf(txt[i][4], 32, "City%02d", (who / 7) % 20);
		p[i] = (struct person){{i % 2 ? "web" : "pos", txt[i][0], "1",
					txt[i][1], NULL, NULL, NULL,
					txt[i][2], NULL, txt[i][3], NULL,
					NULL, txt[i][4], NULL, NULL, NULL}};
	}
	m = load(r, p, 2 * PEOPLE);
	match_set_progress(m, hear, &heard);
	assert_int_equal(match_run(m, true, &err), 0);
	/* Training's blocking passes are told as such, before the run's. */
	assert_string_equal(heard.steps,
			    "training, key 1 of 1;comparing, key 1 of 1;"
			    "calibrating;rescoring;checking birth dates;"
			    "clustering;");
	assert_false(heard.bad);
	for (unsigned i = 0; i < r->n_cmps; i++)
		if (!strcmp(r->cmp[i].name, "email"))
			email = (int)i;
	assert_true(email >= 0);
	/* Each person's two records share the e-mail; strangers never do
	 * (some are one edit apart: p012, p013). Before: 0.03. */
	assert_true(r->cmp[email].m[0] > 0.8);
	match_free(m);
	unlink(path);
	free(path);
	free(p);
	free(txt);
	match_rules_free(r);
}

static void test_model_roundtrip(void **state)
{
	struct match_rules *r = match_rules_new(), *back = match_rules_new();
	struct mbr_err err = MBR_ERR_INIT;
	char path[] = "/tmp/test_model_XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	(void)state;
	r->cmp[0].m[0] = 0.5;
	r->cmp[0].m[4] = 0.42;
	r->per_record = 1.25;
	assert_int_equal(match_model_write(r, f, &err), 0);
	fclose(f);
	assert_int_equal(match_model_load(back, path, &err), 0);
	assert_true(back->cmp[0].m[0] == 0.5);
	assert_true(back->cmp[0].m[4] == 0.42);
	assert_true(back->per_record == 1.25);
	assert_true(back->trained);
	unlink(path);
	match_rules_free(r);
	match_rules_free(back);
}

/* ---- blocking: each pair once ---- */

struct visits {
	uint64_t *v; /* lo << 32 | hi */
	size_t n, cap;
};

static void visit(void *ctx, uint32_t a, uint32_t b)
{
	struct visits *x = ctx;

	if (x->n == x->cap) {
		x->cap = x->cap ? 2 * x->cap : 1024;
		x->v = realloc(x->v, x->cap * sizeof(*x->v));
		assert_non_null(x->v);
	}
	x->v[x->n++] = (uint64_t)a << 32 | b;
}

static int u64_order(const void *pa, const void *pb)
{
	uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;

	return (a > b) - (a < b);
}

/* The sorted-neighbourhood order of blocking (name key, birth date,
 * mobile, ID, record), worked out here on its own. */
static const struct mrec *nb_recs;

static int nb_rec_order(const void *pa, const void *pb)
{
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
	static const enum mfield f[] = {MF_NAME_KEY, MF_BIRTH, MF_MOBILE,
					MF_ID};

	for (size_t i = 0; i < 4; i++) {
		uint32_t x = nb_recs[a].v[mf_slot(f[i])];
		uint32_t y = nb_recs[b].v[mf_slot(f[i])];

		if (x != y)
			return x < y ? -1 : 1;
	}
	return (a > b) - (a < b);
}

/* Two windowed keys and one compared in full over 600 records with few
 * values (blocks of up to 70, overlapping): on two threads, every pair a
 * key proposes (a window's: each record with the next N of its block in
 * that order; the full key's: all) is visited exactly once, the window
 * pass keeping no set of the pairs it visited. The proposals are worked
 * out here the slow way. */
static void test_block_window_once(void **state)
{
	enum { N = 600 };
	static const struct {
		enum mfield f;
		unsigned window; /* 0: compared in full */
	} keys[] = {{MF_NAME_KEY, 3}, {MF_POSTAL, 2}, {MF_MOBILE, 0}};
	struct match_rules *r = match_rules_new();
	struct mbr_err err = MBR_ERR_INIT;
	char *path = write_temp("[blocking]\nname = name_key | window 3\n"
				"post = postal_code | window 2\n"
				"mob = mobile\n");
	struct mrec *recs = calloc(N, sizeof(*recs));
	uint64_t *want = calloc((size_t)N * N, sizeof(*want));
	uint32_t *blk = calloc(N, sizeof(*blk));
	struct visits vis[2] = {{0}};
	void *ctx[2] = {&vis[0], &vis[1]};
	struct match_stats st = {0};
	struct intern t;
	struct block_job job;
	size_t n_want = 0, k;
	uint32_t seed = 12345;

	(void)state;
	assert_non_null(recs);
	assert_non_null(want);
	assert_non_null(blk);
	assert_int_equal(match_rules_load(r, path, &err), 0);
	intern_init(&t);
	for (uint32_t i = 0; i < N; i++) {
		seed = seed * 1103515245u + 12345u;
		recs[i].v[mf_slot(MF_NAME_KEY)] = 1 + (seed >> 16) % 9;
		seed = seed * 1103515245u + 12345u;
		recs[i].v[mf_slot(MF_POSTAL)] = 1 + (seed >> 16) % 11;
		seed = seed * 1103515245u + 12345u;
		recs[i].v[mf_slot(MF_MOBILE)] = 1 + (seed >> 16) % 250;
		seed = seed * 1103515245u + 12345u;
		recs[i].v[mf_slot(MF_BIRTH)] = 19900101 + (seed >> 16) % 28;
	}
	/* What the keys propose. */
	nb_recs = recs;
	for (size_t key = 0; key < sizeof(keys) / sizeof(keys[0]); key++) {
		int slot = mf_slot(keys[key].f);

		for (uint32_t val = 1; val <= 250; val++) {
			size_t n = 0;

			for (uint32_t i = 0; i < N; i++)
				if (recs[i].v[slot] == val)
					blk[n++] = i;
			qsort(blk, n, sizeof(*blk), nb_rec_order);
			for (size_t x = 0; x < n; x++)
				for (size_t y = x + 1; y < n; y++) {
					uint32_t a = blk[x], b = blk[y];

					if (keys[key].window && n > keys[key].window &&
					    y - x > keys[key].window)
						break;
					want[n_want++] = a < b ? (uint64_t)a << 32 | b
							       : (uint64_t)b << 32 | a;
				}
		}
	}
	qsort(want, n_want, sizeof(*want), u64_order);
	for (size_t i = k = 0; i < n_want; i++)
		if (!k || want[i] != want[k - 1])
			want[k++] = want[i];
	n_want = k;

	job = (struct block_job){r,    recs, N,	   false, 2, visit, 0,
				 0,    &t,   false, NULL,  NULL, NULL};
	block_run(&job, ctx, &st);
	for (size_t i = 0; i < vis[1].n; i++)
		visit(&vis[0], (uint32_t)(vis[1].v[i] >> 32), (uint32_t)vis[1].v[i]);
	qsort(vis[0].v, vis[0].n, sizeof(*vis[0].v), u64_order);
	for (size_t i = 1; i < vis[0].n; i++)
		if (vis[0].v[i] == vis[0].v[i - 1])
			fail_msg("pair %u, %u visited twice",
				 (unsigned)(vis[0].v[i] >> 32),
				 (unsigned)vis[0].v[i]);
	assert_true(n_want > 2000); /* blocks overlap: many pairs */
	assert_int_equal(vis[0].n, n_want);
	assert_memory_equal(vis[0].v, want, n_want * sizeof(*want));
	assert_true(st.key[0].window > 0 && st.key[1].window > 0);

	free(vis[0].v);
	free(vis[1].v);
	intern_release(&t);
	unlink(path);
	free(path);
	free(blk);
	free(want);
	free(recs);
	match_rules_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_intern),
		cmocka_unit_test(test_intern_prefetch),
		cmocka_unit_test(test_pairs_run),
		cmocka_unit_test(test_cluster_no_chaining),
		cmocka_unit_test(test_cluster_forbid),
		cmocka_unit_test(test_cluster_birth_dates),
		cmocka_unit_test(test_cluster_birth_date_slips),
		cmocka_unit_test(test_hard_cases),
		cmocka_unit_test(test_progress),
		cmocka_unit_test(test_progress_from_pairs),
		cmocka_unit_test(test_levels),
		cmocka_unit_test(test_field_levels),
		cmocka_unit_test(test_term_frequency),
		cmocka_unit_test(test_rules_errors),
		cmocka_unit_test(test_rules_replace),
		cmocka_unit_test(test_model_roundtrip),
		cmocka_unit_test(test_train_blind),
		cmocka_unit_test(test_block_window_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
