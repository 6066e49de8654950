/* E-mail addresses as Pitchbar keeps them: trimmed, lower-cased, checked. */
#ifndef CORE_EMAIL_H
#define CORE_EMAIL_H

#include <stddef.h>

#define EMAIL_MAX 254

/*
 * Normalises the n bytes of UTF-8 at in into *out (freed by the caller):
 * surrounding white space trimmed, lower-cased.  PB_ERR_INVALID with the
 * reason in *why when it is not an address: not one '@', an empty or
 * over-long part, white space or control characters inside, a domain
 * without a dot or with an empty label; PB_ERR_TOO_LARGE past EMAIL_MAX
 * characters.
 */
int email_normalize(const char *in, size_t n, char **out, const char **why);

#endif
