/* Checked number parsing (see num.h). */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/num.h"
#include "core/rc.h"

int
num_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	char *end;
	long long v;

	if (s == NULL || !(isdigit((unsigned char)*s) || *s == '-'))
		return PB_ERR_INVALID;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end != '\0' || v < min || v > max)
		return PB_ERR_INVALID;
	*out = v;
	return PB_OK;
}

int
num_parse_i64n(const char *s, int len, int64_t min, int64_t max, int64_t *out)
{
	char tmp[32];

	if (len <= 0 || (size_t)len >= sizeof(tmp))
		return PB_ERR_INVALID;
	memcpy(tmp, s, (size_t)len);
	tmp[len] = '\0';
	return num_parse_i64(tmp, min, max, out);
}

int
num_parse_double(const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	if (s == NULL ||
	    !(isdigit((unsigned char)*s) || *s == '-' || *s == '.'))
		return PB_ERR_INVALID;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end != '\0' || !isfinite(v) || v < min ||
	    v > max)
		return PB_ERR_INVALID;
	*out = v;
	return PB_OK;
}
