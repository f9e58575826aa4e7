/*
 * input: the record handler that reads records into a match run. The
 * record loop (recstream.h) counts, rejects unreadable rows and reports
 * progress; the handler only hands each record to the matcher.
 */
#include "match.h"

#include <string.h>

struct input {
	struct match *m;
	enum match_side side;
};

static int bind(void *ctx, const struct header *in, const char *name,
		struct mbr_err *err)
{
	struct input *i = ctx;

	if (match_begin(i->m, in, i->side, err) < 0)
		return mbr_prefix(err, "%s: ", name);
	return 0;
}

static int take(void *ctx, struct record *rec, enum rs_verdict *v,
		struct rs_why *why, struct mbr_err *err)
{
	struct input *i = ctx;

	(void)why;
	*v = RS_PASS;
	return match_add(i->m, rec, err);
}

void match_handler(struct match *m, enum match_side side, struct rs_handler *h)
{
	static struct input inputs[2];
	struct input *i = &inputs[side == MATCH_MASTER];

	i->m = m;
	i->side = side;
	*h = (struct rs_handler){.bind = bind, .record = take, .ctx = i};
}
