/*
 * Members of a workspace and their roles.  Owners and Admins add members
 * and change roles; an Admin cannot make an Owner nor change or remove
 * one; the last Owner can be neither demoted nor removed.  Each change is
 * recorded in the audit log.
 */
#ifndef ACCOUNTS_MEMBER_H
#define ACCOUNTS_MEMBER_H

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "accounts/account.h"

struct db;

/* {"data": [{"user_id", "email", "name", "role", "created_at"}]} */
int member_list_json(struct db *db, const char *workspace_id, cJSON **out);
/* One member as the list shows it; PB_ERR_NOT_FOUND outside ws. */
int member_get_json(struct db *db, const char *workspace_id,
    const char *user_id, cJSON **out);

/* What adding a member made. */
struct member_added {
	char user_id[ID_SIZE];
	char *password; /* when a new user was made; freed by the caller */
};

/*
 * Adds the user of email (made when there is none, with password or a
 * generated one) with role.  PB_ERR_INVALID for a bad e-mail or name,
 * PB_ERR_CONFLICT for a member already, PB_ERR_DENIED for an Admin making
 * an Owner; *why says which.
 */
int member_add(struct db *db, const struct principal *who, const char *email,
    const char *name, const char *password, enum role role, bool fast_hash,
    struct member_added *out, const char **why);
/*
 * Change a member's role, or remove them: PB_ERR_NOT_FOUND, PB_ERR_DENIED
 * (an Admin and an Owner), PB_ERR_CONFLICT (the last Owner).
 */
int member_set_role(struct db *db, const struct principal *who,
    const char *user_id, enum role role, const char **why);
int member_remove(struct db *db, const struct principal *who,
    const char *user_id, const char **why);

#endif
