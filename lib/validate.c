/*
 * validate: the record loop of mbr-validate over a CSV stream or the
 * staging database, the verdict for each record, and the report.
 */
#include "validate.h"

#include <stdlib.h>
#include <string.h>

#include "canon.h"
#include "csvio.h"
#include "json.h"
#include "reject.h"
#include "stage.h"

/* Say where the first few unreadable rows are; the rejects have all. */
#define MAX_WARNINGS 10

struct validate {
	struct rules *rules; /* borrowed */
	struct validate_opts opts;
	struct header out;	    /* owned: the output header */
	size_t n_in;		    /* columns of the input */
	int issues_col;		    /* _issues in the input, or -1 */
	struct rule_failure *fails; /* owned: room for every rule */
	struct buf field;	    /* reject_field of the last reject */
	struct buf reason;	    /* reject_reason of the last reject */
	struct buf issues;	    /* the new _issues value */
	struct buf entry;	    /* one "field:reason" */
	bool issues_changed;	    /* last validate_record added one */
	unsigned long long n_read;  /* records validate_record saw */
};

struct validate *validate_new(struct rules *rules,
			      const struct validate_opts *opts)
{
	struct validate *v = xcalloc(1, sizeof(*v));

	v->rules = rules;
	v->opts = *opts;
	if (!v->opts.tool)
		v->opts.tool = "mbr-validate";
	header_init(&v->out);
	v->issues_col = -1;
	v->fails = xcalloc(rules_count(rules) + 1, sizeof(*v->fails));
	buf_init(&v->field, RECORD_MAX_BYTES);
	buf_init(&v->reason, RECORD_MAX_BYTES);
	buf_init(&v->issues, RECORD_MAX_BYTES);
	buf_init(&v->entry, RECORD_MAX_BYTES);
	return v;
}

void validate_free(struct validate *v)
{
	if (!v)
		return;
	header_release(&v->out);
	free(v->fails);
	buf_release(&v->field);
	buf_release(&v->reason);
	buf_release(&v->issues);
	buf_release(&v->entry);
	free(v);
}

int validate_bind(struct validate *v, const struct header *h,
		  struct mbr_err *err)
{
	if (rules_bind(v->rules, h, err) < 0)
		return -1;
	if (header_set(&v->out, &h->names) < 0)
		return mbr_fail(err, MBR_EIO, "header larger than 256 MB");
	v->n_in = header_count(h);
	v->issues_col = header_find(h, COL_ISSUES);
	if (v->issues_col < 0)
		header_add(&v->out, COL_ISSUES);
	return 0;
}

const struct header *validate_header(const struct validate *v)
{
	return &v->out;
}

const char *validate_reject_field(const struct validate *v)
{
	return v->field.p;
}

const char *validate_reject_reason(const struct validate *v)
{
	return v->reason.p;
}

/*
 * The verdict
 */

static bool must_reject(const struct validate *v, size_t n)
{
	if (v->opts.flag_only)
		return false;
	for (size_t i = 0; i < n; i++)
		if (rules_info(v->rules, v->fails[i].rule)->severity ==
		    RULE_REJECT)
			return true;
	return false;
}

/* reject_field and reject_reason: parallel ';' lists, one entry per
 * failing rule. */
static void join_failures(struct validate *v, size_t n)
{
	buf_reset(&v->field);
	buf_reset(&v->reason);
	for (size_t i = 0; i < n; i++) {
		if (i) {
			buf_addc(&v->field, ';');
			buf_addc(&v->reason, ';');
		}
		buf_adds(&v->field, v->fails[i].field);
		buf_adds(&v->reason, v->fails[i].reason);
	}
}

/* Is entry one of the ';'-separated items of list? */
static bool list_has(struct strview list, struct strview entry)
{
	const char *p = list.p, *end = list.p + list.len;

	while (p < end) {
		const char *semi = memchr(p, ';', (size_t)(end - p));
		size_t len = semi ? (size_t)(semi - p) : (size_t)(end - p);

		if (len == entry.len && !memcmp(p, entry.p, len))
			return true;
		if (!semi)
			break;
		p = semi + 1;
	}
	return false;
}

/* Append "field:reason" of each failure to what _issues holds. */
static void build_issues(struct validate *v, struct strview old, size_t n)
{
	buf_reset(&v->issues);
	buf_addsv(&v->issues, old);
	v->issues_changed = false;
	for (size_t i = 0; i < n; i++) {
		buf_reset(&v->entry);
		buf_addf(&v->entry, "%s:%s", v->fails[i].field,
			 v->fails[i].reason);
		if (list_has(buf_view(&v->issues), buf_view(&v->entry)))
			continue;
		if (v->issues.len)
			buf_addc(&v->issues, ';');
		buf_addsv(&v->issues, buf_view(&v->entry));
		v->issues_changed = true;
	}
}

/* Make rec a record of the output header, its _issues up to date. */
static void set_issues(struct validate *v, struct record *rec, size_t n)
{
	struct strview old = svn("", 0);

	if (v->issues_col >= 0)
		old = record_field(rec, (size_t)v->issues_col);
	build_issues(v, old, n);
	if (v->issues_col < 0)
		record_add(rec, v->issues.p, v->issues.len);
	else if (v->issues_changed)
		record_set(rec, (size_t)v->issues_col, v->issues.p,
			   v->issues.len);
}

enum validate_verdict validate_record(struct validate *v, struct record *rec)
{
	size_t n;

	v->n_read++;
	/* A short row (no CSVIO_FIXED_COLS) reads as empty at the end. */
	while (rec->n < v->n_in)
		record_add(rec, "", 0);
	n = rules_check(v->rules, rec, v->fails);
	if (n && must_reject(v, n)) {
		join_failures(v, n);
		return VALIDATE_REJECT;
	}
	rules_keep(v->rules);
	set_issues(v, rec, n);
	return n ? VALIDATE_FLAG : VALIDATE_PASS;
}

/*
 * The record handler: the same for a stream and the staging database.
 */

static int bind(void *ctx, const struct header *in, const char *name,
		struct mbr_err *err)
{
	(void)name;
	return validate_bind(ctx, in, err);
}

static const struct header *out_header(void *ctx)
{
	return validate_header(ctx);
}

static int take(void *ctx, struct record *rec, enum rs_verdict *verdict,
		struct rs_why *why, struct mbr_err *err)
{
	struct validate *v = ctx;
	enum validate_verdict vd = validate_record(v, rec);

	if (rules_status(v->rules, err) < 0)
		return -1; /* the uniqueness store failed: stop */
	switch (vd) {
	case VALIDATE_REJECT:
		*verdict = RS_REJECT;
		why->field = v->field.p;
		why->reason = v->reason.p;
		return 0;
	case VALIDATE_FLAG:
		*verdict = RS_FLAG;
		why->unchanged = !v->issues_changed;
		return 0;
	case VALIDATE_PASS:
		break;
	}
	*verdict = RS_PASS;
	why->unchanged = true;
	return 0;
}

void validate_handler(struct validate *v, struct rs_handler *h)
{
	*h = (struct rs_handler){.bind = bind,
				 .out_header = out_header,
				 .record = take,
				 .ctx = v};
}

/* More than max_reject_rate of the records in would be rejected? */
int validate_check_limit(const struct validate *v, const struct rs_tally *c,
			 struct mbr_err *err)
{
	double rate;

	if (v->opts.max_reject_rate < 0 || c->in == 0)
		return 0;
	rate = (double)c->rejected / (double)c->in;
	if (rate <= v->opts.max_reject_rate)
		return 0;
	return mbr_fail(err, MBR_ELIMIT,
			"%llu of %llu records would be "
			"rejected (%.2f%%), more than --max-reject-rate %g: "
			"nothing committed",
			c->rejected, c->in, 100.0 * rate,
			v->opts.max_reject_rate);
}

/*
 * The report
 */

enum validate_report_format validate_report_format(const char *path)
{
	return json_path(path) ? VALIDATE_REPORT_JSON : VALIDATE_REPORT_CSV;
}

static const char *severity_name(const struct validate *v, enum rule_severity s)
{
	return s == RULE_FLAG || v->opts.flag_only ? "flag" : "reject";
}

static void csv_row(FILE *f, struct buf *b, const char *rule, const char *field,
		    const char *test, const char *sev,
		    unsigned long long checked, unsigned long long failed)
{
	buf_reset(b);
	csvio_quote(b, sv(rule), ',');
	buf_addc(b, ',');
	csvio_quote(b, sv(field), ',');
	buf_addf(b, ",%s,%s,%llu,%llu\n", test, sev, checked, failed);
	fwrite(b->p, 1, b->len, f);
}

static void report_csv(const struct validate *v, const struct rs_tally *c,
		       FILE *f)
{
	struct buf b;

	buf_init(&b, BUF_NOLIMIT);
	fputs("rule,field,test,severity,checked,failed\n", f);
	csv_row(f, &b, "unreadable_row", "", "csv", "reject", c->in,
		c->in - v->n_read);
	for (size_t i = 0; i < rules_count(v->rules); i++) {
		const struct rule_info *ri = rules_info(v->rules, i);

		csv_row(f, &b, ri->name, ri->field, ri->test,
			severity_name(v, ri->severity), ri->n_checked,
			ri->n_failed);
	}
	buf_release(&b);
}

/* A JSON string (json.h). */
static void json_string(FILE *f, const char *s)
{
	struct buf b;

	buf_init(&b, BUF_NOLIMIT);
	json_str(&b, sv(s));
	fwrite(b.p, 1, b.len, f);
	buf_release(&b);
}

static void json_rule(FILE *f, const char *rule, const char *field,
		      const char *test, const char *sev,
		      unsigned long long checked, unsigned long long failed)
{
	fputs("    {\"rule\": ", f);
	json_string(f, rule);
	fputs(", \"field\": ", f);
	json_string(f, field);
	fprintf(f,
		", \"test\": \"%s\", \"severity\": \"%s\", "
		"\"checked\": %llu, \"failed\": %llu}",
		test, sev, checked, failed);
}

static void report_json(const struct validate *v, const struct rs_tally *c,
			FILE *f)
{
	fputs("{\n  \"tool\": ", f);
	json_string(f, v->opts.tool);
	fprintf(f,
		",\n  \"in\": %llu,\n  \"out\": %llu,\n  \"rejected\": %llu,"
		"\n  \"flagged\": %llu,\n  \"flag_only\": %s,\n  \"rules\": "
		"[\n",
		c->in, c->out, c->rejected, c->flagged,
		v->opts.flag_only ? "true" : "false");
	json_rule(f, "unreadable_row", "", "csv", "reject", c->in,
		  c->in - v->n_read);
	for (size_t i = 0; i < rules_count(v->rules); i++) {
		const struct rule_info *ri = rules_info(v->rules, i);

		fputs(",\n", f);
		json_rule(f, ri->name, ri->field, ri->test,
			  severity_name(v, ri->severity), ri->n_checked,
			  ri->n_failed);
	}
	fputs("\n  ]\n}\n", f);
}

void validate_report(const struct validate *v, const struct rs_tally *c,
		     FILE *f, enum validate_report_format fmt)
{
	if (fmt == VALIDATE_REPORT_JSON)
		report_json(v, c, f);
	else
		report_csv(v, c, f);
}
