/*
 * phonetic: Metaphone (Lawrence Philips, 1990) for names in Latin script,
 * so that "Thomas" and "Tomas", "Catherine" and "Kathryn" share a
 * blocking key and a comparison level. One change to the original: TH
 * is coded T, not theta (0), since dropping the H is the common slip.
 *
 * Metaphone rather than Double Metaphone: one code per name keeps a key a
 * single value, and the names Double Metaphone adds a second code for
 * (Slavic, Germanic, Italian spellings) are rare in member data; typos it
 * would also miss are caught by the Jaro-Winkler levels. Chinese names in
 * pinyin are not coded here: the matcher keys them by their syllables
 * (pinyin.c), which keeps zhang and zheng apart where Metaphone would not.
 */
#include "match/match_int.h"

#define WORD_MAX 64

static bool is_vowel(char c)
{
	return c == 'A' || c == 'E' || c == 'I' || c == 'O' || c == 'U';
}

static bool is_front(char c) /* makes C and G soft */
{
	return c == 'E' || c == 'I' || c == 'Y';
}

/* Upper-case letters of s, duplicates collapsed except CC. */
static size_t letters(const char *s, size_t len, char *w)
{
	size_t n = 0;

	for (size_t i = 0; i < len && n < WORD_MAX; i++) {
		char c = s[i];

		if (c >= 'a' && c <= 'z')
			c = (char)(c - 32);
		if (c < 'A' || c > 'Z')
			continue;
		if (n > 0 && w[n - 1] == c && c != 'C')
			continue;
		w[n++] = c;
	}
	w[n] = '\0';
	return n;
}

/* Initial letter pairs with a silent first letter, and X as S. */
static size_t skip_initial(char *w, size_t n)
{
	static const char *const silent[] = {"KN", "GN", "PN", "AE", "WR"};

	for (size_t i = 0; i < sizeof(silent) / sizeof(silent[0]); i++)
		if (n >= 2 && w[0] == silent[i][0] && w[1] == silent[i][1])
			return 1;
	if (w[0] == 'X')
		w[0] = 'S';
	if (w[0] == 'W' && n >= 2 && w[1] == 'H') {
		w[1] = 'W'; /* WH- sounds as W */
		return 1;
	}
	return 0;
}

/* "A\0B\0...": the one-letter code of each letter. */
/* clang-format off */
static const char self_code[] =
	"A\0B\0C\0D\0E\0F\0G\0H\0I\0J\0K\0L\0M\0N\0O\0P\0Q\0R\0S\0T\0U\0V\0W\0X\0Y\0Z";
/* clang-format on */

/* The code for letter i of w (n letters); may advance *i past letters
 * it consumed. Returns the code letters ("", "K", "KS"). */
static const char *code_of(const char *w, size_t n, size_t *i)
{
	size_t k = *i;
	char c = w[k], next = k + 1 < n ? w[k + 1] : '\0';
	char after = k + 2 < n ? w[k + 2] : '\0';
	char prev = k > 0 ? w[k - 1] : '\0';

	switch (c) {
	case 'A':
	case 'E':
	case 'I':
	case 'O':
	case 'U':
		return k == 0 ? "A" : "";
	case 'B':
		return prev == 'M' && k + 1 == n ? "" : "B";
	case 'C':
		if (next == 'I' && after == 'A')
			return "X";
		if (next == 'H') {
			(*i)++;
			return prev == 'S' ? "K" : "X";
		}
		if (is_front(next))
			return prev == 'S' ? "" : "S";
		if (next == 'K')
			(*i)++;
		return "K";
	case 'D':
		if (next == 'G' && is_front(after)) {
			(*i)++;
			return "J";
		}
		return "T";
	case 'G':
		if (next == 'H' && !(k + 2 == n || is_vowel(after)))
			return "";
		if (next == 'N' && (k + 2 == n || (k + 4 == n && after == 'E' &&
						   w[k + 3] == 'D')))
			return "";
		if (prev == 'D' && is_front(next))
			return ""; /* DGE: the D gave J */
		return is_front(next) ? "J" : "K";
	case 'H':
		if (is_vowel(prev) && !is_vowel(next))
			return "";
		if (prev == 'C' || prev == 'S' || prev == 'P' || prev == 'T' ||
		    prev == 'G')
			return "";
		return "H";
	case 'K':
		return prev == 'C' ? "" : "K";
	case 'P':
		if (next == 'H') {
			(*i)++;
			return "F";
		}
		return "P";
	case 'Q':
		return "K";
	case 'S':
		if (next == 'H') {
			(*i)++;
			return "X";
		}
		if (next == 'I' && (after == 'O' || after == 'A'))
			return "X";
		return "S";
	case 'T':
		if (next == 'I' && (after == 'O' || after == 'A'))
			return "X";
		if (next == 'H') { /* TH as T, not theta: Thomas/Tomas */
			(*i)++;
			return "T";
		}
		return next == 'C' && after == 'H' ? "" : "T";
	case 'V':
		return "F";
	case 'W':
	case 'Y':
		return is_vowel(next) ? (c == 'W' ? "W" : "Y") : "";
	case 'X':
		return "KS";
	case 'Z':
		return "S";
	default: /* F J L M N R stand for themselves */
		return &self_code[2 * (c - 'A')];
	}
}

size_t phonetic_key(const char *s, size_t len, char *out)
{
	char w[WORD_MAX + 1];
	size_t n = letters(s, len, w), o = 0;

	if (n == 0) {
		out[0] = '\0';
		return 0;
	}
	for (size_t i = skip_initial(w, n); i < n && o < PHONETIC_MAX; i++) {
		const char *code = code_of(w, n, &i);

		for (; *code && o < PHONETIC_MAX; code++)
			out[o++] = *code;
	}
	out[o] = '\0';
	return o;
}
