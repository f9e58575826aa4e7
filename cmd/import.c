/*
 * mbr-import: source exports in any encoding, through mappings, into one
 * stream of canonical records.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "import.h"
#include "stage.h"

static const char usage[] =
	"usage: mbr-import --map MAP FILE... [--map MAP2 FILE...] [options]\n"
	"Read source exports (any encoding, any dialect) through their "
	"mapping\n"
	"files and write canonical member records (CSV, UTF-8) to standard "
	"output.\n"
	"Each --map applies to the files after it; with no file, standard "
	"input.\n"
	"\n"
	"  --map FILE       a [source] mapping file (see mappings/)\n"
	"  --rejects FILE   write rows that cannot be loaded, with the reason\n"
	"  --strict         stop at the first bad row (exit 3) instead\n"
	"  --db FILE        load into the staging database instead of stdout\n"
	"  -o FILE          write FILE atomically instead of standard "
	"output\n" CLI_DRY_RUN_HELP "  -q               no summary line\n"
	"  --help, --version\n"
	"\n"
	"example:\n"
	"  mbr-import --map mappings/pos.map sample-data/pos_legacy.csv \\\n"
	"             --map mappings/webshop.map sample-data/webshop.csv "
	">members.csv\n";

enum { OPT_MAP = 0x100 };

static const struct option options[] = {
	{"map", required_argument, NULL, OPT_MAP},
	{NULL, 0, NULL, 0},
};

struct ctx {
	struct cli *cli;
	struct import_opts opts;
	struct mbr_err err;
	bool failed;
};

static int on_option(int opt, const char *arg, void *data)
{
	struct ctx *c = data;
	int rc;

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

	if (!k)
		return -1;
	return cli_done(cli, k, import_run(o, k, &cli->counts, err), err);
}

int main(int argc, char **argv)
{
	struct cli cli = CLI_INIT("mbr-import", usage);
	struct ctx c = {&cli, IMPORT_OPTS_INIT, MBR_ERR_INIT, false};
	int rc;

	cli.flags = CLI_REJECTS | CLI_DB | CLI_ORDERED;
	if (cli_parse(&cli, argc, argv, options, on_option, &c) < 0) {
		import_opts_release(&c.opts);
		return c.failed ? cli_fail(&cli, &c.err) : EXIT_USAGE;
	}
	if (c.opts.n_sources == 0) {
		cli_usage_error(&cli, "no --map given");
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
