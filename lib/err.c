/*
 * err: error values, the status -> exit code table, and xmalloc.
 */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

const char *mbr_progname = "mbr";
static mbr_warn_fn warn_fn;

void mbr_set_warn(mbr_warn_fn fn)
{
	warn_fn = fn;
}

void mbr_warn(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!warn_fn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	warn_fn(msg);
}

static const int exit_codes[] = {
	[MBR_OK] = EXIT_CLEAN,
	[MBR_ECONFIG] = EXIT_USAGE,
	[MBR_EIO] = EXIT_IO,
	[MBR_ELIMIT] = EXIT_LIMIT,
	[MBR_EINTERNAL] = EXIT_INTERNAL,
};

int mbr_fail(struct mbr_err *err, enum mbr_status status, const char *fmt, ...)
{
	va_list ap;

	err->status = status;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

int mbr_prefix(struct mbr_err *err, const char *fmt, ...)
{
	char old[sizeof(err->msg)];
	size_t n;
	va_list ap;

	memcpy(old, err->msg, sizeof(old));
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	n = strlen(err->msg);
	snprintf(err->msg + n, sizeof(err->msg) - n, "%s", old);
	return -1;
}

int mbr_exit_code(enum mbr_status status)
{
	if ((size_t)status >= sizeof(exit_codes) / sizeof(exit_codes[0]))
		return EXIT_INTERNAL;
	return exit_codes[status];
}

static void oom(size_t n)
{
	fprintf(stderr, "%s: out of memory (%zu bytes)\n", mbr_progname, n);
	exit(EXIT_INTERNAL);
}

/* A large array (dedupe's records and pairs, blocking's entries, an ID
 * index) is read in random order: it is advised as transparent huge
 * pages, which spares most TLB misses (dedupe at ten million records:
 * about 14 % less CPU). Advice only: a kernel without them, or with them
 * off, changes nothing.
 *
 * The advice covers every page the array touches, not only its whole 2 MB
 * pages: such an array has a mapping of its own, and advice on part of a
 * mapping splits it in three, which realloc's mremap cannot grow (EFAULT).
 * realloc then copies: at ten million records the records, the string
 * pool and the pairs were copied at every doubling, twice their size
 * resident while it did. */
#define HUGE_MIN ((size_t)32 << 20)

static void *huge_pages(void *p, size_t n)
{
#ifdef MADV_HUGEPAGE
	if (n >= HUGE_MIN) { /* rare: the call costs nothing beside it */
		long sz = sysconf(_SC_PAGESIZE);
		uintptr_t page = sz > 0 ? (uintptr_t)sz : 4096;
		uintptr_t a = (uintptr_t)p & ~(page - 1);
		uintptr_t e = ((uintptr_t)p + n + page - 1) & ~(page - 1);

		(void)madvise((void *)a, e - a, MADV_HUGEPAGE);
	}
#endif
	return p;
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		oom(n);
	return huge_pages(p, n);
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		oom(n * size);
	return huge_pages(p, n * size);
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		oom(n);
	return huge_pages(q, n);
}

void xqsort(void *base, size_t n, size_t size,
	    int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(base, n, size, cmp);
}

char *xmemdup(const void *p, size_t len)
{
	char *s = xmalloc(len + 1);

	if (len)
		memcpy(s, p, len);
	s[len] = '\0';
	return s;
}

char *xstrdup(const char *s)
{
	return xmemdup(s, strlen(s));
}
