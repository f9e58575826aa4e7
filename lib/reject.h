/*
 * reject: the rejects file, and the count that proves nothing was lost.
 *
 * A rejects file is CSV with the tool's input columns, then `raw` (unless
 * the input already has it), then `reject_tool, reject_field,
 * reject_reason`. A row that could not be parsed keeps only `source`,
 * `source_row` and its bytes in `raw`. Every tool that filters keeps
 * in = out + rejected; reject_check_counts says when it does not.
 */
#ifndef MBR_REJECT_H
#define MBR_REJECT_H

#include <stdio.h>

#include "buf.h"
#include "err.h"
#include "record.h"

struct reject_file; /* opaque */

/* Start a rejects file on out (already opened, e.g. by cli_open_aux), for
 * records with header h (copied). The header row is written at once. */
struct reject_file *reject_new(FILE *out, const struct header *h,
			       const char *tool);
/* A record rejected for one or more reasons: field and reason are
 * "mobile;email" and "invalid;no dot in domain" style lists. */
void reject_record(struct reject_file *rf, const struct record *rec,
		   const char *field, const char *reason);
/* A row that could not be parsed: source and row number, its bytes. */
void reject_raw(struct reject_file *rf, struct strview source,
		unsigned long row, struct strview raw, const char *reason);
/* Flush; -1 with err (MBR_EIO) on a write error. */
int reject_flush(struct reject_file *rf, struct mbr_err *err);
unsigned long long reject_count(const struct reject_file *rf);
void reject_free(struct reject_file *rf); /* NULL is fine; out stays open */

#endif
