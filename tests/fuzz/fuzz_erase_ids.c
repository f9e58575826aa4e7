/*
 * fuzz_erase_ids: mbr-erase's list of master IDs (--ids FILE) on
 * arbitrary bytes.
 *
 * erase_add_ids must either fail with a message (MBR_ECONFIG naming the
 * line, or MBR_EIO) or add IDs that are non-empty and hold no space, tab,
 * comma, newline or NUL, with nothing else set.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "erase.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                    \
	do {                                                           \
		if (!(cond)) {                                         \
			fprintf(stderr, "fuzz_erase_ids: %s:%d: %s\n", \
				__FILE__, __LINE__, #cond);            \
			abort();                                       \
		}                                                      \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct erase_opts o = ERASE_OPTS_INIT;
	struct mbr_err err = MBR_ERR_INIT;
	FILE *f;
	int rc;

	if (size == 0)
		return 0; /* fmemopen refuses an empty buffer */
	f = fmemopen((void *)data, size, "r");
	if (!f)
		return 0;
	rc = erase_add_ids(&o, f, "ids.txt", &err);
	fclose(f);
	CHECK(rc == 0 || rc == -1);
	if (rc < 0)
		CHECK((err.status == MBR_ECONFIG || err.status == MBR_EIO) &&
		      err.msg[0]);
	else
		CHECK(o.n_items > 0);
	for (size_t i = 0; i < o.n_items; i++) {
		const char *id = o.items[i].a;

		CHECK(!o.items[i].is_record && !o.items[i].b);
		CHECK(id[0] && !strpbrk(id, " \t,\n"));
	}
	erase_opts_release(&o);
	return 0;
}
