/* Time-sortable prefixed identifiers (see id.h). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "core/clock.h"
#include "core/id.h"
#include "core/log.h"

static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

static pthread_mutex_t id_lock = PTHREAD_MUTEX_INITIALIZER;
static int64_t last_ms;
static unsigned char last_rand[10];

void
id_random(void *p, size_t n)
{
	unsigned char *c = p;

	while (n > 0) {
		ssize_t got = getrandom(c, n, 0);

		if (got < 0) {
			log_error(NULL, "getrandom_failed", NULL);
			abort();
		}
		c += got;
		n -= (size_t)got;
	}
}

/* Adds one to the 80-bit big-endian number; returns 1 when it wrapped. */
static int
increment(unsigned char r[10])
{
	for (int i = 9; i >= 0; i--)
		if (++r[i] != 0)
			return 0;
	return 1;
}

static void
next_value(int64_t *ms, unsigned char rand[10])
{
	pthread_mutex_lock(&id_lock);
	*ms = clock_now_ms();
	if (*ms <= last_ms) {
		*ms = last_ms;
		if (increment(last_rand))
			*ms = ++last_ms;
	} else {
		last_ms = *ms;
		id_random(last_rand, sizeof(last_rand));
	}
	memcpy(rand, last_rand, 10);
	pthread_mutex_unlock(&id_lock);
}

void
id_new(const char *prefix, char out[ID_SIZE])
{
	unsigned char bytes[16], rand[10];
	size_t plen = strnlen(prefix, 8);
	int64_t ms;

	next_value(&ms, rand);
	for (int i = 0; i < 6; i++)
		bytes[i] = (unsigned char)(ms >> (40 - 8 * i));
	memcpy(bytes + 6, rand, 10);
	memcpy(out, prefix, plen);

	/* 128 bits as 26 characters of 5 bits, the first holding 3. */
	for (int i = 0; i < ID_BODY_LEN; i++) {
		int bit = i == 0 ? 0 : 3 + (i - 1) * 5;
		int width = i == 0 ? 3 : 5;
		unsigned v = 0;

		for (int b = 0; b < width; b++, bit++)
			v = (v << 1) | ((bytes[bit / 8] >> (7 - bit % 8)) & 1);
		out[plen + (size_t)i] = crockford[v];
	}
	out[plen + ID_BODY_LEN] = '\0';
}

bool
id_valid(const char *s, const char *prefix)
{
	size_t plen = strlen(prefix);

	if (s == NULL || strncmp(s, prefix, plen) != 0)
		return false;
	s += plen;
	if (strlen(s) != ID_BODY_LEN || s[0] > '7')
		return false;
	for (; *s; s++)
		if (strchr(crockford, *s) == NULL)
			return false;
	return true;
}
