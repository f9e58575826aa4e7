/*
 * fuzz_csvio: the record stream on arbitrary bytes.
 *
 * The input is written to a memory file and read whole in UTF-8, GB18030,
 * UTF-16LE and "auto". Beyond "no crash, no leak", each reading must keep
 * its promises: rows are numbered 1, 2, 3... (records in = good + bad),
 * a bad row has a reason, a good row has the header's field count and
 * valid UTF-8 without NUL bytes, and good rows' lines increase. Then the
 * good rows go through the writer and back through the reader, which must
 * give the same rows (reader(writer(x)) == x), and the file read twice as
 * two files must give every row twice.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "csvio.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                         \
	do {                                                                \
		if (!(cond)) {                                              \
			fprintf(stderr, "fuzz_csvio: %s:%d: %s\n", __FILE__, \
				__LINE__, #cond);                           \
			abort();                                            \
		}                                                           \
	} while (0)

/* A memory file holding the input, and one for the writer's output. */
static int mem_fd(const char *name, char *path, size_t size)
{
	int fd = memfd_create(name, 0);

	CHECK(fd >= 0);
	snprintf(path, size, "/proc/self/fd/%d", fd);
	return fd;
}

static void set_file(int fd, const void *p, size_t len)
{
	CHECK(ftruncate(fd, 0) == 0);
	CHECK(pwrite(fd, p, len, 0) == (ssize_t)len);
}

struct result {
	unsigned long n_good, n_bad;
	struct record *rows;	/* owned: the good rows */
	size_t n_rows, cap_rows;
	bool error;		/* the reading ended with CSVIO_ERROR */
};

static void result_release(struct result *res)
{
	for (size_t i = 0; i < res->n_rows; i++)
		record_release(&res->rows[i]);
	free(res->rows);
	memset(res, 0, sizeof(*res));
}

static void keep_row(struct result *res, const struct record *rec)
{
	if (res->n_rows == res->cap_rows) {
		res->cap_rows = res->cap_rows ? res->cap_rows * 2 : 16;
		res->rows = realloc(res->rows,
				    res->cap_rows * sizeof(*res->rows));
		CHECK(res->rows);
	}
	record_init(&res->rows[res->n_rows]);
	CHECK(record_copy(&res->rows[res->n_rows], rec) == 0);
	res->n_rows++;
}

static void check_good(const struct csvio_reader *r, const struct record *rec,
		       unsigned long *last_line)
{
	CHECK(rec->n == header_count(csvio_header(r)));
	CHECK(rec->line > *last_line);
	*last_line = rec->line;
	for (size_t i = 0; i < rec->n; i++) {
		struct strview v = record_field(rec, i);

		CHECK(utf8_is_valid(v));
		CHECK(!memchr(v.p, '\0', v.len));
	}
}

/* Read paths[0..n) in enc; rows of each file are numbered from 1. */
static void read_all(const char *const *paths, size_t n, const char *enc,
		     size_t *n_cols, struct result *res)
{
	struct csvio_opts o = CSVIO_OPTS_INIT;
	struct mbr_err err = MBR_ERR_INIT;
	struct csvio_reader *r;
	struct record rec;
	enum csvio_status st;
	unsigned long expect = 1, last_line = 0;

	memset(res, 0, sizeof(*res));
	o.encoding = enc;
	r = csvio_open(paths, n, &o, &err);
	if (!r) {
		CHECK(err.status != MBR_OK && err.msg[0]);
		res->error = true;
		return;
	}
	if (n_cols)
		*n_cols = header_count(csvio_header(r));
	record_init(&rec);
	while ((st = csvio_read(r, &rec, &err)) > 0) {
		unsigned long row = st == CSVIO_ROW ? rec.row
						    : csvio_bad_row(r);

		/* A new file starts again at row 1, line 1. */
		if (row == 1) {
			expect = 1;
			last_line = 0;
		}
		CHECK(row == expect);
		expect++;
		if (st == CSVIO_ROW) {
			res->n_good++;
			check_good(r, &rec, &last_line);
			keep_row(res, &rec);
		} else {
			res->n_bad++;
			CHECK(csvio_bad_reason(r)[0] != '\0');
		}
	}
	if (st == CSVIO_ERROR) {
		CHECK(err.msg[0]);
		res->error = true;
	}
	record_release(&rec);
	csvio_close(r);
}

/* Write a header as wide as the input's and the good rows, read them
 * back: the same rows. (The input's own header is not written: a first
 * name starting with U+FEFF would be read back as a byte order mark.) */
static void check_round_trip(size_t n_cols, const struct result *res)
{
	static char out_path[64];
	static int out_fd = -1;
	const char *path = out_path;
	struct mbr_err err = MBR_ERR_INIT;
	struct csvio_writer *w;
	struct result back;
	struct header hdr;
	char *mem = NULL;
	size_t len = 0;
	FILE *f;

	if (out_fd < 0)
		out_fd = mem_fd("fuzz_csvio_out", out_path, sizeof(out_path));
	f = open_memstream(&mem, &len);
	CHECK(f);
	w = csvio_writer_new(f, ',');
	header_init(&hdr);
	for (size_t i = 0; i < n_cols; i++)
		header_add(&hdr, "c");
	csvio_write_header(w, &hdr);
	header_release(&hdr);
	for (size_t i = 0; i < res->n_rows; i++)
		csvio_write(w, &res->rows[i]);
	CHECK(csvio_writer_flush(w, &err) == 0);
	csvio_writer_free(w);
	fclose(f);
	set_file(out_fd, mem, len);
	free(mem);
	read_all(&path, 1, "UTF-8", NULL, &back);
	CHECK(!back.error);
	CHECK(back.n_bad == 0);
	CHECK(back.n_rows == res->n_rows);
	for (size_t i = 0; i < res->n_rows; i++) {
		CHECK(back.rows[i].n == res->rows[i].n);
		for (size_t j = 0; j < res->rows[i].n; j++)
			CHECK(sv_eq(record_field(&back.rows[i], j),
				    record_field(&res->rows[i], j)));
	}
	result_release(&back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const encs[] = { "UTF-8", "GB18030", "UTF-16LE",
					    "auto" };
	static char in_path[64];
	static int in_fd = -1;
	const char *paths[2] = { in_path, in_path };

	if (in_fd < 0)
		in_fd = mem_fd("fuzz_csvio_in", in_path, sizeof(in_path));
	set_file(in_fd, data, size);
	for (size_t e = 0; e < sizeof(encs) / sizeof(encs[0]); e++) {
		struct result one, two;
		size_t n_cols = 0;

		read_all(paths, 1, encs[e], &n_cols, &one);
		if (!one.error) {
			check_round_trip(n_cols, &one);
			/* The same file twice: every row twice. */
			read_all(paths, 2, encs[e], NULL, &two);
			CHECK(!two.error);
			CHECK(two.n_good == 2 * one.n_good);
			CHECK(two.n_bad == 2 * one.n_bad);
			result_release(&two);
		}
		result_release(&one);
	}
	return 0;
}
