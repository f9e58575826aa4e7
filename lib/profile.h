/*
 * profile: what the records hold, per source and field (mbr-profile, and
 * the first part of mbr-report).
 *
 * Records arrive through the record loop (profile_handler); for each
 * source (the source column, else the input's file name) and each column
 * it counts filled values, distinct values, the most common values (those
 * seen twice or more) and
 * the value shapes (profile_shape). The _issues column gives flag counts
 * by reason; rejects (a rejects file or the staging rejects table, fed
 * through profile_add_reject) give reject counts by reason. Exact keys
 * (mobile, id_number, email) give likely duplicates (a value held by two
 * records or more) and the overlap between sources (how many distinct
 * values each combination of sources shares), and people: records that
 * share any exact key are one person, counted by the sources the person
 * has records in (how many people are in POS and web shop and CRM).
 *
 * Memory is bounded per field, not per record, except for the exact keys:
 *  - distinct values are counted exactly up to PROFILE_EXACT_DISTINCT,
 *    then estimated (HyperLogLog, 4096 registers: about 1.6% error) and
 *    shown with "~";
 *  - at most PROFILE_TOP_TRACK values (PROFILE_SHAPE_TRACK shapes) are
 *    counted per field; when the table is full, the values seen least
 *    are dropped, and counts from then on are lower bounds (shown with
 *    ">=");
 *  - the exact keys take 16 bytes per record and key (a hash, the
 *    source and the record number), sorted once at the end; people take
 *    1 byte per record, and 12 more while they are counted.
 * Values of personal fields (name, mobile, phone, id_number, email,
 * address and the columns they cover, mask.h) are masked unless the
 * options say unmasked.
 */
#ifndef MBR_PROFILE_H
#define MBR_PROFILE_H

#include <stdbool.h>
#include <stdio.h>

#include "buf.h"
#include "err.h"
#include "recstream.h"

#define PROFILE_MAX_SOURCES 32	    /* more: "(other sources)" */
#define PROFILE_MAX_FIELDS 256	    /* more columns are not profiled */
#define PROFILE_EXACT_DISTINCT 4096 /* distinct counted exactly up to */
#define PROFILE_TOP_TRACK 1024	    /* values counted per field */
#define PROFILE_SHAPE_TRACK 128	    /* shapes counted per field */
#define PROFILE_REASON_TRACK 256    /* flag/reject reasons per source */
#define PROFILE_SHAPE_MAX 32	    /* characters of a shape shown */
#define PROFILE_N_KEYS 3	    /* mobile, id_number, email */

enum profile_format { PROFILE_TABLE, PROFILE_CSV, PROFILE_JSON };

struct profile_opts {
	bool unmasked; /* show personal values as they are */
	unsigned top;  /* top values and shapes listed per field */
};

#define PROFILE_OPTS_INIT \
	{                 \
		false, 5  \
	}

struct profile;

struct profile *profile_new(const struct profile_opts *o);
void profile_free(struct profile *p); /* NULL is fine */

/* The record handler that profiles every record it is given (and passes
 * it unchanged). */
void profile_handler(struct profile *p, struct rs_handler *h);
/* The same work for a caller's own handler: bind to a header, add one
 * record. */
int profile_bind(struct profile *p, const struct header *h, const char *name);
void profile_record(struct profile *p, const struct record *rec);

/* A reject: source, the tool, and reject.h's field and reason lists
 * ("mobile;email", "invalid;no dot in domain"). */
void profile_add_reject(struct profile *p, struct strview source,
			struct strview tool, struct strview fields,
			struct strview reasons);
/* Read rejects from a rejects CSV (source, reject_tool, reject_field,
 * reject_reason columns, as every tool writes them) or a cursor with
 * those columns (stage_read_rejects). */
int profile_read_rejects(struct profile *p, const char *path,
			 struct mbr_err *err);
struct stage_cursor;
int profile_read_rejects_cursor(struct profile *p, struct stage_cursor *c,
				struct mbr_err *err);

/* Sort and count what needs the whole input (duplicates, overlap). Once,
 * after the last record. */
void profile_finish(struct profile *p);

/* Write the profile (after profile_finish). */
int profile_write(const struct profile *p, enum profile_format f, FILE *out,
		  struct mbr_err *err);
/* Append the profile as HTML sections (escaped, for mbr-report). */
void profile_html(const struct profile *p, struct buf *out);

/* The shape of v: ASCII digits N, full-width digits Ｎ, runs of ASCII
 * letters one A (of other letters one L, of full-width letters one Ａ),
 * each Han character C, control characters ?, anything else as it is;
 * at most PROFILE_SHAPE_MAX characters then "…". A value that is a
 * number in scientific notation (4.4E+17, as a spreadsheet writes a long
 * ID) ends in " (scientific)"; one with full-width digits in
 * " (full-width digits)". Empty v: empty shape. */
void profile_shape(struct strview v, struct buf *out);

/* Is field personal (name, mobile, phone, id_number, email, address, or
 * a column their masks cover)? Its values are shown masked. */
bool profile_personal(const char *field);

/* Number of records profiled. */
unsigned long long profile_records(const struct profile *p);

#endif
