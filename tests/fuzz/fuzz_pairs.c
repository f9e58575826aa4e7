/*
 * fuzz_pairs: pairs files for mbr-dedupe --from-pairs (match_load_pairs)
 * on arbitrary bytes.
 *
 * A few look-alike records are loaded; shard 0/1 of them gives the real
 * header (its fingerprint). An input whose first byte is even is that
 * header followed by the rest of the input as rows; an odd one is the
 * rest of the input as the whole file. A file that does not load must
 * say why (MBR_ECONFIG or MBR_EIO, naming the file or --from-pairs);
 * one that loads clusters: match_run succeeds, every record gets a
 * cluster id, every pair names two records of the run.
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
			fprintf(stderr, "fuzz_pairs: %s:%d: %s\n", __FILE__, \
				__LINE__, #cond);                            \
			abort();                                             \
		}                                                            \
	} while (0)

/* Values by canonical column, CF_SOURCE first; NULL ends a row. */
static const char *const rows[][CF_COUNT + 1] = {
	{"crm",
	 "1",
	 "2",
	 "张伟",
	 "张",
	 "伟",
	 "M",
	 "1985-03-07",
	 "+8613812345678",
	 "",
	 "zw@qq.com",
	 "CN_RIC",
	 "11010519491231002X",
	 "CN",
	 "北京市",
	 "北京市",
	 "朝阳区",
	 "北京市朝阳区建国路1号",
	 "100020",
	 NULL},
	{"pos", "2", "3", "張偉", "", "", "M", "1985-07-03", "+8613812345678",
	 "", "ZW@qq.com", "", "", "", "", "", "", "北京朝阳建国路1号", NULL},
	{"web", "3", "4", "Zhang Wei", "", "", "", "1985-03-07", "", "",
	 "zw@qq.com", "CN_RIC", "11010519491231002X", NULL},
	{"web", "4", "5", "", "", "", "F", "", "", "", "", "", "", NULL},
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
	record_release(&rec);
	header_release(&h);
	return m;
}

/* The header line shard 0/1 of the records writes (owned). */
static char *real_header(struct match_rules *r)
{
	struct mbr_err err = MBR_ERR_INIT;
	struct match *m = load(r);
	char *text = NULL, *nl;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	CHECK(f != NULL);
	match_set_shard(m, 0, 1);
	CHECK(match_run(m, false, &err) == 0);
	CHECK(match_write_shard(m, f, &err) == 0);
	CHECK(fclose(f) == 0);
	nl = strchr(text, '\n');
	CHECK(nl != NULL);
	nl[1] = '\0';
	match_free(m);
	return text;
}

static void check_clusters(const struct match *m)
{
	struct match_pair_info pi;
	struct strview src, id;
	struct buf cid;

	buf_init(&cid, BUF_NOLIMIT);
	for (size_t i = 0; i < N_ROWS; i++) {
		buf_reset(&cid);
		match_record_cluster(m, i, &src, &id, &cid);
		CHECK(src.len && id.len && cid.len);
	}
	for (size_t i = 0; i < match_n_pairs(m); i++) {
		match_pair(m, i, &pi);
		CHECK(pi.a_source_id.len && pi.b_source_id.len);
		CHECK(pi.probability >= 0 && pi.probability <= 1);
	}
	buf_release(&cid);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	static char *header;
	static int fd = -1;
	static struct match_rules *r;
	struct mbr_err err = MBR_ERR_INIT;
	const char *paths[1] = {path};
	struct match *m;
	size_t at = 0;

	if (fd < 0) {
		fd = memfd_create("fuzz_pairs", 0);
		CHECK(fd >= 0);
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		r = match_rules_new();
		header = real_header(r);
	}
	if (size == 0)
		return 0;
	CHECK(ftruncate(fd, 0) == 0);
	if (data[0] % 2 == 0) {
		at = strlen(header);
		CHECK(pwrite(fd, header, at, 0) == (ssize_t)at);
	}
	CHECK(pwrite(fd, data + 1, size - 1, (off_t)at) == (ssize_t)(size - 1));
	m = load(r);
	if (match_load_pairs(m, paths, 1, &err) < 0) {
		CHECK(err.status == MBR_ECONFIG || err.status == MBR_EIO);
		CHECK(strstr(err.msg, path) || strstr(err.msg, "--from-pairs"));
	} else {
		CHECK(match_run(m, false, &err) == 0);
		check_clusters(m);
	}
	match_free(m);
	return 0;
}
