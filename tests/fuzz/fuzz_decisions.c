/*
 * fuzz_decisions: decisions files (match_load_decisions) on arbitrary
 * bytes, over four fixed records.
 *
 * The input is written to a memory file and read as a decisions file,
 * then the run goes on (match_run resolves the decisions). A file that
 * is refused, by the reader or by match_run (two lines that disagree),
 * says why starting with "PATH" (MBR_ECONFIG, or MBR_EIO for bytes the
 * reader cannot read). A run that succeeds keeps every no-match
 * decision: its two records end in different clusters; a decided pair is
 * one decision (lookup in either order finds the same); the pair and
 * review files write.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "canon.h"
#include "match.h"
#include "match/match_int.h"
#include "record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                    \
	do {                                                           \
		if (!(cond)) {                                         \
			fprintf(stderr, "fuzz_decisions: %s:%d: %s\n", \
				__FILE__, __LINE__, #cond);            \
			abort();                                       \
		}                                                      \
	} while (0)

/* source, source_id, name, birth_date, mobile */
static const char *const rows[][5] = {
	{"pos", "1", "张伟", "1985-03-07", "+8613812345678"},
	{"web", "1", "張偉", "1985-03-07", "+8613812345678"},
	{"crm", "c1", "Zhang Wei", "1985-03-07", ""},
	{"pos", "2", "李娜", "1990-01-02", "+8613900000000"},
};

#define N_ROWS (sizeof(rows) / sizeof(rows[0]))

static struct match *load(struct match_rules *r)
{
	struct mbr_err err = MBR_ERR_INIT;
	struct match *m = match_new(r, 0);
	struct header h;
	struct record rec;

	header_init(&h);
	record_init(&rec);
	header_add(&h, "source");
	header_add(&h, "source_id");
	header_add(&h, "name");
	header_add(&h, "birth_date");
	header_add(&h, "mobile");
	CHECK(match_show_values(m, NULL, 0, &err) == 0);
	CHECK(match_begin(m, &h, MATCH_NEW, &err) == 0);
	for (size_t i = 0; i < N_ROWS; i++) {
		record_reset(&rec);
		for (int f = 0; f < 5; f++)
			CHECK(record_add(&rec, rows[i][f],
					 strlen(rows[i][f])) == 0);
		CHECK(match_add(m, &rec, &err) == 0);
	}
	record_release(&rec);
	header_release(&h);
	return m;
}

static void check_run(struct match *m, FILE *null)
{
	struct mbr_err err = MBR_ERR_INIT;
	struct strview s, id;
	struct buf ca, cb;

	buf_init(&ca, BUF_NOLIMIT);
	buf_init(&cb, BUF_NOLIMIT);
	for (size_t i = 0; i < m->n_dec; i++) {
		const struct decision *d = &m->dec[i];

		CHECK(d->a < d->b && d->b < N_ROWS);
		CHECK(decide_find(m, d->a, d->b) == (long)i);
		CHECK(decide_find(m, d->b, d->a) == (long)i);
		if (d->match)
			continue;
		buf_reset(&ca);
		buf_reset(&cb);
		match_record_cluster(m, d->a, &s, &id, &ca);
		match_record_cluster(m, d->b, &s, &id, &cb);
		CHECK(!sv_eq(buf_view(&ca), buf_view(&cb)));
	}
	CHECK(match_write_pairs(m, null, &err) == 0);
	CHECK(match_write_review(m, null, &err) == 0);
	buf_release(&ca);
	buf_release(&cb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	static int fd = -1;
	static FILE *null;
	static struct match_rules *r;
	struct mbr_err err = MBR_ERR_INIT;
	struct match *m;

	if (fd < 0) {
		fd = memfd_create("fuzz_decisions", 0);
		CHECK(fd >= 0);
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		null = fopen("/dev/null", "w");
		CHECK(null != NULL);
		r = match_rules_new();
	}
	CHECK(ftruncate(fd, 0) == 0);
	CHECK(pwrite(fd, data, size, 0) == (ssize_t)size);
	m = load(r);
	match_set_decider(m, "fuzz");
	if (match_load_decisions(m, path, &err) < 0 ||
	    match_run(m, false, &err) < 0) {
		CHECK(err.status == MBR_ECONFIG || err.status == MBR_EIO);
		CHECK(!strncmp(err.msg, path, strlen(path)));
	} else {
		check_run(m, null);
	}
	match_free(m);
	return 0;
}
