/*
 * match: find the records that are the same person (mbr-dedupe).
 *
 * The whole run happens in memory, records held compactly (strings
 * interned, records numbered):
 *
 *   1. blocking: a union of blocking keys (valid ID number, mobile, e-mail,
 *      name key + birth year, a name alone, a name with part of a date,
 *      ...), so a typo in one field cannot hide a duplicate. Each key
 *      sorts (key hash, record) pairs; a block with more candidate pairs
 *      than max_block_pairs is skipped and reported, never expanded; a
 *      key with its own max leaves larger blocks (common values) to the
 *      finer keys. A pair two keys share is compared once.
 *   2. comparison: each field of a pair gets a level (exact, same pinyin
 *      or sound, nickname, Jaro-Winkler band, date swapped or partial,
 *      ...; missing is "no evidence").
 *   3. scoring: Fellegi-Sunter match weight = prior + sum over fields of
 *      log2(m/u) of the level, with a term-frequency adjustment on exact
 *      names and dates (a shared 王伟 counts less than a shared 欧阳娜娜)
 *      and the sibling adjustment (twins). Unless a model file says
 *      otherwise, the prior and m are then estimated from the scored
 *      pairs themselves (no labels).
 *   4. clustering: pairs at or above the match threshold, strongest first,
 *      join clusters by union-find unless the two clusters conflict as a
 *      whole (two valid, different mainland ID numbers; an analyst's
 *      no-match decision between any two of their members; plainly
 *      different full birth dates, for a pair below the strong threshold)
 *      or the pair is the one weak link between two groups.
 *
 * cluster_id is the smallest "source/source_id" of the cluster's records
 * (byte order), so it is the same from run to run for the same input. A
 * cluster holding master records (--against) is named after its smallest
 * master instead: the master's master_id column when the masters have
 * one, else its source/source_id; new records that join it take that id.
 *
 * Rules (blocking keys, comparisons, thresholds) come from a match rules
 * file (mappings/match.ini); m and u probabilities from the built-in
 * defaults or a model file written by match_train.
 */
#ifndef MBR_MATCH_H
#define MBR_MATCH_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"
#include "record.h"
#include "recstream.h"

struct match_rules; /* opaque: keys, comparisons, thresholds, m and u */
struct match;	    /* opaque: one run's records, pairs and clusters */

/* The built-in rules (the defaults mappings/match.ini documents). Cannot
 * fail. */
struct match_rules *match_rules_new(void);
void match_rules_free(struct match_rules *r); /* NULL is fine */
/* Replace parts of r by the sections of a match rules file. On error
 * (MBR_ECONFIG, naming file and line) r is unusable: free it. */
int match_rules_load(struct match_rules *r, const char *path,
		     struct mbr_err *err);
/* Read m, u and the prior from a model file written by match_model_write;
 * its comparisons must be those of r. */
int match_model_load(struct match_rules *r, const char *path,
		     struct mbr_err *err);
/* The match and review thresholds of r as match weights (mbr-report). */
void match_rules_thresholds(const struct match_rules *r, double *match_w,
			    double *review_w);
/* Write r's model (m, u, prior per comparison) as a readable INI file. */
int match_model_write(const struct match_rules *r, FILE *out,
		      struct mbr_err *err);

/* Set the most candidate pairs a run may propose ([limits] max_pairs). */
void match_rules_set_max_pairs(struct match_rules *r, unsigned long long n);

enum match_side {
	MATCH_NEW,    /* records to deduplicate / link; written out */
	MATCH_MASTER, /* --against: existing masters; read only */
};

enum match_flags {
	MATCH_LINK_ONLY = 1 << 0, /* compare new records to masters only */
};

struct match_capped {
	const char *key;       /* blocking key name (borrowed from rules) */
	unsigned long records; /* records in the skipped block */
};

#define MATCH_MAX_CAPPED 8

/* What one blocking key did. */
struct match_key_stats {
	const char *name;	       /* borrowed from the rules */
	unsigned long records;	       /* records that have the key */
	unsigned long blocks;	       /* blocks of two or more, compared */
	unsigned long long candidates; /* pairs those blocks propose */
	unsigned long long fresh;  /* of them, not proposed by an earlier key */
	unsigned long skipped;	   /* blocks over max_block_pairs (capped:
				     sorted neighbourhood only) */
	unsigned long over_max;	   /* blocks over the key's own max */
	unsigned long long window; /* candidates by sorted neighbourhood */
	unsigned long long wanted; /* over budget: what the key proposed */
	enum match_key_status {
		MATCH_KEY_OK,
		MATCH_KEY_WINDOWED, /* over the budget: sorted neighbourhood */
		MATCH_KEY_SKIPPED,  /* over it even so: not compared */
	} status;
};

#define MATCH_MAX_KEY_STATS 32

struct match_stats {
	unsigned long records;	       /* new records */
	unsigned long masters;	       /* master records */
	unsigned long long candidates; /* pairs the blocks proposed */
	unsigned long long compared;   /* distinct pairs compared */
	unsigned long long kept;       /* pairs at or above the pairs floor */
	unsigned long long matches; /* pairs at or above the match threshold */
	unsigned long long review;  /* pairs between review and match */
	unsigned long long refused; /* matches not joined: cannot-link */
	unsigned long long split;   /* matches not joined: the clusters'
				       birth dates disagree (coherence) */
	unsigned long clusters;	    /* clusters among new records */
	unsigned long capped;	    /* blocks over max_block_pairs */
	struct match_capped capped_first[MATCH_MAX_CAPPED];
	unsigned long capped_records; /* records in capped blocks or over-
					 budget keys' blocks: flagged */
	unsigned long long budget;    /* candidate pairs the run may propose */
	unsigned over_budget;	      /* keys over the budget */
	const char *over_budget_key;  /* the first of them */
	unsigned long long stored;    /* --db: pairs stored */
	unsigned long conflicts;      /* must-link decisions refused */
	unsigned long decisions;      /* decisions in force (one per pair) */
	unsigned long dec_stored;     /* of them, from the decisions table */
	unsigned long dec_orphans;    /* stored ones naming a missing record */
	unsigned long dec_replaced;   /* stored ones a file changed */
	unsigned long dec_splits;     /* no-match decisions given that split
				     a cluster (warned) */
	unsigned long year_only; /* 1 January dates taken for a year only */
	double per_record;	 /* matches per record the prior assumed */
	bool coherence; /* birth dates checked when joining clusters (the
			   rules ask for it and the data's dates are
			   reliable enough) */
	struct match_key_stats key[MATCH_MAX_KEY_STATS];
	unsigned n_keys;
};

/* A run on rules r (borrowed: keep r alive and unchanged until
 * match_free). */
struct match *match_new(struct match_rules *r, enum match_flags flags);
void match_free(struct match *m); /* NULL is fine */

/* Start an input of records with header h (copied). Every input of side
 * MATCH_NEW must have the same columns; cluster_id is added after them
 * (an input cluster_id column is replaced). -1 (MBR_ECONFIG) when h lacks
 * source or source_id. */
int match_begin(struct match *m, const struct header *h, enum match_side side,
		struct mbr_err *err);
/* Add one record of the current input (copied). -1 only past limits. */
int match_add(struct match *m, const struct record *rec, struct mbr_err *err);

/* The record handler (recstream.h) that reads one input into m: records
 * of side (MATCH_NEW: the records to deduplicate; MATCH_MASTER: --against
 * masters). Binding calls match_begin; each record goes to match_add.
 * One handler per side at a time. */
void match_handler(struct match *m, enum match_side side, struct rs_handler *h);

/* Keep each record's key values (name, birth_date, mobile, id_number,
 * email, address) to show beside the pair in match_write_pairs and
 * match_write_review, as a_name, b_name, ... Those the n names of mask
 * (mbr-export's --mask list) name, or the field whose mask covers them
 * (mask.h: id_number covers birth_date), are shown masked. -1 with
 * MBR_ECONFIG when a name is not one of those six. Call before the
 * records are added. */
int match_show_values(struct match *m, char *const *mask, size_t n,
		      struct mbr_err *err);

/* Who decides when a decisions file has no who column (the user). */
void match_set_decider(struct match *m, const char *who);
/* Read a decisions file: CSV with columns a_source, a_source_id,
 * b_source, b_source_id, decision (match | no-match; empty is skipped,
 * so a filled-in --review file can be fed back), and optionally who and
 * decided_at. A decision naming a record not loaded, or a record twice,
 * is an error (MBR_ECONFIG, file:line); so are two files (or lines) that
 * disagree on a pair (found by match_run). Call after all records are
 * added; several files may be read. */
int match_load_decisions(struct match *m, const char *path,
			 struct mbr_err *err);
struct stage;
/* Read the decisions stored in st's decisions table: applied as those of
 * a file, but a file's replaces a stored one for the same pair (with a
 * warning when it changes it); one naming a record this run lacks is
 * skipped and counted (dec_orphans). Call before match_load_decisions. */
int match_load_stage_decisions(struct match *m, struct stage *st,
			       struct mbr_err *err);

/* How far match_run and match_write_records are, told from the calling
 * thread as it goes (often: the teller decides when to draw it): what it
 * does ("comparing, key 2 of 9", "comparing, windows", "calibrating",
 * "rescoring", "clustering", "writing"; match_load_pairs: "reading pairs
 * file 1 of 4, bytes") and done of total (0: unknown).
 * The steps run on threads tell what the calling thread's share has
 * reached in the whole. NULL tells nothing (the default). */
typedef void match_progress_fn(void *ctx, const char *what,
			       unsigned long long done,
			       unsigned long long total);
void match_set_progress(struct match *m, match_progress_fn *fn, void *ctx);

/* Block, compare, score and cluster. With train, first estimate u from
 * random record pairs and m by EM over several independent blocking
 * passes, store them in the rules, then score with them (refined on the
 * pairs as the built-in model is). */
int match_run(struct match *m, bool train, struct mbr_err *err);
const struct match_stats *match_get_stats(const struct match *m);

/* The new records, in input order, with cluster_id appended. */
int match_write_records(const struct match *m, FILE *out, struct mbr_err *err);
/* Every scored pair at or above the pairs floor: both source/source_id,
 * match weight and probability, and for each comparison its level and
 * weight. */
int match_write_pairs(const struct match *m, FILE *out, struct mbr_err *err);
/* Pairs between the review and match thresholds, with an empty decision
 * column (readable back by match_load_decisions). */
int match_write_review(const struct match *m, FILE *out, struct mbr_err *err);

/* Why records id_a and id_b ("source/source_id", as in cluster_id; or
 * "source:source_id") are or are not one cluster, after match_run, as
 * text: every blocking key they share (and whether its block was
 * compared) or that none does, each comparison's level and weight, the
 * prior, the sibling adjustment and the total, what clustering did with
 * the pair and whether they ended in one cluster. -1 with MBR_ECONFIG
 * when a record is not in the run, MBR_EIO on a write error. */
int match_explain(const struct match *m, const char *id_a, const char *id_b,
		  FILE *out, struct mbr_err *err);

/* One run across machines (shard.c). match_set_shard before the records
 * are added (a shard keeps no output lines):
 * compare only the candidate pairs of the blocks whose key hash is shard
 * modulo shards (shard < shards; each pair in exactly one shard: the
 * first key that proposes it decides), and stop after scoring (no
 * refinement, no clusters). match_write_shard then writes those pairs
 * with a header naming the shard and a fingerprint of the rules and
 * records. match_load_pairs, after all records are added and before
 * match_run, reads the files of all the shards of such a run in place of
 * blocking and scoring: the clusters and outputs are then those of one
 * whole run. -1 with MBR_ECONFIG for a file of other records or rules, a
 * shard missing or given twice, a bad row (file, row, column). */
void match_set_shard(struct match *m, unsigned shard, unsigned shards);
int match_write_shard(const struct match *m, FILE *out, struct mbr_err *err);
int match_load_pairs(struct match *m, const char *const *paths, size_t n,
		     struct mbr_err *err);

/* What each blocking key did: CSV key, parts, records, blocks,
 * candidate_pairs, new_pairs (not proposed by an earlier key),
 * capped_blocks (over max_block_pairs: compared by sorted neighbourhood
 * only, warned), over_max_blocks (over the key's own max: left to the
 * other keys), window_pairs (candidates of the sorted neighbourhoods),
 * budget (ok; or over: the pairs the key wanted, and whether it was
 * compared by sorted neighbourhood or skipped). */
int match_write_report(const struct match *m, FILE *out, struct mbr_err *err);
/* The same as JSON: {"tool": "mbr-dedupe", the run's counts (records,
 * masters, candidate_pairs, compared, kept, matched, review, split,
 * refused, clusters, decisions), "keys": [one object per key with the
 * CSV's columns]}. */
int match_write_report_json(const struct match *m, FILE *out,
			    struct mbr_err *err);

/* For the staging database: pair i of n (strongest first) and cluster
 * membership of new record i. */
struct match_pair_info {
	struct strview a_source, a_source_id, b_source, b_source_id;
	double weight, probability;
	bool matched; /* joined by clustering */
};
size_t match_n_pairs(const struct match *m);
void match_pair(const struct match *m, size_t i, struct match_pair_info *pi);
/* Per-field detail of pair i as JSON into out: {"prior": -4.09,
 * "given_name": {"level": "exact", "weight": 1.14}, ...}; the weights add
 * up to the pair's. -1 past out's max. */
int match_pair_json(const struct match *m, size_t i, struct buf *out);
size_t match_n_records(const struct match *m);
/* source, source_id and cluster_id of new record i. */
void match_record_cluster(const struct match *m, size_t i,
			  struct strview *source, struct strview *source_id,
			  struct buf *cluster_id);

/* Load data/nicknames.csv (found as datafile_path() in datafile.h says)
 * for the name comparison's nickname level
 * (william / bill). A global table, like the surname table: load it before
 * match_run. Without it the level never occurs. -1 with MBR_EIO. */
int match_nicknames_open(struct mbr_err *err);
void match_nicknames_close(void);

/* Write the kept pairs to its pairs table and every new record's cluster
 * to its clusters table, stamped with the open run, and the decisions
 * files gave to its decisions table. -1 with MBR_EIO. */
int match_write_stage(struct match *m, struct stage *st, struct mbr_err *err);

#endif
