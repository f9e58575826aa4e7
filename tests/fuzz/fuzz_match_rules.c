/*
 * fuzz_match_rules: match rules files (match_rules_load) on arbitrary
 * bytes.
 *
 * The input is written to a memory file and loaded over the built-in
 * rules. A file that does not load must say why with "PATH:LINE: "
 * (MBR_ECONFIG). Rules that load write their model (match_model_write)
 * and run a small deduplication of a few look-alike records: match_run
 * succeeds, every record gets a cluster id, every pair names two
 * records, has a probability in [0, 1] and a JSON detail.
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
#include "record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                          \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "fuzz_match_rules: %s:%d: %s\n",     \
				__FILE__, __LINE__, #cond);                  \
			abort();                                             \
		}                                                            \
	} while (0)

/* Values by canonical column, CF_SOURCE first; NULL ends a row. */
static const char *const rows[][CF_COUNT + 1] = {
	{ "crm", "1", "2", "张伟", "张", "伟", "M", "1985-03-07",
	  "+8613812345678", "", "zw@qq.com", "CN_RIC", "11010519491231002X",
	  "CN", "北京市", "北京市", "朝阳区", "北京市朝阳区建国路1号", "100020",
	  NULL },
	{ "pos", "2", "3", "張偉", "", "", "M", "1985-07-03",
	  "+8613812345678", "", "ZW@qq.com", "", "", "", "", "", "",
	  "北京朝阳建国路1号", NULL },
	{ "web", "3", "4", "Zhang Wei", "", "", "", "1985-03-07", "", "",
	  "zw@qq.com", "CN_RIC", "11010519491231002X", NULL },
	{ "web", "4", "5", "", "", "", "F", "", "", "", "", "", "", NULL },
};

#define N_ROWS (sizeof(rows) / sizeof(rows[0]))

static void check_output(const struct match *m)
{
	struct match_pair_info pi;
	struct strview src, id;
	struct buf cid, json;

	buf_init(&cid, BUF_NOLIMIT);
	buf_init(&json, BUF_NOLIMIT);
	for (size_t i = 0; i < N_ROWS; i++) {
		buf_reset(&cid);
		match_record_cluster(m, i, &src, &id, &cid);
		CHECK(src.len && id.len && cid.len);
	}
	for (size_t i = 0; i < match_n_pairs(m); i++) {
		match_pair(m, i, &pi);
		CHECK(pi.a_source_id.len && pi.b_source_id.len);
		CHECK(pi.probability >= 0 && pi.probability <= 1);
		buf_reset(&json);
		CHECK(match_pair_json(m, i, &json) == 0);
		CHECK(json.len && json.p[0] == '{');
	}
	buf_release(&json);
	buf_release(&cid);
}

static void run(struct match_rules *r)
{
	struct mbr_err err = MBR_ERR_INIT;
	struct match *m = match_new(r, 0);
	struct header h;
	struct record rec;

	header_init(&h);
	record_init(&rec);
	for (int i = 0; i < CF_COUNT; i++)
		header_add(&h, canon_name((enum canon_field)i));
	CHECK(match_begin(m, &h, MATCH_NEW, &err) == 0);
	for (size_t i = 0; i < N_ROWS; i++) {
		const char *const *v = rows[i];

		record_reset(&rec);
		for (int f = 0; f < CF_COUNT; f++) {
			const char *s = *v ? *v++ : "";

			CHECK(record_add(&rec, s, strlen(s)) == 0);
		}
		CHECK(match_add(m, &rec, &err) == 0);
	}
	CHECK(match_run(m, false, &err) == 0);
	CHECK(match_n_records(m) == N_ROWS);
	check_output(m);
	record_release(&rec);
	header_release(&h);
	match_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	static int fd = -1;
	static FILE *null;
	struct mbr_err err = MBR_ERR_INIT;
	struct match_rules *r;

	if (fd < 0) {
		fd = memfd_create("fuzz_match_rules", 0);
		CHECK(fd >= 0);
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		null = fopen("/dev/null", "w");
		CHECK(null != NULL);
	}
	CHECK(ftruncate(fd, 0) == 0);
	CHECK(pwrite(fd, data, size, 0) == (ssize_t)size);
	r = match_rules_new();
	CHECK(r != NULL);
	if (match_rules_load(r, path, &err) < 0) {
		CHECK(err.status == MBR_ECONFIG);
		CHECK(!strncmp(err.msg, path, strlen(path)));
	} else {
		CHECK(match_model_write(r, null, &err) == 0);
		run(r);
	}
	match_rules_free(r);
	return 0;
}
