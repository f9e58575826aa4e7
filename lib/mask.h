/*
 * mask: masking and keyed pseudonyms of personal data for analysts
 * (PIPL): mbr-export --mask and --pseudonymize, and every message that
 * must name a value.
 *
 *	mobile, phone	+8613812345678 -> 138****5678 (country code dropped)
 *	id_number	110105199001010021 -> 110105********0021
 *	email		zhang.wei@qq.com -> z***@qq.com
 *	name		张伟 -> 张*, Zhang Wei -> Z**** W**
 *	family_name	欧阳 -> 欧* (no more than the name's mask shows)
 *	given_name	娜娜 -> ** (the name's mask shows none of it)
 *	birth_date	1990-01-01 -> ****-**-** (separators kept)
 *	address		北京市朝阳区建国路88号 -> 北********** (first kept)
 *	postal_code	100020 -> 1000** (county: no finer than the district)
 *	anything else	first character of each word kept, the rest as *
 *
 * A mask on a field covers the columns that hold part of it or give away
 * what its mask hides (mask_parent): name covers family_name and
 * given_name; id_number covers birth_date (digits 7 to 14 of a mainland
 * ID are the birth date: exactly the digits its mask hides); address
 * covers postal_code. province, city and district stay: a masked output
 * may place a member in a district, never finer. mobile and phone are two
 * fields, each masked on its own. Field names compare without regard to
 * ASCII case.
 */
#ifndef MBR_MASK_H
#define MBR_MASK_H

#include "buf.h"

/* Append the masked form of v, a value of the canonical field named
 * field, to out. -1 past out's max. */
int mask_value(const char *field, struct strview v, struct buf *out);

/* The field whose mask (or pseudonym) covers column too ("name" for
 * "family_name"), or NULL when column is no part of another field. */
const char *mask_parent(const char *column);

/* A keyed pseudonym: hex HMAC-SHA256(key, v), 32 hex digits. The same
 * value and key always give the same pseudonym; without the key it cannot
 * be reversed by trying every mobile number. */
int mask_pseudonym(struct strview key, struct strview v, struct buf *out);

#endif
