/* Members of a workspace and their roles (see member.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts/audit.h"
#include "accounts/member.h"
#include "core/alloc.h"
#include "core/clock.h"
#include "core/email.h"
#include "core/json.h"
#include "core/rc.h"
#include "crypto/secret.h"
#include "db/db.h"

#define NAME_MAX_CHARS 200

static const char SQL_LIST[] =
    "SELECT u.id, u.email, u.name, m.role, m.created_at FROM memberships m"
    " JOIN users u ON u.id = m.user_id WHERE m.workspace_id = $1"
    " ORDER BY m.created_at, u.id";
static const char SQL_GET[] =
    "SELECT u.id, u.email, u.name, m.role, m.created_at FROM memberships m"
    " JOIN users u ON u.id = m.user_id"
    " WHERE m.workspace_id = $1 AND m.user_id = $2";
static const char SQL_USER[] = "SELECT id FROM users WHERE email = $1";
static const char SQL_INSERT_USER[] =
    "INSERT INTO users (id, email, name, password_hash, created_at)"
    " VALUES ($1, $2, $3, $4, $5)";
static const char SQL_INSERT_MEMBER[] =
    "INSERT INTO memberships (workspace_id, user_id, role, created_at)"
    " VALUES ($1, $2, $3, $4)";
/* Touching the workspace row makes its membership changes take turns. */
static const char SQL_LOCK_WORKSPACE[] =
    "UPDATE workspaces SET name = name WHERE id = $1";
static const char SQL_ROLE[] =
    "SELECT role FROM memberships WHERE workspace_id = $1 AND user_id = $2";
static const char SQL_OWNERS[] =
    "SELECT COUNT(*) FROM memberships WHERE workspace_id = $1"
    " AND role = 'owner'";
static const char SQL_SET_ROLE[] =
    "UPDATE memberships SET role = $3 WHERE workspace_id = $1"
    " AND user_id = $2";
static const char SQL_REMOVE[] =
    "DELETE FROM memberships WHERE workspace_id = $1 AND user_id = $2";
/* A removed member's credentials die with the membership, for good. */
static const char SQL_REVOKE_TOKENS[] =
    "UPDATE api_tokens SET revoked_at = $3 WHERE workspace_id = $1"
    " AND user_id = $2 AND revoked_at IS NULL";
static const char SQL_END_SESSIONS[] =
    "UPDATE sessions SET ended_at = $3 WHERE workspace_id = $1"
    " AND user_id = $2 AND ended_at IS NULL";

static cJSON *
member_json(struct db_stmt *st, void *arg)
{
	cJSON *m = cJSON_CreateObject();

	(void)arg;
	cJSON_AddStringToObject(m, "user_id", db_col_text(st, 0));
	cJSON_AddStringToObject(m, "email", db_col_text(st, 1));
	json_add_str(m, "name", db_col_text(st, 2));
	cJSON_AddStringToObject(m, "role", db_col_text(st, 3));
	json_add_time(m, "created_at", db_col_i64(st, 4));
	return m;
}

int
member_list_json(struct db *db, const char *workspace_id, cJSON **out)
{
	int rc;

	*out = cJSON_CreateObject();
	rc = db_rows_json(db_query(db, SQL_LIST, "s", workspace_id),
	    cJSON_AddArrayToObject(*out, "data"), member_json, NULL);
	if (rc != PB_OK) {
		cJSON_Delete(*out);
		*out = NULL;
	}
	return rc;
}

int
member_get_json(struct db *db, const char *workspace_id, const char *user_id,
    cJSON **out)
{
	struct db_stmt *st = db_query(db, SQL_GET, "ss", workspace_id, user_id);
	int rc;

	*out = NULL;
	if ((rc = db_first(st)) != PB_OK)
		return rc;
	*out = member_json(st, NULL);
	db_reset(st);
	return PB_OK;
}

/* A member being added, as handed to db_write(). */
struct addition {
	const struct principal *who;
	const char *email, *name, *hash; /* hash NULL: the user exists */
	enum role role;
	struct member_added *out;
};

static int
add_in_txn(struct db *db, void *arg)
{
	struct addition *a = arg;
	int64_t now = clock_now_ms();
	int rc = PB_OK;
	cJSON *details;

	if (a->hash)
		rc = db_run(db, SQL_INSERT_USER, "ssssi", a->out->user_id,
		    a->email, a->name, a->hash, now);
	if (rc == PB_OK)
		rc = db_run(db, SQL_INSERT_MEMBER, "sssi", a->who->workspace_id,
		    a->out->user_id, role_name(a->role), now);
	if (rc != PB_OK)
		return rc;
	details = cJSON_CreateObject();
	cJSON_AddStringToObject(details, "email", a->email);
	cJSON_AddStringToObject(details, "role", role_name(a->role));
	return audit_record(db, a->who, "member.added", "user", a->out->user_id,
	    details);
}

/* Finds the user of email, or prepares a new one (id, password, hash). */
static int
find_or_prepare(struct db *db, struct addition *a, const char *password,
    bool fast_hash, char **hash)
{
	struct db_stmt *st = db_query(db, SQL_USER, "s", a->email);
	int rc = db_first(st);

	*hash = NULL;
	if (rc == PB_OK) {
		db_col_copy(st, 0, a->out->user_id, ID_SIZE);
		db_reset(st);
		return PB_OK;
	}
	if (rc != PB_ERR_NOT_FOUND)
		return rc;
	id_new("usr_", a->out->user_id);
	a->out->password =
	    password ? xstrdup(password) : secret_token_new("", 18);
	return password_hash(a->out->password, fast_hash, hash);
}

int
member_add(struct db *db, const struct principal *who, const char *email,
    const char *name, const char *password, enum role role, bool fast_hash,
    struct member_added *out, const char **why)
{
	struct addition a = {.who = who,
	    .name = name,
	    .role = role,
	    .out = out};
	char *norm = NULL, *hash = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if (role == ROLE_OWNER && who->role != ROLE_OWNER) {
		*why = "Only an Owner can make an Owner.";
		return PB_ERR_DENIED;
	}
	if (name && utf8_chars(name, strlen(name)) > NAME_MAX_CHARS) {
		*why = "name: must be at most 200 characters";
		return PB_ERR_INVALID;
	}
	if (email_normalize(email, strlen(email), &norm, why) != PB_OK)
		return PB_ERR_INVALID;
	a.email = norm;
	rc = find_or_prepare(db, &a, password, fast_hash, &hash);
	a.hash = hash;
	if (rc == PB_OK)
		rc = db_write(db, add_in_txn, &a);
	if (rc == PB_ERR_CONFLICT)
		*why = "This user is a member already.";
	if (rc != PB_OK) {
		secret_free(out->password);
		out->password = NULL;
	}
	free(hash);
	free(norm);
	return rc;
}

/* A role change or a removal, as handed to db_write(). */
struct role_change {
	const struct principal *who;
	const char *user_id;
	enum role role; /* the new one */
	bool remove;
	const char **why;
};

static int
count_owners(struct db *db, const char *workspace_id, int64_t *n)
{
	struct db_stmt *st = db_query(db, SQL_OWNERS, "s", workspace_id);
	int rc;

	if ((rc = db_first(st)) != PB_OK)
		return rc;
	*n = db_col_i64(st, 0);
	db_reset(st);
	return PB_OK;
}

/* The checks every role change makes; the target's role in *was. */
static int
check_change(struct db *db, const struct role_change *c, enum role *was)
{
	const char *ws = c->who->workspace_id;
	struct db_stmt *st = db_query(db, SQL_ROLE, "ss", ws, c->user_id);
	int64_t owners;
	int rc;

	if ((rc = db_first(st)) != PB_OK)
		return rc;
	rc = role_parse(db_col_text(st, 0), was);
	db_reset(st);
	if (rc != PB_OK)
		return PB_ERR_INTERNAL;
	if ((*was == ROLE_OWNER || (!c->remove && c->role == ROLE_OWNER)) &&
	    c->who->role != ROLE_OWNER) {
		*c->why = "Only an Owner can change or remove an Owner.";
		return PB_ERR_DENIED;
	}
	if (*was != ROLE_OWNER || (!c->remove && c->role == ROLE_OWNER))
		return PB_OK;
	if ((rc = count_owners(db, ws, &owners)) == PB_OK && owners <= 1) {
		*c->why = "A workspace keeps at least one Owner.";
		rc = PB_ERR_CONFLICT;
	}
	return rc;
}

/*
 * Removes the membership, revokes the member's API tokens of the
 * workspace and ends their sessions in it: adding them back later brings
 * none of those back.
 */
static int
remove_member(struct db *db, const char *ws, const char *user_id)
{
	int64_t now = clock_now_ms();
	int rc = db_run(db, SQL_REMOVE, "ss", ws, user_id);

	if (rc == PB_OK)
		rc = db_run(db, SQL_REVOKE_TOKENS, "ssi", ws, user_id, now);
	if (rc == PB_OK)
		rc = db_run(db, SQL_END_SESSIONS, "ssi", ws, user_id, now);
	return rc;
}

static int
change_in_txn(struct db *db, void *arg)
{
	const struct role_change *c = arg;
	const char *ws = c->who->workspace_id;
	cJSON *details;
	enum role was;
	int rc = db_run(db, SQL_LOCK_WORKSPACE, "s", ws);

	if (rc == PB_OK)
		rc = check_change(db, c, &was);
	if (rc == PB_OK && c->remove)
		rc = remove_member(db, ws, c->user_id);
	else if (rc == PB_OK)
		rc = db_run(db, SQL_SET_ROLE, "sss", ws, c->user_id,
		    role_name(c->role));
	if (rc != PB_OK)
		return rc;
	details = cJSON_CreateObject();
	cJSON_AddStringToObject(details, "from", role_name(was));
	if (!c->remove)
		cJSON_AddStringToObject(details, "to", role_name(c->role));
	return audit_record(db, c->who,
	    c->remove ? "member.removed" : "member.role_changed", "user",
	    c->user_id, details);
}

int
member_set_role(struct db *db, const struct principal *who, const char *user_id,
    enum role role, const char **why)
{
	struct role_change c = {who, user_id, role, false, why};

	return db_write(db, change_in_txn, &c);
}

int
member_remove(struct db *db, const struct principal *who, const char *user_id,
    const char **why)
{
	struct role_change c = {who, user_id, ROLE_MEMBER, true, why};

	return db_write(db, change_in_txn, &c);
}
