/*
 * memo: one array of slots, each with its key and answer inline.
 */
#include "memo.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

struct memo_slot {
	uint64_t hash; /* 0: empty */
	uint32_t tag;
	int32_t res;
	uint8_t key_len, ans_len;
	char bytes[MEMO_BYTES]; /* the key, then the answer */
};

_Static_assert(sizeof(struct memo_slot) == 64, "a slot is a cache line");

struct memo {
	size_t mask;		/* slots - 1 */
	struct memo_slot *slot; /* in raw, on a cache line's start */
	void *raw;		/* owned */
};

struct memo *memo_new(size_t slots)
{
	struct memo *m = xcalloc(1, sizeof(*m));
	size_t n = 1;

	while (n < slots)
		n *= 2;
	m->raw = xcalloc(n + 1, sizeof(m->slot[0]));
	m->slot =
		(struct memo_slot *)(((uintptr_t)m->raw + 63) & ~(uintptr_t)63);
	m->mask = n - 1;
	return m;
}

void memo_free(struct memo *m)
{
	if (!m)
		return;
	free(m->raw);
	free(m);
}

/* Keys are short (a name, a word): a word at a time, one multiply each,
 * and a finish that spreads the bits; a poor hash costs only misses, as
 * a hit is checked byte for byte. Never 0. */
static uint64_t memo_hash(unsigned tag, struct strview key)
{
	uint64_t h = ((uint64_t)tag << 8 | key.len) * 0x9e3779b97f4a7c15ULL;
	uint64_t w = 0;
	size_t i = 0;

	for (; i + 8 <= key.len; i += 8) {
		memcpy(&w, key.p + i, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 29;
	}
	w = 0;
	for (size_t k = 0; i + k < key.len; k++)
		w |= (uint64_t)(unsigned char)key.p[i + k] << (8 * k);
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 32;
	return h ? h : 1;
}

/* The two places a pair with hash h may be: its own, and the one it is
 * moved to when another pair takes its own. */
static struct memo_slot *place(const struct memo *m, uint64_t h, int which)
{
	return &m->slot[(which ? h >> 32 : h) & m->mask];
}

static bool holds(const struct memo_slot *s, uint64_t h, unsigned tag,
		  struct strview key)
{
	return s->hash == h && s->tag == tag && s->key_len == key.len &&
	       mem_eq(s->bytes, key.p, key.len);
}

bool memo_get(const struct memo *m, unsigned tag, struct strview key, int *res,
	      struct strview *ans)
{
	const struct memo_slot *s;
	uint64_t h;

	if (key.len > MEMO_BYTES)
		return false;
	h = memo_hash(tag, key);
	s = place(m, h, 0);
	if (!holds(s, h, tag, key)) {
		s = place(m, h, 1);
		if (!holds(s, h, tag, key))
			return false;
	}
	*res = s->res;
	*ans = svn(s->bytes + s->key_len, s->ans_len);
	return true;
}

void memo_put(struct memo *m, unsigned tag, struct strview key, int res,
	      struct strview ans)
{
	struct memo_slot *s;
	uint64_t h;

	if (key.len + ans.len > MEMO_BYTES)
		return;
	h = memo_hash(tag, key);
	s = place(m, h, 0);
	/* Two pairs that share a place both stay: the one there moves to
	 * its other place (whatever was there goes). */
	if (s->hash && s->hash != h && place(m, s->hash, 0) == s)
		*place(m, s->hash, 1) = *s;
	s->hash = h;
	s->tag = tag;
	s->res = res;
	s->key_len = (uint8_t)key.len;
	s->ans_len = (uint8_t)ans.len;
	if (key.len)
		memcpy(s->bytes, key.p, key.len);
	if (ans.len)
		memcpy(s->bytes + key.len, ans.p, ans.len);
}
