/*
 * memo: a fixed-size memory of a pure function's answers, for mappers
 * that are costly and see the same values again and again (a name's
 * clean-up, its split, a gender or status word).
 *
 * A (tag, key) pair hashes to two slots: its own, and a second one it
 * moves to when a new pair takes its own (what was in the second goes).
 * So two pairs that share a slot both stay, and memory never grows with
 * the input. A hit is checked byte for byte against the kept tag and key,
 * never by hash alone: the answer is the one the function gave for these
 * very bytes. Keys and answers longer than a slot holds are not kept.
 * One memo per thread: nothing here locks.
 */
#ifndef MBR_MEMO_H
#define MBR_MEMO_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/* Bytes of key and answer together that one slot holds: a slot is one
 * 64-byte cache line. */
#define MEMO_BYTES 46

struct memo;

/* A memo of about slots slots (rounded up to a power of two; at least
 * one). Cannot fail (allocation failure exits). */
struct memo *memo_new(size_t slots);
void memo_free(struct memo *m);
/* The answer kept for (tag, key): true with *res and *ans (a view valid
 * until the next memo_put), false when there is none. */
bool memo_get(const struct memo *m, unsigned tag, struct strview key, int *res,
	      struct strview *ans);
/* Keep (res, ans) as the answer for (tag, key), in place of what its slot
 * held; nothing when they do not fit a slot. */
void memo_put(struct memo *m, unsigned tag, struct strview key, int res,
	      struct strview ans);

#endif
