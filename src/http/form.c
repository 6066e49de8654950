/*
 * application/x-www-form-urlencoded bodies: pairs split on '&' and '=',
 * '+' read as a space, %HH decoded by libmicrohttpd (see http.h).
 */
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/rc.h"
#include "http/http.h"

/* Decodes n bytes of s into a new string; *len is the decoded length. */
static char *
decode(const char *s, size_t n, size_t *len)
{
	char *out = xstrndup(s, n);

	for (char *p = out; *p; p++)
		if (*p == '+')
			*p = ' ';
	*len = MHD_http_unescape(out);
	return out;
}

int
http_form_parse(const char *body, size_t len, size_t max_pairs,
    struct http_form *form)
{
	const char *p = body, *end = body + len;

	form->pairs = NULL;
	form->n = 0;
	/* A raw NUL would end the decoded text early, out of sight. */
	if (memchr(body, '\0', len))
		return PB_ERR_INVALID;
	while (p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *stop = amp ? amp : end, *eq;
		struct http_form_pair *pair;
		size_t klen;

		if (stop == p) {
			p++;
			continue;
		}
		if (form->n == max_pairs) {
			http_form_release(form);
			return PB_ERR_TOO_LARGE;
		}
		eq = memchr(p, '=', (size_t)(stop - p));
		form->pairs =
		    xrealloc(form->pairs, (form->n + 1) * sizeof(*form->pairs));
		pair = &form->pairs[form->n++];
		pair->key = decode(p, (size_t)((eq ? eq : stop) - p), &klen);
		if (eq)
			pair->value = decode(eq + 1, (size_t)(stop - eq - 1),
			    &pair->value_len);
		else
			pair->value = decode("", 0, &pair->value_len);
		if (strlen(pair->key) != klen) {
			http_form_release(form);
			return PB_ERR_INVALID; /* a NUL inside a key */
		}
		p = stop + (amp != NULL);
	}
	return PB_OK;
}

void
http_form_release(struct http_form *form)
{
	for (size_t i = 0; i < form->n; i++) {
		free(form->pairs[i].key);
		free(form->pairs[i].value);
	}
	FREE_AND_NULL(form->pairs);
	form->n = 0;
}
