/* Sign-in sessions, their CSRF tokens and sign-in throttling (session.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts/session.h"
#include "core/alloc.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/email.h"
#include "core/json.h"
#include "core/log.h"
#include "core/rc.h"
#include "db/db.h"

#define SESSION_PREFIX "pbs_"
#define SESSION_TOKEN_MAX 128
#define SEEN_REFRESH_MS (10LL * 60 * 1000)
#define THROTTLE_WINDOW_MS (15LL * 60 * 1000)
#define THROTTLE_ACCOUNT_MAX 5
#define THROTTLE_ADDRESS_MAX 20

static const char SQL_USER_LOGIN[] =
    "SELECT u.id, u.password_hash, m.workspace_id, m.role FROM users u"
    " LEFT JOIN memberships m ON m.user_id = u.id"
    " WHERE u.email = $1 ORDER BY m.created_at LIMIT 1";
static const char SQL_INSERT_SESSION[] =
    "INSERT INTO sessions (id, token_hash, user_id, workspace_id,"
    " created_at, last_seen_at, expires_at)"
    " VALUES ($1, $2, $3, $4, $5, $5, $6)";
static const char SQL_SESSION[] =
    "SELECT s.id, s.user_id, s.workspace_id, m.role, s.last_seen_at"
    " FROM sessions s JOIN memberships m ON m.user_id = s.user_id"
    "  AND m.workspace_id = s.workspace_id"
    " WHERE s.token_hash = $1 AND s.ended_at IS NULL"
    " AND s.expires_at > $2 AND s.last_seen_at > $3";
static const char SQL_SEEN[] =
    "UPDATE sessions SET last_seen_at = $2 WHERE id = $1";
static const char SQL_END[] = "UPDATE sessions SET ended_at = $2 WHERE id = $1";
static const char SQL_SWITCH[] =
    "UPDATE sessions SET workspace_id = $3 WHERE id = $1 AND EXISTS"
    " (SELECT 1 FROM memberships WHERE user_id = $2 AND workspace_id = $3)";
static const char SQL_ROLE[] =
    "SELECT role FROM memberships WHERE user_id = $1 AND workspace_id = $2";
/* An attempt counted, in the window that $3 tells has not run out. */
static const char SQL_COUNT_ATTEMPT[] =
    "INSERT INTO sign_in_failures (throttle_key, window_start, failures)"
    " VALUES ($1, $2, 1) ON CONFLICT (throttle_key) DO UPDATE SET"
    " failures = CASE WHEN sign_in_failures.window_start < $3 THEN 1"
    "  ELSE sign_in_failures.failures + 1 END,"
    " window_start = CASE WHEN sign_in_failures.window_start < $3 THEN $2"
    "  ELSE sign_in_failures.window_start END"
    " RETURNING failures, window_start";
static const char SQL_FORGIVE[] =
    "DELETE FROM sign_in_failures WHERE throttle_key = $1";
static const char SQL_UNCOUNT[] =
    "UPDATE sign_in_failures SET failures = failures - 1"
    " WHERE throttle_key = $1 AND failures > 0";
static const char SQL_USER_JSON[] =
    "SELECT u.id, u.email, u.name, w.id, w.name FROM users u, workspaces w"
    " WHERE u.id = $1 AND w.id = $2";
static const char SQL_WORKSPACES[] =
    "SELECT w.id, w.name, m.role FROM memberships m"
    " JOIN workspaces w ON w.id = m.workspace_id"
    " WHERE m.user_id = $1 ORDER BY w.name, w.id";

/*
 * Counts an attempt for key before its password is checked, so that
 * attempts racing in parallel are counted too; the seconds to wait in
 * *retry_after when key has used up its max attempts of the window.
 */
static int
count_attempt(struct db *db, const char *key, int max, int64_t *retry_after)
{
	int64_t now = clock_now_ms();
	struct db_stmt *st = db_query(db, SQL_COUNT_ATTEMPT, "sii", key, now,
	    now - THROTTLE_WINDOW_MS);
	int rc = db_first(st);

	*retry_after = 0;
	if (rc != PB_OK)
		return rc;
	if (db_col_i64(st, 0) > max)
		*retry_after =
		    (db_col_i64(st, 1) + THROTTLE_WINDOW_MS - now) / 1000 + 1;
	db_reset(st);
	return PB_OK;
}

/* The two throttle keys of an attempt. */
static void
throttle_keys(const char *email, const char *peer, char **account,
    char **address)
{
	*account = xasprintf("account:%s", email);
	*address = xasprintf("address:%s", peer ? peer : "-");
}

static int
check_throttles(struct db *db, const char *account, const char *address,
    int64_t *retry_after)
{
	int64_t wait;
	int rc;

	rc = count_attempt(db, account, THROTTLE_ACCOUNT_MAX, retry_after);
	if (rc == PB_OK)
		rc = count_attempt(db, address, THROTTLE_ADDRESS_MAX, &wait);
	if (rc == PB_OK && wait > *retry_after)
		*retry_after = wait;
	return rc;
}

/* The user, their first workspace and role, and their password hash. */
static int
find_login(struct db *db, const char *email, struct principal *who, char **hash)
{
	struct db_stmt *st = db_query(db, SQL_USER_LOGIN, "s", email);
	int rc = db_first(st);

	*hash = NULL;
	if (rc != PB_OK)
		return rc;
	db_col_copy(st, 0, who->user_id, ID_SIZE);
	*hash = db_col_dup(st, 1);
	db_col_copy(st, 2, who->workspace_id, ID_SIZE);
	if (db_col_null(st, 3) || role_parse(db_col_text(st, 3), &who->role))
		rc = PB_ERR_NOT_FOUND; /* a user of no workspace */
	db_reset(st);
	return rc;
}

static int
insert_session(struct db *db, struct principal *who, char **token)
{
	char digest[SECRET_DIGEST_SIZE];
	int64_t now = clock_now_ms();
	int rc;

	*token = secret_token_new(SESSION_PREFIX, 32);
	secret_digest(*token, strlen(*token), digest);
	id_new("ses_", who->session_id);
	rc = db_run(db, SQL_INSERT_SESSION, "ssssii", who->session_id, digest,
	    who->user_id, who->workspace_id, now, now + SESSION_MAX_MS);
	if (rc != PB_OK) {
		secret_free(*token);
		*token = NULL;
	}
	return rc;
}

/*
 * Checks the password (slow on purpose).  The attempt was counted already;
 * a success clears the account's count and takes itself off the address's.
 */
static int
check_password(struct db *db, const char *email, const char *password,
    const char *account, const char *address, struct principal *who)
{
	char *hash = NULL;
	int rc = find_login(db, email, who, &hash);
	bool ok;

	if (rc != PB_OK && rc != PB_ERR_NOT_FOUND)
		return rc;
	ok =
	    password_verify(rc == PB_OK ? hash : NULL, password) && rc == PB_OK;
	free(hash);
	if (!ok)
		return PB_ERR_NOT_FOUND;
	if (db_run(db, SQL_FORGIVE, "s", account) != PB_OK ||
	    db_run(db, SQL_UNCOUNT, "s", address) != PB_OK)
		log_warn(NULL, "session.throttle_failed", NULL);
	return PB_OK;
}

int
session_sign_in(struct db *db, const char *email, const char *password,
    const char *peer, char **token, struct principal *who, int64_t *retry_after)
{
	char *norm = NULL, *account, *address;
	const char *why;
	int rc;

	memset(who, 0, sizeof(*who));
	*token = NULL;
	*retry_after = 0;
	if (email_normalize(email, strlen(email), &norm, &why) != PB_OK)
		norm = xstrdup("-");
	throttle_keys(norm, peer, &account, &address);
	rc = check_throttles(db, account, address, retry_after);
	if (rc == PB_OK && *retry_after > 0)
		rc = PB_ERR_BUSY;
	if (rc == PB_OK)
		rc = check_password(db, norm, password, account, address, who);
	if (rc == PB_OK)
		rc = insert_session(db, who, token);
	free(norm);
	free(account);
	free(address);
	return rc;
}

int
session_authenticate(struct db *db, const char *token, struct principal *who)
{
	int64_t idle_ms = config_get()->session_idle_s * 1000;
	int64_t refresh_ms =
	    idle_ms / 2 < SEEN_REFRESH_MS ? idle_ms / 2 : SEEN_REFRESH_MS;
	char digest[SECRET_DIGEST_SIZE];
	int64_t now = clock_now_ms(), seen;
	struct db_stmt *st;
	int rc;

	if (strncmp(token, SESSION_PREFIX, strlen(SESSION_PREFIX)) != 0 ||
	    strlen(token) > SESSION_TOKEN_MAX)
		return PB_ERR_NOT_FOUND;
	secret_digest(token, strlen(token), digest);
	st = db_query(db, SQL_SESSION, "sii", digest, now, now - idle_ms);
	if ((rc = db_first(st)) != PB_OK)
		return rc;
	memset(who, 0, sizeof(*who));
	db_col_copy(st, 0, who->session_id, ID_SIZE);
	db_col_copy(st, 1, who->user_id, ID_SIZE);
	db_col_copy(st, 2, who->workspace_id, ID_SIZE);
	rc = role_parse(db_col_text(st, 3), &who->role);
	seen = db_col_i64(st, 4);
	db_reset(st);
	/* Use keeps a session alive; one write per few minutes is enough. */
	if (rc == PB_OK && seen < now - refresh_ms)
		rc = db_run(db, SQL_SEEN, "si", who->session_id, now);
	return rc == PB_OK ? PB_OK : PB_ERR_INTERNAL;
}

int
session_end(struct db *db, const struct principal *who)
{
	return db_run(db, SQL_END, "si", who->session_id, clock_now_ms());
}

int
session_switch(struct db *db, struct principal *who, const char *workspace_id)
{
	struct db_stmt *st;
	int rc;

	rc = db_run(db, SQL_SWITCH, "sss", who->session_id, who->user_id,
	    workspace_id);
	if (rc == PB_OK && db_changes(db) == 0)
		return PB_ERR_NOT_FOUND;
	if (rc != PB_OK)
		return rc;
	st = db_query(db, SQL_ROLE, "ss", who->user_id, workspace_id);
	if ((rc = db_first(st)) != PB_OK)
		return rc;
	rc = role_parse(db_col_text(st, 0), &who->role);
	db_reset(st);
	snprintf(who->workspace_id, ID_SIZE, "%s", workspace_id);
	return rc;
}

void
session_csrf(const char *token, char out[SECRET_DIGEST_SIZE])
{
	char *text = xasprintf("pitchbar-csrf:%s", token);

	secret_digest(text, strlen(text), out);
	secret_free(text);
}

static cJSON *
workspace_json(struct db_stmt *st, void *arg)
{
	cJSON *w = cJSON_CreateObject();

	(void)arg;
	cJSON_AddStringToObject(w, "id", db_col_text(st, 0));
	cJSON_AddStringToObject(w, "name", db_col_text(st, 1));
	cJSON_AddStringToObject(w, "role", db_col_text(st, 2));
	return w;
}

int
session_json(struct db *db, const struct principal *who, const char *csrf,
    cJSON **out)
{
	struct db_stmt *st =
	    db_query(db, SQL_USER_JSON, "ss", who->user_id, who->workspace_id);
	cJSON *s, *user, *ws;
	int rc;

	*out = NULL;
	if ((rc = db_first(st)) != PB_OK)
		return rc;
	s = cJSON_CreateObject();
	user = cJSON_AddObjectToObject(s, "user");
	cJSON_AddStringToObject(user, "id", db_col_text(st, 0));
	cJSON_AddStringToObject(user, "email", db_col_text(st, 1));
	json_add_str(user, "name", db_col_text(st, 2));
	ws = cJSON_AddObjectToObject(s, "workspace");
	cJSON_AddStringToObject(ws, "id", db_col_text(st, 3));
	cJSON_AddStringToObject(ws, "name", db_col_text(st, 4));
	db_reset(st);
	cJSON_AddStringToObject(s, "role", role_name(who->role));
	rc = db_rows_json(db_query(db, SQL_WORKSPACES, "s", who->user_id),
	    cJSON_AddArrayToObject(s, "workspaces"), workspace_json, NULL);
	json_add_str(s, "csrf_token", csrf);
	if (rc != PB_OK) {
		cJSON_Delete(s);
		return rc;
	}
	*out = s;
	return PB_OK;
}
