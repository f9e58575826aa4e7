/*
 * reconcile: after the load, check that what arrived in the target system
 * is what left the staging database (mbr-reconcile).
 *
 * The target's own export is read through a [source] mapping like any
 * source (import.h), and both sides, the golden masters and the target's
 * records, are normalised the same way (normalize.h) before anything is
 * compared. Members are matched on the master ID: the target record's
 * master_id column when its mapping has one (an [extra] entry), else its
 * key; or (by_xref) its key looked up in the crosswalk as (the mapping's
 * source name, key).
 *
 * The compare is a sort-merge in bounded memory: the masters come from
 * the database ordered by master_id, the target's records through
 * extsort.h (in memory up to the budget, then sorted runs in 0600
 * temporary files), and the two streams are walked together once.
 *
 * It reports members missing in the target, extra in the target (or
 * there twice), field-level differences, and totals on both sides: the
 * member count, the points sum overall and per tier, and per compared
 * field an order-free checksum of the normalised values (the sum of
 * hash(master ID, value)). Values in the report and the difference list
 * are masked (mask.h).
 */
#ifndef MBR_RECONCILE_H
#define MBR_RECONCILE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"
#include "mapping.h"
#include "recstream.h"

struct stage;

struct reconcile_opts {
	struct mapping *map;	  /* borrowed: the target's [source] map */
	const char *const *files; /* borrowed: the target's export files */
	size_t n_files;
	bool by_xref;	    /* match the key through the crosswalk */
	uint32_t fields;    /* 1 << CF_x to compare; 0: every canonical
			      field the mapping fills (not source,
			      source_id, source_row) */
	size_t memory;	    /* the sort's budget in bytes */
	const char *tmpdir; /* for the sort's runs; NULL: $TMPDIR, /tmp */
	bool strict;	    /* an unreadable target row stops the run */
	size_t show;	    /* differences listed in the report */
};

struct reconcile_result {
	unsigned long long n_staging, n_target; /* members on each side */
	unsigned long long missing;	/* in the staging masters only */
	unsigned long long extra;	/* in the target only */
	unsigned long long duplicate;	/* a master ID twice in the target */
	unsigned long long changed;	/* members with a field difference */
	unsigned long long field_diffs; /* field differences in all */
	unsigned long long unreadable;	/* target rows rejected on reading */
	size_t runs;			/* sort runs written to disk */
};

/* Does the result show any difference at all? */
bool reconcile_differs(const struct reconcile_result *r);

/* Compare the masters of st (open, no run needed: nothing is written)
 * with the target export. The report (totals, then the first o->show
 * differences) goes to report; every difference, as CSV (master_id,
 * target_key, difference, field, staging, target; values masked), to diff
 * when not NULL. The target's rows are counted in t (rejected: rows that
 * cannot be read or have no key, warned about through recstream). -1 with
 * err: the mapping does not fit the export (MBR_ECONFIG), a read or write
 * error (MBR_EIO). */
int reconcile_run(struct stage *st, const struct reconcile_opts *o,
		  FILE *report, FILE *diff, struct rs_tally *t,
		  struct reconcile_result *res, struct mbr_err *err);

#endif
