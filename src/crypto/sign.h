/*
 * Webhook signatures (DESIGN section 4).  Both schemes sign the exact body
 * bytes sent:
 *
 *   X-Pitchbar-Signature: t=<t>,v1=<hex HMAC-SHA256(secret as shown,
 *                         "<t>.<body>")>, one v1= per valid secret
 *   webhook-signature:    v1,<base64 HMAC-SHA256(base64-decoded part of
 *                         the secret after "whsec_", "<id>.<t>.<body>")>,
 *                         space-separated, one per valid secret
 */
#ifndef CRYPTO_SIGN_H
#define CRYPTO_SIGN_H

#include <stddef.h>
#include <stdint.h>

#define SIGN_SECRETS_MAX 2

/*
 * The X-Pitchbar-Signature value for the given secrets (the current one
 * first); the caller frees it.
 */
char *sign_pitchbar(const char *const *secrets, int nsecrets, int64_t t,
    const char *body, size_t len);
/*
 * The webhook-signature value; PB_ERR_INVALID when a secret is not
 * "whsec_" and base64.  The caller frees *out.
 */
int sign_standard(const char *const *secrets, int nsecrets, const char *msg_id,
    int64_t t, const char *body, size_t len, char **out);

#endif
