/*
 * intern: the string pool of a match run. Two million records repeat the
 * same cities, family names and e-mail domains; each distinct value is
 * stored once and compared as a 32-bit id (equal ids, equal strings).
 */
#include "match/match_int.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"

uint64_t intern_hash(const void *p, size_t len, uint64_t seed)
{
	const unsigned char *s = p;
	uint64_t h = 0xcbf29ce484222325ull ^ seed ^ len, w;
	size_t i = 0;

	/* Eight bytes at a time, multiply and rotate; then the tail. */
	for (; i + 8 <= len; i += 8) {
		memcpy(&w, s + i, 8);
		h = (h ^ w) * 0x100000001b3ull;
		h = (h << 29) | (h >> 35);
	}
	for (; i < len; i++)
		h = (h ^ s[i]) * 0x100000001b3ull;
	/* Finish with splitmix64's mixer: every input bit reaches every
	 * output bit, so both halves of the hash can be used. */
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebull;
	return h ^ (h >> 31);
}

void intern_init(struct intern *t)
{
	memset(t, 0, sizeof(*t));
	t->n_slots = 1024;
	t->slot = xcalloc(t->n_slots, sizeof(*t->slot));
	t->n_cap = 1024;
	t->off = xmalloc(t->n_cap * sizeof(*t->off));
	t->cap = 4096;
	t->bytes = xmalloc(t->cap);
	/* id 0: the empty string, never in the table (callers test len). */
	t->bytes[0] = '\0';
	t->len = 1;
	t->off[0] = 0;
	t->off[1] = 1;
	t->n = 1;
}

void intern_release(struct intern *t)
{
	free(t->bytes);
	free(t->off);
	free(t->slot);
	memset(t, 0, sizeof(*t));
}

/* A slot holds the id in its low 32 bits and the high half of the
 * string's hash above: probing compares hashes, not bytes, and growing
 * the table needs no rehashing of strings. */
static uint64_t slot_of(uint64_t h, uint32_t id)
{
	return (h & 0xFFFFFFFF00000000ull) | id;
}

/* Double the table and put every id back. */
static void rehash(struct intern *t)
{
	size_t n = t->n_slots * 2, mask = n - 1;
	uint64_t *slot = xcalloc(n, sizeof(*slot));

	for (size_t k = 0; k < t->n_slots; k++) {
		uint64_t s = t->slot[k];
		size_t i;

		if (!s)
			continue;
		/* The low hash bits are gone: the high ones place it. */
		i = (size_t)(s >> 32) & mask;
		while (slot[i])
			i = (i + 1) & mask;
		slot[i] = s;
	}
	free(t->slot);
	t->slot = slot;
	t->n_slots = n;
}

static uint32_t append(struct intern *t, const char *p, size_t len)
{
	uint32_t id = t->n;

	while (t->len + len + 1 > t->cap) {
		t->cap *= 2;
		t->bytes = xrealloc(t->bytes, t->cap);
	}
	if (t->n + 2 > t->n_cap) {
		t->n_cap *= 2;
		t->off = xrealloc(t->off, t->n_cap * sizeof(*t->off));
	}
	memcpy(t->bytes + t->len, p, len);
	t->bytes[t->len + len] = '\0';
	t->len += len + 1;
	t->n++;
	t->off[t->n] = t->len;
	return id;
}

void intern_seal(struct intern *t)
{
	free(t->slot);
	t->slot = NULL;
	t->n_slots = 0;
	t->cap = t->len + 1;
	t->bytes = xrealloc(t->bytes, t->cap);
	t->n_cap = t->n + 2;
	t->off = xrealloc(t->off, t->n_cap * sizeof(*t->off));
}

/* After intern_seal: the table again, every id put back. */
static void unseal(struct intern *t)
{
	t->n_slots = 1024;
	while (t->n_slots * 3 <= (size_t)t->n * 4)
		t->n_slots *= 2;
	t->slot = xcalloc(t->n_slots, sizeof(*t->slot));
	for (uint32_t id = 1; id < t->n; id++) {
		struct strview v = intern_str(t, id);
		uint64_t h = intern_hash(v.p, v.len, 0);
		size_t i = (size_t)(h >> 32) & (t->n_slots - 1);

		while (t->slot[i])
			i = (i + 1) & (t->n_slots - 1);
		t->slot[i] = slot_of(h, id);
	}
}

/* At ten million records the table is hundreds of megabytes, and the
 * slot a lookup starts at is a cache miss: asked for early, the wait
 * overlaps other work. (The table may grow before the lookup: then the
 * slot asked for is merely not the one read.) */
uint64_t intern_prefetch(const struct intern *t, const char *p, size_t len)
{
	uint64_t h = intern_hash(p, len, 0);

	if (t->slot && len)
		__builtin_prefetch(
			&t->slot[(size_t)(h >> 32) & (t->n_slots - 1)]);
	return h;
}

uint32_t intern_add(struct intern *t, const char *p, size_t len)
{
	return len ? intern_add_hashed(t, p, len, intern_hash(p, len, 0)) : 0;
}

uint32_t intern_add_hashed(struct intern *t, const char *p, size_t len,
			   uint64_t h)
{
	uint64_t tag;
	size_t mask, i;

	if (len == 0)
		return 0;
	if (!t->slot)
		unseal(t);
	if ((size_t)t->n * 4 >= t->n_slots * 3) /* load at most 3/4 */
		rehash(t);
	tag = h & 0xFFFFFFFF00000000ull;
	mask = t->n_slots - 1;
	i = (size_t)(h >> 32) & mask;
	while (t->slot[i]) {
		uint32_t id = (uint32_t)t->slot[i];

		if ((t->slot[i] & 0xFFFFFFFF00000000ull) == tag) {
			struct strview v = intern_str(t, id);

			if (v.len == len && !memcmp(v.p, p, len))
				return id;
		}
		i = (i + 1) & mask;
	}
	t->slot[i] = slot_of(h, append(t, p, len));
	return (uint32_t)t->slot[i];
}
