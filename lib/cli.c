/*
 * cli: common options, atomic outputs, progress and summary lines.
 */
#include "cli.h"
#include "suggest.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "dryrun.h"
#include "stage.h"

/* Outputs that appear only at commit: a temporary file beside the target,
 * created 0600, renamed into place when everything was written. */
struct pending {
	char *tmp;  /* owned: temporary path */
	char *path; /* owned: final path */
	FILE *f;
	bool dflt;    /* the default rejects file: dropped when none */
	bool discard; /* --dry-run: removed at commit, never renamed */
};

#define MAX_PENDING 16
static struct pending pending[MAX_PENDING];
static volatile sig_atomic_t n_pending;
static bool stdout_is_out = true;
static bool stdout_was_closed; /* descriptor 1 was closed at start */
static struct buf args = {NULL, 0, 0, 4096};

/* --dry-run on a database that does not exist: the temporary one and its
 * journals, removed on a signal too (they hold the run's records). */
static const char *const dry_side[] = {"", "-wal", "-shm", "-journal"};
#define N_DRY_SIDE (sizeof(dry_side) / sizeof(*dry_side))
static char dry_paths[N_DRY_SIDE][4096];
static volatile sig_atomic_t have_dry_paths;

static void remove_pending(void)
{
	for (int i = 0; i < n_pending; i++)
		if (pending[i].tmp)
			unlink(pending[i].tmp);
	for (size_t i = 0; have_dry_paths && i < N_DRY_SIDE; i++)
		unlink(dry_paths[i]);
}

static void on_signal(int sig)
{
	remove_pending();
	signal(sig, SIG_DFL);
	raise(sig);
}

enum {
	OPT_DB = 0x1000,
	OPT_REJECTS,
	OPT_HELP,
	OPT_VERSION,
	OPT_STRICT,
	OPT_EXIT_FLAGS,
	OPT_DRY_RUN,
};

static const struct option common[] = {
	{"db", required_argument, NULL, OPT_DB},
	{"rejects", required_argument, NULL, OPT_REJECTS},
	{"help", no_argument, NULL, OPT_HELP},
	{"version", no_argument, NULL, OPT_VERSION},
	{"strict", no_argument, NULL, OPT_STRICT},
	{"exit-flags", required_argument, NULL, OPT_EXIT_FLAGS},
	{"dry-run", optional_argument, NULL, OPT_DRY_RUN},
	{"output", required_argument, NULL, 'o'},
	{"quiet", no_argument, NULL, 'q'},
};

#define N_COMMON (sizeof(common) / sizeof(common[0]))

int cli_usage_error(const struct cli *cli, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", cli->prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help' for more information.\n", cli->prog);
	return -1;
}

int cli_count(const struct cli *cli, const char *opt, const char *arg,
	      unsigned long long min, unsigned long long max,
	      unsigned long long *out)
{
	char *end;
	unsigned long long n;

	errno = 0;
	n = strtoull(arg, &end, 10);
	if (arg[0] < '0' || arg[0] > '9' || *end || errno || n < min || n > max)
		return max == ULLONG_MAX
			       ? cli_usage_error(cli,
						 "%s '%s': expected a whole "
						 "number of at least %llu",
						 opt, arg, min)
			       : cli_usage_error(cli,
						 "%s '%s': expected a number "
						 "from %llu to %llu",
						 opt, arg, min, max);
	*out = n;
	return 0;
}

static struct option *merge_options(const struct option *opts)
{
	size_t n = 0;
	struct option *all;

	while (opts && opts[n].name)
		n++;
	all = xcalloc(n + N_COMMON + 1, sizeof(*all));
	if (n)
		memcpy(all, opts, n * sizeof(*all));
	memcpy(all + n, common, sizeof(common));
	return all;
}

static int common_option(struct cli *cli, int c, const char *arg)
{
	switch (c) {
	case 'o':
		cli->out_path = arg;
		return 0;
	case 'q':
		cli->quiet = true;
		return 0;
	case OPT_STRICT:
		cli->strict = true;
		return 0;
	case OPT_EXIT_FLAGS:
		if (strcmp(arg, "0") && strcmp(arg, "1"))
			return cli_usage_error(cli,
					       "--exit-flags '%s' (expected 0: "
					       "a run that only flagged exits "
					       "0, or 1, the default)",
					       arg);
		cli->exit_flags = arg[0] - '0';
		return 0;
	case OPT_DB:
		if (!(cli->flags & CLI_DB))
			return cli_usage_error(
				cli, "--db is not supported by this tool");
		cli->db_path = arg;
		return 0;
	case OPT_DRY_RUN:
		if (!(cli->flags & CLI_DRY_RUN))
			return cli_usage_error(cli,
					       "--dry-run is not supported "
					       "by this tool (it writes "
					       "nothing to the database)");
		if (arg && (!*arg || !strcmp(arg, "-")))
			return cli_usage_error(cli,
					       "--dry-run=FILE needs a file "
					       "name (what would change goes "
					       "to standard output)");
		cli->dry_run = true;
		cli->dry_path = arg;
		return 0;
	case OPT_REJECTS:
		if (!(cli->flags & CLI_REJECTS))
			return cli_usage_error(
				cli, "--rejects is not supported by this tool");
		cli->rejects_path = arg;
		return 0;
	case 'h':
	case OPT_HELP:
	case OPT_VERSION:
		return 2; /* handled once the options are freed */
	}
	return 1;
}

/* Descriptors 0, 1 and 2 open on /dev/null when the caller closed them
 * (as git and OpenSSH do): else the first file we open would become
 * standard output, and records would be written into it. */
static void open_std_fds(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
			continue;
		if (fd == 1)
			stdout_was_closed = true;
		if (open("/dev/null", fd ? O_WRONLY : O_RDONLY) != fd)
			_exit(EXIT_IO);
	}
}

/* Options that do nothing under --db are errors. */
static int check_mode(const struct cli *cli)
{
	if (cli->dry_run && !cli->db_path)
		return cli_usage_error(cli, "--dry-run needs --db FILE (it "
					    "rehearses a run on the staging "
					    "database)");
	if (!cli->db_path)
		return 0;
	if (cli->out_path && !(cli->flags & CLI_DB_OUT))
		return cli_usage_error(cli, "-o does not go with --db (the "
					    "results stay in the database)");
	if (cli->rejects_path)
		return cli_usage_error(cli, "--rejects does not go with --db "
					    "(rejects go to its rejects "
					    "table)");
	if (cli->strict)
		return cli_usage_error(cli, "--strict does not go with --db "
					    "(rows in the database always "
					    "parse)");
	if (cli->n_files)
		return cli_usage_error(cli, "input files do not go with --db "
					    "(its records are the input)");
	return 0;
}

/* The library's warnings (mbr_warn), as "PROG: message". */
static void print_warning(const char *msg)
{
	fprintf(stderr, "%s: %s\n", mbr_progname, msg);
}

/* "unknown option '--mapp' (did you mean '--map'?)": the nearest long
 * option, for a long one. */
static int unknown_option(const struct cli *cli, const char *arg,
			  const struct option *all)
{
	const char *names[128];
	char word[64];
	const char *near = NULL;
	size_t n = 0;

	if (!strncmp(arg, "--", 2) && arg[2]) {
		snprintf(word, sizeof(word), "%.*s", (int)strcspn(arg + 2, "="),
			 arg + 2);
		for (size_t i = 0; all[i].name && n < 128; i++)
			names[n++] = all[i].name;
		near = suggest(word, names, n);
	}
	if (near)
		return cli_usage_error(cli,
				       "unknown option '%s' (did you mean "
				       "'--%s'?)",
				       arg, near);
	return cli_usage_error(cli, "unknown option '%s'", arg);
}

int cli_parse(struct cli *cli, int argc, char **argv, const struct option *opts,
	      cli_option_fn fn, void *ctx)
{
	struct option *all = merge_options(opts);
	int c, rc = 0;

	open_std_fds();
	mbr_progname = cli->prog;
	mbr_set_warn(print_warning);
	clock_gettime(CLOCK_MONOTONIC, &cli->start);
	buf_init(&args, 4096);
	for (int i = 1; i < argc; i++)
		if (buf_addf(&args, "%s%s", i > 1 ? " " : "", argv[i]) < 0)
			break;
	opterr = 0;
	while ((c = getopt_long(argc, argv,
				(cli->flags & CLI_ORDERED) ? "-:o:qh" : ":o:qh",
				all, NULL)) != -1) {
		if (c == '?') {
			rc = unknown_option(cli, argv[optind - 1], all);
			break;
		}
		if (c == ':') {
			rc = cli_usage_error(cli, "option '%s' needs a value",
					     argv[optind - 1]);
			break;
		}
		rc = common_option(cli, c, optarg);
		if (rc == 2) {
			free(all);
			if (c == OPT_HELP || c == 'h')
				fputs(cli->usage, stdout);
			else
				printf("%s (mbr) %s\n", cli->prog, MBR_VERSION);
			exit(fflush(stdout) == 0 ? 0 : EXIT_IO);
		}
		if (rc == 1)
			rc = fn ? fn(c, optarg, ctx) : -1;
		if (rc < 0)
			break;
	}
	free(all);
	if (rc < 0)
		return -1;
	cli->files = (const char **)(argv + optind);
	cli->n_files = (size_t)(argc - optind);
	if (cli->db_path && !(cli->flags & CLI_DB_OUT))
		cli->flags |= CLI_NO_OUT; /* results go to the database */
	return check_mode(cli);
}

/* Remove temporaries on these signals; one the caller ignores (nohup
 * ignores SIGHUP) stays ignored, as sort(1) does. */
static void catch_signals(void)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};
	static bool done;

	if (done)
		return;
	done = true;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(*sigs); i++) {
		struct sigaction old;

		if (sigaction(sigs[i], NULL, &old) == 0 &&
		    old.sa_handler == SIG_IGN)
			continue;
		signal(sigs[i], on_signal);
	}
}

/* "-" names standard output, for one output at a time. */
static FILE *claim_stdout(struct cli *cli, const char *what,
			  struct mbr_err *err)
{
	if (cli->stdout_taken) {
		mbr_fail(err, MBR_ECONFIG,
			 "standard output is already taken by %s (give one "
			 "of the outputs a FILE)",
			 cli->stdout_taken);
		return NULL;
	}
	if (stdout_was_closed) {
		mbr_fail(err, MBR_EIO,
			 "standard output is closed (give -o FILE, or leave "
			 "it open)");
		return NULL;
	}
	cli->stdout_taken = strcmp(what, "-") ? what : "another output";
	catch_signals();
	csvio_pipe_grow(STDOUT_FILENO);
	return stdout;
}

FILE *cli_open_aux(struct cli *cli, const char *path, struct mbr_err *err)
{
	struct pending *p;
	const char *slash = strrchr(path, '/');
	struct buf tmp;
	struct stat st;
	int fd;
	bool discard = cli->dry != NULL; /* --dry-run; not its change list */

	if (discard && (!strcmp(path, "-") ||
			(stat(path, &st) == 0 && !S_ISREG(st.st_mode))))
		path = "/dev/null"; /* a dry run writes nothing */
	if (!strcmp(path, "-"))
		return claim_stdout(cli, path, err);
	if (n_pending == MAX_PENDING) {
		mbr_fail(err, MBR_EINTERNAL, "too many output files");
		return NULL;
	}
	catch_signals();
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		/* A device or a FIFO (/dev/null, /dev/full, a pipe): write
		 * to it directly; renaming a file over it would replace it. */
		p = &pending[n_pending];
		p->f = fopen(path, "w");
		if (!p->f) {
			mbr_fail(err, MBR_EIO, "cannot open '%s': %s", path,
				 strerror(errno));
			return NULL;
		}
		p->tmp = NULL;
		p->path = xstrdup(path);
		n_pending++;
		return p->f;
	}
	buf_init(&tmp, BUF_NOLIMIT);
	if (slash)
		buf_add(&tmp, path, (size_t)(slash - path + 1));
	buf_addf(&tmp, ".%s.XXXXXX", slash ? slash + 1 : path);
	fd = mkstemp(tmp.p); /* mode 0600: outputs hold personal data */
	if (fd < 0) {
		mbr_fail(err, MBR_EIO, "cannot create '%s': %s", path,
			 strerror(errno));
		buf_release(&tmp);
		return NULL;
	}
	p = &pending[n_pending];
	p->tmp = buf_detach(&tmp);
	p->path = xstrdup(path);
	p->discard = discard;
	p->f = fdopen(fd, "w");
	if (!p->f) {
		close(fd);
		unlink(p->tmp);
		mbr_fail(err, MBR_EIO, "cannot open '%s': %s", path,
			 strerror(errno));
		return NULL;
	}
	n_pending++;
	return p->f;
}

void cli_add_outputs(struct cli *cli, const char *const *paths, size_t n)
{
	const size_t max = sizeof(cli->outputs) / sizeof(*cli->outputs);

	for (size_t i = 0; i < n && cli->n_outputs < max; i++)
		if (paths[i])
			cli->outputs[cli->n_outputs++] = paths[i];
}

/* Can path be written (by temporary file and rename, or in place)? */
static int check_output(const char *path, struct mbr_err *err)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? xmemdup(path, (size_t)(slash - path)) : NULL;
	const char *d = !slash ? "." : slash == path ? "/" : dir;
	struct stat st;
	int rc = 0;

	if (!strcmp(path, "-"))
		rc = 0;
	else if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		rc = mbr_fail(err, MBR_EIO, "cannot write '%s': a directory",
			      path);
	else if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
		rc = access(path, W_OK) == 0
			     ? 0
			     : mbr_fail(err, MBR_EIO, "cannot write '%s': %s",
					path, strerror(errno));
	else if (stat(d, &st) != 0 || !S_ISDIR(st.st_mode))
		rc = mbr_fail(err, MBR_EIO,
			      "cannot write '%s': no directory '%s'", path, d);
	else if (access(d, W_OK | X_OK) != 0)
		rc = mbr_fail(err, MBR_EIO, "cannot write '%s': %s", path,
			      strerror(errno));
	free(dir);
	return rc;
}

static int check_outputs(const struct cli *cli, struct mbr_err *err)
{
	if (cli->out_path && check_output(cli->out_path, err) < 0)
		return -1;
	if (cli->rejects_path && check_output(cli->rejects_path, err) < 0)
		return -1;
	for (size_t i = 0; i < cli->n_outputs; i++)
		if (check_output(cli->outputs[i], err) < 0)
			return -1;
	return 0;
}

/* --dry-run: the collector, with the change list when asked for. */
static int open_dry(struct cli *cli, struct mbr_err *err)
{
	FILE *list = NULL;

	if (!cli->dry_run)
		return 0;
	if (cli->dry_path && (check_output(cli->dry_path, err) < 0 ||
			      !(list = cli_open_aux(cli, cli->dry_path, err))))
		return -1;
	cli->dry = dryrun_new(list);
	cli->counts.dry = cli->dry;
	return 0;
}

int cli_open(struct cli *cli, struct mbr_err *err)
{
	if (check_outputs(cli, err) < 0 || open_dry(cli, err) < 0)
		return -1;
	if (cli->flags & CLI_NO_OUT)
		return 0;
	if (cli->dry && (!cli->out_path || !strcmp(cli->out_path, "-"))) {
		cli->out = cli_open_aux(cli, "/dev/null", err);
		return cli->out ? 0 : -1;
	}
	if (!cli->out_path || !strcmp(cli->out_path, "-")) {
		cli->out = claim_stdout(cli, "the records", err);
		return cli->out ? 0 : -1;
	}
	stdout_is_out = false;
	cli->out = cli_open_aux(cli, cli->out_path, err);
	return cli->out ? 0 : -1;
}

/* Where rejects go without --rejects: beside -o as NAME.rejects.csv, else
 * PROG.rejects.csv in the working directory. */
static void default_rejects(const struct cli *cli, struct buf *path)
{
	const char *o = cli->out_path;
	size_t len;

	buf_reset(path);
	if (!o || !strcmp(o, "-")) {
		buf_addf(path, "%s.rejects.csv", cli->prog);
		return;
	}
	len = strlen(o);
	if (len > 4 && !strcmp(o + len - 4, ".csv"))
		len -= 4;
	buf_add(path, o, len);
	buf_adds(path, ".rejects.csv");
}

FILE *cli_open_rejects(struct cli *cli, struct mbr_err *err)
{
	struct buf path;
	FILE *f;

	if (cli->rejects_path)
		return cli_open_aux(cli, cli->rejects_path, err);
	buf_init(&path, BUF_NOLIMIT);
	default_rejects(cli, &path);
	f = check_output(path.p, err) < 0 ? NULL
					  : cli_open_aux(cli, path.p, err);
	if (!f)
		mbr_prefix(err, "no --rejects given, and the default rejects "
				"file: ");
	else
		pending[n_pending - 1].dflt = true;
	buf_release(&path);
	return f;
}

const char *cli_out_tmp_path(const struct cli *cli)
{
	for (int i = 0; i < n_pending; i++)
		if (pending[i].f && pending[i].f == cli->out)
			return pending[i].tmp;
	return NULL;
}

int cli_commit(struct cli *cli, struct mbr_err *err)
{
	if (stdout_is_out && (fflush(stdout) != 0 || ferror(stdout)))
		return mbr_fail(err, MBR_EIO,
				"cannot write standard output: %s",
				strerror(errno));
	for (int i = 0; i < n_pending; i++) {
		struct pending *p = &pending[i];
		/* fsync before the rename, so that a crash cannot leave an
		 * empty file under the final name; a device needs none. */
		int bad = fflush(p->f) != 0 || ferror(p->f) ||
			  (p->tmp && fsync(fileno(p->f)) != 0);

		if (fclose(p->f) != 0 || bad) {
			p->f = NULL;
			return mbr_fail(err, MBR_EIO, "cannot write '%s': %s",
					p->path, strerror(errno));
		}
		p->f = NULL;
	}
	for (int i = 0; i < n_pending; i++) {
		struct pending *p = &pending[i];

		if (p->discard && p->tmp) {
			unlink(p->tmp); /* --dry-run: no file appears */
			free(p->tmp);
			p->tmp = NULL;
			continue;
		}
		if (p->dflt && cli->counts.rejected == 0 && p->tmp) {
			unlink(p->tmp); /* nothing rejected: no file */
			free(p->tmp);
			p->tmp = NULL;
			continue;
		}
		if (p->dflt)
			snprintf(cli->dflt_rejects, sizeof(cli->dflt_rejects),
				 "%s", p->path);
		if (!p->tmp)
			continue; /* written in place */
		if (rename(p->tmp, p->path) != 0)
			return mbr_fail(err, MBR_EIO,
					"cannot rename to '%s': %s", p->path,
					strerror(errno));
		free(p->tmp);
		p->tmp = NULL;
	}
	return 0;
}

static void clear_progress(struct cli *cli)
{
	if (cli->progress_shown)
		fputs("\r\033[K", stderr);
	cli->progress_shown = false;
}

int cli_fail(struct cli *cli, const struct mbr_err *err)
{
	clear_progress(cli);
	remove_pending();
	dryrun_free(cli->dry);
	cli->dry = NULL;
	fprintf(stderr, "%s: %s\n", cli->prog, err->msg);
	return mbr_exit_code(err->status == MBR_OK ? MBR_EINTERNAL
						   : err->status);
}

static const char *cli_args(const struct cli *cli)
{
	(void)cli;
	return args.p ? args.p : "";
}

static double cli_elapsed(const struct cli *cli)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - cli->start.tv_sec) +
	       (double)(now.tv_nsec - cli->start.tv_nsec) / 1e9;
}

int cli_finish(struct cli *cli)
{
	const struct rs_tally *c = &cli->counts;
	double pct = c->in ? 100.0 * (double)c->rejected / (double)c->in : 0;

	clear_progress(cli);
	if (cli->dflt_rejects[0])
		fprintf(stderr,
			"%s: rejected records (%llu) written to '%s' (no "
			"--rejects given)\n",
			cli->prog, c->rejected, cli->dflt_rejects);
	if (!cli->quiet) {
		fprintf(stderr, "%s: %llu in, %llu %s, %llu rejected (%.2f%%)",
			cli->prog, c->in,
			cli->flags & CLI_READS ? c->in - c->rejected : c->out,
			cli->flags & CLI_READS ? "read" : "out", c->rejected,
			pct);
		if (c->flagged)
			fprintf(stderr, ", %llu flagged", c->flagged);
		if (cli->extra[0])
			fprintf(stderr, ", %s", cli->extra);
		fprintf(stderr, ", %.2f s\n", cli_elapsed(cli));
	}
	if (cli->dry) {
		dryrun_report(cli->dry, cli->prog, c, stdout);
		dryrun_free(cli->dry);
		cli->dry = NULL;
		if (fflush(stdout) != 0 || ferror(stdout)) {
			fprintf(stderr, "%s: cannot write standard output\n",
				cli->prog);
			return EXIT_IO;
		}
	}
	if (c->rejected || (c->flagged && cli->exit_flags))
		return EXIT_FLAGGED;
	return EXIT_CLEAN;
}

void cli_warn(const struct cli *cli, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", cli->prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Time to draw the progress line? Then *t is the time since the start.
 * The clock is read once in every calls (a record read is cheap: 4096;
 * a step's items are fewer and slower, and mbr-dedupe tells one in 64
 * already: 16). */
static bool progress_due(struct cli *cli, double *t, unsigned every)
{
	if (++cli->progress_tick % every || cli->quiet)
		return false;
	*t = cli_elapsed(cli);
	if (*t < 1.0 || *t - cli->progress_last < 0.5 || !isatty(2))
		return false;
	cli->progress_last = *t;
	cli->progress_shown = true;
	return true;
}

static void cli_progress(struct cli *cli, unsigned long long done_bytes,
			 unsigned long long total_bytes)
{
	double t;

	if (!progress_due(cli, &t, 4096))
		return;
	fprintf(stderr, "\r%s: %llu records, %.0f/s", cli->prog, cli->counts.in,
		(double)cli->counts.in / t);
	if (total_bytes)
		fprintf(stderr, ", %.0f%%",
			100.0 * (double)done_bytes / (double)total_bytes);
	fflush(stderr);
}

void cli_step(struct cli *cli, const char *what, unsigned long long done,
	      unsigned long long total)
{
	double t;

	if (!progress_due(cli, &t, 16))
		return;
	fprintf(stderr, "\r\033[K%s: %s: %llu", cli->prog, what, done);
	if (total)
		fprintf(stderr, " of %llu (%.0f%%)", total,
			100.0 * (double)done / (double)total);
	fflush(stderr);
}

void cli_on_step(void *cli, const char *what, unsigned long long done,
		 unsigned long long total)
{
	cli_step(cli, what, done, total);
}

/*
 * A tool's run
 */

static void on_progress(void *ctx, unsigned long long done,
			unsigned long long total)
{
	cli_progress(ctx, done, total);
}

/* A dry run's database: the one given, opened so that nothing is ever
 * committed; when it does not exist, an empty temporary one instead (a
 * dry run creates no file). */
static struct stage *open_dry_db(struct cli *cli, struct mbr_err *err)
{
	const char *tmpdir = getenv("TMPDIR");
	struct buf path;
	struct stat sb;
	int fd;

	if (stat(cli->db_path, &sb) == 0 || errno != ENOENT)
		return stage_open_dry(cli->db_path, err);
	buf_init(&path, BUF_NOLIMIT);
	buf_addf(&path, "%s/mbr-dry-run.XXXXXX",
		 tmpdir && *tmpdir ? tmpdir : "/tmp");
	fd = mkstemp(path.p); /* 0600 */
	if (fd < 0) {
		mbr_fail(err, MBR_EIO,
			 "%s: cannot create a temporary database: %s", path.p,
			 strerror(errno));
		buf_release(&path);
		return NULL;
	}
	close(fd);
	cli->dry_db = buf_detach(&path);
	for (size_t i = 0; i < N_DRY_SIDE; i++)
		snprintf(dry_paths[i], sizeof(dry_paths[i]), "%s%s",
			 cli->dry_db, dry_side[i]);
	have_dry_paths = strlen(cli->dry_db) < sizeof(dry_paths[0]) - 16;
	catch_signals();
	cli_warn(cli,
		 "--dry-run: '%s' does not exist: rehearsing on an empty "
		 "database",
		 cli->db_path);
	return stage_open(cli->dry_db, err);
}

/* Remove the temporary database of open_dry_db and its journals. */
static void drop_dry_db(struct cli *cli)
{
	struct buf p;

	if (!cli->dry_db)
		return;
	have_dry_paths = 0;
	buf_init(&p, BUF_NOLIMIT);
	for (size_t i = 0; i < N_DRY_SIDE; i++) {
		buf_reset(&p);
		buf_addf(&p, "%s%s", cli->dry_db, dry_side[i]);
		unlink(p.p);
	}
	buf_release(&p);
	free(cli->dry_db);
	cli->dry_db = NULL;
}

/* The staging tables' rows, for the dry run's report. */
static int count_tables(struct cli *cli, bool after, struct mbr_err *err)
{
	struct stage_count *t = xcalloc(DRYRUN_MAX_TABLES, sizeof(*t));
	size_t n;
	int rc = stage_count_rows(cli->st, t, DRYRUN_MAX_TABLES, &n, err);

	if (rc == 0)
		dryrun_tables(cli->dry, after, t, n);
	free(t);
	return rc;
}

static struct rs_sink *stage_sink(struct cli *cli, enum rs_stage_mode mode,
				  enum cli_sink_flags flags,
				  struct mbr_err *err)
{
	static char where[512];

	cli->st = cli->dry ? open_dry_db(cli, err)
			   : stage_open(cli->db_path, err);
	if (!cli->st || (cli->dry && count_tables(cli, false, err) < 0) ||
	    stage_begin_run(cli->st, cli->prog, cli_args(cli), err) < 0) {
		stage_close(cli->st);
		cli->st = NULL;
		drop_dry_db(cli);
		return NULL;
	}
	snprintf(where, sizeof(where), "the rejects table of '%s'",
		 cli->db_path);
	cli->counts.rejects_name = where;
	if (flags & CLI_KEEPS)
		return rs_sink_rejects(NULL, cli->st, cli->prog,
				       flags & CLI_COUNT_OUT);
	return rs_sink_stage(cli->st, mode, cli->prog);
}

struct rs_sink *cli_sink(struct cli *cli, enum rs_stage_mode mode,
			 enum cli_sink_flags flags, struct mbr_err *err)
{
	FILE *rejects;

	cli->counts.progress = on_progress;
	cli->counts.progress_ctx = cli;
	if (cli->db_path)
		return stage_sink(cli, mode, flags, err);
	rejects = cli_open_rejects(cli, err);
	if (!rejects)
		return NULL;
	cli->counts.rejects_name =
		cli->rejects_path ? cli->rejects_path : "the rejects file";
	if (flags & CLI_KEEPS)
		return rs_sink_rejects(rejects, NULL, cli->prog,
				       flags & CLI_COUNT_OUT);
	return rs_sink_csv(cli->out, rejects, cli->prog);
}

int cli_run_input(struct cli *cli, const struct rs_handler *h,
		  const struct csvio_opts *o, struct rs_sink *k,
		  struct mbr_err *err)
{
	struct csvio_opts co = CSVIO_OPTS_INIT;
	struct stage_cursor *c;
	int rc;

	if (!cli->st) {
		if (o)
			co = *o;
		if (cli->strict)
			co.flags |= CSVIO_STRICT;
		return rs_run_files(cli->files, cli->n_files, &co, h, k,
				    &cli->counts, err);
	}
	c = stage_read_records(cli->st, err);
	if (!c)
		return -1;
	rc = rs_run_cursor(c, cli->db_path, h, k, &cli->counts, err);
	stage_cursor_free(c);
	return rc;
}

int cli_done(struct cli *cli, struct rs_sink *k, int rc, struct mbr_err *err)
{
	const struct rs_tally *t = &cli->counts;

	if (rc == 0 && k && rs_finish(k, err) < 0)
		rc = mbr_prefix(err, "%s: ",
				cli->out_path ? cli->out_path
					      : "standard output");
	rs_sink_free(k);
	if (rc == 0 && cli->dry && cli->st &&
	    (count_tables(cli, true, err) < 0 ||
	     dryrun_flush(cli->dry, err) < 0))
		rc = -1;
	else if (rc == 0 && cli->st && !cli->dry &&
		 stage_commit_run(cli->st, t->in, t->out, t->rejected,
				  t->flagged, rs_status(t), err) < 0)
		rc = -1;
	stage_close(cli->st); /* rolls back a run not committed */
	cli->st = NULL;
	drop_dry_db(cli);
	return rc;
}
