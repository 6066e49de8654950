/*
 * Workspaces, users, memberships, agents and API tokens; who a request
 * acts as (a principal) and what a role may do.
 */
#ifndef ACCOUNTS_ACCOUNT_H
#define ACCOUNTS_ACCOUNT_H

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "core/id.h"

struct db;

enum role { ROLE_MEMBER, ROLE_ADMIN, ROLE_OWNER };

/* What a route requires (DESIGN section 3). */
enum permission {
	PERM_PUBLIC, /* anyone, no credentials */
	PERM_VIEW, /* integrations.view: every role */
	PERM_MANAGE, /* integrations.manage: owner and admin */
};

/* Who a request acts as, in which workspace, through what. */
struct principal {
	char user_id[ID_SIZE];
	char workspace_id[ID_SIZE];
	char token_id[ID_SIZE]; /* the API token acting, or "" */
	char session_id[ID_SIZE]; /* the session acting, or "" */
	enum role role;
};

/* Whether role holds permission. */
bool role_allows(enum role role, enum permission permission);
/* "owner", "admin", "member" to a role; PB_ERR_INVALID otherwise. */
int role_parse(const char *s, enum role *role);
const char *role_name(enum role role);

/* What account_init() made; password is NULL for an existing user. */
struct account_init {
	char workspace_id[ID_SIZE];
	char agent_id[ID_SIZE];
	char user_id[ID_SIZE];
	char *widget_key;
	char *email;
	char *password;
};

/*
 * Creates a workspace, its agent and its Owner (an existing user of that
 * e-mail joins as Owner, keeping their password).  password may be NULL
 * for a generated one.  PB_ERR_INVALID with the reason in *why.
 */
int account_init(struct db *db, const char *workspace, const char *email,
    const char *name, const char *password, bool fast_hash,
    struct account_init *out, const char **why);
void account_init_release(struct account_init *init);
/* The id of the workspace of that id or name; PB_ERR_NOT_FOUND. */
int workspace_find(struct db *db, const char *id_or_name, char id[ID_SIZE]);
/*
 * Sets the password of the user of email (generated when password is
 * NULL, returned in *out either way; freed with secret_free) and ends the
 * user's sessions.  PB_ERR_NOT_FOUND or PB_ERR_INVALID with *why.
 */
int account_set_password(struct db *db, const char *email, const char *password,
    bool fast_hash, char **out, const char **why);
/* Whether the database holds no workspace yet. */
int account_is_empty(struct db *db, bool *empty);

/*
 * A new API token for the member email of workspace (an id or a name;
 * NULL when the user belongs to one workspace only).  The token is
 * returned once in *token (the caller frees it with secret_free); only its
 * digest is stored.  PB_ERR_NOT_FOUND / PB_ERR_CONFLICT with *why.
 */
int token_create(struct db *db, const char *email, const char *workspace,
    const char *name, char **token, const char **why);
/*
 * A new API token for who (its user and workspace), made by by; the token
 * is returned once in *token (freed with secret_free), its id in id.
 */
int token_issue(struct db *db, const struct principal *who,
    const struct principal *by, const char *name, char **token,
    char id[ID_SIZE]);
/* who's tokens in who's workspace: {"data": [...]}. */
int token_list_json(struct db *db, const struct principal *who, cJSON **out);
/*
 * Revokes a token of who's own, or anyone's in the workspace when who
 * manages it; PB_ERR_NOT_FOUND otherwise.
 */
int token_revoke(struct db *db, const struct principal *who, const char *id);
/*
 * Who a bearer token acts as; PB_ERR_NOT_FOUND for an unknown or revoked
 * token.
 */
int token_authenticate(struct db *db, const char *token, struct principal *who);

#endif
