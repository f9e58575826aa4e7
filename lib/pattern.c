/*
 * pattern: PCRE2 (8-bit, UTF) compiled once with JIT; match data kept with
 * the pattern and reused for every subject.
 */
#include "pattern.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <stdlib.h>

/* JIT stack: PCRE2 starts at 32 KB; allow up to 1 MB before a match is
 * given up as PATTERN_LIMIT (a nested pattern over a very long value). */
#define PATTERN_JIT_STACK_MIN (32 * 1024)
#define PATTERN_JIT_STACK_MAX (1024 * 1024)

/* What one value may cost. PCRE2's default match limit (10 million) lets
 * "(a+)+$" take 13 ms on 29 characters (3.7 hours per million values);
 * 100,000 caps it near 0.15 ms, while real checks (an e-mail pattern on 60
 * characters) stay under 200. The depth limit bounds the interpreter's
 * backtracking memory; JIT uses its own stack (below). */
#define PATTERN_MATCH_LIMIT 100000
#define PATTERN_DEPTH_LIMIT 10000

struct pattern {
	pcre2_code *code;	   /* owned */
	pcre2_match_data *md;	   /* owned: one pair, all for a prefix */
	pcre2_match_context *mctx; /* owned: limits (and the JIT stack) */
	pcre2_jit_stack *stack;	   /* owned, or NULL without JIT */
	bool jit;		   /* JIT compile succeeded */
};

static int compile_error(struct strview re, int code, PCRE2_SIZE off,
			 struct mbr_err *err)
{
	PCRE2_UCHAR msg[160];

	if (pcre2_get_error_message(code, msg, sizeof(msg)) < 0)
		msg[0] = '\0';
	return mbr_fail(err, MBR_ECONFIG,
			"bad pattern '%.*s': %s at offset %zu",
			(int)(re.len > 80 ? 80 : re.len), re.p, (char *)msg,
			(size_t)off);
}

/* JIT is an optimisation: a platform without it (or out of executable
 * memory) still matches, through the interpreter. */
static void setup_jit(struct pattern *p)
{
	if (pcre2_jit_compile(p->code, PCRE2_JIT_COMPLETE) != 0)
		return;
	p->stack = pcre2_jit_stack_create(PATTERN_JIT_STACK_MIN,
					  PATTERN_JIT_STACK_MAX, NULL);
	if (!p->stack)
		return;
	pcre2_jit_stack_assign(p->mctx, NULL, p->stack);
	p->jit = true;
}

struct pattern *pattern_new(struct strview re, enum pattern_flags flags,
			    struct mbr_err *err)
{
	uint32_t opts = PCRE2_UTF;
	int code;
	PCRE2_SIZE off;
	struct pattern *p;

	if (flags & PATTERN_PREFIX)
		opts |= PCRE2_ANCHORED;
	else if (!(flags & PATTERN_SEARCH))
		opts |= PCRE2_ANCHORED | PCRE2_ENDANCHORED;
	p = xcalloc(1, sizeof(*p));
	p->code = pcre2_compile((PCRE2_SPTR)re.p, re.len, opts, &code, &off,
				NULL);
	if (!p->code) {
		free(p);
		compile_error(re, code, off, err);
		return NULL;
	}
	p->md = flags & PATTERN_PREFIX
			? pcre2_match_data_create_from_pattern(p->code, NULL)
			: pcre2_match_data_create(1, NULL);
	p->mctx = pcre2_match_context_create(NULL);
	if (!p->md || !p->mctx) {
		pattern_free(p);
		mbr_fail(err, MBR_EINTERNAL, "out of memory for a pattern");
		return NULL;
	}
	pcre2_set_match_limit(p->mctx, PATTERN_MATCH_LIMIT);
	pcre2_set_depth_limit(p->mctx, PATTERN_DEPTH_LIMIT);
	if (!(flags & PATTERN_NO_JIT))
		setup_jit(p);
	return p;
}

void pattern_free(struct pattern *p)
{
	if (!p)
		return;
	pcre2_jit_stack_free(p->stack);
	pcre2_match_context_free(p->mctx);
	pcre2_match_data_free(p->md);
	pcre2_code_free(p->code);
	free(p);
}

static bool is_ascii(struct strview v)
{
	unsigned char any = 0;

	for (size_t i = 0; i < v.len; i++)
		any |= (unsigned char)v.p[i];
	return any < 0x80;
}

enum pattern_result pattern_match(struct pattern *p, struct strview v)
{
	int rc;

	/* An empty view may carry a NULL pointer; PCRE2 wants a real one. */
	if (!v.p)
		v.p = "";
	/* An ASCII subject is valid UTF-8: JIT code runs it straight,
	 * without pcre2_match's checks of the options and of the subject's
	 * UTF-8 (most subjects: digits, dates, e-mail addresses). */
	if (p->jit && is_ascii(v))
		rc = pcre2_jit_match(p->code, (PCRE2_SPTR)v.p, v.len, 0, 0,
				     p->md, p->mctx);
	else
		rc = pcre2_match(p->code, (PCRE2_SPTR)v.p, v.len, 0, 0, p->md,
				 p->mctx);
	if (rc >= 0)
		return PATTERN_MATCH;
	if (rc == PCRE2_ERROR_NOMATCH)
		return PATTERN_NOMATCH;
	if (rc <= PCRE2_ERROR_UTF8_ERR1 && rc >= PCRE2_ERROR_UTF8_ERR21)
		return PATTERN_BAD_INPUT;
	return PATTERN_LIMIT;
}

enum pattern_result pattern_prefix(struct pattern *p, struct strview v,
				   size_t *len, struct strview *groups,
				   size_t n_groups)
{
	enum pattern_result r = pattern_match(p, v);
	PCRE2_SIZE *ov;
	uint32_t pairs;

	if (r != PATTERN_MATCH)
		return r;
	ov = pcre2_get_ovector_pointer(p->md);
	pairs = pcre2_get_ovector_count(p->md);
	*len = ov[1] - ov[0];
	for (size_t i = 0; i < n_groups; i++) {
		groups[i] = svn(NULL, 0);
		if (i + 1 < pairs && ov[2 * (i + 1)] != PCRE2_UNSET)
			groups[i] = svn(v.p + ov[2 * (i + 1)],
					ov[2 * (i + 1) + 1] - ov[2 * (i + 1)]);
	}
	return r;
}

const char *pattern_result_str(enum pattern_result r)
{
	static const char *const names[] = {
		[PATTERN_NOMATCH] = "does not match",
		[PATTERN_MATCH] = "matches",
		[PATTERN_BAD_INPUT] = "not valid UTF-8",
		[PATTERN_LIMIT] = "pattern too costly for this value",
	};

	if ((size_t)r >= sizeof(names) / sizeof(names[0]))
		return "?";
	return names[r];
}
