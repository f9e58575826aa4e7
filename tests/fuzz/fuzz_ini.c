/*
 * fuzz_ini: the INI reader and the value splitters on arbitrary bytes.
 *
 * ini_parse must either fail with "NAME:LINE: ..." (MBR_ECONFIG) or give
 * entries whose lines increase, whose keys are non-empty and whose keys
 * and values are valid UTF-8. Every value then goes through ini_split
 * (on '|' and ','), ini_parse_call and ini_unquote, whose parts must lie
 * inside the value.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ini.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                          \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "fuzz_ini: %s:%d: %s\n", __FILE__,   \
				__LINE__, #cond);                            \
			abort();                                             \
		}                                                            \
	} while (0)

static void check_inside(struct strview part, struct strview whole)
{
	CHECK(part.len == 0 ||
	      (part.p >= whole.p && part.p + part.len <= whole.p + whole.len));
}

static void check_value(struct strview v)
{
	struct strview parts[INI_MAX_ARGS];
	struct mbr_err err = MBR_ERR_INIT;
	struct ini_call call;
	struct buf out;
	int n;

	for (int s = 0; s < 2; s++) {
		n = ini_split(v, s ? ',' : '|', parts, INI_MAX_ARGS, &err);
		CHECK(n >= -1 && n <= INI_MAX_ARGS);
		if (n < 0)
			CHECK(err.status == MBR_ECONFIG && err.msg[0]);
		for (int i = 0; i < n; i++)
			check_inside(parts[i], v);
	}
	if (ini_parse_call(v, &call, &err) == 0) {
		check_inside(call.name, v);
		CHECK(call.n_args <= INI_MAX_ARGS);
		for (size_t i = 0; i < call.n_args; i++)
			check_inside(call.args[i], v);
	} else {
		CHECK(err.status == MBR_ECONFIG && err.msg[0]);
	}
	buf_init(&out, BUF_NOLIMIT);
	CHECK(ini_unquote(v, &out) == 0);
	CHECK(out.len <= v.len);
	buf_release(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mbr_err err = MBR_ERR_INIT;
	struct ini ini;
	unsigned last = 0;

	if (ini_parse(&ini, "fuzz.ini", (const char *)data, size, &err) < 0) {
		CHECK(err.status == MBR_ECONFIG);
		CHECK(!strncmp(err.msg, "fuzz.ini:", 9));
		ini_release(&ini);
		return 0;
	}
	for (size_t i = 0; i < ini.n; i++) {
		const struct ini_entry *e = &ini.e[i];

		CHECK(e->line > last);
		last = e->line;
		CHECK(e->key[0] != '\0');
		CHECK(utf8_is_valid(sv(e->key)) && utf8_is_valid(sv(e->value)));
		CHECK(!strchr(e->key, '='));
		CHECK(ini_get(&ini, e->section, e->key) != NULL);
		check_value(sv(e->value));
	}
	if (ini.n)
		ini_fail(&ini, ini.e[0].line, &err, "%s", ini.e[0].value);
	ini_release(&ini);
	return 0;
}
