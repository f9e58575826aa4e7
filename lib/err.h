/*
 * err: error values with context, and the one table from status to exit code.
 *
 * The library never prints and never exits (except xmalloc on allocation
 * failure). A function that can fail returns -1 or NULL and fills a
 * struct mbr_err; only cmd/ turns the status into an exit code.
 */
#ifndef MBR_ERR_H
#define MBR_ERR_H

#include <stddef.h>

enum mbr_status {
	MBR_OK,
	MBR_ECONFIG,   /* bad option, mapping or rules file      -> exit 2 */
	MBR_EIO,       /* cannot read, decode, write or commit   -> exit 3 */
	MBR_ELIMIT,    /* --max-reject-rate crossed, no commit   -> exit 4 */
	MBR_EINTERNAL, /* broken invariant, out of memory        -> exit 5 */
};

/* Exit codes, the contract with cron (docs/exit-codes.md). */
enum mbr_exit {
	EXIT_CLEAN = 0,	   /* every record passed */
	EXIT_FLAGGED = 1,  /* finished; some records rejected or flagged */
	EXIT_USAGE = 2,	   /* usage or configuration error */
	EXIT_IO = 3,	   /* input or output failure */
	EXIT_LIMIT = 4,	   /* a limit was crossed; nothing committed */
	EXIT_INTERNAL = 5, /* a bug to report */
};

struct mbr_err {
	enum mbr_status status;
	char msg[512];
};

#define MBR_ERR_INIT       \
	{                  \
		MBR_OK, "" \
	}

/* Fill err and return -1, so that callers can write `return mbr_fail(...)`. */
int mbr_fail(struct mbr_err *err, enum mbr_status status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prefix err->msg with more context ("file:line: " + old message). Returns -1. */
int mbr_prefix(struct mbr_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The exit code for a status (MBR_OK maps to EXIT_CLEAN). Cannot fail. */
int mbr_exit_code(enum mbr_status status);

/* A warning from the library: the run goes on, the user should know
 * ("stage.db: was readable by others: made it 0600"). The library never
 * prints: it hands the message to the function the command installed
 * (cli prints "PROG: message" on standard error); none installed, the
 * message is dropped. Never pass personal data. */
void mbr_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
typedef void (*mbr_warn_fn)(const char *msg);
void mbr_set_warn(mbr_warn_fn fn);

/* Name of the running program for xmalloc's message; set once by cli. */
extern const char *mbr_progname;

/* Allocation that cannot return NULL: on failure print
 * "PROG: out of memory (N bytes)" and exit 5. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xmemdup(const void *p, size_t len); /* NUL-terminated copy */

/* qsort that takes an empty array as it is (base may then be NULL, which
 * qsort itself must never be given: its argument is declared nonnull). */
void xqsort(void *base, size_t n, size_t size,
	    int (*cmp)(const void *, const void *));

#endif
