/*
 * address: addresses, their province, city and district, postal codes and
 * countries.
 *
 * An address line is cleaned like any text (NFKC, single spaces, no spaces
 * between CJK characters), never reworded. The division fields take the
 * full official names of GB/T 2260 (mappers/division.h): a value written
 * short or full (北京 / 北京市, 广西 / 广西壮族自治区), or under an old
 * name (襄樊市), becomes today's full name (北京市, 广西壮族自治区, 襄阳市).
 *
 * Empty division fields are filled from a one-line Chinese address that
 * starts with its divisions ("广东省深圳市南山区科技园", "广东深圳南山区",
 * "深圳市南山区", "北京市朝阳区", "中国上海市浦东新区"):
 *
 *   - a province, then a city within it, then a district within that;
 *     a city without its province gives the province too;
 *   - municipalities (北京 天津 上海 重庆) have no city level: the city is
 *     the municipality itself (北京市朝阳区 -> 北京市, 北京市, 朝阳区),
 *     also when only the province field names it;
 *   - a county-level city straight under its province (湖北省仙桃市) is
 *     the city, with no district;
 *   - a district is only taken by its full name: short district names
 *     (朝阳, 南山) start too many street names (朝阳门外大街);
 *   - a province or city short name followed by a street word (北京路,
 *     山东东路, 上海大厦) is a street, not a division;
 *   - nothing is filled when the address disagrees with a division field
 *     already there;
 *   - a short province name that starts a longer name is not believed
 *     when reading the text as a city gives a longer chain (海南藏族自治州
 *     is in Qinghai, 吉林市 is a city);
 *   - the 市 after a city may start its district: 济南市中区 is 济南市 +
 *     市中区, 青岛市南区 is 青岛市 + 市南区;
 *   - functional areas (苏州工业园区, 成都高新区, 郑州郑东新区, 天津经开区,
 *     and named ones such as 雄安新区) give their city (and province);
 *     they are no GB/T 2260 division, so the district stays empty.
 *
 * Division fields written in pinyin or English ("Guangdong", "Shenzhen
 * City", "Xi'an", "Inner Mongolia") are read by the Latin keys of the
 * division names (division_latin_codes()) and take the Han name; a name
 * two divisions share at that level (Taizhou: 泰州 or 台州) is not guessed
 * unless the field above settles it. A field value that is no division,
 * Han or Latin, is flagged (ADDRESS_UNKNOWN).
 */
#ifndef MBR_MAPPERS_ADDRESS_H
#define MBR_MAPPERS_ADDRESS_H

#include <stdbool.h>

#include "buf.h"
#include "err.h"

/* An address longer than this (bytes) is not an address. */
#define ADDRESS_MAX_BYTES 1000

enum address_result {
	ADDRESS_OK,
	ADDRESS_EMPTY,
	ADDRESS_INVALID_UTF8,
	ADDRESS_TOO_LONG,   /* past ADDRESS_MAX_BYTES */
	ADDRESS_UNKNOWN,    /* not a division (of its province or city) */
	ADDRESS_BAD_POSTAL, /* a Chinese postal code is 6 digits */
};

/* Append the cleaned address line. out is untouched unless ADDRESS_OK. */
enum address_result address_normalize(struct strview in, struct buf *out);

/* The division fields of one record, as found and as they should be. */
struct address_divisions {
	struct strview province, city, district; /* in: the fields */
	/* out: the full name each field should take (a table string), or
	 * an empty view to leave the field as it is. */
	struct strview new_province, new_city, new_district;
	/* out: ADDRESS_OK, or ADDRESS_UNKNOWN for a field whose value is
	 * no division (a city not in its province, a typo). */
	enum address_result province_res, city_res, district_res;
};

/* Canonicalise the division fields of d and fill the empty ones from the
 * address line (cleaned or not), as the top of this file says. Loads the
 * division table on first use; without it nothing changes and every
 * result is ADDRESS_OK (division_open() says why). Cannot fail. */
void address_resolve(struct strview address, struct address_divisions *d);

/* Append a postal code: full-width digits folded, spaces and dashes
 * removed for China ("100 020" -> "100020"), which must give 6 digits;
 * elsewhere only cleaned and upper-cased. out is untouched unless
 * ADDRESS_OK. */
enum address_result address_postal_normalize(struct strview in, bool is_cn,
					     struct buf *out);

/* The ISO 3166 alpha-2 code of a country written as a code (cn, CHN) or
 * a name in English or Chinese (China, 中国, 中华人民共和国, Hong Kong, 香港,
 * ...), NUL-terminated in code. Returns false (code "") when it is none we
 * know. */
bool address_country(struct strview in, char code[3]);
/* Is the record's country China: country (cleaned or not) is CN by
 * address_country, or empty and default_cc is "CN" or NULL? */
bool address_is_cn(struct strview country, const char *default_cc);

/* Free this thread's scratch memory (for leak checkers). Cannot fail. */
void address_close(void);

/* "ok", "empty", "invalid UTF-8", "too long", "not a division",
 * "expected 6 digits". Cannot fail. */
const char *address_result_str(enum address_result r);

#endif
