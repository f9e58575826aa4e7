/*
 * input: read record streams into a match run. A row the reader cannot
 * use goes to the rejects file (or, without one, is counted and named in
 * a warning): nothing is lost, in = out + rejected.
 */
#include "match.h"

#include "cli.h"
#include "csvio.h"
#include "reject.h"

static int bad_row(struct csvio_reader *r, struct match_input *in,
		   struct mbr_err *err)
{
	if (in->strict)
		return mbr_fail(err, MBR_EIO, "%s: row %lu: %s", csvio_name(r),
				csvio_bad_row(r), csvio_bad_reason(r));
	if (in->rejects)
		reject_bad_row(in->rejects, r);
	else
		cli_warn(in->cli, "%s: row %lu: %s (skipped)", csvio_name(r),
			 csvio_bad_row(r), csvio_bad_reason(r));
	in->cli->counts.rejected++;
	return 0;
}

static int read_rows(struct match *m, struct csvio_reader *r,
		     struct match_input *in, struct mbr_err *err)
{
	unsigned long long done, total;
	struct record rec;
	enum csvio_status s;
	int rc = -1;

	record_init(&rec);
	while ((s = csvio_read(r, &rec, err)) != CSVIO_EOF) {
		if (s == CSVIO_ERROR)
			goto out;
		if (in->side == MATCH_NEW)
			in->cli->counts.in++;
		if (s == CSVIO_BAD) {
			if (bad_row(r, in, err) < 0)
				goto out;
			continue;
		}
		if (match_add(m, &rec, err) < 0)
			goto out;
		csvio_progress(r, &done, &total);
		cli_progress(in->cli, done, total);
	}
	rc = 0;
out:
	record_release(&rec);
	return rc;
}

int match_read(struct match *m, const char *const *paths, size_t n,
	       struct match_input *in, struct mbr_err *err)
{
	struct csvio_opts o = CSVIO_OPTS_INIT;
	struct csvio_reader *r;
	int rc = -1;

	if (in->strict)
		o.flags |= CSVIO_STRICT;
	r = csvio_open(paths, n, &o, err);
	if (!r)
		return -1;
	if (match_begin(m, csvio_header(r), in->side, err) < 0) {
		mbr_prefix(err, "%s: ", csvio_name(r));
		goto out;
	}
	rc = read_rows(m, r, in, err);
out:
	csvio_close(r);
	return rc;
}
