/* The audit log (see audit.h). */
#include <stdlib.h>
#include <string.h>

#include "accounts/audit.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/rc.h"
#include "db/db.h"

static const char SQL_INSERT[] =
    "INSERT INTO audit_log (id, workspace_id, actor_user_id, actor_token_id,"
    " action, target_type, target_id, details, created_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
static const char SQL_LIST[] =
    "SELECT a.id, a.created_at, a.actor_user_id, u.email, a.actor_token_id,"
    " a.action, a.target_type, a.target_id, a.details FROM audit_log a"
    " LEFT JOIN users u ON u.id = a.actor_user_id"
    " WHERE a.workspace_id = $1 AND ($2 = '' OR a.id < $2)"
    " ORDER BY a.id DESC LIMIT $3";

int
audit_record(struct db *db, const struct principal *who, const char *action,
    const char *target_type, const char *target_id, cJSON *details)
{
	char id[ID_SIZE], *text = details ? json_print(details) : NULL;
	int rc;

	id_new("aud_", id);
	rc = db_run(db, SQL_INSERT, "ssssssssi", id, who->workspace_id,
	    who->user_id[0] ? who->user_id : NULL,
	    who->token_id[0] ? who->token_id : NULL, action, target_type,
	    target_id, text, clock_now_ms());
	free(text);
	cJSON_Delete(details);
	return rc;
}

static cJSON *
entry_json(struct db_stmt *st, void *arg)
{
	cJSON *e = cJSON_CreateObject(), *actor, *details = NULL;
	const char *text = db_col_text(st, 8);

	(void)arg;
	cJSON_AddStringToObject(e, "id", db_col_text(st, 0));
	json_add_time(e, "at", db_col_i64(st, 1));
	actor = cJSON_AddObjectToObject(e, "actor");
	json_add_str(actor, "user_id", db_col_text(st, 2));
	json_add_str(actor, "email", db_col_text(st, 3));
	json_add_str(actor, "token_id", db_col_text(st, 4));
	cJSON_AddStringToObject(e, "action", db_col_text(st, 5));
	cJSON_AddStringToObject(e, "target_type", db_col_text(st, 6));
	json_add_str(e, "target_id", db_col_text(st, 7));
	if (text == NULL || json_parse(text, strlen(text), &details) != PB_OK)
		details = cJSON_CreateNull();
	cJSON_AddItemToObject(e, "details", details);
	return e;
}

int
audit_list_json(struct db *db, const char *workspace_id, const char *cursor,
    int limit, cJSON **out)
{
	struct db_stmt *st = db_query(db, SQL_LIST, "ssi", workspace_id,
	    cursor ? cursor : "", (int64_t)limit + 1);

	*out = NULL;
	if (st == NULL)
		return PB_ERR_DB;
	return db_page_json(st, limit, entry_json, NULL, out);
}
