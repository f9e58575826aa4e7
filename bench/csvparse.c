/*
 * csvparse: the floor for the stream tools. Parses a CSV file with libcsv
 * (the parser mbr's csvio is built on) and counts rows and field bytes,
 * nothing else: no decoding, no records, no output. bench/stream.sh times
 * every stream tool against it on the same file.
 *
 *   cc -O2 bench/csvparse.c -lcsv -o bench/out/csvparse
 *   bench/out/csvparse FILE
 */
#include <csv.h>
#include <stdio.h>
#include <stdlib.h>

struct count {
	unsigned long long rows, fields, bytes;
};

static void on_field(void *s, size_t len, void *data)
{
	struct count *c = data;

	(void)s;
	c->fields++;
	c->bytes += len;
}

static void on_row(int ch, void *data)
{
	struct count *c = data;

	(void)ch;
	c->rows++;
}

int main(int argc, char **argv)
{
	static char buf[1 << 16];
	struct csv_parser p;
	struct count c = {0, 0, 0};
	FILE *f;
	size_t n;

	if (argc != 2 || !(f = fopen(argv[1], "rb"))) {
		fprintf(stderr, "usage: csvparse FILE\n");
		return 2;
	}
	if (csv_init(&p, 0) != 0)
		return 1;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		if (csv_parse(&p, buf, n, on_field, on_row, &c) != n)
			return 1;
	csv_fini(&p, on_field, on_row, &c);
	csv_free(&p);
	fclose(f);
	printf("%llu rows, %llu fields, %llu bytes\n", c.rows, c.fields,
	       c.bytes);
	return 0;
}
