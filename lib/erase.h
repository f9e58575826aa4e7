/*
 * erase: the right to deletion (PIPL art. 47): a member's personal data
 * out of the staging database, for mbr-erase.
 *
 * A request names members by master ID (--id, or a file of them) or by
 * one of their source records (--record SOURCE:SOURCE_ID: the member the
 * crosswalk gives it, or the record alone before mbr-merge-id has seen
 * it). The whole request is one run: all of it is erased, or (an unknown
 * ID, a write error) none of it. Then the file is compacted, so that no
 * free page or journal keeps an erased value (stage_compact). What stays
 * is stage.h's: tombstones and the retired ID, no personal data.
 */
#ifndef MBR_ERASE_H
#define MBR_ERASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "err.h"
#include "stage.h"

struct erase_item {
	bool is_record; /* SOURCE:SOURCE_ID, else a master ID in a */
	char *a;	/* owned: master ID, or source */
	char *b;	/* owned: source_id, or NULL */
};

struct erase_opts {
	struct erase_item *items; /* owned */
	size_t n_items;
	const char *reason; /* borrowed: kept in the tombstones; NULL: the
			       default */
	bool dry;	    /* count what would go, then roll back; no vacuum */
};

#define ERASE_DEFAULT_REASON "erasure request"
#define ERASE_OPTS_INIT              \
	{                            \
		NULL, 0, NULL, false \
	}

/* Add a master ID. MBR_ECONFIG when empty. */
int erase_add_id(struct erase_opts *o, const char *id, struct mbr_err *err);
/* Add the master IDs of a file: one a line; blank lines and lines
 * starting with '#' skipped, spaces around an ID dropped. MBR_EIO when
 * the file cannot be read, MBR_ECONFIG (path:line) for a line with a
 * space, tab, comma or NUL inside, or a file with no ID. */
int erase_add_ids_file(struct erase_opts *o, const char *path,
		       struct mbr_err *err);
/* The same from f (borrowed, read to its end); path names it in
 * messages. On failure the IDs of lines before the bad one stay added. */
int erase_add_ids(struct erase_opts *o, FILE *f, const char *path,
		  struct mbr_err *err);
/* Add "SOURCE:SOURCE_ID" (split at the first ':'). MBR_ECONFIG when a
 * part is empty. */
int erase_add_record(struct erase_opts *o, const char *spec,
		     struct mbr_err *err);
void erase_opts_release(struct erase_opts *o);

struct erase_result {
	struct stage_erased n;	    /* what went, per table */
	unsigned long long already; /* items erased before */
};

/* Erase every item in one run of st (tool "mbr-erase"), commit, compact.
 * -1 with err: nothing erased (unless compacting failed after the
 * commit: MBR_EIO, and the message says so). */
int erase_run(struct stage *st, const struct erase_opts *o,
	      struct erase_result *r, struct mbr_err *err);

#endif
