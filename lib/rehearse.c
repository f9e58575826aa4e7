/*
 * rehearse: copy, run the tools, read the copy, judge.
 */
#include "rehearse.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "stage.h"

/*
 * Limits
 */

int rehearse_parse_rate(const char *arg, double *rate)
{
	char *end;
	double r = strtod(arg, &end);

	if (end == arg)
		return -1;
	if (*end == '%') {
		r /= 100;
		end++;
	}
	if (*end || !(r >= 0 && r <= 1))
		return -1;
	*rate = r;
	return 0;
}

int rehearse_set_limit(struct rehearse_opts *o, const char *arg,
		       struct mbr_err *err)
{
	const char *eq = strrchr(arg, '=');
	double r;

	if (rehearse_parse_rate(eq ? eq + 1 : arg, &r) < 0 || eq == arg)
		return mbr_fail(err, MBR_ECONFIG,
				"--max-reject-rate '%s' (expected a rate such "
				"as 0.5%% or 0.005, or SOURCE=RATE)",
				arg);
	if (!eq) {
		o->max_rate = r;
		return 0;
	}
	if (o->n_limits == REHEARSE_MAX_LIMITS)
		return mbr_fail(err, MBR_ECONFIG,
				"more than %d --max-reject-rate SOURCE=RATE",
				REHEARSE_MAX_LIMITS);
	o->limits[o->n_limits].source = xmemdup(arg, (size_t)(eq - arg));
	o->limits[o->n_limits++].rate = r;
	return 0;
}

void rehearse_opts_release(struct rehearse_opts *o)
{
	for (size_t i = 0; i < o->n_limits; i++)
		free(o->limits[i].source);
	o->n_limits = 0;
}

static double limit_of(const struct rehearse_opts *o, struct strview source,
		       bool *used)
{
	for (size_t i = 0; i < o->n_limits; i++)
		if (sv_eqs(source, o->limits[i].source)) {
			used[i] = true;
			return o->limits[i].rate;
		}
	return o->max_rate;
}

/*
 * Temporary files: the copy, its journals, merge-id's changes, the log.
 * Removed at the end and on a signal.
 */

enum { T_DB, T_WAL, T_SHM, T_JOURNAL, T_CHANGES, T_LOG, T_COUNT };

static const char *const suffix[T_COUNT] = {"",		"-wal",		"-shm",
					    "-journal", ".changes.csv", ".log"};
static char tmp[T_COUNT][4096];
static volatile sig_atomic_t have_tmp;

static void remove_tmp(void)
{
	if (!have_tmp)
		return;
	for (int i = 0; i < T_COUNT; i++)
		unlink(tmp[i]);
	have_tmp = 0;
}

static void on_signal(int sig)
{
	remove_tmp();
	signal(sig, SIG_DFL);
	raise(sig);
}

static int make_tmp(struct mbr_err *err)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
	const char *dir = getenv("TMPDIR");
	int fd;

	if (!dir || !*dir)
		dir = "/tmp";
	if ((size_t)snprintf(tmp[T_DB], sizeof(tmp[T_DB]),
			     "%s/mbr-rehearse.XXXXXX",
			     dir) >= sizeof(tmp[0]) - 16)
		return mbr_fail(err, MBR_EIO, "TMPDIR is too long");
	fd = mkstemp(tmp[T_DB]); /* mode 0600: the copy is personal data */
	if (fd < 0)
		return mbr_fail(err, MBR_EIO, "%s: cannot create: %s",
				tmp[T_DB], strerror(errno));
	close(fd);
	for (int i = 1; i < T_COUNT; i++) { /* fits: 16 bytes were kept */
		size_t n = strlen(tmp[T_DB]);

		memcpy(tmp[i], tmp[T_DB], n);
		strcpy(tmp[i] + n, suffix[i]);
	}
	have_tmp = 1;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(*sigs); i++) {
		struct sigaction old;

		if (sigaction(sigs[i], NULL, &old) == 0 &&
		    old.sa_handler != SIG_IGN)
			signal(sigs[i], on_signal);
	}
	return 0;
}

/* The staging database's committed state into the copy; nothing when it
 * does not exist (the copy stays an empty file: a new database). */
static int copy_db(const char *db, struct mbr_err *err)
{
	struct stage *st;
	struct stat sb;
	int rc;

	if (stat(db, &sb) != 0 && errno == ENOENT)
		return 0;
	st = stage_open_dry(db, err);
	if (!st)
		return -1;
	/* VACUUM INTO wants no file or an empty one: ours is empty */
	rc = stage_copy(st, tmp[T_DB], err);
	stage_close(st);
	return rc;
}

/*
 * The steps
 */

struct step {
	const char *tool; /* "import" runs mbr-import */
	int status;	  /* its exit status, or -1 before it ran */
};

/* Run mbr-TOOL args (NULL-terminated, args[0] unused): standard output
 * to /dev/null, standard error to the log. Its exit status, or -1. */
static int run_tool(const struct rehearse_opts *o, const char *tool,
		    const char **args, struct mbr_err *err)
{
	char path[4096 + 64], name[64];
	int log = open(tmp[T_LOG], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
		       0600);
	int status;
	pid_t pid;

	if (log < 0)
		return mbr_fail(err, MBR_EIO, "%s: %s", tmp[T_LOG],
				strerror(errno));
	snprintf(name, sizeof(name), "mbr-%s", tool);
	snprintf(path, sizeof(path), "%s%s", o->bindir, name);
	args[0] = name;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(log);
		return mbr_fail(err, MBR_EIO, "cannot start %s: %s", name,
				strerror(errno));
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 ||
		    dup2(log, 2) < 0)
			_exit(127);
		if (*o->bindir)
			execv(path, (char *const *)args);
		execvp(name, (char *const *)args);
		dprintf(2, "mbr-rehearse: cannot run '%s': %s\n", name,
			strerror(errno));
		_exit(127);
	}
	close(log);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return mbr_fail(err, MBR_EIO, "waiting for %s: %s",
					name, strerror(errno));
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/* Append "--opt value" when value is given. */
static void opt(const char **args, size_t *n, const char *name,
		const char *value)
{
	if (!value)
		return;
	args[(*n)++] = name;
	args[(*n)++] = value;
}

static int run_steps(const struct rehearse_opts *o, struct step *steps,
		     size_t n_steps, struct mbr_err *err)
{
	const char *args[REHEARSE_MAX_ARGS + 16];

	for (size_t s = 0; s < n_steps; s++) {
		size_t n = 1;

		args[n++] = "-q";
		args[n++] = "--db";
		args[n++] = tmp[T_DB];
		if (!strcmp(steps[s].tool, "import"))
			for (size_t i = 0; i < o->n_import_args; i++)
				args[n++] = o->import_args[i];
		else if (!strcmp(steps[s].tool, "validate"))
			opt(args, &n, "--rules", o->rules);
		else if (!strcmp(steps[s].tool, "dedupe")) {
			opt(args, &n, "--rules", o->match);
			opt(args, &n, "--model", o->model);
		} else if (!strcmp(steps[s].tool, "merge-id")) {
			opt(args, &n, "--rules", o->survivorship);
			opt(args, &n, "--changes", tmp[T_CHANGES]);
		}
		args[n] = NULL;
		steps[s].status = run_tool(o, steps[s].tool, args, err);
		if (steps[s].status < 0)
			return -1;
		if (steps[s].status > 1)
			return 0; /* a failed step ends the rehearsal */
	}
	return 0;
}

/*
 * The table
 */

struct verdict {
	unsigned checks, failed;
};

static void judge(FILE *out, struct verdict *v, bool ok)
{
	v->checks++;
	v->failed += !ok;
	fprintf(out, "  %s\n", ok ? "go" : "NO-GO");
}

static int print_steps(FILE *out, struct stage *st, long long before,
		       const struct step *steps, size_t n_steps,
		       struct verdict *v, struct mbr_err *err)
{
	struct stage_cursor *c = stage_read_runs_after(st, before, err);
	struct record row;
	int got;

	if (!c)
		return -1;
	record_init(&row);
	fprintf(out, "%-10s %10s %10s %10s %10s  %s\n", "step", "in", "out",
		"rejected", "flagged", "status");
	while ((got = stage_cursor_next(c, &row, err)) > 0) {
		struct strview tool = record_field(&row, 0);

		if (tool.len > 4 && !memcmp(tool.p, "mbr-", 4))
			tool = svn(tool.p + 4, tool.len - 4);
		fprintf(out, "%-10.*s", (int)tool.len, tool.p);
		for (size_t i = 1; i <= 4; i++)
			fprintf(out, " %10s", record_field(&row, i).p);
		fprintf(out, "  %s\n", record_field(&row, 5).p);
	}
	record_release(&row);
	stage_cursor_free(c);
	if (got < 0)
		return -1;
	for (size_t i = 0; i < n_steps; i++)
		if (steps[i].status > 1) {
			fprintf(out,
				"%-10s failed (exit %d): see the messages "
				"above",
				steps[i].tool, steps[i].status);
			judge(out, v, false);
		}
	return 0;
}

static int print_sources(FILE *out, const struct rehearse_opts *o,
			 struct stage *st, long long before, struct verdict *v,
			 struct mbr_err *err)
{
	struct stage_cursor *c = stage_read_source_rejects(st, before, err);
	bool used[REHEARSE_MAX_LIMITS] = {false};
	struct record row;
	int got;

	if (!c)
		return -1;
	record_init(&row);
	while ((got = stage_cursor_next(c, &row, err)) > 0) {
		struct strview source = record_field(&row, 0);
		unsigned long long kept = strtoull(record_field(&row, 1).p,
						   NULL, 10),
				   rej = strtoull(record_field(&row, 2).p, NULL,
						  10);
		double all = (double)(kept + rej);
		double rate = all > 0 ? (double)rej / all : 0;
		double limit = limit_of(o, source, used);
		char what[160], value[64], lim[32];

		snprintf(what, sizeof(what), "reject rate %.*s",
			 (int)(source.len > 100 ? 100 : source.len), source.p);
		snprintf(value, sizeof(value), "%.2f%% (%llu of %llu)",
			 100 * rate, rej, kept + rej);
		snprintf(lim, sizeof(lim), "%.2f%%", 100 * limit);
		fprintf(out, "%-32s %-24s %-10s", what, value, lim);
		judge(out, v, rate <= limit);
	}
	record_release(&row);
	stage_cursor_free(c);
	for (size_t i = 0; got == 0 && i < o->n_limits; i++)
		if (!used[i])
			fprintf(out,
				"%-32s no such source in the rehearsal "
				"(--max-reject-rate %s=...)\n",
				"reject rate", o->limits[i].source);
	return got < 0 ? -1 : 0;
}

static int print_points(FILE *out, struct stage *st, struct verdict *v,
			struct mbr_err *err)
{
	struct stage_cursor *c = stage_read_points(st, err);
	struct record row;
	char value[96];
	int got;

	if (!c)
		return -1;
	record_init(&row);
	got = stage_cursor_next(c, &row, err);
	if (got > 0) {
		/* records, their points, masters, their points */
		bool same = sv_eq(record_field(&row, 1), record_field(&row, 3));

		snprintf(value, sizeof(value), "%s %s %s",
			 record_field(&row, 1).p,
			 same ? "=" : "!=", record_field(&row, 3).p);
		fprintf(out, "%-32s %-24s %-10s", "points records = masters",
			value, "equal");
		judge(out, v, same);
	}
	record_release(&row);
	stage_cursor_free(c);
	return got < 0 ? -1 : 0;
}

/* Masters new and merged: merge-id's --changes rows. */
static void print_masters(FILE *out)
{
	FILE *f = fopen(tmp[T_CHANGES], "r");
	unsigned long long n_new = 0, merged = 0, moved = 0, added = 0;
	char line[1024];

	if (!f) {
		fprintf(out, "%-32s not known (merge-id did not run)\n",
			"masters");
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		n_new += !strncmp(line, "new,", 4);
		merged += !strncmp(line, "merged,", 7);
		moved += !strncmp(line, "moved,", 6);
		added += !strncmp(line, "added,", 6);
	}
	fclose(f);
	fprintf(out,
		"%-32s %llu new, %llu merged; records: %llu added, %llu "
		"moved\n",
		"masters", n_new, merged, added, moved);
}

#define MAX_FIELDS 64

struct field_count {
	char name[48];
	unsigned long long n;
};

static void count_field(struct field_count *fc, size_t *n, struct strview f)
{
	size_t i;

	if (f.len >= sizeof(fc->name))
		f.len = sizeof(fc->name) - 1;
	for (i = 0; i < *n; i++)
		if (sv_eqs(f, fc[i].name))
			break;
	if (i == *n) {
		if (*n == MAX_FIELDS)
			return;
		memcpy(fc[i].name, f.p, f.len);
		fc[i].name[f.len] = '\0';
		fc[i].n = 0;
		(*n)++;
	}
	fc[i].n++;
}

static int field_cmp(const void *a, const void *b)
{
	const struct field_count *x = a, *y = b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Records flagged per field: each _issues entry is "field:problem". */
static int print_flags(FILE *out, struct stage *st, struct mbr_err *err)
{
	struct stage_cursor *c = stage_read_issues(st, err);
	struct field_count fc[MAX_FIELDS];
	struct record row;
	size_t n = 0;
	int got;

	if (!c)
		return -1;
	record_init(&row);
	while ((got = stage_cursor_next(c, &row, err)) > 0) {
		struct strview s = record_field(&row, 0);

		while (s.len) {
			size_t e = 0, colon = 0;

			while (e < s.len && s.p[e] != ';')
				e++;
			while (colon < e && s.p[colon] != ':')
				colon++;
			if (colon < e)
				count_field(fc, &n, svn(s.p, colon));
			s.p += e + (e < s.len);
			s.len -= e + (e < s.len);
		}
	}
	record_release(&row);
	stage_cursor_free(c);
	if (got < 0)
		return -1;
	xqsort(fc, n, sizeof(*fc), field_cmp);
	if (!n)
		fprintf(out, "%-32s none\n", "flagged");
	for (size_t i = 0; i < n; i++) {
		fprintf(out, "flagged %-24s %llu\n", fc[i].name, fc[i].n);
	}
	return 0;
}

static int report(const struct rehearse_opts *o, FILE *out, long long before,
		  const struct step *steps, size_t n_steps, struct verdict *v,
		  struct mbr_err *err)
{
	struct stage *st = stage_open(tmp[T_DB], err);
	bool step_failed;
	int rc;

	if (!st)
		return -1;
	fprintf(out,
		"mbr-rehearse: the pipeline on a copy of '%s' (removed "
		"after)\n\n",
		o->db);
	rc = print_steps(out, st, before, steps, n_steps, v, err);
	step_failed = v->failed > 0;
	if (rc == 0)
		fprintf(out, "\n%-32s %-24s %-10s  %s\n", "check", "value",
			"limit", "result");
	if (rc == 0)
		rc = print_sources(out, o, st, before, v, err);
	/* the masters are an earlier run's when a step failed */
	if (rc == 0 && step_failed)
		fprintf(out, "%-32s not checked: a step failed\n", "points");
	else if (rc == 0)
		rc = print_points(out, st, v, err);
	if (rc == 0) {
		print_masters(out);
		rc = print_flags(out, st, err);
	}
	stage_close(st);
	return rc;
}

/* The log of the steps, to standard error, when one failed. */
static void show_log(void)
{
	FILE *f = fopen(tmp[T_LOG], "r");
	char buf[4096];
	size_t n;

	if (!f)
		return;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, stderr);
	fclose(f);
}

int rehearse_run(const struct rehearse_opts *o, FILE *out, struct mbr_err *err)
{
	struct step steps[] = {{"import", -1},
			       {"normalize", -1},
			       {"validate", -1},
			       {"dedupe", -1},
			       {"merge-id", -1}};
	const size_t n_steps = sizeof(steps) / sizeof(*steps);
	struct verdict v = {0, 0};
	long long before = 0;
	struct stage *st;
	int rc;

	if (make_tmp(err) < 0)
		return -1;
	rc = copy_db(o->db, err);
	if (rc == 0 && (st = stage_open(tmp[T_DB], err))) {
		before = stage_last_run(st, err);
		stage_close(st);
		rc = before < 0 ? -1 : 0;
	} else {
		rc = -1;
	}
	if (rc == 0)
		rc = run_steps(o, steps, n_steps, err);
	for (size_t i = 0; rc == 0 && i < n_steps; i++)
		if (steps[i].status > 1) {
			show_log();
			break;
		}
	if (rc == 0)
		rc = report(o, out, before, steps, n_steps, &v, err);
	remove_tmp();
	if (rc < 0)
		return -1;
	fprintf(out, "\nverdict: %s (%u of %u checks failed)\n",
		v.failed ? "NO-GO" : "go", v.failed, v.checks);
	return v.failed ? 1 : 0;
}
