/*
 * mbr-import: source exports in any encoding, through mappings, into one
 * stream of canonical records.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "import.h"
#include "initmap.h"
#include "stage.h"

static const char usage[] =
	"usage: mbr-import --map MAP FILE... [--map MAP2 FILE...] [options]\n"
	"       mbr-import --init-map FILE [-o MAP]\n"
	"Read source exports (any encoding, any dialect) through their "
	"mapping\n"
	"files and write canonical member records (CSV, UTF-8) to standard "
	"output.\n"
	"Each --map applies to the files after it; with no file, standard "
	"input.\n"
	"\n"
	"  --map FILE       a [source] mapping file (docs/mapping.md)\n"
	"  --init-map FILE  write a starter mapping for FILE: the encoding,\n"
	"                   delimiter and header sniffed, each column's field\n"
	"                   guessed from its name and values, with the "
	"evidence\n"
	"  --rejects FILE   write rows that cannot be loaded, with the reason\n"
	"  --strict         stop at the first bad row (exit 3) instead\n"
	"  --db FILE        load into the staging database instead of stdout\n"
	"  --snapshot       with --db: the files are each source's full "
	"current\n"
	"                   state; a record a source no longer has is marked\n"
	"                   deleted at source (kept, out of later runs)\n"
	"  --max-delete PCT a snapshot may delete at most PCT% of a source's\n"
	"                   records (default 50), else nothing is committed\n"
	"  --force          a snapshot past --max-delete all the same\n"
	"  -o FILE          write FILE atomically instead of standard "
	"output\n" CLI_DRY_RUN_HELP
	"  -q               no summary or progress line\n"
	"  --help, --version\n"
	"\n"
	"example:\n"
	"  mbr-import --map mappings/pos.map sample-data/pos_legacy.csv \\\n"
	"             --map mappings/webshop.map sample-data/webshop.csv "
	">members.csv\n"
	"  mbr-import --init-map export.csv >export.map\n";

enum {
	OPT_MAP = 0x100,
	OPT_INIT_MAP,
	OPT_SNAPSHOT,
	OPT_MAX_DELETE,
	OPT_FORCE,
};

static const struct option options[] = {
	{"map", required_argument, NULL, OPT_MAP},
	{"init-map", required_argument, NULL, OPT_INIT_MAP},
	{"snapshot", no_argument, NULL, OPT_SNAPSHOT},
	{"max-delete", required_argument, NULL, OPT_MAX_DELETE},
	{"force", no_argument, NULL, OPT_FORCE},
	{NULL, 0, NULL, 0},
};

struct ctx {
	struct cli *cli;
	struct import_opts opts;
	struct mbr_err err;
	bool failed;
	const char *init_map; /* --init-map FILE */
	bool max_delete_given;
};

static int on_snapshot_option(struct ctx *c, int opt, const char *arg)
{
	char *end;

	if (opt == OPT_SNAPSHOT) {
		c->opts.snapshot = true;
	} else if (opt == OPT_FORCE) {
		c->opts.force = true;
	} else {
		c->opts.max_delete = strtod(arg, &end);
		if (end == arg || *end || !(c->opts.max_delete >= 0) ||
		    c->opts.max_delete > 100)
			return cli_usage_error(c->cli,
					       "--max-delete '%s': expected a "
					       "percentage from 0 to 100",
					       arg);
		c->max_delete_given = true;
	}
	return 0;
}

static int on_option(int opt, const char *arg, void *data)
{
	struct ctx *c = data;
	int rc;

	if (opt == OPT_INIT_MAP) {
		if (c->init_map)
			return cli_usage_error(c->cli, "--init-map takes one "
						       "file");
		c->init_map = arg;
		return 0;
	}
	if (opt == 1 && c->init_map)
		return cli_usage_error(c->cli,
				       "--init-map takes one file "
				       "('%s' is another)",
				       arg);
	if (opt == OPT_MAP && c->init_map)
		return cli_usage_error(c->cli, "--init-map does not go with "
					       "--map (it writes a mapping)");
	if (opt == OPT_SNAPSHOT || opt == OPT_FORCE || opt == OPT_MAX_DELETE)
		return on_snapshot_option(c, opt, arg);
	if (opt == OPT_MAP)
		rc = import_add_map(&c->opts, arg, &c->err);
	else if (opt == 1)
		rc = import_add_file(&c->opts, arg, &c->err);
	else
		return -1;
	if (rc < 0) {
		if (c->err.status == MBR_ECONFIG && opt == 1)
			return cli_usage_error(c->cli, "%s", c->err.msg);
		c->failed = true;
		return -1;
	}
	return 0;
}

static int run(struct cli *cli, struct import_opts *o, struct mbr_err *err)
{
	struct rs_sink *k = cli_sink(cli, RS_STAGE_IMPORT, 0, err);
	struct import_snapshot snap = {0};
	int rc;

	if (!k)
		return -1;
	rc = o->snapshot ? import_snapshot_begin(&snap, o, cli->st, err) : 0;
	if (rc == 0)
		rc = import_run(o, k, &cli->counts, err);
	if (rc == 0 && o->snapshot) {
		rc = import_snapshot_end(&snap, o, cli->st, err);
		snprintf(cli->extra, sizeof(cli->extra),
			 "%llu deleted at source", snap.deleted);
	}
	import_snapshot_release(&snap);
	return cli_done(cli, k, rc, err);
}

/* The snapshot options belong together, and with --db. */
static int check_snapshot(struct cli *cli, const struct ctx *c)
{
	if (c->opts.snapshot && !cli->db_path)
		return cli_usage_error(cli, "--snapshot needs --db (the "
					    "records a source had are there)");
	if (!c->opts.snapshot && (c->opts.force || c->max_delete_given))
		return cli_usage_error(cli, "--force and --max-delete go with "
					    "--snapshot");
	return 0;
}

/* --init-map FILE: the starter mapping to standard output (or -o). */
static int init_map(struct cli *cli, const char *path, struct mbr_err *err)
{
	struct buf text;
	int rc;

	buf_init(&text, BUF_NOLIMIT);
	rc = initmap_write(path, &text, err);
	if (rc == 0 && cli_open(cli, err) == 0) {
		fwrite(text.p, 1, text.len, cli->out);
		rc = cli_commit(cli, err);
	} else {
		rc = -1;
	}
	buf_release(&text);
	return rc;
}

int main(int argc, char **argv)
{
	struct cli cli = CLI_INIT("mbr-import", usage);
	struct ctx c = {&cli, IMPORT_OPTS_INIT, MBR_ERR_INIT, false, NULL,
			false};
	int rc;

	cli.flags = CLI_REJECTS | CLI_DB | CLI_ORDERED | CLI_DRY_RUN;
	if (cli_parse(&cli, argc, argv, options, on_option, &c) < 0) {
		import_opts_release(&c.opts);
		return c.failed ? cli_fail(&cli, &c.err) : EXIT_USAGE;
	}
	if (c.init_map) {
		if (c.opts.n_sources || cli.db_path || cli.rejects_path ||
		    cli.strict) {
			import_opts_release(&c.opts);
			cli_usage_error(&cli,
					"--init-map goes with -o only (it "
					"writes a mapping, not records)");
			return EXIT_USAGE;
		}
		if (init_map(&cli, c.init_map, &c.err) < 0)
			return cli_fail(&cli, &c.err);
		return 0;
	}
	if (c.opts.n_sources == 0) {
		cli_usage_error(&cli, "no --map given");
		import_opts_release(&c.opts);
		return EXIT_USAGE;
	}
	if (check_snapshot(&cli, &c) < 0) {
		import_opts_release(&c.opts);
		return EXIT_USAGE;
	}
	c.opts.strict = cli.strict;
	if (cli_open(&cli, &c.err) < 0 || run(&cli, &c.opts, &c.err) < 0 ||
	    cli_commit(&cli, &c.err) < 0) {
		rc = cli_fail(&cli, &c.err);
		import_opts_release(&c.opts);
		return rc;
	}
	import_opts_release(&c.opts);
	return cli_finish(&cli);
}
