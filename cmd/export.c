/*
 * mbr-export: records into a target system's format and encoding.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "csvio.h"
#include "export.h"
#include "stage.h"

static const char usage[] =
	"usage: mbr-export [options] [FILE...]\n"
	"Write canonical or golden member records for a target system.\n"
	"\n"
	"  --map FILE             a [target] mapping: column names and "
	"mappers\n"
	"  --format FMT           csv, tsv, jsonl, sql or sqlite (default: "
	"the\n"
	"                         mapping's, else csv; sqlite needs -o FILE)\n"
	"  --encoding E           any iconv encoding (default UTF-8)\n"
	"  --table NAME           table for sql and sqlite (default members)\n"
	"  --mask LIST            mask these columns, e.g. "
	"name,mobile,phone,email,\n"
	"                         id_number,address, and their parts "
	"(name:\n"
	"                         family_name, given_name; id_number: "
	"birth_date;\n"
	"                         address: postal_code)\n"
	"  --pseudonymize LIST    replace these columns (and their parts) by a "
	"keyed\n"
	"                         HMAC ...\n"
	"  --key-file FILE        ... with the secret key in FILE (32 to "
	"4096\n"
	"                         bytes, mode 0600, or a pipe)\n"
	"  --force                use a key file that fails those checks\n"
	"  --excel                csv, tsv for Excel: every cell's formula "
	"neutralised,\n"
	"                         long digits kept, a BOM in UTF-8 and "
	"UTF-16\n"
	"  --db FILE              read the staging database instead of "
	"FILE...\n"
	"  --from TABLE           with --db: records (default) or masters\n"
	"  --rejects FILE         rows that cannot be read, with the reason\n"
	"                         (default: NAME.rejects.csv beside -o, "
	"when any)\n"
	"  --strict               stop at the first row that cannot be read\n"
	"  -o FILE                write FILE atomically (mode "
	"0600)\n" CLI_DRY_RUN_HELP
	"  -q                     no summary or progress line\n"
	"  --help, --version\n"
	"\n"
	"example:\n"
	"  mbr-import --map mappings/pos.map sample-data/pos_legacy.csv |\n"
	"      mbr-export --map mappings/newcrm-target.map --mask "
	"mobile,id_number -o newcrm.csv\n";

enum {
	OPT_MAP = 0x100,
	OPT_FORMAT,
	OPT_ENCODING,
	OPT_TABLE,
	OPT_MASK,
	OPT_PSEUDO,
	OPT_KEY,
	OPT_EXCEL,
	OPT_FROM,
	OPT_FORCE,
};

static const struct option options[] = {
	{"map", required_argument, NULL, OPT_MAP},
	{"format", required_argument, NULL, OPT_FORMAT},
	{"encoding", required_argument, NULL, OPT_ENCODING},
	{"table", required_argument, NULL, OPT_TABLE},
	{"mask", required_argument, NULL, OPT_MASK},
	{"pseudonymize", required_argument, NULL, OPT_PSEUDO},
	{"pseudonymise", required_argument, NULL, OPT_PSEUDO},
	{"key-file", required_argument, NULL, OPT_KEY},
	{"excel", no_argument, NULL, OPT_EXCEL},
	{"from", required_argument, NULL, OPT_FROM},
	{"force", no_argument, NULL, OPT_FORCE},
	{NULL, 0, NULL, 0},
};

struct ctx {
	struct cli *cli;
	struct export_opts o;
	const char *map_path, *key_path, *from;
	bool force; /* --force: use a weak key */
};

static int on_option(int opt, const char *arg, void *data)
{
	struct ctx *c = data;

	switch (opt) {
	case OPT_MAP:
		c->map_path = arg;
		return 0;
	case OPT_FORMAT:
		if (export_parse_format(arg, &c->o.format) < 0)
			return cli_usage_error(c->cli,
					       "--format '%s' (expected csv, "
					       "tsv, jsonl, sql or sqlite)",
					       arg);
		c->o.format_set = true;
		return 0;
	case OPT_ENCODING:
		c->o.encoding = arg;
		return 0;
	case OPT_TABLE:
		c->o.table = arg;
		c->o.table_set = true;
		return 0;
	case OPT_MASK:
		if (!export_add_fields(&c->o.mask, &c->o.n_mask, arg))
			return cli_usage_error(c->cli,
					       "--mask '%s' names no column "
					       "(expected a list such as "
					       "name,mobile,id_number)",
					       arg);
		return 0;
	case OPT_PSEUDO:
		if (!export_add_fields(&c->o.pseudo, &c->o.n_pseudo, arg))
			return cli_usage_error(
				c->cli,
				"--pseudonymize '%s' names no "
				"column (expected a list such as "
				"mobile,id_number)",
				arg);
		return 0;
	case OPT_KEY:
		c->key_path = arg;
		return 0;
	case OPT_EXCEL:
		c->o.excel = true;
		return 0;
	case OPT_FORCE:
		c->force = true;
		return 0;
	case OPT_FROM:
		if (strcmp(arg, "records") && strcmp(arg, "masters"))
			return cli_usage_error(
				c->cli,
				"--from '%s' (expected records or masters)",
				arg);
		c->from = arg;
		return 0;
	}
	return -1;
}

/* --format sqlite writes a database by name: -o must name a file to
 * create (not standard output, not a device or a FIFO). */
static int check_db_out(const char *out, struct mbr_err *err)
{
	struct stat st;

	if (!out || !strcmp(out, "-"))
		return mbr_fail(
			err, MBR_ECONFIG,
			"--format sqlite writes a database file: give -o FILE");
	if (stat(out, &st) == 0 && !S_ISREG(st.st_mode))
		return mbr_fail(err, MBR_ECONFIG,
				"-o '%s' is not a regular file (expected a "
				"file for --format sqlite to create)",
				out);
	return 0;
}

static int load_key(struct ctx *c, struct mbr_err *err)
{
	enum export_key_flags flags = 0;

	if (c->cli->strict)
		flags |= EXPORT_KEY_STRICT;
	if (c->force)
		flags |= EXPORT_KEY_FORCE;
	return export_load_key(&c->o, c->key_path, flags, err);
}

static int configure(struct ctx *c, struct mbr_err *err)
{
	struct export_opts *o = &c->o;
	const struct mapping_info *mi;

	if (c->map_path) {
		o->map = mapping_load(c->map_path, err);
		if (!o->map)
			return -1;
		mi = mapping_info(o->map);
		if (mi->kind != MAPPING_TARGET)
			return mbr_fail(err, MBR_ECONFIG,
					"%s: a [source] mapping (mbr-export "
					"needs a [target] mapping)",
					c->map_path);
		if (!o->format_set)
			export_parse_format(mi->format, &o->format);
		if (!o->encoding)
			o->encoding = mi->encoding;
		if (!o->table)
			o->table = mi->table;
	}
	if (!o->table)
		o->table = "members";
	if (c->from && !c->cli->db_path)
		return mbr_fail(err, MBR_ECONFIG,
				"--from %s without --db (expected --db FILE "
				"to read the table from)",
				c->from);
	if (o->n_pseudo && !c->key_path)
		return mbr_fail(
			err, MBR_ECONFIG,
			"--pseudonymize needs --key-file FILE (a secret key: a "
			"plain hash of a mobile number can be reversed)");
	if (c->key_path && load_key(c, err) < 0)
		return -1;
	if (export_check_opts(o, err) < 0)
		return -1;
	if (o->format == EXPORT_SQLITE)
		return check_db_out(c->cli->out_path, err);
	return 0;
}

/* The records: the input files, or the staging database's records or
 * (--from masters) its golden masters. */
static int read_input(struct ctx *c, const struct rs_handler *h,
		      struct rs_sink *k, struct mbr_err *err)
{
	struct stage_cursor *cur;
	int rc;

	if (!c->from || strcmp(c->from, "masters"))
		return cli_run_input(c->cli, h, NULL, k, err);
	cur = stage_read_masters(c->cli->st, err);
	if (!cur)
		return -1;
	rc = rs_run_cursor(cur, c->cli->db_path, h, k, &c->cli->counts, err);
	stage_cursor_free(cur);
	return rc;
}

static int run(struct ctx *c, struct mbr_err *err)
{
	struct export_run r = {.o = &c->o,
			       .out = c->cli->out,
			       .db_path = cli_out_tmp_path(c->cli),
			       .db_name = c->cli->out_path};
	struct rs_sink *k = cli_sink(c->cli, 0, CLI_KEEPS | CLI_COUNT_OUT, err);
	struct rs_handler h;
	int rc = -1;

	export_handler(&r, &h);
	if (k && read_input(c, &h, k, err) == 0)
		rc = export_finish(&r, err);
	rc = cli_done(c->cli, k, rc, err);
	export_run_release(&r);
	return rc;
}

int main(int argc, char **argv)
{
	struct cli cli = CLI_INIT("mbr-export", usage);
	struct ctx c = {&cli, {0}, NULL, NULL, NULL, false};
	struct mbr_err err = MBR_ERR_INIT;
	int rc;

	export_opts_init(&c.o);
	cli.flags = CLI_DB | CLI_DB_OUT | CLI_REJECTS | CLI_DRY_RUN;
	if (cli_parse(&cli, argc, argv, options, on_option, &c) < 0)
		return EXIT_USAGE;
	if (configure(&c, &err) < 0 || cli_open(&cli, &err) < 0 ||
	    run(&c, &err) < 0 || cli_commit(&cli, &err) < 0) {
		rc = cli_fail(&cli, &err);
		export_opts_release(&c.o);
		return rc;
	}
	export_opts_release(&c.o);
	return cli_finish(&cli);
}
