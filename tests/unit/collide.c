/*
 * collide: find two strings PREFIX HEX SUFFIX (HEX: 16 hex digits) with
 * one hash_bytes, for tests that need a 64-bit collision (test_hash
 * lists those found, and the tests that use them). Not a test itself:
 * make does not build it.
 *
 *	cc -O2 -Ilib -o collide tests/unit/collide.c build/libmbr.a -lm -pthread
 *	./collide SEED PREFIX SUFFIX     (C escapes not read: use $'...')
 *
 * Brent's cycle finding over f(x) = hash_bytes(PREFIX hex(x) SUFFIX):
 * about 2^32.5 steps to the cycle's length, as many again to where the
 * start's tail meets the cycle; the two values that lead into that point
 * are the collision. 5 to 15 minutes a seed on one core here. A seed that
 * starts on the cycle finds nothing: try another.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"

static const char *prefix, *suffix;
static char key[256];
static size_t plen, slen;

static void hex_of(uint64_t x, char *out)
{
	static const char hex[] = "0123456789abcdef";

	for (int i = 0; i < 16; i++)
		out[i] = hex[(x >> (60 - 4 * i)) & 15];
}

static uint64_t f(uint64_t x)
{
	hex_of(x, key + plen);
	return hash_bytes((struct strview){key, plen + 16 + slen});
}

int main(int argc, char **argv)
{
	uint64_t x0, power = 1, lam = 1, tortoise, hare, mu = 0, pt = 0, ph = 0;
	char a[17] = {0}, b[17] = {0};

	if (argc != 4) {
		fprintf(stderr, "usage: collide SEED PREFIX SUFFIX\n");
		return 2;
	}
	x0 = strtoull(argv[1], NULL, 0);
	prefix = argv[2];
	suffix = argv[3];
	plen = strlen(prefix);
	slen = strlen(suffix);
	if (plen + 16 + slen > sizeof(key)) {
		fprintf(stderr, "collide: PREFIX and SUFFIX too long\n");
		return 2;
	}
	memcpy(key, prefix, plen);
	memcpy(key + plen + 16, suffix, slen);
	tortoise = x0;
	hare = f(x0);
	while (tortoise != hare) { /* the cycle's length, lam */
		if (power == lam) {
			tortoise = hare;
			power *= 2;
			lam = 0;
		}
		hare = f(hare);
		lam++;
	}
	tortoise = hare = x0;
	for (uint64_t i = 0; i < lam; i++)
		hare = f(hare);
	while (tortoise != hare) { /* where the tail meets the cycle */
		pt = tortoise;
		ph = hare;
		tortoise = f(tortoise);
		hare = f(hare);
		mu++;
	}
	if (mu == 0) {
		fprintf(stderr, "collide: the seed is on the cycle; try another\n");
		return 1;
	}
	hex_of(pt, a);
	hex_of(ph, b);
	printf("%s %s %016llx\n", a, b, (unsigned long long)f(pt));
	return 0;
}
