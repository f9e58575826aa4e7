/*
 * mbr-profile: what the records hold, per source and field.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "profile.h"
#include "stage.h"

static const char usage[] =
	"usage: mbr-profile [options] [FILE...]\n"
	"Profile records per source and field: fill rate, distinct\n"
	"values, top values (seen twice or more), value shapes (N\n"
	"digit, A letters, C Han character, Ｎ full-width digit), flags\n"
	"and rejects by reason,\n"
	"likely duplicates on exact keys (mobile, id_number, email),\n"
	"how many of their values each combination of sources shares,\n"
	"and people (records sharing any exact key) per combination.\n"
	"Personal values (name, mobile, id_number, email, address...)\n"
	"are masked.\n"
	"\n"
	"  --format table|csv|json  output format (default: table)\n"
	"  --rejected FILE       count the rejects in FILE (a rejects\n"
	"                        file a tool wrote) by reason; repeatable\n"
	"  --top N               top values and shapes per field (default 5)\n"
	"  --unmasked            show personal values as they are\n"
	"  --db FILE             profile the staging database (records and\n"
	"                        its rejects table); it is only read\n"
	"  -o FILE               write FILE (mode 0600), not standard output\n"
	"  -q                    no summary or progress line\n"
	"  --help, --version\n"
	"\n"
	"Limits: distinct values are exact up to 4096 per field, then\n"
	"estimated (~, about 1.6% error); at most 1024 values per field\n"
	"are counted, and once some were dropped the counts shown are\n"
	"lower bounds (>=). The exact keys take 16 bytes per record\n"
	"and key.\n"
	"\n"
	"Exit status: 0 done, 2 bad option, 3 input or output failure.\n"
	"\n"
	"example:\n"
	"  mbr-profile --rejected rejects.csv valid.csv\n"
	"  mbr-profile --db stage.db --format json -o profile.json\n";

enum { OPT_FORMAT = 0x100, OPT_REJECTED, OPT_TOP, OPT_UNMASKED };

static const struct option options[] = {
	{"format", required_argument, NULL, OPT_FORMAT},
	{"rejected", required_argument, NULL, OPT_REJECTED},
	{"top", required_argument, NULL, OPT_TOP},
	{"unmasked", no_argument, NULL, OPT_UNMASKED},
	{NULL, 0, NULL, 0},
};

#define MAX_REJECTED 16

struct ctx {
	struct cli *cli;
	struct profile_opts o;
	enum profile_format format;
	const char *rejected[MAX_REJECTED];
	size_t n_rejected;
};

static int on_option(int opt, const char *arg, void *data)
{
	struct ctx *c = data;
	unsigned long long n;

	switch (opt) {
	case OPT_FORMAT:
		if (!strcmp(arg, "table"))
			c->format = PROFILE_TABLE;
		else if (!strcmp(arg, "csv"))
			c->format = PROFILE_CSV;
		else if (!strcmp(arg, "json"))
			c->format = PROFILE_JSON;
		else
			return cli_usage_error(c->cli,
					       "bad --format '%s' (expected "
					       "table, csv or json)",
					       arg);
		return 0;
	case OPT_REJECTED:
		if (c->n_rejected == MAX_REJECTED)
			return cli_usage_error(c->cli,
					       "more than %d --rejected files",
					       MAX_REJECTED);
		c->rejected[c->n_rejected++] = arg;
		return 0;
	case OPT_TOP:
		if (cli_count(c->cli, "--top", arg, 1, 100, &n) < 0)
			return -1;
		c->o.top = (unsigned)n;
		return 0;
	case OPT_UNMASKED:
		c->o.unmasked = true;
		return 0;
	}
	return -1;
}

/* The records (files, or the database's), then the rejects. The
 * database is only read: no run is recorded. */
static int run(struct ctx *c, struct profile *p, struct mbr_err *err)
{
	struct cli *cli = c->cli;
	struct rs_sink *k = rs_sink_rejects(NULL, NULL, cli->prog, true);
	struct stage_cursor *cur;
	struct rs_handler h;
	int rc = 0;

	profile_handler(p, &h);
	if (cli->db_path && !(cli->st = stage_open(cli->db_path, err)))
		rc = -1;
	if (rc == 0)
		rc = cli_run_input(cli, &h, NULL, k, err);
	if (rc == 0)
		rc = rs_finish(k, err);
	rs_sink_free(k);
	if (rc == 0 && cli->st) {
		cur = stage_read_rejects(cli->st, err);
		rc = cur ? profile_read_rejects_cursor(p, cur, err) : -1;
		stage_cursor_free(cur);
	}
	stage_close(cli->st);
	cli->st = NULL;
	for (size_t i = 0; rc == 0 && i < c->n_rejected; i++)
		rc = profile_read_rejects(p, c->rejected[i], err);
	if (rc < 0)
		return -1;
	profile_finish(p);
	return profile_write(p, c->format, cli->out, err);
}

int main(int argc, char **argv)
{
	struct cli cli = CLI_INIT("mbr-profile", usage);
	struct ctx c = {&cli, PROFILE_OPTS_INIT, PROFILE_TABLE, {NULL}, 0};
	struct mbr_err err = MBR_ERR_INIT;
	struct profile *p;

	cli.flags = CLI_DB | CLI_DB_OUT | CLI_READS;
	if (cli_parse(&cli, argc, argv, options, on_option, &c) < 0)
		return EXIT_USAGE;
	if (cli.db_path && c.n_rejected) {
		cli_usage_error(&cli, "--rejected with --db (the database's "
				      "rejects table is read)");
		return EXIT_USAGE;
	}
	p = profile_new(&c.o);
	if (cli_open(&cli, &err) < 0 || run(&c, p, &err) < 0 ||
	    cli_commit(&cli, &err) < 0) {
		profile_free(p);
		return cli_fail(&cli, &err);
	}
	profile_free(p);
	cli.counts.flagged = 0;
	return cli_finish(&cli);
}
