/*
 * extsort: sort more (key, value) entries than memory may hold, in a
 * fixed memory budget: entries gather in memory until the budget is
 * reached, are sorted and written out as a run (a temporary file), and
 * the runs are merged k ways on reading. mbr-reconcile sorts the target's
 * records by master ID with it, mbr-merge-id the records by cluster.
 *
 * What it promises:
 *  - Entries come back ordered by key, bytes compared as memcmp does (a
 *    key that is a prefix of another comes first); entries with equal keys
 *    come back in the order they were added (the sort is stable), so the
 *    result does not depend on the budget.
 *  - Memory stays near the budget: the entries held (their bytes and 48
 *    bytes of index each), plus one read buffer and one entry per run
 *    being merged (at most EXTSORT_FAN_IN at once: more runs are merged in
 *    passes). One entry larger than the budget is still sorted.
 *  - Temporary files are created 0600 (mkstemp) in the directory given
 *    (else $TMPDIR, else /tmp) and unlinked at once: they hold personal
 *    data and vanish when the process ends, however it ends.
 */
#ifndef MBR_EXTSORT_H
#define MBR_EXTSORT_H

#include <stddef.h>

#include "buf.h"
#include "err.h"
#include "record.h"

#define EXTSORT_FAN_IN 64 /* runs merged at once */

struct extsort; /* opaque */

/* A sorter holding about budget bytes in memory (at least 1 KiB is
 * used whatever is asked) and writing runs to tmpdir (NULL: $TMPDIR, else
 * /tmp). Cannot fail (allocation failure exits). */
struct extsort *extsort_new(size_t budget, const char *tmpdir);
void extsort_free(struct extsort *s); /* NULL is fine; closes the runs */

/* Add an entry (both copied). Only before extsort_finish. -1 with
 * MBR_EIO when a run cannot be written (disk full: the message names the
 * directory). */
int extsort_add(struct extsort *s, struct strview key, struct strview val,
		struct mbr_err *err);
/* No more entries: sort what is held, merge runs down to EXTSORT_FAN_IN,
 * and get ready to read. -1 with MBR_EIO on a write or read error. */
int extsort_finish(struct extsort *s, struct mbr_err *err);
/* The next entry in order: 1 with key and val set (views valid until the
 * next call), 0 at the end, -1 with MBR_EIO on a read error. */
int extsort_next(struct extsort *s, struct strview *key, struct strview *val,
		 struct mbr_err *err);

/* Entries added, and runs written to disk so far (0: all in memory). */
size_t extsort_count(const struct extsort *s);
size_t extsort_n_runs(const struct extsort *s);

/* A record's fields as one value (each field's length as LEB128, then
 * its bytes),
 * appended to out; and back: rec (reset first) from such a value. -1 when
 * out or rec passes its limit, or (unpack) val is not a packed record. */
int extsort_pack_record(const struct record *rec, struct buf *out);
int extsort_unpack_record(struct strview val, struct record *rec);

/* Parse a memory size: digits with an optional K, M or G (powers of
 * 1024; "256M"). -1 for anything else, or a size under 1 KiB. */
int extsort_parse_size(const char *s, size_t *out);
/* A sensible default budget: an eighth of physical memory, at most 256
 * MiB and at least 64 MiB. Past a few hundred MiB a larger budget buys
 * little: merge-id on a million records took less CPU time with runs on
 * disk at 256M (12.1 s, 335 MB peak) than all in memory at 1G (15.1 s,
 * 708 MB). Cannot fail. */
size_t extsort_default_budget(void);

#endif
