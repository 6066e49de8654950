/* E-mail normalisation and checks (see email.h). */
#include <stdlib.h>
#include <string.h>
#include <unicase.h>

#include "core/alloc.h"
#include "core/email.h"
#include "core/json.h"
#include "core/rc.h"

#define EMAIL_LOCAL_MAX 64

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int
check_domain(const char *d, const char **why)
{
	const char *label = d;

	if (strchr(d, '.') == NULL) {
		*why = "needs a domain with a dot";
		return PB_ERR_INVALID;
	}
	for (const char *p = d;; p++) {
		if (*p == '.' || *p == '\0') {
			if (p == label || p[-1] == '-' || *label == '-') {
				*why = "has an empty or malformed domain part";
				return PB_ERR_INVALID;
			}
			if (*p == '\0')
				return PB_OK;
			label = p + 1;
		}
	}
}

static int
check_address(const char *s, size_t n, const char **why)
{
	const char *at = memchr(s, '@', n);

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= 0x20 || c == 0x7f || c == '<' || c == '>' ||
		    c == ',' || c == ';' || c == '"' || c == '\\') {
			*why = "contains a character an address cannot hold";
			return PB_ERR_INVALID;
		}
	}
	if (at == NULL || memchr(at + 1, '@', n - (size_t)(at - s) - 1)) {
		*why = "needs exactly one @";
		return PB_ERR_INVALID;
	}
	if (at == s || at - s > EMAIL_LOCAL_MAX) {
		*why = "has an empty or over-long part before the @";
		return PB_ERR_INVALID;
	}
	return check_domain(at + 1, why);
}

int
email_normalize(const char *in, size_t n, char **out, const char **why)
{
	uint8_t *lower;
	size_t lowlen;
	int rc;

	*out = NULL;
	*why = "is not valid UTF-8";
	if (!utf8_valid(in, n) || memchr(in, '\0', n))
		return PB_ERR_INVALID;
	while (n > 0 && is_space(*in)) {
		in++;
		n--;
	}
	while (n > 0 && is_space(in[n - 1]))
		n--;
	if (utf8_chars(in, n) > EMAIL_MAX) {
		*why = "is longer than 254 characters";
		return PB_ERR_TOO_LARGE;
	}
	lower = u8_tolower((const uint8_t *)in, n, NULL, NULL, NULL, &lowlen);
	if (lower == NULL)
		return PB_ERR_INVALID;
	*out = xstrndup((const char *)lower, lowlen);
	free(lower);
	if ((rc = check_address(*out, lowlen, why)) != PB_OK)
		FREE_AND_NULL(*out);
	return rc;
}
