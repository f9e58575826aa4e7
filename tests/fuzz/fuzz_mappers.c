/*
 * fuzz_mappers: every value mapper of lib/mappers on arbitrary bytes.
 *
 * The value is the input up to its first NUL (all of it when it has
 * none); what follows the NUL is a second value, used as the province
 * and city fields of address_resolve. date_parse_format takes the
 * value's first line as its format and the rest as the value.
 *
 * Each mapper's promises: on OK the output is valid UTF-8 of the mapper's
 * shape (phone +[0-9]{6,15}; ID number [0-9]{17}[0-9X] and cnid_is_valid;
 * dates YYYY-MM-DD that date_is_valid_iso accepts; e-mail
 * email_is_valid; gender M, F or empty; consent Y or N; ...) and the
 * same when normalised again; on anything else the output buffer is
 * exactly as it was. The data files (divisions, surnames, mobile
 * prefixes) are the repository's data/, through MBR_DATADIR.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "mappers/address.h"
#include "mappers/cnid.h"
#include "mappers/date.h"
#include "mappers/division.h"
#include "mappers/email.h"
#include "mappers/gender.h"
#include "mappers/name.h"
#include "mappers/phone.h"
#include "mappers/text.h"
#include "mappers/value.h"
#include "utf8.h"

#include "fuzz_datadir.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                          \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "fuzz_mappers: %s:%d: %s\n",         \
				__FILE__, __LINE__, #cond);                  \
			abort();                                             \
		}                                                            \
	} while (0)

/* What every out buffer holds before a call: a failing call keeps it. */
#define PREFIX "<kept>"

static struct buf out, again;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct mbr_err err = MBR_ERR_INIT;

	(void)argc;
	(void)argv;
	fuzz_set_datadir(__FILE__);
	setenv("MBR_TODAY", "2024-06-30", 1);
	CHECK(division_open(&err) == 0);
	CHECK(phone_open(&err) == 0);
	CHECK(name_open(&err) == 0);
	CHECK(text_open(&err) == 0);
	buf_init(&out, BUF_NOLIMIT);
	buf_init(&again, BUF_NOLIMIT);
	return 0;
}

static void start(struct buf *b)
{
	buf_reset(b);
	CHECK(buf_add(b, PREFIX, sizeof(PREFIX) - 1) == 0);
}

/* The output after PREFIX, checked to be valid UTF-8; or, when the call
 * failed, check that the buffer is as start() left it. */
static struct strview result(const struct buf *b, int ok)
{
	struct strview v;

	CHECK(b->len >= sizeof(PREFIX) - 1);
	CHECK(!memcmp(b->p, PREFIX, sizeof(PREFIX) - 1));
	CHECK(b->p[b->len] == '\0');
	v = svn(b->p + sizeof(PREFIX) - 1, b->len - (sizeof(PREFIX) - 1));
	if (!ok)
		CHECK(v.len == 0);
	CHECK(utf8_is_valid(v));
	return v;
}

static bool all_digits(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] < '0' || p[i] > '9')
			return false;
	return true;
}

static void check_phone(struct strview in)
{
	struct strview v;
	int ok;

	start(&out);
	ok = phone_normalize(in, NULL, &out) == PHONE_OK;
	v = result(&out, ok);
	if (!ok)
		return;
	CHECK(v.len >= 7 && v.len <= 16 && v.p[0] == '+');
	CHECK(all_digits(v.p + 1, v.len - 1));
	start(&again);
	CHECK(phone_normalize(v, NULL, &again) == PHONE_OK);
	CHECK(sv_eq(result(&again, 1), v));
}

static void check_email(struct strview in)
{
	struct strview v;
	int ok;

	start(&out);
	ok = email_normalize(in, &out) == EMAIL_OK;
	v = result(&out, ok);
	if (!ok)
		return;
	CHECK(email_is_valid(v));
	start(&again);
	CHECK(email_normalize(v, &again) == EMAIL_OK);
	CHECK(sv_eq(result(&again, 1), v));
}

static void check_cnid(struct strview in)
{
	struct strview v;
	int ok;

	start(&out);
	ok = cnid_normalize(in, &out) == CNID_OK;
	v = result(&out, ok);
	if (!ok)
		return;
	CHECK(v.len == 18 && all_digits(v.p, 17));
	CHECK(all_digits(v.p + 17, 1) || v.p[17] == 'X');
	CHECK(cnid_is_valid(v));
	CHECK(cnid_gender(v) == 'M' || cnid_gender(v) == 'F');
}

static void check_dates(struct strview in)
{
	static const enum date_order orders[] = {
		DATE_ORDER_NONE, DATE_ORDER_DMY, DATE_ORDER_MDY
	};
	struct strview v;
	int ok;

	for (size_t i = 0; i < 3; i++) {
		start(&out);
		ok = date_normalize(in, orders[i], &out) == DATE_OK;
		v = result(&out, ok);
		if (ok)
			CHECK(v.len == 10 && date_is_valid_iso(v));
		start(&out);
		ok = timestamp_normalize(in, orders[i], &out) == DATE_OK;
		v = result(&out, ok);
		if (ok)
			CHECK(v.len >= 10 &&
			      date_is_valid_iso(svn(v.p, 10)));
	}
}

static void check_date_format(struct strview in)
{
	const char *nl = memchr(in.p, '\n', in.len);
	size_t n = nl ? (size_t)(nl - in.p) : in.len;
	char *fmt = malloc(n + 1);
	struct strview v;
	int ok;

	CHECK(fmt);
	memcpy(fmt, in.p, n);
	fmt[n] = '\0';
	in = nl ? svn(nl + 1, in.len - n - 1) : svn(in.p + n, 0);
	start(&out);
	ok = date_parse_format(in, fmt, &out) == DATE_OK;
	v = result(&out, ok);
	if (ok)
		CHECK((v.len == 10 || v.len == 19) &&
		      date_is_valid_iso(svn(v.p, 10)));
	free(fmt);
}

static void check_words(struct strview in)
{
	struct strview v;
	int ok;

	start(&out);
	ok = gender_normalize(in, &out) == GENDER_OK;
	v = result(&out, ok);
	if (ok)
		CHECK(v.len == 0 || sv_eqs(v, "M") || sv_eqs(v, "F"));
	start(&out);
	ok = value_consent(in, &out) == VALUE_OK;
	v = result(&out, ok);
	if (ok)
		CHECK(sv_eqs(v, "Y") || sv_eqs(v, "N"));
	start(&out);
	ok = value_status(in, &out) == VALUE_OK;
	v = result(&out, ok);
	if (ok)
		CHECK(sv_eqs(v, "active") || sv_eqs(v, "inactive") ||
		      sv_eqs(v, "frozen") || sv_eqs(v, "closed"));
}

static void check_int(struct strview in)
{
	struct strview v;
	size_t neg;
	int ok;

	start(&out);
	ok = value_int(in, &out) == VALUE_OK;
	v = result(&out, ok);
	if (!ok)
		return;
	neg = v.len && v.p[0] == '-';
	CHECK(v.len > neg && all_digits(v.p + neg, v.len - neg));
	CHECK(v.p[neg] != '0' || v.len == 1);
	start(&again);
	CHECK(value_int(v, &again) == VALUE_OK);
	CHECK(sv_eq(result(&again, 1), v));
}

static void check_name(struct strview in)
{
	struct buf family, given;
	struct strview v;
	int ok;

	start(&out);
	ok = name_normalize(in, &out) == NAME_OK;
	v = result(&out, ok);
	if (!ok)
		return;
	CHECK(v.len > 0 && v.len <= NAME_MAX_BYTES * 4);
	buf_init(&family, BUF_NOLIMIT);
	buf_init(&given, BUF_NOLIMIT);
	start(&family);
	start(&given);
	ok = name_split(v, &family, &given);
	result(&family, ok);
	result(&given, ok);
	buf_release(&family);
	buf_release(&given);
}

static void check_address(struct strview in, struct strview second)
{
	struct address_divisions d = { 0 };
	int ok;

	start(&out);
	ok = address_normalize(in, &out) == ADDRESS_OK;
	result(&out, ok);
	d.province = second;
	d.city = second;
	address_resolve(in, &d);
	CHECK(utf8_is_valid(d.new_province) && utf8_is_valid(d.new_city) &&
	      utf8_is_valid(d.new_district));
	memset(&d, 0, sizeof(d));
	address_resolve(in, &d);
	CHECK(utf8_is_valid(d.new_province) && utf8_is_valid(d.new_city) &&
	      utf8_is_valid(d.new_district));
}

static void check_text(struct strview in)
{
	struct mbr_err err = MBR_ERR_INIT;
	int ok;

	start(&out);
	ok = text_nfkc(in, &out) == 0;
	result(&out, ok);
	CHECK(ok == utf8_is_valid(in));
	start(&out);
	ok = text_t2s(in, &out, &err) == 0;
	result(&out, ok);
	if (ok)
		CHECK(utf8_is_valid(in));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	const char *nul = memchr(p, '\0', size);
	size_t n = nul ? (size_t)(nul - p) : size;
	struct strview in = svn(p, n);
	struct strview second = nul ? svn(nul + 1, size - n - 1) : svn(p, 0);

	check_phone(in);
	check_email(in);
	check_cnid(in);
	check_dates(in);
	check_date_format(in);
	check_words(in);
	check_int(in);
	check_name(in);
	check_address(in, second);
	check_text(in);
	return 0;
}
