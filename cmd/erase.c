/*
 * mbr-erase: a member's personal data out of the staging database (PIPL,
 * the right to deletion), a tombstone in its place.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "erase.h"
#include "stage.h"

static const char usage[] =
	"usage: mbr-erase --db FILE (--id MASTER_ID | --ids FILE | "
	"--record SOURCE:SOURCE_ID)...\n"
	"Erase members from the staging database: every row holding their\n"
	"data (records, rejects, pairs, clusters, crosswalk, golden record)\n"
	"goes; a tombstone per source record stays (master ID, source, a "
	"keyed\n"
	"hash of the source key, time, reason: no personal data). The ID is\n"
	"never issued again, and an import that brings the record back is\n"
	"rejected. Then the file is vacuumed, so no free page keeps a value.\n"
	"Prints the rows removed per table (CSV) to standard output.\n"
	"\n"
	"  --db FILE        the staging database (required)\n"
	"  --id MASTER_ID   erase this member (repeatable)\n"
	"  --ids FILE       erase the members listed, one master ID a line\n"
	"  --record SOURCE:SOURCE_ID\n"
	"                   erase the member this source record belongs to\n"
	"                   (the record alone before mbr-merge-id saw it)\n"
	"  --reason TEXT    kept in the tombstones (default \"erasure "
	"request\");\n"
	"                   a ticket number, never personal data\n"
	"  --dry-run        count what would be removed, remove nothing (the\n"
	"                   database's bytes stay as they were)\n"
	"  -q               no summary or progress line\n"
	"  --help, --version\n"
	"\n"
	"example:\n"
	"  mbr erase --db stage.db --id M0000000042 --reason 'ticket 1234'\n";

enum { OPT_ID = 0x100, OPT_IDS, OPT_RECORD, OPT_REASON };

static const struct option options[] = {
	{"id", required_argument, NULL, OPT_ID},
	{"ids", required_argument, NULL, OPT_IDS},
	{"record", required_argument, NULL, OPT_RECORD},
	{"reason", required_argument, NULL, OPT_REASON},
	{NULL, 0, NULL, 0},
};

struct ctx {
	struct cli *cli;
	struct erase_opts opts;
	struct mbr_err err;
	bool failed; /* an --ids file could not be read */
};

static int on_option(int opt, const char *arg, void *data)
{
	struct ctx *c = data;
	int rc;

	if (opt == OPT_REASON) {
		c->opts.reason = arg;
		return 0;
	}
	if (opt == OPT_ID)
		rc = erase_add_id(&c->opts, arg, &c->err);
	else if (opt == OPT_IDS)
		rc = erase_add_ids_file(&c->opts, arg, &c->err);
	else if (opt == OPT_RECORD)
		rc = erase_add_record(&c->opts, arg, &c->err);
	else
		return -1;
	if (rc < 0 && c->err.status == MBR_ECONFIG)
		return cli_usage_error(c->cli, "%s", c->err.msg);
	c->failed = rc < 0;
	return rc;
}

/* What went, per table, as CSV. */
static int print_removed(const struct stage_erased *n)
{
	printf("table,removed\n"
	       "records,%llu\nrejects,%llu\npairs,%llu\nclusters,%llu\n"
	       "xref,%llu\nmasters,%llu\ndecisions,%llu\nother tables,%llu\n",
	       n->records, n->rejects, n->pairs, n->clusters, n->xref,
	       n->masters, n->decisions, n->other);
	return fflush(stdout) == 0 && !ferror(stdout) ? 0 : -1;
}

static int run(struct cli *cli, struct erase_opts *o, struct mbr_err *err)
{
	struct stage *st = cli->dry_run ? stage_open_dry(cli->db_path, err)
					: stage_open(cli->db_path, err);
	struct erase_result r;
	int rc;

	o->dry = cli->dry_run;
	if (!st)
		return -1;
	rc = erase_run(st, o, &r, err);
	stage_close(st);
	if (rc < 0)
		return -1;
	if (print_removed(&r.n) < 0)
		return mbr_fail(err, MBR_EIO, "cannot write standard output");
	cli->counts.in = o->n_items;
	cli->counts.out = o->n_items - r.already;
	snprintf(cli->extra, sizeof(cli->extra),
		 "%llu members, %llu source records, %llu tombstones, %llu "
		 "erased before, %s",
		 r.n.members, r.n.keys, r.n.tombstones, r.already,
		 o->dry ? "dry run: nothing erased" : "vacuumed");
	return 0;
}

int main(int argc, char **argv)
{
	struct cli cli = CLI_INIT("mbr-erase", usage);
	struct ctx c = {&cli, ERASE_OPTS_INIT, MBR_ERR_INIT, false};
	int rc = EXIT_USAGE;

	cli.flags = CLI_DB | CLI_DRY_RUN;
	if (cli_parse(&cli, argc, argv, options, on_option, &c) < 0) {
		if (c.failed)
			rc = cli_fail(&cli, &c.err);
	} else if (cli.dry_path) {
		cli_usage_error(&cli, "--dry-run=FILE: mbr-erase has no change "
				      "list (plain --dry-run prints what "
				      "would be removed)");
	} else if (!cli.db_path) {
		cli_usage_error(&cli, "--db is required (erasure is of the "
				      "staging database)");
	} else if (c.opts.n_items == 0) {
		cli_usage_error(&cli, "nothing to erase (expected --id, --ids "
				      "or --record)");
	} else if (run(&cli, &c.opts, &c.err) < 0) {
		rc = cli_fail(&cli, &c.err);
	} else {
		rc = cli_finish(&cli);
	}
	erase_opts_release(&c.opts);
	return rc;
}
