/*
 * html: what mbr-report and profile_html need to write HTML safely.
 */
#ifndef MBR_HTML_H
#define MBR_HTML_H

#include "buf.h"

/* Append v with &, <, >, " and ' as character references, and control
 * characters other than tab and newline as U+FFFD: safe in element text
 * and in quoted attribute values. */
void html_escape(struct buf *out, struct strview v);
static inline void html_escs(struct buf *out, const char *s)
{
	html_escape(out, sv(s));
}

#endif
