/* Creating a workspace with its agent and Owner (see account.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts/account.h"
#include "core/alloc.h"
#include "core/clock.h"
#include "core/email.h"
#include "core/json.h"
#include "core/rc.h"
#include "crypto/secret.h"
#include "db/db.h"

#define WORKSPACE_NAME_MAX 100
#define PASSWORD_MIN 8

static const char SQL_FIND_WORKSPACE[] =
    "SELECT id FROM workspaces WHERE id = $1 OR name = $1";
static const char SQL_SET_PASSWORD[] =
    "UPDATE users SET password_hash = $2 WHERE email = $1 RETURNING id";
static const char SQL_END_SESSIONS[] =
    "UPDATE sessions SET ended_at = $2 WHERE user_id = $1"
    " AND ended_at IS NULL";
static const char SQL_ANY_WORKSPACE[] = "SELECT 1 FROM workspaces LIMIT 1";
static const char SQL_USER_BY_EMAIL[] = "SELECT id FROM users WHERE email = $1";
static const char SQL_INSERT_USER[] =
    "INSERT INTO users (id, email, name, password_hash, created_at)"
    " VALUES ($1, $2, $3, $4, $5)";
static const char SQL_INSERT_WORKSPACE[] =
    "INSERT INTO workspaces (id, name, created_at) VALUES ($1, $2, $3)";
static const char SQL_INSERT_AGENT[] =
    "INSERT INTO agents (id, workspace_id, name, widget_key, created_at)"
    " VALUES ($1, $2, $3, $4, $5)";
static const char SQL_INSERT_MEMBERSHIP[] =
    "INSERT INTO memberships (workspace_id, user_id, role, created_at)"
    " VALUES ($1, $2, 'owner', $3)";

int
account_is_empty(struct db *db, bool *empty)
{
	struct db_stmt *st = db_query(db, SQL_ANY_WORKSPACE, "");
	int rc = db_first(st);

	*empty = rc == PB_ERR_NOT_FOUND;
	if (rc == PB_OK)
		db_reset(st);
	return rc == PB_OK || *empty ? PB_OK : rc;
}

/* Looks up the user of email; *found tells whether there is one. */
static int
find_user(struct db *db, const char *email, char id[ID_SIZE], bool *found)
{
	struct db_stmt *st = db_query(db, SQL_USER_BY_EMAIL, "s", email);
	int rc = db_first(st);

	*found = rc == PB_OK;
	if (*found) {
		db_col_copy(st, 0, id, ID_SIZE);
		db_reset(st);
	}
	return *found || rc == PB_ERR_NOT_FOUND ? PB_OK : rc;
}

static int
check_inputs(const char *workspace, const char *password, const char **why)
{
	size_t n = strlen(workspace);

	if (n == 0 || !utf8_valid(workspace, n) ||
	    utf8_chars(workspace, n) > WORKSPACE_NAME_MAX) {
		*why = "workspace: needs a name of 1 to 100 characters";
		return PB_ERR_INVALID;
	}
	if (password && strlen(password) < PASSWORD_MIN) {
		*why = "password: needs at least 8 characters";
		return PB_ERR_INVALID;
	}
	return PB_OK;
}

/* What account_init() writes, as handed to db_write(). */
struct new_account {
	const char *workspace, *name, *hash; /* hash NULL: the user exists */
	const struct account_init *out;
};

static int
insert_all(struct db *db, void *arg)
{
	const struct new_account *a = arg;
	const struct account_init *out = a->out;
	int64_t now = clock_now_ms();
	int rc = PB_OK;

	if (a->hash)
		rc = db_run(db, SQL_INSERT_USER, "ssssi", out->user_id,
		    out->email, a->name, a->hash, now);
	if (rc == PB_OK)
		rc = db_run(db, SQL_INSERT_WORKSPACE, "ssi", out->workspace_id,
		    a->workspace, now);
	if (rc == PB_OK)
		rc = db_run(db, SQL_INSERT_AGENT, "ssssi", out->agent_id,
		    out->workspace_id, "Sales agent", out->widget_key, now);
	if (rc == PB_OK)
		rc = db_run(db, SQL_INSERT_MEMBERSHIP, "ssi", out->workspace_id,
		    out->user_id, now);
	return rc;
}

int
account_init(struct db *db, const char *workspace, const char *email,
    const char *name, const char *password, bool fast_hash,
    struct account_init *out, const char **why)
{
	char *hash = NULL;
	bool exists;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = check_inputs(workspace, password, why)) != PB_OK)
		return rc;
	if ((rc = email_normalize(email, strlen(email), &out->email, why))) {
		*why = "email: is not a valid address";
		return PB_ERR_INVALID;
	}
	if ((rc = find_user(db, out->email, out->user_id, &exists)) != PB_OK)
		goto out;
	if (!exists) {
		out->password =
		    password ? xstrdup(password) : secret_token_new("", 18);
		/* Hashing is slow: it happens before the transaction. */
		if ((rc = password_hash(out->password, fast_hash, &hash)))
			goto out;
		id_new("usr_", out->user_id);
	}
	id_new("ws_", out->workspace_id);
	id_new("agt_", out->agent_id);
	out->widget_key = secret_token_new("wk_", 18);
	rc = db_write(db, insert_all,
	    &(struct new_account){workspace, name, hash, out});
out:
	free(hash);
	if (rc != PB_OK) {
		*why = rc == PB_ERR_CONFLICT
		    ? "workspace: a workspace of that name exists"
		    : "the database refused the change";
		account_init_release(out);
	}
	return rc;
}

int
workspace_find(struct db *db, const char *id_or_name, char id[ID_SIZE])
{
	struct db_stmt *st = db_query(db, SQL_FIND_WORKSPACE, "s", id_or_name);
	int rc;

	if ((rc = db_first(st)) != PB_OK)
		return rc;
	db_col_copy(st, 0, id, ID_SIZE);
	db_reset(st);
	return PB_OK;
}

/* A new password, as handed to db_write(). */
struct password_change {
	const char *email, *hash;
};

static int
set_password_in_txn(struct db *db, void *arg)
{
	const struct password_change *p = arg;
	struct db_stmt *st =
	    db_query(db, SQL_SET_PASSWORD, "ss", p->email, p->hash);
	char user_id[ID_SIZE];
	int rc;

	if ((rc = db_first(st)) != PB_OK)
		return rc;
	db_col_copy(st, 0, user_id, ID_SIZE);
	db_reset(st);
	/* Whoever signed in with the old password is signed out. */
	return db_run(db, SQL_END_SESSIONS, "si", user_id, clock_now_ms());
}

int
account_set_password(struct db *db, const char *email, const char *password,
    bool fast_hash, char **out, const char **why)
{
	struct password_change p = {NULL, NULL};
	char *norm = NULL, *hash = NULL;
	int rc;

	*out = NULL;
	if (email_normalize(email, strlen(email), &norm, why) != PB_OK)
		return PB_ERR_INVALID;
	if (password && strlen(password) < PASSWORD_MIN) {
		free(norm);
		*why = "password: needs at least 8 characters";
		return PB_ERR_INVALID;
	}
	*out = password ? xstrdup(password) : secret_token_new("", 18);
	rc = password_hash(*out, fast_hash, &hash);
	p = (struct password_change){norm, hash};
	if (rc == PB_OK)
		rc = db_write(db, set_password_in_txn, &p);
	if (rc != PB_OK) {
		*why = rc == PB_ERR_NOT_FOUND
		    ? "no user has that e-mail"
		    : "the database refused the change";
		secret_free(*out);
		*out = NULL;
	}
	free(hash);
	free(norm);
	return rc;
}

void
account_init_release(struct account_init *init)
{
	free(init->widget_key);
	free(init->email);
	secret_free(init->password);
	memset(init, 0, sizeof(*init));
}
