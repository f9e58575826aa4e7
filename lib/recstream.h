/*
 * recstream: the one record loop every tool runs.
 *
 * A run reads records from a source (CSV files through csvio, or the
 * staging database's records), hands each to the tool's handler, and puts
 * what the handler keeps into a sink (a CSV writer, the staging records
 * table, or nowhere: mbr-dedupe and mbr-merge-id keep records themselves).
 * The handler says pass, flag or reject(field, reason); it never counts,
 * writes or warns. The loop alone
 *
 *  - counts, so that in = out + rejected holds by construction (a tool
 *    that keeps records sets out itself once it has written them);
 *  - writes every reject in the one layout of reject.h, to a rejects file
 *    or the staging rejects table, with source, source_id, source_row and
 *    source_line;
 *  - warns about the first RS_MAX_WARNINGS rejected rows, then says once
 *    where the rest are;
 *  - stops at the first unreadable row under --strict (MBR_EIO);
 *  - draws the progress line, and flushes the sink at the end;
 *  - gives a staging run its status from the tally (rs_status).
 *
 * Messages go through mbr_warn and the tally's progress function: the
 * library never prints.
 */
#ifndef MBR_RECSTREAM_H
#define MBR_RECSTREAM_H

#include <stdbool.h>
#include <stdio.h>

#include "csvio.h"
#include "err.h"
#include "record.h"
#include "reject.h"

struct dryrun;
struct stage;
struct stage_cursor;

#define RS_MAX_WARNINGS 10 /* rejected rows named on standard error */

/* The counts of a run, and who hears about its progress. */
struct rs_tally {
	unsigned long long in;	     /* records read, unreadable ones too */
	unsigned long long out;	     /* records written */
	unsigned long long rejected; /* records rejected, with a reason */
	unsigned long long flagged;  /* records passed with an _issues entry */
	/* Called often (the callee rate-limits): bytes read so far and in
	 * all (0 when unknown). NULL: no progress line. */
	void (*progress)(void *ctx, unsigned long long done,
			 unsigned long long total);
	void *progress_ctx;
	const char *rejects_name; /* where rejects go, for the warning */
	struct dryrun *dry; /* --dry-run: told every outcome (dryrun.h), or
			       NULL */
};

#define RS_TALLY_INIT                              \
	{                                          \
		0, 0, 0, 0, NULL, NULL, NULL, NULL \
	}

/* "ok", "flagged" or "rejected": a staging run's status from its counts. */
const char *rs_status(const struct rs_tally *t);

/* Why a record is rejected (or a sink refused it): borrowed strings,
 * valid until the next record. */
struct rs_why {
	const char *field;  /* "mobile;email" (reject.h) */
	const char *reason; /* "invalid;no dot in domain" */
	bool unchanged;	    /* a kept record is as it was read: a database
			       sink need not write it back */
};

enum rs_verdict {
	RS_PASS,   /* keep it */
	RS_FLAG,   /* keep it; it has a new _issues entry */
	RS_REJECT, /* reject it, for why */
};

/* What a tool does with records. */
struct rs_handler {
	/* The input's header is known (once per source): check it and fix
	 * the output header. NULL: nothing to check. */
	int (*bind)(void *ctx, const struct header *in, const char *name,
		    struct mbr_err *err);
	/* The header of the records the handler passes on (valid after
	 * bind), NULL when they keep the input's. */
	const struct header *(*out_header)(void *ctx);
	/* Judge rec (whose line in its file is rec->line, 0 from the
	 * database) and change it as the tool does. -1 with err stops the
	 * run (not for bad data: that is RS_REJECT). */
	int (*record)(void *ctx, struct record *rec, enum rs_verdict *verdict,
		      struct rs_why *why, struct mbr_err *err);
	/* Where an unreadable row comes from: fill at (reject.h). NULL: the
	 * row's own source, source_id and source_row columns. */
	void (*locate)(void *ctx, const struct csvio_reader *r,
		       struct reject_at *at);
	void *ctx;
	bool reject_out;   /* rejects have the output header (import) */
	bool source_lines; /* the input is the source export: a rejected
			      record's line is its source_line (import);
			      else a record's own source_line column is */
	/* The file the next records come from, when it changes (several
	 * files read as one input share bind's header). NULL: not told. */
	void (*file)(void *ctx, const char *name);
};

/*
 * Sinks
 */

struct rs_sink; /* opaque */

/* Records as CSV to out (the output header first), rejects to rejects
 * (NULL: counted only; cli_open_rejects gives one). Both borrowed. */
struct rs_sink *rs_sink_csv(FILE *out, FILE *rejects, const char *tool);
/* Rejects only: the handler keeps the records (mbr-dedupe, mbr-merge-id)
 * or writes them itself (mbr-export: then count_out, and each record kept
 * counts as out). Rejects go to rejects (a FILE, or NULL) or, with st,
 * to the staging database. */
struct rs_sink *rs_sink_rejects(FILE *rejects, struct stage *st,
				const char *tool, bool count_out);

enum rs_stage_mode {
	RS_STAGE_IMPORT, /* insert or update; a key twice in one run is
			    refused (rejected as a duplicate) */
	RS_STAGE_UPDATE, /* rewrite each record kept (unless unchanged) */
	RS_STAGE_DELETE, /* as UPDATE, and a rejected record leaves the
			    records table (mbr-validate) */
};

/* Records into the staging database st (borrowed, a run open), rejects
 * into its rejects table. */
struct rs_sink *rs_sink_stage(struct stage *st, enum rs_stage_mode mode,
			      const char *tool);
void rs_sink_free(struct rs_sink *k); /* NULL is fine */

/*
 * Sources and the run
 */

/* Read the CSV files paths[0..n) (standard input when n is 0) with o,
 * hand each record to h, put kept ones in k. Several calls (mbr-import's
 * sources) may share one sink and tally. -1 with err on an input or
 * output error, or an unreadable row under CSVIO_STRICT. */
int rs_run_files(const char *const *paths, size_t n, const struct csvio_opts *o,
		 const struct rs_handler *h, struct rs_sink *k,
		 struct rs_tally *t, struct mbr_err *err);
/* The same over the rows of a staging database cursor (stage.h), such as
 * stage_read_records; the cursor stays the caller's. name is the
 * database's path, for messages. */
int rs_run_cursor(struct stage_cursor *c, const char *name,
		  const struct rs_handler *h, struct rs_sink *k,
		  struct rs_tally *t, struct mbr_err *err);
/* A record the handler passed but the tool rejects after the run
 * (mbr-merge-id finds a repeated key only once its records are sorted):
 * counted, named and written like any reject. in is the record's input
 * header, name its file or database. Before rs_finish. */
int rs_reject_late(struct rs_sink *k, struct rs_tally *t,
		   const struct header *in, const char *name,
		   const struct record *rec, const struct rs_why *why,
		   struct mbr_err *err);
/* Flush the sink's outputs; once, after the last run. */
int rs_finish(struct rs_sink *k, struct mbr_err *err);

#endif
