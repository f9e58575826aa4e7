/*
 * nickname: the nickname table (data/nicknames.csv): which given names
 * are nicknames of each other (robert, bob, rob, bobby).
 *
 * Each line of the file is a group; a name may be in several. The table
 * is a sorted array of names, each with the sorted list of its groups,
 * so a look-up is a binary search and "are they nicknames" a merge of two
 * short lists. Loaded once, read-only after: threads share it.
 */
#include "match/match_int.h"

#include <stdlib.h>
#include <string.h>

#include "datafile.h"

struct entry {
	char *name; /* borrowed from text */
	uint32_t group;
};

static struct {
	char *text;	  /* owned: the file, names NUL-terminated */
	struct entry *e;  /* owned: (name, group), by name then group */
	uint32_t *first;  /* owned: per distinct name, its first entry */
	uint32_t n_names; /* distinct names */
	size_t n;	  /* entries */
} nick;

void nick_free(void)
{
	free(nick.text);
	free(nick.e);
	free(nick.first);
	memset(&nick, 0, sizeof(nick));
}

static int entry_order(const void *pa, const void *pb)
{
	const struct entry *a = pa, *b = pb;
	int c = strcmp(a->name, b->name);

	return c ? c : (a->group > b->group) - (a->group < b->group);
}

/* Cut a line into its names (NUL-terminated in place) as group g. */
static void add_line(char *line, uint32_t g, size_t *cap)
{
	char *save = NULL;

	for (char *tok = strtok_r(line, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		while (*tok == ' ')
			tok++;
		if (!*tok)
			continue;
		if (nick.n == *cap) {
			*cap = *cap ? *cap * 2 : 4096;
			nick.e = xrealloc(nick.e, *cap * sizeof(*nick.e));
		}
		nick.e[nick.n++] = (struct entry){tok, g};
	}
}

/* Sort the entries and mark where each distinct name starts. */
static void index_names(void)
{
	xqsort(nick.e, nick.n, sizeof(*nick.e), entry_order);
	nick.first = xmalloc((nick.n + 1) * sizeof(*nick.first));
	for (size_t i = 0; i < nick.n; i++)
		if (i == 0 || strcmp(nick.e[i].name, nick.e[i - 1].name))
			nick.first[nick.n_names++] = (uint32_t)i;
	nick.first[nick.n_names] = (uint32_t)nick.n;
}

int nick_parse(const char *text, size_t len)
{
	size_t cap = 0;
	uint32_t g = 0;
	char *save = NULL;

	nick_free();
	nick.text = xmalloc(len + 1);
	memcpy(nick.text, text, len);
	nick.text[len] = '\0';
	for (char *line = strtok_r(nick.text, "\r\n", &save); line;
	     line = strtok_r(NULL, "\r\n", &save)) {
		if (*line == '#')
			continue;
		add_line(line, g++, &cap);
	}
	index_names();
	return (int)nick.n_names;
}

uint32_t nick_find(struct strview s)
{
	uint32_t lo = 0, hi = nick.n_names;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		const char *name = nick.e[nick.first[mid]].name;
		size_t n = strlen(name);
		int c = memcmp(name, s.p, n < s.len ? n : s.len);

		if (c == 0)
			c = (n > s.len) - (n < s.len);
		if (c == 0)
			return mid + 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

bool nick_related(uint32_t x, uint32_t y)
{
	uint32_t i, k, end_i, end_k;

	if (!x || !y || x > nick.n_names || y > nick.n_names)
		return false;
	i = nick.first[x - 1];
	end_i = nick.first[x];
	k = nick.first[y - 1];
	end_k = nick.first[y];
	while (i < end_i && k < end_k) {
		if (nick.e[i].group == nick.e[k].group)
			return true;
		if (nick.e[i].group < nick.e[k].group)
			i++;
		else
			k++;
	}
	return false;
}

int match_nicknames_open(struct mbr_err *err)
{
	char path[4096];
	struct buf b;
	FILE *f;
	char chunk[65536];
	size_t n;

	if (datafile_path("nicknames.csv", path, sizeof(path), err) < 0)
		return -1;
	f = fopen(path, "rb");
	if (!f)
		return mbr_fail(err, MBR_EIO, "cannot open '%s'", path);
	buf_init(&b, 16 << 20);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (buf_add(&b, chunk, n) < 0)
			break;
	fclose(f);
	nick_parse(b.p, b.len);
	buf_release(&b);
	return 0;
}

void match_nicknames_close(void)
{
	nick_free();
}
