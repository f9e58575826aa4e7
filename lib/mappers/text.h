/*
 * text: the Unicode clean-up every text field shares: NFKC, case folding,
 * white space, and Traditional -> Simplified Chinese.
 *
 * NFKC and case folding are utf8proc's; Traditional -> Simplified is
 * OpenCC's (config "t2s.json", looked up in OpenCC's data directory,
 * /usr/share/opencc on Debian). Only text.c includes <utf8proc.h> and
 * <opencc.h>.
 *
 * Every function appends to out and leaves out as it was when it fails.
 * Input must be valid UTF-8: invalid bytes make the call fail, so that a
 * value we cannot read is flagged, never half-rewritten.
 *
 * Cost: ASCII and plain CJK ideographs (U+4E00-9FFF) are passed through
 * without calling utf8proc (NFKC leaves them alone). OpenCC costs about
 * 2.3 us per short string, so text_t2s first looks each character up in
 * a bitmap of the characters t2s.json changes, built once when the
 * converter is opened (about 10 ms), and calls OpenCC only when one is
 * found: Simplified text pays a table lookup per character.
 *
 * Threads: OpenCC's converter is read-only once built (its one global, the
 * last error message, is only written on failure); the converter is opened
 * once under pthread_once, and the scratch buffers are per thread, so any
 * thread may call these functions.
 */
#ifndef MBR_TEXT_H
#define MBR_TEXT_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"

enum text_flags {
	TEXT_T2S = 1 << 0,	       /* Traditional -> Simplified Chinese */
	TEXT_CASEFOLD = 1 << 1,	       /* Unicode case folding (keys) */
	TEXT_KEEP_CJK_SPACES = 1 << 2, /* keep spaces between CJK */
};

/* Append the NFKC form of in. -1 when in is not valid UTF-8 or out is
 * full. */
int text_nfkc(struct strview in, struct buf *out);
/* Append NFKC with Unicode case folding ("Straße" -> "strasse"), the form
 * for comparison keys, not for display. -1 as text_nfkc. */
int text_casefold(struct strview in, struct buf *out);
/* Append in with runs of white space (any Unicode space separator, tab,
 * newline) made one ASCII space, both ends trimmed, and spaces between two
 * CJK characters (Han, kana, bopomofo; not Hangul) removed unless flags
 * has TEXT_KEEP_CJK_SPACES. Expects NFKC input. -1 when out cannot take
 * in.len more bytes. */
int text_spaces(struct strview in, enum text_flags flags, struct buf *out);
/* Append in converted from Traditional to Simplified Chinese. Opens the
 * converter on first use; -1 with err (MBR_ECONFIG) when OpenCC or its
 * t2s.json cannot be loaded, -1 with err (MBR_EINTERNAL) when OpenCC
 * fails on in, and -1 (err untouched) when out is full. */
int text_t2s(struct strview in, struct buf *out, struct mbr_err *err);
/* The whole clean-up for a display value: NFKC (controls and default
 * ignorables such as U+200B removed), white space as text_spaces, then
 * the flags' steps. -1 when in is not valid UTF-8, out is full or, with
 * TEXT_T2S, as text_t2s (err says which; err->status MBR_OK for input
 * problems). */
int text_clean(struct strview in, enum text_flags flags, struct buf *out,
	       struct mbr_err *err);

/* text_clean without its flags' steps, in one pass, for the text most
 * fields hold: printable ASCII and CJK Unified Ideographs (U+4E00-9FFF)
 * only. Such text is valid UTF-8 that NFKC leaves alone, so its clean-up
 * is text_spaces' alone (flags: TEXT_KEEP_CJK_SPACES). -1, out as it
 * was, on any other byte or when out is full: take the general path. */
int text_plain(struct strview in, enum text_flags flags, struct buf *out);
/* Turn text_plain off (tests: the general path must answer the same) or
 * back on. */
void text_fast(bool on);

/* Open the converter now, so that a missing OpenCC config is reported at
 * start-up and not at the first Traditional character. -1 with err. */
int text_open(struct mbr_err *err);
/* Free the converter and this thread's scratch buffers (for leak checkers
 * at exit). Calling anything above afterwards is an error. */
void text_close(void);

/* True for the code points text_spaces treats as CJK. Cannot fail. */
bool text_is_cjk(uint32_t cp);
/* Unicode general category L* (Han included), and Nd. Cannot fail. */
bool text_is_letter(uint32_t cp);
bool text_is_digit(uint32_t cp);

#endif
