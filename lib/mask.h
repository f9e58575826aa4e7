/*
 * mask: masking and keyed pseudonyms of personal data for analysts
 * (PIPL): mbr-export --mask and --pseudonymize, and every message that
 * must name a value.
 *
 *	mobile, phone	+8613812345678 -> 138****5678 (country code dropped)
 *	id_number	110105199001010021 -> 110105********0021
 *	email		zhang.wei@qq.com -> z***@qq.com
 *	name		张伟 -> 张*, Zhang Wei -> Z**** W**
 *	anything else	first character kept, the rest as *
 */
#ifndef MBR_MASK_H
#define MBR_MASK_H

#include "buf.h"

/* Append the masked form of v, a value of the canonical field named
 * field, to out. -1 past out's max. */
int mask_value(const char *field, struct strview v, struct buf *out);

/* A keyed pseudonym: hex HMAC-SHA256(key, v), 32 hex digits. The same
 * value and key always give the same pseudonym; without the key it cannot
 * be reversed by trying every mobile number. */
int mask_pseudonym(struct strview key, struct strview v, struct buf *out);

#endif
