/*
 * mbr-dedupe: find the records that are the same person; every record
 * out with a cluster_id, the scored pairs and a review list on request.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "cli.h"
#include "export.h"
#include "json.h"
#include "mappers/name.h"
#include "match.h"
#include "reject.h"
#include "stage.h"

static const char usage[] =
	"usage: mbr-dedupe [options] [FILE...]\n"
	"Find duplicate members: block, compare, score (Fellegi-Sunter) and\n"
	"cluster canonical records. Every record goes to standard output with "
	"a\n"
	"cluster_id: the smallest source/source_id of its cluster (with\n"
	"--against, the master_id of a master in it when there is one).\n"
	"\n"
	"  --rules FILE       match rules (default: built in; "
	"mappings/match.ini\n"
	"                     repeats them with comments)\n"
	"  --model FILE       m and u probabilities from FILE (see --train)\n"
	"  --train            estimate u from random pairs and m by EM on "
	"this\n"
	"                     input, write them to --model FILE, then dedupe\n"
	"  --pairs FILE       every scored pair above the rules' pairs floor,\n"
	"                     with the level and weight of each field\n"
	"  --review FILE      pairs between the review and match thresholds,\n"
	"                     with an empty decision column to fill in\n"
	"                     (both files show each record's name, "
	"birth_date,\n"
	"                     mobile, id_number, email and address)\n"
	"  --mask LIST        show these of them masked, e.g. "
	"name,mobile,id_number\n"
	"  --decisions FILE   analyst decisions (a_source, a_source_id, "
	"b_source,\n"
	"                     b_source_id, decision = match | no-match; "
	"optional\n"
	"                     who, decided_at); a filled-in --review file "
	"works.\n"
	"                     Repeat it or give a comma list for several "
	"files.\n"
	"                     With --db they are stored and applied on "
	"every\n"
	"                     later run (a later decision on a pair "
	"replaces\n"
	"                     the stored one); decided pairs leave "
	"--review\n"
	"  --against FILE     link the input to these existing master records\n"
	"                     (and deduplicate it too, unless --link-only)\n"
	"  --link-only        with --against: compare input to masters only\n"
	"  --report FILE      what each blocking key did: records, blocks,\n"
	"                     candidate pairs, capped blocks, budget: CSV,\n"
	"                     or JSON (with the run's counts) for FILE.json\n"
	"  --max-pairs N      candidate pairs the run may propose in all\n"
	"                     (default: the rules' [limits] max_pairs)\n"
	"  --explain A B      instead of the records, say why records A and B\n"
	"                     (SOURCE/SOURCE_ID, as in cluster_id) are or are\n"
	"                     not one cluster: shared blocking keys, each\n"
	"                     field's level and weight, the total, clustering\n"
	"  --shard I/N        with --pairs-only: compare only the pairs of\n"
	"                     shard I (0..N-1) of N; run every shard (on\n"
	"                     any machines) on the same records and rules\n"
	"  --pairs-only       write the scored pairs (-o) for --from-pairs,\n"
	"                     not the records: no clusters\n"
	"  --from-pairs F,F.. cluster the pairs files of all N shards instead\n"
	"                     of comparing: the same records, cluster_ids,\n"
	"                     --pairs and --review as one whole run\n"
	"  --rejects FILE     unreadable rows, with the reason\n"
	"  --db FILE          read the staging database's records instead of\n"
	"                     files; write its pairs and clusters tables (for\n"
	"                     mbr-merge-id --db) instead of standard output\n"
	"  --strict           stop at the first unreadable row (exit 3)\n"
	"  -o FILE            write FILE atomically instead of standard "
	"output\n" CLI_DRY_RUN_HELP
	"  -q                 no summary or progress line\n"
	"  --help, --version\n"
	"\n"
	"examples:\n"
	"  mbr-dedupe --rules mappings/match.ini --pairs pairs.csv \\\n"
	"      --review review.csv members.csv >clustered.csv\n"
	"  mbr-dedupe --explain pos/P001 web/W017 members.csv\n"
	"  mbr-dedupe --shard 0/2 --pairs-only -o p0.csv members.csv\n"
	"  mbr-dedupe --shard 1/2 --pairs-only -o p1.csv members.csv\n"
	"  mbr-dedupe --from-pairs p0.csv,p1.csv members.csv >clustered.csv\n";

enum {
	OPT_RULES = 0x100,
	OPT_MODEL,
	OPT_TRAIN,
	OPT_PAIRS,
	OPT_REVIEW,
	OPT_DECISIONS,
	OPT_REPORT,
	OPT_AGAINST,
	OPT_LINK_ONLY,
	OPT_EXPLAIN,
	OPT_MASK,
	OPT_SHARD,
	OPT_PAIRS_ONLY,
	OPT_FROM_PAIRS,
	OPT_MAX_PAIRS,
};

static const struct option options[] = {
	{"rules", required_argument, NULL, OPT_RULES},
	{"model", required_argument, NULL, OPT_MODEL},
	{"train", no_argument, NULL, OPT_TRAIN},
	{"pairs", required_argument, NULL, OPT_PAIRS},
	{"review", required_argument, NULL, OPT_REVIEW},
	{"decisions", required_argument, NULL, OPT_DECISIONS},
	{"report", required_argument, NULL, OPT_REPORT},
	{"against", required_argument, NULL, OPT_AGAINST},
	{"link-only", no_argument, NULL, OPT_LINK_ONLY},
	{"explain", required_argument, NULL, OPT_EXPLAIN},
	{"mask", required_argument, NULL, OPT_MASK},
	{"shard", required_argument, NULL, OPT_SHARD},
	{"pairs-only", no_argument, NULL, OPT_PAIRS_ONLY},
	{"from-pairs", required_argument, NULL, OPT_FROM_PAIRS},
	{"max-pairs", required_argument, NULL, OPT_MAX_PAIRS},
	{NULL, 0, NULL, 0},
};

#define MAX_AGAINST 16
#define MAX_SHARDS 65536

struct ctx {
	struct cli *cli;
	const char *rules, *model, *pairs, *review, *report;
	char **decisions; /* --decisions files */
	size_t n_decisions;
	const char *explain[2];	      /* --explain A B: the two records */
	unsigned long long max_pairs; /* --max-pairs, or 0 */
	const char *against[MAX_AGAINST];
	size_t n_against;
	char **mask; /* --mask names */
	size_t n_mask;
	bool train, link_only;
	bool pairs_only, sharded;
	unsigned shard, shards; /* --shard I/N (0/1 without it) */
	char **lists;		/* owned: the --from-pairs lists, split */
	size_t n_lists;
	const char **pair_files; /* owned: into lists */
	size_t n_pair_files;
};

/* "I/N": decimal, 1 <= N <= MAX_SHARDS, I < N. */
static int parse_shard(struct ctx *c, const char *arg)
{
	unsigned long i, n;
	char *end;

	if (arg[0] < '0' || arg[0] > '9')
		goto bad;
	i = strtoul(arg, &end, 10);
	if (*end != '/' || end[1] < '0' || end[1] > '9')
		goto bad;
	n = strtoul(end + 1, &end, 10);
	if (*end || n < 1 || n > MAX_SHARDS || i >= n)
		goto bad;
	c->shard = (unsigned)i;
	c->shards = (unsigned)n;
	c->sharded = true;
	return 0;
bad:
	return cli_usage_error(c->cli,
			       "--shard '%s': expected I/N, shard I of N "
			       "shards, 0 <= I < N, 1 <= N <= %d",
			       arg, MAX_SHARDS);
}

/* --from-pairs A,B,...: may be given more than once; names add up. */
static int add_pair_files(struct ctx *c, const char *arg)
{
	char *list = xstrdup(arg), *p = list;

	c->lists = xrealloc(c->lists, (c->n_lists + 1) * sizeof(*c->lists));
	c->lists[c->n_lists++] = list;
	for (;;) {
		char *comma = strchr(p, ',');

		if (comma)
			*comma = '\0';
		if (!*p)
			return cli_usage_error(c->cli,
					       "--from-pairs '%s': an "
					       "empty file name",
					       arg);
		c->pair_files =
			xrealloc(c->pair_files, (c->n_pair_files + 1) *
							sizeof(*c->pair_files));
		c->pair_files[c->n_pair_files++] = p;
		if (!comma)
			return 0;
		p = comma + 1;
	}
}

static void ctx_release(struct ctx *c)
{
	for (size_t i = 0; i < c->n_lists; i++)
		free(c->lists[i]);
	free(c->lists);
	free(c->pair_files);
	for (size_t i = 0; i < c->n_mask; i++)
		free(c->mask[i]);
	free(c->mask);
	for (size_t i = 0; i < c->n_decisions; i++)
		free(c->decisions[i]);
	free(c->decisions);
}

static int on_option(int opt, const char *arg, void *data)
{
	struct ctx *c = data;
	const char **slot[] = {
		[OPT_RULES - OPT_RULES] = &c->rules,
		[OPT_MODEL - OPT_RULES] = &c->model,
		[OPT_PAIRS - OPT_RULES] = &c->pairs,
		[OPT_REVIEW - OPT_RULES] = &c->review,
		[OPT_REPORT - OPT_RULES] = &c->report,
	};

	if (opt == OPT_TRAIN || opt == OPT_LINK_ONLY) {
		*(opt == OPT_TRAIN ? &c->train : &c->link_only) = true;
		return 0;
	}
	if (opt == OPT_DECISIONS) {
		if (!export_add_fields(&c->decisions, &c->n_decisions, arg))
			return cli_usage_error(c->cli,
					       "--decisions '%s' names "
					       "no file",
					       arg);
		return 0;
	}
	if (opt == OPT_MASK) {
		if (!export_add_fields(&c->mask, &c->n_mask, arg))
			return cli_usage_error(c->cli,
					       "--mask '%s' names no column "
					       "(expected a list such as "
					       "name,mobile,id_number)",
					       arg);
		return 0;
	}
	if (opt == OPT_EXPLAIN) {
		c->explain[0] = arg;
		return 0;
	}
	if (opt == OPT_SHARD)
		return parse_shard(c, arg);
	if (opt == OPT_PAIRS_ONLY) {
		c->pairs_only = true;
		return 0;
	}
	if (opt == OPT_FROM_PAIRS)
		return add_pair_files(c, arg);
	if (opt == OPT_MAX_PAIRS)
		return cli_count(c->cli, "--max-pairs", arg, 1, ULLONG_MAX,
				 &c->max_pairs);
	if (opt == OPT_AGAINST) {
		if (c->n_against == MAX_AGAINST)
			return cli_usage_error(c->cli, "more than %d --against",
					       MAX_AGAINST);
		c->against[c->n_against++] = arg;
		return 0;
	}
	if (opt < OPT_RULES || opt > OPT_REPORT || !slot[opt - OPT_RULES])
		return -1;
	*slot[opt - OPT_RULES] = arg;
	return 0;
}

/* --explain A B: B is the first operand after the options. */
static int take_explain(struct ctx *c)
{
	struct cli *cli = c->cli;

	if (!c->explain[0])
		return 0;
	if (cli->n_files == 0)
		return cli_usage_error(cli, "--explain needs two records: "
					    "--explain SOURCE/ID SOURCE/ID");
	c->explain[1] = cli->files[0];
	cli->files++;
	cli->n_files--;
	if (cli->db_path)
		return cli_usage_error(cli, "--explain reads files, not --db");
	return 0;
}

static int check_args(const struct ctx *c)
{
	if (c->train && !c->model)
		return cli_usage_error(c->cli, "--train needs --model FILE "
					       "to write the model to");
	if (c->link_only && !c->n_against)
		return cli_usage_error(c->cli, "--link-only needs --against");
	if (c->n_mask && !c->pairs && !c->review)
		return cli_usage_error(c->cli, "--mask masks the values "
					       "--pairs and --review show: "
					       "give one of them");
	if (c->sharded && !c->pairs_only)
		return cli_usage_error(c->cli,
				       "--shard needs --pairs-only (a shard "
				       "has no clusters of its own; cluster "
				       "the shards' pairs with --from-pairs)");
	if (c->pairs_only && c->n_pair_files)
		return cli_usage_error(c->cli, "--pairs-only and --from-pairs "
					       "are two steps: not both");
	if (c->pairs_only && (c->pairs || c->review || c->n_decisions ||
			      c->train || c->explain[0] || c->cli->db_path))
		return cli_usage_error(c->cli,
				       "--pairs-only writes the scored pairs "
				       "only: --pairs, --review, --decisions, "
				       "--train, --explain and --db belong to "
				       "the --from-pairs step (train first, "
				       "then give every step --model)");
	if (c->n_pair_files &&
	    (c->train || c->explain[0] || c->report || c->cli->db_path))
		return cli_usage_error(c->cli,
				       "--from-pairs clusters pairs already "
				       "scored: --train, --explain, --report "
				       "and --db are not for it (--report "
				       "goes to the --shard runs)");
	return 0;
}

static struct match_rules *load_rules(const struct ctx *c, struct mbr_err *err)
{
	struct match_rules *r = match_rules_new();

	if ((c->rules && match_rules_load(r, c->rules, err) < 0) ||
	    (c->model && !c->train && match_model_load(r, c->model, err) < 0)) {
		match_rules_free(r);
		return NULL;
	}
	if (c->max_pairs)
		match_rules_set_max_pairs(r, c->max_pairs);
	return r;
}

/* Optional outputs, opened before the run so a bad path fails early. */
struct outputs {
	FILE *pairs, *review, *model, *report;
};

static int open_outputs(struct cli *cli, const struct ctx *c, struct outputs *o,
			struct mbr_err *err)
{
	if ((c->pairs && !(o->pairs = cli_open_aux(cli, c->pairs, err))) ||
	    (c->review && !(o->review = cli_open_aux(cli, c->review, err))) ||
	    (c->train && !(o->model = cli_open_aux(cli, c->model, err))) ||
	    (c->report && !(o->report = cli_open_aux(cli, c->report, err))))
		return -1;
	return 0;
}

/* Who decides when a decisions file has no who column: the user. */
static const char *decider(void)
{
	const char *who = getenv("USER");

	if (!who || !*who)
		who = getlogin();
	return who && *who ? who : "unknown";
}

/* The records (files or the staging database), then --against masters
 * (counted apart: they are not this run's records), then decisions. */
static int read_inputs(struct cli *cli, const struct ctx *c, struct match *m,
		       struct rs_sink *k, struct mbr_err *err)
{
	struct csvio_opts co = CSVIO_OPTS_INIT;
	struct rs_tally masters = RS_TALLY_INIT;
	struct rs_handler h;

	match_handler(m, MATCH_NEW, &h);
	if (cli_run_input(cli, &h, NULL, k, err) < 0)
		return -1;
	match_handler(m, MATCH_MASTER, &h);
	if (cli->strict)
		co.flags |= CSVIO_STRICT;
	if (c->n_against && rs_run_files(c->against, c->n_against, &co, &h, k,
					 &masters, err) < 0)
		return -1;
	cli->counts.rejected += masters.rejected;
	cli->counts.in += masters.rejected;
	match_set_decider(m, decider());
	if (cli->st && match_load_stage_decisions(m, cli->st, err) < 0)
		return -1;
	for (size_t i = 0; i < c->n_decisions; i++)
		if (match_load_decisions(m, c->decisions[i], err) < 0)
			return -1;
	if (c->n_pair_files &&
	    match_load_pairs(m, c->pair_files, c->n_pair_files, err) < 0)
		return -1;
	return 0;
}

static int write_outputs(struct cli *cli, const struct ctx *c,
			 const struct match_rules *r, struct match *m,
			 struct outputs *o, struct mbr_err *err)
{
	if (o->model && match_model_write(r, o->model, err) < 0)
		return -1;
	if (c->explain[0] &&
	    match_explain(m, c->explain[0], c->explain[1], cli->out, err) < 0)
		return -1;
	if (c->pairs_only) {
		if (match_write_shard(m, cli->out, err) < 0 ||
		    (o->report && match_write_report(m, o->report, err) < 0))
			return -1;
		cli->counts.out = match_n_pairs(m);
		return 0;
	}
	if ((!c->explain[0] &&
	     (cli->st ? match_write_stage(m, cli->st, err)
		      : match_write_records(m, cli->out, err)) < 0) ||
	    (o->pairs && match_write_pairs(m, o->pairs, err) < 0) ||
	    (o->review && match_write_review(m, o->review, err) < 0) ||
	    (o->report &&
	     (json_path(c->report)
		      ? match_write_report_json(m, o->report, err)
		      : match_write_report(m, o->report, err)) < 0))
		return -1;
	cli->counts.out = match_n_records(m);
	return 0;
}

static void summary(struct cli *cli, const struct ctx *c,
		    const struct match_stats *s)
{
	size_t len;

	for (unsigned long i = 0; i < s->capped && i < MATCH_MAX_CAPPED; i++)
		cli_warn(cli,
			 "blocking key '%s': a block of %lu records is over "
			 "max_block_pairs: compared by sorted neighbourhood "
			 "only",
			 s->capped_first[i].key, s->capped_first[i].records);
	if (s->capped > MATCH_MAX_CAPPED)
		cli_warn(cli, "%lu more blocks capped",
			 s->capped - MATCH_MAX_CAPPED);
	for (unsigned k = 0; k < s->n_keys; k++)
		if (s->key[k].status != MATCH_KEY_OK)
			cli_warn(cli,
				 "blocking key '%s' proposes %llu pairs, over "
				 "the run's budget of %llu pairs compared "
				 "(max_pairs, max_pairs_per_record): %s",
				 s->key[k].name, s->key[k].wanted, s->budget,
				 s->key[k].status == MATCH_KEY_SKIPPED
					 ? "skipped"
					 : "compared by sorted neighbourhood "
					   "only");
	if (s->conflicts)
		cli_warn(cli,
			 "%lu match decisions conflict with a cannot-link "
			 "and were not applied",
			 s->conflicts);
	if (s->dec_orphans)
		cli_warn(cli,
			 "%lu stored decisions name records no longer in "
			 "the database and were not applied",
			 s->dec_orphans);
	/* The records of capped blocks are flagged: exit 1. */
	cli->counts.flagged += s->capped_records;
	if (c->pairs_only) {
		snprintf(cli->extra, sizeof(cli->extra),
			 "shard %u/%u: %llu pairs compared, %llu pairs out "
			 "(not records)",
			 c->shard, c->shards, s->compared, s->kept);
		return;
	}
	snprintf(cli->extra, sizeof(cli->extra),
		 "%lu clusters, %llu pairs compared, %llu matched, "
		 "%llu to review",
		 s->clusters, s->compared, s->matches, s->review);
	len = strlen(cli->extra);
	/* Matches clustering kept apart (--pairs says which and why). */
	if (s->split)
		len += (size_t)snprintf(cli->extra + len,
					sizeof(cli->extra) - len,
					", %llu split", s->split);
	if (s->decisions && len < sizeof(cli->extra))
		len += (size_t)snprintf(
			cli->extra + len, sizeof(cli->extra) - len,
			", %lu decisions applied", s->decisions - s->conflicts);
	if (s->dec_stored && len < sizeof(cli->extra))
		len += (size_t)snprintf(cli->extra + len,
					sizeof(cli->extra) - len,
					" (%lu stored)", s->dec_stored);
	if (s->capped && len < sizeof(cli->extra))
		len += (size_t)snprintf(cli->extra + len,
					sizeof(cli->extra) - len,
					", %lu blocks capped", s->capped);
	if (s->over_budget && len < sizeof(cli->extra))
		len += (size_t)snprintf(
			cli->extra + len, sizeof(cli->extra) - len,
			", %u keys over budget", s->over_budget);
	if (cli->st && len < sizeof(cli->extra))
		snprintf(cli->extra + len, sizeof(cli->extra) - len,
			 ", %llu pairs stored, %llu under the pairs floor "
			 "dropped",
			 s->stored, s->compared - s->stored);
}

static int run(struct cli *cli, const struct ctx *c, struct match_rules *r,
	       struct mbr_err *err)
{
	struct match *m = match_new(r, c->link_only ? MATCH_LINK_ONLY : 0);
	struct outputs o = {0};
	struct rs_sink *k = NULL;
	int rc = -1;

	match_set_progress(m, cli_on_step, cli);
	if (c->pairs_only)
		match_set_shard(m, c->shard, c->shards);
	if ((!(c->pairs || c->review) ||
	     match_show_values(m, c->mask, c->n_mask, err) == 0) &&
	    open_outputs(cli, c, &o, err) == 0 &&
	    (k = cli_sink(cli, 0, CLI_KEEPS, err)) &&
	    read_inputs(cli, c, m, k, err) == 0 &&
	    match_run(m, c->train, err) == 0 &&
	    write_outputs(cli, c, r, m, &o, err) == 0) {
		summary(cli, c, match_get_stats(m));
		rc = 0;
	}
	rc = cli_done(cli, k, rc, err);
	match_free(m);
	return rc;
}

int main(int argc, char **argv)
{
	struct cli cli = CLI_INIT("mbr-dedupe", usage);
	struct ctx c = {.cli = &cli};
	struct mbr_err err = MBR_ERR_INIT;
	struct match_rules *r = NULL;
	int rc;

	cli.flags = CLI_REJECTS | CLI_DB | CLI_DRY_RUN;
	if (cli_parse(&cli, argc, argv, options, on_option, &c) < 0 ||
	    take_explain(&c) < 0 || check_args(&c) < 0) {
		ctx_release(&c);
		return EXIT_USAGE;
	}
	if (c.pairs_only && !c.sharded)
		c.shards = 1; /* --pairs-only alone: shard 0/1, every pair */
	cli_add_outputs(&cli,
			(const char *const[]){c.pairs, c.review, c.report,
					      c.train ? c.model : NULL},
			4);
	/* The surname table splits names given whole (欧阳 + 娜娜); without
	 * it they split after one character, which still matches. */
	if (name_open(&err) < 0) {
		cli_warn(&cli, "%s (names split without it)", err.msg);
		err = (struct mbr_err)MBR_ERR_INIT;
	}
	if (match_nicknames_open(&err) < 0) {
		cli_warn(&cli, "%s (no nickname level without it)", err.msg);
		err = (struct mbr_err)MBR_ERR_INIT;
	}
	if (!(r = load_rules(&c, &err)) || cli_open(&cli, &err) < 0 ||
	    run(&cli, &c, r, &err) < 0 || cli_commit(&cli, &err) < 0)
		rc = cli_fail(&cli, &err);
	else
		rc = cli_finish(&cli);
	ctx_release(&c);
	match_rules_free(r);
	match_nicknames_close();
	name_close();
	return rc;
}
