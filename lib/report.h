/*
 * report: the duplicate audit as one self-contained HTML file
 * (mbr-report).
 *
 * Inputs: the records with their cluster_id (mbr-dedupe's output, or the
 * staging database's records and latest clusters), the scored pairs
 * (mbr-dedupe --pairs, or the pairs table) and, from the database, the
 * run log. The page holds: the profile (profile.h); the run log (in, out,
 * rejected, flagged per run; points in the records against points in the
 * masters); histograms of cluster sizes and of match weights with the
 * thresholds marked; the source overlap matrix (clusters holding records
 * of both sources); the largest and the least coherent clusters (lowest
 * weight that joined them); the review pairs and an evenly spaced sample
 * of merged pairs, both records side by side with each comparison's
 * level and weight and a waterfall of the weights. Review pairs can be
 * marked match / no-match / skip in the page (plain JavaScript, state in
 * localStorage) and downloaded as the decisions CSV mbr-dedupe
 * --decisions reads. Under --db, pairs with a stored decision (the
 * decisions table) are not listed for review again.
 *
 * Nothing is loaded from the network: styles, script and charts (inline
 * SVG) are in the file, and a Content-Security-Policy forbids anything
 * else. Every value is HTML-escaped; personal values are masked unless
 * the options say unmasked.
 *
 * Memory: the pairs take 24 bytes each, the records 16 bytes each (which
 * cluster holds them) plus their cluster's entry; only the records shown
 * are kept whole. The records are read twice (the second time for the
 * members of the clusters shown), so they must come from files or the
 * database, not standard input.
 */
#ifndef MBR_REPORT_H
#define MBR_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "buf.h"
#include "err.h"
#include "profile.h"

struct stage;

struct report_opts {
	bool unmasked;
	unsigned max_review;	  /* review pairs shown */
	unsigned sample;	  /* merged pairs shown */
	unsigned clusters;	  /* largest / least coherent clusters shown */
	double match_w, review_w; /* thresholds (match weights) */
	const char *title;
};

#define REPORT_OPTS_INIT                                             \
	{                                                            \
		false, 200, 20, 10, 4.25, 0.0, "mbr duplicate audit" \
	}

/* Where the report's inputs are: a database, or files. */
struct report_input {
	struct stage *st;	    /* or NULL: files */
	const char *db_name;	    /* for messages */
	const char *const *records; /* record files (with cluster_id) */
	size_t n_records;
	const char *pairs;	     /* pairs CSV, or NULL */
	const char *const *rejected; /* rejects files for the profile */
	size_t n_rejected;
};

/* Write the report to out. -1 with err on an input error (naming the
 * file and what was expected) or a write error. tally counts the records
 * read (the first pass). */
int report_write(const struct report_opts *o, const struct report_input *in,
		 FILE *out, struct rs_tally *tally, struct mbr_err *err);

/* Histograms. */
#define REPORT_SIZE_BINS 9
/* The bin of a cluster of size n (>= 1): 1, 2, 3, 4, 5, 6-10, 11-20,
 * 21-50, 51+. */
unsigned report_size_bin(unsigned long n);
const char *report_size_label(unsigned bin);
/* Bins of width for values from min to max: lo a multiple of width at or
 * below min, nb bins (1 to max_bins) reaching past max; width is
 * widened (1, 2, 5 times a power of ten) until nb fits. */
void report_bins(double min, double max, unsigned max_bins, double *lo,
		 double *width, unsigned *nb);
/* The bin of v: clamped to 0 .. nb - 1. */
unsigned report_bin(double v, double lo, double width, unsigned nb);

#endif
