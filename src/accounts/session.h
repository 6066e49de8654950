/*
 * Sign-in sessions.  A session is a random token in an HttpOnly cookie,
 * stored only as its digest; it acts in one of its user's workspaces,
 * ends PITCHBAR_SESSION_IDLE_S (a day) after its last use or 30 days
 * after sign-in, and at sign-out.  Changes made through a session carry a CSRF
 * token derived from the session token, which a page of another site cannot
 * know. Sign-in failures are throttled per account and per address.
 */
#ifndef ACCOUNTS_SESSION_H
#define ACCOUNTS_SESSION_H

#include <cjson/cJSON.h>
#include <stdint.h>

#include "accounts/account.h"
#include "crypto/secret.h"

struct db;

#define SESSION_COOKIE "pb_session"
#define SESSION_MAX_MS (30LL * 24 * 3600 * 1000)

/*
 * Checks email and password and starts a session: PB_OK with its token
 * (the cookie's value; the caller frees it with secret_free) and who it
 * acts as.  PB_ERR_NOT_FOUND for a wrong e-mail or password alike;
 * PB_ERR_BUSY when the account or the address has failed too often, with
 * the seconds to wait in *retry_after.
 */
int session_sign_in(struct db *db, const char *email, const char *password,
    const char *peer, char **token, struct principal *who,
    int64_t *retry_after);
/* Who a live session acts as; PB_ERR_NOT_FOUND for none or an ended one. */
int
session_authenticate(struct db *db, const char *token, struct principal *who);
/* Ends the session of who. */
int session_end(struct db *db, const struct principal *who);
/*
 * Moves the session to another of its user's workspaces (who is updated);
 * PB_ERR_NOT_FOUND when the user is not a member there.
 */
int
session_switch(struct db *db, struct principal *who, const char *workspace_id);
/* The CSRF token of a session token. */
void session_csrf(const char *token, char out[SECRET_DIGEST_SIZE]);
/*
 * The session as the API shows it: user, workspace, role, the user's
 * workspaces, and the CSRF token csrf (NULL for none).
 */
int session_json(struct db *db, const struct principal *who, const char *csrf,
    cJSON **out);

#endif
