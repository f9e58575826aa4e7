/*
 * division: the administrative divisions of China by GB/T 2260 code, and
 * the data directory the mappers read their tables from.
 *
 * The table is data/divisions.csv (scripts/gen-divisions.py made it; see
 * data/divisions.SOURCE.md): provinces, prefecture-level cities and
 * county-level districts, current ones and those retired since 2002, one
 * row per code and name, so a renamed city (襄樊市 -> 襄阳市, 420600) has a
 * current row and a historical one.
 *
 * It is loaded once, on the first lookup or by division_open(), into one
 * block of memory; lookups allocate nothing. A code lookup is a binary
 * search; a name match scans the few names that start with the same
 * character, longest first. The table is global: load it before threads
 * use it.
 */
#ifndef MBR_MAPPERS_DIVISION_H
#define MBR_MAPPERS_DIVISION_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "err.h"

enum division_level {
	DIVISION_PROVINCE = 1, /* xx0000: province, municipality, region */
	DIVISION_CITY,	       /* xxyy00: prefecture-level city, 州, 盟 */
	DIVISION_DISTRICT,     /* xxyyzz: district, county, county-level city */
};

struct division {
	unsigned code;	      /* 110105 */
	unsigned parent_code; /* its city, else its province; 0: none */
	enum division_level level;
	bool is_historical;  /* a retired code, or an old name of a code */
	struct strview name; /* 北京市; NUL-terminated */
	/* 北京 (广西壮族自治区 -> 广西); the name itself when nothing shorter
	 * is left; empty for a placeholder that is no place name (市辖区,
	 * 省直辖县级行政区划), which the name matchers never return.
	 * NUL-terminated. */
	struct strview short_name;
};

/* Load divisions.csv and divisions_latin.tsv from the data directory
 * unless already loaded. Returns 0, or -1 with err (not found,
 * unreadable, "file:line: ..."). */
int division_open(struct mbr_err *err);
/* Load the table at path, replacing the one in use. Returns 0, or -1 with
 * err; on failure the table in use stays. */
int division_load(const char *path, struct mbr_err *err);
/* Free the table. Lookups after it load it again. */
void division_close(void);

/*
 * The lookups below load the table on first use when nobody did; if that
 * fails they find nothing (call division_open() first to learn why).
 */

/* Number of rows, and row i (0 <= i < count), sorted by code, current
 * before historical. */
size_t division_count(void);
const struct division *division_get(size_t i);

/* The row of code: the current one when there is one, else the latest
 * historical one. NULL when the code never existed (or no table). */
const struct division *division_by_code(unsigned code);

/*
 * The division among the children of parent_code (0: the provinces)
 * whose full or short name is the longest one text starts with; a
 * current row wins over a historical one of the same length. Sets
 * *matched_len to the bytes matched. NULL (and *matched_len 0) when none.
 * Municipality districts and 省直辖 county-level cities are children of
 * their province.
 */
const struct division *division_match_prefix(struct strview text,
					     unsigned parent_code,
					     size_t *matched_len);
/* The same among all divisions of level lying within the division
 * within_code (0: anywhere): a district straight under its province
 * ("广东省南山区") or a city without its province. */
const struct division *division_match_level(struct strview text,
					    unsigned within_code,
					    enum division_level level,
					    size_t *matched_len);

/*
 * Latin spellings (data/divisions_latin.tsv, made by
 * scripts/gen-division-latin.py): the toneless pinyin of each current
 * division's short name, and a few English names (Tibet, Inner Mongolia,
 * Shaanxi). division_latin_key() makes the key of a field value: ASCII
 * letters lower-cased, spaces, hyphens, apostrophes and dots dropped, and
 * trailing level words written as words of their own dropped (Province,
 * City, District, County, Autonomous Region, Prefecture, SAR, and sheng,
 * shi, qu, xian, zizhiqu, zizhizhou, diqu, meng: "Shenzhen Shi", but
 * Huaxian stays). false when v holds anything but ASCII letters
 * and those marks, or the key does not fit (size bytes with its NUL).
 */
bool division_latin_key(struct strview v, char *key, size_t size);
/* The codes whose Latin key is key, into codes[0..max); returns how many
 * there are (may be more than max). Loads the file on first use: 0 when
 * it cannot be loaded (division_open() reports why). */
size_t division_latin_codes(const char *key, unsigned *codes, size_t max);

/* Is code (any level) a province code, 11 to 82, as GB/T 2260 lists, or
 * 83 (Taiwan residents' residence permits, GB 11643)? */
bool division_is_province_code(unsigned code);

#endif
