/*
 * Percent-decoding of the request line: the path and each query-string
 * name and value, in place of libmicrohttpd's own decoder (see http.h).
 */
#include "http/http.h"

static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

size_t
http_unescape(char *s)
{
	char *out = s;
	int hi, lo;

	for (const char *p = s; *p; p++) {
		/* Reading p[2] is safe: p[1] was a digit, not the end. */
		if (*p == '%' && (hi = hex_value(p[1])) >= 0 &&
		    (lo = hex_value(p[2])) >= 0 && (hi | lo) != 0) {
			*out++ = (char)(hi << 4 | lo);
			p += 2;
		} else {
			*out++ = *p;
		}
	}
	*out = '\0';
	return (size_t)(out - s);
}
