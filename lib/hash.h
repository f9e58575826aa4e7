/*
 * hash: 64-bit hashing of bytes, and the one hash table mbr's indexes use
 * (the unique keys of validation rules, merge-id's records and masters).
 *
 * The table is open addressing with linear probing over a power-of-two
 * number of slots, kept at most 3/4 full. A slot holds a 64-bit key (the
 * hash of what it indexes; 0 marks an empty slot, and hash_bytes never
 * gives 0) and a 32-bit value, usually an index into the caller's array.
 * Two things with one 64-bit hash are told apart by the caller's test;
 * a set of hashes (no test) takes a hash for the thing itself, a risk of
 * 2^-64 per pair (test_hash holds two such pairs): where that would lose
 * or merge members, the test is there (validate's unique keys add
 * hash_check, mbr-report's clusters compare their ids); mbr-report's
 * record keys and mbr-profile's key overlaps still take the risk.
 */
#ifndef MBR_HASH_H
#define MBR_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* A 64-bit hash of v, never 0: every input bit moves every output bit. */
uint64_t hash_bytes(struct strview v);
/* A 32-bit hash of v from another seed than hash_bytes': kept beside
 * hash_bytes(v) in a set of hashes, the two take a thing for another only
 * when all 96 bits agree. */
uint32_t hash_check(struct strview v);
/* hash_bytes of parts a and b together, told apart ("ab","c" is not
 * "a","bc"). */
uint64_t hash_pair(struct strview a, struct strview b);

struct hash_slot {
	uint64_t key;	/* 0: empty */
	uint32_t value; /* the caller's */
};

struct hash_table {
	struct hash_slot *slot; /* owned, or NULL before the first find */
	size_t mask;		/* slots - 1 */
	size_t n;		/* slots in use */
};

#define HASH_TABLE_INIT    \
	{                  \
		NULL, 0, 0 \
	}

/* Is the entry whose value is v the one wanted? */
typedef bool (*hash_same_fn)(const void *ctx, uint32_t v, const void *want);

/* The slot with key (and, when same is not NULL, same(ctx, value, want)),
 * or the empty slot (key 0) where it would go. The slot stays valid until
 * the next hash_find on t (which may grow the table first). Cannot fail
 * (allocation failure exits). */
struct hash_slot *hash_find(struct hash_table *t, uint64_t key,
			    hash_same_fn same, const void *ctx,
			    const void *want);
/* Fill slot s (from hash_find, t unchanged since) with key and value. */
void hash_put(struct hash_table *t, struct hash_slot *s, uint64_t key,
	      uint32_t value);
void hash_release(struct hash_table *t); /* as after HASH_TABLE_INIT */
/* Empty t, keeping its slots (no allocation). */
void hash_clear(struct hash_table *t);
/* Bytes t's slots take (0 before the first find). */
size_t hash_memory(const struct hash_table *t);
/* Would the next hash_find on t double its slots (the old ones freed only
 * after the move)? False before the first find (which takes 1024). */
bool hash_grows(const struct hash_table *t);

#endif
