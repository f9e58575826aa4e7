/*
 * mergeid_int: what the files of lib/mergeid/ share (cmd/ never includes
 * it); mergeid.h is the module's interface: clusters -> masters, master
 * IDs kept through the crosswalk.
 *
 *   core.c      packing, sort keys, master IDs and their format, the
 *               retired IDs, the sorts, lifecycle
 *   xref.c      reading the earlier crosswalk
 *   records.c   taking the input records
 *   assign.c    assigning master IDs: the passes over the sorts
 *   output.c    golden records and lineage, crosswalk and changes
 *   stage_io.c  the staging database
 *
 * Data. Nothing in memory grows with the input but the retired IDs of
 * earlier runs (a hash table, about 40 bytes each) and the records of one
 * cluster at a time. Everything else goes through external sorts
 * (extsort.h), each with its share of --memory (sort_share in core.c);
 * assign.c says which sorts are alive in which pass, so that they never
 * hold more than the budget together. A master is its sequence number
 * (the format gives its ID); 0 is no master.
 */
#ifndef MBR_MERGEID_INT_H
#define MBR_MERGEID_INT_H

#include "mergeid.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "csvio.h"
#include "extsort.h"
#include "hash.h"
#include "reject.h"
#include "stage.h"

#define MAX_WIDTH 20

/* Packed record body: source, source_id, cluster_id, then the survived
 * fields, each as a LEB128 length and its bytes. */
enum { E_SOURCE, E_SOURCE_ID, E_CLUSTER, E_FIELDS };
#define E_COUNT (E_FIELDS + CF_COUNT - SURVIVE_FIRST)

/* The sorts, in the order the passes make them (assign.c). */
enum sort_id {
	S_KEY,	   /* records and crosswalk rows by (source, source_id) */
	S_DUP,	   /* records repeating a key, in input order */
	S_CLUSTER, /* records taken, by cluster, then key */
	S_CARRY,   /* crosswalk records not in the input, and the retired
		      IDs of earlier runs, by their old master */
	S_CAND,	   /* (old master, most records first, smallest key) ->
		      cluster: the first is the master's home */
	S_MADE,	   /* by cluster: golden rows, and each record's key and
		      old master */
	S_FIRST,   /* by cluster: its smallest key */
	S_HOME,	   /* (cluster, old master): the masters at home there */
	S_NAMED,   /* by cluster: the master kept, and the ones at home */
	S_UNNAMED, /* clusters without an old master, by smallest key */
	S_NEW,	   /* by cluster: the new master of an unnamed one */
	S_MERGE,   /* master retired this run -> the one it joined */
	O_GOLDEN,  /* golden and lineage rows, by master ID */
	O_XREF,	   /* crosswalk record rows, by key */
	O_RETIRED, /* crosswalk retired rows, by ID */
	O_CHANGES, /* change rows, in their order */
	N_SORTS
};

/* The kinds of change, in the report's order. */
enum change_kind { CH_NEW, CH_MERGED, CH_MOVED, CH_ADDED };

/* A source of records: its header (for rejects found late) and where
 * each packed field is. */
struct src {
	struct header h;  /* owned: a copy */
	char *name;	  /* owned */
	int col[E_COUNT]; /* input column of each packed field, or -1 */
	int issues_col;	  /* the input's _issues column, or -1 */
};

/* An ID retired by an earlier run. */
struct retired {
	uint64_t seq;
	uint64_t into; /* what the crosswalk says it was merged into */
	uint64_t live; /* where that chain ends (resolve_retired) */
};

struct idfmt {
	char *text;   /* owned: as given, for messages */
	char *prefix; /* owned: text before the number */
	char *suffix; /* owned: text after it */
	size_t prefix_len, suffix_len;
	int width; /* zero-padded to this many digits */
};

struct mergeid {
	struct idfmt fmt;
	const struct survive_rules *rules; /* borrowed, or own_rules */
	struct survive_rules own_rules;	   /* owned: defaults when none given */
	bool lineage;			   /* make lineage rows */
	void (*progress)(void *ctx, const char *what, unsigned long long done,
			 unsigned long long total);
	void *progress_ctx;
	size_t memory;		       /* all the sorts' budget */
	const char *tmpdir;	       /* borrowed: where sorts spill */
	struct extsort *sort[N_SORTS]; /* owned, or NULL */
	size_t runs;		       /* runs of the sorts freed */
	struct src *srcs;	       /* owned */
	size_t n_srcs;
	char **wheres; /* owned: where crosswalk rows come from, less their
			* numbers (where_put) */
	size_t n_wheres;
	struct retired *ret; /* owned */
	size_t n_ret, cap_ret;
	struct hash_table ret_index;
	uint64_t max_seq;  /* highest sequence number ever issued */
	uint64_t n_in;	   /* records added so far */
	uint64_t clusters; /* clusters made */
	struct buf enc;	   /* the value being packed */
	struct buf skey;   /* the sort key being made */
	struct buf tmp;	   /* scratch text */
	struct buf tmp2;   /* more scratch text */
	bool took_records; /* a record came: no more crosswalk rows */
	bool assigned;
	bool drained[N_SORTS];	 /* an output read already */
	struct mbr_err sort_err; /* a failed write of a sort run */
	bool sort_failed;
	struct mergeid_stats stats;
};

/* Where output rows go (output.c): a CSV file, or the staging tables. */
typedef int (*emit_fn)(void *ctx, const struct strview *f, size_t n,
		       struct mbr_err *err);

/* The crosswalk's columns, as read (xref.c) and written (output.c). */
extern const char *const xref_cols[4];

/* core.c */
/* Append v to b packed: a LEB128 length, then its bytes. */
void enc_put(struct buf *b, struct strview v);
/* The packed value at p into *v; returns where the next one starts. */
const unsigned char *enc_get(const unsigned char *p, struct strview *v);
/* Append v to b so that memcmp of two such appends orders them as sv_cmp
 * orders the views: a 0 byte becomes 0 0xff, and 0 1 ends the value. */
void skey_put(struct buf *b, struct strview v);
/* Bytes of the skey_put value at the start of k, its end included. */
size_t skey_len(struct strview k);
/* A number, big-endian (so that memcmp orders numbers), and back. */
void be64_put(struct buf *b, uint64_t v);
uint64_t be64_get(const void *p);
/* The master ID with sequence number seq, in format f, into out. */
void idfmt_print(const struct idfmt *f, uint64_t seq, struct buf *out);
/* The sequence number of a master ID (max_seq follows it); fails with
 * MBR_ECONFIG when the format does not give it, where prefixing. */
int master_seq(struct mergeid *m, struct strview id, const char *where,
	       uint64_t *seq, struct mbr_err *err);
/* The retired ID seq, or NULL. */
struct retired *retired_find(struct mergeid *m, uint64_t seq);
/* Record seq retired into into; where prefixes errors. */
int retired_add(struct mergeid *m, uint64_t seq, uint64_t into,
		const char *where, struct mbr_err *err);
/* Sort i, made on first use with its share of the budget. */
struct extsort *sort_get(struct mergeid *m, enum sort_id i);
/* Add to sort i; -1 with err when a run cannot be written. */
int sort_add(struct mergeid *m, enum sort_id i, struct strview key,
	     struct strview val, struct mbr_err *err);
/* Finish sort i for reading (made empty when it never was). */
int sort_finish(struct mergeid *m, enum sort_id i, struct mbr_err *err);
/* Entry done of sort i's total, for the progress line (what: the pass,
 * NULL: no report). */
void sort_progress(struct mergeid *m, enum sort_id i, const char *what,
		   unsigned long long done);
/* Free sort i, counting its runs. */
void sort_done(struct mergeid *m, enum sort_id i);

/* A number as LEB128 (buf.h), and back from p, where it starts, in a
 * value merge-id packed itself (well formed: at most ten bytes); returns
 * where the next thing starts. */
static inline const unsigned char *leb_get(const unsigned char *p, uint64_t *v)
{
	return p + leb128_get(p, 10, v);
}
/* The where of a crosswalk row, as xref.c packed it at p, into out. */
void where_get(const struct mergeid *m, const unsigned char *p,
	       struct buf *out);
/* Decode the skey_put value at *k (advanced past it) into out. */
void skey_get(struct strview *k, struct buf *out);

/* records.c */
/* Take rec (from source s) into S_CLUSTER, with its old master (0: none):
 * it is not a repeat. */
int cluster_entry(struct mergeid *m, const struct src *s,
		  const struct record *rec, uint64_t old, struct mbr_err *err);

/* output.c */
/* Golden and lineage rows of one cluster, packed into rows, without the
 * master ID and row number (filled in when they are written); the
 * cluster's members (packed bodies, in key order, with their doubtful
 * bits). */
struct golden_maker;
struct golden_maker *golden_maker_new(const struct mergeid *m);
void golden_maker_free(struct golden_maker *g);
int golden_make(struct mergeid *m, struct golden_maker *g,
		const struct strview *body, const uint32_t *doubtful, size_t n,
		struct buf *rows, struct mbr_err *err);
/* Golden rows through emit, and lineage (a CSV file) when asked for. */
int golden_write(struct mergeid *m, emit_fn emit, void *ctx, bool header,
		 const struct mergeid_out *lineage, struct mbr_err *err);
/* The crosswalk's rows through emit: every record's master, then the
 * retired IDs with what they were merged into. */
int xref_rows(struct mergeid *m, emit_fn emit, void *ctx, struct mbr_err *err);

#endif
