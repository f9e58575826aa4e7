/*
 * mbr-normalize: canonical records into canonical form.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "normalize.h"

static const char usage[] =
	"usage: mbr-normalize [options] [FILE...]\n"
	"Rewrite canonical columns into canonical form. A value that cannot "
	"be\n"
	"normalised is left as it was and named in the _issues column.\n"
	"\n"
	"  --fields LIST     only these fields, comma-separated (default: "
	"all;\n"
	"                    none: pass every record through unchanged)\n"
	"  --no-derive       do not fill birth_date and gender from id_number\n"
	"  --date-order DMY  read 03/07/1985 as 3 July (MDY: as 7 March);\n"
	"                    without it such a date is flagged as ambiguous\n"
	"  --country CC      country of records without one (default CN)\n"
	"  --rejects FILE    write rows that cannot be parsed to FILE\n"
	"  --strict          stop at the first row that cannot be parsed\n"
	"  --db FILE         normalise the records of a staging database\n"
	"  -o FILE           write FILE atomically instead of standard "
	"output\n" CLI_DRY_RUN_HELP
	"  -q                no summary or progress line\n"
	"  --help, --version\n"
	"\n"
	"example:\n"
	"  mbr-import --map mappings/pos.map pos.csv | mbr-normalize "
	">clean.csv\n";

enum {
	OPT_FIELDS = 0x100,
	OPT_NO_DERIVE,
	OPT_DATE_ORDER,
	OPT_COUNTRY,
};

static const struct option options[] = {
	{"fields", required_argument, NULL, OPT_FIELDS},
	{"no-derive", no_argument, NULL, OPT_NO_DERIVE},
	{"date-order", required_argument, NULL, OPT_DATE_ORDER},
	{"country", required_argument, NULL, OPT_COUNTRY},
	{NULL, 0, NULL, 0},
};

struct ctx {
	struct cli *cli;
	struct normalize_opts opts;
};

static int on_option(int opt, const char *arg, void *data)
{
	struct ctx *c = data;
	struct mbr_err err = MBR_ERR_INIT;

	switch (opt) {
	case OPT_FIELDS:
		if (normalize_parse_fields(arg, &c->opts.fields, &err) < 0)
			return cli_usage_error(c->cli, "%s", err.msg);
		return 0;
	case OPT_NO_DERIVE:
		c->opts.derive = false;
		return 0;
	case OPT_DATE_ORDER:
		if (!strcmp(arg, "DMY") || !strcmp(arg, "dmy"))
			c->opts.date_order = DATE_ORDER_DMY;
		else if (!strcmp(arg, "MDY") || !strcmp(arg, "mdy"))
			c->opts.date_order = DATE_ORDER_MDY;
		else
			return cli_usage_error(
				c->cli,
				"--date-order '%s' (expected DMY or MDY)", arg);
		return 0;
	case OPT_COUNTRY:
		c->opts.country = arg;
		return 0;
	}
	return -1;
}

static int run(struct cli *cli, struct normalize *n, struct mbr_err *err)
{
	struct rs_handler h;
	struct rs_sink *k = cli_sink(cli, RS_STAGE_UPDATE, 0, err);

	if (!k)
		return -1;
	normalize_handler(n, &h);
	return cli_done(cli, k, cli_run_input(cli, &h, NULL, k, err), err);
}

int main(int argc, char **argv)
{
	struct cli cli = CLI_INIT("mbr-normalize", usage);
	struct ctx c = {&cli, NORMALIZE_OPTS_INIT};
	struct mbr_err err = MBR_ERR_INIT;
	struct normalize *n = NULL;
	int rc;

	cli.flags = CLI_REJECTS | CLI_DB | CLI_DRY_RUN;
	if (cli_parse(&cli, argc, argv, options, on_option, &c) < 0)
		return EXIT_USAGE;
	if (!(n = normalize_new(&c.opts, &err)) || cli_open(&cli, &err) < 0 ||
	    run(&cli, n, &err) < 0 || cli_commit(&cli, &err) < 0)
		rc = cli_fail(&cli, &err);
	else
		rc = cli_finish(&cli);
	normalize_free(n);
	return rc;
}
