/*
 * rules_int: what the files of lib/rules/ share (cmd/ never includes it).
 *
 *   values.c  values (numbers, dates), the named checks, reading a field
 *   check.c   the tests, and checking a record against every rule
 *   keys.c    parsing the value of each key of a [rule] section
 *   parse.c   parsing sections and files
 *   rules.c   lifecycle, binding to a header, the built-in rules
 *
 * Parsing turns each section into a struct rule holding everything its
 * test needs, ready made: the compiled pattern, the allowed values, the
 * bounds as numbers or YYYY-MM-DD text, the reason text. Checking a record
 * then only reads fields and compares; it allocates nothing but the
 * growth of a uniqueness set (and, past the memory budget, the on-disk
 * store of hashstore.h).
 */
#ifndef MBR_RULES_INT_H
#define MBR_RULES_INT_H

#include "rules.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "canon.h"
#include "hash.h"
#include "hashstore.h"
#include "ini.h"
#include "mappers/cnid.h"
#include "mappers/date.h"
#include "mappers/email.h"
#include "mappers/phone.h"
#include "pattern.h"
#include "utf8.h"

#define MAX_VALUES 1024	  /* items of an enum or a when list */
#define MAX_KEY_FIELDS 16 /* unique = a, b, ... */
#define DATE_LEN 10	  /* YYYY-MM-DD */
#define N_KEYS 12	  /* entries of keys[] below */

enum test {
	T_NONE,
	T_REQUIRED,
	T_PATTERN,
	T_ENUM,
	T_RANGE,
	T_LENGTH,
	T_CHECK,
	T_COMPARE,
	T_UNIQUE,
};

extern const char *const test_names[];

/* What a field reference reads: the value, or a part of the GB 11643 ID
 * number in it. */
enum derive { D_NONE, D_BIRTH_DATE, D_GENDER };

struct fref {
	char *name; /* owned: the column name, or NULL */
	enum derive derive;
	unsigned line; /* where the rules file names it */
	int col;       /* bound column, or -1: absent, reads empty */
};

enum vtype { V_TEXT, V_NUMBER, V_DATE };

struct operand {
	bool is_field;
	struct fref f;	 /* when is_field */
	enum vtype type; /* of a literal */
	char *text;	 /* owned: a literal (a date as YYYY-MM-DD) */
	size_t len;
	double num; /* a V_NUMBER literal */
};

enum op { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE };

struct vlist {
	char **s;    /* owned, and each string */
	size_t *len; /* owned */
	size_t n;
};

/* Bounds of a range (numbers or dates) or a length (numbers). */
struct bounds {
	enum vtype type;
	bool has_min, has_max;
	double min, max;
	char dmin[DATE_LEN + 1], dmax[DATE_LEN + 1];
};

/* A set of 64-bit key hashes: open addressing, linear probing, 0 = free. */

/* A named check (check = NAME): NULL when v passes, else the reason. */
struct check {
	const char *name;
	const char *(*fn)(struct rules *rs, struct strview v);
};

struct rule {
	struct rule_info info; /* its strings point into the below */
	char *name;	       /* owned */
	char *label;	       /* owned: the field(s), for reports */
	char *message;	       /* owned: the user's message, or NULL */
	char *reason;	       /* owned: the generated reason, or NULL */
	bool limit_said;       /* the pattern's limit hit was reported */
	enum test test;
	unsigned test_line;
	unsigned seen[N_KEYS]; /* line of each key seen, to find doubles */
	struct fref field;     /* the tested field (not compare, unique) */
	bool has_when, when_negate;
	struct fref when_field;
	struct vlist when_vals;
	struct pattern *pat;  /* owned */
	struct vlist allowed; /* enum */
	struct bounds bounds; /* range, length */
	const struct check *check;
	enum op op;
	struct operand lhs, rhs;
	struct fref keys[MAX_KEY_FIELDS];
	size_t n_keys;
	struct hash_table set;	      /* unique: the keys kept, as hashes */
	uint64_t pending;	      /* key hash of the record last checked */
	uint32_t pending_check;	      /* and its hash_check, the slot's value */
	struct hash_slot *pending_at; /* its slot in set, per hash_find */
	bool has_pending;
	bool stored; /* unique: some of its keys moved to rs->store */
};

struct rules {
	char *path;	/* owned: the file, for bind errors */
	struct rule *r; /* owned */
	size_t n, cap;
	char today[DATE_LEN + 1];
	struct buf key;		  /* scratch: the unique key being hashed */
	struct buf tmp;		  /* scratch: a normalised timestamp */
	size_t memory;		  /* rules_set_memory: the sets' budget, or 0 */
	struct hashstore *store;  /* owned: keys past the budget, or NULL */
	struct mbr_err store_err; /* the store's first failure since bind */
};

/* Parsing state for one file. */
struct parse {
	const struct ini *ini;
	struct rules *rs;
	struct rule *r; /* the rule being read */
	struct mbr_err *err;
};

/* Fill err with "FILE:LINE: message" (MBR_ECONFIG); returns -1. */
int rules_fail(struct parse *p, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define TEST_LIST                                                 \
	"required, pattern, enum, range, length, check, compare " \
	"or unique"

/* keys.c */
int rules_parse_entry(struct parse *p, const struct ini_entry *e);

/* values.c */
extern const struct check rules_checks[];
extern const size_t rules_n_checks;
struct strview rules_fref_value(const struct fref *f, const struct record *rec,
				char *tmp);
bool rules_is_date_shape(struct strview v);
struct strview rules_operand_value(const struct operand *o,
				   const struct record *rec, char *tmp);
bool rules_parse_number(struct strview v, double *out);
void rules_vlist_add(struct vlist *l, struct strview v);
bool rules_vlist_has(const struct vlist *l, struct strview v);
void rules_vlist_release(struct vlist *l);

#endif
