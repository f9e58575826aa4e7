/*
 * fuzz_mapping: mapping files on arbitrary bytes.
 *
 * The input is written as a mapping file and loaded. A file that does not
 * load must say why with "PATH:LINE: " (MBR_ECONFIG). One that loads is
 * bound to a fixed header (a source export's columns, or the canonical
 * columns for a target mapping) and, when that works, applied to a few
 * records, ugly ones included: the output has mapping_n_out() fields and
 * then the [extra] ones.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mapping.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                          \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "fuzz_mapping: %s:%d: %s\n",         \
				__FILE__, __LINE__, #cond);                  \
			abort();                                             \
		}                                                            \
	} while (0)

static const char *const source_cols[] = {
	"id",	"name", "mobile", "email", "a",	   "b",	   "c",
	"姓名", "手机", "生日",	  "date",  "积分", "手机(主)", NULL,
};

static const char *const rows[][14] = {
	{ " 1001 ", "张伟", "１３８１２３４５６７８", "Zhang@QQ.COM", "", "x,y",
	  "\"q\"", "张", "13812345678", "1985/3/7", "07.03.1985", "1,200",
	  "+86 138", NULL },
	{ "", "", "", "", "", "", "", "", "", "", "", "", "", NULL },
	{ "7", "\xe3\x80\x80", NULL },
	{ "Y", "男", "女", "1", "0", "是", "-0", "99999999999999999999",
	  "2024-02-30", "\xef\xbf\xbd", "%Y", "*", "=", NULL },
};

static void fill_record(struct record *rec, const char *const *values,
			unsigned long row)
{
	record_reset(rec);
	for (; *values; values++)
		CHECK(record_add(rec, *values, strlen(*values)) == 0);
	rec->row = row;
}

static void apply_all(struct mapping *m, const struct header *h)
{
	bool target = mapping_info(m)->kind == MAPPING_TARGET;
	struct record in, out;
	struct buf issues;

	record_init(&in);
	record_init(&out);
	buf_init(&issues, BUF_NOLIMIT);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int n;

		fill_record(&in, rows[i], i + 1);
		/* A target mapping reads canonical records, as wide as h; a
		 * source row may be short. */
		while (target && in.n < header_count(h))
			record_add(&in, "", 0);
		buf_reset(&issues);
		n = mapping_apply(m, &in, &out, &issues);
		CHECK(n >= 0);
		CHECK(out.n == mapping_n_out(m) + mapping_n_extra(m));
		CHECK((n == 0) == (issues.len == 0));
	}
	for (size_t i = 0; i < mapping_n_out(m); i++)
		CHECK(mapping_out_name(m, i) != NULL);
	for (size_t i = 0; i < mapping_n_extra(m); i++)
		CHECK(mapping_extra_name(m, i) != NULL);
	record_release(&in);
	record_release(&out);
	buf_release(&issues);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	static int fd = -1;
	struct mbr_err err = MBR_ERR_INIT;
	struct mapping *m;
	struct header h;

	if (fd < 0) {
		fd = memfd_create("fuzz_mapping", 0);
		CHECK(fd >= 0);
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	CHECK(ftruncate(fd, 0) == 0);
	CHECK(pwrite(fd, data, size, 0) == (ssize_t)size);
	m = mapping_load(path, &err);
	if (!m) {
		CHECK(err.status == MBR_ECONFIG);
		CHECK(!strncmp(err.msg, path, strlen(path)));
		return 0;
	}
	header_init(&h);
	if (mapping_info(m)->kind == MAPPING_SOURCE) {
		for (size_t i = 0; source_cols[i]; i++)
			header_add(&h, source_cols[i]);
	} else {
		for (int i = 0; i < CF_COUNT; i++)
			header_add(&h, canon_name((enum canon_field)i));
	}
	if (mapping_bind(m, &h, "fuzz.csv", &err) == 0)
		apply_all(m, &h);
	else
		CHECK(err.status == MBR_ECONFIG && err.msg[0]);
	header_release(&h);
	mapping_free(m);
	return 0;
}
