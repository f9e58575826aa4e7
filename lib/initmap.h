/*
 * initmap: a starter mapping for an export nobody has mapped yet
 * (mbr-import --init-map FILE).
 *
 * The file's first bytes give the encoding (encoding_sniff), its first
 * lines the delimiter and whether row 1 is a header; then up to
 * INITMAP_MAX_ROWS rows are read and each column gets a canonical field
 * from its name (data/field-names.tsv: 手机, 手机号, mobile, cell ... ->
 * mobile) and from its values (11-digit 1xx numbers are mobiles, 18
 * characters with a valid check character are resident ID numbers,
 * emails, dates). The mapping written says, beside each field, why:
 * the evidence. Date fields get date(...) with the formats actually seen;
 * code fields (gender, tier, consent_marketing, id_type) a map(...) of the
 * values seen, from data/field-values.tsv, with the values it cannot map
 * listed to complete. Columns left unmapped are listed as comments.
 */
#ifndef MBR_INITMAP_H
#define MBR_INITMAP_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

#define INITMAP_MAX_ROWS 20000

/* The canonical field a column name stands for (enum canon_field), or
 * INITMAP_KEY for a member number, or -1. */
#define INITMAP_KEY 1000

struct initmap_names; /* opaque: the synonyms of data/field-names.tsv */

/* Load the synonyms from text (the file's contents; NUL-terminated).
 * NULL with err (MBR_ECONFIG naming the line) when it is malformed. */
struct initmap_names *initmap_names_parse(const char *text, const char *path,
					  struct mbr_err *err);
void initmap_names_free(struct initmap_names *n); /* NULL is fine */
/* The field name stands for (exact match after folding ASCII case and
 * dropping spaces, '_', '-' and '.'; else the longest synonym it holds,
 * for synonyms of two or more CJK characters or five or more letters),
 * with the synonym in *syn; -1 when none. */
int initmap_name_field(const struct initmap_names *n, const char *name,
		       const char **syn);

/* What a value looks like. */
enum initmap_shape {
	IM_OTHER,
	IM_MOBILE,    /* a mainland mobile: 1[3-9] and 9 digits, +86 ok */
	IM_ID_NUMBER, /* 17 digits and a digit or X, or 15 digits */
	IM_EMAIL,
	IM_DATE, /* fmt holds its date() format */
	IM_INT,	 /* digits, perhaps grouped with commas */
};

/* The shape of v (trimmed first); for IM_DATE the date() format that
 * reads it goes to fmt (size bytes), and *zone is true when it carries a
 * time zone (date() would drop it). */
enum initmap_shape initmap_shape(const char *v, char *fmt, size_t size,
				 int *zone);

/* Write a starter source mapping for the export at path to out.
 * MBR_EIO when it cannot be read, MBR_ECONFIG when a data file is bad. */
int initmap_write(const char *path, struct buf *out, struct mbr_err *err);

#endif
