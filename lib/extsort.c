/*
 * extsort: fixed-budget sorted runs and a k-way merge (see extsort.h).
 *
 * An entry is stored the same way in memory and in a run: its key's
 * length and its value's length (two uint32_t in the machine's order: a
 * run never leaves the process), then the key's bytes and the value's.
 * In memory the entries sit one after another in one arena; the index is
 * their offsets, sorted by a stable merge sort.
 *
 * Runs are stretches of one temporary file, which they share: spills
 * append to it, and a merge pass writes its runs to a new file, so a sort
 * holds one or two files open however many runs it makes (a tiny budget
 * on a big input makes thousands). A run is read through its own buffer
 * with pread.
 */
#include "extsort.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MIN_BUDGET ((size_t)1 << 10)
#define RUN_BUFSIZ ((size_t)64 << 10) /* buffer of a run being read */

/* An unlinked temporary file holding runs; freed with its last run. */
struct tfile {
	FILE *f;     /* owned: written through stdio, read with pread */
	off_t size;  /* bytes written */
	size_t refs; /* runs in it, and the sort while it appends */
	char *wbuf;  /* owned: f's stdio buffer */
};

struct run {
	struct tfile *file; /* shared */
	off_t pos, end;	    /* what is left to read of it */
	struct buf cur;	    /* owned: the current entry's bytes */
	struct strview key; /* into cur */
	struct strview val;
	char *iobuf;	 /* owned: read buffer while merging */
	size_t have, at; /* bytes in iobuf, and the next one */
};

/* An entry held in memory: its offset in the arena and its key's first
 * 16 bytes as two big-endian numbers (zero-padded), which settle most
 * comparisons without reading the arena. */
struct ent {
	uint64_t pre[2];
	size_t off;
};

struct extsort {
	size_t budget;
	char *tmpdir;	     /* owned */
	struct buf arena;    /* owned: the entries held in memory */
	struct ent *idx;     /* owned: where they are in arena */
	struct ent *scratch; /* owned: the merge sort's second array */
	size_t n_idx, cap_idx;
	size_t next;	   /* reading from memory: the next index */
	struct run **runs; /* owned: runs on disk, in order written */
	struct tfile *out; /* where new runs go, or NULL */
	size_t n_runs, cap_runs;
	size_t *heap; /* owned: indexes into runs, a min-heap */
	size_t n_heap;
	size_t count;	     /* entries added */
	size_t runs_written; /* runs written, merge passes included */
	int state;	     /* 0 adding, 1 reading memory, 2 reading runs */
	struct buf wbuf;     /* owned: the entry extsort_next returned */
};

struct extsort *extsort_new(size_t budget, const char *tmpdir)
{
	struct extsort *s = xmalloc(sizeof(*s));
	const char *dir = tmpdir;

	memset(s, 0, sizeof(*s));
	if (!dir || !*dir)
		dir = getenv("TMPDIR");
	if (!dir || !*dir)
		dir = "/tmp";
	s->tmpdir = sv_dup(sv(dir));
	s->budget = budget < MIN_BUDGET ? MIN_BUDGET : budget;
	buf_init(&s->arena, BUF_NOLIMIT);
	buf_init(&s->wbuf, BUF_NOLIMIT);
	return s;
}

static void tfile_drop(struct tfile *t)
{
	if (!t || --t->refs)
		return;
	fclose(t->f);
	free(t->wbuf);
	free(t);
}

static void run_free(struct run *r)
{
	if (!r)
		return;
	tfile_drop(r->file);
	buf_release(&r->cur);
	free(r->iobuf);
	free(r);
}

void extsort_free(struct extsort *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_runs; i++)
		run_free(s->runs[i]);
	tfile_drop(s->out);
	free(s->runs);
	free(s->heap);
	free(s->idx);
	free(s->scratch);
	buf_release(&s->arena);
	buf_release(&s->wbuf);
	free(s->tmpdir);
	free(s);
}

size_t extsort_count(const struct extsort *s)
{
	return s->count;
}

size_t extsort_n_runs(const struct extsort *s)
{
	return s->runs_written;
}

/* The entry at offset off of the arena. */
static void entry_at(const struct extsort *s, size_t off, struct strview *key,
		     struct strview *val)
{
	const char *p = s->arena.p + off;
	uint32_t klen, vlen;

	memcpy(&klen, p, 4);
	memcpy(&vlen, p + 4, 4);
	*key = svn(p + 8, klen);
	*val = svn(p + 8 + klen, vlen);
}

static int key_cmp(struct strview a, struct strview b)
{
	size_t n = a.len < b.len ? a.len : b.len;
	int c = n ? memcmp(a.p, b.p, n) : 0;

	if (c)
		return c;
	return a.len < b.len ? -1 : a.len > b.len;
}

static int ent_cmp(const struct extsort *s, const struct ent *a,
		   const struct ent *b)
{
	struct strview ka, kb, v;

	if (a->pre[0] != b->pre[0])
		return a->pre[0] < b->pre[0] ? -1 : 1;
	if (a->pre[1] != b->pre[1])
		return a->pre[1] < b->pre[1] ? -1 : 1;
	entry_at(s, a->off, &ka, &v);
	entry_at(s, b->off, &kb, &v);
	return key_cmp(ka, kb);
}

/* The first 16 bytes of key, zero-padded, as two big-endian numbers. */
static void key_prefix(struct strview key, uint64_t pre[2])
{
	unsigned char b[16] = {0};

	memcpy(b, key.p, key.len < 16 ? key.len : 16);
	for (int w = 0; w < 2; w++) {
		pre[w] = 0;
		for (int i = 0; i < 8; i++)
			pre[w] = pre[w] << 8 | b[8 * w + i];
	}
}

/* Bottom-up merge sort of the index: stable, so equal keys keep the order
 * they were added in. */
static void sort_index(struct extsort *s)
{
	size_t n = s->n_idx;
	struct ent *a = s->idx, *b = s->scratch;

	for (size_t w = 1; w < n; w *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * w) {
			size_t mid = lo + w < n ? lo + w : n;
			size_t hi = lo + 2 * w < n ? lo + 2 * w : n;
			size_t i = lo, j = mid, k = lo;

			while (i < mid && j < hi)
				b[k++] = ent_cmp(s, &a[j], &a[i]) < 0 ? a[j++]
								      : a[i++];
			while (i < mid)
				b[k++] = a[i++];
			while (j < hi)
				b[k++] = a[j++];
		}
		struct ent *t = a;
		a = b;
		b = t;
	}
	s->idx = a;
	s->scratch = b;
}

static int io_fail(const struct extsort *s, struct mbr_err *err,
		   const char *what)
{
	return mbr_fail(err, MBR_EIO, "cannot %s a sort run in '%s': %s", what,
			s->tmpdir, strerror(errno ? errno : EIO));
}

/* A new, empty, already unlinked temporary file: s's file for new runs. */
static int tfile_start(struct extsort *s, struct mbr_err *err)
{
	struct buf path;
	struct tfile *t;
	int fd;

	buf_init(&path, BUF_NOLIMIT);
	buf_addf(&path, "%s/mbr-sort-XXXXXX", s->tmpdir);
	fd = mkstemp(path.p); /* mode 0600 */
	if (fd < 0) {
		buf_release(&path);
		return io_fail(s, err, "create");
	}
	unlink(path.p);
	buf_release(&path);
	t = xcalloc(1, sizeof(*t));
	t->f = fdopen(fd, "wb");
	if (!t->f) {
		close(fd);
		free(t);
		return io_fail(s, err, "create");
	}
	t->wbuf = xmalloc(RUN_BUFSIZ);
	setvbuf(t->f, t->wbuf, _IOFBF, RUN_BUFSIZ);
	t->refs = 1;
	tfile_drop(s->out);
	s->out = t;
	return 0;
}

/* A new, empty run at the end of s's file for new runs. */
static struct run *run_create(struct extsort *s, struct mbr_err *err)
{
	struct run *r;

	if (!s->out && tfile_start(s, err) < 0)
		return NULL;
	r = xcalloc(1, sizeof(*r));
	buf_init(&r->cur, BUF_NOLIMIT);
	r->file = s->out;
	r->file->refs++;
	r->pos = r->end = s->out->size;
	s->runs_written++;
	return r;
}

static int run_write(struct run *r, struct strview key, struct strview val)
{
	uint32_t len[2] = {(uint32_t)key.len, (uint32_t)val.len};
	FILE *f = r->file->f;

	if (fwrite(len, 4, 2, f) != 2 ||
	    (key.len && fwrite(key.p, 1, key.len, f) != key.len) ||
	    (val.len && fwrite(val.p, 1, val.len, f) != val.len))
		return -1;
	r->end += (off_t)(8 + key.len + val.len);
	r->file->size = r->end;
	return 0;
}

/* Done writing r: on disk, to be read from its start. */
static int run_rewind(struct extsort *s, struct run *r, struct mbr_err *err)
{
	if (fflush(r->file->f) != 0 || ferror(r->file->f))
		return io_fail(s, err, "write");
	return 0;
}

/* n bytes of r into p, through its buffer: -1 with errno on an error or
 * when the run ends first. */
static int run_read(struct run *r, char *p, size_t n)
{
	while (n) {
		size_t take;

		if (r->at == r->have) {
			off_t left = r->end - r->pos;
			ssize_t got;

			if (left <= 0) {
				errno = EIO; /* a truncated run */
				return -1;
			}
			got = pread(fileno(r->file->f), r->iobuf,
				    (size_t)left < RUN_BUFSIZ ? (size_t)left
							      : RUN_BUFSIZ,
				    r->pos);
			if (got <= 0) {
				if (got == 0)
					errno = EIO;
				return -1;
			}
			r->pos += got;
			r->have = (size_t)got;
			r->at = 0;
		}
		take = r->have - r->at < n ? r->have - r->at : n;
		memcpy(p, r->iobuf + r->at, take);
		r->at += take;
		p += take;
		n -= take;
	}
	return 0;
}

static void add_run(struct extsort *s, struct run *r)
{
	if (s->n_runs == s->cap_runs) {
		s->cap_runs = s->cap_runs ? 2 * s->cap_runs : 16;
		s->runs = xrealloc(s->runs, s->cap_runs * sizeof(*s->runs));
	}
	s->runs[s->n_runs++] = r;
}

/* The entries held, sorted, to a new run; memory is then empty. */
static int spill(struct extsort *s, struct mbr_err *err)
{
	struct run *r;

	if (s->n_idx == 0)
		return 0;
	sort_index(s);
	r = run_create(s, err);
	if (!r)
		return -1;
	for (size_t i = 0; i < s->n_idx; i++) {
		struct strview k, v;

		entry_at(s, s->idx[i].off, &k, &v);
		if (run_write(r, k, v) < 0) {
			run_free(r);
			return io_fail(s, err, "write");
		}
	}
	if (run_rewind(s, r, err) < 0) {
		run_free(r);
		return -1;
	}
	add_run(s, r);
	buf_reset(&s->arena);
	s->n_idx = 0;
	return 0;
}

int extsort_add(struct extsort *s, struct strview key, struct strview val,
		struct mbr_err *err)
{
	uint32_t len[2] = {(uint32_t)key.len, (uint32_t)val.len};
	size_t need = 8 + key.len + val.len + 2 * sizeof(struct ent);

	if (key.len > UINT32_MAX || val.len > UINT32_MAX)
		return mbr_fail(err, MBR_EINTERNAL,
				"a sort entry over 4 GB (%zu + %zu bytes)",
				key.len, val.len);
	if (s->n_idx &&
	    s->arena.len + s->n_idx * 2 * sizeof(struct ent) + need >
		    s->budget) {
		if (spill(s, err) < 0)
			return -1;
	}
	if (s->n_idx == s->cap_idx) {
		s->cap_idx = s->cap_idx ? 2 * s->cap_idx : 1024;
		s->idx = xrealloc(s->idx, s->cap_idx * sizeof(*s->idx));
		s->scratch =
			xrealloc(s->scratch, s->cap_idx * sizeof(*s->scratch));
	}
	s->idx[s->n_idx].off = s->arena.len;
	key_prefix(key, s->idx[s->n_idx++].pre);
	buf_add(&s->arena, len, sizeof(len));
	buf_add(&s->arena, key.p, key.len);
	buf_add(&s->arena, val.p, val.len);
	s->count++;
	return 0;
}

/* Read r's next entry into r->cur: 1, 0 at its end, -1 on error. */
static int run_next(struct extsort *s, struct run *r, struct mbr_err *err)
{
	uint32_t len[2];

	if (r->at == r->have && r->pos == r->end)
		return 0;
	if (run_read(r, (char *)len, sizeof(len)) < 0)
		return io_fail(s, err, "read");
	buf_reset(&r->cur);
	if (buf_grow(&r->cur, (size_t)len[0] + len[1] + 1) < 0 ||
	    run_read(r, r->cur.p, (size_t)len[0] + len[1]) < 0)
		return io_fail(s, err, "read");
	r->key = svn(r->cur.p, len[0]);
	r->val = svn(r->cur.p + len[0], len[1]);
	return 1;
}

/* Is run a before run b in the merge? Equal keys: the earlier run. */
static bool run_before(const struct extsort *s, size_t a, size_t b)
{
	int c = key_cmp(s->runs[a]->key, s->runs[b]->key);

	return c < 0 || (c == 0 && a < b);
}

static void heap_down(struct extsort *s, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, m = i;

		if (l < s->n_heap && run_before(s, s->heap[l], s->heap[m]))
			m = l;
		if (l + 1 < s->n_heap &&
		    run_before(s, s->heap[l + 1], s->heap[m]))
			m = l + 1;
		if (m == i)
			return;
		size_t t = s->heap[i];
		s->heap[i] = s->heap[m];
		s->heap[m] = t;
		i = m;
	}
}

/* A heap over runs[lo, hi), each at its first entry. */
static int heap_start(struct extsort *s, size_t lo, size_t hi,
		      struct mbr_err *err)
{
	s->heap = xrealloc(s->heap, (hi - lo + 1) * sizeof(*s->heap));
	s->n_heap = 0;
	for (size_t i = lo; i < hi; i++) {
		struct run *r = s->runs[i];
		int rc;

		if (!r->iobuf)
			r->iobuf = xmalloc(RUN_BUFSIZ);
		rc = run_next(s, r, err);
		if (rc < 0)
			return -1;
		if (rc > 0)
			s->heap[s->n_heap++] = i;
	}
	for (size_t i = s->n_heap / 2; i-- > 0;)
		heap_down(s, i);
	return 0;
}

/* The heap's smallest run's entry; then advance that run. */
static int heap_pop(struct extsort *s, struct strview *key, struct strview *val,
		    struct buf *hold, struct mbr_err *err)
{
	struct run *r;
	int rc;

	if (s->n_heap == 0)
		return 0;
	r = s->runs[s->heap[0]];
	buf_reset(hold);
	buf_add(hold, r->cur.p, r->key.len + r->val.len);
	*key = svn(hold->p, r->key.len);
	*val = svn(hold->p + r->key.len, r->val.len);
	rc = run_next(s, r, err);
	if (rc < 0)
		return -1;
	if (rc == 0)
		s->heap[0] = s->heap[--s->n_heap];
	heap_down(s, 0);
	return 1;
}

/* Merge runs[lo, hi) into one new run. */
static struct run *merge_group(struct extsort *s, size_t lo, size_t hi,
			       struct mbr_err *err)
{
	struct run *out = run_create(s, err);
	struct strview k, v;
	int rc;

	if (!out || heap_start(s, lo, hi, err) < 0)
		goto fail;
	while ((rc = heap_pop(s, &k, &v, &s->wbuf, err)) > 0)
		if (run_write(out, k, v) < 0) {
			io_fail(s, err, "write");
			goto fail;
		}
	if (rc < 0 || run_rewind(s, out, err) < 0)
		goto fail;
	return out;
fail:
	run_free(out);
	return NULL;
}

/* Merge passes: groups of EXTSORT_FAN_IN consecutive runs become one run
 * each, in order, until no more than EXTSORT_FAN_IN are left. */
static int merge_passes(struct extsort *s, struct mbr_err *err)
{
	while (s->n_runs > EXTSORT_FAN_IN) {
		size_t n = 0;

		/* the pass's runs go to a new file; the old one goes with
		 * its last run */
		if (tfile_start(s, err) < 0)
			return -1;
		for (size_t lo = 0; lo < s->n_runs; lo += EXTSORT_FAN_IN) {
			size_t hi = lo + EXTSORT_FAN_IN < s->n_runs
					    ? lo + EXTSORT_FAN_IN
					    : s->n_runs;
			struct run *m = merge_group(s, lo, hi, err);

			if (!m)
				return -1;
			for (size_t i = lo; i < hi; i++) {
				run_free(s->runs[i]);
				s->runs[i] = NULL;
			}
			s->runs[n++] = m;
		}
		s->n_runs = n;
	}
	return 0;
}

int extsort_finish(struct extsort *s, struct mbr_err *err)
{
	if (s->state != 0)
		return mbr_fail(err, MBR_EINTERNAL, "extsort_finish twice");
	if (s->n_runs == 0) {
		sort_index(s);
		s->state = 1;
		s->next = 0;
		return 0;
	}
	if (spill(s, err) < 0 || merge_passes(s, err) < 0)
		return -1;
	buf_release(&s->arena);
	free(s->idx);
	free(s->scratch);
	s->idx = s->scratch = NULL;
	s->n_idx = s->cap_idx = 0;
	s->state = 2;
	return heap_start(s, 0, s->n_runs, err);
}

int extsort_next(struct extsort *s, struct strview *key, struct strview *val,
		 struct mbr_err *err)
{
	if (s->state == 2)
		return heap_pop(s, key, val, &s->wbuf, err);
	if (s->state != 1)
		return mbr_fail(err, MBR_EINTERNAL,
				"extsort_next before extsort_finish");
	if (s->next == s->n_idx)
		return 0;
	entry_at(s, s->idx[s->next++].off, key, val);
	return 1;
}

/* Each field's length as LEB128 (one byte under 128: most fields), then
 * its bytes. */
int extsort_pack_record(const struct record *rec, struct buf *out)
{
	for (size_t i = 0; i < rec->n; i++) {
		struct strview f = record_field(rec, i);

		if (buf_add_leb128(out, f.len) < 0 ||
		    buf_add(out, f.p, f.len) < 0)
			return -1;
	}
	return 0;
}

int extsort_unpack_record(struct strview val, struct record *rec)
{
	size_t i = 0;

	record_reset(rec);
	while (i < val.len) {
		uint64_t len;
		size_t n = leb128_get((const unsigned char *)val.p + i,
				      val.len - i, &len);

		if (!n || val.len - i - n < len ||
		    record_add(rec, val.p + i + n, (size_t)len) < 0)
			return -1;
		i += n + (size_t)len;
	}
	return 0;
}

int extsort_parse_size(const char *s, size_t *out)
{
	char *end;
	unsigned long long v;
	unsigned shift = 0;

	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	switch (*end) {
	case 'k':
	case 'K':
		shift = 10, end++;
		break;
	case 'm':
	case 'M':
		shift = 20, end++;
		break;
	case 'g':
	case 'G':
		shift = 30, end++;
		break;
	}
	if (*end || v > (SIZE_MAX >> shift) || (v << shift) < MIN_BUDGET)
		return -1;
	*out = (size_t)(v << shift);
	return 0;
}

size_t extsort_default_budget(void)
{
	long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
	size_t b = (size_t)256 << 20;

	if (pages > 0 && size > 0 &&
	    (unsigned long long)pages * (unsigned long long)size / 8 < b)
		b = (size_t)((unsigned long long)pages *
			     (unsigned long long)size / 8);
	if (b < ((size_t)64 << 20))
		b = (size_t)64 << 20;
	return b;
}
