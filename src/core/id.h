/*
 * Prefixed identifiers sortable by creation time: a prefix such as "lead_"
 * followed by 26 Crockford base32 characters (48 bits of milliseconds, 80
 * random bits).  Within one process they also grow strictly, so two ids
 * made in the same millisecond still sort in creation order.
 */
#ifndef CORE_ID_H
#define CORE_ID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ID_BODY_LEN 26
#define ID_SIZE 40 /* enough for any prefix in use, the body and a NUL */

/* Writes prefix (at most 8 bytes, "evt_") and a new body into out. */
void id_new(const char *prefix, char out[ID_SIZE]);
/* Whether s is prefix followed by a well-formed body. */
bool id_valid(const char *s, const char *prefix);
/* Fills p with n bytes from the operating system's random source. */
void id_random(void *p, size_t n);

#endif
