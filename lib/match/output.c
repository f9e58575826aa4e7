/*
 * output: what a match run writes: the records with cluster_id, the
 * scored pairs, the review list; and the accessors the staging database
 * uses. All CSV (RFC 4180, \n line ends), written with fwrite; errors
 * surface at the end through ferror.
 */
#include "match.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "canon.h"
#include "csvio.h"
#include "json.h"
#include "mask.h"
#include "match/match_int.h"

static void cluster_name(const struct match *m, uint32_t rec, struct buf *out)
{
	const struct mrec *r = &m->recs[m->rep[rec]];

	if (r->master_id) {
		buf_addsv(out, intern_str(&m->t, r->master_id));
		return;
	}
	buf_addsv(out, intern_str(&m->t, r->source));
	buf_addc(out, '/');
	buf_addsv(out, intern_str(&m->t, r->source_id));
}

static int flush(FILE *out, struct buf *b, struct mbr_err *err)
{
	if (b->len && fwrite(b->p, 1, b->len, out) != b->len)
		return mbr_fail(err, MBR_EIO, "write error");
	buf_reset(b);
	return 0;
}

static int write_header(const struct match *m, FILE *out, struct buf *b,
			struct mbr_err *err)
{
	bool first = true;

	for (size_t i = 0; i < header_count(&m->out); i++) {
		if ((int)i == m->skip_col)
			continue;
		if (!first)
			buf_addc(b, ',');
		first = false;
		csvio_quote(b, record_field(&m->out.names, i), ',');
	}
	buf_adds(b, first ? COL_CLUSTER_ID "\n" : "," COL_CLUSTER_ID "\n");
	return flush(out, b, err);
}

int match_write_records(const struct match *m, FILE *out, struct mbr_err *err)
{
	struct progress writing = m->progress;
	struct buf b, id;
	int rc = -1;

	writing.what = "writing";
	buf_init(&b, BUF_NOLIMIT);
	buf_init(&id, BUF_NOLIMIT);
	if (m->have_out && write_header(m, out, &b, err) < 0)
		goto out;
	if (m->n_news &&
	    (fflush(m->lines) != 0 || fseek(m->lines, 0, SEEK_SET))) {
		mbr_fail(err, MBR_EIO, "temporary file: %s", strerror(errno));
		goto out;
	}
	for (uint32_t k = 0; k < m->n_news; k++) {
		size_t len = (size_t)(m->line_off[k + 1] - m->line_off[k]);
		progress_tell(&writing, k, k, m->n_news);
		if (buf_grow(&b, len) < 0 ||
		    fread(b.p + b.len, 1, len, m->lines) != len) {
			mbr_fail(err, MBR_EIO, "temporary file: read error");
			goto out;
		}
		b.len += len;
		b.p[b.len] = 0;
		buf_addc(&b, ',');
		buf_reset(&id);
		cluster_name(m, m->news[k], &id);
		csvio_quote(&b, buf_view(&id), ',');
		buf_addc(&b, '\n');
		if (b.len > (1 << 16) && flush(out, &b, err) < 0)
			goto out;
	}
	progress_tell(&writing, 0, m->n_news, m->n_news);
	rc = flush(out, &b, err);
out:
	buf_release(&b);
	buf_release(&id);
	return rc;
}

static void pair_keys(const struct match *m, const struct mpair *p,
		      struct buf *b)
{
	const struct mrec *a = &m->recs[p->a], *c = &m->recs[p->b];

	csvio_quote(b, intern_str(&m->t, a->source), ',');
	buf_addc(b, ',');
	csvio_quote(b, intern_str(&m->t, a->source_id), ',');
	buf_addc(b, ',');
	csvio_quote(b, intern_str(&m->t, c->source), ',');
	buf_addc(b, ',');
	csvio_quote(b, intern_str(&m->t, c->source_id), ',');
	buf_addf(b, ",%.2f,%.6f", p->w, score_probability(p->w));
}

/* Both records' shown values, a's then b's for each field, masked where
 * asked. */
static void pair_values(const struct match *m, const struct mpair *p,
			struct buf *b, struct buf *tmp)
{
	if (!m->shown)
		return;
	for (int k = 0; k < MATCH_SHOW_N; k++)
		for (int side = 0; side < 2; side++) {
			uint32_t r = side ? p->b : p->a;
			struct strview v = intern_str(
				&m->shown_t,
				m->shown[(size_t)r * MATCH_SHOW_N + k]);

			buf_addc(b, ',');
			if (m->masked[k] && v.len) {
				buf_reset(tmp);
				mask_value(canon_name(match_show_fields[k]), v,
					   tmp);
				v = buf_view(tmp);
			}
			csvio_quote(b, v, ',');
		}
}

/* The clustered column: yes, no, or why a match was not joined. */
static const char *const join_names[] = {
	[JOIN_NO] = "no",
	[JOIN_YES] = "yes",
	[JOIN_ID] = "refused: ID numbers",
	[JOIN_DECISION] = "refused: decision",
	[JOIN_BIRTH] = "split: birth dates",
	[JOIN_BRIDGE] = "split: weak bridge",
};

/* The clustered column of pair i: "forced" when an analyst's match
 * decision put the two in one cluster; "refused: decision" for every
 * pair with a no-match (below the match threshold too). */
static const char *clustered(const struct match *m, size_t i)
{
	long d = decide_find(m, m->pairs[i].a, m->pairs[i].b);

	if (d >= 0 && m->dec[d].match &&
	    m->rep[m->pairs[i].a] == m->rep[m->pairs[i].b])
		return "forced";
	if (d >= 0 && !m->dec[d].match)
		return join_names[JOIN_DECISION];
	return join_names[m->joined[i]];
}

static const char *level_name(const struct mcmp *c, unsigned level)
{
	if (level == LEVEL_NULL)
		return "null";
	return model_level_names(c->kind)[level];
}

/* Per comparison: level, and with weights what it added to the match
 * weight (which is the prior plus these). */
static void pair_levels(const struct match *m, const struct mpair *p,
			bool weights, struct buf *b)
{
	uint8_t level[MATCH_MAX_CMPS];
	double w[MATCH_MAX_CMPS];

	compare_explain(&m->ctx, &m->recs[p->a], &m->recs[p->b], level, w);
	if (weights)
		buf_addf(b, ",%.2f", m->ctx.prior_w);
	for (unsigned i = 0; i < m->rules->n_cmps; i++) {
		buf_addf(b, ",%s", level_name(&m->rules->cmp[i], level[i]));
		if (weights)
			buf_addf(b, ",%.2f", w[i]);
	}
	if (weights)
		buf_addf(b, ",%.2f", compare_sibling(&m->ctx, level, w));
}

static void pairs_header(const struct match *m, bool weights, const char *last,
			 struct buf *b)
{
	buf_adds(b, "a_source,a_source_id,b_source,b_source_id,"
		    "match_weight,match_probability");
	if (weights)
		buf_adds(b, ",clustered,prior_weight");
	for (unsigned i = 0; i < m->rules->n_cmps; i++) {
		buf_addf(b, ",%s_level", m->rules->cmp[i].name);
		if (weights)
			buf_addf(b, ",%s_weight", m->rules->cmp[i].name);
	}
	if (weights)
		buf_adds(b, ",sibling_weight");
	for (int k = 0; m->shown && k < MATCH_SHOW_N; k++)
		buf_addf(b, ",a_%s,b_%s", canon_name(match_show_fields[k]),
			 canon_name(match_show_fields[k]));
	buf_adds(b, last);
}

int match_write_pairs(const struct match *m, FILE *out, struct mbr_err *err)
{
	struct buf b, tmp;
	int rc = -1;

	buf_init(&b, BUF_NOLIMIT);
	buf_init(&tmp, BUF_NOLIMIT);
	pairs_header(m, true, "\n", &b);
	for (size_t i = 0; i < m->n_pairs; i++) {
		pair_keys(m, &m->pairs[i], &b);
		buf_addf(&b, ",%s", clustered(m, i));
		pair_levels(m, &m->pairs[i], true, &b);
		pair_values(m, &m->pairs[i], &b, &tmp);
		buf_addc(&b, '\n');
		if (b.len > (1 << 16) && flush(out, &b, err) < 0)
			goto out;
	}
	rc = flush(out, &b, err);
out:
	buf_release(&b);
	buf_release(&tmp);
	return rc;
}

int match_write_review(const struct match *m, FILE *out, struct mbr_err *err)
{
	double match_w = score_weight(m->rules->match_p);
	double review_w = score_weight(m->rules->review_p);
	struct buf b, tmp;
	int rc = -1;

	buf_init(&b, BUF_NOLIMIT);
	buf_init(&tmp, BUF_NOLIMIT);
	pairs_header(m, false, ",decision\n", &b);
	for (size_t i = 0; i < m->n_pairs && m->pairs[i].w >= review_w; i++) {
		/* Decided pairs are out of the queue. */
		if (m->pairs[i].w >= match_w ||
		    decide_find(m, m->pairs[i].a, m->pairs[i].b) >= 0)
			continue;
		pair_keys(m, &m->pairs[i], &b);
		pair_levels(m, &m->pairs[i], false, &b);
		pair_values(m, &m->pairs[i], &b, &tmp);
		buf_adds(&b, ",\n");
		if (b.len > (1 << 16) && flush(out, &b, err) < 0)
			goto out;
	}
	rc = flush(out, &b, err);
out:
	buf_release(&b);
	buf_release(&tmp);
	return rc;
}

/* ---- for the staging database ---- */

size_t match_n_pairs(const struct match *m)
{
	return m->n_pairs;
}

void match_pair(const struct match *m, size_t i, struct match_pair_info *pi)
{
	const struct mpair *p = &m->pairs[i];

	pi->a_source = intern_str(&m->t, m->recs[p->a].source);
	pi->a_source_id = intern_str(&m->t, m->recs[p->a].source_id);
	pi->b_source = intern_str(&m->t, m->recs[p->b].source);
	pi->b_source_id = intern_str(&m->t, m->recs[p->b].source_id);
	pi->weight = p->w;
	pi->probability = score_probability(p->w);
	pi->matched = m->joined[i] == JOIN_YES;
}

int match_pair_json(const struct match *m, size_t i, struct buf *out)
{
	const struct mpair *p = &m->pairs[i];
	uint8_t level[MATCH_MAX_CMPS];
	double w[MATCH_MAX_CMPS];

	compare_explain(&m->ctx, &m->recs[p->a], &m->recs[p->b], level, w);
	if (buf_addf(out, "{\"prior\": %.2f", m->ctx.prior_w) < 0)
		return -1;
	/* Names and level names are ASCII identifiers: nothing to escape. */
	for (unsigned k = 0; k < m->rules->n_cmps; k++)
		if (buf_addf(out,
			     ", \"%s\": {\"level\": \"%s\", "
			     "\"weight\": %.2f}",
			     m->rules->cmp[k].name,
			     level_name(&m->rules->cmp[k], level[k]), w[k]) < 0)
			return -1;
	if (buf_addf(out, ", \"sibling\": %.2f",
		     compare_sibling(&m->ctx, level, w)) < 0)
		return -1;
	return buf_addc(out, '}');
}

void match_record_cluster(const struct match *m, size_t i,
			  struct strview *source, struct strview *source_id,
			  struct buf *cluster_id)
{
	uint32_t r = m->news[i];

	*source = intern_str(&m->t, m->recs[r].source);
	*source_id = intern_str(&m->t, m->recs[r].source_id);
	cluster_name(m, r, cluster_id);
}

int match_write_report(const struct match *m, FILE *out, struct mbr_err *err)
{
	const struct match_stats *s = &m->st;
	struct buf b;
	int rc;

	buf_init(&b, BUF_NOLIMIT);
	buf_adds(&b, "key,parts,records,blocks,candidate_pairs,new_pairs,"
		     "capped_blocks,over_max_blocks,window_pairs,budget\n");
	for (unsigned k = 0; k < s->n_keys; k++) {
		const struct mkey *key = &m->rules->key[k];

		buf_addf(&b, "%s,", s->key[k].name);
		for (unsigned i = 0; i < key->n_parts; i++)
			buf_addf(&b, "%s%s", i ? "+" : "",
				 model_field_name(key->part[i]));
		buf_addf(&b, ",%lu,%lu,%llu,%llu,%lu,%lu,%llu,",
			 s->key[k].records, s->key[k].blocks,
			 s->key[k].candidates, s->key[k].fresh,
			 s->key[k].skipped, s->key[k].over_max,
			 s->key[k].window);
		if (s->key[k].status == MATCH_KEY_OK)
			buf_adds(&b, "ok\n");
		else
			buf_addf(&b, "over: %llu pairs; %s\n", s->key[k].wanted,
				 s->key[k].status == MATCH_KEY_SKIPPED
					 ? "skipped"
					 : "sorted neighbourhood");
	}
	rc = flush(out, &b, err);
	buf_release(&b);
	return rc;
}

int match_write_report_json(const struct match *m, FILE *out,
			    struct mbr_err *err)
{
	const struct match_stats *s = &m->st;
	struct buf b;
	int rc;

	buf_init(&b, BUF_NOLIMIT);
	buf_addf(&b,
		 "{\n  \"tool\": \"mbr-dedupe\",\n  \"records\": %lu,\n"
		 "  \"masters\": %lu,\n  \"candidate_pairs\": %llu,\n"
		 "  \"compared\": %llu,\n  \"kept\": %llu,\n"
		 "  \"matched\": %llu,\n  \"review\": %llu,\n"
		 "  \"split\": %llu,\n  \"refused\": %llu,\n"
		 "  \"clusters\": %lu,\n  \"decisions\": %lu,\n"
		 "  \"capped_blocks\": %lu,\n  \"capped_records\": %lu,\n"
		 "  \"pairs_budget\": %llu,\n  \"keys_over_budget\": %u,\n"
		 "  \"keys\": [",
		 s->records, s->masters, s->candidates, s->compared, s->kept,
		 s->matches, s->review, s->split, s->refused, s->clusters,
		 s->decisions - s->conflicts, s->capped, s->capped_records,
		 s->budget, s->over_budget);
	for (unsigned k = 0; k < s->n_keys; k++) {
		const struct mkey *key = &m->rules->key[k];

		buf_adds(&b, k ? ",\n    {\"key\": " : "\n    {\"key\": ");
		json_str(&b, sv(s->key[k].name));
		buf_adds(&b, ", \"parts\": [");
		for (unsigned i = 0; i < key->n_parts; i++) {
			if (i)
				buf_adds(&b, ", ");
			json_str(&b, sv(model_field_name(key->part[i])));
		}
		buf_addf(&b,
			 "], \"records\": %lu, \"blocks\": %lu, "
			 "\"candidate_pairs\": %llu, \"new_pairs\": %llu, "
			 "\"capped_blocks\": %lu, \"over_max_blocks\": %lu, "
			 "\"window_pairs\": %llu, \"budget\": ",
			 s->key[k].records, s->key[k].blocks,
			 s->key[k].candidates, s->key[k].fresh,
			 s->key[k].skipped, s->key[k].over_max,
			 s->key[k].window);
		if (s->key[k].status == MATCH_KEY_OK)
			buf_adds(&b, "\"ok\"}");
		else
			buf_addf(&b,
				 "{\"wanted\": %llu, \"compared\": \"%s\"}}",
				 s->key[k].wanted,
				 s->key[k].status == MATCH_KEY_SKIPPED
					 ? "skipped"
					 : "sorted neighbourhood");
	}
	buf_adds(&b, s->n_keys ? "\n  ]\n}\n" : "]\n}\n");
	rc = flush(out, &b, err);
	buf_release(&b);
	return rc;
}
