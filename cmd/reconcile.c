/*
 * mbr-reconcile: after the load, compare the target system's own export
 * with the staging database's golden masters.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "extsort.h"
#include "normalize.h"
#include "reconcile.h"
#include "stage.h"

static const char usage[] =
	"usage: mbr-reconcile --db FILE --map MAP --target EXPORT [options]\n"
	"Check that the target system holds what the staging database's "
	"masters\n"
	"hold: members missing or extra in the target, field differences "
	"(both\n"
	"sides normalised alike; values masked), and totals: members, points "
	"per\n"
	"tier, a checksum per field. Exit 0 when all reconciles, 1 when not.\n"
	"\n"
	"  --db FILE        the staging database (read only)\n"
	"  --map FILE       a [source] mapping of the target's export\n"
	"  --target FILE    the target's export (repeat for several files)\n"
	"  --by KEY         master_id: the export's master_id column (an "
	"[extra]\n"
	"                   entry), else its key, is the master ID "
	"(default);\n"
	"                   xref: its key is looked up in the crosswalk as\n"
	"                   (the mapping's source name, key)\n"
	"  --fields LIST    compare these fields (default: every field the "
	"map fills)\n"
	"  --diff FILE      every difference as CSV (mode 0600, values "
	"masked)\n"
	"  --show N         differences listed in the report (default 20)\n"
	"  --memory SIZE    sort budget, e.g. 64M (default: RAM/8, at most "
	"256M)\n"
	"  --tmpdir DIR     where the sort's runs go (default $TMPDIR, /tmp)\n"
	"  -o FILE          write the report to FILE instead of standard "
	"output\n"
	"  -q               no summary or progress line\n"
	"  --help, --version\n"
	"\n"
	"example:\n"
	"  mbr-reconcile --db stage.db --map mappings/newcrm-reconcile.map \\\n"
	"      --target newcrm-export.csv --diff differences.csv\n";

enum {
	OPT_MAP = 0x100,
	OPT_TARGET,
	OPT_BY,
	OPT_FIELDS,
	OPT_DIFF,
	OPT_SHOW,
	OPT_MEMORY,
	OPT_TMPDIR,
};

static const struct option options[] = {
	{"map", required_argument, NULL, OPT_MAP},
	{"target", required_argument, NULL, OPT_TARGET},
	{"by", required_argument, NULL, OPT_BY},
	{"fields", required_argument, NULL, OPT_FIELDS},
	{"diff", required_argument, NULL, OPT_DIFF},
	{"show", required_argument, NULL, OPT_SHOW},
	{"memory", required_argument, NULL, OPT_MEMORY},
	{"tmpdir", required_argument, NULL, OPT_TMPDIR},
	{NULL, 0, NULL, 0},
};

struct ctx {
	struct cli *cli;
	struct reconcile_opts o;
	const char *map_path, *diff_path;
	const char **targets; /* owned array; strings borrowed from argv */
	size_t n_targets;
	struct mbr_err err;
};

static int on_fields(struct ctx *c, const char *arg)
{
	if (normalize_parse_fields(arg, &c->o.fields, &c->err) < 0)
		return cli_usage_error(c->cli, "--fields: %s", c->err.msg);
	return 0;
}

static int on_show(struct ctx *c, const char *arg)
{
	unsigned long long n;

	if (cli_count(c->cli, "--show", arg, 0, ULLONG_MAX, &n) < 0)
		return -1;
	c->o.show = n > ULONG_MAX ? ULONG_MAX : (unsigned long)n;
	return 0;
}

static int on_option(int opt, const char *arg, void *data)
{
	struct ctx *c = data;

	switch (opt) {
	case OPT_MAP:
		c->map_path = arg;
		return 0;
	case OPT_TARGET:
		c->targets = xrealloc(c->targets,
				      (c->n_targets + 1) * sizeof(char *));
		c->targets[c->n_targets++] = arg;
		return 0;
	case OPT_BY:
		if (strcmp(arg, "master_id") && strcmp(arg, "xref"))
			return cli_usage_error(
				c->cli,
				"--by '%s' (expected master_id or xref)", arg);
		c->o.by_xref = !strcmp(arg, "xref");
		return 0;
	case OPT_FIELDS:
		return on_fields(c, arg);
	case OPT_DIFF:
		c->diff_path = arg;
		return 0;
	case OPT_SHOW:
		return on_show(c, arg);
	case OPT_MEMORY:
		if (extsort_parse_size(arg, &c->o.memory) < 0)
			return cli_usage_error(c->cli,
					       "--memory '%s' (expected a size "
					       "such as 256M, at least 1K)",
					       arg);
		return 0;
	case OPT_TMPDIR:
		c->o.tmpdir = arg;
		return 0;
	}
	return -1;
}

static int check_args(struct ctx *c)
{
	if (!c->cli->db_path)
		return cli_usage_error(c->cli, "no --db given (the staging "
					       "database to reconcile)");
	if (!c->map_path)
		return cli_usage_error(c->cli,
				       "no --map given (a [source] "
				       "mapping of the target's export)");
	if (!c->n_targets)
		return cli_usage_error(c->cli, "no --target given (the target "
					       "system's export)");
	return 0;
}

static int configure(struct ctx *c, struct mbr_err *err)
{
	c->o.map = mapping_load(c->map_path, err);
	if (!c->o.map)
		return -1;
	if (mapping_info(c->o.map)->kind != MAPPING_SOURCE)
		return mbr_fail(err, MBR_ECONFIG,
				"%s: a [target] mapping (mbr-reconcile reads "
				"the target's export through a [source] "
				"mapping)",
				c->map_path);
	if (access(c->cli->db_path, F_OK) != 0)
		return mbr_fail(err, MBR_EIO, "cannot open '%s': %s",
				c->cli->db_path, strerror(errno));
	c->o.files = c->targets;
	c->o.n_files = c->n_targets;
	cli_add_outputs(c->cli, &c->diff_path, 1);
	return 0;
}

static int run(struct ctx *c, struct reconcile_result *res, struct mbr_err *err)
{
	struct stage *st = stage_open(c->cli->db_path, err);
	FILE *diff = NULL;
	int rc = -1;

	if (!st)
		return -1;
	if (c->diff_path) {
		diff = cli_open_aux(c->cli, c->diff_path, err);
		if (!diff)
			goto done;
	}
	rc = reconcile_run(st, &c->o, c->cli->out, diff, &c->cli->counts, res,
			   err);
	c->cli->counts.out = res->n_target;
	snprintf(c->cli->extra, sizeof(c->cli->extra),
		 "%llu masters, %llu missing, %llu extra, %llu changed",
		 res->n_staging, res->missing, res->extra + res->duplicate,
		 res->changed);
	if (res->runs)
		snprintf(c->cli->extra + strlen(c->cli->extra),
			 sizeof(c->cli->extra) - strlen(c->cli->extra),
			 ", %zu sort runs on disk", res->runs);
done:
	stage_close(st);
	return rc;
}

int main(int argc, char **argv)
{
	struct cli cli = CLI_INIT("mbr-reconcile", usage);
	struct ctx c = {&cli, {0}, NULL, NULL, NULL, 0, MBR_ERR_INIT};
	struct reconcile_result res;
	int rc;

	c.o.memory = extsort_default_budget();
	c.o.show = 20;
	cli.flags = CLI_DB | CLI_DB_OUT;
	if (cli_parse(&cli, argc, argv, options, on_option, &c) < 0 ||
	    check_args(&c) < 0) {
		free(c.targets);
		return EXIT_USAGE;
	}
	if (configure(&c, &c.err) < 0 || cli_open(&cli, &c.err) < 0 ||
	    run(&c, &res, &c.err) < 0 || cli_commit(&cli, &c.err) < 0) {
		rc = cli_fail(&cli, &c.err);
	} else {
		rc = cli_finish(&cli);
		if (reconcile_differs(&res))
			rc = EXIT_FLAGGED;
	}
	mapping_free(c.o.map);
	free(c.targets);
	return rc;
}
