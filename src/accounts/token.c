/* API tokens: made once, stored as a digest, looked up by it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts/account.h"
#include "core/clock.h"
#include "core/email.h"
#include "core/rc.h"
#include "crypto/secret.h"
#include "db/db.h"

#define TOKEN_PREFIX "pbt_"
#define TOKEN_MAX 128

/* Memberships of a user, narrowed to a workspace id or name if given. */
static const char SQL_MEMBERSHIPS[] =
    "SELECT m.workspace_id, m.user_id FROM memberships m"
    " JOIN users u ON u.id = m.user_id"
    " JOIN workspaces w ON w.id = m.workspace_id"
    " WHERE u.email = $1 AND (CAST($2 AS TEXT) IS NULL OR w.id = $2"
    " OR w.name = $2)"
    " LIMIT 2";
static const char SQL_INSERT_TOKEN[] =
    "INSERT INTO api_tokens (id, workspace_id, user_id, token_hash, name,"
    " created_at) VALUES ($1, $2, $3, $4, $5, $6)";
static const char SQL_TOKEN_PRINCIPAL[] =
    "SELECT t.id, t.workspace_id, t.user_id, m.role FROM api_tokens t"
    " JOIN memberships m ON m.workspace_id = t.workspace_id"
    "  AND m.user_id = t.user_id"
    " WHERE t.token_hash = $1 AND t.revoked_at IS NULL";

/* Finds the single membership meant; *n is how many matched (0 to 2). */
static int
find_membership(struct db *db, const char *email, const char *workspace,
    char ws[ID_SIZE], char user[ID_SIZE], int *n)
{
	struct db_stmt *st =
	    db_query(db, SQL_MEMBERSHIPS, "ss", email, workspace);
	int rc;

	if (st == NULL)
		return PB_ERR_DB;
	*n = 0;
	while ((rc = db_step(st)) == DB_ROW) {
		db_col_copy(st, 0, ws, ID_SIZE);
		db_col_copy(st, 1, user, ID_SIZE);
		(*n)++;
	}
	db_reset(st);
	return rc == DB_DONE ? PB_OK : rc;
}

int
token_create(struct db *db, const char *email, const char *workspace,
    const char *name, char **token, const char **why)
{
	char ws[ID_SIZE], user[ID_SIZE], id[ID_SIZE];
	char digest[SECRET_DIGEST_SIZE], *norm;
	int rc, n;

	*token = NULL;
	if (email_normalize(email, strlen(email), &norm, why) != PB_OK) {
		*why = "email: is not a valid address";
		return PB_ERR_INVALID;
	}
	rc = find_membership(db, norm, workspace, ws, user, &n);
	free(norm);
	if (rc != PB_OK)
		return rc;
	if (n == 0) {
		*why = "no member with that e-mail (in that workspace)";
		return PB_ERR_NOT_FOUND;
	}
	if (n > 1) {
		*why =
		    "the user belongs to several workspaces: add --workspace";
		return PB_ERR_CONFLICT;
	}
	*token = secret_token_new(TOKEN_PREFIX, 32);
	secret_digest(*token, strlen(*token), digest);
	id_new("tok_", id);
	rc = db_run(db, SQL_INSERT_TOKEN, "sssssi", id, ws, user, digest,
	    name ? name : "cli", clock_now_ms());
	if (rc != PB_OK) {
		secret_free(*token);
		*token = NULL;
		*why = "the database refused the change";
	}
	return rc;
}

int
token_authenticate(struct db *db, const char *token, struct principal *who)
{
	char digest[SECRET_DIGEST_SIZE];
	struct db_stmt *st;
	int rc;

	if (strncmp(token, TOKEN_PREFIX, strlen(TOKEN_PREFIX)) != 0 ||
	    strlen(token) > TOKEN_MAX)
		return PB_ERR_NOT_FOUND;
	secret_digest(token, strlen(token), digest);
	st = db_query(db, SQL_TOKEN_PRINCIPAL, "s", digest);
	if ((rc = db_first(st)) != PB_OK)
		return rc;
	db_col_copy(st, 0, who->token_id, ID_SIZE);
	db_col_copy(st, 1, who->workspace_id, ID_SIZE);
	db_col_copy(st, 2, who->user_id, ID_SIZE);
	rc = role_parse(db_col_text(st, 3), &who->role);
	db_reset(st);
	return rc == PB_OK ? PB_OK : PB_ERR_INTERNAL;
}
