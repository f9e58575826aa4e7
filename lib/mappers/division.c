/*
 * division: GB/T 2260 divisions from data/divisions.csv. See division.h.
 *
 * The file is read whole into one block; the parser cuts it into
 * NUL-terminated fields in place, so the rows point into the block and
 * three allocations hold everything: the text, the rows, the name index.
 */
#include "mappers/division.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "datafile.h"
#include "utf8.h"

#define HEADER "code,name,short_name,level,parent_code,historical"
#define MAX_FILE (64u << 20) /* the real file is under 200 KB */

/* One name a division can be matched by, indexed by its first character. */
struct name_key {
	uint32_t first; /* first code point of the name */
	struct strview name;
	const struct division *d;
	/* d's code, parent and level, for the filters without a trip to
	 * the row */
	unsigned code, parent_code;
	enum division_level level;
};

struct group_slot {
	uint64_t g;	       /* the group */
	uint32_t start, count; /* its run in the index; count 0: empty */
};

struct table {
	char *text;	       /* owned: the file, cut into fields */
	struct division *rows; /* owned: sorted by code, current first */
	size_t n_rows;
	struct name_key *keys; /* owned: by first, longest first */
	size_t n_keys;
	/* owned: indexes into keys by (parent_code, first) and by (level,
	 * first), each group in the order of keys */
	uint32_t *by_parent, *by_level;
	/* owned: where each group (key_group) of by_parent and of by_level
	 * starts and how many keys it has, by a hash of the group */
	struct group_slot *gh_parent, *gh_level;
	size_t gh_mask;
	/* owned: 1 + the first row of each code from CODE_MIN, or 0 */
	uint32_t *by_code;
};

#define CODE_MIN 110000u /* parse_code's range of codes */
#define CODE_MAX 999999u

static struct table table;
static int state; /* 0 not tried, 1 loaded, -1 failed */

/* divisions_latin.tsv: key and code, sorted by key. */
struct latin {
	char key[40];
	unsigned code;
};

static struct latin *latin; /* owned */
static size_t n_latin;
static int latin_state; /* 0 not tried, 1 loaded, -1 failed */

static const char *const level_names[] = {
	[DIVISION_PROVINCE] = "province",
	[DIVISION_CITY] = "city",
	[DIVISION_DISTRICT] = "district",
};

static void table_free(struct table *t)
{
	free(t->text);
	free(t->rows);
	free(t->keys);
	free(t->by_parent);
	free(t->by_level);
	free(t->gh_parent);
	free(t->gh_level);
	free(t->by_code);
	memset(t, 0, sizeof(*t));
}

/* Cut the next field off *s at sep; NULL if there is no sep. */
static char *field(char **s, char sep)
{
	char *start = *s, *end = strchr(start, sep);

	if (!end)
		return NULL;
	*end = '\0';
	*s = end + 1;
	return start;
}

/* Cut the next line off *s (the last may lack its newline; a CR before
 * the newline goes too). */
static char *next_line(char **s)
{
	char *line = *s, *end = strchr(line, '\n');
	size_t len;

	if (end) {
		*end = '\0';
		*s = end + 1;
	} else {
		*s = line + strlen(line);
	}
	len = strlen(line);
	if (len && line[len - 1] == '\r')
		line[len - 1] = '\0';
	return line;
}

static bool parse_code(const char *s, unsigned *code, bool zero_ok)
{
	char *end;
	unsigned long v;

	if (strspn(s, "0123456789") != strlen(s) || !*s)
		return false;
	v = strtoul(s, &end, 10);
	if (zero_ok && v == 0) {
		*code = 0;
		return true;
	}
	if (v < 110000 || v > 999999)
		return false;
	*code = (unsigned)v;
	return true;
}

static int parse_level(const char *s)
{
	for (int i = DIVISION_PROVINCE; i <= DIVISION_DISTRICT; i++)
		if (!strcmp(s, level_names[i]))
			return i;
	return -1;
}

/* Parse one line (NUL-terminated, no newline) into d. */
static bool parse_row(char *line, struct division *d)
{
	char *code, *name, *shrt, *level, *parent, *hist = NULL;
	int lv;

	if ((code = field(&line, ',')) && (name = field(&line, ',')) &&
	    (shrt = field(&line, ',')) && (level = field(&line, ',')) &&
	    (parent = field(&line, ',')))
		hist = line;
	if (!hist || strchr(hist, ',') || (lv = parse_level(level)) < 0)
		return false;
	if (!parse_code(code, &d->code, false) ||
	    !parse_code(parent, &d->parent_code, true))
		return false;
	if (strcmp(hist, "0") && strcmp(hist, "1"))
		return false;
	d->level = (enum division_level)lv;
	d->is_historical = hist[0] == '1';
	d->name = sv(name);
	d->short_name = sv(shrt);
	return d->name.len && utf8_is_valid(d->name) &&
	       utf8_is_valid(d->short_name) && !strchr(name, '"');
}

static size_t count_lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n + 1;
}

/* Parse text (cut in place) into t->rows. */
static int parse_rows(struct table *t, const char *path, struct mbr_err *err)
{
	char *s = t->text, *line;
	size_t lineno = 1;

	line = next_line(&s);
	if (strcmp(line, HEADER))
		return mbr_fail(err, MBR_ECONFIG,
				"%s:1: expected the header '" HEADER "'", path);
	t->rows = xcalloc(count_lines(s), sizeof(*t->rows));
	while (*s) {
		lineno++;
		line = next_line(&s);
		if (!parse_row(line, &t->rows[t->n_rows++]))
			return mbr_fail(err, MBR_ECONFIG,
					"%s:%zu: expected code,name,short_name,"
					"level,parent_code,historical",
					path, lineno);
	}
	if (t->n_rows == 0)
		return mbr_fail(err, MBR_ECONFIG, "%s: no divisions", path);
	return 0;
}

static int row_cmp(const void *a, const void *b)
{
	const struct division *x = a, *y = b;

	if (x->code != y->code)
		return x->code < y->code ? -1 : 1;
	return (int)x->is_historical - (int)y->is_historical;
}

static int key_cmp(const void *a, const void *b)
{
	const struct name_key *x = a, *y = b;

	if (x->first != y->first)
		return x->first < y->first ? -1 : 1;
	if (x->name.len != y->name.len)
		return x->name.len > y->name.len ? -1 : 1;
	return (int)x->d->is_historical - (int)y->d->is_historical;
}

static void add_key(struct table *t, struct strview name,
		    const struct division *d)
{
	struct name_key *k = &t->keys[t->n_keys];

	if (!name.len || utf8_decode(name.p, name.len, &k->first) == 0)
		return;
	k->name = name;
	k->d = d;
	k->code = d->code;
	k->parent_code = d->parent_code;
	k->level = d->level;
	t->n_keys++;
}

/* For xqsort of the indexes: keys of the table being built. */
static const struct name_key *sort_keys;

static int cmp_u(unsigned a, unsigned b)
{
	return (a > b) - (a < b);
}

static int by_parent_cmp(const void *a, const void *b)
{
	uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
	const struct name_key *x = &sort_keys[i], *y = &sort_keys[j];
	int c = cmp_u(x->parent_code, y->parent_code);

	if (!c)
		c = cmp_u(x->first, y->first);
	return c ? c : cmp_u(i, j);
}

static int by_level_cmp(const void *a, const void *b)
{
	uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
	const struct name_key *x = &sort_keys[i], *y = &sort_keys[j];
	int c = cmp_u(x->level, y->level);

	if (!c)
		c = cmp_u(x->first, y->first);
	return c ? c : cmp_u(i, j);
}

static uint32_t *key_index(const struct table *t,
			   int (*cmp)(const void *, const void *))
{
	uint32_t *ix = xcalloc(t->n_keys ? t->n_keys : 1, sizeof(*ix));

	for (size_t i = 0; i < t->n_keys; i++)
		ix[i] = (uint32_t)i;
	sort_keys = t->keys;
	xqsort(ix, t->n_keys, sizeof(*ix), cmp);
	sort_keys = NULL;
	return ix;
}

/* What match looks up: (parent code, first code point) or (level, first
 * code point), as one number. */
static uint64_t key_group(const struct name_key *k, bool by_parent)
{
	uint64_t g = by_parent ? k->parent_code : (unsigned)k->level;

	return g << 32 | k->first;
}

static size_t group_hash(uint64_t g)
{
	g ^= g >> 29;
	g *= 0xbf58476d1ce4e5b9ULL;
	return (size_t)(g ^ g >> 32);
}

/* The runs of one group in the index ix (sorted by group), by hash:
 * open addressing, at most half full. */
static struct group_slot *group_table(const struct table *t, const uint32_t *ix,
				      bool by_parent)
{
	struct group_slot *gs = xcalloc(t->gh_mask + 1, sizeof(*gs));

	for (size_t i = 0, j; i < t->n_keys; i = j) {
		uint64_t g = key_group(&t->keys[ix[i]], by_parent);
		size_t h = group_hash(g) & t->gh_mask;

		for (j = i + 1; j < t->n_keys &&
				key_group(&t->keys[ix[j]], by_parent) == g;
		     j++)
			;
		while (gs[h].count)
			h = (h + 1) & t->gh_mask;
		gs[h] = (struct group_slot){g, (uint32_t)i, (uint32_t)(j - i)};
	}
	return gs;
}

static void build_index(struct table *t)
{
	xqsort(t->rows, t->n_rows, sizeof(*t->rows), row_cmp);
	t->keys = xcalloc(2 * t->n_rows, sizeof(*t->keys));
	for (size_t i = 0; i < t->n_rows; i++) {
		const struct division *d = &t->rows[i];

		if (!d->short_name.len)
			continue; /* placeholder: 市辖区 */
		add_key(t, d->name, d);
		if (!sv_eq(d->short_name, d->name))
			add_key(t, d->short_name, d);
	}
	xqsort(t->keys, t->n_keys, sizeof(*t->keys), key_cmp);
	t->by_parent = key_index(t, by_parent_cmp);
	t->by_level = key_index(t, by_level_cmp);
	while (t->gh_mask + 1 < 2 * t->n_keys)
		t->gh_mask = 2 * t->gh_mask + 1;
	t->gh_parent = group_table(t, t->by_parent, true);
	t->gh_level = group_table(t, t->by_level, false);
	/* Rows run by code, current first: the first of a code wins. */
	t->by_code = xcalloc(CODE_MAX - CODE_MIN + 1, sizeof(*t->by_code));
	for (size_t i = t->n_rows; i-- > 0;)
		t->by_code[t->rows[i].code - CODE_MIN] = (uint32_t)i + 1;
}

int division_load(const char *path, struct mbr_err *err)
{
	struct table t = {0};
	size_t len;

	t.text = datafile_read(path, MAX_FILE, &len, err);
	if (!t.text)
		return -1;
	if (memchr(t.text, '\0', len)) {
		mbr_fail(err, MBR_ECONFIG, "%s: NUL byte in text", path);
		goto fail;
	}
	if (parse_rows(&t, path, err) < 0)
		goto fail;
	build_index(&t);
	table_free(&table);
	table = t;
	state = 1;
	return 0;
fail:
	table_free(&t);
	return -1;
}

static int latin_cmp(const void *a, const void *b)
{
	const struct latin *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : (x->code > y->code) - (x->code < y->code);
}

/* One line of divisions_latin.tsv: key, tab, six-digit code. */
static bool latin_line(char *line, struct latin *l)
{
	char *tab = strchr(line, '\t');

	if (!tab || (size_t)(tab - line) >= sizeof(l->key) || tab == line)
		return false;
	*tab = '\0';
	if (strspn(line, "abcdefghijklmnopqrstuvwxyz") != strlen(line))
		return false;
	memcpy(l->key, line, (size_t)(tab - line) + 1);
	return parse_code(tab + 1, &l->code, false);
}

static int latin_load(const char *path, struct mbr_err *err)
{
	char *text, *s, *line;
	size_t len, n = 0, lineno = 0;
	struct latin *rows;

	text = datafile_read(path, MAX_FILE, &len, err);
	if (!text)
		return -1;
	rows = xcalloc(count_lines(text), sizeof(*rows));
	for (s = text; *s;) {
		line = next_line(&s);
		lineno++;
		if (!*line || *line == '#')
			continue;
		if (!latin_line(line, &rows[n++])) {
			free(rows);
			free(text);
			return mbr_fail(err, MBR_ECONFIG,
					"%s:%zu: expected a key of letters, a "
					"tab and a code",
					path, lineno);
		}
	}
	free(text);
	xqsort(rows, n, sizeof(*rows), latin_cmp);
	free(latin);
	latin = rows;
	n_latin = n;
	latin_state = 1;
	return 0;
}

static int latin_open(struct mbr_err *err)
{
	char path[4096];

	if (latin_state == 1)
		return 0;
	if (datafile_path("divisions_latin.tsv", path, sizeof(path), err) < 0 ||
	    latin_load(path, err) < 0) {
		latin_state = -1;
		return -1;
	}
	return 0;
}

int division_open(struct mbr_err *err)
{
	char path[4096];

	if (state == 1)
		return latin_open(err);
	if (datafile_path("divisions.csv", path, sizeof(path), err) < 0 ||
	    division_load(path, err) < 0) {
		state = -1;
		return -1;
	}
	return latin_open(err);
}

void division_close(void)
{
	table_free(&table);
	state = 0;
	free(latin);
	latin = NULL;
	n_latin = 0;
	latin_state = 0;
}

/* Level words at the end of a Latin division name. */
static const char *const level_words[] = {
	"specialadministrativeregion",
	"autonomousregion",
	"autonomouscounty",
	"autonomousprefecture",
	"municipality",
	"prefecture",
	"province",
	"district",
	"county",
	"region",
	"league",
	"city",
	"sar",
	"zizhizhou",
	"zizhiqu",
	"zizhixian",
	"sheng",
	"diqu",
	"meng",
	"xian",
	"shi",
	"qu",
};

/* Is the tail of key from at a level word? */
static bool is_level_word(const char *tail)
{
	for (size_t k = 0; k < sizeof(level_words) / sizeof(level_words[0]);
	     k++)
		if (!strcmp(tail, level_words[k]))
			return true;
	return false;
}

bool division_latin_key(struct strview v, char *key, size_t size)
{
	size_t n = 0, words[8], n_words = 0;

	for (size_t i = 0; i < v.len; i++) {
		char c = v.p[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c + 32);
		if (c == ' ' || c == '-') {
			if (n && n_words < 8 &&
			    (!n_words || words[n_words - 1] != n))
				words[n_words++] = n;
			continue;
		}
		if (c == '\'' || c == '.')
			continue;
		if (c < 'a' || c > 'z' || n + 1 >= size)
			return false;
		key[n++] = c;
	}
	key[n] = '\0';
	/* A level word written as a word of its own: "Shenzhen Shi",
	 * "Ningxia Hui Autonomous Region" (Huaxian keeps its xian). */
	for (size_t w = 0; w < n_words; w++)
		if (words[w] < n && is_level_word(key + words[w])) {
			key[words[w]] = '\0';
			n = words[w];
			break;
		}
	return n > 0;
}

size_t division_latin_codes(const char *key, unsigned *codes, size_t max)
{
	struct mbr_err err;
	size_t lo = 0, hi, count = 0;

	if (latin_state == 0)
		latin_open(&err);
	if (latin_state != 1)
		return 0;
	hi = n_latin;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(latin[mid].key, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < n_latin && !strcmp(latin[lo].key, key); lo++, count++)
		if (count < max)
			codes[count] = latin[lo].code;
	return count;
}

/* Load on first use; false when there is no table. */
static bool ready(void)
{
	struct mbr_err err;

	if (state == 0)
		division_open(&err);
	return state == 1;
}

size_t division_count(void)
{
	return ready() ? table.n_rows : 0;
}

const struct division *division_get(size_t i)
{
	return i < division_count() ? &table.rows[i] : NULL;
}

const struct division *division_by_code(unsigned code)
{
	uint32_t i;

	if (!ready() || code < CODE_MIN || code > CODE_MAX)
		return NULL;
	/* The first row of code is its current one. */
	i = table.by_code[code - CODE_MIN];
	return i ? &table.rows[i - 1] : NULL;
}

/* Is code within the division within (0: anywhere)? */
static bool is_within(unsigned code, unsigned within)
{
	if (within == 0)
		return true;
	if (within % 10000 == 0)
		return code / 10000 == within / 10000;
	if (within % 100 == 0)
		return code / 100 == within / 100;
	return code == within;
}

struct filter {
	bool by_parent; /* else by level and within */
	unsigned parent;
	unsigned within;
	enum division_level level;
};

/* The run of group g in the index gs was made for, or NULL. */
static const struct group_slot *group_find(const struct group_slot *gs,
					   uint64_t g)
{
	for (size_t h = group_hash(g) & table.gh_mask; gs[h].count;
	     h = (h + 1) & table.gh_mask)
		if (gs[h].g == g)
			return &gs[h];
	return NULL;
}

/*
 * The keys of one parent (or level) that start with the first character
 * of text, in the order of table.keys: longest first, current before
 * historical. The first that fits is the answer.
 */
static const struct division *match(struct strview text, const struct filter *f,
				    size_t *matched)
{
	const struct group_slot *run;
	const uint32_t *ix;
	struct name_key probe;

	*matched = 0;
	if (!ready() || utf8_decode(text.p, text.len, &probe.first) == 0)
		return NULL;
	ix = f->by_parent ? table.by_parent : table.by_level;
	probe.parent_code = f->parent;
	probe.level = f->level;
	run = group_find(f->by_parent ? table.gh_parent : table.gh_level,
			 key_group(&probe, f->by_parent));
	for (size_t i = run ? run->start : 0;
	     run && i < run->start + run->count; i++) {
		const struct name_key *k = &table.keys[ix[i]];

		if (k->name.len <= text.len &&
		    (f->by_parent || is_within(k->code, f->within)) &&
		    mem_eq(k->name.p, text.p, k->name.len)) {
			*matched = k->name.len;
			return k->d;
		}
	}
	return NULL;
}

const struct division *division_match_prefix(struct strview text,
					     unsigned parent_code,
					     size_t *matched_len)
{
	struct filter f = {true, parent_code, 0, DIVISION_PROVINCE};

	return match(text, &f, matched_len);
}

const struct division *division_match_level(struct strview text,
					    unsigned within_code,
					    enum division_level level,
					    size_t *matched_len)
{
	struct filter f = {false, 0, within_code, level};

	return match(text, &f, matched_len);
}

bool division_is_province_code(unsigned code)
{
	/* GB/T 2260 first two digits: 1x north, 2x north-east, 3x east,
	 * 4x south-central, 5x south-west, 6x north-west, 7x Taiwan,
	 * 8x Hong Kong and Macau, and 83, which GB 11643 residence permits
	 * of Taiwan residents carry (830000) as 81 and 82 do for Hong Kong
	 * and Macau residents. */
	static const unsigned char provinces[] = {
		11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34,
		35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52,
		53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83,
	};
	unsigned p = code / 10000;

	for (size_t i = 0; i < sizeof(provinces); i++)
		if (provinces[i] == p)
			return true;
	return false;
}
