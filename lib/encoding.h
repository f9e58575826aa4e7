/*
 * encoding: decoding source exports to UTF-8 through iconv, with BOM and
 * charset sniffing.
 *
 * Bytes that are invalid for the encoding are never silently replaced: the
 * decoder writes U+FFFD in their place, so that parsing can go on, and
 * records each one as a "bad byte" event with its offset in the input and
 * in the output. The CSV reader turns the row that holds such an event
 * into a reject (or, under --strict, an error). A NUL byte is reported the
 * same way: no field may hold one.
 *
 * GBK and GB2312 are decoded as GB18030, their superset. "auto" looks for a
 * BOM (UTF-8, UTF-16LE/BE), then for UTF-16 without one (a NUL in every
 * other byte), then takes UTF-8 if the first chunk is valid UTF-8, else
 * Big5 or GB18030 (encoding_sniff). A leading BOM never reaches the output.
 * Only encoding.c includes <iconv.h>.
 */
#ifndef MBR_ENCODING_H
#define MBR_ENCODING_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "err.h"

struct encoding_decoder; /* opaque */

struct encoding_bad {
	unsigned long long in_off;  /* byte offset in the input */
	unsigned long long out_off; /* offset of the U+FFFD in the output */
	unsigned char byte;	    /* the first offending byte */
	bool nul;		    /* a NUL byte rather than an invalid one */
	bool truncated;		    /* an incomplete sequence at the end */
};

/* A decoder for name: NULL or "UTF-8", "auto", or any iconv name.
 * MBR_ECONFIG when iconv does not know the name. */
struct encoding_decoder *encoding_open(const char *name, struct mbr_err *err);
/* Decode in[0..len) and append UTF-8 to out. A sequence cut at the end of
 * in is kept for the next call unless final. Returns 0, or -1 when out
 * would pass its max (MBR_EIO in err). */
int encoding_decode(struct encoding_decoder *d, const char *in, size_t len,
		    bool final, struct buf *out, struct mbr_err *err);
/* The oldest bad-byte event not yet taken, if it lies before out_off:
 * copy it to *ev and return true. */
bool encoding_take_bad(struct encoding_decoder *d, unsigned long long before,
		       struct encoding_bad *ev);
/* The encoding in use ("GB18030", "UTF-16LE", ...); after the first decode
 * call for "auto". */
const char *encoding_name(const struct encoding_decoder *d);
void encoding_close(struct encoding_decoder *d); /* NULL is fine */

/* What "auto" takes in[0..len) (the first bytes of a file) to be:
 * "UTF-8", "UTF-16LE", "UTF-16BE", "GB18030" or "BIG5"; *bom tells
 * whether a byte order mark said so. */
const char *encoding_sniff(const char *in, size_t len, bool *bom);

/* The canonical name for a user's spelling: "gbk" -> "GB18030",
 * "utf8" -> "UTF-8", "unicode" -> "UTF-16"; otherwise name itself. */
const char *encoding_canonical(const char *name);

/* Encoding in the other direction, for mbr-export. */
struct encoding_encoder;
struct encoding_encoder *encoding_encoder_open(const char *name,
					       struct mbr_err *err);
/* Append in (UTF-8) encoded to out. A character the target cannot hold
 * is an error naming it (MBR_EIO): never silently replaced. */
int encoding_encode(struct encoding_encoder *e, struct strview in,
		    struct buf *out, struct mbr_err *err);
void encoding_encoder_close(struct encoding_encoder *e);

#endif
