/*
 * The vault: authenticated encryption of credentials at rest (libsodium's
 * XChaCha20-Poly1305).  A sealed value reads "pbv1.<key id>.<base64 of
 * nonce and ciphertext>"; the associated data names the row and field it
 * belongs to, so a value copied into another row does not open.  Keys come
 * from PITCHBAR_SECRET_KEYS ("kid:base64key,...", the first one seals) or
 * from a key file in the same format, one key a line, made with mode 0600
 * on first start.
 */
#ifndef CRYPTO_VAULT_H
#define CRYPTO_VAULT_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Loads the keys from keys when it is not empty, else from key_file
 * (created with a new key when missing).  err says what is wrong.
 */
int
vault_init(const char *keys, const char *key_file, char *err, size_t errlen);
/* Wipes and frees the keys. */
void vault_release(void);
/* Seals n bytes of plain, bound to ad; the caller frees the result. */
char *vault_seal(const char *plain, size_t n, const char *ad);
/*
 * Opens a sealed value into *plain (NUL-terminated, freed by the caller
 * with secret_free); PB_ERR_INVALID when it was altered, belongs to
 * other associated data or uses an unknown key.
 */
int vault_open(const char *sealed, const char *ad, char **plain, size_t *n);
/* Whether sealed was made with the key that seals now. */
bool vault_is_current(const char *sealed);

#endif
