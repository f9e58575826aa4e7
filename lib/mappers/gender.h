/*
 * gender: gender words and codes to M, F or empty.
 *
 * M: 男, 男性, 男士, 先生, m, male, man, mr, mr., boy, GB/T 2261.1 code 1.
 * F: 女, 女性, 女士, 小姐, 太太, f, female, woman, mrs, mrs., ms, ms., miss,
 * girl, code 2.
 * Known to be unknown, written as empty: codes 0 (未知的性别) and 9 (未说明的
 * 性别), 未知, 不详, 保密, 未说明, u, unknown, x, n/a, -.
 * Any width and case; white space around is ignored. Anything else (其他,
 * a name, a date in the wrong column) is GENDER_INVALID.
 */
#ifndef MBR_MAPPERS_GENDER_H
#define MBR_MAPPERS_GENDER_H

#include "buf.h"

enum gender_result {
	GENDER_OK,	/* out has "M", "F", or nothing (known unknown) */
	GENDER_EMPTY,	/* nothing but white space */
	GENDER_INVALID, /* no gender word or code */
};

/* Append "M", "F" or "" to out. out is untouched unless GENDER_OK
 * (GENDER_INVALID also when out cannot grow). Allocates nothing else. */
enum gender_result gender_normalize(struct strview in, struct buf *out);
/* "ok", "empty", "invalid". */
const char *gender_result_str(enum gender_result r);

#endif
