/*
 * stage_io: a match run's results in the staging database (--db): the
 * scored pairs (those above the pairs floor) go to `pairs` and every
 * record's cluster to `clusters`, both stamped with the open run, which
 * mbr-merge-id reads next; the earlier runs' are forgotten. The decisions
 * files gave are added to `decisions` (kept for every later run).
 */
#include "match.h"

#include "match/match_int.h"
#include "stage.h"

static int put_pair(const struct match *m, struct stage *st, size_t i,
		    struct buf *detail, struct mbr_err *err)
{
	struct match_pair_info pi;
	struct stage_pair p;

	match_pair(m, i, &pi);
	buf_reset(detail);
	match_pair_json(m, i, detail);
	p.a_source = pi.a_source;
	p.a_source_id = pi.a_source_id;
	p.b_source = pi.b_source;
	p.b_source_id = pi.b_source_id;
	p.weight = pi.weight;
	p.probability = pi.probability;
	p.detail = buf_view(detail);
	return stage_put_pair(st, &p, err);
}

int match_write_stage(struct match *m, struct stage *st, struct mbr_err *err)
{
	struct strview source, source_id;
	struct buf b;
	int rc = stage_forget_dedupe(st, err);

	buf_init(&b, BUF_NOLIMIT);
	for (size_t i = 0; rc == 0 && i < match_n_pairs(m); i++)
		rc = put_pair(m, st, i, &b, err);
	m->st.stored = rc == 0 ? match_n_pairs(m) : 0;
	for (size_t i = 0; rc == 0 && i < match_n_records(m); i++) {
		buf_reset(&b);
		match_record_cluster(m, i, &source, &source_id, &b);
		rc = stage_put_cluster(st, source, source_id, buf_view(&b),
				       err);
	}
	buf_release(&b);
	return rc < 0 ? rc : decide_store(m, st, err);
}
