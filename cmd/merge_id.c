/*
 * mbr-merge-id: clusters of records become golden master records whose
 * master IDs stay the same from run to run (lib/mergeid.h).
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "dryrun.h"
#include "extsort.h"
#include "mergeid.h"
#include "stage.h"
#include "survive.h"

static const char usage[] =
	"usage: mbr-merge-id [options] [FILE...]\n"
	"Turn clustered records (the output of mbr-dedupe) into one golden\n"
	"record per cluster, with master IDs kept from run to run through the\n"
	"crosswalk.\n"
	"\n"
	"  --rules FILE      survivorship rules (default: built in, as in\n"
	"                    mappings/survivorship.ini)\n"
	"  --xref FILE       the crosswalk source,source_id -> master_id: "
	"read\n"
	"                    when it exists, rewritten at the end\n"
	"  --lineage FILE    for every golden value, the record and rule it\n"
	"                    came from\n"
	"  --changes FILE    what this run changed: new, merged, moved, added\n"
	"  --id-format FMT   master IDs (default M%010d)\n"
	"  --memory SIZE     memory for all the sorts, e.g. 64M (default:\n"
	"                    RAM/8, at most 256M); past it they go to\n"
	"                    temporary files in $TMPDIR (mode 0600)\n"
	"  --rejects FILE    records without cluster_id, repeated (listed\n"
	"                    after the others), or with points that are not\n"
	"                    an integer\n"
	"  --strict          stop at the first unparsable row (exit 3)\n"
	"  --db FILE         read records, clusters and the crosswalk from "
	"the\n"
	"                    staging database; write masters, xref, retired\n"
	"  -o FILE           write FILE atomically instead of standard "
	"output\n" CLI_DRY_RUN_HELP
	"  -q                no summary or progress line\n"
	"  --help, --version\n"
	"\n"
	"example:\n"
	"  mbr-dedupe members.csv |\n"
	"    mbr-merge-id --xref xref.csv --lineage lineage.csv >golden.csv\n";

enum {
	OPT_RULES = 0x100,
	OPT_XREF,
	OPT_LINEAGE,
	OPT_CHANGES,
	OPT_ID_FORMAT,
	OPT_MEMORY,
};

static const struct option options[] = {
	{"rules", required_argument, NULL, OPT_RULES},
	{"xref", required_argument, NULL, OPT_XREF},
	{"lineage", required_argument, NULL, OPT_LINEAGE},
	{"changes", required_argument, NULL, OPT_CHANGES},
	{"id-format", required_argument, NULL, OPT_ID_FORMAT},
	{"memory", required_argument, NULL, OPT_MEMORY},
	{NULL, 0, NULL, 0},
};

struct opts {
	const char *rules, *xref, *lineage, *changes, *id_format;
	size_t memory; /* --memory, or 0 */
	struct cli *cli;
};

static int on_option(int opt, const char *arg, void *ctx)
{
	struct opts *o = ctx;

	switch (opt) {
	case OPT_RULES:
		o->rules = arg;
		return 0;
	case OPT_XREF:
		o->xref = arg;
		return 0;
	case OPT_LINEAGE:
		o->lineage = arg;
		return 0;
	case OPT_CHANGES:
		o->changes = arg;
		return 0;
	case OPT_ID_FORMAT:
		o->id_format = arg;
		return 0;
	case OPT_MEMORY:
		if (extsort_parse_size(arg, &o->memory) < 0)
			return cli_usage_error(o->cli,
					       "--memory '%s' (expected a size "
					       "such as 256M, at least 1K)",
					       arg);
		return 0;
	}
	return -1;
}

/* What a run needs; m is made once the rules are read. */
struct run {
	struct cli *cli;
	const struct opts *o;
	const struct survive_rules *rules;
	struct mergeid *m;
};

/* An output file that appears at commit; f is NULL when not asked for. */
static int open_aux(struct cli *cli, const char *path, struct mergeid_out *o,
		    struct mbr_err *err)
{
	o->f = NULL;
	o->name = path;
	if (!path)
		return 0;
	o->f = cli_open_aux(cli, path, err);
	return o->f ? 0 : -1;
}

/* Points summed in = points out is the proof that no account was lost;
 * under another rule for points they may differ, and the line says so. */
static int account(struct run *r, struct mbr_err *err)
{
	const struct mergeid_stats *s = mergeid_stats(r->m);
	bool same = s->points_in == s->points_out;
	char in[48], out[48];

	r->cli->counts.out = s->masters;
	snprintf(r->cli->extra, sizeof(r->cli->extra),
		 "%llu new, %llu merged, %llu moved, points %s in %s %s out",
		 s->issued, s->merged, s->moved,
		 survive_sum_str(s->points_in, in),
		 same ? "=" : "!=", survive_sum_str(s->points_out, out));
	if (s->sort_runs) {
		size_t len = strlen(r->cli->extra);

		snprintf(r->cli->extra + len, sizeof(r->cli->extra) - len,
			 ", %zu sort runs on disk", s->sort_runs);
	}
	if (s->retired || s->back)
		snprintf(r->cli->extra + strlen(r->cli->extra),
			 sizeof(r->cli->extra) - strlen(r->cli->extra),
			 ", %llu retired (deleted at source), %llu back",
			 s->retired, s->back);
	if (!same && r->rules->rule[CF_POINTS].kind == SURVIVE_SUM)
		return mbr_fail(err, MBR_EINTERNAL,
				"points %s in but %s out: a bug to report", in,
				out);
	return 0;
}

/* --lineage and --changes: files in both modes. The golden records go
 * to out (NULL under --db: mergeid_store writes them). A dry run's files
 * are discarded: its changes go to the dry-run list instead (the merger
 * gives them once). */
static int write_files(struct run *r, const struct mergeid_out *out,
		       struct stage *st, struct mbr_err *err)
{
	struct mergeid_out lineage, xref, changes;
	const struct mergeid_out *l;

	if (open_aux(r->cli, r->o->lineage, &lineage, err) < 0 ||
	    open_aux(r->cli, r->o->xref, &xref, err) < 0 ||
	    open_aux(r->cli, r->o->changes, &changes, err) < 0)
		return -1;
	l = lineage.f ? &lineage : NULL;
	if ((st ? mergeid_store(r->m, st, l, err)
		: mergeid_write_golden(r->m, out, l, err)) < 0 ||
	    (xref.f && mergeid_write_xref(r->m, &xref, err) < 0) ||
	    (changes.f && !r->cli->dry &&
	     mergeid_write_changes(r->m, &changes, err) < 0))
		return -1;
	if (r->cli->dry) {
		const struct mergeid_stats *s = mergeid_stats(r->m);

		if (mergeid_each_change(r->m, dryrun_master_row, r->cli->dry,
					err) < 0)
			return -1;
		dryrun_masters(r->cli->dry, s->issued, s->merged, s->moved);
	}
	return account(r, err);
}

/* The records in: the files, or under --db the records with their
 * clusters (the run begun by cli_sink). */
static int read_input(struct run *r, struct rs_sink *k, struct mbr_err *err)
{
	struct rs_handler h;
	struct stage_cursor *c;
	int rc;

	mergeid_handler(r->m, &h);
	if (!r->cli->st)
		return cli_run_input(r->cli, &h, NULL, k, err);
	if (mergeid_load_stage(r->m, r->cli->st, err) < 0 ||
	    !(c = stage_read_clustered(r->cli->st, err)))
		return -1;
	rc = rs_run_cursor(c, r->cli->db_path, &h, k, &r->cli->counts, err);
	stage_cursor_free(c);
	return rc;
}

/* Repeated records, rejected once the merger has sorted them. */
struct late {
	struct cli *cli;
	struct rs_sink *k;
};

static int reject_late(void *ctx, const struct mergeid_reject *r,
		       struct mbr_err *err)
{
	struct late *l = ctx;
	struct rs_why why = {r->field, r->reason, false};

	return rs_reject_late(l->k, &l->cli->counts, r->h, r->name, r->rec,
			      &why, err);
}

static int run(struct cli *cli, const struct opts *o,
	       const struct survive_rules *rules, struct mbr_err *err)
{
	struct mergeid_opts mo = {
		o->id_format,	    rules,	 o->memory, NULL,
		o->lineage != NULL, cli_on_step, cli};
	struct run r = {cli, o, rules, mergeid_new(&mo, err)};
	struct mergeid_out golden = {cli->out, cli->out_path};
	struct rs_sink *k = NULL;
	struct late late = {cli, NULL};
	int rc = -1;

	if (!golden.name || !strcmp(golden.name, "-"))
		golden.name = "standard output";
	if (r.m && (late.k = k = cli_sink(cli, 0, CLI_KEEPS, err)) &&
	    (cli->st || !o->xref ||
	     mergeid_load_xref(r.m, o->xref, err) == 0) &&
	    read_input(&r, k, err) == 0 &&
	    mergeid_assign(r.m, reject_late, &late, err) == 0)
		rc = write_files(&r, cli->st ? NULL : &golden, cli->st, err);
	rc = cli_done(cli, k, rc, err);
	mergeid_free(r.m);
	return rc;
}

int main(int argc, char **argv)
{
	struct cli cli = CLI_INIT("mbr-merge-id", usage);
	struct opts o = {NULL, NULL, NULL, NULL, NULL, 0, &cli};
	struct survive_rules rules;
	struct mbr_err err = MBR_ERR_INIT;
	int rc;

	cli.flags = CLI_REJECTS | CLI_DB | CLI_DRY_RUN;
	if (cli_parse(&cli, argc, argv, options, on_option, &o) < 0)
		return EXIT_USAGE;
	if (cli.db_path && o.xref) {
		cli_usage_error(&cli, "--xref does not go with --db (the "
				      "crosswalk is its xref table)");
		return EXIT_USAGE;
	}
	cli_add_outputs(&cli,
			(const char *const[]){o.xref, o.lineage, o.changes}, 3);
	survive_rules_init(&rules);
	if ((o.rules && survive_rules_load(&rules, o.rules, &err) < 0) ||
	    cli_open(&cli, &err) < 0 || run(&cli, &o, &rules, &err) < 0 ||
	    cli_commit(&cli, &err) < 0) {
		rc = cli_fail(&cli, &err);
		survive_rules_release(&rules);
		return rc;
	}
	survive_rules_release(&rules);
	return cli_finish(&cli);
}
