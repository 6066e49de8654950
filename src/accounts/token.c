/* API tokens: made once, stored as a digest, looked up by it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts/account.h"
#include "accounts/audit.h"
#include "core/clock.h"
#include "core/email.h"
#include "core/json.h"
#include "core/rc.h"
#include "crypto/secret.h"
#include "db/db.h"

#define TOKEN_PREFIX "pbt_"
#define TOKEN_MAX 128
#define TOKEN_USED_REFRESH_MS (10LL * 60 * 1000)

/* Memberships of a user, narrowed to a workspace if given. */
static const char SQL_MEMBERSHIPS[] =
    "SELECT m.workspace_id, m.user_id FROM memberships m"
    " JOIN users u ON u.id = m.user_id"
    " WHERE u.email = $1"
    " AND (CAST($2 AS TEXT) IS NULL OR m.workspace_id = $2) LIMIT 2";
static const char SQL_INSERT_TOKEN[] =
    "INSERT INTO api_tokens (id, workspace_id, user_id, token_hash, name,"
    " created_at) VALUES ($1, $2, $3, $4, $5, $6)";
static const char SQL_LIST_TOKENS[] =
    "SELECT id, name, created_at, last_used_at, revoked_at FROM api_tokens"
    " WHERE workspace_id = $1 AND user_id = $2 ORDER BY id DESC";
/* One's own token, or anyone's in the workspace for a manager ($4). */
static const char SQL_REVOKE[] =
    "UPDATE api_tokens SET revoked_at = $5 WHERE id = $1"
    " AND workspace_id = $2 AND revoked_at IS NULL"
    " AND (user_id = $3 OR $4 = 'any')";
static const char SQL_TOKEN_USED[] =
    "UPDATE api_tokens SET last_used_at = $2 WHERE id = $1";
static const char SQL_TOKEN_PRINCIPAL[] =
    "SELECT t.id, t.workspace_id, t.user_id, m.role, t.last_used_at"
    " FROM api_tokens t"
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

/* A token being made, as handed to db_write(). */
struct issue {
	const struct principal *who; /* its owner and workspace */
	const struct principal *by; /* who makes it */
	const char *name;
	char digest[SECRET_DIGEST_SIZE];
	char *id;
};

static int
issue_in_txn(struct db *db, void *arg)
{
	const struct issue *t = arg;
	cJSON *details = cJSON_CreateObject();
	int rc;

	rc = db_run(db, SQL_INSERT_TOKEN, "sssssi", t->id, t->who->workspace_id,
	    t->who->user_id, t->digest, t->name, clock_now_ms());
	cJSON_AddStringToObject(details, "name", t->name);
	if (rc == PB_OK)
		return audit_record(db, t->by, "token.created", "token", t->id,
		    details);
	cJSON_Delete(details);
	return rc;
}

int
token_issue(struct db *db, const struct principal *who,
    const struct principal *by, const char *name, char **token,
    char id[ID_SIZE])
{
	struct issue t = {who, by, name ? name : "API token", "", id};
	int rc;

	*token = secret_token_new(TOKEN_PREFIX, 32);
	secret_digest(*token, strlen(*token), t.digest);
	id_new("tok_", id);
	if ((rc = db_write(db, issue_in_txn, &t)) != PB_OK) {
		secret_free(*token);
		*token = NULL;
	}
	return rc;
}

int
token_create(struct db *db, const char *email, const char *workspace,
    const char *name, char **token, const char **why)
{
	struct principal who = {0}, operator= {0};
	char id[ID_SIZE], *norm;
	int rc, n;

	*token = NULL;
	if (email_normalize(email, strlen(email), &norm, why) != PB_OK) {
		*why = "email: is not a valid address";
		return PB_ERR_INVALID;
	}
	if (workspace && workspace_find(db, workspace, who.workspace_id)) {
		free(norm);
		*why = "no workspace has that id or name";
		return PB_ERR_NOT_FOUND;
	}
	rc = find_membership(db, norm, workspace ? who.workspace_id : NULL,
	    who.workspace_id, who.user_id, &n);
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
	/* Made at the command line: the operator acts, not a user. */
	memcpy(operator.workspace_id, who.workspace_id, ID_SIZE);
	rc = token_issue(db, &who, &operator, name ? name : "cli", token, id);
	if (rc != PB_OK)
		*why = "the database refused the change";
	return rc;
}

static cJSON *
token_json(struct db_stmt *st, void *arg)
{
	cJSON *t = cJSON_CreateObject();

	(void)arg;
	cJSON_AddStringToObject(t, "id", db_col_text(st, 0));
	cJSON_AddStringToObject(t, "name", db_col_text(st, 1));
	json_add_time(t, "created_at", db_col_i64(st, 2));
	json_add_time(t, "last_used_at",
	    db_col_null(st, 3) ? -1 : db_col_i64(st, 3));
	json_add_time(t, "revoked_at",
	    db_col_null(st, 4) ? -1 : db_col_i64(st, 4));
	return t;
}

int
token_list_json(struct db *db, const struct principal *who, cJSON **out)
{
	int rc;

	*out = cJSON_CreateObject();
	rc = db_rows_json(db_query(db, SQL_LIST_TOKENS, "ss", who->workspace_id,
			      who->user_id),
	    cJSON_AddArrayToObject(*out, "data"), token_json, NULL);
	if (rc != PB_OK) {
		cJSON_Delete(*out);
		*out = NULL;
	}
	return rc;
}

/* A revocation, as handed to db_write(). */
struct revocation {
	const struct principal *who;
	const char *id;
};

static int
revoke_in_txn(struct db *db, void *arg)
{
	const struct revocation *r = arg;
	bool any = role_allows(r->who->role, PERM_MANAGE);
	int rc;

	rc = db_run(db, SQL_REVOKE, "ssssi", r->id, r->who->workspace_id,
	    r->who->user_id, any ? "any" : "own", clock_now_ms());
	if (rc == PB_OK && db_changes(db) == 0)
		return PB_ERR_NOT_FOUND;
	if (rc != PB_OK)
		return rc;
	return audit_record(db, r->who, "token.revoked", "token", r->id, NULL);
}

int
token_revoke(struct db *db, const struct principal *who, const char *id)
{
	struct revocation r = {who, id};

	return db_write(db, revoke_in_txn, &r);
}

int
token_authenticate(struct db *db, const char *token, struct principal *who)
{
	char digest[SECRET_DIGEST_SIZE];
	int64_t now = clock_now_ms(), used;
	struct db_stmt *st;
	int rc;

	if (strncmp(token, TOKEN_PREFIX, strlen(TOKEN_PREFIX)) != 0 ||
	    strlen(token) > TOKEN_MAX)
		return PB_ERR_NOT_FOUND;
	secret_digest(token, strlen(token), digest);
	st = db_query(db, SQL_TOKEN_PRINCIPAL, "s", digest);
	if ((rc = db_first(st)) != PB_OK)
		return rc;
	memset(who, 0, sizeof(*who));
	db_col_copy(st, 0, who->token_id, ID_SIZE);
	db_col_copy(st, 1, who->workspace_id, ID_SIZE);
	db_col_copy(st, 2, who->user_id, ID_SIZE);
	rc = role_parse(db_col_text(st, 3), &who->role);
	used = db_col_null(st, 4) ? 0 : db_col_i64(st, 4);
	db_reset(st);
	if (rc != PB_OK)
		return PB_ERR_INTERNAL;
	/* When a token was last used, to a few minutes: one write then. */
	if (used < now - TOKEN_USED_REFRESH_MS)
		rc = db_run(db, SQL_TOKEN_USED, "si", who->token_id, now);
	return rc;
}
