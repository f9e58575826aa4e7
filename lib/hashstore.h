/*
 * hashstore: sets of 64-bit hashes on disk, for the hashes a memory
 * budget cannot hold (the unique keys of validation rules, rules.h).
 *
 * The store is one temporary SQLite database (through db.h) with a table
 * per set, keyed by the hash (INTEGER PRIMARY KEY, WITHOUT ROWID): a
 * lookup reads a few pages of a B-tree. What it promises:
 *  - The file is created 0600 (mkstemp) in $TMPDIR, else /tmp, and
 *    unlinked as soon as SQLite has it open: it derives from member data
 *    and vanishes when the process ends, however it ends.
 *  - No journal, no sync (journal_mode OFF, synchronous OFF, one
 *    connection held exclusively): the file is scratch, never read again.
 *  - SQLite's page cache is bounded by the size asked for.
 */
#ifndef MBR_HASHSTORE_H
#define MBR_HASHSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "hash.h"

struct hashstore; /* opaque */

/* A new, empty store with a page cache of about cache bytes (at least
 * 64 KiB). NULL with MBR_EIO when the file cannot be made (the message
 * names the directory). */
struct hashstore *hashstore_open(size_t cache, struct mbr_err *err);
void hashstore_free(struct hashstore *s); /* NULL is fine */

/* Add the keys of the n slots (key 0, an empty slot, is skipped) to set
 * number set (any number: its table is made on first use), in one
 * transaction, in SQLite's order so that the B-tree fills from left to
 * right. The slots' memory is the sort's scratch (nothing is allocated):
 * their contents are lost, for the caller to clear. -1 with MBR_EIO
 * (disk full). */
int hashstore_put(struct hashstore *s, unsigned set, struct hash_slot *slots,
		  size_t n, struct mbr_err *err);
/* Is key in set? 1 yes, 0 no, -1 with MBR_EIO. */
int hashstore_has(struct hashstore *s, unsigned set, uint64_t key,
		  struct mbr_err *err);

#endif
