/*
 * rules: lifecycle, binding to a header, the built-in rules
 */
#include "rules/rules_int.h"

const char *const test_names[] = {
	[T_NONE] = "",		   /* not a test key */
	[T_REQUIRED] = "required", /* not empty */
	[T_PATTERN] = "pattern",   /* PCRE2, the whole value */
	[T_ENUM] = "enum",	   /* one of a list */
	[T_RANGE] = "range",	   /* numbers or dates */
	[T_LENGTH] = "length",	   /* in characters */
	[T_CHECK] = "check",	   /* a named check: checks[] */
	[T_COMPARE] = "compare",   /* against a field or a literal */
	[T_UNIQUE] = "unique",	   /* within the input */
};

/*
 * Lifecycle, binding
 */

static void fref_release(struct fref *f)
{
	free(f->name);
	f->name = NULL;
}

static void rule_release(struct rule *r)
{
	free(r->name);
	free(r->label);
	free(r->message);
	free(r->reason);
	fref_release(&r->field);
	fref_release(&r->when_field);
	rules_vlist_release(&r->when_vals);
	pattern_free(r->pat);
	rules_vlist_release(&r->allowed);
	fref_release(&r->lhs.f);
	free(r->lhs.text);
	fref_release(&r->rhs.f);
	free(r->rhs.text);
	for (size_t i = 0; i < r->n_keys; i++)
		fref_release(&r->keys[i]);
	hash_release(&r->set);
}

void rules_free(struct rules *rs)
{
	if (!rs)
		return;
	for (size_t i = 0; i < rs->n; i++)
		rule_release(&rs->r[i]);
	free(rs->r);
	free(rs->path);
	buf_release(&rs->key);
	buf_release(&rs->tmp);
	hashstore_free(rs->store);
	free(rs);
}

void rules_set_memory(struct rules *rs, size_t memory)
{
	rs->memory = memory;
}

int rules_status(const struct rules *rs, struct mbr_err *err)
{
	if (rs->store_err.status == MBR_OK)
		return 0;
	*err = rs->store_err;
	return -1;
}

size_t rules_count(const struct rules *rs)
{
	return rs->n;
}

const struct rule_info *rules_info(const struct rules *rs, size_t i)
{
	return &rs->r[i].info;
}

static int fref_bind(const struct rules *rs, struct fref *f,
		     const struct header *h, struct mbr_err *err)
{
	int c;

	if (!f->name)
		return 0;
	c = canon_lookup(sv(f->name));
	f->col = header_find(h, f->name);
	if (f->col < 0 && c >= 0)
		f->col = h->canon[c]; /* "Mobile" for mobile, or -1 */
	if (f->col >= 0 || c >= 0)
		return 0;
	return mbr_fail(err, MBR_ECONFIG,
			"%s:%u: unknown field '%s' (not a "
			"column of the input nor a canonical column)",
			rs->path, f->line, f->name);
}

static int rule_bind(const struct rules *rs, struct rule *r,
		     const struct header *h, struct mbr_err *err)
{
	if (fref_bind(rs, &r->field, h, err) < 0 ||
	    fref_bind(rs, &r->when_field, h, err) < 0 ||
	    fref_bind(rs, &r->lhs.f, h, err) < 0 ||
	    fref_bind(rs, &r->rhs.f, h, err) < 0)
		return -1;
	for (size_t i = 0; i < r->n_keys; i++)
		if (fref_bind(rs, &r->keys[i], h, err) < 0)
			return -1;
	hash_release(&r->set);
	r->has_pending = false;
	r->stored = false;
	return 0;
}

int rules_bind(struct rules *rs, const struct header *h, struct mbr_err *err)
{
	hashstore_free(rs->store);
	rs->store = NULL;
	rs->store_err = (struct mbr_err)MBR_ERR_INIT;
	for (size_t i = 0; i < rs->n; i++)
		if (rule_bind(rs, &rs->r[i], h, err) < 0)
			return -1;
	return 0;
}

/*
 * The built-in rules: the canonical forms of docs/fields.md. mappings/rules.ini is
 * this text with comments; test_rules checks that they agree.
 */
static const char default_text[] =
	"[rule source_id_required]\n"
	"field    = source_id\n"
	"required = yes\n"
	"severity = reject\n"
	"\n"
	"[rule source_id_unique]\n"
	"unique   = source, source_id\n"
	"severity = reject\n"
	"message  = duplicate source_id within its source\n"
	"\n"
	"[rule mobile_e164]\n"
	"field    = mobile\n"
	"check    = mobile\n"
	"severity = flag\n"
	"\n"
	"[rule phone_e164]\n"
	"field    = phone\n"
	"check    = e164\n"
	"severity = flag\n"
	"\n"
	"[rule email_shape]\n"
	"field    = email\n"
	"check    = email\n"
	"severity = flag\n"
	"\n"
	"[rule id_number_valid]\n"
	"field    = id_number\n"
	"check    = cn_id\n"
	"when     = id_type in (CN_RIC, \"\")\n"
	"severity = flag\n"
	"\n"
	"[rule birth_date_real]\n"
	"field    = birth_date\n"
	"check    = date\n"
	"severity = reject\n"
	"\n"
	"[rule birth_date_range]\n"
	"field    = birth_date\n"
	"range    = 1900-01-01 .. today\n"
	"severity = flag\n"
	"\n"
	"[rule birth_date_matches_id]\n"
	"compare  = birth_date == id_number.birth_date\n"
	"when     = id_type in (CN_RIC, \"\")\n"
	"severity = flag\n"
	"\n"
	"[rule registered_at_real]\n"
	"field    = registered_at\n"
	"check    = timestamp\n"
	"severity = reject\n"
	"\n"
	"[rule last_active_at_real]\n"
	"field    = last_active_at\n"
	"check    = timestamp\n"
	"severity = reject\n"
	"\n"
	"[rule registered_after_birth]\n"
	"compare  = registered_at >= birth_date\n"
	"severity = flag\n"
	"\n"
	"[rule points_integer]\n"
	"field    = points\n"
	"check    = integer\n"
	"severity = reject\n"
	"\n"
	"[rule points_not_negative]\n"
	"field    = points\n"
	"range    = 0 ..\n"
	"severity = flag\n"
	"\n"
	"[rule tier_integer]\n"
	"field    = tier\n"
	"check    = integer\n"
	"severity = reject\n"
	"\n"
	"[rule gender_code]\n"
	"field    = gender\n"
	"enum     = M, F\n"
	"severity = flag\n"
	"\n"
	"[rule consent_code]\n"
	"field    = consent_marketing\n"
	"enum     = Y, N\n"
	"severity = flag\n";

const char *rules_default_text(void)
{
	return default_text;
}

struct rules *rules_default(struct mbr_err *err)
{
	struct rules *rs = rules_parse("<built-in rules>", default_text,
				       sizeof(default_text) - 1, err);

	if (!rs)
		err->status = MBR_EINTERNAL;
	return rs;
}
