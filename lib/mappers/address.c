/*
 * address: address lines, GB/T 2260 division fields, postal codes and
 * country codes. The division table and its matching are division.c's;
 * this file decides which match to believe.
 */
#include "mappers/address.h"

#include <string.h>
#include <strings.h>

#include "mappers/division.h"
#include "mappers/text.h"
#include "utf8.h"

enum address_result address_normalize(struct strview in, struct buf *out)
{
	struct mbr_err err = MBR_ERR_INIT;
	struct strview v = sv_trim(in);
	size_t start = out->len;

	if (v.len == 0)
		return ADDRESS_EMPTY;
	/* Most addresses: valid and clean, checked and cleaned in one pass. */
	if (v.len <= ADDRESS_MAX_BYTES && text_plain(v, 0, out) == 0)
		return out->len == start ? ADDRESS_EMPTY : ADDRESS_OK;
	if (!utf8_is_valid(v))
		return ADDRESS_INVALID_UTF8;
	if (v.len > ADDRESS_MAX_BYTES)
		return ADDRESS_TOO_LONG;
	if (text_clean(v, 0, out, &err) < 0)
		return ADDRESS_TOO_LONG;
	if (out->len == start)
		return ADDRESS_EMPTY;
	return ADDRESS_OK;
}

/*
 * Divisions.
 */

/* 北京 天津 上海 重庆: GB/T 2260 gives them districts but no city. */
static bool is_municipality(const struct division *d)
{
	unsigned p = d->code / 10000;

	return d->level == DIVISION_PROVINCE &&
	       (p == 11 || p == 12 || p == 31 || p == 50);
}

/* A county-level division straight under its province (湖北省仙桃市). */
static bool is_province_direct(const struct division *d)
{
	return d->level == DIVISION_DISTRICT && d->parent_code % 10000 == 0 &&
	       d->parent_code / 10000 != 11 && d->parent_code / 10000 != 12 &&
	       d->parent_code / 10000 != 31 && d->parent_code / 10000 != 50;
}

/* Today's row for d's code: an old name gives the current one. */
static const struct division *current(const struct division *d)
{
	const struct division *c = d ? division_by_code(d->code) : NULL;

	return c ? c : d;
}

static const struct division *province_of(const struct division *d)
{
	return division_by_code(d->code / 10000 * 10000);
}

static struct strview advance(struct strview v, size_t n)
{
	return svn(v.p + n, v.len - n);
}

/* Words after a short place name that make it a street, a building or an
 * institution named after the place (北京路, 上海大厦, 中山大学). */
#define WORD(s)                  \
	{                        \
		s, sizeof(s) - 1 \
	}
static const struct {
	const char *w;
	size_t len;
} street_words[] = {
	WORD("路"),   WORD("街"),   WORD("道"),	    WORD("巷"),	  WORD("弄"),
	WORD("桥"),   WORD("胡同"), WORD("东路"),   WORD("西路"), WORD("南路"),
	WORD("北路"), WORD("中路"), WORD("大街"),   WORD("大道"), WORD("大厦"),
	WORD("广场"), WORD("花园"), WORD("小区"),   WORD("公寓"), WORD("酒店"),
	WORD("饭店"), WORD("宾馆"), WORD("商场"),   WORD("中心"), WORD("公园"),
	WORD("大学"), WORD("学院"), WORD("中学"),   WORD("小学"), WORD("医院"),
	WORD("机场"), WORD("车站"), WORD("火车站"),
};
#undef WORD

static bool starts_street_word(struct strview rest)
{
	for (size_t k = 0; k < sizeof(street_words) / sizeof(street_words[0]);
	     k++)
		if (rest.len >= street_words[k].len &&
		    /* each word is one Han character (3 bytes) or more:
		     * the first character tells most of them apart */
		    rest.p[0] == street_words[k].w[0] &&
		    rest.p[1] == street_words[k].w[1] &&
		    rest.p[2] == street_words[k].w[2] &&
		    !memcmp(rest.p, street_words[k].w, street_words[k].len))
			return true;
	return false;
}

/* Functional areas (industrial parks, high-tech and development zones, new
 * areas): no GB/T 2260 division, but their addresses name them right
 * after the city ("苏州工业园区", "成都高新区", "武汉东湖高新区",
 * "郑州郑东新区"). A zone is up to four Han characters of its own name
 * and one of these words. */
static const char *const zone_words[] = {
	"高新技术产业开发区",
	"经济技术开发区",
	"高新技术开发区",
	"综合保税区",
	"经济开发区",
	"工业园区",
	"高新区",
	"经开区",
	"开发区",
	"保税区",
	"自贸区",
	"新区",
};

/* Named zones that do not start with their city's name, and the city
 * (or, for one over several cities, the province) they lie in. */
static const struct {
	const char *name;
	unsigned code;
} named_zones[] = {
	{"雄安新区", 130600}, /* 保定市 */
	{"两江新区", 500000},
	{"天府新区", 510100},
	{"西咸新区", 610000},
	{"贵安新区", 520000},
	{"金普新区", 210200},
	{"西海岸新区", 370200},
	{"横琴", 440400},
	{"前海", 440300},
	{"北京经济技术开发区", 110000},
};

/* Bytes of a zone name at the start of rest: up to four Han characters
 * and a zone word; 0 when there is none. */
static size_t zone_len(struct strview rest)
{
	size_t at = 0, k;
	uint32_t cp;

	for (int han = 0; han <= 4; han++) {
		struct strview r = advance(rest, at);

		for (k = 0; k < sizeof(zone_words) / sizeof(zone_words[0]); k++)
			if (sv_starts(r, zone_words[k]))
				return at + strlen(zone_words[k]);
		if (at >= rest.len)
			break;
		k = utf8_decode(rest.p + at, rest.len - at, &cp);
		if (k == 0 || !utf8_is_han(cp))
			break;
		at += k;
	}
	return 0;
}

/* Does rest start with the full name of a division within d? */
static bool child_follows(const struct division *d, struct strview rest)
{
	const struct division *x;
	size_t n;

	x = division_match_level(rest, d->code, DIVISION_CITY, &n);
	if (x && n == x->name.len)
		return true;
	x = division_match_level(rest, d->code, DIVISION_DISTRICT, &n);
	if (x && n == x->name.len)
		return true;
	/* 苏州工业园区: a zone of the city vouches for its short name. */
	return d->level == DIVISION_CITY && zone_len(rest) > 0;
}

/* Is the match of d (n bytes of text) to be believed? Districts only by
 * their full name; short names not before a street word, and with
 * need_child only before a full division name within d. */
static bool believe(const struct division *d, struct strview text, size_t n,
		    bool need_child)
{
	struct strview rest = advance(text, n);

	if (!d)
		return false;
	if (n == d->name.len)
		return true;
	if (d->level == DIVISION_DISTRICT)
		return false;
	if (need_child || starts_street_word(rest))
		return child_follows(d, rest);
	return true;
}

struct found {
	const struct division *p, *c, *d;
};

/* "北京市北京市朝阳区", "北京北京朝阳区", "北京市市辖区朝阳区": the city
 * level repeated. */
static struct strview skip_municipality_again(const struct division *p,
					      struct strview a)
{
	if (sv_starts(a, "市辖区"))
		return advance(a, strlen("市辖区"));
	if (p->name.len <= a.len && !memcmp(a.p, p->name.p, p->name.len))
		return advance(a, p->name.len);
	if (p->short_name.len && p->short_name.len <= a.len &&
	    !memcmp(a.p, p->short_name.p, p->short_name.len))
		return advance(a, p->short_name.len);
	return a;
}

/* The district of city c after its name (n bytes of a matched). When the
 * city was matched by its full name ending in 市 and nothing follows,
 * the 市 may be the start of the district: 济南市中区 is 济南 + 市中区,
 * 青岛市南区 is 青岛 + 市南区. */
static const struct division *district_after(const struct division *c,
					     struct strview a, size_t n)
{
	const struct division *x;
	struct strview rest = advance(a, n);
	size_t m;

	x = division_match_prefix(rest, c->code, &m);
	if (believe(x, rest, m, false) && x->level == DIVISION_DISTRICT)
		return x;
	if (n != c->name.len || c->short_name.len >= n ||
	    !sv_starts(advance(a, c->short_name.len), "市"))
		return NULL;
	rest = advance(a, c->short_name.len);
	x = division_match_prefix(rest, c->code, &m);
	if (believe(x, rest, m, false) && x->level == DIVISION_DISTRICT)
		return x;
	return NULL;
}

/* After the province: a city and its district, a municipality district,
 * or a county-level city of the province. */
static void parse_below_province(struct strview a, struct found *r)
{
	const struct division *x;
	size_t n;

	if (is_municipality(r->p)) {
		r->c = r->p;
		a = skip_municipality_again(r->p, a);
	}
	x = division_match_prefix(a, r->p->code, &n);
	if (!believe(x, a, n, false))
		return;
	if (x->level == DIVISION_CITY) {
		r->c = x;
		r->d = district_after(x, a, n);
	} else if (is_municipality(r->p)) {
		r->d = x;
	} else {
		r->c = x; /* 省直辖县级市: the city, no district */
	}
}

/* A district of the known city c at the start of a (科技园 after 深圳市
 * is not one; 南山区科技园 is). */
static void parse_below_city(struct strview a, const struct division *c,
			     struct found *r)
{
	const struct division *x;
	size_t n;

	if (c->level != DIVISION_CITY && !is_municipality(c))
		return;
	x = division_match_prefix(a, c->code, &n);
	if (!believe(x, a, n, false) || x->level != DIVISION_DISTRICT)
		return;
	r->p = province_of(c);
	r->c = c;
	r->d = x;
}

/* No province at the start: a city anywhere in China, by its full name or
 * before one of its districts, then its district. */
static void parse_city_first(struct strview a, struct found *r)
{
	const struct division *x;
	size_t n;

	x = division_match_level(a, 0, DIVISION_CITY, &n);
	if (!believe(x, a, n, true))
		return;
	r->c = x;
	r->p = province_of(x);
	r->d = district_after(x, a, n);
}

/* A named zone at the start (雄安新区容城县): its city or province, then a
 * district of that city. */
static bool parse_named_zone(struct strview a, struct found *r)
{
	const struct division *x;

	for (size_t k = 0; k < sizeof(named_zones) / sizeof(named_zones[0]);
	     k++) {
		if (!a.len || a.p[0] != named_zones[k].name[0] ||
		    !sv_starts(a, named_zones[k].name))
			continue;
		x = division_by_code(named_zones[k].code);
		if (!x)
			return false;
		r->p = province_of(x);
		if (x->level == DIVISION_CITY || is_municipality(x)) {
			r->c = x;
			r->d = district_after(x, a,
					      strlen(named_zones[k].name));
		}
		return true;
	}
	return false;
}

/* How many levels r found. */
static int levels(const struct found *r)
{
	return !!r->p + !!r->c + !!r->d;
}

/* The divisions a Chinese address line starts with. When it starts below
 * the province or city the fields already give (known), it is read from
 * there: 南山区科技园 with city 深圳市. */
static void parse_address(struct strview a, const struct found *known,
			  struct found *r)
{
	const struct division *x;
	size_t n;

	memset(r, 0, sizeof(*r));
	if (sv_starts(a, "中华人民共和国"))
		a = advance(a, strlen("中华人民共和国"));
	else if (sv_starts(a, "中国"))
		a = advance(a, strlen("中国"));
	a = sv_trim(a);
	if (parse_named_zone(a, r))
		return;
	x = division_match_prefix(a, 0, &n);
	if (believe(x, a, n, false)) {
		struct found alt;

		r->p = x;
		parse_below_province(advance(a, n), r);
		if (n == x->name.len)
			return;
		/* A short province name may start a longer name: 海南藏族自治州
		 * (Qinghai), 吉林市. The longer consistent chain wins. */
		memset(&alt, 0, sizeof(alt));
		parse_city_first(a, &alt);
		if (levels(&alt) > levels(r))
			*r = alt;
		return;
	}
	if (known->c)
		parse_below_city(a, known->c, r);
	if (!r->p && known->p && !known->c) {
		r->p = known->p;
		parse_below_province(a, r);
		if (!r->c && !r->d)
			r->p = NULL;
	}
	if (!r->p)
		parse_city_first(a, r);
}

/* The division whose full or short name is all of v, among the children
 * of parent (0: provinces), or of level within within. */
static const struct division *exact_child(struct strview v, unsigned parent)
{
	size_t n;
	const struct division *d = division_match_prefix(v, parent, &n);

	return d && n == v.len ? d : NULL;
}

static const struct division *exact_level(struct strview v, unsigned within,
					  enum division_level level)
{
	size_t n;
	const struct division *d = division_match_level(v, within, level, &n);

	return d && n == v.len ? d : NULL;
}

static const struct division *exact_city(struct strview v,
					 const struct division *p)
{
	const struct division *x;

	if (p) {
		if (is_municipality(p) && exact_child(v, 0) == p)
			return p;
		x = exact_child(v, p->code);
		return x && (x->level == DIVISION_CITY || is_province_direct(x))
			       ? x
			       : NULL;
	}
	x = exact_level(v, 0, DIVISION_CITY);
	if (x)
		return x;
	x = exact_child(v, 0);
	if (x && is_municipality(x))
		return x;
	x = exact_level(v, 0, DIVISION_DISTRICT);
	return x && is_province_direct(x) ? x : NULL;
}

/* The district v within city c (or within the province p when the city
 * is unknown). Sets *checked when there was a parent to check against. */
static const struct division *exact_district(struct strview v,
					     const struct division *c,
					     const struct division *p,
					     bool *checked)
{
	const struct division *x = NULL;

	*checked = true;
	if (c && (c->level == DIVISION_CITY || is_municipality(c)))
		x = exact_child(v, c->code);
	else if (!c && p)
		x = exact_level(v, p->code, DIVISION_DISTRICT);
	else
		*checked = false;
	return x && x->level == DIVISION_DISTRICT ? x : NULL;
}

/* Is x within the division w (x itself counts)? A municipality holds
 * its districts; a province its cities and county-level cities. */
static bool is_within_division(const struct division *x,
			       const struct division *w)
{
	if (w->level == DIVISION_PROVINCE)
		return x->code / 10000 == w->code / 10000;
	if (w->level == DIVISION_CITY)
		return x->code / 100 == w->code / 100;
	return x->code == w->code;
}

/* Does v hold a Han character? A division written in pinyin or English
 * ("Guangdong", "Xi'an") is looked up by its Latin key instead. */
static bool has_han(struct strview v)
{
	size_t i = 0, n;
	uint32_t cp;

	while (i < v.len) {
		n = utf8_decode(v.p + i, v.len - i, &cp);
		if (n && utf8_is_han(cp))
			return true;
		i += n ? n : 1;
	}
	return false;
}

/* The divisions whose Latin key v is ("Guangdong", "Shenzhen City"), of
 * the level want asks (a city: a prefecture-level city, a municipality or
 * a county-level city under its province) within the division within
 * (NULL: anywhere). The one there is, or NULL: none, or several. */
static const struct division *latin_division(struct strview v,
					     const struct division *within,
					     enum division_level want)
{
	unsigned codes[16];
	char key[64];
	size_t n;
	const struct division *found = NULL;

	if (!division_latin_key(v, key, sizeof(key)))
		return NULL;
	n = division_latin_codes(key, codes, 16);
	for (size_t i = 0; i < n && i < 16; i++) {
		const struct division *x = division_by_code(codes[i]);
		bool level_ok;

		if (!x || (within && !is_within_division(x, within)))
			continue;
		if (want == DIVISION_CITY)
			level_ok = x->level == DIVISION_CITY ||
				   is_province_direct(x) || is_municipality(x);
		else
			level_ok = x->level == want;
		if (!level_ok || found == x)
			continue;
		if (found)
			return NULL; /* 泰州 or 台州: not guessed */
		found = x;
	}
	return found;
}

/* One field: its division by Han name (exact) or by Latin key. */
static const struct division *field_division(struct strview v,
					     const struct division *by_han,
					     const struct division *within,
					     enum division_level want)
{
	if (by_han || has_han(v))
		return by_han;
	return latin_division(v, within, want);
}

/* The fields as they are: each known, unknown (flagged) or empty. A
 * value in pinyin or English is read by the Latin keys of the division
 * names (division.h); one that is no division is flagged as a Han one. */
static void check_fields(struct address_divisions *d, struct found *f)
{
	bool checked;

	if (d->province.len &&
	    !(f->p = field_division(d->province, exact_child(d->province, 0),
				    NULL, DIVISION_PROVINCE)))
		d->province_res = ADDRESS_UNKNOWN;
	if (d->city.len &&
	    !(f->c = field_division(d->city, exact_city(d->city, f->p), f->p,
				    DIVISION_CITY)))
		d->city_res = ADDRESS_UNKNOWN;
	if (d->district.len &&
	    !(f->d = field_division(
		      d->district,
		      exact_district(d->district, f->c, f->p, &checked),
		      f->c ? f->c : f->p, DIVISION_DISTRICT)) &&
	    checked)
		d->district_res = ADDRESS_UNKNOWN;
	if (!f->p && !d->province.len && f->c)
		f->p = province_of(f->c);
}

/* Fill the empty fields from the address unless it disagrees. */
static void fill_from(struct strview address, struct address_divisions *d,
		      struct found *f)
{
	struct found a;

	parse_address(address, f, &a);
	if ((f->p && a.p && f->p->code != a.p->code) ||
	    (f->c && a.c && f->c->code != a.c->code) ||
	    (f->d && a.d && f->d->code != a.d->code))
		return;
	if (!d->province.len && !f->p)
		f->p = a.p;
	if (!d->city.len && !f->c)
		f->c = a.c;
	if (!d->district.len && !f->d &&
	    (!f->c || (a.c && f->c->code == a.c->code)))
		f->d = a.d;
}

static struct strview name_of(const struct division *d)
{
	return d ? current(d)->name : svn("", 0);
}

void address_resolve(struct strview address, struct address_divisions *d)
{
	struct mbr_err err = MBR_ERR_INIT;
	struct found f = {NULL, NULL, NULL};

	d->new_province = d->new_city = d->new_district = svn("", 0);
	d->province_res = d->city_res = d->district_res = ADDRESS_OK;
	d->province = sv_trim(d->province);
	d->city = sv_trim(d->city);
	d->district = sv_trim(d->district);
	/* The table may be loaded without its Latin keys (division_load). */
	if (division_open(&err) < 0 && division_count() == 0)
		return;
	check_fields(d, &f);
	address = sv_trim(address);
	if (address.len &&
	    (!d->province.len || !d->city.len || !d->district.len))
		fill_from(address, d, &f);
	if (!d->city.len && !f.c && f.p && is_municipality(f.p))
		f.c = f.p;
	d->new_province = name_of(f.p);
	d->new_city = name_of(f.c);
	d->new_district = name_of(f.d);
}

/*
 * Postal codes and countries.
 */

/* China: 6 digits, any width, spaces and dashes between them ignored. */
static enum address_result postal_cn(struct strview v, struct buf *out)
{
	char digits[6];
	size_t i = 0, n, k = 0;
	uint32_t cp;

	while (i < v.len) {
		n = utf8_decode(v.p + i, v.len - i, &cp);
		if (cp >= 0xFF10 && cp <= 0xFF19)
			cp -= 0xFF10 - '0';
		if (cp >= '0' && cp <= '9') {
			if (k == sizeof(digits))
				return ADDRESS_BAD_POSTAL;
			digits[k++] = (char)cp;
		} else if (cp != ' ' && cp != '-' && cp != 0x3000) {
			return ADDRESS_BAD_POSTAL;
		}
		i += n;
	}
	if (k != sizeof(digits))
		return ADDRESS_BAD_POSTAL;
	return buf_add(out, digits, k) < 0 ? ADDRESS_TOO_LONG : ADDRESS_OK;
}

enum address_result address_postal_normalize(struct strview in, bool is_cn,
					     struct buf *out)
{
	struct mbr_err err = MBR_ERR_INIT;
	struct strview v = sv_trim(in);
	size_t start = out->len;

	if (v.len == 0)
		return ADDRESS_EMPTY;
	if (!utf8_is_valid(v))
		return ADDRESS_INVALID_UTF8;
	if (v.len > 64)
		return ADDRESS_TOO_LONG;
	if (is_cn)
		return postal_cn(v, out);
	if (text_clean(v, 0, out, &err) < 0)
		return ADDRESS_TOO_LONG;
	for (size_t i = start; i < out->len; i++)
		if (out->p[i] >= 'a' && out->p[i] <= 'z')
			out->p[i] = (char)(out->p[i] - 32);
	return ADDRESS_OK;
}

/* Names of the countries member files mention most, matched after
 * cleaning and in any case; any other two ASCII letters are taken as an
 * ISO 3166 alpha-2 code as they are. */
static const struct {
	const char *name;
	const char *code;
} countries[] = {
	{"chn", "CN"},
	{"china", "CN"},
	{"prc", "CN"},
	{"p.r.china", "CN"},
	{"p.r. china", "CN"},
	{"people's republic of china", "CN"},
	{"mainland china", "CN"},
	{"中国", "CN"},
	{"中國", "CN"},
	{"中国大陆", "CN"},
	{"中华人民共和国", "CN"},
	{"中華人民共和國", "CN"},
	{"hkg", "HK"},
	{"hong kong", "HK"},
	{"hongkong", "HK"},
	{"hong kong sar", "HK"},
	{"香港", "HK"},
	{"中国香港", "HK"},
	{"mac", "MO"},
	{"macau", "MO"},
	{"macao", "MO"},
	{"澳门", "MO"},
	{"澳門", "MO"},
	{"中国澳门", "MO"},
	{"twn", "TW"},
	{"taiwan", "TW"},
	{"台湾", "TW"},
	{"臺灣", "TW"},
	{"中国台湾", "TW"},
	{"sgp", "SG"},
	{"singapore", "SG"},
	{"新加坡", "SG"},
	{"mys", "MY"},
	{"malaysia", "MY"},
	{"马来西亚", "MY"},
	{"usa", "US"},
	{"united states", "US"},
	{"united states of america", "US"},
	{"美国", "US"},
	{"uk", "GB"},
	{"gbr", "GB"},
	{"united kingdom", "GB"},
	{"英国", "GB"},
	{"jpn", "JP"},
	{"japan", "JP"},
	{"日本", "JP"},
	{"kor", "KR"},
	{"korea", "KR"},
	{"south korea", "KR"},
	{"韩国", "KR"},
	{"aus", "AU"},
	{"australia", "AU"},
	{"澳大利亚", "AU"},
	{"can", "CA"},
	{"canada", "CA"},
	{"加拿大", "CA"},
};

static _Thread_local struct buf country_scratch;

/* The last answers: a file has a handful of country spellings ("中国",
 * "CN", "China", ...), so most records ask what one before asked. Replaced
 * round robin. */
#define COUNTRY_CACHE 16
static _Thread_local struct {
	struct {
		char in[64];
		size_t len;
		char code[3];
		bool ok;
	} e[COUNTRY_CACHE];
	size_t n, next;
} country_last;

static bool country_lookup_slow(struct strview in, char code[3]);

/* The code of country in code[3], as address_country_code says. */
static bool country_lookup(struct strview in, char code[3])
{
	size_t k;

	in = sv_trim(in);
	if (in.len == 0 || in.len > sizeof(country_last.e[0].in))
		return false;
	for (k = 0; k < country_last.n; k++)
		if (in.len == country_last.e[k].len &&
		    !memcmp(in.p, country_last.e[k].in, in.len))
			break;
	if (k == country_last.n) {
		k = country_last.next;
		country_last.next = (k + 1) % COUNTRY_CACHE;
		if (country_last.n < COUNTRY_CACHE)
			country_last.n++;
		country_last.e[k].ok =
			country_lookup_slow(in, country_last.e[k].code);
		memcpy(country_last.e[k].in, in.p, in.len);
		country_last.e[k].len = in.len;
	}
	memcpy(code, country_last.e[k].code, 3);
	return country_last.e[k].ok;
}

static bool country_lookup_slow(struct strview in, char code[3])
{
	struct mbr_err err = MBR_ERR_INIT;
	struct buf *b = &country_scratch;
	size_t k, n = sizeof(countries) / sizeof(countries[0]);

	code[0] = '\0';
	if (!utf8_is_valid(in))
		return false;
	if (b->max == 0)
		buf_init(b, 256);
	buf_reset(b);
	if (text_clean(in, 0, b, &err) < 0)
		return false;
	for (size_t i = 0; i < b->len; i++)
		if (b->p[i] >= 'A' && b->p[i] <= 'Z')
			b->p[i] = (char)(b->p[i] + 32);
	for (k = 0; k < n; k++)
		if (sv_eqs(buf_view(b), countries[k].name))
			break;
	if (k < n) {
		memcpy(code, countries[k].code, 3);
		return true;
	}
	if (b->len != 2 || b->p[0] < 'a' || b->p[0] > 'z' || b->p[1] < 'a' ||
	    b->p[1] > 'z')
		return false;
	code[0] = (char)(b->p[0] - 32);
	code[1] = (char)(b->p[1] - 32);
	code[2] = '\0';
	return true;
}

bool address_country(struct strview in, char code[3])
{
	code[0] = '\0';
	return country_lookup(in, code);
}

bool address_is_cn(struct strview country, const char *default_cc)
{
	char code[3];

	country = sv_trim(country);
	if (country.len == 0)
		return !default_cc || !strcasecmp(default_cc, "CN");
	return country_lookup(country, code) && !strcmp(code, "CN");
}

void address_close(void)
{
	buf_release(&country_scratch);
}

const char *address_result_str(enum address_result r)
{
	static const char *const str[] = {
		[ADDRESS_OK] = "ok",
		[ADDRESS_EMPTY] = "empty",
		[ADDRESS_INVALID_UTF8] = "invalid UTF-8",
		[ADDRESS_TOO_LONG] = "too long",
		[ADDRESS_UNKNOWN] = "not a division",
		[ADDRESS_BAD_POSTAL] = "expected 6 digits",
	};

	if ((unsigned)r >= sizeof(str) / sizeof(str[0]))
		return "unknown";
	return str[r];
}
