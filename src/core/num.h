/* Checked number parsing: the whole string must be a number in range. */
#ifndef CORE_NUM_H
#define CORE_NUM_H

#include <stdint.h>

/* Decimal integer in [min, max]; PB_ERR_INVALID otherwise. */
int num_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out);
/* Decimal integer given as a (pointer, length) pair. */
int
num_parse_i64n(const char *s, int len, int64_t min, int64_t max, int64_t *out);
/* Decimal number (fractions allowed) in [min, max]. */
int num_parse_double(const char *s, double min, double max, double *out);

#endif
