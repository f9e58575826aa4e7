/*
 * fuzz_strsim: the string comparators of dedupe (lib/match/match_int.h)
 * on arbitrary pairs.
 *
 * The input is split in two halves, each decoded to code points with
 * fold_decode. Jaro-Winkler is in [0, 1], symmetric, 1 for a string
 * with itself (not empty); Damerau-Levenshtein is symmetric, 0 with
 * itself, at most the longer length and at most max + 1; the byte
 * version and strsim_one_edit agree with it; Jaccard of the bigram sets
 * is in [0, 1], symmetric, 1 with itself. pinyin_key, phonetic_key and
 * the fold functions must not crash and give valid output.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "match/match_int.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                          \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "fuzz_strsim: %s:%d: %s\n",          \
				__FILE__, __LINE__, #cond);                  \
			abort();                                             \
		}                                                            \
	} while (0)

#define MAX_CPS 256

struct side {
	struct strview v;
	uint32_t cps[MAX_CPS];
	size_t n;
	uint32_t bi[MAX_CPS];
	size_t nb;
};

static void decode(struct side *s, struct strview v)
{
	s->v = v;
	s->n = fold_decode(v, s->cps, MAX_CPS);
	CHECK(s->n <= MAX_CPS && s->n <= v.len);
	s->nb = strsim_bigrams(s->cps, s->n, s->bi, MAX_CPS);
	CHECK(s->nb <= MAX_CPS && s->nb <= s->n);
	for (size_t i = 1; i < s->nb; i++)
		CHECK(s->bi[i - 1] < s->bi[i]);
}

static void check_jw(const struct side *a, const struct side *b)
{
	double x = strsim_jaro_winkler(a->cps, a->n, b->cps, b->n);
	double y = strsim_jaro_winkler(b->cps, b->n, a->cps, a->n);

	CHECK(x >= 0 && x <= 1 && !isnan(x));
	CHECK(fabs(x - y) < 1e-9);
	if (a->n)
		CHECK(strsim_jaro_winkler(a->cps, a->n, a->cps, a->n) == 1);
}

static void check_damerau(const struct side *a, const struct side *b,
			  unsigned max)
{
	unsigned x = strsim_damerau(a->cps, a->n, b->cps, b->n, max);
	unsigned y = strsim_damerau(b->cps, b->n, a->cps, a->n, max);
	size_t longest = a->n > b->n ? a->n : b->n;

	CHECK(x == y);
	CHECK(x <= longest && x <= max + 1);
	CHECK(strsim_damerau(a->cps, a->n, a->cps, a->n, max) == 0);
	x = strsim_damerau_bytes(a->v.p, a->v.len, b->v.p, b->v.len, max);
	y = strsim_damerau_bytes(b->v.p, b->v.len, a->v.p, a->v.len, max);
	CHECK(x == y);
	CHECK(x <= (a->v.len > b->v.len ? a->v.len : b->v.len));
	CHECK(x <= max + 1);
	if (max >= 1)
		CHECK(strsim_one_edit(a->v.p, a->v.len, b->v.p, b->v.len) ==
		      (x <= 1));
}

static void check_jaccard(const struct side *a, const struct side *b)
{
	double x = strsim_jaccard(a->bi, a->nb, b->bi, b->nb);
	double y = strsim_jaccard(b->bi, b->nb, a->bi, a->nb);

	CHECK(x >= 0 && x <= 1 && !isnan(x));
	CHECK(x == y);
	if (a->nb)
		CHECK(strsim_jaccard(a->bi, a->nb, a->bi, a->nb) == 1);
}

static void check_keys(const struct side *a, struct buf *b)
{
	char code[PHONETIC_MAX + 1];
	size_t n;

	buf_reset(b);
	CHECK(pinyin_key(a->v, b) == 0);
	CHECK(b->len == strlen(b->p));
	n = phonetic_key(a->v.p, a->v.len, code);
	CHECK(n <= PHONETIC_MAX && strlen(code) == n);
	buf_reset(b);
	CHECK(fold_name(a->v, b) == 0 && utf8_is_valid(svn(b->p, b->len)));
	buf_reset(b);
	CHECK(fold_text(a->v, b) == 0 && utf8_is_valid(svn(b->p, b->len)));
	buf_reset(b);
	CHECK(fold_simplify(a->v, b) == 0);
	if (utf8_is_valid(a->v))
		CHECK(utf8_is_valid(svn(b->p, b->len)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct side a, b;
	struct buf key;
	const char *p = (const char *)data;
	unsigned max = size ? data[0] % 8 : 2;

	decode(&a, svn(p, size / 2));
	decode(&b, svn(p + size / 2, size - size / 2));
	check_jw(&a, &b);
	check_damerau(&a, &b, max);
	check_damerau(&a, &b, 1000);
	check_jaccard(&a, &b);
	buf_init(&key, BUF_NOLIMIT);
	check_keys(&a, &key);
	check_keys(&b, &key);
	buf_release(&key);
	return 0;
}
