/*
 * rehearse: the whole pipeline on a copy of the staging database, and one
 * go/no-go table (mbr-rehearse, `mbr rehearse`).
 *
 * The staging database is copied (stage_copy: a consistent snapshot, even
 * while a run is writing it) to a temporary file (mode 0600, in $TMPDIR,
 * removed at the end, also on SIGINT, SIGTERM and SIGHUP); a database that
 * does not exist yet is rehearsed from empty and is not created. On the
 * copy run mbr-import (the --map and files given), mbr-normalize,
 * mbr-validate, mbr-dedupe and mbr-merge-id, each a process of its own
 * (the binaries beside this one, else on PATH), exactly as a go-live
 * script would run them; their messages are kept in a temporary log and
 * shown only when a step fails (exit 2 or more stops the rehearsal).
 *
 * Then, read from the copy: every step's counts (its runs row); per
 * source, the records rejected by the rehearsal's runs over the records
 * kept plus those, against the source's limit; the points of all records
 * against those of the golden masters; masters new and merged (merge-id's
 * --changes); and the fields flagged in _issues. The verdict is go when
 * every step ran, every source is within its limit and points in = out.
 */
#ifndef MBR_REHEARSE_H
#define MBR_REHEARSE_H

#include <stdio.h>

#include "err.h"

#define REHEARSE_DEFAULT_RATE 0.01 /* 1% of a source's records */
#define REHEARSE_MAX_ARGS 256	   /* mbr-import's arguments */
#define REHEARSE_MAX_LIMITS 32	   /* --max-reject-rate SOURCE=R */

struct rehearse_limit {
	char *source; /* owned */
	double rate;
};

struct rehearse_opts {
	const char *db; /* the staging database (need not exist) */
	const char *import_args[REHEARSE_MAX_ARGS]; /* --map MAP FILE... */
	size_t n_import_args;
	const char *rules;	  /* mbr-validate --rules, or NULL */
	const char *match;	  /* mbr-dedupe --rules, or NULL */
	const char *model;	  /* mbr-dedupe --model, or NULL */
	const char *survivorship; /* mbr-merge-id --rules, or NULL */
	double max_rate;	  /* every source's limit ... */
	struct rehearse_limit limits[REHEARSE_MAX_LIMITS]; /* ... but these */
	size_t n_limits;
	const char *bindir; /* the tools' directory with a trailing '/',
			       or "" for PATH only */
};

#define REHEARSE_OPTS_INIT                                      \
	{                                                       \
		.max_rate = REHEARSE_DEFAULT_RATE, .bindir = "" \
	}

/* A rate: "0.5%" or a fraction "0.005", from 0 to 1. -1 when it is not. */
int rehearse_parse_rate(const char *arg, double *rate);
/* --max-reject-rate R (every source) or SOURCE=R. MBR_ECONFIG with a
 * message on a bad rate or too many sources. */
int rehearse_set_limit(struct rehearse_opts *o, const char *arg,
		       struct mbr_err *err);

void rehearse_opts_release(struct rehearse_opts *o);

/* Rehearse and print the table to out. Returns 0 (go), 1 (no-go), or -1
 * with err when the rehearsal itself could not be done (the copy, a
 * temporary file, a tool that cannot be started). */
int rehearse_run(const struct rehearse_opts *o, FILE *out, struct mbr_err *err);

#endif
