/*
 * hashstore: sets of hashes on disk, for the hashes a memory budget
 * cannot hold (the unique keys of validation rules, rules.h). A member of
 * a set is a hash table slot's 64-bit key and 32-bit value (a second hash
 * of the same thing: 96 bits in all).
 *
 * The store is one temporary SQLite database (through db.h) with a table
 * per set, keyed by the two (PRIMARY KEY (h, c), WITHOUT ROWID): a
 * lookup reads a few pages of a B-tree. What it promises:
 *  - The file is created 0600 (mkstemp) in $TMPDIR, else /tmp, and
 *    unlinked as soon as SQLite has it open: it derives from member data
 *    and vanishes when the process ends, however it ends.
 *  - No journal, no sync (journal_mode OFF, synchronous OFF, one
 *    connection held exclusively): the file is scratch, never read again.
 *  - Memory is bounded by the size asked for: SQLite's page cache and a
 *    filter of fixed size that spares most lookups of a key not there.
 */
#ifndef MBR_HASHSTORE_H
#define MBR_HASHSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "hash.h"

struct hashstore; /* opaque */

/* A new, empty store in about memory bytes: half SQLite's page cache (at
 * least 64 KiB), half a filter of two bits a key that answers most
 * lookups of an absent key without reading the file (a 2 MiB filter
 * still reads the file for 1 in 80 such lookups at a million keys, 1 in 5
 * at 5 million). NULL with
 * MBR_EIO when the file cannot be made (the message names the
 * directory). */
struct hashstore *hashstore_open(size_t cache, struct mbr_err *err);
void hashstore_free(struct hashstore *s); /* NULL is fine */

/* Add the keys and values of the n slots (key 0, an empty slot, is
 * skipped) to set number set (any number: its table is made on first
 * use), in one transaction, in SQLite's order so that the B-tree fills
 * from left to right. The slots are sorted in place (nothing is
 * allocated): their order is lost, for the caller to clear. -1 with
 * MBR_EIO (disk full). */
int hashstore_put(struct hashstore *s, unsigned set, struct hash_slot *slots,
		  size_t n, struct mbr_err *err);
/* Is key with value in set? 1 yes, 0 no, -1 with MBR_EIO. */
int hashstore_has(struct hashstore *s, unsigned set, uint64_t key,
		  uint32_t value, struct mbr_err *err);

#endif
