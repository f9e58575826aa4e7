/*
 * fuzz_survive: survivorship rules files (survive_rules_parse) on
 * arbitrary text.
 *
 * A file that does not parse must say why with "fuzz.ini:LINE: "
 * (MBR_ECONFIG) and leave the rules as they were (the defaults: every
 * rule's text is survive_default_rule's). One that parses gives every
 * field from SURVIVE_FIRST a rule with a canonical text, at most
 * SURVIVE_MAX_BY most_recent fields, and, applied to a small cluster,
 * a golden record whose non-empty values come from a member (or are a
 * sum) and whose empty values mean every member's was empty.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "survive.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                          \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "fuzz_survive: %s:%d: %s\n",         \
				__FILE__, __LINE__, #cond);                  \
			abort();                                             \
		}                                                            \
	} while (0)

#define N_MEMBERS 3

/* Values by canonical column, CF_SOURCE first; NULL ends a row. */
static const char *const rows[N_MEMBERS][CF_COUNT + 1] = {
	{ "crm", "1001", "2", "张伟", "张", "伟", "M", "1985-03-07",
	  "+8613812345678", "", "zw@qq.com", "CN_RIC", "11010519491231002X",
	  "CN", "北京市", "北京市", "朝阳区", "北京市朝阳区建国路1号", "100020",
	  "3", "1200", "2020-01-02T03:04:05+08:00", "2024-01-01", "S01",
	  "app", "Y", "active", NULL },
	{ "pos", "7", "3", "張偉", "", "", "", "1985-07-03", "", "010",
	  "", "", "", "", "", "", "", "", "", "10", "-5",
	  "2020-01-02T03:04:05Z", "", "S02", "", "N", "frozen", NULL },
	{ "web", "", "", "Zhang Wei", "", "", "F", "", "+8613812345678",
	  "", "ZW@qq.com", "", "", "", "", "", "", "x", "", "2", "0",
	  "2019-12-31", "2024-01-01T00:00", "", "web", "", "", NULL },
};

static void fill(struct survive_member *m)
{
	for (int i = 0; i < N_MEMBERS; i++) {
		const char *const *v = rows[i];

		for (int f = 0; f < CF_COUNT; f++)
			m[i].f[f] = sv(*v ? *v++ : "");
	}
}

static void check_rules(const struct survive_rules *r)
{
	for (int f = SURVIVE_FIRST; f < CF_COUNT; f++) {
		const struct survive_rule *u = &r->rule[f];

		CHECK(u->text && u->text[0]);
		CHECK(u->kind <= SURVIVE_SUM);
		CHECK(u->n_by <= SURVIVE_MAX_BY);
		CHECK(u->kind != SURVIVE_MOST_RECENT || u->n_by > 0);
		for (size_t i = 0; i < u->n_sources; i++)
			CHECK(u->sources[i] != NULL);
	}
}

static void check_golden(const struct survive_rules *r,
			 const struct survive_member *m,
			 const struct survive_golden *g)
{
	for (int f = SURVIVE_FIRST; f < CF_COUNT; f++) {
		bool any = false;

		for (int i = 0; i < N_MEMBERS; i++)
			any = any || m[i].f[f].len;
		CHECK(any == (g->value[f].len > 0));
		CHECK(g->from[f] >= -1 && g->from[f] < N_MEMBERS);
		/* A sum of one value names its record, written as a number
		 * ("+5", "0042" give "5", "42"). */
		if (g->from[f] >= 0 && r->rule[f].kind != SURVIVE_SUM)
			CHECK(sv_eq(g->value[f], m[g->from[f]].f[f]));
	}
}

static void apply(const struct survive_rules *r)
{
	struct survive_member m[N_MEMBERS];
	struct mbr_err err = MBR_ERR_INIT;
	struct survive_golden g;
	int ok = 1;

	fill(m);
	for (int i = 0; i < N_MEMBERS; i++) {
		const char *why = NULL;
		int bad = survive_check(r, &m[i], &why);

		CHECK(bad == -1 || (bad >= SURVIVE_FIRST && bad < CF_COUNT));
		CHECK(bad == -1 || why != NULL);
		ok = ok && bad < 0;
	}
	survive_golden_init(&g);
	for (size_t n = 1; n <= N_MEMBERS; n++) {
		if (survive_apply(r, m, n, &g, &err) == 0) {
			if (n == N_MEMBERS)
				check_golden(r, m, &g);
		} else {
			CHECK(!ok || err.status == MBR_EINTERNAL);
		}
	}
	survive_golden_release(&g);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mbr_err err = MBR_ERR_INIT;
	struct survive_rules r;

	survive_rules_init(&r);
	if (survive_rules_parse(&r, "fuzz.ini", (const char *)data, size,
				&err) < 0) {
		CHECK(err.status == MBR_ECONFIG);
		CHECK(!strncmp(err.msg, "fuzz.ini:", 9));
		for (int f = SURVIVE_FIRST; f < CF_COUNT; f++)
			CHECK(!strcmp(r.rule[f].text,
				      survive_default_rule((enum canon_field)f)));
	} else {
		check_rules(&r);
		apply(&r);
	}
	survive_rules_release(&r);
	return 0;
}
