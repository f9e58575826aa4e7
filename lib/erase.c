/*
 * erase: requests to erase members, carried out through stage.h.
 */
#include "erase.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void add_item(struct erase_opts *o, bool is_record, struct strview a,
		     struct strview b)
{
	struct erase_item *it;

	o->items = xrealloc(o->items, (o->n_items + 1) * sizeof(*o->items));
	it = &o->items[o->n_items++];
	it->is_record = is_record;
	it->a = sv_dup(a);
	it->b = is_record ? sv_dup(b) : NULL;
}

int erase_add_id(struct erase_opts *o, const char *id, struct mbr_err *err)
{
	if (!*id)
		return mbr_fail(err, MBR_ECONFIG,
				"--id: empty (expected a master ID such as "
				"M0000000001)");
	add_item(o, false, sv(id), svn("", 0));
	return 0;
}

int erase_add_record(struct erase_opts *o, const char *spec,
		     struct mbr_err *err)
{
	const char *colon = strchr(spec, ':');

	if (!colon || colon == spec || !colon[1])
		return mbr_fail(err, MBR_ECONFIG,
				"--record: expected SOURCE:SOURCE_ID, such as "
				"pos:8800010028");
	add_item(o, true, svn(spec, (size_t)(colon - spec)), sv(colon + 1));
	return 0;
}

static struct strview trim(struct strview v)
{
	while (v.len && (*v.p == ' ' || *v.p == '\t')) {
		v.p++;
		v.len--;
	}
	while (v.len && (v.p[v.len - 1] == ' ' || v.p[v.len - 1] == '\t' ||
			 v.p[v.len - 1] == '\r'))
		v.len--;
	return v;
}

/* One line of an IDs file. */
static int id_line(struct erase_opts *o, struct strview v, const char *path,
		   unsigned long line, struct mbr_err *err)
{
	v = trim(v);
	if (!v.len || *v.p == '#')
		return 0;
	if (memchr(v.p, ' ', v.len) || memchr(v.p, ',', v.len) ||
	    memchr(v.p, '\t', v.len) || memchr(v.p, '\0', v.len))
		return mbr_fail(err, MBR_ECONFIG,
				"%s:%lu: expected one master ID a line", path,
				line);
	add_item(o, false, v, svn("", 0));
	return 0;
}

int erase_add_ids_file(struct erase_opts *o, const char *path,
		       struct mbr_err *err)
{
	FILE *f = fopen(path, "r");
	int rc;

	if (!f)
		return mbr_fail(err, MBR_EIO, "cannot open '%s': %s", path,
				strerror(errno));
	rc = erase_add_ids(o, f, path, err);
	fclose(f);
	return rc;
}

int erase_add_ids(struct erase_opts *o, FILE *f, const char *path,
		  struct mbr_err *err)
{
	char *line = NULL;
	size_t cap = 0, before = o->n_items;
	unsigned long n = 0;
	ssize_t len;
	int rc = 0;

	while (rc == 0 && (len = getline(&line, &cap, f)) >= 0) {
		n++;
		if (len && line[len - 1] == '\n')
			len--;
		rc = id_line(o, svn(line, (size_t)len), path, n, err);
	}
	if (rc == 0 && ferror(f))
		rc = mbr_fail(err, MBR_EIO, "cannot read '%s': %s", path,
			      strerror(errno));
	if (rc == 0 && o->n_items == before)
		rc = mbr_fail(err, MBR_ECONFIG,
			      "%s: no master ID in it (expected one a line)",
			      path);
	free(line);
	return rc;
}

void erase_opts_release(struct erase_opts *o)
{
	for (size_t i = 0; i < o->n_items; i++) {
		free(o->items[i].a);
		free(o->items[i].b);
	}
	free(o->items);
	o->items = NULL;
	o->n_items = 0;
}

static int erase_item(struct stage *st, const struct erase_item *it,
		      struct strview reason, struct erase_result *r,
		      struct mbr_err *err)
{
	int rc = it->is_record ? stage_erase_record(st, sv(it->a), sv(it->b),
						    reason, &r->n, err)
			       : stage_erase_master(st, sv(it->a), reason,
						    &r->n, err);

	if (rc < 0)
		return -1;
	r->already += rc == 1;
	return 0;
}

int erase_run(struct stage *st, const struct erase_opts *o,
	      struct erase_result *r, struct mbr_err *err)
{
	struct strview reason =
		sv(o->reason ? o->reason : ERASE_DEFAULT_REASON);
	char args[64];
	int rc = 0;

	memset(r, 0, sizeof(*r));
	/* The run's args name how many, never whom. */
	snprintf(args, sizeof(args), "%zu erasure requests", o->n_items);
	if ((!o->dry && stage_secure_delete(st, err) < 0) ||
	    stage_begin_run(st, "mbr-erase", args, err) < 0)
		return -1;
	for (size_t i = 0; rc == 0 && i < o->n_items; i++)
		rc = erase_item(st, &o->items[i], reason, r, err);
	if (rc < 0 || o->dry) {
		stage_rollback(st);
		return rc;
	}
	if (stage_commit_run(st, o->n_items, o->n_items - r->already, 0, 0,
			     "ok", err) < 0)
		return -1;
	if (stage_compact(st, err) < 0) {
		size_t len = strlen(err->msg);

		snprintf(err->msg + len, sizeof(err->msg) - len,
			 " (the erasure itself is committed)");
		return -1;
	}
	return 0;
}
