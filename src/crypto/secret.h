/*
 * Random secrets and their digests: webhook signing secrets, API tokens,
 * widget keys, generated passwords; password hashing with Argon2id.
 */
#ifndef CRYPTO_SECRET_H
#define CRYPTO_SECRET_H

#include <stdbool.h>
#include <stddef.h>

#define SECRET_DIGEST_SIZE 65 /* hex SHA-256 and a NUL */

/* Initialises libsodium; call once at start. */
int secret_init(void);
/* "whsec_" and the base64 of 32 random bytes; the caller frees it. */
char *secret_webhook_new(void);
/*
 * prefix followed by the URL-safe base64 of nbytes random bytes (no
 * padding); the caller frees it.
 */
char *secret_token_new(const char *prefix, size_t nbytes);
/* Hex SHA-256 of n bytes, for storing tokens and matching requests. */
void secret_digest(const void *p, size_t n, char out[SECRET_DIGEST_SIZE]);
/* Overwrites n bytes at p with zeros where the compiler cannot skip it. */
void secret_wipe(void *p, size_t n);
/* Wipes and frees a NUL-terminated secret. */
void secret_free(char *s);

/* An Argon2id hash string of password at the configured cost. */
int password_hash(const char *password, bool interactive, char **out);
/*
 * Whether password matches the hash string.  hash NULL checks against a
 * hash of nothing, which takes as long and always fails: a sign-in with
 * an unknown e-mail costs what a known one does.
 */
bool password_verify(const char *hash, const char *password);
/* Whether the n bytes at a and b are equal, in constant time. */
bool secret_equal(const void *a, const void *b, size_t n);

#endif
