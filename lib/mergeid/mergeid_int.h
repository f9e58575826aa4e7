/*
 * mergeid_int: what the files of lib/mergeid/ share (cmd/ never includes
 * it); mergeid.h is the module's interface: clusters -> masters, master
 * IDs kept through the crosswalk.
 *
 *   core.c      arena, packing, keys, master IDs and their format, lifecycle
 *   xref.c      reading the earlier crosswalk
 *   records.c   taking the input records
 *   assign.c    assigning master IDs
 *   output.c    golden records, crosswalk, lineage and changes
 *   stage_io.c  the staging database
 *
 *
 * Data: every record's key (source, source_id, cluster_id) is packed in
 * an arena (see enc_put), and the whole record into `bodies`, an external
 * sort (extsort.h) that gives the records back by cluster, in the order
 * build_clusters puts them, one cluster at a time; `keys` holds one
 * entry per (source, source_id) seen in the crosswalk or the input, found
 * through a hash index; `masters` one entry per master ID; `recs` one
 * entry per record taken, sorted by cluster by mergeid_assign; `clusters`
 * the runs of equal cluster_id in recs.
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

#define NONE UINT32_MAX
#define BLOCK_SIZE ((size_t)4 << 20)
#define MAX_WIDTH 20

/* Packed record: source, source_id, cluster_id, then the survived
 * fields, each as a LEB128 length and its bytes. */
enum { E_SOURCE, E_SOURCE_ID, E_CLUSTER, E_FIELDS };
#define E_COUNT (E_FIELDS + CF_COUNT - SURVIVE_FIRST)

struct arena {
	char **blocks; /* owned */
	size_t n_blocks;
	char *cur; /* free space in the last block */
	size_t left;
};

struct key {
	const unsigned char *p; /* packed source, source_id (arena) */
	uint32_t old;		/* master in the earlier crosswalk, or NONE */
	uint32_t rec;		/* position in recs of this input's record */
};

enum master_state {
	M_LIVE,	   /* an ID of the earlier crosswalk */
	M_RETIRED, /* retired in an earlier run */
	M_MERGED,  /* retired in this run */
	M_NEW,	   /* issued in this run */
};

struct master {
	const char *id; /* arena; NUL-terminated */
	uint32_t id_len;
	uint64_t seq;
	uint32_t into;	     /* the master it was merged into, or NONE */
	uint32_t home;	     /* the cluster keeping this ID, or NONE */
	uint32_t home_n;     /* its records in home */
	uint32_t home_first; /* position of the first of them */
	uint32_t mark;	     /* cluster being counted + 1 */
	uint32_t count;	     /* its records in that cluster */
	uint32_t first;	     /* position of the first of them */
	enum master_state state;
};

struct rec {
	uint64_t hash; /* of cluster_id: equal clusters sort together */
	const unsigned char *p; /* packed source, source_id, cluster_id */
	uint32_t key;		/* its entry in keys */
	uint32_t cluster;	/* set by mergeid_assign */
	uint32_t doubtful;	/* survive_doubtful's bits */
};

struct cluster {
	uint32_t first; /* position in recs */
	uint32_t n;
	uint32_t master;
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
	struct arena arena;
	struct key *keys; /* owned */
	size_t n_keys, cap_keys;
	struct hash_table key_index;
	struct master *masters; /* owned */
	size_t n_masters, cap_masters;
	struct hash_table master_index;
	struct rec *recs; /* owned */
	size_t n_recs, cap_recs;
	struct cluster *clusters; /* owned */
	size_t n_clusters;
	uint64_t max_seq; /* highest sequence number ever issued */
	int col[E_COUNT]; /* input column of each packed field, or -1 */
	int issues_col;	  /* the input's _issues column, or -1 */
	struct buf enc;	  /* the record being packed */
	struct buf tmp;	  /* scratch text */
	uint32_t *list;	  /* owned: scratch list of masters */
	size_t cap_list;
	bool assigned;
	struct mergeid_stats stats;
	struct extsort *bodies;	 /* owned: every record packed, by cluster */
	size_t memory;		 /* each sort's budget: half of --memory */
	const char *tmpdir;	 /* borrowed: where sorts spill, or NULL */
	bool bodies_read;	 /* golden records were made (once only) */
	struct mbr_err sort_err; /* a failed write of a sort run */
	bool sort_failed;
	struct buf skey; /* the sort key being made */
};

/* Where output rows go (output.c): a CSV file, or the staging tables. */
typedef int (*emit_fn)(void *ctx, const struct strview *f, size_t n,
		       struct mbr_err *err);

/* The crosswalk's columns, as read (xref.c) and written (output.c). */
extern const char *const xref_cols[4];

/* core.c */
/* n bytes in the arena, never moved or freed before mergeid_free. */
void *arena_alloc(struct arena *a, size_t n);
/* Append v to b packed: a LEB128 length, then its bytes. */
void enc_put(struct buf *b, struct strview v);
/* The packed value at p into *v; returns where the next one starts. */
const unsigned char *enc_get(const unsigned char *p, struct strview *v);
/* Tie order of two packed keys: source, then source_id. */
int key_cmp(const unsigned char *a, const unsigned char *b);
/* The slot of (source, source_id): an entry, or where to add one. */
struct hash_slot *key_slot(struct mergeid *m, struct strview source,
			   struct strview source_id, uint64_t *h);
/* Add a key whose packed bytes are p into the empty slot. */
uint32_t key_add(struct mergeid *m, struct hash_slot *slot, uint64_t h,
		 const unsigned char *p);
/* The master ID with sequence number seq, in format f, into out. */
void idfmt_print(const struct idfmt *f, uint64_t seq, struct buf *out);
/* A new entry in masters for id (copied into the arena). */
uint32_t master_new(struct mergeid *m, struct strview id, uint64_t seq,
		    enum master_state state);
/* The master with this ID, added when new. */
int master_get(struct mergeid *m, struct strview id, const char *where,
	       uint32_t *out, struct mbr_err *err);
/* The live master that i was merged into, or i. */
uint32_t live(const struct mergeid *m, uint32_t i);

/* assign.c */
/* Cluster, then tie order; clusters are apart by the hash of their ID,
 * which is all that matters: their order is not used. */
int rec_cmp(const void *a, const void *b);
/* The master of record i's cluster (after mergeid_assign). */
uint32_t rec_master(const struct mergeid *m, uint32_t i);
/* A record moved when its master changed other than by a merge. */
bool rec_moved(const struct mergeid *m, uint32_t i);

/* output.c */
/* Master i's ID. */
struct strview master_id(const struct mergeid *m, uint32_t i);
/* Golden rows through emit, and lineage (a CSV file) when asked for. */
int golden_write(struct mergeid *m, emit_fn emit, void *ctx, bool header,
		 const struct mergeid_out *lineage, struct mbr_err *err);
/* The crosswalk's rows through emit: every record's master, then the
 * retired IDs with what they were merged into. */
int xref_rows(const struct mergeid *m, emit_fn emit, void *ctx,
	      struct mbr_err *err);

#endif
