/*
 * validate: mbr-validate's stream. Records in; records that pass out
 * (flagged ones with the reasons appended to _issues); rejected ones to
 * the rejects with every failing rule; counts per rule for the report.
 *
 * Every record is accounted for: in = out + rejected, always. A record
 * fails when any rule (rules.h) fails on it. It is rejected when one of
 * its failing rules has severity reject (and the run is not flag-only);
 * then reject_field lists the fields of all its failing rules and
 * reject_reason their reasons, both joined by ';', in rule order. Else it
 * passes, and each failure is appended to its _issues column as
 * "field:reason" (';'-joined, after what normalize wrote there; an entry
 * already present is not added twice, so validating twice changes
 * nothing). The output has the input's columns, then _issues when the
 * input has none.
 *
 * A row the reader cannot parse is rejected too (reject_raw: its bytes,
 * its record number; `source` then holds the input file's name) and
 * counted in the report as rule "unreadable_row".
 *
 * With a staging database the records table is validated in place: a
 * rejected record moves to the rejects table, a flagged one is updated
 * with its _issues, in the caller's run (one transaction).
 *
 * --max-reject-rate: when more than that fraction of the records in
 * would be rejected, validate_check_limit fails with MBR_ELIMIT after the
 * run, so that the caller commits nothing.
 */
#ifndef MBR_VALIDATE_H
#define MBR_VALIDATE_H

#include <stdbool.h>
#include <stdio.h>

#include "err.h"
#include "record.h"
#include "recstream.h"
#include "rules.h"

struct validate_opts {
	bool flag_only;		/* every failure flags; nothing is rejected */
	double max_reject_rate; /* 0..1; fail with MBR_ELIMIT above it;
				   negative: no limit */
	const char *tool;	/* reject_tool: "mbr-validate" */
};

#define VALIDATE_OPTS_INIT                  \
	{                                   \
		false, -1.0, "mbr-validate" \
	}

struct validate; /* opaque: rules bound to a header, scratch buffers */

/* A validator over rules (borrowed; must outlive it). Cannot fail. */
struct validate *validate_new(struct rules *rules,
			      const struct validate_opts *opts);
void validate_free(struct validate *v); /* NULL is fine */

/*
 * One record at a time
 */

/* Start an input with header h: binds the rules (MBR_ECONFIG for a field
 * the input lacks) and makes the output header. */
int validate_bind(struct validate *v, const struct header *h,
		  struct mbr_err *err);
/* The output header: h, plus _issues at the end when h has none. */
const struct header *validate_header(const struct validate *v);

enum validate_verdict {
	VALIDATE_PASS,	 /* no rule failed */
	VALIDATE_FLAG,	 /* passes; rec's _issues has the reasons */
	VALIDATE_REJECT, /* see validate_reject_field/_reason */
};

/* Check rec (a record of the bound header). Unless it is rejected, rec is
 * made a record of the output header: its _issues column added or
 * updated. A rejected rec is left as it was. Cannot fail, but the unique
 * rules' on-disk store can (rules_status; the handler stops on it). */
enum validate_verdict validate_record(struct validate *v, struct record *rec);
/* For the last VALIDATE_REJECT: "mobile;email" and the reasons, owned by
 * v, valid until the next validate_record. */
const char *validate_reject_field(const struct validate *v);
const char *validate_reject_reason(const struct validate *v);

/*
 * Whole runs
 */

/* The record handler of mbr-validate (recstream.h), the same for a stream
 * and the staging database: a record passes (unchanged), is flagged
 * (its _issues updated) or is rejected with every failing rule. */
void validate_handler(struct validate *v, struct rs_handler *h);
/* After the run: MBR_ELIMIT when more than opts.max_reject_rate of the
 * records in c were rejected (the caller then commits nothing), else 0. */
int validate_check_limit(const struct validate *v, const struct rs_tally *c,
			 struct mbr_err *err);

enum validate_report_format {
	VALIDATE_REPORT_CSV,  /* rule,field,test,severity,checked,failed */
	VALIDATE_REPORT_JSON, /* totals and the same per rule */
};

/* The format a report path asks for: JSON when it ends in ".json". */
enum validate_report_format validate_report_format(const char *path);
/* Write the counts of the run (per rule; severities as applied, so flag
 * everywhere under flag-only) and, in JSON, the totals c. Write errors
 * surface when f is flushed (cli_commit). Cannot fail otherwise. */
void validate_report(const struct validate *v, const struct rs_tally *c,
		     FILE *f, enum validate_report_format fmt);

#endif
