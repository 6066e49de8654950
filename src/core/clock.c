/* Time helpers (see clock.h). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/rc.h"

static int64_t
clock_read(clockid_t id, int64_t unit)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * unit +
	    (int64_t)ts.tv_nsec / (1000000000 / unit);
}

int64_t
clock_now_ms(void)
{
	return clock_read(CLOCK_REALTIME, 1000);
}

int64_t
clock_mono_ms(void)
{
	return clock_read(CLOCK_MONOTONIC, 1000);
}

int64_t
clock_mono_us(void)
{
	return clock_read(CLOCK_MONOTONIC, 1000000);
}

char *
clock_format(int64_t ms, char out[CLOCK_RFC3339_SIZE])
{
	time_t secs = (time_t)(ms / 1000);
	char tmp[64];
	struct tm tm;

	gmtime_r(&secs, &tm);
	/* tmp is roomy so the compiler sees no truncation; the text fits. */
	snprintf(tmp, sizeof(tmp), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
	    tm.tm_sec, (int)(ms % 1000));
	memcpy(out, tmp, CLOCK_RFC3339_SIZE - 1);
	out[CLOCK_RFC3339_SIZE - 1] = '\0';
	return out;
}

/* Reads exactly n digits. */
static int
digits(const char **p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++, (*p)++) {
		if (!isdigit((unsigned char)**p))
			return PB_ERR_INVALID;
		v = v * 10 + (**p - '0');
	}
	*out = v;
	return PB_OK;
}

static int
parse_fraction(const char **p, int *millis)
{
	int scale = 100;

	*millis = 0;
	if (**p != '.')
		return PB_OK;
	(*p)++;
	if (!isdigit((unsigned char)**p))
		return PB_ERR_INVALID;
	for (; isdigit((unsigned char)**p); (*p)++, scale /= 10)
		*millis += (**p - '0') * scale;
	return PB_OK;
}

static int
parse_offset(const char *p, int *minutes)
{
	int sign, h, m;

	if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
		*minutes = 0;
		return PB_OK;
	}
	if (*p != '+' && *p != '-')
		return PB_ERR_INVALID;
	sign = *p++ == '-' ? -1 : 1;
	if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &m) || *p)
		return PB_ERR_INVALID;
	if (h > 23 || m > 59)
		return PB_ERR_INVALID;
	*minutes = sign * (h * 60 + m);
	return PB_OK;
}

int
clock_parse(const char *s, int64_t *ms)
{
	struct tm tm = {0};
	int y, mo, d, h, mi, sec, millis, off;
	const char *p = s;
	time_t t;

	if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) ||
	    *p++ != '-' || digits(&p, 2, &d) || (*p != 'T' && *p != 't'))
		return PB_ERR_INVALID;
	p++;
	if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi) ||
	    *p++ != ':' || digits(&p, 2, &sec))
		return PB_ERR_INVALID;
	if (parse_fraction(&p, &millis) || parse_offset(p, &off))
		return PB_ERR_INVALID;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    sec > 60)
		return PB_ERR_INVALID;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = timegm(&tm);
	*ms = ((int64_t)t - (int64_t)off * 60) * 1000 + millis;
	return PB_OK;
}
