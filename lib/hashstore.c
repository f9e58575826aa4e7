/*
 * hashstore: sets of 64-bit hashes in a temporary SQLite database
 * (hashstore.h).
 */
#include "hashstore.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "db.h"

#define MIN_CACHE ((size_t)64 << 10)

struct hashstore {
	struct db *db;	    /* owned */
	char **put_sql;	    /* owned, per set: NULL before its table */
	char **has_sql;	    /* owned, per set */
	size_t n_sets;	    /* entries of the two */
	struct buf row;	    /* scratch: a lookup's answer */
	uint64_t *filter;   /* owned: two bits set per key put */
	uint64_t bits_mask; /* bits in filter - 1 */
};

/* The directory for the file: $TMPDIR, else /tmp, as extsort.c. */
static const char *tmpdir(void)
{
	const char *dir = getenv("TMPDIR");

	return dir && *dir ? dir : "/tmp";
}

/* The filter's two bits for key in set (keys are hashes already: their
 * low and high halves are independent). */
static uint64_t bit1(const struct hashstore *s, unsigned set, uint64_t key)
{
	return (key ^ (uint64_t)set * 0x9e3779b97f4a7c15ULL) & s->bits_mask;
}

static uint64_t bit2(const struct hashstore *s, unsigned set, uint64_t key)
{
	return ((key >> 32 | key << 32) + set) & s->bits_mask;
}

static bool maybe_has(const struct hashstore *s, unsigned set, uint64_t key)
{
	uint64_t a = bit1(s, set, key), b = bit2(s, set, key);

	return (s->filter[a >> 6] >> (a & 63) & 1) &&
	       (s->filter[b >> 6] >> (b & 63) & 1);
}

static void filter_add(struct hashstore *s, unsigned set, uint64_t key)
{
	uint64_t a = bit1(s, set, key), b = bit2(s, set, key);

	s->filter[a >> 6] |= (uint64_t)1 << (a & 63);
	s->filter[b >> 6] |= (uint64_t)1 << (b & 63);
}

struct hashstore *hashstore_open(size_t memory, struct mbr_err *err)
{
	struct hashstore *s = xcalloc(1, sizeof(*s));
	size_t cache = memory / 2, words = 1;
	struct buf path, sql;
	int fd;

	while (words * 2 * sizeof(uint64_t) <= memory / 2)
		words *= 2;
	s->filter = xcalloc(words, sizeof(uint64_t));
	s->bits_mask = (uint64_t)words * 64 - 1;

	buf_init(&path, BUF_NOLIMIT);
	buf_init(&sql, BUF_NOLIMIT);
	buf_init(&s->row, BUF_NOLIMIT);
	buf_addf(&path, "%s/mbr-unique-XXXXXX", tmpdir());
	fd = mkstemp(path.p); /* mode 0600 */
	if (fd < 0) {
		mbr_fail(err, MBR_EIO,
			 "cannot create a temporary file in %s: %s", tmpdir(),
			 strerror(errno));
		goto fail;
	}
	close(fd);
	s->db = db_open(path.p, path.p, 0, err);
	unlink(path.p); /* SQLite holds it open: gone at exit */
	if (!s->db)
		goto fail;
	if (cache < MIN_CACHE)
		cache = MIN_CACHE;
	buf_addf(&sql,
		 "PRAGMA journal_mode = OFF;"
		 "PRAGMA synchronous = OFF;"
		 "PRAGMA locking_mode = EXCLUSIVE;"
		 "PRAGMA temp_store = FILE;"
		 "PRAGMA cache_size = -%zu;",
		 cache >> 10);
	if (db_script(s->db, sql.p, "cannot configure the store", err) < 0)
		goto fail;
	buf_release(&path);
	buf_release(&sql);
	return s;
fail:
	buf_release(&path);
	buf_release(&sql);
	hashstore_free(s);
	return NULL;
}

void hashstore_free(struct hashstore *s)
{
	if (!s)
		return;
	db_close(s->db);
	for (size_t i = 0; i < s->n_sets; i++) {
		free(s->put_sql[i]);
		free(s->has_sql[i]);
	}
	free(s->put_sql);
	free(s->has_sql);
	buf_release(&s->row);
	free(s->filter);
	free(s);
}

/* SQLite orders integers as signed: a hash is stored as its bits. */
static long long as_int(uint64_t key)
{
	long long v;

	memcpy(&v, &key, sizeof(v));
	return v;
}

/* A slot's key as SQLite orders it (signed): the sign bit flipped. */
static uint64_t order_of(const struct hash_slot *x)
{
	return x->key ^ (uint64_t)1 << 63;
}

/* Move the used slots of the n to the front; returns how many. */
static size_t pack_slots(struct hash_slot *slots, size_t n)
{
	size_t j = 0;

	for (size_t i = 0; i < n; i++)
		if (slots[i].key)
			slots[j++] = slots[i];
	return j;
}

/* Sort the n slots by key in SQLite's order, in place: American flag
 * sort, a byte at a time from the top (each bucket's slots swapped into
 * it), then each bucket by the next byte; a bucket of a few by insertion.
 * No allocation: glibc's qsort would take a buffer as large as the table
 * being moved. Keys are hashes, so the buckets are even. */
static void sort_slots(struct hash_slot *x, size_t n, unsigned shift)
{
	size_t count[256] = {0}, next[256], end[256], at = 0;

	if (n < 32) {
		for (size_t i = 1; i < n; i++) {
			struct hash_slot v = x[i];
			size_t j = i;

			for (; j > 0 && order_of(&x[j - 1]) > order_of(&v); j--)
				x[j] = x[j - 1];
			x[j] = v;
		}
		return;
	}
	for (size_t i = 0; i < n; i++)
		count[order_of(&x[i]) >> shift & 0xff]++;
	for (unsigned b = 0; b < 256; b++) {
		next[b] = at;
		at += count[b];
		end[b] = at;
	}
	for (unsigned b = 0; b < 256; b++)
		while (next[b] < end[b]) {
			unsigned d = order_of(&x[next[b]]) >> shift & 0xff;
			struct hash_slot t;

			if (d == b) {
				next[b]++;
				continue;
			}
			t = x[next[b]];
			x[next[b]] = x[next[d]];
			x[next[d]++] = t;
		}
	if (shift)
		for (unsigned b = 0; b < 256; b++)
			sort_slots(x + end[b] - count[b], count[b], shift - 8);
}

/* The table of set, made on first use, and its statements' texts. */
static int make_set(struct hashstore *s, unsigned set, struct mbr_err *err)
{
	struct buf sql;
	int rc;

	if (set < s->n_sets && s->put_sql[set])
		return 0;
	if (set >= s->n_sets) {
		size_t n = (size_t)set + 1;

		s->put_sql = xrealloc(s->put_sql, n * sizeof(*s->put_sql));
		s->has_sql = xrealloc(s->has_sql, n * sizeof(*s->has_sql));
		for (size_t i = s->n_sets; i < n; i++)
			s->put_sql[i] = s->has_sql[i] = NULL;
		s->n_sets = n;
	}
	buf_init(&sql, BUF_NOLIMIT);
	buf_addf(&sql,
		 "CREATE TABLE s%u (h INTEGER, c INTEGER, PRIMARY KEY (h, c)) "
		 "WITHOUT ROWID",
		 set);
	rc = db_script(s->db, sql.p, "cannot create the store's table", err);
	buf_release(&sql);
	if (rc < 0)
		return -1;
	buf_init(&sql, BUF_NOLIMIT);
	buf_addf(&sql, "INSERT OR IGNORE INTO s%u (h, c) VALUES (?, ?)", set);
	s->put_sql[set] = xstrdup(sql.p);
	buf_reset(&sql);
	buf_addf(&sql, "SELECT 1 FROM s%u WHERE h = ? AND c = ?", set);
	s->has_sql[set] = xstrdup(sql.p);
	buf_release(&sql);
	return 0;
}

int hashstore_put(struct hashstore *s, unsigned set, struct hash_slot *slots,
		  size_t n, struct mbr_err *err)
{
	if (make_set(s, set, err) < 0)
		return -1;
	n = pack_slots(slots, n);
	sort_slots(slots, n, 56);
	if (db_begin(s->db, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		struct db_stmt *st = db_stmt(s->db, s->put_sql[set], err);

		if (!st)
			goto fail;
		db_bind_int(st, 1, as_int(slots[i].key));
		db_bind_int(st, 2, slots[i].value);
		filter_add(s, set, slots[i].key);
		if (db_done(st, "cannot write the store", err) < 0)
			goto fail;
	}
	return db_commit(s->db, err);
fail:
	db_rollback(s->db);
	return -1;
}

int hashstore_has(struct hashstore *s, unsigned set, uint64_t key,
		  uint32_t value, struct mbr_err *err)
{
	struct db_stmt *st;

	if (set >= s->n_sets || !s->has_sql[set] || !maybe_has(s, set, key))
		return 0;
	st = db_stmt(s->db, s->has_sql[set], err);
	if (!st)
		return -1;
	db_bind_int(st, 1, as_int(key));
	db_bind_int(st, 2, value);
	if (db_text(st, &s->row, err) < 0)
		return -1;
	return s->row.len > 0;
}
