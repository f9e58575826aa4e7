/*
 * json: the JSON (RFC 8259) mbr reads and writes: strings, and objects of
 * strings. The staging database keeps pass-through columns and rejected
 * records as such objects; mbr-export writes JSON Lines; reports write
 * JSON. One escaper, one decoder.
 *
 * Writing: '"', '\\' and the control characters are escaped (\n, \t ...,
 * else \u00XX); every other byte is copied, so valid UTF-8 stays as it is
 * and nothing is lost. Reading: the escapes RFC 8259 allows, \uXXXX with
 * surrogate pairs decoded to UTF-8.
 */
#ifndef MBR_JSON_H
#define MBR_JSON_H

#include <stdbool.h>

#include "buf.h"
#include "record.h"

/* Does a report path ask for JSON: does it end in ".json"? (--report of
 * mbr-validate and mbr-dedupe: CSV otherwise.) */
bool json_path(const char *path);

/* Append v to out as a JSON string (in quotes). */
void json_str(struct buf *out, struct strview v);
/* Append rec as the object {name: value, ...} of the columns h names (a
 * column past the header has no name to go under, and is left out). */
void json_record(struct buf *out, const struct header *h,
		 const struct record *rec);
/* Decode the JSON string at *pp (just after its opening quote) into out,
 * and move *pp past its closing quote. -1 when it is malformed (*pp and
 * what was appended are then not to be used). */
int json_unstr(const char **pp, const char *end, struct buf *out);

#endif
