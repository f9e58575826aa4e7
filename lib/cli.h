/*
 * cli: what every main shares: the common options, input files, the atomic
 * -o output, the rejects file, the progress line and the summary line.
 *
 * This is the one lib/ module that prints (to standard error) and exits
 * (for --help and --version): it is the command line's half of every tool.
 *
 * A main looks like:
 *
 *	struct cli cli = CLI_INIT("mbr-normalize", usage);
 *	if (cli_parse(&cli, argc, argv, opts, on_option, &my) < 0)
 *		return EXIT_USAGE;
 *	if (cli_open(&cli, &err) < 0 || run(..., &err) < 0 ||
 *	    cli_commit(&cli, &err) < 0)
 *		return cli_fail(&cli, &err);
 *	return cli_finish(&cli);
 */
#ifndef MBR_CLI_H
#define MBR_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "err.h"
#include "recstream.h"

struct stage;

enum cli_flags {
	CLI_REJECTS = 1 << 0, /* the tool takes --rejects FILE */
	CLI_DB = 1 << 1,      /* the tool takes --db FILE */
	CLI_NO_OUT = 1 << 2,  /* the tool opens its own output */
	CLI_ORDERED = 1 << 3, /* operands reach the option callback in
				   order, as option 1 (mbr-import --map) */
	CLI_DB_OUT = 1 << 4,  /* -o is an output under --db too (export) */
	CLI_DRY_RUN = 1 << 5, /* the tool takes --dry-run: it writes to the
				 database through cli_sink's run */
	CLI_READS = 1 << 6,   /* the tool reports on the records it reads and
			     writes none: the summary says "N read", not
			     "0 out" (in = read + rejected) */
};

struct cli {
	const char *prog;  /* "mbr-normalize" */
	const char *usage; /* the usage text, with an example */
	enum cli_flags flags;
	const char *out_path;	  /* -o, or NULL for standard output */
	const char *db_path;	  /* --db, or NULL */
	const char *rejects_path; /* --rejects, or NULL */
	bool quiet;		  /* -q: no summary or progress line */
	bool strict;		  /* --strict: a bad row stops the run */
	const char **files;	  /* borrowed from argv: the operands */
	size_t n_files;
	FILE *out; /* standard output or the -o temporary file */
	struct rs_tally counts;
	struct stage *st; /* --db: the database, a run open, from cli_sink */
	char extra[256];  /* tool's addition to the summary line */
	struct timespec start;
	unsigned long progress_tick; /* calls since the clock was read */
	double progress_last;	     /* when the progress line was drawn */
	bool progress_shown;
	const char *outputs[8]; /* further output paths, checked at open */
	size_t n_outputs;
	char dflt_rejects[256];	  /* the default rejects file, once written */
	const char *stdout_taken; /* which output has standard output */
	int exit_flags;		  /* --exit-flags: exit 1 when only flagged */
	bool dry_run;		  /* --dry-run: nothing is written */
	const char *dry_path;	  /* --dry-run=FILE: the change list */
	struct dryrun *dry;	  /* dry_run: what the run would change */
	char *dry_db;		  /* dry_run on a --db that does not exist:
				     the temporary database used instead */
};

#define CLI_INIT(prog_, usage_)                                     \
	{                                                           \
		.prog = (prog_), .usage = (usage_), .exit_flags = 1 \
	}

/* Tool options: called for every option not common to all tools, with
 * getopt_long's return value and optarg. Return 0, or -1 after calling
 * cli_usage_error. */
typedef int (*cli_option_fn)(int opt, const char *arg, void *ctx);

/* Parse argv. Common options: -o, --db, --rejects (when flags allow),
 * -q, --strict, --exit-flags 0|1, --dry-run[=FILE] (with --db: see
 * below), -h/--help (prints usage to stdout, exits 0), --version. An option that does nothing in the mode chosen is
 * a usage error, never ignored: under --db, -o (unless CLI_DB_OUT),
 * --rejects (rejects go to its table), --strict (its rows always parse)
 * and input files (its records are the input).
 * opts is the tool's own getopt_long table (NULL-terminated, may be NULL);
 * short options only -o and -q. Returns 0, or -1 after printing the
 * problem and a hint. */
int cli_parse(struct cli *cli, int argc, char **argv, const struct option *opts,
	      cli_option_fn fn, void *ctx);
/* Print "PROG: MESSAGE" and the --help hint to stderr; returns -1. */
int cli_usage_error(const struct cli *cli, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A count option's value: decimal digits only, min <= value <= max, into
 * *out; otherwise a usage error "OPT 'ARG': expected a number from MIN to
 * MAX" (or "of at least MIN" when max is ULLONG_MAX), -1. */
int cli_count(const struct cli *cli, const char *opt, const char *arg,
	      unsigned long long min, unsigned long long max,
	      unsigned long long *out);

/* Name further files the run will write (--pairs, --xref, --report...;
 * NULL entries are skipped), so that cli_open checks them with -o and
 * --rejects before any work is done. */
void cli_add_outputs(struct cli *cli, const char *const *paths, size_t n);
/* Check every output path (-o, --rejects, cli_add_outputs): each must be
 * "-" or a file that can be created in an existing, writable directory,
 * never a directory; then open the output: standard output, or a
 * temporary file beside -o created 0600 and removed on failure or on
 * SIGINT/SIGTERM/SIGHUP/SIGPIPE (a signal the caller ignores, as under
 * nohup, stays ignored). Standard output that was closed when the tool
 * started is an MBR_EIO error when records are to go there. */
int cli_open(struct cli *cli, struct mbr_err *err);
/* Open a further output file atomically (rejects, report, lineage): the
 * file appears at cli_commit. Returns NULL with err on failure. */
FILE *cli_open_aux(struct cli *cli, const char *path, struct mbr_err *err);
/* The rejects file: --rejects FILE, or without it a default file (beside
 * -o as NAME.rejects.csv, else PROG.rejects.csv in the working directory)
 * that appears only when something was rejected, and is named on standard
 * error: rejected records never vanish. NULL with err when it cannot be
 * created. Not for --db runs (their rejects go to the database). */
FILE *cli_open_rejects(struct cli *cli, struct mbr_err *err);
/* The temporary path behind -o (for outputs written by name, such as a
 * SQLite file), or NULL when the output is standard output. */
const char *cli_out_tmp_path(const struct cli *cli);
/* Flush and close outputs, then rename temporaries into place. */
int cli_commit(struct cli *cli, struct mbr_err *err);
/*
 * A tool's run: what cmd/TOOL.c's run() is made of.
 */

enum cli_sink_flags {
	CLI_KEEPS = 1 << 0, /* the tool keeps records itself: rejects only */
	CLI_COUNT_OUT = 1 << 1, /* with CLI_KEEPS: a kept record counts out */
};

/* Where the run's records and rejects go. With --db: the staging database
 * (opened, a run begun under the tool's name, cli->st set) and a sink of
 * mode into it; else the output (cli_open first) and the rejects file
 * (cli_open_rejects). NULL with err. */
struct rs_sink *cli_sink(struct cli *cli, enum rs_stage_mode mode,
			 enum cli_sink_flags flags, struct mbr_err *err);
/* Run h over the input: the files named (standard input when none), read
 * with o (NULL: canonical records, CSVIO_OPTS_INIT, --strict applied), or
 * with --db the staging records. */
int cli_run_input(struct cli *cli, const struct rs_handler *h,
		  const struct csvio_opts *o, struct rs_sink *k,
		  struct mbr_err *err);
/* End the run: flush the sink, and with --db commit the run with its
 * counts and status (rs_status) and close the database. Frees k. On
 * failure (or rc < 0) the database rolls back. Returns rc, or -1. */
int cli_done(struct cli *cli, struct rs_sink *k, int rc, struct mbr_err *err);

/*
 * --dry-run (with --db, for tools with CLI_DRY_RUN): the run computes
 * everything and writes nothing.
 * Its transaction is rolled back (stage_open_dry: the database's bytes
 * stay as they were; a database that does not exist is replaced by an
 * empty temporary one, removed at the end); every output file is written
 * to a temporary and removed at cli_commit, standard output goes to
 * /dev/null; only --dry-run=FILE (the change list, dryrun.h) appears.
 * cli_finish prints what the run would change to standard output. The
 * tool adds what only it knows through cli->dry (NULL without
 * --dry-run). CLI_DRY_RUN_HELP is the usage text's line for it.
 */
#define CLI_DRY_RUN_HELP                                                     \
	"  --dry-run[=FILE]  with --db: do everything, write nothing; say\n" \
	"                    what would change (FILE: every change, CSV)\n"

/* The progress line of a step after the reading (mbr-merge-id's passes,
 * mbr-dedupe's steps): "PROG: WHAT: DONE of TOTAL (P%)" (total 0:
 * unknown). Call it as often as an item: the clock is read once in 16
 * calls, and like the reading's line it is drawn at most twice a second,
 * after the first second, on a terminal only and not under -q. */
void cli_step(struct cli *cli, const char *what, unsigned long long done,
	      unsigned long long total);
/* cli_step with the cli as a void *: a library's progress callback
 * (mergeid_opts.progress, match_set_progress) with the cli as its ctx. */
void cli_on_step(void *cli, const char *what, unsigned long long done,
		 unsigned long long total);

/* Print "PROG: message", remove temporaries, return the exit code. */
int cli_fail(struct cli *cli, const struct mbr_err *err);
/* Print the summary line (unless -q), return 0 or 1 (rejected/flagged). */
int cli_finish(struct cli *cli);
/* A warning line "PROG: message" on stderr. */
void cli_warn(const struct cli *cli, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
