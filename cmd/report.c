/*
 * mbr-report: the duplicate audit as one self-contained HTML file.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "match.h"
#include "report.h"
#include "stage.h"

static const char usage[] =
	"usage: mbr-report [options] -o report.html [RECORDS...]\n"
	"Write the duplicate audit as one HTML file (no network\n"
	"resources; readable on a phone): the profile, the run log,\n"
	"cluster-size and match-weight histograms, the source overlap\n"
	"matrix, the largest and least coherent clusters, and the pairs\n"
	"to review and a sample of merged pairs with both records side\n"
	"by side. Review pairs can be marked match / no match / skip in\n"
	"the browser and downloaded as the CSV mbr-dedupe --decisions\n"
	"reads. Personal values are masked.\n"
	"\n"
	"  --db FILE             read the staging database: records, the\n"
	"                        latest dedupe run's clusters and pairs,\n"
	"                        rejects and the run log (only read)\n"
	"  RECORDS...            or: the records mbr-dedupe wrote (with\n"
	"                        cluster_id); files, not standard input\n"
	"  --pairs FILE          the pairs file mbr-dedupe --pairs wrote\n"
	"  --rejected FILE       a rejects file, for the profile; repeatable\n"
	"  --rules FILE          the match rules dedupe ran with (for the\n"
	"                        thresholds; default: the built-in rules)\n"
	"  --max-review N        review pairs shown (default 200)\n"
	"  --sample N            merged pairs shown (default 20)\n"
	"  --title TEXT          the page's title\n"
	"  --unmasked            show personal values as they are\n"
	"  -o FILE               write FILE (mode 0600), not standard output\n"
	"  -q                    no summary or progress line\n"
	"  --help, --version\n"
	"\n"
	"Exit status: 0 done, 2 bad option or rules, 3 input or output\n"
	"failure.\n"
	"\n"
	"example:\n"
	"  mbr-report --db stage.db -o report.html\n"
	"  mbr-report --pairs pairs.csv -o report.html clustered.csv\n";

enum {
	OPT_PAIRS = 0x100,
	OPT_REJECTED,
	OPT_RULES,
	OPT_MAX_REVIEW,
	OPT_SAMPLE,
	OPT_TITLE,
	OPT_UNMASKED,
};

static const struct option options[] = {
	{"pairs", required_argument, NULL, OPT_PAIRS},
	{"rejected", required_argument, NULL, OPT_REJECTED},
	{"rules", required_argument, NULL, OPT_RULES},
	{"max-review", required_argument, NULL, OPT_MAX_REVIEW},
	{"sample", required_argument, NULL, OPT_SAMPLE},
	{"title", required_argument, NULL, OPT_TITLE},
	{"unmasked", no_argument, NULL, OPT_UNMASKED},
	{NULL, 0, NULL, 0},
};

#define MAX_REJECTED 16

struct ctx {
	struct cli *cli;
	struct report_opts o;
	struct report_input in;
	const char *rejected[MAX_REJECTED];
	const char *rules_path;
};

static int count_arg(struct ctx *c, const char *opt, const char *arg,
		     unsigned *to)
{
	unsigned long long n;

	if (cli_count(c->cli, opt, arg, 0, 100000, &n) < 0)
		return -1;
	*to = (unsigned)n;
	return 0;
}

static int on_option(int opt, const char *arg, void *data)
{
	struct ctx *c = data;

	switch (opt) {
	case OPT_PAIRS:
		c->in.pairs = arg;
		return 0;
	case OPT_REJECTED:
		if (c->in.n_rejected == MAX_REJECTED)
			return cli_usage_error(c->cli,
					       "more than %d --rejected files",
					       MAX_REJECTED);
		c->rejected[c->in.n_rejected++] = arg;
		return 0;
	case OPT_RULES:
		c->rules_path = arg;
		return 0;
	case OPT_MAX_REVIEW:
		return count_arg(c, "--max-review", arg, &c->o.max_review);
	case OPT_SAMPLE:
		return count_arg(c, "--sample", arg, &c->o.sample);
	case OPT_TITLE:
		c->o.title = arg;
		return 0;
	case OPT_UNMASKED:
		c->o.unmasked = true;
		return 0;
	}
	return -1;
}

static int check(struct ctx *c)
{
	struct cli *cli = c->cli;

	if (cli->db_path && (c->in.pairs || c->in.n_rejected))
		return cli_usage_error(cli, "--pairs and --rejected are for "
					    "files; --db reads its own tables");
	if (!cli->db_path && !cli->n_files)
		return cli_usage_error(cli, "give --db FILE, or the records "
					    "mbr-dedupe wrote (files: they "
					    "are read twice)");
	for (size_t i = 0; i < cli->n_files; i++)
		if (!strcmp(cli->files[i], "-"))
			return cli_usage_error(cli,
					       "records from standard input "
					       "(expected files: they are "
					       "read twice)");
	return 0;
}

static int thresholds(struct ctx *c, struct mbr_err *err)
{
	struct match_rules *r = match_rules_new();
	int rc = 0;

	if (c->rules_path)
		rc = match_rules_load(r, c->rules_path, err);
	if (rc == 0)
		match_rules_thresholds(r, &c->o.match_w, &c->o.review_w);
	match_rules_free(r);
	return rc;
}

static int run(struct ctx *c, struct mbr_err *err)
{
	struct cli *cli = c->cli;
	int rc;

	c->in.records = cli->files;
	c->in.n_records = cli->n_files;
	c->in.rejected = c->rejected;
	if (cli->db_path) {
		c->in.st = stage_open(cli->db_path, err);
		if (!c->in.st)
			return -1;
		c->in.db_name = cli->db_path;
	}
	rc = report_write(&c->o, &c->in, cli->out, &cli->counts, err);
	stage_close(c->in.st);
	c->in.st = NULL;
	return rc;
}

int main(int argc, char **argv)
{
	struct cli cli = CLI_INIT("mbr-report", usage);
	struct ctx c = {&cli, REPORT_OPTS_INIT, {0}, {NULL}, NULL};
	struct mbr_err err = MBR_ERR_INIT;

	cli.flags = CLI_DB | CLI_DB_OUT | CLI_READS;
	if (cli_parse(&cli, argc, argv, options, on_option, &c) < 0 ||
	    check(&c) < 0)
		return EXIT_USAGE;
	if (thresholds(&c, &err) < 0 || cli_open(&cli, &err) < 0 ||
	    run(&c, &err) < 0 || cli_commit(&cli, &err) < 0)
		return cli_fail(&cli, &err);
	cli.counts.flagged = 0;
	return cli_finish(&cli);
}
