/*
 * mbr-rehearse: the whole pipeline on a copy of the staging database, and
 * a go/no-go table (lib/rehearse.h).
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "datafile.h"
#include "rehearse.h"

static const char usage[] =
	"usage: mbr-rehearse --db FILE --map MAP FILE... [--map MAP2 "
	"FILE...] [options]\n"
	"Rehearse a migration: copy the staging database to a temporary "
	"file,\n"
	"run mbr-import (these mappings and files), mbr-normalize, "
	"mbr-validate,\n"
	"mbr-dedupe and mbr-merge-id on the copy, and print one go/no-go "
	"table:\n"
	"every step's counts, each source's reject rate against its limit,\n"
	"points of the records = points of the masters, masters new and "
	"merged,\n"
	"and the fields flagged. The staging database is not changed (nor\n"
	"created when it does not exist); the copy is removed.\n"
	"\n"
	"  --db FILE              the staging database to rehearse on a copy "
	"of\n"
	"  --map FILE             a [source] mapping for the files after it\n"
	"  --max-reject-rate R    a source's limit: 0.5% or 0.005 (default "
	"1%)\n"
	"  --max-reject-rate SOURCE=R  the limit of one source\n"
	"  --rules FILE           mbr-validate's rules\n"
	"  --match FILE           mbr-dedupe's rules\n"
	"  --model FILE           mbr-dedupe's model\n"
	"  --survivorship FILE    mbr-merge-id's rules\n"
	"  --help, --version\n"
	"\n"
	"Exit status: 0 go, 1 no-go, 2 bad option, 3 the rehearsal could not\n"
	"be run (copy, temporary files).\n"
	"\n"
	"example:\n"
	"  mbr rehearse --db staging.db --max-reject-rate 0.5% \\\n"
	"      --map mappings/pos.map pos.csv --map mappings/webshop.map "
	"web.csv\n";

enum {
	OPT_MAP = 0x100,
	OPT_RATE,
	OPT_RULES,
	OPT_MATCH,
	OPT_MODEL,
	OPT_SURVIVORSHIP,
};

static const struct option options[] = {
	{"map", required_argument, NULL, OPT_MAP},
	{"max-reject-rate", required_argument, NULL, OPT_RATE},
	{"rules", required_argument, NULL, OPT_RULES},
	{"match", required_argument, NULL, OPT_MATCH},
	{"model", required_argument, NULL, OPT_MODEL},
	{"survivorship", required_argument, NULL, OPT_SURVIVORSHIP},
	{NULL, 0, NULL, 0},
};

struct ctx {
	struct cli *cli;
	struct rehearse_opts o;
	bool have_map;
};

static int import_arg(struct ctx *c, const char *arg)
{
	if (c->o.n_import_args == REHEARSE_MAX_ARGS)
		return cli_usage_error(c->cli,
				       "more than %d mappings and files",
				       REHEARSE_MAX_ARGS / 2);
	c->o.import_args[c->o.n_import_args++] = arg;
	return 0;
}

static int on_option(int opt, const char *arg, void *data)
{
	struct ctx *c = data;
	struct mbr_err err = MBR_ERR_INIT;

	switch (opt) {
	case OPT_MAP:
		c->have_map = true;
		return import_arg(c, "--map") < 0 ? -1 : import_arg(c, arg);
	case 1: /* a file, after its --map */
		if (!c->have_map)
			return cli_usage_error(
				c->cli,
				"'%s' before any --map (expected "
				"--map MAP FILE...)",
				arg);
		return import_arg(c, arg);
	case OPT_RATE:
		if (rehearse_set_limit(&c->o, arg, &err) < 0)
			return cli_usage_error(c->cli, "%s", err.msg);
		return 0;
	case OPT_RULES:
		c->o.rules = arg;
		return 0;
	case OPT_MATCH:
		c->o.match = arg;
		return 0;
	case OPT_MODEL:
		c->o.model = arg;
		return 0;
	case OPT_SURVIVORSHIP:
		c->o.survivorship = arg;
		return 0;
	}
	return -1;
}

int main(int argc, char **argv)
{
	struct cli cli = CLI_INIT("mbr-rehearse", usage);
	struct ctx c = {&cli, REHEARSE_OPTS_INIT, false};
	struct mbr_err err = MBR_ERR_INIT;
	char dir[PATH_MAX];
	int rc;

	cli.flags = CLI_DB | CLI_ORDERED;
	if (cli_parse(&cli, argc, argv, options, on_option, &c) < 0) {
		rehearse_opts_release(&c.o);
		return EXIT_USAGE;
	}
	if (!cli.db_path || !c.have_map) {
		cli_usage_error(&cli, !cli.db_path ? "no --db given"
						   : "no --map given");
		rehearse_opts_release(&c.o);
		return EXIT_USAGE;
	}
	datafile_bin_dir(dir, sizeof(dir));
	c.o.db = cli.db_path;
	c.o.bindir = dir;
	rc = rehearse_run(&c.o, stdout, &err);
	rehearse_opts_release(&c.o);
	if (rc < 0)
		return cli_fail(&cli, &err);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_warn(&cli, "cannot write standard output");
		return EXIT_IO;
	}
	return rc;
}
