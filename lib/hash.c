/*
 * hash: hashing and the hash table (hash.h).
 */
#include "hash.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"

static uint64_t rotl(uint64_t x, int r)
{
	return (x << r) | (x >> (64 - r));
}

/* MurmurHash3's 64-bit finaliser: every input bit moves every output
 * bit. */
static uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/* Each 8-byte word is mixed, then folded into the state by an invertible
 * multiply-rotate. */
static uint64_t fold(uint64_t h, struct strview v)
{
	const char *p = v.p;
	size_t len = v.len;
	uint64_t w;

	h ^= (uint64_t)len * 0xbf58476d1ce4e5b9ULL;
	for (; len >= 8; p += 8, len -= 8) {
		memcpy(&w, p, 8);
		h = rotl(h ^ mix64(w), 29) * 0x94d049bb133111ebULL;
	}
	w = (uint64_t)len << 56;
	for (size_t i = 0; i < len; i++)
		w |= (uint64_t)(unsigned char)p[i] << (8 * i);
	return mix64(rotl(h ^ mix64(w), 29) * 0x94d049bb133111ebULL);
}

uint64_t hash_bytes(struct strview v)
{
	uint64_t h = fold(0x9e3779b97f4a7c15ULL, v);

	return h ? h : 1;
}

uint32_t hash_check(struct strview v)
{
	return (uint32_t)(fold(0x6a09e667f3bcc909ULL, v) >> 32);
}

uint64_t hash_pair(struct strview a, struct strview b)
{
	/* Each part's length goes into the state: the parts are told
	 * apart without a separator byte. */
	uint64_t h = fold(fold(0x9e3779b97f4a7c15ULL, a), b);

	return h ? h : 1;
}

static size_t probe(const struct hash_table *t, uint64_t key, hash_same_fn same,
		    const void *ctx, const void *want)
{
	size_t i = (size_t)key & t->mask;

	while (t->slot[i].key && (t->slot[i].key != key ||
				  (same && !same(ctx, t->slot[i].value, want))))
		i = (i + 1) & t->mask;
	return i;
}

/* Room for one more entry, keeping the load at most 3/4: linear probing
 * stays short, and a table of millions of keys fits fewer cache lines. */
static void reserve(struct hash_table *t)
{
	size_t old = t->slot ? t->mask + 1 : 0;
	struct hash_slot *prev = t->slot;

	if (t->slot && !hash_grows(t))
		return;
	t->slot = xcalloc(old ? 2 * old : 1024, sizeof(*t->slot));
	t->mask = (old ? 2 * old : 1024) - 1;
	for (size_t i = 0; i < old; i++) {
		size_t j = (size_t)prev[i].key & t->mask;

		if (!prev[i].key)
			continue;
		while (t->slot[j].key)
			j = (j + 1) & t->mask;
		t->slot[j] = prev[i];
	}
	free(prev);
}

struct hash_slot *hash_find(struct hash_table *t, uint64_t key,
			    hash_same_fn same, const void *ctx,
			    const void *want)
{
	struct hash_slot *s;

	reserve(t);
	s = &t->slot[probe(t, key, same, ctx, want)];
	return s;
}

void hash_put(struct hash_table *t, struct hash_slot *s, uint64_t key,
	      uint32_t value)
{
	t->n += !s->key;
	s->key = key;
	s->value = value;
}

void hash_release(struct hash_table *t)
{
	free(t->slot);
	memset(t, 0, sizeof(*t));
}

void hash_clear(struct hash_table *t)
{
	if (t->slot)
		memset(t->slot, 0, (t->mask + 1) * sizeof(*t->slot));
	t->n = 0;
}

size_t hash_memory(const struct hash_table *t)
{
	return t->slot ? (t->mask + 1) * sizeof(*t->slot) : 0;
}

bool hash_grows(const struct hash_table *t)
{
	return t->slot && 4 * (t->n + 1) > 3 * (t->mask + 1);
}
