/* Wall-clock and monotonic time, and RFC 3339 formatting. */
#ifndef CORE_CLOCK_H
#define CORE_CLOCK_H

#include <stdint.h>

/* "2026-12-03T16:10:22.123Z" and its NUL. */
#define CLOCK_RFC3339_SIZE 25

/* Milliseconds since the Unix epoch. */
int64_t clock_now_ms(void);
/* Milliseconds of a clock that never goes back, for durations. */
int64_t clock_mono_ms(void);
/* Microseconds of the same clock, for short durations. */
int64_t clock_mono_us(void);
/* Writes ms as RFC 3339 UTC with milliseconds; returns out. */
char *clock_format(int64_t ms, char out[CLOCK_RFC3339_SIZE]);
/*
 * Parses RFC 3339 ("2026-12-03T16:10:22Z", optional fraction, "Z" or an
 * offset) into milliseconds; PB_ERR_INVALID otherwise.
 */
int clock_parse(const char *s, int64_t *ms);

#endif
