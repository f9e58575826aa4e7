/*
 * mbr-validate: canonical records against rules; the good ones out, the
 * others to the rejects with every reason, or flagged in _issues.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "extsort.h"
#include "rules.h"
#include "stage.h"
#include "validate.h"

static const char usage[] =
	"usage: mbr-validate [options] [FILE...]\n"
	"Check canonical member records against rules. Records that\n"
	"pass go to standard output (flagged ones with the reasons in\n"
	"_issues); rejected ones go to --rejects with every failing rule.\n"
	"\n"
	"  --rules FILE          the rules (default: the built-in rules,\n"
	"                        which mappings/rules.ini repeats)\n"
	"  --rejects FILE        write rejected records, with\n"
	"                        reject_field and reject_reason\n"
	"  --flag-only           reject nothing: every failure is flagged\n"
	"  --max-reject-rate R   when more than R (0 to 1, e.g. 0.05) of\n"
	"                        the records would be rejected, exit 4 and\n"
	"                        write nothing (-o, --rejects, --report,\n"
	"                        --db)\n"
	"  --report FILE         counts per rule: CSV, or JSON for FILE.json\n"
	"  --db FILE             validate the staging database in place:\n"
	"                        rejects move to its rejects table\n"
	"  --memory SIZE         memory for the unique rules' keys, e.g.\n"
	"                        64M (default: RAM/8, at most 256M); past\n"
	"                        it they move to a temporary file\n"
	"  --strict              stop at the first unreadable row (exit 3)\n"
	"  -o FILE               write FILE atomically, not standard "
	"output\n" CLI_DRY_RUN_HELP
	"  -q                    no summary or progress line\n"
	"  --help, --version\n"
	"\n"
	"Exit status: 0 every record passed, 1 some were rejected or\n"
	"flagged, 2 bad option or rules file, 3 input or output failure,\n"
	"4 the reject rate was crossed.\n"
	"\n"
	"example:\n"
	"  mbr-validate --rules mappings/rules.ini --rejects rejects.csv \\\n"
	"      --max-reject-rate 0.05 --report report.json \\\n"
	"      -o valid.csv members.csv\n";

enum {
	OPT_RULES = 0x100,
	OPT_FLAG_ONLY,
	OPT_MAX_REJECT_RATE,
	OPT_REPORT,
	OPT_MEMORY,
};

static const struct option options[] = {
	{"rules", required_argument, NULL, OPT_RULES},
	{"flag-only", no_argument, NULL, OPT_FLAG_ONLY},
	{"max-reject-rate", required_argument, NULL, OPT_MAX_REJECT_RATE},
	{"report", required_argument, NULL, OPT_REPORT},
	{"memory", required_argument, NULL, OPT_MEMORY},
	{NULL, 0, NULL, 0},
};

struct ctx {
	struct cli *cli;
	const char *rules_path;	 /* --rules, or NULL: built-in */
	const char *report_path; /* --report, or NULL */
	size_t memory;		 /* --memory, or 0: the default */
	struct validate_opts opts;
	struct rules *rules; /* owned */
};

static int parse_rate(struct ctx *c, const char *arg)
{
	char *end;
	double r = strtod(arg, &end);

	if (end == arg || *end || !(r >= 0 && r <= 1))
		return cli_usage_error(c->cli,
				       "bad --max-reject-rate '%s' "
				       "(expected a fraction from 0 to 1, "
				       "e.g. 0.05)",
				       arg);
	c->opts.max_reject_rate = r;
	return 0;
}

static int on_option(int opt, const char *arg, void *data)
{
	struct ctx *c = data;

	switch (opt) {
	case OPT_RULES:
		c->rules_path = arg;
		return 0;
	case OPT_FLAG_ONLY:
		c->opts.flag_only = true;
		return 0;
	case OPT_MAX_REJECT_RATE:
		return parse_rate(c, arg);
	case OPT_REPORT:
		c->report_path = arg;
		return 0;
	case OPT_MEMORY:
		if (extsort_parse_size(arg, &c->memory) < 0)
			return cli_usage_error(
				c->cli,
				"bad --memory '%s' (expected a "
				"size such as 256M, at least 1K)",
				arg);
		return 0;
	}
	return -1;
}

static int load_rules(struct ctx *c, struct mbr_err *err)
{
	c->rules = c->rules_path ? rules_load(c->rules_path, err)
				 : rules_default(err);
	if (!c->rules)
		return -1;
	rules_set_memory(c->rules,
			 c->memory ? c->memory : extsort_default_budget());
	return 0;
}

/* The report's file first (it appears at cli_commit), then the loop, the
 * limit (crossed: nothing is committed), the report. */
static int run(struct cli *cli, struct ctx *c, struct mbr_err *err)
{
	struct validate *v = validate_new(c->rules, &c->opts);
	FILE *report = NULL;
	struct rs_sink *k = NULL;
	struct rs_handler h;
	int rc = -1;

	validate_handler(v, &h);
	if ((!c->report_path ||
	     (report = cli_open_aux(cli, c->report_path, err))) &&
	    (k = cli_sink(cli, RS_STAGE_DELETE, 0, err)))
		rc = cli_run_input(cli, &h, NULL, k, err);
	if (rc == 0)
		rc = validate_check_limit(v, &cli->counts, err);
	if (rc == 0 && report)
		validate_report(v, &cli->counts, report,
				validate_report_format(c->report_path));
	rc = cli_done(cli, k, rc, err);
	validate_free(v);
	return rc;
}

int main(int argc, char **argv)
{
	struct cli cli = CLI_INIT("mbr-validate", usage);
	struct ctx c = {&cli, NULL, NULL, 0, VALIDATE_OPTS_INIT, NULL};
	struct mbr_err err = MBR_ERR_INIT;
	int rc;

	cli.flags = CLI_REJECTS | CLI_DB | CLI_DRY_RUN;
	if (cli_parse(&cli, argc, argv, options, on_option, &c) < 0)
		return EXIT_USAGE;
	cli_add_outputs(&cli, &c.report_path, 1);
	if (load_rules(&c, &err) < 0 || cli_open(&cli, &err) < 0 ||
	    run(&cli, &c, &err) < 0 || cli_commit(&cli, &err) < 0)
		rc = cli_fail(&cli, &err);
	else
		rc = cli_finish(&cli);
	rules_free(c.rules);
	return rc;
}
