/*
 * suggest: "did you mean" for a word that names nothing known (a field,
 * a mapper, an option, a tool): the nearest known word by edit distance.
 *
 * The distance is Damerau-Levenshtein over bytes (optimal string
 * alignment: an insertion, a deletion, a substitution or two adjacent
 * characters swapped cost 1), ASCII case ignored. A candidate is offered
 * only when it is close: at most 1 edit for words of up to 4 bytes, 2 up
 * to 8, 3 beyond; of equally near candidates the first wins.
 */
#ifndef MBR_SUGGEST_H
#define MBR_SUGGEST_H

#include <stddef.h>

/* Edit distance of a and b (ASCII case folded); words longer than 64
 * bytes are 100 or more apart from anything. */
size_t suggest_distance(const char *a, const char *b);

/* The candidate nearest to word when close enough, else NULL.
 * cands[0..n) (NULL entries skipped); n may be (size_t)-1 when cands is
 * NULL-terminated. An exact match (ignoring case) is returned too. */
const char *suggest(const char *word, const char *const *cands, size_t n);

#endif
