/*
 * record: one row of the record stream, and the header that names its
 * columns.
 *
 * A record owns the bytes of its fields, stored one after another in one
 * buffer (each field NUL-terminated, so record_field(...).p is also a C
 * string). record_field returns a view valid until the record is next
 * changed or reset. Per-row work resets a record, it does not free it.
 */
#ifndef MBR_RECORD_H
#define MBR_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "canon.h"

/* A field larger than this makes its row a reject, not an allocation. */
#define RECORD_MAX_BYTES ((size_t)256 << 20)

struct record {
	size_t n;	    /* number of fields */
	size_t cap;	    /* slots in off and len */
	size_t *off;	    /* owned: field i starts at data.p + off[i] */
	size_t *len;	    /* owned: field i is len[i] bytes */
	struct buf data;    /* owned: all field bytes */
	unsigned long row;  /* 1-based record number in its input; 0 = header */
	unsigned long line; /* physical line where the row starts */
	const char *note;   /* borrowed from the reader until its next read:
			       what csvio_row_note says of the row, or NULL */
	size_t note_col;    /* the column note is about */
};

void record_init(struct record *r);
void record_release(struct record *r); /* zeroed or released is fine */
void record_reset(struct record *r);   /* no fields; keeps memory */
/* Append a field. -1 when the record would pass RECORD_MAX_BYTES. */
int record_add(struct record *r, const char *p, size_t len);
static inline int record_addsv(struct record *r, struct strview v)
{
	return record_add(r, v.p, v.len);
}
/* Replace field i (< n). Old bytes stay in data until reset. -1 past max. */
/* Add the fields f[0..n) (none may point into r), as record_add of each
 * would. */
int record_add_views(struct record *r, const struct strview *f, size_t n);
/* Add the fields f[0..n), views into p[0, len) in order, each followed by
 * at least one byte of p that no field holds (a delimiter, a quote) or by
 * p's end, as record_add of each would: p is copied once, and every byte
 * of the copy outside the fields made a NUL. */
int record_add_within(struct record *r, const char *p, size_t len,
		      const struct strview *f, size_t n);
/* Add the fields of p cut at every delim (one field when there is none),
 * as record_add of each would. */
int record_split(struct record *r, const char *p, size_t len, char delim);
int record_set(struct record *r, size_t i, const char *p, size_t len);
/* Field i, or an empty view when i >= n. Cannot fail. */
static inline struct strview record_field(const struct record *r, size_t i)
{
	if (i >= r->n)
		return svn("", 0);
	return svn(r->data.p + r->off[i], r->len[i]);
}
/* Make dst a copy of src's fields (and row, line). -1 past max. */
int record_copy(struct record *dst, const struct record *src);
/* Exchange the contents of a and b (fields, memory, row, line). Cannot
 * fail. */
void record_swap(struct record *a, struct record *b);

/* The header: names of the columns and where the canonical ones are. */
struct header {
	struct record names; /* owned */
	int canon[CF_COUNT]; /* column of each canonical field, or -1 */
	uint32_t folded;     /* bit f: canon[f] was found ignoring case */
};

void header_init(struct header *h);
void header_release(struct header *h);
/* Make h the header whose names are rec's fields (names trimmed of
 * spaces and a UTF-8 BOM). A canonical field no column names exactly is
 * found in a column that names it in another case ("Mobile"), and marked
 * in h->folded. -1 past max. */
int header_set(struct header *h, const struct record *rec);
/* Append a column name; returns its index. */
size_t header_add(struct header *h, const char *name);
/* Column index of name, or -1. */
int header_find(const struct header *h, const char *name);
/* Do a and b name the same columns in the same order? */
bool header_equal(const struct header *a, const struct header *b);
static inline size_t header_count(const struct header *h)
{
	return h->names.n;
}
/* A canonical field of rec per header h, or an empty view. */
static inline struct strview record_canon(const struct record *rec,
					  const struct header *h,
					  enum canon_field f)
{
	if (h->canon[f] < 0)
		return svn("", 0);
	return record_field(rec, (size_t)h->canon[f]);
}

#endif
