/*
 * strsim: string similarities on code points, never bytes, so that one
 * Chinese character counts as one character: 张伟 / 张玮 differ in one of
 * two, not in three of six bytes.
 */
#include "match/match_int.h"

#include <string.h>

/* Winkler's prefix bonus: scale 0.1 over at most 4 characters, given only
 * when the Jaro similarity is already above 0.7 (Winkler 1990). */
#define JW_SCALE 0.1
#define JW_PREFIX 4
#define JW_BOOST_FROM 0.7

static size_t clamp(size_t n)
{
	return n > MATCH_MAX_CPS ? MATCH_MAX_CPS : n;
}

/* Jaro: characters equal within half the longer length count as matches;
 * matches out of order are transpositions. */
static double jaro(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
	bool ma[MATCH_MAX_CPS] = {false}, mb[MATCH_MAX_CPS] = {false};
	size_t win = (na > nb ? na : nb) / 2, m = 0, t = 0, k = 0;

	win = win > 0 ? win - 1 : 0;
	for (size_t i = 0; i < na; i++) {
		size_t lo = i > win ? i - win : 0;
		size_t hi = i + win + 1 < nb ? i + win + 1 : nb;

		for (size_t j = lo; j < hi; j++) {
			if (mb[j] || a[i] != b[j])
				continue;
			ma[i] = mb[j] = true;
			m++;
			break;
		}
	}
	if (m == 0)
		return 0.0;
	for (size_t i = 0; i < na; i++) {
		if (!ma[i])
			continue;
		while (!mb[k])
			k++;
		if (a[i] != b[k++])
			t++;
	}
	return ((double)m / (double)na + (double)m / (double)nb +
		(double)(m - t / 2) / (double)m) /
	       3.0;
}

double strsim_jaro_winkler(const uint32_t *a, size_t na, const uint32_t *b,
			   size_t nb)
{
	double j;
	size_t l = 0;

	na = clamp(na);
	nb = clamp(nb);
	if (na == 0 || nb == 0)
		return 0.0;
	if (na == nb && !memcmp(a, b, na * sizeof(*a)))
		return 1.0;
	j = jaro(a, na, b, nb);
	if (j <= JW_BOOST_FROM)
		return j;
	while (l < JW_PREFIX && l < na && l < nb && a[l] == b[l])
		l++;
	return j + (double)l * JW_SCALE * (1.0 - j);
}

static unsigned min3(unsigned x, unsigned y, unsigned z)
{
	unsigned m = x < y ? x : y;

	return m < z ? m : z;
}

/* Optimal string alignment over three rows of the table; stops early
 * once every cell of a row is past max. */
unsigned strsim_damerau(const uint32_t *a, size_t na, const uint32_t *b,
			size_t nb, unsigned max)
{
	unsigned rows[3][MATCH_MAX_CPS + 1];
	unsigned *pp = rows[0], *p = rows[1], *c = rows[2], *tmp;

	na = clamp(na);
	nb = clamp(nb);
	if (na > nb + max || nb > na + max)
		return max + 1;
	for (size_t j = 0; j <= nb; j++)
		p[j] = (unsigned)j;
	for (size_t i = 1; i <= na; i++) {
		unsigned best = c[0] = (unsigned)i;

		for (size_t j = 1; j <= nb; j++) {
			unsigned cost = a[i - 1] != b[j - 1];

			c[j] = min3(p[j] + 1, c[j - 1] + 1, p[j - 1] + cost);
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && pp[j - 2] + 1 < c[j])
				c[j] = pp[j - 2] + 1;
			best = c[j] < best ? c[j] : best;
		}
		if (best > max)
			return max + 1;
		tmp = pp;
		pp = p;
		p = c;
		c = tmp;
	}
	return p[nb] > max ? max + 1 : p[nb];
}

unsigned strsim_damerau_bytes(const char *a, size_t na, const char *b,
			      size_t nb, unsigned max)
{
	uint32_t ca[MATCH_MAX_CPS], cb[MATCH_MAX_CPS];

	na = clamp(na);
	nb = clamp(nb);
	for (size_t i = 0; i < na; i++)
		ca[i] = (unsigned char)a[i];
	for (size_t i = 0; i < nb; i++)
		cb[i] = (unsigned char)b[i];
	return strsim_damerau(ca, na, cb, nb, max);
}

bool strsim_one_edit(const char *a, size_t na, const char *b, size_t nb)
{
	size_t i = 0;

	if (na + 1 < nb || nb + 1 < na)
		return false;
	while (i < na && i < nb && a[i] == b[i])
		i++;
	if (na == nb) {
		if (i + 1 < na && a[i] == b[i + 1] && a[i + 1] == b[i] &&
		    !memcmp(a + i + 2, b + i + 2, na - i - 2))
			return true; /* neighbours swapped */
		return i >= na || !memcmp(a + i + 1, b + i + 1, na - i - 1);
	}
	if (na > nb) /* one byte deleted from a */
		return !memcmp(a + i + 1, b + i, nb - i);
	return !memcmp(a + i, b + i + 1, na - i);
}

uint8_t strsim_odd_bytes(const char *v, size_t n)
{
	uint8_t odd = 0;

	for (size_t i = 0; i < n; i++)
		odd ^= (uint8_t)(1u << (v[i] & 7));
	return odd;
}

static uint32_t bigram_hash(uint32_t x, uint32_t y)
{
	uint64_t h = ((uint64_t)x << 21 | y) * 0x9E3779B97F4A7C15ull;

	return (uint32_t)(h >> 32);
}

static void sort_u32(uint32_t *v, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		uint32_t x = v[i];
		size_t j = i;

		for (; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

size_t strsim_bigrams(const uint32_t *cps, size_t n, uint32_t *out, size_t max)
{
	size_t k = 0, u = 0;

	if (n == 1 && max > 0)
		out[k++] = bigram_hash(cps[0], cps[0]);
	for (size_t i = 0; i + 1 < n && k < max; i++)
		out[k++] = bigram_hash(cps[i], cps[i + 1]);
	sort_u32(out, k);
	for (size_t i = 0; i < k; i++)
		if (u == 0 || out[u - 1] != out[i])
			out[u++] = out[i];
	return u;
}

double strsim_jaccard(const uint32_t *a, size_t na, const uint32_t *b,
		      size_t nb)
{
	size_t i = 0, j = 0, both = 0;

	if (na + nb == 0)
		return 0.0;
	while (i < na && j < nb) {
		if (a[i] == b[j]) {
			both++;
			i++;
			j++;
		} else if (a[i] < b[j]) {
			i++;
		} else {
			j++;
		}
	}
	return (double)both / (double)(na + nb - both);
}
