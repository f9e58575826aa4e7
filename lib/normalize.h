/*
 * normalize: canonical records into canonical form (mbr-normalize).
 *
 * Each canonical column goes through its mapper (lib/mappers/): name
 * fields (name.h), gender (gender.h), birth_date (date.h), mobile and
 * phone (phone.h, E.164; a number without country code takes the record's
 * country, else --country), email (email.h), id_number (cnid.h), country
 * (ISO alpha-2 when recognised), province, city, district, address and
 * postal_code (address.h), tier and points (integers), consent_marketing
 * (Y/N) and status (value.h), registered_at and last_active_at (ISO 8601
 * timestamps). source, source_id, source_row, store, channel and every
 * column that is not canonical pass through untouched and in place.
 *
 * Promises:
 *   - records in = records out (+ rejected, for rows the reader could not
 *     parse); nothing is dropped or invented;
 *   - a value that cannot be normalised is left exactly as it was, and
 *     the field is named in _issues ("mobile:too short;email:no @"),
 *     appended to an existing _issues column (an entry already there is
 *     not repeated) or a new one added at the end;
 *   - a column is only ever written when its field is selected (--fields);
 *     with no field selected a record passes through byte for byte, and no
 *     _issues column is added.
 *
 * Filled when empty (and selected): family_name and given_name from name
 * (name_split), name from them (name_compose); province, city, district
 * from the address line (address.h); id_type CN_RIC for a valid mainland
 * ID, and, unless derive is off, birth_date and gender from that ID. When
 * birth_date or gender is there and disagrees with the ID, both are
 * flagged ("birth_date:differs from id_number").
 *
 * id_number is read as a mainland resident ID when id_type is empty or
 * names one (CN_RIC, 身份证, ID, 1, ...: cnid_type_of()); a valid ID
 * makes id_type CN_RIC. With an empty id_type a value of another kind of
 * document (a letter first) is left alone and not flagged; under a type
 * that names another document nothing is checked; under a type we do not
 * know an ID-shaped number flags id_type. An ID whose area code no GB/T
 * 2260 table has is kept, flagged "area unknown", and nothing is derived
 * from it.
 */
#ifndef MBR_NORMALIZE_H
#define MBR_NORMALIZE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "buf.h"
#include "err.h"
#include "mappers/date.h"
#include "record.h"
#include "recstream.h"

/* Bit (1 << CF_x) for each canonical field to normalise. */
#define NORMALIZE_ALL ((uint32_t)((1u << CF_COUNT) - 1))

struct normalize_opts {
	uint32_t fields; /* which fields: NORMALIZE_ALL, or a --fields list */
	bool derive;	 /* birth_date and gender from id_number */
	enum date_order date_order; /* D/M/Y or M/D/Y for ambiguous dates */
	const char *country;	    /* alpha-2 code of records without one */
	bool memo; /* keep the answers of the mappers that see a value again
		      (names, gender, postal code, tier, consent, status) in
		      a memo of fixed size; the output is the same without */
};

#define NORMALIZE_OPTS_INIT                                      \
	{                                                        \
		NORMALIZE_ALL, true, DATE_ORDER_NONE, "CN", true \
	}

/* Parse a --fields list: canonical names separated by commas, "all" or
 * "none". -1 with err (MBR_ECONFIG) naming an unknown field. */
int normalize_parse_fields(const char *list, uint32_t *fields,
			   struct mbr_err *err);

struct normalize; /* opaque: the options and per-record scratch memory */

/* Load what the selected fields need (surnames, divisions, mobile
 * prefixes, OpenCC), so that a missing data file stops the run before the
 * first record. NULL with err (MBR_ECONFIG or MBR_EIO). opts is copied. */
struct normalize *normalize_new(const struct normalize_opts *opts,
				struct mbr_err *err);
void normalize_free(struct normalize *n); /* NULL is fine */

/* Normalise rec, whose columns h names, in place. Appends the record's
 * new issues to issues as "field:problem" entries joined by ';' (after a
 * ';' when issues is not empty). Returns the number of new issues, or -1
 * when a field would pass RECORD_MAX_BYTES (rec is then unchanged). The
 * record's _issues column, if any, is not touched here: see
 * normalize_merge_issues. */
int normalize_record(struct normalize *n, const struct header *h,
		     struct record *rec, struct buf *issues);
/* Append to out the _issues value old (may be empty) with each entry of
 * more (';'-separated) added unless old already has it. -1 when out is
 * full. */
int normalize_merge_issues(struct strview old, struct strview more,
			   struct buf *out);

/* The record handler of mbr-normalize (recstream.h), the same for a stream
 * and the staging database: each record normalised in place, its
 * _issues merged; a record that would grow past RECORD_MAX_BYTES is
 * rejected. n stays the caller's. */
void normalize_handler(struct normalize *n, struct rs_handler *h);

#endif
