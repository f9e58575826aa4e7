/*
 * import: source exports, through their mappings, into one stream of
 * canonical records (or the staging database's records table).
 *
 * Every row of every file is accounted for: written (perhaps with
 * _issues from a mapper), or rejected with a reason (a row the reader
 * could not parse, a row without its key).
 */
#ifndef MBR_IMPORT_H
#define MBR_IMPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "err.h"
#include "mapping.h"
#include "recstream.h"

struct stage;

/* One --map and the files after it. */
struct import_source {
	struct mapping *map; /* owned */
	const char **files;  /* owned array; strings borrowed from argv */
	size_t n_files;
	int *slot; /* owned: per extra column of the output (the union of
		      every source's [extra]), the mapping's own, or -1 */
};

struct import_opts {
	struct import_source *sources; /* owned */
	size_t n_sources;
	bool strict;	   /* a bad row stops the run (exit 3) */
	bool snapshot;	   /* --snapshot: each source's full current state */
	bool force;	   /* --force: past max_delete all the same */
	double max_delete; /* percent of a source a snapshot may delete */
};

#define IMPORT_DEFAULT_MAX_DELETE 50.0

#define IMPORT_OPTS_INIT                                                \
	{                                                               \
		NULL, 0, false, false, false, IMPORT_DEFAULT_MAX_DELETE \
	}

/* Add a source mapping (loaded from path) that later files belong to. */
int import_add_map(struct import_opts *o, const char *path,
		   struct mbr_err *err);
/* Add a file to the last source; -1 when no --map came before it. */
int import_add_file(struct import_opts *o, const char *path,
		    struct mbr_err *err);
void import_opts_release(struct import_opts *o);

/* Run the import through the record loop (recstream.h): each source's
 * files read with its mapping's encoding and delimiter, every row mapped
 * to a canonical record (canonical header + _issues) and put in k: a CSV
 * sink, or a staging sink in RS_STAGE_IMPORT mode, where a key a run has
 * already stored is rejected as a duplicate. A quote read as a literal
 * character is named in _issues. Counts in t. */
int import_run(const struct import_opts *o, struct rs_sink *k,
	       struct rs_tally *t, struct mbr_err *err);

/* One source export read through its mapping as canonical records, for a
 * tool that compares an export with the staging database (mbr-reconcile)
 * and handles each record itself. */
struct import_reader; /* opaque */

/* A reader of files mapped by m (borrowed; strict: a bad row stops the
 * run). Fills h with the record handler (each row becomes the canonical
 * record: canonical columns, the mapping's [extra] columns, _issues; a row
 * without its key is rejected) and co with the mapping's encoding,
 * delimiter and header settings, for rs_run_files. Cannot fail. */
struct import_reader *import_reader_new(struct mapping *m, bool strict,
					struct rs_handler *h,
					struct csvio_opts *co);
/* The header of the records h passes on. */
const struct header *import_reader_header(const struct import_reader *r);
void import_reader_free(struct import_reader *r); /* NULL is fine */
/*
 * Snapshots (--db --snapshot): the input is each source's full current
 * state, so a record of the source that it lacks is deleted at source
 * (stage.h). A source is what a mapping's [source] name says; a source
 * whose files are empty is a snapshot of no one. A truncated export must
 * not wipe a source: a snapshot that would delete more than max_delete
 * percent of the records a source had fails (MBR_ELIMIT, nothing
 * committed) unless force.
 */

struct import_snapshot {
	size_t n;		    /* distinct sources */
	const char **names;	    /* owned array; borrowed names */
	unsigned long long *before; /* owned: records present before */
	unsigned long long deleted; /* marked deleted at source, in all */
};

/* In the open run of st, before import_run: each source's records. */
int import_snapshot_begin(struct import_snapshot *s,
			  const struct import_opts *o, struct stage *st,
			  struct mbr_err *err);
/* After import_run: check the limit, then mark the records each source
 * lacks deleted at source (counted in s->deleted). */
int import_snapshot_end(struct import_snapshot *s, const struct import_opts *o,
			struct stage *st, struct mbr_err *err);
void import_snapshot_release(struct import_snapshot *s); /* zeroed: fine */

#endif
