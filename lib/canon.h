/*
 * canon: the canonical columns of the record stream (docs/fields.md), in order,
 * and where each one sits in a given header.
 */
#ifndef MBR_CANON_H
#define MBR_CANON_H

#include "buf.h"

enum canon_field {
	CF_SOURCE,
	CF_SOURCE_ID,
	CF_SOURCE_ROW,
	CF_NAME,
	CF_FAMILY_NAME,
	CF_GIVEN_NAME,
	CF_GENDER,
	CF_BIRTH_DATE,
	CF_MOBILE,
	CF_PHONE,
	CF_EMAIL,
	CF_ID_TYPE,
	CF_ID_NUMBER,
	CF_COUNTRY,
	CF_PROVINCE,
	CF_CITY,
	CF_DISTRICT,
	CF_ADDRESS,
	CF_POSTAL_CODE,
	CF_TIER,
	CF_POINTS,
	CF_REGISTERED_AT,
	CF_LAST_ACTIVE_AT,
	CF_STORE,
	CF_CHANNEL,
	CF_CONSENT_MARKETING,
	CF_STATUS,
	CF_COUNT
};

/* Columns tools add at the end of a record. */
#define COL_ISSUES "_issues"
#define COL_CLUSTER_ID "cluster_id"
#define COL_MASTER_ID "master_id"

/* "source", "source_id", ... Cannot fail for f < CF_COUNT. */
const char *canon_name(enum canon_field f);
/* The canonical field named v, or -1. */
int canon_lookup(struct strview v);
/* The same, ignoring ASCII case ("Mobile", "EMAIL"). */
int canon_lookup_fold(struct strview v);

#endif
