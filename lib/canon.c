/*
 * canon: canonical column names.
 */
#include "canon.h"

#include <string.h>
#include <strings.h>

static const char *const names[CF_COUNT] = {
	"source",	  "source_id",
	"source_row",	  "name",
	"family_name",	  "given_name",
	"gender",	  "birth_date",
	"mobile",	  "phone",
	"email",	  "id_type",
	"id_number",	  "country",
	"province",	  "city",
	"district",	  "address",
	"postal_code",	  "tier",
	"points",	  "registered_at",
	"last_active_at", "store",
	"channel",	  "consent_marketing",
	"status",
};

const char *canon_name(enum canon_field f)
{
	return (unsigned)f < CF_COUNT ? names[f] : "";
}

int canon_lookup(struct strview v)
{
	for (int i = 0; i < CF_COUNT; i++)
		if (sv_eqs(v, names[i]))
			return i;
	return -1;
}

int canon_lookup_fold(struct strview v)
{
	for (int i = 0; i < CF_COUNT; i++)
		if (v.len == strlen(names[i]) &&
		    !strncasecmp(v.p, names[i], v.len))
			return i;
	return -1;
}
