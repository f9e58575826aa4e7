/*
 * fuzz_rules: rules files (rules_parse) on arbitrary text.
 *
 * A file that does not parse must say why with "fuzz.ini:LINE: "
 * (MBR_ECONFIG). One that parses has rules whose info is complete (name,
 * field, test, a severity); it is bound to the canonical header (a field
 * the header lacks fails with MBR_ECONFIG) and then checks a few records,
 * ugly ones included, twice (records that pass are kept, so `unique`
 * sees repeats): a failure names a rule below rules_count with a field
 * and a reason, and no rule fails more records than it checked.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canon.h"
#include "record.h"
#include "rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                          \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "fuzz_rules: %s:%d: %s\n", __FILE__, \
				__LINE__, #cond);                            \
			abort();                                             \
		}                                                            \
	} while (0)

/* Values by canonical column, CF_SOURCE first; NULL ends a row (the rest
 * is empty). */
static const char *const rows[][CF_COUNT + 1] = {
	{ "crm", "1001", "2", "张伟", "张", "伟", "M", "1985-03-07",
	  "+8613812345678", "+861012345678", "zw@qq.com", "CN_RIC",
	  "11010519491231002X", "CN", "北京市", "北京市", "朝阳区",
	  "北京市朝阳区建国路1号", "100020", "3", "1200",
	  "2020-01-02T03:04:05+08:00", "2024-01-01", "S01", "app", "Y",
	  "active", NULL },
	{ "crm", "1001", "3", "", NULL },
	{ "pos", "", "", "\xff\xfe", "", "", "X", "1985-02-30", "138",
	  "", "@@", "PASSPORT", "E12345678", "", "", "", "", "", "",
	  "-1", "1e3", "today", "1899-12-31", "", "", "maybe", "?", NULL },
	{ "", "", "", "", "", "", "", "9999-99-99", "", "", "", "", "",
	  "", "", "", "", "", "", "99999999999999999999", "-0", "2030-01-01",
	  "0000-00-00T25:61", "", "", "", "", NULL },
};

#define N_ROWS (sizeof(rows) / sizeof(rows[0]))

static void check_info(const struct rules *r)
{
	size_t n = rules_count(r);

	for (size_t i = 0; i < n; i++) {
		const struct rule_info *in = rules_info(r, i);

		CHECK(in && in->name && in->field && in->test);
		CHECK(in->severity == RULE_REJECT || in->severity == RULE_FLAG);
		CHECK(in->n_failed <= in->n_checked);
		CHECK(in->n_checked <= 2 * N_ROWS);
	}
}

static void fill(struct record *rec, const char *const *v)
{
	record_reset(rec);
	for (size_t i = 0; i < CF_COUNT; i++) {
		const char *s = *v ? *v++ : "";

		CHECK(record_add(rec, s, strlen(s)) == 0);
	}
}

static void check_records(struct rules *r)
{
	size_t n = rules_count(r);
	struct rule_failure *f = calloc(n + 1, sizeof(*f));
	struct record rec;

	CHECK(f);
	record_init(&rec);
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < N_ROWS; i++) {
			size_t k;

			fill(&rec, rows[i]);
			k = rules_check(r, &rec, f);
			CHECK(k <= n);
			for (size_t j = 0; j < k; j++) {
				CHECK(f[j].rule < n);
				CHECK(f[j].field && f[j].reason);
			}
			if (k == 0)
				rules_keep(r);
		}
	}
	check_info(r);
	record_release(&rec);
	free(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mbr_err err = MBR_ERR_INIT;
	struct rules *r;
	struct header h;

	r = rules_parse("fuzz.ini", (const char *)data, size, &err);
	if (!r) {
		CHECK(err.status == MBR_ECONFIG);
		CHECK(!strncmp(err.msg, "fuzz.ini:", 9));
		return 0;
	}
	check_info(r);
	header_init(&h);
	for (int i = 0; i < CF_COUNT; i++)
		header_add(&h, canon_name((enum canon_field)i));
	if (rules_bind(r, &h, &err) == 0)
		check_records(r);
	else
		CHECK(err.status == MBR_ECONFIG && err.msg[0]);
	header_release(&h);
	rules_free(r);
	return 0;
}
