/*
 * fuzz_initmap: the starter-mapping guesser's parsers on arbitrary bytes.
 *
 * The input is read three ways: as a synonyms file (initmap_names_parse
 * must give names or fail with "PATH:LINE: ..."), each of its lines as a
 * value (initmap_shape must give a known shape, and for IM_DATE a
 * NUL-terminated format that date() accepts), and whole as the start of
 * a file for encoding_sniff (one of its five names). Then the input is a
 * whole export: initmap_write must write a mapping or fail with a
 * message, and a mapping it writes must start with its comment block.
 * (Data files from $MBR_DATADIR, else data/: run from the top.)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "encoding.h"
#include "initmap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "fuzz_initmap: %s:%d: %s\n", __FILE__, \
				__LINE__, #cond);                              \
			abort();                                               \
		}                                                              \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mbr_err err = MBR_ERR_INIT;
	struct initmap_names *n;
	char *text = malloc(size + 1);
	const char *enc, *syn;
	bool bom;

	memcpy(text, data, size);
	text[size] = '\0';
	n = initmap_names_parse(text, "f", &err);
	if (n) {
		CHECK(initmap_name_field(n, text, &syn) >= -1);
		initmap_names_free(n);
	} else {
		CHECK(!strncmp(err.msg, "f:", 2));
	}
	for (char *line = text, *next; line; line = next) {
		char fmt[64];
		int zone;
		enum initmap_shape s;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		s = initmap_shape(line, fmt, sizeof(fmt), &zone);
		CHECK(s <= IM_INT);
		if (s == IM_DATE)
			CHECK(memchr(fmt, '\0', sizeof(fmt)) && fmt[0]);
	}
	{
		char path[] = "/tmp/fuzz_initmap_XXXXXX";
		int fd = mkstemp(path);
		struct buf out;

		CHECK(fd >= 0);
		CHECK(write(fd, data, size) == (ssize_t)size);
		close(fd);
		if (!getenv("MBR_DATADIR"))
			setenv("MBR_DATADIR", "data", 1);
		buf_init(&out, BUF_NOLIMIT);
		if (initmap_write(path, &out, &err) == 0)
			CHECK(!strncmp(out.p, "# Starter mapping for ", 22));
		else
			CHECK(err.msg[0] != '\0');
		buf_release(&out);
		unlink(path);
	}
	enc = encoding_sniff((const char *)data, size, &bom);
	CHECK(!strcmp(enc, "UTF-8") || !strcmp(enc, "UTF-16LE") ||
	      !strcmp(enc, "UTF-16BE") || !strcmp(enc, "GB18030") ||
	      !strcmp(enc, "BIG5"));
	free(text);
	return 0;
}
