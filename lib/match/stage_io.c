/*
 * stage_io: a match run on the staging database (--db): records come from
 * its `records` table; scored pairs go to `pairs` and every record's
 * cluster to `clusters`, both stamped with the open run, which
 * mbr-merge-id reads next. Values reach SQL as bound parameters only.
 */
#include "match.h"

#include <stdio.h>

#include "cli.h"
#include "match/match_int.h"
#include "stage.h"

int match_read_stage(struct match *m, struct stage *st, struct match_input *in,
		     struct mbr_err *err)
{
	struct stage_cursor *c = stage_read_records(st, err);
	struct header h;
	struct record rec;
	int n = 0, rc = -1;

	if (!c)
		return -1;
	header_init(&h);
	record_init(&rec);
	if (stage_cursor_header(c, &h) < 0) {
		mbr_fail(err, MBR_EINTERNAL, "records header too large");
		goto out;
	}
	if (match_begin(m, &h, in->side, err) < 0)
		goto out;
	while ((n = stage_cursor_next(c, &rec, err)) > 0) {
		if (in->side == MATCH_NEW)
			in->cli->counts.in++;
		if (match_add(m, &rec, err) < 0)
			goto out;
		cli_progress(in->cli, 0, 0);
	}
	rc = n < 0 ? -1 : 0;
out:
	record_release(&rec);
	header_release(&h);
	stage_cursor_free(c);
	return rc;
}

static const char pair_sql[] =
	"INSERT INTO pairs (run_id, a_source, a_source_id, b_source, "
	"b_source_id, weight, probability, detail) "
	"VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
static const char cluster_sql[] =
	"INSERT INTO clusters (run_id, source, source_id, cluster_id) "
	"VALUES (?, ?, ?, ?)";

static int put_pair(const struct match *m, struct stage *st, size_t i,
		    struct strview run, struct buf *detail, struct mbr_err *err)
{
	struct match_pair_info pi;
	char w[32], p[32];
	struct strview b[8];

	match_pair(m, i, &pi);
	snprintf(w, sizeof(w), "%.2f", pi.weight);
	snprintf(p, sizeof(p), "%.6f", pi.probability);
	buf_reset(detail);
	match_pair_json(m, i, detail);
	b[0] = run;
	b[1] = pi.a_source;
	b[2] = pi.a_source_id;
	b[3] = pi.b_source;
	b[4] = pi.b_source_id;
	b[5] = sv(w);
	b[6] = sv(p);
	b[7] = buf_view(detail);
	return stage_exec_sv(st, pair_sql, b, 8, err);
}

int match_write_stage(const struct match *m, struct stage *st,
		      struct mbr_err *err)
{
	char run[32];
	struct buf b;
	struct strview v[4];
	int rc = 0;

	snprintf(run, sizeof(run), "%lld", stage_run_id(st));
	buf_init(&b, BUF_NOLIMIT);
	for (size_t i = 0; rc == 0 && i < match_n_pairs(m); i++)
		rc = put_pair(m, st, i, sv(run), &b, err);
	v[0] = sv(run);
	for (size_t i = 0; rc == 0 && i < match_n_records(m); i++) {
		buf_reset(&b);
		match_record_cluster(m, i, &v[1], &v[2], &b);
		v[3] = buf_view(&b);
		rc = stage_exec_sv(st, cluster_sql, v, 4, err);
	}
	buf_release(&b);
	return rc;
}
